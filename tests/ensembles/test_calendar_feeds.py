"""iCalendar feeds: valid RFC 5545, stable UIDs, cancellations, token-only access."""

import datetime as dt

import icalendar
from django.urls import reverse

from harmonia.ensembles.models import CalendarToken, Occurrence
from tests.matrix import PERSONAS


def _events(response):
    cal = icalendar.Calendar.from_ical(response.content)
    return cal, [c for c in cal.walk("VEVENT")]


def test_an_ensemble_feed_is_valid_and_marks_cancellations(client, world, register_of):
    reg = register_of(1)
    url = reverse("ensembles:ensemble_feed", args=[reg.ensemble.feed_token])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal, events = _events(response)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    (event,) = events
    uid = str(event["UID"])
    assert uid == f"occurrence-{reg.occurrence.pk}@harmonia"
    assert event["DTSTAMP"] and event.decoded("DTSTART").tzinfo is not None
    assert str(event["DTSTART"].params["TZID"]) == "Europe/London"  # the centre's zone
    assert event.decoded("DTSTART") == reg.occurrence.starts_at
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=90)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert b"\r\n" in response.content  # RFC 5545 line endings

    Occurrence.objects.filter(pk=reg.occurrence.pk).update(status="cancelled", sequence=1)
    _cal, (again,) = _events(client.get(url))
    assert str(again["UID"]) == uid  # the same event, updated in place
    assert str(again["STATUS"]) == "CANCELLED" and int(again["SEQUENCE"]) == 1


def test_a_tutor_feed_lists_only_their_own_sessions(client, world, register_of):
    mine = register_of(1, tutor=world.tutor_a)
    register_of(1, name="Someone else's choir")
    token = CalendarToken.objects.create(user=world.tutor_a)
    _cal, events = _events(client.get(reverse("ensembles:tutor_feed", args=[token.token])))
    assert [str(e["UID"]) for e in events] == [f"occurrence-{mine.occurrence.pk}@harmonia"]


def test_a_wrong_token_is_a_404_for_everyone(client, world, register_of):
    register_of(1)
    CalendarToken.objects.create(user=world.tutor_a)
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            client.force_login(world.people[persona])
        for name in ("ensembles:ensemble_feed", "ensembles:tutor_feed"):
            response = client.get(reverse(name, args=["not-the-token"]))
            assert response.status_code == 404, (persona, name)


def test_a_new_address_retires_the_old_one(as_persona, world):
    client = as_persona("tutor_a")
    client.get(reverse("ensembles:my_timetable"))
    old = CalendarToken.objects.get(user=world.tutor_a).token
    client.post(reverse("ensembles:feed_reset"))
    new = CalendarToken.objects.get(user=world.tutor_a).token
    assert new != old
    assert client.get(reverse("ensembles:tutor_feed", args=[old])).status_code == 404
    assert client.get(reverse("ensembles:tutor_feed", args=[new])).status_code == 200


# An ensemble's feed address can be renewed, and is shown only to its staff -------------


def test_a_manager_renews_an_ensemble_feed_and_the_old_address_stops_working(
    as_persona, world, register_of
):
    from harmonia.audit.models import AuditEvent

    ensemble = register_of(1).ensemble
    old = reverse("ensembles:ensemble_feed", args=[ensemble.feed_token])
    client = as_persona("manager_a")
    assert client.get(old).status_code == 200
    response = client.post(reverse("ensembles:ensemble_feed_renew", args=[ensemble.pk]))
    assert response.status_code == 302
    ensemble.refresh_from_db()
    new = reverse("ensembles:ensemble_feed", args=[ensemble.feed_token])
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    event = AuditEvent.objects.get(object_type="ensemble", object_id=str(ensemble.pk))
    assert event.actor == world.manager_a and "renewed" in event.action
    assert ensemble.feed_token not in str(event.changes)  # the secret is not in the log
    page = client.get(ensemble.get_absolute_url()).content.decode()
    assert ensemble.feed_token in page and "Make a new address" in page


def test_only_managers_may_renew_an_ensemble_feed(as_persona, world, register_of):
    ensemble = register_of(1).ensemble
    token = ensemble.feed_token
    url = reverse("ensembles:ensemble_feed_renew", args=[ensemble.pk])
    for persona, expected in (
        ("tutor_a", 403),
        ("safeguarding_a", 403),
        ("funder", 403),
        ("evaluator", 403),
        ("tutor_b", 404),
        ("outsider", 404),
    ):
        assert as_persona(persona).post(url).status_code == expected, persona
    ensemble.refresh_from_db()
    assert ensemble.feed_token == token


def test_the_feed_address_is_shown_only_to_the_ensembles_staff(as_persona, world, register_of):
    ensemble = register_of(1).ensemble
    for persona, shown in (
        ("manager_a", True),
        ("tutor_a", True),
        ("programme_lead", True),
        ("funder", False),
        ("evaluator", False),
    ):
        page = as_persona(persona).get(ensemble.get_absolute_url())
        assert page.status_code == 200, persona
        assert (ensemble.feed_token in page.content.decode()) is shown, persona
    tutor_page = as_persona("tutor_a").get(ensemble.get_absolute_url()).content.decode()
    assert "Make a new address" not in tutor_page  # tutors see it; only managers renew
