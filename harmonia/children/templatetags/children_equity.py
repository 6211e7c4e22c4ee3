from django import template

from harmonia import access
from harmonia.access import Capability as C
from harmonia.children.equity import SUPPRESS_BELOW, centre_profile, programme_profile

register = template.Library()


@register.inclusion_tag("children/equity_profile.html", takes_context=True)
def equity_profile(context, centre):
    """The aggregate equity section of a centre page, for roles that see aggregates."""
    caps = access.capabilities_in_centre(context["request"].user, centre)
    if not ({C.VIEW_AGGREGATES, C.MANAGE_CENTRE} & caps):
        return {"hidden": True}
    from harmonia.reports.returns import must_suppress

    user = context["request"].user
    suppress = must_suppress(user, centre.programme, [centre])
    return {"profile": centre_profile(centre, suppress=suppress)}


@register.inclusion_tag("children/centre_children_link.html", takes_context=True)
def centre_children_link(context, centre):
    """A link to the centre's children for roles that may see named children."""
    caps = access.capabilities_in_centre(context["request"].user, centre)
    return {"centre": centre, "show": C.VIEW_CHILDREN in caps}


@register.inclusion_tag("children/programme_equity.html", takes_context=True)
def programme_equity_profile(context, programme):
    """Who each centre reaches, for roles that see the programme's aggregates."""
    caps = access.capabilities_in_programme(context["request"].user, programme)
    if C.VIEW_AGGREGATES not in caps:
        return {"hidden": True}
    from harmonia.reports.returns import must_suppress

    suppress = must_suppress(context["request"].user, programme)
    return {
        "rows": programme_profile(programme, suppress=suppress),
        "suppress_below": SUPPRESS_BELOW,
    }
