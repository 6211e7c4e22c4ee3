"""Instruments, children and loans for tests, built through the services."""

import datetime as dt
from decimal import Decimal

from harmonia.children import services as children_services
from harmonia.children.models import Child
from harmonia.instruments import services
from harmonia.instruments.models import Instrument, LoanAgreement

TODAY = dt.date.today()


def delivery(world, count=3, *, centre=None, instrument_type="violin", size="1/2", value="120"):
    centre = centre or world.centre_a
    return services.receive_delivery(
        centre=centre,
        count=count,
        by=world.manager_a,
        instrument_type=instrument_type,
        size=size,
        make="Stentor",
        model_name="Student I",
        condition="new",
        value=Decimal(value),
        owner="centre",
        lender_name="",
        location="Store",
        acquired=TODAY,
    )


def instrument_a(world) -> Instrument:
    found = Instrument.objects.filter(centre=world.centre_a).order_by("pk").first()
    return found or delivery(world, 1)[0]


def photographed_instrument_a(world) -> Instrument:
    """Liverpool's first instrument with a (re-encoded) photo, through the edit form."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.forms.models import model_to_dict
    from PIL import Image

    from harmonia.instruments.forms import InstrumentForm

    instrument = instrument_a(world)
    if instrument.photo:
        return instrument
    out = io.BytesIO()
    Image.new("RGB", (240, 160), (150, 90, 40)).save(out, "JPEG")
    data = {k: v for k, v in model_to_dict(instrument).items() if v is not None and k != "photo"}
    photo = SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")
    form = InstrumentForm(data, {"photo": photo}, instance=instrument, centre=instrument.centre)
    assert form.is_valid(), form.errors
    return services.add_instrument(form, by=world.manager_a)


def child(world, first="Amara", last="Jones", *, born=None, centre=None) -> Child:
    centre = centre or world.centre_a
    existing = Child.objects.filter(first_name=first, last_name=last, centre=centre).first()
    if existing:
        return existing
    new = Child(
        centre=centre,
        first_name=first,
        last_name=last,
        date_of_birth=born or TODAY.replace(year=TODAY.year - 8),
    )
    return children_services.enrol_child(new, status="active", on=TODAY, by=world.manager_a)


def agreement(world) -> LoanAgreement:
    found = LoanAgreement.objects.filter(programme=world.england).first()
    return found or LoanAgreement.objects.create(
        programme=world.england,
        version=1,
        text="I will look after the instrument and return it when asked.",
        in_force_from=TODAY - dt.timedelta(days=365),
    )


def lend_to_child(world, instrument=None, kid=None):
    instrument = (
        instrument
        or Instrument.objects.filter(centre=world.centre_a, status="available").first()
        or delivery(world, 1)[0]
    )
    return services.lend(
        instrument,
        by=world.manager_a,
        on=TODAY,
        child=kid or child(world),
        agreement=agreement(world),
        accepted_by="Grace Jones",
        agreement_method="paper",
        # Builders lend freely to one child; the lending rules have their own tests.
        second_of_a_type_confirmed=True,
    )


def loan_a(world):
    from harmonia.instruments.models import Loan

    return Loan.objects.filter(centre=world.centre_a).first() or lend_to_child(world)


def repair_a(world):
    from harmonia.instruments.forms import RepairForm
    from harmonia.instruments.models import RepairJob

    found = RepairJob.objects.filter(instrument__centre=world.centre_a).first()
    if found:
        return found
    instrument = delivery(world, 1, instrument_type="cello", size="1/4")[0]
    form = RepairForm({"repairer": "Bridge & Bow", "fault": "Cracked bridge", "sent_on": TODAY})
    assert form.is_valid(), form.errors
    return services.send_for_repair(instrument, by=world.manager_a, form=form)
