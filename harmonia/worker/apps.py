from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    name = "harmonia.worker"
    label = "worker"
    verbose_name = _("Background worker")

    def ready(self) -> None:
        from harmonia.worker import checks  # noqa: F401  (registers the database check)
