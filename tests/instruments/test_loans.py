"""Lending, returning, swapping; overdue returns; histories; query counts."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from harmonia.children import services as children_services
from harmonia.instruments import services
from harmonia.instruments.models import Instrument, Loan
from tests.instruments.builders import TODAY, agreement, child, delivery, lend_to_child


def test_a_tutor_lends_to_a_child_with_the_agreement_recorded(world, as_persona):
    instrument = delivery(world, 1)[0]
    kid = child(world)
    terms = agreement(world)
    client = as_persona("tutor_a")
    url = reverse("instruments:lend", args=[instrument.pk])
    refused = client.post(url, {"child": kid.pk, "lent_on": TODAY, "agreement": terms.pk})
    assert "Who accepted the agreement?" in refused.content.decode()
    client.post(
        url,
        {"child": kid.pk, "lent_on": TODAY, "agreement": terms.pk, "accepted_by": "Grace Jones",
         "agreement_method": "paper", "accepted_on": TODAY},
    )  # fmt: skip
    loan = Loan.objects.get()
    assert (loan.child, loan.agreement, loan.agreement_accepted_by) == (kid, terms, "Grace Jones")
    assert (loan.agreement_method, loan.agreement_accepted_on) == ("paper", TODAY)
    assert loan.agreement_accepted_at is not None and loan.lent_by == world.tutor_a
    instrument.refresh_from_db()
    assert instrument.status == "on_loan"


def test_an_instrument_on_loan_cannot_be_lent_twice(world):
    loan = lend_to_child(world)
    with pytest.raises(ValidationError):
        services.lend(loan.instrument, by=world.manager_a, on=TODAY, school=world.school_a)


def test_lend_to_a_school_for_whole_class_teaching(world):
    instrument = delivery(world, 1)[0]
    loan = services.lend(instrument, by=world.manager_a, on=TODAY, school=world.school_a)
    assert loan.borrower == world.school_a and loan.agreement is None
    with pytest.raises(ValidationError):
        services.lend(delivery(world, 1)[0], by=world.manager_a, on=TODAY, school=world.school_b)


def test_return_and_swap(world, as_persona):
    loan = lend_to_child(world)
    bigger = delivery(world, 1, size="3/4")[0]
    client = as_persona("tutor_a")
    client.post(
        reverse("instruments:loan_swap", args=[loan.pk]),
        {"new_instrument": bigger.pk, "returned_on": TODAY, "condition": "fair"},
    )
    old, new = Loan.objects.order_by("id")
    assert old.returned_on == TODAY and old.condition_in == "fair"
    assert new.instrument == bigger and new.child == old.child
    assert new.agreement == old.agreement and new.returned_on is None
    assert Instrument.objects.get(pk=old.instrument_id).status == "available"
    client.post(
        reverse("instruments:loan_return", args=[new.pk]),
        {"returned_on": TODAY, "condition": "good"},
    )
    assert Instrument.objects.get(pk=bigger.pk).status == "available"
    history = client.get(reverse("instruments:child_instruments", args=[old.child_id]))
    assert history.content.decode().count("Grace Jones") == 2


def test_children_who_left_with_an_instrument_are_listed(world, as_persona):
    stays = lend_to_child(world)
    goes = lend_to_child(world, kid=child(world, "Leo", "Left"))
    children_services.change_status(
        goes.child, status="left", on=TODAY + dt.timedelta(days=1), by=world.manager_a,
        reason="moved_away",
    )  # fmt: skip
    assert list(services.overdue_because_left(Loan.objects.all())) == [goes]
    page = as_persona("manager_a").get(reverse("instruments:loan_list", args=[world.centre_a.pk]))
    overdue = (
        page.content.decode().split("Overdue: children who have left")[1].split("</section>")[0]
    )
    assert "Leo Left" in overdue and str(stays.child) not in overdue


def test_loan_list_queries_do_not_grow(world, as_persona, django_assert_num_queries):
    client = as_persona("manager_a")
    url = reverse("instruments:loan_list", args=[world.centre_a.pk])
    delivery(world, 12)
    lend_to_child(world)
    client.get(url)
    # session, user, centre, memberships, open loans, recently returned, access-log insert
    with django_assert_num_queries(7):
        client.get(url)
    for i in range(10):
        lend_to_child(world, kid=child(world, f"Kid{i}", "Many"))
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count("Many</a>") == 10
