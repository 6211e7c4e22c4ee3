"""The background worker: django-tasks-db's ``db_worker`` loop, made to survive.

* A database error while claiming a task, writing the heartbeat or recording a
  result never ends the loop: it is logged, counted on the heartbeat, and the
  loop waits (with a growing pause) and goes on.
* A task that fails because the database was locked is queued again with a
  back-off when it is safe to repeat (:data:`RETRYABLE`: each of those tasks
  recomputes or rewrites in one transaction), up to :data:`MAX_ATTEMPTS`; any
  other failure fails that task, visibly, and the loop goes on.
* Every :data:`HEARTBEAT_EVERY` seconds the worker writes its heartbeat; when it
  stops, for whatever reason, it writes when and why. :mod:`harmonia.worker.status`
  reads them.
* On SQLite it pauses :data:`WORKER_PAUSE` seconds after each task, so a web
  request waiting for the write lock gets it between two tasks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import time

from django.db import DatabaseError, close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.compat import TaskContext
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from harmonia.worker.models import WorkerHeartbeat

logger = logging.getLogger("harmonia.worker")

HEARTBEAT_EVERY = 5.0  # seconds
STALE_AFTER = 60.0  # seconds without a heartbeat: the worker is taken as not running
WORKER_PAUSE = 0.1  # seconds between two tasks on SQLite
MAX_ATTEMPTS = 5
MAX_BACKOFF = 30.0

# Tasks safe to run again after a locked database rolled them back.
RETRYABLE = {
    "harmonia.reports.tasks.run_export",
    "harmonia.reports.tasks.rebuild_rollups",
    "harmonia.reports.tasks.refresh_attendance",
    "harmonia.children.imports.apply_import_task",
}


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and is_locked_database_exception(exc)


# Consecutive database errors after which a one-off (--batch) run gives up; the
# long-running worker never does.
BATCH_GIVES_UP = 10


class ResilientWorker(Worker):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.heartbeat: WorkerHeartbeat | None = None
        self._last_beat = 0.0
        self._errors_in_a_row = 0
        self._counts = {"tasks_run": 0, "tasks_failed": 0, "database_errors": 0}

    # --- heartbeat ----------------------------------------------------------------

    def beat(self, *, force: bool = False, **fields) -> None:
        now = time.monotonic()
        if not force and now - self._last_beat < HEARTBEAT_EVERY:
            return
        values = {"seen_at": timezone.now(), **self._counts, **fields}
        if self.heartbeat is None:
            self.heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={
                    "host": socket.gethostname()[:255],
                    "pid": os.getpid(),
                    "started_at": timezone.now(),
                    "stopped_at": None,
                    "stop_reason": "",
                    **values,
                },
            )
        else:
            WorkerHeartbeat.objects.filter(pk=self.heartbeat.pk).update(**values)
        self._last_beat = now

    def stopped(self, reason: str) -> None:
        """Write the worker's end, trying hard: this is what makes its death visible."""
        for attempt in range(5):
            try:
                close_old_connections()
                self.beat(force=True, stopped_at=timezone.now(), stop_reason=reason[:4000])
                return
            except DatabaseError:
                connection.close()
                time.sleep(0.5 * (attempt + 1))
        logger.error("The worker could not record that it stopped: %s", reason)

    # --- the loop -----------------------------------------------------------------

    def _database_error(self, exc: BaseException) -> None:
        self._errors_in_a_row += 1
        self._counts["database_errors"] += 1
        pause = min(MAX_BACKOFF, self.interval * 2 ** min(self._errors_in_a_row, 6)) or 0.5
        logger.warning("Database error in the worker loop (%s); trying again in %.1fs", exc, pause)
        with contextlib.suppress(DatabaseError):
            connection.close()
        time.sleep(pause)

    def _claim(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result

    def run(self) -> None:
        reason = "stopped normally"
        try:
            self._run()
        except SystemExit:
            reason = "stopped by a signal"
            raise
        except BaseException as exc:
            reason = f"crashed: {type(exc).__name__}: {exc}"
            logger.exception("The background worker stopped")
            raise
        finally:
            self.stopped(reason)

    def _run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        while self.running:
            try:
                close_old_connections()
                self.beat()
                task_result = self._claim()
            except DatabaseError as exc:
                self._database_error(exc)
                if self.batch and self._errors_in_a_row > BATCH_GIVES_UP:
                    raise  # a one-off run (tests, cron) ends, recorded, rather than hang
                continue
            self._errors_in_a_row = 0
            if task_result is not None:
                self.run_task(task_result)
                if connection.vendor == "sqlite":
                    time.sleep(WORKER_PAUSE)
            elif self.batch:
                logger.info("No more tasks to run for worker_id=%s", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if self.running and task_result is None:
                time.sleep(self.interval)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run one task; whatever happens, the loop goes on and the task ends
        recorded as successful, failed or queued again."""
        self.running_task = True
        try:
            try:
                task = db_task_result.task
                task_result = db_task_result.task_result
                args, kwargs = task_result.args, task_result.kwargs
                if task.takes_context:
                    args = [TaskContext(task_result=task_result), *args]
                result = task.call(*args, **kwargs)
            except Exception as exc:
                self._settle(db_task_result, exc)
            else:
                self._record(lambda: db_task_result.set_successful(result))
                self._counts["tasks_run"] += 1
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _settle(self, db_task_result: DBTaskResult, exc: BaseException) -> None:
        attempts = len(db_task_result.worker_ids)
        if _locked(exc) and db_task_result.task_path in RETRYABLE and attempts < MAX_ATTEMPTS:
            delay = min(MAX_BACKOFF, 2.0**attempts)
            logger.warning(
                "Task %s (%s) met a locked database; queued again in %.0fs (attempt %d)",
                db_task_result.id, db_task_result.task_path, delay, attempts,
            )  # fmt: skip

            def requeue():
                DBTaskResult.objects.filter(pk=db_task_result.pk).update(
                    status="READY", run_after=timezone.now() + dt.timedelta(seconds=delay)
                )

            self._record(requeue)
            return
        logger.error("Task %s (%s) failed: %s", db_task_result.id, db_task_result.task_path, exc)
        self._counts["tasks_failed"] += 1
        self._record(lambda: db_task_result.set_failed(exc))

    def _record(self, write) -> None:
        """Write a task's outcome, waiting out a locked database (never giving up
        while the worker runs: a result left unwritten leaves the task 'running')."""
        attempt = 0
        while True:
            try:
                close_old_connections()
                write()
                return
            except DatabaseError as exc:
                attempt += 1
                self._database_error(exc)
                if (self.batch or not self.running) and attempt > BATCH_GIVES_UP:
                    raise
