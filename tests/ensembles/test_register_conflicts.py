"""Two devices, one register: only marks a person made compete; defaults never overwrite.

Device B (the manager's phone) marks a child absent; device A (the tutor's phone, offline)
never touches that child but sends its default "present" row when Save is pressed.
"""

import datetime as dt

import pytest
from django.utils import timezone

from harmonia.ensembles.models import Mark, MarkChange, Submission
from harmonia.ensembles.register import SubmissionRefused, submit_register


def _row(child, status, at, *, touched=True, **extra):
    return {"child": child.pk, "status": status, "touched": touched,
            "marked_at": at.isoformat(), **extra}  # fmt: skip


def _status(reg, child):
    return Mark.objects.get(occurrence=reg.occurrence, child=child).status


@pytest.fixture
def clock():
    return timezone.now() - dt.timedelta(minutes=30)


def test_a_colleagues_absent_survives_an_untouched_default(world, register_of, clock):
    reg = register_of(3)
    x, y, z = reg.children
    submit_register(
        reg.occurrence, key="device-b-001",
        marks=[_row(x, "absent_unauthorised", clock + dt.timedelta(minutes=5))],
        by=world.manager_a,
    )  # fmt: skip
    # A was offline; it tapped Y late and pressed Save later than B's tap.
    saved = clock + dt.timedelta(minutes=20)
    result = submit_register(
        reg.occurrence, key="device-a-001",
        marks=[_row(x, "present", saved, touched=False), _row(y, "late", clock),
               _row(z, "present", saved, touched=False)],
        by=world.tutor_a,
    )  # fmt: skip
    assert _status(reg, x) == "absent_unauthorised"
    assert (_status(reg, y), _status(reg, z)) == ("late", "present")
    assert Mark.objects.get(child=z).by_default is True
    assert not MarkChange.objects.filter(child=x).exists()  # a default is not a lost mark
    assert result["conflicts"] == [
        {"child": x.pk, "status": "absent_unauthorised", "reason": "", "note": "",
         "marked_at": Mark.objects.get(child=x).marked_at.isoformat(),
         "by": world.manager_a.get_short_name(), "yours": False},
    ]  # fmt: skip


def test_a_touched_later_mark_wins_over_an_earlier_one(world, register_of, clock):
    reg = register_of(1)
    (x,) = reg.children
    submit_register(
        reg.occurrence, key="device-b-002",
        marks=[_row(x, "absent_unauthorised", clock)], by=world.manager_a,
    )  # fmt: skip
    result = submit_register(
        reg.occurrence, key="device-a-002",
        marks=[_row(x, "late", clock + dt.timedelta(minutes=1))], by=world.tutor_a,
    )  # fmt: skip
    assert _status(reg, x) == "late" and result["conflicts"] == []
    change = MarkChange.objects.get(child=x)
    assert (change.kind, change.old_status, change.new_status) == (
        "corrected", "absent_unauthorised", "late",
    )  # fmt: skip


def test_the_device_that_loses_is_told_the_servers_mark(world, register_of, clock):
    reg = register_of(1)
    (x,) = reg.children
    submit_register(
        reg.occurrence, key="device-b-003",
        marks=[_row(x, "absent_authorised", clock, reason="illness", note="Phoned")],
        by=world.manager_a,
    )  # fmt: skip
    result = submit_register(
        reg.occurrence, key="device-a-003",
        marks=[_row(x, "late", clock - dt.timedelta(minutes=1))], by=world.tutor_a,
    )  # fmt: skip
    assert result["not_applied"] == 1
    (conflict,) = result["conflicts"]
    assert (conflict["child"], conflict["status"], conflict["reason"], conflict["note"]) == (
        x.pk, "absent_authorised", "illness", "Phoned",
    )  # fmt: skip
    assert conflict["yours"] is True
    lost = MarkChange.objects.get(kind="conflict_lost")
    assert (lost.old_status, lost.new_status, lost.changed_by) == (
        "absent_authorised", "late", world.tutor_a,
    )  # fmt: skip


def test_a_person_s_tap_replaces_a_default_whatever_the_clocks_say(world, register_of, clock):
    """A saved a fresh register (defaults, at Save time); B's earlier offline tap arrives."""
    reg = register_of(2)
    x, y = reg.children
    submit_register(
        reg.occurrence, key="device-a-004",
        marks=[_row(x, "present", clock, touched=False), _row(y, "present", clock, touched=False)],
        by=world.tutor_a,
    )  # fmt: skip
    assert Mark.objects.filter(occurrence=reg.occurrence).count() == 2  # Save records them
    submit_register(
        reg.occurrence, key="device-b-004",
        marks=[_row(x, "absent_unauthorised", clock - dt.timedelta(minutes=10))],
        by=world.manager_a,
    )  # fmt: skip
    mark = Mark.objects.get(child=x)
    assert (mark.status, mark.by_default, mark.marked_by) == (
        "absent_unauthorised", False, world.manager_a,
    )  # fmt: skip


def test_a_replayed_submission_changes_nothing(world, register_of, clock):
    reg = register_of(2)
    x, y = reg.children
    submit_register(
        reg.occurrence, key="device-b-005",
        marks=[_row(x, "absent_unauthorised", clock)], by=world.manager_a,
    )  # fmt: skip
    marks = [_row(x, "present", clock, touched=False), _row(y, "late", clock)]
    first = submit_register(reg.occurrence, key="device-a-005", marks=marks, by=world.tutor_a)
    before = list(Mark.objects.order_by("pk").values())
    changes = MarkChange.objects.count()
    again = submit_register(reg.occurrence, key="device-a-005", marks=marks, by=world.tutor_a)
    assert again["replayed"] is True and again["conflicts"] == first["conflicts"]
    assert list(Mark.objects.order_by("pk").values()) == before
    assert MarkChange.objects.count() == changes
    assert Submission.objects.count() == 2


def test_marks_queued_by_another_person_are_refused(world, register_of, clock):
    reg = register_of(1)
    with pytest.raises(SubmissionRefused):
        submit_register(
            reg.occurrence, key="shared-tab-1",
            marks=[_row(reg.children[0], "late", clock)],
            by=world.manager_a, user=world.tutor_a.pk,
        )  # fmt: skip
    assert not Mark.objects.exists() and not Submission.objects.exists()
    submit_register(
        reg.occurrence, key="shared-tab-2",
        marks=[_row(reg.children[0], "late", clock)], by=world.tutor_a, user=world.tutor_a.pk,
    )  # fmt: skip
    assert _status(reg, reg.children[0]) == "late"


def test_a_tap_time_from_a_wrong_clock_is_bounded(world, register_of):
    reg = register_of(1)
    long_ago = reg.occurrence.starts_at - dt.timedelta(days=400)
    sent = timezone.now()
    submit_register(
        reg.occurrence, key="old-clock-01",
        marks=[_row(reg.children[0], "late", long_ago)], by=world.tutor_a,
    )  # fmt: skip
    # Bounded to the session's start (or now, for a session later today) less 31 days.
    start = min(sent, reg.occurrence.starts_at)
    assert Mark.objects.get().marked_at >= start - dt.timedelta(days=31)
