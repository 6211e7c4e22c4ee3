"""The register: who is expected, and the one write that records their marks.

A submission is what a tutor's device sends when they press Save (straight away,
or later from the offline queue)::

    {"key": "<UUID made on the device>",
     "marks": [{"child": 12, "status": "late", "reason": "", "note": "",
                "marked_at": "2026-11-25T16:02:11.120Z"}, ...]}

Rules (documented in docs/architecture.md and on the register page):

* **Idempotent.** The key is stored with the result (``Submission``). The same key
  again — a retry after a lost answer, a replay from the offline queue — returns
  the stored result and writes nothing.
* **Latest device time wins, per child.** ``marked_at`` is when the mark was
  made on the device (clamped to the server's clock, so a fast device clock
  cannot win every conflict). An incoming mark older than the stored one is not
  applied; it is kept in ``MarkChange`` as "not applied", so nothing is lost. A
  tie goes to the later arrival. A newer mark that changes a stored one is kept
  in ``MarkChange`` as a correction (who, what, when).
* **One bulk write.** All marks of a submission are written by one
  ``bulk_create(update_conflicts=True)`` upsert on (occurrence, child).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from harmonia import audit
from harmonia.ensembles.models import (
    AbsenceReason,
    Mark,
    MarkChange,
    MarkStatus,
    Occurrence,
    Placement,
    Submission,
)
from harmonia.ensembles.signals import announce

MAX_MARKS = 500


class RegisterError(ValueError):
    """A submission that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class MarkIn:
    child: int
    status: str
    reason: str
    note: str
    marked_at: dt.datetime


def roster(occurrence: Occurrence, *, safety: bool = False):
    """The placements expected at ``occurrence`` (one query, whatever its size)."""
    related = ["child", "section"] + (["child__safety"] if safety else [])
    return (
        Placement.objects.filter(ensemble_id=occurrence.ensemble_id, child__anonymised_at=None)
        .current_on(occurrence.date)
        .select_related(*related)
        .order_by("section__order", "section__name", "child__last_name", "child__first_name")
    )


def roster_rows(occurrence: Occurrence, *, safety: bool = False) -> list[dict]:
    """The roster as plain rows for the register page (one query, no model instances)."""
    fields = ["child_id", "child__first_name", "child__preferred_name", "child__last_name",
              "section__name", "instrument"]  # fmt: skip
    if safety:
        fields += ["child__safety__allergies", "child__safety__medical", "child__safety__dietary"]
    rows = []
    for row in roster(occurrence).values(*fields):
        notes = None
        if safety and any(row[f"child__safety__{k}"] for k in ("allergies", "medical", "dietary")):
            notes = {k: row[f"child__safety__{k}"] for k in ("allergies", "medical", "dietary")}
        first = row["child__preferred_name"] or row["child__first_name"]
        rows.append(
            {
                "id": row["child_id"],
                "name": f"{first} {row['child__last_name']}".strip(),
                "section": row["section__name"] or "",
                "instrument": row["instrument"],
                "safety": notes,
            }
        )
    return rows


def _parse(raw: dict, now: dt.datetime) -> MarkIn:
    try:
        child = int(raw["child"])
    except (KeyError, TypeError, ValueError):
        raise RegisterError(_("Each mark needs a child.")) from None
    status = raw.get("status")
    if status not in MarkStatus.values:
        raise RegisterError(_("Unknown mark “%(status)s”.") % {"status": status})
    reason = raw.get("reason") or ""
    if status == MarkStatus.ABSENT_AUTHORISED:
        reason = reason or AbsenceReason.OTHER
    if reason and reason not in AbsenceReason.values:
        raise RegisterError(_("Unknown absence reason “%(reason)s”.") % {"reason": reason})
    if status != MarkStatus.ABSENT_AUTHORISED:
        reason = ""
    note = str(raw.get("note") or "").strip()[:255]
    marked_at = parse_datetime(str(raw.get("marked_at") or "")) or now
    if timezone.is_naive(marked_at):
        marked_at = timezone.make_aware(marked_at, dt.UTC)
    return MarkIn(child, status, reason, note, min(marked_at, now))


def _stored(key: str, occurrence: Occurrence):
    stored = Submission.objects.filter(key=key).first()
    if stored is None:
        return None
    if stored.occurrence_id != occurrence.pk:
        raise RegisterError(_("This submission key was already used for another register."))
    return {**stored.result, "replayed": True}


def submit_register(occurrence: Occurrence, *, key: str, marks: list, by, now=None) -> dict:
    """Record one submission of marks (idempotent on ``key``); return its result."""
    now = now or timezone.now()
    key = str(key or "").strip()
    if not 8 <= len(key) <= 64:
        raise RegisterError(_("A submission needs an idempotency key."))
    replay = _stored(key, occurrence)
    if replay is not None:
        return replay
    if occurrence.cancelled:
        raise RegisterError(_("This session was cancelled; it has no register."))
    if not isinstance(marks, list) or len(marks) > MAX_MARKS:
        raise RegisterError(_("A submission holds a list of marks."))
    incoming = {m.child: m for m in (_parse(raw, now) for raw in marks if isinstance(raw, dict))}
    try:
        with transaction.atomic():
            return _write(occurrence, key, incoming, by, now)
    except IntegrityError:
        # The same key arrived twice at once: the first one won; answer as it did.
        replay = _stored(key, occurrence)
        if replay is None:
            raise
        return replay


def _write(occurrence, key, incoming: dict[int, MarkIn], by, now) -> dict:
    existing = {m.child_id: m for m in Mark.objects.filter(occurrence=occurrence)}
    expected = set(roster(occurrence).values_list("child_id", flat=True))
    unknown = sorted(c for c in incoming if c not in expected and c not in existing)
    writes, changes, lost = [], [], 0
    for child_id, mark in incoming.items():
        if child_id in unknown:
            continue
        old = existing.get(child_id)
        same = old is not None and (old.status, old.reason, old.note) == (
            mark.status,
            mark.reason,
            mark.note,
        )
        if old is not None and old.marked_at > mark.marked_at:
            if not same:
                lost += 1
                changes.append(_change(occurrence, old, mark, MarkChange.Kind.CONFLICT_LOST))
            continue
        if same:
            continue
        if old is not None:
            changes.append(_change(occurrence, old, mark, MarkChange.Kind.CORRECTED))
        writes.append(
            Mark(
                occurrence=occurrence,
                child_id=child_id,
                status=mark.status,
                reason=mark.reason,
                note=mark.note,
                marked_by=by,
                marked_at=mark.marked_at,
                recorded_at=now,
                client_key=key,
            )
        )
    for change in changes:
        change.changed_by, change.changed_at, change.submission_key = by, now, key
    if writes:  # the one bulk write of the submission: an upsert on (occurrence, child)
        Mark.objects.bulk_create(
            writes,
            update_conflicts=True,
            unique_fields=["occurrence", "child"],
            update_fields=[
                "status",
                "reason",
                "note",
                "marked_by",
                "marked_at",
                "recorded_at",
                "client_key",
            ],
        )
    if changes:
        MarkChange.objects.bulk_create(changes)
    Occurrence.objects.filter(pk=occurrence.pk).update(register_taken_at=now, register_taken_by=by)
    result = {
        "key": key,
        "occurrence": occurrence.pk,
        "received": len(incoming),
        "saved": len(writes),
        "unchanged": len(incoming) - len(writes) - lost - len(unknown),
        "not_applied": lost,
        "unknown_children": unknown,
        "saved_at": now.isoformat(),
    }
    Submission.objects.create(
        key=key, occurrence=occurrence, user=by, received_at=now, result=result
    )
    if writes:
        announce(occurrence)
    audit.record(
        actor=by,
        action="register taken",
        obj=occurrence,
        programme=occurrence.ensemble.programme,
        changes={k: result[k] for k in ("received", "saved", "not_applied")},
    )
    return {**result, "replayed": False}


def _change(occurrence, old: Mark, new: MarkIn, kind) -> MarkChange:
    return MarkChange(
        occurrence=occurrence,
        child_id=old.child_id,
        kind=kind,
        old_status=old.status,
        new_status=new.status,
        old_note=old.note,
        new_note=new.note,
        reason=new.reason,
        device_marked_at=new.marked_at,
    )


def history(occurrence: Occurrence, limit: int = 100, *, user=None):
    """The register's changes, newest first (one query); with ``user``, only the
    changes about children that person may see."""
    changes = MarkChange.objects.all() if user is None else MarkChange.objects.visible_to(user)
    return (
        changes.filter(occurrence=occurrence)
        .select_related("changed_by", "child")
        .order_by("-changed_at", "-id")[:limit]
    )
