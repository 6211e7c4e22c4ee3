"""The background worker's heartbeat: one row per worker process, so pages and
``manage.py check --database default`` can tell whether queued work will run."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), default=0)
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"))
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    stop_reason = models.TextField(_("why it stopped"), blank=True)
    tasks_run = models.PositiveIntegerField(_("tasks run"), default=0)
    tasks_failed = models.PositiveIntegerField(_("tasks failed"), default=0)
    database_errors = models.PositiveIntegerField(_("database errors survived"), default=0)

    class Meta:
        ordering = ["-seen_at"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
