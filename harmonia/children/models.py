"""Children and families: children, their enrolment over time, guardians,
versioned consents, equity data (kept apart) and the data-protection records.

Scoping: every model here has ``objects.visible_to(user)``, which delegates to
``harmonia.access`` (rules in ``harmonia.children.rules``).

* A child belongs to one centre (``Child.centre``); its enrolment status is kept
  as dated periods (``EnrolmentPeriod``) so that "who was active on a date" is
  one query for any past date (``Child.objects.active_on(day)``).
* Special-category data (ethnicity, SEN, EAL, looked-after, FSM periods) lives in
  ``ChildSensitive`` and ``FsmPeriod``; safety notes (medical, allergies, diet)
  in ``ChildSafetyNotes``. Each has its own access rule and capability.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gb import upn as stdnum_upn

from harmonia.programmes.models import ScopedManager, ScopedQuerySet


def validate_upn(value: str) -> None:
    """A Unique Pupil Number with a correct check letter (python-stdnum)."""
    if not value:
        return
    try:
        stdnum_upn.validate(value)
    except StdnumError:
        raise ValidationError(
            _("%(upn)s is not a valid UPN (check the letter and the 12 characters after it)."),
            params={"upn": value},
            code="invalid_upn",
        ) from None


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNKNOWN = "U", _("Not recorded")


class YearGroup(models.TextChoices):
    """National Curriculum year (the CTF's ``NCyearActual``)."""

    N1 = "N1", _("Nursery 1")
    N2 = "N2", _("Nursery 2")
    R = "R", _("Reception")
    Y1 = "1", _("Year 1")
    Y2 = "2", _("Year 2")
    Y3 = "3", _("Year 3")
    Y4 = "4", _("Year 4")
    Y5 = "5", _("Year 5")
    Y6 = "6", _("Year 6")
    Y7 = "7", _("Year 7")
    Y8 = "8", _("Year 8")
    Y9 = "9", _("Year 9")
    Y10 = "10", _("Year 10")
    Y11 = "11", _("Year 11")
    Y12 = "12", _("Year 12")
    Y13 = "13", _("Year 13")
    X = "X", _("Not following the National Curriculum")


class Status(models.TextChoices):
    WAITING = "waiting", _("Waiting list")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    LEFT = "left", _("Left")


class LeavingReason(models.TextChoices):
    MOVED_AWAY = "moved_away", _("Moved away")
    CHANGED_SCHOOL = "changed_school", _("Changed school")
    LOST_INTEREST = "lost_interest", _("Lost interest")
    TIMETABLE = "timetable", _("Timetable clash")
    FAMILY = "family", _("Family reasons")
    AGED_OUT = "aged_out", _("Aged out of the programme")
    DECLINED_OFFER = "declined_offer", _("Declined a place")
    OTHER = "other", _("Other")


class ChildQuerySet(ScopedQuerySet):
    def active_on(self, day: datetime.date):
        """Children whose enrolment was active on ``day`` (one query)."""
        return self.filter(
            pk__in=EnrolmentPeriod.objects.covering(day)
            .filter(status=Status.ACTIVE)
            .values("child_id")
        )

    def with_status_on(self, day: datetime.date, status: str):
        return self.filter(
            pk__in=EnrolmentPeriod.objects.covering(day).filter(status=status).values("child_id")
        )


ChildManager = models.Manager.from_queryset(ChildQuerySet)


class Child(models.Model):
    centre = models.ForeignKey(
        "programmes.Centre",
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("centre"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    gender = models.CharField(
        _("gender"),
        max_length=60,
        blank=True,
        help_text=_("Only if the family asks for it to be recorded."),
    )
    school = models.ForeignKey(
        "programmes.PartnerSchool",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("school"),
    )
    year_group = models.CharField(
        _("year group"), max_length=2, choices=YearGroup.choices, blank=True
    )
    upn = models.CharField(
        _("UPN"),
        max_length=13,
        blank=True,
        validators=[validate_upn],
        help_text=_("Unique Pupil Number, when known (13 characters, starting with a letter)."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.WAITING,
        help_text=_("The current status; its history is in the enrolment periods."),
    )
    waiting_since = models.DateField(_("on the waiting list since"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = ChildManager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "upn"], condition=~Q(upn=""), name="unique_child_upn_per_centre"
            )
        ]
        indexes = [
            models.Index(fields=["centre", "status"]),
            models.Index(fields=["last_name", "first_name"]),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("children:child_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}".strip()

    @property
    def programme(self):
        return self.centre.programme

    def clean(self):
        if self.upn:
            self.upn = self.upn.strip().upper()
        if self.school_id and self.centre_id and self.school.centre_id != self.centre_id:
            raise ValidationError({"school": _("Choose one of this centre's partner schools.")})
        if self.date_of_birth and self.date_of_birth > datetime.date.today():
            raise ValidationError({"date_of_birth": _("A date of birth cannot be in the future.")})


class EnrolmentPeriodQuerySet(ScopedQuerySet):
    def covering(self, day: datetime.date):
        return self.filter(Q(end__isnull=True) | Q(end__gt=day), start__lte=day)


class EnrolmentPeriod(models.Model):
    """One stretch of one status: [start, end). The open period is the current one."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="periods")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    leaving_reason = models.CharField(
        _("leaving reason"), max_length=20, choices=LeavingReason.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = models.Manager.from_queryset(EnrolmentPeriodQuerySet)()

    class Meta:
        ordering = ["child", "start", "id"]
        verbose_name = _("enrolment period")
        verbose_name_plural = _("enrolment periods")
        indexes = [models.Index(fields=["status", "start", "end"])]
        constraints = [
            models.CheckConstraint(
                name="period_ends_after_start",
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
            ),
            models.UniqueConstraint(
                fields=["child"], condition=Q(end__isnull=True), name="one_open_period_per_child"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child}: {self.get_status_display()} {self.start}–{self.end or ''}"


class WaitingListOffer(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("Awaiting reply")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        LAPSED = "lapsed", _("Lapsed")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="offers")
    offered_on = models.DateField(_("offered on"))
    respond_by = models.DateField(_("reply by"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["-offered_on", "-id"]
        verbose_name = _("place offer")
        verbose_name_plural = _("place offers")

    def __str__(self) -> str:
        return f"{self.child} — {self.offered_on}"


class Guardian(models.Model):
    """A parent, carer or other contact. One guardian may have several children."""

    centre = models.ForeignKey(
        "programmes.Centre", on_delete=models.PROTECT, related_name="guardians"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    alternative_phone = models.CharField(_("other phone"), max_length=40, blank=True)
    # Both numbers in E.164, kept by save(): what duplicate checks and matching compare.
    phone_e164 = models.CharField(max_length=20, blank=True, editable=False)
    alternative_phone_e164 = models.CharField(max_length=20, blank=True, editable=False)
    address = models.TextField(_("address"), blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=40, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        indexes = [
            models.Index(fields=["centre", "email"]),
            models.Index(fields=["centre", "phone_e164"]),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args, **kwargs):
        from harmonia.children.phones import e164_or_blank

        region = self.centre.programme.country if self.centre_id else "GB"
        self.phone_e164 = e164_or_blank(self.phone, region)
        self.alternative_phone_e164 = e164_or_blank(self.alternative_phone, region)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"phone", "alternative_phone"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "phone_e164", "alternative_phone_e164"}
        super().save(*args, **kwargs)

    @property
    def programme(self):
        return self.centre.programme


class Relationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    PARENT = "parent", _("Parent")
    STEP_PARENT = "step_parent", _("Step-parent")
    GRANDPARENT = "grandparent", _("Grandparent")
    FOSTER_CARER = "foster_carer", _("Foster carer")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SIBLING = "sibling", _("Older sibling")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    FRIEND = "friend", _("Family friend")
    OTHER = "other", _("Other")


class ChildGuardian(models.Model):
    """How a guardian relates to one child, and what they may do."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="guardian_links")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="child_links")
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    parental_responsibility = models.BooleanField(_("has parental responsibility"), default=True)
    may_collect = models.BooleanField(_("may collect the child"), default=True)
    emergency_contact = models.BooleanField(_("emergency contact"), default=True)
    priority = models.PositiveSmallIntegerField(_("contact order"), default=1)

    objects = ScopedManager()

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("guardian of a child")
        verbose_name_plural = _("guardians of children")
        constraints = [
            models.UniqueConstraint(fields=["child", "guardian"], name="unique_child_guardian")
        ]

    def __str__(self) -> str:
        return f"{self.guardian} ({self.get_relationship_display()}) — {self.child}"


class ConsentKind(models.TextChoices):
    PHOTO = "photo", _("Photography and film")
    DATA_SHARING = "data_sharing", _("Data sharing with schools")
    MEDICAL = "medical", _("Emergency medical treatment")
    RESEARCH = "research", _("Research and evaluation")
    TRIPS = "trips", _("Trips and performances away")


class ConsentForm(models.Model):
    """One version of one consent form, with the exact wording families saw."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="consent_forms"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ConsentKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=160)
    wording = models.TextField(_("exact wording"))
    published_at = models.DateTimeField(_("in force from"))
    requires_reconsent = models.BooleanField(
        _("needs fresh consent"),
        default=True,
        help_text=_(
            "When ticked, answers to earlier versions stop counting from the date this "
            "version comes into force and every family is asked again."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("consent form")
        verbose_name_plural = _("consent forms")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind", "version"], name="unique_consent_form_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class ConsentRecord(models.Model):
    """A decision (given or refused) by a guardian on one form version. Never
    deleted: a withdrawal is recorded on the row, effective from that moment."""

    class Decision(models.TextChoices):
        GIVEN = "given", _("Given")
        REFUSED = "refused", _("Refused")

    class Method(models.TextChoices):
        PAPER = "paper", _("Paper form")
        ONLINE = "online", _("Online")
        VERBAL = "verbal", _("Verbal (confirmed by staff)")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="consents")
    form = models.ForeignKey(ConsentForm, on_delete=models.PROTECT, related_name="records")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    guardian = models.ForeignKey(
        Guardian,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("given by"),
    )
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    decided_at = models.DateTimeField(_("when"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by_guardian = models.ForeignKey(
        Guardian, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_note = models.CharField(_("withdrawal note"), max_length=255, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("consent decision")
        verbose_name_plural = _("consent decisions")
        indexes = [models.Index(fields=["child", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.child} — {self.form}: {self.get_decision_display()}"


class EthnicityCode(models.TextChoices):
    """DfE ethnicity main codes (school census)."""

    WBRI = "WBRI", _("White — British")
    WIRI = "WIRI", _("White — Irish")
    WIRT = "WIRT", _("Traveller of Irish heritage")
    WOTH = "WOTH", _("Any other White background")
    WROM = "WROM", _("Gypsy / Roma")
    MWBC = "MWBC", _("White and Black Caribbean")
    MWBA = "MWBA", _("White and Black African")
    MWAS = "MWAS", _("White and Asian")
    MOTH = "MOTH", _("Any other mixed background")
    AIND = "AIND", _("Indian")
    APKN = "APKN", _("Pakistani")
    ABAN = "ABAN", _("Bangladeshi")
    AOTH = "AOTH", _("Any other Asian background")
    BCRB = "BCRB", _("Black Caribbean")
    BAFR = "BAFR", _("Black African")
    BOTH = "BOTH", _("Any other Black background")
    CHNE = "CHNE", _("Chinese")
    OOTH = "OOTH", _("Any other ethnic group")
    REFU = "REFU", _("Refused")
    NOBT = "NOBT", _("Information not yet obtained")


class SenStatus(models.TextChoices):
    NONE = "N", _("No special educational needs")
    SUPPORT = "K", _("SEN support")
    EHC_PLAN = "E", _("Education, health and care plan")


class ChildSensitive(models.Model):
    """Special-category and equity data, stored apart and shown only with
    ``VIEW_SPECIAL_CATEGORY``."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="sensitive")
    ethnicity = models.CharField(
        _("ethnicity"), max_length=4, choices=EthnicityCode.choices, blank=True
    )  # the DfE main code: what every report counts
    # The DfE extended code as the school recorded it ("WENG", "BSOM"), when it did;
    # its main code is always ``ethnicity``.
    ethnicity_extended = models.CharField(_("ethnicity (extended code)"), max_length=4, blank=True)
    sen_status = models.CharField(
        _("SEN status"), max_length=1, choices=SenStatus.choices, default=SenStatus.NONE
    )
    eal = models.BooleanField(_("English as an additional language"), default=False)
    first_language = models.CharField(_("first language"), max_length=60, blank=True)
    looked_after = models.BooleanField(_("looked after"), default=False)
    care_authority = models.CharField(_("care authority"), max_length=120, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("equity and special-category data")
        verbose_name_plural = _("equity and special-category data")

    def __str__(self) -> str:
        return str(self.child)

    def save(self, *args, **kwargs):
        from harmonia.interop.pupils import main_ethnicity

        # An extended code that no longer belongs to the main code (the main code was
        # edited by hand) is dropped rather than left contradicting it.
        if self.ethnicity_extended and main_ethnicity(self.ethnicity_extended) != self.ethnicity:
            self.ethnicity_extended = ""
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "ethnicity_extended"}
        super().save(*args, **kwargs)


class FsmPeriod(models.Model):
    """A period of free-school-meal eligibility: [start, end]."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="fsm_periods")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=40, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["child", "start"]
        verbose_name = _("free school meals period")
        verbose_name_plural = _("free school meals periods")
        constraints = [
            models.CheckConstraint(
                name="fsm_ends_after_start",
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
            ),
            models.UniqueConstraint(fields=["child", "start"], name="unique_fsm_start"),
        ]

    def __str__(self) -> str:
        return f"{self.child}: {self.start}–{self.end or ''}"


class ChildSafetyNotes(models.Model):
    """Medical, allergy and dietary notes a tutor needs to keep a child safe."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="safety")
    medical = models.TextField(_("medical conditions and medication"), blank=True)
    allergies = models.TextField(_("allergies"), blank=True)
    dietary = models.TextField(_("dietary needs"), blank=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("safety notes")
        verbose_name_plural = _("safety notes")

    def __str__(self) -> str:
        return str(self.child)


class ChildAccessLog(models.Model):
    """Who viewed or exported a child's record (UK GDPR accountability)."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        LIST = "list", _("Seen in a list")
        EXPORT = "export", _("Exported")
        SUBJECT_ACCESS = "subject_access", _("Subject access export")
        EDIT = "edit", _("Edited")
        ERASE = "erase", _("Anonymised")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="access_log")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("child record access")
        verbose_name_plural = _("child record accesses")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.child}"


class ImportLog(models.Model):
    """One import of a school file: validated whole, previewed, applied all or nothing."""

    class Kind(models.TextChoices):
        CTF = "ctf", _("Common Transfer File (XML)")
        CSV = "csv", _("Class list (CSV or Excel)")

    class State(models.TextChoices):
        MAPPING = "mapping", _("Choose the columns")
        INVALID = "invalid", _("Has problems")
        VALIDATED = "validated", _("Checked, ready to apply")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")

    centre = models.ForeignKey(
        "programmes.Centre", on_delete=models.CASCADE, related_name="child_imports"
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    filename = models.CharField(_("file"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    source = models.TextField(blank=True)  # a CSV's text until its columns are chosen
    rows = models.JSONField(default=list, blank=True)  # validated pupils, ready to apply
    problems = models.JSONField(default=list, blank=True)  # [{row, field, message}]
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error = models.TextField(blank=True)
    # The refusal as a message template and its values, so each reader sees it in their
    # language (``imports.error_text``); ``error`` keeps the English for the record.
    error_detail = models.JSONField(default=dict, blank=True)
    # The manager's answers to "possible match": {"<row>:<contact>": guardian id}.
    confirmed_matches = models.JSONField(default=dict, blank=True)
    # Where the file came from, for the preview: a CTF's header (source school,
    # version, date, full/partial), a class list's format, encoding and header row.
    header = models.JSONField(default=dict, blank=True)
    school = models.ForeignKey(
        "programmes.PartnerSchool",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def programme(self):
        return self.centre.programme


class ColumnMapping(models.Model):
    """The columns a partner school's class lists use, remembered from the last
    import so the mapping page is filled in next time: {our field: their column}."""

    school = models.OneToOneField(
        "programmes.PartnerSchool", on_delete=models.CASCADE, related_name="column_mapping"
    )
    mapping = models.JSONField(default=dict)
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("class-list column mapping")
        verbose_name_plural = _("class-list column mappings")

    def __str__(self) -> str:
        return str(self.school)
