"""The demo timetable: idempotent, with numbers, and a session today for the demo tutor."""

import os

from django.core.management import call_command
from django.utils import timezone

from harmonia.accounts.models import User
from harmonia.ensembles import timetable
from harmonia.ensembles.models import Ensemble, Mark, Occurrence, Placement, Term


def _load():
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)


def _counts():
    return tuple(m.objects.count() for m in (Ensemble, Term, Placement, Occurrence, Mark))


def test_the_demo_timetable_loads_twice_without_duplicates(db):
    _load()
    first = _counts()
    _load()
    assert _counts() == first
    assert Mark.objects.count() > 1000
    tutor = User.objects.get(email="tutor.liverpool@inharmony.demo")
    agenda = timetable.tutor_agenda(tutor)
    assert agenda["today"], "the demo tutor must have a session today"
    assert Term.objects.filter(name="Primer lapso 2026–27").exists()
    assert Occurrence.objects.filter(date=timezone.localdate()).exists()
