"""The demo timetable: idempotent, with numbers, and a session today for the demo tutor."""

import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from harmonia.accounts.models import User
from harmonia.demo.ensembles import JOINT
from harmonia.ensembles import register, timetable
from harmonia.ensembles.models import Ensemble, Mark, Occurrence, Placement, Term


def _load():
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)


def _counts():
    return tuple(m.objects.count() for m in (Ensemble, Term, Placement, Occurrence, Mark))


@pytest.mark.slow
def test_the_demo_timetable_loads_twice_without_duplicates(demo):
    first = _counts()
    _load()
    assert _counts() == first
    assert Mark.objects.count() > 1000
    tutor = User.objects.get(email="tutor.liverpool@inharmony.demo")
    agenda = timetable.tutor_agenda(tutor)
    assert agenda["today"], "the demo tutor must have a session today"
    assert Term.objects.filter(name="Primer lapso 2026–27").exists()
    assert Occurrence.objects.filter(date=timezone.localdate()).exists()


def test_the_demo_joint_orchestra_shows_each_tutor_their_own_centres_children(demo):
    joint = Ensemble.objects.get(name=JOINT)
    assert {c.name for c in joint.member_centres.all()} == {
        "In Harmony Liverpool",
        "In Harmony Lambeth",
    }
    occurrence = joint.occurrences.get(date=timezone.localdate())
    for email, centre in (
        ("tutor.lambeth@inharmony.demo", "In Harmony Lambeth"),
        ("tutor.liverpool@inharmony.demo", "In Harmony Liverpool"),
    ):
        tutor = User.objects.get(email=email)
        assert occurrence in timetable.tutor_agenda(tutor)["today"], email
        rows = register.roster(occurrence, user=tutor).select_related("child__centre")
        assert {p.child.centre.name for p in rows} == {centre}, email
        assert len(rows) == 6
