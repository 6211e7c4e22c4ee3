"""The demo programme, loaded once per test session and copied into each test that
asks for it (the ``demo`` fixture in tests/conftest.py).

Loading the demo is by far the most expensive thing a test can do (tens of seconds:
hundreds of children, thousands of occurrences, tens of thousands of marks). So the
session loads it once inside a transaction, reads every table's rows into memory and
rolls back: the test database is empty again, and the rows are a template. A test
that wants the demo gets the template written into its own database in a second or
two — with ``INSERT … executemany`` on SQLite and ``COPY`` on PostgreSQL — inside
the test's transaction (so it rolls back with the test), or committed for a
``transactional_db`` / ``live_server`` test (the flush after the test removes it).

Every table is copied whole, lookup rows from data migrations and content types
included, so the copy is exactly the database ``load_demo`` left, whatever tests
ran before (a transactional test's flush removes migration-seeded rows).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

SKIP = {"django_migrations"}


@dataclass
class Snapshot:
    vendor: str
    # table → (columns, rows) on SQLite; table → COPY text on PostgreSQL
    tables: dict[str, tuple] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor, include_views=False)
    return sorted(n for n in names if n not in SKIP)


def _read(table: str, snapshot: Snapshot) -> None:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {qn(table)} TO STDOUT") as copy:
                data = b"".join(bytes(block) for block in copy)
            snapshot.tables[table] = (None, data)
            cursor.execute(f"SELECT count(*) FROM {qn(table)}")  # noqa: S608 — a table name
            snapshot.counts[table] = cursor.fetchone()[0]
        else:
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            # "+column" (SQLite's no-op operator) hides the declared type, so the
            # sqlite3 module hands back the stored value, not Django's converted one.
            listed = ", ".join(f"+{qn(c)}" for c in columns)
            rows = connection.connection.execute(f"SELECT {listed} FROM {qn(table)}").fetchall()  # noqa: S608
            snapshot.tables[table] = (columns, rows)
            snapshot.counts[table] = len(rows)


def take(load=None) -> Snapshot:
    """Load the demo (or run ``load``) in a transaction, read every table, roll back."""
    snapshot = Snapshot(vendor=connection.vendor)
    with transaction.atomic():
        if load is None:
            with open(os.devnull, "w") as devnull:
                call_command("load_demo", stdout=devnull)
        else:
            load()
        for table in _tables():
            _read(table, snapshot)
        transaction.set_rollback(True)
    return snapshot


def restore(snapshot: Snapshot) -> None:
    """Make the database hold exactly the snapshot's rows (in the current transaction
    when there is one; committed otherwise)."""
    from django.contrib.contenttypes.models import ContentType

    qn = connection.ops.quote_name
    tables = list(snapshot.tables)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(qn(t) for t in tables))
            for table, (_columns, data) in snapshot.tables.items():
                if data:
                    with cursor.cursor.copy(f"COPY {qn(table)} FROM STDIN") as copy:
                        copy.write(data)
            models = [
                m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in tables
            ]
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
        else:
            raw = connection.connection  # the sqlite3 connection: no per-row wrapper cost
            for table in tables:
                raw.execute(f"DELETE FROM {qn(table)}")  # noqa: S608 — a table name
            for table, (columns, rows) in snapshot.tables.items():
                if rows:
                    names = ", ".join(qn(c) for c in columns)
                    marks = ", ".join("?" * len(columns))
                    raw.executemany(f"INSERT INTO {qn(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608
    ContentType.objects.clear_cache()
