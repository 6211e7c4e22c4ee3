"""Access rules for ensembles, the timetable and the register (see harmonia.access).

An ensemble belongs to every centre in ``member_centres`` (its home centre is
always one of them), so a cross-centre or national ensemble is visible at each
member centre. Children's placements and marks follow the child's own centre:
in a shared ensemble each adult sees only the children of centres where they
hold a role, plus those an explicit lead grant opens
(``harmonia.access.ensemble_children``).
"""

from harmonia.access import Capability as C
from harmonia.access import Rule, register


def register_rules() -> None:
    from harmonia.ensembles import models as m

    in_ensemble = Rule(C.VIEW_CENTRE, "ensemble__member_centres", "ensemble__programme", True)
    register(m.Ensemble, Rule(C.VIEW_CENTRE, "member_centres", "programme", distinct=True))
    register(m.Section, in_ensemble)
    register(m.EnsembleLead, in_ensemble)
    register(m.Session, in_ensemble)
    register(m.Occurrence, in_ensemble)
    register(m.AttendanceCode, Rule(C.VIEW_CENTRE, "programme__centres", "programme", True))
    register(m.Term, Rule(C.VIEW_CENTRE, "centre", "centre__programme"))
    register(m.CentreRegisterSettings, Rule(C.VIEW_CENTRE, "centre", "centre__programme"))
    register(m.Holiday, Rule(C.VIEW_CENTRE, "programme__centres", "programme", distinct=True))
    by_child = Rule(C.VIEW_CHILDREN, "child__centre", "child__centre__programme")
    register(m.Placement, by_child)
    register(m.Mark, by_child)
    register(m.MarkChange, by_child)
    register(
        m.Submission,
        Rule(C.TAKE_REGISTER, "occurrence__ensemble__member_centres", None, distinct=True),
    )
