"""How a child appears on instrument pages: by name (linked to their instruments) only
for someone who may see that child (``view_children`` at the child's centre);
otherwise "a child of <centre>", so a programme lead sees the loan, not the child."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from harmonia import access

register = template.Library()


def anonymous_label(centre) -> str:
    if centre is None:
        return _("a child")
    return _("a child of %(centre)s") % {"centre": centre.name}


@register.simple_tag(takes_context=True)
def child_label(context, child, centre=None, link=True):
    """The child's name, linked, or "a child of <centre>" for a viewer who may not see it."""
    if child is None:
        return ""
    request = context.get("request")
    user = getattr(request, "user", None)
    if access.may_see_child(user, child):
        if not link:
            return str(child)
        url = reverse("instruments:child_instruments", args=[child.pk])
        return format_html('<a href="{}">{}</a>', url, child)
    return anonymous_label(centre if centre is not None else context.get("centre"))


@register.simple_tag(takes_context=True)
def borrower_label(context, loan, centre=None, link=False):
    """A loan's borrower: the school, or the child as ``child_label`` shows them."""
    if loan.child_id is None:
        return str(loan.school)
    return child_label(context, loan.child, centre, link)


@register.simple_tag(takes_context=True)
def may_see_child(context, child) -> bool:
    request = context.get("request")
    return access.may_see_child(getattr(request, "user", None), child)
