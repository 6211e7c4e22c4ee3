"""Children and families (issue 3).

Named child records are seen by the centre's own roles (manager, tutor,
safeguarding lead). The programme lead, funder and evaluator belong to the
programme but see no named child: 403. Another centre or programme: 404. Only the
centre manager (MANAGE_CHILDREN) enrols, edits, imports and exports.
"""

from tests.children.factories import matrix_objects
from tests.matrix import (
    FORBIDDEN,
    MANAGE_PROGRAMME,
    NOT_FOUND,
    OK,
    POST_ONLY,
    SEE_PROGRAMME,
    Case,
    answers,
    writes,
)

SEE_CHILDREN_A = answers(
    FORBIDDEN,
    manager_a=OK,
    tutor_a=OK,
    safeguarding_a=OK,
    tutor_b=NOT_FOUND,
    outsider=NOT_FOUND,
)
MANAGE_CHILDREN_A = answers(FORBIDDEN, manager_a=OK, tutor_b=NOT_FOUND, outsider=NOT_FOUND)


def centre_a(w):
    return {"centre_pk": w.centre_a.pk}


def child(w):
    return {"pk": matrix_objects(w)["child"].pk}


def obj(key):
    return lambda w: {"pk": matrix_objects(w)[key].pk}


CASES = {
    "children:child_list": Case(SEE_CHILDREN_A, kwargs=centre_a),
    "children:enrol": Case(
        MANAGE_CHILDREN_A,
        post=writes(MANAGE_CHILDREN_A),
        kwargs=centre_a,
        data=lambda w: {
            "first_name": "Maya",
            "last_name": "Okafor",
            "date_of_birth": "2016-05-05",
            "sex": "F",
            "school": w.school_a.pk,
            "year_group": "4",
            "status": "active",
            "start": "2026-09-07",
            "confirm_new": "on",
        },
    ),
    "children:child_list_export": Case(MANAGE_CHILDREN_A, kwargs=centre_a),
    "children:waiting_list": Case(MANAGE_CHILDREN_A, kwargs=centre_a),
    "children:consent_campaign": Case(MANAGE_CHILDREN_A, kwargs=centre_a),
    "children:import_upload": Case(MANAGE_CHILDREN_A, kwargs=centre_a),
    "children:child_detail": Case(SEE_CHILDREN_A, kwargs=child),
    "children:child_edit": Case(MANAGE_CHILDREN_A, kwargs=child),
    "children:status_change": Case(MANAGE_CHILDREN_A, kwargs=child),
    "children:guardian_add": Case(MANAGE_CHILDREN_A, kwargs=child),
    "children:guardian_edit": Case(
        MANAGE_CHILDREN_A,
        kwargs=lambda w: {
            "pk": matrix_objects(w)["child"].pk,
            "link_pk": matrix_objects(w)["guardian_link"].pk,
        },
    ),
    "children:consent_record": Case(MANAGE_CHILDREN_A, kwargs=child),
    "children:sensitive_edit": Case(MANAGE_CHILDREN_A, kwargs=child),
    "children:safety_edit": Case(MANAGE_CHILDREN_A, kwargs=child),
    "children:offer_place": Case(MANAGE_CHILDREN_A, kwargs=child),
    "children:subject_access": Case(MANAGE_CHILDREN_A, kwargs=child),
    "children:subject_access_json": Case(MANAGE_CHILDREN_A, kwargs=child),
    "children:anonymise": Case(MANAGE_CHILDREN_A, kwargs=child),
    "children:consent_withdraw": Case(MANAGE_CHILDREN_A, kwargs=obj("record")),
    "children:offer_settle": Case(
        POST_ONLY,
        post=writes(MANAGE_CHILDREN_A),
        kwargs=obj("offer"),
        data=lambda w: {"outcome": "accepted"},
    ),
    # The wording of consent forms is not personal data: the whole programme reads it.
    "children:consent_forms": Case(SEE_PROGRAMME, kwargs=lambda w: {"programme_pk": w.england.pk}),
    "children:consent_form_publish": Case(
        MANAGE_PROGRAMME, kwargs=lambda w: {"programme_pk": w.england.pk}
    ),
    "children:import_detail": Case(MANAGE_CHILDREN_A, kwargs=obj("import")),
    # A CSV waiting for its columns shows the mapping form.
    "children:import_mapping": Case(MANAGE_CHILDREN_A, kwargs=obj("import")),
    "children:import_progress": Case(MANAGE_CHILDREN_A, kwargs=obj("import")),
    "children:import_apply": Case(POST_ONLY, post=writes(MANAGE_CHILDREN_A), kwargs=obj("import")),
}
