"""The audit trail. Write functions call :func:`record` inside their transaction.

Entries about people (``harmonia.audit.redaction``) store no names: a description
instead of ``str(obj)``, and ``changes`` without identifying values; the child the
entry is about is kept as a reference, so the change log can name them to a viewer
who may see that child."""


def _child_id(obj):
    if obj._meta.model_name == "child":
        return obj.pk
    return getattr(obj, "child_id", None)


def record(*, actor, action: str, obj, programme=None, changes: dict | None = None):
    from harmonia.audit import redaction
    from harmonia.audit.models import AuditEvent

    object_type = obj._meta.model_name
    child_id = _child_id(obj)
    people = redaction.is_people_data(object_type) and (
        child_id is not None or object_type not in ("loan",)
    )
    if people:
        object_repr = redaction.describe(object_type, obj.pk, child_id)
        changes = redaction.scrub(changes)
    else:
        object_repr = str(obj)[:200]
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(obj.pk),
        object_repr=object_repr,
        child_id=child_id if people else None,
        programme=programme,
        changes=changes or {},
    )
