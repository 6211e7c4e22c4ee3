"""Instrument inventory, labels, loans, size-ups, repairs and stock.
Each view: access helper first, then a form and one service call."""

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q, Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from harmonia import access
from harmonia.access import Capability as C
from harmonia.children import privacy
from harmonia.children.models import Child
from harmonia.instruments import forms, photos, services, sizing
from harmonia.instruments.models import (
    IN_FLEET,
    Consumable,
    Instrument,
    InstrumentStatus,
    InstrumentType,
    Loan,
    LoanAgreement,
    LoanRules,
    RepairJob,
    StockMovement,
)
from harmonia.instruments.templatetags import child_names
from harmonia.programmes.models import Centre, Programme
from harmonia.programmes.services import save_structure

PAGE_SIZE = 100


def _centre(request, pk, need=C.VIEW_INSTRUMENTS):
    return access.get_for(request.user, Centre.objects.select_related("programme"), pk, need)


def _instrument(request, pk, need=C.VIEW_INSTRUMENTS):
    return access.get_for(
        request.user, Instrument.objects.select_related("centre__programme"), pk, need
    )


def _form_page(request, form, *, title, back, eyebrow=None, intro=None):
    return render(
        request,
        "staff/form.html",
        {"form": form, "title": title, "back": back, "eyebrow": eyebrow, "intro": intro},
    )


def _errors(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


def _open_loans(user):
    return Prefetch(
        "loans",
        queryset=Loan.objects.visible_to(user).open().select_related("child", "school"),
        to_attr="open_loans",
    )


# The quiet zone a QR code needs around it to scan reliably (ISO/IEC 18004: four
# modules); printed labels lose it to the label's edge when it is left out.
QUIET_ZONE = 4


def qr_svg(request, instrument, scale=3) -> str:
    url = request.build_absolute_uri(instrument.get_absolute_url())
    return segno.make(url, error="m").svg_inline(
        scale=scale, border=QUIET_ZONE, omitsize=True, light="#fff"
    )


def return_to(centre) -> str:
    """ "If found, return to" text for a centre: its name, address and phone on one line."""
    parts = [centre.name]
    parts += [line.strip(" ,") for line in (centre.address or "").splitlines() if line.strip(" ,")]
    if centre.phone:
        parts.append(centre.phone)
    elif centre.email:
        parts.append(centre.email)
    return ", ".join(parts)


@login_required
def inventory(request, centre_pk):
    centre = _centre(request, centre_pk)
    caps = access.capabilities_in_centre(request.user, centre)
    everything = Instrument.objects.visible_to(request.user).filter(centre=centre)
    instruments = everything
    filters = {
        "instrument_type": request.GET.get("type", ""),
        "size": request.GET.get("size", ""),
        "status": request.GET.get("status", ""),
    }
    for field, value in filters.items():
        if value:
            instruments = instruments.filter(**{field: value})
    q = request.GET.get("q", "").strip()
    if q:
        instruments = instruments.filter(
            Q(asset_tag__icontains=q) | Q(serial_number__icontains=q) | Q(make__icontains=q)
        )
    page = Paginator(
        instruments.prefetch_related(_open_loans(request.user)).order_by("asset_tag"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    privacy.log_seen(request, [ln.child_id for i in page for ln in i.open_loans if ln.child_id])
    return render(
        request,
        "instruments/inventory.html",
        {
            "centre": centre,
            "page": page,
            "totals": everything.totals(),
            "filters": filters,
            "q": q,
            "types": InstrumentType.choices,
            "statuses": InstrumentStatus.choices,
            "sizes": forms.SIZE_CHOICES,
            "can_manage": C.MANAGE_INSTRUMENTS in caps,
            "can_lend": C.LEND_INSTRUMENTS in caps,
        },
    )


@login_required
def instrument_create(request, centre_pk):
    centre = _centre(request, centre_pk, C.MANAGE_INSTRUMENTS)
    form = forms.InstrumentForm(request.POST or None, request.FILES or None, centre=centre)
    if request.method == "POST" and form.is_valid():
        instrument = services.add_instrument(form, by=request.user)
        messages.success(request, _("Added %(tag)s.") % {"tag": instrument.asset_tag})
        return redirect(instrument)
    return _form_page(
        request,
        form,
        title=_("Add an instrument"),
        back=reverse("instruments:inventory", args=[centre.pk]),
        eyebrow=centre.name,
    )


@login_required
def delivery(request, centre_pk):
    centre = _centre(request, centre_pk, C.MANAGE_INSTRUMENTS)
    form = forms.DeliveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        count = data.pop("count")
        try:
            created = services.receive_delivery(centre=centre, count=count, by=request.user, **data)
        except ValidationError as error:
            if data["serial_numbers"] and any(s for s in data["serial_numbers"]):
                form.add_error("serial_numbers", error)
            else:
                _errors(request, error)
        else:
            messages.success(
                request,
                _("Received %(n)s instruments: %(first)s to %(last)s.")
                % {"n": len(created), "first": created[0].asset_tag, "last": created[-1].asset_tag},
            )
            url = reverse("instruments:labels", args=[centre.pk])
            return redirect(f"{url}?from={created[0].asset_tag}&to={created[-1].asset_tag}")
    return _form_page(
        request,
        form,
        title=_("Receive a delivery"),
        back=reverse("instruments:inventory", args=[centre.pk]),
        eyebrow=centre.name,
    )


@login_required
def labels(request, centre_pk):
    """An A4 sheet of asset labels with QR codes: a delivery (?from=&to= tags), or
    the whole inventory."""
    centre = _centre(request, centre_pk)
    instruments = Instrument.objects.visible_to(request.user).filter(centre=centre)
    first, last = request.GET.get("from", ""), request.GET.get("to", "")
    if first:
        instruments = instruments.filter(asset_tag__gte=first)
    if last:
        instruments = instruments.filter(asset_tag__lte=last)
    instruments = list(instruments.order_by("asset_tag")[:480])
    for instrument in instruments:
        instrument.qr = qr_svg(request, instrument, scale=2)
    return render(
        request,
        "instruments/labels.html",
        {
            "centre": centre,
            "instruments": instruments,
            "first": first,
            "last": last,
            "return_to": return_to(centre),
        },
    )


@login_required
def instrument_qr(request, pk):
    instrument = _instrument(request, pk)
    return HttpResponse(qr_svg(request, instrument, scale=4), content_type="image/svg+xml")


@login_required
def instrument_photo(request, pk, name):
    """An instrument's photo, for people who may see the instrument (another centre's
    is a 404, too low a role a 403). The address names the stored (random) file, so
    a replaced photo's old address stops working."""
    instrument = _instrument(request, pk)
    if not instrument.photo or instrument.photo_name != name:
        raise Http404
    extension = name.rsplit(".", 1)[-1]
    content_type = photos.CONTENT_TYPES.get(extension)
    if content_type is None:
        raise Http404
    try:
        handle = instrument.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{instrument.asset_tag}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def instrument_detail(request, pk):
    instrument = _instrument(request, pk)
    caps = access.capabilities_in_centre(request.user, instrument.centre)
    loans = (
        Loan.objects.visible_to(request.user)
        .filter(instrument=instrument)
        .select_related("child", "school", "agreement", "lent_by")
    )
    open_loan = next((loan for loan in loans if loan.returned_on is None), None)
    privacy.log_seen(request, [loan.child_id for loan in loans if loan.child_id])
    return render(
        request,
        "instruments/instrument_detail.html",
        {
            "instrument": instrument,
            "loans": loans,
            "open_loan": open_loan,
            "repairs": instrument.repairs.all(),
            "open_repair": instrument.repairs.filter(returned_on__isnull=True).first(),
            "qr": qr_svg(request, instrument),
            "can_manage": C.MANAGE_INSTRUMENTS in caps,
            "can_lend": C.LEND_INSTRUMENTS in caps,
            "status_form": forms.StatusForm(initial={"status": instrument.status}),
        },
    )


@login_required
def instrument_edit(request, pk):
    instrument = _instrument(request, pk, C.MANAGE_INSTRUMENTS)
    form = forms.InstrumentForm(
        request.POST or None, request.FILES or None, instance=instrument, centre=instrument.centre
    )
    if request.method == "POST" and form.is_valid():
        services.add_instrument(form, by=request.user)
        messages.success(request, _("Saved %(tag)s.") % {"tag": instrument.asset_tag})
        return redirect(instrument)
    return _form_page(
        request,
        form,
        title=_("Edit %(tag)s") % {"tag": instrument.asset_tag},
        back=instrument.get_absolute_url(),
    )


@login_required
@require_POST
def instrument_status(request, pk):
    instrument = _instrument(request, pk, C.MANAGE_INSTRUMENTS)
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_status(instrument, form.cleaned_data["status"], by=request.user)
        except ValidationError as error:
            _errors(request, error)
    return redirect(instrument)


@login_required
def lend(request, pk):
    instrument = _instrument(request, pk, C.LEND_INSTRUMENTS)
    form = forms.LendForm(request.POST or None, instrument=instrument, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.lend(
                instrument,
                by=request.user,
                on=data["lent_on"],
                child=data["child"],
                school=data["school"],
                due_back=data["due_back"],
                agreement=data["agreement"] if data["child"] else None,
                accepted_by=data["accepted_by"] if data["child"] else "",
                agreement_method=data["agreement_method"] or "",
                accepted_on=data["accepted_on"] or data["lent_on"],
                second_of_a_type_confirmed=data["second_of_a_type"],
            )
        except services.SecondOfAType as warning:
            form.ask_about_second_of_a_type(warning.messages[0])
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("%(tag)s lent.") % {"tag": instrument.asset_tag})
            return redirect(instrument)
    return render(
        request,
        "instruments/lend.html",
        {
            "form": form,
            "instrument": instrument,
            "agreements": LoanAgreement.objects.filter(programme=instrument.programme_id)[:1],
            "rule": services.second_of_a_type_rule(instrument.programme_id),
        },
    )


def _agreement_loan(request, pk):
    """A child's loan, for its agreement: names the child and the family, so only for
    those who may see the child (the programme lead lends but sees no names: 403)."""
    loan = _loan(request, pk)
    if loan.child_id is None:
        raise Http404
    if not access.may_see_child(request.user, loan.child):
        raise PermissionDenied
    privacy.log_seen(request, [loan.child_id])
    return loan


def _agreement_context(request, loan) -> dict:
    agreement = loan.agreement or (
        LoanAgreement.objects.filter(
            programme=loan.centre.programme_id, in_force_from__lte=loan.lent_on
        ).first()
        or LoanAgreement.objects.filter(programme=loan.centre.programme_id).first()
    )
    guardians = []
    if loan.child_id:
        guardians = [
            link.guardian
            for link in loan.child.guardian_links.select_related("guardian").order_by("priority")
            if link.parental_responsibility
        ][:2]
    return {
        "loan": loan,
        "agreement": agreement,
        "instrument": loan.instrument,
        "centre": loan.centre,
        "programme": loan.centre.programme,
        "borrower": _borrower(request.user, loan),
        "guardians": guardians,
        "return_to": return_to(loan.centre),
    }


@login_required
def loan_agreement(request, pk):
    """A child's loan agreement, filled in, to print and sign (or as a PDF); and the
    form that records the guardian's acceptance: who, on which day, and how."""
    loan = _agreement_loan(request, pk)
    form = forms.AcceptanceForm(
        request.POST or None,
        loan=loan,
        initial={
            "agreement": loan.agreement_id,
            "accepted_by": loan.agreement_accepted_by,
            "agreement_method": loan.agreement_method or "paper",
            "accepted_on": loan.agreement_accepted_on or dt.date.today(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_agreement_acceptance(
                loan,
                agreement=data["agreement"],
                accepted_by=data["accepted_by"],
                method=data["agreement_method"],
                on=data["accepted_on"],
                by=request.user,
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("The guardian's acceptance is recorded."))
            return redirect("instruments:loan_agreement", pk=loan.pk)
    context = _agreement_context(request, loan) | {"form": form}
    return render(request, "instruments/loan_agreement.html", context)


@login_required
def loan_agreement_pdf(request, pk):
    from django.template.loader import render_to_string
    from weasyprint import HTML

    loan = _agreement_loan(request, pk)
    html = render_to_string(
        "instruments/loan_agreement_pdf.html", _agreement_context(request, loan), request=request
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="loan-agreement-{loan.instrument.asset_tag}.pdf"'
    )
    return response


def _loan(request, pk):
    return access.get_for(
        request.user,
        Loan.objects.select_related("instrument", "child", "school", "centre"),
        pk,
        C.LEND_INSTRUMENTS,
    )


@login_required
def loan_return(request, pk):
    loan = _loan(request, pk)
    privacy.log_seen(request, [loan.child_id] if loan.child_id else [])
    form = forms.ReturnForm(request.POST or None, initial={"condition": loan.instrument.condition})
    if request.method == "POST" and form.is_valid():
        try:
            services.return_loan(
                loan,
                by=request.user,
                on=form.cleaned_data["returned_on"],
                condition=form.cleaned_data["condition"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("%(tag)s returned.") % {"tag": loan.instrument.asset_tag})
            return redirect(loan.instrument)
    return _form_page(
        request,
        form,
        title=_("Return %(tag)s from %(who)s")
        % {"tag": loan.instrument.asset_tag, "who": _borrower(request.user, loan)},
        back=loan.instrument.get_absolute_url(),
    )


def _borrower(user, loan) -> str:
    """The school, the child's name, or "a child of <centre>" (harmonia.access)."""
    if loan.child_id is None:
        return str(loan.school)
    if access.may_see_child(user, loan.child):
        return str(loan.child)
    return child_names.anonymous_label(loan.centre)


@login_required
def loan_swap(request, pk):
    loan = _loan(request, pk)
    privacy.log_seen(request, [loan.child_id] if loan.child_id else [])
    form = forms.SwapForm(
        request.POST or None, loan=loan, initial={"condition": loan.instrument.condition}
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.swap(
                loan,
                form.cleaned_data["new_instrument"],
                by=request.user,
                on=form.cleaned_data["returned_on"],
                condition=form.cleaned_data["condition"],
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(
                request,
                _("%(old)s returned and %(new)s lent.")
                % {"old": loan.instrument.asset_tag, "new": new.instrument.asset_tag},
            )
            return redirect(new.instrument)
    return _form_page(
        request,
        form,
        title=_("Swap %(tag)s for %(who)s")
        % {"tag": loan.instrument.asset_tag, "who": _borrower(request.user, loan)},
        back=loan.instrument.get_absolute_url(),
    )


@login_required
def loan_list(request, centre_pk):
    centre = _centre(request, centre_pk)
    caps = access.capabilities_in_centre(request.user, centre)
    loans = Loan.objects.visible_to(request.user).filter(centre=centre)
    today = dt.date.today()
    open_loans = list(
        loans.open()
        .select_related("instrument", "child", "school")
        .order_by("instrument__asset_tag")
    )
    left = [loan for loan in open_loans if loan.child and loan.child.status == "left"]
    late = [
        loan for loan in open_loans if loan.due_back and loan.due_back < today and loan not in left
    ]
    returned = (
        loans.filter(returned_on__isnull=False)
        .select_related("instrument", "child", "school")
        .order_by("-returned_on")[:20]
    )
    privacy.log_seen(request, [ln.child_id for ln in [*open_loans, *returned] if ln.child_id])
    return render(
        request,
        "instruments/loan_list.html",
        {
            "centre": centre,
            "open_loans": open_loans,
            "left": left,
            "late": late,
            "returned": returned,
            "today": today,
            "on_loan_value": sum((loan.instrument.value for loan in open_loans), start=0),
            "can_lend": C.LEND_INSTRUMENTS in caps,
        },
    )


@login_required
def child_instruments(request, child_pk):
    """A child's loan history and arm measurements; measure them here."""
    child = access.get_for(
        request.user,
        Child.objects.select_related("centre__programme"),
        child_pk,
        C.VIEW_INSTRUMENTS,
    )
    caps = access.capabilities_in_centre(request.user, child.centre)
    if C.VIEW_CHILDREN not in caps:  # a named child: the programme lead sees loans, not names
        raise PermissionDenied
    privacy.log_seen(request, child)
    can_lend = C.LEND_INSTRUMENTS in caps
    form = forms.MeasurementForm(request.POST or None)
    if request.method == "POST":
        if not can_lend:
            raise PermissionDenied
        if form.is_valid():
            services.record_measurement(
                child,
                arm_length_cm=form.cleaned_data["arm_length_cm"],
                on=form.cleaned_data["measured_on"],
                by=request.user,
            )
            messages.success(request, _("Measurement recorded."))
            return redirect(request.path)
    measurements = list(child.arm_measurements.all())
    loans = child.instrument_loans.select_related("instrument", "agreement")
    suggestions = []
    term_start = sizing.next_term_start(dt.date.today())
    for kind in ("violin", "viola", "cello"):
        size, basis = sizing.suggest_size(
            kind,
            born=child.date_of_birth,
            on=term_start,
            arm_cm=measurements[0].arm_length_cm if measurements else None,
        )
        suggestions.append({"type": InstrumentType(kind).label, "size": size, "basis": basis})
    return render(
        request,
        "instruments/child_instruments.html",
        {
            "child": child,
            "loans": loans,
            "measurements": measurements,
            "form": form,
            "can_lend": can_lend,
            "suggestions": suggestions,
            "term_start": term_start,
            "age": sizing.age_on(child.date_of_birth, dt.date.today()),
        },
    )


@login_required
def size_up(request, centre_pk):
    centre = _centre(request, centre_pk)
    on = None
    if request.GET.get("on"):
        try:
            on = dt.date.fromisoformat(request.GET["on"])
        except ValueError:
            messages.error(request, _("Give the date as YYYY-MM-DD."))
    result = services.size_up_list(centre, request.user, on)
    privacy.log_seen(request, [row["child"] for row in result["rows"]])
    return render(request, "instruments/size_up.html", {"centre": centre, **result})


@login_required
def repair_create(request, pk):
    instrument = _instrument(request, pk, C.MANAGE_INSTRUMENTS)
    form = forms.RepairForm(request.POST or None, initial={"sent_on": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.send_for_repair(instrument, by=request.user, form=form)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Sent for repair."))
            return redirect(instrument)
    return _form_page(
        request,
        form,
        title=_("Send %(tag)s for repair") % {"tag": instrument.asset_tag},
        back=instrument.get_absolute_url(),
    )


@login_required
def repair_return(request, pk):
    job = access.get_for(
        request.user, RepairJob.objects.select_related("instrument"), pk, C.MANAGE_INSTRUMENTS
    )
    form = forms.RepairReturnForm(
        request.POST or None,
        initial={"cost": job.estimate, "condition": job.instrument.condition},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.return_from_repair(
                job,
                by=request.user,
                on=form.cleaned_data["returned_on"],
                cost=form.cleaned_data["cost"],
                condition=form.cleaned_data["condition"],
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Back from repair."))
            return redirect(job.instrument)
    return _form_page(
        request,
        form,
        title=_("%(tag)s back from repair") % {"tag": job.instrument.asset_tag},
        back=job.instrument.get_absolute_url(),
    )


@login_required
def repair_list(request, centre_pk):
    centre = _centre(request, centre_pk)
    repairs = (
        RepairJob.objects.visible_to(request.user)
        .filter(instrument__centre=centre)
        .select_related("instrument")
    )
    this_year = dt.date.today().replace(month=1, day=1)
    spend = repairs.filter(returned_on__gte=this_year).aggregate(total=Sum("cost"))["total"]
    return render(
        request,
        "instruments/repair_list.html",
        {
            "centre": centre,
            "open_repairs": [r for r in repairs if r.returned_on is None],
            "done": [r for r in repairs if r.returned_on is not None][:50],
            "spend": spend or 0,
            "year": this_year.year,
            "can_manage": C.MANAGE_INSTRUMENTS
            in access.capabilities_in_centre(request.user, centre),
        },
    )


@login_required
def stock(request, centre_pk):
    centre = _centre(request, centre_pk)
    can_manage = C.MANAGE_INSTRUMENTS in access.capabilities_in_centre(request.user, centre)
    programme = centre.programme
    move_form = forms.StockMoveForm(
        request.POST if request.POST.get("form") == "move" else None, programme=programme
    )
    new_form = forms.ConsumableForm(
        request.POST if request.POST.get("form") == "new" else None, programme=programme
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if request.POST.get("form") == "move" and move_form.is_valid():
            data = move_form.cleaned_data
            try:
                services.move_stock(centre=centre, by=request.user, **data)
            except ValidationError as error:
                _errors(request, error)
            else:
                messages.success(request, _("Stock updated."))
                return redirect(request.path)
        if request.POST.get("form") == "new" and new_form.is_valid():
            save_structure(new_form, by=request.user)
            messages.success(request, _("Item added."))
            return redirect(request.path)
    levels = services.stock_levels(centre)
    items = list(Consumable.objects.visible_to(request.user).filter(programme=programme))
    for item in items:
        item.level = levels.get(item.pk, 0)
        item.low = item.level < item.reorder_level
    movements = (
        StockMovement.objects.visible_to(request.user)
        .filter(centre=centre)
        .select_related("consumable", "by")[:30]
    )
    return render(
        request,
        "instruments/stock.html",
        {
            "centre": centre,
            "items": items,
            "movements": movements,
            "move_form": move_form,
            "new_form": new_form,
            "can_manage": can_manage,
        },
    )


@login_required
def programme_fleet(request, pk):
    """Each centre's fleet and loans, and the programme's totals: aggregates only."""
    programme = access.get_for(request.user, Programme.objects.all(), pk, C.VIEW_INSTRUMENTS)
    instruments = Instrument.objects.visible_to(request.user).filter(programme=programme)
    # One grouped aggregate query for the centres, one for the totals.
    in_fleet = Q(status__in=IN_FLEET)
    centres = (
        instruments.values("centre_id", "centre__name")
        .annotate(
            fleet=Count("pk", filter=in_fleet),
            fleet_value=Sum("value", filter=in_fleet, default=0),
            on_loan=Count("pk", filter=Q(status=InstrumentStatus.ON_LOAN)),
            on_loan_value=Sum("value", filter=Q(status=InstrumentStatus.ON_LOAN), default=0),
            in_repair=Count("pk", filter=Q(status=InstrumentStatus.IN_REPAIR)),
        )
        .order_by("centre__name")
    )
    return render(
        request,
        "instruments/programme_fleet.html",
        {"programme": programme, "centres": centres, "totals": instruments.totals()},
    )


@login_required
def agreements(request, pk):
    programme = access.get_for(request.user, Programme.objects.all(), pk, C.VIEW_INSTRUMENTS)
    can_manage = C.MANAGE_PROGRAMME in access.capabilities_in_programme(request.user, programme)
    latest = LoanAgreement.objects.filter(programme=programme).aggregate(v=Max("version"))["v"]
    rules = LoanRules.objects.filter(programme=programme).first() or LoanRules(programme=programme)
    is_rules = request.POST.get("form") == "rules"
    rules_form = forms.LoanRulesForm(request.POST if is_rules else None, instance=rules)
    form = forms.AgreementForm(
        request.POST if request.method == "POST" and not is_rules else None,
        initial={"in_force_from": dt.date.today()},
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if is_rules:
            if rules_form.is_valid():
                services.set_loan_rules(
                    programme,
                    second_of_a_type=rules_form.cleaned_data["second_of_a_type"],
                    by=request.user,
                )
                messages.success(request, _("Lending rules saved."))
                return redirect(request.path)
        elif form.is_valid():
            form.instance.programme = programme
            form.instance.version = (latest or 0) + 1
            form.instance.created_by = request.user
            save_structure(form, by=request.user)
            messages.success(request, _("New agreement version saved."))
            return redirect(request.path)
    return render(
        request,
        "instruments/agreements.html",
        {
            "programme": programme,
            "agreements": LoanAgreement.objects.filter(programme=programme),
            "form": form,
            "rules_form": rules_form,
            "rules": rules,
            "can_manage": can_manage,
        },
    )
