"""A centre's page, and editing it and its partner schools."""

from django.urls import reverse

from harmonia.audit.models import AuditEvent
from harmonia.programmes.models import PartnerSchool


def test_a_tutor_sees_their_centre_but_not_the_team_or_grants(as_persona, world):
    response = as_persona("tutor_a").get(
        reverse("programmes:centre_detail", args=[world.centre_a.pk])
    )
    assert response.status_code == 200
    assert response.context["staff"] == []
    assert response.context["grants"] == []
    assert response.context["can_manage"] is False


def test_the_manager_sees_the_team_and_the_grants_that_reach_the_centre(as_persona, world):
    response = as_persona("manager_a").get(
        reverse("programmes:centre_detail", args=[world.centre_a.pk])
    )
    staff = {m.user.full_name for m in response.context["staff"]}
    assert staff == {"Manager A", "Tutor A", "Safeguarding A"}
    assert [g.purpose for g in response.context["grants"]] == ["Liverpool holiday courses"]


def test_a_liverpool_tutor_asking_for_lambeth_gets_404(as_persona, world):
    response = as_persona("tutor_a").get(
        reverse("programmes:centre_detail", args=[world.centre_b.pk])
    )
    assert response.status_code == 404


def test_the_manager_edits_the_centre_and_the_change_is_audited(as_persona, world):
    client = as_persona("manager_a")
    response = client.post(
        reverse("programmes:centre_edit", args=[world.centre_a.pk]),
        {
            "name": "In Harmony Liverpool",
            "lead_organisation": world.organisation_a.pk,
            "area": world.area_a.pk,
            "opened": "2009-09-01",
            "status": "active",
            "address": "Faith Primary School, Everton",
            "email": "hello@example.org",
        },
    )
    assert response.status_code == 302
    world.centre_a.refresh_from_db()
    assert world.centre_a.address == "Faith Primary School, Everton"
    event = AuditEvent.objects.get(object_type="centre", action="updated")
    assert event.actor == world.manager_a
    assert event.changes["address"] == "Faith Primary School, Everton"


def test_a_centre_cannot_take_an_area_from_another_programme(as_persona, world):
    other_area = world.centre_v.area
    response = as_persona("programme_lead").post(
        reverse("programmes:centre_edit", args=[world.centre_a.pk]),
        {
            "name": "In Harmony Liverpool",
            "lead_organisation": world.organisation_a.pk,
            "area": other_area.pk,
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "area" in response.context["form"].errors


def test_the_manager_adds_and_removes_a_partner_school(as_persona, world):
    client = as_persona("manager_a")
    response = client.post(
        reverse("programmes:school_create", args=[world.centre_a.pk]),
        {
            "name": "Faith Primary",
            "urn": "104650",
            "phase": "primary",
            "local_authority": "Liverpool",
            "fsm_percent": "61.5",
            "pupils": "210",
        },
    )
    assert response.status_code == 302
    school = PartnerSchool.objects.get(name="Faith Primary")
    assert school.centre == world.centre_a
    response = client.post(reverse("programmes:school_delete", args=[school.pk]))
    assert response.status_code == 302
    assert not PartnerSchool.objects.filter(pk=school.pk).exists()
    assert AuditEvent.objects.filter(object_type="partnerschool", action="deleted").count() == 1


def test_a_bad_urn_and_percentage_are_named(as_persona, world):
    response = as_persona("manager_a").post(
        reverse("programmes:school_create", args=[world.centre_a.pk]),
        {
            "name": "X",
            "urn": "12AB",
            "phase": "primary",
            "local_authority": "L",
            "fsm_percent": "140",
        },  # fmt: skip
    )
    errors = response.context["form"].errors
    assert "A URN is 6 digits" in errors["urn"][0]
    assert "fsm_percent" in errors


def test_a_tutor_cannot_remove_a_school(as_persona, world):
    response = as_persona("tutor_a").post(
        reverse("programmes:school_delete", args=[world.school_a.pk])
    )
    assert response.status_code == 403
    assert PartnerSchool.objects.filter(pk=world.school_a.pk).exists()
