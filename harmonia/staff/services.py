"""Named writes and queries for staff and safeguarding. Each write validates,
saves and audits in one transaction; views call these and nothing else.

The hook other features call is :func:`is_cleared_to_lead`: the register and
timetable refuse to list as session tutor anyone it returns ``False`` for.
"""

import datetime as dt
import io
from collections import defaultdict

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from harmonia import access, audit
from harmonia.spreadsheet_cells import append, csv_writer, workbook
from harmonia.staff.models import (
    DBS_RENEW_AFTER,
    UPDATE_SERVICE_RECHECK,
    WARN_DAYS,
    CheckKind,
    ConcernAccess,
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


def log_concern_access(*, user, centre, action, concern=None) -> ConcernAccess:
    return ConcernAccess.objects.create(user=user, centre=centre, concern=concern, action=action)


@transaction.atomic
def record_concern(form, *, centre, by):
    creating = form.instance.pk is None
    concern = form.save(commit=False)
    concern.centre = centre
    if creating:
        concern.recorded_by = by
    concern.save()
    log_concern_access(
        user=by,
        centre=centre,
        concern=concern,
        action=ConcernAccess.Action.RECORDED if creating else ConcernAccess.Action.UPDATED,
    )
    # The audit trail names the event, never the content of a concern.
    audit.record(
        actor=by,
        action="concern recorded" if creating else "concern updated",
        obj=concern,
        programme=centre.programme,
    )
    return concern


# The single central record -------------------------------------------------------

CENTRAL_RECORD_COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("centre", gettext_lazy("Centre")),
    ("staff_type", gettext_lazy("Staff type")),
    ("role", gettext_lazy("Role")),
    ("started", gettext_lazy("Start date")),
    ("identity", gettext_lazy("Identity checked")),
    ("right_to_work", gettext_lazy("Right to work checked")),
    ("dbs_level", gettext_lazy("DBS level")),
    ("dbs_certificate", gettext_lazy("DBS certificate number")),
    ("dbs_issued", gettext_lazy("DBS issue date")),
    ("update_service", gettext_lazy("Update service")),
    ("update_service_checked", gettext_lazy("Update service last checked")),
    ("training", gettext_lazy("Safeguarding training")),
    ("training_expires", gettext_lazy("Training expires")),
    ("references", gettext_lazy("References received")),
    ("status", gettext_lazy("Status")),
]


def central_record_rows(staff_queryset, on: dt.date | None = None) -> list[dict]:
    """One row per person: the latest check of each kind. Two queries (people
    with their status; their checks)."""
    on = on or dt.date.today()
    people = list(
        staff_queryset.with_safeguarding(on)
        .select_related("centre")
        .order_by("centre__name", "full_name")
    )
    latest: dict[tuple[int, str], SafeguardingCheck] = {}
    references = defaultdict(list)
    checks = SafeguardingCheck.objects.filter(staff__in=[p.pk for p in people]).order_by(
        "completed", "pk"
    )
    for check in checks:
        if check.kind == CheckKind.REFERENCE:
            references[check.staff_id].append(check.completed)
        latest[(check.staff_id, check.kind)] = check  # ordered: the last one wins
    labels = dict(Status.choices)
    rows = []
    for p in people:
        dbs = latest.get((p.pk, CheckKind.DBS))
        training = latest.get((p.pk, CheckKind.TRAINING))
        identity = latest.get((p.pk, CheckKind.IDENTITY))
        rtw = latest.get((p.pk, CheckKind.RIGHT_TO_WORK))
        rows.append(
            {
                "person": p,
                "name": p.full_name,
                "centre": p.centre.name if p.centre else _("Whole programme"),
                "staff_type": p.get_staff_type_display(),
                "role": p.role_title,
                "started": p.started,
                "identity": identity.completed if identity else None,
                "right_to_work": rtw.completed if rtw else None,
                "dbs_level": dbs.get_dbs_level_display() if dbs else "",
                "dbs_certificate": dbs.certificate_number if dbs else "",
                "dbs_issued": dbs.completed if dbs else None,
                "update_service": (_("Yes") if dbs.update_service else _("No")) if dbs else "",
                "update_service_checked": dbs.update_service_checked if dbs else None,
                "training": training.completed if training else None,
                "training_expires": training.expires if training else None,
                "references": ", ".join(d.isoformat() for d in references[p.pk]),
                "status": labels[p.safeguarding_status],
                "status_code": p.safeguarding_status,
            }
        )
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
