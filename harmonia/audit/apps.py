from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "harmonia.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from harmonia.audit import privacy

        privacy.register()
