"""Ensembles, the timetable and the register.

* **Ensembles** play at one centre, or across centres and programmes (a national
  or exchange orchestra: ``centre`` is empty and ``member_centres`` lists who
  takes part). ``member_centres`` always includes the home centre, so access is
  decided by one rule (``harmonia.ensembles.rules``).
* **Placements** put a child in an ensemble (section, instrument, desk) for
  [start, end); a move ends one placement and opens another, so history is kept.
* **Timetable**: ``Term`` (terms and holidays per centre), ``Session`` (a weekly
  rule) and ``Occurrence`` (one dated meeting, generated without duplicates:
  unique on (session, date); see ``harmonia.ensembles.timetable``).
* **Register**: ``Mark`` (one per child per occurrence), ``MarkChange`` (the
  history of corrections and of offline conflicts lost), ``Submission`` (one per
  idempotency key, so a replayed submission returns the stored result). The
  writes are in ``harmonia.ensembles.register``.
"""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from harmonia.programmes.models import ScopedManager, ScopedQuerySet
from harmonia.programmes.zones import validate_time_zone, zone_name_for_occurrence


def new_token() -> str:
    """An unguessable token for calendar feed addresses (192 bits)."""
    return secrets.token_urlsafe(24)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class SessionKind(models.TextChoices):
    REHEARSAL = "rehearsal", _("Rehearsal")
    SECTIONAL = "sectional", _("Sectional")
    WCET = "wcet", _("In-school whole-class session")
    HOLIDAY_COURSE = "holiday_course", _("Holiday course")
    CONCERT = "concert", _("Concert")


class CentreRegisterSettings(models.Model):
    """How a centre's registers and timetable behave."""

    class Default(models.TextChoices):
        PRESENT = "present", _("Everyone starts as present")
        UNMARKED = "unmarked", _("Everyone starts unmarked")

    centre = models.OneToOneField(
        "programmes.Centre", on_delete=models.CASCADE, related_name="register_settings"
    )
    register_default = models.CharField(
        _("register starts with"), max_length=10, choices=Default.choices, default=Default.PRESENT
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=60,
        blank=True,
        default="",
        validators=[validate_time_zone],
        help_text=_(
            "Only when this centre keeps a different time from its programme: an IANA "
            "name, e.g. America/Caracas. Empty: the programme's zone."
        ),
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("register settings")
        verbose_name_plural = _("register settings")

    def __str__(self) -> str:
        return str(self.centre)


class Ensemble(models.Model):
    class Kind(models.TextChoices):
        ORCHESTRA = "orchestra", _("Orchestra")
        STRINGS = "strings", _("String group")
        WIND_BAND = "wind_band", _("Wind band")
        CHOIR = "choir", _("Choir")
        EARLY_YEARS = "early_years", _("Early years group")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="ensembles"
    )
    centre = models.ForeignKey(
        "programmes.Centre",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ensembles",
        verbose_name=_("home centre"),
        help_text=_("Leave empty for a national, cross-centre or exchange ensemble."),
    )
    member_centres = models.ManyToManyField(
        "programmes.Centre",
        blank=True,
        related_name="member_ensembles",
        verbose_name=_("member centres"),
        help_text=_("Centres whose children play in it (the home centre is always one)."),
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    feed_token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("ensemble")
        verbose_name_plural = _("ensembles")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "centre", "name"], name="unique_ensemble_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("ensembles:ensemble_detail", args=[self.pk])


class Section(models.Model):
    ensemble = models.ForeignKey(Ensemble, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(_("name"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ScopedManager()

    class Meta:
        ordering = ["ensemble", "order", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["ensemble", "name"], name="unique_section_name")
        ]

    def __str__(self) -> str:
        return self.name


class PlacementQuerySet(ScopedQuerySet):
    def current_on(self, day: dt.date):
        return self.filter(Q(end__isnull=True) | Q(end__gt=day), start__lte=day)


class Placement(models.Model):
    """A child in an ensemble for [start, end). Moves end one and open another."""

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="placements")
    ensemble = models.ForeignKey(Ensemble, on_delete=models.CASCADE, related_name="placements")
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("section"),
    )
    instrument = models.CharField(_("instrument"), max_length=60, blank=True)
    desk = models.PositiveSmallIntegerField(_("desk"), null=True, blank=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = models.Manager.from_queryset(PlacementQuerySet)()

    class Meta:
        ordering = ["ensemble", "section__order", "desk", "child__last_name"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        indexes = [models.Index(fields=["ensemble", "start", "end"])]
        constraints = [
            models.CheckConstraint(
                name="placement_ends_after_start",
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
            ),
            models.UniqueConstraint(
                fields=["child", "ensemble"],
                condition=Q(end__isnull=True),
                name="one_open_placement_per_child_and_ensemble",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} — {self.ensemble}"


class Term(models.Model):
    class Kind(models.TextChoices):
        TERM = "term", _("Term")
        HOLIDAY = "holiday", _("Holiday")

    centre = models.ForeignKey("programmes.Centre", on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TERM)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    objects = ScopedManager()

    class Meta:
        ordering = ["centre", "start"]
        verbose_name = _("term or holiday")
        verbose_name_plural = _("terms and holidays")
        constraints = [
            models.CheckConstraint(
                name="term_ends_after_start", condition=Q(end__gte=models.F("start"))
            ),
            models.UniqueConstraint(fields=["centre", "name", "start"], name="unique_term"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("A term cannot end before it starts.")})


class Holiday(models.Model):
    """A public holiday (or any closure day) of a programme's country: nothing meets.

    Per programme, because a programme is one country's calendar (England's bank
    holidays, Venezuela's fiestas patrias); ``centre`` narrows it to one centre (a
    local holiday). Weekly sessions are not generated on these dates; dates already
    generated are shown cancelled, "Holiday: <name>" (``ensembles.holidays``). A
    centre's *school* holidays (half term, vacaciones) are ``Term`` rows of kind
    holiday: holiday courses run in those, but not on a public holiday."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="holidays"
    )
    centre = models.ForeignKey(
        "programmes.Centre",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holidays",
        verbose_name=_("only at centre"),
        help_text=_("Leave empty for a holiday of every centre of the programme."),
    )
    name = models.CharField(_("name"), max_length=120)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    objects = ScopedManager()

    class Meta:
        ordering = ["programme", "start"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        constraints = [
            models.CheckConstraint(
                name="holiday_ends_after_start", condition=Q(end__gte=models.F("start"))
            ),
            models.UniqueConstraint(
                fields=["programme", "centre", "name", "start"], name="unique_holiday"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("A holiday cannot end before it starts.")})


class Session(models.Model):
    """A recurring meeting: every week on ``weekday`` within a term or date range."""

    ensemble = models.ForeignKey(Ensemble, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(
        _("kind"), max_length=20, choices=SessionKind.choices, default=SessionKind.REHEARSAL
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start_time = models.TimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=90)
    venue = models.CharField(_("venue"), max_length=160, blank=True)
    tutors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="taught_sessions",
        verbose_name=_("tutors"),
    )
    term = models.ForeignKey(
        Term,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("term"),
        help_text=_("Runs through this term; or give dates below."),
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["ensemble", "weekday", "start_time"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return self.name or f"{self.ensemble} — {self.get_kind_display()}"

    def clean(self):
        if not self.term_id and not (self.starts_on and self.ends_on):
            raise ValidationError(_("Choose a term, or give the first and last dates."))
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A session cannot end before it starts.")})

    @property
    def first_day(self) -> dt.date:
        return self.starts_on or self.term.start

    @property
    def last_day(self) -> dt.date:
        return self.ends_on or self.term.end


class Occurrence(models.Model):
    """One dated meeting. Generated from a session, or a one-off (``session`` empty)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="occurrences"
    )
    ensemble = models.ForeignKey(Ensemble, on_delete=models.CASCADE, related_name="occurrences")
    centre = models.ForeignKey(
        "programmes.Centre",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    minutes = models.PositiveSmallIntegerField(_("minutes of music"))
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    venue = models.CharField(_("venue"), max_length=160, blank=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    note = models.CharField(
        _("note"), max_length=255, blank=True, help_text=_("Why it was cancelled or changed.")
    )
    tutors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="taught_occurrences",
        verbose_name=_("tutors"),
        help_text=_("Cover or extra tutors for this date (the session's tutors also lead it)."),
    )
    register_taken_at = models.DateTimeField(null=True, blank=True)
    register_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sequence = models.PositiveIntegerField(default=0)  # iCalendar SEQUENCE: bumped on changes
    updated = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "date"], name="one_occurrence_per_session_day"
            ),
            models.CheckConstraint(
                name="occurrence_ends_after_start", condition=Q(ends_at__gte=models.F("starts_at"))
            ),
        ]
        indexes = [
            models.Index(fields=["ensemble", "date"]),
            models.Index(fields=["centre", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.display_title} — {self.date:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("ensembles:register", args=[self.pk])

    @property
    def display_title(self) -> str:
        return (
            self.title
            or (self.session.name if self.session_id and self.session.name else "")
            or str(self.ensemble)
        )

    @property
    def cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def time_zone(self) -> str:
        """The IANA zone this date is shown in: its centre's (``programmes.zones``)."""
        return zone_name_for_occurrence(self)

    @property
    def local_starts_at(self) -> dt.datetime:
        return self.starts_at.astimezone(zoneinfo.ZoneInfo(self.time_zone))

    @property
    def local_ends_at(self) -> dt.datetime:
        return self.ends_at.astimezone(zoneinfo.ZoneInfo(self.time_zone))


class MarkStatus(models.TextChoices):
    """The default codes' names, for showing a mark where the programme's own label is
    not at hand (the subject access export). A programme's own codes are valid too
    (``AttendanceCode``); those show their stored code."""

    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    LEFT_EARLY = "left_early", _("Left early")
    REMOTE = "remote", _("Joined remotely")
    ABSENT_AUTHORISED = "absent_authorised", _("Absent (authorised)")
    ABSENT_UNAUTHORISED = "absent_unauthorised", _("Absent")
    NOT_EXPECTED = "not_expected", _("Not expected")


# The built-in mapping of the four original codes. Rates and rollups count by each
# programme's ``AttendanceCode`` rows (``harmonia.ensembles.codes``), not by this.
ATTENDED = (MarkStatus.PRESENT, MarkStatus.LATE)


class AttendanceCode(models.Model):
    """One attendance code a programme's registers offer, and how it counts.

    ``code`` is what a mark stores (``Mark.status``); ``counts_as_attended`` puts the
    mark in the numerator of the attendance rate and in hours of music,
    ``counts_as_possible`` in its denominator (a child "not expected" that day is in
    neither). Seeded for every programme (``codes.DEFAULT_CODES``); a manager renames,
    re-maps, adds or retires codes. A code in use is retired, never deleted."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="attendance_codes"
    )
    code = models.SlugField(
        _("code"),
        max_length=20,
        help_text=_("Stored on each mark; lower case letters, digits and underscores."),
    )
    label = models.CharField(_("label (English)"), max_length=60)
    label_es = models.CharField(_("label (Spanish)"), max_length=60, blank=True)
    abbreviation = models.CharField(_("short form (English)"), max_length=3)
    abbreviation_es = models.CharField(_("short form (Spanish)"), max_length=3, blank=True)
    counts_as_attended = models.BooleanField(_("counts as attended"), default=False)
    counts_as_possible = models.BooleanField(
        _("counts as a possible attendance"),
        default=True,
        help_text=_("Untick for a code that takes the session out of the child's rate."),
    )
    requires_reason = models.BooleanField(_("needs a reason"), default=False)
    asks_minutes = models.BooleanField(_("asks how many minutes late"), default=False)
    tap_order = models.PositiveSmallIntegerField(
        _("place in the one-tap cycle"),
        null=True,
        blank=True,
        help_text=_("Tapping a name steps through these codes in order; others are under ⋯."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("offered on registers"), default=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["programme", "order", "code"]
        verbose_name = _("attendance code")
        verbose_name_plural = _("attendance codes")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="unique_attendance_code")
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "en").startswith("es") and self.label_es:
            return self.label_es
        return self.label

    @property
    def display_abbreviation(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "en").startswith("es") and self.abbreviation_es:
            return self.abbreviation_es
        return self.abbreviation


class AbsenceReason(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    MEDICAL = "medical", _("Medical appointment")
    FAMILY = "family", _("Family reasons")
    SCHOOL = "school", _("School trip or event")
    RELIGIOUS = "religious", _("Religious observance")
    OTHER = "other", _("Other")


class Mark(models.Model):
    """A child's attendance at one occurrence: at most one, ever (upserted)."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="marks")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="marks")
    # The programme's AttendanceCode.code. ``choices`` only names the default codes for
    # display: nothing validates marks against it (the register checks the programme's).
    status = models.CharField(_("status"), max_length=20, choices=MarkStatus.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=AbsenceReason.choices, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    late_minutes = models.PositiveSmallIntegerField(_("minutes late"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"))  # on the device: decides conflicts
    recorded_at = models.DateTimeField(_("received"))  # on the server
    client_key = models.CharField(max_length=64, blank=True)  # the submission that wrote it
    # Filled by the register's default when Save was pressed, not by anyone's tap: any
    # mark a person makes replaces it, whatever the clocks say (see register.py).
    by_default = models.BooleanField(_("filled by the default"), default=False)

    objects = ScopedManager()

    class Meta:
        ordering = ["occurrence", "child"]
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "child"], name="one_mark_per_child"),
        ]
        indexes = [models.Index(fields=["child", "occurrence"])]

    def __str__(self) -> str:
        return f"{self.child_id}@{self.occurrence_id}: {self.status}"


class MarkChange(models.Model):
    """History of a register: each correction, and each offline edit that lost a conflict."""

    class Kind(models.TextChoices):
        CORRECTED = "corrected", _("Changed")
        CONFLICT_LOST = "conflict_lost", _("Not applied: a later mark exists")

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="changes")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    old_status = models.CharField(max_length=20, choices=MarkStatus.choices, blank=True)
    new_status = models.CharField(max_length=20, choices=MarkStatus.choices)
    old_note = models.CharField(max_length=255, blank=True)
    new_note = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=20, choices=AbsenceReason.choices, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    device_marked_at = models.DateTimeField()
    changed_at = models.DateTimeField()
    submission_key = models.CharField(max_length=64, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("register change")
        verbose_name_plural = _("register changes")

    def __str__(self) -> str:
        return f"{self.child_id}@{self.occurrence_id}: {self.old_status} → {self.new_status}"


class Submission(models.Model):
    """One register submission, stored under its device-made idempotency key."""

    key = models.CharField(max_length=64, unique=True)
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="submissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    received_at = models.DateTimeField()
    result = models.JSONField(default=dict)

    objects = ScopedManager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("register submission")
        verbose_name_plural = _("register submissions")

    def __str__(self) -> str:
        return self.key


class CalendarToken(models.Model):
    """The secret in a person's own calendar feed address (tutors' timetables)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=40, unique=True, default=new_token)
    created = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed token")

    def __str__(self) -> str:
        return str(self.user)


class EnsembleLeadQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class EnsembleLead(models.Model):
    """An explicit grant: ``user`` leads a joint ensemble for the children of ``centre``.

    In a shared ensemble each adult sees and marks only the children of centres
    where they hold a role (``harmonia.access.ensemble_children``). A lead tutor who
    must take the whole register is granted each other centre's children here, by
    someone who may share that centre's children (its manager). Revoking keeps the
    row, so the ensemble page shows who held it and when."""

    ensemble = models.ForeignKey(Ensemble, on_delete=models.CASCADE, related_name="leads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ensemble_leads",
        verbose_name=_("lead tutor"),
    )
    centre = models.ForeignKey(
        "programmes.Centre",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("children of"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField()
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = models.Manager.from_queryset(EnsembleLeadQuerySet)()

    class Meta:
        ordering = ["ensemble", "-granted_at", "-id"]
        verbose_name = _("joint ensemble lead")
        verbose_name_plural = _("joint ensemble leads")
        constraints = [
            models.UniqueConstraint(
                fields=["ensemble", "user", "centre"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_lead_grant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.ensemble} — {self.centre}"
