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

from contextlib import contextmanager
from contextvars import ContextVar
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
    # The whole record: UPN, exact date of birth, every guardian's contact details,
    # consent and enrolment history. A tutor works from the session view instead.
    VIEW_CHILD_RECORD = "view_child_record"
    MANAGE_CHILDREN = "manage_children"  # enrol, guardians, consents, imports
    VIEW_SAFETY_NOTES = "view_safety_notes"  # allergies and medical notes needed for safety
    VIEW_SPECIAL_CATEGORY = "view_special_category"  # ethnicity, FSM, SEN, looked-after
    TAKE_REGISTER = "take_register"
    VIEW_CONCERNS = "view_concerns"  # the safeguarding concern log
    # Record a safeguarding concern about a child (every adult who works at a centre:
    # KCSIE part 1). The person sees only what they recorded; the log is VIEW_CONCERNS.
    RAISE_CONCERN = "raise_concern"
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
            C.VIEW_CHILD_RECORD,
            C.MANAGE_CHILDREN,
            C.VIEW_SAFETY_NOTES,
            C.VIEW_SPECIAL_CATEGORY,
            C.TAKE_REGISTER,
            C.RAISE_CONCERN,
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
            C.RAISE_CONCERN,
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
            C.VIEW_CHILD_RECORD,
            C.VIEW_SAFETY_NOTES,
            C.VIEW_SPECIAL_CATEGORY,
            C.VIEW_CONCERNS,
            C.RAISE_CONCERN,
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
        return _mark(queryset.none(), "policy")
    condition = _condition(user, rule, need or rule.view)
    if condition is None:
        return _mark(queryset.none(), "policy")
    if rule.distinct:
        model = queryset.model
        scoped = queryset.filter(pk__in=model._base_manager.filter(condition).values("pk"))
        return _mark(scoped, "policy")
    return _mark(queryset.filter(condition), "policy")


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
    # Role requests are in the programme's world; who may decide is may_approve_role().
    register(p.RoleRequest, Rule(C.VIEW_PROGRAMME, "programme__centres", "programme", True))


# Shared (joint) ensembles ----------------------------------------------------
#
# An ensemble may bring together children of several centres. Belonging to one
# member centre opens the ensemble (its page, timetable, register), but not the
# other centres' children: each adult sees and marks only the children of centres
# where they hold the capability. A lead tutor who takes the whole register is
# granted another centre's children explicitly (``ensembles.EnsembleLead``), by
# someone who may share that centre's children (``may_grant_ensemble_lead``); the
# grant opens only what taking a register needs, and only in that ensemble.

ENSEMBLE_LEAD_CAPABILITIES: frozenset[Capability] = frozenset(
    {C.VIEW_CHILDREN, C.VIEW_SAFETY_NOTES, C.TAKE_REGISTER}
)


def centres_with(user, need: Capability):
    """A sub-query of the ids of the centres where ``user`` holds ``need``."""
    from harmonia.programmes.models import Centre

    roles = roles_with(need)
    centre_roles = [r.value for r in CENTRE_ROLES if r in roles]
    programme_roles = [r.value for r in PROGRAMME_ROLES if r in roles]
    return Centre.objects.filter(
        Q(pk__in=Membership.objects.filter(user=user, role__in=centre_roles).values("centre_id"))
        | Q(
            programme__in=Membership.objects.filter(user=user, role__in=programme_roles).values(
                "programme_id"
            )
        )
    ).values("pk")


def ensemble_children(user, ensemble, need: Capability, path: str = "child__centre") -> Q:
    """The condition on rows about children of ``ensemble`` (placements, marks, register
    changes: ``path`` leads to the child's centre) that ``user`` may ``need``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    condition = Q(**{f"{path}__in": centres_with(user, need)})
    if need in ENSEMBLE_LEAD_CAPABILITIES:
        from harmonia.ensembles.models import EnsembleLead

        granted = EnsembleLead.objects.active().filter(user=user, ensemble=ensemble)
        condition |= Q(**{f"{path}__in": granted.values("centre_id")})
    return condition


def in_ensemble(
    queryset: QuerySet,
    user,
    ensemble,
    need: Capability,
    path: str = "child__centre",
    *,
    centres: dict | None = None,
):
    """``queryset`` narrowed to the rows about children of ``ensemble`` that ``user``
    may ``need`` (``ensemble_children``), and marked as built through the policy.
    ``centres`` is ``ensemble_child_centres``' answer, for a page that asks several times."""
    if centres is not None:
        condition = Q(**{f"{path}__in": sorted(centres[need])})
    else:
        condition = ensemble_children(user, ensemble, need, path)
    return _mark(queryset.filter(condition), "ensemble")


def ensemble_child_centres(user, ensemble, needs) -> dict[Capability, frozenset[int]]:
    """For each capability in ``needs``: the ids of the centres whose children of
    ``ensemble`` ``user`` may ``need`` — ``ensemble_children`` evaluated once, as plain
    ids, so a page filtering several queries (the register: roster, safety notes,
    marks, history) neither rebuilds nor re-runs its sub-queries. At most two small
    queries (programme roles' centres; active lead grants), from cached memberships."""
    from harmonia.ensembles.models import EnsembleLead
    from harmonia.programmes.models import Centre

    needs = tuple(needs)
    if user is None or not user.is_authenticated or not user.is_active:
        return {need: frozenset() for need in needs}
    mine = memberships(user)
    programme_ids = {m.programme_id for m in mine if m.programme_id and m.role in PROGRAMME_ROLES}
    programme_centres: dict[int, list[int]] = {}
    if programme_ids:
        for centre_id, programme_id in Centre.objects.filter(
            programme_id__in=programme_ids
        ).values_list("pk", "programme_id"):
            programme_centres.setdefault(programme_id, []).append(centre_id)
    granted: frozenset[int] = frozenset()
    if any(need in ENSEMBLE_LEAD_CAPABILITIES for need in needs):
        granted = frozenset(
            EnsembleLead.objects.active()
            .filter(user=user, ensemble=ensemble)
            .values_list("centre_id", flat=True)
        )
    answer = {}
    for need in needs:
        roles = roles_with(need)
        ids: set[int] = set()
        for m in mine:
            if m.role not in roles:
                continue
            if m.role in CENTRE_ROLES and m.centre_id:
                ids.add(m.centre_id)
            elif m.role in PROGRAMME_ROLES and m.programme_id:
                ids.update(programme_centres.get(m.programme_id, ()))
        if need in ENSEMBLE_LEAD_CAPABILITIES:
            ids |= granted
        answer[need] = frozenset(ids)
    return answer


def capabilities_in_ensemble(
    user, ensemble, *, member_centres=None, lead: bool | None = None
) -> frozenset[Capability]:
    """What ``user`` may do somewhere in ``ensemble``: roles at any member centre, plus a
    lead grant's capabilities. Which *children* each opens is ``ensemble_children``.
    A page that has loaded the member centres, or the active grants, passes them in."""
    from harmonia.ensembles.models import EnsembleLead

    if member_centres is None:
        member_centres = list(ensemble.member_centres.all())
    if lead is None:
        lead = EnsembleLead.objects.active().filter(user=user, ensemble=ensemble).exists()
    members = {c.pk for c in member_centres}
    caps: set[Capability] = set()
    for m in memberships(user):
        if m.centre_id in members or (m.programme_id and m.programme_id == ensemble.programme_id):
            caps |= ROLE_CAPABILITIES[m.role]
    if lead:
        caps |= ENSEMBLE_LEAD_CAPABILITIES
    return frozenset(caps)


def may_grant_ensemble_lead(user, centre) -> bool:
    """Who may open a centre's children to a joint ensemble's lead: whoever may share
    them, i.e. manages that centre's children."""
    return C.MANAGE_CHILDREN in capabilities_in_centre(user, centre)


def may_lead_ensemble(user, ensemble) -> bool:
    """Who may be granted the lead of a joint ensemble: someone who takes registers at
    one of its member centres (the grant adds children, never a new workplace)."""
    return Membership.objects.filter(
        user=user,
        user__is_active=True,
        centre__in=ensemble.member_centres.all(),
        role__in=[r.value for r in CENTRE_ROLES if r in roles_with(C.TAKE_REGISTER)],
    ).exists()


# Naming children on pages about something else (loans, size-ups, audit) ------


def child_centres(user, need: Capability = C.VIEW_CHILDREN) -> frozenset[int]:
    """The ids of the centres whose children ``user`` may see by name (``need``), from
    the cached memberships; a query only for a programme role granting ``need``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    key = f"_harmonia_child_centres_{need}"
    cached = getattr(user, key, None)
    if cached is None:
        ids = {
            m.centre_id
            for m in memberships(user)
            if m.centre_id and need in ROLE_CAPABILITIES[m.role]
        }
        programmes = {
            m.programme_id
            for m in memberships(user)
            if m.programme_id and need in ROLE_CAPABILITIES[m.role]
        }
        if programmes:
            from harmonia.programmes.models import Centre

            ids |= set(Centre.objects.filter(programme__in=programmes).values_list("pk", flat=True))
        cached = frozenset(ids)
        setattr(user, key, cached)
    return cached


def may_see_child(user, child) -> bool:
    """Whether ``user`` may see ``child``'s name (no query beyond the memberships)."""
    return child is not None and child.centre_id in child_centres(user)


# Giving roles that open children's records ------------------------------------


def role_opens_children(role: str) -> bool:
    """Whether holding ``role`` opens named children's records (a second person must
    approve such a grant: ``harmonia.programmes.services.request_role``)."""
    return C.VIEW_CHILDREN in ROLE_CAPABILITIES.get(role, frozenset())


def may_approve_role(user, request) -> bool:
    """Who approves a role that opens a centre's children: a manager of that centre, or
    a programme lead — never the person who asked, nor the person it is for."""
    if not user.is_authenticated or user.pk in (request.requested_by_id, request.user_id):
        return False
    return C.MANAGE_CHILDREN in capabilities_in_centre(user, request.centre) or (
        C.MANAGE_PROGRAMME in capabilities_in_programme(user, request.programme)
    )


def people_to_tell_of_role(centre) -> list[str]:
    """The emails of the managers of ``centre`` (those who manage its children)."""
    roles = [r.value for r in CENTRE_ROLES if r in roles_with(C.MANAGE_CHILDREN)]
    return sorted(
        Membership.objects.filter(centre=centre, role__in=roles, user__is_active=True)
        .values_list("user__email", flat=True)
        .distinct()
    )


# Safeguarding concerns -------------------------------------------------------------


def centres_where(user, need: Capability) -> list:
    """The centres where ``user`` holds ``need`` through a centre role (from the cached
    memberships, no query): where a person may raise a concern, for instance."""
    found = []
    for m in memberships(user):
        if m.centre_id and need in ROLE_CAPABILITIES[m.role] and m.centre not in found:
            found.append(m.centre)
    return found


def people_to_tell_of_concern(centre) -> list[str]:
    """The emails of the designated safeguarding leads of ``centre`` (who read its
    concern log), told at once when anyone records a concern there."""
    roles = [r.value for r in CENTRE_ROLES if r in roles_with(C.VIEW_CONCERNS)]
    return sorted(
        Membership.objects.filter(centre=centre, role__in=roles, user__is_active=True)
        .values_list("user__email", flat=True)
        .distinct()
    )


def own_concerns(queryset: QuerySet, user) -> QuerySet:
    """The concerns ``user`` recorded, at centres where they may still raise one: what
    an adult who is not a safeguarding lead may see of the log (their own reports)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _mark(queryset.none(), "own")
    return _mark(
        queryset.filter(recorded_by=user, centre__in=centres_with(user, C.RAISE_CONCERN)),
        "own",
    )


def get_own_concern(user, queryset: QuerySet, pk):
    """One concern the user recorded (``own_concerns``); anyone else's is a 404 — the
    same answer as "does not exist", so the address tells nobody a concern is there."""
    obj = own_concerns(queryset, user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


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


# Scoping that cannot be forgotten -----------------------------------------------------
# While a request is handled (ScopeGuardMiddleware), a query on a people-data model
# must have been built through the policy: ``visible_to(user)``, ``scope()``,
# ``get_for()``, a related manager of a people-data object already fetched that way
# (``child.consents.all()``), or the named escape ``.unscoped(reason)``. Anything else
# raises UnscopedQuery instead of quietly returning every centre's rows. Background
# tasks and commands run outside requests and are not guarded (``background_work()``
# says so explicitly where a task runs inside a request, as in the test backend).

# Capabilities whose models hold data about identifiable people.
PEOPLE_CAPABILITIES = frozenset(
    {
        C.VIEW_CHILDREN,
        C.MANAGE_CHILDREN,
        C.VIEW_SAFETY_NOTES,
        C.VIEW_SPECIAL_CATEGORY,
        C.TAKE_REGISTER,
        C.VIEW_CONCERNS,
        C.VIEW_STAFF,
        C.MANAGE_STAFF,
    }
)
# Models whose rule is about something else but whose rows are about a person …
PEOPLE_DATA_ALSO = frozenset({"instruments.loan", "instruments.armmeasurement"})
# … and the reverse: consent form wording is programme-wide text, not personal data.
NOT_PEOPLE_DATA = frozenset({"children.consentform"})

_guarding: ContextVar[bool] = ContextVar("harmonia_scope_guard", default=False)


class UnscopedQuery(RuntimeError):
    """A people-data query skipped the access policy while handling a request."""


def is_people_data(model: type[Model]) -> bool:
    label = model._meta.label_lower
    if label in NOT_PEOPLE_DATA:
        return False
    if label in PEOPLE_DATA_ALSO:
        return True
    rule = _RULES.get(model)
    return rule is not None and rule.view in PEOPLE_CAPABILITIES


def people_data_models() -> list[type[Model]]:
    return sorted((m for m in _RULES if is_people_data(m)), key=lambda m: m._meta.label)


def guarding() -> bool:
    return _guarding.get()


@contextmanager
def guard_scope():
    """Queries on people data inside this block must come through the policy."""
    token = _guarding.set(True)
    try:
        yield
    finally:
        _guarding.reset(token)


@contextmanager
def background_work():
    """Work that is not done on behalf of the person of the current request (a task
    run inline by the test backend, a signal's bookkeeping). It sees what a worker
    sees: the task itself decides, from its job, what it may read."""
    token = _guarding.set(False)
    try:
        yield
    finally:
        _guarding.reset(token)


def _mark(queryset: QuerySet, how: str) -> QuerySet:
    queryset._harmonia_scope = how
    return queryset


def own(queryset: QuerySet, user, field: str = "user") -> QuerySet:
    """A person's own records (their staff record, their checks): always theirs to see."""
    if user is None or not user.is_authenticated:
        return _mark(queryset.none(), "own")
    return _mark(queryset.filter(**{field: user}), "own")


def _scoped_person(value) -> bool:
    """A person's record as an object (not an id): a view holds one only when it
    was fetched through the policy (``get_for``) or reached from one that was."""
    return isinstance(value, Model) and is_people_data(value._meta.model)


def scoped_people_in(values) -> str | None:
    """The model name when a filter value is a person (or people) fetched through the
    policy, or a queryset of people scoped by it; else None."""
    for value in values:
        if _scoped_person(value):
            return value._meta.label
        if isinstance(value, QuerySet):
            how = getattr(value, "_harmonia_scope", None)
            if how and not how.startswith("aggregates") and is_people_data(value.model):
                return value.model._meta.label
        elif (
            isinstance(value, (list, tuple, set, frozenset))
            and value
            and all(_scoped_person(v) for v in value)
        ):
            return next(iter(value))._meta.label
    return None


def check_scoped(queryset: QuerySet, rows: bool = False) -> None:
    """Raise UnscopedQuery when ``queryset`` is about to run unscoped in a request.
    ``rows``: the query returns rows (not a count), which an aggregate scope refuses
    unless they are grouped counts."""
    how = getattr(queryset, "_harmonia_scope", None)
    if how and how.startswith("aggregates"):
        grouped = queryset.query.group_by is not None and bool(queryset.query.annotations)
        if rows and not grouped:
            raise UnscopedQuery(
                f"{queryset.model._meta.label}.objects.for_aggregates() may only count "
                f"or group{_call_site()}; it lists no rows."
            )
        return
    if not _guarding.get() or how:
        return
    model = queryset.model
    if not is_people_data(model):
        return
    instance = queryset._hints.get("instance")
    if instance is not None and is_people_data(instance._meta.model):
        return  # reached from a person's record that was itself fetched through the policy
    site = _harmonia_frame()
    if site is not None and not _is_view_code(site[0]):
        return  # a service or computation, handed objects the view fetched through the policy
    raise UnscopedQuery(
        f"{model._meta.label} was queried without the access policy while handling a "
        f"request{_call_site()}. Build it with Model.objects.visible_to(user), access.scope() or "
        "access.get_for(), or name why it may see everything with .unscoped(reason)."
    )


_HERE = ("harmonia/access.py", "harmonia/programmes/models.py")


def _harmonia_frame() -> tuple[str, int, str] | None:
    """The innermost Harmonia frame running the query: (module path, line, function)."""
    import sys

    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename.replace("\\", "/")
        if "/harmonia/" in name and "/tests/" not in name and not name.endswith(_HERE):
            return name.rsplit("/harmonia/", 1)[1], frame.f_lineno, frame.f_code.co_name
        frame = frame.f_back
    return None


def _is_view_code(module: str) -> bool:
    """Views (and the templates they render, whose queries run inside the view's
    render call) and the navigation built for every page."""
    return (
        module.endswith("views.py")
        or "/views/" in module
        or module in {"navigation.py", "ensembles/nav.py"}
    )


def _call_site() -> str:
    site = _harmonia_frame()
    return f" (at harmonia/{site[0]}:{site[1]} in {site[2]})" if site else ""


class ScopeGuardMiddleware:
    """Turns the guard on around every view (not Django's admin, which is for
    operators with every row in front of them by design; see docs/architecture.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _guarding.set(False)
        try:
            return self.get_response(request)
        finally:
            _guarding.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is None or "admin" not in match.namespaces:
            _guarding.set(True)
        return None
