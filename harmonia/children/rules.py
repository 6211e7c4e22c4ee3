"""Access rules for the children app (see harmonia.access)."""

from harmonia.access import Capability as C
from harmonia.access import Rule, register


def register_rules() -> None:
    from harmonia.children import models as m

    register(m.Child, Rule(C.VIEW_CHILDREN, "centre", "centre__programme"))
    child_path = Rule(C.VIEW_CHILDREN, "child__centre", "child__centre__programme")
    for model in (m.EnrolmentPeriod, m.WaitingListOffer, m.ChildGuardian, m.ConsentRecord):
        register(model, child_path)
    register(m.Guardian, Rule(C.VIEW_CHILDREN, "centre", "centre__programme"))
    register(
        m.ChildSensitive,
        Rule(C.VIEW_SPECIAL_CATEGORY, "child__centre", "child__centre__programme"),
    )
    register(
        m.FsmPeriod, Rule(C.VIEW_SPECIAL_CATEGORY, "child__centre", "child__centre__programme")
    )
    register(
        m.ChildSafetyNotes,
        Rule(C.VIEW_SAFETY_NOTES, "child__centre", "child__centre__programme"),
    )
    register(m.ChildAccessLog, Rule(C.MANAGE_CHILDREN, "child__centre", "child__centre__programme"))
    register(m.ImportLog, Rule(C.MANAGE_CHILDREN, "centre", "centre__programme"))
    # Consent forms are programme-wide wording: any centre role in the programme sees them.
    register(m.ConsentForm, Rule(C.VIEW_CHILDREN, "programme__centres", "programme", True))
