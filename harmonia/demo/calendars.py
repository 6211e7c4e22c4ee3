"""Demo time zones and calendars (idempotent): each demo programme keeps its
country's zone (England Europe/London, Venezuela America/Caracas) and its
country's public holidays for the demo's school years, so no session is generated
on Christmas Day, on 5 July or on 12 October, and the Venezuelan lapsos come from
the Venezuelan calendar. Called from ``load_demo`` before the timetable is made."""

from __future__ import annotations

from django.utils import timezone

from harmonia.ensembles import holidays
from harmonia.programmes.models import Programme
from harmonia.programmes.zones import default_zone_for_country


def load_calendars_demo() -> dict:
    year = timezone.localdate().year
    added = 0
    for programme in Programme.objects.order_by("pk"):
        zone = default_zone_for_country(programme.country)
        if programme.time_zone != zone:
            programme.time_zone = zone
            programme.save(update_fields=["time_zone"])
        added += holidays.add_country_holidays(programme, range(year - 2, year + 2))
    return {"holidays": added}
