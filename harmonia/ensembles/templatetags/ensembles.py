from django import template

from harmonia import access
from harmonia.access import Capability as C
from harmonia.ensembles import timetable

register = template.Library()


@register.inclusion_tag("ensembles/_my_sessions.html", takes_context=True)
def my_sessions(context):
    """A tutor's sessions today and this week, and registers still to take."""
    user = context["request"].user
    return {"agenda": timetable.tutor_agenda(user)}


@register.inclusion_tag("ensembles/_centre_links.html", takes_context=True)
def centre_ensemble_links(context, centre):
    """Links to a centre's ensembles, timetable and attendance, by role."""
    caps = access.capabilities_in_centre(context["request"].user, centre)
    return {
        "centre": centre,
        "show": C.VIEW_CENTRE in caps,
        "attendance": C.VIEW_CHILDREN in caps,
    }
