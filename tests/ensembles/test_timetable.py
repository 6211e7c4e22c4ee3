"""Generating occurrences: weekly, skipping holidays, never duplicating."""

import datetime as dt

from django.urls import reverse

from harmonia.ensembles import timetable
from harmonia.ensembles.forms import SessionForm
from harmonia.ensembles.models import Ensemble, Occurrence, Session, Term


def _ensemble(world):
    e = Ensemble.objects.create(
        programme=world.england, centre=world.centre_a, name="Everton Orchestra", kind="orchestra"
    )
    e.member_centres.add(world.centre_a)
    return e


def _autumn(world):
    term = Term.objects.create(
        centre=world.centre_a,
        name="Autumn 2026",
        start=dt.date(2026, 9, 3),
        end=dt.date(2026, 12, 18),
    )
    Term.objects.create(
        centre=world.centre_a,
        name="October half term",
        kind="holiday",
        start=dt.date(2026, 10, 26),
        end=dt.date(2026, 10, 30),
    )
    return term


def test_weekly_dates_skip_the_holiday_and_generation_is_idempotent(world):
    term = _autumn(world)
    session = Session.objects.create(
        ensemble=_ensemble(world),
        weekday=2,
        start_time=dt.time(15, 30),
        duration_minutes=90,
        term=term,
    )
    assert timetable.generate_occurrences([session]) == 14  # 15 Wednesdays minus half term
    assert timetable.generate_occurrences([session]) == 0
    dates = list(Occurrence.objects.values_list("date", flat=True))
    assert len(dates) == len(set(dates)) == 14
    assert dt.date(2026, 10, 28) not in dates
    assert all(d.weekday() == 2 for d in dates)
    first = Occurrence.objects.get(date=dt.date(2026, 9, 9))
    assert first.minutes == 90 and first.starts_at.hour == 14  # 15:30 BST is 14:30 UTC
    assert first.ends_at - first.starts_at == dt.timedelta(minutes=90)


def test_cancellations_and_one_off_changes_survive_regeneration(world):
    term = _autumn(world)
    session = Session.objects.create(
        ensemble=_ensemble(world), weekday=2, start_time=dt.time(15, 30), term=term
    )
    timetable.generate_occurrences([session])
    Occurrence.objects.filter(date=dt.date(2026, 9, 9)).update(status="cancelled")
    Occurrence.objects.filter(date=dt.date(2026, 9, 16)).update(venue="Philharmonic Hall")
    timetable.generate_occurrences([session])
    assert Occurrence.objects.get(date=dt.date(2026, 9, 9)).status == "cancelled"
    assert Occurrence.objects.get(date=dt.date(2026, 9, 16)).venue == "Philharmonic Hall"
    assert Occurrence.objects.count() == 14


def test_a_holiday_course_meets_only_in_the_holiday(world):
    _autumn(world)
    session = Session.objects.create(
        ensemble=_ensemble(world),
        kind="holiday_course",
        weekday=1,
        start_time=dt.time(10),
        starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2026, 11, 30),
    )
    timetable.generate_occurrences([session])
    assert list(Occurrence.objects.values_list("date", flat=True)) == [dt.date(2026, 10, 27)]


def test_a_tutor_whose_checks_have_lapsed_cannot_lead_a_session(world):
    term = _autumn(world)
    data = {"kind": "rehearsal", "weekday": 2, "start_time": "15:30", "duration_minutes": 90,
            "term": term.pk, "tutors": [world.tutor_a.pk]}  # fmt: skip
    form = SessionForm(data, ensemble=_ensemble(world))
    assert not form.is_valid()  # tutor_a has no staff record with in-date checks
    assert "Not cleared to lead" in str(form.errors["tutors"])


def test_a_cleared_tutor_can_lead_a_session(world, monkeypatch):
    monkeypatch.setattr(timetable, "tutor_check", lambda user, on: True)
    term = _autumn(world)
    data = {"kind": "rehearsal", "weekday": 2, "start_time": "15:30", "duration_minutes": 90,
            "term": term.pk, "tutors": [world.tutor_a.pk]}  # fmt: skip
    form = SessionForm(data, ensemble=_ensemble(world))
    assert form.is_valid(), form.errors


def test_the_manager_adds_a_session_and_its_dates_appear(as_persona, world):
    term = _autumn(world)
    ensemble = _ensemble(world)
    client = as_persona("manager_a")
    response = client.post(
        reverse("ensembles:session_create", args=[ensemble.pk]),
        {
            "kind": "sectional",
            "weekday": 3,
            "start_time": "16:00",
            "duration_minutes": 60,
            "term": term.pk,
        },
    )
    assert response.status_code == 302
    assert Occurrence.objects.filter(ensemble=ensemble, kind="sectional").count() == 15
    assert client.post(reverse("ensembles:generate", args=[world.centre_a.pk])).status_code == 302
    assert Occurrence.objects.filter(ensemble=ensemble).count() == 15


def test_cancelling_a_date_bumps_its_calendar_sequence(as_persona, world, register_of):
    reg = register_of(1)
    response = as_persona("manager_a").post(
        reverse("ensembles:occurrence_edit", args=[reg.occurrence.pk]),
        {"title": "", "kind": "rehearsal", "starts_at": "2026-11-25T16:00", "minutes": 90,
         "venue": "Hall", "status": "cancelled", "note": "Snow"},
    )  # fmt: skip
    assert response.status_code == 302
    reg.occurrence.refresh_from_db()
    assert (reg.occurrence.status, reg.occurrence.sequence, reg.occurrence.note) == (
        "cancelled",
        1,
        "Snow",
    )


def test_the_tutor_home_page_shows_todays_session(as_persona, world, register_of):
    reg = register_of(3, tutor=world.tutor_a)
    page = as_persona("tutor_a").get(reverse("home")).content.decode()
    assert "Your sessions today" in page
    assert reverse("ensembles:register", args=[reg.occurrence.pk]) in page
    other = as_persona("funder").get(reverse("home")).content.decode()
    assert "Your sessions today" not in other
