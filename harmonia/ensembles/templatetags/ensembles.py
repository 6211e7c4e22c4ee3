from django import template
from django.utils import timezone

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


def webcal(url: str) -> str:
    """``https://host/feed.ics`` → ``webcal://host/feed.ics``: calendar apps open a
    ``webcal://`` link as "subscribe", so the feed keeps itself up to date."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url[len(scheme) :]
    return url


@register.inclusion_tag("ensembles/_feed_subscribe.html")
def feed_subscribe(feed_url: str, label: str = ""):
    """Subscribe to a calendar feed: a ``webcal://`` link, the address with a copy
    button (``ensembles/copy-link.js``) and a QR code (SVG) for a phone's camera."""
    import segno
    from django.utils.html import escape
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext

    subscribe = webcal(feed_url)
    title = escape(gettext("QR code of the calendar address"))
    qr = segno.make(subscribe, error="m").svg_inline(
        scale=3, border=4, dark="#000", light="#fff", title=title
    )
    # segno writes the address as path data only; the title is escaped above.
    return {"feed_url": feed_url, "webcal_url": subscribe, "qr": mark_safe(qr), "label": label}  # noqa: S308


@register.inclusion_tag("children/_attendance_link.html", takes_context=True)
def child_attendance_link(context, child):
    """The link from a child's page to their day-by-day attendance (for whoever may
    see the child's attendance)."""
    caps = access.capabilities_in_centre(context["request"].user, child.centre)
    return {"child": child, "show": C.VIEW_CHILDREN in caps}
