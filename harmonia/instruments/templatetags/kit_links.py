"""Links from a centre's page to its staff, concern log and instruments, for the
roles that may open them: ``{% load kit_links %}{% centre_kit_links centre %}``."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from harmonia import access
from harmonia.access import Capability as C

register = template.Library()


@register.inclusion_tag("instruments/_centre_links.html", takes_context=True)
def centre_kit_links(context, centre):
    user = context["request"].user
    caps = access.capabilities_in_centre(user, centre)
    links = []
    if C.VIEW_STAFF in caps:
        links.append((_("Staff and safeguarding"), reverse("staff:staff_list", args=[centre.pk])))
    if C.VIEW_CONCERNS in caps:
        links.append((_("Concern log"), reverse("staff:concern_log", args=[centre.pk])))
    if C.VIEW_INSTRUMENTS in caps:
        links.append((_("Instruments"), reverse("instruments:inventory", args=[centre.pk])))
        links.append((_("Loans"), reverse("instruments:loan_list", args=[centre.pk])))
    return {"links": links}
