"""Tasks the worker tests queue (importable, as a queued task's path must be)."""

from django.db.utils import OperationalError
from django_tasks import task

CALLS = {"flaky": 0}


@task()
def explode() -> None:
    raise ValueError("this task always fails")


@task()
def succeed() -> str:
    return "done"


@task()
def locked_once() -> str:
    CALLS["flaky"] += 1
    if CALLS["flaky"] == 1:
        raise OperationalError("database is locked")
    return "done after a retry"
