"""Data-protection duties (UK GDPR; ICO Children's Code): subject access export,
erasure by anonymisation that keeps aggregate statistics, and retention rules."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harmonia import audit
from harmonia.children.models import (
    Child,
    ChildAccessLog,
    ChildGuardian,
    ChildSafetyNotes,
    EnrolmentPeriod,
    Guardian,
    ImportLog,
    Status,
)

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
    ChildAccessLog.objects.bulk_create(
        [ChildAccessLog(child_id=pk, user=user, action=action, detail=detail) for pk in ids]
    )


def _value(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def _fields(obj, names) -> dict:
    return {name: _value(getattr(obj, name)) for name in names}


def subject_access_data(child: Child) -> dict:
    """Everything held on one child, machine-readable (a fixed number of queries)."""
    child = Child.objects.select_related("centre__programme", "school").get(pk=child.pk)
    data = {
        "generated_at": timezone.now().isoformat(),
        "controller": str(child.centre.programme),
        "centre": str(child.centre),
        "child": _fields(
            child,
            [
                "id",
                "first_name",
                "last_name",
                "preferred_name",
                "date_of_birth",
                "sex",
                "gender",
                "year_group",
                "upn",
                "status",
                "waiting_since",
                "created",
                "updated",
            ],
        ),  # fmt: skip
        "school": str(child.school) if child.school else None,
        "enrolment": [
            _fields(p, ["status", "start", "end", "leaving_reason", "note"])
            for p in child.periods.all()
        ],
        "offers": [
            _fields(o, ["offered_on", "respond_by", "outcome", "decided_on"])
            for o in child.offers.all()
        ],
        "guardians": [
            {
                **_fields(
                    link.guardian,
                    [
                        "first_name",
                        "last_name",
                        "email",
                        "phone",
                        "alternative_phone",
                        "address",
                        "preferred_language",
                    ],
                ),
                **_fields(
                    link,
                    [
                        "relationship",
                        "parental_responsibility",
                        "may_collect",
                        "emergency_contact",
                        "priority",
                    ],
                ),
            }  # fmt: skip
            for link in child.guardian_links.select_related("guardian")
        ],
        "consents": [
            {
                "form": r.form.title,
                "kind": r.form.kind,
                "version": r.form.version,
                "wording": r.form.wording,
                "given_by": str(r.guardian) if r.guardian else None,
                **_fields(
                    r, ["decision", "method", "decided_at", "withdrawn_at", "withdrawal_note"]
                ),
            }  # fmt: skip
            for r in child.consents.select_related("form", "guardian")
        ],
        "equity": None,
        "free_school_meals": [
            _fields(f, ["start", "end", "source"]) for f in child.fsm_periods.all()
        ],
        "safety_notes": None,
        "access_log": [
            {"at": _value(e.at), "by": str(e.user) if e.user else None, "action": e.action}
            for e in child.access_log.select_related("user")
        ],
    }
    sensitive = getattr(child, "sensitive", None) if hasattr(child, "sensitive") else None
    if sensitive is not None:
        data["equity"] = _fields(
            sensitive,
            ["ethnicity", "sen_status", "eal", "first_language", "looked_after", "care_authority"],
        )
    safety = ChildSafetyNotes.objects.filter(child=child).first()
    if safety is not None:
        data["safety_notes"] = _fields(safety, ["medical", "allergies", "dietary"])
    return data


@transaction.atomic
def anonymise_child(child: Child, *, by, reason: str = "erasure request") -> Child:
    """Erase what identifies a child, keeping what counts need: the centre, school,
    year group, sex, birth year, enrolment periods, consent decisions, equity data.

    Names, UPN, exact date of birth, gender note, safety notes and links to
    guardians go; a guardian left with no other child is anonymised too.
    """
    guardians = list(Guardian.objects.filter(child_links__child=child))
    child.first_name = ANONYMISED
    child.last_name = f"#{child.pk}"
    child.preferred_name = ""
    child.gender = ""
    child.upn = ""
    child.date_of_birth = datetime.date(child.date_of_birth.year, 1, 1)
    child.anonymised_at = timezone.now()
    child.save()
    ChildSafetyNotes.objects.filter(child=child).delete()
    child.consents.update(guardian=None, withdrawn_by_guardian=None)
    child.periods.update(note="")
    ChildGuardian.objects.filter(child=child).delete()
    for guardian in guardians:
        if not guardian.child_links.exists():
            _anonymise_guardian(guardian)
    audit.record(
        actor=by,
        action="child anonymised",
        obj=child,
        programme=child.centre.programme,
        changes={"reason": reason},
    )
    return child


def _anonymise_guardian(guardian: Guardian) -> None:
    guardian.first_name = ANONYMISED
    guardian.last_name = f"#{guardian.pk}"
    guardian.email = guardian.phone = guardian.alternative_phone = guardian.address = ""
    guardian.anonymised_at = timezone.now()
    guardian.save()


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
