"""Attendance codes: what a register offers, and how each mark counts.

Each programme has its own ``AttendanceCode`` rows (seeded with ``DEFAULT_CODES``
for every programme, old and new). A mark stores the code (``Mark.status``); what
it *means* for the figures is looked up in the mark's programme (the ensemble's),
in the database, so a manager who re-maps a code changes every figure at once and
no mark has to be rewritten:

* ``attended_q(prefix)``: the mark counts as attended (rate numerator, hours of music);
* ``possible_q(prefix)``: the mark counts as a possible attendance (rate denominator).

Both are correlated ``EXISTS`` sub-queries on the small, uniquely indexed code
table; ``prefix`` is the path from the queried model to the mark ("" on Mark,
"marks__" on Child). See docs/reports.md ("Which marks count").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from harmonia.ensembles.models import AttendanceCode


@dataclass(frozen=True)
class Default:
    code: str
    label: str
    label_es: str
    abbreviation: str
    abbreviation_es: str
    attended: bool
    possible: bool = True
    requires_reason: bool = False
    asks_minutes: bool = False
    tap_order: int | None = None


# The four original codes keep their stored values, so existing marks keep meaning
# what they meant; "left early", "remote" and "not expected" are new.
DEFAULT_CODES = (
    Default("present", "Present", "Presente", "P", "P", True, tap_order=1),
    Default("late", "Late", "Llegó tarde", "L", "T", True, asks_minutes=True, tap_order=2),
    Default("left_early", "Left early", "Se retiró antes", "LE", "SA", True),
    Default("remote", "Joined remotely", "A distancia", "R", "D", True),
    Default(
        "absent_authorised", "Absent (authorised)", "Ausente (justificado)", "AA", "AJ", False,
        requires_reason=True,
    ),
    Default("absent_unauthorised", "Absent", "Ausente", "A", "A", False, tap_order=3),
    Default("not_expected", "Not expected", "No le tocaba", "X", "X", False, possible=False),
)  # fmt: skip


def seed_defaults(programme) -> int:
    """Give ``programme`` the default codes it does not have yet (idempotent)."""
    have = set(AttendanceCode.objects.filter(programme=programme).values_list("code", flat=True))
    rows = [
        AttendanceCode(
            programme=programme,
            code=d.code,
            label=d.label,
            label_es=d.label_es,
            abbreviation=d.abbreviation,
            abbreviation_es=d.abbreviation_es,
            counts_as_attended=d.attended,
            counts_as_possible=d.possible,
            requires_reason=d.requires_reason,
            asks_minutes=d.asks_minutes,
            tap_order=d.tap_order,
            order=i * 10,
        )
        for i, d in enumerate(DEFAULT_CODES)
        if d.code not in have
    ]
    AttendanceCode.objects.bulk_create(rows)
    return len(rows)


def _counts(prefix: str, **flags) -> Q:
    codes = AttendanceCode.objects.filter(
        programme_id=OuterRef(f"{prefix}occurrence__ensemble__programme_id"),
        code=OuterRef(f"{prefix}status"),
        **flags,
    )
    return Q(Exists(codes))


def attended_q(prefix: str = "") -> Q:
    """Marks (at ``prefix``) whose programme counts their code as attended."""
    return _counts(prefix, counts_as_attended=True)


def possible_q(prefix: str = "") -> Q:
    """Marks (at ``prefix``) whose programme counts their code as a possible attendance."""
    return _counts(prefix, counts_as_possible=True)


def for_programme(programme_id: int, *, active_only: bool = True) -> list[AttendanceCode]:
    """The programme's codes in register order (one query)."""
    codes = AttendanceCode.objects.filter(programme_id=programme_id)
    found = list(codes.order_by("order", "code"))
    if not found:  # a programme loaded raw (a fixture) never had its defaults
        from harmonia.programmes.models import Programme

        programme = Programme.objects.filter(pk=programme_id).first()
        if programme is not None and seed_defaults(programme):
            found = list(codes.order_by("order", "code"))
    return [c for c in found if c.active or not active_only]


def by_code(programme_id: int) -> dict[str, AttendanceCode]:
    """Every code of the programme, retired ones too (marks may still carry them)."""
    return {c.code: c for c in for_programme(programme_id, active_only=False)}


def register_state(codes: list[AttendanceCode]) -> list[dict]:
    """The codes as the register page's JavaScript needs them (also offline)."""
    return [
        {
            "code": c.code,
            "label": c.display_label,
            "short": c.display_abbreviation,
            "attended": c.counts_as_attended,
            "possible": c.counts_as_possible,
            "reason": c.requires_reason,
            "minutes": c.asks_minutes,
            "tap": c.tap_order,
            "active": c.active,
        }
        for c in codes
    ]
