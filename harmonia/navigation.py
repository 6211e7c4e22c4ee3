"""The navigation each person sees, derived from their roles (a context processor)."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from harmonia import access
from harmonia.access import Capability as C
from harmonia.ensembles import nav as ensemble_nav


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool = False


def _staff_and_instrument_items(user, centre) -> list[tuple]:
    """A centre's staff, concern log and instruments, for those whose role opens them."""
    caps = access.capabilities_in_centre(user, centre)
    items = []
    if C.VIEW_CHILDREN in caps:
        items.append((_("Children"), reverse("children:child_list", args=[centre.pk])))
    if C.VIEW_STAFF in caps:
        items.append((_("Staff"), reverse("staff:staff_list", args=[centre.pk])))
    if C.VIEW_CONCERNS in caps:
        items.append((_("Concern log"), reverse("staff:concern_log", args=[centre.pk])))
    if C.VIEW_INSTRUMENTS in caps:
        items.append((_("Instruments"), reverse("instruments:inventory", args=[centre.pk])))
    return items


def nav_items(user, path: str) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    items = [(_("Home"), reverse("home"))]
    items.extend(ensemble_nav.register_items(user))
    programmes = access.capabilities_by_programme(user)
    centres = []
    for m in access.memberships(user):
        if m.centre_id and m.centre not in centres:
            centres.append(m.centre)
    for centre in centres:
        items.append((centre.name, reverse("programmes:centre_detail", args=[centre.pk])))
        items.extend(_staff_and_instrument_items(user, centre))
        items.extend(ensemble_nav.centre_items(user, centre))
        if C.VIEW_AGGREGATES in access.capabilities_in_centre(user, centre):
            items.append(
                (_("Centre dashboard"), reverse("reports:centre_dashboard", args=[centre.pk]))
            )
    for programme, caps in programmes.values():
        items.append((programme.name, reverse("programmes:programme_detail", args=[programme.pk])))
        items.extend(ensemble_nav.programme_items(user, programme))
        if C.VIEW_AGGREGATES in access.capabilities_in_programme(user, programme):
            items.append(
                (_("Dashboard"), reverse("reports:programme_dashboard", args=[programme.pk]))
            )
        if C.MANAGE_PROGRAMME in caps:
            items.append((_("People and roles"), reverse("programmes:people", args=[programme.pk])))
            items.append(
                (
                    _("Single central record"),
                    reverse("staff:programme_central_record", args=[programme.pk]),
                )
            )
            items.append(
                (_("Instruments"), reverse("instruments:programme_fleet", args=[programme.pk]))
            )
            items.append(
                (
                    _("Areas, organisations and funders"),
                    reverse("programmes:programme_structure", args=[programme.pk]),
                )
            )
    if any(C.VIEW_AGGREGATES in caps for _programme, caps in programmes.values()):
        items.append((_("Downloads"), reverse("reports:downloads")))
    # KCSIE: every adult who works with children can raise a concern, from any page.
    if access.centres_where(user, C.RAISE_CONCERN):
        items.append((_("Raise a concern"), reverse("staff:raise_concern")))
    if user.is_staff:
        items.append((_("Django admin"), reverse("admin:index")))
    # The longest matching prefix is the current page (Home only on an exact match).
    best = max(
        (url for _label, url in items if path == url or (url != "/" and path.startswith(url))),
        key=len,
        default=None,
    )
    return [NavItem(str(label), url, url == best) for label, url in items]


def navigation(request):
    return {
        "nav_items": nav_items(request.user, request.path) if hasattr(request, "user") else [],
        "demo_mode": settings.DEMO,
    }
