"""Attendance a centre runs on: codes, bulk absences, register completion, a child's
calendar. Writes are named, validated, audited functions (one transaction each).

* ``save_code`` — add or change one of a programme's attendance codes.
* ``record_bulk_absence`` — one code and reason for a group (an ensemble, a section or
  chosen children) over a date range: a trip, an outbreak. **It never replaces a mark
  a person recorded** (a tutor's tap, an earlier bulk absence); it fills children with
  no mark and replaces marks filled only by the register's default (``by_default``),
  exactly as any person's mark does (issue 10's rule). Each replaced default is kept
  in the register's history. A register whose whole roster is then marked counts as
  taken (by the manager, at that time).
* ``completion`` — which registers each tutor was due to take, and whether each was
  taken on time, late or not at all.
* ``child_calendar`` — a child's marks day by day, month by month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonia import access, audit
from harmonia.access import Capability as C
from harmonia.ensembles import codes as code_book
from harmonia.ensembles.models import (
    AbsenceReason,
    AttendanceCode,
    Mark,
    MarkChange,
    Occurrence,
    Placement,
)
from harmonia.ensembles.signals import announce

MAX_BULK_DAYS = 92  # a term at most, so a slip of the date cannot mark a whole year
# A register saved no later than this after its session ended was taken on time.
ON_TIME_AFTER_END = dt.timedelta(minutes=30)


# Codes -------------------------------------------------------------------------


@transaction.atomic
def save_code(code: AttendanceCode, *, by) -> AttendanceCode:
    """Add or change one code (the form has validated it); audited with what changed."""
    created = code.pk is None
    before = {}
    if not created:
        old = AttendanceCode.objects.get(pk=code.pk)
        before = {f: getattr(old, f) for f in _CODE_FIELDS}
        if (
            old.code != code.code
            and Mark.objects.filter(
                status=old.code, occurrence__ensemble__programme_id=code.programme_id
            ).exists()
        ):
            raise ValidationError(
                {"code": _("Marks already use this code; retire it and add a new one instead.")}
            )
    code.full_clean()
    code.save()
    after = {f: getattr(code, f) for f in _CODE_FIELDS}
    counting = ("counts_as_attended", "counts_as_possible")
    if not created and any(before[f] != after[f] for f in counting):
        # Past figures change with the mapping: rebuild the dashboards' rollup.
        from harmonia.reports.tasks import rebuild_rollups

        transaction.on_commit(rebuild_rollups.enqueue)
    audit.record(
        actor=by,
        action="attendance code added" if created else "attendance code changed",
        obj=code,
        programme=code.programme,
        changes={k: v for k, v in after.items() if before.get(k) != v},
    )
    return code


_CODE_FIELDS = (
    "code", "label", "label_es", "abbreviation", "abbreviation_es", "counts_as_attended",
    "counts_as_possible", "requires_reason", "asks_minutes", "tap_order", "order", "active",
)  # fmt: skip


# Bulk absences -----------------------------------------------------------------


@dataclass
class BulkResult:
    occurrences: int = 0
    written: int = 0  # marks made (new, or replacing a default)
    kept: int = 0  # marks a person had recorded: left as they were
    completed: int = 0  # registers that became fully marked
    children: set = field(default_factory=set)


def record_bulk_absence(
    ensemble, *, by, first: dt.date, last: dt.date, code: str, reason: str = "",
    note: str = "", section=None, children=None, now=None,
) -> BulkResult:  # fmt: skip
    """Mark a group with one code over [first, last] (see the module's rules)."""
    now = now or timezone.now()
    if last < first:
        raise ValidationError(_("The last day cannot be before the first."))
    if (last - first).days + 1 > MAX_BULK_DAYS:
        raise ValidationError(
            _("A bulk absence covers at most %(days)s days.") % {"days": MAX_BULK_DAYS}
        )
    chosen = code_book.for_programme(ensemble.programme_id)
    found = next((c for c in chosen if c.code == code), None)
    if found is None:
        raise ValidationError(_("Choose one of this programme's attendance codes."))
    if found.requires_reason:
        reason = reason or AbsenceReason.OTHER
        if reason not in AbsenceReason.values:
            raise ValidationError(_("Choose a reason."))
    else:
        reason = ""
    note = (note or "").strip()[:255]
    allowed = access.ensemble_child_centres(by, ensemble.pk, [C.TAKE_REGISTER])[C.TAKE_REGISTER]
    occurrences = list(
        Occurrence.objects.filter(
            ensemble=ensemble, date__range=(first, last), status=Occurrence.Status.SCHEDULED
        ).order_by("starts_at")
    )
    placements = Placement.objects.filter(
        ensemble=ensemble,
        child__anonymised_at=None,
        child__centre_id__in=sorted(allowed),
        start__lte=last,
    ).filter(Q(end__isnull=True) | Q(end__gt=first))
    if section is not None:
        placements = placements.filter(section=section)
    if children is not None:
        placements = placements.filter(child__in=list(children))
    spans = list(placements.values_list("child_id", "start", "end"))
    # The whole roster of each occurrence (any centre), to know when one is complete.
    everyone = list(
        Placement.objects.filter(ensemble=ensemble, child__anonymised_at=None, start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gt=first))
        .values_list("child_id", "start", "end")
    )
    result = BulkResult(occurrences=len(occurrences))
    with transaction.atomic():
        existing = {
            (m.occurrence_id, m.child_id): m
            for m in Mark.objects.select_for_update().filter(occurrence__in=occurrences)
        }
        writes, changes, touched = [], [], []
        for occurrence in occurrences:
            wanted = {
                c
                for c, start, end in spans
                if start <= occurrence.date and (not end or end > occurrence.date)
            }
            wrote_here = False
            for child_id in sorted(wanted):
                old = existing.get((occurrence.pk, child_id))
                if old is not None and not old.by_default:
                    result.kept += 1
                    continue
                if old is not None:
                    changes.append(
                        MarkChange(
                            occurrence=occurrence, child_id=child_id,
                            kind=MarkChange.Kind.CORRECTED, old_status=old.status,
                            new_status=code, old_note=old.note, new_note=note, reason=reason,
                            changed_by=by, device_marked_at=now, changed_at=now,
                            submission_key="bulk",
                        )
                    )  # fmt: skip
                writes.append(
                    Mark(
                        occurrence=occurrence, child_id=child_id, status=code, reason=reason,
                        note=note, marked_by=by, marked_at=now, recorded_at=now,
                        client_key="bulk", by_default=False,
                    )
                )  # fmt: skip
                existing[(occurrence.pk, child_id)] = writes[-1]
                result.children.add(child_id)
                wrote_here = True
            if wrote_here:
                touched.append(occurrence)
        if writes:
            Mark.objects.bulk_create(
                writes,
                update_conflicts=True,
                unique_fields=["occurrence", "child"],
                update_fields=["status", "reason", "note", "late_minutes", "marked_by",
                               "marked_at", "recorded_at", "client_key", "by_default"],
            )  # fmt: skip
        if changes:
            MarkChange.objects.bulk_create(changes)
        for occurrence in touched:
            roster = {
                c for c, start, end in everyone
                if start <= occurrence.date and (not end or end > occurrence.date)
            }  # fmt: skip
            complete = all((occurrence.pk, c) in existing for c in roster)
            if complete and occurrence.register_taken_at is None:
                Occurrence.objects.filter(pk=occurrence.pk).update(
                    register_taken_at=now, register_taken_by=by
                )
                result.completed += 1
            announce(occurrence)
        result.written = len(writes)
        audit.record(
            actor=by,
            action="bulk absence recorded",
            obj=ensemble,
            programme=ensemble.programme,
            changes={
                "code": code,
                "reason": reason,
                "note": note,
                "from": first.isoformat(),
                "until": last.isoformat(),
                "section": section.name if section is not None else "",
                "children": len(result.children),
                "marks written": result.written,
                "marks kept": result.kept,
            },
        )
    return result


# Register completion ------------------------------------------------------------


ON_TIME, LATE, NOT_TAKEN, DUE = "on_time", "late", "not_taken", "to_come"


def completion(centres, first: dt.date, last: dt.date, *, now=None) -> list[dict]:
    """Per tutor: the registers they were due to take in [first, last] at ``centres``
    (as a session tutor or a date's cover tutor), each taken on time (saved no later
    than ``ON_TIME_AFTER_END`` after the session ended), late, not taken, or still due
    (the session has not ended yet). "Saved" is the first submission, so a later
    correction does not make a register late. Three queries, whatever the size."""
    now = now or timezone.now()
    from harmonia.accounts.models import User

    tutors = User.objects.only("id", "full_name", "email")
    occurrences = (
        Occurrence.objects.filter(
            Q(centre__in=centres) | Q(centre__isnull=True, ensemble__centre__in=centres),
            date__range=(first, last),
            status=Occurrence.Status.SCHEDULED,
        )
        .select_related("ensemble", "session")
        .annotate(first_saved=Min("submissions__received_at"))
        .prefetch_related(
            Prefetch("tutors", queryset=tutors), Prefetch("session__tutors", queryset=tutors)
        )
        .order_by("starts_at", "pk")
    )
    by_tutor: dict[int, dict] = {}
    for o in occurrences:
        saved = o.first_saved or o.register_taken_at
        if saved is not None:
            state = ON_TIME if saved <= o.ends_at + ON_TIME_AFTER_END else LATE
        elif o.ends_at + ON_TIME_AFTER_END > now:
            state = DUE
        else:
            state = NOT_TAKEN
        people = {t.pk: t for t in o.tutors.all()}
        if o.session_id:
            people.update({t.pk: t for t in o.session.tutors.all()})
        for tutor in people.values():
            row = by_tutor.setdefault(tutor.pk, _tutor_row(tutor))
            row["due"] += 1
            row[state] += 1
            row["registers"].append({"occurrence": o, "state": state, "saved": saved})
    rows = sorted(by_tutor.values(), key=lambda r: (-r[NOT_TAKEN], -r[LATE], str(r["tutor"])))
    for row in rows:
        done = row["due"] - row[DUE]
        row["on_time_rate"] = row[ON_TIME] / done if done else None
    return rows


def _tutor_row(tutor) -> dict:
    return {"tutor": tutor, "due": 0, ON_TIME: 0, LATE: 0, NOT_TAKEN: 0, DUE: 0, "registers": []}


# A child's calendar --------------------------------------------------------------


def child_calendar(child, first: dt.date, last: dt.date, *, today=None) -> dict:
    """A child's marks day by day in [first, last], as month grids (weeks from Monday),
    with the sessions they were expected at but not marked. Three queries."""
    # (marks, the codes of their programmes, the unmarked sessions)
    today = today or timezone.localdate()
    marks = list(
        Mark.objects.filter(child=child, occurrence__date__range=(first, last))
        .select_related("occurrence", "occurrence__ensemble")
        .order_by("occurrence__starts_at")
    )
    # Each mark means what its ensemble's programme says (an exchange ensemble may
    # belong to another programme than the child's centre).
    programmes = {m.occurrence.ensemble.programme_id for m in marks} | {child.centre.programme_id}
    codes = AttendanceCode.objects.filter(programme_id__in=programmes).order_by("order", "code")
    book_of = {(c.programme_id, c.code): c for c in codes}
    placed = Placement.objects.filter(
        child=child, ensemble=OuterRef("ensemble"), start__lte=OuterRef("date")
    ).filter(Q(end__isnull=True) | Q(end__gt=OuterRef("date")))
    unmarked = list(
        Occurrence.objects.filter(
            Exists(placed),
            date__range=(first, min(last, today)),
            status=Occurrence.Status.SCHEDULED,
        )
        .exclude(marks__child=child)
        .select_related("ensemble")
        .order_by("starts_at")
    )
    days: dict[dt.date, list[dict]] = {}
    attended = possible = 0
    for m in marks:
        code = book_of.get((m.occurrence.ensemble.programme_id, m.status))
        kind = "absent"
        if code is not None:
            kind = "attended" if code.counts_as_attended else (
                "absent" if code.counts_as_possible else "excused"
            )  # fmt: skip
            attended += code.counts_as_attended
            possible += code.counts_as_possible
        days.setdefault(m.occurrence.date, []).append(
            {
                "kind": kind,
                "short": code.display_abbreviation if code else m.status,
                "label": code.display_label if code else m.status,
                "ensemble": m.occurrence.ensemble.name,
                "time": m.occurrence.starts_at,
                "reason": m.get_reason_display() if m.reason else "",
                "minutes_late": m.late_minutes,
                "note": m.note,
            }
        )
    for o in unmarked:
        days.setdefault(o.date, []).append(
            {"kind": "unmarked", "short": "?", "label": _("Not marked"),
             "ensemble": o.ensemble.name, "time": o.starts_at, "reason": "",
             "minutes_late": None, "note": ""}
        )  # fmt: skip
    months = []
    cal = calendar.Calendar(firstweekday=0)
    month = dt.date(first.year, first.month, 1)
    while month <= last:
        weeks = []
        for week in cal.monthdatescalendar(month.year, month.month):
            weeks.append(
                [
                    {"date": d, "marks": days.get(d, [])} if d.month == month.month else None
                    for d in week
                ]
            )
        months.append({"month": month, "weeks": weeks})
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    used = {(m.occurrence.ensemble.programme_id, m.status) for m in marks}
    legend = {}
    for key, c in book_of.items():
        if key in used:
            legend.setdefault(c.display_abbreviation, c)
    return {
        "months": months,
        "attended": attended,
        "possible": possible,
        "rate": attended / possible if possible else None,
        "unmarked": len(unmarked),
        "legend": list(legend.values()),
    }
