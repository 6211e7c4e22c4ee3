"""The attendance rollup: ``AttendanceSummary`` rows built from the registers.

Dashboards and returns read only these small rows (one per centre, year, term
and activity), so their cost does not grow with the number of marks.

Two levels: ``ChildAttendance`` (one row per child, term and activity) and
``AttendanceSummary`` (one row per centre, year, term and activity, built
from the first).

* ``refresh_for_occurrence(occurrence)`` — the register calls it after saving a
  register: it recomputes the term's rows of the children marked, then their
  centres' summaries for that year (and next year's retention).
* ``rebuild_all()`` — ``manage.py rebuild_rollups``: everything, in a few
  grouped queries.

Academic years start on 1 September (``year`` is the calendar year it starts
in). Terms: autumn = September–December (1), spring = January–March (2),
summer = April–August (3).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractIsoYear, ExtractWeek, ExtractYear

from harmonia.ensembles.codes import attended_q, possible_q
from harmonia.ensembles.models import Ensemble, Mark, Occurrence, SessionKind
from harmonia.reports.models import Activity, AttendanceSummary, ChildAttendance

TEACHING_WEEKS_PER_TERM = 13  # 39 teaching weeks a year in English schools


def academic_year(day: dt.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def term_of(day: dt.date) -> int:
    return 1 if day.month >= 9 else (2 if day.month <= 3 else 3)


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """[first day, first day of the next year)."""
    return dt.date(year, 9, 1), dt.date(year + 1, 9, 1)


def _year_expr(date_field: str):
    return Case(
        When(**{f"{date_field}__month__gte": 9}, then=ExtractYear(date_field)),
        default=ExtractYear(date_field) - 1,
        output_field=IntegerField(),
    )


def _term_expr(date_field: str):
    return Case(
        When(Q(**{f"{date_field}__month__gte": 9}), then=Value(1)),
        When(Q(**{f"{date_field}__month__lte": 3}), then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def _activity_expr(kind_field: str, ensemble_kind_field: str):
    return Case(
        When(**{kind_field: SessionKind.WCET}, then=Value(Activity.WCET.value)),
        When(**{kind_field: SessionKind.CONCERT}, then=Value(Activity.PERFORMANCE.value)),
        When(**{kind_field: SessionKind.HOLIDAY_COURSE}, then=Value(Activity.HOLIDAY.value)),
        When(**{kind_field: SessionKind.SECTIONAL}, then=Value(Activity.LESSONS.value)),
        When(**{ensemble_kind_field: Ensemble.Kind.CHOIR}, then=Value(Activity.SINGING.value)),
        default=Value(Activity.ENSEMBLE.value),
    )


def _marks(centre_ids=None, year: int | None = None):
    marks = Mark.objects.exclude(occurrence__status=Occurrence.Status.CANCELLED)
    if centre_ids is not None:
        marks = marks.filter(child__centre_id__in=centre_ids)
    if year is not None:
        first, after = year_bounds(year)
        marks = marks.filter(occurrence__date__gte=first, occurrence__date__lt=after)
    return marks.annotate(
        r_centre=F("child__centre_id"),
        r_year=_year_expr("occurrence__date"),
        r_term=_term_expr("occurrence__date"),
        r_activity=_activity_expr("occurrence__kind", "occurrence__ensemble__kind"),
    )


def _sessions(centre_ids=None, year: int | None = None):
    """Sessions held (not cancelled, register taken), per centre (the occurrence's)."""
    occurrences = Occurrence.objects.filter(
        status=Occurrence.Status.SCHEDULED, centre__isnull=False, register_taken_at__isnull=False
    )
    if centre_ids is not None:
        occurrences = occurrences.filter(centre_id__in=centre_ids)
    if year is not None:
        first, after = year_bounds(year)
        occurrences = occurrences.filter(date__gte=first, date__lt=after)
    return occurrences.annotate(
        r_centre=F("centre_id"),
        r_year=_year_expr("date"),
        r_term=_term_expr("date"),
        r_activity=_activity_expr("kind", "ensemble__kind"),
    )


def _week_expr(date_field: str):
    """The week (Monday to Sunday) of a date, as one comparable integer: ISO year × 100
    + ISO week. The same on SQLite and PostgreSQL."""
    return ExpressionWrapper(
        ExtractIsoYear(date_field) * 100 + ExtractWeek(date_field), output_field=IntegerField()
    )


def held_weeks(centre_ids=None, year: int | None = None) -> dict[tuple, int]:
    """Weeks delivered: {(centre, year, term): weeks} (term 0 = the whole year), the
    weeks in which at least one session of an ensemble the centre's children play in
    (``member_centres``, which always holds the home centre) was held with its
    register taken. The denominator of the dose (``harmonia.reports.dose``). Two
    grouped queries over occurrences, never over marks."""
    occurrences = Occurrence.objects.filter(
        status=Occurrence.Status.SCHEDULED, register_taken_at__isnull=False
    )
    if centre_ids is not None:
        centre_ids = list(centre_ids)
        occurrences = occurrences.filter(ensemble__member_centres__in=centre_ids)
    if year is not None:
        first, after = year_bounds(year)
        occurrences = occurrences.filter(date__gte=first, date__lt=after)
    occurrences = occurrences.annotate(
        r_centre=F("ensemble__member_centres"),
        r_year=_year_expr("date"),
        r_term=_term_expr("date"),
        r_week=_week_expr("date"),
    )
    wanted = None if centre_ids is None else set(centre_ids)
    weeks: dict[tuple, int] = {}
    for fields in [("r_centre", "r_year", "r_term"), ("r_centre", "r_year")]:
        for r in occurrences.values(*fields).annotate(n=Count("r_week", distinct=True)).order_by():
            if wanted is None or r["r_centre"] in wanted:
                weeks[(r["r_centre"], r["r_year"], r.get("r_term", 0))] = r["n"]
    return weeks


def _child_rows(marks):
    """Marks grouped per child, year, term and activity (a values queryset)."""
    return (
        marks.values("child_id", "r_centre", "r_year", "r_term", "r_activity")
        .annotate(
            # By the programme's attendance codes: "marked" counts possible marks.
            marked=Count("id", filter=possible_q()),
            attended=Count("id", filter=attended_q()),
            minutes=Coalesce(Sum("occurrence__minutes", filter=attended_q()), 0),
        )
        .order_by()
    )


def _insert_child_rows(marks) -> None:
    """INSERT … SELECT: the grouping runs in the database, nothing comes back."""
    sql, params = _child_rows(marks).query.sql_with_params()
    table = ChildAttendance._meta.db_table
    columns = "child_id, centre_id, year, term, activity, marked, attended, minutes"
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)  # noqa: S608


_SUMMARY = {
    "children": Count("child_id", distinct=True, filter=Q(attended__gt=0)),
    "marked": Sum("marked"),
    "attended": Sum("attended"),
    "minutes": Sum("minutes"),
}


def _summaries(centre_ids=None, year: int | None = None) -> list[AttendanceSummary]:
    """Summary rows from the per-child rollup (and the timetable, for sessions)."""
    rows: dict[tuple, dict] = defaultdict(dict)
    source = ChildAttendance.objects.all()
    if centre_ids is not None:
        source = source.filter(centre_id__in=centre_ids)
    if year is not None:
        source = source.filter(year=year)
    groupings = [
        ("centre_id", "year", "term", "activity"),
        ("centre_id", "year", "term"),
        ("centre_id", "year", "activity"),
        ("centre_id", "year"),
    ]
    for fields in groupings:
        for r in source.values(*fields).annotate(**_SUMMARY).order_by():
            key = (r["centre_id"], r["year"], r.get("term", 0), r.get("activity", ""))
            rows[key].update({k: r[k] or 0 for k in _SUMMARY})
    sessions = _sessions(centre_ids, year)
    for fields in [
        ("r_centre", "r_year", "r_term", "r_activity"),
        ("r_centre", "r_year", "r_term"),
        ("r_centre", "r_year", "r_activity"),
        ("r_centre", "r_year"),
    ]:
        for r in sessions.values(*fields).annotate(n=Count("id")).order_by():
            key = (r["r_centre"], r["r_year"], r.get("r_term", 0), r.get("r_activity", ""))
            rows[key]["sessions"] = r["n"]
    for (centre_id, y, t), n in held_weeks(centre_ids, year).items():
        rows[(centre_id, y, t, "")]["weeks"] = n
    # Retention: children who attended in a year and in the year before, same centre
    # (one query for the two years' (centre, year, child) triples; a set lookup each).
    came = ChildAttendance.objects.filter(attended__gt=0)
    if centre_ids is not None:
        came = came.filter(centre_id__in=centre_ids)
    if year is not None:
        came = came.filter(year__in=[year - 1, year])
    seen = set(came.values_list("centre_id", "year", "child_id").distinct())
    retained: dict[tuple, int] = defaultdict(int)
    for centre_id, y, child_id in seen:
        if (year is None or y == year) and (centre_id, y - 1, child_id) in seen:
            retained[(centre_id, y, 0, "")] += 1
    for key, n in retained.items():
        rows[key]["retained"] = n
    return [
        AttendanceSummary(centre_id=c, year=y, term=t, activity=a, **values)
        for (c, y, t, a), values in rows.items()
    ]


def _ever(centre_ids=None) -> list[AttendanceSummary]:
    """Year 0: distinct children who ever attended, per centre."""
    came = ChildAttendance.objects.filter(attended__gt=0)
    if centre_ids is not None:
        came = came.filter(centre_id__in=centre_ids)
    return [
        AttendanceSummary(centre_id=r["centre_id"], year=0, term=0, children=r["n"])
        for r in came.values("centre_id").annotate(n=Count("child_id", distinct=True)).order_by()
    ]


def term_bounds(year: int, term: int) -> tuple[dt.date, dt.date]:
    """[first day, first day after) of a term as the rollup counts it."""
    return {
        1: (dt.date(year, 9, 1), dt.date(year + 1, 1, 1)),
        2: (dt.date(year + 1, 1, 1), dt.date(year + 1, 4, 1)),
        3: (dt.date(year + 1, 4, 1), dt.date(year + 1, 9, 1)),
    }[term]


@transaction.atomic
def refresh_summaries(centre_ids, years) -> None:
    """Rebuild the centre rows of ``years`` (and the next year's retention, and
    "ever") from the per-child rollup."""
    centre_ids = list(centre_ids)
    years = set(years)
    years |= {
        y + 1
        for y in years
        if AttendanceSummary.objects.filter(centre_id__in=centre_ids, year=y + 1).exists()
    }
    for year in sorted(years):
        AttendanceSummary.objects.filter(centre_id__in=centre_ids, year=year).delete()
        AttendanceSummary.objects.bulk_create(_summaries(centre_ids, year))
    AttendanceSummary.objects.filter(centre_id__in=centre_ids, year=0).delete()
    AttendanceSummary.objects.bulk_create(_ever(centre_ids))


@transaction.atomic
def refresh_children(child_ids, day: dt.date) -> set[int]:
    """Recompute the per-child rows of the term holding ``day``; return the
    centres touched."""
    child_ids = list(child_ids)
    year, term = academic_year(day), term_of(day)
    first, after = term_bounds(year, term)
    old = set(
        ChildAttendance.objects.filter(child_id__in=child_ids, year=year, term=term)
        .values_list("centre_id", flat=True)
        .distinct()
    )
    ChildAttendance.objects.filter(child_id__in=child_ids, year=year, term=term).delete()
    marks = _marks().filter(
        child_id__in=child_ids, occurrence__date__gte=first, occurrence__date__lt=after
    )
    _insert_child_rows(marks)
    new = set(
        ChildAttendance.objects.filter(child_id__in=child_ids, year=year, term=term)
        .values_list("centre_id", flat=True)
        .distinct()
    )
    return old | new


def refresh_for_occurrence(occurrence, previous_date: dt.date | None = None) -> None:
    """Call after a register is saved, or an occurrence is cancelled or moved
    (give the date it had, to clear the term it left)."""
    child_ids = list(Mark.objects.filter(occurrence=occurrence).values_list("child_id", flat=True))
    centres = set(refresh_children(child_ids, occurrence.date)) if child_ids else set()
    days = [occurrence.date]
    if previous_date and previous_date != occurrence.date:
        centres |= refresh_children(child_ids, previous_date) if child_ids else set()
        days.append(previous_date)
    if occurrence.centre_id:
        centres.add(occurrence.centre_id)
    # Every member centre's weeks delivered may change (``held_weeks``).
    centres |= set(
        Ensemble.member_centres.through.objects.filter(
            ensemble_id=occurrence.ensemble_id
        ).values_list("centre_id", flat=True)
    )
    if centres:
        refresh_summaries(centres, {academic_year(d) for d in days})


def refresh_centres(centre_ids, years) -> None:
    """Recompute everything of ``years`` at ``centre_ids`` from the registers."""
    centre_ids = list(centre_ids)
    with transaction.atomic():
        for year in sorted(set(years)):
            first, after = year_bounds(year)
            ChildAttendance.objects.filter(centre_id__in=centre_ids, year=year).delete()
            _insert_child_rows(
                _marks(centre_ids).filter(occurrence__date__gte=first, occurrence__date__lt=after)
            )
        refresh_summaries(centre_ids, years)


def rebuild_all() -> int:
    """Throw every rollup row away and build them again from the registers: one
    short transaction per centre, so the write lock is never held for the whole
    programme (SQLite has one writer) and every centre's rows stay consistent."""
    from harmonia.programmes.models import Centre

    total = 0
    for centre_id in Centre.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            ChildAttendance.objects.filter(centre_id=centre_id).delete()
            AttendanceSummary.objects.filter(centre_id=centre_id).delete()
            _insert_child_rows(_marks([centre_id]))
            rows = _summaries([centre_id]) + _ever([centre_id])
            AttendanceSummary.objects.bulk_create(rows, batch_size=5000)
        total += len(rows)
    return total
