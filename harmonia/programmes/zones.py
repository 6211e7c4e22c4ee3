"""Time is the centre's time.

Instants (``DateTimeField``) are stored in UTC. They are shown and entered in the
zone of the centre they happen at: the centre's own zone when its register settings
name one, else its programme's (``Programme.time_zone``, an IANA name such as
``Europe/London`` or ``America/Caracas``). Local dates ("today", "this week",
register deadlines) are the centre's local date too.

* :func:`zone_name_for_centre`, :func:`zone_for_centre` — a centre's zone.
* :func:`zone_name_for_occurrence` — the zone of one dated meeting (its centre's,
  or for a national ensemble with no home centre, its programme's).
* :func:`local_today` — the date it is now at a centre.
* :func:`activate_for_centre` — a page about one centre renders every time in the
  centre's zone (``timezone.activate``); :class:`ZoneMiddleware` resets it after
  each request and, for a signed-in person whose programmes share one zone, shows
  instants that belong to no single centre (audit entries, consents) in that zone.

The zones of every centre and programme are read in one small query, at most once
per request (:func:`_zone_map`), so pages that list occurrences of many centres
do not add a query per row.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Where a programme's country has one zone, the zone a new programme starts with.
COUNTRY_ZONES = {
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "VE": "America/Caracas",
    "CO": "America/Bogota",
    "MX": "America/Mexico_City",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "CL": "America/Santiago",
    "PE": "America/Lima",
    "AR": "America/Argentina/Buenos_Aires",
}


def validate_time_zone(value: str) -> None:
    """An IANA zone name that this server's zone database knows."""
    if not value:
        return
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(
            _(
                "“%(value)s” is not a time zone name; use one like Europe/London "
                "or America/Caracas."
            ),
            params={"value": value},
            code="time_zone",
        ) from None


def default_zone_for_country(country: str) -> str:
    return COUNTRY_ZONES.get((country or "").upper(), settings.TIME_ZONE)


_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("harmonia_zones", default=None)


def _zone_map() -> dict:
    """{"centres": {pk: zone name}, "programmes": {pk: zone name}} — once per request."""
    cached = _memo.get()
    if cached is not None and "centres" in cached:
        return cached
    from harmonia.programmes.models import Centre, Programme

    centres, programmes = {}, {}
    rows = Centre.objects.unscoped("zone names are not people data").values_list(
        "pk", "programme_id", "programme__time_zone", "programme__country",
        "register_settings__time_zone",
    )  # fmt: skip
    for pk, programme_id, programme_zone, country, own in rows:
        programmes[programme_id] = programme_zone or default_zone_for_country(country)
        centres[pk] = own or programmes[programme_id]
    if cached is None or not centres:  # programmes without centres yet: one more look
        programmes |= {
            pk: zone or default_zone_for_country(country)
            for pk, zone, country in Programme.objects.unscoped(
                "zone names are not people data"
            ).values_list("pk", "time_zone", "country")
            if pk not in programmes
        }
    found = {"centres": centres, "programmes": programmes}
    if cached is not None:  # inside a request: keep it until the request ends
        cached.update(found)
    return found


@contextlib.contextmanager
def reading():
    """Read the zones once for a block of work outside a request (a command, a
    signal handler); inside a request the request's memo is used."""
    token = _memo.set({}) if _memo.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _memo.reset(token)


def forget() -> None:
    """Drop the zones read in this request (after a zone is changed)."""
    cached = _memo.get()
    if cached is not None:
        cached.clear()


def zone_name_for_centre(centre) -> str:
    """The IANA name of ``centre``'s zone (a Centre, a pk or None)."""
    if centre is None:
        return settings.TIME_ZONE
    pk = getattr(centre, "pk", centre)
    name = _zone_map()["centres"].get(pk)
    if name is None and hasattr(centre, "programme_id"):
        name = zone_name_for_programme(centre.programme_id)
    return name or settings.TIME_ZONE


def zone_name_for_programme(programme) -> str:
    if programme is None:
        return settings.TIME_ZONE
    pk = getattr(programme, "pk", programme)
    return _zone_map()["programmes"].get(pk) or settings.TIME_ZONE


def zone_for_centre(centre) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(zone_name_for_centre(centre))


def zone_name_for_occurrence(occurrence) -> str:
    """An occurrence's zone: its centre's; a national ensemble's date, its programme's."""
    centre_id = occurrence.centre_id
    if centre_id is None:
        ensemble = occurrence.ensemble
        centre_id = ensemble.centre_id
        if centre_id is None:
            return zone_name_for_programme(ensemble.programme_id)
    return zone_name_for_centre(centre_id)


def local_today(centre=None, *, now: dt.datetime | None = None) -> dt.date:
    """The date it is now at ``centre`` (at 02:00 UTC it is still yesterday in Caracas)."""
    return timezone.localtime(now or timezone.now(), zone_for_centre(centre)).date()


def local_today_in(zone_name: str, *, now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), zoneinfo.ZoneInfo(zone_name)).date()


def activate_for_centre(centre) -> str:
    """Render this request's times in ``centre``'s zone; returns the zone's name."""
    name = zone_name_for_centre(centre)
    timezone.activate(zoneinfo.ZoneInfo(name))
    return name


def home_zone_name(user) -> str | None:
    """The one zone of every programme ``user`` holds a role in, or None when their
    roles span zones (pages then name the zone beside each time)."""
    if not getattr(user, "is_authenticated", False):
        return None
    from harmonia import access

    names = set()
    for m in access.memberships(user):
        programme = m.programme if m.programme_id else (m.centre.programme if m.centre_id else None)
        if programme is not None:
            names.add(programme.time_zone or default_zone_for_country(programme.country))
    return names.pop() if len(names) == 1 else None


class ZoneMiddleware:
    """One zone memo per request; times follow the person's home zone until a page
    about one centre activates that centre's; nothing leaks into the next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            home = home_zone_name(getattr(request, "user", None))
            if home:
                timezone.activate(zoneinfo.ZoneInfo(home))
            return self.get_response(request)
        finally:
            timezone.deactivate()
            _memo.reset(token)
