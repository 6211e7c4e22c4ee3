"""Attendance insight: rates, hours of music, streaks and who is drifting away."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from harmonia.ensembles import insight
from harmonia.ensembles.models import Mark, Occurrence
from tests.ensembles.conftest import LONDON

TODAY = dt.date(2026, 11, 25)


def _weekly(reg, weeks):
    """One 90-minute occurrence a week for ``weeks`` weeks before TODAY (oldest first)."""
    rows = []
    for w in range(weeks, 0, -1):
        day = TODAY - dt.timedelta(days=7 * w)
        starts = dt.datetime.combine(day, dt.time(16), tzinfo=LONDON)
        rows.append(
            Occurrence(ensemble=reg.ensemble, centre=reg.ensemble.centre, date=day,
                       starts_at=starts, ends_at=starts + dt.timedelta(minutes=90), minutes=90,
                       kind="rehearsal")
        )  # fmt: skip
    Occurrence.objects.bulk_create(rows)
    return list(Occurrence.objects.filter(ensemble=reg.ensemble, date__lt=TODAY).order_by("date"))


def _mark(occurrences, child, pattern):
    now = timezone.now()
    Mark.objects.bulk_create(
        Mark(occurrence=o, child=child, status=s, marked_at=now, recorded_at=now)
        for o, s in zip(occurrences, pattern, strict=True)
    )


P, L, A = "present", "late", "absent_unauthorised"


@pytest.fixture
def attendance(world, register_of):
    reg = register_of(3, day=TODAY)
    occ = _weekly(reg, 16)
    steady, drifting, newcomer = reg.children
    _mark(occ, steady, [P] * 14 + [A, L])
    _mark(occ, drifting, [P] * 12 + [A, A, A, P])
    _mark(occ[-4:], newcomer, [A, A, P, P])
    return reg, steady, drifting, newcomer


def test_rates_hours_and_streaks_per_child(world, attendance):
    reg, steady, drifting, newcomer = attendance
    since = TODAY - dt.timedelta(days=7 * 16)
    rows = {c.pk: c for c in insight.by_child(world.centre_a, since, TODAY)}
    assert rows[steady.pk].rate == pytest.approx(15 / 16)
    assert rows[steady.pk].hours == pytest.approx(15 * 1.5)
    assert rows[steady.pk].hours_per_week == pytest.approx(
        15 * 1.5 / ((TODAY - since).days + 1) * 7
    )
    assert rows[steady.pk].streak == 1
    assert rows[drifting.pk].streak == 1
    assert rows[newcomer.pk].streak == 2
    assert rows[newcomer.pk].rate == pytest.approx(0.5)


def test_drifting_away_lists_the_child_whose_attendance_fell(world, attendance):
    _reg, steady, drifting, newcomer = attendance
    names = [c.pk for c in insight.drifting_away(world.centre_a, TODAY)]
    assert names == [drifting.pk]  # 12/12 before, 1/4 lately; the newcomer has no "before"


def test_summaries_by_ensemble_and_centre(world, attendance):
    since = TODAY - dt.timedelta(days=7 * 16)
    (row,) = insight.by_ensemble(world.centre_a, since, TODAY)
    assert row["marks"] == 36 and row["attended"] == 15 + 13 + 2
    assert row["rate"] == pytest.approx(30 / 36)
    (centre,) = insight.by_centre([world.centre_a], since, TODAY)
    assert centre["children"] == 3
    total = insight.summary(insight.marks_for_centre(world.centre_a), since, TODAY)
    assert total["hours"] == pytest.approx(30 * 1.5)


@pytest.mark.parametrize("extra", [0, 20])
def test_the_attendance_page_costs_the_same_queries_at_any_size(
    as_persona, world, attendance, register_of, django_assert_num_queries, extra
):
    if extra:
        more = register_of(extra, day=TODAY, name="Choir")
        occ = _weekly(more, 4)
        for child in more.children:
            _mark(occ, child, [P, A, P, L])
    client = as_persona("manager_a")
    # session, user, centre, memberships, term, by child, drifting, access-log insert (one
    # row per child shown), summary, by ensemble, the zones of the centres (one query)
    with django_assert_num_queries(11):
        response = client.get(reverse("ensembles:centre_attendance", args=[world.centre_a.pk]))
    assert response.status_code == 200


def test_the_programme_page_shows_aggregates(as_persona, world, attendance):
    response = as_persona("funder").get(
        reverse("ensembles:programme_attendance", args=[world.england.pk])
    )
    assert response.status_code == 200
    assert "Surname" not in response.content.decode()  # no child is named


def test_the_programme_page_suppresses_a_centre_of_three_children(as_persona, world, attendance):
    """Centre A has 3 children marked: a funder sees [c], never 3, nor a total that
    would give it away by subtraction."""
    response = as_persona("funder").get(
        reverse("ensembles:programme_attendance", args=[world.england.pk])
    )
    rows = response.context["centres"]
    assert [(r["child__centre__name"], r["children_shown"]) for r in rows] == [
        ("In Harmony Liverpool", None)
    ]
    assert response.context["children_total"] is None
    page = response.content.decode()
    assert "[c]" in page
    assert ">3<" not in page
