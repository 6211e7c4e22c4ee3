from django.core.management.base import BaseCommand

from harmonia.demo.people import DEMO_PASSWORD, PERSONAS
from harmonia.demo.production_guard import refuse_in_production
from harmonia.demo.programme import load_demo


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo programmes and print the demo logins. Idempotent: "
        "loading again changes nothing but today's sessions, and never marks a register "
        "nobody took."
    )

    def handle(self, *args, **options):
        refuse_in_production("load_demo")
        self.stdout.write("Loading the demo programmes (a first load takes a minute or so):")
        total = 0.0

        def step(name, counts, seconds):
            nonlocal total
            total += seconds
            figures = ", ".join(f"{value} {label}" for label, value in counts.items())
            self.stdout.write(f"  {name:<42} {figures}  ({seconds:.1f} s)")
            self.stdout.flush()

        counts = load_demo(progress=step)
        self.stdout.write(
            f"Demo programme ready in {total:.0f} s: "
            + ", ".join(f"{value} {name}" for name, value in counts.items())
        )
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        width = max(len(p.email) for p in PERSONAS)
        for p in PERSONAS:
            where = p.centre or p.programme
            self.stdout.write(f"  {p.email:<{width}}  {p.role:<18} {where}")
