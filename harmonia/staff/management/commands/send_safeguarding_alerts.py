"""Email centre managers about safeguarding checks that are missing, lapsed, or
expire soon. Run it daily (cron or a scheduled task)."""

import datetime as dt

from django.core.management.base import BaseCommand

from harmonia.staff.models import WARN_DAYS
from harmonia.staff.services import send_safeguarding_alerts


class Command(BaseCommand):
    help = (
        "Email each centre's managers (copying its safeguarding leads) the staff whose "
        "checks are missing, lapsed, or expire within --days days."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=WARN_DAYS)
        parser.add_argument(
            "--on", type=dt.date.fromisoformat, default=None, help="Date to check (YYYY-MM-DD)."
        )

    def handle(self, *args, days, on, **options):
        sent = send_safeguarding_alerts(on=on, days=days)
        for alert in sent:
            names = ", ".join(f"{p.full_name} ({p.safeguarding_status})" for p in alert["people"])
            to = ", ".join(alert["to"]) or "no one (no manager)"
            self.stdout.write(f"{alert['centre']}: {names} → {to}")
        self.stdout.write(f"{len(sent)} alert(s).")
