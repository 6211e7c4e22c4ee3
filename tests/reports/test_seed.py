"""manage.py seed: a deterministic synthetic programme, with its rollup."""

import io

from django.core.management import call_command

from harmonia.children.models import Child
from harmonia.ensembles.models import Mark
from harmonia.reports.models import AttendanceSummary
from harmonia.reports.seed import seed


def _fingerprint(programme):
    marks = Mark.objects.filter(child__centre__programme=programme)
    return (
        Child.objects.filter(centre__programme=programme).count(),
        marks.count(),
        marks.filter(status="present").count(),
        sorted(
            Child.objects.filter(centre__programme=programme).values_list("first_name", flat=True)
        )[:20],
    )


def test_the_same_seed_gives_the_same_programme(db):
    first = seed(children=60, years=2, centres=2, seed_value=7, name="One")
    second = seed(children=60, years=2, centres=2, seed_value=7, name="Two")
    assert first.marks > 60 * 10
    assert _fingerprint(first.programme) == _fingerprint(second.programme)


def test_the_command_seeds_and_builds_the_rollup(db):
    out = io.StringIO()
    call_command("seed", children=40, years=2, centres=2, seed=3, stdout=out)
    assert "40 children" in out.getvalue()
    assert AttendanceSummary.objects.filter(year__gt=0, term=0, activity="").count() >= 2
    out = io.StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert "summary rows" in out.getvalue()
