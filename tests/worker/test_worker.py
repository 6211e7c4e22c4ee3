"""The background worker never dies silently: a failing task fails alone, a
database error never ends the loop, a locked database is retried where safe, and
its heartbeat (or its recorded death) tells the pages whether queued work will run."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.utils import OperationalError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from harmonia.worker import loop
from harmonia.worker.models import WorkerHeartbeat
from harmonia.worker.status import worker_status
from tests.worker import jobs

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(settings, monkeypatch):
    settings.TASKS = DATABASE_TASKS
    monkeypatch.setattr(loop.time, "sleep", lambda s: None)  # no real back-off waits
    jobs.CALLS["flaky"] = 0
    return settings


def run_worker():
    call_command("run_worker", batch=True, interval=0, startup_delay=False, reload=False,
                 verbosity=0)  # fmt: skip


def _status(result):
    return DBTaskResult.objects.get(pk=result.id).status


def test_a_failing_task_fails_alone_and_the_worker_goes_on(transactional_db, queue):
    bad = jobs.explode.enqueue()
    good = jobs.succeed.enqueue()
    run_worker()
    assert _status(bad) == "FAILED"
    assert _status(good) == "SUCCESSFUL"
    beat = WorkerHeartbeat.objects.get()
    assert (beat.tasks_run, beat.tasks_failed) == (1, 1)
    assert beat.stopped_at is not None and beat.stop_reason == "stopped normally"


def test_a_locked_database_queues_a_safe_task_again(transactional_db, queue, monkeypatch):
    monkeypatch.setattr(loop, "RETRYABLE", {*loop.RETRYABLE, "tests.worker.jobs.locked_once"})
    result = jobs.locked_once.enqueue()
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "READY" and row.run_after > timezone.now()  # backing off, not failed
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())
    run_worker()
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    assert row.return_value == "done after a retry"


def test_a_database_error_while_claiming_does_not_end_the_loop(
    transactional_db, queue, monkeypatch
):
    real_claim = DBTaskResult.claim
    failures = []

    def claim(self, worker_id):
        if not failures:
            failures.append(1)
            raise OperationalError("disk I/O error")
        return real_claim(self, worker_id)

    monkeypatch.setattr(DBTaskResult, "claim", claim)
    result = jobs.succeed.enqueue()
    run_worker()
    assert _status(result) == "SUCCESSFUL"
    assert WorkerHeartbeat.objects.get().database_errors == 1


def test_a_result_that_cannot_be_written_at_first_is_written_later(
    transactional_db, queue, monkeypatch
):
    real = DBTaskResult.set_failed
    failures = []

    def set_failed(self, exc):
        if len(failures) < 4:  # beyond django-tasks-db's own three tries
            failures.append(1)
            raise OperationalError("database is locked")
        return real(self, exc)

    monkeypatch.setattr(DBTaskResult, "set_failed", set_failed)
    bad = jobs.explode.enqueue()
    good = jobs.succeed.enqueue()
    run_worker()
    assert (_status(bad), _status(good)) == ("FAILED", "SUCCESSFUL")


def test_a_crash_is_recorded_not_silent(transactional_db, queue, monkeypatch):
    def boom(self):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(loop.ResilientWorker, "_claim", boom)
    with pytest.raises(RuntimeError):
        run_worker()
    beat = WorkerHeartbeat.objects.get()
    assert beat.stopped_at is not None
    assert "crashed: RuntimeError: out of memory" in beat.stop_reason
    assert worker_status().running is False


def _waiting_since(minutes):
    result = jobs.succeed.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def test_the_downloads_page_says_when_jobs_wait_for_a_stopped_worker(
    world, as_persona, client, queue
):
    _waiting_since(12)
    as_persona("programme_lead")
    page = client.get(reverse("reports:downloads")).content.decode()
    assert "Queued for 12 minutes — the background worker is not running." in page

    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w1", started_at=now, seen_at=now)
    page = client.get(reverse("reports:downloads")).content.decode()
    assert "background worker is not running" not in page


def test_check_names_a_stopped_worker_with_jobs_waiting(transactional_db, queue, capsys):
    from django.core.management.base import SystemCheckError

    _waiting_since(5)
    with pytest.raises(SystemCheckError, match="harmonia.W001"):
        call_command("check", databases=["default"], fail_level="WARNING")


def test_a_queued_import_says_when_the_worker_is_not_running(world, as_persona, client, queue):
    from harmonia.children.models import ImportLog

    log = ImportLog.objects.create(
        centre=world.centre_a, kind="ctf", filename="big.ctf.xml", state="queued", total=400
    )
    _waiting_since(3)
    as_persona("manager_a")
    page = client.get(reverse("children:import_detail", args=[log.pk])).content.decode()
    assert "Queued for 3 minutes — the background worker is not running." in page


def test_an_import_that_meets_a_locked_database_waits_queued_then_applies(
    transactional_db, world, queue, monkeypatch
):
    from harmonia.children import imports
    from harmonia.children.models import Child, ImportLog

    log = ImportLog.objects.create(
        centre=world.centre_a, kind="ctf", filename="big.ctf.xml", state="validated", total=1,
        rows=[{"row": 1, "surname": "Okafor", "forename": "Chidi", "dob": "2016-03-14"}],
    )  # fmt: skip
    real, calls = imports._apply, []

    def locked_once(log, *, by):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(log, by=by)

    monkeypatch.setattr(imports, "_apply", locked_once)
    monkeypatch.setattr(imports, "BACKGROUND_FROM", 1)
    imports.start_apply(log, by=world.manager_a)
    run_worker()
    log.refresh_from_db()
    assert log.state == ImportLog.State.QUEUED and log.error == ""  # not "Failed — locked"
    DBTaskResult.objects.update(run_after=timezone.now())
    run_worker()
    log.refresh_from_db()
    assert log.state == ImportLog.State.APPLIED
    assert Child.objects.filter(first_name="Chidi").count() == 1
