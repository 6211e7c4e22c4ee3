"""Named writes (and the consent question other features ask) for children and
families. Each write validates, writes and audits in one transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonia import audit
from harmonia.children.models import (
    Child,
    ChildAccessLog,
    ChildGuardian,
    ChildSafetyNotes,
    ChildSensitive,
    ConsentForm,
    ConsentRecord,
    EnrolmentPeriod,
    FsmPeriod,
    Guardian,
    Status,
    WaitingListOffer,
)
from harmonia.children.phones import e164_or_blank


def _programme(child: Child):
    return child.centre.programme


# --- duplicates -----------------------------------------------------------------


def possible_duplicate_children(centre, *, first_name, last_name, date_of_birth, upn=""):
    """Children already held at ``centre`` who may be the same child."""
    same = Q(
        first_name__iexact=first_name.strip(),
        last_name__iexact=last_name.strip(),
        date_of_birth=date_of_birth,
    )
    if upn:
        same |= Q(upn=upn.strip().upper())
    return Child.objects.filter(same, centre=centre, anonymised_at__isnull=True)


def possible_duplicate_guardians(centre, *, email="", phone=""):
    """Guardians at ``centre`` with this email or this phone number (compared in
    E.164): candidates a person confirms or rejects, never joined automatically."""
    condition = Q()
    if email:
        condition |= Q(email__iexact=email.strip())
    number = e164_or_blank(phone, centre.programme.country)
    if number:
        condition |= Q(phone_e164=number) | Q(alternative_phone_e164=number)
    if not condition:
        return Guardian.objects.none()
    return Guardian.objects.filter(condition, centre=centre, anonymised_at__isnull=True)


def _address_key(address: str) -> str:
    return "".join(ch for ch in (address or "").lower() if ch.isalnum())


@dataclass
class GuardianMatch:
    """What is known of a contact against the guardians already held.

    ``same`` is a guardian proven to be this person by strong evidence: the same
    email, or the same name *and* phone *and* address. ``possible`` are guardians
    who share only weaker evidence (a phone number, or a name): a school office, a
    foster agency or a family landline shares a phone, so a person must confirm.
    """

    same: Guardian | None = None
    reason: str = ""
    possible: list[Guardian] = field(default_factory=list)


def match_guardian(centre, *, first_name="", last_name="", email="", phone="", address=""):
    """Strong and weak matches of one contact at ``centre`` (one query)."""
    number = e164_or_blank(phone, centre.programme.country)
    name = Q(first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip())
    condition = Q()
    if email.strip():
        condition |= Q(email__iexact=email.strip())
    if number:
        condition |= Q(phone_e164=number) | Q(alternative_phone_e164=number)
    if first_name.strip() and last_name.strip():
        condition |= name
    if not condition:
        return GuardianMatch()
    found = GuardianMatch()
    for g in Guardian.objects.filter(condition, centre=centre, anonymised_at__isnull=True):
        same_name = (g.first_name.lower(), g.last_name.lower()) == (
            first_name.strip().lower(),
            last_name.strip().lower(),
        )
        same_phone = bool(number) and number in {g.phone_e164, g.alternative_phone_e164}
        same_address = bool(_address_key(address)) and _address_key(g.address) == _address_key(
            address
        )
        if email.strip() and g.email.lower() == email.strip().lower():
            if found.same is None:
                found.same, found.reason = g, _("email")
        elif same_name and same_phone and same_address:
            if found.same is None:
                found.same, found.reason = g, _("name, phone and address")
        else:
            found.possible.append(g)
    if found.same is not None:
        found.possible = [g for g in found.possible if g.pk != found.same.pk]
    return found


# --- enrolment ------------------------------------------------------------------


@transaction.atomic
def enrol_child(child: Child, *, status: str, on: datetime.date, by) -> Child:
    """Create a child record with its first enrolment period (waiting list or active)."""
    if status not in (Status.WAITING, Status.ACTIVE):
        raise ValidationError(_("A new child starts on the waiting list or active."))
    child.status = status
    if status == Status.WAITING and not child.waiting_since:
        child.waiting_since = on
    child.full_clean()
    child.save()
    EnrolmentPeriod.objects.create(child=child, status=status, start=on, recorded_by=by)
    audit.record(
        actor=by,
        action="child enrolled",
        obj=child,
        programme=_programme(child),
        changes={"status": status, "from": on.isoformat()},
    )
    return child


@transaction.atomic
def change_status(
    child: Child, *, status: str, on: datetime.date, by, reason: str = "", note: str = ""
) -> EnrolmentPeriod:
    """Close the open period on ``on`` and open a new one with ``status``."""
    if status == Status.LEFT and not reason:
        raise ValidationError({"leaving_reason": _("Give a reason for leaving.")})
    current = (
        EnrolmentPeriod.objects.select_for_update().filter(child=child, end__isnull=True).first()
    )
    if current is not None:
        if current.status == status:
            raise ValidationError(_("The child already has this status."))
        if on < current.start:
            raise ValidationError(
                {"on": _("The change cannot be dated before the current status began.")}
            )
        if on == current.start:
            # A same-day correction replaces the status that began today.
            current.delete()
        else:
            current.end = on
            current.save(update_fields=["end"])
    period = EnrolmentPeriod.objects.create(
        child=child,
        status=status,
        start=on,
        leaving_reason=reason if status == Status.LEFT else "",
        note=note,
        recorded_by=by,
    )
    child.status = status
    if status == Status.WAITING and not child.waiting_since:
        child.waiting_since = on
    child.save(update_fields=["status", "waiting_since", "updated"])
    audit.record(
        actor=by,
        action="status changed",
        obj=child,
        programme=_programme(child),
        changes={"status": status, "from": on.isoformat(), "reason": reason},
    )
    return period


def waiting_list(centre):
    """The centre's waiting list in order (position = index + 1)."""
    return Child.objects.filter(centre=centre, status=Status.WAITING).order_by(
        "waiting_since", "created", "id"
    )


@transaction.atomic
def offer_place(child: Child, *, on: datetime.date, respond_by, by) -> WaitingListOffer:
    if child.status != Status.WAITING:
        raise ValidationError(_("Only a child on the waiting list can be offered a place."))
    offer = WaitingListOffer.objects.create(
        child=child, offered_on=on, respond_by=respond_by, offered_by=by
    )
    audit.record(actor=by, action="place offered", obj=child, programme=_programme(child))
    return offer


@transaction.atomic
def settle_offer(offer: WaitingListOffer, *, outcome: str, on: datetime.date, by):
    """Accepting makes the child active; declining takes them off the list."""
    offer.outcome = outcome
    offer.decided_on = on
    offer.save(update_fields=["outcome", "decided_on"])
    if outcome == WaitingListOffer.Outcome.ACCEPTED:
        change_status(offer.child, status=Status.ACTIVE, on=on, by=by)
    elif outcome == WaitingListOffer.Outcome.DECLINED:
        change_status(offer.child, status=Status.LEFT, on=on, by=by, reason="declined_offer")
    audit.record(
        actor=by,
        action="offer settled",
        obj=offer.child,
        programme=_programme(offer.child),
        changes={"outcome": outcome},
    )
    return offer


# --- guardians ------------------------------------------------------------------


@transaction.atomic
def link_guardian(child: Child, guardian: Guardian, *, by, **link) -> ChildGuardian:
    """Link an existing or new guardian to a child (siblings share one guardian)."""
    if guardian.pk is None:
        guardian.centre = child.centre
        guardian.full_clean()
        guardian.save()
    elif guardian.centre_id != child.centre_id:
        raise ValidationError(_("This guardian belongs to another centre."))
    link_obj, created = ChildGuardian.objects.update_or_create(
        child=child, guardian=guardian, defaults=link
    )
    audit.record(
        actor=by,
        action="guardian linked" if created else "guardian link updated",
        obj=child,
        programme=_programme(child),
        changes={"guardian": str(guardian), **{k: str(v) for k, v in link.items()}},
    )
    return link_obj


@transaction.atomic
def update_guardian(link: ChildGuardian, guardian_form, link_form, *, by) -> ChildGuardian:
    """Save a guardian's contact details (shared by every child they are linked to)
    and how they relate to this child; record what changed."""
    changes = {
        name: str(guardian_form.cleaned_data.get(name)) for name in guardian_form.changed_data
    }
    changes.update(
        {f"link.{name}": str(link_form.cleaned_data.get(name)) for name in link_form.changed_data}
    )
    guardian_form.save()
    link = link_form.save()
    if changes:
        audit.record(
            actor=by,
            action="guardian updated",
            obj=link.child,
            programme=_programme(link.child),
            changes=changes,
        )
    return link


# --- consent --------------------------------------------------------------------


@transaction.atomic
def publish_consent_form(
    *, programme, kind: str, title: str, wording: str, by, requires_reconsent=True, at=None
) -> ConsentForm:
    """A new version of a consent form; earlier versions are kept unchanged."""
    latest = ConsentForm.objects.filter(programme=programme, kind=kind).aggregate(v=Max("version"))
    form = ConsentForm.objects.create(
        programme=programme,
        kind=kind,
        version=(latest["v"] or 0) + 1,
        title=title,
        wording=wording,
        published_at=at or timezone.now(),
        requires_reconsent=requires_reconsent,
        created_by=by,
    )
    audit.record(
        actor=by,
        action="consent form published",
        obj=form,
        programme=programme,
        changes={"kind": kind, "version": form.version},
    )
    return form


def current_forms(programme, at=None) -> dict[str, ConsentForm]:
    """The version of each kind in force at ``at`` (now by default)."""
    at = at or timezone.now()
    forms: dict[str, ConsentForm] = {}
    for form in ConsentForm.objects.filter(programme=programme, published_at__lte=at).order_by(
        "kind", "-version"
    ):
        forms.setdefault(form.kind, form)
    return forms


@transaction.atomic
def record_consent(
    child: Child, *, form: ConsentForm, decision: str, guardian, method: str, at=None, by
) -> ConsentRecord:
    if form.programme_id != child.centre.programme_id:
        raise ValidationError(_("This form belongs to another programme."))
    if guardian is not None and not child.guardian_links.filter(guardian=guardian).exists():
        raise ValidationError({"guardian": _("Choose one of this child's guardians.")})
    record = ConsentRecord.objects.create(
        child=child,
        form=form,
        decision=decision,
        guardian=guardian,
        method=method,
        decided_at=at or timezone.now(),
        recorded_by=by,
    )
    audit.record(
        actor=by,
        action=f"consent {decision}",
        obj=child,
        programme=_programme(child),
        changes={"form": str(form), "method": method, "guardian": str(guardian or "")},
    )
    return record


@transaction.atomic
def withdraw_consent(record: ConsentRecord, *, by, guardian=None, note="", at=None):
    """Withdraw a given consent from this moment on; history is kept."""
    if record.decision != ConsentRecord.Decision.GIVEN or record.withdrawn_at:
        raise ValidationError(_("Only consent that stands can be withdrawn."))
    record.withdrawn_at = at or timezone.now()
    record.withdrawn_by_guardian = guardian
    record.withdrawal_note = note
    record.save(update_fields=["withdrawn_at", "withdrawn_by_guardian", "withdrawal_note"])
    audit.record(
        actor=by,
        action="consent withdrawn",
        obj=record.child,
        programme=_programme(record.child),
        changes={"form": str(record.form), "note": note},
    )
    return record


def consenting_children(kind: str, on=None):
    """Children with consent of ``kind`` standing at ``on``, as a queryset (subqueries).

    The decision that counts is the latest one made up to ``on`` on a version that
    still counts: when a version that needs fresh consent is in force, decisions
    on earlier versions no longer count.
    """
    on = on or timezone.now()
    # The lowest version still valid in the record's programme at ``on``.
    floor = (
        ConsentForm.objects.filter(
            programme=OuterRef("form__programme"),
            kind=kind,
            requires_reconsent=True,
            published_at__lte=on,
        )
        .order_by("-version")
        .values("version")[:1]
    )
    last = (
        ConsentRecord.objects.filter(
            form__kind=kind, decided_at__lte=on, child=OuterRef(OuterRef("pk"))
        )
        .annotate(floor=Coalesce(Subquery(floor), 0))
        .filter(form__version__gte=F("floor"))
        .order_by("-decided_at", "-id")
        .values("pk")[:1]
    )
    standing = ConsentRecord.objects.filter(
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=on),
        pk=Subquery(last),
        decision=ConsentRecord.Decision.GIVEN,
    )
    return Child.objects.filter(Exists(standing))


def has_consent(child: Child, kind: str, on=None) -> bool:
    """Whether consent of ``kind`` stood for ``child`` at the moment ``on`` (default: now).

    Other features ask this: evaluation extracts include only children with
    research consent; photo features flag children without photo consent.
    """
    if isinstance(on, datetime.date) and not isinstance(on, datetime.datetime):
        on = timezone.make_aware(datetime.datetime.combine(on, datetime.time.max))
    return consenting_children(kind, on).filter(pk=child.pk).exists()


def outstanding_consents(centre, form: ConsentForm):
    """Waiting and active children at ``centre`` with no decision on ``form`` (or
    on a later version): the re-consent campaign's to-do list."""
    answered = ConsentRecord.objects.filter(
        form__programme=form.programme_id, form__kind=form.kind, form__version__gte=form.version
    ).values("child_id")
    return Child.objects.filter(
        centre=centre, status__in=[Status.WAITING, Status.ACTIVE, Status.PAUSED]
    ).exclude(pk__in=answered)


# --- sensitive data and safety notes ---------------------------------------------


@transaction.atomic
def save_sensitive(child: Child, *, by, fsm_now: bool | None = None, **fields) -> ChildSensitive:
    sensitive, _created = ChildSensitive.objects.update_or_create(child=child, defaults=fields)
    if fsm_now is not None:
        set_fsm(child, eligible=fsm_now, on=timezone.localdate(), source="manager")
    audit.record(
        actor=by,
        action="equity data updated",
        obj=child,
        programme=_programme(child),
        changes={"fields": sorted(fields)},  # never the values: they are special category
    )
    return sensitive


def set_fsm(child: Child, *, eligible: bool, on: datetime.date, source: str = "") -> None:
    """Open or close a free-school-meals period so that the history stays true."""
    open_period = FsmPeriod.objects.filter(child=child, end__isnull=True).first()
    if eligible and open_period is None:
        FsmPeriod.objects.get_or_create(child=child, start=on, defaults={"source": source})
    elif not eligible and open_period is not None:
        open_period.end = max(on, open_period.start)
        open_period.save(update_fields=["end"])


@transaction.atomic
def save_safety_notes(child: Child, *, by, **fields) -> ChildSafetyNotes:
    notes, _created = ChildSafetyNotes.objects.update_or_create(child=child, defaults=fields)
    audit.record(actor=by, action="safety notes updated", obj=child, programme=_programme(child))
    return notes


@transaction.atomic
def save_child(form, *, by) -> Child:
    child = form.save()
    audit.record(
        actor=by,
        action="child updated",
        obj=child,
        programme=_programme(child),
        changes={"fields": sorted(form.changed_data)},
    )
    return child


# --- data protection -------------------------------------------------------------


def log_access(child_or_children, *, user, action=ChildAccessLog.Action.VIEW, detail=""):
    """One access-log row per child viewed or exported (one query)."""
    children = (
        [child_or_children] if isinstance(child_or_children, Child) else list(child_or_children)
    )
    ChildAccessLog.objects.bulk_create(
        [ChildAccessLog(child=c, user=user, action=action, detail=detail) for c in children]
    )
