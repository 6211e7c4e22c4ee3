"""What a tutor sees of a child: what a session needs, and no more.

A tutor (``view_children`` without ``view_child_record``) sees name, age and year
group, school, ensembles, safety notes, the current photo consent answer, one
emergency contact and who may not collect the child; not the UPN, the exact date of
birth, addresses, emails, other contacts, or consent and enrolment history.
See docs/permissions.md."""

from __future__ import annotations

import datetime

from django.utils import timezone

from harmonia.children.models import Child, ConsentKind


def age_on(dob: datetime.date | None, day: datetime.date) -> int | None:
    if dob is None:
        return None
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def session_view(child: Child, links, consent_rows, today=None) -> dict:
    """The child page's context for a tutor (one query: the current ensembles)."""
    today = today or timezone.localdate()
    emergency = next((link for link in links if link.emergency_contact), None)
    photo = next((row for row in consent_rows if row["kind"] == ConsentKind.PHOTO), None)
    return {
        "age": age_on(child.date_of_birth, today),
        "emergency_contact": emergency,
        "may_not_collect": [link for link in links if not link.may_collect],
        "photo_consent": photo,
        "ensembles": list(
            child.placements.current_on(today).select_related("ensemble").order_by("ensemble")
        ),
    }
