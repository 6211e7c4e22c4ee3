"""Staff and safeguarding objects for tests, built through the services.

Get-or-create, so the URL matrix can call them from its ``kwargs`` functions."""

import datetime as dt

from django.test import RequestFactory

from harmonia.staff import forms, services
from harmonia.staff.models import CheckKind, Concern, StaffMember

TODAY = dt.date.today()


def add_staff(world, name="Tina Tutor", *, centre=None, staff_type="tutor", user=None, **extra):
    centre = centre or world.centre_a
    existing = StaffMember.objects.filter(full_name=name, centre=centre).first()
    if existing:
        return existing
    data = {"full_name": name, "staff_type": staff_type, "role_title": "Violin tutor"}
    if user is not None:
        data["user_email"] = user.email
    data.update(extra)
    form = forms.StaffForm(data, centre=centre)
    assert form.is_valid(), form.errors
    return services.save_staff(form, by=world.manager_a)


def add_check(world, staff, kind, completed, **data):
    defaults = {
        CheckKind.DBS: {"dbs_level": "enhanced_barred", "certificate_number": "001234567890"},
        CheckKind.TRAINING: {"training_level": "2"},
        CheckKind.IDENTITY: {"document": "Passport"},
        CheckKind.RIGHT_TO_WORK: {"document": "Passport"},
        CheckKind.REFERENCE: {"document": "Head teacher"},
    }[kind]
    payload = {**defaults, "completed": completed.isoformat(), **data}
    form = forms.CheckForm(payload, staff=staff, kind=kind)
    assert form.is_valid(), form.errors
    return services.record_check(form, by=world.manager_a)


def fully_checked(world, name="Tina Tutor", *, dbs_issued=None, user=None, centre=None):
    """A tutor with every required check, the DBS issued on ``dbs_issued``."""
    staff = add_staff(world, name, user=user, centre=centre)
    if not staff.checks.exists():
        year_ago = TODAY - dt.timedelta(days=365)
        add_check(world, staff, CheckKind.DBS, dbs_issued or year_ago)
        add_check(world, staff, CheckKind.TRAINING, year_ago)
        add_check(world, staff, CheckKind.IDENTITY, year_ago)
        add_check(world, staff, CheckKind.RIGHT_TO_WORK, year_ago)
        add_check(world, staff, CheckKind.REFERENCE, year_ago)
        add_check(world, staff, CheckKind.REFERENCE, year_ago, document="Orchestra leader")
    return staff


def concern_a(world) -> Concern:
    existing = Concern.objects.filter(centre=world.centre_a).first()
    if existing:
        return existing
    form = forms.ConcernForm(
        {
            "subject": "A child",
            "category": "welfare",
            "noticed": TODAY.isoformat(),
            "account": "Arrived hungry three weeks running.",
            "state": "open",
        }
    )
    assert form.is_valid(), form.errors
    return services.record_concern(form, centre=world.centre_a, by=world.safeguarding_a)


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request
