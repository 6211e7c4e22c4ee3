from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "harmonia.reports"
    label = "reports"
    verbose_name = _("Dashboards and reports")

    def ready(self) -> None:
        from harmonia import access
        from harmonia.access import Capability as C
        from harmonia.ensembles.signals import attendance_changed
        from harmonia.reports import models, tasks

        # Registers and timetable changes keep the attendance rollups current.
        attendance_changed.connect(tasks.queue_refresh, dispatch_uid="reports.rollups")

        # Aggregates: seen by whoever may see aggregates of the centre or programme.
        access.register(
            models.AttendanceSummary,
            access.Rule(C.VIEW_AGGREGATES, "centre", "centre__programme"),
        )
        access.register(
            models.EquitySnapshot,
            access.Rule(C.VIEW_AGGREGATES, "centre", "centre__programme"),
        )
        # Per-child attendance counts: people data, seen with the children.
        access.register(
            models.ChildAttendance,
            access.Rule(C.VIEW_CHILDREN, "centre", "centre__programme"),
        )
        from harmonia.reports import privacy

        privacy.register()
        # Export files belong to one person; views filter by owner as well.
        access.register(
            models.ExportJob,
            access.Rule(C.VIEW_AGGREGATES, "programme__centres", "programme", distinct=True),
        )
