"""Instruments, loans to children and schools, repairs, and consumable stock.

Scoping: every model here has ``objects.visible_to(user)`` (rules in
``SCOPES``, registered by ``harmonia.instruments.rules``). Fleet and loan values
are aggregates computed in the database (``InstrumentQuerySet.totals``).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from harmonia.instruments import sizing
from harmonia.instruments.photos import random_photo_path
from harmonia.programmes.models import ScopedQuerySet


class Family(models.TextChoices):
    STRINGS = "strings", _("Strings")
    WOODWIND = "woodwind", _("Woodwind")
    BRASS = "brass", _("Brass")
    PERCUSSION = "percussion", _("Percussion")
    KEYBOARD = "keyboard", _("Keyboard")
    OTHER = "other", _("Other")


class InstrumentType(models.TextChoices):
    VIOLIN = "violin", _("Violin")
    VIOLA = "viola", _("Viola")
    CELLO = "cello", _("Cello")
    DOUBLE_BASS = "double_bass", _("Double bass")
    GUITAR = "guitar", _("Guitar")
    HARP = "harp", _("Harp")
    FLUTE = "flute", _("Flute")
    CLARINET = "clarinet", _("Clarinet")
    OBOE = "oboe", _("Oboe")
    BASSOON = "bassoon", _("Bassoon")
    SAXOPHONE = "saxophone", _("Saxophone")
    RECORDER = "recorder", _("Recorder")
    TRUMPET = "trumpet", _("Trumpet")
    CORNET = "cornet", _("Cornet")
    HORN = "horn", _("French horn")
    TROMBONE = "trombone", _("Trombone")
    EUPHONIUM = "euphonium", _("Euphonium")
    TUBA = "tuba", _("Tuba")
    PERCUSSION = "percussion", _("Percussion")
    TIMPANI = "timpani", _("Timpani")
    PIANO = "piano", _("Piano")
    KEYBOARD = "keyboard", _("Keyboard")
    OTHER = "other", _("Other")


# Type → (family, asset-tag code).
TYPES = {
    "violin": (Family.STRINGS, "VN"),
    "viola": (Family.STRINGS, "VA"),
    "cello": (Family.STRINGS, "VC"),
    "double_bass": (Family.STRINGS, "DB"),
    "guitar": (Family.STRINGS, "GT"),
    "harp": (Family.STRINGS, "HP"),
    "flute": (Family.WOODWIND, "FL"),
    "clarinet": (Family.WOODWIND, "CL"),
    "oboe": (Family.WOODWIND, "OB"),
    "bassoon": (Family.WOODWIND, "BN"),
    "saxophone": (Family.WOODWIND, "SX"),
    "recorder": (Family.WOODWIND, "RC"),
    "trumpet": (Family.BRASS, "TP"),
    "cornet": (Family.BRASS, "CT"),
    "horn": (Family.BRASS, "HN"),
    "trombone": (Family.BRASS, "TB"),
    "euphonium": (Family.BRASS, "EU"),
    "tuba": (Family.BRASS, "TU"),
    "percussion": (Family.PERCUSSION, "PC"),
    "timpani": (Family.PERCUSSION, "TI"),
    "piano": (Family.KEYBOARD, "PN"),
    "keyboard": (Family.KEYBOARD, "KB"),
    "other": (Family.OTHER, "OT"),
}

SIZE_CHOICES = [
    ("1/16", "1/16"),
    ("1/10", "1/10"),
    ("1/8", "1/8"),
    ("1/4", "1/4"),
    ("1/2", "1/2"),
    ("3/4", "3/4"),
    ("7/8", "7/8"),
    ("4/4", "4/4"),
    ("11", '11"'),
    ("12", '12"'),
    ("13", '13"'),
    ("14", '14"'),
    ("15", '15"'),
    ("15.5", '15.5"'),
    ("16", '16"'),
    ("16.5", '16.5"'),
    ("full", _("Full size")),
]


def sizes_for(instrument_type: str) -> list[str]:
    return sizing.SIZES_FOR.get(instrument_type, [sizing.FULL])


class Condition(models.TextChoices):
    NEW = "new", _("New")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")
    UNPLAYABLE = "unplayable", _("Unplayable")


class InstrumentStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    ON_LOAN = "on_loan", _("On loan")
    IN_REPAIR = "in_repair", _("In repair")
    RETIRED = "retired", _("Retired")
    LOST = "lost", _("Lost")


IN_FLEET = [InstrumentStatus.AVAILABLE, InstrumentStatus.ON_LOAN, InstrumentStatus.IN_REPAIR]


class InstrumentQuerySet(ScopedQuerySet):
    def totals(self) -> dict:
        """Fleet value (instruments not retired or lost), value on loan, and counts
        by status, in one aggregate query."""
        in_fleet = Q(status__in=IN_FLEET)
        return self.aggregate(
            fleet_value=Sum("value", filter=in_fleet, default=Decimal(0)),
            on_loan_value=Sum(
                "value", filter=Q(status=InstrumentStatus.ON_LOAN), default=Decimal(0)
            ),
            fleet=Count("pk", filter=in_fleet),
            available=Count("pk", filter=Q(status=InstrumentStatus.AVAILABLE)),
            on_loan=Count("pk", filter=Q(status=InstrumentStatus.ON_LOAN)),
            in_repair=Count("pk", filter=Q(status=InstrumentStatus.IN_REPAIR)),
        )


class Instrument(models.Model):
    class Owner(models.TextChoices):
        CENTRE = "centre", _("The centre")
        PROGRAMME = "programme", _("The programme")
        LENDER = "lender", _("An outside lender")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="instruments"
    )
    centre = models.ForeignKey(
        "programmes.Centre",
        on_delete=models.PROTECT,
        related_name="instruments",
        verbose_name=_("centre"),
        help_text=_("The centre that holds and lends the instrument."),
    )
    instrument_type = models.CharField(
        _("instrument"), max_length=16, choices=InstrumentType.choices
    )
    family = models.CharField(_("family"), max_length=12, choices=Family.choices, editable=False)
    size = models.CharField(_("size"), max_length=5, choices=SIZE_CHOICES, default="full")
    make = models.CharField(_("make"), max_length=80, blank=True)
    model_name = models.CharField(_("model"), max_length=80, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=60, blank=True)
    asset_tag = models.CharField(_("asset tag"), max_length=24, editable=False)
    condition = models.CharField(
        _("condition"), max_length=12, choices=Condition.choices, default=Condition.GOOD
    )
    value = models.DecimalField(
        _("value (£)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    owner = models.CharField(_("owner"), max_length=10, choices=Owner.choices, default=Owner.CENTRE)
    lender_name = models.CharField(
        _("lender"), max_length=120, blank=True, help_text=_("Who lent it, when not ours.")
    )
    location = models.CharField(
        _("location"), max_length=120, blank=True, help_text=_("E.g. store room, cupboard B.")
    )
    photo = models.ImageField(_("photo"), upload_to=random_photo_path, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InstrumentStatus.choices,
        default=InstrumentStatus.AVAILABLE,
        editable=False,
    )
    acquired = models.DateField(_("acquired"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["asset_tag"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [
            models.UniqueConstraint(fields=["programme", "asset_tag"], name="unique_asset_tag"),
            # A maker's serial number names one instrument in the programme (blank: none).
            models.UniqueConstraint(
                fields=["programme", "serial_number"],
                condition=~Q(serial_number=""),
                name="unique_serial_number_in_programme",
            ),
        ]
        indexes = [models.Index(fields=["centre", "status", "instrument_type", "size"])]

    def __str__(self) -> str:
        return f"{self.asset_tag} {self.get_instrument_type_display()} {self.size_label}".strip()

    def save(self, *args, **kwargs):
        self.family = TYPES[self.instrument_type][0]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("instruments:instrument_detail", args=[self.pk])

    @property
    def photo_name(self) -> str:
        """The stored photo's file name (random), used in its address."""
        return self.photo.name.rsplit("/", 1)[-1] if self.photo else ""

    @property
    def size_label(self) -> str:
        return "" if self.size == sizing.FULL else dict(SIZE_CHOICES)[self.size]

    def clean(self):
        if self.instrument_type and self.size not in sizes_for(self.instrument_type):
            raise ValidationError(
                {
                    "size": _("Choose one of: %(sizes)s.")
                    % {"sizes": ", ".join(sizes_for(self.instrument_type))}
                }
            )
        if self.owner == self.Owner.LENDER and not self.lender_name:
            raise ValidationError({"lender_name": _("Name the lender.")})


class AssetTagSequence(models.Model):
    """The last number used for one tag prefix ("LIV-VN") in a programme."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="+"
    )
    prefix = models.CharField(max_length=16)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "prefix"], name="unique_tag_prefix")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.last:04d}"


class LoanAgreement(models.Model):
    """The wording a guardian accepts when a child borrows an instrument. Versions
    are kept: each loan points at the version accepted."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="loan_agreements"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("wording"))
    in_force_from = models.DateField(_("in force from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("loan agreement")
        verbose_name_plural = _("loan agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "version"], name="unique_agreement_version"
            )
        ]

    def __str__(self) -> str:
        return _("Loan agreement v%(v)s") % {"v": self.version}


class LoanRules(models.Model):
    """How a programme lends: what happens when a child who already holds an
    instrument of a type is lent another of that type (a programme without a row
    warns)."""

    class SecondOfAType(models.TextChoices):
        WARN = "warn", _("Warn, and lend if the person lending confirms")
        REFUSE = "refuse", _("Refuse: one instrument of each type per child")

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="loan_rules"
    )
    second_of_a_type = models.CharField(
        _("when a child already holds an instrument of that type"),
        max_length=8,
        choices=SecondOfAType.choices,
        default=SecondOfAType.WARN,
    )

    class Meta:
        verbose_name = _("lending rules")
        verbose_name_plural = _("lending rules")

    def __str__(self) -> str:
        return str(self.get_second_of_a_type_display())


class AgreementMethod(models.TextChoices):
    """How the guardian accepted the loan agreement."""

    PAPER = "paper", _("Paper copy signed")
    IN_PERSON = "in_person", _("In person (agreed with staff)")
    EMAIL = "email", _("By email")


class LoanQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(returned_on__isnull=True)


class Loan(models.Model):
    """An instrument lent to a child (to take home) or to a school (whole-class)."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="loans")
    centre = models.ForeignKey("programmes.Centre", on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instrument_loans",
        verbose_name=_("child"),
    )
    school = models.ForeignKey(
        "programmes.PartnerSchool",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instrument_loans",
        verbose_name=_("school"),
    )
    lent_on = models.DateField(_("lent on"))
    due_back = models.DateField(_("due back"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    condition_out = models.CharField(
        _("condition when lent"), max_length=12, choices=Condition.choices
    )
    condition_in = models.CharField(
        _("condition when returned"), max_length=12, choices=Condition.choices, blank=True
    )
    agreement = models.ForeignKey(
        LoanAgreement, on_delete=models.PROTECT, null=True, blank=True, related_name="loans"
    )
    agreement_accepted_by = models.CharField(_("accepted by"), max_length=150, blank=True)
    agreement_accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # The guardian's acceptance as they gave it: on which day and how. (``_at`` above
    # is when it was recorded here.)
    agreement_accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    agreement_method = models.CharField(
        _("accepted how"), max_length=10, choices=AgreementMethod.choices, blank=True
    )
    agreement_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acceptance recorded by"),
    )
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    objects = LoanQuerySet.as_manager()

    class Meta:
        ordering = ["-lent_on", "-id"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument"],
                condition=Q(returned_on__isnull=True),
                name="one_open_loan_per_instrument",
            ),
            models.CheckConstraint(
                name="loan_to_a_child_or_a_school",
                condition=(
                    Q(child__isnull=False, school__isnull=True)
                    | Q(child__isnull=True, school__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.asset_tag} → {self.borrower}"

    @property
    def borrower(self):
        return self.child or self.school

    @property
    def agreement_accepted(self) -> bool:
        return bool(self.agreement_id and self.agreement_accepted_by and self.agreement_method)


class ArmMeasurement(models.Model):
    """A child's arm length, for sizing string instruments (kept here, not on the child)."""

    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="arm_measurements"
    )
    measured_on = models.DateField(_("measured on"))
    arm_length_cm = models.DecimalField(
        _("arm length (cm)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(25)), MaxValueValidator(Decimal(95))],
        help_text=_("Arm stretched out sideways, from the neck to the middle of the palm."),
    )
    measured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-measured_on", "-id"]
        verbose_name = _("arm measurement")
        verbose_name_plural = _("arm measurements")

    def __str__(self) -> str:
        return f"{self.arm_length_cm} cm ({self.measured_on})"


class RepairJob(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="repairs")
    repairer = models.CharField(_("repairer"), max_length=120)
    fault = models.CharField(_("fault"), max_length=255)
    sent_on = models.DateField(_("sent on"))
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    estimate = models.DecimalField(
        _("estimate (£)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    cost = models.DecimalField(_("cost (£)"), max_digits=8, decimal_places=2, null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = _("repair")
        verbose_name_plural = _("repairs")

    def __str__(self) -> str:
        return f"{self.instrument.asset_tag}: {self.fault}"


class Consumable(models.Model):
    class Category(models.TextChoices):
        STRINGS = "strings", _("Strings")
        ROSIN = "rosin", _("Rosin")
        REEDS = "reeds", _("Reeds")
        OIL = "oil", _("Valve oil and grease")
        ACCESSORIES = "accessories", _("Accessories")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="consumables"
    )
    name = models.CharField(_("name"), max_length=120, help_text=_("E.g. Violin E string 1/2."))
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=30, default="each")
    reorder_level = models.PositiveIntegerField(_("reorder below"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("consumable")
        verbose_name_plural = _("consumables")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="unique_consumable_name")
        ]

    def __str__(self) -> str:
        return self.name


class StockMovement(models.Model):
    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        ISSUED = "issued", _("Issued")
        ADJUSTED = "adjusted", _("Stock-take adjustment")

    consumable = models.ForeignKey(Consumable, on_delete=models.CASCADE, related_name="movements")
    centre = models.ForeignKey("programmes.Centre", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("movement"), max_length=10, choices=Kind.choices)
    quantity = models.IntegerField(_("quantity"), help_text=_("Positive in, negative out."))
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self) -> str:
        return f"{self.on} {self.consumable} {self.quantity:+d}"


# Model name, centre path, programme path — registered with harmonia.access.
SCOPES = [
    ("Instrument", "centre", "centre__programme"),
    ("Loan", "centre", "centre__programme"),
    ("RepairJob", "instrument__centre", "instrument__centre__programme"),
    ("ArmMeasurement", "child__centre", "child__centre__programme"),
    ("StockMovement", "centre", "centre__programme"),
]
# Programme-wide lists: any centre role in the programme counts as belonging.
PROGRAMME_SCOPES = ["LoanAgreement", "Consumable"]
