"""The audit trail. Write functions call :func:`record` inside their transaction."""


def record(*, actor, action: str, obj, programme=None, changes: dict | None = None):
    from harmonia.audit.models import AuditEvent

    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        programme=programme,
        changes=changes or {},
    )
