"""Staff records, safeguarding checks, the single central record and the concern log.

Staff and checks: the programme lead, Liverpool's manager and its safeguarding
lead. The concern log: Liverpool's safeguarding lead only — everyone else in the
programme gets 403, everyone outside it (or at another centre) 404."""

from tests.matrix import (
    FORBIDDEN,
    NOT_FOUND,
    OK,
    POST_ONLY,
    REDIRECT,
    Case,
    answers,
    writes,
)
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
# Every adult of centre A raises a concern there (KCSIE); programme roles do not work
# with children and get 403, another centre's tutor 404.
RAISE_A = answers(
    FORBIDDEN, manager_a=OK, tutor_a=OK, safeguarding_a=OK, tutor_b=NOT_FOUND, outsider=NOT_FOUND
)
# "Raise a concern" sends each adult to their own centre's form.
RAISE_ANYWHERE = answers(
    FORBIDDEN, manager_a=REDIRECT, tutor_a=REDIRECT, safeguarding_a=REDIRECT, tutor_b=REDIRECT
)
# A concern the tutor raised: theirs to read back; to everyone else it does not exist
# (the safeguarding lead reads it in the log, at its own address).
OWN_CONCERN = answers(NOT_FOUND, tutor_a=OK)


def centre_a(w):
    return {"centre_pk": w.centre_a.pk}


def staff_a(w):
    return {"pk": builders.add_staff(w).pk}


def check_a(w):
    return {"pk": builders.fully_checked(w).checks.first().pk}


def concern(w):
    return {"pk": builders.concern_a(w).pk}


def own_concern(w):
    return {"pk": builders.concern_by_tutor(w).pk}


def attachment(w):
    file = builders.attachment_a(w)
    return {"pk": file.pk, "name": file.name}


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
    "staff:raise_concern": Case(RAISE_ANYWHERE),
    "staff:concern_create": Case(
        RAISE_A,
        post=writes(RAISE_A),
        kwargs=centre_a,
        data=lambda w: {
            "subject": "A child in the Tuesday orchestra",
            "category": "welfare",
            "noticed": "2026-11-24",
            "account": "Arrived hungry three sessions running.",
            "action_taken": "Spoke to the school's DSL.",
        },
    ),
    "staff:concern_access_log": Case(CONCERNS_A, kwargs=centre_a),
    "staff:concern_detail": Case(CONCERNS_A, kwargs=concern),
    "staff:concern_entry_create": Case(
        CONCERNS_A,
        post=writes(CONCERNS_A),
        kwargs=concern,
        data=lambda w: {
            "happened": "2026-11-25",
            "what": "Spoke to the child's class teacher.",
            "referral_to": "social_care",
            "referral_date": "2026-11-25",
            "state": "referred",
        },
    ),
    "staff:concern_attachment": Case(CONCERNS_A, kwargs=attachment),
    "staff:my_concerns": Case(answers(OK)),
    "staff:my_concern": Case(OWN_CONCERN, kwargs=own_concern),
    "staff:my_concern_add": Case(
        OWN_CONCERN,
        post=writes(OWN_CONCERN),
        kwargs=own_concern,
        data=lambda w: {"happened": "2026-11-26", "what": "She mentioned it again today."},
    ),
}
