"""Forms for editing programme structure. Each limits its choices to one programme."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from harmonia import access
from harmonia.programmes.models import (
    Area,
    Centre,
    Funder,
    Grant,
    LeadOrganisation,
    PartnerSchool,
    Programme,
)


def https_by_default(field, **kwargs):
    """Model form fields, with web addresses typed without a scheme read as https."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "name",
            "country",
            "default_language",
            "time_zone",
            "founded",
            "description",
            "dpo_email",
        ]
        widgets = {"founded": DATE, "description": forms.Textarea(attrs={"rows": 4})}


class InProgrammeForm(forms.ModelForm):
    """A form for an object that belongs to one programme."""

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.instance.programme = programme


class CentreForm(InProgrammeForm):
    class Meta:
        model = Centre
        fields = ["name", "lead_organisation", "area", "opened", "status", "address", "email"]
        widgets = {"opened": DATE, "address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_organisation"].queryset = self.programme.lead_organisations.all()
        self.fields["area"].queryset = self.programme.areas.all()


class AreaForm(InProgrammeForm):
    class Meta:
        model = Area
        fields = ["name", "local_authority", "deprivation_decile"]


class LeadOrganisationForm(InProgrammeForm):
    class Meta:
        model = LeadOrganisation
        fields = ["name", "kind", "website"]
        formfield_callback = https_by_default


class FunderForm(InProgrammeForm):
    class Meta:
        model = Funder
        fields = ["name", "kind", "website"]
        formfield_callback = https_by_default


class GrantForm(InProgrammeForm):
    class Meta:
        model = Grant
        fields = ["funder", "reference", "purpose", "amount", "currency", "start", "end", "centres"]
        widgets = {"start": DATE, "end": DATE, "centres": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = self.programme.funders.all()
        self.fields["centres"].queryset = self.programme.centres.all()


class PartnerSchoolForm(forms.ModelForm):
    class Meta:
        model = PartnerSchool
        fields = [
            "name",
            "urn",
            "phase",
            "local_authority",
            "fsm_percent",
            "pupils",
            "partner_since",
        ]
        widgets = {"partner_since": DATE}

    def __init__(self, *args, centre: Centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.centre = centre

    def clean_urn(self):
        urn = self.cleaned_data["urn"].strip()
        if urn and not (urn.isdigit() and 5 <= len(urn) <= 7):
            raise forms.ValidationError(_("A URN is 6 digits (5 to 7 in older records)."))
        return urn


class MembershipForm(forms.Form):
    """Give a person (new or existing) a role in the programme or one of its centres."""

    email = forms.EmailField(label=_("Email address"))
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, help_text=_("Used when the person is new.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=access.role_choices)
    centre = forms.ModelChoiceField(
        label=_("Centre"),
        queryset=Centre.objects.none(),
        required=False,
        help_text=_("Required for centre roles; leave empty for programme roles."),
    )

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["centre"].queryset = programme.centres.all()

    def clean(self):
        data = super().clean()
        role, centre = data.get("role"), data.get("centre")
        if role and access.is_centre_role(role) and centre is None:
            self.add_error("centre", _("Choose the centre for this role."))
        if role and access.is_programme_role(role) and centre is not None:
            self.add_error("centre", _("A programme role covers every centre; leave this empty."))
        return data
