"""Demo loans with the family's acceptance of the loan agreement recorded, as a
centre would have done when the instrument went home: the child's first guardian
with parental responsibility, on the day of the loan, on a signed paper copy (or
in person, or by email, for some). Idempotent: a loan already recorded with a
method is left alone."""

import random

from harmonia.instruments import services
from harmonia.instruments.models import AgreementMethod, Loan, LoanAgreement


def accept_demo_agreements(programme, by_for) -> int:
    """``by_for(centre)``: the user the demo records as taking the acceptance.
    Returns how many of the programme's loans to children have one (so a second run
    gives the same answer)."""
    from harmonia.children.models import ChildGuardian

    rng = random.Random(7)
    agreements = list(LoanAgreement.objects.filter(programme=programme).order_by("version"))
    accepted = Loan.objects.filter(centre__programme=programme, child__isnull=False).exclude(
        agreement_method=""
    )
    if not agreements:
        return accepted.count()
    loans = list(
        Loan.objects.filter(centre__programme=programme, child__isnull=False, agreement_method="")
        .select_related("centre", "child", "agreement")
        .order_by("pk")
    )
    first_guardian = {}
    for link in (
        ChildGuardian.objects.filter(child__in=[loan.child_id for loan in loans])
        .select_related("guardian")
        .order_by("child_id", "-parental_responsibility", "priority", "pk")
    ):
        first_guardian.setdefault(link.child_id, link.guardian)
    for loan in loans:
        guardian = first_guardian.get(loan.child_id)
        name = f"{guardian.first_name} {guardian.last_name}".strip() if guardian else ""
        in_force = [a for a in agreements if a.in_force_from <= loan.lent_on] or agreements
        services.record_agreement_acceptance(
            loan,
            agreement=loan.agreement or in_force[-1],
            accepted_by=name or loan.agreement_accepted_by or "Parent or carer",
            method=rng.choices(
                [AgreementMethod.PAPER, AgreementMethod.IN_PERSON, AgreementMethod.EMAIL],
                [6, 3, 1],
            )[0],
            on=loan.lent_on,
            by=by_for(loan.centre),
        )
    return accepted.count()
