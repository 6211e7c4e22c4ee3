"""The safeguarding status worked out in SQL, and the is_cleared_to_lead hook."""

import datetime as dt

import pytest

from harmonia.staff.models import CheckKind, StaffMember, Status
from harmonia.staff.services import check_expiry, is_cleared_to_lead
from tests.staff.builders import TODAY, add_check, add_staff, fully_checked


def status(staff, on=TODAY):
    return StaffMember.objects.filter(pk=staff.pk).with_safeguarding(on).get().safeguarding_status


def test_a_tutor_with_every_check_is_clear(world):
    staff = fully_checked(world)
    assert status(staff) == Status.CLEAR
    assert is_cleared_to_lead(staff)


def test_a_missing_reference_makes_the_status_missing(world):
    staff = fully_checked(world)
    staff.checks.filter(kind=CheckKind.REFERENCE).first().delete()
    assert status(staff) == Status.MISSING
    assert not is_cleared_to_lead(staff)


def test_a_basic_dbs_does_not_count_for_a_tutor(world):
    staff = add_staff(world)
    year_ago = TODAY - dt.timedelta(days=365)
    add_check(world, staff, CheckKind.DBS, year_ago, dbs_level="basic")
    for kind in (CheckKind.TRAINING, CheckKind.IDENTITY, CheckKind.RIGHT_TO_WORK):
        add_check(world, staff, kind, year_ago)
    add_check(world, staff, CheckKind.REFERENCE, year_ago)
    add_check(world, staff, CheckKind.REFERENCE, year_ago)
    assert status(staff) == Status.MISSING


def test_an_expired_dbs_lapses_and_the_tutor_cannot_lead(world):
    # Issued three years and a day ago, with no update service: lapsed yesterday.
    issued = TODAY - dt.timedelta(days=3 * 365 + 1)
    staff = fully_checked(world, dbs_issued=issued, user=world.tutor_a)
    assert status(staff) == Status.LAPSED
    assert is_cleared_to_lead(staff) is False
    assert is_cleared_to_lead(world.tutor_a) is False
    # It was fine a month ago.
    assert is_cleared_to_lead(world.tutor_a, on=TODAY - dt.timedelta(days=30)) is True


def test_a_dbs_expiring_within_30_days_is_expiring_but_still_cleared(world):
    issued = TODAY - dt.timedelta(days=3 * 365 - 20)
    staff = fully_checked(world, dbs_issued=issued)
    assert status(staff) == Status.EXPIRING
    assert is_cleared_to_lead(staff)
    # ... and lapsed on the day after it expires.
    assert not is_cleared_to_lead(staff, on=TODAY + dt.timedelta(days=21))


def test_the_update_service_renews_a_dbs(world):
    old = TODAY - dt.timedelta(days=5 * 365)
    staff = fully_checked(world, dbs_issued=TODAY)
    dbs = staff.checks.get(kind=CheckKind.DBS)
    dbs.completed, dbs.update_service, dbs.update_service_checked = old, True, TODAY
    assert check_expiry(dbs) == TODAY + dt.timedelta(days=365)


def test_checks_completed_after_the_date_do_not_count(world):
    staff = fully_checked(world)
    assert not is_cleared_to_lead(staff, on=TODAY - dt.timedelta(days=400))


def test_a_user_without_a_staff_record_is_not_cleared(world):
    assert is_cleared_to_lead(world.manager_a) is False
    assert is_cleared_to_lead(None) is False


def test_someone_who_has_left_is_not_cleared(world):
    staff = fully_checked(world)
    StaffMember.objects.filter(pk=staff.pk).update(left=TODAY - dt.timedelta(days=1))
    assert not is_cleared_to_lead(staff)


@pytest.mark.parametrize("staff_type", ["volunteer", "admin"])
def test_other_staff_types_have_their_own_requirements(world, staff_type):
    staff = add_staff(world, f"Someone {staff_type}", staff_type=staff_type)
    year_ago = TODAY - dt.timedelta(days=365)
    add_check(world, staff, CheckKind.DBS, year_ago, dbs_level="enhanced")
    add_check(world, staff, CheckKind.IDENTITY, year_ago)
    if staff_type == "admin":
        add_check(world, staff, CheckKind.RIGHT_TO_WORK, year_ago)
        assert status(staff) == Status.CLEAR
    else:
        add_check(world, staff, CheckKind.TRAINING, year_ago)
        assert status(staff) == Status.MISSING  # references still to come
        add_check(world, staff, CheckKind.REFERENCE, year_ago)
        add_check(world, staff, CheckKind.REFERENCE, year_ago)
        assert status(staff) == Status.CLEAR


def test_the_status_is_one_query_however_many_people(world, django_assert_num_queries):
    for i in range(5):
        fully_checked(world, f"Tutor {i}")
    with django_assert_num_queries(1):
        statuses = [p.safeguarding_status for p in StaffMember.objects.with_safeguarding()]
    assert statuses == [Status.CLEAR] * 5
