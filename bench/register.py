"""Server time to render and to save a 60-child register (Django's test Client, in-process).

    .venv/bin/python bench/register.py                      # SQLite (a fresh test database)
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/harmonia_bench  # or any PostgreSQL
    .venv/bin/python bench/register.py

The database named by DATABASE_URL is left alone: Django's test machinery creates a
``test_…`` database beside it (in memory for SQLite) and drops it at the end.
Reports median and p95 over ``--iterations`` (default 200), and the median CPU time
of this process (steadier than wall time on a shared machine), of: opening a register
nobody has taken yet, reopening a taken one, saving a first register of 60 marks
(one submission), and saving a correction (12 marks change) to a 60-child register.

``--against REV`` first runs this same benchmark script on commit ``REV``'s code
(exported with ``git archive`` to a temporary folder), then on this code, one after
the other on the same machine, so the two can be compared::

    .venv/bin/python bench/register.py --iterations 100 --against eb82e03
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["HARMONIA_MODE"] = "test"
# As in production: follow-up work (the dashboards' rollup refresh after a register)
# is queued for the background worker, not run inside the request being timed.
os.environ["HARMONIA_TASK_BACKEND"] = "database"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def against(args) -> None:
    import subprocess  # noqa: S404 - git, tar and this Python, from the command line
    import tempfile

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="harmonia-bench-") as folder:
        archive = subprocess.run(  # noqa: S603
            ["git", "-C", str(root), "archive", args.against],  # noqa: S607
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)  # noqa: S603, S607
        # This script, so both runs measure the same things the same way.
        (Path(folder) / "bench" / "register.py").write_text(Path(__file__).read_text())
        print(f"== {args.against} ==", flush=True)
        subprocess.run(  # noqa: S603
            [sys.executable, "bench/register.py", "--iterations", str(args.iterations),
             "--children", str(args.children)],
            cwd=folder, check=True,
        )  # fmt: skip
    print("== this code ==", flush=True)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--children", type=int, default=60)
    parser.add_argument("--against", help="a git commit to run first, for comparison")
    args = parser.parse_args()
    if args.against:
        against(args)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.DEBUG = False
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args):
    import json

    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from harmonia.ensembles.models import Mark, Occurrence
    from tests.conftest import build_world
    from tests.ensembles.conftest import LONDON, build_register

    world = build_world()
    reg = build_register(world.centre_a, args.children, tutor=world.tutor_a)
    today = timezone.localdate()
    fresh = []
    for i in range(args.iterations):  # one unmarked occurrence per first-save iteration
        day = today - dt.timedelta(days=i + 1)
        starts = dt.datetime.combine(day, dt.time(16), tzinfo=LONDON)
        fresh.append(
            Occurrence(ensemble=reg.ensemble, centre=world.centre_a, date=day, starts_at=starts,
                       ends_at=starts + dt.timedelta(minutes=90), minutes=90, kind="rehearsal")
        )  # fmt: skip
    Occurrence.objects.bulk_create(fresh)
    fresh = list(Occurrence.objects.filter(ensemble=reg.ensemble, date__lt=today).order_by("-date"))
    client = Client()
    client.force_login(world.tutor_a)

    def submit(occurrence, statuses):
        now = timezone.now().isoformat()
        marks = [
            {"child": c.pk, "status": statuses(i), "marked_at": now}
            for i, c in enumerate(reg.children)
        ]
        url = reverse("ensembles:register_submit", args=[occurrence.pk])
        body = json.dumps({"key": str(uuid.uuid4()), "marks": marks})
        started, cpu = time.perf_counter(), time.process_time()
        response = client.post(url, body, content_type="application/json")
        elapsed = (time.perf_counter() - started, time.process_time() - cpu)
        assert response.status_code == 200, response.content
        return elapsed

    def open_page(occurrence):
        url = reverse("ensembles:register", args=[occurrence.pk])
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        elapsed = (time.perf_counter() - started, time.process_time() - cpu)
        assert response.status_code == 200
        return elapsed

    # Warm up (template and URL caches), then measure.
    page = reverse("ensembles:register", args=[reg.occurrence.pk])
    client.get(page)
    opening = [open_page(o) for o in fresh]  # registers nobody has taken yet
    submit(reg.occurrence, lambda i: "present")
    client.get(page)
    render = [open_page(reg.occurrence) for _ in range(args.iterations)]
    first_save = [submit(o, lambda i: "late" if i % 10 == 0 else "present") for o in fresh]
    correction = [
        submit(reg.occurrence, lambda i, n=n: "late" if i % 10 == n % 10 else "present")
        for n in range(args.iterations)
    ]
    assert Mark.objects.filter(occurrence=reg.occurrence).count() == args.children

    vendor = connection.vendor
    print(f"Register benchmark: {args.children} children, {args.iterations} iterations, {vendor}")
    for label, values in (
        ("open a register not taken yet", opening),
        ("reopen a taken register", render),
        (f"save a first register ({args.children} marks)", first_save),
        ("save a correction (12 marks change)", correction),
    ):
        wall, cpu = [v[0] for v in values], [v[1] for v in values]
        print(
            f"  {label:<42} median {statistics.median(wall) * 1000:6.1f} ms"
            f"   p95 {percentile(wall, 95) * 1000:6.1f} ms"
            f"   (CPU median {statistics.median(cpu) * 1000:6.1f} ms)"
        )


if __name__ == "__main__":
    main()
