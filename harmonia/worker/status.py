"""Is the background worker running, and is work waiting for it?"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from harmonia.worker.loop import STALE_AFTER
from harmonia.worker.models import WorkerHeartbeat

# Work queued this long with no live worker is reported.
WAITING_WARN_AFTER = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class WorkerStatus:
    running: bool
    waiting: int  # tasks ready to run now
    oldest_wait: dt.timedelta | None
    last_seen: dt.datetime | None
    stop_reason: str

    @property
    def waiting_minutes(self) -> int:
        return int(self.oldest_wait.total_seconds() // 60) if self.oldest_wait else 0

    @property
    def stalled(self) -> bool:
        """Jobs are waiting and no worker will run them."""
        return (
            not self.running
            and self.waiting > 0
            and self.oldest_wait is not None
            and self.oldest_wait >= WAITING_WARN_AFTER
        )


def worker_status(now: dt.datetime | None = None) -> WorkerStatus:
    """Two queries: the freshest heartbeat, and the ready tasks."""
    now = now or timezone.now()
    beat = WorkerHeartbeat.objects.order_by("-seen_at").first()
    running = bool(
        beat and beat.stopped_at is None and (now - beat.seen_at).total_seconds() <= STALE_AFTER
    )
    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return WorkerStatus(
        running=running,
        waiting=ready.count() if oldest else 0,
        oldest_wait=(now - oldest) if oldest else None,
        last_seen=beat.seen_at if beat else None,
        stop_reason=beat.stop_reason if beat and not running else "",
    )
