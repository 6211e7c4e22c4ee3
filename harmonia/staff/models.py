"""Staff and volunteers, their safeguarding checks, and the restricted concern log.

The safeguarding status of each person (clear / expiring / lapsed / missing) is
computed in the database by ``StaffMember.objects.with_safeguarding(on=...)``,
from the checks each staff type requires (``REQUIREMENTS``). Lists, the alert
command and :func:`harmonia.staff.services.is_cleared_to_lead` all use it.
"""

import datetime as dt
import re

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
    # The rest of what KCSIE (part 3) asks the single central record to show.
    BARRED_LIST = "barred_list", _("Children's barred list check")
    PROHIBITION = "prohibition", _("Prohibition from teaching check")
    OVERSEAS = "overseas", _("Overseas checks")
    QUALIFICATION = "qualification", _("Qualifications")


# Checks needed only where relevant to the person (KCSIE: prohibition from teaching
# for teaching work, overseas checks for someone who lived or worked abroad,
# qualifications where the role requires them): the staff record's flag → the kind.
WHERE_RELEVANT = {
    "teaching_work": CheckKind.PROHIBITION,
    "lived_abroad": CheckKind.OVERSEAS,
    "qualifications_required": CheckKind.QUALIFICATION,
}


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
        for flag, kind in WHERE_RELEVANT.items():
            needed = ~Q(**{flag: ""}) if flag == "qualifications_required" else Q(**{flag: True})
            missing |= needed & Q(**{f"n_{kind}__lt": 1})
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
    teaching_work = models.BooleanField(
        _("does teaching work"),
        default=False,
        help_text=_("A prohibition from teaching check is then needed."),
    )
    lived_abroad = models.BooleanField(
        _("has lived or worked outside the UK"),
        default=False,
        help_text=_("Overseas checks (a certificate of good conduct) are then needed."),
    )
    qualifications_required = models.CharField(
        _("qualifications the role requires"),
        max_length=160,
        blank=True,
        help_text=_("E.g. QTS, a music degree. Leave empty when none is required."),
    )

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
        """Each check this person needs: their type's, plus those relevant to them."""
        needs = dict(REQUIREMENTS.get(self.staff_type, {}))
        for flag, kind in WHERE_RELEVANT.items():
            if getattr(self, flag):
                needs[kind] = 1
        return needs

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


REDACTED = "[redacted]"  # as harmonia.children.privacy writes it on erasure


class AppendOnlyError(RuntimeError):
    """A safeguarding record was about to be overwritten or deleted."""


def _is_redaction(old, new) -> bool:
    """Whether ``new`` is ``old`` with some parts replaced by ``[redacted]`` (what
    erasure of a child does to free text that names it): the one change allowed."""
    if old == new:
        return True
    if not isinstance(old, str) or not isinstance(new, str) or REDACTED not in new:
        return False
    pieces = new.split(REDACTED)
    pattern = re.escape(pieces[0]) + "".join(".+?" + re.escape(p) for p in pieces[1:])
    return re.fullmatch(pattern, old, re.S) is not None


class AppendOnlyQuerySet(ScopedQuerySet):
    """Rows of the safeguarding chronology are added, never changed or removed."""

    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} rows are never updated")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} rows are never deleted")


class AppendOnly(models.Model):
    """A record that is written once (KCSIE: a concern's chronology is kept, nothing
    overwritten). ``save`` on a stored row refuses unless every field it writes is
    unchanged or only redacted (erasure of a child); ``delete`` always refuses."""

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        if not self._state.adding:
            names = list(update_fields) if update_fields is not None else None
            if names is None:
                names = [f.attname for f in self._meta.concrete_fields if not f.primary_key]
            stored = type(self)._base_manager.filter(pk=self.pk).values(*names).first()
            if stored is None:
                raise AppendOnlyError(f"{self._meta.label} {self.pk} is not stored")
            changed = [n for n in names if not _is_redaction(stored[n], getattr(self, n))]
            if changed:
                raise AppendOnlyError(
                    f"{self._meta.label} is append-only: add an entry instead of changing "
                    f"{', '.join(changed)}"
                )
        return super().save(*args, update_fields=update_fields, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} rows are never deleted")


class ConcernState(models.TextChoices):
    OPEN = "open", _("Open")
    REFERRED = "referred", _("Referred")
    MONITORING = "monitoring", _("Monitoring")
    CLOSED = "closed", _("Closed")


class Concern(AppendOnly):
    """A safeguarding concern: the report as the adult wrote it, never changed. What
    happens next is a dated :class:`ConcernEntry` each. Read only by the centre's
    safeguarding leads (and, their own report only, by whoever wrote it); every
    opening, and every refused attempt, is written to :class:`ConcernAccess`."""

    class Category(models.TextChoices):
        WELFARE = "welfare", _("Welfare or neglect")
        PHYSICAL = "physical", _("Physical harm")
        EMOTIONAL = "emotional", _("Emotional harm")
        SEXUAL = "sexual", _("Sexual harm")
        ONLINE = "online", _("Online safety")
        STAFF = "staff", _("Allegation about an adult")
        OTHER = "other", _("Other")

    State = ConcernState

    centre = models.ForeignKey("programmes.Centre", on_delete=models.CASCADE, related_name="+")
    # Not named ``child``: the audit trail would then link its entry to the child, and
    # the change log must not say that a child has a safeguarding concern.
    about_child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("child"),
    )
    subject = models.CharField(
        _("about"),
        max_length=150,
        blank=True,
        help_text=_("The child or adult the concern is about."),
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
    # The state when recorded; later states are entries (``current_state``).
    state = models.CharField(
        _("state"), max_length=10, choices=ConcernState.choices, default=ConcernState.OPEN
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-noticed", "-id"]
        verbose_name = _("safeguarding concern")
        verbose_name_plural = _("safeguarding concerns")

    def __str__(self) -> str:
        return f"{self.noticed:%Y-%m-%d} {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("staff:concern_detail", args=[self.pk])

    @property
    def about(self) -> str:
        """Who it is about: the child's name, or what the adult wrote."""
        if self.about_child_id:
            return self.about_child.display_name
        return self.subject


class ConcernEntry(AppendOnly):
    """One dated step in a concern's chronology: who wrote it and when, what happened,
    the action taken, a referral (to whom, when, its reference, when they answered),
    the outcome, and the state it leaves the concern in."""

    class Referral(models.TextChoices):
        SOCIAL_CARE = "social_care", _("Children's social care")
        POLICE = "police", _("Police")
        LADO = "lado", _("Local authority designated officer (LADO)")
        EARLY_HELP = "early_help", _("Early help")
        HEALTH = "health", _("Health services")
        OTHER = "other", _("Another agency")

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="entries")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True, db_index=True)
    happened = models.DateField(_("date"), help_text=_("When this happened."))
    what = models.TextField(_("what happened or was learned"))
    action_taken = models.TextField(_("action taken"), blank=True)
    referral_to = models.CharField(
        _("referred to"), max_length=16, choices=Referral.choices, blank=True
    )
    referral_date = models.DateField(_("date referred"), null=True, blank=True)
    referral_reference = models.CharField(_("their reference"), max_length=80, blank=True)
    referral_answered = models.DateField(_("date they answered"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    state = models.CharField(
        _("state afterwards"),
        max_length=10,
        choices=ConcernState.choices,
        blank=True,
        help_text=_("Leave empty to keep the concern's state as it is."),
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["written_at", "id"]
        verbose_name = _("concern chronology entry")
        verbose_name_plural = _("concern chronology entries")

    def __str__(self) -> str:
        return f"{self.happened:%Y-%m-%d} {self.concern_id}"


def concern_file_path(instance, filename) -> str:
    import secrets

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"concerns/{secrets.token_urlsafe(16)}.{ext}"


class ConcernAttachment(AppendOnly):
    """A file kept with a concern (a photo of a note, a referral form). Stored under a
    random name outside any served folder; read only through the access policy."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="attachments")
    entry = models.ForeignKey(
        ConcernEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=concern_file_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("concern attachment")
        verbose_name_plural = _("concern attachments")

    def __str__(self) -> str:
        return self.name


class ConcernAccess(models.Model):
    """Who opened the concern log, one concern or an attachment, and when — and who
    tried and was refused."""

    class Action(models.TextChoices):
        OPENED_LOG = "opened_log", _("Opened the concern log")
        OPENED_CONCERN = "opened_concern", _("Opened a concern")
        RECORDED = "recorded", _("Recorded a concern")
        UPDATED = "updated", _("Added to a concern")
        OPENED_OWN = "opened_own", _("Opened a concern they recorded")
        OPENED_FILE = "opened_file", _("Opened an attachment")

    centre = models.ForeignKey("programmes.Centre", on_delete=models.CASCADE, related_name="+")
    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, null=True, blank=True, related_name="accesses"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    # An attempt the policy refused (403 inside the programme, 404 outside it): kept,
    # so that the safeguarding lead sees who tried to open what.
    refused = models.BooleanField(_("refused"), default=False)
    path = models.CharField(_("page"), max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("concern log access")
        verbose_name_plural = _("concern log accesses")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"
