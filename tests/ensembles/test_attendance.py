"""Attendance a centre can run on (issue 11): the programme's codes and what they count
as, bulk absences, the tutors' register completion, a child's day-by-day calendar, and
the home page keeping only today's and the next few registers for offline use."""

import datetime as dt
import json
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from harmonia.audit.models import AuditEvent
from harmonia.ensembles import attendance, insight
from harmonia.ensembles.models import AttendanceCode, Mark, MarkChange, Occurrence, Section
from harmonia.ensembles.register import RegisterError, submit_register
from harmonia.programmes.models import Programme
from tests.ensembles.conftest import LONDON, build_register, marks_payload


def _occurrence(reg, day, *, hour=16, tutor=None):
    starts = dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)
    o = Occurrence.objects.create(
        ensemble=reg.ensemble, centre=reg.occurrence.centre, date=day, starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90), minutes=90, kind="rehearsal",
    )  # fmt: skip
    if tutor is not None:
        o.tutors.add(tutor)
    return o


def _mark(o, child, status, by=None, *, default=False):
    now = timezone.now()
    return Mark.objects.create(
        occurrence=o, child=child, status=status, marked_at=now, recorded_at=now,
        marked_by=by, by_default=default,
    )  # fmt: skip


# Codes -----------------------------------------------------------------------------


def test_every_programme_starts_with_the_default_codes(world):
    scotland = Programme.objects.create(name="Sistema Scotland", slug="scotland", country="GB")
    codes = dict(
        AttendanceCode.objects.filter(programme=scotland).values_list("code", "counts_as_attended")
    )
    assert codes == {
        "present": True, "late": True, "left_early": True, "remote": True,
        "absent_authorised": False, "absent_unauthorised": False, "not_expected": False,
    }  # fmt: skip
    late = AttendanceCode.objects.get(programme=scotland, code="late")
    assert late.label_es == "Llegó tarde" and late.asks_minutes and late.tap_order == 2


def test_the_rate_counts_by_the_programmes_mapping(world):
    """Left early and remote count as attended; "not expected" leaves the rate."""
    reg = build_register(world.centre_a, 4)
    a, b, c, d = reg.children
    today = timezone.localdate()
    for day in (1, 2):
        o = _occurrence(reg, today - dt.timedelta(days=day))
        _mark(o, a, "present"), _mark(o, b, "left_early"), _mark(o, c, "remote")
        _mark(o, d, "not_expected" if day == 1 else "absent_unauthorised")
    row = insight.summary(
        insight.marks_for_centre(world.centre_a), today - dt.timedelta(days=7), today
    )
    # 7 possible marks (d's "not expected" is not one), 6 attended.
    assert (row["marks"], row["attended"]) == (7, 6)
    assert row["rate"] == pytest.approx(6 / 7)
    assert row["hours"] == pytest.approx(6 * 90 / 60)
    # A manager decides that remote does not count: every figure follows.
    AttendanceCode.objects.filter(programme=world.england, code="remote").update(
        counts_as_attended=False
    )
    row = insight.summary(
        insight.marks_for_centre(world.centre_a), today - dt.timedelta(days=7), today
    )
    assert (row["marks"], row["attended"]) == (7, 4)
    rates = insight.child_rates([b.pk, c.pk, d.pk], today - dt.timedelta(days=7), today)
    assert rates == {b.pk: 1.0, c.pk: 0.0, d.pk: 0.0}


def test_the_register_takes_the_programmes_own_codes_and_minutes_late(world):
    reg = build_register(world.centre_a, 3, tutor=world.tutor_a)
    AttendanceCode.objects.create(
        programme=world.england, code="music_trip", label="On a music trip", abbreviation="MT",
        counts_as_attended=True, order=75,
    )  # fmt: skip
    x, y, z = reg.children
    result = submit_register(
        reg.occurrence, key=str(uuid.uuid4()), by=world.tutor_a,
        marks=[{"child": x.pk, "status": "music_trip"},
               {"child": y.pk, "status": "late", "minutes_late": 12},
               {"child": z.pk, "status": "present", "minutes_late": 5}],
    )  # fmt: skip
    assert result["saved"] == 3
    marks = {m.child_id: (m.status, m.late_minutes) for m in Mark.objects.all()}
    # Minutes are kept only for a code that asks for them.
    assert marks == {x.pk: ("music_trip", None), y.pk: ("late", 12), z.pk: ("present", None)}
    with pytest.raises(RegisterError, match="Unknown mark"):
        submit_register(
            reg.occurrence, key=str(uuid.uuid4()), by=world.tutor_a,
            marks=[{"child": x.pk, "status": "music_trip_typo"}],
        )  # fmt: skip
    # Another programme's codes are not this one's.
    AttendanceCode.objects.create(
        programme=world.venezuela, code="gira", label="On tour", abbreviation="G"
    )
    with pytest.raises(RegisterError):
        submit_register(
            reg.occurrence, key=str(uuid.uuid4()), by=world.tutor_a,
            marks=[{"child": x.pk, "status": "gira"}],
        )  # fmt: skip


def test_the_register_page_offers_the_programmes_codes(as_persona, world):
    reg = build_register(world.centre_a, 2, tutor=world.tutor_a)
    AttendanceCode.objects.filter(programme=world.england, code="remote").update(active=False)
    client = as_persona("tutor_a")
    client.cookies["django_language"] = "es"
    response = client.get(
        reverse("ensembles:register", args=[reg.occurrence.pk]), HTTP_ACCEPT_LANGUAGE="es"
    )
    html = response.content.decode()
    state = json.loads(re.search(r'id="register-state"[^>]*>(.*?)</script>', html, re.S)[1])
    by_code = {c["code"]: c for c in state["codes"]}
    assert by_code["left_early"]["attended"] and by_code["left_early"]["active"]
    assert by_code["not_expected"]["possible"] is False
    assert [c["code"] for c in sorted(state["codes"], key=lambda c: c["tap"] or 99)][:3] == [
        "present", "late", "absent_unauthorised"
    ]  # fmt: skip
    sheet = html[
        html.index('id="sheet-code"') : html.index("</select>", html.index('id="sheet-code"'))
    ]
    assert 'value="left_early"' in sheet and 'value="remote"' not in sheet  # retired


# Bulk absences -----------------------------------------------------------------------


def test_a_bulk_absence_marks_a_section_for_a_trip_and_keeps_what_people_recorded(world):
    reg = build_register(world.centre_a, 6)
    today = timezone.localdate()
    cellos = Section.objects.create(ensemble=reg.ensemble, name="Cellos", order=2)
    reg.ensemble.placements.filter(child__in=reg.children[3:]).update(section=cellos)
    monday, tuesday = today + dt.timedelta(days=7), today + dt.timedelta(days=8)
    first, second = _occurrence(reg, monday), _occurrence(reg, tuesday)
    d, e, f = reg.children[3:]
    _mark(first, d, "present", by=world.tutor_a)  # a tutor's own mark: kept
    _mark(first, e, "present", by=world.tutor_a, default=True)  # only the default: replaced
    result = attendance.record_bulk_absence(
        reg.ensemble, by=world.manager_a, first=monday, last=tuesday,
        code="absent_authorised", reason="school", note="Cello trip", section=cellos,
    )  # fmt: skip
    assert (result.occurrences, result.written, result.kept) == (2, 5, 1)
    marks = {(m.occurrence_id, m.child_id): m for m in Mark.objects.all()}
    assert marks[(first.pk, d.pk)].status == "present"
    assert marks[(first.pk, e.pk)].status == "absent_authorised"
    assert (
        marks[(second.pk, f.pk)].reason == "school"
        and marks[(second.pk, f.pk)].note == "Cello trip"
    )
    assert not any(
        m.status != "present"
        for (o, c), m in marks.items()
        if c in {x.pk for x in reg.children[:3]}
    )
    assert MarkChange.objects.get().old_status == "present"  # the replaced default
    event = AuditEvent.objects.get(action="bulk absence recorded")
    assert event.changes["marks written"] == 5 and event.changes["marks kept"] == 1
    # The violins were not marked, so neither register is complete.
    assert not Occurrence.objects.filter(
        pk__in=[first.pk, second.pk], register_taken_at__isnull=False
    )


def test_a_whole_ensemble_bulk_absence_completes_its_registers(world):
    reg = build_register(world.centre_a, 3)
    day = timezone.localdate() - dt.timedelta(days=1)
    o = _occurrence(reg, day)
    result = attendance.record_bulk_absence(
        reg.ensemble, by=world.manager_a, first=day, last=day, code="absent_authorised",
        reason="illness", note="Norovirus outbreak",
    )  # fmt: skip
    assert result.completed == 1
    o.refresh_from_db()
    assert o.register_taken_by == world.manager_a


def test_a_bulk_absence_is_refused_beyond_a_term(world):
    from django.core.exceptions import ValidationError

    reg = build_register(world.centre_a, 1)
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        attendance.record_bulk_absence(
            reg.ensemble, by=world.manager_a, first=today, last=today + dt.timedelta(days=200),
            code="absent_authorised", reason="illness",
        )  # fmt: skip
    assert not Mark.objects.exists()


def test_a_manager_records_a_bulk_absence_from_the_ensemble_page(as_persona, world):
    reg = build_register(world.centre_a, 4)
    client = as_persona("manager_a")
    detail = client.get(reverse("ensembles:ensemble_detail", args=[reg.ensemble.pk]))
    url = reverse("ensembles:bulk_absence", args=[reg.ensemble.pk])
    assert url in detail.content.decode()
    day = reg.occurrence.date.isoformat()
    response = client.post(url, {"first": day, "last": day, "code": "absent_authorised",
                                 "reason": "school", "children": [reg.children[0].pk],
                                 "note": "Choir trip"})  # fmt: skip
    assert response.status_code == 302
    assert list(Mark.objects.values_list("child_id", "status")) == [
        (reg.children[0].pk, "absent_authorised")
    ]


# Register completion ---------------------------------------------------------------


def _completion_world(world, size):
    """Four registers for the tutor: on time, late, not taken, still to come."""
    reg = build_register(world.centre_a, size, day=timezone.localdate() - dt.timedelta(days=5))
    today = timezone.localdate()
    on_time, late, missed = (
        _occurrence(reg, today - dt.timedelta(days=n), tutor=world.tutor_a) for n in (3, 2, 1)
    )
    later = _occurrence(reg, today + dt.timedelta(days=1), tutor=world.tutor_a)
    for o, saved in ((on_time, on_time.starts_at + dt.timedelta(minutes=5)),
                     (late, late.ends_at + dt.timedelta(hours=20))):  # fmt: skip
        submit_register(o, key=str(uuid.uuid4()), by=world.tutor_a, now=saved,
                        marks=marks_payload(reg.children, at=saved))  # fmt: skip
    # A correction made days later does not make the first register late.
    submit_register(on_time, key=str(uuid.uuid4()), by=world.manager_a,
                    marks=marks_payload(reg.children[:1], status="late"))  # fmt: skip
    return reg, (on_time, late, missed, later)


@pytest.mark.parametrize("size", [2, 12])
def test_register_completion_per_tutor(as_persona, world, django_assert_max_num_queries, size):
    reg, (on_time, late, missed, later) = _completion_world(world, size)
    client = as_persona("manager_a")
    url = reverse("ensembles:register_completion", args=[world.centre_a.pk])
    until = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    with django_assert_max_num_queries(12):  # the same at any size
        response = client.get(url, {"until": until})
    rows = response.context["rows"]
    tutor = next(r for r in rows if r["tutor"] == world.tutor_a)
    counts = [tutor[k] for k in ("due", "on_time", "late", "not_taken", "to_come")]
    assert counts == [4, 1, 1, 1, 1]
    states = {r["occurrence"].pk: r["state"] for r in tutor["registers"]}
    assert states == {
        on_time.pk: "on_time",
        late.pk: "late",
        missed.pk: "not_taken",
        later.pk: "to_come",
    }
    assert "Not taken" in response.content.decode()


def test_register_completion_is_only_for_the_managers_own_centre(as_persona, world):
    client = as_persona("manager_a")
    url = reverse("ensembles:register_completion", args=[world.centre_b.pk])
    assert client.get(url).status_code == 404


# A child's calendar --------------------------------------------------------------------


def test_a_childs_attendance_calendar_shows_each_mark_on_its_day(as_persona, world):
    reg = build_register(world.centre_a, 2, day=timezone.localdate() - dt.timedelta(days=40))
    child = reg.children[0]
    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in (3, 2, 1)]
    o1, o2, o3 = (_occurrence(reg, d) for d in days)
    _mark(o1, child, "present"), _mark(o2, child, "absent_authorised")  # o3: not marked
    client = as_persona("tutor_a")
    page = client.get(reverse("children:child_detail", args=[child.pk])).content.decode()
    url = reverse("ensembles:child_attendance", args=[child.pk])
    assert url in page  # the link on the child's page
    response = client.get(url)
    html = response.content.decode()
    cell = lambda d: html[html.index(f'data-date="{d:%Y-%m-%d}"') :].split('role="cell"')[0]  # noqa: E731
    assert "att-mark--attended" in cell(days[0]) and ">P<" in cell(days[0])
    assert "att-mark--absent" in cell(days[1]) and ">AA<" in cell(days[1])
    assert "att-mark--unmarked" in cell(days[2])
    assert (response.context["attended"], response.context["possible"]) == (1, 2)
    assert response.context["unmarked"] >= 1
    from harmonia.children.models import ChildAccessLog

    assert ChildAccessLog.objects.filter(child=child, detail=url).exists()


# Offline: what the home page keeps on the device -------------------------------------


def test_the_home_page_keeps_only_todays_and_the_next_few_registers_offline(as_persona, world):
    today = timezone.localdate()
    reg = build_register(world.centre_a, 2, day=today - dt.timedelta(days=27), tutor=world.tutor_a)
    todays = [_occurrence(reg, today, hour=h, tutor=world.tutor_a) for h in (9, 17)]
    for n in range(1, 21):  # three weeks of untaken registers
        _occurrence(reg, today - dt.timedelta(days=n), tutor=world.tutor_a)
    week_end = today + dt.timedelta(days=6 - today.weekday())
    coming = [
        _occurrence(reg, today + dt.timedelta(days=n), tutor=world.tutor_a)
        for n in range(1, (week_end - today).days + 1)
    ]
    html = as_persona("tutor_a").get(reverse("home")).content.decode()
    listed = re.findall(r'class="session-card" href="/registers/(\d+)/"', html)
    kept = re.findall(r'class="session-card" href="/registers/(\d+)/" data-offline', html)
    assert len(listed) >= 20  # the page still lists every register to take
    expected = [o.pk for o in todays] + [o.pk for o in coming[:3]]
    assert sorted(int(pk) for pk in kept) == sorted(expected)
