from collections import defaultdict

from django.db import migrations, models


def fill_weeks(apps, schema_editor):
    """Weeks delivered for the rollup rows that exist (what ``rollups.held_weeks``
    computes), so the dose is right without a full ``rebuild_rollups``."""
    Occurrence = apps.get_model("ensembles", "Occurrence")
    AttendanceSummary = apps.get_model("reports", "AttendanceSummary")
    weeks = defaultdict(set)
    for centre_id, day in (
        Occurrence.objects.filter(
            status="scheduled",
            register_taken_at__isnull=False,
            ensemble__member_centres__isnull=False,
        )
        .values_list("ensemble__member_centres", "date")
        .distinct()
        .iterator()
    ):
        year = day.year if day.month >= 9 else day.year - 1
        term = 1 if day.month >= 9 else (2 if day.month <= 3 else 3)
        week = day.isocalendar()[:2]
        weeks[(centre_id, year, term)].add(week)
        weeks[(centre_id, year, 0)].add(week)
    for row in AttendanceSummary.objects.filter(activity="").exclude(year=0).iterator():
        n = len(weeks.get((row.centre_id, row.year, row.term), ()))
        if n:
            AttendanceSummary.objects.filter(pk=row.pk).update(weeks=n)


class Migration(migrations.Migration):
    dependencies = [
        ("ensembles", "0001_initial"),
        ("reports", "0002_export_job_expired_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendancesummary",
            name="weeks",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(fill_weeks, migrations.RunPython.noop),
    ]
