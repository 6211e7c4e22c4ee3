"""A second instrument of a type (warned or refused, per programme), size-ups that
count each child once, serial numbers at delivery, labels that scan and say where
to return them, and loan agreements a family can print, sign and have recorded."""

import datetime as dt
import re

import pytest
import segno
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from harmonia.audit.models import AuditEvent
from harmonia.instruments import services
from harmonia.instruments.models import Instrument, Loan, LoanRules
from harmonia.instruments.views import QUIET_ZONE
from tests.instruments.builders import TODAY, agreement, child, delivery, lend_to_child

TERM = dt.date(2027, 1, 6)


def _lend_form(kid, terms, **extra):
    return {"child": kid.pk, "lent_on": TODAY, "agreement": terms.pk,
            "accepted_by": "Grace Jones", "agreement_method": "paper",
            "accepted_on": TODAY, **extra}  # fmt: skip


# --- 7. a second instrument of the same type ---------------------------------------


def test_lending_a_second_violin_to_a_child_warns_and_needs_confirming(world, as_persona):
    kid = child(world)
    first, second = delivery(world, 2)
    lend_to_child(world, first, kid)
    client = as_persona("tutor_a")
    url = reverse("instruments:lend", args=[second.pk])
    page = client.post(url, _lend_form(kid, agreement(world))).content.decode()
    assert "Amara Jones already has a violin on loan (LIV-VN-0001)" in page
    assert 'type="checkbox" name="second_of_a_type"' in page
    assert Loan.objects.count() == 1  # nothing lent until confirmed
    client.post(url, _lend_form(kid, agreement(world), second_of_a_type="on"))
    assert Loan.objects.filter(child=kid).count() == 2
    event = AuditEvent.objects.filter(action="instrument lent").latest("id")
    assert event.changes["second of a type"] is True


def test_a_cello_after_a_violin_is_no_second_of_a_type(world):
    kid = child(world)
    lend_to_child(world, delivery(world, 1)[0], kid)
    cello = delivery(world, 1, instrument_type="cello", size="1/4")[0]
    services.lend(cello, by=world.manager_a, on=TODAY, child=kid, agreement=agreement(world),
                  accepted_by="Grace Jones", agreement_method="paper")  # fmt: skip
    assert Loan.objects.filter(child=kid).count() == 2


def test_a_programme_that_refuses_a_second_of_a_type_refuses_even_when_confirmed(world, as_persona):
    lead = as_persona("programme_lead")
    lead.post(
        reverse("instruments:agreements", args=[world.england.pk]),
        {"form": "rules", "second_of_a_type": "refuse"},
    )
    assert LoanRules.objects.get(programme=world.england).second_of_a_type == "refuse"
    kid = child(world)
    first, second = delivery(world, 2)
    lend_to_child(world, first, kid)
    page = as_persona("tutor_a").post(
        reverse("instruments:lend", args=[second.pk]),
        _lend_form(kid, agreement(world), second_of_a_type="on"),
        follow=True,
    )
    assert "this programme lends one of each instrument per child" in page.content.decode()
    assert Loan.objects.filter(child=kid).count() == 1
    second.refresh_from_db()
    assert second.status == "available"


def test_a_swap_is_not_a_second_of_a_type(world):
    kid = child(world)
    LoanRules.objects.create(programme=world.england, second_of_a_type="refuse")
    loan = lend_to_child(world, delivery(world, 1)[0], kid)
    bigger = delivery(world, 1, size="3/4")[0]
    new = services.swap(loan, bigger, by=world.manager_a, on=TODAY)
    assert new.child == kid and new.agreement_method == "paper"


# --- 8. the size-up list counts each child once ------------------------------------


def test_a_child_with_two_violins_is_one_size_up_and_one_needed(world, as_persona):
    kid = child(world, "Amara", "Jones", born=dt.date(2016, 6, 1))  # 10 next January: 3/4
    home, school = delivery(world, 2, size="1/4")
    lend_to_child(world, home, kid)
    lend_to_child(world, school, kid)
    other = child(world, "Bo", "Smith", born=dt.date(2016, 6, 1))
    lend_to_child(world, delivery(world, 1, size="1/4")[0], other)
    result = services.size_up_list(world.centre_a, world.manager_a, TERM)
    assert [row["child"] for row in result["rows"]] == [kid, other]
    assert result["children"] == 2
    [need] = result["shortfall"]
    assert (need["size"], need["needed"]) == ("3/4", 2)
    page = as_persona("manager_a").get(
        reverse("instruments:size_up", args=[world.centre_a.pk]), {"on": TERM.isoformat()}
    )
    html = page.content.decode()
    assert "2 children" in html and html.count("Amara Jones") == 1 and "also holds" in html


def test_a_child_whose_other_violin_is_already_big_enough_is_not_listed(world):
    kid = child(world, "Amara", "Jones", born=dt.date(2016, 6, 1))
    lend_to_child(world, delivery(world, 1, size="1/4")[0], kid)
    lend_to_child(world, delivery(world, 1, size="3/4")[0], kid)
    assert services.size_up_list(world.centre_a, world.manager_a, TERM)["rows"] == []


# --- 9. serial numbers at a delivery -----------------------------------------------


def _delivery_form(**extra):
    return {"count": 3, "instrument_type": "violin", "size": "1/2", "condition": "new",
            "value": "120", "owner": "centre", "acquired": TODAY, **extra}  # fmt: skip


def test_a_delivery_records_one_serial_number_per_instrument(world, as_persona):
    client = as_persona("manager_a")
    url = reverse("instruments:delivery", args=[world.centre_a.pk])
    client.post(url, _delivery_form(serial_numbers="ST-1001\r\nST-1002\r\n\r\nST-1003\r\n"))
    tags = Instrument.objects.order_by("asset_tag").values_list("asset_tag", "serial_number")
    assert list(tags) == [
        ("LIV-VN-0001", "ST-1001"), ("LIV-VN-0002", "ST-1002"), ("LIV-VN-0003", "ST-1003"),
    ]  # fmt: skip
    client.post(url, _delivery_form(count=1))  # serial numbers stay optional
    assert Instrument.objects.filter(serial_number="").count() == 1


@pytest.mark.parametrize(
    "serials, message",
    [("A1\nA2", "2 serial numbers for 3 instruments"),
     ("A1\nA2\na1", "Line 3: a1 is also on line 1."),
     ("A1\nA2\nST-1001", "Line 3: ST-1001 is already the serial number of LIV-VN-0001.")],
)  # fmt: skip
def test_serial_numbers_that_clash_refuse_the_whole_delivery(world, as_persona, serials, message):
    Instrument.objects.filter(pk=delivery(world, 1)[0].pk).update(serial_number="ST-1001")
    client = as_persona("manager_a")
    before = Instrument.objects.count()
    page = client.post(
        reverse("instruments:delivery", args=[world.centre_a.pk]),
        _delivery_form(serial_numbers=serials),
    ).content.decode()
    assert message in page
    assert Instrument.objects.count() == before


def test_a_serial_number_is_unique_in_the_programme(world):
    first, second = delivery(world, 2)
    Instrument.objects.filter(pk=first.pk).update(serial_number="ST-9")
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.filter(pk=second.pk).update(serial_number="ST-9")


# --- 10. labels ---------------------------------------------------------------------


def test_labels_have_a_quiet_zone_and_say_where_to_return_the_instrument(world, as_persona):
    centre = world.centre_a
    centre.address = "West Everton Community Centre\nEverton Road\nLiverpool L6 2EH"
    centre.phone = "0151 000 0000"
    centre.save()
    instrument = delivery(world, 1)[0]
    Instrument.objects.filter(pk=instrument.pk).update(serial_number="ST-42")
    page = as_persona("manager_a").get(reverse("instruments:labels", args=[centre.pk]))
    html = page.content.decode()
    assert (
        f"If found, return to {centre.name}, West Everton Community Centre, Everton Road, "
        "Liverpool L6 2EH, 0151 000 0000"
    ) in html
    assert "Serial ST-42" in html
    url = "http://testserver" + instrument.get_absolute_url()
    qr = segno.make(url, error="m")
    side = qr.symbol_size(scale=2, border=QUIET_ZONE)[0]
    assert QUIET_ZONE >= 4
    assert f'viewBox="0 0 {side} {side}"' in html
    [view_box] = re.findall(r'viewBox="0 0 (\d+) \d+"', html)
    assert int(view_box) == (qr.symbol_size(border=0)[0] + 2 * QUIET_ZONE) * 2


# --- 11. loan agreements printed, signed and recorded -------------------------------


def test_the_loan_agreement_prints_filled_in_and_as_a_pdf(world, as_persona):
    loan = lend_to_child(world)
    client = as_persona("tutor_a")
    page = client.get(reverse("instruments:loan_agreement", args=[loan.pk])).content.decode()
    for expected in ("Instrument loan agreement", "Amara Jones", loan.instrument.asset_tag,
                     "I will look after the instrument", "Signature", "If found, return to",
                     "Accepted by Grace Jones on"):  # fmt: skip
        assert expected in page, expected
    pdf = client.get(reverse("instruments:loan_agreement_pdf", args=[loan.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_guardians_acceptance_is_recorded_with_date_and_method(world, as_persona):
    loan = lend_to_child(world)
    client = as_persona("tutor_a")
    url = reverse("instruments:loan_agreement", args=[loan.pk])
    signed_on = TODAY - dt.timedelta(days=2)
    client.post(url, {"agreement": agreement(world).pk, "accepted_by": "Peter Jones",
                      "agreement_method": "email", "accepted_on": signed_on})  # fmt: skip
    loan.refresh_from_db()
    assert (loan.agreement_accepted_by, loan.agreement_method, loan.agreement_accepted_on) == (
        "Peter Jones", "email", signed_on,
    )  # fmt: skip
    assert loan.agreement_recorded_by == world.tutor_a
    event = AuditEvent.objects.filter(action="loan agreement accepted").get()
    assert "Peter Jones" not in str(event.changes)  # names stay out of the audit trail
    assert event.changes["accepted on"] == [TODAY.isoformat(), signed_on.isoformat()]
    assert event.changes["method"] == ["paper", "email"]
    page = client.get(url).content.decode()
    assert "Accepted by Peter Jones on" in page and "(by email)" in page


def test_an_acceptance_in_the_future_or_without_a_method_is_refused(world):
    loan = lend_to_child(world)
    today = timezone.localdate()
    for method, on in (("email", today + dt.timedelta(days=2)), ("", today)):
        with pytest.raises(ValidationError):
            services.record_agreement_acceptance(
                loan, agreement=agreement(world), accepted_by="P", method=method, on=on,
                by=world.manager_a,
            )  # fmt: skip
    loan.refresh_from_db()
    assert loan.agreement_method == "paper"


def test_a_school_loan_has_no_guardians_agreement_page(world, as_persona):
    loan = services.lend(delivery(world, 1)[0], by=world.manager_a, on=TODAY, school=world.school_a)
    response = as_persona("manager_a").get(reverse("instruments:loan_agreement", args=[loan.pk]))
    assert response.status_code == 404
