"""The demo staff and instruments: idempotent, with the promised cases."""

from faker import Faker

from harmonia.demo.instruments import load_staff_and_instruments
from harmonia.instruments.models import Instrument, RepairJob
from harmonia.staff.models import StaffMember, Status


def test_the_demo_is_idempotent_and_shows_a_lapsed_and_an_expiring_check(world):
    first = load_staff_and_instruments(world.england, Faker("en_GB"))
    again = load_staff_and_instruments(world.england, Faker("en_GB"))
    assert first == again
    # 40 instruments in each English centre, a few repairs.
    assert Instrument.objects.filter(centre=world.centre_a).count() == 40
    assert RepairJob.objects.filter(instrument__centre=world.centre_b).count() == 5
    statuses = dict(
        StaffMember.objects.filter(centre=world.centre_a)
        .with_safeguarding()
        .values_list("full_name", "safeguarding_status")
    )
    assert statuses["Tutor A"] == Status.LAPSED  # the first Liverpool tutor
    assert Status.MISSING in statuses.values()  # the volunteer awaiting a reference


def test_the_demo_loans_have_accepted_agreements(world):
    from harmonia.instruments.models import Loan
    from tests.instruments.builders import child

    for i in range(3):
        child(world, f"Demo{i}", "Child")
    counts = load_staff_and_instruments(world.england, Faker("en_GB"))
    loans = Loan.objects.filter(child__isnull=False)
    assert loans.count() == 3 == counts["loan agreements accepted"]
    for loan in loans:
        assert loan.agreement_accepted and loan.agreement_accepted_on == loan.lent_on
        assert loan.agreement_method in {"paper", "in_person", "email"}
