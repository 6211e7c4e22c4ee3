"""Public holidays: the writes (validate, write, audit in one transaction).

Kept apart from the other timetable writes (``ensembles.services``) so the two can
be merged without touching each other; the integrator may move them there.

* :func:`add_holiday` — one holiday of a programme (or of one of its centres); dates
  already generated inside it are cancelled, "Holiday: <name>".
* :func:`add_country_holidays` — a programme's country's public holidays for some
  calendar years (``school_calendars.public_holidays``), idempotent.
* :func:`cancel_for_holidays` — the cancellations themselves: only scheduled dates
  whose register was not taken (a register someone took is never hidden), each with
  a new SEQUENCE, so calendar apps drop them.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from harmonia import audit
from harmonia.ensembles import school_calendars
from harmonia.ensembles.models import Holiday, Occurrence
from harmonia.ensembles.signals import announce


def _note(name: str) -> str:
    return gettext("Holiday: %(name)s") % {"name": name}


def cancel_for_holidays(holidays) -> int:
    """Cancel the generated, untaken, scheduled dates that fall in ``holidays``."""
    cancelled = 0
    for holiday in holidays:
        at = Q(ensemble__programme_id=holiday.programme_id)
        if holiday.centre_id:
            at &= Q(ensemble__centre_id=holiday.centre_id)
        rows = list(
            Occurrence.objects.unscoped("a holiday closes every centre it applies to")
            .filter(
                at,
                session__isnull=False,
                date__range=(holiday.start, holiday.end),
                status=Occurrence.Status.SCHEDULED,
                register_taken_at__isnull=True,
            )
            .exclude(marks__isnull=False)
        )
        for occurrence in rows:
            occurrence.status = Occurrence.Status.CANCELLED
            occurrence.note = _note(holiday.name)[:255]
            occurrence.sequence += 1
            occurrence.save(update_fields=["status", "note", "sequence", "updated"])
            announce(occurrence, previous_date=occurrence.date)
        cancelled += len(rows)
    return cancelled


@transaction.atomic
def add_holiday(
    programme, *, name: str, start: dt.date, end: dt.date | None = None, centre=None, by=None
) -> tuple[Holiday, int]:
    """Record a holiday and cancel the dates already generated in it."""
    holiday = Holiday(programme=programme, centre=centre, name=name, start=start, end=end or start)
    holiday.full_clean()
    holiday.save()
    cancelled = cancel_for_holidays([holiday])
    if by is not None:
        audit.record(
            actor=by,
            action="holiday added",
            obj=holiday,
            programme=programme,
            changes={"start": str(holiday.start), "end": str(holiday.end), "cancelled": cancelled},
        )
    return holiday, cancelled


@transaction.atomic
def add_country_holidays(programme, years, *, by=None) -> int:
    """The public holidays of the programme's country for calendar ``years``
    (idempotent: a holiday already there is kept). Returns how many were new."""
    have = set(
        Holiday.objects.filter(programme=programme, centre=None).values_list("name", "start")
    )
    new = [
        Holiday(programme=programme, name=c.name, start=c.start, end=c.end)
        for year in years
        for c in school_calendars.public_holidays(programme.country, year)
        if (c.name, c.start) not in have
    ]
    Holiday.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        cancel_for_holidays(
            Holiday.objects.filter(programme=programme, start__in=[h.start for h in new])
        )
    if new and by is not None:
        audit.record(
            actor=by,
            action="public holidays added",
            obj=programme,
            programme=programme,
            changes={"years": [int(y) for y in years], "new": len(new)},
        )
    return len(new)
