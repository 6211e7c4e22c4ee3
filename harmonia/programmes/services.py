"""Named writes for programme structure. Each validates, writes and audits in
one transaction; views call these and nothing else to change data."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonia import access, audit
from harmonia.accounts.models import Membership, User
from harmonia.programmes.models import RoleRequest


def _changes(form) -> dict:
    changed = {}
    for name in form.changed_data:
        value = form.cleaned_data.get(name)
        if hasattr(value, "all") or isinstance(value, list | tuple):
            value = [str(v) for v in value]
        elif value is not None and not isinstance(value, bool | int):
            value = str(value)
        changed[name] = value
    return changed


@transaction.atomic
def save_structure(form, *, by):
    """Save a validated programme-structure form and record what changed."""
    creating = form.instance.pk is None
    obj = form.save()
    audit.record(
        actor=by,
        action="created" if creating else "updated",
        obj=obj,
        programme=obj.programme,
        changes=_changes(form),
    )
    return obj


@transaction.atomic
def remove_partner_school(school, *, by) -> None:
    audit.record(actor=by, action="deleted", obj=school, programme=school.centre.programme)
    school.delete()


@transaction.atomic
def grant_role(*, programme, email: str, full_name: str, role: str, centre, by):
    """Give ``email`` a role, creating the account (with no usable password) if new.
    Granting a role someone already holds changes nothing.

    A role that opens children's records is not given at once: it becomes a pending
    :class:`RoleRequest` that another person approves (``approve_role_request``), and
    the centre's managers and the data protection contact are told. Returns the
    membership, or the request."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name.strip())
    if centre is not None and access.role_opens_children(role):
        existing = Membership.objects.filter(user=user, role=role, centre=centre).first()
        if existing is not None:
            return existing
        return _request_role(programme=programme, user=user, role=role, centre=centre, by=by)
    return _grant(programme=programme, user=user, role=role, centre=centre, by=by)


def _grant(*, programme, user, role, centre, by, approved_by=None) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user,
        role=role,
        programme=None if centre else programme,
        centre=centre,
    )
    if created:
        changes = {"user": user.email, "role": role, "centre": str(centre) if centre else None}
        if approved_by is not None:
            changes["approved_by"] = approved_by.email
        audit.record(
            actor=by, action="role granted", obj=membership, programme=programme, changes=changes
        )
    return membership


def _request_role(*, programme, user, role, centre, by) -> RoleRequest:
    pending = RoleRequest.objects.filter(
        user=user, role=role, centre=centre, status=RoleRequest.Status.PENDING
    ).first()
    if pending is not None:
        return pending
    request = RoleRequest.objects.create(
        programme=programme,
        user=user,
        role=role,
        centre=centre,
        requested_by=by,
        requested_at=timezone.now(),
    )
    audit.record(
        actor=by,
        action="role requested",
        obj=request,
        programme=programme,
        changes={
            "user": user.email,
            "role": role,
            "centre": str(centre),
            "self": user.pk == getattr(by, "pk", None),
        },
    )
    _tell(request, _("Approval needed: %(role)s access to %(centre)s for %(person)s"))
    return request


def _tell(request: RoleRequest, subject: str) -> None:
    """Email the centre's managers and the programme's data protection contact."""
    to = access.people_to_tell_of_role(request.centre)
    if request.programme.dpo_email:
        to.append(request.programme.dpo_email)
    to = sorted(set(to))
    if not to:
        return
    words = {
        "role": request.get_role_display(),
        "centre": request.centre.name,
        "person": f"{request.user.full_name} <{request.user.email}>",
        "by": str(request.requested_by or "—"),
        "status": request.get_status_display(),
        "decided_by": str(request.decided_by or "—"),
    }
    path = reverse("programmes:role_request", args=[request.programme_id, request.pk])
    body = _(
        "%(by)s asked for %(person)s to become %(role)s at %(centre)s. This role opens the "
        "centre's children's records, so a second person must approve it: the centre's "
        "manager or another programme lead.\n\nStatus: %(status)s (decided by "
        "%(decided_by)s).\n\nReview it in Harmonia: %(path)s"
    ) % {**words, "path": path}
    send_mail(subject % words, body, settings.DEFAULT_FROM_EMAIL, to)


def _decide(request: RoleRequest, status, action: str, *, by) -> None:
    """Record a decision on a pending request and audit it."""
    request.status, request.decided_by, request.decided_at = status, by, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=by,
        action=action,
        obj=request,
        programme=request.programme,
        changes={"user": request.user.email, "role": request.role, "centre": str(request.centre)},
    )


@transaction.atomic
def approve_role_request(request: RoleRequest, *, by) -> Membership:
    """A second person approves: the role is given, and everyone told is told again."""
    request = RoleRequest.objects.select_for_update().get(pk=request.pk)
    if not request.pending:
        raise PermissionDenied(_("This request was already decided."))
    if not access.may_approve_role(by, request):
        raise PermissionDenied(_("Someone other than the requester must approve this."))
    _decide(request, RoleRequest.Status.APPROVED, "role request approved", by=by)
    membership = _grant(
        programme=request.programme,
        user=request.user,
        role=request.role,
        centre=request.centre,
        by=request.requested_by,
        approved_by=by,
    )
    _tell(request, _("Approved: %(role)s access to %(centre)s for %(person)s"))
    return membership


@transaction.atomic
def decline_role_request(request: RoleRequest, *, by) -> RoleRequest:
    """The approver (or the requester, withdrawing it) declines: nothing is given."""
    request = RoleRequest.objects.select_for_update().get(pk=request.pk)
    if not request.pending:
        raise PermissionDenied(_("This request was already decided."))
    if by.pk != request.requested_by_id and not access.may_approve_role(by, request):
        raise PermissionDenied
    _decide(request, RoleRequest.Status.DECLINED, "role request declined", by=by)
    _tell(request, _("Declined: %(role)s access to %(centre)s for %(person)s"))
    return request


@transaction.atomic
def revoke_role(membership: Membership, *, programme, by) -> None:
    audit.record(
        actor=by,
        action="role revoked",
        obj=membership,
        programme=programme,
        changes={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()
