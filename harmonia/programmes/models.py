"""Programme structure: programmes, their centres, partner schools, areas,
lead organisations, funders and grants.

Scoping: every model here has ``objects.visible_to(user)``, which delegates to
``harmonia.access`` — the only place that decides who sees what.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from harmonia import access
from harmonia.programmes.zones import default_zone_for_country, validate_time_zone


class ScopedQuerySet(models.QuerySet):
    """A queryset whose ``visible_to`` asks the access policy. On a people-data model,
    running one that did not come through the policy while a request is handled
    raises ``access.UnscopedQuery`` (see ``access.check_scoped``)."""

    _harmonia_scope: str | None = None  # how the policy was applied: "policy", "unscoped: …"

    def visible_to(self, user):
        return access.scope(self, user)

    def unscoped(self, reason: str):
        """Every row, on purpose: ``reason`` says why (it is kept on the queryset)."""
        if not reason or not reason.strip():
            raise ValueError("unscoped() needs the reason every row may be read.")
        return access._mark(self._chain(), f"unscoped: {reason}")

    def for_aggregates(self, reason: str):
        """Rows counted, never listed (dashboards, returns): only ``count()``,
        ``aggregate()``, ``exists()`` or a grouped ``values().annotate()`` may run,
        and disclosure control applies to what leaves."""
        if not reason or not reason.strip():
            raise ValueError("for_aggregates() needs the reason (which release it feeds).")
        return access._mark(self._chain(), f"aggregates: {reason}")

    def _clone(self):
        clone = super()._clone()
        clone._harmonia_scope = self._harmonia_scope
        return clone

    def _filter_or_exclude(self, negate, args, kwargs):
        clone = super()._filter_or_exclude(negate, args, kwargs)
        if clone._harmonia_scope is None and not negate:
            via = access.scoped_people_in(kwargs.values())
            if via:
                clone._harmonia_scope = f"related: {via}"
        return clone

    def _fetch_all(self):
        if self._result_cache is None:
            access.check_scoped(self, rows=True)
        super()._fetch_all()

    def count(self):
        if self._result_cache is None:
            access.check_scoped(self)
        return super().count()

    def exists(self):
        if self._result_cache is None:
            access.check_scoped(self)
        return super().exists()

    def aggregate(self, *args, **kwargs):
        access.check_scoped(self)
        return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size=None):
        access.check_scoped(self)
        return super().iterator(chunk_size=chunk_size)

    def update(self, **kwargs):
        access.check_scoped(self)
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        access.check_scoped(self)
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166 code, e.g. GB or VE.")
    )
    default_language = models.CharField(
        _("default language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=60,
        blank=True,
        validators=[validate_time_zone],
        help_text=_(
            "IANA name, e.g. Europe/London or America/Caracas. Times are shown and entered "
            "in it; a centre may choose its own. Empty: the usual zone of the country."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    founded = models.DateField(_("founded"), null=True, blank=True)
    dpo_email = models.EmailField(
        _("data protection contact"),
        blank=True,
        help_text=_(
            "Email of the data protection officer; told whenever someone is given access "
            "to children's records."
        ),
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.time_zone:
            self.time_zone = default_zone_for_country(self.country)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("programmes:programme_detail", args=[self.pk])

    @property
    def programme(self):
        return self


class LeadOrganisation(models.Model):
    class Kind(models.TextChoices):
        ORCHESTRA = "orchestra", _("Orchestra")
        OPERA = "opera", _("Opera company")
        CONCERT_HALL = "concert_hall", _("Concert hall")
        COUNCIL = "council", _("Local council")
        CHARITY = "charity", _("Charity")
        MUSIC_SERVICE = "music_service", _("Music service or hub")
        FOUNDATION = "foundation", _("Foundation")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="lead_organisations"
    )
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    website = models.URLField(_("website"), blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("lead organisation")
        verbose_name_plural = _("lead organisations")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="unique_lead_org_name")
        ]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(_("name"), max_length=120)
    local_authority = models.CharField(_("local authority"), max_length=120, blank=True)
    deprivation_decile = models.PositiveSmallIntegerField(
        _("deprivation decile"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("1 = the most deprived tenth of areas (English Indices of Deprivation)."),
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="unique_area_name")
        ]

    def __str__(self) -> str:
        return self.name


class Centre(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="centres")
    name = models.CharField(_("name"), max_length=120)
    lead_organisation = models.ForeignKey(
        LeadOrganisation,
        on_delete=models.PROTECT,
        related_name="centres",
        verbose_name=_("lead organisation"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="centres", verbose_name=_("area")
    )
    opened = models.DateField(_("opened"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("centre")
        verbose_name_plural = _("centres")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="unique_centre_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("programmes:centre_detail", args=[self.pk])

    def clean(self):
        for field in ("lead_organisation", "area"):
            related = getattr(self, f"{field}_id") and getattr(self, field)
            if related and self.programme_id and related.programme_id != self.programme_id:
                raise ValidationError({field: _("Choose one from this centre's programme.")})


class PartnerSchool(models.Model):
    class Phase(models.TextChoices):
        NURSERY = "nursery", _("Nursery")
        PRIMARY = "primary", _("Primary")
        SECONDARY = "secondary", _("Secondary")
        ALL_THROUGH = "all_through", _("All-through")
        SPECIAL = "special", _("Special")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="schools")
    urn = models.CharField(
        _("URN"),
        max_length=12,
        blank=True,
        help_text=_("Unique Reference Number from Get Information About Schools."),
    )
    name = models.CharField(_("name"), max_length=160)
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices)
    local_authority = models.CharField(_("local authority"), max_length=120)
    fsm_percent = models.DecimalField(
        _("share on free school meals"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    pupils = models.PositiveIntegerField(_("pupils on roll"), null=True, blank=True)
    partner_since = models.DateField(_("partner since"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner school")
        verbose_name_plural = _("partner schools")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "urn"],
                condition=~models.Q(urn=""),
                name="unique_school_urn_per_centre",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def programme(self):
        return self.centre.programme


class Funder(models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government department")
        ARTS_COUNCIL = "arts_council", _("Arts council")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        TRUST = "trust", _("Trust or foundation")
        CORPORATE = "corporate", _("Corporate")
        INDIVIDUAL = "individual", _("Individual donors")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="funders")
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    website = models.URLField(_("website"), blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("funder")
        verbose_name_plural = _("funders")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="unique_funder_name")
        ]

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    class Currency(models.TextChoices):
        GBP = "GBP", "GBP £"
        EUR = "EUR", "EUR €"
        USD = "USD", "USD $"
        VES = "VES", "VES Bs."

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="grants")
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="grants", verbose_name=_("funder")
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    purpose = models.CharField(_("purpose"), max_length=255)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.GBP
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    centres = models.ManyToManyField(
        Centre,
        blank=True,
        related_name="grants",
        verbose_name=_("recipient centres"),
        help_text=_("Leave empty when the grant is to the whole programme."),
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["-start", "funder__name"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(
                name="grant_ends_after_start", condition=models.Q(end__gte=models.F("start"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.funder} — {self.purpose}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("programmes:grant_detail", args=[self.pk])

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("A grant cannot end before it starts.")})
        if self.funder_id and self.programme_id and self.funder.programme_id != self.programme_id:
            raise ValidationError({"funder": _("Choose a funder of this programme.")})


class RoleRequest(models.Model):
    """A role that opens children's records, asked for by one person and given only
    when another approves it (``harmonia.programmes.services.request_role``).

    A programme lead can give roles but sees no named child; giving anyone (above all
    themselves) a centre role would open that centre's children. So such a grant waits
    for a second person — a manager of that centre or another programme lead — and
    the centre's managers and the programme's data protection contact are emailed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="role_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_requests"
    )
    role = models.CharField(_("role"), max_length=32)
    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, related_name="role_requests", verbose_name=_("centre")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("role request")
        verbose_name_plural = _("role requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "centre"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} — {self.centre}"

    @property
    def pending(self) -> bool:
        return self.status == self.Status.PENDING

    def get_role_display(self) -> str:
        from harmonia.accounts.models import Membership

        labels = dict(Membership._meta.get_field("role").choices)
        return str(labels.get(self.role, self.role))
