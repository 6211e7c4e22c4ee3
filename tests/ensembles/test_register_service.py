"""The register write: idempotent, one bulk write, latest device time wins."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from harmonia.ensembles.models import Mark, MarkChange, Occurrence, Submission
from harmonia.ensembles.register import RegisterError, submit_register
from tests.ensembles.conftest import marks_payload


def test_a_submission_records_one_mark_per_child(world, register_of):
    reg = register_of(12)
    result = submit_register(
        reg.occurrence, key=str(uuid.uuid4()), marks=marks_payload(reg.children), by=world.tutor_a
    )
    assert result["saved"] == 12 and result["replayed"] is False
    assert Mark.objects.filter(occurrence=reg.occurrence).count() == 12
    reg.occurrence.refresh_from_db()
    assert reg.occurrence.register_taken_by == world.tutor_a


def test_the_same_key_twice_returns_the_stored_result_and_writes_nothing(world, register_of):
    reg = register_of(8)
    key = str(uuid.uuid4())
    first = submit_register(
        reg.occurrence, key=key, marks=marks_payload(reg.children), by=world.tutor_a
    )
    later = marks_payload(reg.children, status="late", at=timezone.now() + dt.timedelta(seconds=1))
    second = submit_register(reg.occurrence, key=key, marks=later, by=world.tutor_a)
    assert second["replayed"] is True
    assert {k: v for k, v in second.items() if k != "replayed"} == {
        k: v for k, v in first.items() if k != "replayed"
    }
    assert Mark.objects.filter(occurrence=reg.occurrence).count() == 8
    assert set(Mark.objects.values_list("status", flat=True)) == {"present"}
    assert Submission.objects.count() == 1


def test_all_marks_are_written_by_one_bulk_statement(world, register_of):
    reg = register_of(60)
    with CaptureQueriesContext(connection) as ctx:
        submit_register(
            reg.occurrence,
            key=str(uuid.uuid4()),
            marks=marks_payload(reg.children),
            by=world.tutor_a,
        )
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith('INSERT INTO "ensembles_mark"')
    ]
    assert len(writes) == 1
    assert "ON CONFLICT" in writes[0]


def test_a_later_correction_wins_and_is_kept_in_history(world, register_of):
    reg = register_of(3)
    t0 = timezone.now() - dt.timedelta(minutes=10)
    submit_register(
        reg.occurrence,
        key="k-first-000",
        marks=marks_payload(reg.children, at=t0),
        by=world.tutor_a,
    )
    child = reg.children[0]
    submit_register(
        reg.occurrence,
        key="k-second-00",
        marks=[{"child": child.pk, "status": "absent_authorised", "reason": "illness",
                "note": "Phoned in", "marked_at": timezone.now().isoformat()}],
        by=world.manager_a,
    )  # fmt: skip
    mark = Mark.objects.get(occurrence=reg.occurrence, child=child)
    assert (mark.status, mark.reason, mark.note, mark.marked_by) == (
        "absent_authorised", "illness", "Phoned in", world.manager_a,
    )  # fmt: skip
    change = MarkChange.objects.get()
    assert (change.kind, change.old_status, change.new_status, change.changed_by) == (
        "corrected", "present", "absent_authorised", world.manager_a,
    )  # fmt: skip


def test_an_older_offline_mark_loses_to_a_newer_one_and_is_kept(world, register_of):
    """Conflict rule: per child, the latest device ``marked_at`` wins; the loser is history."""
    reg = register_of(2)
    child = reg.children[0]
    tapped_offline = timezone.now() - dt.timedelta(minutes=30)
    corrected_online = timezone.now() - dt.timedelta(minutes=5)
    submit_register(
        reg.occurrence, key="online-0001",
        marks=[{"child": child.pk, "status": "late", "marked_at": corrected_online.isoformat()}],
        by=world.manager_a,
    )  # fmt: skip
    result = submit_register(
        reg.occurrence, key="offline-001",
        marks=marks_payload(reg.children, status="absent_unauthorised", at=tapped_offline),
        by=world.tutor_a,
    )  # fmt: skip
    assert result["not_applied"] == 1 and result["saved"] == 1
    assert Mark.objects.get(child=child).status == "late"
    assert Mark.objects.get(child=reg.children[1]).status == "absent_unauthorised"
    lost = MarkChange.objects.get(kind="conflict_lost")
    assert (lost.old_status, lost.new_status, lost.changed_by) == (
        "late",
        "absent_unauthorised",
        world.tutor_a,
    )


def test_a_device_clock_in_the_future_cannot_win_every_conflict(world, register_of):
    reg = register_of(1)
    future = timezone.now() + dt.timedelta(days=1)
    submit_register(
        reg.occurrence,
        key="future-0001",
        marks=marks_payload(reg.children, at=future),
        by=world.tutor_a,
    )
    assert Mark.objects.get().marked_at <= timezone.now()


def test_children_not_in_the_ensemble_are_not_marked(world, register_of):
    reg = register_of(2)
    other = register_of(1, name="Choir")
    result = submit_register(
        reg.occurrence,
        key="unknown-001",
        marks=marks_payload(reg.children + other.children),
        by=world.tutor_a,
    )
    assert result["unknown_children"] == [other.children[0].pk]
    assert Mark.objects.count() == 2


@pytest.mark.parametrize(
    "marks, key",
    [
        ([{"child": 1, "status": "asleep"}], "bad-status-1"),
        ([{"status": "present"}], "no-child-001"),
        ("present", "not-a-list-1"),
        ([], "short"),
    ],
)
def test_bad_submissions_are_refused_with_a_reason(world, register_of, marks, key):
    reg = register_of(1)
    with pytest.raises(RegisterError):
        submit_register(reg.occurrence, key=key, marks=marks, by=world.tutor_a)
    assert not Mark.objects.exists()


def test_a_cancelled_session_has_no_register(world, register_of):
    reg = register_of(1)
    Occurrence.objects.filter(pk=reg.occurrence.pk).update(status="cancelled")
    reg.occurrence.refresh_from_db()
    with pytest.raises(RegisterError):
        submit_register(
            reg.occurrence, key="cancelled-1", marks=marks_payload(reg.children), by=world.tutor_a
        )


def test_a_key_cannot_be_reused_for_another_register(world, register_of):
    a, b = register_of(1), register_of(1, name="Choir")
    submit_register(
        a.occurrence, key="shared-key-1", marks=marks_payload(a.children), by=world.tutor_a
    )
    with pytest.raises(RegisterError):
        submit_register(
            b.occurrence, key="shared-key-1", marks=marks_payload(b.children), by=world.tutor_a
        )
