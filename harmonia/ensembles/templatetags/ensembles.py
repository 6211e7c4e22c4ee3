from django import template
from django.utils import timezone

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


@register.filter
def local_time(occurrence, which: str = "start") -> str:
    """``17:00``: an occurrence's start (or ``"end"``) in its own centre's zone, on any
    page, whatever zone the page is in (``programmes.zones``)."""
    value = occurrence.local_ends_at if which == "end" else occurrence.local_starts_at
    return value.strftime("%H:%M")


@register.filter
def zone_note(occurrence) -> str:
    """The zone's place name (``Caracas``) when the occurrence keeps a different time
    from the page, so a person whose centres span zones knows which 17:00 is meant."""
    name = occurrence.time_zone
    if name == timezone.get_current_timezone_name():
        return ""
    return zone_label(name)


@register.filter
def zone_label(name: str) -> str:
    """``America/Caracas`` → ``Caracas``; ``America/Argentina/Buenos_Aires`` → ``Buenos Aires``."""
    return (name or "").rsplit("/", 1)[-1].replace("_", " ")
