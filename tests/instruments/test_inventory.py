"""Inventory: bulk deliveries, asset tags, labels, totals, and query counts."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from harmonia.instruments.models import Instrument
from harmonia.instruments.services import centre_code, set_status
from tests.instruments.builders import delivery, lend_to_child


def test_a_delivery_of_20_violins_is_tagged_in_sequence(world, django_assert_num_queries):
    # savepoint, lock/get the tag counter (+ create it), update it, bulk insert, audit, release
    created = delivery(world, 20)
    assert len(created) == 20
    tags = list(Instrument.objects.order_by("asset_tag").values_list("asset_tag", flat=True))
    assert tags[0] == "LIV-VN-0001" and tags[-1] == "LIV-VN-0020"
    assert {i.family for i in Instrument.objects.all()} == {"strings"}
    more = delivery(world, 2)
    assert [i.asset_tag for i in more] == ["LIV-VN-0021", "LIV-VN-0022"]
    cello = delivery(world, 1, instrument_type="cello", size="1/4")[0]
    assert cello.asset_tag == "LIV-VC-0001"
    assert centre_code(world.centre_b) == "LAM"


def test_one_delivery_is_one_insert(world, django_assert_num_queries):
    delivery(world, 1)
    # savepoint, lock the tag counter, update it, one bulk insert, the centre's
    # programme for the audit, audit insert (the release is not counted)
    with django_assert_num_queries(6):
        delivery(world, 5)
    with django_assert_num_queries(6):
        delivery(world, 50)
    assert Instrument.objects.count() == 56


def test_a_size_must_fit_the_instrument(world, as_persona):
    response = as_persona("manager_a").post(
        reverse("instruments:delivery", args=[world.centre_a.pk]),
        {
            "count": 2,
            "instrument_type": "viola",
            "size": "1/2",
            "condition": "new",
            "value": "300",
            "owner": "centre",
            "acquired": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "A viola comes in" in response.content.decode()
    assert not Instrument.objects.exists()


def test_the_delivery_form_leads_to_its_labels(world, as_persona):
    client = as_persona("manager_a")
    response = client.post(
        reverse("instruments:delivery", args=[world.centre_a.pk]),
        {
            "count": 20,
            "instrument_type": "violin",
            "size": "1/2",
            "make": "Stentor",
            "condition": "new",
            "value": "120",
            "owner": "centre",
            "acquired": "2026-01-01",
        },
    )
    assert response.status_code == 302
    labels = client.get(response["Location"])
    text = labels.content.decode()
    assert text.count('class="asset-label"') == 20
    assert text.count("<svg") == 20
    assert "LIV-VN-0001" in text and "LIV-VN-0020" in text


def test_the_qr_code_is_an_svg(world, as_persona):
    instrument = delivery(world, 1)[0]
    response = as_persona("tutor_a").get(reverse("instruments:instrument_qr", args=[instrument.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


def test_fleet_and_loan_values_are_database_totals(world):
    violins = delivery(world, 20, value="120")
    delivery(world, 2, instrument_type="cello", size="1/2", value="600")
    lend_to_child(world, violins[0])
    retired = Instrument.objects.filter(instrument_type="cello").first()
    set_status(retired, "retired", by=world.manager_a)
    totals = Instrument.objects.filter(centre=world.centre_a).totals()
    assert totals["fleet_value"] == Decimal("3000.00")  # 20 × 120 + 1 × 600
    assert totals["on_loan_value"] == Decimal("120.00")
    assert (totals["fleet"], totals["on_loan"], totals["available"]) == (21, 1, 20)


def test_an_instrument_on_loan_cannot_be_retired(world):
    loan = lend_to_child(world)
    with pytest.raises(ValidationError):
        set_status(loan.instrument, "retired", by=world.manager_a)


def test_inventory_queries_do_not_grow(world, as_persona, django_assert_num_queries):
    client = as_persona("tutor_a")
    url = reverse("instruments:inventory", args=[world.centre_a.pk])
    delivery(world, 3)
    lend_to_child(world)
    client.get(url)
    # session, user, centre, memberships, page count, instruments, their open loans,
    # access-log insert (one row per borrower shown), totals
    with django_assert_num_queries(9):
        client.get(url)
    delivery(world, 40)
    lend_to_child(world)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.content.decode().count("Amara Jones") == 2


def test_the_programme_fleet_sums_each_centre(world, as_persona, django_assert_num_queries):
    delivery(world, 3, value="100")
    delivery(world, 2, centre=world.centre_b, value="50")
    lend_to_child(world)
    lead = as_persona("programme_lead")
    url = reverse("instruments:programme_fleet", args=[world.england.pk])
    lead.get(url)
    # session, user, programme, memberships, centres (grouped), totals
    with django_assert_num_queries(6):
        response = lead.get(url)
    rows = {c["centre__name"]: c for c in response.context["centres"]}
    assert rows["In Harmony Liverpool"]["fleet_value"] == Decimal("300.00")
    assert rows["In Harmony Liverpool"]["on_loan"] == 1
    assert rows["In Harmony Lambeth"]["fleet"] == 2
    assert response.context["totals"]["fleet_value"] == Decimal("400.00")
    # A Liverpool tutor sees Liverpool only.
    mine = as_persona("tutor_a").get(url).context["centres"]
    assert [c["centre__name"] for c in mine] == ["In Harmony Liverpool"]
