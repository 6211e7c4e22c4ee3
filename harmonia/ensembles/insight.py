"""Attendance insight, computed in the database (aggregates, conditional counts and
correlated subqueries; no Python loops over marks). Works on SQLite and PostgreSQL.

Definitions (shown on the pages too):

* **attendance rate** = marks whose code counts as attended / marks whose code
  counts as possible, over a date range, by each programme's attendance codes
  (``harmonia.ensembles.codes``; by default present, late, left early and remote
  are attended, authorised absences count as absences as in English school
  attendance, and "not expected" is in neither). ``marks`` below counts the
  possible ones.
* **hours of music** = minutes of the occurrences a child attended / 60. **Hours
  per child per week** of a group (a centre, an ensemble) is the reports' one
  definition (``harmonia.reports.dose``): child-hours ÷ children reached ÷ weeks
  delivered, here the weeks of the range with at least one mark taken. A child's
  own "hours per week" divides by the calendar weeks of the range.
* **current streak** = sessions attended since the child's last absence.
* **drifting away** = a child whose rate in the last 4 weeks fell at least
  ``DRIFT_DROP`` (30 points) below their rate in the 12 weeks before, with
  enough marks in both windows to mean something.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf

from harmonia.children.models import Child
from harmonia.ensembles.codes import attended_q, possible_q
from harmonia.ensembles.models import Mark, Occurrence, Term

DRIFT_DROP = 0.3
RECENT_DAYS = 28
BEFORE_DAYS = 84
MIN_RECENT, MIN_BEFORE = 2, 4
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _attended(prefix: str = "") -> Q:
    return attended_q(prefix)


def _possible(prefix: str = "") -> Q:
    return possible_q(prefix)


def _in_range(prefix: str, since: dt.date, until: dt.date) -> Q:
    """Marks of dates in the range that were held: a cancelled date keeps its marks
    (a record of who came) but counts for nothing (harmonia.ensembles.services)."""
    return Q(**{f"{prefix}occurrence__date__range": (since, until)}) & ~Q(
        **{f"{prefix}occurrence__status": Occurrence.Status.CANCELLED}
    )


def _rate(attended, total):
    return ExpressionWrapper(
        Cast(attended, FloatField()) / NullIf(Cast(total, FloatField()), 0.0),
        output_field=FloatField(),
    )


def weeks_between(since: dt.date, until: dt.date) -> float:
    return max(((until - since).days + 1) / 7, 1)


def current_term(centre, day: dt.date):
    return (
        Term.objects.filter(centre=centre, kind=Term.Kind.TERM, start__lte=day, end__gte=day)
        .order_by("-start")
        .first()
    )


def marks_for_centre(centre):
    return Mark.objects.filter(child__centre=centre)


def marks_for_centres(centres):
    return Mark.objects.filter(child__centre__in=centres)


def summary(marks, since: dt.date, until: dt.date) -> dict:
    """Totals over ``marks`` in the range (one query)."""
    row = marks.filter(_in_range("", since, until)).aggregate(
        marks=Count("pk", filter=_possible()),
        attended=Count("pk", filter=_attended()),
        late=Count("pk", filter=Q(status="late")),
        authorised=Count("pk", filter=Q(status="absent_authorised")),
        minutes=Coalesce(Sum("occurrence__minutes", filter=_attended()), 0),
        children=Count("child", distinct=True),
        reached=Count("child", distinct=True, filter=_attended()),
        weeks=Count(_week("occurrence__date"), distinct=True),
    )
    row["rate"] = row["attended"] / row["marks"] if row["marks"] else None
    row["hours"] = row["minutes"] / 60
    row["hours_per_child_week"] = _dose(row)
    return row


def _week(date_field: str):
    from harmonia.reports.rollups import _week_expr

    return _week_expr(date_field)


def _dose(row) -> float | None:
    """The reports' hours per child per week over this row (None: nobody reached)."""
    from types import SimpleNamespace

    from harmonia.reports import dose

    value = dose.hours_per_child_week(
        [SimpleNamespace(minutes=row["minutes"], children=row["reached"], weeks=row["weeks"])]
    )
    return None if isinstance(value, str) else value


def _grouped(marks, since, until, *group):
    rows = (
        marks.filter(_in_range("", since, until))
        .values(*group)
        .annotate(
            marks=Count("pk", filter=_possible()),
            attended=Count("pk", filter=_attended()),
            minutes=Coalesce(Sum("occurrence__minutes", filter=_attended()), 0),
            children=Count("child", distinct=True),
            reached=Count("child", distinct=True, filter=_attended()),
            weeks=Count(_week("occurrence__date"), distinct=True),
            rate=_rate(Count("pk", filter=_attended()), Count("pk", filter=_possible())),
        )
        .order_by(*group)
    )
    for row in rows:
        row["hours_per_child_week"] = _dose(row)
    return rows


def by_ensemble(centre, since, until):
    return list(
        _grouped(
            marks_for_centre(centre),
            since,
            until,
            "occurrence__ensemble__name",
            "occurrence__ensemble",
        )
    )


def by_centre(centres, since, until):
    return list(_grouped(marks_for_centres(centres), since, until, "child__centre__name"))


def by_programme(programmes, since, until):
    marks = Mark.objects.filter(child__centre__programme__in=programmes)
    return list(_grouped(marks, since, until, "child__centre__programme__name"))


def _children_with_rates(children, since, until):
    in_range = _in_range("marks__", since, until) & _possible("marks__")
    attended = _in_range("marks__", since, until) & _attended("marks__")
    last_absence = (
        Mark.objects.filter(_possible(), child=OuterRef("pk"))
        .exclude(_attended())
        .order_by("-occurrence__starts_at")
        .values("occurrence__starts_at")[:1]
    )
    return children.annotate(
        mark_count=Count("marks", filter=in_range),
        attended=Count("marks", filter=attended),
        minutes=Coalesce(Sum("marks__occurrence__minutes", filter=attended), 0),
        rate=_rate(Count("marks", filter=attended), Count("marks", filter=in_range)),
        last_absence=Coalesce(
            Subquery(last_absence, output_field=DateTimeField()),
            Value(EPOCH, output_field=DateTimeField()),
        ),
        streak=Count(
            "marks",
            filter=_attended("marks__") & Q(marks__occurrence__starts_at__gt=F("last_absence")),
        ),
    )


def by_child(centre, since, until):
    """Every child of the centre with marks in the range: rate, hours, streak (one query)."""
    weeks = weeks_between(since, until)
    rows = list(
        _children_with_rates(Child.objects.filter(centre=centre), since, until)
        .filter(mark_count__gt=0)
        .order_by("rate", "last_name", "first_name")
    )
    for child in rows:
        child.hours = child.minutes / 60
        child.hours_per_week = child.hours / weeks
    return rows


def child_rates(child_ids, since, until) -> dict[int, float | None]:
    """Attendance rate per child (one query)."""
    rows = (
        Mark.objects.filter(child_id__in=child_ids)
        .filter(_in_range("", since, until))
        .values("child_id")
        .annotate(rate=_rate(Count("pk", filter=_attended()), Count("pk", filter=_possible())))
        .order_by()
    )
    return {row["child_id"]: row["rate"] for row in rows}


def drifting_away(centre, today: dt.date, drop: float = DRIFT_DROP):
    """Children whose last four weeks fell well below the twelve weeks before (one query)."""
    recent_from = today - dt.timedelta(days=RECENT_DAYS)
    before_from = recent_from - dt.timedelta(days=BEFORE_DAYS)
    recent = _in_range("marks__", recent_from, today) & _possible("marks__")
    before = _in_range("marks__", before_from, recent_from - dt.timedelta(days=1)) & _possible(
        "marks__"
    )
    rows = (
        Child.objects.filter(centre=centre, anonymised_at=None)
        .annotate(
            recent_marks=Count("marks", filter=recent),
            before_marks=Count("marks", filter=before),
            recent_rate=_rate(
                Count("marks", filter=recent & _attended("marks__")),
                Count("marks", filter=recent),
            ),
            before_rate=_rate(
                Count("marks", filter=before & _attended("marks__")),
                Count("marks", filter=before),
            ),
        )
        .annotate(fall=ExpressionWrapper(F("before_rate") - F("recent_rate"), FloatField()))
        .filter(recent_marks__gte=MIN_RECENT, before_marks__gte=MIN_BEFORE, fall__gte=drop)
        .order_by("-fall", "last_name")
    )
    return list(rows)
