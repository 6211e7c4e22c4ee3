from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnsemblesConfig(AppConfig):
    name = "harmonia.ensembles"
    label = "ensembles"
    verbose_name = _("Ensembles, timetable and registers")

    def ready(self) -> None:
        from harmonia.ensembles import rules

        rules.register_rules()

        from harmonia.ensembles import privacy

        privacy.register()

        from harmonia.ensembles import timetable

        timetable.connect_zone_changes()
