"""Demo ensembles, timetable and registers for every demo centre (idempotent).

For each centre: an orchestra and a string group (England) or choir (Venezuela),
English school terms or the Venezuelan calendar (lapsos) for 2025–26 and 2026–27,
three to four sessions a week, placements of the demo children for the time they
were active (children who left or paused stop playing on that day; Liverpool's
orchestra has 60 children), one-off dates made through the ensembles services (a
winter and a summer concert, an Easter holiday course, a concert still to come),
two cancelled dates per centre, and marks for the past dates since the start of
last school year, so that the attendance pages and the dashboards' trends,
reach and retention have numbers (a few children drift away in the last four
weeks). A few recent registers per centre are left untaken, for the managers'
and tutors' to-do lists. Marks are written on the first load only: loading again
never fills a register a person left untaken. Each demo tutor has a session today,
whatever day the demo is loaded ("Practice club"; "Práctica" in Venezuela). The
Venezuelan programme's names, rooms and notes are in Spanish.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from harmonia.accounts.models import Membership, Role
from harmonia.children.models import Child, EnrolmentPeriod, Status
from harmonia.demo.people import PERSONAS
from harmonia.ensembles import services, timetable
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

# (ensemble index, kind, weekday, start, minutes, Spanish name): 3–4 sessions a week
WEEK = [
    (0, "rehearsal", 0, dt.time(15, 30), 90, "Ensayo de orquesta"),
    (0, "sectional", 2, dt.time(15, 30), 60, "Ensayo por secciones"),
    (1, "rehearsal", 3, dt.time(15, 45), 75, "Ensayo del coro"),
    (0, "wcet", 4, dt.time(10, 0), 45, "Orquesta en la escuela"),
]
# Sections a child of under 8 may play in: small strings (sized by age), not brass.
YOUNG_SECTIONS = {"First violins", "Second violins", "Violas", "Cellos", "Violins",
                  "Violines primeros", "Violines segundos", "Violonchelos", "Sopranos",
                  "Altos"}  # fmt: skip
# One-off dates of each centre's orchestra: (title, kind, date, start, minutes, venue).
ONE_OFFS = {
    "GB": [
        ("Winter concert", "concert", D(2025, 12, 11), dt.time(18), 90, "{school} hall"),
        ("Easter holiday course", "holiday_course", D(2026, 4, 7), dt.time(10), 300,
         "{school} hall"),
        ("Summer concert", "concert", D(2026, 7, 9), dt.time(18, 30), 90, "{school} hall"),
        ("Christmas concert", "concert", D(2026, 12, 16), dt.time(18), 90, "{school} hall"),
    ],
    "VE": [
        ("Concierto de fin de lapso", "concert", D(2025, 12, 12), dt.time(17), 90,
         "Auditorio del núcleo"),
        ("Campamento musical de Semana Santa", "holiday_course", D(2026, 3, 31),
         dt.time(9), 240, "Salón de música, {school}"),
        ("Concierto de fin de año escolar", "concert", D(2026, 7, 10), dt.time(17), 90,
         "Auditorio del núcleo"),
        ("Concierto navideño", "concert", D(2026, 12, 17), dt.time(17), 90,
         "Auditorio del núcleo"),
    ],
}  # fmt: skip
CANCELLED_NOTES = {
    "GB": ["School closed: snow", "Hall needed for SATs"],
    "VE": ["Suspendido por corte eléctrico", "Suspendido por lluvias"],
}
UNTAKEN_PER_CENTRE = 3  # recent registers nobody took, for the to-do lists


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


def _active_spans(children, first_day: dt.date) -> dict[int, tuple]:
    """Each child's latest active period that reaches ``first_day`` or later:
    child id → (start, end or None)."""
    spans: dict[int, tuple] = {}
    periods = EnrolmentPeriod.objects.filter(child__in=children, status=Status.ACTIVE).order_by(
        "child_id", "start"
    )
    for period in periods:
        if period.end is None or period.end > first_day:
            spans[period.child_id] = (max(period.start, first_day), period.end)
    return spans


def _placements(ensembles, children, rng, first_day, today) -> None:
    """Every child who was active since ``first_day`` plays in the orchestra, every
    second one in the other ensemble, for the time they were active."""
    spans = _active_spans(children, first_day)
    ages = {c.pk: (today - c.date_of_birth).days // 365 for c in children}
    for index, ensemble in enumerate(ensembles):
        sections = {s.name: s for s in ensemble.sections.all()}
        placed = set(ensemble.placements.values_list("child_id", flat=True))
        rows = []
        members = [c for c in children if c.pk in spans]
        members = members if index == 0 else members[::2]
        for n, child in enumerate(members):
            if child.pk in placed:
                continue
            specs = ensemble.section_specs
            if ages[child.pk] < 8:
                specs = [s for s in specs if s[0] in YOUNG_SECTIONS] or specs
            name, instrument = specs[n % len(specs)]
            start, end = spans[child.pk]
            rows.append(
                Placement(child=child, ensemble=ensemble, section=sections[name],
                          instrument=instrument, desk=n // len(ensemble.section_specs) + 1,
                          start=start, end=end)
            )  # fmt: skip
        Placement.objects.bulk_create(rows)


def _sessions(ensembles, tutor, school_name, years, venezuelan) -> list[Session]:
    sessions = []
    venue = f"Salón de música, {school_name}" if venezuelan else f"{school_name} hall"
    classroom = f"Aula de clases, {school_name}" if venezuelan else f"{venue} (classroom)"
    for first, last in years:
        for index, kind, weekday, start, minutes, nombre in WEEK:
            session, created = Session.objects.get_or_create(
                ensemble=ensembles[index], kind=kind, weekday=weekday, starts_on=first,
                defaults={"ends_on": last, "start_time": start, "duration_minutes": minutes,
                          "name": nombre if venezuelan else "",
                          "venue": venue if kind != "wcet" else classroom},
            )  # fmt: skip
            if created and tutor is not None:
                session.tutors.add(tutor)
            sessions.append(session)
    return sessions


def _one_offs(orchestra, country, school, manager, zone) -> None:
    """Concerts and a holiday course, made as a manager would (audited services)."""
    have = set(orchestra.occurrences.filter(session=None).values_list("title", flat=True))
    for title, kind, day, start, minutes, venue in ONE_OFFS[country]:
        if title in have:
            continue
        starts, _ends = timetable.occurrence_times(day, start, minutes, zone)
        services.add_one_off(
            orchestra, kind=kind, title=title, starts_at=starts, minutes=minutes,
            venue=venue.format(school=school), by=manager,
        )  # fmt: skip


def _cancellations(ensembles, country, today, manager, rng) -> None:
    """Two past weekly dates called off (snow, a power cut), through the services."""
    weekly = Occurrence.objects.filter(
        ensemble__in=ensembles, session__isnull=False, date__lt=today - dt.timedelta(days=35)
    )
    if weekly.filter(status=Occurrence.Status.CANCELLED).exists():
        return
    candidates = list(weekly.order_by("date").values_list("pk", flat=True))
    for pk, note in zip(
        rng.sample(candidates, k=min(2, len(candidates))), CANCELLED_NOTES[country], strict=False
    ):
        services.cancel_occurrence(Occurrence.objects.get(pk=pk), note=note, by=manager)


def _practice_club(ensemble, centre, tutor, today, zone, venezuelan) -> None:
    """A session today for the demo tutor, whatever day the demo is loaded."""
    if tutor is None:
        return
    if Occurrence.objects.filter(timetable.taught_by(tutor), date=today).exists():
        return
    starts, _ends = timetable.occurrence_times(today, dt.time(17, 0), 60, zone)
    occurrence = services.add_one_off(
        ensemble, kind="rehearsal", starts_at=starts, minutes=60, by=None,
        title="Práctica" if venezuelan else "Practice club",
        venue="Salón de música" if venezuelan else "Music room",
    )  # fmt: skip
    occurrence.tutors.add(tutor)  # the demo's own doing: Venezuela keeps no staff checks


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
        .order_by("date", "pk")
    )
    recent = [o for o in occurrences if o.date >= today - dt.timedelta(days=21)]
    untaken = {o.pk for o in rng.sample(recent, k=min(UNTAKEN_PER_CENTRE, len(recent)))}
    occurrences = [o for o in occurrences if o.pk not in untaken]
    placements = list(
        Placement.objects.filter(ensemble__in=ensembles).values_list(
            "ensemble_id", "child_id", "start", "end"
        )
    )
    members: dict[int, list[tuple]] = {}
    for ensemble_id, child_id, start, end in placements:
        members.setdefault(ensemble_id, []).append((child_id, start, end))
    children = sorted({c for _e, c, _s, _end in placements})
    propensity = {c: rng.choice([0.97, 0.93, 0.9, 0.85, 0.75, 0.6]) for c in children}
    playing_now = sorted({c for _e, c, _s, end in placements if end is None})
    drifting = set(rng.sample(playing_now, k=min(3, len(playing_now))))
    drift_from = today - dt.timedelta(days=28)
    now = timezone.now()
    rows = []
    for occurrence in occurrences:
        marked_at = occurrence.starts_at + dt.timedelta(minutes=5)
        for child, start, end in members.get(occurrence.ensemble_id, []):
            if occurrence.date < start or (end is not None and occurrence.date >= end):
                continue
            p = propensity[child]
            if child in drifting and occurrence.date >= drift_from:
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
        occurrence.register_taken_at = occurrence.starts_at + dt.timedelta(minutes=10)
        occurrence.register_taken_by = tutor
    Mark.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    Occurrence.objects.bulk_update(
        occurrences, ["register_taken_at", "register_taken_by"], batch_size=500
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
    starts, _ends = timetable.occurrence_times(today, dt.time(18, 15), 75, timetable.zone_for(home))
    occurrence = services.add_one_off(
        ensemble, kind="rehearsal", starts_at=starts, minutes=75, by=None,
        title="Joint rehearsal", venue="Philharmonic Hall",
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
    managers: dict = {}
    for m in Membership.objects.filter(role=Role.CENTRE_MANAGER).select_related("user"):
        managers.setdefault(m.centre_id, m.user)
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
            Child.objects.filter(centre=centre, anonymised_at=None)
            .exclude(status=Status.WAITING)
            .order_by("pk")
        )
        _placements(ensembles, children, rng, years[0][0], today)
        tutor = tutors.get(centre.pk)
        manager = managers.get(centre.pk)
        school = centre.schools.order_by("name").first()
        school_name = school.name if school else centre.name
        sessions = _sessions(ensembles, tutor, school_name, years, venezuelan)
        timetable.generate_occurrences(sessions)
        zone = timetable.zone_for(centre)
        country = "VE" if venezuelan else "GB"
        _one_offs(ensembles[0], country, school_name, manager, zone)
        _cancellations(ensembles, country, today, manager, rng)
        _practice_club(ensembles[0], centre, tutor, today, zone, venezuelan)
        _marks(centre, ensembles, years[0][0], today, tutor, rng)
        del settings
    _joint_orchestra(tutors, today)
    return {
        "ensembles": Ensemble.objects.count(),
        "occurrences": Occurrence.objects.count(),
        "marks": Mark.objects.count(),
    }
