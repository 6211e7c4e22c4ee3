"""Demo instruments: about 40 per English centre, a loan agreement, loans to the
demo children (when the children demo has made some), a few repairs, and string
stock. Idempotent: a centre that already has instruments is left alone."""

import datetime as dt
import random
from decimal import Decimal

from harmonia.instruments import services, sizing
from harmonia.instruments.models import (
    Consumable,
    Instrument,
    InstrumentStatus,
    LoanAgreement,
    RepairJob,
    StockMovement,
)

# type, size, count, make, model, value
FLEET = [
    ("violin", "1/4", 8, "Stentor", "Student I", "95"),
    ("violin", "1/2", 10, "Stentor", "Student II", "120"),
    ("violin", "3/4", 6, "Gliga", "Genial", "180"),
    ("violin", "4/4", 2, "Hidersine", "Vivente", "260"),
    ("viola", "13", 3, "Stentor", "Student II", "190"),
    ("cello", "1/4", 2, "Primavera", "90", "420"),
    ("cello", "1/2", 3, "Stentor", "Student I", "480"),
    ("double_bass", "1/2", 1, "Stentor", "Student", "950"),
    ("flute", "full", 2, "Yamaha", "YFL-212", "420"),
    ("trumpet", "full", 2, "Jupiter", "JTR500", "380"),
    ("percussion", "full", 1, "Premier", "Snare kit", "150"),
]
AGREEMENT = (
    "The instrument stays the property of the programme. We will keep it in its case, "
    "away from heat and damp, bring it to every session, and tell the centre at once if it "
    "is damaged or lost. We will return it when asked, or when our child leaves the centre."
)
CONSUMABLES = [
    ("Violin E string 1/2", "strings", 10),
    ("Violin A string 1/2", "strings", 10),
    ("Cello A string 1/2", "strings", 4),
    ("Rosin (cake)", "rosin", 10),
    ("Valve oil", "oil", 3),
]


def load_instruments(programme, manager_for, today=None) -> int:
    """``manager_for(centre)``: the user the demo records as doing the work."""
    from harmonia.children.models import Child

    today = today or dt.date.today()
    rng = random.Random(42)
    agreement, _ = LoanAgreement.objects.get_or_create(
        programme=programme,
        version=1,
        defaults={"text": AGREEMENT, "in_force_from": dt.date(today.year - 2, 9, 1)},
    )
    items = []
    for name, category, reorder in CONSUMABLES:
        item, _ = Consumable.objects.get_or_create(
            programme=programme,
            name=name,
            defaults={"category": category, "reorder_level": reorder},
        )
        items.append(item)
    for centre in programme.centres.all():
        if Instrument.objects.filter(centre=centre).exists():
            continue
        by = manager_for(centre)
        for kind, size, count, make, model, value in FLEET:
            services.receive_delivery(
                centre=centre, count=count, by=by, instrument_type=kind, size=size, make=make,
                model_name=model, condition=rng.choice(["new", "good", "good", "fair"]),
                value=Decimal(value), owner="centre", lender_name="", location="Store room",
                acquired=dt.date(today.year - rng.randint(0, 6), 9, 1),
            )  # fmt: skip
        stock = list(
            Instrument.objects.filter(centre=centre, status=InstrumentStatus.AVAILABLE).order_by(
                "asset_tag"
            )
        )
        # A few repairs: two away now, three done this year.
        for instrument in stock[-5:]:
            job = RepairJob.objects.create(
                instrument=instrument,
                repairer="Bridge & Bow Repairs",
                fault=rng.choice(["Open seam", "Cracked bridge", "Stuck peg", "Dented bell"]),
                sent_on=today - dt.timedelta(days=rng.randint(10, 120)),
                estimate=Decimal(rng.randint(25, 90)),
                sent_by=by,
            )
            if instrument in stock[-3:]:
                job.returned_on = job.sent_on + dt.timedelta(days=14)
                job.cost = job.estimate
                job.save(update_fields=["returned_on", "cost"])
            else:
                instrument.status = InstrumentStatus.IN_REPAIR
                instrument.save(update_fields=["status"])
        # Loans to the centre's active children, sized by age.
        free = [i for i in stock[:-5] if i.instrument_type in ("violin", "viola", "cello")]
        children = Child.objects.filter(centre=centre, status="active").order_by("pk")[:28]
        for child in children:
            # The size that fits the child's age, never the nearest in the cupboard:
            # another instrument type that fits is better than a wrong size.
            first = rng.choice(["violin", "violin", "violin", "viola", "cello"])
            match = None
            for kind in [first, "violin", "viola", "cello"]:
                want, _basis = sizing.suggest_size(
                    kind, born=child.date_of_birth, on=today, arm_cm=None
                )
                match = next(
                    (i for i in free if i.instrument_type == kind and i.size == want), None
                )
                if match is not None:
                    break
            if match is None:
                continue
            free.remove(match)
            services.lend(
                match, by=by, on=today - dt.timedelta(days=rng.randint(20, 400)), child=child,
                agreement=agreement, accepted_by="Parent or carer",
            )  # fmt: skip
        for item in items:
            StockMovement.objects.create(
                consumable=item, centre=centre, kind="received", quantity=rng.randint(8, 30),
                on=today - dt.timedelta(days=90), by=by,
            )  # fmt: skip
            StockMovement.objects.create(
                consumable=item, centre=centre, kind="issued", quantity=-rng.randint(2, 12),
                on=today - dt.timedelta(days=20), by=by,
            )  # fmt: skip
    return Instrument.objects.filter(programme=programme).count()


def load_staff_and_instruments(programme, faker) -> dict:
    """The demo loader's one call into this module and harmonia.demo.staff."""
    from harmonia.accounts.models import Membership, Role
    from harmonia.demo.staff import load_staff

    managers = {
        m.centre_id: m.user
        for m in Membership.objects.filter(
            centre__programme=programme, role=Role.CENTRE_MANAGER
        ).select_related("user")
    }
    from harmonia.demo.loan_agreements import accept_demo_agreements

    return {
        "staff records": load_staff(programme, faker),
        "instruments": load_instruments(programme, lambda c: managers.get(c.pk)),
        "loan agreements accepted": accept_demo_agreements(programme, lambda c: managers.get(c.pk)),
    }
