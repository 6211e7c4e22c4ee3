"""Size-ups for next term, measurements, repairs and stock."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from harmonia.instruments import services
from harmonia.instruments.forms import RepairForm
from harmonia.instruments.models import Consumable, Instrument
from tests.instruments.builders import TODAY, child, delivery, lend_to_child

TERM = dt.date(2027, 1, 6)


def test_a_child_who_has_grown_is_on_the_size_up_list(world, as_persona):
    quarter = delivery(world, 1, size="1/4")[0]
    delivery(world, 2, size="1/2")
    kid = child(world, "Amara", "Jones", born=dt.date(2019, 3, 1))  # 7 at the start of term
    lend_to_child(world, quarter, kid)
    result = services.size_up_list(world.centre_a, world.manager_a, TERM)
    assert result["rows"] == []  # 7 years old: 1/4 by age
    services.record_measurement(kid, arm_length_cm=Decimal("52"), on=TODAY, by=world.tutor_a)
    result = services.size_up_list(world.centre_a, world.manager_a, TERM)
    [row] = result["rows"]
    assert (row["child"], row["suggested"], row["basis"], row["in_stock"]) == (kid, "1/2", "arm", 2)
    page = as_persona("tutor_a").get(
        reverse("instruments:size_up", args=[world.centre_a.pk]), {"on": TERM.isoformat()}
    )
    assert "Amara Jones" in page.content.decode()


def test_age_alone_moves_a_child_up(world):
    kid = child(world, "Old", "Enough", born=dt.date(2016, 6, 1))  # 10 next January
    lend_to_child(world, delivery(world, 1, size="1/4")[0], kid)
    [row] = services.size_up_list(world.centre_a, world.manager_a, TERM)["rows"]
    assert (row["suggested"], row["basis"], row["in_stock"]) == ("3/4", "age", 0)


def test_size_up_queries_do_not_grow(world, as_persona, django_assert_num_queries):
    client = as_persona("manager_a")
    url = reverse("instruments:size_up", args=[world.centre_a.pk]) + "?on=2027-01-06"
    for i in range(2):
        lend_to_child(world, delivery(world, 1, size="1/16")[0], child(world, f"A{i}", "Kid"))
    client.get(url)
    # session, user, centre, memberships, loans, measurements, stock, access-log insert
    with django_assert_num_queries(8):
        client.get(url)
    for i in range(8):
        lend_to_child(world, delivery(world, 1, size="1/16")[0], child(world, f"B{i}", "Kid"))
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.content.decode().count("Kid</a>") == 10


def test_repairs_move_the_instrument_status(world, as_persona):
    instrument = delivery(world, 1)[0]
    client = as_persona("manager_a")
    client.post(
        reverse("instruments:repair_create", args=[instrument.pk]),
        {"repairer": "Bridge & Bow", "fault": "Open seam", "sent_on": TODAY, "estimate": "40"},
    )
    instrument.refresh_from_db()
    assert instrument.status == "in_repair"
    job = instrument.repairs.get()
    client.post(
        reverse("instruments:repair_return", args=[job.pk]),
        {"returned_on": TODAY, "cost": "35.50", "condition": "good"},
    )
    instrument.refresh_from_db()
    job.refresh_from_db()
    assert (instrument.status, job.cost) == ("available", Decimal("35.50"))


def test_an_instrument_on_loan_cannot_go_for_repair(world):
    loan = lend_to_child(world)
    form = RepairForm({"repairer": "X", "fault": "Y", "sent_on": TODAY})
    assert form.is_valid()
    with pytest.raises(ValidationError):
        services.send_for_repair(loan.instrument, by=world.manager_a, form=form)
    assert Instrument.objects.get(pk=loan.instrument_id).status == "on_loan"


def test_stock_is_received_and_issued(world, as_persona):
    strings = Consumable.objects.create(
        programme=world.england, name="Violin A string 1/2", category="strings", reorder_level=5
    )
    services.move_stock(
        consumable=strings, centre=world.centre_a, kind="received", quantity=10, on=TODAY,
        by=world.manager_a,
    )  # fmt: skip
    services.move_stock(
        consumable=strings, centre=world.centre_a, kind="issued", quantity=7, on=TODAY,
        by=world.manager_a,
    )  # fmt: skip
    assert services.stock_levels(world.centre_a) == {strings.pk: 3}
    assert services.stock_levels(world.centre_b) == {}
    with pytest.raises(ValidationError):
        services.move_stock(
            consumable=strings, centre=world.centre_a, kind="issued", quantity=4, on=TODAY,
            by=world.manager_a,
        )  # fmt: skip
    page = as_persona("tutor_a").get(reverse("instruments:stock", args=[world.centre_a.pk]))
    assert "reorder" in page.content.decode()
    assert (
        as_persona("tutor_a")
        .post(reverse("instruments:stock", args=[world.centre_a.pk]), {"form": "move"})
        .status_code
        == 403
    )
