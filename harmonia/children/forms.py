"""Forms for children and families. Each limits its choices to one centre."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harmonia.children.models import (
    Child,
    ChildGuardian,
    ChildSafetyNotes,
    ChildSensitive,
    ConsentForm,
    ConsentKind,
    ConsentRecord,
    Guardian,
    ImportLog,
    LeavingReason,
    Status,
    YearGroup,
)
from harmonia.interop import classlist
from harmonia.programmes.forms import DATE
from harmonia.widgets import make_searchable

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ChildFilterForm(forms.Form):
    """The filters a centre manager uses on the children list."""

    q = forms.CharField(label=_("Search"), required=False)
    school = forms.ModelChoiceField(
        label=_("School"), queryset=None, required=False, empty_label=_("Any")
    )
    year_group = forms.ChoiceField(
        label=_("Year group"), choices=[("", _("Any"))] + YearGroup.choices, required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any"))] + Status.choices, required=False
    )
    # The ensembles feature adds an ``ensemble`` filter here (see views.filter_children).
    fsm = forms.ChoiceField(
        label=_("Free school meals"),
        choices=[("", _("Any")), ("yes", _("Eligible now")), ("no", _("Not eligible"))],
        required=False,
    )

    def __init__(self, *args, centre, special_category: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = centre.schools.all()
        if not special_category:
            # Special-category filters do not exist for roles that may not see the data.
            del self.fields["fsm"]


class ChildForm(forms.ModelForm):
    class Meta:
        model = Child
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "gender",
            "school",
            "year_group",
            "upn",
        ]
        widgets = {"date_of_birth": DATE}

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.centre = centre
        self.instance.centre = centre
        self.fields["school"].queryset = centre.schools.all()

    def clean_upn(self):
        return self.cleaned_data["upn"].strip().upper()


class EnrolForm(ChildForm):
    status = forms.ChoiceField(
        label=_("Start on"),
        choices=[(Status.WAITING, _("The waiting list")), (Status.ACTIVE, _("Active"))],
        initial=Status.WAITING,
    )
    start = forms.DateField(label=_("From"), widget=DATE, initial=timezone.localdate)
    existing = forms.ModelChoiceField(
        queryset=Child.objects.none(), required=False, widget=forms.HiddenInput
    )
    confirm_new = forms.BooleanField(
        label=_("This is a different child: enrol a new record"), required=False
    )

    class Meta(ChildForm.Meta):
        pass


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    on = forms.DateField(label=_("From"), widget=DATE, initial=timezone.localdate)
    leaving_reason = forms.ChoiceField(
        label=_("Leaving reason"),
        choices=[("", "—")] + LeavingReason.choices,
        required=False,
        help_text=_("Needed when the child leaves."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") == Status.LEFT and not data.get("leaving_reason"):
            self.add_error("leaving_reason", _("Give a reason for leaving."))
        return data


class OfferForm(forms.Form):
    offered_on = forms.DateField(label=_("Offered on"), widget=DATE, initial=timezone.localdate)
    respond_by = forms.DateField(label=_("Reply by"), widget=DATE, required=False)


class GuardianForm(forms.ModelForm):
    class Meta:
        model = Guardian
        fields = ["first_name", "last_name", "email", "phone", "alternative_phone", "address",
                  "preferred_language"]  # fmt: skip
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, region: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        centre = getattr(self.instance, "centre", None) if self.instance.centre_id else None
        self.region = region or (centre.programme.country if centre else "GB")

    def _phone(self, name: str) -> str:
        from harmonia.children.phones import InvalidPhone, to_e164

        value = self.cleaned_data.get(name, "")
        try:
            to_e164(value, self.region)
        except InvalidPhone:
            raise forms.ValidationError(
                _("“%(value)s” is not a valid phone number for “%(field)s”.")
                % {"value": value, "field": self.fields[name].label}
            ) from None
        return value.strip()

    def clean_phone(self):
        return self._phone("phone")

    def clean_alternative_phone(self):
        return self._phone("alternative_phone")


class GuardianLinkForm(forms.ModelForm):
    existing = forms.ModelChoiceField(
        label=_("An existing guardian at this centre"),
        queryset=Guardian.objects.none(),
        required=False,
        help_text=_("For a brother or sister: choose their guardian instead of typing again."),
    )

    class Meta:
        model = ChildGuardian
        fields = ["relationship", "parental_responsibility", "may_collect", "emergency_contact",
                  "priority"]  # fmt: skip

    def __init__(self, *args, centre, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing"].queryset = Guardian.objects.visible_to(user).filter(
            centre=centre, anonymised_at__isnull=True
        )
        make_searchable(self.fields["existing"], label=_("Find a guardian: type part of a name"))
        # Who may collect a child is the family's decision, recorded on purpose: a new
        # contact is not allowed to collect until someone ticks it (issue 11).
        self.fields["may_collect"].initial = False
        self.fields["may_collect"].help_text = _(
            "Tick only when the family has said this person may collect the child."
        )


class GuardianLinkEditForm(forms.ModelForm):
    """How an already-linked guardian relates to one child."""

    class Meta:
        model = ChildGuardian
        fields = ["relationship", "parental_responsibility", "may_collect", "emergency_contact",
                  "priority"]  # fmt: skip


class ConsentRecordForm(forms.ModelForm):
    class Meta:
        model = ConsentRecord
        fields = ["form", "decision", "guardian", "method", "decided_at"]
        widgets = {"decided_at": DATETIME, "decision": forms.RadioSelect}

    def __init__(self, *args, child, forms_in_force, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = ConsentForm.objects.filter(
            pk__in=[f.pk for f in forms_in_force]
        )
        self.fields["guardian"].queryset = Guardian.objects.filter(child_links__child=child)
        self.fields["guardian"].required = True
        self.fields["decided_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class WithdrawForm(forms.Form):
    guardian = forms.ModelChoiceField(
        label=_("Withdrawn by"), queryset=Guardian.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = Guardian.objects.filter(child_links__child=child)


class ConsentFormForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ConsentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=160)
    wording = forms.CharField(
        label=_("Exact wording"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Families see exactly this text; it cannot be changed once published."),
    )
    requires_reconsent = forms.BooleanField(
        label=_("Ask every family again (earlier answers stop counting)"),
        required=False,
        initial=True,
    )


class SensitiveForm(forms.ModelForm):
    fsm_now = forms.BooleanField(label=_("Eligible for free school meals now"), required=False)

    class Meta:
        model = ChildSensitive
        fields = ["ethnicity", "sen_status", "eal", "first_language", "looked_after",
                  "care_authority"]  # fmt: skip


class SafetyNotesForm(forms.ModelForm):
    class Meta:
        model = ChildSafetyNotes
        fields = ["medical", "allergies", "dietary"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("File type"), choices=ImportLog.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A class list may be CSV (comma, semicolon or tab separated, any Excel "
            "encoding) or an Excel workbook (.xlsx, first sheet)."
        ),
    )
    school = forms.ModelChoiceField(
        label=_("From which school"),
        queryset=None,
        required=False,
        help_text=_(
            "For a class list: its columns are remembered for that school's next file. "
            "A Common Transfer File names its school itself."
        ),
    )

    def __init__(self, *args, centre, **kwargs):
        from harmonia.programmes.models import PartnerSchool

        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = PartnerSchool.objects.filter(centre=centre).order_by(
            "name"
        )
        self.fields["file"].widget.attrs["accept"] = ".xml,.csv,.txt,.tsv,.xlsx"


class MappingForm(forms.Form):
    """Which column of the class list holds each field."""

    LABELS = {
        "upn": _("UPN"),
        "surname": _("Surname"),
        "forename": _("Forename"),
        "preferred_forename": _("Preferred forename"),
        "dob": _("Date of birth"),
        "sex": _("Sex"),
        "year_group": _("Year group"),
        "ethnicity": _("Ethnicity code"),
        "first_language": _("First language"),
        "sen_provision": _("SEN provision (N, K or E)"),
        "fsm_eligible": _("Eligible for free school meals"),
        "school_urn": _("School URN"),
        "contact_name": _("Parent or carer name"),
        "contact_email": _("Parent or carer email"),
        "contact_phone": _("Parent or carer phone"),
    }

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in this file —"))] + [(c, c) for c in columns]
        for name in classlist.FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=self.LABELS[name],
                choices=choices,
                required=name in classlist.REQUIRED,
            )
