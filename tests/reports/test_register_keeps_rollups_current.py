"""Taking a register, or moving a session, updates the dashboards' rollups by itself."""

import datetime as dt

from django.utils import timezone

from harmonia.ensembles.register import submit_register
from harmonia.reports import rollups
from harmonia.reports.models import AttendanceSummary
from tests.reports.conftest import make_children, make_ensemble


def _year_row(centre, day):
    return AttendanceSummary.objects.filter(
        centre=centre, year=rollups.academic_year(day), term=0, activity=""
    ).first()


def test_a_saved_register_reaches_the_rollup_once_it_commits(
    world, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    day = today - dt.timedelta(days=1)
    on = today - dt.timedelta(days=30)
    children = make_children(world.centre_a, world.school_a, 6, "R", by=world.manager_a, on=on)
    (occurrence,) = make_ensemble(world.england, world.centre_a, children, [day], on=on)
    marks = [
        {"child": c.pk, "status": "present" if i < 5 else "absent_unauthorised"}
        for i, c in enumerate(children)
    ]
    assert _year_row(world.centre_a, day) is None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit_register(occurrence, key="device-key-0001", marks=marks, by=world.tutor_a)
    assert len(callbacks) == 1
    row = _year_row(world.centre_a, day)
    assert (row.marked, row.attended, row.children, row.sessions) == (6, 5, 5, 1)

    # A replay of the same submission writes nothing and announces nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit_register(occurrence, key="device-key-0001", marks=marks, by=world.tutor_a)
    assert callbacks == []
