"""Lead tutors of joint ensembles: the explicit grant that opens another centre's
children of one shared ensemble to one person (see ``harmonia.access``).

A grant is given and revoked only by someone who may share that centre's children
(its manager), is audited, and is shown on the ensemble page."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonia import access, audit
from harmonia.access import Capability as C
from harmonia.ensembles.models import Ensemble, EnsembleLead


class LeadError(ValueError):
    """A grant that cannot be made; the message says why."""


@transaction.atomic
def grant_ensemble_lead(ensemble: Ensemble, *, user, centre, by) -> EnsembleLead:
    """Let ``user`` see and mark the children of ``centre`` in ``ensemble``."""
    if not ensemble.member_centres.filter(pk=centre.pk).exists():
        raise LeadError(_("That centre does not take part in this ensemble."))
    if not access.may_grant_ensemble_lead(by, centre):
        raise LeadError(_("Only someone who manages that centre's children may share them."))
    if not access.may_lead_ensemble(user, ensemble):
        raise LeadError(_("The lead must take registers at one of the ensemble's centres."))
    if C.TAKE_REGISTER in access.capabilities_in_centre(user, centre):
        raise LeadError(_("This person already takes registers at that centre."))
    if EnsembleLead.objects.active().filter(ensemble=ensemble, user=user, centre=centre).exists():
        raise LeadError(_("This person already leads the ensemble for that centre."))
    lead = EnsembleLead.objects.create(
        ensemble=ensemble, user=user, centre=centre, granted_by=by, granted_at=timezone.now()
    )
    audit.record(
        actor=by,
        action="ensemble lead granted",
        obj=lead,
        programme=ensemble.programme,
        changes={"user": user.pk, "centre": centre.pk, "ensemble": ensemble.pk},
    )
    return lead


@transaction.atomic
def revoke_ensemble_lead(lead: EnsembleLead, *, by) -> EnsembleLead:
    """End a grant (kept, with who ended it and when)."""
    if not access.may_grant_ensemble_lead(by, lead.centre):
        raise LeadError(_("Only someone who manages that centre's children may share them."))
    if lead.revoked_at is None:
        lead.revoked_at, lead.revoked_by = timezone.now(), by
        lead.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            actor=by,
            action="ensemble lead revoked",
            obj=lead,
            programme=lead.ensemble.programme,
            changes={"user": lead.user_id, "centre": lead.centre_id, "ensemble": lead.ensemble_id},
        )
    return lead
