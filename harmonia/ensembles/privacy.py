"""What the ensembles app holds about a child, for subject access and erasure
(registered with ``harmonia.children.privacy.registry`` from EnsemblesConfig.ready)."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from harmonia.children.privacy import Erasure, Field, Mentions, Section, registry
    from harmonia.ensembles import models as m

    F = Field
    registry.section(Section("placements", _("Ensembles and instruments played"), m.Placement,
        "child", (
            F("ensemble", "ensemble.name", _("Ensemble")),
            F("section", "section.name", _("Section")),
            F("instrument"), F("desk"), F("start"), F("end"), F("note"),
        ), related=("ensemble", "section"), order_by=("start", "id"),
    ))  # fmt: skip
    registry.section(Section("attendance", _("Attendance"), m.Mark, "child", (
        F("date", "occurrence.date", _("Date")),
        F("ensemble", "occurrence.ensemble.name", _("Ensemble")),
        F("status"), F("reason"), F("note"), F("marked_at"),
    ), related=("occurrence__ensemble",), order_by=("occurrence__starts_at", "id")))  # fmt: skip
    registry.section(Section("attendance_changes", _("Corrections to attendance"), m.MarkChange,
        "child", (
            F("date", "occurrence.date", _("Date")),
            F("ensemble", "occurrence.ensemble.name", _("Ensemble")),
            F("kind", label=_("Change")), F("old_status", label=_("Before")),
            F("new_status", label=_("After")), F("old_note", label=_("Note before")),
            F("new_note", label=_("Note after")), F("reason", label=_("Reason")),
            F("changed_at", label=_("Changed at")),
        ), related=("occurrence__ensemble",), order_by=("changed_at", "id"),
    ))  # fmt: skip
    # Marks stay (attendance figures need them), without their notes.
    registry.erasure(Erasure(m.Placement, "child", "clear", ("note",)))
    registry.erasure(Erasure(m.Mark, "child", "clear", ("note",)))
    registry.erasure(Erasure(m.MarkChange, "child", "clear", ("old_note", "new_note")))
    # A register note, or another child's mark note, may name the child.
    registry.mention(Mentions(m.Occurrence, ("note", "title"), "ensemble__member_centres"))
    registry.mention(Mentions(m.Mark, ("note",), "child__centre"))
    registry.mention(Mentions(m.MarkChange, ("old_note", "new_note"), "child__centre"))
    registry.mention(Mentions(m.Placement, ("note",), "child__centre"))
    registry.mention(Mentions(m.Submission, ("result",), "occurrence__ensemble__member_centres"))
