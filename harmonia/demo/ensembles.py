"""Demo ensembles, timetable and registers for every demo centre (idempotent).

For each centre: an orchestra and a string group (England) or choir (Venezuela),
English school terms or the Venezuelan calendar (lapsos) for 2025–26 and 2026–27,
three to four sessions a week, placements of the demo children, and marks for
every past date since the start of last school year, so that the attendance
pages and the dashboards' trends have numbers (a few children drift away in the
last four weeks). Each demo tutor has a session today,
whatever day the demo is loaded ("Practice club").
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from harmonia.accounts.models import Membership, Role
from harmonia.children.models import Child
from harmonia.demo.people import PERSONAS
from harmonia.ensembles import timetable
from harmonia.ensembles.models import (
    CentreRegisterSettings,
    Ensemble,
    Mark,
    Occurrence,
    Placement,
    Section,
    Session,
    Term,
)
from harmonia.programmes.models import Centre

D = dt.date

ENGLISH_TERMS = [
    ("Autumn term 2025", "term", D(2025, 9, 3), D(2025, 12, 19)),
    ("October half term 2025", "holiday", D(2025, 10, 27), D(2025, 10, 31)),
    ("Christmas holidays 2025", "holiday", D(2025, 12, 22), D(2026, 1, 2)),
    ("Spring term 2026", "term", D(2026, 1, 5), D(2026, 3, 27)),
    ("February half term 2026", "holiday", D(2026, 2, 16), D(2026, 2, 20)),
    ("Easter holidays 2026", "holiday", D(2026, 3, 30), D(2026, 4, 10)),
    ("Summer term 2026", "term", D(2026, 4, 13), D(2026, 7, 22)),
    ("May half term 2026", "holiday", D(2026, 5, 25), D(2026, 5, 29)),
    ("Summer holidays 2026", "holiday", D(2026, 7, 23), D(2026, 9, 2)),
    ("Autumn term 2026", "term", D(2026, 9, 3), D(2026, 12, 18)),
    ("October half term 2026", "holiday", D(2026, 10, 26), D(2026, 10, 30)),
    ("Christmas holidays 2026", "holiday", D(2026, 12, 21), D(2027, 1, 1)),
    ("Spring term 2027", "term", D(2027, 1, 4), D(2027, 3, 24)),
    ("February half term 2027", "holiday", D(2027, 2, 15), D(2027, 2, 19)),
    ("Easter holidays 2027", "holiday", D(2027, 3, 25), D(2027, 4, 9)),
    ("Summer term 2027", "term", D(2027, 4, 12), D(2027, 7, 21)),
    ("May half term 2027", "holiday", D(2027, 5, 31), D(2027, 6, 4)),
]
VENEZUELAN_TERMS = [
    ("Primer lapso 2025–26", "term", D(2025, 9, 15), D(2025, 12, 19)),
    ("Vacaciones de Navidad 2025", "holiday", D(2025, 12, 20), D(2026, 1, 6)),
    ("Segundo lapso 2025–26", "term", D(2026, 1, 7), D(2026, 3, 27)),
    ("Carnaval 2026", "holiday", D(2026, 2, 16), D(2026, 2, 17)),
    ("Semana Santa 2026", "holiday", D(2026, 3, 30), D(2026, 4, 3)),
    ("Tercer lapso 2025–26", "term", D(2026, 4, 6), D(2026, 7, 17)),
    ("Vacaciones escolares 2026", "holiday", D(2026, 7, 18), D(2026, 9, 14)),
    ("Primer lapso 2026–27", "term", D(2026, 9, 15), D(2026, 12, 18)),
    ("Vacaciones de Navidad 2026", "holiday", D(2026, 12, 19), D(2027, 1, 6)),
    ("Segundo lapso 2026–27", "term", D(2027, 1, 7), D(2027, 3, 19)),
    ("Carnaval 2027", "holiday", D(2027, 2, 8), D(2027, 2, 9)),
    ("Semana Santa 2027", "holiday", D(2027, 3, 22), D(2027, 3, 26)),
    ("Tercer lapso 2026–27", "term", D(2027, 3, 29), D(2027, 7, 16)),
]
YEARS = {"GB": [(D(2025, 9, 3), D(2026, 7, 22)), (D(2026, 9, 3), D(2027, 7, 21))],
         "VE": [(D(2025, 9, 15), D(2026, 7, 17)), (D(2026, 9, 15), D(2027, 7, 16))]}  # fmt: skip

ORCHESTRA_SECTIONS = [
    ("First violins", "violin"), ("Second violins", "violin"), ("Violas", "viola"),
    ("Cellos", "cello"), ("Double basses", "double bass"), ("Woodwind", "clarinet"),
    ("Brass", "trumpet"), ("Percussion", "percussion"),
]  # fmt: skip
SECCIONES = [
    ("Violines primeros", "violín"), ("Violines segundos", "violín"), ("Violas", "viola"),
    ("Violonchelos", "violonchelo"), ("Contrabajos", "contrabajo"), ("Maderas", "clarinete"),
    ("Metales", "trompeta"), ("Percusión", "percusión"),
]  # fmt: skip
STRING_SECTIONS = [("Violins", "violin"), ("Violas", "viola"), ("Cellos", "cello")]
VOICES = [("Sopranos", "voz"), ("Altos", "voz")]

# (ensemble index, kind, weekday, start, minutes): 3–4 sessions a week per centre
WEEK = [
    (0, "rehearsal", 0, dt.time(15, 30), 90),
    (0, "sectional", 2, dt.time(15, 30), 60),
    (1, "rehearsal", 3, dt.time(15, 45), 75),
    (0, "wcet", 4, dt.time(10, 0), 45),
]


def _terms(centre, venezuelan: bool) -> None:
    existing = set(Term.objects.filter(centre=centre).values_list("name", "start"))
    Term.objects.bulk_create(
        Term(centre=centre, name=name, kind=kind, start=start, end=end)
        for name, kind, start, end in (VENEZUELAN_TERMS if venezuelan else ENGLISH_TERMS)
        if (name, start) not in existing
    )


def _ensembles(centre, venezuelan: bool) -> list[Ensemble]:
    area = centre.name.replace("In Harmony ", "").replace("Núcleo ", "").replace("Sistema in ", "")
    specs = (
        [(f"Orquesta Infantil {area}", "orchestra", SECCIONES),
         (f"Coro Infantil {area}", "choir", VOICES)]
        if venezuelan
        else [(f"{area} Children's Orchestra", "orchestra", ORCHESTRA_SECTIONS),
              (f"{area} Junior Strings", "strings", STRING_SECTIONS)]
    )  # fmt: skip
    result = []
    for name, kind, sections in specs:
        ensemble, _ = Ensemble.objects.get_or_create(
            programme=centre.programme, centre=centre, name=name, defaults={"kind": kind}
        )
        ensemble.member_centres.add(centre)
        have = set(ensemble.sections.values_list("name", flat=True))
        Section.objects.bulk_create(
            Section(ensemble=ensemble, name=s, order=i)
            for i, (s, _instrument) in enumerate(sections)
            if s not in have
        )
        ensemble.section_specs = sections
        result.append(ensemble)
    return result


def _placements(ensembles, children, rng, start) -> None:
    for index, ensemble in enumerate(ensembles):
        sections = {s.name: s for s in ensemble.sections.all()}
        placed = set(ensemble.placements.filter(end=None).values_list("child_id", flat=True))
        rows = []
        members = children if index == 0 else children[::2]
        for n, child in enumerate(members):
            if child.pk in placed:
                continue
            name, instrument = ensemble.section_specs[n % len(ensemble.section_specs)]
            rows.append(
                Placement(child=child, ensemble=ensemble, section=sections[name],
                          instrument=instrument, desk=n // len(ensemble.section_specs) + 1,
                          start=start)
            )  # fmt: skip
        Placement.objects.bulk_create(rows)


def _sessions(ensembles, centre, tutor, venue, years) -> list[Session]:
    sessions = []
    for first, last in years:
        for index, kind, weekday, start, minutes in WEEK:
            session, created = Session.objects.get_or_create(
                ensemble=ensembles[index], kind=kind, weekday=weekday, starts_on=first,
                defaults={"ends_on": last, "start_time": start, "duration_minutes": minutes,
                          "venue": venue if kind != "wcet" else f"{venue} (classroom)"},
            )  # fmt: skip
            if created and tutor is not None:
                session.tutors.add(tutor)
            sessions.append(session)
    return sessions


def _practice_club(ensemble, centre, tutor, today, zone) -> None:
    """A session today for the demo tutor, whatever day the demo is loaded."""
    if tutor is None:
        return
    if Occurrence.objects.filter(timetable.taught_by(tutor), date=today).exists():
        return
    starts, ends = timetable.occurrence_times(today, dt.time(17, 0), 60, zone)
    occurrence = Occurrence.objects.create(
        ensemble=ensemble, centre=centre, date=today, starts_at=starts, ends_at=ends,
        minutes=60, kind="rehearsal", title="Practice club", venue="Music room",
    )  # fmt: skip
    occurrence.tutors.add(tutor)


def _marks(centre, ensembles, since, today, tutor, rng) -> int:
    """Marks for every past date since ``since`` (the start of last school year, so
    the dashboards have trends); some children drift away lately.

    Marks are invented once, when an ensemble's registers are first loaded, and only
    for registers nobody has taken. Loading again never invents any: from then on a
    register is whatever a person did with it, so a register left untaken (by a
    person, or by the demo on purpose for the managers' to-do list) stays untaken,
    and a register someone took is never written over."""
    loaded = set(
        Mark.objects.filter(occurrence__ensemble__in=ensembles, client_key="demo")
        .values_list("occurrence__ensemble_id", flat=True)
        .distinct()
    )
    occurrences = list(
        Occurrence.objects.filter(
            ensemble__in=[e for e in ensembles if e.pk not in loaded],
            date__gte=since,
            date__lt=today,
            status="scheduled",
            register_taken_at=None,
        )
        .exclude(Exists(Mark.objects.filter(occurrence=OuterRef("pk"))))
        .order_by("date")
    )
    placements = list(
        Placement.objects.filter(ensemble__in=ensembles, end=None).values_list(
            "ensemble_id", "child_id"
        )
    )
    members: dict[int, list[int]] = {}
    for ensemble_id, child_id in placements:
        members.setdefault(ensemble_id, []).append(child_id)
    children = sorted({c for _e, c in placements})
    propensity = {c: rng.choice([0.97, 0.93, 0.9, 0.85, 0.75, 0.6]) for c in children}
    drifting = set(rng.sample(children, k=min(3, len(children))))
    recent = today - dt.timedelta(days=28)
    now = timezone.now()
    rows = []
    for occurrence in occurrences:
        marked_at = occurrence.starts_at + dt.timedelta(minutes=5)
        for child in members.get(occurrence.ensemble_id, []):
            p = propensity[child]
            if child in drifting and occurrence.date >= recent:
                p = 0.25
            roll = rng.random()
            if roll < p * 0.92:
                status, reason = "present", ""
            elif roll < p:
                status, reason = "late", ""
            elif roll < p + (1 - p) * 0.4:
                status, reason = "absent_authorised", rng.choice(["illness", "medical", "family"])
            else:
                status, reason = "absent_unauthorised", ""
            rows.append(
                Mark(occurrence=occurrence, child_id=child, status=status, reason=reason,
                     marked_by=tutor, marked_at=marked_at, recorded_at=now, client_key="demo")
            )  # fmt: skip
    Mark.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    Occurrence.objects.filter(pk__in=[o.pk for o in occurrences], register_taken_at=None).update(
        register_taken_at=now, register_taken_by=tutor
    )
    return len(rows)


JOINT = "In Harmony Joint Orchestra"


def _joint_orchestra(tutors, today) -> None:
    """A joint ensemble of Liverpool and Lambeth children, rehearsing today with both
    centres' demo tutors: each tutor's register shows only their own centre's children
    (harmonia.access.ensemble_children). No past marks, so the dashboards are unchanged."""
    centres = list(
        Centre.objects.filter(name__in=["In Harmony Liverpool", "In Harmony Lambeth"]).order_by(
            "-name"
        )
    )
    if len(centres) != 2:
        return
    home = centres[0]
    ensemble, _ = Ensemble.objects.get_or_create(
        programme=home.programme, centre=home, name=JOINT, defaults={"kind": "orchestra"}
    )
    ensemble.member_centres.set(centres)
    section, _ = Section.objects.get_or_create(ensemble=ensemble, name="Strings", order=0)
    placed = set(ensemble.placements.values_list("child_id", flat=True))
    rows = []
    for centre in centres:
        children = Child.objects.filter(centre=centre, status="active", anonymised_at=None)
        start = today - dt.timedelta(days=28)
        for child in children.order_by("pk")[:6]:
            if child.pk not in placed:
                rows.append(
                    Placement(
                        child=child, ensemble=ensemble, section=section,
                        instrument="violin", start=start,
                    )
                )  # fmt: skip
    Placement.objects.bulk_create(rows)
    if ensemble.occurrences.filter(date=today).exists():
        return
    starts, ends = timetable.occurrence_times(today, dt.time(18, 15), 75, timetable.zone_for(home))
    occurrence = Occurrence.objects.create(
        ensemble=ensemble, centre=home, date=today, starts_at=starts, ends_at=ends,
        minutes=75, kind="rehearsal", title="Joint rehearsal", venue="Philharmonic Hall",
    )  # fmt: skip
    occurrence.tutors.add(*[tutors[c.pk] for c in centres if c.pk in tutors])


@transaction.atomic
def load_ensembles_demo() -> dict:
    today = timezone.localdate()
    persona_emails = {p.email for p in PERSONAS if p.role == Role.TUTOR}
    tutors: dict = {}
    for m in Membership.objects.filter(role=Role.TUTOR).select_related("user").order_by("pk"):
        if m.user.email in persona_emails or m.centre_id not in tutors:
            tutors[m.centre_id] = m.user  # the demo persona, else the first tutor
    for centre in Centre.objects.select_related("programme").order_by("pk"):
        venezuelan = centre.programme.country == "VE"
        rng = random.Random(f"ensembles-{centre.name}")
        settings, _ = CentreRegisterSettings.objects.get_or_create(
            centre=centre,
            defaults={"time_zone": "America/Caracas" if venezuelan else "Europe/London"},
        )
        _terms(centre, venezuelan)
        ensembles = _ensembles(centre, venezuelan)
        years = YEARS["VE" if venezuelan else "GB"]
        children = list(
            Child.objects.filter(centre=centre, status="active", anonymised_at=None).order_by("pk")
        )
        _placements(ensembles, children, rng, years[0][0])
        tutor = tutors.get(centre.pk)
        school = centre.schools.order_by("name").first()
        venue = f"{school.name} hall" if school else centre.name
        sessions = _sessions(ensembles, centre, tutor, venue, years)
        timetable.generate_occurrences(sessions)
        _practice_club(ensembles[0], centre, tutor, today, timetable.zone_for(centre))
        _marks(centre, ensembles, years[0][0], today, tutor, rng)
        del settings
    _joint_orchestra(tutors, today)
    return {
        "ensembles": Ensemble.objects.count(),
        "occurrences": Occurrence.objects.count(),
        "marks": Mark.objects.count(),
    }
