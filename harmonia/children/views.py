"""Children and families pages. Each view: access helper first, then one service
call, then render or redirect. Every view or export of a child record is logged."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.forms import HiddenInput
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from harmonia import access
from harmonia.access import Capability as C
from harmonia.children import forms, imports, privacy, services, tutor_view, whole_child
from harmonia.children.models import (
    Child,
    ChildAccessLog,
    ChildGuardian,
    ConsentForm,
    ConsentKind,
    ConsentRecord,
    FsmPeriod,
    ImportLog,
    Status,
    WaitingListOffer,
)
from harmonia.interop import classlist
from harmonia.programmes.models import Centre, Programme
from harmonia.spreadsheet_cells import csv_writer

PAGE_SIZE = 50
Action = ChildAccessLog.Action


def _centre(request, pk, need):
    return access.get_for(request.user, Centre.objects.select_related("programme"), pk, need)


def _child(request, pk, need=C.VIEW_CHILDREN, *, log=True):
    """The child, through the policy; the page that shows it is written to the access log."""
    child = access.get_for(
        request.user, Child.objects.select_related("centre__programme", "school"), pk, need
    )
    if log:
        privacy.log_seen(request, child)
    return child


def _form_page(request, form, *, title, back, intro="", template="children/form.html", **extra):
    context = {"form": form, "title": title, "back": back, "intro": intro, **extra}
    return render(request, template, context)


def _fsm_now():
    today = timezone.localdate()
    return FsmPeriod.objects.filter(
        Q(end__isnull=True) | Q(end__gte=today), child=OuterRef("pk"), start__lte=today
    )


def filter_children(children, form, *, special_category: bool):
    """Apply the list filters. Search covers names and UPN only — never special
    category fields — and the FSM filter exists only for roles that may see FSM.
    Hook: the ensembles feature adds ``ensemble`` here (placements__ensemble)."""
    if not form.is_valid():
        return children
    data = form.cleaned_data
    if data.get("q"):
        for word in data["q"].split():
            children = children.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(upn__iexact=word)
            )
    if data.get("school"):
        children = children.filter(school=data["school"])
    if data.get("year_group"):
        children = children.filter(year_group=data["year_group"])
    if data.get("status"):
        children = children.filter(status=data["status"])
    if special_category and data.get("fsm"):
        children = (
            children.filter(Exists(_fsm_now()))
            if data["fsm"] == "yes"
            else (children.exclude(Exists(_fsm_now())))
        )
    return children


@login_required
def child_list(request, centre_pk):
    centre = _centre(request, centre_pk, C.VIEW_CHILDREN)
    caps = access.capabilities_in_centre(request.user, centre)
    special = C.VIEW_SPECIAL_CATEGORY in caps
    form = forms.ChildFilterForm(request.GET or None, centre=centre, special_category=special)
    children = filter_children(
        Child.objects.visible_to(request.user).filter(centre=centre, anonymised_at__isnull=True),
        form,
        special_category=special,
    ).select_related("school")
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    privacy.log_seen(request, page.object_list)
    counts = {
        row["status"]: row["n"]
        for row in Child.objects.visible_to(request.user)
        .filter(centre=centre, anonymised_at__isnull=True)
        .values("status")
        .annotate(n=models_count())
        .order_by()
    }
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "children/child_list.html",
        {
            "centre": centre,
            "form": form,
            "page": page,
            "counts": [(s, label, counts.get(s, 0)) for s, label in Status.choices],
            "can_manage": C.MANAGE_CHILDREN in caps,
            "query": query.urlencode(),
        },
    )


def models_count():
    from django.db.models import Count

    return Count("id")


@login_required
def child_detail(request, pk):
    child = _child(request, pk)
    caps = access.capabilities_in_centre(request.user, child.centre)
    links = list(
        ChildGuardian.objects.filter(child=child)
        .select_related("guardian")
        .prefetch_related(
            Prefetch(
                "guardian__child_links",
                queryset=ChildGuardian.objects.exclude(child=child).select_related("child"),
                to_attr="other_links",
            )
        )
    )
    siblings = {other.child for link in links for other in link.guardian.other_links}
    records = list(child.consents.select_related("form", "guardian"))
    in_force = services.current_forms(child.centre.programme)
    consent_rows = []
    for kind, label in ConsentKind.choices:
        form = in_force.get(kind)
        floor = form.version if form and form.requires_reconsent else 1
        latest = next((r for r in records if r.form.kind == kind and r.form.version >= floor), None)
        consent_rows.append({"kind": kind, "label": label, "form": form, "latest": latest})
    full_record = C.VIEW_CHILD_RECORD in caps
    periods = list(child.periods.all()) if full_record else []
    context = {
        "child": child,
        "links": links,
        "siblings": sorted(siblings, key=lambda c: c.first_name),
        "periods": periods,
        "offers": child.offers.all(),
        "records": records,
        "consent_rows": consent_rows,
        "can_manage": C.MANAGE_CHILDREN in caps,
        "can_special": C.VIEW_SPECIAL_CATEGORY in caps,
        "can_safety": C.VIEW_SAFETY_NOTES in caps,
        "full_record": full_record,
    }
    if not context["full_record"]:  # a tutor: what a session needs (docs/permissions.md)
        context.update(tutor_view.session_view(child, links, consent_rows))
    if context["can_special"]:
        context["sensitive"] = getattr_or_none(child, "sensitive")
        context["fsm_periods"] = child.fsm_periods.all()
    if context["can_safety"]:
        context["safety"] = getattr_or_none(child, "safety")
    if context["can_manage"]:
        context["access_log"] = child.access_log.select_related("user")[:25]
    # The whole child: ensembles, attendance, instruments, the consent alert, a timeline.
    context.update(whole_child.build(child, caps, consent_rows, periods))
    return render(request, "children/child_detail.html", context)


def getattr_or_none(obj, name):
    try:
        return getattr(obj, name)
    except Exception:  # RelatedObjectDoesNotExist
        return None


@login_required
def enrol(request, centre_pk):
    """Enrol a child; a possible duplicate (same name and date of birth, or UPN) is
    shown first so the manager can open the existing record instead."""
    centre = _centre(request, centre_pk, C.MANAGE_CHILDREN)
    form = forms.EnrolForm(request.POST or None, centre=centre)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = list(
            access.scope(
                services.possible_duplicate_children(
                    centre,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    date_of_birth=data["date_of_birth"],
                    upn=data["upn"],
                ),
                request.user,
                C.MANAGE_CHILDREN,
            ).select_related("school")
        )
        privacy.log_seen(request, duplicates)
        if not duplicates or data["confirm_new"]:
            try:
                child = services.enrol_child(
                    form.instance, status=data["status"], on=data["start"], by=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Enrolled %(name)s.") % {"name": child})
                return redirect("children:guardian_add", pk=child.pk)
    if not duplicates:
        form.fields["confirm_new"].widget = HiddenInput()
    return _form_page(
        request,
        form,
        title=_("Enrol a child"),
        back=reverse("children:child_list", args=[centre.pk]),
        template="children/enrol.html",
        duplicates=duplicates,
        centre=centre,
    )


@login_required
def child_edit(request, pk):
    child = _child(request, pk, C.MANAGE_CHILDREN)
    form = forms.ChildForm(request.POST or None, instance=child, centre=child.centre)
    if request.method == "POST" and form.is_valid():
        services.save_child(form, by=request.user)
        messages.success(request, _("Saved."))
        return redirect(child)
    return _form_page(
        request, form, title=_("Edit %(name)s") % {"name": child}, back=child.get_absolute_url()
    )


@login_required
def status_change(request, pk):
    child = _child(request, pk, C.MANAGE_CHILDREN)
    form = forms.StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_status(
                child,
                status=data["status"],
                on=data["on"],
                reason=data["leaving_reason"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Status changed."))
            return redirect(child)
    return _form_page(
        request,
        form,
        title=_("Change status: %(name)s") % {"name": child},
        back=child.get_absolute_url(),
        intro=_("The current status is %(status)s. Earlier statuses are kept as history.")
        % {"status": child.get_status_display()},
    )


@login_required
def guardian_add(request, pk):
    """Add a guardian: pick an existing one (siblings) or enter a new one. A new
    guardian with the email or phone of an existing one is offered as a duplicate."""
    child = _child(request, pk, C.MANAGE_CHILDREN)
    link_form = forms.GuardianLinkForm(
        request.POST or None, centre=child.centre, user=request.user, prefix="link"
    )
    guardian_form = forms.GuardianForm(
        request.POST or None, prefix="guardian", region=child.centre.programme.country
    )
    duplicates = []
    if request.method == "POST" and link_form.is_valid():
        existing = link_form.cleaned_data.pop("existing")
        link = {k: v for k, v in link_form.cleaned_data.items()}
        guardian = existing
        if guardian is None:
            guardian_form.full_clean()
            if guardian_form.is_valid():
                duplicates = list(
                    access.scope(
                        services.possible_duplicate_guardians(
                            child.centre,
                            email=guardian_form.cleaned_data["email"],
                            phone=guardian_form.cleaned_data["phone"],
                        ),
                        request.user,
                        C.MANAGE_CHILDREN,
                    )
                )
                if not duplicates or request.POST.get("confirm_new"):
                    guardian = guardian_form.instance
        if guardian is not None:
            services.link_guardian(child, guardian, by=request.user, **link)
            messages.success(request, _("Added %(name)s.") % {"name": guardian})
            if request.POST.get("another"):
                return redirect("children:guardian_add", pk=child.pk)
            return redirect(child)
    return render(
        request,
        "children/guardian_form.html",
        {
            "child": child,
            "link_form": link_form,
            "guardian_form": guardian_form,
            "duplicates": duplicates,
            "title": _("Add a guardian for %(name)s") % {"name": child},
        },
    )


@login_required
def guardian_edit(request, pk, link_pk):
    """Correct a guardian's contact details, or how they relate to this child."""
    child = _child(request, pk, C.MANAGE_CHILDREN)
    link = get_object_or_404(
        ChildGuardian.objects.select_related("guardian"), pk=link_pk, child=child
    )
    guardian_form = forms.GuardianForm(
        request.POST or None, instance=link.guardian, prefix="guardian"
    )
    link_form = forms.GuardianLinkEditForm(request.POST or None, instance=link, prefix="link")
    if request.method == "POST" and guardian_form.is_valid() and link_form.is_valid():
        services.update_guardian(link, guardian_form, link_form, by=request.user)
        messages.success(request, _("Saved %(name)s.") % {"name": link.guardian})
        return redirect(child)
    siblings = link.guardian.child_links.exclude(child=child).count()
    return render(
        request,
        "children/guardian_edit.html",
        {
            "child": child,
            "link_form": link_form,
            "guardian_form": guardian_form,
            "siblings": siblings,
            "title": _("Edit %(name)s") % {"name": link.guardian},
        },
    )


@login_required
def consent_record(request, pk):
    child = _child(request, pk, C.MANAGE_CHILDREN)
    in_force = list(services.current_forms(child.centre.programme).values())
    form = forms.ConsentRecordForm(
        request.POST or None,
        child=child,
        forms_in_force=in_force,
        initial={"form": request.GET.get("form")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_consent(
                child,
                form=data["form"],
                decision=data["decision"],
                guardian=data["guardian"],
                method=data["method"],
                at=data["decided_at"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Consent decision recorded."))
            return redirect(child)
    return _form_page(
        request,
        form,
        title=_("Record consent: %(name)s") % {"name": child},
        back=child.get_absolute_url(),
        template="children/consent_form.html",
        forms_in_force=in_force,
        child=child,
    )


@login_required
def consent_withdraw(request, pk):
    record = access.get_for(
        request.user,
        ConsentRecord.objects.select_related("child__centre__programme", "form"),
        pk,
        C.MANAGE_CHILDREN,
    )
    child = record.child
    privacy.log_seen(request, child)
    form = forms.WithdrawForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_consent(
                record,
                guardian=form.cleaned_data["guardian"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Consent withdrawn from now on."))
            return redirect(child)
    return _form_page(
        request,
        form,
        title=_("Withdraw consent: %(form)s") % {"form": record.form},
        back=child.get_absolute_url(),
        intro=_(
            "Withdrawal takes effect from this moment for %(name)s. The earlier decision "
            "stays in the record."
        )
        % {"name": child},
    )


@login_required
def sensitive_edit(request, pk):
    child = _child(request, pk, C.MANAGE_CHILDREN)
    access.require(request.user, C.VIEW_SPECIAL_CATEGORY, child)
    instance = getattr_or_none(child, "sensitive")
    fsm_open = child.fsm_periods.filter(end__isnull=True).exists()
    form = forms.SensitiveForm(
        request.POST or None, instance=instance, initial={"fsm_now": fsm_open}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        fsm_now = data.pop("fsm_now")
        services.save_sensitive(child, by=request.user, fsm_now=fsm_now, **data)
        messages.success(request, _("Saved."))
        return redirect(child)
    return _form_page(
        request,
        form,
        title=_("Equity data: %(name)s") % {"name": child},
        back=child.get_absolute_url(),
        intro=_("Special-category data: seen only by centre managers and safeguarding leads."),
    )


@login_required
def safety_edit(request, pk):
    child = _child(request, pk, C.MANAGE_CHILDREN)
    form = forms.SafetyNotesForm(request.POST or None, instance=getattr_or_none(child, "safety"))
    if request.method == "POST" and form.is_valid():
        services.save_safety_notes(child, by=request.user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect(child)
    return _form_page(
        request,
        form,
        title=_("Safety notes: %(name)s") % {"name": child},
        back=child.get_absolute_url(),
        intro=_("Tutors see these notes so that they can keep the child safe."),
    )


@login_required
def offer_place(request, pk):
    child = _child(request, pk, C.MANAGE_CHILDREN)
    form = forms.OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_place(child, by=request.user, on=form.cleaned_data["offered_on"],
                                 respond_by=form.cleaned_data["respond_by"])  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Place offered."))
            return redirect("children:waiting_list", centre_pk=child.centre_id)
    return _form_page(
        request, form, title=_("Offer a place: %(name)s") % {"name": child},
        back=child.get_absolute_url(),
    )  # fmt: skip


@login_required
@require_POST
def offer_settle(request, pk):
    offer = access.get_for(
        request.user,
        WaitingListOffer.objects.select_related("child__centre__programme"),
        pk,
        C.MANAGE_CHILDREN,
    )
    outcome = request.POST.get("outcome")
    if outcome in WaitingListOffer.Outcome.values and offer.outcome == "pending":
        services.settle_offer(offer, outcome=outcome, on=timezone.localdate(), by=request.user)
        messages.success(request, _("Offer updated."))
    return redirect("children:waiting_list", centre_pk=offer.child.centre_id)


@login_required
def waiting_list(request, centre_pk):
    centre = _centre(request, centre_pk, C.MANAGE_CHILDREN)
    children = (
        access.scope(services.waiting_list(centre), request.user, C.MANAGE_CHILDREN)
        .select_related("school")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=WaitingListOffer.objects.filter(outcome="pending"),
                to_attr="pending",
            )
        )
    )
    children = list(children)
    privacy.log_seen(request, children)
    return render(request, "children/waiting_list.html", {"centre": centre, "children": children})


@login_required
def consent_campaign(request, centre_pk):
    """For each form in force: who has answered, and who is still outstanding."""
    centre = _centre(request, centre_pk, C.MANAGE_CHILDREN)
    rows = []
    for form in services.current_forms(centre.programme).values():
        outstanding = access.scope(
            services.outstanding_consents(centre, form), request.user, C.MANAGE_CHILDREN
        ).select_related("school")
        rows.append({"form": form, "outstanding": list(outstanding[:200])})
    privacy.log_seen(request, [c for row in rows for c in row["outstanding"]])
    return render(request, "children/consent_campaign.html", {"centre": centre, "rows": rows})


@login_required
def consent_forms(request, programme_pk):
    programme = access.get_for(request.user, Programme.objects.all(), programme_pk)
    caps = access.capabilities_in_programme(request.user, programme)
    return render(
        request,
        "children/consent_forms.html",
        {
            "programme": programme,
            "forms": ConsentForm.objects.filter(programme=programme).order_by("kind", "-version"),
            "can_publish": C.MANAGE_PROGRAMME in caps,
        },
    )


@login_required
def consent_form_publish(request, programme_pk):
    programme = access.get_for(
        request.user, Programme.objects.all(), programme_pk, C.MANAGE_PROGRAMME
    )
    kind = request.GET.get("kind")
    initial = {}
    latest = ConsentForm.objects.filter(programme=programme, kind=kind).first() if kind else None
    if latest:
        initial = {"kind": kind, "title": latest.title, "wording": latest.wording}
    form = forms.ConsentFormForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.publish_consent_form(programme=programme, by=request.user, **form.cleaned_data)
        messages.success(request, _("Published a new version."))
        return redirect("children:consent_forms", programme_pk=programme.pk)
    return _form_page(
        request,
        form,
        title=_("Publish a consent form version"),
        back=reverse("children:consent_forms", args=[programme.pk]),
        intro=_("Earlier versions and the answers to them are kept unchanged."),
    )


# --- exports and data protection ---------------------------------------------------


@login_required
def child_list_export(request, centre_pk):
    """The filtered list as CSV; each exported child gets an access-log row."""
    centre = _centre(request, centre_pk, C.MANAGE_CHILDREN)
    form = forms.ChildFilterForm(request.GET or None, centre=centre, special_category=True)
    children = list(
        filter_children(
            Child.objects.visible_to(request.user).filter(
                centre=centre, anonymised_at__isnull=True
            ),
            form,
            special_category=True,
        ).select_related("school")
    )
    services.log_access(children, user=request.user, action=Action.EXPORT, detail="CSV list")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="children-{centre.pk}.csv"'
    writer = csv_writer(response)
    writer.writerow(["id", "first_name", "last_name", "preferred_name", "date_of_birth",
                     "school", "year_group", "upn", "status"])  # fmt: skip
    for c in children:
        writer.writerow([c.pk, c.first_name, c.last_name, c.preferred_name, c.date_of_birth,
                         c.school or "", c.year_group, c.upn, c.status])  # fmt: skip
    return response


@login_required
def subject_access_json(request, pk):
    child = _child(request, pk, C.MANAGE_CHILDREN, log=False)
    services.log_access(child, user=request.user, action=Action.SUBJECT_ACCESS, detail="JSON")
    response = JsonResponse(
        privacy.subject_access_data(child), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Content-Disposition"] = f'attachment; filename="child-{child.pk}.json"'
    return response


@login_required
def subject_access_html(request, pk):
    child = _child(request, pk, C.MANAGE_CHILDREN, log=False)
    services.log_access(child, user=request.user, action=Action.SUBJECT_ACCESS, detail="HTML")
    return render(
        request,
        "children/subject_access.html",
        {
            "child": child,
            "generated_at": timezone.now(),
            "sections": privacy.subject_access_sections(child),
        },
    )


@login_required
def anonymise(request, pk):
    child = _child(request, pk, C.MANAGE_CHILDREN)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        privacy.anonymise_child(child, by=request.user)
        messages.success(request, _("The record was anonymised."))
        return redirect("children:child_list", centre_pk=child.centre_id)
    return render(request, "children/anonymise.html", {"child": child})


# --- imports ---------------------------------------------------------------------


@login_required
def import_upload(request, centre_pk):
    centre = _centre(request, centre_pk, C.MANAGE_CHILDREN)
    form = forms.UploadForm(request.POST or None, request.FILES or None, centre=centre)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        limit = 20 * 1024 * 1024
        data = upload.read(limit + 1)
        if kind == ImportLog.Kind.CTF:
            log = imports.read_upload(
                centre, kind=kind, filename=upload.name, data=data, by=request.user
            )
        else:
            log = imports.start_classlist(
                centre,
                filename=upload.name,
                data=data,
                by=request.user,
                school=form.cleaned_data["school"],
            )
            if log.state == ImportLog.State.MAPPING:
                return redirect("children:import_mapping", pk=log.pk)
        return redirect("children:import_detail", pk=log.pk)
    logs = (
        ImportLog.objects.visible_to(request.user)
        .filter(centre=centre)
        .select_related("uploaded_by")[:20]
    )
    return render(
        request, "children/import_upload.html", {"centre": centre, "form": form, "logs": logs}
    )


@login_required
def import_mapping(request, pk):
    log = access.get_for(
        request.user, ImportLog.objects.select_related("centre", "school"), pk, C.MANAGE_CHILDREN
    )
    if log.state != ImportLog.State.MAPPING:
        return redirect("children:import_detail", pk=log.pk)
    columns = classlist.headers(log.source)
    initial, remembered = imports.initial_mapping(log, columns)
    form = forms.MappingForm(request.POST or None, columns=columns, initial=initial)
    if request.method == "POST" and form.is_valid():
        mapping = {k: v for k, v in form.cleaned_data.items() if v}
        with transaction.atomic():
            checked = imports.read_upload(
                log.centre,
                kind=log.kind,
                filename=log.filename,
                data=log.source.encode(),
                by=request.user,
                mapping=mapping,
                fsm_from=imports.fsm_from_default(),
                school=log.school,
                header={**log.header, "mapping": mapping},
            )
            if log.school is not None:
                imports.remember_mapping(log.school, mapping, by=request.user)
            log.delete()
        return redirect("children:import_detail", pk=checked.pk)
    if remembered is not None:
        intro = _(
            "Filled in with the columns chosen for %(school)s on %(date)s. Check them, "
            "then continue."
        ) % {"school": log.school.name, "date": date_format(remembered.updated, "j F Y")}
    else:
        intro = _("Tell Harmonia which column holds each piece of information.")
    return _form_page(
        request,
        form,
        title=_("Match the columns of %(file)s") % {"file": log.filename},
        back=reverse("children:import_upload", args=[log.centre_id]),
        intro=intro,
    )


@login_required
def import_detail(request, pk):
    log = access.get_for(
        request.user, ImportLog.objects.select_related("centre"), pk, C.MANAGE_CHILDREN
    )
    rows = imports.preview(log) if log.state == ImportLog.State.VALIDATED else []
    privacy.log_seen(request, [r["child"] for r in rows if r["child"]])
    special = C.VIEW_SPECIAL_CATEGORY in access.capabilities_in_centre(request.user, log.centre)
    problems = [{**p, "text": imports.problem_text(p)} for p in log.problems]
    return render(
        request,
        "children/import_detail.html",
        {"log": log, "centre": log.centre, "rows": rows, "problems": problems,
         "error_text": imports.error_text(log),
         "summary": imports.summary(log) if rows else None, "special": special,
         "polling": log.state in (ImportLog.State.QUEUED, ImportLog.State.RUNNING)},
    )  # fmt: skip


@login_required
def import_progress(request, pk):
    """HTMX polling target while a large import runs."""
    log = access.get_for(request.user, ImportLog.objects.all(), pk, C.MANAGE_CHILDREN)
    polling = log.state in (ImportLog.State.QUEUED, ImportLog.State.RUNNING)
    return render(request, "children/import_progress.html", {"log": log, "polling": polling})


@login_required
@require_POST
def import_apply(request, pk):
    log = access.get_for(
        request.user, ImportLog.objects.select_related("centre__programme"), pk, C.MANAGE_CHILDREN
    )
    if log.state == ImportLog.State.VALIDATED:
        try:
            answers = {
                k.removeprefix("match-"): v
                for k, v in request.POST.items()
                if k.startswith("match-")
            }
            imports.start_apply(log, by=request.user, confirmed=answers)
        except Exception:  # the log says what failed; nothing was written
            messages.error(request, _("The import failed; nothing was changed."))
    return redirect("children:import_detail", pk=log.pk)
