"""Named writes for programme structure. Each validates, writes and audits in
one transaction; views call these and nothing else to change data."""

from django.db import transaction

from harmonia import audit
from harmonia.accounts.models import Membership, User


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
def grant_role(*, programme, email: str, full_name: str, role: str, centre, by) -> Membership:
    """Give ``email`` a role, creating the account (with no usable password) if new.
    Granting a role someone already holds changes nothing."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name.strip())
    membership, created = Membership.objects.get_or_create(
        user=user,
        role=role,
        programme=None if centre else programme,
        centre=centre,
    )
    if created:
        audit.record(
            actor=by,
            action="role granted",
            obj=membership,
            programme=programme,
            changes={"user": email, "role": role, "centre": str(centre) if centre else None},
        )
    return membership


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
