"""Forms for instruments, deliveries, loans, repairs and stock."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from harmonia.children.models import Child
from harmonia.instruments import photos
from harmonia.instruments.models import (
    SIZE_CHOICES,
    AgreementMethod,
    Condition,
    Consumable,
    Instrument,
    InstrumentStatus,
    InstrumentType,
    LoanAgreement,
    LoanRules,
    RepairJob,
    StockMovement,
    sizes_for,
)
from harmonia.programmes.forms import DATE
from harmonia.programmes.models import PartnerSchool
from harmonia.widgets import make_searchable

PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}


def _check_size(form, data):
    kind, size = data.get("instrument_type"), data.get("size")
    if kind and size and size not in sizes_for(kind):
        labels = dict(SIZE_CHOICES)
        form.add_error(
            "size",
            _("A %(kind)s comes in: %(sizes)s.")
            % {
                "kind": InstrumentType(kind).label.lower(),
                "sizes": ", ".join(str(labels[s]) for s in sizes_for(kind)),
            },
        )


class InstrumentForm(forms.ModelForm):
    class Meta:
        model = Instrument
        fields = [
            "instrument_type",
            "size",
            "make",
            "model_name",
            "serial_number",
            "condition",
            "value",
            "owner",
            "lender_name",
            "location",
            "acquired",
            "photo",
            "notes",
        ]
        widgets = {"acquired": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.centre = centre
        self.instance.programme_id = centre.programme_id
        self.fields["photo"].widget.attrs["accept"] = ",".join(sorted(PHOTO_TYPES))

    def clean_serial_number(self):
        serial = (self.cleaned_data.get("serial_number") or "").strip()
        if serial:
            clash = (
                Instrument.objects.filter(
                    programme_id=self.instance.programme_id, serial_number__iexact=serial
                )
                .exclude(pk=self.instance.pk)
                .values_list("asset_tag", flat=True)
                .first()
            )
            if clash:
                raise forms.ValidationError(
                    _("%(serial)s is already the serial number of %(tag)s.")
                    % {"serial": serial, "tag": clash}
                )
        return serial

    def clean_photo(self):
        """A new upload is decoded and re-encoded (see ``instruments/photos.py``);
        the stored file is never the uploaded bytes."""
        photo = self.cleaned_data.get("photo")
        if not photo or "photo" not in self.files:
            return photo
        content_type = getattr(photo, "content_type", None)
        if content_type and content_type not in PHOTO_TYPES:
            raise forms.ValidationError(_("Upload a JPEG, PNG or WebP photo."))
        return photos.reencode(photo)

    def clean(self):
        data = super().clean()
        _check_size(self, data)
        return data


class DeliveryForm(forms.Form):
    count = forms.IntegerField(label=_("How many"), min_value=1, max_value=500)
    instrument_type = forms.ChoiceField(label=_("Instrument"), choices=InstrumentType.choices)
    size = forms.ChoiceField(label=_("Size"), choices=SIZE_CHOICES, initial="full")
    make = forms.CharField(label=_("Make"), max_length=80, required=False)
    model_name = forms.CharField(label=_("Model"), max_length=80, required=False)
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices, initial="new")
    value = forms.DecimalField(label=_("Value of each (£)"), min_value=0, decimal_places=2)
    owner = forms.ChoiceField(label=_("Owner"), choices=Instrument.Owner.choices)
    lender_name = forms.CharField(label=_("Lender"), max_length=120, required=False)
    location = forms.CharField(label=_("Location"), max_length=120, required=False)
    acquired = forms.DateField(label=_("Received on"), widget=DATE, initial=dt.date.today)
    serial_numbers = forms.CharField(
        label=_("Serial numbers (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "One per line, in the order the instruments will be tagged (or scan each "
            "barcode, one per line). Leave empty if they have none."
        ),
    )

    def clean_serial_numbers(self):
        return [line.strip() for line in self.cleaned_data["serial_numbers"].splitlines()]

    def clean(self):
        data = super().clean()
        _check_size(self, data)
        if data.get("owner") == Instrument.Owner.LENDER and not data.get("lender_name"):
            self.add_error("lender_name", _("Name the lender."))
        return data


class LendForm(forms.Form):
    child = forms.ModelChoiceField(label=_("Child"), queryset=Child.objects.none(), required=False)
    school = forms.ModelChoiceField(
        label=_("Or a school (whole-class teaching)"),
        queryset=PartnerSchool.objects.none(),
        required=False,
    )
    lent_on = forms.DateField(label=_("Lent on"), widget=DATE, initial=dt.date.today)
    due_back = forms.DateField(label=_("Due back"), widget=DATE, required=False)
    agreement = forms.ModelChoiceField(
        label=_("Loan agreement"), queryset=LoanAgreement.objects.none(), required=False
    )
    accepted_by = forms.CharField(
        label=_("Accepted by (parent or carer's name)"), max_length=150, required=False
    )
    agreement_method = forms.ChoiceField(
        label=_("How they accepted it"),
        choices=AgreementMethod.choices,
        initial=AgreementMethod.PAPER,
        required=False,
        widget=forms.RadioSelect,
    )
    accepted_on = forms.DateField(
        label=_("Accepted on"), widget=DATE, initial=dt.date.today, required=False
    )
    second_of_a_type = forms.BooleanField(
        label=_("Yes, lend a second one of this type to this child"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, instrument, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = (
            Child.objects.visible_to(user)
            .filter(centre=instrument.centre_id)
            .exclude(status="left")
            .order_by("last_name", "first_name")
        )
        make_searchable(self.fields["child"], label=_("Find a child: type part of a name"))
        self.fields["school"].queryset = PartnerSchool.objects.filter(centre=instrument.centre_id)
        agreements = LoanAgreement.objects.filter(programme=instrument.programme_id)
        self.fields["agreement"].queryset = agreements
        latest = agreements.filter(in_force_from__lte=dt.date.today()).first()
        if latest:
            self.fields["agreement"].initial = latest.pk

    def clean(self):
        data = super().clean()
        if bool(data.get("child")) == bool(data.get("school")):
            raise forms.ValidationError(_("Choose a child or a school, not both."))
        if data.get("child"):
            if not data.get("agreement"):
                self.add_error("agreement", _("A loan to a child needs the signed agreement."))
            if not (data.get("accepted_by") or "").strip():
                self.add_error("accepted_by", _("Who accepted the agreement?"))
            if not data.get("agreement_method"):
                self.add_error("agreement_method", _("How did they accept it?"))
        return data

    def ask_about_second_of_a_type(self, message):
        """Show the warning, and the box that confirms the second loan."""
        self.fields["second_of_a_type"].widget = forms.CheckboxInput()
        self.add_error("second_of_a_type", message)


class AcceptanceForm(forms.Form):
    """The guardian's acceptance of a child's loan agreement, recorded after the event
    (a signed paper copy came back, or an email)."""

    agreement = forms.ModelChoiceField(label=_("Loan agreement"), queryset=None)
    accepted_by = forms.CharField(label=_("Accepted by (parent or carer's name)"), max_length=150)
    agreement_method = forms.ChoiceField(
        label=_("How they accepted it"), choices=AgreementMethod.choices, widget=forms.RadioSelect
    )
    accepted_on = forms.DateField(label=_("Accepted on"), widget=DATE, initial=dt.date.today)

    def __init__(self, *args, loan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = LoanAgreement.objects.filter(
            programme=loan.centre.programme_id
        )


class LoanRulesForm(forms.ModelForm):
    class Meta:
        model = LoanRules
        fields = ["second_of_a_type"]
        widgets = {"second_of_a_type": forms.RadioSelect}


class ReturnForm(forms.Form):
    returned_on = forms.DateField(label=_("Returned on"), widget=DATE, initial=dt.date.today)
    condition = forms.ChoiceField(label=_("Condition now"), choices=Condition.choices)
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)


class SwapForm(ReturnForm):
    new_instrument = forms.ModelChoiceField(
        label=_("Lend instead"), queryset=Instrument.objects.none()
    )

    def __init__(self, *args, loan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_instrument"].queryset = Instrument.objects.filter(
            centre=loan.centre_id,
            instrument_type=loan.instrument.instrument_type,
            status=InstrumentStatus.AVAILABLE,
        ).order_by("size", "asset_tag")
        self.fields["returned_on"].label = _("Swapped on")
        self.fields["condition"].label = _("Condition of the returned instrument")
        self.order_fields(["new_instrument", "returned_on", "condition", "notes"])


class MeasurementForm(forms.Form):
    arm_length_cm = forms.DecimalField(
        label=_("Arm length (cm)"),
        min_value=25,
        max_value=95,
        decimal_places=1,
        help_text=_("Arm stretched out sideways, from the neck to the middle of the palm."),
    )
    measured_on = forms.DateField(label=_("Measured on"), widget=DATE, initial=dt.date.today)


class RepairForm(forms.ModelForm):
    class Meta:
        model = RepairJob
        fields = ["repairer", "fault", "sent_on", "estimate"]
        widgets = {"sent_on": DATE}


class RepairReturnForm(forms.Form):
    returned_on = forms.DateField(label=_("Back on"), widget=DATE, initial=dt.date.today)
    cost = forms.DecimalField(label=_("Cost (£)"), min_value=0, decimal_places=2)
    condition = forms.ChoiceField(label=_("Condition now"), choices=Condition.choices)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (InstrumentStatus.AVAILABLE, InstrumentStatus.AVAILABLE.label),
            (InstrumentStatus.RETIRED, InstrumentStatus.RETIRED.label),
            (InstrumentStatus.LOST, InstrumentStatus.LOST.label),
        ]
    )


class ConsumableForm(forms.ModelForm):
    class Meta:
        model = Consumable
        fields = ["name", "category", "unit", "reorder_level"]

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme


class StockMoveForm(forms.Form):
    consumable = forms.ModelChoiceField(label=_("Item"), queryset=Consumable.objects.none())
    kind = forms.ChoiceField(label=_("Movement"), choices=StockMovement.Kind.choices)
    quantity = forms.IntegerField(label=_("Quantity"))
    on = forms.DateField(label=_("Date"), widget=DATE, initial=dt.date.today)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consumable"].queryset = Consumable.objects.filter(programme=programme)


class AgreementForm(forms.ModelForm):
    class Meta:
        model = LoanAgreement
        fields = ["text", "in_force_from"]
        widgets = {"in_force_from": DATE, "text": forms.Textarea(attrs={"rows": 8})}
