"""The navigation fits one row at 1280 px for managers and leads (the daily pages, the
rest under "More"), and the current section is the one the page belongs to."""

import pytest
from django.urls import reverse

from harmonia.accounts.models import Membership, Role
from tests.instruments.builders import loan_a


def menu(response):
    return response.context["nav_menu"]


def top_labels(response):
    return [item.label for item in menu(response)]


def more(response):
    return [c.label for c in menu(response)[-1].children]


def current(response):
    found = []
    for item in menu(response):
        if item.current:
            found.append(item.label)
        found += [c.label for c in item.children if c.current]
    return found


def test_a_manager_sees_the_daily_pages_and_the_rest_under_more(as_persona, world):
    response = as_persona("manager_a").get(reverse("home"))
    assert top_labels(response) == [
        "Home",
        "Registers",
        "Children",
        "Staff",
        "Instruments",
        "Ensembles",
        "Timetable",
        "Raise a concern",
        "More",
    ]
    assert more(response) == [
        "In Harmony Liverpool",
        "Centre dashboard",
        "In Harmony England",
        "Downloads",
    ]


def test_a_programme_lead_sees_the_programme_pages_and_the_rest_under_more(as_persona, world):
    response = as_persona("programme_lead").get(reverse("home"))
    assert top_labels(response) == [
        "Home",
        "In Harmony England",
        "Attendance",
        "Dashboard",
        "People and roles",
        "Single central record",
        "Instruments",
        "More",
    ]
    assert more(response) == ["Areas, organisations and funders", "Downloads"]


def test_someone_in_two_centres_gets_a_menu_for_each(as_persona, world):
    Membership.objects.create(user=world.tutor_a, role=Role.TUTOR, centre=world.centre_b)
    response = as_persona("tutor_a").get(reverse("children:child_list", args=[world.centre_b.pk]))
    menus = {item.label: item for item in menu(response) if item.is_menu}
    assert {"In Harmony Liverpool", "In Harmony Lambeth"} <= set(menus)
    lambeth = menus["In Harmony Lambeth"]
    assert lambeth.current and [c.label for c in lambeth.children if c.current] == ["Children"]
    assert not menus["In Harmony Liverpool"].current


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (lambda w: reverse("staff:central_record", args=[w.centre_a.pk]), ["Staff"]),
        (lambda w: reverse("instruments:size_up", args=[w.centre_a.pk]), ["Instruments"]),
        (lambda w: reverse("instruments:loan_list", args=[w.centre_a.pk]), ["Instruments"]),
        (lambda w: reverse("instruments:loan_return", args=[loan_a(w).pk]), ["Instruments"]),
        (lambda w: reverse("children:child_detail", args=[loan_a(w).child_id]), ["Children"]),
        (lambda w: reverse("children:consent_campaign", args=[w.centre_a.pk]), ["Children"]),
        (lambda w: reverse("ensembles:centre_attendance", args=[w.centre_a.pk]), ["Ensembles"]),
        (
            lambda w: reverse("programmes:centre_detail", args=[w.centre_a.pk]),
            ["More", "In Harmony Liverpool"],
        ),
        (
            lambda w: reverse("reports:centre_dashboard", args=[w.centre_a.pk]),
            ["More", "Centre dashboard"],
        ),
        (lambda w: reverse("home"), ["Home"]),
    ],
)
def test_the_current_section_is_the_one_the_page_belongs_to(as_persona, world, url, expected):
    response = as_persona("manager_a").get(url(world))
    assert response.status_code == 200
    assert current(response) == expected


def test_the_programme_central_record_highlights_the_central_record(as_persona, world):
    response = as_persona("programme_lead").get(
        reverse("staff:programme_central_record", args=[world.england.pk])
    )
    assert current(response) == ["Single central record"]
