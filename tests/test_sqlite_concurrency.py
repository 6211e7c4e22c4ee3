"""The embedded database never fails a save: registers, consents and a rollup
refresh running at the same time, in real threads, against a real SQLite file
(an in-memory test database cannot show the locking a file has)."""

import datetime as dt
import sqlite3
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from harmonia.children.models import ConsentKind, ConsentRecord, Guardian
from harmonia.children.services import link_guardian, publish_consent_form, record_consent
from harmonia.ensembles.models import Mark, Submission
from harmonia.ensembles.register import submit_register
from harmonia.reports import rollups
from harmonia.worker.loop import WORKER_PAUSE
from tests.reports.conftest import make_children, make_ensemble

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own locking")


@pytest.fixture
def sqlite_file(transactional_db, tmp_path):
    """Move the test database into a file for the test's duration: every thread's
    connection opens the file with the project's SQLite options."""

    def move():
        target = tmp_path / "concurrency.sqlite3"
        connection.ensure_connection()
        memory = connection.connection
        with sqlite3.connect(target) as copy:
            memory.backup(copy)
        original = connections.settings["default"]["NAME"]
        connection.connection = None  # the next query opens the file
        connections.settings["default"]["NAME"] = str(target)
        connection.settings_dict["NAME"] = str(target)
        # Open it once here, so the file is already in WAL mode (as a served database is
        # after its first connection) before the threads race to open it.
        connection.ensure_connection()
        assert connection.cursor().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        return original, memory

    state = {}
    yield lambda: state.setdefault("moved", move())
    if "moved" in state:
        original, memory = state["moved"]
        connection.close()
        connections.settings["default"]["NAME"] = original
        connection.settings_dict["NAME"] = original
        connection.connection = memory


def _in_thread(errors, work):
    def run():
        try:
            work()
        except Exception as exc:  # collected: the test names every failure
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def _setup(world, days):
    on = timezone.localdate() - dt.timedelta(days=60)
    children = make_children(world.centre_a, world.school_a, 30, "C", by=world.manager_a, on=on)
    occurrences = make_ensemble(world.england, world.centre_a, children, days, on=on)
    form = publish_consent_form(
        programme=world.england,
        kind=ConsentKind.PHOTO,
        title="Photos",
        wording="May we photograph your child?",
        by=world.manager_a,
    )
    guardian = Guardian(first_name="Pat", last_name="Parent", email="pat@example.org")
    for child in children:
        link_guardian(child, guardian, by=world.manager_a, relationship="parent")
    return children, occurrences, form, guardian


@pytest.mark.slow
def test_registers_and_consents_save_while_the_rollups_are_rebuilt(world, sqlite_file):
    today = timezone.localdate()
    days = [today - dt.timedelta(days=k) for k in range(1, 11)]
    children, occurrences, form, guardian = _setup(world, days)
    sqlite_file()
    errors: list[str] = []
    done = threading.Event()

    def rebuild():  # as the worker does: one task, a breath for waiting writers, the next
        while not done.is_set():
            rollups.rebuild_all()
            time.sleep(WORKER_PAUSE)

    def registers(offset):
        for i, occurrence in enumerate(occurrences):
            marks = [
                {
                    "child": c.pk,
                    "status": "present" if (j + i + offset) % 4 else "absent_authorised",
                }
                for j, c in enumerate(children)
            ]
            submit_register(occurrence, key=f"soak-{offset}-{i:04d}", marks=marks, by=world.tutor_a)

    def consents():
        for i in range(20):
            child = children[i % len(children)]
            record_consent(
                child, form=form, decision="given", guardian=guardian, method="paper",
                by=world.manager_a,
            )  # fmt: skip

    rebuilder = _in_thread(errors, rebuild)
    writers = [_in_thread(errors, lambda o=o: registers(o)) for o in (0, 1)]
    writers.append(_in_thread(errors, consents))
    rebuilder.start()
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=120)
    done.set()
    rebuilder.join(timeout=120)

    assert errors == []
    assert Submission.objects.count() == 2 * len(occurrences)
    assert ConsentRecord.objects.count() == 20
    assert Mark.objects.count() == len(occurrences) * len(children)


def test_two_identical_submissions_at_the_same_instant_save_once(world, sqlite_file):
    day = timezone.localdate() - dt.timedelta(days=1)
    children, (occurrence,), _form, _guardian = _setup(world, [day])
    marks = [{"child": c.pk, "status": "present"} for c in children]
    sqlite_file()
    errors: list[str] = []
    results: list[dict] = []
    start = threading.Barrier(2)

    def submit():
        start.wait()
        results.append(
            submit_register(occurrence, key="same-key-000001", marks=marks, by=world.tutor_a)
        )

    threads = [_in_thread(errors, submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sorted(r["replayed"] for r in results) == [False, True]
    assert {r["saved"] for r in results} == {len(children)}
    assert Submission.objects.filter(key="same-key-000001").count() == 1
    assert Mark.objects.filter(occurrence=occurrence).count() == len(children)
