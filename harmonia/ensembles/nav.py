"""Navigation entries for ensembles, the timetable and registers (used by harmonia.navigation)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from harmonia import access
from harmonia.access import Capability as C


def register_items(user) -> list[tuple]:
    """ "Registers" for anyone who takes registers anywhere."""
    if access.holds_anywhere(user, C.TAKE_REGISTER):
        return [(_("Registers"), reverse("ensembles:today"))]
    return []


def centre_items(user, centre) -> list[tuple]:
    caps = access.capabilities_in_centre(user, centre)
    if C.VIEW_CHILDREN not in caps and C.MANAGE_CENTRE not in caps:
        return []
    return [
        (_("Ensembles"), reverse("ensembles:ensemble_list", args=[centre.pk])),
        (_("Timetable"), reverse("ensembles:timetable", args=[centre.pk])),
    ]


def programme_items(user, programme) -> list[tuple]:
    if C.VIEW_AGGREGATES not in access.capabilities_in_programme(user, programme):
        return []
    return [(_("Attendance"), reverse("ensembles:programme_attendance", args=[programme.pk]))]
