"""Pupil records read from school files (CTF XML or CSV class lists), and the checks
every import runs on them before anything is written. No Django here."""

from __future__ import annotations

import datetime
import re
from dataclasses import asdict, dataclass, field
from dataclasses import field as dataclass_field

from stdnum.gb import upn as stdnum_upn

YEAR_GROUPS = {"N1", "N2", "R", "X", *(str(n) for n in range(1, 14))}

# DfE school census ethnicity: the 20 main codes, and the extended codes a school may
# record instead (each belongs to one main code). Reports use the main code; the
# extended one is kept as received.
MAIN_ETHNICITY = (
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
    "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
)  # fmt: skip
EXTENDED_ETHNICITY = {
    "WBRI": ("WCOR", "WENG", "WSCO", "WWEL", "WOWB"),
    "WOTH": (
        "WALB", "WBOS", "WCRO", "WGRE", "WGRK", "WGRC", "WITA", "WKOS", "WPOR", "WSER",
        "WTUR", "WTUK", "WTUC", "WEUR", "WEEU", "WWEU", "WOTW",
    ),
    "WROM": ("WROG", "WROR", "WROO"),
    "MWAS": ("MWAP", "MWAI", "MWAO"),
    "MOTH": ("MAOE", "MABL", "MACH", "MBOE", "MBCH", "MCOE", "MWOE", "MWCH", "MOTM"),
    "APKN": ("AMPK", "AKPA", "AOPK"),
    "AOTH": ("AAFR", "AKAO", "ANEP", "ASNL", "ASLT", "ASRO", "AOTA"),
    "BAFR": ("BANN", "BCON", "BGHA", "BNGN", "BSLN", "BSOM", "BSUD", "BAOF"),
    "BOTH": ("BEUR", "BNAM", "BOTB"),
    "CHNE": ("CHKC", "CMAL", "CSNG", "CTAI", "COCH"),
    "OOTH": (
        "OAFG", "OARA", "OEGY", "OFIL", "OIRN", "OIRQ", "OJPN", "OKOR", "OKRD", "OLAM",
        "OLEB", "OLIB", "OMAL", "OMRC", "OPOL", "OTHA", "OVIE", "OYEM", "OOEG",
    ),
}  # fmt: skip
MAIN_OF = {code: code for code in MAIN_ETHNICITY} | {
    extended: main for main, codes in EXTENDED_ETHNICITY.items() for extended in codes
}
ETHNICITY_CODES = set(MAIN_OF)
SEN_CODES = {"N", "K", "E"}


def main_ethnicity(code: str) -> str:
    """The DfE main code for a main or extended code ("WENG" → "WBRI"); "" if unknown."""
    return MAIN_OF.get((code or "").strip().upper(), "")


_YEAR_WORDS = re.compile(
    r"^(?:(?:national\s*curriculum\s*)?year|yr|y|nc\s*year|nc|ncy)\s*[-.]?\s*(\d{1,2}|r|x)$"
)
_NURSERY = re.compile(r"^(?:n|nur|nursery|fs1?|f1)\s*[-.]?\s*([12])?$")


def year_group_code(written: str) -> str:
    """A year group as schools write it → the NCyearActual code, or "" when it is not
    one: "Year 4", "Y4", "yr4", "04" → "4"; "R", "Reception", "YR", "FS2" → "R";
    "N1", "Nursery 1" → "N1"; "Nursery" → "N2" (the year before Reception)."""
    text = " ".join((written or "").strip().lower().split())
    if not text:
        return ""
    if text in {"r", "rec", "reception", "fs2", "f2", "yr r", "year r", "yr", "yrec"}:
        return "R"
    if text.isdigit():
        number = str(int(text))
        return number if number in YEAR_GROUPS else ""
    if text in {"x", "ncx", "nc x"}:
        return "X"
    found = _YEAR_WORDS.match(text)
    if found:
        value = found.group(1).upper()
        value = str(int(value)) if value.isdigit() else value
        return value if value in YEAR_GROUPS else ""
    found = _NURSERY.match(text)
    if found:
        return "N" + (found.group(1) or "2")
    return ""


@dataclass
class Contact:
    surname: str = ""
    forename: str = ""
    relationship: str = ""  # the file's code, e.g. PAR, CAR
    responsible: bool = True
    email: str = ""
    phone: str = ""
    order: int = 1
    address: str = ""  # one line, as the file gives it (the pupil's when AddressAsPupil)


@dataclass
class Pupil:
    row: int  # 1-based position in the file (CSV: line number)
    upn: str = ""
    surname: str = ""
    forename: str = ""
    preferred_forename: str = ""
    dob: str = ""  # as written in the file; ISO date when valid
    sex: str = ""
    year_group: str = ""  # the NCyearActual code once checked ("4", "R", "N1")
    year_group_as_written: str = ""  # what the file said ("Year 4", "yr4", "Reception")
    ethnicity: str = ""
    first_language: str = ""
    sen_provision: str = ""
    fsm: list[tuple[str, str]] = field(default_factory=list)  # (start, end or "")
    looked_after: bool = False
    school_urn: str = ""
    contacts: list[Contact] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Pupil:
        data = dict(data)
        data["contacts"] = [Contact(**c) for c in data.get("contacts", [])]
        data["fsm"] = [tuple(p) for p in data.get("fsm", [])]
        return cls(**data)


def gettext_noop(message: str) -> str:
    """Mark a message for the Spanish catalogue (Django's makemessages reads this name);
    the adapters stay free of Django, and Harmonia translates when it shows the message
    (``children.imports.problem_text``)."""
    return message


@dataclass(frozen=True)
class Problem:
    """One problem on one row: ``message`` in English for the record; ``template`` and
    ``params`` let each reader see it in their language."""

    row: int
    field: str
    message: str
    template: str = ""
    params: dict = dataclass_field(default_factory=dict)


def problem(row: int, field: str, template: str, **params) -> Problem:
    return Problem(row, field, template % params, template, params)


class FileRefused(Exception):
    """The whole file cannot be read (too big, not well formed, hostile). ``str(exc)``
    is English; ``template`` and ``params`` let Harmonia translate it."""

    def __init__(self, template: str, **params):
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


def parse_date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        pass
    try:
        return datetime.datetime.strptime(value.strip(), "%d/%m/%Y").date()
    except (ValueError, AttributeError):
        return None


def normalise(pupil: Pupil) -> None:
    pupil.upn = pupil.upn.strip().upper()
    pupil.surname = pupil.surname.strip()
    pupil.forename = pupil.forename.strip()
    pupil.sex = {"MALE": "M", "FEMALE": "F", "": ""}.get(
        pupil.sex.strip().upper(), pupil.sex.strip().upper()
    )
    written = pupil.year_group_as_written or pupil.year_group.strip()
    pupil.year_group_as_written = written
    pupil.year_group = year_group_code(written) or written
    pupil.ethnicity = pupil.ethnicity.strip().upper()
    pupil.sen_provision = pupil.sen_provision.strip().upper()
    parsed = parse_date(pupil.dob)
    if parsed:
        pupil.dob = parsed.isoformat()


def check(pupils: list[Pupil], *, today: datetime.date | None = None) -> list[Problem]:
    """Every problem in the file, named by row and field. An empty list means the
    file can be applied."""
    today = today or datetime.date.today()
    problems: list[Problem] = []
    seen_upn: dict[str, int] = {}
    seen_person: dict[tuple, int] = {}
    for p in pupils:
        normalise(p)
        if not p.surname:
            problems.append(problem(p.row, "Surname", gettext_noop("The surname is missing.")))
        if not p.forename:
            problems.append(problem(p.row, "Forename", gettext_noop("The forename is missing.")))
        dob = parse_date(p.dob)
        if dob is None:
            problems.append(
                problem(p.row, "DOB", gettext_noop("“%(value)s” is not a date."), value=p.dob)
            )
        elif dob > today or dob < today.replace(year=today.year - 25):
            problems.append(
                problem(
                    p.row,
                    "DOB",
                    gettext_noop("%(value)s is not a possible date of birth."),
                    value=p.dob,
                )
            )
        if p.upn:
            if not stdnum_upn.is_valid(p.upn):
                problems.append(
                    problem(
                        p.row,
                        "UPN",
                        gettext_noop("%(value)s is not a valid UPN (wrong check letter?)."),
                        value=p.upn,
                    )
                )
            elif p.upn in seen_upn:
                problems.append(
                    problem(
                        p.row,
                        "UPN",
                        gettext_noop("%(value)s is also on row %(other)s."),
                        value=p.upn,
                        other=seen_upn[p.upn],
                    )
                )
            seen_upn.setdefault(p.upn, p.row)
        if p.year_group and p.year_group not in YEAR_GROUPS:
            problems.append(
                problem(
                    p.row,
                    "NCyearActual",
                    gettext_noop(
                        "“%(value)s” is not a year group (write e.g. Year 4, Y4, R or N2)."
                    ),
                    value=p.year_group,
                )
            )
        if p.sex and p.sex not in {"M", "F", "U"}:
            problems.append(
                problem(p.row, "Sex", gettext_noop("“%(value)s” is not M, F or U."), value=p.sex)
            )
        if p.ethnicity and p.ethnicity not in ETHNICITY_CODES:
            problems.append(
                problem(
                    p.row,
                    "Ethnicity",
                    gettext_noop("“%(value)s” is not a DfE ethnicity code (main or extended)."),
                    value=p.ethnicity,
                )
            )
        if p.sen_provision and p.sen_provision not in SEN_CODES:
            problems.append(
                problem(
                    p.row,
                    "SENprovision",
                    gettext_noop("“%(value)s” is not N, K or E."),
                    value=p.sen_provision,
                )
            )
        for start, end in p.fsm:
            s, e = parse_date(start), parse_date(end) if end else None
            if s is None or (end and e is None) or (s and e and e < s):
                problems.append(
                    problem(
                        p.row,
                        "FSMinstance",
                        gettext_noop("The period %(start)s–%(end)s is not valid."),
                        start=start,
                        end=end,
                    )
                )
        person = (p.surname.lower(), p.forename.lower(), p.dob)
        if dob and person in seen_person:
            problems.append(
                problem(
                    p.row,
                    "Pupil",
                    gettext_noop("The same pupil is also on row %(other)s."),
                    other=seen_person[person],
                )
            )
        seen_person.setdefault(person, p.row)
    return problems
