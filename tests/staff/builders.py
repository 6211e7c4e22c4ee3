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
    }.get(kind, {})
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
    existing = Concern.objects.filter(
        centre=world.centre_a, recorded_by=world.safeguarding_a
    ).first()
    if existing:
        return existing
    form = forms.ConcernForm(
        {
            "subject": "A child",
            "category": "welfare",
            "noticed": TODAY.isoformat(),
            "account": "Arrived hungry three weeks running.",
        }
    )
    assert form.is_valid(), form.errors
    return services.record_concern(form, centre=world.centre_a, by=world.safeguarding_a)


def concern_by_tutor(world, child=None) -> Concern:
    """A concern Liverpool's tutor raised (about ``child``, or described in words)."""
    existing = Concern.objects.filter(centre=world.centre_a, recorded_by=world.tutor_a).first()
    if existing:
        return existing
    from harmonia.children.models import Child

    form = forms.ConcernForm(
        {
            "about_child": child.pk if child else "",
            "subject": "" if child else "A girl in the Tuesday strings group",
            "category": "emotional",
            "noticed": TODAY.isoformat(),
            "account": "Said she is scared to go home because of shouting.",
        },
        children=Child.objects.filter(centre=world.centre_a),
    )
    assert form.is_valid(), form.errors
    return services.record_concern(form, centre=world.centre_a, by=world.tutor_a)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def attachment_a(world):
    """A file kept with Liverpool's concern."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from harmonia.staff.models import ConcernAttachment

    concern = concern_a(world)
    existing = ConcernAttachment.objects.filter(concern=concern).first()
    if existing:
        return existing
    form = forms.ConcernEntryForm(
        {"happened": TODAY.isoformat(), "what": "Photo of the note the child gave me."},
        {"attachments": SimpleUploadedFile("note.png", PNG, content_type="image/png")},
    )
    assert form.is_valid(), form.errors
    entry = services.add_concern_entry(
        form,
        concern=concern,
        by=world.safeguarding_a,
        attachments=form.cleaned_data["attachments"],
    )
    return entry.attachments.get()


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request
