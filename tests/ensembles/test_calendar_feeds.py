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
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
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
