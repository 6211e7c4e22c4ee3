"""The access policy: the one module that decides what each role may see and do.

Roles are data (``accounts.Membership``); capabilities are derived from roles
here and nowhere else. Two questions are answered:

* **Scope** — ``scope(queryset, user, need)``: the rows of a registered model
  that ``user`` may see (or act on, for ``need``). Lists are built only through
  it, usually as ``Model.objects.visible_to(user)``. It adds no query of its
  own: memberships are folded in as sub-queries.
* **Object access** — ``get_for(user, queryset, pk, need)``: one object, or
  404 when the object lies outside every centre and programme the user belongs
  to, or 403 when it lies inside but their role lacks ``need``. Every view that
  shows or changes one object calls it on its first line.

See docs/permissions.md for the table of roles and capabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from harmonia.accounts.models import CENTRE_ROLES, PROGRAMME_ROLES, Membership, Role


class Capability(StrEnum):
    # Programme structure
    VIEW_PROGRAMME = "view_programme"
    MANAGE_PROGRAMME = "manage_programme"  # centres, areas, organisations, funders, people
    VIEW_CENTRE = "view_centre"
    MANAGE_CENTRE = "manage_centre"  # a centre's details and partner schools
    VIEW_STAFF = "view_staff"  # names of the adults who work at a centre
    VIEW_GRANTS = "view_grants"
    MANAGE_GRANTS = "manage_grants"
    VIEW_AUDIT = "view_audit"
    # Aggregates and evidence
    VIEW_AGGREGATES = "view_aggregates"  # dashboards and returns, small numbers suppressed
    VIEW_RESEARCH_EXTRACTS = "view_research_extracts"  # pseudonymised, consented children only
    # Children's data (used by the children, register and safeguarding features)
    VIEW_CHILDREN = "view_children"  # names, school, year group, ensembles
    MANAGE_CHILDREN = "manage_children"  # enrol, guardians, consents, imports
    VIEW_SAFETY_NOTES = "view_safety_notes"  # allergies and medical notes needed for safety
    VIEW_SPECIAL_CATEGORY = "view_special_category"  # ethnicity, FSM, SEN, looked-after
    TAKE_REGISTER = "take_register"
    VIEW_CONCERNS = "view_concerns"  # the safeguarding concern log
    # Staff, safeguarding checks and instruments (harmonia.staff, harmonia.instruments)
    MANAGE_STAFF = "manage_staff"  # staff records and their safeguarding checks
    VIEW_INSTRUMENTS = "view_instruments"  # inventory and loans of a centre
    LEND_INSTRUMENTS = "lend_instruments"  # lend, return, swap; record arm measurements
    MANAGE_INSTRUMENTS = "manage_instruments"  # add, label, repair instruments; stock


C = Capability

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.PROGRAMME_LEAD: frozenset(
        {
            C.VIEW_PROGRAMME,
            C.MANAGE_PROGRAMME,
            C.VIEW_CENTRE,
            C.MANAGE_CENTRE,
            C.VIEW_STAFF,
            C.VIEW_GRANTS,
            C.MANAGE_GRANTS,
            C.VIEW_AUDIT,
            C.VIEW_AGGREGATES,
            C.MANAGE_STAFF,
            C.VIEW_INSTRUMENTS,
            C.LEND_INSTRUMENTS,
            C.MANAGE_INSTRUMENTS,
        }
    ),
    Role.FUNDER_VIEWER: frozenset(
        {C.VIEW_PROGRAMME, C.VIEW_CENTRE, C.VIEW_GRANTS, C.VIEW_AGGREGATES}
    ),
    Role.EVALUATOR: frozenset(
        {C.VIEW_PROGRAMME, C.VIEW_CENTRE, C.VIEW_AGGREGATES, C.VIEW_RESEARCH_EXTRACTS}
    ),
    Role.CENTRE_MANAGER: frozenset(
        {
            C.VIEW_PROGRAMME,
            C.VIEW_CENTRE,
            C.MANAGE_CENTRE,
            C.VIEW_STAFF,
            C.VIEW_GRANTS,
            C.VIEW_AGGREGATES,
            C.VIEW_CHILDREN,
            C.MANAGE_CHILDREN,
            C.VIEW_SAFETY_NOTES,
            C.VIEW_SPECIAL_CATEGORY,
            C.TAKE_REGISTER,
            C.MANAGE_STAFF,
            C.VIEW_INSTRUMENTS,
            C.LEND_INSTRUMENTS,
            C.MANAGE_INSTRUMENTS,
        }
    ),
    Role.TUTOR: frozenset(
        {
            C.VIEW_PROGRAMME,
            C.VIEW_CENTRE,
            C.VIEW_CHILDREN,
            C.VIEW_SAFETY_NOTES,
            C.TAKE_REGISTER,
            C.VIEW_INSTRUMENTS,
            C.LEND_INSTRUMENTS,
        }
    ),
    Role.SAFEGUARDING_LEAD: frozenset(
        {
            C.VIEW_PROGRAMME,
            C.VIEW_CENTRE,
            C.VIEW_STAFF,
            C.VIEW_CHILDREN,
            C.VIEW_SAFETY_NOTES,
            C.VIEW_SPECIAL_CATEGORY,
            C.VIEW_CONCERNS,
            C.MANAGE_STAFF,
        }
    ),
}


def roles_with(need: Capability | None) -> frozenset[str]:
    """Every role granting ``need`` (every role at all when ``need`` is None)."""
    if need is None:
        return frozenset(ROLE_CAPABILITIES)
    return frozenset(role for role, caps in ROLE_CAPABILITIES.items() if need in caps)


@dataclass(frozen=True)
class Rule:
    """Where a model's rows sit: the lookup path to their centre, and to their
    programme. A programme-level object gives ``programme__centres`` as its centre
    path, so that a centre role anywhere in the programme counts as belonging."""

    view: Capability
    centre: str | None
    programme: str | None
    distinct: bool = False  # the paths cross a to-many relation


_RULES: dict[type[Model], Rule] = {}


def register(model: type[Model], rule: Rule) -> None:
    _RULES[model] = rule


def rule_for(model: type[Model]) -> Rule:
    try:
        return _RULES[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no access rule; call access.register()") from None


def _condition(user, rule: Rule, need: Capability | None) -> Q | None:
    roles = roles_with(need)
    condition = Q()
    centre_roles = [r.value for r in CENTRE_ROLES if r in roles]
    programme_roles = [r.value for r in PROGRAMME_ROLES if r in roles]
    if rule.centre and centre_roles:
        centres = Membership.objects.filter(user=user, role__in=centre_roles).values("centre_id")
        condition |= Q(**{f"{rule.centre}__in": centres})
    if rule.programme and programme_roles:
        programmes = Membership.objects.filter(user=user, role__in=programme_roles).values(
            "programme_id"
        )
        condition |= Q(**{f"{rule.programme}__in": programmes})
    return condition or None


def scope(queryset: QuerySet, user, need: Capability | None = None) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may see (or act on, for ``need``)."""
    rule = rule_for(queryset.model)
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    condition = _condition(user, rule, need or rule.view)
    if condition is None:
        return queryset.none()
    if rule.distinct:
        model = queryset.model
        return queryset.filter(pk__in=model._base_manager.filter(condition).values("pk"))
    return queryset.filter(condition)


def get_for(user, queryset: QuerySet, pk, need: Capability | None = None):
    """One object for a view: 404 outside the user's world, 403 for too low a role."""
    rule = rule_for(queryset.model)
    need = need or rule.view
    obj = scope(queryset, user, need).filter(pk=pk).first()
    if obj is not None:
        return obj
    # Not visible with ``need``: is it in the user's world at all (any role)?
    belongs = _condition(user, rule, None) if user.is_authenticated else None
    if belongs is not None and queryset.model._base_manager.filter(belongs, pk=pk).exists():
        raise PermissionDenied
    raise Http404


def can(user, need: Capability, obj: Model) -> bool:
    """Whether ``user`` holds ``need`` over ``obj`` (one query)."""
    manager = type(obj)._base_manager
    return scope(manager.filter(pk=obj.pk), user, need).exists()


def require(user, need: Capability, obj: Model) -> None:
    if not can(user, need, obj):
        raise PermissionDenied


def memberships(user) -> list[Membership]:
    """The user's memberships, loaded once per request and cached on the user."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_harmonia_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user)
            .select_related("programme", "centre", "centre__programme")
            .order_by("programme__name", "centre__name", "role")
        )
        user._harmonia_memberships = cached
    return cached


def capabilities_in_programme(user, programme) -> frozenset[Capability]:
    """What ``user`` may do anywhere in ``programme``, from cached memberships."""
    caps: set[Capability] = set()
    for m in memberships(user):
        if m.programme_id == programme.pk:
            caps |= ROLE_CAPABILITIES[m.role]
    return frozenset(caps)


def capabilities_in_centre(user, centre) -> frozenset[Capability]:
    """What ``user`` may do in ``centre``: its own roles plus programme-wide ones."""
    caps: set[Capability] = set()
    for m in memberships(user):
        if m.centre_id == centre.pk or (m.programme_id and m.programme_id == centre.programme_id):
            caps |= ROLE_CAPABILITIES[m.role]
    return frozenset(caps)


def _register_structure() -> None:
    from harmonia.programmes import models as p

    register(p.Programme, Rule(C.VIEW_PROGRAMME, "centres", "pk", distinct=True))
    register(p.Centre, Rule(C.VIEW_CENTRE, "pk", "programme"))
    register(p.PartnerSchool, Rule(C.VIEW_CENTRE, "centre", "centre__programme"))
    for model in (p.Area, p.LeadOrganisation, p.Funder):
        register(model, Rule(C.MANAGE_PROGRAMME, "programme__centres", "programme", True))
    # A grant to named centres is seen at those centres; every grant, programme-wide.
    register(p.Grant, Rule(C.VIEW_GRANTS, "centres", "programme", distinct=True))


# Named predicates ------------------------------------------------------------------
# Questions other modules ask about roles. They are answered here, from
# ROLE_CAPABILITIES, so no other module names a role (tests/test_role_literals.py).


def role_choices() -> list[tuple[str, str]]:
    """The roles a person can be given, for forms."""
    return list(Role.choices)


def is_centre_role(role: str) -> bool:
    """Whether ``role`` is held in one centre (not programme-wide)."""
    return role in CENTRE_ROLES


def is_programme_role(role: str) -> bool:
    """Whether ``role`` is held across a whole programme."""
    return role in PROGRAMME_ROLES


def capabilities_of(membership: Membership) -> frozenset[Capability]:
    return ROLE_CAPABILITIES[membership.role]


def holds_anywhere(user, need: Capability) -> bool:
    """Whether any of the user's memberships grants ``need`` (cached memberships)."""
    return any(need in ROLE_CAPABILITIES[m.role] for m in memberships(user))


def capabilities_by_programme(user) -> dict[int, tuple]:
    """``{programme pk: (programme, capabilities)}`` over every membership of the user,
    centre roles counting towards their centre's programme (for navigation)."""
    found: dict[int, tuple] = {}
    for m in memberships(user):
        programme = m.programme or m.centre.programme
        found.setdefault(programme.pk, (programme, set()))[1].update(ROLE_CAPABILITIES[m.role])
    return found


def programme_wide_capabilities(user, programme) -> frozenset[Capability]:
    """Capabilities from programme-wide roles only (a centre role anywhere in the
    programme does not count): what opens programme-wide lists such as the central
    record."""
    caps: set[Capability] = set()
    for m in memberships(user):
        if m.programme_id == programme.pk:
            caps |= ROLE_CAPABILITIES[m.role]
    return frozenset(caps)


def memberships_with(need: Capability, *, centres=None, programmes=None) -> QuerySet:
    """Memberships granting ``need``: centre roles at ``centres``, or programme roles
    in ``programmes`` (for alerts and notifications)."""
    roles = roles_with(need)
    if centres is not None:
        return Membership.objects.filter(
            role__in=[r.value for r in CENTRE_ROLES if r in roles], centre__in=centres
        )
    return Membership.objects.filter(
        role__in=[r.value for r in PROGRAMME_ROLES if r in roles], programme__in=programmes
    )


def people_who_take_registers_at(centres) -> QuerySet:
    """Active people holding a centre role that takes registers at any of ``centres``
    (who may be listed as a session's tutor)."""
    from harmonia.accounts.models import User

    roles = [r.value for r in CENTRE_ROLES if C.TAKE_REGISTER in ROLE_CAPABILITIES[r]]
    return User.objects.filter(
        memberships__centre__in=centres, memberships__role__in=roles, is_active=True
    ).distinct()


def is_own_programme_management(user, membership: Membership) -> bool:
    """Whether removing ``membership`` would take away the user's own right to manage
    the programme (nobody removes their own programme lead role by accident)."""
    return membership.user_id == user.pk and C.MANAGE_PROGRAMME in ROLE_CAPABILITIES.get(
        membership.role, frozenset()
    )


def sees_programme_aggregates(user, programme) -> bool:
    """Dashboards and returns of the whole programme."""
    return C.VIEW_AGGREGATES in capabilities_in_programme(user, programme)


def sees_grant_report(user, grant, centres: list) -> bool:
    """A grant's report: aggregates programme-wide, or at every centre it names."""
    if sees_programme_aggregates(user, grant.programme):
        return True
    return bool(centres) and all(
        C.VIEW_AGGREGATES in capabilities_in_centre(user, c) for c in centres
    )


def sees_small_numbers(user, programme, centres: list | None = None) -> bool:
    """Whether small numbers may be shown unsuppressed: to the person who runs the
    programme, or who sees the children of every centre in the release."""
    if C.MANAGE_PROGRAMME in capabilities_in_programme(user, programme):
        return True
    return bool(centres) and all(
        C.VIEW_CHILDREN in capabilities_in_centre(user, c) for c in centres
    )


def may_download_export(user, job) -> bool:
    """Checked again at download time: the owner must still see the export's scope
    (the programme's aggregates, or the grant's report) and, for an export made with
    small numbers shown, still have the right to see them."""
    if job.owner_id != user.pk:
        return False
    if job.grant_id:
        centres = list(job.grant.centres.all())
        if not sees_grant_report(user, job.grant, centres):
            return False
    else:
        centres = None
        if not sees_programme_aggregates(user, job.programme):
            return False
    return job.suppressed or sees_small_numbers(user, job.programme, centres)


def get_export_for(user, queryset: QuerySet, pk):
    """One export job of the user's own, through the policy. Anyone else's is a 404
    whatever their role; the owner's once they no longer belong to its programme (or
    the grant's centres) is a 404; inside, without the right to its numbers, a 403."""
    from harmonia.programmes.models import Grant, Programme

    job = queryset.filter(owner=user, pk=pk).select_related("programme", "grant").first()
    if job is None:
        raise Http404
    if job.grant_id:
        get_for(user, Grant.objects.all(), job.grant_id, C.VIEW_GRANTS)
    else:
        get_for(user, Programme.objects.all(), job.programme_id, C.VIEW_PROGRAMME)
    if not may_download_export(user, job):
        raise PermissionDenied
    return job
