"""The navigation each person sees, derived from their roles (a context processor).

``nav_items`` is the flat list of every place a person's roles open; ``nav_menu`` is the
same places arranged to fit one row at 1280 px (``arrange``): the daily pages first,
the rest under "More" (or one menu per centre and programme for people with several).
The current section is worked out from the address (``section_of``): a centre's central
record is "Staff", its size-ups and loans "Instruments", a child's page "Children"."""

import re
from dataclasses import dataclass, field

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
    section: str = ""
    children: list = field(default_factory=list)  # a menu: its NavItems

    @property
    def is_menu(self) -> bool:
        return bool(self.children)


# Which section an address belongs to, most specific first; ``c``/``p`` capture the
# centre or programme when the address names it.
SECTIONS = [
    ("concerns", r"^/centres/(?P<c>\d+)/concerns/|^/concerns/"),
    ("staff", r"^/centres/(?P<c>\d+)/(staff|central-record)|^/staff/|^/checks/"),
    (
        "instruments",
        r"^/centres/(?P<c>\d+)/(instruments|loans|size-up|repairs|stock)/"
        r"|^/instruments/|^/loans/|^/repairs/|^/children/\d+/instruments/",
    ),
    (
        "children",
        r"^/centres/(?P<c>\d+)/(children|waiting-list|consents|imports)/"
        r"|^/children/|^/consents/|^/offers/|^/imports/",
    ),
    ("timetable", r"^/centres/(?P<c>\d+)/(timetable|terms)/|^/terms/|^/sessions/|^/dates/"),
    ("ensembles", r"^/centres/(?P<c>\d+)/(ensembles|attendance)/|^/ensembles/|^/placements/"),
    ("registers", r"^/registers/"),
    ("centre_dashboard", r"^/centres/(?P<c>\d+)/dashboard/"),
    ("centre", r"^/centres/(?P<c>\d+)/|^/schools/"),
    ("programme_attendance", r"^/programmes/(?P<p>\d+)/attendance/"),
    ("dashboard", r"^/programmes/(?P<p>\d+)/(dashboard|annual-return)/|^/grants/\d+/report/"),
    ("people", r"^/programmes/(?P<p>\d+)/(people|role-requests?)/|^/role-requests?/"),
    ("central_record", r"^/programmes/(?P<p>\d+)/central-record"),
    ("fleet", r"^/programmes/(?P<p>\d+)/(instruments|loan-agreements)/"),
    ("structure", r"^/programmes/(?P<p>\d+)/(structure|changes)/|^/structure/"),
    ("programme", r"^/programmes/(?P<p>\d+)/|^/grants/"),
    ("downloads", r"^/downloads/"),
    ("admin", r"^/admin/"),
    ("home", r"^/$"),
]
_SECTIONS = [(name, re.compile(pattern)) for name, pattern in SECTIONS]
# A centre's or programme's own page, and what goes under "More" for someone with one.
_SECONDARY = {"centre", "centre_dashboard", "structure", "downloads", "admin"}


def section_of(path: str) -> tuple[str, str]:
    """(section, "c<centre id>" / "p<programme id>" / "") of an address."""
    for name, pattern in _SECTIONS:
        found = pattern.match(path)
        if found:
            groups = found.groupdict()
            scope = f"c{groups['c']}" if groups.get("c") else ""
            scope = scope or (f"p{groups['p']}" if groups.get("p") else "")
            return name, scope
    return "", ""


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
    return _mark_current([(str(label), url) for label, url in items], path)


def _mark_current(items: list[tuple[str, str]], path: str) -> list[NavItem]:
    """The item of the section the page belongs to is current: the one of the page's
    centre or programme when the address names it, else the only one of its kind."""
    section, scope = section_of(path)
    keyed = [(label, url, *section_of(url)) for label, url in items]
    same = [k for k in keyed if k[2] == section]
    if scope:
        same = [k for k in same if k[3] == scope] or [
            k for k in keyed if k[2] in {"centre", "programme"} and k[3] == scope
        ]
    current = same[0][1] if len(same) == 1 or (scope and same) else None
    return [
        NavItem(label, url, url == current, section=item_section)
        for label, url, item_section, _scope in keyed
    ]


def arrange(items: list[NavItem]) -> list[NavItem]:
    """The items arranged for one row: someone with one centre (or one programme and
    no centre) sees that place's daily pages, and the rest under "More"; someone with
    several centres or programmes gets one menu for each. A menu holding the current
    page is current itself."""
    # A centre or programme counts as a place of work when it opens more than its page.
    scopes = []
    for item in items:
        scope = section_of(item.url)[1]
        if scope and scope not in scopes and item.section not in {"centre", "programme"}:
            scopes.append(scope)

    def secondary(item) -> bool:
        if item.section in _SECONDARY:
            return True
        return item.section == "programme" and section_of(item.url)[1] not in scopes

    top, more = [], []
    if len(scopes) <= 1:
        for item in items:
            (more if secondary(item) else top).append(item)
    else:
        menus: dict[str, list[NavItem]] = {}
        for item in items:
            scope = section_of(item.url)[1]
            if scope not in scopes:
                (more if secondary(item) else top).append(item)
                continue
            if scope not in menus:
                menus[scope] = []
                top.append(scope)  # a placeholder, replaced by the menu below
            menus[scope].append(item)
        top = [_menu(menus[i][0].label, menus[i]) if isinstance(i, str) else i for i in top]
    if more:
        top.append(_menu(str(_("More")), more))
    return top


def _menu(label: str, children: list[NavItem]) -> NavItem:
    return NavItem(label, "", any(c.current for c in children), "menu", children)


def navigation(request):
    items = nav_items(request.user, request.path) if hasattr(request, "user") else []
    return {"nav_items": items, "nav_menu": arrange(items), "demo_mode": settings.DEMO}
