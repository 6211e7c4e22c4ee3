"""Programme structure pages. Each view: access helper first, then one service
call, then render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from harmonia import access
from harmonia.access import Capability as C
from harmonia.accounts.models import Membership
from harmonia.audit import labels as audit_labels
from harmonia.audit.models import AuditEvent
from harmonia.programmes import forms, services
from harmonia.programmes.models import (
    Area,
    Centre,
    Funder,
    Grant,
    LeadOrganisation,
    PartnerSchool,
    Programme,
    RoleRequest,
)


def _edit(request, form, *, title: str, back: str, success, delete_url: str | None = None):
    """Show ``form``; on a valid POST save it through the audited service."""
    if request.method == "POST" and form.is_valid():
        obj = services.save_structure(form, by=request.user)
        messages.success(request, _("Saved “%(name)s”.") % {"name": obj})
        return redirect(success(obj))
    context = {"form": form, "title": title, "back": back, "delete_url": delete_url}
    return render(request, "programmes/form.html", context)


@login_required
def programme_list(request):
    programmes = (
        Programme.objects.visible_to(request.user)
        .annotate(centre_count=Count("centres", distinct=True))
        .order_by("name")
    )
    if len(programmes) == 1:
        return redirect(programmes[0])
    return render(request, "programmes/programme_list.html", {"programmes": programmes})


@login_required
def programme_detail(request, pk):
    programme = access.get_for(request.user, Programme.objects.all(), pk)
    caps = access.capabilities_in_programme(request.user, programme)
    centres = (
        Centre.objects.visible_to(request.user)
        .filter(programme=programme)
        .select_related("lead_organisation", "area")
        .annotate(
            school_count=Count("schools", distinct=True),
            pupils=Sum("schools__pupils"),
        )
        .order_by("name")
    )
    grants = (
        Grant.objects.visible_to(request.user)
        .filter(programme=programme)
        .select_related("funder")
        .prefetch_related(Prefetch("centres", queryset=Centre.objects.only("id", "name")))
    )
    schools = (
        PartnerSchool.objects.visible_to(request.user)
        .filter(centre__programme=programme)
        .select_related("centre")
        .order_by("centre__name", "name")
    )
    totals = grants.values("currency").annotate(total=Sum("amount")).order_by("currency")
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "centres": centres,
            "grants": grants,
            "grant_totals": totals,
            "schools": schools,
            "can_manage": C.MANAGE_PROGRAMME in caps,
            "can_manage_grants": C.MANAGE_GRANTS in caps,
            "can_view_audit": C.VIEW_AUDIT in caps,
        },
    )


@login_required
def programme_edit(request, pk):
    programme = access.get_for(request.user, Programme.objects.all(), pk, C.MANAGE_PROGRAMME)
    form = forms.ProgrammeForm(request.POST or None, instance=programme)
    return _edit(
        request,
        form,
        title=_("Edit programme"),
        back=programme.get_absolute_url(),
        success=lambda obj: obj,
    )


@login_required
def programme_structure(request, pk):
    """Areas, lead organisations and funders: the lists a programme team edits."""
    programme = access.get_for(request.user, Programme.objects.all(), pk, C.MANAGE_PROGRAMME)
    return render(
        request,
        "programmes/structure.html",
        {
            "programme": programme,
            "areas": programme.areas.annotate(centre_count=Count("centres")).order_by("name"),
            "organisations": programme.lead_organisations.annotate(
                centre_count=Count("centres")
            ).order_by("name"),
            "funders": programme.funders.annotate(grant_count=Count("grants")).order_by("name"),
        },
    )


def _structure_url(programme) -> str:
    return reverse("programmes:programme_structure", args=[programme.pk])


# Areas, lead organisations and funders share one shape: a list on the structure
# page, a create form and an edit form.
STRUCTURE_FORMS = {
    "area": (Area, forms.AreaForm, _("area")),
    "organisation": (LeadOrganisation, forms.LeadOrganisationForm, _("lead organisation")),
    "funder": (Funder, forms.FunderForm, _("funder")),
}


def _structure_kind(kind):
    try:
        return STRUCTURE_FORMS[kind]
    except KeyError:
        raise Http404 from None


@login_required
def structure_create(request, programme_pk, kind):
    programme = access.get_for(
        request.user, Programme.objects.all(), programme_pk, C.MANAGE_PROGRAMME
    )
    _model, form_class, noun = _structure_kind(kind)
    form = form_class(request.POST or None, programme=programme)
    return _edit(
        request,
        form,
        title=_("New %(noun)s") % {"noun": noun},
        back=_structure_url(programme),
        success=lambda obj: _structure_url(programme),
    )


@login_required
def structure_edit(request, kind, pk):
    model, form_class, noun = _structure_kind(kind)
    obj = access.get_for(request.user, model.objects.all(), pk, C.MANAGE_PROGRAMME)
    form = form_class(request.POST or None, instance=obj, programme=obj.programme)
    return _edit(
        request,
        form,
        title=_("Edit %(noun)s") % {"noun": noun},
        back=_structure_url(obj.programme),
        success=lambda saved: _structure_url(saved.programme),
    )


@login_required
def centre_detail(request, pk):
    centre = access.get_for(
        request.user, Centre.objects.select_related("programme", "lead_organisation", "area"), pk
    )
    caps = access.capabilities_in_centre(request.user, centre)
    staff = []
    if C.VIEW_STAFF in caps:
        staff = (
            Membership.objects.filter(Q(centre=centre))
            .select_related("user")
            .order_by("role", "user__full_name")
        )
    grants = []
    if C.VIEW_GRANTS in caps:
        grants = (
            Grant.objects.visible_to(request.user)
            .filter(Q(centres=centre) | Q(centres__isnull=True), programme=centre.programme_id)
            .select_related("funder")
            .distinct()
        )
    return render(
        request,
        "programmes/centre_detail.html",
        {
            "centre": centre,
            "schools": centre.schools.all(),
            "staff": staff,
            "grants": grants,
            "can_manage": C.MANAGE_CENTRE in caps,
        },
    )


@login_required
def centre_create(request, programme_pk):
    programme = access.get_for(
        request.user, Programme.objects.all(), programme_pk, C.MANAGE_PROGRAMME
    )
    form = forms.CentreForm(request.POST or None, programme=programme)
    return _edit(
        request,
        form,
        title=_("New centre"),
        back=programme.get_absolute_url(),
        success=lambda obj: obj,
    )


@login_required
def centre_edit(request, pk):
    centre = access.get_for(request.user, Centre.objects.all(), pk, C.MANAGE_CENTRE)
    form = forms.CentreForm(request.POST or None, instance=centre, programme=centre.programme)
    return _edit(
        request,
        form,
        title=_("Edit centre"),
        back=centre.get_absolute_url(),
        success=lambda obj: obj,
    )


@login_required
def school_create(request, centre_pk):
    centre = access.get_for(request.user, Centre.objects.all(), centre_pk, C.MANAGE_CENTRE)
    form = forms.PartnerSchoolForm(request.POST or None, centre=centre)
    return _edit(
        request,
        form,
        title=_("New partner school"),
        back=centre.get_absolute_url(),
        success=lambda obj: centre,
    )


@login_required
def school_edit(request, pk):
    school = access.get_for(
        request.user, PartnerSchool.objects.select_related("centre"), pk, C.MANAGE_CENTRE
    )
    form = forms.PartnerSchoolForm(request.POST or None, instance=school, centre=school.centre)
    return _edit(
        request,
        form,
        title=_("Edit partner school"),
        back=school.centre.get_absolute_url(),
        success=lambda obj: obj.centre,
        delete_url=reverse("programmes:school_delete", args=[school.pk]),
    )


@login_required
@require_POST
def school_delete(request, pk):
    school = access.get_for(
        request.user, PartnerSchool.objects.select_related("centre"), pk, C.MANAGE_CENTRE
    )
    centre = school.centre
    services.remove_partner_school(school, by=request.user)
    messages.success(request, _("Removed “%(name)s”.") % {"name": school.name})
    return redirect(centre)


@login_required
def grant_detail(request, pk):
    grant = access.get_for(request.user, Grant.objects.select_related("funder", "programme"), pk)
    centres = list(grant.centres.all())
    return render(
        request,
        "programmes/grant_detail.html",
        {
            "grant": grant,
            "centres": centres,
            "can_manage": access.can(request.user, C.MANAGE_GRANTS, grant),
            # The link is offered to whoever the report itself would let in.
            "sees_report": access.can(request.user, C.VIEW_GRANTS, grant)
            and access.sees_grant_report(request.user, grant, centres),
        },
    )


@login_required
def grant_create(request, programme_pk):
    programme = access.get_for(request.user, Programme.objects.all(), programme_pk, C.MANAGE_GRANTS)
    form = forms.GrantForm(request.POST or None, programme=programme)
    return _edit(
        request,
        form,
        title=_("New grant"),
        back=programme.get_absolute_url(),
        success=lambda obj: obj,
    )


@login_required
def grant_edit(request, pk):
    grant = access.get_for(request.user, Grant.objects.all(), pk, C.MANAGE_GRANTS)
    form = forms.GrantForm(request.POST or None, instance=grant, programme=grant.programme)
    return _edit(
        request,
        form,
        title=_("Edit grant"),
        back=grant.get_absolute_url(),
        success=lambda obj: obj,
    )


def _programme_memberships(programme):
    return (
        Membership.objects.filter(Q(programme=programme) | Q(centre__programme=programme))
        .select_related("user", "centre")
        .order_by("centre__name", "role", "user__full_name")
    )


@login_required
def people(request, programme_pk):
    """Who holds which role: the programme team's page for giving and removing access."""
    programme = access.get_for(
        request.user, Programme.objects.all(), programme_pk, C.MANAGE_PROGRAMME
    )
    form = forms.MembershipForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        given = services.grant_role(programme=programme, by=request.user, **form.cleaned_data)
        if isinstance(given, RoleRequest):
            messages.warning(
                request,
                _(
                    "%(role)s at %(centre)s opens children's records: the request for "
                    "%(person)s waits for a second person to approve it (the centre's manager "
                    "or another programme lead), who has been emailed with the data "
                    "protection contact."
                )
                % {"person": given.user, "role": given.get_role_display(), "centre": given.centre},
            )
        else:
            messages.success(
                request,
                _("%(person)s is now %(role)s.")
                % {"person": given.user, "role": given.get_role_display()},
            )
        return redirect("programmes:people", programme_pk=programme.pk)
    requests = RoleRequest.objects.filter(programme=programme).select_related(
        "user", "centre", "requested_by", "decided_by"
    )[:50]
    return render(
        request,
        "programmes/people.html",
        {
            "programme": programme,
            "memberships": _programme_memberships(programme),
            "form": form,
            "requests": requests,
        },
    )


@login_required
def role_request(request, programme_pk, pk):
    """A role that opens children's records, waiting for a second person's approval."""
    role_request = access.get_for(
        request.user,
        RoleRequest.objects.filter(programme_id=programme_pk).select_related(
            "programme", "user", "centre", "requested_by", "decided_by"
        ),
        pk,
    )
    may_decide = access.may_approve_role(request.user, role_request)
    is_requester = request.user.pk == role_request.requested_by_id
    if not (may_decide or is_requester):
        raise PermissionDenied
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision == "approve":
            services.approve_role_request(role_request, by=request.user)
            messages.success(
                request,
                _("%(person)s is now %(role)s at %(centre)s.")
                % {
                    "person": role_request.user,
                    "role": role_request.get_role_display(),
                    "centre": role_request.centre,
                },
            )
        elif decision == "decline":
            services.decline_role_request(role_request, by=request.user)
            messages.success(request, _("The request was declined; no role was given."))
        return redirect("programmes:role_request", programme_pk=programme_pk, pk=pk)
    return render(
        request,
        "programmes/role_request.html",
        {"role_request": role_request, "may_decide": may_decide, "is_requester": is_requester},
    )


@login_required
@require_POST
def membership_delete(request, programme_pk, pk):
    programme = access.get_for(
        request.user, Programme.objects.all(), programme_pk, C.MANAGE_PROGRAMME
    )
    membership = _programme_memberships(programme).filter(pk=pk).first()
    if membership is None:
        raise Http404
    if access.is_own_programme_management(request.user, membership):
        raise PermissionDenied(_("You cannot remove your own programme lead role."))
    services.revoke_role(membership, programme=programme, by=request.user)
    messages.success(request, _("Removed the role."))
    return redirect("programmes:people", programme_pk=programme.pk)


@login_required
def audit_log(request, programme_pk):
    programme = access.get_for(request.user, Programme.objects.all(), programme_pk, C.VIEW_AUDIT)
    events = list(
        AuditEvent.objects.filter(programme=programme).select_related("actor", "child")[:200]
    )
    # Entries about a child name them only to a viewer who may see that child.
    for event in events:
        event.child_name = (
            event.child.display_name if access.may_see_child(request.user, event.child) else ""
        )
    audit_labels.annotate(events)
    return render(request, "programmes/audit_log.html", {"programme": programme, "events": events})
