"""The programme overview: centres, partner schools and grants, scoped by role."""

from django.urls import reverse

from tests.conftest import _centre, _school


def url(world):
    return reverse("programmes:programme_detail", args=[world.england.pk])


def test_it_lists_centres_with_lead_organisation_schools_and_grants(as_persona, world):
    response = as_persona("programme_lead").get(url(world))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("In Harmony Liverpool", "Royal Liverpool Phil", "Everton Primary",
                 "Stockwell Primary", "Liverpool holiday courses", "Expansion"):  # fmt: skip
        assert text in page
    assert [c.name for c in response.context["centres"]] == [
        "In Harmony Lambeth",
        "In Harmony Liverpool",
    ]
    totals = list(response.context["grant_totals"])
    assert totals == [{"currency": "GBP", "total": 1045000}]


def test_a_tutor_sees_only_their_own_centre_and_no_grants(as_persona, world):
    response = as_persona("tutor_a").get(url(world))
    assert [c.name for c in response.context["centres"]] == ["In Harmony Liverpool"]
    assert [s.name for s in response.context["schools"]] == ["Everton Primary"]
    assert list(response.context["grants"]) == []
    assert "Stockwell" not in response.content.decode()


def test_a_centre_manager_sees_grants_to_their_centre_only(as_persona, world):
    response = as_persona("manager_a").get(url(world))
    assert [g.purpose for g in response.context["grants"]] == ["Liverpool holiday courses"]


def test_the_funder_sees_every_grant_but_no_edit_buttons(as_persona, world):
    response = as_persona("funder").get(url(world))
    assert {g.purpose for g in response.context["grants"]} == {
        "Liverpool holiday courses",
        "Expansion",
    }
    page = response.content.decode()
    assert reverse("programmes:grant_create", args=[world.england.pk]) not in page
    assert reverse("programmes:programme_edit", args=[world.england.pk]) not in page


def test_another_programme_is_not_found(as_persona, world):
    assert as_persona("outsider").get(url(world)).status_code == 404


def test_query_count_does_not_grow_with_centres(as_persona, world, django_assert_num_queries):
    client = as_persona("programme_lead")
    client.get(url(world))  # warm the session
    # session, user, programme, memberships (nav), centres, schools, grants,
    # grant recipients (prefetch), grant totals, children reached by centre (equity)
    with django_assert_num_queries(10):
        client.get(url(world))
    for n in range(6):
        centre = _centre(world.england, f"Centre {n}", f"Area {n}", f"Org {n}")
        _school(centre, f"School {n}", f"1{n:05d}")
    with django_assert_num_queries(10):
        response = client.get(url(world))
    assert len(response.context["centres"]) == 8
