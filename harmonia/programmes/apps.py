from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "harmonia.programmes"
    label = "programmes"
    verbose_name = _("Programmes and centres")

    def ready(self) -> None:
        from harmonia import access

        access._register_structure()
