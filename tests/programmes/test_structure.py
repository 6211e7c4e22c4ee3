"""Areas, lead organisations and funders, edited in the staff pages."""

import pytest
from django.urls import reverse

from harmonia.programmes.models import Area, Funder, LeadOrganisation


@pytest.mark.parametrize(
    ("kind", "model", "data"),
    [
        ("area", Area, {"name": "Kirkdale", "local_authority": "Liverpool",
                        "deprivation_decile": "1"}),
        ("organisation", LeadOrganisation, {"name": "Halle", "kind": "orchestra",
                                            "website": "halle.co.uk"}),
        ("funder", Funder, {"name": "Youth Music", "kind": "trust", "website": ""}),
    ],
)  # fmt: skip
def test_the_programme_lead_creates_each_kind(as_persona, world, kind, model, data):
    response = as_persona("programme_lead").post(
        reverse("programmes:structure_create", args=[world.england.pk, kind]), data
    )
    assert response.status_code == 302
    obj = model.objects.get(name=data["name"])
    assert obj.programme == world.england
    if kind == "organisation":
        assert obj.website == "https://halle.co.uk"


def test_a_decile_outside_one_to_ten_is_refused(as_persona, world):
    response = as_persona("programme_lead").post(
        reverse("programmes:structure_create", args=[world.england.pk, "area"]),
        {"name": "Nowhere", "deprivation_decile": "11"},
    )
    assert "deprivation_decile" in response.context["form"].errors


def test_an_unknown_kind_is_not_found(as_persona, world):
    response = as_persona("programme_lead").get(
        reverse("programmes:structure_create", args=[world.england.pk, "planet"])
    )
    assert response.status_code == 404


def test_the_structure_page_lists_all_three(as_persona, world):
    response = as_persona("programme_lead").get(
        reverse("programmes:programme_structure", args=[world.england.pk])
    )
    assert [a.name for a in response.context["areas"]] == ["Stockwell", "West Everton"]
    assert [f.name for f in response.context["funders"]] == ["Department for Education"]
