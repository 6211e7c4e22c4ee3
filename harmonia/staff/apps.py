from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "harmonia.staff"
    label = "staff"
    verbose_name = _("Staff and safeguarding")

    def ready(self) -> None:
        from harmonia import access
        from harmonia.access import Capability as C
        from harmonia.access import Rule
        from harmonia.staff import models as m

        # Staff with no centre work across the programme: only programme roles see them.
        access.register(m.StaffMember, Rule(C.VIEW_STAFF, "centre", "programme"))
        access.register(
            m.SafeguardingCheck, Rule(C.VIEW_STAFF, "staff__centre", "staff__programme")
        )
        # The concern log: safeguarding leads of the centre, nobody else (not even
        # the programme lead: VIEW_CONCERNS is a centre role's only).
        access.register(m.Concern, Rule(C.VIEW_CONCERNS, "centre", "centre__programme"))
        access.register(m.ConcernAccess, Rule(C.VIEW_CONCERNS, "centre", "centre__programme"))
        for model in (m.ConcernEntry, m.ConcernAttachment):
            access.register(
                model, Rule(C.VIEW_CONCERNS, "concern__centre", "concern__centre__programme")
            )

        from harmonia.staff import privacy

        privacy.register()
