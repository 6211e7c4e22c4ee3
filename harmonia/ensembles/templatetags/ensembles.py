from django import template

from harmonia import access
from harmonia.access import Capability as C
from harmonia.ensembles import timetable

register = template.Library()


# How many of the coming sessions (after today's) a device keeps for offline use.
PREFETCH_AHEAD = 3


def mark_for_offline(agenda: dict, ahead: int = PREFETCH_AHEAD) -> dict:
    """Mark the registers this page keeps on the device for offline use: today's
    and the next ``ahead`` — not every register it lists (the home page listed ~25,
    each a full page fetched at sign-in). Registers still to take from past days
    open online; once opened, they too work offline."""
    for o in agenda.get("today", []):
        o.offline = True
    for o in agenda.get("week", [])[:ahead]:
        o.offline = True
    return agenda


@register.inclusion_tag("ensembles/_my_sessions.html", takes_context=True)
def my_sessions(context):
    """A tutor's sessions today and this week, and registers still to take."""
    user = context["request"].user
    return {"agenda": mark_for_offline(timetable.tutor_agenda(user))}


@register.inclusion_tag("ensembles/_centre_links.html", takes_context=True)
def centre_ensemble_links(context, centre):
    """Links to a centre's ensembles, timetable and attendance, by role."""
    caps = access.capabilities_in_centre(context["request"].user, centre)
    return {
        "centre": centre,
        "show": C.VIEW_CENTRE in caps,
        "attendance": C.VIEW_CHILDREN in caps,
        "manage": C.MANAGE_CENTRE in caps,
        "codes": C.MANAGE_PROGRAMME in caps,
    }


@register.inclusion_tag("children/_attendance_link.html", takes_context=True)
def child_attendance_link(context, child):
    """The link from a child's page to their day-by-day attendance (for whoever may
    see the child's attendance)."""
    caps = access.capabilities_in_centre(context["request"].user, child.centre)
    return {"child": child, "show": C.VIEW_CHILDREN in caps}
