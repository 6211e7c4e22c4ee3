"""Recording and editing grants: the programme team edits, a funder viewer only reads."""

from decimal import Decimal

from django.urls import reverse

from harmonia.programmes.models import Grant


def grant_data(world, **overrides):
    data = {
        "funder": world.funder_dfe.pk,
        "reference": "ACE-2026",
        "purpose": "Holiday orchestra",
        "amount": "25000",
        "currency": "GBP",
        "start": "2026-09-01",
        "end": "2027-08-31",
        "centres": [world.centre_a.pk, world.centre_b.pk],
    }
    data.update(overrides)
    return data


def test_the_programme_lead_records_a_grant_to_two_centres(as_persona, world):
    response = as_persona("programme_lead").post(
        reverse("programmes:grant_create", args=[world.england.pk]), grant_data(world)
    )
    grant = Grant.objects.get(reference="ACE-2026")
    assert response.status_code == 302
    assert grant.amount == Decimal("25000")
    assert set(grant.centres.all()) == {world.centre_a, world.centre_b}


def test_a_grant_that_ends_before_it_starts_is_refused(as_persona, world):
    response = as_persona("programme_lead").post(
        reverse("programmes:grant_create", args=[world.england.pk]),
        grant_data(world, end="2025-01-01"),
    )
    assert response.status_code == 200
    assert "end" in response.context["form"].errors
    assert not Grant.objects.filter(reference="ACE-2026").exists()


def test_a_funder_viewer_asking_to_edit_a_grant_gets_403(as_persona, world):
    client = as_persona("funder")
    url = reverse("programmes:grant_edit", args=[world.grant_a.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, grant_data(world, purpose="Changed")).status_code == 403
    world.grant_a.refresh_from_db()
    assert world.grant_a.purpose == "Liverpool holiday courses"


def test_a_grant_cannot_name_another_programmes_centre_or_funder(as_persona, world):
    response = as_persona("programme_lead").post(
        reverse("programmes:grant_create", args=[world.england.pk]),
        grant_data(world, centres=[world.centre_v.pk], funder=world.grant_v.funder.pk),
    )
    assert set(response.context["form"].errors) == {"centres", "funder"}
