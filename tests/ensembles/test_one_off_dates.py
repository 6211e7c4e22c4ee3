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


def test_a_concert_added_through_the_page_is_a_performance_on_the_dashboards(
    as_persona, world, register_of, django_capture_on_commit_callbacks
):
    """The whole journey: the manager adds a concert, its register is taken, and the
    programme and centre dashboards count one performance (they showed 0: no concert
    could be created)."""
    import json

    from django.utils import timezone

    reg = register_of(5)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    client = as_persona("manager_a")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("ensembles:occurrence_create", args=[reg.ensemble.pk]),
            {
                "title": "Winter concert",
                "kind": "concert",
                "starts_at": f"{yesterday.isoformat()}T18:00",
                "minutes": "60",
                "venue": "Hall",
                "status": "scheduled",
            },
        )
    concert = Occurrence.objects.get(title="Winter concert")
    payload = {
        "key": "winter-concert-register",
        "user": world.manager_a.pk,
        "marks": [{"child": c.pk, "status": "present"} for c in reg.children],
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("ensembles:register_submit", args=[concert.pk]),
            json.dumps(payload),
            content_type="application/json",
        )
    assert answer.status_code == 200, answer.content
    client = as_persona("programme_lead")
    dashboard = client.get(reverse("reports:programme_dashboard", args=[world.england.pk]))
    data = dashboard.context["data"]
    assert data["totals"]["performances"] == 1
    row = next(r for r in data["centres"] if r["centre"].pk == world.centre_a.pk)
    assert row["performances"] == 1
    client = as_persona("manager_a")
    centre_page = client.get(reverse("reports:centre_dashboard", args=[world.centre_a.pk]))
    assert centre_page.context["data"]["totals"]["performances"] == 1
