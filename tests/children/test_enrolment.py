"""Enrolment over time: status periods, active_on, the enrol form, duplicates, waiting list."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from harmonia.children import services
from harmonia.children.models import Child, ChildGuardian, EnrolmentPeriod, Guardian, Status
from tests.children.factories import make_child, make_guardian


def test_active_on_answers_for_any_past_date_in_one_query(world, django_assert_num_queries):
    ada = make_child(world, status=Status.WAITING, on=dt.date(2023, 1, 10))
    services.change_status(ada, status=Status.ACTIVE, on=dt.date(2023, 3, 1), by=None)
    services.change_status(ada, status=Status.PAUSED, on=dt.date(2023, 6, 1), by=None)
    services.change_status(ada, status=Status.ACTIVE, on=dt.date(2023, 9, 4), by=None)
    services.change_status(
        ada, status=Status.LEFT, on=dt.date(2024, 7, 20), by=None, reason="moved_away"
    )
    bob = make_child(world, first="Bob", on=dt.date(2023, 5, 1))  # active from 1 May 2023
    with django_assert_num_queries(1):
        active = set(Child.objects.active_on(dt.date(2023, 5, 15)))
    assert active == {ada, bob}
    assert set(Child.objects.active_on(dt.date(2023, 2, 1))) == set()  # Ada waiting
    assert set(Child.objects.active_on(dt.date(2023, 7, 1))) == {bob}  # Ada paused
    assert set(Child.objects.active_on(dt.date(2024, 7, 19))) == {ada, bob}
    assert set(Child.objects.active_on(dt.date(2024, 7, 20))) == {bob}  # Ada left that day
    assert ada.periods.count() == 5
    assert ada.periods.get(end__isnull=True).leaving_reason == "moved_away"


def test_leaving_needs_a_reason_and_cannot_be_backdated_before_the_current_status(world):
    ada = make_child(world, on=dt.date(2024, 9, 2))
    with pytest.raises(ValidationError):
        services.change_status(ada, status=Status.LEFT, on=dt.date(2025, 1, 1), by=None)
    with pytest.raises(ValidationError):
        services.change_status(
            ada, status=Status.PAUSED, on=dt.date(2024, 1, 1), by=None, reason=""
        )
    assert EnrolmentPeriod.objects.filter(child=ada).count() == 1


def test_the_manager_enrols_a_child_through_the_form(as_persona, world):
    client = as_persona("manager_a")
    response = client.post(
        reverse("children:enrol", args=[world.centre_a.pk]),
        {
            "first_name": "Grace",
            "last_name": "Hopper",
            "date_of_birth": "2016-12-09",
            "sex": "F",
            "school": world.school_a.pk,
            "year_group": "3",
            "upn": "b801200005001",
            "status": "waiting",
            "start": "2025-01-06",
        },
    )
    grace = Child.objects.get(first_name="Grace")
    assert response.status_code == 302
    assert response["Location"] == reverse("children:guardian_add", args=[grace.pk])
    assert grace.upn == "B801200005001"
    assert grace.status == Status.WAITING and grace.waiting_since == dt.date(2025, 1, 6)


def test_a_bad_upn_check_letter_is_refused_by_the_form(as_persona, world):
    response = as_persona("manager_a").post(
        reverse("children:enrol", args=[world.centre_a.pk]),
        {"first_name": "G", "last_name": "H", "date_of_birth": "2016-12-09", "sex": "F",
         "upn": "A801200005001", "status": "waiting", "start": "2025-01-06"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "not a valid UPN" in response.content.decode()
    assert not Child.objects.exists()


def test_a_possible_duplicate_child_is_shown_before_enrolling(as_persona, world):
    ada = make_child(world, upn="B801200005001")
    url = reverse("children:enrol", args=[world.centre_a.pk])
    data = {"first_name": "ada", "last_name": "LOVELACE", "date_of_birth": "2016-05-01",
            "sex": "F", "status": "waiting", "start": "2025-01-06"}  # fmt: skip
    response = as_persona("manager_a").post(url, data)
    assert response.status_code == 200
    assert "Possible duplicate" in response.content.decode()
    assert ada.get_absolute_url() in response.content.decode()
    assert Child.objects.count() == 1
    # Same UPN, different name: also a possible duplicate.
    response = as_persona("manager_a").post(
        url, {**data, "first_name": "Augusta", "upn": "B801200005001"}
    )
    assert "Possible duplicate" in response.content.decode()
    # The manager confirms it is another child.
    response = as_persona("manager_a").post(url, {**data, "confirm_new": "on"})
    assert response.status_code == 302
    assert Child.objects.count() == 2


def test_siblings_share_one_guardian_record(as_persona, world):
    ada = make_child(world)
    mary = make_guardian(ada)
    byron = make_child(world, first="Byron", dob=dt.date(2018, 1, 1))
    client = as_persona("manager_a")
    response = client.post(
        reverse("children:guardian_add", args=[byron.pk]),
        {"link-existing": mary.pk, "link-relationship": "mother", "link-priority": 1,
         "link-may_collect": "on", "link-emergency_contact": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Guardian.objects.count() == 1
    assert ChildGuardian.objects.filter(guardian=mary).count() == 2
    page = client.get(byron.get_absolute_url()).content.decode()
    assert "Brothers and sisters here" in page and ada.get_absolute_url() in page


def test_a_new_guardian_with_a_known_email_is_flagged_as_a_possible_duplicate(as_persona, world):
    ada = make_child(world)
    make_guardian(ada, email="mary@example.org")
    byron = make_child(world, first="Byron", dob=dt.date(2018, 1, 1))
    url = reverse("children:guardian_add", args=[byron.pk])
    data = {"link-relationship": "mother", "link-priority": 1, "guardian-first_name": "M",
            "guardian-last_name": "Lovelace", "guardian-email": "MARY@example.org"}  # fmt: skip
    response = as_persona("manager_a").post(url, data)
    assert response.status_code == 200
    assert "Possible duplicate" in response.content.decode()
    assert Guardian.objects.count() == 1
    response = as_persona("manager_a").post(url, {**data, "confirm_new": "1"})
    assert response.status_code == 302
    assert Guardian.objects.count() == 2


def test_waiting_list_order_offers_and_acceptance(as_persona, world):
    first = make_child(world, first="First", status=Status.WAITING, on=dt.date(2024, 1, 1))
    second = make_child(world, first="Second", status=Status.WAITING, on=dt.date(2024, 2, 1))
    assert list(services.waiting_list(world.centre_a)) == [first, second]
    offer = services.offer_place(first, on=dt.date(2024, 3, 1), respond_by=None, by=None)
    client = as_persona("manager_a")
    page = client.get(reverse("children:waiting_list", args=[world.centre_a.pk])).content.decode()
    assert page.index("First") < page.index("Second")
    response = client.post(
        reverse("children:offer_settle", args=[offer.pk]), {"outcome": "accepted"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Status.ACTIVE
    assert list(services.waiting_list(world.centre_a)) == [second]


def test_list_filters_by_school_year_and_status(as_persona, world):
    make_child(world, first="Ada", year="3")
    make_child(world, first="Bea", year="5", dob=dt.date(2014, 1, 1))
    make_child(world, first="Cat", year="3", status=Status.WAITING, dob=dt.date(2016, 2, 2))
    client = as_persona("tutor_a")
    url = reverse("children:child_list", args=[world.centre_a.pk])
    page = client.get(url, {"year_group": "3", "status": "active"}).content.decode()
    assert "Ada" in page and "Bea" not in page and "Cat" not in page
    page = client.get(url, {"q": "lovelace bea"}).content.decode()
    assert "Bea" in page and "Ada Lovelace" not in page
