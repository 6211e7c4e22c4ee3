"""The ensembles services: each named write validates, writes and audits in one
transaction, and a change to a date tells the reports (``attendance_changed``)."""

import datetime as dt

import pytest
from django.utils import timezone

from harmonia.audit.models import AuditEvent
from harmonia.children.models import Child
from harmonia.ensembles import insight, services, timetable
from harmonia.ensembles.models import (
    CalendarToken,
    CentreRegisterSettings,
    Ensemble,
    Mark,
    Occurrence,
    Placement,
    Section,
    Session,
    Term,
)
from harmonia.ensembles.signals import attendance_changed

LONDON = timezone.get_default_timezone()


def _events(action, obj):
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.model_name, object_id=str(obj.pk)
    )


@pytest.fixture
def cleared(monkeypatch):
    """Every tutor's safeguarding checks are in date (tested in tests/staff)."""
    monkeypatch.setattr(timetable, "tutor_check", lambda user, on: True)


@pytest.fixture
def heard(django_capture_on_commit_callbacks):
    """Every ``attendance_changed`` sent while the test runs (the signal is sent on
    commit: the callbacks are run as each service's transaction would commit)."""
    calls = []

    def receiver(sender, occurrence, previous_date=None, **kwargs):
        calls.append((occurrence.pk, previous_date))

    attendance_changed.connect(receiver, dispatch_uid="test-services")
    yield calls
    attendance_changed.disconnect(dispatch_uid="test-services")


def _child(world, first="Ava", centre=None):
    return Child.objects.create(
        centre=centre or world.centre_a,
        first_name=first,
        last_name="Jones",
        date_of_birth=dt.date(2016, 3, 1),
        status="active",
    )


# Ensembles and sections -------------------------------------------------------


def test_create_ensemble_joins_its_home_and_member_centres_and_is_audited(world):
    ensemble = services.create_ensemble(
        world.centre_a,
        name="  Everton Strings ",
        kind="strings",
        member_centres=[world.centre_b],
        by=world.manager_a,
    )
    assert ensemble.name == "Everton Strings"
    assert set(ensemble.member_centres.all()) == {world.centre_a, world.centre_b}
    assert _events("created", ensemble).get().actor == world.manager_a


def test_create_ensemble_refuses_a_duplicate_name_and_another_programmes_centre(world):
    services.create_ensemble(world.centre_a, name="Choir", kind="choir", by=world.manager_a)
    with pytest.raises(services.EnsembleError):
        services.create_ensemble(world.centre_a, name="Choir", kind="choir", by=world.manager_a)
    with pytest.raises(services.EnsembleError):
        services.create_ensemble(
            world.centre_a,
            name="Exchange",
            kind="orchestra",
            member_centres=[world.centre_v],
            by=world.manager_a,
        )
    assert Ensemble.objects.count() == 1


def test_update_ensemble_records_only_what_changed_and_keeps_the_home_centre(world):
    ensemble = services.create_ensemble(
        world.centre_a, name="Strings", kind="strings", by=world.manager_a
    )
    services.update_ensemble(
        ensemble, name="Junior Strings", active=False, member_centres=[], by=world.manager_a
    )
    ensemble.refresh_from_db()
    assert ensemble.name == "Junior Strings" and not ensemble.active
    assert list(ensemble.member_centres.all()) == [world.centre_a]
    event = _events("updated", ensemble).get()
    assert event.changes == {"name": "Junior Strings", "active": "False"}
    services.update_ensemble(ensemble, name="Junior Strings", by=world.manager_a)
    assert _events("updated", ensemble).count() == 1  # nothing changed, nothing recorded


def test_sections_are_created_edited_and_removed_keeping_their_children(world, register_of):
    reg = register_of(3)
    cellos = services.create_section(reg.ensemble, name="Cellos", order=3, by=world.manager_a)
    with pytest.raises(services.EnsembleError):
        services.create_section(reg.ensemble, name="Cellos", by=world.manager_a)
    services.update_section(cellos, name="Violoncellos", order=4, by=world.manager_a)
    cellos.refresh_from_db()
    assert (cellos.name, cellos.order) == ("Violoncellos", 4)
    services.delete_section(reg.section, by=world.manager_a)
    assert not Section.objects.filter(pk=reg.section.pk).exists()
    assert Placement.objects.filter(ensemble=reg.ensemble, section=None).count() == 3
    assert _events("created", cellos).exists() and _events("updated", cellos).exists()
    assert AuditEvent.objects.filter(action="deleted", object_type="section").exists()


# Placements ---------------------------------------------------------------------


def test_place_child_and_move_keep_the_history(world, register_of):
    reg = register_of(1)
    other = services.create_ensemble(world.centre_a, name="Band", kind="wind_band", by=None)
    child = reg.children[0]
    old = Placement.objects.get(child=child, ensemble=reg.ensemble)
    day = old.start + dt.timedelta(days=7)
    moved = services.place_child(
        other,
        child=child,
        start=day,
        instrument="clarinet",
        move_from=old,
        by=world.manager_a,
    )
    old.refresh_from_db()
    assert old.end == day and moved.end is None
    assert moved.created_by == world.manager_a
    assert _events("moved", moved).get().actor == world.manager_a
    with pytest.raises(services.EnsembleError):  # already in it
        services.place_child(other, child=child, start=day, by=world.manager_a)


def test_a_tutor_whose_checks_lapsed_is_refused(world, register_of):
    reg = register_of(1)
    with pytest.raises(services.EnsembleError, match="Not cleared"):
        services.add_one_off(
            reg.ensemble,
            kind="concert",
            starts_at=reg.occurrence.starts_at,
            minutes=60,
            tutors=[world.tutor_a],  # no staff record with in-date checks
            by=world.manager_a,
        )
    assert not Occurrence.objects.filter(kind="concert").exists()


def test_place_child_refuses_a_child_of_a_centre_outside_the_ensemble(world, register_of):
    reg = register_of(1)
    outsider = _child(world, "Zoe", centre=world.centre_b)
    with pytest.raises(services.EnsembleError):
        services.place_child(
            reg.ensemble, child=outsider, start=dt.date(2026, 9, 1), by=world.manager_a
        )
    assert not Placement.objects.filter(child=outsider).exists()


def test_end_placement_ends_once_and_is_audited(world, register_of):
    reg = register_of(1)
    placement = Placement.objects.get(ensemble=reg.ensemble)
    day = placement.start + dt.timedelta(days=10)
    services.end_placement(placement, on=day, by=world.manager_a)
    services.end_placement(placement, on=day + dt.timedelta(days=30), by=world.manager_a)
    placement.refresh_from_db()
    assert placement.end == day
    assert _events("placement ended", placement).count() == 1


# Terms and settings ---------------------------------------------------------------


def test_terms_are_saved_and_a_term_in_use_is_not_removed(world, register_of):
    term = services.save_term(
        world.centre_a,
        name="Autumn 2026",
        kind="term",
        start=dt.date(2026, 9, 3),
        end=dt.date(2026, 12, 18),
        by=world.manager_a,
    )
    with pytest.raises(services.EnsembleError):
        services.save_term(
            world.centre_a,
            name="Backwards",
            kind="term",
            start=dt.date(2026, 9, 3),
            end=dt.date(2026, 9, 1),
            by=world.manager_a,
        )
    services.save_term(
        world.centre_a,
        term=term,
        name="Autumn term 2026",
        kind="term",
        start=term.start,
        end=term.end,
        by=world.manager_a,
    )
    assert _events("updated", term).get().changes == {"name": "Autumn term 2026"}
    reg = register_of(1)
    Session.objects.create(ensemble=reg.ensemble, weekday=1, start_time=dt.time(16), term=term)
    with pytest.raises(services.EnsembleError):
        services.delete_term(term, by=world.manager_a)
    assert Term.objects.filter(pk=term.pk).exists()


def test_register_settings_refuse_an_unknown_time_zone(world):
    services.save_register_settings(
        world.centre_a, register_default="unmarked", time_zone="Europe/London", by=world.manager_a
    )
    with pytest.raises(services.EnsembleError):
        services.save_register_settings(
            world.centre_a, time_zone="Mars/Olympus_Mons", by=world.manager_a
        )
    saved = CentreRegisterSettings.objects.get(centre=world.centre_a)
    assert (saved.register_default, saved.time_zone) == ("unmarked", "Europe/London")


# Sessions -------------------------------------------------------------------------


def test_save_session_fills_in_its_dates_and_delete_keeps_marked_dates(world, register_of, cleared):
    reg = register_of(2)
    today = timezone.localdate()
    session, created = services.save_session(
        reg.ensemble,
        kind="rehearsal",
        name="Friday rehearsal",
        weekday=today.weekday(),
        start_time=dt.time(16),
        duration_minutes=60,
        venue="Hall",
        term=None,
        starts_on=today - dt.timedelta(days=14),
        ends_on=today + dt.timedelta(days=14),
        tutors=[world.tutor_a],
        by=world.manager_a,
    )
    assert created == 5 and session.occurrences.count() == 5
    assert list(session.tutors.all()) == [world.tutor_a]
    assert _events("created", session).exists()
    past = session.occurrences.order_by("date").first()
    Mark.objects.create(
        occurrence=past,
        child=reg.children[0],
        status="present",
        marked_at=timezone.now(),
        recorded_at=timezone.now(),
    )
    result = services.delete_session(session, by=world.manager_a)
    assert result == {"removed": 3, "kept": 2}  # today and the next two go; two past stay
    past.refresh_from_db()
    assert past.session_id is None and past.marks.count() == 1
    with pytest.raises(services.EnsembleError):
        services.save_session(
            reg.ensemble, weekday=0, start_time=dt.time(16), term=None, by=world.manager_a
        )


# Dates ------------------------------------------------------------------------------


def test_add_one_off_makes_a_concert_in_the_centres_time(world, register_of, cleared):
    reg = register_of(2)
    starts = dt.datetime(2027, 3, 27, 18, 30, tzinfo=LONDON)
    with pytest.raises(services.EnsembleError):
        services.add_one_off(reg.ensemble, kind="party", starts_at=starts, minutes=60, by=None)
    concert = services.add_one_off(
        reg.ensemble,
        kind="concert",
        title="Spring concert",
        starts_at=dt.datetime(2027, 3, 27, 18, 30, tzinfo=LONDON),
        minutes=90,
        venue="St George's Hall",
        tutors=[world.tutor_a],
        by=world.manager_a,
    )
    assert (concert.kind, concert.session_id, concert.centre) == ("concert", None, world.centre_a)
    assert concert.date == dt.date(2027, 3, 27)
    assert concert.ends_at - concert.starts_at == dt.timedelta(minutes=90)
    assert list(concert.tutors.all()) == [world.tutor_a]
    assert _events("one-off date added", concert).get().changes["kind"] == "concert"


def test_a_date_that_crosses_midnight_in_utc_keeps_the_centres_local_date(world, register_of):
    reg = register_of(1)
    services.save_register_settings(world.centre_a, time_zone="America/Caracas", by=world.manager_a)
    late = services.add_one_off(
        reg.ensemble,
        kind="rehearsal",
        starts_at=dt.datetime(2026, 12, 1, 21, 0, tzinfo=dt.UTC) + dt.timedelta(hours=4),
        minutes=60,
        by=world.manager_a,
    )  # 01:00 UTC on 2 December is 21:00 on 1 December in Caracas
    assert late.date == dt.date(2026, 12, 1)


def test_moving_a_date_bumps_the_sequence_and_tells_the_reports(
    world, register_of, heard, django_capture_on_commit_callbacks
):
    reg = register_of(2)
    occurrence = reg.occurrence
    before = occurrence.date
    new_start = occurrence.starts_at + dt.timedelta(days=2, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.move_occurrence(occurrence, starts_at=new_start, by=world.manager_a)
    assert moved.date == before + dt.timedelta(days=2)
    assert moved.ends_at == new_start + dt.timedelta(minutes=90)
    assert moved.sequence == 1
    assert _events("occurrence moved", moved).get().changes["date"] == moved.date.isoformat()
    assert heard == [(occurrence.pk, before)]


def test_cancelling_keeps_the_marks_leaves_them_out_of_rates_and_tells_the_reports(
    world, register_of, heard, django_capture_on_commit_callbacks
):
    reg = register_of(2)
    occurrence = reg.occurrence
    now = timezone.now()
    for child in reg.children:
        Mark.objects.create(
            occurrence=occurrence, child=child, status="present", marked_at=now, recorded_at=now
        )
    day = occurrence.date
    assert insight.child_rates([reg.children[0].pk], since=day, until=day) == {
        reg.children[0].pk: 1.0
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_occurrence(occurrence, note="Snow", by=world.manager_a)
    occurrence.refresh_from_db()
    assert occurrence.cancelled and occurrence.note == "Snow"
    assert occurrence.marks.count() == 2  # kept: who came before it was called off
    summary = insight.summary(insight.marks_for_centre(world.centre_a), day, day)
    assert summary["marks"] == 0  # a cancelled date counts for nothing
    assert (
        insight.child_rates([reg.children[0].pk], since=day, until=day).get(reg.children[0].pk)
        is None
    )
    assert _events("cancelled", occurrence).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.reinstate_occurrence(occurrence, by=world.manager_a)
    assert insight.summary(insight.marks_for_centre(world.centre_a), day, day)["marks"] == 2
    assert heard == [(occurrence.pk, day), (occurrence.pk, day)]
    assert _events("reinstated", occurrence).exists()


def test_a_change_of_venue_only_is_audited_but_not_announced(
    world, register_of, heard, django_capture_on_commit_callbacks
):
    reg = register_of(1)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_occurrence(reg.occurrence, venue="Philharmonic Hall", by=world.manager_a)
    assert _events("occurrence changed", reg.occurrence).get().changes == {
        "venue": "Philharmonic Hall"
    }
    assert heard == []


def test_a_one_off_date_without_a_register_can_be_removed_others_cannot(world, register_of):
    reg = register_of(1)
    extra = services.add_one_off(
        reg.ensemble,
        kind="rehearsal",
        title="Extra rehearsal",
        starts_at=reg.occurrence.starts_at + dt.timedelta(days=1),
        minutes=60,
        by=world.manager_a,
    )
    assert services.may_delete_occurrence(extra)
    services.delete_occurrence(extra, by=world.manager_a)
    assert not Occurrence.objects.filter(pk=extra.pk).exists()
    assert AuditEvent.objects.filter(action="deleted", object_type="occurrence").exists()
    now = timezone.now()
    Mark.objects.create(
        occurrence=reg.occurrence,
        child=reg.children[0],
        status="present",
        marked_at=now,
        recorded_at=now,
    )
    with pytest.raises(services.EnsembleError):
        services.delete_occurrence(reg.occurrence, by=world.manager_a)
    assert Occurrence.objects.filter(pk=reg.occurrence.pk).exists()


def test_generate_dates_is_idempotent(world, register_of):
    reg = register_of(1)
    today = timezone.localdate()
    session = Session.objects.create(
        ensemble=reg.ensemble,
        weekday=today.weekday(),
        start_time=dt.time(9),
        starts_on=today,
        ends_on=today + dt.timedelta(days=13),
    )
    assert services.generate_dates([session], by=world.manager_a) == 2
    assert services.generate_dates([session], by=world.manager_a) == 0


def test_renewing_a_tutor_feed_changes_the_address(world):
    first = services.calendar_token(world.tutor_a)
    assert services.calendar_token(world.tutor_a) == first
    renewed = services.renew_tutor_feed(world.tutor_a)
    assert renewed.token != first.token
    assert CalendarToken.objects.filter(user=world.tutor_a).count() == 1
