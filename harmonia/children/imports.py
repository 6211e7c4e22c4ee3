"""Imports of children from school files: read (pure adapters in harmonia.interop),
check the whole file, preview, then apply all or nothing in one transaction.

Existing children are matched by UPN, then by name and date of birth, so that
importing the same file again changes nothing. Contacts join an existing guardian
only on strong evidence or the manager's confirmation (see ``_apply_contacts``).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict

from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django_tasks import task

from harmonia import audit
from harmonia.children import services
from harmonia.children.models import (
    Child,
    ChildGuardian,
    ChildSensitive,
    ColumnMapping,
    FsmPeriod,
    Guardian,
    ImportLog,
    Relationship,
    Sex,
    Status,
)
from harmonia.interop import classlist, ctf
from harmonia.interop.pupils import FileRefused, Pupil, check, main_ethnicity, parse_date
from harmonia.programmes.models import PartnerSchool

# Imports of more pupils than this run as a background task with progress shown.
BACKGROUND_FROM = 50

RELATIONSHIPS = {
    "PAR": Relationship.PARENT,
    "MUM": Relationship.MOTHER,
    "DAD": Relationship.FATHER,
    "STP": Relationship.STEP_PARENT,
    "FOS": Relationship.FOSTER_CARER,
    "CAR": Relationship.OTHER_RELATIVE,
    "REL": Relationship.OTHER_RELATIVE,
    "FAM": Relationship.OTHER_RELATIVE,
    "SWR": Relationship.SOCIAL_WORKER,
}


def _problems(items) -> list[dict]:
    return [
        {
            "row": p.row,
            "field": p.field,
            "message": p.message,
            "template": p.template,
            "params": {k: str(v) for k, v in p.params.items()},
        }
        for p in items
    ]


def _translated(template: str, params: dict, english: str) -> str:
    if not template:
        return english
    try:
        return gettext(template) % params
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
        return english


def problem_text(problem: dict) -> str:
    """A stored problem in the reader's language (older logs hold English only)."""
    return _translated(problem.get("template", ""), problem.get("params", {}), problem["message"])


def error_text(log: ImportLog) -> str:
    """Why a file was refused, in the reader's language."""
    detail = log.error_detail or {}
    return _translated(detail.get("template", ""), detail.get("params", {}), log.error)


def _refused(log: ImportLog, exc: FileRefused) -> None:
    log.state = ImportLog.State.INVALID
    log.error = str(exc)
    log.error_detail = {
        "template": exc.template,
        "params": {k: str(v) for k, v in exc.params.items()},
    }


def read_upload(
    centre,
    *,
    kind: str,
    filename: str,
    data: bytes,
    by,
    mapping=None,
    fsm_from="",
    school=None,
    header: dict | None = None,
):
    """Check a file and keep the result as an ImportLog (nothing else is written).
    A class list arrives here as the comma-separated text ``classlist.read_table``
    made of it, with ``header`` describing the original file."""
    log = ImportLog(
        centre=centre,
        kind=kind,
        filename=filename[:200],
        uploaded_by=by,
        school=school,
        header=header or {},
    )
    try:
        if kind == ImportLog.Kind.CTF:
            ctf_header, pupils = ctf.read_ctf(data)
            log.header = {"format": "ctf", **asdict(ctf_header)}
            if ctf_header.source_urn:
                log.school = PartnerSchool.objects.filter(
                    centre=centre, urn=ctf_header.source_urn
                ).first()
        else:
            text = classlist.decode(data)
            pupils = classlist.read_classlist(text, mapping or {}, fsm_from=fsm_from)
    except FileRefused as exc:
        _refused(log, exc)
        log.save()
        return log
    problems = check(pupils)
    log.total = len(pupils)
    log.rows = [p.as_dict() for p in pupils]
    log.problems = _problems(problems)
    if not pupils:
        log.error = "The file holds no pupils."
        log.error_detail = {"template": gettext_noop("The file holds no pupils."), "params": {}}
    log.state = ImportLog.State.INVALID if problems or not pupils else ImportLog.State.VALIDATED
    log.save()
    return log


def start_classlist(centre, *, filename: str, data: bytes, by, school=None) -> ImportLog:
    """A class list (CSV in any delimiter and encoding, or XLSX) read into one
    comma-separated text, kept until its columns are chosen."""
    log = ImportLog(
        centre=centre,
        kind=ImportLog.Kind.CSV,
        filename=filename[:200],
        uploaded_by=by,
        school=school,
    )
    try:
        table = classlist.read_table(data, filename)
    except FileRefused as exc:
        _refused(log, exc)
    else:
        log.source, log.header = table.text, table.describe()
        log.state = ImportLog.State.MAPPING
    log.save()
    return log


def initial_mapping(
    log: ImportLog, columns: list[str]
) -> tuple[dict[str, str], ColumnMapping | None]:
    """The mapping page's starting point: the columns chosen last time for this
    school (those still in the file), then recognised column names for the rest."""
    guessed = classlist.guess_mapping(columns)
    remembered = ColumnMapping.objects.filter(school=log.school).first() if log.school_id else None
    if remembered is None:
        return guessed, None
    present = set(columns)
    kept = {k: v for k, v in remembered.mapping.items() if v in present and k in classlist.FIELDS}
    return {**guessed, **kept}, remembered


@transaction.atomic
def remember_mapping(school, mapping: dict[str, str], *, by) -> ColumnMapping:
    """Keep a school's column choices for its next class list."""
    clean = {k: v for k, v in mapping.items() if k in classlist.FIELDS and v}
    found, created = ColumnMapping.objects.update_or_create(
        school=school, defaults={"mapping": clean, "updated_by": by}
    )
    audit.record(
        actor=by,
        action="column mapping remembered",
        obj=found,
        programme=school.centre.programme,
        changes={"school": school.pk, "fields": sorted(clean)},
    )
    return found


def summary(log: ImportLog) -> dict:
    """Counts for the preview: FSM, SEN, looked after, EAL, ethnicity recorded,
    contacts, and year groups (code → pupils), from the checked rows."""
    pupils = [Pupil.from_dict(r) for r in log.rows]
    today = timezone.localdate().isoformat()
    years: dict[str, int] = {}
    for p in pupils:
        years[p.year_group] = years.get(p.year_group, 0) + 1
    return {
        "pupils": len(pupils),
        "fsm_now": sum(
            1 for p in pupils if any(s <= today and (not e or e >= today) for s, e in p.fsm)
        ),
        "fsm_ever": sum(1 for p in pupils if p.fsm),
        "sen_support": sum(1 for p in pupils if p.sen_provision == "K"),
        "ehc_plan": sum(1 for p in pupils if p.sen_provision == "E"),
        "looked_after": sum(1 for p in pupils if p.looked_after),
        "eal": sum(
            1 for p in pupils if p.first_language and p.first_language.upper() not in ENGLISH
        ),
        "ethnicity": sum(1 for p in pupils if p.ethnicity),
        "extended_ethnicity": sum(
            1 for p in pupils if p.ethnicity and main_ethnicity(p.ethnicity) != p.ethnicity
        ),
        "contacts": sum(1 for p in pupils for c in p.contacts if _usable(c)),
        "without_contact": sum(1 for p in pupils if not any(_usable(c) for c in p.contacts)),
        "years": sorted(years.items(), key=lambda kv: _year_order(kv[0])),
    }


def _year_order(code: str) -> tuple:
    order = {"N1": -2, "N2": -1, "R": 0}
    if code in order:
        return (0, order[code])
    return (0, int(code)) if code.isdigit() else (1, 0)


ENGLISH = {"ENG", "ENGLISH", "ENB"}


def preview(log: ImportLog) -> list[dict]:
    """What applying would do to each pupil (create, update) and to each of its
    contacts: link to a guardian proven to be the same person, offer a possible
    match for the manager to confirm (the default is to keep them separate), or
    add a new guardian."""
    pupils = [Pupil.from_dict(r) for r in log.rows]
    matches = _match(log.centre, pupils)
    new_by_email: dict[str, int] = {}  # a new guardian's email → the row that adds them
    out = []
    for p in pupils:
        child = matches.get(p.row)
        contacts = []
        for i, c in enumerate(p.contacts):
            if not _usable(c):
                continue
            plan = {"key": _key(p.row, i), "contact": c, "in_file": None}
            plan.update(_contact_plan(log.centre, child, c))
            email = c.email.strip().lower()
            if not (plan["linked"] or plan["same"]) and email:  # a new guardian by default
                if not plan["possible"]:
                    plan["in_file"] = new_by_email.get(email)
                new_by_email.setdefault(email, p.row)
            contacts.append(plan)
        out.append(
            {
                "pupil": p,
                "child": child,
                "action": "update" if child else "create",
                "contacts": contacts,
            }
        )
    return out


def _key(row: int, index: int) -> str:
    return f"{row}:{index}"


def _usable(contact) -> bool:
    return bool(contact.surname or contact.email or contact.phone)


def _contact_plan(centre, child: Child | None, contact) -> dict:
    """{"linked": guardian already this child's} or {"same": guardian, "reason": …}
    or {"possible": [guardians]} (each may be empty)."""
    if child is not None:
        own = Guardian.objects.filter(
            centre=centre,
            child_links__child=child,
            first_name__iexact=contact.forename,
            last_name__iexact=contact.surname,
        ).first()
        if own is not None:
            return {"linked": own, "same": None, "reason": "", "possible": []}
    found = services.match_guardian(
        centre,
        first_name=contact.forename,
        last_name=contact.surname,
        email=contact.email,
        phone=contact.phone,
        address=contact.address,
    )
    return {"linked": None, "same": found.same, "reason": found.reason, "possible": found.possible}


def confirmations(log: ImportLog, answers: dict[str, str]) -> dict[str, int]:
    """The manager's answers to the preview's possible matches, checked: only a
    guardian that was offered for that contact can be chosen; anything else
    (and the default) keeps the contact separate."""
    offered = {
        c["key"]: {g.pk for g in c["possible"]}
        for row in preview(log)
        for c in row["contacts"]
        if c["possible"] and c["same"] is None and c["linked"] is None
    }
    chosen = {}
    for key, value in answers.items():
        if key in offered and str(value).isdigit() and int(value) in offered[key]:
            chosen[key] = int(value)
    return chosen


def _match(centre, pupils: list[Pupil]) -> dict[int, Child]:
    """row → existing child: by UPN first, then by name and date of birth (2 queries)."""
    upns = {p.upn for p in pupils if p.upn}
    by_upn = {c.upn: c for c in Child.objects.filter(centre=centre, upn__in=upns)}
    dobs = {p.dob for p in pupils}
    by_person = {
        (c.last_name.lower(), c.first_name.lower(), c.date_of_birth.isoformat()): c
        for c in Child.objects.filter(centre=centre, date_of_birth__in=dobs)
    }
    found = {}
    for p in pupils:
        child = by_upn.get(p.upn) if p.upn else None
        if child is None:
            child = by_person.get((p.surname.lower(), p.forename.lower(), p.dob))
        if child is not None:
            found[p.row] = child
    return found


def start_apply(log: ImportLog, *, by, confirmed: dict[str, str] | None = None) -> ImportLog:
    """Apply now, or queue as a background task for a large file. ``confirmed``
    holds the manager's "same person" answers from the preview ({key: guardian id})."""
    if log.state != ImportLog.State.VALIDATED:
        raise ValueError("Only a checked file without problems can be applied.")
    log.confirmed_matches = confirmations(log, confirmed or {})
    log.state = ImportLog.State.QUEUED
    log.save(update_fields=["state", "confirmed_matches"])
    if log.total >= BACKGROUND_FROM:
        apply_import_task.enqueue(log.pk, by.pk if by else None)
    else:
        apply_import(log, by=by)
    log.refresh_from_db()
    return log


@task(takes_context=True)
def apply_import_task(context, log_id: int, user_id: int | None) -> None:
    from harmonia import access
    from harmonia.accounts.models import User
    from harmonia.worker.loop import MAX_ATTEMPTS

    with access.background_work():  # the manager who started it was checked then
        log = ImportLog.objects.select_related("centre__programme").get(pk=log_id)
        user = User.objects.filter(pk=user_id).first() if user_id else None
        apply_import(log, by=user, will_retry=context.attempt < MAX_ATTEMPTS)


def apply_import(log: ImportLog, *, by, will_retry: bool = False) -> None:
    """Apply a checked file. A locked database the worker will retry leaves the
    import queued, not failed (nothing was written: the transaction rolled back)."""
    ImportLog.objects.filter(pk=log.pk).update(state=ImportLog.State.RUNNING)
    try:
        counts = _apply(log, by=by)
    except Exception as exc:  # all or nothing: the transaction rolled back
        if will_retry and isinstance(exc, OperationalError) and "locked" in str(exc).lower():
            ImportLog.objects.filter(pk=log.pk).update(state=ImportLog.State.QUEUED)
        else:
            ImportLog.objects.filter(pk=log.pk).update(
                state=ImportLog.State.FAILED, error=str(exc)[:2000], finished=timezone.now()
            )
        raise
    ImportLog.objects.filter(pk=log.pk).update(
        state=ImportLog.State.APPLIED,
        finished=timezone.now(),
        done=log.total,
        created_count=counts["created"],
        updated_count=counts["updated"],
        unchanged_count=counts["unchanged"],
    )


@transaction.atomic
def _apply(log: ImportLog, *, by) -> dict[str, int]:
    centre = log.centre
    pupils = [Pupil.from_dict(r) for r in log.rows]
    # Re-check inside the transaction: the file must still be clean.
    if check(pupils):
        raise ValueError("The file has problems; nothing was imported.")
    matches = _match(centre, pupils)
    schools = {s.urn: s for s in PartnerSchool.objects.filter(centre=centre).exclude(urn="")}
    today = timezone.localdate()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for p in pupils:
        child = matches.get(p.row)
        fields = {
            "first_name": p.forename,
            "last_name": p.surname,
            "date_of_birth": parse_date(p.dob),
            "sex": p.sex or Sex.UNKNOWN,
            "year_group": p.year_group,
        }
        if p.preferred_forename and p.preferred_forename != p.forename:
            fields["preferred_name"] = p.preferred_forename
        if p.upn:
            fields["upn"] = p.upn
        school = schools.get(p.school_urn)
        if school is not None:
            fields["school"] = school
        changed = False
        if child is None:
            child = Child(centre=centre, **fields)
            services.enrol_child(child, status=Status.WAITING, on=today, by=by)
            counts["created"] += 1
            changed = True
        else:
            diff = [k for k, v in fields.items() if getattr(child, k) != v]
            if diff:
                for k in diff:
                    setattr(child, k, fields[k])
                child.full_clean()
                child.save()
                changed = True
        changed |= _apply_sensitive(child, p)
        changed |= _apply_contacts(child, p, log.confirmed_matches or {})
        if matches.get(p.row) is not None:
            counts["updated" if changed else "unchanged"] += 1
    audit.record(
        actor=by,
        action="children imported",
        obj=log,
        programme=centre.programme,
        changes=counts,
    )
    return counts


def _apply_sensitive(child: Child, p: Pupil) -> bool:
    changed = False
    values = {}
    if p.ethnicity:
        # Reports count the main code; an extended one is kept as the school sent it.
        values["ethnicity"] = main_ethnicity(p.ethnicity)
        values["ethnicity_extended"] = "" if values["ethnicity"] == p.ethnicity else p.ethnicity
    if p.sen_provision:
        values["sen_status"] = p.sen_provision
    if p.first_language:
        values["first_language"] = p.first_language
        values["eal"] = p.first_language.upper() not in ENGLISH
    if p.looked_after:
        values["looked_after"] = True
    if values:
        sensitive, created = ChildSensitive.objects.get_or_create(child=child, defaults=values)
        if not created:
            diff = {k: v for k, v in values.items() if getattr(sensitive, k) != v}
            if diff:
                for k, v in diff.items():
                    setattr(sensitive, k, v)
                sensitive.save()
                changed = True
        else:
            changed = True
    for start, end in p.fsm:
        start_date = parse_date(start)
        end_date = parse_date(end) if end else None
        period, created = FsmPeriod.objects.get_or_create(
            child=child, start=start_date, defaults={"end": end_date, "source": "import"}
        )
        if created:
            changed = True
        elif period.end != end_date:
            period.end = end_date
            period.save(update_fields=["end"])
            changed = True
    return changed


def _apply_contacts(child: Child, p: Pupil, confirmed: dict[str, int]) -> bool:
    """Link each contact: to a guardian already this child's, to one proven the same
    person (email; or name, phone and address), to one the manager confirmed in the
    preview, or else to a new guardian. A shared phone or name alone never joins
    two families."""
    changed = False
    for index, contact in enumerate(p.contacts):
        if not _usable(contact):
            continue
        plan = _contact_plan(child.centre, child, contact)
        guardian = plan["linked"] or plan["same"]
        if guardian is None and _key(p.row, index) in confirmed:
            guardian = next(
                (g for g in plan["possible"] if g.pk == confirmed[_key(p.row, index)]), None
            )
        if guardian is None:
            guardian = Guardian.objects.create(
                centre=child.centre,
                first_name=contact.forename,
                last_name=contact.surname,
                email=contact.email,
                phone=contact.phone,
                address=contact.address,
            )
            changed = True
        _link, created = ChildGuardian.objects.get_or_create(
            child=child,
            guardian=guardian,
            defaults={
                "relationship": RELATIONSHIPS.get(contact.relationship.upper(), "other"),
                "parental_responsibility": contact.responsible,
                "priority": index + 1,
            },
        )
        changed |= created
    return changed


def fsm_from_default() -> str:
    return datetime.date(timezone.localdate().year, 9, 1).isoformat()
