"""Scrub names out of existing audit entries about people (children, guardians,
consents, placements, marks, loans, measurements, concerns…): a non-identifying
description instead of the stored ``str(obj)``, identifying values withheld from
``changes``, and the child kept as a reference (see harmonia.audit.redaction)."""

from django.db import migrations

from harmonia.audit import redaction

# object_type → (app label, model) of people-data rows that point at a child.
CHILD_OF = {
    "childguardian": ("children", "ChildGuardian"),
    "consentrecord": ("children", "ConsentRecord"),
    "enrolmentperiod": ("children", "EnrolmentPeriod"),
    "waitinglistoffer": ("children", "WaitingListOffer"),
    "childsensitive": ("children", "ChildSensitive"),
    "fsmperiod": ("children", "FsmPeriod"),
    "childsafetynotes": ("children", "ChildSafetyNotes"),
    "placement": ("ensembles", "Placement"),
    "mark": ("ensembles", "Mark"),
    "markchange": ("ensembles", "MarkChange"),
    "loan": ("instruments", "Loan"),
    "armmeasurement": ("instruments", "ArmMeasurement"),
}


def scrub(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    Child = apps.get_model("children", "Child")
    children = set(Child.objects.values_list("pk", flat=True))
    events = AuditEvent.objects.filter(object_type__in=sorted(redaction.PEOPLE_DATA))
    for event in events.iterator(chunk_size=500):
        child_id = None
        if event.object_type == "child":
            child_id = int(event.object_id) if event.object_id.isdigit() else None
        elif event.object_type in CHILD_OF:
            model = apps.get_model(*CHILD_OF[event.object_type])
            row = model.objects.filter(pk=event.object_id).values("child_id").first()
            child_id = row["child_id"] if row else None
            if event.object_type == "loan" and row and child_id is None:
                continue  # a loan to a school names no one
        event.object_repr = redaction.describe(event.object_type, event.object_id, child_id)
        event.changes = redaction.scrub(event.changes)
        event.child_id = child_id if child_id in children else None
        event.save(update_fields=["object_repr", "changes", "child"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_audit_event_child"),
        ("children", "0002_import_mapping"),
        ("ensembles", "0001_initial"),
        ("instruments", "0001_initial"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
