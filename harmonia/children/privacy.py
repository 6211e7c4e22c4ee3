"""Data-protection duties (UK GDPR; ICO Children's Code): subject access export,
erasure by anonymisation that keeps aggregate statistics, and retention rules."""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from harmonia import audit
from harmonia.children.models import (
    Child,
    ChildAccessLog,
    ChildGuardian,
    EnrolmentPeriod,
    Guardian,
    ImportLog,
    Status,
)
from harmonia.localdates import format_date

ANONYMISED = "Anonymised"


# --- the access log -----------------------------------------------------------------


def log_seen(request, children, *, action: str | None = None, detail: str = "") -> None:
    """Write who saw which children on this page: one row per child, one bulk insert.

    ``children`` is a child, or an iterable of children or child ids (a register
    passes the ids it shows, so the page costs one query more, whatever its size).
    Without ``action``, one child is "viewed" (or "edited" on a POST) and several are
    "seen in a list". ``detail`` defaults to the page's address."""
    if isinstance(children, Child):
        ids = [children.pk]
        action = action or (
            ChildAccessLog.Action.EDIT if request.method == "POST" else ChildAccessLog.Action.VIEW
        )
    else:
        ids = list(dict.fromkeys(c.pk if isinstance(c, Child) else c for c in children))
        action = action or ChildAccessLog.Action.LIST
    if not ids:
        return
    user = request.user if request.user.is_authenticated else None
    detail = (detail or request.path)[:200]
    _insert_log_rows(ids, user.pk if user else None, str(action), detail)


def _insert_log_rows(ids: list[int], user_id, action: str, detail: str) -> None:
    """One multi-row INSERT per 200 children, without building a model instance per
    row: opening a 60-child register wrote 60 rows through ``bulk_create``, a tenth of
    the page's time (bench/register.py). Same rows, same columns."""
    meta = ChildAccessLog._meta
    columns = [meta.get_field(f).column for f in ("child", "user", "action", "at", "detail")]
    at = meta.get_field("at").get_db_prep_save(timezone.now(), connection)
    table = connection.ops.quote_name(meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 - names from the model
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(ids), 200):
            batch = ids[start : start + 200]
            params = []
            for pk in batch:
                params += [pk, user_id, action, at, detail]
            cursor.execute(sql + ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch)), params)


# --- the registry: every app says what it holds about a child ----------------------
#
# Each app's ``privacy.py`` (called from its AppConfig.ready) registers
#   * sections of the subject access export: a model, the lookup from it to the
#     child, and the fields to show (``Section``);
#   * what erasure does to those rows (``Erasure``: keep, clear some fields, delete);
#   * free-text fields whose rows may *mention* a child by name although they belong
#     to something else — a concern about two children, a register note, the audit
#     trail (``Mentions``): erasure redacts the names there and keeps the text;
#   * stored files that may name a child (``Files``): erasure deletes any that do;
#   * or an exemption, with the reason.
# ``tests/children/test_privacy_registry.py`` walks every model and fails when one
# that leads to a child is neither registered nor exempt.


@dataclass(frozen=True)
class Field:
    """One value in a section: ``path`` is an attribute path ("occurrence.date")."""

    key: str
    path: str = ""
    label: Any = None
    # How people read the value (the machine-readable export keeps the raw value):
    # ``show(owner, value) -> str``.
    show: Any = None

    def resolve(self, obj):
        value = obj
        for part in (self.path or self.key).split("."):
            if value is None:
                return None, None
            owner, value = value, getattr(value, part)
        return owner, value


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    model: type
    child: str  # the lookup from ``model`` to the child, e.g. "child" or "loan__child"
    fields: tuple
    related: tuple = ()
    order_by: tuple = ()
    single: bool = False  # one row at most (shown as one block, or None)
    intro: Any = ""
    order: int = 50  # where the section comes in the export (the access log comes last)


@dataclass(frozen=True)
class Erasure:
    model: type
    child: str
    action: str  # "keep", "clear" (``fields`` set to blank), "delete", or "custom"
    fields: tuple = ()
    reason: str = ""


@dataclass(frozen=True)
class Mentions:
    model: type
    fields: tuple
    # The rows to search: a lookup to the child's centre ("centre"), or a function
    # of the child returning a Q (e.g. its programme's audit events).
    scope: Any = ""


@dataclass(frozen=True)
class Files:
    model: type
    field: str
    programme: str  # lookup to the programme


@dataclass
class Registry:
    sections: dict = dataclass_field(default_factory=dict)
    erasures: dict = dataclass_field(default_factory=dict)
    mentions: list = dataclass_field(default_factory=list)
    files: list = dataclass_field(default_factory=list)
    not_exported: dict = dataclass_field(default_factory=dict)  # model -> reason
    not_erased: dict = dataclass_field(default_factory=dict)  # model -> reason

    def section(self, section: Section) -> None:
        self.sections[section.key] = section

    def erasure(self, erasure: Erasure) -> None:
        self.erasures[erasure.model] = erasure

    def mention(self, mentions: Mentions) -> None:
        self.mentions.append(mentions)

    def file(self, files: Files) -> None:
        self.files.append(files)

    def exempt(self, model, *, export: str = "", erasure: str = "") -> None:
        if export:
            self.not_exported[model] = export
        if erasure:
            self.not_erased[model] = erasure

    def exported_models(self) -> set:
        return {s.model for s in self.sections.values()} | set(self.not_exported)

    def erased_models(self) -> set:
        return set(self.erasures) | set(self.not_erased)


registry = Registry()


def _value(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def _label(section: Section, field: Field, owner):
    if field.label is not None:
        return field.label
    name = (field.path or field.key).split(".")[-1]
    model = type(owner) if isinstance(owner, models.Model) else section.model
    try:
        return capfirst(model._meta.get_field(name).verbose_name)
    except Exception:  # a property, or a name that is not a model field
        return capfirst(name.replace("_", " "))


def _display(owner, field: Field, value):
    if field.show is not None:
        return field.show(owner, value)
    name = (field.path or field.key).split(".")[-1]
    if isinstance(owner, models.Model) and hasattr(owner, f"get_{name}_display"):
        shown = getattr(owner, f"get_{name}_display")()
        if shown != "":
            return shown
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value in (None, ""):
        return "—"
    if isinstance(value, datetime.datetime):
        return format_date(timezone.localtime(value), "j F Y, H:i")
    if isinstance(value, datetime.date):
        return format_date(value, "j F Y")
    return str(value)


def _rows(section: Section, child: Child):
    queryset = section.model._default_manager.filter(**{section.child: child.pk})
    if section.related:
        queryset = queryset.select_related(*section.related)
    if section.order_by:
        queryset = queryset.order_by(*section.order_by)
    return list(queryset.distinct() if "__" in section.child else queryset)


def _collect(child: Child) -> list[tuple[Section, list[list[tuple]]]]:
    """Each section with its rows; a row is [(key, label, raw value, shown value)]."""
    out = []
    for section in sorted(registry.sections.values(), key=lambda s: s.order):
        rows = []
        for obj in _rows(section, child):
            row = []
            for field in section.fields:
                owner, value = field.resolve(obj)
                row.append(
                    (field.key, _label(section, field, owner), _value(value),
                     _display(owner, field, value))
                )  # fmt: skip
            rows.append(row)
        out.append((section, rows))
    return out


def subject_access_data(child: Child) -> dict:
    """Everything held on one child, machine-readable: one key per registered section
    (one query per section, whatever the child's history)."""
    child = Child.objects.select_related("centre__programme", "school").get(pk=child.pk)
    data = {
        "generated_at": timezone.now().isoformat(),
        "controller": str(child.centre.programme),
        "centre": str(child.centre),
        "school": str(child.school) if child.school else None,
    }
    for section, rows in _collect(child):
        values = [{key: raw for key, _label, raw, _shown in row} for row in rows]
        data[section.key] = (values[0] if values else None) if section.single else values
    return data


def subject_access_sections(child: Child) -> list[dict]:
    """The same, for people: each section with its title and labelled, readable values."""
    return [
        {
            "key": section.key,
            "title": section.title,
            "intro": section.intro,
            "single": section.single,
            "rows": [[(label, shown) for _key, label, _raw, shown in row] for row in rows],
        }
        for section, rows in _collect(child)
    ]


# --- erasure -------------------------------------------------------------------------

REDACTED = "[redacted]"


def identifying_strings(child: Child, guardians=()) -> list[str]:
    """What must not survive an erasure: the child's names and UPN, and the names and
    contact details of guardians who have no other child. Longest first."""
    found = {
        child.first_name,
        child.last_name,
        child.preferred_name,
        f"{child.first_name} {child.last_name}",
        f"{child.last_name}, {child.first_name}",
        child.display_name,
        child.upn,
    }
    for g in guardians:
        found |= {g.first_name, g.last_name, f"{g.first_name} {g.last_name}", g.email}
        for phone in (g.phone, g.alternative_phone):
            found |= {phone, re.sub(r"\s+", "", phone or "")}
        found |= {g.phone_e164, g.alternative_phone_e164}  # the normalised keys too
        found |= {line.strip(" ,") for line in (g.address or "").splitlines()}
        found.add(g.address)
    return sorted({s.strip() for s in found if s and len(s.strip()) >= 2}, key=len, reverse=True)


def _pattern(strings: list[str]) -> re.Pattern:
    parts = []
    for s in strings:
        escaped = re.escape(s)
        # Names are whole words ("Ada" is not redacted inside "Adam").
        parts.append(rf"(?<!\w){escaped}(?!\w)" if s[0].isalnum() and s[-1].isalnum() else escaped)
    return re.compile("|".join(parts), re.IGNORECASE)


def redact(value, pattern: re.Pattern):
    """``value`` with every identifying string replaced (strings, lists, dicts)."""
    if isinstance(value, str):
        return pattern.sub(REDACTED, value)
    if isinstance(value, list):
        return [redact(v, pattern) for v in value]
    if isinstance(value, dict):
        return {redact(k, pattern): redact(v, pattern) for k, v in value.items()}
    return value


def _redact_mentions(child: Child, strings: list[str], pattern: re.Pattern) -> int:
    changed = 0
    for mention in registry.mentions:
        queryset = mention.model._default_manager.all()
        if callable(mention.scope):
            queryset = queryset.filter(mention.scope(child))
        elif mention.scope:
            queryset = queryset.filter(**{mention.scope: child.centre_id})
        condition = Q()
        for name in mention.fields:
            is_json = isinstance(mention.model._meta.get_field(name), models.JSONField)
            for s in strings:
                condition |= Q(**{f"{name}__icontains": s})
                if is_json:  # JSON text may hold "\u00e9" for "é"
                    condition |= Q(**{f"{name}__icontains": json.dumps(s)[1:-1]})
        for obj in queryset.filter(condition):
            for name in mention.fields:
                setattr(obj, name, redact(getattr(obj, name), pattern))
            obj.save(update_fields=list(mention.fields))
            changed += 1
    return changed


def _file_names_anyone(path: str, storage, pattern: re.Pattern) -> bool:
    try:
        with storage.open(path, "rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError):
        return False
    texts = [content]
    if content[:2] == b"PK":  # XLSX, DOCX, ZIP: search every member
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                texts = [archive.read(name) for name in archive.namelist()]
        except zipfile.BadZipFile:
            pass
    elif content[:4] == b"%PDF":  # compressed streams
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
            with contextlib.suppress(zlib.error):
                texts.append(zlib.decompress(stream))
    return any(pattern.search(t.decode("utf-8", "ignore")) for t in texts)


def _remove_files(child: Child, pattern: re.Pattern) -> int:
    removed = 0
    for files in registry.files:
        queryset = files.model._default_manager.filter(
            **{files.programme: child.centre.programme_id}
        ).exclude(**{files.field: ""})
        for obj in queryset:
            stored = getattr(obj, files.field)
            if _file_names_anyone(stored.name, stored.storage, pattern):
                stored.delete(save=False)
                setattr(obj, files.field, "")
                obj.save(update_fields=[files.field])
                removed += 1
    return removed


@transaction.atomic
def anonymise_child(child: Child, *, by, reason: str = "erasure request") -> Child:
    """Erase what identifies a child, keeping what counts need: the centre, school,
    year group, sex, birth year, enrolment periods, consent decisions, equity data,
    attendance marks and loans (without their notes).

    Names, UPN, exact date of birth, gender note, safety notes and links to
    guardians go; a guardian left with no other child is anonymised too. Every app's
    rows about the child are handled as it registered (``registry.erasures``); its
    names are then redacted from free text anywhere in the centre (``mentions``),
    and stored files that still name it are deleted (``files``).
    """
    child = Child.objects.select_related("centre__programme").get(pk=child.pk)
    guardians = list(Guardian.objects.filter(child_links__child=child))
    alone = [g for g in guardians if not g.child_links.exclude(child=child).exists()]
    strings = identifying_strings(child, alone)
    pattern = _pattern(strings)
    # In other records' free text, a bare name that a living child or guardian of the
    # centre also has stays (their notes must not be damaged); full names, UPN and
    # contact details always go.
    shared = _names_in_use(child, alone)
    mention_strings = [s for s in strings if s.lower() not in shared]
    for erasure in registry.erasures.values():
        rows = erasure.model._default_manager.filter(**{erasure.child: child.pk})
        if erasure.action == "delete":
            rows.delete()
        elif erasure.action == "clear":
            rows.update(**{name: "" for name in erasure.fields})
    child.first_name = ANONYMISED
    child.last_name = f"#{child.pk}"
    child.preferred_name = ""
    child.gender = ""
    child.upn = ""
    child.date_of_birth = datetime.date(child.date_of_birth.year, 1, 1)
    child.anonymised_at = timezone.now()
    child.save()
    child.consents.update(guardian=None, withdrawn_by_guardian=None, withdrawal_note="")
    ChildGuardian.objects.filter(child=child).delete()
    for guardian in alone:
        _anonymise_guardian(guardian)
    _redact_mentions(child, mention_strings, _pattern(mention_strings))
    _remove_files(child, pattern)
    ChildAccessLog.objects.create(
        child=child, user=by, action=ChildAccessLog.Action.ERASE, detail=reason[:200]
    )
    audit.record(
        actor=by,
        action="child anonymised",
        obj=child,
        programme=child.centre.programme,
        changes={"reason": reason},
    )
    return child


def _names_in_use(child: Child, leaving) -> set[str]:
    """Bare names of the child and its leaving guardians that someone else still has."""
    bare = {n for n in (child.first_name, child.last_name, child.preferred_name) if n}
    bare |= {n for g in leaving for n in (g.first_name, g.last_name) if n}
    if not bare:
        return set()
    fields = ("first_name", "last_name", "preferred_name")
    others = Child.objects.filter(centre=child.centre_id, anonymised_at=None).exclude(pk=child.pk)
    adults = Guardian.objects.filter(centre=child.centre_id, anonymised_at=None).exclude(
        pk__in=[g.pk for g in leaving]
    )
    found = set()
    for queryset, names in ((others, fields), (adults, fields[:2])):
        condition = Q()
        for name in names:
            for value in bare:
                condition |= Q(**{f"{name}__iexact": value})
        for row in queryset.filter(condition).values_list(*names):
            found |= {v.lower() for v in row if v}
    return found & {n.lower() for n in bare}


def _anonymise_guardian(guardian: Guardian) -> None:
    guardian.first_name = ANONYMISED
    guardian.last_name = f"#{guardian.pk}"
    guardian.email = guardian.phone = guardian.alternative_phone = guardian.address = ""
    guardian.anonymised_at = timezone.now()
    guardian.save()


# --- what the children app holds -----------------------------------------------------


def register_children() -> None:
    """The children app's own sections (called from ChildrenConfig.ready)."""
    from harmonia.children import models as m

    F = Field
    add = registry.section
    add(Section("child", _("The child"), m.Child, "pk", related=("school",), fields=(
        F("id", label=_("Record number")), F("first_name"), F("last_name"), F("preferred_name"),
        F("date_of_birth"), F("sex"), F("gender"), F("school", label=_("School")),
        F("year_group"), F("upn"), F("status"),
        F("waiting_since"), F("created", label=_("Record created")),
        F("updated", label=_("Last changed")),
    ), single=True))  # fmt: skip
    add(Section("enrolment", _("Enrolment history"), m.EnrolmentPeriod, "child", (
        F("status"), F("start", label=_("From")), F("end", label=_("Until")),
        F("leaving_reason"), F("note"),
    ), order_by=("start", "id")))  # fmt: skip
    add(Section("offers", _("Offers of a place"), m.WaitingListOffer, "child", (
        F("offered_on"), F("respond_by"), F("outcome"), F("decided_on"),
    )))  # fmt: skip
    add(Section("guardians", _("Guardians and contacts"), m.ChildGuardian, "child", (
        F("first_name", "guardian.first_name"), F("last_name", "guardian.last_name"),
        F("email", "guardian.email"), F("phone", "guardian.phone"),
        F("alternative_phone", "guardian.alternative_phone"),
        F("address", "guardian.address"),
        F("preferred_language", "guardian.preferred_language"),
        F("relationship"), F("parental_responsibility"), F("may_collect"),
        F("emergency_contact"), F("priority"),
    ), related=("guardian",)))  # fmt: skip
    add(Section("consents", _("Consents"), m.ConsentRecord, "child", (
        F("form", "form.title", _("Form")), F("kind", "form.kind", _("Kind")),
        F("version", "form.version", _("Version")), F("wording", "form.wording", _("Wording")),
        F("given_by", "guardian", _("Given by")), F("decision"), F("method"),
        F("decided_at"), F("withdrawn_at"), F("withdrawal_note"),
    ), related=("form", "guardian")))  # fmt: skip
    add(Section("equity", _("Equity and special-category data"), m.ChildSensitive, "child", (
        F("ethnicity"), F("ethnicity_extended"), F("sen_status"), F("eal"),
        F("first_language"), F("looked_after"), F("care_authority"),
    ), single=True))  # fmt: skip
    add(Section("free_school_meals", _("Free school meals"), m.FsmPeriod, "child", (
        F("start", label=_("From")), F("end", label=_("Until")), F("source"),
    )))  # fmt: skip
    add(Section("safety_notes", _("Safety notes"), m.ChildSafetyNotes, "child", (
        F("medical"), F("allergies"), F("dietary"),
    ), single=True))  # fmt: skip
    add(Section("access_log", _("Who looked at this record"), m.ChildAccessLog, "child", (
        F("at"), F("by", "user", _("Who")), F("action"), F("detail", label=_("Page")),
    ), related=("user",), order=90))  # fmt: skip

    erase = registry.erasure
    erase(Erasure(m.EnrolmentPeriod, "child", "clear", ("note",)))
    erase(Erasure(m.WaitingListOffer, "child", "keep"))
    # Guardian links go, and guardians with no other child are anonymised, in
    # anonymise_child itself; consent decisions stay, without who gave them.
    erase(Erasure(m.ChildGuardian, "child", "custom"))
    erase(Erasure(m.Guardian, "child_links__child", "custom"))
    erase(Erasure(m.ConsentRecord, "child", "custom"))
    erase(Erasure(m.ChildSensitive, "child", "keep", reason="equity counts"))
    erase(Erasure(m.FsmPeriod, "child", "keep", reason="equity counts"))
    erase(Erasure(m.ChildSafetyNotes, "child", "delete"))
    erase(Erasure(m.ChildAccessLog, "child", "keep", reason="accountability; names no one"))
    erase(Erasure(m.Child, "pk", "custom"))
    registry.exempt(
        m.Guardian,
        export=_("Exported in the child's guardians section, through the link to the child."),
    )
    registry.mention(Mentions(m.EnrolmentPeriod, ("note",), "child__centre"))
    registry.mention(Mentions(m.ConsentRecord, ("withdrawal_note",), "child__centre"))
    # Imported school files keep pupils' rows until retention empties them.
    registry.mention(Mentions(m.ImportLog, ("source", "rows", "problems", "filename"), "centre"))


# --- retention ----------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRule:
    record: str
    keep: str
    years: int


RETENTION = [
    RetentionRule(
        "child", _("Child records: anonymised 6 years after the child left the programme."), 6
    ),
    RetentionRule(
        "waiting",
        _("Waiting-list children who never started: anonymised 1 year after leaving the list."),
        1,
    ),
    RetentionRule("access_log", _("Access-log entries: deleted after 3 years."), 3),
    RetentionRule(
        "import", _("Import files: pupil rows deleted 90 days after the import (counts kept)."), 0
    ),
]
IMPORT_DAYS = 90


def _years_ago(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


@transaction.atomic
def apply_retention(*, today: datetime.date | None = None, dry_run=False, by=None) -> dict:
    """Apply every retention rule; return what was (or would be) done, by rule."""
    today = today or timezone.localdate()
    report: dict[str, int] = {}
    left = Child.objects.filter(status=Status.LEFT, anonymised_at__isnull=True)
    ever_active = EnrolmentPeriod.objects.filter(status__in=[Status.ACTIVE, Status.PAUSED]).values(
        "child_id"
    )
    left_before = {
        "child": EnrolmentPeriod.objects.filter(
            status=Status.LEFT, end__isnull=True, start__lt=_years_ago(today, 6)
        ).values("child_id"),
        "waiting": EnrolmentPeriod.objects.filter(
            status=Status.LEFT, end__isnull=True, start__lt=_years_ago(today, 1)
        ).values("child_id"),
    }
    due = {
        "child": left.filter(pk__in=left_before["child"]),
        "waiting": left.filter(pk__in=left_before["waiting"]).exclude(pk__in=ever_active),
    }
    for key in ("waiting", "child"):
        children = list(due[key].select_related("centre__programme"))
        report[key] = len(children)
        if not dry_run:
            for child in children:
                if child.anonymised_at is None:
                    anonymise_child(child, by=by, reason=f"retention: {key}")
    old_logs = ChildAccessLog.objects.filter(at__date__lt=_years_ago(today, 3))
    report["access_log"] = old_logs.count()
    old_imports = ImportLog.objects.filter(
        created__date__lt=today - datetime.timedelta(days=IMPORT_DAYS)
    ).exclude(rows=[], source="")
    report["import"] = old_imports.count()
    if not dry_run:
        old_logs.delete()
        old_imports.update(rows=[], source="", problems=[])
    return report
