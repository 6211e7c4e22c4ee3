"""Staff, safeguarding checks, the single central record and the concern log.
Each view: access helper first, then one service call, then render or redirect."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from harmonia import access
from harmonia.access import Capability as C
from harmonia.children.models import Child
from harmonia.programmes import zones
from harmonia.programmes.models import Centre, Programme
from harmonia.staff import forms, services
from harmonia.staff.models import (
    REQUIREMENTS,
    CheckKind,
    Concern,
    ConcernAccess,
    ConcernAttachment,
    DbsLevel,
    SafeguardingCheck,
    StaffMember,
    Status,
)


def _centre(request, pk, need):
    return access.get_for(request.user, Centre.objects.select_related("programme"), pk, need)


def _form_page(request, form, *, title, back, eyebrow=None):
    return render(
        request,
        "staff/form.html",
        {"form": form, "title": title, "back": back, "eyebrow": eyebrow},
    )


@login_required
def staff_list(request, centre_pk):
    centre = _centre(request, centre_pk, C.VIEW_STAFF)
    caps = access.capabilities_in_centre(request.user, centre)
    today = dt.date.today()
    # One query: every person with their safeguarding status worked out in SQL.
    people = list(
        StaffMember.objects.visible_to(request.user)
        .filter(centre=centre)
        .with_safeguarding(today)
        .select_related("user")
        .order_by("full_name")
    )
    attention = sorted(
        (p for p in people if p.safeguarding_status != Status.CLEAR and not p.left),
        key=lambda p: (p.safeguarding_status != Status.LAPSED, p.next_expiry),
    )
    for person in attention:
        person.issues = person.problems(today)
    counts = {s: 0 for s in Status.values}
    for p in people:
        counts[p.safeguarding_status] += 1
    return render(
        request,
        "staff/staff_list.html",
        {
            "centre": centre,
            "people": people,
            "attention": attention,
            "counts": counts,
            "can_manage": C.MANAGE_STAFF in caps,
            "can_view_concerns": C.VIEW_CONCERNS in caps,
        },
    )


@login_required
def staff_create(request, centre_pk):
    centre = _centre(request, centre_pk, C.MANAGE_STAFF)
    form = forms.StaffForm(request.POST or None, centre=centre)
    if request.method == "POST" and form.is_valid():
        staff = services.save_staff(form, by=request.user)
        messages.success(request, _("Added %(name)s.") % {"name": staff})
        return redirect(staff)
    return _form_page(
        request,
        form,
        title=_("Add a member of staff"),
        back=_url("staff:staff_list", centre.pk),
        eyebrow=centre.name,
    )


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


def _requirement_rows(staff, checks, today):
    """Each check the person's type requires, with what is on file."""
    by_kind: dict[str, list] = {}
    for check in checks:
        by_kind.setdefault(check.kind, []).append(check)
    rows = []
    labels = dict(CheckKind.choices)
    for kind, need in staff.requirements.items():
        have = by_kind.get(kind, [])
        if kind == CheckKind.DBS:
            have = [c for c in have if c.dbs_level in _levels(need)]
            detail = _("at least %(level)s") % {"level": DbsLevel(need).label}
            minimum = 1
        else:
            minimum = need
            detail = _("%(n)s needed") % {"n": need} if need > 1 else ""
        valid = [c for c in have if c.completed <= today]
        if len(valid) < minimum:
            state = Status.MISSING
        else:
            state = max(
                (c.status_on(today) for c in valid),
                key=[Status.LAPSED, Status.EXPIRING, Status.CLEAR].index,
            )
        rows.append(
            {"kind": labels[kind], "detail": detail, "state": state, "label": Status(state).label}
        )
    return rows


def _levels(level):
    from harmonia.staff.models import levels_at_least

    return levels_at_least(level)


@login_required
def staff_detail(request, pk):
    staff = access.get_for(
        request.user, StaffMember.objects.select_related("centre", "programme", "user"), pk
    )
    caps = (
        access.capabilities_in_centre(request.user, staff.centre)
        if staff.centre
        else (access.capabilities_in_programme(request.user, staff.programme))
    )
    today = dt.date.today()
    checks = list(staff.checks.select_related("verified_by").order_by("kind", "-completed"))
    for check in checks:
        check.state = check.status_on(today)
    status = StaffMember.objects.visible_to(request.user).filter(pk=staff.pk)
    status = status.with_safeguarding(today).get()
    return render(
        request,
        "staff/staff_detail.html",
        {
            "staff": staff,
            "checks": checks,
            "status": status,
            "status_label": Status(status.safeguarding_status).label,
            "requirements": _requirement_rows(staff, checks, today),
            "kinds": CheckKind.choices,
            "can_manage": C.MANAGE_STAFF in caps,
            "cleared": services.is_cleared_to_lead(staff, today),
        },
    )


@login_required
def staff_edit(request, pk):
    staff = access.get_for(request.user, StaffMember.objects.all(), pk, C.MANAGE_STAFF)
    if staff.centre is None:
        raise Http404
    form = forms.StaffForm(request.POST or None, instance=staff, centre=staff.centre)
    if request.method == "POST" and form.is_valid():
        services.save_staff(form, by=request.user)
        messages.success(request, _("Saved %(name)s.") % {"name": staff})
        return redirect(staff)
    return _form_page(
        request, form, title=_("Edit %(name)s") % {"name": staff}, back=staff.get_absolute_url()
    )


@login_required
def check_create(request, pk, kind):
    staff = access.get_for(request.user, StaffMember.objects.all(), pk, C.MANAGE_STAFF)
    if kind not in CheckKind.values:
        raise Http404
    form = forms.CheckForm(request.POST or None, staff=staff, kind=kind)
    if request.method == "POST" and form.is_valid():
        services.record_check(form, by=request.user)
        messages.success(request, _("Check recorded."))
        return redirect(staff)
    return _form_page(
        request,
        form,
        title=_("Record: %(kind)s") % {"kind": CheckKind(kind).label},
        back=staff.get_absolute_url(),
        eyebrow=staff.full_name,
    )


@login_required
def check_edit(request, pk):
    check = access.get_for(
        request.user, SafeguardingCheck.objects.select_related("staff"), pk, C.MANAGE_STAFF
    )
    form = forms.CheckForm(request.POST or None, instance=check, staff=check.staff, kind=check.kind)
    if request.method == "POST" and form.is_valid():
        services.record_check(form, by=request.user)
        messages.success(request, _("Check updated."))
        return redirect(check.staff)
    return _form_page(
        request,
        form,
        title=_("Edit: %(kind)s") % {"kind": check.get_kind_display()},
        back=check.staff.get_absolute_url(),
        eyebrow=check.staff.full_name,
    )


@login_required
@require_POST
def check_delete(request, pk):
    check = access.get_for(
        request.user, SafeguardingCheck.objects.select_related("staff"), pk, C.MANAGE_STAFF
    )
    staff = check.staff
    services.remove_check(check, by=request.user)
    messages.success(request, _("Check removed."))
    return redirect(staff)


@login_required
def my_record(request):
    """A person's own staff records and checks (tutors see no one else's)."""
    today = dt.date.today()
    records = list(
        access.own(StaffMember.objects.all(), request.user)
        .with_safeguarding(today)
        .select_related("centre")
        .prefetch_related(
            Prefetch("checks", queryset=SafeguardingCheck.objects.order_by("kind", "-completed"))
        )
    )
    for record in records:
        for check in record.checks.all():
            check.state = check.status_on(today)
    return render(request, "staff/my_record.html", {"records": records})


# The single central record ----------------------------------------------------------


def _programme_staff_caps(user, programme) -> set:
    """Capabilities from programme-wide roles only (a centre role does not open the
    programme's central record)."""
    return access.programme_wide_capabilities(user, programme)


def _scr_response(request, rows, *, title, filename, fmt):
    if fmt == "csv":
        response = HttpResponse(services.central_record_csv(rows), content_type="text/csv")
    elif fmt == "xlsx":
        response = HttpResponse(
            services.central_record_xlsx(rows, title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@login_required
def central_record(request, centre_pk):
    centre = _centre(request, centre_pk, C.VIEW_STAFF)
    rows = services.central_record_rows(
        StaffMember.objects.visible_to(request.user).filter(centre=centre)
    )
    return render(
        request,
        "staff/central_record.html",
        {
            "title": _("Single central record: %(where)s") % {"where": centre.name},
            "where": centre,
            "rows": rows,
            "page_columns": services.CENTRAL_RECORD_PAGE,
            "export_url": _url("staff:central_record_export", centre.pk, "csv")[:-4],
            "today": dt.date.today(),
        },
    )


@login_required
def central_record_export(request, centre_pk, fmt):
    centre = _centre(request, centre_pk, C.VIEW_STAFF)
    rows = services.central_record_rows(
        StaffMember.objects.visible_to(request.user).filter(centre=centre)
    )
    title = _("Single central record: %(where)s") % {"where": centre.name}
    services.audit.record(
        actor=request.user, action="exported central record", obj=centre, programme=centre.programme
    )
    return _scr_response(
        request, rows, title=title, filename=f"central-record-{slugify(centre.name)}", fmt=fmt
    )


def _programme(request, pk):
    programme = access.get_for(request.user, Programme.objects.all(), pk)
    if C.VIEW_STAFF not in _programme_staff_caps(request.user, programme):
        raise PermissionDenied
    return programme


@login_required
def programme_central_record(request, pk):
    programme = _programme(request, pk)
    rows = services.central_record_rows(
        StaffMember.objects.visible_to(request.user).filter(programme=programme)
    )
    return render(
        request,
        "staff/central_record.html",
        {
            "title": _("Single central record: %(where)s") % {"where": programme.name},
            "where": programme,
            "rows": rows,
            "page_columns": services.CENTRAL_RECORD_PAGE,
            "export_url": _url("staff:programme_central_record_export", programme.pk, "csv")[:-4],
            "today": dt.date.today(),
            "whole_programme": True,
        },
    )


@login_required
def programme_central_record_export(request, pk, fmt):
    programme = _programme(request, pk)
    rows = services.central_record_rows(
        StaffMember.objects.visible_to(request.user).filter(programme=programme)
    )
    title = _("Single central record: %(where)s") % {"where": programme.name}
    services.audit.record(
        actor=request.user, action="exported central record", obj=programme, programme=programme
    )
    return _scr_response(
        request, rows, title=title, filename=f"central-record-{programme.slug}", fmt=fmt
    )


# Safeguarding concerns ------------------------------------------------------------
# Anyone who works at a centre raises a concern (``raise_concern``) and reads back only
# what they wrote; the log, each concern and its files are the centre's safeguarding
# leads' (``view_concerns``). Every opening is logged, and so is every refused attempt.


def _guarded(request, fetch, *, action, **target):
    """``fetch()`` through the policy; a refusal (403/404) is logged, then raised.
    ``target``: ``concern_pk``, ``centre_pk`` or ``attachment_pk``."""
    try:
        return fetch()
    except (PermissionDenied, Http404):
        services.log_refused_concern_access(request, action=action, **target)
        raise


def _concern_for_lead(request, pk, action=ConcernAccess.Action.OPENED_CONCERN):
    queryset = Concern.objects.select_related("centre__programme", "recorded_by", "about_child")
    return _guarded(
        request,
        lambda: access.get_for(request.user, queryset, pk, C.VIEW_CONCERNS),
        action=action,
        concern_pk=pk,
    )


@login_required
def concern_log(request, centre_pk):
    centre = _guarded(
        request,
        lambda: _centre(request, centre_pk, C.VIEW_CONCERNS),
        action=ConcernAccess.Action.OPENED_LOG,
        centre_pk=centre_pk,
    )
    services.log_concern_access(
        user=request.user, centre=centre, action=ConcernAccess.Action.OPENED_LOG, path=request.path
    )
    concerns = services.with_current_state(
        Concern.objects.visible_to(request.user)
        .filter(centre=centre)
        .select_related("recorded_by", "about_child")
        .annotate(n_entries=Count("entries", distinct=True))
    )
    return render(request, "staff/concern_log.html", {"centre": centre, "concerns": concerns})


@login_required
def raise_concern(request):
    """The "Raise a concern" link: straight to the form of the person's centre (or of
    the child's, with ``?child=``); a choice when they work at several."""
    centres = access.centres_where(request.user, C.RAISE_CONCERN)
    if not centres:
        raise PermissionDenied
    child_pk = request.GET.get("child", "")
    if child_pk.isdigit():
        child = (
            Child.objects.visible_to(request.user)
            .filter(pk=child_pk, centre__in=centres)
            .values_list("centre_id", flat=True)
            .first()
        )
        if child is not None:
            return redirect(_url("staff:concern_create", child) + f"?child={child_pk}")
    if len(centres) == 1:
        return redirect("staff:concern_create", centres[0].pk)
    return render(request, "staff/raise_concern_choose.html", {"centres": centres})


@login_required
def concern_create(request, centre_pk):
    centre = _centre(request, centre_pk, C.RAISE_CONCERN)
    caps = access.capabilities_in_centre(request.user, centre)
    children = (
        Child.objects.visible_to(request.user)
        .filter(centre=centre)
        .order_by("last_name", "first_name")
        if C.VIEW_CHILDREN in caps
        else Child.objects.none()
    )
    initial = {"noticed": zones.local_today(centre)}
    if request.GET.get("child", "").isdigit():
        initial["about_child"] = request.GET["child"]
    form = forms.ConcernForm(
        request.POST or None, request.FILES or None, children=children, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        concern = services.record_concern(
            form,
            centre=centre,
            by=request.user,
            attachments=form.cleaned_data.get("attachments"),
            base_url=request.build_absolute_uri("/"),
        )
        leads = access.people_to_tell_of_concern(centre)
        if leads:
            messages.success(
                request,
                _("Thank you. Your concern was recorded and the safeguarding lead was told."),
            )
        else:
            messages.warning(
                request,
                _(
                    "Your concern was recorded, but this centre has no safeguarding lead in "
                    "Harmonia: tell your manager today. If a child is in danger, call %(number)s."
                )
                % {"number": services.emergency_number(centre)},
            )
        if C.VIEW_CONCERNS in caps:
            return redirect(concern)
        return redirect("staff:my_concern", concern.pk)
    return render(
        request,
        "staff/concern_form.html",
        {
            "form": form,
            "centre": centre,
            "can_read_log": C.VIEW_CONCERNS in caps,
            "emergency_number": services.emergency_number(centre),
        },
    )


@login_required
def concern_detail(request, pk):
    concern = _concern_for_lead(request, pk)
    services.log_concern_access(
        user=request.user,
        centre=concern.centre,
        concern=concern,
        action=ConcernAccess.Action.OPENED_CONCERN,
        path=request.path,
    )
    entries = list(concern.entries.select_related("written_by").prefetch_related("attachments"))
    state = services.with_current_state(Concern.objects.visible_to(request.user).filter(pk=pk))
    state = state.values_list("current_state", flat=True).first()
    return render(
        request,
        "staff/concern_detail.html",
        {
            "concern": concern,
            "entries": entries,
            "report_files": [a for a in concern.attachments.all() if a.entry_id is None],
            "current_state": Concern.State(state).label,
            "state_code": state,
            "form": forms.ConcernEntryForm(
                initial={"happened": zones.local_today(concern.centre_id)}
            ),
        },
    )


@login_required
def concern_entry_create(request, pk):
    concern = _concern_for_lead(request, pk)
    form = forms.ConcernEntryForm(
        request.POST or None,
        request.FILES or None,
        initial={"happened": zones.local_today(concern.centre_id)},
    )
    if request.method == "POST" and form.is_valid():
        services.add_concern_entry(
            form, concern=concern, by=request.user, attachments=form.cleaned_data.get("attachments")
        )
        messages.success(request, _("Added to the chronology."))
        return redirect(concern)
    # The form shows the concern's summary: the same access row as reading it.
    services.log_concern_access(
        user=request.user,
        centre=concern.centre,
        concern=concern,
        action=ConcernAccess.Action.OPENED_CONCERN,
        path=request.path,
    )
    return _form_page(
        request,
        form,
        title=_("Add to the chronology"),
        back=concern.get_absolute_url(),
        eyebrow=f"{concern.centre.name} · {concern.about}",
    )


@login_required
def concern_attachment(request, pk, name):
    queryset = ConcernAttachment.objects.select_related("concern__centre")
    attachment = _guarded(
        request,
        lambda: access.get_for(request.user, queryset, pk, C.VIEW_CONCERNS),
        action=ConcernAccess.Action.OPENED_FILE,
        attachment_pk=pk,
    )
    if name != attachment.name:
        raise Http404
    services.log_concern_access(
        user=request.user,
        centre=attachment.concern.centre,
        concern=attachment.concern,
        action=ConcernAccess.Action.OPENED_FILE,
        path=request.path,
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def concern_access_log(request, centre_pk):
    centre = _guarded(
        request,
        lambda: _centre(request, centre_pk, C.VIEW_CONCERNS),
        action=ConcernAccess.Action.OPENED_LOG,
        centre_pk=centre_pk,
    )
    entries = (
        ConcernAccess.objects.visible_to(request.user)
        .filter(centre=centre)
        .select_related("user", "concern")[:500]
    )
    return render(request, "staff/concern_access_log.html", {"centre": centre, "entries": entries})


# What an adult who raised a concern sees: their own reports, nothing else. --------


@login_required
def my_concerns(request):
    concerns = list(
        services.with_current_state(
            access.own_concerns(Concern.objects.all(), request.user).select_related(
                "centre", "about_child"
            )
        ).order_by("-recorded_at", "-id")
    )
    services.log_own_concerns_seen(request.user, concerns, path=request.path)
    return render(
        request,
        "staff/my_concerns.html",
        {
            "concerns": concerns,
            "may_raise": bool(access.centres_where(request.user, C.RAISE_CONCERN)),
        },
    )


def _own_concern(request, pk):
    queryset = Concern.objects.select_related("centre", "about_child", "recorded_by")
    return _guarded(
        request,
        lambda: access.get_own_concern(request.user, queryset, pk),
        action=ConcernAccess.Action.OPENED_OWN,
        concern_pk=pk,
    )


@login_required
def my_concern(request, pk):
    concern = _own_concern(request, pk)
    services.log_concern_access(
        user=request.user,
        centre=concern.centre,
        concern=concern,
        action=ConcernAccess.Action.OPENED_OWN,
        path=request.path,
    )
    # Their own words only: the steps a safeguarding lead took are not theirs to read.
    entries = list(concern.entries.filter(written_by=request.user).prefetch_related("attachments"))
    files = [a for a in concern.attachments.all() if a.uploaded_by_id == request.user.pk]
    return render(
        request,
        "staff/my_concern.html",
        {
            "concern": concern,
            "entries": entries,
            "files": files,
            "form": forms.FollowUpForm(initial={"happened": zones.local_today(concern.centre_id)}),
        },
    )


@login_required
def my_concern_add(request, pk):
    concern = _own_concern(request, pk)
    form = forms.FollowUpForm(
        request.POST or None,
        request.FILES or None,
        initial={"happened": zones.local_today(concern.centre_id)},
    )
    if request.method == "POST" and form.is_valid():
        services.add_concern_entry(
            form, concern=concern, by=request.user, attachments=form.cleaned_data.get("attachments")
        )
        messages.success(request, _("Added to your concern. The safeguarding lead can read it."))
        return redirect("staff:my_concern", concern.pk)
    services.log_concern_access(
        user=request.user,
        centre=concern.centre,
        concern=concern,
        action=ConcernAccess.Action.OPENED_OWN,
        path=request.path,
    )
    return _form_page(
        request,
        form,
        title=_("Add to your concern"),
        back=_url("staff:my_concern", concern.pk),
        eyebrow=concern.centre.name,
    )


__all__ = ["REQUIREMENTS"]
