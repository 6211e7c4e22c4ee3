"""iCalendar (RFC 5545) feeds of the timetable, built with ``icalendar``.

* One VEVENT per occurrence; its UID (``occurrence-<pk>@harmonia``) never changes,
  so calendar apps update an event in place instead of duplicating it.
* Times are written in the centre's own zone with its name
  (``DTSTART;TZID=America/Caracas:20261125T170000``), and the feed carries a
  ``VTIMEZONE`` for every zone it names (``add_missing_timezones``), so a weekly
  16:00 rehearsal stays 16:00 across daylight-saving changes in every client.
  ``X-WR-TIMEZONE`` names the centre's zone (for a tutor whose centres span zones,
  each event still carries its own TZID). The instants themselves are stored in UTC.
* DTSTAMP is when the occurrence last changed; SEQUENCE rises with each change;
  a cancelled date stays in the feed with ``STATUS:CANCELLED`` so clients remove it.
* Feeds are fetched by calendar apps, which cannot sign in: the address carries an
  unguessable token (per ensemble, or per tutor), and a wrong token answers 404.
* The address is shown only to the ensemble's staff (:func:`may_see_address`), and
  a manager can renew it (:func:`renew_ensemble_feed`), which retires the old one,
  as a tutor can for their own feed.
"""

from __future__ import annotations

import datetime as dt

import icalendar
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse

from harmonia import audit
from harmonia.access import Capability as C
from harmonia.ensembles.models import Ensemble, Occurrence, new_token
from harmonia.programmes import zones

PAST_DAYS = 60  # how far back a feed goes


def build(
    occurrences, *, name: str, zone: str | None = None, today: dt.date | None = None
) -> bytes:
    """The feed of ``occurrences``; ``zone`` is the calendar's zone (X-WR-TIMEZONE)."""
    zone = zone or settings.TIME_ZONE
    today = today or zones.local_today_in(zone)
    rows = (
        occurrences.filter(date__gte=today - dt.timedelta(days=PAST_DAYS))
        .select_related("ensemble", "session")
        .order_by("starts_at")
    )
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Harmonia//Timetable//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zone)
    cal.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    for occurrence in rows:
        cal.add_component(event(occurrence))
    cal.add_missing_timezones()
    return cal.to_ical()


def event(occurrence: Occurrence) -> icalendar.Event:
    e = icalendar.Event()
    e.add("uid", f"occurrence-{occurrence.pk}@harmonia")
    e.add("dtstamp", occurrence.updated.astimezone(dt.UTC))
    e.add("dtstart", occurrence.local_starts_at)  # TZID=<the centre's zone>
    e.add("dtend", occurrence.local_ends_at)
    e.add("summary", f"{occurrence.display_title} ({occurrence.get_kind_display()})")
    e.add("sequence", occurrence.sequence)
    if occurrence.venue:
        e.add("location", occurrence.venue)
    if occurrence.note:
        e.add("description", occurrence.note)
    if occurrence.cancelled:
        e.add("status", "CANCELLED")
    else:
        e.add("status", "CONFIRMED")
    return e


def response(body: bytes, filename: str) -> HttpResponse:
    reply = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    reply["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    reply["Cache-Control"] = "private, max-age=900"
    reply["X-Robots-Tag"] = "noindex"
    return reply


def may_see_address(caps) -> bool:
    """Whether someone holding ``caps`` in the ensemble's centre is shown its feed
    address: the people who run or teach it (the feed says where and when children
    rehearse), not funders or evaluators who see the centre only in aggregate."""
    return C.MANAGE_CENTRE in caps or C.TAKE_REGISTER in caps


def may_renew(caps) -> bool:
    return C.MANAGE_CENTRE in caps


@transaction.atomic
def renew_ensemble_feed(ensemble: Ensemble, *, by) -> Ensemble:
    """A new feed address for ``ensemble``; the old one answers 404 from now on."""
    ensemble = Ensemble.objects.select_for_update().get(pk=ensemble.pk)
    ensemble.feed_token = new_token()
    ensemble.save(update_fields=["feed_token"])
    audit.record(
        actor=by,
        action="calendar address renewed",
        obj=ensemble,
        programme=ensemble.programme,
        changes={"calendar_feed": "renewed"},  # never the token itself
    )
    return ensemble
