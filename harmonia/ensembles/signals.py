"""Signals the register and timetable send, for features that keep derived data.

``attendance_changed`` is sent once a register or an occurrence's date or status
has been committed; receivers (the reports rollups) update what they derive from
the registers. ``previous_date`` is the date an occurrence had before a move.
"""

from django.dispatch import Signal

attendance_changed = Signal()  # sender=Occurrence, occurrence=..., previous_date=None | date


def announce(occurrence, previous_date=None) -> None:
    """Send ``attendance_changed`` when the current transaction commits."""
    from django.db import transaction

    transaction.on_commit(
        lambda: attendance_changed.send(
            sender=type(occurrence), occurrence=occurrence, previous_date=previous_date
        )
    )
