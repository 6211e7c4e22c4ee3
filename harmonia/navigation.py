"""The navigation each person sees, derived from their roles (a context processor)."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from harmonia import access
from harmonia.access import ROLE_CAPABILITIES
from harmonia.access import Capability as C


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool = False


def nav_items(user, path: str) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    items = [(_("Home"), reverse("home"))]
    programmes: dict[int, tuple] = {}
    centres = []
    for m in access.memberships(user):
        programme = m.programme or m.centre.programme
        caps = programmes.setdefault(programme.pk, (programme, set()))[1]
        caps |= ROLE_CAPABILITIES[m.role]
        if m.centre_id and m.centre not in centres:
            centres.append(m.centre)
    for centre in centres:
        items.append((centre.name, reverse("programmes:centre_detail", args=[centre.pk])))
    for programme, caps in programmes.values():
        items.append((programme.name, reverse("programmes:programme_detail", args=[programme.pk])))
        if C.MANAGE_PROGRAMME in caps:
            items.append((_("People and roles"), reverse("programmes:people", args=[programme.pk])))
            items.append(
                (
                    _("Areas, organisations and funders"),
                    reverse("programmes:programme_structure", args=[programme.pk]),
                )
            )
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
