"""A joint ensemble of Liverpool (centre A, home) and Lambeth (centre B) children."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from harmonia.children.models import ChildSafetyNotes
from harmonia.ensembles.models import Ensemble, Occurrence, Placement, Section
from tests.children.factories import make_child

LONDON = timezone.get_default_timezone()


def build_shared_ensemble(world):
    day = timezone.localdate()
    ensemble = Ensemble.objects.create(
        programme=world.england,
        centre=world.centre_a,
        name="North–South Youth Orchestra",
        kind=Ensemble.Kind.ORCHESTRA,
    )
    ensemble.member_centres.set([world.centre_a, world.centre_b])
    cellos = Section.objects.create(ensemble=ensemble, name="Cellos", order=1)
    liverpool = [
        make_child(world, first="Ada", last="Liverpoolian"),
        make_child(world, first="Bea", last="Evertonian"),
    ]
    lambeth = [
        make_child(world, centre=world.centre_b, first="Cal", last="Stockwellite"),
        make_child(world, centre=world.centre_b, first="Dee", last="Brixtonian"),
    ]
    ChildSafetyNotes.objects.create(child=liverpool[0], allergies="Liverpool peanut allergy")
    ChildSafetyNotes.objects.create(child=lambeth[0], allergies="Lambeth bee sting allergy")
    for child in liverpool + lambeth:
        Placement.objects.create(
            child=child, ensemble=ensemble, section=cellos, start=day - dt.timedelta(days=30)
        )
    starts = dt.datetime.combine(day, dt.time(17, 0), tzinfo=LONDON)
    occurrence = Occurrence.objects.create(
        ensemble=ensemble,
        centre=world.centre_a,
        date=day,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        minutes=90,
        kind="rehearsal",
        venue="Philharmonic Hall",
    )
    return SimpleNamespace(
        ensemble=ensemble, occurrence=occurrence, liverpool=liverpool, lambeth=lambeth
    )
