"""Named writes for instruments, loans, repairs and stock, and the size-up list.
Each write validates, saves and audits in one transaction."""

import datetime as dt
import unicodedata
from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonia import audit
from harmonia.instruments import sizing
from harmonia.instruments.models import (
    TYPES,
    AgreementMethod,
    ArmMeasurement,
    AssetTagSequence,
    Instrument,
    InstrumentStatus,
    InstrumentType,
    Loan,
    LoanRules,
    RepairJob,
    StockMovement,
)


def centre_code(centre) -> str:
    """Three letters for a centre's asset tags: "In Harmony Liverpool" → "LIV"."""
    word = centre.name.split()[-1] if centre.name.split() else "X"
    ascii_word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    letters = "".join(ch for ch in ascii_word if ch.isalpha()).upper()
    return (letters or "X")[:3]


def reserve_asset_tags(centre, instrument_type: str, count: int) -> list[str]:
    """``count`` new sequential tags such as LIV-VN-0001 (unique in the programme;
    the counter row is locked so two deliveries never share a number)."""
    prefix = f"{centre_code(centre)}-{TYPES[instrument_type][1]}"
    sequence, _created = AssetTagSequence.objects.select_for_update().get_or_create(
        programme_id=centre.programme_id, prefix=prefix
    )
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return [f"{prefix}-{n:04d}" for n in range(first, first + count)]


@transaction.atomic
def add_instrument(form, *, by) -> Instrument:
    creating = form.instance.pk is None
    old_photo = (
        ""
        if creating
        else Instrument.objects.filter(pk=form.instance.pk).values_list("photo", flat=True).first()
    )
    instrument = form.save(commit=False)
    if creating:
        instrument.asset_tag = reserve_asset_tags(instrument.centre, instrument.instrument_type, 1)[
            0
        ]
    instrument.save()
    if old_photo and old_photo != instrument.photo.name:
        storage = instrument.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))  # replaced or cleared
    audit.record(
        actor=by,
        action="created" if creating else "updated",
        obj=instrument,
        programme=instrument.centre.programme,
        changes={k: str(form.cleaned_data.get(k)) for k in form.changed_data if k != "photo"},
    )
    return instrument


def check_serial_numbers(programme_id, serials: list[str], *, count: int) -> list[str]:
    """The serial numbers of a delivery, one per instrument in delivery order, checked:
    none, or exactly ``count``; no number twice in the delivery, none already on
    another instrument of the programme. Raises ValidationError naming each clash."""
    serials = [s.strip() for s in serials if s.strip()]
    if not serials:
        return [""] * count
    if len(serials) != count:
        raise ValidationError(
            _(
                "%(given)s serial numbers for %(count)s instruments: give one per "
                "instrument, or none."
            )
            % {"given": len(serials), "count": count}
        )
    errors = []
    seen: dict[str, int] = {}
    for line, serial in enumerate(serials, start=1):
        if len(serial) > 60:
            errors.append(_("Line %(n)s: a serial number is at most 60 characters.") % {"n": line})
        if serial.lower() in seen:
            errors.append(
                _("Line %(n)s: %(serial)s is also on line %(first)s.")
                % {"n": line, "serial": serial, "first": seen[serial.lower()]}
            )
        seen.setdefault(serial.lower(), line)
    taken = {
        number.lower(): tag
        for number, tag in Instrument.objects.filter(
            programme_id=programme_id, serial_number__in=serials
        ).values_list("serial_number", "asset_tag")
    }
    for line, serial in enumerate(serials, start=1):
        if serial.lower() in taken:
            errors.append(
                _("Line %(n)s: %(serial)s is already the serial number of %(tag)s.")
                % {"n": line, "serial": serial, "tag": taken[serial.lower()]}
            )
    if errors:
        raise ValidationError(errors)
    return serials


@transaction.atomic
def receive_delivery(
    *, centre, count: int, by, serial_numbers: list[str] | None = None, **fields
) -> list[Instrument]:
    """A delivery of ``count`` identical instruments ("20 violins, 1/2 size, make X,
    £120 each"), tagged in sequence and written in one bulk insert. ``serial_numbers``
    (optional) gives each its maker's number, in tag order."""
    if not 1 <= count <= 500:
        raise ValidationError(_("A delivery is between 1 and 500 instruments."))
    serials = check_serial_numbers(centre.programme_id, serial_numbers or [], count=count)
    instrument_type = fields["instrument_type"]
    tags = reserve_asset_tags(centre, instrument_type, count)
    instruments = Instrument.objects.bulk_create(
        [
            Instrument(
                programme_id=centre.programme_id,
                centre=centre,
                family=TYPES[instrument_type][0],
                asset_tag=tag,
                serial_number=serial,
                **fields,
            )
            for tag, serial in zip(tags, serials, strict=True)
        ]
    )
    audit.record(
        actor=by,
        action="delivery received",
        obj=centre,
        programme=centre.programme,
        changes={
            "count": count,
            "first": tags[0],
            "last": tags[-1],
            "type": instrument_type,
            "serial numbers": sum(1 for s in serials if s),
        },
    )
    return instruments


def _set_status(instrument, status):
    instrument.status = status
    instrument.save(update_fields=["status"])


@transaction.atomic
def set_status(instrument: Instrument, status: str, *, by) -> None:
    """Retire, mark lost or found: only when the instrument is not on loan or in repair."""
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    allowed = {InstrumentStatus.AVAILABLE, InstrumentStatus.RETIRED, InstrumentStatus.LOST}
    if status not in allowed or instrument.status not in allowed:
        raise ValidationError(_("Return the instrument from loan or repair first."))
    old = instrument.status
    _set_status(instrument, status)
    audit.record(
        actor=by,
        action="status changed",
        obj=instrument,
        programme=instrument.centre.programme,
        changes={"status": [old, status]},
    )


def _check_borrower(instrument, child, school, on):
    if (child is None) == (school is None):
        raise ValidationError(_("Lend to a child or to a school."))
    if child is not None:
        if child.centre_id != instrument.centre_id:
            raise ValidationError(_("The child is not at this instrument's centre."))
        if child.status == "left":
            raise ValidationError(_("The child has left the centre."))
    if school is not None and school.centre_id != instrument.centre_id:
        raise ValidationError(_("The school is not a partner of this instrument's centre."))


class SecondOfAType(ValidationError):
    """The child already holds an instrument of this type; the programme warns, so
    the loan goes ahead only when the person lending confirms."""

    def __init__(self, message, held):
        super().__init__(message)
        self.held = held


def second_of_a_type_rule(programme_id) -> str:
    rule = LoanRules.objects.filter(programme_id=programme_id).values_list(
        "second_of_a_type", flat=True
    )
    return next(iter(rule), LoanRules.SecondOfAType.WARN)


def _check_second_of_a_type(instrument, child, *, confirmed: bool, replacing=None) -> None:
    held = list(
        Loan.objects.open()
        .filter(child=child, instrument__instrument_type=instrument.instrument_type)
        .exclude(pk=getattr(replacing, "pk", None))
        .select_related("instrument")
    )
    if not held:
        return
    tags = ", ".join(loan.instrument.asset_tag for loan in held)
    kind = instrument.get_instrument_type_display().lower()
    if second_of_a_type_rule(instrument.programme_id) == LoanRules.SecondOfAType.REFUSE:
        raise ValidationError(
            _(
                "%(child)s already has a %(kind)s on loan (%(tags)s); this programme lends "
                "one of each instrument per child. Return or swap it first."
            )
            % {"child": child, "kind": kind, "tags": tags}
        )
    if not confirmed:
        raise SecondOfAType(
            _(
                "%(child)s already has a %(kind)s on loan (%(tags)s). Lend a second one "
                "only if that is intended (e.g. one for home and one for school)."
            )
            % {"child": child, "kind": kind, "tags": tags},
            held,
        )


def _acceptance(accepted_by: str, method: str, on, lent_on) -> None:
    if not (accepted_by or "").strip():
        raise ValidationError(_("Record who accepted the loan agreement."))
    if method not in AgreementMethod.values:
        raise ValidationError(_("Say how the agreement was accepted."))
    if on is not None and on > timezone.localdate():
        raise ValidationError(_("An agreement cannot be accepted in the future."))


@transaction.atomic
def lend(
    instrument: Instrument,
    *,
    by,
    on: dt.date,
    child=None,
    school=None,
    due_back=None,
    agreement=None,
    accepted_by: str = "",
    agreement_method: str = AgreementMethod.IN_PERSON,
    accepted_on: dt.date | None = None,
    notes: str = "",
    second_of_a_type_confirmed: bool = False,
    replacing: Loan | None = None,
) -> Loan:
    """Lend an available instrument. A loan to a child records the agreement the
    guardian accepted: the version, their name, the day and how (paper signed, in
    person, by email). A child who already holds an instrument of that type is
    refused or warned, as the programme's lending rules say."""
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if instrument.status != InstrumentStatus.AVAILABLE:
        raise ValidationError(
            _("%(tag)s is not available (%(status)s).")
            % {"tag": instrument.asset_tag, "status": instrument.get_status_display()}
        )
    _check_borrower(instrument, child, school, on)
    if child is not None:
        if agreement is None or not accepted_by.strip():
            raise ValidationError(_("Record the loan agreement the guardian accepted."))
        accepted_on = accepted_on or on
        _acceptance(accepted_by, agreement_method, accepted_on, on)
        _check_second_of_a_type(
            instrument, child, confirmed=second_of_a_type_confirmed, replacing=replacing
        )
    loan = Loan.objects.create(
        instrument=instrument,
        centre_id=instrument.centre_id,
        child=child,
        school=school,
        lent_on=on,
        due_back=due_back,
        condition_out=instrument.condition,
        agreement=agreement,
        agreement_accepted_by=accepted_by.strip(),
        agreement_accepted_at=timezone.now() if agreement else None,
        agreement_accepted_on=accepted_on if agreement else None,
        agreement_method=agreement_method if agreement else "",
        agreement_recorded_by=by if agreement else None,
        lent_by=by,
        notes=notes,
    )
    _set_status(instrument, InstrumentStatus.ON_LOAN)
    changes = {"instrument": instrument.asset_tag, "on": on.isoformat()}
    if agreement is not None:
        changes |= {
            "agreement": agreement.version,
            "accepted on": accepted_on.isoformat(),
            "method": agreement_method,
        }
    if second_of_a_type_confirmed:
        changes["second of a type"] = True
    audit.record(
        actor=by,
        action="instrument lent",
        obj=loan,
        programme=instrument.centre.programme,
        changes=changes,
    )
    return loan


@transaction.atomic
def record_agreement_acceptance(
    loan: Loan, *, agreement, accepted_by: str, method: str, on: dt.date, by
) -> Loan:
    """Record (or correct) the guardian's acceptance of a child's loan agreement: who,
    on which day and how. The earlier record is kept in the audit trail."""
    loan = Loan.objects.select_for_update().select_related("centre__programme").get(pk=loan.pk)
    if loan.child_id is None:
        raise ValidationError(_("A loan to a school has no guardian's agreement."))
    if agreement is None or agreement.programme_id != loan.centre.programme_id:
        raise ValidationError(_("Choose this programme's loan agreement."))
    _acceptance(accepted_by, method, on, loan.lent_on)
    before = {
        "agreement": loan.agreement.version if loan.agreement_id else None,
        "accepted by": loan.agreement_accepted_by,
        "accepted on": loan.agreement_accepted_on.isoformat()
        if loan.agreement_accepted_on
        else None,
        "method": loan.agreement_method,
    }
    after = {
        "agreement": agreement.version,
        "accepted by": accepted_by.strip(),
        "accepted on": on.isoformat(),
        "method": method,
    }
    loan.agreement = agreement
    loan.agreement_accepted_by = accepted_by.strip()
    loan.agreement_accepted_on = on
    loan.agreement_method = method
    loan.agreement_accepted_at = timezone.now()
    loan.agreement_recorded_by = by
    loan.save(
        update_fields=[
            "agreement", "agreement_accepted_by", "agreement_accepted_on", "agreement_method",
            "agreement_accepted_at", "agreement_recorded_by",
        ]
    )  # fmt: skip
    audit.record(
        actor=by,
        action="loan agreement accepted",
        obj=loan,
        programme=loan.centre.programme,
        changes={k: [before[k], after[k]] for k in after},
    )
    return loan


@transaction.atomic
def set_loan_rules(programme, *, second_of_a_type: str, by) -> LoanRules:
    if second_of_a_type not in LoanRules.SecondOfAType.values:
        raise ValidationError(_("Choose warn or refuse."))
    rules, _created = LoanRules.objects.get_or_create(programme=programme)
    old = rules.second_of_a_type
    rules.second_of_a_type = second_of_a_type
    rules.save(update_fields=["second_of_a_type"])
    audit.record(
        actor=by,
        action="lending rules changed",
        obj=rules,
        programme=programme,
        changes={"second of a type": [old, second_of_a_type]},
    )
    return rules


@transaction.atomic
def return_loan(loan: Loan, *, by, on: dt.date, condition: str = "", notes: str = "") -> Loan:
    loan = Loan.objects.select_for_update().select_related("instrument").get(pk=loan.pk)
    if loan.returned_on is not None:
        raise ValidationError(_("This loan has already been returned."))
    if on < loan.lent_on:
        raise ValidationError(_("An instrument cannot come back before it was lent."))
    loan.returned_on = on
    loan.returned_to = by
    loan.condition_in = condition or loan.instrument.condition
    if notes:
        loan.notes = f"{loan.notes} {notes}".strip()[:255]
    loan.save()
    instrument = loan.instrument
    instrument.status = InstrumentStatus.AVAILABLE
    if condition:
        instrument.condition = condition
    instrument.save(update_fields=["status", "condition"])
    audit.record(
        actor=by,
        action="instrument returned",
        obj=loan,
        programme=instrument.centre.programme,
        changes={"instrument": instrument.asset_tag, "on": on.isoformat()},
    )
    return loan


@transaction.atomic
def swap(loan: Loan, new_instrument: Instrument, *, by, on: dt.date, condition: str = "") -> Loan:
    """Return one instrument and lend another to the same borrower, in one
    transaction, under the agreement already accepted."""
    old = return_loan(loan, by=by, on=on, condition=condition)
    return lend(
        new_instrument,
        by=by,
        on=on,
        child=old.child,
        school=old.school,
        due_back=old.due_back,
        agreement=old.agreement,
        accepted_by=old.agreement_accepted_by,
        agreement_method=old.agreement_method or AgreementMethod.IN_PERSON,
        accepted_on=old.agreement_accepted_on or old.lent_on,
        notes=_("Swapped for %(tag)s") % {"tag": old.instrument.asset_tag},
        replacing=old,
    )


@transaction.atomic
def record_measurement(child, *, arm_length_cm: Decimal, on: dt.date, by) -> ArmMeasurement:
    measurement = ArmMeasurement(child=child, arm_length_cm=arm_length_cm, measured_on=on)
    measurement.measured_by = by
    measurement.full_clean()
    measurement.save()
    audit.record(
        actor=by,
        action="arm measured",
        obj=measurement,
        programme=child.centre.programme,
        changes={"child": child.pk, "cm": str(arm_length_cm)},
    )
    return measurement


@transaction.atomic
def send_for_repair(instrument: Instrument, *, by, form) -> RepairJob:
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if instrument.status != InstrumentStatus.AVAILABLE:
        raise ValidationError(_("Only an instrument in the store can go for repair."))
    job = form.save(commit=False)
    job.instrument = instrument
    job.sent_by = by
    job.save()
    _set_status(instrument, InstrumentStatus.IN_REPAIR)
    audit.record(
        actor=by,
        action="sent for repair",
        obj=job,
        programme=instrument.centre.programme,
        changes={"repairer": job.repairer},
    )
    return job


@transaction.atomic
def return_from_repair(job: RepairJob, *, by, on: dt.date, cost, condition: str = "") -> RepairJob:
    job = RepairJob.objects.select_for_update().select_related("instrument").get(pk=job.pk)
    if job.returned_on is not None:
        raise ValidationError(_("This repair is already back."))
    if on < job.sent_on:
        raise ValidationError(_("A repair cannot come back before it was sent."))
    job.returned_on = on
    job.cost = cost
    job.save(update_fields=["returned_on", "cost"])
    instrument = job.instrument
    instrument.status = InstrumentStatus.AVAILABLE
    if condition:
        instrument.condition = condition
    instrument.save(update_fields=["status", "condition"])
    audit.record(
        actor=by,
        action="back from repair",
        obj=job,
        programme=instrument.centre.programme,
        changes={"cost": str(cost)},
    )
    return job


@transaction.atomic
def move_stock(*, consumable, centre, kind: str, quantity: int, on: dt.date, by, note=""):
    """Receive (+), issue (−) or adjust stock of a consumable at a centre."""
    if quantity == 0:
        raise ValidationError(_("Give a quantity."))
    if kind == StockMovement.Kind.RECEIVED:
        quantity = abs(quantity)
    elif kind == StockMovement.Kind.ISSUED:
        quantity = -abs(quantity)
        level = stock_levels(centre, [consumable.pk]).get(consumable.pk, 0)
        if level + quantity < 0:
            raise ValidationError(
                _("Only %(n)s in stock.") % {"n": level},
            )
    movement = StockMovement.objects.create(
        consumable=consumable, centre=centre, kind=kind, quantity=quantity, on=on, by=by, note=note
    )
    audit.record(
        actor=by,
        action=f"stock {kind}",
        obj=movement,
        programme=centre.programme,
        changes={"consumable": consumable.name, "quantity": quantity},
    )
    return movement


def stock_levels(centre, consumable_ids=None) -> dict[int, int]:
    """Consumable id → quantity in stock at ``centre`` (one aggregate query)."""
    qs = StockMovement.objects.filter(centre=centre)
    if consumable_ids is not None:
        qs = qs.filter(consumable_id__in=consumable_ids)
    return {
        row["consumable_id"]: row["level"]
        for row in qs.values("consumable_id").annotate(level=Sum("quantity")).order_by()
    }


# Loans needing attention and size-ups ---------------------------------------------


def overdue_because_left(loans):
    """Open loans to children who have left the centre: the instrument should come back."""
    return loans.open().filter(child__status="left")


def size_up_list(centre, user, on: dt.date | None = None) -> dict:
    """Children with an open string-instrument loan likely to need the next size by
    the start of next term (from their latest arm measurement, or their age on that
    day), with the available stock at the centre in the suggested size.

    Three queries: open loans with child and instrument; latest measurements;
    available stock by type and size."""
    term_start = on or sizing.next_term_start(dt.date.today())
    loans = list(
        Loan.objects.visible_to(user)
        .open()
        .filter(
            centre=centre,
            child__isnull=False,
            instrument__instrument_type__in=list(sizing.BY_AGE),
        )
        .exclude(child__status="left")
        .select_related("child", "instrument")
        .order_by("child__last_name", "child__first_name")
    )
    child_ids = [loan.child_id for loan in loans]
    latest_arm: dict[int, ArmMeasurement] = {}
    for m in ArmMeasurement.objects.filter(
        child_id__in=child_ids, measured_on__lte=term_start
    ).order_by("child_id", "measured_on", "id"):
        latest_arm[m.child_id] = m  # ordered: the latest wins
    stock = Counter(
        {
            (row["instrument_type"], row["size"]): row["n"]
            for row in Instrument.objects.filter(centre=centre, status=InstrumentStatus.AVAILABLE)
            .values("instrument_type", "size")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )
    # One row per child and instrument type, however many of that type the child
    # holds (a home and a school violin, a swap not yet returned): judged by the
    # biggest one they have, and counted once in the need for stock.
    holding: dict[tuple[int, str], list] = {}
    for loan in loans:
        holding.setdefault((loan.child_id, loan.instrument.instrument_type), []).append(loan)
    rows = []
    wanted = Counter()
    for (_child_id, kind), held in holding.items():
        biggest = held[0]
        for other in held[1:]:
            if sizing.is_bigger(kind, other.instrument.size, biggest.instrument.size):
                biggest = other
        loan = biggest
        arm = latest_arm.get(loan.child_id)
        size, basis = sizing.suggest_size(
            kind,
            born=loan.child.date_of_birth,
            on=term_start,
            arm_cm=arm.arm_length_cm if arm else None,
        )
        if size and sizing.is_bigger(kind, size, loan.instrument.size):
            key = (kind, size)
            wanted[key] += 1
            rows.append(
                {
                    "loan": loan,
                    "child": loan.child,
                    "instrument": loan.instrument,
                    "also_holds": [other.instrument for other in held if other is not loan],
                    "suggested": size,
                    "basis": basis,
                    "arm": arm,
                    "age": sizing.age_on(loan.child.date_of_birth, term_start),
                    "in_stock": stock[key],
                }
            )
    shortfall = [
        {
            "instrument_type": InstrumentType(t).label,
            "size": s,
            "needed": n,
            "in_stock": stock[(t, s)],
            "to_find": max(0, n - stock[(t, s)]),
        }
        for (t, s), n in sorted(wanted.items())
    ]
    children = len({row["child"].pk for row in rows})
    return {"term_start": term_start, "rows": rows, "shortfall": shortfall, "children": children}
