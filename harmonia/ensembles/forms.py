"""Forms for ensembles, placements and the timetable. Choices are limited to one
centre (or programme) so that a form cannot reach another centre's records."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harmonia import access
from harmonia.children.models import Child
from harmonia.ensembles import timetable
from harmonia.ensembles.models import (
    AbsenceReason,
    AttendanceCode,
    CentreRegisterSettings,
    Ensemble,
    Occurrence,
    Placement,
    Section,
    Session,
    Term,
)
from harmonia.programmes.forms import DATE

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def tutors_of(centres):
    """People who take registers (tutors, managers) at any of ``centres``."""
    return access.people_who_take_registers_at(centres).order_by("full_name")


class TutorsMixin:
    """Refuses to list as tutor anyone whose required safeguarding checks have lapsed."""

    check_on: dt.date | None = None

    def clean_tutors(self):
        tutors = self.cleaned_data.get("tutors") or []
        on = self.check_on or timezone.localdate()
        lapsed = [str(t) for t in tutors if not timetable.tutor_check(t, on)]
        if lapsed:
            raise forms.ValidationError(
                _(
                    "Not cleared to lead a session (safeguarding checks missing or lapsed): "
                    "%(names)s."
                ),
                params={"names": ", ".join(lapsed)},
            )
        return tutors


class EnsembleForm(forms.ModelForm):
    class Meta:
        model = Ensemble
        fields = ["name", "kind", "member_centres", "description", "active"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "member_centres": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.centre = centre
        self.instance.centre = self.instance.centre if self.instance.pk else centre
        self.instance.programme = centre.programme
        self.fields["member_centres"].queryset = centre.programme.centres.exclude(pk=centre.pk)
        self.fields["member_centres"].help_text = _(
            "Other centres whose children play in it (for a cross-centre ensemble)."
        )
        self.fields["member_centres"].required = False


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["name", "order"]


class PlacementForm(forms.ModelForm):
    """Place a child in an ensemble; ``moving`` ends the child's placement elsewhere."""

    move_from = forms.ModelChoiceField(
        queryset=Placement.objects.none(),
        required=False,
        label=_("Move from"),
        help_text=_("End this placement on the start date (the history is kept)."),
    )

    class Meta:
        model = Placement
        fields = ["child", "section", "instrument", "desk", "start", "note"]
        widgets = {"start": DATE}

    def __init__(self, *args, ensemble, centres, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.ensemble = ensemble
        self.fields["child"].queryset = access.scope(
            Child.objects.filter(centre__in=centres, anonymised_at=None).exclude(status="left"),
            user,
            access.Capability.MANAGE_CHILDREN,
        )
        self.fields["section"].queryset = ensemble.sections.all()
        self.fields["move_from"].queryset = (
            Placement.objects.visible_to(user)
            .filter(child__centre__in=centres, end=None)
            .exclude(ensemble=ensemble)
            .select_related("child", "ensemble")
        )
        self.fields["start"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        child, moving = data.get("child"), data.get("move_from")
        if child and moving and moving.child_id != child.pk:
            raise forms.ValidationError({"move_from": _("Choose one of this child's placements.")})
        if (
            child
            and Placement.objects.filter(child=child, ensemble=self.instance.ensemble, end=None)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError({"child": _("This child is already in this ensemble.")})
        return data


class TermForm(forms.ModelForm):
    class Meta:
        model = Term
        fields = ["name", "kind", "start", "end"]
        widgets = {"start": DATE, "end": DATE}

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.centre = centre


class SessionForm(TutorsMixin, forms.ModelForm):
    class Meta:
        model = Session
        fields = [
            "kind",
            "name",
            "weekday",
            "start_time",
            "duration_minutes",
            "venue",
            "tutors",
            "term",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "start_time": TIME,
            "starts_on": DATE,
            "ends_on": DATE,
            "tutors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, ensemble, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.ensemble = ensemble
        centres = ensemble.member_centres.all()
        self.fields["tutors"].queryset = tutors_of(centres)
        self.fields["term"].queryset = Term.objects.filter(
            centre__in=centres, kind=Term.Kind.TERM
        ).order_by("-start")


class OccurrenceForm(TutorsMixin, forms.ModelForm):
    """A one-off meeting, or a change to one date of a session (time, venue, cancel)."""

    class Meta:
        model = Occurrence
        fields = ["title", "kind", "starts_at", "minutes", "venue", "tutors", "status", "note"]
        widgets = {"starts_at": DATETIME, "tutors": forms.CheckboxSelectMultiple}

    def __init__(self, *args, ensemble, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.ensemble = ensemble
        self.instance.centre = ensemble.centre
        self.fields["tutors"].queryset = tutors_of(ensemble.member_centres.all())
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        if self.instance.starts_at:
            self.check_on = self.instance.date
        zone = timetable.zone_for(ensemble.centre)
        self.zone = zone
        if self.instance.pk:
            self.initial["starts_at"] = timezone.localtime(self.instance.starts_at, zone)

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        # Read the time as the centre's local time, whatever the server's zone.
        return value.replace(tzinfo=None).replace(tzinfo=self.zone) if value else value


class RegisterSettingsForm(forms.ModelForm):
    class Meta:
        model = CentreRegisterSettings
        fields = ["register_default", "time_zone"]
        widgets = {"register_default": forms.RadioSelect}


class EnsembleLeadForm(forms.Form):
    """Grant the lead of a joint ensemble: who, and which centre's children."""

    user = forms.ModelChoiceField(label=_("Lead tutor"), queryset=None)
    centre = forms.ModelChoiceField(
        label=_("May see and mark the children of"),
        queryset=None,
        help_text=_("Only the children of this centre who play in this ensemble."),
    )

    def __init__(self, *args, ensemble, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = tutors_of(ensemble.member_centres.all())
        self.fields["centre"].queryset = centres


# Attendance (issue 11) -----------------------------------------------------------


class AttendanceCodeForm(forms.ModelForm):
    """One of a programme's attendance codes."""

    class Meta:
        model = AttendanceCode
        fields = [
            "code", "label", "label_es", "abbreviation", "abbreviation_es",
            "counts_as_attended", "counts_as_possible", "requires_reason", "asks_minutes",
            "tap_order", "order", "active",
        ]  # fmt: skip

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme

    def clean(self):
        data = super().clean()
        if data.get("counts_as_attended") and not data.get("counts_as_possible"):
            self.add_error(
                "counts_as_possible", _("A code that counts as attended is also a possible one.")
            )
        return data


class BulkAbsenceForm(forms.Form):
    """A code and reason for a group over a date range (a trip, an outbreak)."""

    first = forms.DateField(label=_("First day"), widget=DATE)
    last = forms.DateField(label=_("Last day"), widget=DATE)
    section = forms.ModelChoiceField(
        label=_("Section"),
        queryset=Section.objects.none(),
        required=False,
        empty_label=_("The whole ensemble"),
    )
    children = forms.ModelMultipleChoiceField(
        label=_("Or only these children"),
        queryset=Child.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to mark everyone in the ensemble or section."),
    )
    code = forms.ChoiceField(label=_("Mark"))
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", "—"), *AbsenceReason.choices],
        required=False,
        help_text=_("For a code that needs one (an authorised absence)."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=255,
        required=False,
        help_text=_("Shown on each mark, e.g. “Year 5 trip to the Philharmonic”."),
    )

    def __init__(self, *args, ensemble, user, codes, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["section"].queryset = Section.objects.filter(ensemble=ensemble)
        need = access.Capability.TAKE_REGISTER
        placed = Child.objects.filter(
            pk__in=Placement.objects.filter(ensemble=ensemble).current_on(today).values("child_id"),
            anonymised_at=None,
        ).order_by("last_name", "first_name")
        self.fields["children"].queryset = access.in_ensemble(
            placed, user, ensemble.pk, need, path="centre",
            centres=access.ensemble_child_centres(user, ensemble.pk, [need]),
        )  # fmt: skip
        self.fields["children"].label_from_instance = lambda c: f"{c.display_name}"
        self.fields["code"].choices = [(c.code, c.display_label) for c in codes]
        absent = next((c.code for c in codes if c.requires_reason), None)
        self.initial.setdefault("code", absent)
        self.initial.setdefault("reason", AbsenceReason.SCHOOL)
        self.initial.setdefault("first", today)
        self.initial.setdefault("last", today)
        self.codes = {c.code: c for c in codes}

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last and last < first:
            self.add_error("last", _("The last day cannot be before the first."))
        code = self.codes.get(data.get("code"))
        if code is not None and code.requires_reason and not data.get("reason"):
            self.add_error("reason", _("This mark needs a reason."))
        return data
