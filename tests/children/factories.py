"""Children, guardians and consent forms for tests, made through the services."""

import datetime as dt

from django.utils import timezone

from harmonia.children import services
from harmonia.children.models import Child, ConsentForm, ConsentKind, Guardian, ImportLog, Status

START = dt.date(2024, 9, 2)


def make_child(
    world,
    *,
    centre=None,
    first="Ada",
    last="Lovelace",
    status=Status.ACTIVE,
    upn="",
    school=None,
    dob=dt.date(2016, 5, 1),
    year="3",
    by=None,
    on=START,
):
    centre = centre or world.centre_a
    if school is None and centre == world.centre_a:
        school = world.school_a
    child = Child(
        centre=centre,
        first_name=first,
        last_name=last,
        date_of_birth=dob,
        school=school,
        year_group=year,
        upn=upn,
    )
    return services.enrol_child(child, status=status, on=on, by=by)


def make_guardian(child, *, first="Mary", last="Lovelace", email="mary@example.org", by=None):
    guardian = Guardian(first_name=first, last_name=last, email=email, phone="0151 000 0000")
    services.link_guardian(child, guardian, by=by, relationship="mother")
    return guardian


def make_form(programme, kind=ConsentKind.PHOTO, *, at=None, requires_reconsent=True):
    return services.publish_consent_form(
        programme=programme,
        kind=kind,
        title=f"{ConsentKind(kind).label} consent",
        wording=f"I agree to {kind} for my child.",
        by=None,
        requires_reconsent=requires_reconsent,
        at=at or timezone.now() - dt.timedelta(days=30),
    )


def matrix_objects(world):
    """One child (with guardian, consent, offer and import) in Liverpool, made once."""
    cached = getattr(world, "_children_matrix", None)
    if cached:
        return cached
    child = make_child(world, status=Status.WAITING)
    guardian = make_guardian(child)
    form = make_form(world.england)
    record = services.record_consent(
        child, form=form, decision="given", guardian=guardian, method="paper", by=None
    )
    offer = services.offer_place(child, on=dt.date.today(), respond_by=None, by=None)
    log = ImportLog.objects.create(
        centre=world.centre_a, kind="csv", filename="x.csv", state=ImportLog.State.MAPPING,
        source="Surname,Forename,DOB\n",
    )  # fmt: skip
    cached = {
        "child": child,
        "record": record,
        "offer": offer,
        "import": log,
        "form": form,
        "guardian_link": child.guardian_links.get(guardian=guardian),
    }
    world.__dict__["_children_matrix"] = cached
    return cached


__all__ = ["ConsentForm"]
