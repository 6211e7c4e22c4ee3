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

        from django.db.models.signals import post_save

        from harmonia.programmes.models import Programme

        post_save.connect(_seed_codes, sender=Programme, dispatch_uid="ensembles-seed-codes")


def _seed_codes(sender, instance, created, raw=False, **kwargs) -> None:
    """Every new programme starts with the default attendance codes."""
    if created and not raw:
        from harmonia.ensembles import codes

        codes.seed_defaults(instance)
