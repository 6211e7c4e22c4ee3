"""What the instruments app holds about a child, for subject access and erasure
(registered with ``harmonia.children.privacy.registry`` from InstrumentsConfig.ready)."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from harmonia.children.privacy import Erasure, Field, Mentions, Section, registry
    from harmonia.instruments import models as m

    F = Field
    registry.section(Section("loans", _("Instruments lent"), m.Loan, "child", (
        F("instrument", "instrument", _("Instrument")), F("lent_on"), F("due_back"),
        F("returned_on"), F("condition_out"), F("condition_in"),
        F("agreement", "agreement", _("Loan agreement")), F("agreement_accepted_by"),
        F("agreement_accepted_at"), F("agreement_accepted_on"), F("agreement_method"),
        F("notes"),
    ), related=("instrument", "agreement"), order_by=("lent_on", "id")))  # fmt: skip
    registry.section(Section("arm_measurements", _("Arm measurements"), m.ArmMeasurement,
        "child", (F("measured_on"), F("arm_length_cm")), order_by=("measured_on", "id"),
    ))  # fmt: skip
    # The loan stays in the instrument's history; who signed for it, and notes, go.
    registry.erasure(Erasure(m.Loan, "child", "clear", ("agreement_accepted_by", "notes")))
    registry.erasure(Erasure(m.ArmMeasurement, "child", "delete"))
    registry.mention(Mentions(m.Loan, ("notes", "agreement_accepted_by"), "centre"))
    registry.mention(Mentions(m.Instrument, ("notes",), "centre"))
    registry.mention(Mentions(m.RepairJob, ("fault",), "instrument__centre"))
