"""Apply the children app's retention rules and say what was done."""

from django.core.management.base import BaseCommand

from harmonia.children.privacy import RETENTION, apply_retention


class Command(BaseCommand):
    help = "Anonymise or delete children's data past its retention period, and report it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be done; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        report = apply_retention(dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        for rule in RETENTION:
            self.stdout.write(f"{rule.keep}\n  → {report[rule.record]} {verb} processed.")
