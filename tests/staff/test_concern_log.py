"""The concern log: safeguarding leads only, and every opening is logged."""

from django.urls import reverse

from harmonia.staff.models import ConcernAccess
from tests.staff.builders import concern_a


def test_each_opening_of_the_log_and_of_a_concern_is_logged(world, as_persona):
    concern = concern_a(world)
    client = as_persona("safeguarding_a")
    ConcernAccess.objects.all().delete()
    assert client.get(reverse("staff:concern_log", args=[world.centre_a.pk])).status_code == 200
    assert client.get(reverse("staff:concern_detail", args=[concern.pk])).status_code == 200
    assert client.get(reverse("staff:concern_log", args=[world.centre_a.pk])).status_code == 200
    entries = list(ConcernAccess.objects.order_by("id").values_list("user", "action", "concern"))
    lead = world.safeguarding_a.pk
    assert entries == [
        (lead, "opened_log", None),
        (lead, "opened_concern", concern.pk),
        (lead, "opened_log", None),
    ]
    page = client.get(reverse("staff:concern_access_log", args=[world.centre_a.pk]))
    assert page.content.decode().count("Safeguarding A") >= 3


def test_nobody_else_can_open_it_and_each_refused_attempt_is_logged(world, as_persona):
    concern = concern_a(world)
    ConcernAccess.objects.all().delete()
    expected = {
        "programme_lead": 403,
        "manager_a": 403,
        "tutor_a": 403,
        "funder": 403,
        "evaluator": 403,
        "tutor_b": 404,
        "outsider": 404,
    }
    for persona, code in expected.items():
        client = as_persona(persona)
        log = client.get(reverse("staff:concern_log", args=[world.centre_a.pk]))
        one = client.get(reverse("staff:concern_detail", args=[concern.pk]))
        assert (log.status_code, one.status_code) == (code, code), persona
    # Nobody opened anything, and every attempt is on the safeguarding lead's log.
    assert not ConcernAccess.objects.filter(refused=False).exists()
    refused = ConcernAccess.objects.filter(refused=True)
    assert refused.count() == 2 * len(expected)
    for persona in expected:
        tried = refused.filter(user=world.people[persona])
        assert sorted(tried.values_list("action", flat=True)) == ["opened_concern", "opened_log"]
        assert tried.filter(concern=concern).count() == 1
    page = as_persona("safeguarding_a").get(
        reverse("staff:concern_access_log", args=[world.centre_a.pk])
    )
    text = page.content.decode()
    assert text.count("Refused") >= 2 * len(expected)
    assert "Tutor A" in text and "Programme Lead" in text


def test_the_lead_records_a_concern_and_its_content_stays_out_of_the_audit(world, as_persona):
    from harmonia.audit.models import AuditEvent

    client = as_persona("safeguarding_a")
    response = client.post(
        reverse("staff:concern_create", args=[world.centre_a.pk]),
        {
            "subject": "Child X",
            "category": "welfare",
            "noticed": "2026-01-10",
            "account": "Bruise on arm, said fell off bike.",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="concern recorded")
    assert "Bruise" not in str(event.changes) and "Bruise" not in event.object_repr
