"""People who sign in, and the roles they hold.

A user signs in with an email address. What they may see and do comes only
from their memberships: a role in a programme or in a centre (see
``harmonia.access`` for what each role may do).
"""

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Titles people put before their name, in English and Spanish (compared lower-case,
# without a trailing full stop): never taken as a first name.
TITLES = frozenset(
    {"dr", "dra", "prof", "professor", "mr", "mrs", "ms", "miss", "mx", "sir", "dame"}
    | {"rev", "revd", "fr", "sr", "sra", "srta", "lic", "licda", "ing", "abg", "arq"}
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, email):
        """Sign-in ignores the case of the email address."""
        return self.get(email__iexact=email.strip())

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        blank=True,
        choices=[("en", "English"), ("es", "Español")],
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]
    objects = UserManager()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        """The first name, for greetings: a leading title ("Dr", "Mrs", "Dra.") is not a
        first name. A name that is only a title is kept as written."""
        words = self.full_name.split()
        if not words:
            return self.email
        named = [w for w in words if w.rstrip(".").lower() not in TITLES]
        return (named or words)[0]


class Role(models.TextChoices):
    """Roles are data. Programme roles span every centre of one programme."""

    PROGRAMME_LEAD = "programme_lead", _("Programme lead")
    FUNDER_VIEWER = "funder_viewer", _("Funder viewer")
    EVALUATOR = "evaluator", _("Evaluator")
    CENTRE_MANAGER = "centre_manager", _("Centre manager")
    TUTOR = "tutor", _("Tutor")
    SAFEGUARDING_LEAD = "safeguarding_lead", _("Safeguarding lead")


PROGRAMME_ROLES = frozenset({Role.PROGRAMME_LEAD, Role.FUNDER_VIEWER, Role.EVALUATOR})
CENTRE_ROLES = frozenset({Role.CENTRE_MANAGER, Role.TUTOR, Role.SAFEGUARDING_LEAD})


class Membership(models.Model):
    """One role for one user in one programme, or in one centre."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
        verbose_name=_("programme"),
    )
    centre = models.ForeignKey(
        "programmes.Centre",
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
        verbose_name=_("centre"),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(
                        role__in=sorted(r.value for r in PROGRAMME_ROLES),
                        programme__isnull=False,
                        centre__isnull=True,
                    )
                    | Q(
                        role__in=sorted(r.value for r in CENTRE_ROLES),
                        programme__isnull=True,
                        centre__isnull=False,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "programme"],
                condition=Q(centre__isnull=True),
                name="one_programme_role_per_user",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "centre"],
                condition=Q(programme__isnull=True),
                name="one_centre_role_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.scope}"

    @property
    def scope(self):
        return self.centre or self.programme

    @property
    def is_programme_role(self) -> bool:
        return self.role in PROGRAMME_ROLES
