"""The whole child on one page: ensembles and placements, attendance, instruments and
loans, the consent alert, and a timeline a manager reads in one screen.

The view fetched the child through the access policy; everything here is reached from
that record (``child.placements``, ``Mark.objects.filter(child=child)``), and each part
is shown only to the roles that may see it (the view passes the capabilities). A fixed
number of queries whatever the child's history (tests/children/test_child_page.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harmonia.access import Capability as C
from harmonia.children.models import ConsentKind, ConsentRecord

RECENT_MARKS = 8
TIMELINE_EVENTS = 12
ATTENDANCE_WEEKS = 12  # when the centre has no term today


@dataclass(frozen=True)
class Event:
    """One line of the timeline."""

    day: dt.date
    kind: str  # enrolment, placement, loan, consent
    text: str


def medical_alert(consent_rows) -> dict | None:
    """The emergency-medical consent answer that must be seen first: refused, or given
    and then withdrawn. None when treatment is consented to (or no form is in use)."""
    row = next((r for r in consent_rows if r["kind"] == ConsentKind.MEDICAL), None)
    if row is None or row["latest"] is None:
        return None
    latest = row["latest"]
    if latest.withdrawn_at:
        return {"row": row, "state": "withdrawn", "record": latest}
    if latest.decision == ConsentRecord.Decision.REFUSED:
        return {"row": row, "state": "refused", "record": latest}
    return None


def attendance(child, today: dt.date) -> dict:
    """Rate and hours of music this term (or the last twelve weeks), and the latest
    marks. Two queries."""
    from harmonia.ensembles import insight
    from harmonia.ensembles.models import Mark

    term = insight.current_term(child.centre, today)
    if term is not None:
        since, label = term.start, term.name
    else:
        since = today - dt.timedelta(weeks=ATTENDANCE_WEEKS)
        label = _("the last 12 weeks")
    marks = Mark.objects.filter(child=child)
    totals = insight.summary(marks, since, today)
    weeks = insight.weeks_between(since, today)
    recent = list(
        marks.filter(occurrence__date__lte=today)
        .select_related("occurrence__ensemble")
        .order_by("-occurrence__date", "-occurrence__starts_at")[:RECENT_MARKS]
    )
    return {
        "since": since,
        "period": label,
        "marks": totals["marks"],
        "attended": totals["attended"],
        "rate": totals["rate"],
        "hours": totals["hours"],
        "hours_per_week": totals["hours"] / weeks if totals["marks"] else None,
        "recent": recent,
    }


def build(child, caps, consent_rows, periods, today: dt.date | None = None) -> dict:
    """The parts of the child page beyond the record itself, for what ``caps`` open."""
    from harmonia.instruments.models import Loan

    today = today or timezone.localdate()
    placements = list(
        child.placements.select_related("ensemble", "section").order_by("-start", "-pk")
    )
    current = [p for p in placements if p.start <= today and (p.end is None or p.end > today)]
    past = [p for p in placements if p not in current]
    context = {
        "today": today,
        "placements_now": current,
        "placements_past": past,
        "attendance": attendance(child, today),
        "medical_alert": medical_alert(consent_rows),
    }
    loans = []
    if C.VIEW_INSTRUMENTS in caps:
        loans = list(
            Loan.objects.filter(child=child)
            .select_related("instrument")
            .order_by("returned_on", "-lent_on")
        )
        context["loans_open"] = [ln for ln in loans if ln.returned_on is None]
        context["loans_past"] = [ln for ln in loans if ln.returned_on is not None]
        context["show_loans"] = True
    if C.VIEW_CHILD_RECORD in caps:
        context["timeline"] = timeline(periods, placements, loans, consent_rows, today)
    return context


def timeline(periods, placements, loans, consent_rows, today) -> list[Event]:
    """The child's story, newest first: status changes, ensembles joined and left,
    instruments lent and returned, consent answers. Built from rows already read."""
    events = []
    for p in periods:
        events.append(Event(p.start, "enrolment", str(p.get_status_display())))
    for p in placements:
        where = p.ensemble.name + (f" ({p.instrument})" if p.instrument else "")
        events.append(Event(p.start, "placement", _("Joined %(what)s") % {"what": where}))
        if p.end and p.end <= today:
            events.append(Event(p.end, "placement", _("Left %(what)s") % {"what": where}))
    for loan in loans:
        what = f"{loan.instrument.get_instrument_type_display()} {loan.instrument.asset_tag}"
        events.append(Event(loan.lent_on, "loan", _("Lent %(what)s") % {"what": what}))
        if loan.returned_on:
            events.append(Event(loan.returned_on, "loan", _("Returned %(what)s") % {"what": what}))
    for row in consent_rows:
        record = row["latest"]
        if record is None:
            continue
        events.append(
            Event(
                timezone.localtime(record.decided_at).date(),
                "consent",
                _("%(consent)s: %(decision)s")
                % {"consent": row["label"], "decision": record.get_decision_display()},
            )
        )
        if record.withdrawn_at:
            events.append(
                Event(
                    timezone.localtime(record.withdrawn_at).date(),
                    "consent",
                    _("%(consent)s: withdrawn") % {"consent": row["label"]},
                )
            )
    events.sort(key=lambda e: e.day, reverse=True)
    return events[:TIMELINE_EVENTS]
