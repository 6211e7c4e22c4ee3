"""``manage.py run_worker``: the background worker (``db_worker``'s options), which
survives database errors and writes a heartbeat. See :mod:`harmonia.worker.loop`."""

from django_tasks_db.management.commands import db_worker

from harmonia.worker.loop import ResilientWorker


class Command(db_worker.Command):
    help = "Run the background worker: survives database errors, writes a heartbeat."

    def handle(self, *args, **options):
        original = db_worker.Worker
        db_worker.Worker = ResilientWorker
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
