"""Instruments, loans, repairs and stock.

Liverpool's tutors see the inventory and lend, return and swap (they hand
instruments out); its manager and the programme lead also add, label, repair
and stock. Safeguarding leads, funders and evaluators: 403."""

from tests.instruments import builders
from tests.matrix import FORBIDDEN, NOT_FOUND, OK, POST_ONLY, Case, answers, writes

SEE_KIT_A = answers(
    FORBIDDEN,
    programme_lead=OK,
    manager_a=OK,
    tutor_a=OK,
    tutor_b=NOT_FOUND,
    outsider=NOT_FOUND,
)
MANAGE_KIT_A = answers(
    FORBIDDEN, programme_lead=OK, manager_a=OK, tutor_b=NOT_FOUND, outsider=NOT_FOUND
)

LEND_TO_NAMED_CHILD_A = answers(
    FORBIDDEN, manager_a=OK, tutor_a=OK, tutor_b=NOT_FOUND, outsider=NOT_FOUND
)

SEE_KIT_ENGLAND = answers(
    FORBIDDEN, programme_lead=OK, manager_a=OK, tutor_a=OK, tutor_b=OK, outsider=NOT_FOUND
)


def centre_a(w):
    return {"centre_pk": w.centre_a.pk}


def instrument(w):
    return {"pk": builders.instrument_a(w).pk}


def loan(w):
    return {"pk": builders.loan_a(w).pk}


CASES = {
    "instruments:inventory": Case(SEE_KIT_A, kwargs=centre_a),
    "instruments:instrument_create": Case(MANAGE_KIT_A, kwargs=centre_a),
    "instruments:delivery": Case(MANAGE_KIT_A, kwargs=centre_a),
    "instruments:labels": Case(SEE_KIT_A, kwargs=centre_a),
    "instruments:loan_list": Case(SEE_KIT_A, kwargs=centre_a),
    "instruments:size_up": Case(SEE_KIT_A, kwargs=centre_a),
    "instruments:repair_list": Case(SEE_KIT_A, kwargs=centre_a),
    # Tutors see the stock; receiving and issuing it is for managers.
    "instruments:stock": Case(SEE_KIT_A, post=MANAGE_KIT_A, kwargs=centre_a),
    "instruments:instrument_detail": Case(SEE_KIT_A, kwargs=instrument),
    "instruments:instrument_edit": Case(MANAGE_KIT_A, kwargs=instrument),
    "instruments:instrument_status": Case(POST_ONLY, post=writes(MANAGE_KIT_A), kwargs=instrument),
    "instruments:instrument_qr": Case(SEE_KIT_A, kwargs=instrument),
    "instruments:instrument_photo": Case(
        SEE_KIT_A,
        kwargs=lambda w: {
            "pk": (i := builders.photographed_instrument_a(w)).pk,
            "name": i.photo_name,
        },
    ),
    "instruments:lend": Case(SEE_KIT_A, kwargs=instrument),
    "instruments:repair_create": Case(MANAGE_KIT_A, kwargs=instrument),
    "instruments:loan_return": Case(SEE_KIT_A, kwargs=loan),
    "instruments:loan_swap": Case(SEE_KIT_A, kwargs=loan),
    # Those who lend and see the child print the agreement and record the family's
    # acceptance (it names the child and the family: not the programme lead).
    "instruments:loan_agreement": Case(
        LEND_TO_NAMED_CHILD_A,
        post=writes(LEND_TO_NAMED_CHILD_A),
        kwargs=loan,
        data=lambda w: {
            "agreement": builders.agreement(w).pk,
            "accepted_by": "Grace Jones",
            "agreement_method": "email",
            "accepted_on": builders.TODAY.isoformat(),
        },
    ),
    "instruments:loan_agreement_pdf": Case(LEND_TO_NAMED_CHILD_A, kwargs=loan),
    "instruments:repair_return": Case(
        MANAGE_KIT_A, kwargs=lambda w: {"pk": builders.repair_a(w).pk}
    ),
    # A named child: those who see the child and the kit (not the programme lead).
    "instruments:child_instruments": Case(
        answers(FORBIDDEN, manager_a=OK, tutor_a=OK, tutor_b=NOT_FOUND, outsider=NOT_FOUND),
        kwargs=lambda w: {"child_pk": builders.child(w).pk},
    ),
    # Programme-wide pages: anyone in England who may see instruments (a centre
    # role sees its own centre's figures only).
    # Publishing a new agreement is for the programme lead.
    "instruments:agreements": Case(
        SEE_KIT_ENGLAND,
        post=answers(FORBIDDEN, programme_lead=OK, outsider=NOT_FOUND),
        kwargs=lambda w: {"pk": w.england.pk},
    ),
    "instruments:programme_fleet": Case(SEE_KIT_ENGLAND, kwargs=lambda w: {"pk": w.england.pk}),
}
