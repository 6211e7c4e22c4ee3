"""Demo staff records and safeguarding checks for the English centres.

Everyone with a centre role gets a staff record with a full set of checks, dated
relative to today so the demo always shows the same picture: Liverpool's tutor
persona (Tom Whitfield) has a DBS expiring in 12 days, one Liverpool tutor has a
lapsed DBS, and one volunteer per centre is still waiting for a reference.
Idempotent: people who already have a record are left alone."""

import datetime as dt
import random

from harmonia.accounts.models import Membership, Role
from harmonia.staff.models import CheckKind, DbsLevel, SafeguardingCheck, StaffMember
from harmonia.staff.services import check_expiry

STAFF_TYPE = {
    Role.CENTRE_MANAGER: ("manager", "Centre manager", 37.5),
    Role.TUTOR: ("tutor", "Strings tutor", 22.5),
    Role.SAFEGUARDING_LEAD: ("manager", "Designated safeguarding lead", 30),
}
EXPIRING_SOON = "tutor.liverpool@inharmony.demo"


def _check(staff, kind, completed, **fields) -> SafeguardingCheck:
    check = SafeguardingCheck(staff=staff, kind=kind, completed=completed, **fields)
    check.expires = check_expiry(check)
    return check


def _full_set(staff, rng, today, dbs_issued=None) -> list[SafeguardingCheck]:
    started = staff.started or today - dt.timedelta(days=700)
    dbs_issued = dbs_issued or today - dt.timedelta(days=rng.randint(60, 900))
    number = f"{rng.randint(0, 10**12 - 1):012d}"
    on_update = rng.random() < 0.4 and dbs_issued > today - dt.timedelta(days=900)
    return [
        _check(
            staff,
            CheckKind.DBS,
            dbs_issued,
            dbs_level=DbsLevel.ENHANCED_BARRED,
            certificate_number=number,
            update_service=on_update,
            update_service_checked=max(dbs_issued, today - dt.timedelta(days=rng.randint(10, 200)))
            if on_update
            else None,
        ),
        _check(staff, CheckKind.TRAINING, today - dt.timedelta(days=rng.randint(30, 800)),
               training_level="3" if "safeguarding" in staff.role_title.lower() else "2"),
        _check(staff, CheckKind.IDENTITY, started, document="Passport"),
        _check(staff, CheckKind.RIGHT_TO_WORK, started, document="Passport"),
        _check(staff, CheckKind.REFERENCE, started - dt.timedelta(days=20), document="Employer"),
        _check(staff, CheckKind.REFERENCE, started - dt.timedelta(days=14), document="Teacher"),
    ]  # fmt: skip


def load_staff(programme, faker, today=None) -> int:
    """Staff records with checks for every centre role in ``programme``."""
    today = today or dt.date.today()
    rng = random.Random(7)
    have = set(
        StaffMember.objects.filter(programme=programme, user__isnull=False).values_list(
            "user_id", "centre_id"
        )
    )
    checks: list[SafeguardingCheck] = []
    lapsed_given = set()
    memberships = (
        Membership.objects.filter(centre__programme=programme)
        .select_related("user", "centre")
        .order_by("centre__name", "role", "user__full_name")
    )
    for m in memberships:
        if (m.user_id, m.centre_id) in have:
            continue
        have.add((m.user_id, m.centre_id))
        staff_type, title, hours = STAFF_TYPE[m.role]
        staff = StaffMember.objects.create(
            programme=programme,
            centre=m.centre,
            user=m.user,
            full_name=m.user.full_name,
            email=m.user.email,
            staff_type=staff_type,
            role_title=title,
            contracted_hours=hours,
            ensembles="Junior strings, Centre orchestra" if m.role == Role.TUTOR else "",
            started=today - dt.timedelta(days=rng.randint(400, 3000)),
        )
        dbs_issued = None
        if m.user.email == EXPIRING_SOON:
            dbs_issued = today - dt.timedelta(days=3 * 365 - 12)  # expires in 12 days
        elif (
            m.role == Role.TUTOR
            and m.centre.name.endswith("Liverpool")
            and m.centre_id not in lapsed_given
        ):
            lapsed_given.add(m.centre_id)
            dbs_issued = today - dt.timedelta(days=3 * 365 + 40)  # lapsed 40 days ago
        checks.extend(_full_set(staff, rng, today, dbs_issued))
    for centre in programme.centres.all():
        name = f"{faker.first_name()} {faker.last_name()}"
        if StaffMember.objects.filter(centre=centre, staff_type="volunteer").exists():
            continue
        volunteer = StaffMember.objects.create(
            programme=programme,
            centre=centre,
            full_name=name,
            staff_type="volunteer",
            role_title="Parent volunteer",
            ensembles="Early years",
            started=today - dt.timedelta(days=60),
        )
        full = _full_set(volunteer, rng, today, today - dt.timedelta(days=50))
        checks.extend(c for c in full if c.kind != CheckKind.RIGHT_TO_WORK)
        checks.pop()  # the second reference has not come back yet
    SafeguardingCheck.objects.bulk_create(checks)
    return StaffMember.objects.filter(programme=programme).count()
