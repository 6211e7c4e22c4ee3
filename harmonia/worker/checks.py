"""``manage.py check --database default`` warns when jobs wait and no worker runs."""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database)
def worker_is_running(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from harmonia.worker.status import worker_status

    try:
        status = worker_status()
    except DatabaseError:  # not migrated yet: nothing can be queued either
        return []
    if not status.stalled:
        return []
    return [
        Warning(
            f"{status.waiting} background job(s) queued for {status.waiting_minutes} minute(s) "
            "and the background worker is not running"
            + (f" (it {status.stop_reason})" if status.stop_reason else "")
            + ".",
            hint="Start it with `manage.py run_worker` (make demo starts it for you).",
            id="harmonia.W001",
        )
    ]
