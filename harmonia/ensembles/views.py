"""Ensemble, timetable, register and attendance pages. Each view: access helper
first, then one service call, then render, redirect or JSON."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

import harmonia
from harmonia import access
from harmonia.access import Capability as C
from harmonia.children import privacy
from harmonia.ensembles import (
    attendance,
    calendar_feeds,
    codes,
    forms,
    insight,
    leads,
    register,
    services,
    timetable,
)
from harmonia.ensembles.models import (
    AbsenceReason,
    AttendanceCode,
    CalendarToken,
    Ensemble,
    EnsembleLead,
    Holiday,
    Mark,
    Occurrence,
    Placement,
    Section,
    Session,
    Term,
)
from harmonia.ensembles.templatetags.ensembles import PREFETCH_AHEAD, mark_for_offline
from harmonia.programmes import zones
from harmonia.programmes.models import Centre, Programme
from harmonia.reports.disclosure import protect_separate


def _form_page(request, form, *, title, back, intro="", delete_url=None, delete_text=""):
    return render(
        request,
        "ensembles/form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "intro": intro,
            "delete_url": delete_url,
            "delete_text": delete_text,
        },
    )


# Ensembles -------------------------------------------------------------------


@login_required
def ensemble_list(request, centre_pk):
    centre = access.get_for(request.user, Centre.objects.select_related("programme"), centre_pk)
    caps = access.capabilities_in_centre(request.user, centre)
    zones.activate_for_centre(centre)
    today = zones.local_today(centre)
    ensembles = (
        Ensemble.objects.visible_to(request.user)
        .filter(member_centres=centre)
        .select_related("centre")
        .annotate(
            members=Count(
                "placements",
                filter=Q(placements__start__lte=today)
                & (Q(placements__end__isnull=True) | Q(placements__end__gt=today)),
                distinct=True,
            ),
            section_count=Count("sections", distinct=True),
            session_count=Count("sessions", distinct=True),
        )
        .order_by("-active", "name")
    )
    return render(
        request,
        "ensembles/ensemble_list.html",
        {
            "centre": centre,
            "ensembles": ensembles,
            "can_manage": C.MANAGE_CENTRE in caps,
        },
    )


@login_required
def ensemble_create(request, centre_pk):
    centre = access.get_for(request.user, Centre.objects.all(), centre_pk, C.MANAGE_CENTRE)
    form = forms.EnsembleForm(request.POST or None, centre=centre)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ensemble = services.create_ensemble(
                centre,
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
                active=data["active"],
                member_centres=data["member_centres"],
                by=request.user,
            )
        except services.EnsembleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": ensemble})
            return redirect(ensemble)
    back = reverse("ensembles:ensemble_list", args=[centre.pk])
    return _form_page(request, form, title=_("New ensemble"), back=back)


@login_required
def ensemble_edit(request, pk):
    ensemble = access.get_for(request.user, Ensemble.objects.all(), pk, C.MANAGE_CENTRE)
    centre = ensemble.centre or ensemble.member_centres.first()
    form = forms.EnsembleForm(request.POST or None, instance=ensemble, centre=centre)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The form leaves out the centre it was opened from (the home centre, or
            # for a national ensemble its first member): it stays a member.
            ensemble = services.update_ensemble(
                ensemble,
                by=request.user,
                member_centres=[centre, *data["member_centres"]],
                **{name: data[name] for name in services.ENSEMBLE_FIELDS},
            )
        except services.EnsembleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": ensemble})
            return redirect(ensemble)
    return _form_page(request, form, title=_("Edit ensemble"), back=ensemble.get_absolute_url())


@login_required
def ensemble_detail(request, pk):
    ensemble = access.get_for(
        request.user, Ensemble.objects.select_related("centre", "programme"), pk
    )
    member_centres = list(ensemble.member_centres.all())
    centre = ensemble.centre or (member_centres[0] if member_centres else None)
    caps = access.capabilities_in_centre(request.user, centre) if centre else frozenset()
    lead_grants = list(ensemble.leads.active().select_related("user", "centre", "granted_by"))
    # Children: only those of centres where this person holds a role, or whose
    # manager granted them the lead of this joint ensemble (harmonia.access).
    shared_caps = access.capabilities_in_ensemble(
        request.user,
        ensemble,
        member_centres=member_centres,
        lead=any(g.user_id == request.user.pk for g in lead_grants),
    )
    can_see_children = C.VIEW_CHILDREN in shared_caps
    placements = access.in_ensemble(
        Placement.objects.filter(ensemble=ensemble), request.user, ensemble, C.VIEW_CHILDREN
    )
    if centre is not None:
        zones.activate_for_centre(centre)
    today = timezone.localdate()
    sections = list(ensemble.sections.all())
    members = []
    if can_see_children:
        members = list(
            placements.current_on(today)
            .select_related("child", "section", "child__centre")
            .order_by("section__order", "section__name", "desk", "child__last_name")
        )
    rates = insight.child_rates(
        [p.child_id for p in members], since=today - dt.timedelta(days=84), until=today
    )
    for p in members:
        p.rate = rates.get(p.child_id)
    history = []
    if can_see_children:
        history = list(
            placements.filter(end__isnull=False, end__lte=today)
            .select_related("child")
            .order_by("-end")[:20]
        )
    can_grant_lead = len(member_centres) > 1 and any(
        access.may_grant_ensemble_lead(request.user, c) for c in member_centres
    )
    privacy.log_seen(request, [p.child_id for p in members + history])
    sessions = (
        ensemble.sessions.filter(Q(ends_on__gte=today) | Q(ends_on=None, term__end__gte=today))
        .select_related("term")
        .prefetch_related("tutors")
        .order_by("weekday", "start_time")
    )
    coming = ensemble.occurrences.filter(date__gte=today).select_related("session")
    # The next eight dates, and the next one-off dates (a concert months away) too.
    upcoming = sorted(
        {
            o.pk: o
            for o in [
                *coming.order_by("starts_at")[:8],
                *coming.filter(session=None).order_by("starts_at")[:4],
            ]
        }.values(),
        key=lambda o: (o.starts_at, o.pk),
    )
    if C.VIEW_CENTRE not in caps:  # a member centre's person: lead back to their centre
        centre = next(
            (
                c
                for c in member_centres
                if C.VIEW_CENTRE in access.capabilities_in_centre(request.user, c)
            ),
            centre,
        )
    return render(
        request,
        "ensembles/ensemble_detail.html",
        {
            "ensemble": ensemble,
            "centre": centre,
            "sections": sections,
            "members": members,
            "history": history,
            "sessions": sessions,
            "upcoming": upcoming,
            "can_see_children": can_see_children,
            "can_manage": C.MANAGE_CENTRE in caps,
            "can_place": C.MANAGE_CHILDREN in caps,
            "leads": lead_grants,
            # Centres whose children's records this person may open (a lead grant
            # shows names in the ensemble, not the child's record).
            "record_centres": {
                c.pk
                for c in member_centres
                if C.VIEW_CHILDREN in access.capabilities_in_centre(request.user, c)
            },
            "can_grant_lead": can_grant_lead,
            "feed_url": request.build_absolute_uri(
                reverse("ensembles:ensemble_feed", args=[ensemble.feed_token])
            )
            if calendar_feeds.may_see_address(caps)
            else None,
            "can_renew_feed": calendar_feeds.may_renew(caps),
        },
    )


@login_required
def ensemble_leads(request, pk):
    """Lead tutors of a joint ensemble: a centre's manager shares that centre's children
    of this ensemble with a named tutor (and can take it back)."""
    ensemble = access.get_for(request.user, Ensemble.objects.select_related("programme"), pk)
    centres = Centre.objects.filter(
        pk__in=[
            c.pk
            for c in ensemble.member_centres.all()
            if access.may_grant_ensemble_lead(request.user, c)
        ]
    )
    if not centres:
        raise PermissionDenied
    form = forms.EnsembleLeadForm(request.POST or None, ensemble=ensemble, centres=centres)
    if request.method == "POST" and form.is_valid():
        try:
            lead = leads.grant_ensemble_lead(
                ensemble,
                user=form.cleaned_data["user"],
                centre=form.cleaned_data["centre"],
                by=request.user,
            )
        except leads.LeadError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(user)s now leads %(ensemble)s for the children of %(centre)s.")
                % {"user": lead.user, "ensemble": ensemble, "centre": lead.centre},
            )
            return redirect(ensemble)
    return render(
        request,
        "ensembles/ensemble_leads.html",
        {
            "ensemble": ensemble,
            "form": form,
            "leads": ensemble.leads.select_related("user", "centre", "granted_by", "revoked_by"),
            "revocable": {c.pk for c in centres},
        },
    )


@login_required
@require_POST
def ensemble_lead_revoke(request, pk):
    lead = access.get_for(
        request.user, EnsembleLead.objects.select_related("ensemble__programme", "centre"), pk
    )
    try:
        leads.revoke_ensemble_lead(lead, by=request.user)
    except leads.LeadError:
        raise PermissionDenied from None
    messages.success(
        request,
        _("%(user)s no longer sees the children of %(centre)s in this ensemble.")
        % {"user": lead.user, "centre": lead.centre},
    )
    return redirect("ensembles:ensemble_leads", pk=lead.ensemble_id)


@login_required
def section_create(request, pk):
    ensemble = access.get_for(request.user, Ensemble.objects.all(), pk, C.MANAGE_CENTRE)
    form = forms.SectionForm(request.POST or None, instance=Section(ensemble=ensemble))
    if request.method == "POST" and form.is_valid():
        try:
            section = services.create_section(
                ensemble,
                name=form.cleaned_data["name"],
                order=form.cleaned_data["order"],
                by=request.user,
            )
        except services.EnsembleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": section})
            return redirect(ensemble)
    return _form_page(request, form, title=_("New section"), back=ensemble.get_absolute_url())


@login_required
def section_edit(request, pk):
    section = access.get_for(
        request.user, Section.objects.select_related("ensemble__programme"), pk, C.MANAGE_CENTRE
    )
    ensemble = section.ensemble
    form = forms.SectionForm(request.POST or None, instance=section)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_section(
                section,
                name=form.cleaned_data["name"],
                order=form.cleaned_data["order"],
                by=request.user,
            )
        except services.EnsembleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": form.cleaned_data["name"]})
            return redirect(ensemble)
    return _form_page(
        request,
        form,
        title=_("Edit section"),
        back=ensemble.get_absolute_url(),
        delete_url=reverse("ensembles:section_delete", args=[section.pk]),
        delete_text=_("Remove this section. Its children stay in the ensemble, without a section."),
    )


@login_required
@require_POST
def section_delete(request, pk):
    section = access.get_for(
        request.user, Section.objects.select_related("ensemble__programme"), pk, C.MANAGE_CENTRE
    )
    ensemble = section.ensemble
    services.delete_section(section, by=request.user)
    messages.success(request, _("Removed “%(name)s”.") % {"name": section.name})
    return redirect(ensemble)


@login_required
def place_child(request, pk):
    """Place a child in this ensemble, or move them here from another (history kept)."""
    ensemble = access.get_for(request.user, Ensemble.objects.all(), pk, C.MANAGE_CHILDREN)
    centres = access.scope(
        Centre.objects.filter(pk__in=ensemble.member_centres.values("pk")),
        request.user,
        C.MANAGE_CHILDREN,
    )
    form = forms.PlacementForm(
        request.POST or None, ensemble=ensemble, centres=centres, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            placement = services.place_child(
                ensemble,
                child=data["child"],
                start=data["start"],
                section=data["section"],
                instrument=data["instrument"],
                desk=data["desk"],
                note=data["note"],
                move_from=data.get("move_from"),
                by=request.user,
            )
        except services.EnsembleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(child)s now plays in %(ensemble)s.")
                % {"child": placement.child, "ensemble": ensemble},
            )
            return redirect(ensemble)
    return _form_page(
        request, form, title=_("Place or move a child"), back=ensemble.get_absolute_url()
    )


@login_required
@require_POST
def placement_end(request, pk):
    placement = access.get_for(
        request.user, Placement.objects.select_related("ensemble"), pk, C.MANAGE_CHILDREN
    )
    if placement.end is None:
        services.end_placement(placement, by=request.user)
        messages.success(
            request, _("%(child)s has left the ensemble.") % {"child": placement.child}
        )
    return redirect(placement.ensemble)


# Timetable -------------------------------------------------------------------


@login_required
def timetable_page(request, centre_pk):
    centre = access.get_for(request.user, Centre.objects.select_related("programme"), centre_pk)
    caps = access.capabilities_in_centre(request.user, centre)
    zone_name = zones.activate_for_centre(centre)
    today = zones.local_today(centre)
    week_start = today - dt.timedelta(days=today.weekday())
    with contextlib.suppress(ValueError):
        week_start = dt.date.fromisoformat(request.GET.get("week", "")) or week_start
    week_start -= dt.timedelta(days=week_start.weekday())
    occurrences = (
        Occurrence.objects.visible_to(request.user)
        .filter(
            ensemble__member_centres=centre, date__range=(week_start, week_start + dt.timedelta(6))
        )
        .select_related("ensemble", "session")
        .prefetch_related("session__tutors", "tutors")
        .order_by("starts_at")
    )
    days = [{"date": week_start + dt.timedelta(days=i), "items": []} for i in range(7)]
    for occurrence in occurrences:
        days[(occurrence.date - week_start).days]["items"].append(occurrence)
    return render(
        request,
        "ensembles/timetable.html",
        {
            "centre": centre,
            "terms": Term.objects.filter(centre=centre, end__gte=today - dt.timedelta(days=365)),
            "sessions": Session.objects.filter(ensemble__member_centres=centre)
            .select_related("ensemble", "term")
            .prefetch_related("tutors")
            .order_by("weekday", "start_time"),
            "days": days,
            "week_start": week_start,
            "previous_week": week_start - dt.timedelta(days=7),
            "next_week": week_start + dt.timedelta(days=7),
            "settings": timetable.centre_settings(centre),
            "zone_name": zone_name,
            "today": today,
            "holidays": Holiday.objects.filter(
                Q(centre__isnull=True) | Q(centre=centre),
                programme_id=centre.programme_id,
                end__gte=today,
            ).order_by("start")[:8],
            "can_manage": C.MANAGE_CENTRE in caps,
            "can_register": C.TAKE_REGISTER in caps,
        },
    )


@login_required
def term_create(request, centre_pk):
    centre = access.get_for(request.user, Centre.objects.all(), centre_pk, C.MANAGE_CENTRE)
    form = forms.TermForm(request.POST or None, centre=centre)
    return _save_term(request, form, centre, _("New term or holiday"))


@login_required
def term_edit(request, pk):
    term = access.get_for(
        request.user, Term.objects.select_related("centre__programme"), pk, C.MANAGE_CENTRE
    )
    form = forms.TermForm(request.POST or None, instance=term, centre=term.centre)
    delete_url = reverse("ensembles:term_delete", args=[term.pk])
    return _save_term(request, form, term.centre, _("Edit term or holiday"), delete_url)


def _save_term(request, form, centre, title, delete_url=None):
    """Terms decide which dates sessions fall on: after a change, "Fill in the dates"
    adds any new ones (dates already generated are kept, with their registers)."""
    back = reverse("ensembles:timetable", args=[centre.pk])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            term = services.save_term(
                centre,
                term=form.instance if form.instance.pk else None,
                name=data["name"],
                kind=data["kind"],
                start=data["start"],
                end=data["end"],
                by=request.user,
            )
        except services.EnsembleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": term})
            return redirect(back)
    return _form_page(request, form, title=title, back=back, delete_url=delete_url)


@login_required
@require_POST
def term_delete(request, pk):
    term = access.get_for(
        request.user, Term.objects.select_related("centre__programme"), pk, C.MANAGE_CENTRE
    )
    centre = term.centre
    try:
        services.delete_term(term, by=request.user)
    except services.EnsembleError as error:
        messages.error(request, str(error))
        return redirect("ensembles:term_edit", pk=term.pk)
    messages.success(request, _("Removed “%(name)s”.") % {"name": term.name})
    return redirect("ensembles:timetable", centre_pk=centre.pk)


@login_required
def register_settings(request, centre_pk):
    centre = access.get_for(request.user, Centre.objects.all(), centre_pk, C.MANAGE_CENTRE)
    instance = timetable.centre_settings(centre)
    form = forms.RegisterSettingsForm(request.POST or None, instance=instance)
    back = reverse("ensembles:timetable", args=[centre.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.save_register_settings(
                centre,
                by=request.user,
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except services.EnsembleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Register settings saved."))
            return redirect(back)
    return _form_page(request, form, title=_("Register settings"), back=back)


@login_required
def session_create(request, pk):
    ensemble = access.get_for(request.user, Ensemble.objects.all(), pk, C.MANAGE_CENTRE)
    form = forms.SessionForm(request.POST or None, ensemble=ensemble)
    return _save_session(request, form, ensemble, _("New session"))


@login_required
def session_edit(request, pk):
    session = access.get_for(
        request.user, Session.objects.select_related("ensemble"), pk, C.MANAGE_CENTRE
    )
    form = forms.SessionForm(request.POST or None, instance=session, ensemble=session.ensemble)
    delete_url = reverse("ensembles:session_delete", args=[session.pk])
    return _save_session(request, form, session.ensemble, _("Edit session"), delete_url)


def _save_session(request, form, ensemble, title, delete_url=None):
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session, created = services.save_session(
                ensemble,
                session=form.instance if form.instance.pk else None,
                tutors=data["tutors"],
                by=request.user,
                **{name: data[name] for name in services.SESSION_FIELDS},
            )
        except services.EnsembleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Saved “%(name)s”; %(count)s new dates in the timetable.")
                % {"name": session, "count": created},
            )
            return redirect(ensemble)
    return _form_page(
        request,
        form,
        title=title,
        back=ensemble.get_absolute_url(),
        delete_url=delete_url,
        delete_text=_(
            "Remove this session. Its coming dates without a register are removed; past "
            "dates and their registers are kept."
        ),
    )


@login_required
@require_POST
def session_delete(request, pk):
    session = access.get_for(
        request.user, Session.objects.select_related("ensemble__programme"), pk, C.MANAGE_CENTRE
    )
    ensemble = session.ensemble
    name = str(session)
    result = services.delete_session(session, by=request.user)
    messages.success(
        request,
        _("Removed “%(name)s”: %(removed)s coming dates removed, %(kept)s past dates kept.")
        % {"name": name, **result},
    )
    return redirect(ensemble)


@login_required
@require_POST
def generate(request, centre_pk):
    centre = access.get_for(request.user, Centre.objects.all(), centre_pk, C.MANAGE_CENTRE)
    sessions = Session.objects.filter(ensemble__member_centres=centre).distinct()
    created = services.generate_dates(sessions, by=request.user)
    messages.success(request, _("%(count)s new dates added to the timetable.") % {"count": created})
    return redirect("ensembles:timetable", centre.pk)


@login_required
def occurrence_create(request, pk):
    """A one-off date: a concert, a holiday course, an extra rehearsal."""
    ensemble = access.get_for(
        request.user, Ensemble.objects.select_related("centre", "programme"), pk, C.MANAGE_CENTRE
    )
    form = forms.OccurrenceForm(request.POST or None, ensemble=ensemble)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            occurrence = services.add_one_off(
                ensemble,
                kind=data["kind"],
                starts_at=data["starts_at"],
                minutes=data["minutes"],
                title=data["title"],
                venue=data["venue"],
                tutors=data["tutors"],
                note=data["note"],
                by=request.user,
            )
        except services.EnsembleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": occurrence})
            return redirect(ensemble)
    return _form_page(request, form, title=_("One-off session"), back=ensemble.get_absolute_url())


@login_required
def occurrence_edit(request, pk):
    occurrence = access.get_for(
        request.user,
        Occurrence.objects.select_related("ensemble", "ensemble__centre", "ensemble__programme"),
        pk,
        C.MANAGE_CENTRE,
    )
    ensemble = occurrence.ensemble
    form = forms.OccurrenceForm(request.POST or None, instance=occurrence, ensemble=ensemble)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            occurrence = services.change_occurrence(
                occurrence,
                tutors=data["tutors"],
                by=request.user,
                **{name: data[name] for name in services.OCCURRENCE_FIELDS},
            )
        except services.EnsembleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": occurrence})
            return redirect(ensemble)
    delete_url = None
    if services.may_delete_occurrence(occurrence):
        delete_url = reverse("ensembles:occurrence_delete", args=[occurrence.pk])
    return _form_page(
        request,
        form,
        title=_("Change or cancel this date"),
        back=ensemble.get_absolute_url(),
        delete_url=delete_url,
        delete_text=_("Remove this date: it was added by mistake and has no register."),
    )


@login_required
@require_POST
def occurrence_delete(request, pk):
    """Remove a one-off date added by mistake (a date with a register is cancelled
    instead, so its marks are kept)."""
    occurrence = access.get_for(
        request.user,
        Occurrence.objects.select_related("ensemble__programme"),
        pk,
        C.MANAGE_CENTRE,
    )
    ensemble = occurrence.ensemble
    try:
        services.delete_occurrence(occurrence, by=request.user)
    except services.EnsembleError as error:
        messages.error(request, str(error))
        return redirect("ensembles:occurrence_edit", pk=occurrence.pk)
    messages.success(request, _("Removed “%(name)s”.") % {"name": occurrence.display_title})
    return redirect(ensemble)


# The register ----------------------------------------------------------------


@login_required
def today(request):
    """Registers to take today: the tutor's own first, then the rest of their centres.
    "Today" is each centre's own date: at 02:00 UTC it is still yesterday in Caracas."""
    day = timezone.localdate()  # the person's home zone (programmes.zones)
    near = (day - dt.timedelta(days=1), day + dt.timedelta(days=1))
    visible = Occurrence.objects.filter(
        pk__in=access.scope(Occurrence.objects.all(), request.user, C.TAKE_REGISTER).values("pk")
    )
    occurrences = [
        o
        for o in visible.filter(date__range=near)
        .select_related("ensemble", "session")
        .annotate(marked=Count("marks"))
        .order_by("starts_at")
        if o.date == zones.local_today_in(o.time_zone)
    ]
    mine = set(
        Occurrence.objects.filter(timetable.taught_by(request.user), date__range=near).values_list(
            "pk", flat=True
        )
    )
    own = [o for o in occurrences if o.pk in mine]
    others = [o for o in occurrences if o.pk not in mine]
    # Kept on the device for offline use: the person's own registers today, and a few
    # of their colleagues' (cover), not every register of the centre.
    for o in own + others[: max(0, PREFETCH_AHEAD - len(own))]:
        o.offline = True
    return render(
        request,
        "ensembles/today.html",
        {"mine": own, "others": others, "date": day},
    )


def _register_occurrence(request, pk):
    return access.get_for(
        request.user,
        Occurrence.objects.select_related(
            "ensemble", "ensemble__programme", "centre", "session", "register_taken_by"
        ),
        pk,
        C.TAKE_REGISTER,
    )


@login_required
@never_cache
def register_page(request, pk):
    """The register on a phone. Queries do not grow with the roster (see the tests).

    Who may see which children is worked out once (``access.ensemble_child_centres``)
    and reused by the roster, the safety notes, the marks and the history."""
    occurrence = _register_occurrence(request, pk)
    centre = occurrence.centre or occurrence.ensemble.centre
    caps = access.capabilities_in_centre(request.user, centre) if centre else frozenset()
    timezone.activate(zoneinfo.ZoneInfo(occurrence.time_zone))
    opens_on = register.opens_on(occurrence)
    centres = access.ensemble_child_centres(
        request.user, occurrence.ensemble_id, register.PAGE_NEEDS
    )
    # Only the children this person may mark (a shared ensemble: their centres' own).
    rows = register.roster_rows(occurrence, user=request.user, centres=centres)
    marks = {
        child: {"status": status, "reason": reason, "note": note, "minutes_late": minutes}
        for child, status, reason, note, minutes in access.in_ensemble(
            Mark.objects.filter(occurrence=occurrence),
            request.user,
            occurrence.ensemble_id,
            C.TAKE_REGISTER,
            centres=centres,
        ).values_list("child_id", "status", "reason", "note", "late_minutes")
    }
    all_codes = codes.for_programme(occurrence.ensemble.programme_id, active_only=False)
    labels = {c.code: c.display_label for c in all_codes}
    # The centre's default only matters for a register nobody has saved yet.
    default = (
        "" if occurrence.register_taken_at else timetable.centre_settings(centre).register_default
    )
    for row in rows:
        row["mark"] = marks.get(row["id"])
    changes = list(register.history(occurrence, user=request.user, centres=centres))
    for change in changes:
        change.old_label = labels.get(change.old_status, change.old_status)
        change.new_label = labels.get(change.new_status, change.new_status)
    privacy.log_seen(request, [row["id"] for row in rows] + [c.child_id for c in changes])
    state = {
        "occurrence": occurrence.pk,
        "submit": reverse("ensembles:register_submit", args=[occurrence.pk]),
        "user": request.user.pk,
        "default": default,
        "taken": occurrence.register_taken_at.isoformat() if occurrence.register_taken_at else "",
        "marks": {str(child): m for child, m in marks.items()},
        "codes": codes.register_state(all_codes),
    }
    return render(
        request,
        "ensembles/register.html",
        {
            "occurrence": occurrence,
            "rows": rows,
            "rows_html": register.rows_html(rows),
            "labels": register.labels_html(),
            "state": state,
            "counts": {"total": len(rows), "marked": sum(1 for r in rows if r["mark"])},
            "codes": [c for c in all_codes if c.active],
            "reasons": AbsenceReason.choices,
            "history": changes,
            "can_edit_timetable": C.MANAGE_CENTRE in caps,
            "opens_on": opens_on,
            "today": register.local_today(occurrence),
        },
    )


@login_required
@require_POST
def register_submit(request, pk):
    """The JSON endpoint the register (and its offline queue) posts to."""
    occurrence = _register_occurrence(request, pk)
    try:
        payload = json.loads(request.body or b"{}")
        if not isinstance(payload, dict):
            raise ValueError
    except ValueError:
        return JsonResponse({"error": _("The submission is not valid JSON.")}, status=400)
    try:
        result = register.submit_register(
            occurrence,
            key=payload.get("key"),
            marks=payload.get("marks"),
            by=request.user,
            user=payload.get("user"),
        )
    except (register.RegisterRefused, register.SubmissionRefused) as error:
        return JsonResponse({"error": str(error)}, status=403)
    except register.RegisterNotOpen as error:
        return JsonResponse({"error": str(error), "opens_on": occurrence.date}, status=409)
    except register.RegisterError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(result)


@functools.cache
def _service_worker_source() -> str:
    """The queue module, the release line, then the worker (built once per process).

    The cache name carries the release and a hash of the two files, so a new release
    (or any change to the offline code) makes browsers install the new worker, which
    drops the old cache."""
    folder = settings.BASE_DIR / "harmonia" / "static" / "ensembles"
    queue = (folder / "offline-queue.js").read_text()
    worker = (folder / "register-sw.js").read_text()
    digest = hashlib.sha256((queue + worker).encode()).hexdigest()[:10]
    release = f"{harmonia.__version__}-{digest}"
    line = f"const RELEASE = {json.dumps(release)};\nconst MAX_AGE = {settings.SESSION_COOKIE_AGE};"
    return f"{queue}\n{line}\n{worker}"


def service_worker(request):
    """The offline register's service worker, served from the site root so that its
    scope covers the register pages (``Service-Worker-Allowed: /``)."""
    response = HttpResponse(_service_worker_source(), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


# Calendar feeds ---------------------------------------------------------------


def ensemble_feed(request, token):
    """An ensemble's timetable for calendar apps. The unguessable token in the address
    is the only credential (calendar apps cannot sign in); a wrong token is a 404."""
    ensemble = Ensemble.objects.filter(feed_token=token).select_related("centre").first()
    if ensemble is None:
        raise Http404
    occurrences = Occurrence.objects.filter(ensemble=ensemble)
    zone = (
        zones.zone_name_for_centre(ensemble.centre_id)
        if ensemble.centre_id
        else zones.zone_name_for_programme(ensemble.programme_id)
    )
    return calendar_feeds.response(
        calendar_feeds.build(occurrences, name=str(ensemble), zone=zone),
        f"ensemble-{ensemble.pk}",
    )


def tutor_feed(request, token):
    """A tutor's own sessions, by the token in their feed address (404 when wrong)."""
    found = CalendarToken.objects.filter(token=token).select_related("user").first()
    if found is None or not found.user.is_active:
        raise Http404
    occurrences = Occurrence.objects.filter(
        pk__in=Occurrence.objects.filter(timetable.taught_by(found.user)).values("pk")
    )
    name = _("Harmonia: %(name)s") % {"name": found.user}
    zone = zones.home_zone_name(found.user)
    return calendar_feeds.response(
        calendar_feeds.build(occurrences, name=name, zone=zone), "my-sessions"
    )


@login_required
def my_timetable(request):
    token = services.calendar_token(request.user)
    agenda = mark_for_offline(timetable.tutor_agenda(request.user))
    return render(
        request,
        "ensembles/my_timetable.html",
        {
            "agenda": agenda,
            "feed_url": request.build_absolute_uri(
                reverse("ensembles:tutor_feed", args=[token.token])
            ),
        },
    )


@login_required
@require_POST
def ensemble_feed_renew(request, pk):
    """A new calendar address for an ensemble (when the old one was shared too widely)."""
    ensemble = access.get_for(request.user, Ensemble.objects.all(), pk, C.MANAGE_CENTRE)
    calendar_feeds.renew_ensemble_feed(ensemble, by=request.user)
    messages.success(request, _("The calendar address was changed; the old one no longer works."))
    return redirect(ensemble)


@login_required
@require_POST
def feed_reset(request):
    """A new feed address; the old one stops working (when a phone is lost)."""
    services.renew_tutor_feed(request.user)
    messages.success(request, _("Your calendar address was changed; the old one no longer works."))
    return redirect("ensembles:my_timetable")


# Attendance insight -----------------------------------------------------------


@login_required
def centre_attendance(request, centre_pk):
    centre = access.get_for(
        request.user, Centre.objects.select_related("programme"), centre_pk, C.VIEW_CHILDREN
    )
    zones.activate_for_centre(centre)
    today = zones.local_today(centre)
    term = insight.current_term(centre, today)
    since = term.start if term else today - dt.timedelta(days=84)
    children = insight.by_child(centre, since, today)
    drifting = insight.drifting_away(centre, today)
    privacy.log_seen(request, children + drifting)
    return render(
        request,
        "ensembles/centre_attendance.html",
        {
            "centre": centre,
            "term": term,
            "since": since,
            "today": today,
            "summary": insight.summary(insight.marks_for_centre(centre), since, today),
            "ensembles": insight.by_ensemble(centre, since, today),
            "children": children,
            "drifting": drifting,
        },
    )


@login_required
def programme_attendance(request, programme_pk):
    programme = access.get_for(
        request.user, Programme.objects.all(), programme_pk, C.VIEW_AGGREGATES
    )
    today = zones.local_today_in(zones.zone_name_for_programme(programme))
    since = today - dt.timedelta(days=84)
    centres = access.scope(programme.centres.all(), request.user, C.VIEW_AGGREGATES)
    # Aggregates leave the centres: small counts are suppressed, a total with a
    # hidden part is hidden (the linked rule of harmonia.reports.disclosure), and
    # a suppressed centre's rates go with its count.
    rows = list(insight.by_centre(centres, since, today))
    counts, total = protect_separate(
        [row["children"] for row in rows], settings.HARMONIA_SUPPRESSION_THRESHOLD
    )
    for row, shown in zip(rows, counts, strict=True):
        row["children_shown"] = shown
    summary = insight.summary(insight.marks_for_centres(centres), since, today)
    return render(
        request,
        "ensembles/programme_attendance.html",
        {
            "programme": programme,
            "since": since,
            "today": today,
            "summary": summary,
            "children_total": total,
            "centres": rows,
            "threshold": settings.HARMONIA_SUPPRESSION_THRESHOLD,
        },
    )


# Attendance codes, bulk absences, register completion, a child's calendar -------------


@login_required
def attendance_codes(request, programme_pk):
    """A programme's attendance codes, and a form to add one."""
    programme = access.get_for(
        request.user, Programme.objects.all(), programme_pk, C.MANAGE_PROGRAMME
    )
    form = forms.AttendanceCodeForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            code = attendance.save_code(form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Added the code “%(code)s”.") % {"code": code})
            return redirect("ensembles:attendance_codes", programme_pk=programme.pk)
    return render(
        request,
        "ensembles/attendance_codes.html",
        {
            "programme": programme,
            "codes": codes.for_programme(programme.pk, active_only=False),
            "form": form,
        },
    )


@login_required
def attendance_code_edit(request, pk):
    code = access.get_for(
        request.user, AttendanceCode.objects.select_related("programme"), pk, C.MANAGE_PROGRAMME
    )
    form = forms.AttendanceCodeForm(request.POST or None, instance=code, programme=code.programme)
    back = reverse("ensembles:attendance_codes", args=[code.programme_id])
    if request.method == "POST" and form.is_valid():
        try:
            attendance.save_code(form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved “%(code)s”.") % {"code": code})
            return redirect(back)
    return _form_page(
        request,
        form,
        title=_("Change the code “%(code)s”") % {"code": code.code},
        back=back,
        intro=_(
            "Changing what a code counts as changes every rate and dose that includes "
            "its marks, past ones too. A code in use cannot be renamed: retire it instead."
        ),
    )


@login_required
def bulk_absence(request, pk):
    """One mark for a group over some days (a trip, an outbreak); never over a person's."""
    ensemble = access.get_for(
        request.user, Ensemble.objects.select_related("programme", "centre"), pk, C.MANAGE_CENTRE
    )
    offered = codes.for_programme(ensemble.programme_id)
    form = forms.BulkAbsenceForm(
        request.POST or None, ensemble=ensemble, user=request.user, codes=offered
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = attendance.record_bulk_absence(
                ensemble,
                by=request.user,
                first=data["first"],
                last=data["last"],
                code=data["code"],
                reason=data["reason"],
                note=data["note"],
                section=data["section"],
                children=data["children"] or None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Marked %(written)s attendances on %(sessions)s sessions; %(kept)s marks "
                    "already recorded by a person were kept."
                )
                % {"written": result.written, "sessions": result.occurrences, "kept": result.kept},
            )
            return redirect(ensemble)
    # The form names the children placed in the ensemble.
    privacy.log_seen(request, list(form.fields["children"].queryset))
    return _form_page(
        request,
        form,
        title=_("Bulk absence: %(name)s") % {"name": ensemble},
        back=ensemble.get_absolute_url(),
        intro=_(
            "Marks the chosen children on every session of these days. Marks a person "
            "already recorded are kept; only empty or default marks are filled."
        ),
    )


def _day(value, default):
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
def register_completion(request, centre_pk):
    """Which registers each tutor was due to take, and whether they were taken on time."""
    centre = access.get_for(
        request.user, Centre.objects.select_related("programme"), centre_pk, C.MANAGE_CENTRE
    )
    today = timezone.localdate()
    last = _day(request.GET.get("until"), today)
    first = _day(request.GET.get("from"), last - dt.timedelta(days=13))
    if first > last:
        first, last = last, first
    first = max(first, last - dt.timedelta(days=attendance.MAX_BULK_DAYS))
    return render(
        request,
        "ensembles/register_completion.html",
        {
            "centre": centre,
            "first": first,
            "last": last,
            "rows": attendance.completion([centre], first, last),
            "grace": int(attendance.ON_TIME_AFTER_END.total_seconds() // 60),
        },
    )


@login_required
def child_attendance(request, pk):
    """A child's attendance day by day (a calendar per month), with what each mark means."""
    from harmonia.children.models import Child

    child = access.get_for(
        request.user, Child.objects.select_related("centre"), pk, C.VIEW_CHILDREN
    )
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("until", "").split("-"))
        end_month = dt.date(year, month, 1)
    except ValueError:
        end_month = today.replace(day=1)
    start_month = end_month
    for _step in range(2):  # three months on a page
        start_month = (start_month - dt.timedelta(days=1)).replace(day=1)
    last = (end_month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    privacy.log_seen(request, child)
    data = attendance.child_calendar(child, start_month, last, today=today)
    earlier = (start_month - dt.timedelta(days=1)).replace(day=1)
    later = (last + dt.timedelta(days=1)) + dt.timedelta(days=62)
    return render(
        request,
        "ensembles/child_attendance.html",
        {
            "child": child,
            "first": start_month,
            "last": last,
            "earlier": f"{earlier:%Y-%m}",
            "later": f"{later.replace(day=1):%Y-%m}" if last < today else "",
            **data,
        },
    )
