"""Staff and volunteers, their safeguarding checks, and the restricted concern log.

The safeguarding status of each person (clear / expiring / lapsed / missing) is
computed in the database by ``StaffMember.objects.with_safeguarding(on=...)``,
from the checks each staff type requires (``REQUIREMENTS``). Lists, the alert
command and :func:`harmonia.staff.services.is_cleared_to_lead` all use it.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, CharField, Count, F, Max, Q, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from harmonia.programmes.models import ScopedQuerySet

# How long a DBS certificate is accepted without the update service (programme
# policy: certificates carry no expiry date of their own), and how often an
# update-service subscription must be re-checked online.
DBS_RENEW_AFTER = dt.timedelta(days=3 * 365)
UPDATE_SERVICE_RECHECK = dt.timedelta(days=365)
WARN_DAYS = 30  # "expiring" means expiring within this many days
NEVER = dt.date(9999, 12, 31)


class StaffType(models.TextChoices):
    TUTOR = "tutor", _("Tutor")
    MUSICIAN = "musician", _("Musician")
    MANAGER = "manager", _("Manager")
    VOLUNTEER = "volunteer", _("Volunteer")
    ADMIN = "admin", _("Administrator (no contact with children)")


class CheckKind(models.TextChoices):
    DBS = "dbs", _("DBS check")
    TRAINING = "training", _("Safeguarding training")
    IDENTITY = "identity", _("Identity check")
    RIGHT_TO_WORK = "right_to_work", _("Right to work")
    REFERENCE = "reference", _("Reference")


class DbsLevel(models.TextChoices):
    BASIC = "basic", _("Basic")
    STANDARD = "standard", _("Standard")
    ENHANCED = "enhanced", _("Enhanced")
    ENHANCED_BARRED = "enhanced_barred", _("Enhanced with barred list")


DBS_ORDER = [DbsLevel.BASIC, DbsLevel.STANDARD, DbsLevel.ENHANCED, DbsLevel.ENHANCED_BARRED]


def levels_at_least(level: str) -> list[str]:
    return [str(v) for v in DBS_ORDER[DBS_ORDER.index(level) :]]


class TrainingLevel(models.TextChoices):
    LEVEL_1 = "1", _("Level 1 — awareness")
    LEVEL_2 = "2", _("Level 2 — working with children")
    LEVEL_3 = "3", _("Level 3 — designated safeguarding lead")


# What each staff type needs before working with children: check kind → how many
# (references) or the minimum DBS level. Documented in docs/permissions.md.
REQUIREMENTS: dict[str, dict[str, object]] = {
    StaffType.TUTOR: {
        CheckKind.DBS: DbsLevel.ENHANCED_BARRED,
        CheckKind.TRAINING: 1,
        CheckKind.IDENTITY: 1,
        CheckKind.RIGHT_TO_WORK: 1,
        CheckKind.REFERENCE: 2,
    },
    StaffType.MUSICIAN: {
        CheckKind.DBS: DbsLevel.ENHANCED_BARRED,
        CheckKind.TRAINING: 1,
        CheckKind.IDENTITY: 1,
        CheckKind.RIGHT_TO_WORK: 1,
        CheckKind.REFERENCE: 2,
    },
    StaffType.MANAGER: {
        CheckKind.DBS: DbsLevel.ENHANCED_BARRED,
        CheckKind.TRAINING: 1,
        CheckKind.IDENTITY: 1,
        CheckKind.RIGHT_TO_WORK: 1,
        CheckKind.REFERENCE: 2,
    },
    StaffType.VOLUNTEER: {
        CheckKind.DBS: DbsLevel.ENHANCED,
        CheckKind.TRAINING: 1,
        CheckKind.IDENTITY: 1,
        CheckKind.REFERENCE: 2,
    },
    StaffType.ADMIN: {
        CheckKind.DBS: DbsLevel.BASIC,
        CheckKind.IDENTITY: 1,
        CheckKind.RIGHT_TO_WORK: 1,
    },
}


class Status(models.TextChoices):
    CLEAR = "clear", pgettext_lazy("safeguarding status", "Clear")
    EXPIRING = "expiring", _("Expiring soon")
    LAPSED = "lapsed", _("Lapsed")
    MISSING = "missing", _("Missing checks")


def _types_needing(kind) -> list[str]:
    return [str(t) for t, needs in REQUIREMENTS.items() if kind in needs]


class StaffQuerySet(ScopedQuerySet):
    def with_safeguarding(self, on: dt.date | None = None, warn_days: int = WARN_DAYS):
        """Annotate each person with ``safeguarding_status`` and ``next_expiry``
        on date ``on``, in one SQL query (one join to the checks, filtered
        aggregates, a CASE over the staff type's requirements)."""
        on = on or dt.date.today()
        warn = on + dt.timedelta(days=warn_days)
        done = Q(checks__completed__lte=on)
        annotations = {}
        for kind in CheckKind:
            if kind == CheckKind.DBS:
                continue
            annotations[f"n_{kind}"] = Count("checks", filter=done & Q(checks__kind=kind))
            annotations[f"until_{kind}"] = Max(
                Coalesce("checks__expires", Value(NEVER)), filter=done & Q(checks__kind=kind)
            )
        for level in DBS_ORDER:
            dbs = done & Q(checks__kind=CheckKind.DBS, checks__dbs_level__in=levels_at_least(level))
            annotations[f"n_dbs_{level}"] = Count("checks", filter=dbs)
            annotations[f"until_dbs_{level}"] = Max(
                Coalesce("checks__expires", Value(NEVER)), filter=dbs
            )
        qs = self.annotate(**annotations)
        missing, lapsed, expiring = Q(), Q(), Q()
        for staff_type, needs in REQUIREMENTS.items():
            for kind, need in needs.items():
                if kind == CheckKind.DBS:
                    count, until = f"n_dbs_{need}", f"until_dbs_{need}"
                    minimum = 1
                else:
                    count, until = f"n_{kind}", f"until_{kind}"
                    minimum = need
                is_type = Q(staff_type=staff_type)
                missing |= is_type & Q(**{f"{count}__lt": minimum})
                lapsed |= is_type & Q(**{f"{until}__lt": on})
                expiring |= is_type & Q(**{f"{until}__lte": warn})
        # The earliest of the latest expiry of every check kind (whatever the type needs).
        expiries = [F(f"until_{k}") for k in CheckKind if k != CheckKind.DBS]
        expiries.append(F(f"until_dbs_{DbsLevel.BASIC}"))
        return qs.annotate(
            safeguarding_status=Case(
                When(missing, then=Value(Status.MISSING.value)),
                When(lapsed, then=Value(Status.LAPSED.value)),
                When(expiring, then=Value(Status.EXPIRING.value)),
                default=Value(Status.CLEAR.value),
                output_field=CharField(),
            ),
            next_expiry=Least(*[Coalesce(e, Value(NEVER)) for e in expiries]),
        )

    def needing_attention(self, on=None, warn_days: int = WARN_DAYS):
        return self.with_safeguarding(on, warn_days).exclude(safeguarding_status=Status.CLEAR)


class StaffMember(models.Model):
    """An adult who works or volunteers with the programme, with or without a login."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="staff"
    )
    centre = models.ForeignKey(
        "programmes.Centre",
        on_delete=models.CASCADE,
        related_name="staff",
        null=True,
        blank=True,
        verbose_name=_("centre"),
        help_text=_("Leave empty for someone who works across the programme."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_records",
        verbose_name=_("login"),
    )
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    staff_type = models.CharField(_("staff type"), max_length=16, choices=StaffType.choices)
    role_title = models.CharField(
        _("role"), max_length=120, blank=True, help_text=_("E.g. Violin tutor, Centre manager.")
    )
    # Ensembles do not exist yet: a text field until the ensembles app links them.
    ensembles = models.CharField(
        _("ensembles taught"),
        max_length=255,
        blank=True,
        help_text=_("Names of the ensembles this person teaches, separated by commas."),
    )
    contracted_hours = models.DecimalField(
        _("contracted hours a week"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    started = models.DateField(_("started"), null=True, blank=True)
    left = models.DateField(_("left"), null=True, blank=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("staff:staff_detail", args=[self.pk])

    @property
    def requirements(self) -> dict:
        return REQUIREMENTS.get(self.staff_type, {})

    def problems(self, on: dt.date | None = None, warn_days: int = WARN_DAYS) -> list[dict]:
        """What is wrong, check by check, read from the ``with_safeguarding``
        annotations (no query): [{"kind", "status", "date"}], worst first."""
        on = on or dt.date.today()
        warn = on + dt.timedelta(days=warn_days)
        found = []
        for kind, need in self.requirements.items():
            if kind == CheckKind.DBS:
                count, until, minimum = f"n_dbs_{need}", f"until_dbs_{need}", 1
            else:
                count, until, minimum = f"n_{kind}", f"until_{kind}", need
            label = CheckKind(kind).label
            if getattr(self, count, 0) < minimum:
                found.append({"kind": label, "status": Status.MISSING, "date": None})
                continue
            date = getattr(self, until, None)
            if date and date < on:
                found.append({"kind": label, "status": Status.LAPSED, "date": date})
            elif date and date <= warn:
                found.append({"kind": label, "status": Status.EXPIRING, "date": date})
        order = [Status.LAPSED, Status.MISSING, Status.EXPIRING]
        return sorted(found, key=lambda p: order.index(p["status"]))


class SafeguardingCheck(models.Model):
    """One check: a DBS certificate, a training course, an identity or right-to-work
    check, or one reference. ``expires`` is worked out when saved (see services)."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(_("kind"), max_length=16, choices=CheckKind.choices)
    completed = models.DateField(
        _("date"), help_text=_("Issue date, training date, date checked or date received.")
    )
    expires = models.DateField(_("valid until"), null=True, blank=True)
    # DBS
    dbs_level = models.CharField(
        _("DBS level"), max_length=16, choices=DbsLevel.choices, blank=True
    )
    certificate_number = models.CharField(_("certificate number"), max_length=20, blank=True)
    update_service = models.BooleanField(_("subscribed to the update service"), default=False)
    update_service_checked = models.DateField(
        _("update service last checked"), null=True, blank=True
    )
    # Training
    training_level = models.CharField(
        _("training level"), max_length=2, choices=TrainingLevel.choices, blank=True
    )
    # Identity, right to work, references
    document = models.CharField(
        _("document or referee"),
        max_length=160,
        blank=True,
        help_text=_("E.g. passport, share code, or the referee's name and organisation."),
    )
    requested = models.DateField(_("requested"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-completed"]
        verbose_name = _("safeguarding check")
        verbose_name_plural = _("safeguarding checks")
        indexes = [models.Index(fields=["staff", "kind", "expires"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.staff}"

    def status_on(self, on: dt.date, warn_days: int = WARN_DAYS) -> str:
        if self.expires is None:
            return Status.CLEAR
        if self.expires < on:
            return Status.LAPSED
        if self.expires <= on + dt.timedelta(days=warn_days):
            return Status.EXPIRING
        return Status.CLEAR


class Concern(models.Model):
    """A safeguarding concern. Seen only by the centre's safeguarding leads; every
    opening is written to :class:`ConcernAccess`."""

    class Category(models.TextChoices):
        WELFARE = "welfare", _("Welfare or neglect")
        PHYSICAL = "physical", _("Physical harm")
        EMOTIONAL = "emotional", _("Emotional harm")
        SEXUAL = "sexual", _("Sexual harm")
        ONLINE = "online", _("Online safety")
        STAFF = "staff", _("Allegation about an adult")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        REFERRED = "referred", _("Referred")
        CLOSED = "closed", _("Closed")

    centre = models.ForeignKey("programmes.Centre", on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(
        _("about"), max_length=150, help_text=_("The child or adult the concern is about.")
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    noticed = models.DateField(_("date noticed"))
    account = models.TextField(_("what was seen or said"))
    action_taken = models.TextField(_("action taken"), blank=True)
    referred_to = models.CharField(
        _("referred to"),
        max_length=160,
        blank=True,
        help_text=_("E.g. children's social care, LADO, police."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-noticed", "-id"]
        verbose_name = _("safeguarding concern")
        verbose_name_plural = _("safeguarding concerns")

    def __str__(self) -> str:
        return f"{self.noticed:%Y-%m-%d} {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("staff:concern_detail", args=[self.pk])


class ConcernAccess(models.Model):
    """Who opened the concern log, or one concern, and when."""

    class Action(models.TextChoices):
        OPENED_LOG = "opened_log", _("Opened the concern log")
        OPENED_CONCERN = "opened_concern", _("Opened a concern")
        RECORDED = "recorded", _("Recorded a concern")
        UPDATED = "updated", _("Updated a concern")

    centre = models.ForeignKey("programmes.Centre", on_delete=models.CASCADE, related_name="+")
    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, null=True, blank=True, related_name="accesses"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("concern log access")
        verbose_name_plural = _("concern log accesses")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"
