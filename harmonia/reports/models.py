"""Pre-aggregated attendance (the rollup behind dashboards and returns) and the
background exports people download.

``AttendanceSummary`` holds one row per (centre, academic year, term, activity):
distinct children who attended, marks taken, attendances, child-minutes of
music and sessions held. Term 0 is the whole year; year 0 is "ever"; activity ""
is every activity together. A child is counted at their own centre, so rows
of different centres add up to programme totals. It is rebuilt from the
registers by ``harmonia.reports.rollups`` (after every register, and by
``manage.py rebuild_rollups``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from harmonia.programmes.models import ScopedManager


class Activity(models.TextChoices):
    """What the Arts Council return counts children by."""

    WCET = "wcet", _("Whole-class ensemble teaching")
    ENSEMBLE = "ensemble", _("Ensembles")
    LESSONS = "lessons", _("Instrumental lessons")
    SINGING = "singing", _("Singing")
    HOLIDAY = "holiday", _("Holiday courses")
    PERFORMANCE = "performance", _("Performances")


class AttendanceSummary(models.Model):
    centre = models.ForeignKey(
        "programmes.Centre", on_delete=models.CASCADE, related_name="attendance_summaries"
    )
    year = models.PositiveSmallIntegerField()  # academic year starting September; 0 = ever
    term = models.PositiveSmallIntegerField()  # 1 autumn, 2 spring, 3 summer; 0 = whole year
    activity = models.CharField(max_length=12, blank=True)  # "" = every activity
    children = models.PositiveIntegerField(default=0)  # distinct children who attended
    marked = models.PositiveIntegerField(default=0)
    attended = models.PositiveIntegerField(default=0)  # present or late
    minutes = models.PositiveBigIntegerField(default=0)  # child-minutes attended
    sessions = models.PositiveIntegerField(default=0)  # sessions held (not cancelled)
    retained = models.PositiveIntegerField(default=0)  # year rows: also attended last year
    # Weeks with a session held for the centre's children (activity "" rows only):
    # the denominator of hours per child per week (harmonia.reports.dose).
    weeks = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("attendance summary")
        verbose_name_plural = _("attendance summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "year", "term", "activity"], name="unique_attendance_summary"
            )
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.year}/{self.term} {self.activity or 'all'}"


class ChildAttendance(models.Model):
    """One child's attendance in one term and activity (the fine-grained rollup):
    small enough to rebuild after every register, and the source of the
    distinct-children counts in ``AttendanceSummary``."""

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    centre = models.ForeignKey("programmes.Centre", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    term = models.PositiveSmallIntegerField()
    activity = models.CharField(max_length=12)
    marked = models.PositiveIntegerField(default=0)
    attended = models.PositiveIntegerField(default=0)
    minutes = models.PositiveIntegerField(default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("child attendance summary")
        verbose_name_plural = _("child attendance summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["child", "year", "term", "activity"], name="unique_child_attendance"
            )
        ]
        indexes = [models.Index(fields=["centre", "year"])]

    def __str__(self) -> str:
        return f"{self.child_id} {self.year}/{self.term} {self.activity}"


class EquitySnapshot(models.Model):
    """Who a centre's active children are, counted once a day (the equity profile
    of the dashboards reads these instead of every child record).

    ``dimension`` is total, fsm, sen, eal, lac, sex, year_group or ethnicity;
    ``value`` the category ("" for the yes/no ones and the total)."""

    centre = models.ForeignKey("programmes.Centre", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    dimension = models.CharField(max_length=12)
    value = models.CharField(max_length=8, blank=True)
    children = models.PositiveIntegerField(default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("equity snapshot")
        verbose_name_plural = _("equity snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "day", "dimension", "value"], name="unique_equity_snapshot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.day} {self.dimension}={self.value}: {self.children}"


class ExportJob(models.Model):
    class Kind(models.TextChoices):
        ANNUAL_RETURN = "annual_return", _("Annual data return")
        GRANT_REPORT = "grant_report", _("Grant report")
        PROGRAMME_DASHBOARD = "programme_dashboard", _("Programme dashboard")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel workbook (XLSX)")
        CSV = "csv", _("CSV")
        PDF = "pdf", _("PDF")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="export_jobs"
    )
    grant = models.ForeignKey(
        "programmes.Grant", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("report"), max_length=24, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=8, default="en")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    suppressed = models.BooleanField(_("small numbers suppressed"), default=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default="queued")
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)  # percent
    # Stored as exports/YYYY/MM/<random token>.<format>; ``filename`` is the name shown.
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return self.filename or f"{self.get_kind_display()} ({self.get_format_display()})"

    @property
    def finished_running(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED, self.State.EXPIRED}

    @property
    def expires(self):
        """When the file is deleted (None until the export has finished)."""
        if self.finished is None:
            return None
        return self.finished + dt.timedelta(days=settings.HARMONIA_EXPORT_RETENTION_DAYS)

    @property
    def is_expired(self) -> bool:
        """Past retention, even before ``expire_exports`` has deleted the file."""
        from django.utils import timezone

        if self.state == self.State.EXPIRED:
            return True
        return self.expires is not None and self.expires <= timezone.now()

    @property
    def downloadable(self) -> bool:
        return self.state == self.State.DONE and bool(self.file) and not self.is_expired
