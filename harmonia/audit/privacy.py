"""The audit trail and Django's admin log may name a child in their text: erasure
redacts those names (registered from AuditConfig.ready)."""

from django.db.models import Q


def _programme_events(child):
    return Q(programme=child.centre.programme_id) | Q(programme__isnull=True)


def register() -> None:
    from django.contrib.admin.models import LogEntry

    from harmonia.audit.models import AuditEvent
    from harmonia.children.privacy import Mentions, registry

    registry.mention(Mentions(AuditEvent, ("object_repr", "changes"), _programme_events))
    registry.mention(Mentions(LogEntry, ("object_repr", "change_message")))
