"""Background tasks: exports run here (django-tasks; a worker runs them in demo
and production with ``manage.py run_worker``)."""

from django_tasks import task

from harmonia import access
from harmonia.reports import services
from harmonia.reports.models import ExportJob


@task()
def run_export(job_id: int) -> None:
    # The job fixed what may be read (its programme or grant, suppressed or not).
    with access.background_work():
        job = ExportJob.objects.select_related("programme", "grant", "grant__funder")
        services.run_export(job.get(pk=job_id))
        # The worker's periodic clean-up: each export run also deletes expired files.
        services.expire_exports()


@task()
def rebuild_rollups() -> int:
    from harmonia.reports.rollups import rebuild_all

    with access.background_work():
        return rebuild_all()


@task()
def refresh_attendance(occurrence_id: int, previous_date: str | None = None) -> None:
    """Bring the attendance rollups up to date after a register or a timetable change."""
    import datetime as dt

    from harmonia.ensembles.models import Occurrence
    from harmonia.reports.rollups import refresh_for_occurrence

    with access.background_work():
        occurrence = Occurrence.objects.filter(pk=occurrence_id).first()
        if occurrence is not None:
            moved_from = dt.date.fromisoformat(previous_date) if previous_date else None
            refresh_for_occurrence(occurrence, previous_date=moved_from)


def queue_refresh(sender, occurrence, previous_date=None, **kwargs) -> None:
    """Receiver of ``ensembles.signals.attendance_changed``: refresh in the background,
    so saving a register stays fast."""
    refresh_attendance.enqueue(occurrence.pk, previous_date.isoformat() if previous_date else None)
