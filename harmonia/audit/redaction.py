"""Audit entries about people carry no names.

The change log is read by people who may not see a child (a programme lead sees
every change in the programme but no named child: docs/permissions.md). So for
people-data objects — children, guardians and everything about a child — the
audit stores a non-identifying description (``"loan 12 · child 42"``) instead of
``str(obj)``, and ``changes`` keeps its keys but only values that identify no one
(codes, numbers, dates, yes/no). The change log shows the child's name, from the
child's record, only to a viewer who may see that child.

Pure functions of plain values: the data migration that scrubs old rows uses them.
"""

from __future__ import annotations

import re

# model_name of every people-data model (the audit's ``object_type``).
PEOPLE_DATA = frozenset(
    {
        # children
        "child",
        "guardian",
        "childguardian",
        "consentrecord",
        "enrolmentperiod",
        "waitinglistoffer",
        "childsensitive",
        "fsmperiod",
        "childsafetynotes",
        "childaccesslog",
        # ensembles and registers
        "placement",
        "mark",
        "markchange",
        # instruments
        "loan",
        "armmeasurement",
        # safeguarding
        "concern",
        "concernaccess",
    }
)

# Keys whose values identify or describe a person, whatever they look like.
IDENTIFYING_KEYS = frozenset(
    {
        "first_name",
        "last_name",
        "preferred_name",
        "name",
        "full_name",
        "guardian",
        "email",
        "phone",
        "alternative_phone",
        "address",
        "postcode",
        "upn",
        "date_of_birth",
        "dob",
        "note",
        "notes",
        "new_note",
        "old_note",
        "accepted_by",
        "agreement_accepted_by",
        "about",
        "summary",
        "details",
        "text",
        "description",
        "allergies",
        "medical",
        "dietary",
        "gender",
        "first_language",
        "care_authority",
        "school",
        "child",
    }
)

WITHHELD = "…"
_CODE = re.compile(
    r"^([a-z0-9_]{1,40}|True|False|None|-?\d+(\.\d+)?|\d{4}-\d{2}-\d{2}([T ][0-9:.+\-Z]*)?)$"
)


def is_people_data(object_type: str) -> bool:
    return object_type in PEOPLE_DATA


def describe(object_type: str, object_id, child_id=None) -> str:
    """A description that names no one: ``"placement 7 · child 42"``."""
    label = f"{object_type} {object_id}"
    if child_id and object_type != "child":
        label += f" · child {child_id}"
    return label


def _safe(value) -> bool:
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return bool(_CODE.match(value))
    if isinstance(value, list | tuple):
        return all(_safe(v) for v in value)
    return False


def scrub(changes: dict | None) -> dict:
    """``changes`` with every value that could identify someone withheld (keys kept).
    A child's or user's id under ``child``/``user`` is kept: it is a reference, not
    a name."""
    result = {}
    for key, value in (changes or {}).items():
        bare = str(key).rsplit(".", 1)[-1]
        if bare in ("child", "user", "centre", "ensemble") and isinstance(value, int):
            result[key] = value
        elif bare in IDENTIFYING_KEYS or not _safe(value):
            result[key] = WITHHELD
        else:
            result[key] = value
    return result
