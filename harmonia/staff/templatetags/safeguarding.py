"""Safeguarding on pages other apps own: the safeguarding lead's alert on the home page
(``{% concern_alerts %}``) and a "Raise a concern" link about one child
(``{% raise_concern_link child %}``), for every adult who may raise one there."""

from django import template
from django.urls import reverse

from harmonia import access
from harmonia.access import Capability as C
from harmonia.staff import services

register = template.Library()


@register.inclusion_tag("staff/_concern_alerts.html", takes_context=True)
def concern_alerts(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"alerts": services.open_concerns_for(user) if user is not None else []}


@register.inclusion_tag("staff/_raise_concern_link.html", takes_context=True)
def raise_concern_link(context, child):
    request = context.get("request")
    user = getattr(request, "user", None)
    url = ""
    may = user is not None and child is not None and child.centre_id
    if may and C.RAISE_CONCERN in access.capabilities_in_centre(user, child.centre):
        url = reverse("staff:concern_create", args=[child.centre_id]) + f"?child={child.pk}"
    return {"url": url}
