"""Forms for staff records, safeguarding checks and concerns."""

from django import forms
from django.utils.translation import gettext_lazy as _

from harmonia.accounts.models import User
from harmonia.programmes.forms import DATE
from harmonia.staff.models import CheckKind, Concern, SafeguardingCheck, StaffMember

KIND_FIELDS = {
    CheckKind.DBS: [
        "dbs_level",
        "certificate_number",
        "completed",
        "update_service",
        "update_service_checked",
        "notes",
    ],
    CheckKind.TRAINING: ["training_level", "completed", "expires", "notes"],
    CheckKind.IDENTITY: ["document", "completed", "notes"],
    CheckKind.RIGHT_TO_WORK: ["document", "completed", "expires", "notes"],
    CheckKind.REFERENCE: ["document", "requested", "completed", "notes"],
}

KIND_LABELS = {
    CheckKind.DBS: {"completed": _("Issue date")},
    CheckKind.TRAINING: {
        "completed": _("Course date"),
        "expires": _("Renew by (leave empty for three years)"),
    },
    CheckKind.IDENTITY: {"completed": _("Date checked"), "document": _("Document seen")},
    CheckKind.RIGHT_TO_WORK: {
        "completed": _("Date checked"),
        "document": _("Document or share code"),
        "expires": _("Permission ends (time-limited only)"),
    },
    CheckKind.REFERENCE: {"completed": _("Date received"), "document": _("Referee")},
}


class StaffForm(forms.ModelForm):
    user_email = forms.EmailField(
        label=_("Login email"),
        required=False,
        help_text=_("Link this record to the person's Harmonia login, if they have one."),
    )

    class Meta:
        model = StaffMember
        fields = [
            "full_name",
            "email",
            "phone",
            "staff_type",
            "role_title",
            "ensembles",
            "contracted_hours",
            "started",
            "left",
        ]
        widgets = {"started": DATE, "left": DATE}

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.centre = centre
        self.instance.programme = centre.programme
        if self.instance.user_id:
            self.fields["user_email"].initial = self.instance.user.email

    def clean_user_email(self):
        email = (self.cleaned_data.get("user_email") or "").strip().lower()
        if not email:
            self.instance.user = None
            return ""
        user = User.objects.filter(email=email).first()
        if user is None:
            raise forms.ValidationError(_("No one signs in with this email address."))
        self.instance.user = user
        return email


class CheckForm(forms.ModelForm):
    class Meta:
        model = SafeguardingCheck
        fields = [
            "dbs_level",
            "certificate_number",
            "training_level",
            "document",
            "requested",
            "completed",
            "update_service",
            "update_service_checked",
            "expires",
            "notes",
        ]
        widgets = {
            "completed": DATE,
            "requested": DATE,
            "update_service_checked": DATE,
            "expires": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, staff, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.staff = staff
        self.instance.kind = kind
        wanted = KIND_FIELDS[kind]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        for name, label in KIND_LABELS.get(kind, {}).items():
            self.fields[name].label = label
        if kind == CheckKind.DBS:
            self.fields["dbs_level"].required = True
            self.fields["certificate_number"].required = True
        if kind == CheckKind.TRAINING:
            self.fields["training_level"].required = True
        # Keep the fields in the order the kind lists them.
        self.order_fields(wanted)

    def clean_certificate_number(self):
        number = (self.cleaned_data.get("certificate_number") or "").replace(" ", "")
        if number and not (number.isdigit() and len(number) == 12):
            raise forms.ValidationError(_("A DBS certificate number has 12 digits."))
        return number

    def clean(self):
        data = super().clean()
        if data.get("update_service") and not data.get("update_service_checked"):
            self.add_error(
                "update_service_checked",
                _("Give the date the certificate was last checked on the update service."),
            )
        return data


class ConcernForm(forms.ModelForm):
    class Meta:
        model = Concern
        fields = [
            "subject",
            "category",
            "noticed",
            "account",
            "action_taken",
            "referred_to",
            "state",
        ]
        widgets = {
            "noticed": DATE,
            "account": forms.Textarea(attrs={"rows": 5}),
            "action_taken": forms.Textarea(attrs={"rows": 3}),
        }
