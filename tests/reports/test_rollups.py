"""The rollup agrees with a direct count from the registers."""

from harmonia.ensembles.models import ATTENDED, Mark
from harmonia.reports import rollups
from harmonia.reports.models import Activity, AttendanceSummary


def _row(centre, year, term=0, activity=""):
    return AttendanceSummary.objects.get(centre=centre, year=year, term=term, activity=activity)


def test_refresh_after_each_register_matches_a_direct_count(world, registers):
    year = rollups.academic_year(registers.days[0])
    row = _row(world.centre_a, year)
    marks = Mark.objects.filter(child__centre=world.centre_a)
    assert row.marked == marks.count() == 60
    assert row.attended == marks.filter(status__in=ATTENDED).count() == 50
    assert row.children == marks.filter(status__in=ATTENDED).values("child").distinct().count()
    assert row.children == 10
    assert row.minutes == 50 * 90
    assert row.sessions == 5
    assert _row(world.centre_a, year, 0, Activity.PERFORMANCE).sessions == 1
    assert _row(world.centre_b, year).children == 3
    assert _row(world.centre_a, 0).children == 10  # ever


def test_rebuild_gives_the_same_rows_as_refreshing(world, registers):
    def snapshot():
        return sorted(
            AttendanceSummary.objects.values_list(
                "centre_id",
                "year",
                "term",
                "activity",
                "children",
                "marked",
                "attended",
                "minutes",
                "sessions",
                "retained",
            )
        )

    before = snapshot()
    assert rollups.rebuild_all() == len(before)
    assert snapshot() == before


def test_a_cancelled_session_leaves_the_rollup_when_refreshed(world, registers):
    occ = registers.occurrences_b[0]
    occ.status = "cancelled"
    occ.save()
    rollups.refresh_for_occurrence(occ)
    year = rollups.academic_year(occ.date)
    row = _row(world.centre_b, year)
    assert row.sessions == 4 and row.marked == 12


def test_terms_and_years():
    import datetime as dt

    assert rollups.academic_year(dt.date(2025, 8, 31)) == 2024
    assert rollups.academic_year(dt.date(2025, 9, 1)) == 2025
    assert [rollups.term_of(dt.date(2025, m, 1)) for m in (9, 12, 1, 3, 4, 8)] == [1, 1, 2, 2, 3, 3]
