"""Named writes and queries for staff and safeguarding. Each write validates,
saves and audits in one transaction; views call these and nothing else.

The hook other features call is :func:`is_cleared_to_lead`: the register and
timetable refuse to list as session tutor anyone it returns ``False`` for.
"""

import datetime as dt
import hashlib
import io
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from harmonia import access, audit
from harmonia.programmes.models import Centre
from harmonia.spreadsheet_cells import append, csv_writer, workbook
from harmonia.staff.models import (
    DBS_RENEW_AFTER,
    UPDATE_SERVICE_RECHECK,
    WARN_DAYS,
    AppendOnlyError,
    CheckKind,
    Concern,
    ConcernAccess,
    ConcernAttachment,
    ConcernEntry,
    ConcernState,
    DbsLevel,
    SafeguardingCheck,
    StaffMember,
    Status,
)

TRAINING_RENEW_AFTER = dt.timedelta(days=3 * 365)


def _changes(form) -> dict:
    return {
        name: (None if form.cleaned_data.get(name) is None else str(form.cleaned_data[name]))
        for name in form.changed_data
    }


@transaction.atomic
def save_staff(form, *, by) -> StaffMember:
    creating = form.instance.pk is None
    staff = form.save()
    audit.record(
        actor=by,
        action="created" if creating else "updated",
        obj=staff,
        programme=staff.programme,
        changes=_changes(form),
    )
    return staff


def check_expiry(check: SafeguardingCheck) -> dt.date | None:
    """When a check stops counting. DBS: a year after the last update-service
    check when subscribed, otherwise three years after issue (programme policy).
    Training: the date given, or three years after the course."""
    if check.kind == CheckKind.DBS:
        if check.update_service and check.update_service_checked:
            return check.update_service_checked + UPDATE_SERVICE_RECHECK
        return check.completed + DBS_RENEW_AFTER
    if check.kind == CheckKind.TRAINING:
        return check.expires or check.completed + TRAINING_RENEW_AFTER
    if check.kind == CheckKind.RIGHT_TO_WORK:
        return check.expires  # time-limited permission only
    return None


@transaction.atomic
def record_check(form, *, by) -> SafeguardingCheck:
    creating = form.instance.pk is None
    check = form.save(commit=False)
    check.expires = check_expiry(check)
    if creating:
        check.verified_by = by
    check.save()
    audit.record(
        actor=by,
        action="check recorded" if creating else "check updated",
        obj=check,
        programme=check.staff.programme,
        changes=_changes(form),
    )
    return check


@transaction.atomic
def remove_check(check: SafeguardingCheck, *, by) -> None:
    audit.record(actor=by, action="check removed", obj=check, programme=check.staff.programme)
    check.delete()


def is_cleared_to_lead(staff_or_user, on: dt.date | None = None) -> bool:
    """Whether a person may be put in charge of a session on ``on`` (default today).

    Takes a :class:`StaffMember` or a user; a user is cleared when any of their
    current staff records is. Cleared means every check their staff type requires
    is present and unexpired on that date ("expiring soon" still counts as
    cleared). One query."""
    on = on or dt.date.today()
    if isinstance(staff_or_user, StaffMember):
        records = StaffMember.objects.filter(pk=staff_or_user.pk)
    else:
        if staff_or_user is None or not getattr(staff_or_user, "pk", None):
            return False
        records = StaffMember.objects.filter(user=staff_or_user)
    records = records.exclude(left__lt=on).exclude(started__gt=on)
    return (
        records.with_safeguarding(on)
        .filter(safeguarding_status__in=[Status.CLEAR, Status.EXPIRING])
        .exists()
    )


def alerts_by_centre(on: dt.date | None = None, days: int = WARN_DAYS) -> dict:
    """Centre → people whose checks are missing, lapsed or expiring within ``days``."""
    on = on or dt.date.today()
    people = (
        StaffMember.objects.needing_attention(on, days)
        .exclude(left__lt=on)
        .select_related("centre", "programme")
        .order_by("centre__name", "next_expiry", "full_name")
    )
    found = defaultdict(list)
    for person in people:
        found[person.centre].append(person)
    return dict(found)


def send_safeguarding_alerts(on: dt.date | None = None, days: int = WARN_DAYS) -> list[dict]:
    """Email each centre's managers (copying its safeguarding leads) the people whose
    checks are missing, lapsed, or expire within ``days``. Programme-wide staff go
    to the programme leads. Returns what was sent, for the command to print."""
    on = on or dt.date.today()
    sent = []
    by_centre = alerts_by_centre(on, days)
    recipients = defaultdict(set)
    # Whoever manages the centre's staff records (its managers and safeguarding leads).
    for m in access.memberships_with(
        access.Capability.MANAGE_STAFF, centres=[c for c in by_centre if c is not None]
    ).select_related("user"):
        recipients[m.centre_id].add(m.user.email)
    programme_ids = {p.programme_id for p in by_centre.get(None, [])}
    leads = defaultdict(set)
    for m in access.memberships_with(
        access.Capability.MANAGE_STAFF, programmes=programme_ids
    ).select_related("user"):
        leads[m.programme_id].add(m.user.email)
    labels = dict(Status.choices)
    for centre, people in by_centre.items():
        to = (
            sorted(recipients[centre.pk])
            if centre
            else sorted(set().union(*(leads[p.programme_id] for p in people)))
        )
        where = centre.name if centre else _("the programme")
        lines = [
            _("Safeguarding checks needing attention at %(where)s on %(on)s:")
            % {"where": where, "on": on.isoformat()},
            "",
        ]
        for p in people:
            issues = "; ".join(
                f"{i['kind']} {labels[i['status']].lower()}"
                + (f" ({i['date'].isoformat()})" if i["date"] else "")
                for i in p.problems(on, days)
            )
            lines.append(f"- {p.full_name}: {issues}")
        if to:
            send_mail(
                _("Safeguarding checks needing attention: %(where)s") % {"where": where},
                "\n".join(lines),
                None,
                to,
            )
        sent.append({"centre": where, "to": to, "people": people})
    return sent


# Safeguarding concerns -----------------------------------------------------------
#
# Anyone who works at a centre records a concern (``record_concern``); its designated
# safeguarding leads are told at once (an email that says where and when, never what)
# and see it on their home page (``open_concerns_for``). The concern and each later
# step (``add_concern_entry``) are written once: the models refuse to be changed or
# deleted. Every opening, and every refused attempt, is a ``ConcernAccess`` row.

logger = logging.getLogger(__name__)

# The number to call when a child is in immediate danger, by the programme's country
# (ISO 3166); 112 works from any mobile phone in most of the world.
EMERGENCY_NUMBERS = {"GB": "999", "VE": "911", "US": "911", "IE": "112"}


def emergency_number(centre) -> str:
    return EMERGENCY_NUMBERS.get((centre.programme.country or "").upper(), "112")


def log_concern_access(*, user, centre, action, concern=None, path="") -> ConcernAccess:
    return ConcernAccess.objects.create(
        user=user, centre=centre, concern=concern, action=action, path=path[:200]
    )


def log_own_concerns_seen(user, concerns, *, path="") -> None:
    """ "Concerns you raised" shows each: one row per concern, in one insert."""
    ConcernAccess.objects.bulk_create(
        ConcernAccess(
            user=user,
            centre_id=c.centre_id,
            concern=c,
            action=ConcernAccess.Action.OPENED_OWN,
            path=path[:200],
        )
        for c in concerns
    )


def log_refused_concern_access(
    request, *, action, concern_pk=None, centre_pk=None, attachment_pk=None
) -> None:
    """Write a refused attempt to open the log, a concern or a file (a GET the policy
    answered 403 or 404). Only for something that exists, by someone signed in; a
    refused POST changes nothing at all (tests/test_url_matrix.py)."""
    user = request.user
    if request.method not in ("GET", "HEAD") or not user.is_authenticated:
        return
    if attachment_pk is not None:
        found = ConcernAttachment.objects.filter(pk=attachment_pk).values_list("concern_id")
        concern_pk = next((row[0] for row in found), None)
        if concern_pk is None:
            return
    if concern_pk is not None:
        centre_pk = Concern.objects.filter(pk=concern_pk).values_list("centre_id", flat=True)
        centre_pk = next(iter(centre_pk), None)
        if centre_pk is None:
            return
    elif centre_pk is None or not Centre.objects.filter(pk=centre_pk).exists():
        return
    ConcernAccess.objects.create(
        user=user,
        centre_id=centre_pk,
        concern_id=concern_pk,
        action=action,
        refused=True,
        path=request.path[:200],
    )


def _store_attachments(concern, files, *, by, entry=None) -> list[ConcernAttachment]:
    stored = []
    for upload in files or []:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        attachment = ConcernAttachment(
            concern=concern,
            entry=entry,
            name=upload.name[:200],
            content_type=getattr(upload, "harmonia_content_type", "application/octet-stream"),
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=by,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


@transaction.atomic
def record_concern(form, *, centre, by, attachments=(), base_url: str = "") -> Concern:
    """Record a new concern at ``centre`` (anyone holding ``raise_concern`` there) and
    tell the centre's safeguarding leads at once."""
    if not form.instance._state.adding:
        raise AppendOnlyError("a concern is recorded once; add an entry to it instead")
    concern = form.save(commit=False)
    concern.centre = centre
    concern.recorded_by = by
    concern.save()
    _store_attachments(concern, attachments, by=by)
    log_concern_access(
        user=by, centre=centre, concern=concern, action=ConcernAccess.Action.RECORDED
    )
    # The audit trail names the event, never the content of a concern nor its child.
    audit.record(actor=by, action="concern recorded", obj=concern, programme=centre.programme)
    notify_safeguarding_leads(concern, base_url=base_url)
    return concern


def notify_safeguarding_leads(concern: Concern, *, base_url: str = "") -> list[str]:
    """Email the centre's safeguarding leads that a concern was recorded: where, when
    and by whom, and the address to read it — never what it says (email is neither
    private nor restricted). With no lead at the centre, its managers are told to
    appoint one (still without the content). Returns who was told."""
    centre = concern.centre
    leads = access.people_to_tell_of_concern(centre)
    words = {
        "centre": centre.name,
        "by": concern.recorded_by.full_name or concern.recorded_by.email,
        "when": timezone.localtime(concern.recorded_at).strftime("%Y-%m-%d %H:%M"),
        "url": base_url.rstrip("/") + reverse("staff:concern_detail", args=[concern.pk]),
    }
    if leads:
        to = leads
        subject = _("New safeguarding concern at %(centre)s") % words
        body = (
            _(
                "%(by)s recorded a safeguarding concern at %(centre)s on %(when)s.\n\n"
                "Read it in Harmonia (you will be asked to sign in): %(url)s\n\n"
                "This email does not say what the concern is, on purpose."
            )
            % words
        )
    else:
        to = access.people_to_tell_of_role(centre)
        subject = _("A safeguarding concern at %(centre)s has no one to read it") % words
        body = (
            _(
                "%(by)s recorded a safeguarding concern at %(centre)s on %(when)s, but the centre "
                "has no designated safeguarding lead in Harmonia, so nobody can read it.\n\n"
                "Ask your programme lead to give the safeguarding lead role to your designated "
                "safeguarding lead today."
            )
            % words
        )
    if to:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
        except Exception:  # the concern is kept whatever the mail server says
            logger.exception("could not email the safeguarding leads of centre %s", centre.pk)
    return to


@transaction.atomic
def add_concern_entry(form, *, concern, by, attachments=()) -> ConcernEntry:
    """Append one dated step to a concern's chronology (a safeguarding lead's action,
    referral or outcome, or what the person who raised it adds later)."""
    entry = form.save(commit=False)
    if not entry._state.adding:
        raise AppendOnlyError("chronology entries are added, never changed")
    entry.concern = concern
    entry.written_by = by
    entry.save()
    _store_attachments(concern, attachments, by=by, entry=entry)
    log_concern_access(
        user=by, centre=concern.centre, concern=concern, action=ConcernAccess.Action.UPDATED
    )
    changes = {"state": entry.state} if entry.state else {}
    if entry.referral_to:
        changes["referral_to"] = entry.referral_to
    audit.record(
        actor=by,
        action="concern entry added",
        obj=concern,
        programme=concern.centre.programme,
        changes=changes,
    )
    return entry


def with_current_state(queryset):
    """Annotate each concern with ``current_state``: the state the latest entry that
    set one left it in, else the state it was recorded with (one sub-query)."""
    latest = (
        ConcernEntry.objects.filter(concern=OuterRef("pk"))
        .exclude(state="")
        .order_by("-written_at", "-id")
        .values("state")[:1]
    )
    read = ConcernAccess.objects.filter(
        concern=OuterRef("pk"), action=ConcernAccess.Action.OPENED_CONCERN, refused=False
    ).exclude(user=OuterRef("recorded_by"))
    return queryset.annotate(
        current_state=Coalesce(Subquery(latest), F("state")),
        read_by_lead=Exists(read),
    )


def open_concerns_for(user) -> list[dict]:
    """For the home page (a safeguarding lead's alerts): per centre whose log the user
    reads, the concerns needing action — not closed — and how many no safeguarding
    lead has opened yet (``new``). One query; an empty list for everyone else.

    ``[{"centre": Centre, "open": int, "new": int, "url": str}]``"""
    centres = access.centres_where(user, access.Capability.VIEW_CONCERNS)
    if not centres:
        return []
    rows = (
        with_current_state(Concern.objects.visible_to(user).filter(centre__in=centres))
        .exclude(current_state=ConcernState.CLOSED)
        .values("centre")
        .annotate(open=Count("pk"), new=Count("pk", filter=Q(read_by_lead=False)))
        .order_by()
    )
    counts = {r["centre"]: r for r in rows}
    found = []
    for centre in centres:
        r = counts.get(centre.pk)
        if r and r["open"]:
            found.append(
                {
                    "centre": centre,
                    "open": r["open"],
                    "new": r["new"],
                    "url": reverse("staff:concern_log", args=[centre.pk]),
                }
            )
    return found


# The single central record -------------------------------------------------------

# The columns KCSIE (part 3, "Single central record") asks for: each check that was
# made, the date it was made (or the certificate's), and who made it. Checks needed
# only where relevant read "Not required" for someone they do not apply to.
CHECKED = [
    # (key, check kind, label of the date column, label of the "by" column)
    ("identity", CheckKind.IDENTITY, gettext_lazy("Identity checked"),
     gettext_lazy("Identity checked by")),
    ("right_to_work", CheckKind.RIGHT_TO_WORK, gettext_lazy("Right to work checked"),
     gettext_lazy("Right to work checked by")),
    ("qualifications", CheckKind.QUALIFICATION, gettext_lazy("Qualifications checked"),
     gettext_lazy("Qualifications checked by")),
    ("dbs_issued", CheckKind.DBS, gettext_lazy("DBS issue date"),
     gettext_lazy("DBS checked by")),
    ("barred_list", CheckKind.BARRED_LIST, gettext_lazy("Barred list checked"),
     gettext_lazy("Barred list checked by")),
    ("prohibition", CheckKind.PROHIBITION, gettext_lazy("Prohibition from teaching checked"),
     gettext_lazy("Prohibition checked by")),
    ("overseas", CheckKind.OVERSEAS, gettext_lazy("Overseas checks"),
     gettext_lazy("Overseas checked by")),
    ("training", CheckKind.TRAINING, gettext_lazy("Safeguarding training"),
     gettext_lazy("Training recorded by")),
]  # fmt: skip

CENTRAL_RECORD_COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("centre", gettext_lazy("Centre")),
    ("staff_type", gettext_lazy("Staff type")),
    ("role", gettext_lazy("Role")),
    ("started", gettext_lazy("Start date")),
    ("identity", gettext_lazy("Identity checked")),
    ("identity_by", gettext_lazy("Identity checked by")),
    ("right_to_work", gettext_lazy("Right to work checked")),
    ("right_to_work_by", gettext_lazy("Right to work checked by")),
    ("qualifications_required", gettext_lazy("Qualifications required")),
    ("qualifications", gettext_lazy("Qualifications checked")),
    ("qualifications_by", gettext_lazy("Qualifications checked by")),
    ("dbs_level", gettext_lazy("DBS level")),
    ("dbs_certificate", gettext_lazy("DBS certificate number")),
    ("dbs_issued", gettext_lazy("DBS issue date")),
    ("dbs_issued_by", gettext_lazy("DBS checked by")),
    ("update_service", gettext_lazy("Update service")),
    ("update_service_checked", gettext_lazy("Update service last checked")),
    ("barred_list", gettext_lazy("Barred list checked")),
    ("barred_list_by", gettext_lazy("Barred list checked by")),
    ("prohibition", gettext_lazy("Prohibition from teaching checked")),
    ("prohibition_by", gettext_lazy("Prohibition checked by")),
    ("overseas", gettext_lazy("Overseas checks")),
    ("overseas_by", gettext_lazy("Overseas checked by")),
    ("training", gettext_lazy("Safeguarding training")),
    ("training_expires", gettext_lazy("Training expires")),
    ("references", gettext_lazy("References received")),
    ("status", gettext_lazy("Status")),
]

# What the page shows, one cell per check with its "by" underneath (the export keeps
# them apart): (key, label, key of the "by" value or None).
CENTRAL_RECORD_PAGE = [
    ("staff_type", gettext_lazy("Staff type"), None),
    ("started", gettext_lazy("Start date"), None),
    ("identity", gettext_lazy("Identity"), "identity_by"),
    ("right_to_work", gettext_lazy("Right to work"), "right_to_work_by"),
    ("qualifications", gettext_lazy("Qualifications"), "qualifications_by"),
    ("dbs_issued", gettext_lazy("Enhanced DBS"), "dbs_issued_by"),
    ("barred_list", gettext_lazy("Barred list"), "barred_list_by"),
    ("prohibition", gettext_lazy("Prohibition from teaching"), "prohibition_by"),
    ("overseas", gettext_lazy("Overseas checks"), "overseas_by"),
    ("training", gettext_lazy("Safeguarding training"), None),
    ("references", gettext_lazy("References"), None),
]


def central_record_rows(staff_queryset, on: dt.date | None = None) -> list[dict]:
    """One row per person: the latest check of each kind, when it was made and who
    recorded it. Two queries (people with their status; their checks and who made
    them)."""
    on = on or dt.date.today()
    people = list(
        staff_queryset.with_safeguarding(on)
        .select_related("centre")
        .order_by("centre__name", "full_name")
    )
    latest: dict[tuple[int, str], SafeguardingCheck] = {}
    references = defaultdict(list)
    checks = (
        SafeguardingCheck.objects.filter(staff__in=[p.pk for p in people])
        .select_related("verified_by")
        .order_by("completed", "pk")
    )
    for check in checks:
        if check.kind == CheckKind.REFERENCE:
            references[check.staff_id].append(check.completed)
        latest[(check.staff_id, check.kind)] = check  # ordered: the last one wins
    labels = dict(Status.choices)
    not_required = _("Not required")
    rows = []
    for p in people:
        needs = p.requirements
        dbs = latest.get((p.pk, CheckKind.DBS))
        training = latest.get((p.pk, CheckKind.TRAINING))
        row = {
            "person": p,
            "name": p.full_name,
            "centre": p.centre.name if p.centre else _("Whole programme"),
            "staff_type": p.get_staff_type_display(),
            "role": p.role_title,
            "started": p.started,
            "qualifications_required": p.qualifications_required,
            "dbs_level": dbs.get_dbs_level_display() if dbs else "",
            "dbs_certificate": dbs.certificate_number if dbs else "",
            "update_service": (_("Yes") if dbs.update_service else _("No")) if dbs else "",
            "update_service_checked": dbs.update_service_checked if dbs else None,
            "training_expires": training.expires if training else None,
            "references": ", ".join(d.isoformat() for d in references[p.pk]),
            "status": labels[p.safeguarding_status],
            "status_code": p.safeguarding_status,
            "missing": set(),
        }
        for key, kind, _label, _by in CHECKED:
            check = latest.get((p.pk, kind))
            # An enhanced certificate with barred list information is that check.
            barred_on_dbs = dbs is not None and dbs.dbs_level == DbsLevel.ENHANCED_BARRED
            if kind == CheckKind.BARRED_LIST and check is None and barred_on_dbs:
                check = dbs
            required = kind in needs or (
                kind == CheckKind.BARRED_LIST
                and needs.get(CheckKind.DBS) == DbsLevel.ENHANCED_BARRED
            )
            if check is not None:
                row[key] = check.completed
                who = check.verified_by
                row[f"{key}_by"] = (who.full_name or who.email) if who else ""
            else:
                row[key] = None if required else not_required
                row[f"{key}_by"] = ""
                if required:
                    row["missing"].add(key)
        if needs.get(CheckKind.REFERENCE) and len(references[p.pk]) < needs[CheckKind.REFERENCE]:
            row["missing"].add("references")
        row["cells"] = [
            {
                "key": key,
                "label": label,
                "value": row[key].isoformat() if isinstance(row[key], dt.date) else row[key],
                "by": row[by] if by else "",
                "missing": key in row["missing"],
            }
            for key, label, by in CENTRAL_RECORD_PAGE
        ]
        rows.append(row)
    return rows


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.date | int | float):
        return value
    return str(value)  # lazy translations and anything else


def central_record_csv(rows) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([str(label) for _key, label in CENTRAL_RECORD_COLUMNS])
    for row in rows:
        writer.writerow(
            [
                v.isoformat() if isinstance(v, dt.date) else _cell(v)
                for v in (row[key] for key, _label in CENTRAL_RECORD_COLUMNS)
            ]
        )
    return out.getvalue()


def central_record_xlsx(rows, title: str) -> bytes:
    from openpyxl.styles import Font

    wb = workbook()
    ws = wb.active
    ws.title = _("Single central record")[:31]
    append(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    append(ws, [str(label) for _key, label in CENTRAL_RECORD_COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        append(ws, [_cell(row[key]) for key, _label in CENTRAL_RECORD_COLUMNS])
    for i, row in enumerate(ws.iter_rows(min_row=3), start=3):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
        del i
    for column in ws.columns:
        ws.column_dimensions[column[1].column_letter].width = 18
    ws.freeze_panes = "B3"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
