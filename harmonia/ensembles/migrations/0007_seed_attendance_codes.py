"""Every existing programme gets the default attendance codes (new ones get them from
a post_save signal). The four original codes keep their stored values, so existing
marks count exactly as before."""

from django.db import migrations

# A copy of harmonia.ensembles.codes.DEFAULT_CODES as it was when this ran (a
# migration must not change when the code's defaults later do).
DEFAULTS = [
    # code, label, label_es, abbr, abbr_es, attended, possible, reason, minutes, tap
    ("present", "Present", "Presente", "P", "P", True, True, False, False, 1),
    ("late", "Late", "Llegó tarde", "L", "T", True, True, False, True, 2),
    ("left_early", "Left early", "Se retiró antes", "LE", "SA", True, True, False, False, None),
    ("remote", "Joined remotely", "A distancia", "R", "D", True, True, False, False, None),
    ("absent_authorised", "Absent (authorised)", "Ausente (justificado)", "AA", "AJ",
     False, True, True, False, None),
    ("absent_unauthorised", "Absent", "Ausente", "A", "A", False, True, False, False, 3),
    ("not_expected", "Not expected", "No le tocaba", "X", "X", False, False, False, False, None),
]  # fmt: skip


def seed(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    AttendanceCode = apps.get_model("ensembles", "AttendanceCode")
    rows = []
    for programme in Programme.objects.all():
        have = set(
            AttendanceCode.objects.filter(programme=programme).values_list("code", flat=True)
        )
        for i, (code, label, label_es, ab, ab_es, att, pos, reason, mins, tap) in enumerate(
            DEFAULTS
        ):
            if code in have:
                continue
            rows.append(
                AttendanceCode(
                    programme=programme, code=code, label=label, label_es=label_es,
                    abbreviation=ab, abbreviation_es=ab_es, counts_as_attended=att,
                    counts_as_possible=pos, requires_reason=reason, asks_minutes=mins,
                    tap_order=tap, order=i * 10,
                )
            )  # fmt: skip
    AttendanceCode.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("ensembles", "0006_attendance_codes"), ("programmes", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
