"""Read a CSV class list with a column mapping chosen by the user. No Django here."""

from __future__ import annotations

import csv
import io

from harmonia.interop.pupils import Contact, FileRefused, Pupil

MAX_BYTES = 5 * 1024 * 1024

# Our field → column names seen in school exports (MTC's census CSV among them).
FIELDS = {
    "upn": ["upn"],
    "surname": ["surname", "last name", "lastname", "family name"],
    "forename": ["forename", "first name", "firstname", "given name"],
    "preferred_forename": ["preferred forename", "preferred name", "known as"],
    "dob": ["dob", "date of birth", "birth date"],
    "sex": ["sex", "gender"],
    "year_group": ["ncyearactual", "year group", "year", "nc year"],
    "ethnicity": ["ethnicity"],
    "first_language": ["language", "first language"],
    "sen_provision": ["senprovision", "sen provision", "sen"],
    "fsm_eligible": ["fsmeligible", "fsm", "fsm eligible"],
    "school_urn": ["urn", "school urn"],
    "contact_name": ["contact name", "parent name", "guardian name"],
    "contact_email": ["contact email", "parent email", "email"],
    "contact_phone": ["contact phone", "parent phone", "phone"],
}
REQUIRED = ("surname", "forename", "dob")


def decode(data: bytes, *, max_bytes: int = MAX_BYTES) -> str:
    if len(data) > max_bytes:
        raise FileRefused(
            f"The file is {len(data) // 1024} KB; the limit is {max_bytes // 1024} KB."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused("The file is not readable text.")


def headers(text: str) -> list[str]:
    try:
        first = next(csv.reader(io.StringIO(text)), [])
    except csv.Error as exc:
        raise FileRefused(f"The file is not a readable CSV ({exc}).") from None
    if not first:
        raise FileRefused("The file has no header row.")
    return [h.strip() for h in first]


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """Our field → the file's column, where a column name is recognised."""
    lower = {c.lower().strip(): c for c in columns}
    mapping = {}
    for name, synonyms in FIELDS.items():
        for synonym in synonyms:
            if synonym in lower:
                mapping[name] = lower[synonym]
                break
    return mapping


def read_classlist(text: str, mapping: dict[str, str], *, fsm_from: str = "") -> list[Pupil]:
    """Pupils from the rows of ``text``; ``mapping`` is our field → the file's column.
    A yes in the FSM column opens an FSM period from ``fsm_from``."""
    missing = [f for f in REQUIRED if not mapping.get(f)]
    if missing:
        raise FileRefused("Choose a column for: " + ", ".join(missing) + ".")
    reader = csv.DictReader(io.StringIO(text))
    pupils = []
    try:
        for line, row in enumerate(reader, start=2):

            def get(name, row=row):
                column = mapping.get(name)
                return (row.get(column) or "").strip() if column else ""

            pupil = Pupil(
                row=line,
                **{
                    name: get(name)
                    for name in (
                        "upn", "surname", "forename", "preferred_forename", "dob", "sex",
                        "year_group", "ethnicity", "first_language", "sen_provision",
                        "school_urn",
                    )
                },
            )  # fmt: skip
            if get("fsm_eligible").lower() in {"true", "yes", "y", "1"} and fsm_from:
                pupil.fsm = [(fsm_from, "")]
            name = get("contact_name")
            if name or get("contact_email") or get("contact_phone"):
                forename, _, surname = name.partition(" ")
                pupil.contacts = [
                    Contact(
                        forename=forename,
                        surname=surname or pupil.surname,
                        relationship="PAR",
                        email=get("contact_email"),
                        phone=get("contact_phone"),
                    )
                ]
            pupils.append(pupil)
    except csv.Error as exc:
        raise FileRefused(f"The file is not a readable CSV ({exc}).") from None
    return pupils
