from django.core.management.base import BaseCommand

from harmonia.demo.people import DEMO_PASSWORD, PERSONAS
from harmonia.demo.production_guard import refuse_in_production
from harmonia.demo.programme import load_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo programmes and print the demo logins. Idempotent."

    def handle(self, *args, **options):
        refuse_in_production("load_demo")
        counts = load_demo()
        self.stdout.write(
            "Demo programme ready: "
            + ", ".join(f"{value} {name}" for name, value in counts.items())
        )
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        width = max(len(p.email) for p in PERSONAS)
        for p in PERSONAS:
            where = p.centre or p.programme
            self.stdout.write(f"  {p.email:<{width}}  {p.role:<18} {where}")
