"""manage.py seed --children N --years Y [--centres C] [--seed S]: a synthetic programme."""

import time

from django.core.management.base import BaseCommand

from harmonia.demo.production_guard import refuse_in_production
from harmonia.reports import rollups
from harmonia.reports.seed import seed


class Command(BaseCommand):
    help = "Generate a realistic synthetic programme of any size (deterministic), then its rollups."

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, required=True)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--centres", type=int, default=None)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--name", default=None, help="Programme name (must be new).")
        parser.add_argument("--no-rollups", action="store_true", help="Skip rebuilding rollups.")

    def handle(self, *args, **options):
        refuse_in_production("seed")
        result = seed(
            children=options["children"],
            years=options["years"],
            centres=options["centres"],
            seed_value=options["seed"],
            name=options["name"],
            log=lambda message: self.stdout.write(f"  {message}"),
        )
        if not options["no_rollups"]:
            started = time.perf_counter()
            rollups.refresh_centres(
                result.programme.centres.values_list("pk", flat=True), result.years
            )
            self.stdout.write(f"  rollups: {time.perf_counter() - started:.2f} s")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.programme.name}: {result.centres} centres, {result.children:,} children, "
                f"{result.occurrences:,} sessions, {result.marks:,} marks."
            )
        )
