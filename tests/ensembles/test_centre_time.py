"""Time is the centre's time: a Venezuelan núcleo's 17:00 practice shows 17:00.

Instants are stored in UTC; pages, registers and calendar feeds show them in the
centre's zone (its programme's, unless the centre keeps its own), and "today" is the
centre's local date."""

import datetime as dt
import json
import zoneinfo

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from harmonia.accounts.models import Membership, Role, User
from harmonia.ensembles import insight, timetable
from harmonia.ensembles.models import (
    CentreRegisterSettings,
    Ensemble,
    Mark,
    Occurrence,
    Session,
)
from harmonia.programmes import zones
from tests.ensembles.conftest import build_register

CARACAS = zoneinfo.ZoneInfo("America/Caracas")
LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def tutor_v(world):
    """Yusmary, a tutor at Núcleo Montalbán (Caracas)."""
    user = User.objects.create_user(
        email="tutor.v@example.org", password="x" * 20, full_name="Yusmary Rondón"
    )
    Membership.objects.create(user=user, role=Role.TUTOR, centre=world.centre_v)
    return user


def _practice(centre, day, at=dt.time(17, 0), tutor=None, minutes=60):
    """A weekly practice at ``centre`` that meets on ``day`` at ``at`` local time."""
    ensemble = Ensemble.objects.create(
        programme=centre.programme, centre=centre, name="Orquesta Infantil", kind="orchestra"
    )
    ensemble.member_centres.add(centre)
    session = Session.objects.create(
        ensemble=ensemble,
        name="Práctica",
        weekday=day.weekday(),
        start_time=at,
        duration_minutes=minutes,
        starts_on=day,
        ends_on=day,
        venue="Salón de música",
    )
    if tutor is not None:
        session.tutors.add(tutor)
    timetable.generate_occurrences([session])
    return ensemble, Occurrence.objects.get(session=session)


def test_each_programme_keeps_its_countrys_zone_and_a_wrong_name_is_refused(world):
    world.england.refresh_from_db()
    world.venezuela.refresh_from_db()
    assert world.england.time_zone == "Europe/London"
    assert world.venezuela.time_zone == "America/Caracas"
    world.venezuela.time_zone = "America/Atlantis"
    with pytest.raises(ValidationError) as refused:
        world.venezuela.full_clean()
    assert "time_zone" in refused.value.message_dict
    assert zones.zone_name_for_centre(world.centre_v) == "America/Caracas"
    assert zones.zone_name_for_centre(world.centre_a) == "Europe/London"


def test_a_centre_may_keep_its_own_zone(world):
    CentreRegisterSettings.objects.create(centre=world.centre_b, time_zone="America/Caracas")
    assert zones.zone_name_for_centre(world.centre_b) == "America/Caracas"
    assert zones.zone_name_for_centre(world.centre_a) == "Europe/London"
    bad = CentreRegisterSettings(centre=world.centre_a, time_zone="Europe/Nowhere")
    with pytest.raises(ValidationError):
        bad.full_clean()


def test_a_venezuelan_tutor_sees_the_17_00_practice_at_17_00_everywhere(client, world, tutor_v):
    day = zones.local_today(world.centre_v)
    ensemble, occurrence = _practice(world.centre_v, day, tutor=tutor_v)
    # Stored in UTC: 17:00 in Caracas is 21:00 UTC (and 21:00 in London in winter).
    assert occurrence.starts_at.astimezone(dt.UTC).hour == 21
    client.force_login(tutor_v)
    pages = {
        "home": reverse("home"),
        "today": reverse("ensembles:today"),
        "my timetable": reverse("ensembles:my_timetable"),
        "register": reverse("ensembles:register", args=[occurrence.pk]),
        "timetable": reverse("ensembles:timetable", args=[world.centre_v.pk])
        + f"?week={day.isoformat()}",
        "ensemble": reverse("ensembles:ensemble_detail", args=[ensemble.pk]),
    }
    for name, url in pages.items():
        body = client.get(url).content.decode()
        assert "17:00" in body, name
        assert "21:00" not in body, name
    timetable_page = client.get(pages["timetable"]).content.decode()
    assert "times in America/Caracas" in timetable_page


def test_a_person_whose_centres_span_zones_sees_each_time_in_its_own_zone_named(
    client, world, tutor_v
):
    Membership.objects.create(user=tutor_v, role=Role.TUTOR, centre=world.centre_a)
    now = timezone.now()
    day_v, day_a = zones.local_today(world.centre_v), zones.local_today(world.centre_a)
    _ens_v, caracas = _practice(world.centre_v, day_v, at=dt.time(17, 0), tutor=tutor_v)
    liverpool = build_register(world.centre_a, 1, day=day_a, tutor=tutor_v).occurrence
    client.force_login(tutor_v)
    body = client.get(reverse("ensembles:my_timetable")).content.decode()
    assert "17:00" in body and "Caracas time" in body
    assert liverpool.starts_at.astimezone(LONDON).strftime("%H:%M") in body
    assert caracas.starts_at.astimezone(CARACAS).hour == 17
    assert now  # both listed, each in its own zone


def test_dates_entered_for_a_venezuelan_ensemble_are_caracas_time(client, world):
    manager = User.objects.create_user(email="gerente@example.org", password="x" * 20)
    Membership.objects.create(user=manager, role=Role.CENTRE_MANAGER, centre=world.centre_v)
    # (Adding a one-off date is another part of this work; moving one is enough here.)
    _ensemble, occurrence = _practice(world.centre_v, dt.date(2026, 12, 10))
    client.force_login(manager)
    form = client.get(reverse("ensembles:occurrence_edit", args=[occurrence.pk]))
    assert 'value="2026-12-10T17:00"' in form.content.decode()
    response = client.post(
        reverse("ensembles:occurrence_edit", args=[occurrence.pk]),
        {
            "title": "Concierto de Navidad",
            "kind": "concert",
            "starts_at": "2026-12-18T18:00",
            "minutes": "90",
            "venue": "Teatro Teresa Carreño",
            "status": "scheduled",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    concert = Occurrence.objects.get(title="Concierto de Navidad")
    assert concert.starts_at.astimezone(CARACAS).hour == 18
    assert concert.starts_at.astimezone(dt.UTC).hour == 22
    assert concert.date == dt.date(2026, 12, 18)


# Calendar feeds ----------------------------------------------------------------


def _feed(client, ensemble):
    response = client.get(reverse("ensembles:ensemble_feed", args=[ensemble.feed_token]))
    assert response.status_code == 200
    return response.content.decode(), icalendar.Calendar.from_ical(response.content)


def test_a_venezuelan_feed_names_caracas_and_carries_its_vtimezone(client, world):
    ensemble, occurrence = _practice(world.centre_v, zones.local_today(world.centre_v))
    text, cal = _feed(client, ensemble)
    assert "X-WR-TIMEZONE:America/Caracas" in text
    assert "Europe/London" not in text
    assert f"DTSTART;TZID=America/Caracas:{occurrence.date:%Y%m%d}T170000" in text
    (vtimezone,) = cal.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "America/Caracas"
    (event,) = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == occurrence.starts_at


@pytest.mark.parametrize(
    ("centre_name", "first", "last", "zone"),
    [
        # British Summer Time ends on 25 October 2026 and starts on 28 March 2027.
        ("centre_a", dt.date(2026, 10, 7), dt.date(2026, 11, 11), "Europe/London"),
        ("centre_a", dt.date(2027, 3, 10), dt.date(2027, 4, 14), "Europe/London"),
        ("centre_v", dt.date(2026, 10, 7), dt.date(2026, 11, 11), "America/Caracas"),
    ],
)
def test_a_weekly_16_00_rehearsal_stays_16_00_across_the_clock_change(
    client, world, centre_name, first, last, zone
):
    centre = getattr(world, centre_name)
    ensemble = Ensemble.objects.create(
        programme=centre.programme, centre=centre, name="Strings", kind="strings"
    )
    ensemble.member_centres.add(centre)
    session = Session.objects.create(
        ensemble=ensemble,
        weekday=2,
        start_time=dt.time(16, 0),
        duration_minutes=60,
        starts_on=first,
        ends_on=last,
    )
    assert timetable.generate_occurrences([session]) == 6
    text, cal = _feed(client, ensemble)
    events = cal.walk("VEVENT")
    assert len(events) == 6
    local = zoneinfo.ZoneInfo(zone)
    for e in events:
        start = e.decoded("DTSTART")
        assert str(e["DTSTART"].params["TZID"]) == zone
        assert (start.astimezone(local).hour, start.astimezone(local).minute) == (16, 0)
    utc_hours = {o.starts_at.astimezone(dt.UTC).hour for o in session.occurrences.all()}
    if zone == "Europe/London":
        assert utc_hours == {15, 16}  # the same wall-clock time, two different instants
        assert "BEGIN:DAYLIGHT" in text and "BEGIN:STANDARD" in text
    else:
        assert utc_hours == {20}  # Caracas keeps no summer time
    assert text.count("BEGIN:VTIMEZONE") == 1
    assert f"X-WR-TIMEZONE:{zone}" in text


# The centre's local date ----------------------------------------------------------

# 02:00 UTC on Wednesday 2 December 2026: still Tuesday 1 December (22:00) in Caracas.
NIGHT = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def at_night(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NIGHT)
    return NIGHT


def test_at_two_in_the_morning_utc_it_is_still_yesterday_in_caracas(world, at_night):
    assert zones.local_today(world.centre_v) == dt.date(2026, 12, 1)
    assert zones.local_today(world.centre_a) == dt.date(2026, 12, 2)


def test_tonights_caracas_session_is_still_todays_register(client, world, tutor_v, at_night):
    _ensemble, occurrence = _practice(
        world.centre_v, dt.date(2026, 12, 1), at=dt.time(20, 30), tutor=tutor_v
    )
    agenda = timetable.tutor_agenda(tutor_v, now=NIGHT)
    assert [o.pk for o in agenda["today"]] == [occurrence.pk]
    assert agenda["outstanding"] == []
    client.force_login(tutor_v)
    today = client.get(reverse("ensembles:today"))
    assert [o.pk for o in today.context["mine"]] == [occurrence.pk]
    assert "Tuesday 1 December" in today.content.decode()


def test_the_drifting_list_and_attendance_page_use_the_centres_date(client, world, at_night):
    manager = User.objects.create_user(email="gerente@example.org", password="x" * 20)
    Membership.objects.create(user=manager, role=Role.CENTRE_MANAGER, centre=world.centre_v)
    client.force_login(manager)
    page = client.get(reverse("ensembles:centre_attendance", args=[world.centre_v.pk]))
    assert page.status_code == 200
    assert page.context["today"] == dt.date(2026, 12, 1)
    assert insight.drifting_away(world.centre_v, page.context["today"]) == []


# Future registers ----------------------------------------------------------------


def test_a_register_for_a_future_date_says_when_it_opens_and_refuses_marks(as_persona, world):
    tomorrow = zones.local_today(world.centre_a) + dt.timedelta(days=1)
    reg = build_register(world.centre_a, 3, day=tomorrow, tutor=world.tutor_a)
    client = as_persona("tutor_a")
    page = client.get(reverse("ensembles:register", args=[reg.occurrence.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert f"This register opens on {tomorrow:%A} {tomorrow.day} {tomorrow:%B}" in body
    assert "reg-save" not in body  # nothing to press
    payload = {
        "key": "future-register-0001",
        "user": world.tutor_a.pk,
        "marks": [
            {"child": c.pk, "status": "present", "marked_at": timezone.now().isoformat()}
            for c in reg.children
        ],
    }
    response = client.post(
        reverse("ensembles:register_submit", args=[reg.occurrence.pk]),
        json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == 409  # the offline queue keeps it as "needs attention"
    assert "opens on" in response.json()["error"]
    assert not Mark.objects.filter(occurrence=reg.occurrence).exists()
    reg.occurrence.refresh_from_db()
    assert reg.occurrence.register_taken_at is None


def test_todays_registers_links_say_what_day_they_are(as_persona, world):
    today = zones.local_today(world.centre_a)
    reg = build_register(world.centre_a, 1, day=today, tutor=world.tutor_a)
    client = as_persona("tutor_a")
    label = f"Today's registers ({today:%A} {today.day} {today:%B})"
    for url in (
        reverse("ensembles:register", args=[reg.occurrence.pk]),
        reverse("ensembles:my_timetable"),
    ):
        assert label in client.get(url).content.decode().replace("&#x27;", "'"), url


def test_changing_a_zone_keeps_every_future_date_at_its_local_time(client, world):
    """A programme set up in the wrong zone, then put right: 17:00 stays 17:00."""
    world.venezuela.time_zone = "Europe/London"
    world.venezuela.save()
    today = zones.local_today(world.centre_v)
    _ensemble, future = _practice(world.centre_v, today + dt.timedelta(days=7))
    past = Occurrence.objects.create(
        ensemble=future.ensemble,
        centre=world.centre_v,
        date=today - dt.timedelta(days=7),
        starts_at=future.starts_at - dt.timedelta(days=14),
        ends_at=future.ends_at - dt.timedelta(days=14),
        minutes=60,
        kind="rehearsal",
    )
    assert future.starts_at.astimezone(LONDON).hour == 17
    world.venezuela.time_zone = "America/Caracas"
    world.venezuela.save()
    future.refresh_from_db()
    past.refresh_from_db()
    assert future.starts_at.astimezone(CARACAS).hour == 17
    assert future.sequence == 1  # calendar apps move it
    assert past.starts_at.astimezone(LONDON).hour == 17  # history keeps its instant
    # A centre that keeps its own zone moves its own dates, and only those.
    CentreRegisterSettings.objects.create(centre=world.centre_v, time_zone="America/Bogota")
    future.refresh_from_db()
    assert future.starts_at.astimezone(zoneinfo.ZoneInfo("America/Bogota")).hour == 17
