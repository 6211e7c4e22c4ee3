"""Named writes of the reports app: start an export, run it."""

from __future__ import annotations

import datetime as dt
import secrets
import traceback

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import override

from harmonia import audit
from harmonia.programmes.models import Centre
from harmonia.reports import exports, returns
from harmonia.reports.models import ExportJob
from harmonia.reports.rollups import academic_year


def start_export(
    *,
    by,
    programme,
    kind: str,
    fmt: str,
    language: str,
    suppress: bool,
    grant=None,
    year: int | None = None,
) -> ExportJob:
    """Record the export and queue it (run inline by the test backend)."""
    from harmonia.reports.tasks import run_export

    with transaction.atomic():
        job = ExportJob.objects.create(
            owner=by,
            programme=programme,
            grant=grant,
            kind=kind,
            format=fmt,
            language=language,
            year=year if year is not None else academic_year(timezone.localdate()),
            suppressed=suppress,
        )
        audit.record(
            actor=by,
            action="reports.export",
            obj=job,
            programme=programme,
            changes={"kind": kind, "format": fmt, "suppressed": suppress},
        )
    # The database backend stores the task in the same database; the test
    # backend runs it here and now.
    run_export.enqueue(job.pk)
    job.refresh_from_db()
    return job


def _progress(job: ExportJob, percent: int, state: str | None = None) -> None:
    job.progress = percent
    fields = ["progress"]
    if state:
        job.state = state
        fields.append("state")
    job.save(update_fields=fields)


def build_report(job: ExportJob) -> returns.Report:
    if job.kind == ExportJob.Kind.GRANT_REPORT:
        return returns.grant_report(job.grant, suppress=job.suppressed)
    centres = list(Centre.objects.filter(programme=job.programme).select_related("area"))
    return returns.annual_return(job.programme, centres, job.year, suppress=job.suppressed)


def run_export(job: ExportJob) -> ExportJob:
    """Build the report, write the file under MEDIA_ROOT, mark the job done."""
    _progress(job, 5, ExportJob.State.RUNNING)
    try:
        with override(job.language):
            report = build_report(job)
            _progress(job, 60)
            data = exports.WRITERS[job.format](report)
            _progress(job, 90)
            name = f"{slugify(report.title)[:80]}.{job.format}"
        # Stored under a random name: the path never tells anyone what is inside.
        job.file.save(f"{secrets.token_urlsafe(24)}.{job.format}", ContentFile(data), save=False)
        job.filename = name
        job.state = ExportJob.State.DONE
        job.progress = 100
    except Exception as error:  # recorded on the job for the person to see
        job.state = ExportJob.State.FAILED
        job.error = f"{error.__class__.__name__}: {error}"
        traceback.print_exc()
    job.finished = timezone.now()
    job.save()
    return job


def expire_exports(now: dt.datetime | None = None) -> list[ExportJob]:
    """Delete the files of exports older than ``HARMONIA_EXPORT_RETENTION_DAYS`` and
    mark them expired (the downloads page then says so). Idempotent."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.HARMONIA_EXPORT_RETENTION_DAYS)
    expired = []
    for job in ExportJob.objects.filter(
        state__in=[ExportJob.State.DONE, ExportJob.State.FAILED], finished__lte=cutoff
    ):
        if job.file:
            job.file.delete(save=False)
        job.state = ExportJob.State.EXPIRED
        job.save(update_fields=["file", "state"])
        expired.append(job)
    return expired
