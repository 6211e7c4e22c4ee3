"""What the staff app holds about a child: safeguarding concerns — linked to the child
(``Concern.about_child``) or describing one in free text — their chronology, files and
access log (registered with ``harmonia.children.privacy.registry`` from
StaffConfig.ready).

Concerns are not in the subject access export: disclosing one to a parent can put the
child at risk (UK DPA 2018 Sch. 3 Part 2 para 5, serious harm; KCSIE part 2, records),
so the safeguarding lead answers that part of a request by hand, and the export page
says so. Erasure keeps them: child protection records are retained (KCSIE: the file
follows the child; kept until they are 25 or as the local safeguarding partners
require), so the link to the anonymised child stays and the child's names are redacted
from every free-text field of the centre's concerns and chronology entries."""

from django.utils.translation import gettext_lazy as _

NOT_EXPORTED = _(
    "Safeguarding records are answered by the safeguarding lead by hand: disclosing one "
    "can put the child at risk (DPA 2018 Sch. 3 Part 2 para 5)."
)
KEPT = _(
    "Safeguarding records are retained (KCSIE): the child's names are redacted from "
    "their text, the record and its dates are kept."
)


def register() -> None:
    from harmonia.children.privacy import Erasure, Mentions, registry
    from harmonia.staff import models as m

    registry.mention(
        Mentions(m.Concern, ("subject", "account", "action_taken", "referred_to"), "centre")
    )
    registry.mention(
        Mentions(
            m.ConcernEntry,
            ("what", "action_taken", "referral_reference", "outcome"),
            "concern__centre",
        )
    )
    for model in (m.Concern, m.ConcernEntry, m.ConcernAttachment, m.ConcernAccess):
        registry.exempt(model, export=NOT_EXPORTED)
    registry.erasure(Erasure(m.Concern, "about_child", "keep", reason=str(KEPT)))
    registry.erasure(Erasure(m.ConcernEntry, "concern__about_child", "keep", reason=str(KEPT)))
    registry.exempt(
        m.ConcernAttachment,
        erasure=_(
            "Files kept with a concern are evidence and are retained with it (KCSIE); they "
            "are stored under random names and opened only by the safeguarding leads."
        ),
    )
    registry.exempt(
        m.ConcernAccess,
        erasure=_("Who opened a safeguarding record is kept: it names no child."),
    )
