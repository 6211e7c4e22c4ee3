"""The equity profile of who a centre reaches, in aggregate, with small counts
suppressed (used on the centre page; a funder or programme lead may see it)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonia.children.models import Child, ChildSensitive, FsmPeriod, SenStatus

SUPPRESS_BELOW = 5


@dataclass
class Cell:
    n: int

    @property
    def shown(self) -> str:
        return "<5" if 0 < self.n < SUPPRESS_BELOW else str(self.n)


def _percent(n: int, total: int) -> str:
    if total < SUPPRESS_BELOW or 0 < n < SUPPRESS_BELOW:
        return "—"
    return f"{round(100 * n / total)}%"


def centre_profile(centre, on: datetime.date | None = None) -> dict:
    """Active children on ``on`` at ``centre``: FSM, SEN, EAL and looked-after shares,
    overall and by school (two queries)."""
    on = on or timezone.localdate()
    fsm = FsmPeriod.objects.filter(
        Q(end__isnull=True) | Q(end__gte=on), child=OuterRef("pk"), start__lte=on
    )
    sen = ChildSensitive.objects.filter(
        child=OuterRef("pk"), sen_status__in=[SenStatus.SUPPORT, SenStatus.EHC_PLAN]
    )
    eal = ChildSensitive.objects.filter(child=OuterRef("pk"), eal=True)
    lac = ChildSensitive.objects.filter(child=OuterRef("pk"), looked_after=True)
    active = (
        Child.objects.active_on(on)
        .filter(centre=centre)
        .annotate(is_fsm=Exists(fsm), is_sen=Exists(sen), is_eal=Exists(eal), is_lac=Exists(lac))
    )
    rows = list(
        active.values("school_id")
        .annotate(
            total=Count("id"),
            fsm=Count("id", filter=Q(is_fsm=True)),
            sen=Count("id", filter=Q(is_sen=True)),
            eal=Count("id", filter=Q(is_eal=True)),
            lac=Count("id", filter=Q(is_lac=True)),
        )
        .order_by()
    )
    totals = {k: sum(r[k] for r in rows) for k in ("total", "fsm", "sen", "eal", "lac")}
    by_school = {r["school_id"]: r for r in rows}
    schools = []
    for school in centre.schools.all():
        r = by_school.get(school.pk, {"total": 0, "fsm": 0})
        schools.append(
            {
                "name": school.name,
                "total": Cell(r["total"]).shown,
                "fsm": _percent(r["fsm"], r["total"]),
                "school_fsm": school.fsm_percent,
            }
        )
    measures = [
        ("fsm", _("Free school meals")),
        ("sen", _("SEN support or EHC plan")),
        ("eal", _("English as an additional language")),
        ("lac", _("Looked after")),
    ]
    return {
        "suppress_below": SUPPRESS_BELOW,
        "total": Cell(totals["total"]),
        "measures": [
            {"label": label, "percent": _percent(totals[key], totals["total"])}
            for key, label in measures
        ],
        "schools": schools,
    }


def programme_profile(programme, on: datetime.date | None = None) -> list[dict]:
    """Per centre: active children and the shares of FSM, SEN and EAL (one query)."""
    on = on or timezone.localdate()
    fsm = FsmPeriod.objects.filter(
        Q(end__isnull=True) | Q(end__gte=on), child=OuterRef("pk"), start__lte=on
    )
    sen = ChildSensitive.objects.filter(
        child=OuterRef("pk"), sen_status__in=[SenStatus.SUPPORT, SenStatus.EHC_PLAN]
    )
    eal = ChildSensitive.objects.filter(child=OuterRef("pk"), eal=True)
    rows = (
        Child.objects.active_on(on)
        .filter(centre__programme=programme)
        .annotate(is_fsm=Exists(fsm), is_sen=Exists(sen), is_eal=Exists(eal))
        .values("centre__name")
        .annotate(
            total=Count("id"),
            fsm=Count("id", filter=Q(is_fsm=True)),
            sen=Count("id", filter=Q(is_sen=True)),
            eal=Count("id", filter=Q(is_eal=True)),
        )
        .order_by("centre__name")
    )
    return [
        {
            "centre": r["centre__name"],
            "total": Cell(r["total"]).shown,
            "fsm": _percent(r["fsm"], r["total"]),
            "sen": _percent(r["sen"], r["total"]),
            "eal": _percent(r["eal"], r["total"]),
        }
        for r in rows
    ]
