"""Ensembles, timetable, registers, calendar feeds and attendance insight.

Objects are made on first use in centre A (Liverpool), so the shared world is
unchanged. Calendar feeds take no sign-in: the right token answers 200 for
everyone (a wrong one is 404 for everyone: tests/ensembles/test_calendar_feeds.py)."""

import datetime as dt

from django.utils import timezone

from tests.matrix import (
    FORBIDDEN,
    MANAGE_CENTRE_A,
    NOT_FOUND,
    OK,
    POST_ONLY,
    REDIRECT,
    SEE_CENTRE_A,
    Case,
    answers,
    writes,
)


def _register(w):
    from tests.ensembles.conftest import build_register

    cached = w.__dict__.get("_matrix_register")
    if cached is None:
        cached = build_register(w.centre_a, 3, name="Matrix Orchestra")
        w.__dict__["_matrix_register"] = cached
    return cached


def ensemble(w):
    return {"pk": _register(w).ensemble.pk}


def occurrence(w):
    return {"pk": _register(w).occurrence.pk}


def section(w):
    return {"pk": _register(w).section.pk}


def one_off(w):
    """A one-off date without a register (one that may be removed)."""
    from harmonia.ensembles.models import Occurrence

    reg = _register(w)
    found = Occurrence.objects.filter(ensemble=reg.ensemble, title="Matrix concert").first()
    if found is None:
        o = reg.occurrence
        found = Occurrence.objects.create(
            ensemble=reg.ensemble,
            centre=w.centre_a,
            date=o.date,
            starts_at=o.starts_at,
            ends_at=o.ends_at,
            minutes=o.minutes,
            kind="concert",
            title="Matrix concert",
        )
    return {"pk": found.pk}


def placement(w):
    return {"pk": _register(w).ensemble.placements.first().pk}


def ensemble_lead(w):
    from harmonia.ensembles.models import EnsembleLead

    reg = _register(w)
    found = EnsembleLead.objects.filter(ensemble=reg.ensemble).first()
    if found is None:
        found = EnsembleLead.objects.create(
            ensemble=reg.ensemble,
            user=w.tutor_b,
            centre=w.centre_a,
            granted_by=w.manager_a,
            granted_at=timezone.now(),
        )
    return {"pk": found.pk}


def session(w):
    from harmonia.ensembles.models import Session

    reg = _register(w)
    found = Session.objects.filter(ensemble=reg.ensemble).first() or Session.objects.create(
        ensemble=reg.ensemble,
        weekday=0,
        start_time=dt.time(16),
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=30),
    )
    return {"pk": found.pk}


def centre_a(w):
    return {"centre_pk": w.centre_a.pk}


def term(w):
    from harmonia.ensembles.models import Term

    found, _ = Term.objects.get_or_create(
        centre=w.centre_a,
        name="Autumn term",
        defaults={"kind": "term", "start": dt.date(2026, 9, 3), "end": dt.date(2026, 12, 18)},
    )
    return {"pk": found.pk}


def ensemble_token(w):
    return {"token": _register(w).ensemble.feed_token}


def tutor_token(w):
    from harmonia.ensembles.models import CalendarToken

    token, _ = CalendarToken.objects.get_or_create(user=w.tutor_a)
    return {"token": token.token}


def register_payload(w):
    from harmonia.ensembles.models import Placement

    reg = _register(w)
    children = Placement.objects.filter(ensemble=reg.ensemble).values_list("child_id", flat=True)
    marks = [{"child": pk, "status": "present"} for pk in children]
    return {"key": "0b7c4f7e-matrix-submission", "marks": marks}


TAKE_REGISTER_A = answers(
    FORBIDDEN, manager_a=OK, tutor_a=OK, tutor_b=NOT_FOUND, outsider=NOT_FOUND
)
MANAGE_CHILDREN_A = answers(FORBIDDEN, manager_a=OK, tutor_b=NOT_FOUND, outsider=NOT_FOUND)
VIEW_CHILDREN_A = answers(
    FORBIDDEN,
    manager_a=OK,
    tutor_a=OK,
    safeguarding_a=OK,
    tutor_b=NOT_FOUND,
    outsider=NOT_FOUND,
)
EVERYONE = answers(OK, anonymous=OK)
MANAGE_ENGLAND = answers(FORBIDDEN, programme_lead=OK, outsider=NOT_FOUND)


def attendance_code(w):
    from harmonia.ensembles.models import AttendanceCode

    return {"pk": AttendanceCode.objects.get(programme=w.england, code="remote").pk}


def code_form(w):
    return {"code": "field_trip", "label": "On a trip", "label_es": "De excursión",
            "abbreviation": "T", "abbreviation_es": "E", "counts_as_possible": "on",
            "order": "70", "active": "on"}  # fmt: skip


def bulk_form(w):
    today = timezone.localdate().isoformat()
    return {"first": today, "last": today, "code": "absent_authorised", "reason": "school",
            "note": "Trip"}  # fmt: skip


def child(w):
    return {"pk": _register(w).children[0].pk}


CASES = {
    "ensembles:ensemble_list": Case(SEE_CENTRE_A, kwargs=centre_a),
    "ensembles:ensemble_create": Case(MANAGE_CENTRE_A, kwargs=centre_a),
    "ensembles:ensemble_detail": Case(SEE_CENTRE_A, kwargs=ensemble),
    "ensembles:ensemble_edit": Case(MANAGE_CENTRE_A, kwargs=ensemble),
    "ensembles:section_create": Case(MANAGE_CENTRE_A, kwargs=ensemble),
    "ensembles:section_edit": Case(MANAGE_CENTRE_A, kwargs=section),
    "ensembles:section_delete": Case(POST_ONLY, post=writes(MANAGE_CENTRE_A), kwargs=section),
    # Sharing centre A's children with a joint ensemble's lead: centre A's manager only.
    "ensembles:ensemble_leads": Case(MANAGE_CHILDREN_A, kwargs=ensemble),
    "ensembles:ensemble_lead_revoke": Case(
        POST_ONLY, post=writes(MANAGE_CHILDREN_A), kwargs=ensemble_lead
    ),
    "ensembles:place_child": Case(MANAGE_CHILDREN_A, kwargs=ensemble),
    "ensembles:placement_end": Case(POST_ONLY, post=writes(MANAGE_CHILDREN_A), kwargs=placement),
    "ensembles:session_create": Case(MANAGE_CENTRE_A, kwargs=ensemble),
    "ensembles:session_edit": Case(MANAGE_CENTRE_A, kwargs=session),
    "ensembles:occurrence_create": Case(MANAGE_CENTRE_A, kwargs=ensemble),
    "ensembles:occurrence_edit": Case(MANAGE_CENTRE_A, kwargs=occurrence),
    "ensembles:occurrence_delete": Case(POST_ONLY, post=writes(MANAGE_CENTRE_A), kwargs=one_off),
    "ensembles:session_delete": Case(POST_ONLY, post=writes(MANAGE_CENTRE_A), kwargs=session),
    "ensembles:timetable": Case(SEE_CENTRE_A, kwargs=centre_a),
    "ensembles:generate": Case(POST_ONLY, post=writes(MANAGE_CENTRE_A), kwargs=centre_a),
    "ensembles:term_create": Case(
        MANAGE_CENTRE_A,
        post=writes(MANAGE_CENTRE_A),
        kwargs=centre_a,
        data=lambda w: {
            "name": "Spring term",
            "kind": "term",
            "start": "2027-01-05",
            "end": "2027-03-26",
        },
    ),
    "ensembles:term_edit": Case(MANAGE_CENTRE_A, kwargs=term),
    "ensembles:term_delete": Case(POST_ONLY, post=writes(MANAGE_CENTRE_A), kwargs=term),
    "ensembles:register_settings": Case(MANAGE_CENTRE_A, kwargs=centre_a),
    "ensembles:today": Case(answers(OK)),
    # Another centre's register is a 404 (tutor_b); too low a role is a 403.
    "ensembles:register": Case(TAKE_REGISTER_A, kwargs=occurrence),
    # The register's JSON endpoint: a real submission (one mark per child).
    "ensembles:register_submit": Case(
        POST_ONLY,
        post=TAKE_REGISTER_A,
        kwargs=occurrence,
        data=register_payload,
        content_type="application/json",
    ),
    "ensembles:service_worker": Case(EVERYONE),
    "ensembles:my_timetable": Case(answers(OK)),
    # Everyone renews their own timetable address.
    "ensembles:feed_reset": Case(POST_ONLY, post=answers(REDIRECT)),
    "ensembles:ensemble_feed_renew": Case(POST_ONLY, post=writes(MANAGE_CENTRE_A), kwargs=ensemble),
    "ensembles:ensemble_feed": Case(EVERYONE, kwargs=ensemble_token),
    "ensembles:tutor_feed": Case(EVERYONE, kwargs=tutor_token),
    "ensembles:centre_attendance": Case(VIEW_CHILDREN_A, kwargs=centre_a),
    "ensembles:programme_attendance": Case(
        answers(
            FORBIDDEN,
            programme_lead=OK,
            funder=OK,
            evaluator=OK,
            manager_a=OK,
            outsider=NOT_FOUND,
        ),
        kwargs=lambda w: {"programme_pk": w.england.pk},
    ),
    # Attendance codes are the programme's: its managers change them.
    "ensembles:attendance_codes": Case(
        MANAGE_ENGLAND,
        post=writes(MANAGE_ENGLAND),
        kwargs=lambda w: {"programme_pk": w.england.pk},
        data=code_form,
    ),
    "ensembles:attendance_code_edit": Case(
        MANAGE_ENGLAND,
        post=writes(MANAGE_ENGLAND),
        kwargs=attendance_code,
        data=lambda w: {**code_form(w), "code": "remote", "counts_as_attended": "on"},
    ),
    "ensembles:bulk_absence": Case(
        MANAGE_CENTRE_A, post=writes(MANAGE_CENTRE_A), kwargs=ensemble, data=bulk_form
    ),
    "ensembles:register_completion": Case(MANAGE_CENTRE_A, kwargs=centre_a),
    "ensembles:child_attendance": Case(VIEW_CHILDREN_A, kwargs=child),
}
