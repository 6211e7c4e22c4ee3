"""A manager adds a one-off date (a concert, a holiday course, an extra rehearsal)
through the page, and it is in the timetable, the register list and the feeds."""

import datetime as dt

from django.urls import reverse

from harmonia.ensembles.models import Occurrence


def test_the_manager_adds_a_concert_through_the_page(as_persona, world, register_of):
    reg = register_of(4)
    client = as_persona("manager_a")
    url = reverse("ensembles:occurrence_create", args=[reg.ensemble.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Summer concert",
            "kind": "concert",
            "starts_at": "2026-07-09T18:30",
            "minutes": "90",
            "venue": "St George's Hall",
            "status": "scheduled",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    concert = Occurrence.objects.get(title="Summer concert")
    assert concert.session_id is None
    assert concert.kind == "concert"
    assert concert.centre == world.centre_a
    assert concert.date == dt.date(2026, 7, 9)
    assert concert.starts_at.hour == 17  # 18:30 BST is 17:30 UTC
    assert concert.ends_at - concert.starts_at == dt.timedelta(minutes=90)
    assert concert.sequence == 0
