"""The audit trail and Django's admin log may name a child in their text: erasure
redacts those names (registered from AuditConfig.ready)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def _programme_events(child):
    return Q(programme=child.centre.programme_id) | Q(programme__isnull=True)


def register() -> None:
    from django.contrib.admin.models import LogEntry

    from harmonia.audit import labels
    from harmonia.audit.models import AuditEvent
    from harmonia.children.privacy import Erasure, Field, Mentions, Section, registry

    # Changes made to the child's own record (descriptions, never names; see redaction).
    registry.section(Section("record_changes", _("Changes made to this record"), AuditEvent,
        "child", (
            Field("at", label=_("When")),
            Field("action", label=_("What was done"), show=lambda e, v: labels.action_label(v)),
            Field("object_repr", label=_("Record"),
                  show=lambda e, v: labels.object_label(e.object_type, v)),
            Field("changes", label=_("Changes"), show=lambda e, v: labels.changes_text(e)),
        ), order_by=("at", "id"), order=80,
    ))  # fmt: skip
    # The trail of who did what stays; its text is redacted below like every mention.
    registry.erasure(Erasure(AuditEvent, "child", "keep", reason=_("the audit trail is kept")))
    registry.mention(Mentions(AuditEvent, ("object_repr", "changes"), _programme_events))
    registry.mention(Mentions(LogEntry, ("object_repr", "change_message")))
