from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "harmonia.instruments"
    label = "instruments"
    verbose_name = _("Instruments and loans")

    def ready(self) -> None:
        from harmonia.instruments import rules

        rules.register()

        from harmonia.instruments import privacy

        privacy.register()
