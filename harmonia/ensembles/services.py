"""Named writes for ensembles, sections, placements and the timetable.

Each function takes plain values (forms validate input in the view; imports, the
demo loader and tests call the same functions), validates what a form cannot know,
writes, and records an audit event in one transaction. A refusal raises
``EnsembleError`` with a message for the person; nothing is written.

What a change to a date means for the rest of Harmonia:

* Moving or cancelling an occurrence (or reinstating one) sends
  ``ensembles.signals.attendance_changed`` when the transaction commits, with the
  date it had before, so the reports rollups refresh both terms.
* A **cancelled occurrence keeps its marks** (a register taken before a concert was
  called off is a record of who came): nothing is deleted, but rates, hours of music
  and the rollups leave cancelled dates out (``insight`` and ``reports.rollups``
  filter on ``Occurrence.Status.SCHEDULED``), and reinstating it counts them again.
* An occurrence with marks cannot be **deleted**: cancel it instead. Deleting a
  session keeps its dates that have marks (they stay in the history, without the
  session) and removes its untaken dates from today on.
* **One-off dates** (``add_one_off``): a concert, a holiday course, an extra
  rehearsal — an ``Occurrence`` with no session and a ``kind``. A concert whose
  register is taken is a performance on the dashboards.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from harmonia import audit
from harmonia.ensembles import timetable
from harmonia.ensembles.models import (
    CalendarToken,
    CentreRegisterSettings,
    Ensemble,
    Occurrence,
    Placement,
    Section,
    Session,
    SessionKind,
    Term,
)
from harmonia.ensembles.signals import announce
from harmonia.programmes import zones


class EnsembleError(ValueError):
    """A write that cannot be made; the message says why (shown to the person)."""


class Action(models.TextChoices):
    """What the ensembles services write to the audit trail."""

    CREATED = "created", pgettext_lazy("audit action", "created")
    UPDATED = "updated", pgettext_lazy("audit action", "updated")
    DELETED = "deleted", pgettext_lazy("audit action", "deleted")
    PLACED = "placed", pgettext_lazy("audit action", "placed")
    MOVED = "moved", pgettext_lazy("audit action", "moved")
    PLACEMENT_ENDED = "placement ended", pgettext_lazy("audit action", "placement ended")
    ONE_OFF_ADDED = "one-off date added", pgettext_lazy("audit action", "one-off date added")
    OCCURRENCE_CHANGED = "occurrence changed", pgettext_lazy("audit action", "occurrence changed")
    OCCURRENCE_MOVED = "occurrence moved", pgettext_lazy("audit action", "occurrence moved")
    CANCELLED = "cancelled", pgettext_lazy("audit action", "cancelled")
    REINSTATED = "reinstated", pgettext_lazy("audit action", "reinstated")
    FEED_RENEWED = (
        "calendar address renewed",
        pgettext_lazy("audit action", "calendar address renewed"),
    )


ENSEMBLE_FIELDS = ("name", "kind", "description", "active")


def _record(by, action, obj, programme, changes=None):
    audit.record(actor=by, action=action, obj=obj, programme=programme, changes=changes or {})


def _fresh(obj):
    """The row as stored (a bound ModelForm has already set its input on ``obj``)."""
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _diff(obj, values: dict) -> dict:
    """Set ``values`` on ``obj``; return {field: new value as text} of what changed."""
    changed = {}
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed[name] = str(value)
    return changed


# Ensembles -------------------------------------------------------------------


def _other_centres(programme, centres) -> list:
    centres = list(centres or [])
    if any(c.programme_id != programme.pk for c in centres):
        raise EnsembleError(_("Member centres must belong to the ensemble's programme."))
    return centres


@transaction.atomic
def create_ensemble(
    centre, *, name, kind, by, description="", active=True, member_centres=()
) -> Ensemble:
    """An ensemble at ``centre`` (its home); ``member_centres`` join it (cross-centre)."""
    others = _other_centres(centre.programme, member_centres)
    name = (name or "").strip()
    if not name:
        raise EnsembleError(_("Give the ensemble a name."))
    if kind not in Ensemble.Kind.values:
        raise EnsembleError(_("Choose what kind of ensemble it is."))
    if Ensemble.objects.filter(programme=centre.programme, centre=centre, name=name).exists():
        raise EnsembleError(_("This centre already has an ensemble of that name."))
    ensemble = Ensemble.objects.create(
        programme=centre.programme,
        centre=centre,
        name=name,
        kind=kind,
        description=description,
        active=active,
    )
    ensemble.member_centres.set([centre, *others])
    _record(
        by,
        Action.CREATED,
        ensemble,
        ensemble.programme,
        {"name": name, "kind": kind, "member_centres": sorted(c.pk for c in [centre, *others])},
    )
    return ensemble


@transaction.atomic
def update_ensemble(ensemble: Ensemble, *, by, member_centres=None, **values) -> Ensemble:
    """Change an ensemble's name, kind, description, active flag or member centres
    (the home centre always stays a member)."""
    unknown = set(values) - set(ENSEMBLE_FIELDS)
    if unknown:
        raise TypeError(f"update_ensemble() got unexpected fields {sorted(unknown)}")
    ensemble = _fresh(ensemble)
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise EnsembleError(_("Give the ensemble a name."))
        clash = Ensemble.objects.filter(
            programme=ensemble.programme, centre=ensemble.centre, name=values["name"]
        ).exclude(pk=ensemble.pk)
        if clash.exists():
            raise EnsembleError(_("This centre already has an ensemble of that name."))
    if "kind" in values and values["kind"] not in Ensemble.Kind.values:
        raise EnsembleError(_("Choose what kind of ensemble it is."))
    changes = _diff(ensemble, values)
    if changes:
        ensemble.save(update_fields=list(changes))
    if member_centres is not None:
        centres = _other_centres(ensemble.programme, member_centres)
        if ensemble.centre_id:
            centres = [c for c in centres if c.pk != ensemble.centre_id] + [ensemble.centre]
        before = set(ensemble.member_centres.values_list("pk", flat=True))
        after = {c.pk for c in centres}
        if before != after:
            ensemble.member_centres.set(centres)
            changes["member_centres"] = sorted(after)
    if changes:
        _record(by, Action.UPDATED, ensemble, ensemble.programme, changes)
    return ensemble


# Sections --------------------------------------------------------------------


def _section_name(ensemble, name, exclude=None) -> str:
    name = (name or "").strip()
    if not name:
        raise EnsembleError(_("Give the section a name."))
    clash = Section.objects.filter(ensemble=ensemble, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise EnsembleError(_("This ensemble already has a section of that name."))
    return name


@transaction.atomic
def create_section(ensemble: Ensemble, *, name, by, order=0) -> Section:
    section = Section.objects.create(
        ensemble=ensemble, name=_section_name(ensemble, name), order=order or 0
    )
    _record(by, Action.CREATED, section, ensemble.programme, {"name": section.name})
    return section


@transaction.atomic
def update_section(section: Section, *, by, name=None, order=None) -> Section:
    section = _fresh(section)
    values = {}
    if name is not None:
        values["name"] = _section_name(section.ensemble, name, exclude=section)
    if order is not None:
        values["order"] = order
    changes = _diff(section, values)
    if changes:
        section.save(update_fields=list(changes))
        _record(by, Action.UPDATED, section, section.ensemble.programme, changes)
    return section


@transaction.atomic
def delete_section(section: Section, *, by) -> None:
    """Remove a section; its children stay in the ensemble, without a section."""
    ensemble = section.ensemble
    kept = section.placements.count()
    _record(by, Action.DELETED, section, ensemble.programme, {"name": section.name, "kept": kept})
    section.delete()


# Placements ------------------------------------------------------------------


@transaction.atomic
def place_child(
    ensemble: Ensemble,
    *,
    child,
    start: dt.date,
    by,
    section=None,
    instrument="",
    desk=None,
    note="",
    move_from: Placement | None = None,
) -> Placement:
    """Place ``child`` in ``ensemble`` from ``start``; ``move_from`` (one of the
    child's open placements elsewhere) ends on that day, so the history is kept."""
    if not ensemble.member_centres.filter(pk=child.centre_id).exists():
        raise EnsembleError(_("This child's centre does not take part in this ensemble."))
    if section is not None and section.ensemble_id != ensemble.pk:
        raise EnsembleError(_("Choose one of this ensemble's sections."))
    if Placement.objects.filter(child=child, ensemble=ensemble, end=None).exists():
        raise EnsembleError(_("This child is already in this ensemble."))
    if move_from is not None:
        if move_from.child_id != child.pk or move_from.end is not None:
            raise EnsembleError(_("Choose one of this child's placements."))
        if start < move_from.start:
            raise EnsembleError(_("A move cannot start before the placement it ends."))
        move_from.end = start
        move_from.save(update_fields=["end"])
    placement = Placement.objects.create(
        child=child,
        ensemble=ensemble,
        section=section,
        instrument=instrument or "",
        desk=desk,
        start=start,
        note=note or "",
        created_by=by,
    )
    _record(
        by,
        Action.MOVED if move_from else Action.PLACED,
        placement,
        ensemble.programme,
        {
            "from": str(move_from.ensemble) if move_from else None,
            "to": str(ensemble),
            "start": start.isoformat(),
        },
    )
    return placement


@transaction.atomic
def end_placement(placement: Placement, *, by, on: dt.date | None = None) -> Placement:
    """The child leaves the ensemble on ``on`` (today in the centre's time zone);
    an ended placement is left as it is."""
    if placement.end is not None:
        return placement
    on = on or zones.local_today(placement.child.centre_id)
    placement.end = max(on, placement.start)
    placement.save(update_fields=["end"])
    _record(
        by,
        Action.PLACEMENT_ENDED,
        placement,
        placement.ensemble.programme,
        {"end": placement.end.isoformat()},
    )
    return placement


# Terms and register settings ---------------------------------------------------


@transaction.atomic
def save_term(centre, *, name, kind, start, end, by, term: Term | None = None) -> Term:
    """Create a term or holiday at ``centre`` (or change ``term``). Dates already
    generated are kept; "Fill in the dates" adds any new ones."""
    if end < start:
        raise EnsembleError(_("A term cannot end before it starts."))
    if kind not in Term.Kind.values:
        raise EnsembleError(_("Choose a term or a holiday."))
    creating = term is None
    term = Term(centre=centre) if creating else _fresh(term)
    changes = _diff(term, {"name": name, "kind": kind, "start": start, "end": end})
    term.save()
    _record(by, Action.CREATED if creating else Action.UPDATED, term, centre.programme, changes)
    return term


@transaction.atomic
def delete_term(term: Term, *, by) -> None:
    if term.sessions.exists():
        raise EnsembleError(
            _("Sessions run through “%(name)s”: give them other dates before removing it.")
            % {"name": term.name}
        )
    _record(by, Action.DELETED, term, term.centre.programme, {"name": term.name})
    term.delete()


@transaction.atomic
def save_register_settings(centre, *, by, **values) -> CentreRegisterSettings:
    """A centre's register settings (``register_default``, ``time_zone``…)."""
    found = CentreRegisterSettings.objects.filter(centre=centre).first()
    settings_ = found or CentreRegisterSettings(centre=centre)
    changes = _diff(settings_, values)
    try:
        settings_.full_clean()
    except ValidationError as error:
        raise EnsembleError(" ".join(error.messages)) from None
    settings_.save()
    _record(by, Action.UPDATED, settings_, centre.programme, changes)
    return settings_


# Sessions --------------------------------------------------------------------

SESSION_FIELDS = (
    "kind",
    "name",
    "weekday",
    "start_time",
    "duration_minutes",
    "venue",
    "term",
    "starts_on",
    "ends_on",
)


def _check_session(session: Session) -> None:
    if not session.term_id and not (session.starts_on and session.ends_on):
        raise EnsembleError(_("Choose a term, or give the first and last dates."))
    if session.starts_on and session.ends_on and session.ends_on < session.starts_on:
        raise EnsembleError(_("A session cannot end before it starts."))
    if session.kind not in SessionKind.values:
        raise EnsembleError(_("Choose what kind of session it is."))


def _check_tutors(tutors, on: dt.date) -> list:
    tutors = list(tutors or [])
    lapsed = [str(t) for t in tutors if not timetable.tutor_check(t, on)]
    if lapsed:
        raise EnsembleError(
            _("Not cleared to lead a session (safeguarding checks missing or lapsed): %(names)s.")
            % {"names": ", ".join(lapsed)}
        )
    return tutors


@transaction.atomic
def save_session(
    ensemble: Ensemble, *, by, session: Session | None = None, tutors=None, **values
) -> tuple[Session, int]:
    """Create a weekly session of ``ensemble`` (or change ``session``) and fill in
    its dates; returns the session and how many new dates the timetable gained.
    Dates already generated keep their registers (a change of weekday or time
    applies to dates not generated yet; change a single date with
    ``change_occurrence``)."""
    unknown = set(values) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"save_session() got unexpected fields {sorted(unknown)}")
    creating = session is None
    session = Session(ensemble=ensemble) if creating else _fresh(session)
    changes = _diff(session, values)
    _check_session(session)
    session.save()
    if tutors is not None:
        tutors = _check_tutors(tutors, timezone.localdate())
        if {t.pk for t in session.tutors.all()} != {t.pk for t in tutors}:
            session.tutors.set(tutors)
            changes["tutors"] = sorted(t.pk for t in tutors)
    _record(
        by, Action.CREATED if creating else Action.UPDATED, session, ensemble.programme, changes
    )
    created = timetable.generate_occurrences([session], by=by)
    return session, created


@transaction.atomic
def delete_session(session: Session, *, by) -> dict:
    """Remove a weekly session. Its dates with marks stay (history); its untaken,
    unmarked dates from today on are removed. Returns what happened."""
    ensemble = session.ensemble
    today = timezone.localdate(timezone=timetable.zone_for(ensemble.centre))
    removable = session.occurrences.filter(date__gte=today, marks__isnull=True)
    removed = removable.count()
    Occurrence.objects.filter(pk__in=list(removable.values_list("pk", flat=True))).delete()
    kept = session.occurrences.count()
    _record(
        by,
        Action.DELETED,
        session,
        ensemble.programme,
        {"name": str(session), "dates_removed": removed, "dates_kept": kept},
    )
    session.delete()  # the kept dates lose their session (SET_NULL), not their marks
    return {"removed": removed, "kept": kept}


@transaction.atomic
def generate_dates(sessions, *, by) -> int:
    """Fill in the missing dates of ``sessions`` (audited when any are new)."""
    return timetable.generate_occurrences(list(sessions), by=by)


# Occurrences -------------------------------------------------------------------


def _local_date(ensemble: Ensemble, starts_at: dt.datetime) -> dt.date:
    if timezone.is_naive(starts_at):
        raise EnsembleError(_("Give the time with its time zone."))
    return timezone.localtime(starts_at, timetable.zone_for(ensemble.centre)).date()


def _check_minutes(minutes) -> int:
    if not minutes or minutes <= 0 or minutes > 24 * 60:
        raise EnsembleError(_("Give a length between 1 minute and 24 hours."))
    return int(minutes)


@transaction.atomic
def add_one_off(
    ensemble: Ensemble,
    *,
    kind: str,
    starts_at: dt.datetime,
    minutes: int,
    by,
    title: str = "",
    venue: str = "",
    tutors=(),
    note: str = "",
) -> Occurrence:
    """A one-off date of ``ensemble``: a concert, a holiday course, an extra
    rehearsal. ``starts_at`` is an aware datetime; its date is the centre's local
    date. A concert whose register is taken counts as a performance."""
    if kind not in SessionKind.values:
        raise EnsembleError(_("Choose what kind of date it is."))
    minutes = _check_minutes(minutes)
    day = _local_date(ensemble, starts_at)
    tutors = _check_tutors(tutors, day)
    occurrence = Occurrence.objects.create(
        session=None,
        ensemble=ensemble,
        centre=ensemble.centre,
        date=day,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        minutes=minutes,
        kind=kind,
        title=(title or "").strip(),
        venue=venue or "",
        note=note or "",
    )
    if tutors:
        occurrence.tutors.set(tutors)
    _record(
        by,
        Action.ONE_OFF_ADDED,
        occurrence,
        ensemble.programme,
        {
            "kind": kind,
            "title": occurrence.title,
            "starts_at": starts_at.isoformat(),
            "minutes": minutes,
            "venue": occurrence.venue,
        },
    )
    announce(occurrence)
    return occurrence


OCCURRENCE_FIELDS = ("title", "kind", "starts_at", "minutes", "venue", "note", "status")


@transaction.atomic
def change_occurrence(occurrence: Occurrence, *, by, tutors=None, **values) -> Occurrence:
    """Change one date: its time or length (a move), venue, title, kind, note, or
    status (cancel / reinstate). Calendar clients see a new SEQUENCE; a move or a
    change of status announces ``attendance_changed`` with the date it had."""
    unknown = set(values) - set(OCCURRENCE_FIELDS)
    if unknown:
        raise TypeError(f"change_occurrence() got unexpected fields {sorted(unknown)}")
    occurrence = Occurrence.objects.select_for_update().get(pk=occurrence.pk)
    previous_date, previous_status = occurrence.date, occurrence.status
    if "status" in values and values["status"] not in Occurrence.Status.values:
        raise EnsembleError(_("Choose scheduled or cancelled."))
    if "kind" in values and values["kind"] not in SessionKind.values:
        raise EnsembleError(_("Choose what kind of date it is."))
    if "minutes" in values:
        values["minutes"] = _check_minutes(values["minutes"])
    changes = _diff(occurrence, values)
    if "starts_at" in changes or "minutes" in changes:
        occurrence.date = _local_date(occurrence.ensemble, occurrence.starts_at)
        occurrence.ends_at = occurrence.starts_at + dt.timedelta(minutes=occurrence.minutes)
    if tutors is not None:
        tutors = _check_tutors(tutors, occurrence.date)
        if {t.pk for t in occurrence.tutors.all()} != {t.pk for t in tutors}:
            occurrence.tutors.set(tutors)
            changes["tutors"] = sorted(t.pk for t in tutors)
    if not changes:
        return occurrence
    occurrence.sequence += 1
    occurrence.save()
    if occurrence.status != previous_status:
        action = Action.CANCELLED if occurrence.cancelled else Action.REINSTATED
    elif occurrence.date != previous_date or "starts_at" in changes:
        action = Action.OCCURRENCE_MOVED
    else:
        action = Action.OCCURRENCE_CHANGED
    if occurrence.date != previous_date:
        changes["date"] = occurrence.date.isoformat()
    _record(by, action, occurrence, occurrence.ensemble.programme, changes)
    if occurrence.status != previous_status or occurrence.date != previous_date:
        announce(occurrence, previous_date=previous_date)
    return occurrence


def move_occurrence(
    occurrence: Occurrence, *, starts_at: dt.datetime, by, minutes=None, venue=None
) -> Occurrence:
    """Move one date to ``starts_at`` (and optionally a new length or venue)."""
    values = {"starts_at": starts_at}
    if minutes is not None:
        values["minutes"] = minutes
    if venue is not None:
        values["venue"] = venue
    return change_occurrence(occurrence, by=by, **values)


def cancel_occurrence(occurrence: Occurrence, *, by, note: str = "") -> Occurrence:
    """Cancel one date (its marks are kept, and left out of rates while cancelled)."""
    values = {"status": Occurrence.Status.CANCELLED}
    if note:
        values["note"] = note
    return change_occurrence(occurrence, by=by, **values)


def reinstate_occurrence(occurrence: Occurrence, *, by) -> Occurrence:
    return change_occurrence(occurrence, by=by, status=Occurrence.Status.SCHEDULED)


def may_delete_occurrence(occurrence: Occurrence) -> bool:
    """Only a one-off date without a register may be removed (see below)."""
    return occurrence.session_id is None and not occurrence.marks.exists()


@transaction.atomic
def delete_occurrence(occurrence: Occurrence, *, by) -> None:
    """Remove a one-off date added by mistake. A date with marks is refused (cancel
    it, so the register is kept), and so is a session's date (it would come back at
    the next "Fill in the dates": cancel it)."""
    if occurrence.marks.exists():
        raise EnsembleError(
            _("This date has a register: cancel it instead, so the marks are kept.")
        )
    if occurrence.session_id:
        raise EnsembleError(_("This date belongs to a weekly session: cancel it instead."))
    _record(
        by,
        Action.DELETED,
        occurrence,
        occurrence.ensemble.programme,
        {"date": occurrence.date.isoformat(), "title": occurrence.display_title},
    )
    occurrence.delete()


# Calendar feeds ----------------------------------------------------------------


def calendar_token(user) -> CalendarToken:
    """The secret of a person's own timetable feed (made on first use)."""
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def renew_tutor_feed(user) -> CalendarToken:
    """A new address for a person's own timetable feed; the old one answers 404."""
    CalendarToken.objects.filter(user=user).delete()
    token = CalendarToken.objects.create(user=user)
    _record(user, Action.FEED_RENEWED, token, None, {"calendar_feed": "renewed"})
    return token
