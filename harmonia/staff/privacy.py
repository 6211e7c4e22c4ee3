"""What the staff app holds about a child: only free text in safeguarding concerns
(registered with ``harmonia.children.privacy.registry`` from StaffConfig.ready).

Concerns are not in the subject access export: a concern is written about a child,
not linked to their record, and disclosing it to a parent can put the child at risk
(UK DPA 2018 Sch. 3 Part 2 para 5, serious harm); the safeguarding lead answers that
part of a request by hand. On erasure, the child's names are redacted from every
concern of the centre and the concern is kept (safeguarding records are retained)."""


def register() -> None:
    from harmonia.children.privacy import Mentions, registry
    from harmonia.staff import models as m

    registry.mention(
        Mentions(m.Concern, ("subject", "account", "action_taken", "referred_to"), "centre")
    )
