"""Staff records, safeguarding checks, the single central record and the concern log.

Staff and checks: the programme lead, Liverpool's manager and its safeguarding
lead. The concern log: Liverpool's safeguarding lead only — everyone else in the
programme gets 403, everyone outside it (or at another centre) 404."""

from tests.matrix import FORBIDDEN, NOT_FOUND, OK, POST_ONLY, Case, answers, writes
from tests.staff import builders

SEE_STAFF_A = answers(
    FORBIDDEN,
    programme_lead=OK,
    manager_a=OK,
    safeguarding_a=OK,
    tutor_b=NOT_FOUND,
    outsider=NOT_FOUND,
)
CONCERNS_A = answers(FORBIDDEN, safeguarding_a=OK, tutor_b=NOT_FOUND, outsider=NOT_FOUND)
PROGRAMME_STAFF = answers(FORBIDDEN, programme_lead=OK, outsider=NOT_FOUND)


def centre_a(w):
    return {"centre_pk": w.centre_a.pk}


def staff_a(w):
    return {"pk": builders.add_staff(w).pk}


def check_a(w):
    return {"pk": builders.fully_checked(w).checks.first().pk}


def concern(w):
    return {"pk": builders.concern_a(w).pk}


CASES = {
    "staff:staff_list": Case(SEE_STAFF_A, kwargs=centre_a),
    "staff:staff_create": Case(
        SEE_STAFF_A,
        post=writes(SEE_STAFF_A),
        kwargs=centre_a,
        data=lambda w: {
            "full_name": "Sam Reed",
            "email": "sam.reed@example.org",
            "staff_type": "tutor",
            "role_title": "Violin tutor",
            "started": "2025-09-01",
        },
    ),
    "staff:staff_detail": Case(SEE_STAFF_A, kwargs=staff_a),
    "staff:staff_edit": Case(SEE_STAFF_A, kwargs=staff_a),
    "staff:check_create": Case(SEE_STAFF_A, kwargs=lambda w: {**staff_a(w), "kind": "dbs"}),
    "staff:check_edit": Case(SEE_STAFF_A, kwargs=check_a),
    "staff:check_delete": Case(POST_ONLY, post=writes(SEE_STAFF_A), kwargs=check_a),
    "staff:my_record": Case(answers(OK)),
    "staff:central_record": Case(SEE_STAFF_A, kwargs=centre_a),
    "staff:central_record_export": Case(
        SEE_STAFF_A, kwargs=lambda w: {"centre_pk": w.centre_a.pk, "fmt": "csv"}
    ),
    "staff:programme_central_record": Case(PROGRAMME_STAFF, kwargs=lambda w: {"pk": w.england.pk}),
    "staff:programme_central_record_export": Case(
        PROGRAMME_STAFF, kwargs=lambda w: {"pk": w.england.pk, "fmt": "xlsx"}
    ),
    "staff:concern_log": Case(CONCERNS_A, kwargs=centre_a),
    "staff:concern_create": Case(
        CONCERNS_A,
        post=writes(CONCERNS_A),
        kwargs=centre_a,
        data=lambda w: {
            "subject": "A child in the Tuesday orchestra",
            "category": "welfare",
            "noticed": "2026-11-24",
            "account": "Arrived hungry three sessions running.",
            "action_taken": "Spoke to the school's DSL.",
            "state": "open",
        },
    ),
    "staff:concern_access_log": Case(CONCERNS_A, kwargs=centre_a),
    "staff:concern_detail": Case(CONCERNS_A, kwargs=concern),
    "staff:concern_edit": Case(CONCERNS_A, kwargs=concern),
}
