"""The annual data return (in the shape music education hubs report to Arts
Council England) and grant reports, built from live data as a list of tables.

A ``Report`` is format-free: ``harmonia.reports.exports`` writes it as XLSX,
CSV or PDF, and the pages show it as HTML. When ``suppress`` is true every
count of children goes through disclosure control before it is put in a table,
so nothing downstream can leak a small number.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonia import access
from harmonia.children.models import Child, Status
from harmonia.ensembles.models import Ensemble
from harmonia.programmes.models import Centre, Funder, Grant, PartnerSchool
from harmonia.reports import dashboard, disclosure, dose
from harmonia.reports.cells import NO_DATA
from harmonia.reports.charts import chart
from harmonia.reports.dashboard import Table, year_label
from harmonia.reports.models import Activity, AttendanceSummary
from harmonia.reports.rollups import academic_year

ACE_ACTIVITIES = [Activity.WCET, Activity.ENSEMBLE, Activity.LESSONS, Activity.SINGING]


@dataclass
class Report:
    title: str
    subtitle: str
    suppressed: bool
    threshold: int
    tables: list[Table] = field(default_factory=list)
    charts: list = field(default_factory=list)  # (title, svg, Table with its numbers)
    generated: dt.datetime = field(default_factory=timezone.now)


def must_suppress(user, programme, centres: list | None = None) -> bool:
    """Small numbers are hidden unless the person runs the programme, or runs
    (sees the children of) every centre in the report."""
    return not access.sees_small_numbers(user, programme, centres)


def _children_table(key, title, centres, columns, data, suppress, *, totals_label):
    """Centres × columns of child counts, protected, with the programme total row."""
    raw = [[data[c.pk].get(col, 0) for col, _label in columns] for c in centres]
    result = dashboard._counts(raw, suppress) if raw else None
    rows = [[c.name, *result.cells[i]] for i, c in enumerate(centres)] if result else []
    footer = [totals_label, *result.col_totals] if result else None
    return Table(key, title, [_("Centre"), *[str(label) for _c, label in columns]], rows, footer)


def school_counts(centres: list, schools: list, suppress: bool) -> tuple[list, int | None]:
    """Active children of each partner school (of its own centre), protected as
    each centre's partition of its active children: its schools plus "no partner
    school" (never shown, but part of the sum). One query."""
    n_by = defaultdict(dict)
    for r in (
        Child.objects.filter(
            centre_id__in=[c.pk for c in centres], status=Status.ACTIVE, anonymised_at__isnull=True
        )
        .values("centre_id", "school_id", "school__centre_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        own = r["school_id"] if r["school__centre_id"] == r["centre_id"] else None
        n_by[r["centre_id"]][own] = n_by[r["centre_id"]].get(own, 0) + r["n"]
    shown: dict[int, int | None] = {}
    for c in centres:
        mine = [s.pk for s in schools if s.centre_id == c.pk]
        row = [n_by[c.pk].get(pk, 0) for pk in mine] + [n_by[c.pk].get(None, 0)]
        result = dashboard._partitions([row], suppress, unpublished={len(mine)})
        shown.update(zip(mine, result.cells[0][:-1], strict=True))
    counts = [shown.get(s.pk, 0) for s in schools]
    return counts, disclosure.sum_shown(counts)


def annual_return(programme, centres: list, year: int, *, suppress: bool) -> Report:
    threshold = dashboard.threshold()
    centre_ids = [c.pk for c in centres]
    first, after = dt.date(year, 9, 1), dt.date(year + 1, 9, 1)
    report = Report(
        title=_("Annual data return %(year)s") % {"year": year_label(year)},
        subtitle=_("%(programme)s — %(first)s to %(last)s")
        % {
            "programme": programme.name,
            "first": first.strftime("%d/%m/%Y"),
            "last": (after - dt.timedelta(days=1)).strftime("%d/%m/%Y"),
        },
        suppressed=suppress,
        threshold=threshold,
    )
    rows = AttendanceSummary.objects.filter(centre_id__in=centre_ids, year=year, term=0)
    by_activity: dict[int, dict] = defaultdict(dict)
    sessions: dict[int, dict] = defaultdict(dict)
    minutes: dict[int, dict] = defaultdict(dict)
    whole_year: dict[int, AttendanceSummary] = {}  # activity "": the dose's rows
    for r in rows:
        by_activity[r.centre_id][r.activity] = r.children
        sessions[r.centre_id][r.activity] = r.sessions
        minutes[r.centre_id][r.activity] = r.minutes
        if r.activity == "":
            whole_year[r.centre_id] = r

    # 1. Pupils reached by activity (ACE categories), and by any activity.
    activities = [(a.value, a.label) for a in ACE_ACTIVITIES]
    table = _children_table(
        "pupils_by_activity",
        _("Pupils reached by activity"),
        centres,
        activities,
        by_activity,
        suppress,
        totals_label=_("All centres"),
    )
    any_activity = [by_activity[c].get("", 0) for c in centre_ids]
    shown, total = dashboard._column(any_activity, suppress)
    table.columns.append(_("Any activity"))
    for row, value in zip(table.rows, shown, strict=True):
        row.append(value)
    if table.footer:
        table.footer.append(total)
    table.note = _(
        "Children are counted once per activity; a child in two activities appears in both "
        "columns and once under any activity."
    )
    report.tables.append(table)

    # 2. Sessions and hours of music delivered (not people: shown in full).
    kinds = [(a.value, a.label) for a in Activity]
    report.tables.append(
        Table(
            "sessions",
            _("Sessions held"),
            [_("Centre"), *[str(label) for _k, label in kinds], _("All")],
            [
                [c.name, *[sessions[c.pk].get(k, 0) for k, _l in kinds], sessions[c.pk].get("", 0)]
                for c in centres
            ],
            [
                _("All centres"),
                *[sum(sessions[c].get(k, 0) for c in centre_ids) for k, _l in kinds],
                sum(sessions[c].get("", 0) for c in centre_ids),
            ],
        )
    )
    # Hours per child per week: the one definition (harmonia.reports.dose), hidden
    # with the children reached it is divided by.
    hours_rows = []
    for i, c in enumerate(centres):
        row = whole_year.get(c.pk)
        hours_rows.append(
            [
                c.name,
                round(minutes[c.pk].get("", 0) / 60),
                row.weeks if row else 0,
                None if shown[i] is None else dose.hours_per_child_week([row]),
            ]
        )
    report.tables.append(
        Table(
            "hours",
            _("Hours of music"),
            [
                _("Centre"),
                _("Child-hours of music"),
                _("Weeks delivered"),
                _("Hours per child per week"),
            ],
            hours_rows,
            [
                _("All centres"),
                round(sum(minutes[c].get("", 0) for c in centre_ids) / 60),
                "",
                None if total is None else dose.hours_per_child_week(whole_year.values()),
            ],
            note=_(
                "Hours per child per week = child-hours of music ÷ children reached ÷ weeks "
                "delivered (weeks with at least one session held, so far this year); for all "
                "centres, each centre's children over its own weeks."
            ),
        )
    )

    # 3. Ensembles by type (not people).
    ens = defaultdict(lambda: defaultdict(int))
    for r in (
        Ensemble.objects.filter(centre_id__in=centre_ids, active=True)
        .values("centre_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        ens[r["centre_id"]][r["kind"]] = r["n"]
    kinds = [(k, label) for k, label in Ensemble.Kind.choices]
    report.tables.append(
        Table(
            "ensembles",
            _("Ensembles by type"),
            [_("Centre"), *[str(label) for _k, label in kinds], _("All")],
            [
                [c.name, *[ens[c.pk][k] for k, _l in kinds], sum(ens[c.pk].values())]
                for c in centres
            ],
            [
                _("All centres"),
                *[sum(ens[c][k] for c in centre_ids) for k, _l in kinds],
                sum(sum(ens[c].values()) for c in centre_ids),
            ],
        )
    )

    # 4. Schools worked with, with the active children from each.
    schools = list(
        PartnerSchool.objects.filter(centre_id__in=centre_ids)
        .select_related("centre")
        .order_by("centre__name", "name")
    )
    shown_counts, total_counts = school_counts(centres, schools, suppress)
    report.tables.append(
        Table(
            "schools",
            _("Schools worked with"),
            [
                _("School"),
                _("URN"),
                _("Centre"),
                _("Phase"),
                _("Pupils on roll"),
                _("FSM (%)"),
                _("Active children"),
            ],
            [
                [
                    s.name,
                    s.urn,
                    s.centre.name,
                    s.get_phase_display(),
                    s.pupils or "",
                    float(s.fsm_percent) if s.fsm_percent is not None else "",
                    n,
                ]
                for s, n in zip(schools, shown_counts, strict=True)
            ],
            [_("All schools"), "", "", "", sum(s.pupils or 0 for s in schools), "", total_counts],
        )
    )

    # 5. Pupil characteristics (active children, per centre).
    report.tables.extend(
        dashboard.equity_profile(centres, today=min(timezone.localdate(), after), suppress=suppress)
    )

    # 6. Income by source (money, not people).
    grants = list(
        Grant.objects.filter(programme=programme)
        .select_related("funder")
        .prefetch_related("centres")
    )
    income = defaultdict(lambda: defaultdict(Decimal))
    for grant in grants:
        share = dashboard.grant_income([grant], year)
        for currency, parts in share.items():
            income[grant.funder.kind][currency] += sum(parts.values(), Decimal(0))
    currencies = sorted({cur for parts in income.values() for cur in parts})
    report.tables.append(
        Table(
            "income",
            _("Income by source"),
            [_("Source"), *currencies],
            [
                [
                    str(Funder.Kind(kind).label),
                    *[round(income[kind].get(cur, 0)) for cur in currencies],
                ]
                for kind in sorted(income)
            ],
            [
                _("Total"),
                *[round(sum(income[k].get(cur, 0) for k in income)) for cur in currencies],
            ],
            note=_("Each grant is counted pro rata for the days it covers in this year."),
        )
    )

    # A chart of pupils by activity (the same numbers as the first table).
    first_table = report.tables[0]
    if first_table.footer and any(first_table.footer[1:]):
        labels = [str(label) for _a, label in activities]
        values = [first_table.footer[i + 1] for i in range(len(activities))]
        numbers = Table(
            "chart_activity",
            _("Pupils reached by activity"),
            [_("Activity"), _("Pupils")],
            [[lbl, v] for lbl, v in zip(labels, values, strict=True)],
        )
        report.charts.append(
            (
                numbers.title,
                chart(labels, [(numbers.title, values)], title=numbers.title, integer=True),
                numbers,
            )
        )
    return report


def grant_report(grant: Grant, *, suppress: bool, today: dt.date | None = None) -> Report:
    """What a grant paid for: its recipients over its period."""
    today = today or timezone.localdate()
    centres = list(grant.centres.all()) or list(
        Centre.objects.filter(programme=grant.programme).select_related("area")
    )
    centres = list(Centre.objects.filter(pk__in=[c.pk for c in centres]).select_related("area"))
    centre_ids = [c.pk for c in centres]
    years = list(range(academic_year(grant.start), academic_year(min(grant.end, today)) + 1))
    report = Report(
        title=_("Grant report: %(grant)s") % {"grant": grant},
        subtitle=_("%(amount)s %(currency)s, %(start)s to %(end)s — %(centres)s")
        % {
            "amount": f"{grant.amount:,.0f}",
            "currency": grant.currency,
            "start": grant.start.strftime("%d/%m/%Y"),
            "end": grant.end.strftime("%d/%m/%Y"),
            "centres": ", ".join(c.name for c in centres),
        },
        suppressed=suppress,
        threshold=dashboard.threshold(),
    )
    rows = {
        (r.centre_id, r.year): r
        for r in AttendanceSummary.objects.filter(
            centre_id__in=centre_ids, year__in=years, term=0, activity=""
        )
    }
    raw = [[rows[(c, y)].children if (c, y) in rows else 0 for y in years] for c in centre_ids]
    result = dashboard._counts(raw, suppress) if raw and years else None
    labels = [year_label(y) for y in years]
    if result:
        report.tables.append(
            Table(
                "children_by_year",
                _("Children reached each year"),
                [_("Centre"), *labels],
                [[c.name, *result.cells[i]] for i, c in enumerate(centres)],
                [_("All recipients"), *result.col_totals],
            )
        )
    money_rows = []
    for j, y in enumerate(years):
        share = dashboard.grant_income([grant], y).get(grant.currency, {})
        amount = sum(share.values(), Decimal(0))
        children = result.col_totals[j] if result else 0
        year_rows = [rows[(c, y)] for c in centre_ids if (c, y) in rows]
        minutes = sum(r.minutes for r in year_rows)
        marked = sum(r.marked for r in year_rows)
        attended = sum(r.attended for r in year_rows)
        hidden = children is None
        money_rows.append(
            [
                labels[j],
                round(amount),
                round(minutes / 60),
                dashboard._rate(attended, marked),
                None if hidden else dose.hours_per_child_week(year_rows),
                # None = hidden with the children it divides by; "—" = nobody reached.
                None if hidden else round(amount / children) if children and amount else NO_DATA,
                None
                if hidden
                else round(amount / Decimal(minutes / 60), 2)
                if minutes and amount
                else NO_DATA,
            ]
        )
    report.tables.append(
        Table(
            "value",
            _("Spending and delivery"),
            [
                _("Year"),
                _("Grant spent (%(currency)s)") % {"currency": grant.currency},
                _("Child-hours of music"),
                _("Attendance (%)"),
                _("Hours per child per week"),
                _("Cost per child"),
                _("Cost per child-hour"),
            ],
            money_rows,
            note=_("The grant is spread over its period pro rata by days."),
        )
    )
    report.tables.extend(dashboard.equity_profile(centres, today=today, suppress=suppress))
    if result and any(result.col_totals):
        values = list(result.col_totals)
        numbers = Table(
            "chart_children",
            _("Children reached each year"),
            [_("Year"), _("Children")],
            [[lbl, v] for lbl, v in zip(labels, values, strict=True)],
        )
        report.charts.append(
            (
                numbers.title,
                chart(
                    labels,
                    [(numbers.title, values)],
                    title=numbers.title,
                    integer=True,
                    trend=True,
                ),
                numbers,
            )
        )
    return report
