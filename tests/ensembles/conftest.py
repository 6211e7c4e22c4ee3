"""Registers of any size at centre A (Liverpool), built on the shared ``world``."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from harmonia.children.models import Child
from harmonia.ensembles.models import Ensemble, Occurrence, Placement, Section

LONDON = timezone.get_default_timezone()


def build_register(centre, size: int, *, day: dt.date | None = None, name=None, tutor=None):
    """An ensemble of ``size`` children at ``centre`` and one occurrence on ``day``."""
    day = day or timezone.localdate()
    ensemble = Ensemble.objects.create(
        programme=centre.programme,
        centre=centre,
        name=name or f"Orchestra of {size} ({centre.pk})",
        kind=Ensemble.Kind.ORCHESTRA,
    )
    ensemble.member_centres.add(centre)
    violins = Section.objects.create(ensemble=ensemble, name="First violins", order=1)
    children = Child.objects.bulk_create(
        Child(
            centre=centre,
            first_name=f"Child{i}",
            last_name=f"Surname{i:03}",
            date_of_birth=dt.date(2016, 1, 1),
            status="active",
        )
        for i in range(size)
    )
    if not children or children[0].pk is None:  # databases that do not return ids
        children = list(Child.objects.filter(centre=centre).order_by("-pk")[:size])
    Placement.objects.bulk_create(
        Placement(
            child=c,
            ensemble=ensemble,
            section=violins,
            instrument="violin",
            desk=i // 2 + 1,
            start=day - dt.timedelta(days=60),
        )
        for i, c in enumerate(children)
    )
    starts = dt.datetime.combine(day, dt.time(16, 0), tzinfo=LONDON)
    occurrence = Occurrence.objects.create(
        ensemble=ensemble,
        centre=centre,
        date=day,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        minutes=90,
        kind="rehearsal",
        venue="School hall",
    )
    if tutor is not None:
        occurrence.tutors.add(tutor)
    return SimpleNamespace(
        ensemble=ensemble, section=violins, children=children, occurrence=occurrence
    )


@pytest.fixture
def register_of(world):
    def make(size, **kwargs):
        return build_register(world.centre_a, size, **kwargs)

    return make


def marks_payload(children, status="present", at=None, **extra):
    at = at or timezone.now()
    return [
        {"child": c.pk, "status": status, "marked_at": at.isoformat(), **extra} for c in children
    ]
