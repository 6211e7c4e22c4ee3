"""Instrument pages name a child only to someone who may see that child: a programme
lead sees every loan and size-up of Liverpool, but as "a child of …", never a name
(docs/permissions.md); the per-child page is 403 for them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from harmonia.instruments import services
from harmonia.instruments.models import Instrument, Loan
from tests.instruments import builders
from tests.matrix.instruments import CASES

NAMES = ("Amara", "Jones", "Kwame", "Mensah", "Grace Jones", "Kofi Mensah")


@pytest.fixture
def loans(world):
    violins = builders.delivery(world, 3, size="1/4")
    amara = builders.child(world, "Amara", "Jones")
    kwame = builders.child(world, "Kwame", "Mensah")
    first = builders.lend_to_child(world, violins[0], amara)
    services.lend(
        violins[1],
        by=world.manager_a,
        on=builders.TODAY,
        child=kwame,
        agreement=builders.agreement(world),
        accepted_by="Kofi Mensah",
    )
    for kid in (amara, kwame):  # long arms on quarter-size violins: due a size-up
        services.record_measurement(
            kid, arm_length_cm=Decimal("58"), on=builders.TODAY - dt.timedelta(days=1),
            by=world.manager_a,
        )  # fmt: skip
    services.return_loan(first, by=world.manager_a, on=builders.TODAY, condition="good")
    builders.lend_to_child(world, violins[2], amara)
    return [amara, kwame]


def _urls(world):
    for name, case in CASES.items():
        if name == "instruments:child_instruments":
            continue
        yield reverse(name, kwargs=case.kwargs(world))
    for instrument in Instrument.objects.filter(centre=world.centre_a):
        yield reverse("instruments:instrument_detail", args=[instrument.pk])
    for loan in Loan.objects.filter(centre=world.centre_a, returned_on=None):
        yield reverse("instruments:loan_return", args=[loan.pk])
        yield reverse("instruments:loan_swap", args=[loan.pk])


def test_no_instrument_page_names_a_child_to_the_programme_lead(world, as_persona, loans):
    client = as_persona("programme_lead")
    crawled = 0
    for url in _urls(world):
        response = client.get(url)
        if response.status_code != 200:
            continue
        crawled += 1
        if response.streaming:  # a photo or a download: bytes, searched all the same
            html = b"".join(response.streaming_content).decode(errors="replace")
        else:
            html = response.content.decode()
        for name in NAMES:
            assert name not in html, (url, name)
    assert crawled >= 15
    loan_list = client.get(reverse("instruments:loan_list", args=[world.centre_a.pk]))
    assert "a child of In Harmony Liverpool" in loan_list.content.decode()


def test_the_size_up_page_names_the_children_for_their_tutor(world, as_persona, loans):
    html = (
        as_persona("tutor_a")
        .get(reverse("instruments:size_up", args=[world.centre_a.pk]))
        .content.decode()
    )
    assert "Amara Jones" in html and "Kwame Mensah" in html
    html = (
        as_persona("programme_lead")
        .get(reverse("instruments:size_up", args=[world.centre_a.pk]))
        .content.decode()
    )
    assert "a child of In Harmony Liverpool" in html


def test_a_childs_instruments_page_is_403_for_the_programme_lead(world, as_persona, loans):
    url = reverse("instruments:child_instruments", args=[loans[0].pk])
    assert as_persona("programme_lead").get(url).status_code == 403
    assert as_persona("tutor_a").get(url).status_code == 200
    assert as_persona("manager_a").get(url).status_code == 200
