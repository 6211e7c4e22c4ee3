"""Hours of music per child per week: the one definition (the "dose").

Every surface that shows it (the dashboards, the annual return page and its
CSV / XLSX / PDF, grant reports, and the per-child dose for an evaluation) calls
``hours_per_child_week`` on rollup rows, so the same period gives the same
number everywhere (``docs/reports.md``, "Hours of music per child per week").

For a period (an academic year or a term) and a set of centres::

    dose = attended child-hours ÷ Σ over centres (children reached × weeks delivered)

* **attended child-hours**: the minutes of every session a child attended
  (a mark that counts as attended: present or late), ÷ 60; cancelled sessions
  never count.
* **children reached**: children with at least one attended mark in the period,
  counted at their own centre.
* **weeks delivered**: the centre's weeks (Monday to Sunday, by the session's
  local date) in the period, so far, in which at least one session its children
  play in was held with its register taken. Holidays, half-terms and the part of
  the year still to come are not counted, so a year in progress is not divided by
  39 weeks.

A child who joined late, paused or left counts as one child reached over all the
centre's delivered weeks: the figure is what the programme delivered per child
it reached, and can be checked from the published numbers (child-hours, reached,
weeks). For one centre it is child-hours ÷ reached ÷ weeks; for several it is the
weighted mean of the centres' figures, so centres and totals agree.
"""

from __future__ import annotations

from collections.abc import Iterable

from harmonia.reports.cells import NO_DATA


def hours_per_child_week(rows: Iterable) -> float | str:
    """The dose over rollup rows (anything with ``minutes``, ``children`` and
    ``weeks``: one per centre, all of one period), to one decimal place; ``NO_DATA``
    when no child was reached."""
    minutes = child_weeks = 0
    for row in rows:
        if row is None:
            continue
        minutes += row.minutes
        child_weeks += row.children * max(row.weeks, 1 if row.children else 0)
    if not child_weeks:
        return NO_DATA
    return round(minutes / 60 / child_weeks, 1)


def per_child(child_ids: Iterable[int], year: int, term: int = 0) -> dict[int, float]:
    """Each reached child's own dose in an academic year (or term): their attended
    hours ÷ the weeks their centre delivered. The mean over a centre's children
    reached is the centre's dose (before rounding), so an evaluation's "dose"
    variable and the dashboards tell the same story. Two queries."""
    from django.db.models import Sum

    from harmonia.reports.models import AttendanceSummary, ChildAttendance

    rows = ChildAttendance.objects.filter(child_id__in=list(child_ids), year=year, attended__gt=0)
    if term:
        rows = rows.filter(term=term)
    minutes = {
        (r["child_id"], r["centre_id"]): r["m"]
        for r in rows.values("child_id", "centre_id").annotate(m=Sum("minutes")).order_by()
    }
    weeks = dict(
        AttendanceSummary.objects.filter(
            centre_id__in={c for _child, c in minutes}, year=year, term=term, activity=""
        ).values_list("centre_id", "weeks")
    )
    doses: dict[int, float] = {}
    for (child, centre), m in minutes.items():  # a child who moved centre: both parts
        doses[child] = doses.get(child, 0.0) + m / 60 / max(weeks.get(centre, 0), 1)
    return doses
