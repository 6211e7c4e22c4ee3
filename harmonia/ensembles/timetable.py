"""The timetable: terms, sessions and the occurrences generated from them.

Generation is idempotent: ``Occurrence`` is unique on (session, date) and rows are
inserted with ``bulk_create(ignore_conflicts=True)``, so running it twice (or after
a cancellation or a one-off change) never duplicates nor undoes anything. Dates in
a holiday of the ensemble's home centre are skipped, except for holiday courses,
which run only in holidays. Nothing is generated on a public holiday of the
programme (``Holiday``: Christmas Day, 5 July in Venezuela), holiday courses included.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from harmonia import audit
from harmonia.ensembles.models import (
    CentreRegisterSettings,
    Holiday,
    Occurrence,
    Session,
    SessionKind,
    Term,
)
from harmonia.programmes import zones


def centre_settings(centre) -> CentreRegisterSettings:
    """A centre's register settings (unsaved defaults when none were chosen). An empty
    ``time_zone`` means the programme's: ask :func:`zone_for` for the zone in force."""
    if centre is None:
        return CentreRegisterSettings()
    found = CentreRegisterSettings.objects.filter(centre=centre).first()
    return found or CentreRegisterSettings(centre=centre)


def zone_for(centre) -> zoneinfo.ZoneInfo:
    """The zone ``centre`` keeps: its own, else its programme's (``programmes.zones``)."""
    return zones.zone_for_centre(centre)


def _holidays(centre_id, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    if centre_id is None:
        return []
    return list(
        Term.objects.filter(
            centre_id=centre_id, kind=Term.Kind.HOLIDAY, start__lte=last, end__gte=first
        ).values_list("start", "end")
    )


def public_holidays(ensemble, first: dt.date, last: dt.date) -> list[tuple]:
    """(start, end, name) of the programme's public holidays that touch [first, last]
    and apply at the ensemble's home centre (or, with no home centre, programme-wide)."""
    at = Q(centre__isnull=True)
    if ensemble.centre_id:
        at |= Q(centre_id=ensemble.centre_id)
    return list(
        Holiday.objects.filter(
            at, programme_id=ensemble.programme_id, start__lte=last, end__gte=first
        )
        .order_by("start")
        .values_list("start", "end", "name")
    )


def session_dates(session: Session, holidays=None, closed=None) -> list[dt.date]:
    """The dates a session meets: its weekday within its range, skipping holidays
    (a holiday course meets only inside holidays) and public holidays (``closed``)."""
    first, last = session.first_day, session.last_day
    if holidays is None:
        holidays = _holidays(session.ensemble.centre_id, first, last)
    if closed is None:
        closed = public_holidays(session.ensemble, first, last)
    day = first + dt.timedelta(days=(session.weekday - first.weekday()) % 7)
    dates = []
    while day <= last:
        in_holiday = any(start <= day <= end for start, end in holidays)
        public = any(start <= day <= end for start, end, _name in closed)
        if not public and in_holiday == (session.kind == SessionKind.HOLIDAY_COURSE):
            dates.append(day)
        day += dt.timedelta(days=7)
    return dates


def occurrence_times(day: dt.date, start: dt.time, minutes: int, zone) -> tuple:
    starts = dt.datetime.combine(day, start, tzinfo=zone)
    return starts, starts + dt.timedelta(minutes=minutes)


@transaction.atomic
def generate_occurrences(sessions, *, by=None) -> int:
    """Create the missing occurrences of ``sessions``; return how many were new."""
    sessions = list(
        Session.objects.filter(pk__in=[s.pk for s in sessions]).select_related(
            "term", "ensemble", "ensemble__centre"
        )
    )
    rows = []
    zones: dict = {}
    for session in sessions:
        centre = session.ensemble.centre
        if centre not in zones:
            zones[centre] = zone_for(centre)
        for day in session_dates(session):
            starts, ends = occurrence_times(
                day, session.start_time, session.duration_minutes, zones[centre]
            )
            rows.append(
                Occurrence(
                    session=session,
                    ensemble=session.ensemble,
                    centre=centre,
                    date=day,
                    starts_at=starts,
                    ends_at=ends,
                    minutes=session.duration_minutes,
                    kind=session.kind,
                    venue=session.venue,
                )
            )
    keys = {(o.session_id, o.date) for o in rows}
    before = Occurrence.objects.filter(session__in=sessions).count()
    Occurrence.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    created = Occurrence.objects.filter(session__in=sessions).count() - before
    if created and by is not None:
        first = sessions[0]
        audit.record(
            actor=by,
            action="occurrences generated",
            obj=first.ensemble,
            programme=first.ensemble.programme,
            changes={"sessions": len(sessions), "new": created, "considered": len(keys)},
        )
    return created


def taught_by(user) -> Q:
    """Occurrences ``user`` leads: through the session, or named for that date."""
    return Q(session__tutors=user) | Q(tutors=user)


def tutor_agenda(user, today: dt.date | None = None, *, now: dt.datetime | None = None) -> dict:
    """A tutor's sessions today and this week, and registers still to take (3 queries).

    "Today" is each occurrence's own centre's date (``programmes.zones``): at 02:00 UTC
    a Caracas session of the evening before is still today's. ``today`` (the person's
    home date, for the headings and the week) defaults to the active zone's date."""
    today = today or timezone.localdate(now or timezone.now())
    week_start = today - dt.timedelta(days=today.weekday())
    week_end = week_start + dt.timedelta(days=6)
    mine = (
        Occurrence.objects.filter(
            pk__in=Occurrence.objects.filter(taught_by(user)).values("pk"),
        )
        .select_related("ensemble", "session")
        .order_by("starts_at")
    )
    near = list(
        mine.filter(date__range=(week_start - dt.timedelta(days=1), week_end + dt.timedelta(1)))
    )
    local = {o.pk: zones.local_today_in(o.time_zone, now=now) for o in near}
    week = [o for o in near if week_start <= o.date <= week_end]
    outstanding = list(
        mine.filter(
            date__lte=today + dt.timedelta(days=1),
            date__gte=today - dt.timedelta(days=28),
            register_taken_at__isnull=True,
            status=Occurrence.Status.SCHEDULED,
        )
    )
    outstanding = [o for o in outstanding if o.date < local.get(o.pk, today)]
    return {
        "today": [o for o in near if o.date == local[o.pk]],
        "week": [o for o in week if o.date > local[o.pk]],
        "outstanding": outstanding,
        "date": today,
        "teaches": bool(week or outstanding),
    }


def tutor_check(user, on: dt.date) -> bool:
    """Whether ``user`` may be listed as a session's tutor on ``on`` (their required
    safeguarding checks are in date); True when the staff app is not installed."""
    try:
        from harmonia.staff.services import is_cleared_to_lead
    except ImportError:  # pragma: no cover — the staff app ships with Harmonia
        return True
    return is_cleared_to_lead(user, on=on)


# When a zone changes ----------------------------------------------------------------


def keep_wall_clock(zones_before: dict[int, str]) -> int:
    """After a programme's or a centre's zone changed: every date still to come keeps
    its local time (a 17:00 practice stays 17:00 in the new zone, so its instant
    moves); dates past, or with a register taken, are history and keep their instant.
    ``zones_before`` is {centre pk: zone name before the change}. Returns how many
    dates moved; each gets a new SEQUENCE, so calendar apps follow."""
    zones.forget()
    moved = 0
    with zones.reading():
        after = {pk: zones.zone_name_for_centre(pk) for pk in zones_before}
    for centre_id, old in zones_before.items():
        new = after[centre_id]
        if new == old:
            continue
        old_zone, new_zone = zoneinfo.ZoneInfo(old), zoneinfo.ZoneInfo(new)
        rows = Occurrence.objects.filter(
            Q(centre_id=centre_id) | Q(centre__isnull=True, ensemble__centre_id=centre_id),
            date__gte=zones.local_today_in(new) - dt.timedelta(days=1),
            register_taken_at__isnull=True,
        )
        for occurrence in rows:
            length = occurrence.ends_at - occurrence.starts_at
            local = occurrence.starts_at.astimezone(old_zone).replace(tzinfo=None)
            occurrence.starts_at = local.replace(tzinfo=new_zone)
            occurrence.ends_at = occurrence.starts_at + length
            occurrence.sequence += 1
            occurrence.save(update_fields=["starts_at", "ends_at", "sequence", "updated"])
            moved += 1
    return moved


def _zones_of(centre_ids) -> dict[int, str]:
    with zones.reading():
        return {pk: zones.zone_name_for_centre(pk) for pk in centre_ids}


def _before_programme_save(sender, instance, **kwargs):
    if instance.pk:
        from harmonia.programmes.models import Centre

        ids = Centre.objects.filter(programme_id=instance.pk).values_list("pk", flat=True)
        instance._harmonia_zones_before = _zones_of(list(ids))


def _before_settings_save(sender, instance, **kwargs):
    if instance.centre_id:
        instance._harmonia_zones_before = _zones_of([instance.centre_id])


def _after_zone_save(sender, instance, **kwargs):
    before = getattr(instance, "_harmonia_zones_before", None)
    if before:
        keep_wall_clock(before)
        instance._harmonia_zones_before = None


def connect_zone_changes() -> None:
    """Keep future dates at their local time whenever a zone is saved (any path:
    the programme form, register settings, the admin, a data import)."""
    from django.db.models.signals import post_save, pre_save

    from harmonia.programmes.models import Programme

    pre_save.connect(_before_programme_save, sender=Programme, dispatch_uid="tz-programme")
    post_save.connect(_after_zone_save, sender=Programme, dispatch_uid="tz-programme-after")
    pre_save.connect(
        _before_settings_save, sender=CentreRegisterSettings, dispatch_uid="tz-settings"
    )
    post_save.connect(
        _after_zone_save, sender=CentreRegisterSettings, dispatch_uid="tz-settings-after"
    )
