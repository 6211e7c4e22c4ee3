"""Forms for staff records, safeguarding checks and concerns."""

from django import forms
from django.utils.translation import gettext_lazy as _

from harmonia.accounts.models import User
from harmonia.children.models import Child
from harmonia.programmes.forms import DATE
from harmonia.staff.models import (
    CheckKind,
    Concern,
    ConcernEntry,
    SafeguardingCheck,
    StaffMember,
)

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
    CheckKind.BARRED_LIST: ["document", "completed", "notes"],
    CheckKind.PROHIBITION: ["document", "completed", "notes"],
    CheckKind.OVERSEAS: ["document", "completed", "notes"],
    CheckKind.QUALIFICATION: ["document", "completed", "notes"],
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
    CheckKind.BARRED_LIST: {
        "completed": _("Date checked"),
        "document": _("How it was checked (e.g. DBS barred list check, update service)"),
    },
    CheckKind.PROHIBITION: {
        "completed": _("Date checked"),
        "document": _("How it was checked (e.g. Teaching Regulation Agency service)"),
    },
    CheckKind.OVERSEAS: {
        "completed": _("Date checked"),
        "document": _("Countries and evidence (e.g. certificate of good conduct)"),
    },
    CheckKind.QUALIFICATION: {
        "completed": _("Date checked"),
        "document": _("Qualification seen (e.g. QTS, degree certificate)"),
    },
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
            "teaching_work",
            "lived_abroad",
            "qualifications_required",
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


# Content type → the extensions accepted for it. Files are recognised by what they
# start with (``sniff``), never by their name or the browser's word alone.
ATTACHMENT_TYPES = {
    "application/pdf": {"pdf"},
    "image/jpeg": {"jpg", "jpeg"},
    "image/png": {"png"},
    "image/webp": {"webp"},
}


def sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_AT_ONCE = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to five files, each a PDF or a JPEG, PNG or WebP image of at most 10 MB,
    recognised by their content (not by the name or the browser's word)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault(
            "help_text",
            _("Optional: up to 5 files, each a PDF or a photo (JPEG, PNG, WebP), 10 MB at most."),
        )
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.webp"

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > ATTACHMENTS_AT_ONCE:
            raise forms.ValidationError(
                _("Attach at most %(n)s files at once.") % {"n": ATTACHMENTS_AT_ONCE}
            )
        cleaned = []
        for upload in files:
            upload = super().clean(upload, initial)
            if upload.size > ATTACHMENT_MAX_BYTES:
                raise forms.ValidationError(
                    _("“%(name)s” is larger than 10 MB.") % {"name": upload.name}
                )
            head = upload.read(16)
            upload.seek(0)
            ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
            kind = sniff(head)
            if kind is None or ext not in ATTACHMENT_TYPES[kind]:
                raise forms.ValidationError(
                    _("“%(name)s” is not a PDF or a JPEG, PNG or WebP photo.")
                    % {"name": upload.name}
                )
            upload.harmonia_content_type = kind
            cleaned.append(upload)
        return cleaned


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class ConcernForm(forms.ModelForm):
    """What any adult writes when they are worried about a child: who (picked from the
    children they can see, or described when they cannot find them), what they saw or
    heard in their own words, when, and what they did."""

    attachments = AttachmentsField()

    class Meta:
        model = Concern
        fields = ["about_child", "subject", "category", "noticed", "account", "action_taken"]
        labels = {
            "about_child": _("Which child"),
            "subject": _("A child I can't find in the list"),
            "noticed": _("When did you notice it?"),
            "account": _("What did you see or hear?"),
            "action_taken": _("What have you done so far?"),
        }
        help_texts = {
            "subject": _("Their name and anything that helps identify them (school, age)."),
            "account": _(
                "In your own words, as soon as you can: what you saw, what was said (the "
                "child's words as they said them), who was there. Facts, not opinions."
            ),
        }
        widgets = {
            "noticed": DATE,
            "account": forms.Textarea(attrs={"rows": 6}),
            "action_taken": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, children=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about_child"] = ChildChoiceField(
            queryset=children if children is not None else Child.objects.none(),
            required=False,
            label=_("Which child"),
            empty_label=_("Choose a child…"),
        )
        self.order_fields(
            ["about_child", "subject", "category", "noticed", "account", "action_taken"]
        )

    def clean(self):
        data = super().clean()
        if not data.get("about_child") and not (data.get("subject") or "").strip():
            self.add_error(
                "about_child", _("Choose the child, or describe them if they are not in the list.")
            )
        return data


class ConcernEntryForm(forms.ModelForm):
    """A step in the chronology, added by a safeguarding lead."""

    attachments = AttachmentsField()

    class Meta:
        model = ConcernEntry
        fields = [
            "happened",
            "what",
            "action_taken",
            "referral_to",
            "referral_date",
            "referral_reference",
            "referral_answered",
            "outcome",
            "state",
        ]
        widgets = {
            "happened": DATE,
            "referral_date": DATE,
            "referral_answered": DATE,
            "what": forms.Textarea(attrs={"rows": 4}),
            "action_taken": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        data = super().clean()
        if data.get("referral_to") and not data.get("referral_date"):
            self.add_error("referral_date", _("Give the date the referral was made."))
        if data.get("referral_date") and not data.get("referral_to"):
            self.add_error("referral_to", _("Say who the referral was made to."))
        return data


class FollowUpForm(forms.ModelForm):
    """What the adult who raised a concern adds later (something remembered, noticed
    again): a dated entry of their own, never a change to what they wrote."""

    attachments = AttachmentsField()

    class Meta:
        model = ConcernEntry
        fields = ["happened", "what"]
        labels = {"what": _("What would you like to add?")}
        widgets = {"happened": DATE, "what": forms.Textarea(attrs={"rows": 4})}
