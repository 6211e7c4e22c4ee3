"""manage.py rebuild_rollups: rebuild the attendance rollup behind dashboards and returns."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from harmonia.programmes.models import Centre
from harmonia.reports.dashboard import refresh_equity
from harmonia.reports.rollups import rebuild_all


class Command(BaseCommand):
    help = "Rebuild every attendance summary from the registers, and count equity again."

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = rebuild_all()
        refresh_equity(list(Centre.objects.values_list("pk", flat=True)), timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(f"{rows:,} summary rows in {time.perf_counter() - started:.1f} s.")
        )
