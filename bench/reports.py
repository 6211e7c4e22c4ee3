"""Benchmark: dashboards and the annual return at national scale (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/harmonia_bench \\
        .venv/bin/python bench/reports.py [--children 100000 --years 3 --repeat 5]

Seeds a synthetic programme once (``manage.py seed``; reused when it exists),
rebuilds the attendance rollup, then times the programme dashboard, a centre
dashboard and the annual return (build + XLSX) through the real views, and the
same numbers computed live from the marks (what the rollup saves). Figures are
recorded in docs/reports.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HARMONIA_MODE", "demo")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/harmonia_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harmonia.settings")


def timed(fn, repeat: int) -> tuple[float, float]:
    """(median, best) wall time in milliseconds, after one warm-up run."""
    fn()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs), min(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--centres", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-live", action="store_true", help="Skip the no-rollup timing.")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from harmonia.accounts.models import Membership, Role, User
    from harmonia.ensembles.models import Mark
    from harmonia.programmes.models import Programme
    from harmonia.reports import exports, returns, rollups
    from harmonia.reports.seed import seed

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    name = f"Bench programme ({args.children:,} children, {args.years} years)"
    programme = Programme.objects.filter(name=name).first()
    if programme is None:
        started = time.perf_counter()
        result = seed(
            children=args.children,
            years=args.years,
            centres=args.centres,
            seed_value=1,
            name=name,
            log=lambda m: print(f"  seed {m}", flush=True),
        )
        programme = result.programme
        print(f"seeded in {time.perf_counter() - started:.0f} s: {result.marks:,} marks")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        started = time.perf_counter()
        rows = rollups.rebuild_all()
        print(f"rollup rebuilt in {time.perf_counter() - started:.1f} s ({rows:,} rows)")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    marks = Mark.objects.filter(child__centre__programme=programme).count()
    centres = list(programme.centres.select_related("area").order_by("name"))
    print(f"{len(centres)} centres, {args.children:,} children, {marks:,} marks")

    lead, _ = User.objects.get_or_create(
        email="bench.lead@example.org", defaults={"full_name": "Bench lead"}
    )
    funder, _ = User.objects.get_or_create(
        email="bench.funder@example.org", defaults={"full_name": "Bench funder"}
    )
    manager, _ = User.objects.get_or_create(
        email="bench.manager@example.org", defaults={"full_name": "Bench manager"}
    )
    Membership.objects.get_or_create(user=lead, role=Role.PROGRAMME_LEAD, programme=programme)
    Membership.objects.get_or_create(user=funder, role=Role.FUNDER_VIEWER, programme=programme)
    Membership.objects.get_or_create(user=manager, role=Role.CENTRE_MANAGER, centre=centres[0])

    def page(user, url):
        client = Client()
        client.force_login(user)

        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return get

    year = rollups.academic_year(timezone.localdate())
    results = {
        "programme dashboard (lead)": page(
            lead, reverse("reports:programme_dashboard", args=[programme.pk])
        ),
        "programme dashboard (funder, suppressed)": page(
            funder, reverse("reports:programme_dashboard", args=[programme.pk])
        ),
        "centre dashboard (manager)": page(
            manager, reverse("reports:centre_dashboard", args=[centres[0].pk])
        ),
        "annual return page (funder)": page(
            funder, reverse("reports:annual_return", args=[programme.pk])
        ),
    }

    def annual_return_xlsx():
        report = returns.annual_return(programme, centres, year, suppress=True)
        exports.to_xlsx(report)

    results["annual return, built + XLSX (funder)"] = annual_return_xlsx
    for label, fn in results.items():
        median, best = timed(fn, args.repeat)
        print(f"{label:45s} median {median:8.1f} ms   best {best:8.1f} ms")
    if not args.skip_live:
        from harmonia.ensembles.models import Occurrence

        ids = [c.pk for c in centres]
        live = rollups._child_rows(rollups._marks(ids, year))
        median, best = timed(lambda: len(list(live.all())), 1)
        print(f"{'the same numbers live from the marks, one year':45s} median {median:8.1f} ms")
        occurrence = (
            Occurrence.objects.filter(centre=centres[0], marks__isnull=False)
            .order_by("-date")
            .first()
        )
        median, best = timed(lambda: rollups.refresh_for_occurrence(occurrence), args.repeat)
        print(f"{'refresh after one register':45s} median {median:8.1f} ms")


if __name__ == "__main__":
    main()
