"""The change log in the reader's language.

An ``AuditEvent`` stores its action ("instrument lent"), the model name of what changed
("loan") and, for people data, a description that names no one ("loan 7 · child 42"),
in English, because the log is a record and must not change with the reader. This
module turns each into the reader's language when the log is shown: actions from the
table below (``tests/audit/test_labels.py`` fails when a write records an action that
is not in it), model names from each model's ``verbose_name``, field names in
``changes`` from the field's ``verbose_name``."""

import re
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "created": pgettext_lazy("change log", "created"),
    "updated": pgettext_lazy("change log", "updated"),
    "deleted": pgettext_lazy("change log", "deleted"),
    "cancelled": pgettext_lazy("change log", "cancelled"),
    "moved": pgettext_lazy("change log", "moved"),
    "placed": pgettext_lazy("change log", "placed"),
    "status changed": _("status changed"),
    "arm measured": _("arm measured"),
    "back from repair": _("back from repair"),
    "calendar address renewed": _("calendar address renewed"),
    "check recorded": _("check recorded"),
    "check removed": _("check removed"),
    "check updated": _("check updated"),
    "child anonymised": _("child anonymised"),
    "child enrolled": _("child enrolled"),
    "child updated": _("child updated"),
    "children imported": _("children imported"),
    "concern recorded": _("concern recorded"),
    "concern updated": _("concern updated"),
    "consent form published": _("consent form published"),
    "consent given": _("consent given"),
    "consent refused": _("consent refused"),
    "consent withdrawn": _("consent withdrawn"),
    "delivery received": _("delivery received"),
    "ensemble lead granted": _("ensemble lead granted"),
    "ensemble lead revoked": _("ensemble lead revoked"),
    "equity data updated": _("equity data updated"),
    "exported central record": _("exported the single central record"),
    "guardian link updated": _("guardian link updated"),
    "guardian linked": _("guardian linked"),
    "guardian updated": _("guardian updated"),
    "instrument lent": _("instrument lent"),
    "instrument returned": _("instrument returned"),
    "occurrence changed": _("date changed"),
    "occurrences generated": _("dates generated"),
    "offer settled": _("offer settled"),
    "place offered": _("place offered"),
    "placement ended": _("placement ended"),
    "register taken": _("register taken"),
    "reports.export": _("report exported"),
    "role granted": _("role granted"),
    "role requested": _("role requested"),
    "role revoked": _("role revoked"),
    "safety notes updated": _("safety notes updated"),
    "sent for repair": _("sent for repair"),
    "stock received": _("stock received"),
    "stock issued": _("stock issued"),
    "stock adjusted": _("stock-take adjustment"),
    "column mapping remembered": _("column mapping remembered"),
    "concern entry added": _("entry added to the chronology"),
    "loan agreement accepted": _("loan agreement accepted"),
    "lending rules changed": _("lending rules changed"),
    "holiday added": _("holiday added"),
    "public holidays added": _("public holidays added"),
    "attendance code added": _("attendance code added"),
    "attendance code changed": _("attendance code changed"),
    "bulk absence recorded": _("bulk absence recorded"),
}

# Actions written with a variable part: the prefix and the values it can take.
DYNAMIC = {
    "consent": ("given", "refused", "withdrawn"),
    "stock": ("received", "issued", "adjusted"),
}


def named_actions() -> dict:
    """Actions an app names as ``TextChoices`` (``ensembles.services.Action``), with labels."""
    from harmonia.ensembles.services import Action as EnsembleAction

    return {choice.value: choice.label for choice in EnsembleAction}


def action_label(action: str) -> str:
    label = ACTIONS.get(action) or named_actions().get(action)
    return str(label) if label is not None else action.replace("_", " ").replace(".", " ")


@cache
def _model(model_name: str):
    for model in apps.get_models():
        if model._meta.model_name == model_name and model.__module__.startswith("harmonia."):
            return model
    return None


def type_label(model_name: str) -> str:
    model = _model(model_name)
    return capfirst(str(model._meta.verbose_name)) if model else capfirst(model_name)


# Keys that writes put in ``changes`` that are not field names.
KEYS = {
    "from": pgettext_lazy("change log", "from"),
    "to": pgettext_lazy("change log", "to"),
    "reason": _("reason"),
    "second of a type": _("second of a type"),
    "considered": _("considered"),
    "fields": _("fields"),
    "format": _("format"),
    "new": pgettext_lazy("change log", "new"),
    "on": pgettext_lazy("change log", "on"),
    "sessions": _("sessions"),
    "suppressed": _("suppressed"),
    "cm": _("cm"),
}


def field_label(model_name: str, field: str) -> str:
    if field in KEYS:
        return capfirst(str(KEYS[field]))
    model = _model(model_name)
    if model is None:
        return field
    try:
        return capfirst(str(model._meta.get_field(field).verbose_name))
    except FieldDoesNotExist:
        return field.replace("_", " ")


_DESCRIBED = re.compile(r"^(?P<type>[a-z_]+) (?P<id>\d+)(?: · child (?P<child>\d+))?$")


def object_label(model_name: str, object_repr: str) -> str:
    """A redacted description ("loan 7 · child 42") in the reader's language; any other
    description (a centre's or an ensemble's name) as it was recorded."""
    match = _DESCRIBED.match(object_repr)
    if not match or match["type"] != model_name:
        return object_repr
    label = f"{type_label(match['type']).lower()} {match['id']}"
    if match["child"]:
        label += " · " + gettext("child %(id)s") % {"id": match["child"]}
    return label


def annotate(events) -> None:
    """Give each event its labels for the page (``action_label``, ``type_label``, …)."""
    for event in events:
        event.action_label = action_label(event.action)
        event.type_label = type_label(event.object_type)
        event.object_label = object_label(event.object_type, event.object_repr)
        event.change_labels = [
            (field_label(event.object_type, key), value) for key, value in event.changes.items()
        ]


def changes_text(event) -> str:
    """``changes`` as one line people read: "Status: waiting; From: 2024-09-02"."""
    return "; ".join(
        f"{field_label(event.object_type, key)}: {value}" for key, value in event.changes.items()
    )
