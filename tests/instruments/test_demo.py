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
