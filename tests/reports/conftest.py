"""A world with registers: Liverpool (centre A) has twelve active children, ten
of whom came to four rehearsals and a concert; Lambeth (centre B) has three
children who came to everything — a small number a funder must never see."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from harmonia.children.models import Child, ChildSensitive, FsmPeriod
from harmonia.children.services import enrol_child
from harmonia.ensembles.models import Ensemble, Occurrence, Placement
from harmonia.ensembles.register import submit_register
from harmonia.reports.rollups import refresh_for_occurrence


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Export files go to a temporary MEDIA_ROOT, not var/media."""
    settings.MEDIA_ROOT = tmp_path


@dataclass
class Registers:
    days: list
    children_a: list
    children_b: list
    occurrences_a: list
    occurrences_b: list


def make_children(centre, school, n, prefix, *, by, on):
    children = []
    for i in range(n):
        child = Child(
            centre=centre,
            first_name=f"{prefix}{i}",
            last_name="Pupil",
            date_of_birth=dt.date(2016, 1, 1 + i),
            school=school,
            sex="F" if i % 2 else "M",
            year_group="4",
        )
        enrol_child(child, status="active", on=on, by=by)
        ChildSensitive.objects.create(child=child, ethnicity="WBRI", eal=i % 3 == 0)
        if i % 2:
            FsmPeriod.objects.create(child=child, start=on)
        children.append(child)
    return children


def make_ensemble(programme, centre, children, days, *, on, kind="orchestra", name=None):
    ensemble = Ensemble.objects.create(
        programme=programme, centre=centre, name=name or f"Orchestra {centre.pk}", kind=kind
    )
    ensemble.member_centres.add(centre)
    for child in children:
        Placement.objects.create(child=child, ensemble=ensemble, start=on)
    occurrences = []
    for i, day in enumerate(days):
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(16)))
        occurrences.append(
            Occurrence.objects.create(
                ensemble=ensemble,
                centre=centre,
                date=day,
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=90),
                minutes=90,
                kind="concert" if i == len(days) - 1 else "rehearsal",
            )
        )
    return occurrences


def take_register(occurrence, children, *, present: int, by):
    marks = [
        {"child": c.pk, "status": "present" if i < present else "absent_unauthorised"}
        for i, c in enumerate(children)
    ]
    submit_register(occurrence, key=f"test-key-{occurrence.pk:08d}", marks=marks, by=by)
    refresh_for_occurrence(occurrence)


@pytest.fixture
def registers(world) -> Registers:
    today = timezone.localdate()
    days = [today - dt.timedelta(days=k) for k in (5, 4, 3, 2, 1)]
    on = today - dt.timedelta(days=40)
    lead = world.programme_lead
    children_a = make_children(world.centre_a, world.school_a, 12, "A", by=lead, on=on)
    children_b = make_children(world.centre_b, world.school_b, 3, "B", by=lead, on=on)
    waiting = Child(
        centre=world.centre_a, first_name="W", last_name="Aiting", date_of_birth=dt.date(2017, 2, 2)
    )
    enrol_child(waiting, status="waiting", on=on, by=lead)
    occ_a = make_ensemble(world.england, world.centre_a, children_a, days, on=on)
    occ_b = make_ensemble(world.england, world.centre_b, children_b, days, on=on)
    for occ in occ_a:
        take_register(occ, children_a, present=10, by=world.tutor_a)
    for occ in occ_b:
        take_register(occ, children_b, present=3, by=world.tutor_b)
    return Registers(days, children_a, children_b, occ_a, occ_b)
