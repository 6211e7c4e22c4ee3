"""Delete export files past HARMONIA_EXPORT_RETENTION_DAYS (run daily; the worker
also runs it after every export)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from harmonia.reports.services import expire_exports


class Command(BaseCommand):
    help = "Delete export files older than HARMONIA_EXPORT_RETENTION_DAYS and mark them expired."

    def handle(self, *args, **options):
        expired = expire_exports()
        days = settings.HARMONIA_EXPORT_RETENTION_DAYS
        self.stdout.write(f"{len(expired)} export(s) older than {days} days expired.")
