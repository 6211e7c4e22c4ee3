"""The equity profile of who a centre reaches, in aggregate, with small counts
suppressed (used on the centre page; a funder or programme lead may see it).

People who see suppressed figures (funders, evaluators: ``suppress=True``) get
the numbers of the programme's one protected base, the same cells the dashboards,
grant reports and annual return show (``harmonia.reports.disclosure``), so no
page can be subtracted from another. Everyone else keeps the counts of today,
with counts under 5 shown as "[c]" (the one mark for a hidden number on every
page; "—" means no data, see ``harmonia.reports.cells``)."""

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
        from harmonia.reports.cells import HIDDEN_MARK

        return HIDDEN_MARK if 0 < self.n < SUPPRESS_BELOW else str(self.n)


def _percent(n: int, total: int) -> str:
    from harmonia.reports.cells import HIDDEN_MARK, NO_DATA

    if not total:
        return NO_DATA
    if total < SUPPRESS_BELOW or 0 < n < SUPPRESS_BELOW:
        return HIDDEN_MARK
    return f"{round(100 * n / total)}%"


MEASURES = ("fsm", "sen", "eal", "lac")


def _protected_flags(centre_ids: list[int], on: datetime.date) -> dict:
    """Per centre: active children and each measure's count from the protected
    base (None = hidden), as the dashboards publish them."""
    from harmonia.reports import dashboard

    counts = dashboard.equity_counts(centre_ids, on)
    out = {}
    for c in centre_ids:
        flags = counts[c]["flags"]
        total = flags.get("total", 0)
        row = {}
        for key in MEASURES:
            part = dashboard._partitions([[flags.get(key, 0), total - flags.get(key, 0)]], True)
            row[key] = part.cells[0][0]
            row["total"] = part.row_totals[0]
        out[c] = row
    return out


def _protected_percent(n: int | None, total: int | None) -> str:
    from harmonia.reports.dashboard import HIDDEN_MARK

    if n is None or total is None:
        return HIDDEN_MARK
    return f"{round(100 * n / total)}%" if total else "—"


def _protected_centre_profile(centre, on: datetime.date) -> dict:
    from harmonia.reports.dashboard import HIDDEN_MARK
    from harmonia.reports.returns import school_counts

    row = _protected_flags([centre.pk], on)[centre.pk]
    schools = list(centre.schools.all())
    counts, _total = school_counts([centre], schools, True)
    return {
        "suppress_below": SUPPRESS_BELOW,
        "suppressed": True,
        "total": {"shown": HIDDEN_MARK if row["total"] is None else str(row["total"])},
        "measures": [
            {"label": label, "percent": _protected_percent(row[key], row["total"])}
            for key, label in _measure_labels()
        ],
        "schools": [
            {
                "name": school.name,
                "total": HIDDEN_MARK if n is None else str(n),
                "school_fsm": school.fsm_percent,
            }
            for school, n in zip(schools, counts, strict=True)
        ],
    }


def _measure_labels():
    return [
        ("fsm", _("Free school meals")),
        ("sen", _("SEN support or EHC plan")),
        ("eal", _("English as an additional language")),
        ("lac", _("Looked after")),
    ]


def centre_profile(centre, on: datetime.date | None = None, *, suppress: bool = False) -> dict:
    """Active children on ``on`` at ``centre``: FSM, SEN, EAL and looked-after shares,
    overall and by school (two queries; protected base when ``suppress``)."""
    on = on or timezone.localdate()
    if suppress:
        return _protected_centre_profile(centre, on)
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


def programme_profile(
    programme, on: datetime.date | None = None, *, suppress: bool = False
) -> list[dict]:
    """Per centre: active children and the shares of FSM, SEN and EAL (one query;
    the protected base when ``suppress``)."""
    on = on or timezone.localdate()
    if suppress:
        from harmonia.programmes.models import Centre
        from harmonia.reports.dashboard import HIDDEN_MARK

        centres = list(Centre.objects.filter(programme=programme).order_by("name"))
        rows = _protected_flags([c.pk for c in centres], on)
        return [
            {
                "centre": c.name,
                "total": HIDDEN_MARK if rows[c.pk]["total"] is None else rows[c.pk]["total"],
                **{k: _protected_percent(rows[c.pk][k], rows[c.pk]["total"]) for k in MEASURES},
            }
            for c in centres
        ]
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
