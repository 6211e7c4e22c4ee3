"""The register: who is expected, and the one write that records their marks.

A submission is what a tutor's device sends when they press Save (straight away,
or later from the offline queue)::

    {"key": "<UUID made on the device>", "user": 7,
     "marks": [{"child": 12, "status": "late", "reason": "", "note": "", "minutes_late": 10,
                "touched": true, "marked_at": "2026-11-25T16:02:11.120Z"}, ...]}

``status`` is one of the programme's active attendance codes (``codes``); a code that
needs a reason gets "other" when none is given; ``minutes_late`` is kept only for a
code that asks for it (0–600).

Rules (documented in docs/architecture.md and on the register page):

* **Idempotent.** The key is stored with the result (``Submission``). The same key
  again — a retry after a lost answer, a replay from the offline queue — returns
  the stored result and writes nothing.
* **One person's queue.** ``user`` is the id of the person who made the marks (the
  offline queue stores it). A submission for someone other than the signed-in user
  is refused (``SubmissionRefused``), so the next person on a shared tablet can never
  send the previous person's marks as their own. Without ``user`` (an API client)
  the marks are the signed-in user's.
* **Only a person's marks compete.** ``touched`` says whether a person set the row
  (a tap, a note, "everyone present"); ``marked_at`` is the device time of that tap,
  bounded to [session start − ``OLDEST_MARK``, server now]. An untouched row — the
  register's default, sent because Save is the tutor's act of taking the register —
  only fills a child who has no mark on the server; it never replaces a mark, and
  such a filled mark (``Mark.by_default``) gives way to any mark a person makes.
  Touched rows compete by ``marked_at``: the latest wins, a tie goes to the later
  arrival; the losing mark is kept in ``MarkChange`` as "not applied", a replaced
  one as a correction (who, what, when). Rows without ``touched`` count as touched.
* **The loser is told.** ``conflicts`` in the result lists each child whose mark on
  the server differs from what the device sent and was kept (a newer mark, or any
  mark where the device sent a default), with the server's mark, so the device shows
  it and says so.
* **One bulk write.** All marks of a submission are written by one
  ``bulk_create(update_conflicts=True)`` upsert on (occurrence, child).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, TextField, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from harmonia import access, audit
from harmonia.access import Capability as C
from harmonia.ensembles import codes
from harmonia.ensembles.models import (
    AbsenceReason,
    Mark,
    MarkChange,
    Occurrence,
    Placement,
    Submission,
)
from harmonia.ensembles.signals import announce
from harmonia.programmes import zones

MAX_MARKS = 500
# A device's tap time earlier than this before the session is not believed (a wrong clock).
OLDEST_MARK = dt.timedelta(days=31)


class RegisterError(ValueError):
    """A submission that cannot be accepted; the message says why."""


class RegisterRefused(RegisterError):
    """A submission marking children its sender may not mark: nothing is saved."""


class SubmissionRefused(RegisterError):
    """A submission the signed-in user may not send (another person's queued marks)."""


class RegisterNotOpen(RegisterError):
    """A register for a date still to come: it opens on the day, in the centre's zone."""


def local_today(occurrence: Occurrence, now=None) -> dt.date:
    """The date it is now where ``occurrence`` happens (its centre's zone)."""
    return zones.local_today_in(occurrence.time_zone, now=now)


def opens_on(occurrence: Occurrence, now=None) -> dt.date | None:
    """The day a future register opens, or None when it may be taken now."""
    return occurrence.date if occurrence.date > local_today(occurrence, now) else None


def refuse_if_not_open(occurrence: Occurrence, now=None) -> None:
    day = opens_on(occurrence, now)
    if day is not None:
        raise RegisterNotOpen(
            _("This register opens on %(day)s; nothing was saved.")
            % {"day": date_format(day, _("l j F Y"))}
        )


@dataclass(frozen=True)
class MarkIn:
    child: int
    status: str
    reason: str
    note: str
    marked_at: dt.datetime
    touched: bool = True
    late_minutes: int | None = None


# What the register page asks about its children (``access.ensemble_child_centres``).
PAGE_NEEDS = (C.TAKE_REGISTER, C.VIEW_SAFETY_NOTES, C.VIEW_CHILDREN)


def roster(
    occurrence: Occurrence, *, user=None, need=C.TAKE_REGISTER, safety: bool = False,
    centres=None,
):  # fmt: skip
    """The placements expected at ``occurrence`` (one query, whatever its size).

    With ``user``: only the children they may ``need`` (in a shared ensemble, those
    of their own centres and of centres that granted them the lead). ``centres`` is
    ``access.ensemble_child_centres``' answer when the caller already has it."""
    related = ["child", "section"] + (["child__safety"] if safety else [])
    placements = Placement.objects.filter(
        ensemble_id=occurrence.ensemble_id, child__anonymised_at=None
    )
    if user is not None:
        placements = access.in_ensemble(
            placements, user, occurrence.ensemble_id, need, centres=centres
        )
    return (
        placements.current_on(occurrence.date)
        .select_related(*related)
        .order_by("section__order", "section__name", "child__last_name", "child__first_name")
    )


def roster_rows(occurrence: Occurrence, *, user, centres=None) -> list[dict]:
    """The register page's roster for ``user`` as plain rows (one query, no model
    instances): the children they may mark, with safety notes only where they may see
    them (notes they may not see are never read from the database)."""
    kinds = ("allergies", "medical", "dietary")
    if centres is None:
        centres = access.ensemble_child_centres(user, occurrence.ensemble_id, PAGE_NEEDS)
    marked, safe = centres[C.TAKE_REGISTER], centres[C.VIEW_SAFETY_NOTES]
    if marked <= safe:  # the usual case: the notes of every child shown may be read
        notes_if_allowed = {f"safety_{k}": F(f"child__safety__{k}") for k in kinds}
    elif not marked & safe:  # none may: the notes are not read at all
        notes_if_allowed = {f"safety_{k}": Value("", output_field=TextField()) for k in kinds}
    else:  # some may (a shared ensemble): each row's notes only where allowed
        allowed = Q(child__centre_id__in=sorted(safe))
        notes_if_allowed = {
            f"safety_{k}": Case(
                When(allowed, then=F(f"child__safety__{k}")),
                default=Value(""),
                output_field=TextField(),
            )
            for k in kinds
        }
    fields = ["child_id", "child__first_name", "child__preferred_name", "child__last_name",
              "section__name", "instrument", *notes_if_allowed]  # fmt: skip
    rows = []
    placements = roster(occurrence, user=user, centres=centres)
    for row in placements.annotate(**notes_if_allowed).values(*fields):
        notes = None
        if any(row[f"safety_{k}"] for k in kinds):
            notes = {k: row[f"safety_{k}"] or "" for k in kinds}
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


def labels_html() -> str:
    """The page script's words (``#register-labels`` data attributes), in the
    request's language: built here, one attribute each, instead of ~20 template
    ``translate`` nodes on every opening of a register."""
    # The msgids are the template's ("%%" for "%", as {% translate %} stores them).
    labels = [
        ("present", _("Present")),
        ("late", _("Late")),
        ("absent_unauthorised", _("Absent")),
        ("absent_authorised", _("Authorised")),
        ("minutes", _("%%(count)s min late")),
        ("unmarked", _("Tap to mark")),
        ("saved", _("Saved on the server at %%(time)s")),
        (
            "waiting",
            _("Waiting on this device: %%(count)s marks will be sent when the connection returns"),
        ),
        ("sending", _("Sending…")),
        ("error", _("Not saved: %%(error)s")),
        ("unsaved", _("Changes not saved yet — press Save")),
        ("conflictitem", _("%%(name)s: %%(status)s (marked by %%(by)s at %%(time)s)")),
        ("attentionitem", _("%%(count)s marks saved at %%(time)s were refused: %%(reason)s")),
        ("needsattention", _("Some marks were refused by the server — see below")),
        ("sendagain", _("Send again")),
        ("discard", _("Discard")),
        (
            "discardconfirm",
            _("Discard these marks? They have not reached the server and cannot be recovered."),
        ),
        (
            "signedout",
            _("You are signed out: sign in again to send the marks waiting on this device"),
        ),
        (
            "legacy",
            _(
                "Saved on this device before an update, without the name of who saved them: "
                "send them only if they are yours"
            ),
        ),
        (
            "storage",
            _("This device could not keep the marks; keep this page open and try Save again"),
        ),
    ]
    labels = [(key, text.replace("%%", "%")) for key, text in labels]
    return format_html_join(" ", 'data-{}="{}"', labels)


def rows_html(rows: list[dict]) -> str:
    """The register's rows as HTML, built here rather than by the template engine: a
    60-child register is ~1,500 template nodes, the largest part of opening it
    (bench/register.py). Every value is escaped by ``format_html``; the page's script
    fills in each row's mark, as before."""
    more, flag = _("More"), _("has safety notes")
    titles = (("allergies", _("Allergies")), ("medical", _("Medical")), ("dietary", _("Diet")))
    out = []
    for row in rows:
        mark = row.get("mark") or {}
        instrument = f" · {row['instrument']}" if row["instrument"] else ""
        meta = format_html("{}{}", row["section"], instrument)
        safety = flagged = ""
        if row["safety"]:
            flagged = format_html(
                ' <span class="reg-safety-flag" title="{}">⚕'
                '<span class="visually-hidden">{}</span></span>',
                flag, flag,
            )  # fmt: skip
            safety = format_html(
                "<div data-safety hidden>{}</div>",
                format_html_join(
                    "", "<p><b>{}:</b> {}</p>",
                    ((title, row["safety"][k]) for k, title in titles if row["safety"][k]),
                ),
            )  # fmt: skip
        out.append(
            format_html(
                '<li class="reg-row" data-row data-child="{}" data-status="{}">'
                '<button type="button" class="reg-toggle" data-toggle>'
                '<span class="reg-name"><span data-name>{}</span>{}</span>'
                '<span class="reg-meta">{}<span class="reg-extra" data-extra></span></span>'
                '<span class="reg-status" data-label></span></button>'
                '<button type="button" class="reg-more" data-more aria-haspopup="dialog" '
                'aria-label="{}: {}">⋯</button>{}</li>\n',
                row["id"],
                mark.get("status", ""),
                row["name"],
                flagged,
                meta,
                more,
                row["name"],
                safety,
            )  # fmt: skip
        )
    return mark_safe("".join(out))  # noqa: S308 - each part went through format_html


def _parse(raw: dict, now: dt.datetime, earliest: dt.datetime, offered: dict) -> MarkIn:
    try:
        child = int(raw["child"])
    except (KeyError, TypeError, ValueError):
        raise RegisterError(_("Each mark needs a child.")) from None
    status = raw.get("status")
    code = offered.get(status) if isinstance(status, str) else None
    if code is None:
        raise RegisterError(_("Unknown mark “%(status)s”.") % {"status": status})
    reason = raw.get("reason") or ""
    if code.requires_reason:
        reason = reason or AbsenceReason.OTHER
    if reason and reason not in AbsenceReason.values:
        raise RegisterError(_("Unknown absence reason “%(reason)s”.") % {"reason": reason})
    if not code.requires_reason:
        reason = ""
    late_minutes = None
    if code.asks_minutes and raw.get("minutes_late") not in (None, ""):
        try:
            late_minutes = int(raw["minutes_late"])
        except (TypeError, ValueError):
            raise RegisterError(_("Minutes late must be a whole number.")) from None
        if not 0 <= late_minutes <= 600:
            raise RegisterError(_("Minutes late must be between 0 and 600."))
    note = str(raw.get("note") or "").strip()[:255]
    touched = raw.get("touched", True)
    if not isinstance(touched, bool):
        raise RegisterError(_("“touched” must be true or false."))
    try:
        marked_at = parse_datetime(str(raw.get("marked_at") or "")) or now
    except ValueError:
        marked_at = now
    if timezone.is_naive(marked_at):
        marked_at = timezone.make_aware(marked_at, dt.UTC)
    return MarkIn(
        child, status, reason, note, max(min(marked_at, now), earliest), touched, late_minutes
    )


def _stored(key: str, occurrence: Occurrence):
    stored = Submission.objects.filter(key=key).first()
    if stored is None:
        return None
    if stored.occurrence_id != occurrence.pk:
        raise RegisterError(_("This submission key was already used for another register."))
    return {**stored.result, "replayed": True}


def submit_register(
    occurrence: Occurrence, *, key: str, marks: list, by, user=None, now=None
) -> dict:
    """Record one submission of marks (idempotent on ``key``); return its result.

    ``user`` is the id of the person whose queued marks these are, when the device
    says; it must be ``by`` (the signed-in user)."""
    now = now or timezone.now()
    if user is not None and str(user) != str(by.pk):
        raise SubmissionRefused(
            _(
                "These marks were recorded by another person signed in on this device; "
                "they cannot be sent as yours."
            )
        )
    key = str(key or "").strip()
    if not 8 <= len(key) <= 64:
        raise RegisterError(_("A submission needs an idempotency key."))
    replay = _stored(key, occurrence)
    if replay is not None:
        return replay
    if occurrence.cancelled:
        raise RegisterError(_("This session was cancelled; it has no register."))
    refuse_if_not_open(occurrence, now)
    if not isinstance(marks, list) or len(marks) > MAX_MARKS:
        raise RegisterError(_("A submission holds a list of marks."))
    earliest = min(now, occurrence.starts_at) - OLDEST_MARK
    # Retired codes too: a device may have queued a mark before a code was retired.
    offered = codes.by_code(occurrence.ensemble.programme_id)
    incoming = {
        m.child: m
        for m in (_parse(raw, now, earliest, offered) for raw in marks if isinstance(raw, dict))
    }
    _refuse_children_of_others(occurrence, incoming, by)
    try:
        with transaction.atomic():
            return _write(occurrence, key, incoming, by, now)
    except IntegrityError:
        # The same key arrived twice at once: the first one won; answer as it did.
        replay = _stored(key, occurrence)
        if replay is None:
            raise
        return replay


def _refuse_children_of_others(occurrence, incoming: dict[int, MarkIn], by) -> None:
    """In a shared ensemble a tutor marks only the children they may mark; a mark for
    anyone else refuses the whole submission (nothing saved), saying why."""
    if not incoming:
        return
    on_register = roster(occurrence).filter(child_id__in=list(incoming))
    others = on_register.exclude(
        access.ensemble_children(by, occurrence.ensemble_id, C.TAKE_REGISTER)
    ).count()
    if others:
        raise RegisterRefused(
            _(
                "Nothing was saved: %(count)s of these children belong to a centre where you "
                "may not take the register. Ask that centre's manager to make you a lead of "
                "this ensemble."
            )
            % {"count": others}
        )


def _write(occurrence, key, incoming: dict[int, MarkIn], by, now) -> dict:
    existing = {
        m.child_id: m
        for m in Mark.objects.filter(occurrence=occurrence).select_related("marked_by")
    }
    expected = set(roster(occurrence).values_list("child_id", flat=True))
    unknown = sorted(c for c in incoming if c not in expected and c not in existing)
    writes, changes, conflicts, lost = [], [], [], 0
    for child_id, mark in incoming.items():
        if child_id in unknown:
            continue
        old = existing.get(child_id)
        if old is not None:
            same = (old.status, old.reason, old.note, old.late_minutes) == (
                mark.status,
                mark.reason,
                mark.note,
                mark.late_minutes,
            )
            if not mark.touched:  # a default never replaces a mark on the server
                if not same:
                    conflicts.append(_conflict(old, mark))
                continue
            if not old.by_default and old.marked_at > mark.marked_at:
                if not same:
                    lost += 1
                    conflicts.append(_conflict(old, mark))
                    changes.append(_change(occurrence, old, mark, MarkChange.Kind.CONFLICT_LOST))
                continue
            if same and not old.by_default:
                continue
            if not same:
                changes.append(_change(occurrence, old, mark, MarkChange.Kind.CORRECTED))
        writes.append(
            Mark(
                occurrence=occurrence,
                child_id=child_id,
                status=mark.status,
                reason=mark.reason,
                note=mark.note,
                late_minutes=mark.late_minutes,
                marked_by=by,
                marked_at=mark.marked_at if mark.touched else now,
                recorded_at=now,
                client_key=key,
                by_default=not mark.touched,
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
                "late_minutes",
                "marked_by",
                "marked_at",
                "recorded_at",
                "client_key",
                "by_default",
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
        "conflicts": conflicts,
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


def _conflict(kept: Mark, sent: MarkIn) -> dict:
    """The server's mark for a child whose device sent something else (for the device)."""
    who = kept.marked_by
    conflict = {
        "child": kept.child_id,
        "status": kept.status,
        "reason": kept.reason,
        "note": kept.note,
        "marked_at": kept.marked_at.isoformat(),
        "by": (who.get_short_name() or who.get_username()) if who else "",
        "yours": sent.touched,
    }
    if kept.late_minutes is not None:
        conflict["minutes_late"] = kept.late_minutes
    return conflict


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


def history(occurrence: Occurrence, *, user, limit: int = 100, centres=None):
    """The register's changes that ``user`` may see, newest first (one query)."""
    changes = access.in_ensemble(
        MarkChange.objects.all(), user, occurrence.ensemble_id, C.VIEW_CHILDREN, centres=centres
    )
    return (
        changes.filter(occurrence=occurrence)
        .select_related("changed_by", "child")
        .order_by("-changed_at", "-id")[:limit]
    )
