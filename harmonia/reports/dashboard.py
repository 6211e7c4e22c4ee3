"""The numbers behind the programme and centre dashboards.

Everything is computed in a fixed number of queries, whatever the number of
centres or children: attendance comes from the ``AttendanceSummary`` rollup,
the rest from grouped counts. When ``suppress`` is true (funders, evaluators,
anyone outside the centre) every count table goes through
``harmonia.reports.disclosure`` and rates built on a hidden count are hidden.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from harmonia.children.models import (
    Child,
    EthnicityCode,
    FsmPeriod,
    SenStatus,
    Sex,
    Status,
    YearGroup,
)
from harmonia.ensembles import school_calendars
from harmonia.ensembles.models import Ensemble
from harmonia.programmes.models import Grant, PartnerSchool
from harmonia.reports import disclosure, dose
from harmonia.reports.cells import HIDDEN_MARK, NO_DATA
from harmonia.reports.models import Activity, AttendanceSummary
from harmonia.reports.rollups import academic_year

__all__ = ["HIDDEN_MARK", "NO_DATA", "Table", "build"]

# One rollup row, as plain values (thousands are read per dashboard).
Summary = namedtuple("Summary", "children marked attended minutes sessions retained weeks")


def threshold() -> int:
    return int(getattr(settings, "HARMONIA_SUPPRESSION_THRESHOLD", 5))


def year_label(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"


def term_label(year: int, term: int, country: str = "GB") -> str:
    """ "Autumn term 2025/26" in England, "Primer lapso 2025/26" in Venezuela: the
    names of the programme's country calendar (``ensembles.school_calendars``)."""
    return f"{school_calendars.term_name(country, term)} {year_label(year)}"


def term_short(year: int, term: int, country: str = "GB") -> str:
    """A short label for a chart axis, e.g. "Aut 25" (England) or "L1 25" (Venezuela)."""
    name = school_calendars.term_short_name(country, term)
    return f"{name} {str(year + (0 if term == 1 else 1))[-2:]}"


@dataclass
class Table:
    """A table ready for a page, a spreadsheet or a PDF: cells are numbers,
    strings, or None (hidden)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    footer: list | None = None
    note: str = ""

    def as_text(self) -> list[list[str]]:
        def fmt(v):
            if v is None:
                return HIDDEN_MARK
            if isinstance(v, float):
                return f"{v:.1f}"
            return str(v)

        out = [list(self.columns)]
        out += [[fmt(v) for v in row] for row in self.rows]
        if self.footer:
            out.append([fmt(v) for v in self.footer])
        return out


def _rate(part, whole, scale=100.0):
    if part is None or whole is None:
        return None
    if not whole:
        return NO_DATA
    return round(scale * part / whole, 1)


def _column(values: list[int], suppress: bool) -> tuple[list, int | None]:
    """One count per centre and their sum (hidden when any part is hidden)."""
    if not suppress:
        return list(values), sum(values)
    return disclosure.protect_separate(values, threshold())


def _counts(table: list[list[int]], suppress: bool) -> disclosure.Linked:
    """Centres × separate counts (years, terms, activities), protected cell by cell."""
    if not suppress:
        return disclosure.Linked([list(r) for r in table], [sum(r) for r in table])
    return disclosure.protect_counts(table, threshold())


def _partitions(table: list[list[int]], suppress: bool, unpublished=frozenset()):
    """Centres × categories that add up to each centre's total (see
    ``disclosure.protect_partition``)."""
    if not suppress:
        return disclosure.Linked([list(r) for r in table], [sum(r) for r in table])
    return disclosure.protect_partitions(table, threshold(), unpublished)


# Kept for callers outside the reports (one table on its own).
def _matrix(table: list[list[int]], suppress: bool):
    if not suppress:
        return disclosure.Protected(
            [list(r) for r in table],
            [sum(r) for r in table],
            [sum(col) for col in zip(*table, strict=True)] if table else [],
            sum(map(sum, table)),
        )
    return disclosure.protect(table, threshold())


def grant_income(grants, year: int) -> dict[str, dict]:
    """Each grant's share of one academic year, pro rata by days, by currency and
    by recipient centre ("" = programme-wide)."""
    first, after = dt.date(year, 9, 1), dt.date(year + 1, 9, 1)
    income: dict[str, dict] = defaultdict(lambda: defaultdict(Decimal))
    for grant in grants:
        start, end = grant.start, grant.end + dt.timedelta(days=1)
        overlap = (min(end, after) - max(start, first)).days
        if overlap <= 0:
            continue
        share = grant.amount * Decimal(overlap) / Decimal((end - start).days)
        recipients = [c.pk for c in grant.centres.all()]
        if recipients:
            for pk in recipients:
                income[grant.currency][pk] += share / len(recipients)
        else:
            income[grant.currency][""] += share
    return income


def _shown(centres, show) -> list[int]:
    """Indexes of the centres to show: all (None), one centre, or several."""
    if show is None:
        return list(range(len(centres)))
    wanted = {c.pk for c in (show if isinstance(show, list | tuple | set) else [show])}
    return [i for i, c in enumerate(centres) if c.pk in wanted]


def _sum(values):
    """A sum of protected numbers: hidden if any part is hidden."""
    return None if any(v is None for v in values) else sum(values)


def build(
    programme, centres: list, *, today: dt.date, suppress: bool, show=None, years: int = 4
) -> dict:
    """Everything a dashboard shows. ``centres`` are all the programme's centres:
    suppression is always worked out over all of them, so a centre's dashboard
    and the programme's are slices of the same protected tables (no number on one
    can be subtracted from another). ``show`` is one centre, or None for all."""
    centre_ids = [c.pk for c in centres]
    shown_index = _shown(centres, show)
    this_year = academic_year(today)
    year_list = list(range(this_year - years + 1, this_year + 1))
    t = threshold()

    # 1. The rollup: every summary row for these centres and years (one query).
    summary: dict[tuple, Summary] = {}
    for values in AttendanceSummary.objects.filter(
        centre_id__in=centre_ids, year__in=[0, *year_list]
    ).values_list("centre_id", "year", "term", "activity", *Summary._fields):
        summary[values[:4]] = Summary(*values[4:])

    def s(centre_id, year, term=0, activity=""):
        return summary.get((centre_id, year, term, activity))

    def field_of(cid, year, name, term=0, activity=""):
        row = s(cid, year, term, activity)
        return getattr(row, name) if row else 0

    # 2. Children now: active and waiting, per centre (one query).
    counts = {
        r["centre_id"]: r
        for r in Child.objects.filter(centre_id__in=centre_ids, anonymised_at__isnull=True)
        .values("centre_id")
        .annotate(
            active=Count("id", filter=Q(status=Status.ACTIVE)),
            waiting=Count("id", filter=Q(status=Status.WAITING)),
        )
        .order_by()
    }
    # 3. Ensembles per centre (one query).
    ensembles = {
        r["centre_id"]: r["n"]
        for r in Ensemble.objects.filter(centre_id__in=centre_ids, active=True)
        .values("centre_id")
        .annotate(n=Count("id"))
        .order_by()
    }

    # Counts of children: one protected column per measure (rows are centres).
    columns = {
        "reached": [field_of(c, this_year, "children") for c in centre_ids],
        "ever": [field_of(c, 0, "children") for c in centre_ids],
        "active": [counts.get(c, {}).get("active", 0) for c in centre_ids],
        "waiting": [counts.get(c, {}).get("waiting", 0) for c in centre_ids],
        "last_year": [field_of(c, this_year - 1, "children") for c in centre_ids],
        "retained": [field_of(c, this_year, "retained") for c in centre_ids],
    }
    protected = {key: _column(values, suppress) for key, values in columns.items()}

    # Trends: centres × terms and centres × years, protected as whole tables.
    terms = [
        (y, term) for y in year_list for term in (1, 2, 3) if any(s(c, y, term) for c in centre_ids)
    ]
    first_year = next((y for y in year_list if any(s(c, y) for c in centre_ids)), this_year)
    trend_years = [y for y in year_list if y >= first_year]
    term_children = (
        _counts(
            [[field_of(c, y, "children", term) for y, term in terms] for c in centre_ids], suppress
        )
        if terms
        else None
    )
    year_children = _counts(
        [[field_of(c, y, "children") for y in trend_years] for c in centre_ids], suppress
    )

    def pick(values_by_centre_index, total):
        """The figure for what is shown: one centre's, or the programme total."""
        if show is None:
            return total
        return values_by_centre_index[shown_index[0]] if shown_index else 0

    sel = [centre_ids[i] for i in shown_index]

    def attendance(cids, year, term=0):
        rows = [r for r in (s(c, year, term) for c in cids) if r]
        marked = sum(r.marked for r in rows)
        attended = sum(r.attended for r in rows)
        minutes = sum(r.minutes for r in rows)
        children = sum(r.children for r in rows)
        return {
            "children": children,
            "rate": _rate(attended, marked),
            "hours": dose.hours_per_child_week(rows),
            "minutes": minutes,
        }

    # Grants: this year's income (one query for grants, one for their centres).
    grants = list(
        Grant.objects.filter(programme=programme)
        .select_related("funder")
        .prefetch_related("centres")
    )
    income = grant_income(grants, this_year)
    main_currency = max(income, key=lambda cur: sum(income[cur].values()), default="GBP")
    main_income = income.get(main_currency, {})
    total_reached = sum(columns["reached"])
    wide = main_income.get("", Decimal(0))

    # Programme-wide grants are shared between centres by children reached. When
    # a centre's reached is hidden, that share would give it away (income minus
    # the centre's own grants, divided by the money per child of any other
    # centre), so the published figures keep programme-wide money in the total.
    share_wide = not (suppress and any(v is None for v in protected["reached"][0]))

    def centre_income(cid):
        own = main_income.get(cid, Decimal(0))
        if wide and total_reached and share_wide:
            own += wide * field_of(cid, this_year, "children") / total_reached
        return own

    def figures(cids, shown: dict) -> dict:
        """Rates and money for ``cids``; a rate built on a hidden count is hidden."""
        att = attendance(cids, this_year)
        if len(cids) == len(centre_ids):
            money = sum(main_income.values(), Decimal(0))
        else:
            money = sum((centre_income(c) for c in cids), Decimal(0))
        kept = sum(field_of(c, this_year, "retained") for c in cids)
        before = sum(field_of(c, this_year - 1, "children") for c in cids)
        hide_rates = suppress and shown["reached"] is None
        hide_retention = suppress and (shown["retained"] is None or shown["last_year"] is None)
        performances = sum(
            field_of(c, this_year, "sessions", 0, Activity.PERFORMANCE) for c in cids
        )
        return {
            **shown,
            "rate": None if hide_rates else att["rate"],
            "hours": None if hide_rates else att["hours"],
            "retention": None if hide_retention else _rate(kept, before),
            "ensembles": sum(ensembles.get(c, 0) for c in cids),
            "performances": performances,
            "income": round(money),
            # No grant income, or no child reached: a cost does not apply ("—", not 0).
            "cost_per_child": (
                None
                if hide_rates
                else round(money / att["children"])
                if att["children"] and money
                else NO_DATA
            ),
            "cost_per_hour": (
                None
                if hide_rates
                else round(money / Decimal(att["minutes"] / 60), 2)
                if att["minutes"] and money
                else NO_DATA
            ),
        }

    centre_rows = []
    for i in shown_index:
        shown = {key: protected[key][0][i] for key in columns}
        centre_rows.append({"centre": centres[i], **figures([centre_ids[i]], shown)})
    if show is None:
        totals = figures(centre_ids, {key: protected[key][1] for key in columns})
    else:
        totals = dict(centre_rows[0]) if centre_rows else figures([], {k: 0 for k in columns})
    totals["currency"] = main_currency

    term_trend = []
    for j, (y, term) in enumerate(terms):
        a = attendance(sel, y, term)
        children = pick([row[j] for row in term_children.cells], term_children.col_totals[j])
        hidden = children is None
        term_trend.append(
            {
                "label": term_label(y, term, programme.country),
                "short": term_short(y, term, programme.country),
                "children": children,
                "rate": None if hidden else a["rate"],
                "hours": None if hidden else a["hours"],
            }
        )
    year_trend = []
    for j, y in enumerate(trend_years):
        children = pick([row[j] for row in year_children.cells], year_children.col_totals[j])
        kept = sum(field_of(c, y, "retained") for c in sel)
        before = sum(field_of(c, y - 1, "children") for c in sel)
        small = suppress and (0 < kept < t or 0 < before < t or children is None)
        year_trend.append(
            {
                "label": year_label(y),
                "children": children,
                "retention": None if small else _rate(kept, before),
            }
        )

    return {
        "year": this_year,
        "year_label": year_label(this_year),
        "suppressed": suppress,
        "threshold": t,
        "centres": centre_rows,
        "totals": totals,
        "term_trend": term_trend,
        "year_trend": year_trend,
        "equity": equity_profile(centres, today=today, suppress=suppress, show=show),
        "wide_unshared": round(wide) if wide and not share_wide else None,
        "income_by_currency": {
            cur: round(sum(v.values(), Decimal(0))) for cur, v in sorted(income.items())
        },
    }


def equity_profile(centres: list, *, today: dt.date, suppress: bool, show=None) -> list[Table]:
    """Who the active children are, against their schools and areas (two queries:
    today's equity snapshot, partner schools; the snapshot is counted on the first
    view of the day, see ``equity_counts``).

    Protected over every centre in ``centres``; rows of ``show`` only when given."""
    centre_ids = [c.pk for c in centres]
    shown_index = _shown(centres, show)
    counts = equity_counts(centre_ids, today)
    flags = {c: counts[c]["flags"] for c in centre_ids}
    schools = {
        r["centre_id"]: r
        for r in PartnerSchool.objects.filter(centre_id__in=centre_ids, pupils__isnull=False)
        .exclude(fsm_percent__isnull=True)
        .values("centre_id")
        .annotate(fsm_pupils=Sum(models_fsm_pupils()), roll=Sum("pupils"))
        .order_by()
    }
    tables = []

    def school_fsm(rows):
        roll = sum(r["roll"] for r in rows)
        return round(sum(float(r["fsm_pupils"]) for r in rows) / roll, 1) if roll else None

    measures = [
        ("fsm", _("FSM")),
        ("sen", _("SEN")),
        ("eal", _("EAL")),
        ("lac", _("Looked after")),
    ]
    protected = {}
    for key, _label in measures:
        raw = []
        for c in centre_ids:
            row = flags.get(c, {})
            raw.append([row.get(key, 0), row.get("total", 0) - row.get(key, 0)])
        protected[key] = _partitions(raw, suppress)

    def active_total(i):
        # A total hidden by any of the four tables is hidden in the combined one.
        values = [protected[k].row_totals[i] for k, _l in measures]
        return None if any(v is None for v in values) else values[0]

    def grand_total():
        values = [protected[k].grand_total for k, _l in measures]
        return None if any(v is None for v in values) else values[0]

    columns = [_("Centre"), _("Active children")]
    for key, label in measures:
        columns += [label, _("%(measure)s (%%)") % {"measure": label}]
        if key == "fsm":
            columns.append(_("Schools' FSM (%)"))
    columns.append(_("Area deprivation decile"))

    def line(name, values, total, fsm_school, decile):
        row = [name, total]
        for key, _label in measures:
            row += [values[key], disclosure.share_rounded(values[key], total)]
            if key == "fsm":
                row.append(fsm_school)
        return [*row, decile]

    rows = []
    for i in shown_index:
        school = schools.get(centre_ids[i])
        rows.append(
            line(
                centres[i].name,
                {k: protected[k].cells[i][0] for k, _l in measures},
                active_total(i),
                school_fsm([school]) if school else None,
                centres[i].area.deprivation_decile,
            )
        )
    footer = None
    if show is None and len(centres) > 1:
        footer = line(
            _("All centres"),
            {k: protected[k].col_totals[0] for k, _l in measures},
            grand_total(),
            school_fsm(list(schools.values())),
            "",
        )
    tables.append(
        Table(
            "needs",
            _("Free school meals, SEN, EAL and looked-after children"),
            columns,
            rows,
            footer,
            note=_(
                "FSM: eligible for free school meals today. SEN: SEN support or an EHC plan. "
                "EAL: English as an additional language. Deprivation decile: 1 = most deprived."
            ),
        )
    )

    def category_table(key, title, field_name, choices):
        data = {c: counts[c][key] for c in centre_ids}
        present = [
            (value, label)
            for value, label in choices
            if any(data[c].get(value) for c in centre_ids)
        ]
        if any(data[c].get("") for c in centre_ids) and "" not in dict(present):
            present.append(("", _("Not recorded")))
        columns = [title, _("Children"), _("Share (%)")]
        if not present:
            return Table(key, title, columns, [])
        raw = [[data[c].get(value, 0) for value, _label in present] for c in centre_ids]
        result = _partitions(raw, suppress)
        if show is None:
            values, whole = result.col_totals, result.grand_total
        else:
            values = [_sum([result.cells[i][j] for i in shown_index]) for j in range(len(present))]
            whole = _sum([result.row_totals[i] for i in shown_index])
        rows = [
            [str(label), values[j], disclosure.share_rounded(values[j], whole)]
            for j, (_value, label) in enumerate(present)
        ]
        return Table(
            key, title, columns, rows, [_("Active children"), whole, 100.0 if whole else None]
        )

    tables.append(category_table("sex", _("Sex"), "sex", Sex.choices))
    tables.append(category_table("year_group", _("Year group"), "year_group", YearGroup.choices))
    tables.append(
        category_table("ethnicity", _("Ethnicity"), "sensitive__ethnicity", EthnicityCode.choices)
    )
    return tables


def models_fsm_pupils():
    """Pupils on free school meals in a school: pupils × FSM% / 100 (as a percent sum)."""
    from django.db.models import ExpressionWrapper, F, FloatField

    return ExpressionWrapper(F("pupils") * F("fsm_percent"), output_field=FloatField())


def drifting_away(centre, today: dt.date, limit: int = 10) -> list:
    """The register's "drifting away" list (``harmonia.ensembles.insight``'s
    definition: the last four weeks at least 25 points below the twelve before),
    computed from the marks of those sixteen weeks only, so a centre's whole
    history is never read. Two queries."""
    from harmonia.ensembles import insight
    from harmonia.ensembles.codes import attended_q, possible_q
    from harmonia.ensembles.models import Mark, Occurrence

    recent_from = today - dt.timedelta(days=insight.RECENT_DAYS - 1)
    before_from = recent_from - dt.timedelta(days=insight.BEFORE_DAYS)
    came = attended_q()
    recent = Q(occurrence__date__gte=recent_from)
    possible = possible_q()
    # The sessions of those weeks where this centre's children play (an index
    # range on occurrences, then marks by occurrence: never a scan of all marks).
    sessions = Occurrence.objects.filter(
        Q(centre=centre) | Q(ensemble__member_centres=centre),
        date__gte=before_from,
        date__lte=today,
    ).values("pk")
    rows = (
        Mark.objects.filter(
            occurrence_id__in=sessions,
            child__centre=centre,
            child__anonymised_at=None,
        )
        .values("child_id")
        .annotate(
            recent=Count("id", filter=recent & possible),
            recent_came=Count("id", filter=recent & came),
            before=Count("id", filter=~recent & possible),
            before_came=Count("id", filter=~recent & came),
        )
        .filter(recent__gte=insight.MIN_RECENT, before__gte=insight.MIN_BEFORE)
        .order_by()
    )
    falls = {}
    for r in rows:
        before_rate = r["before_came"] / r["before"]
        recent_rate = r["recent_came"] / r["recent"]
        if before_rate - recent_rate >= insight.DRIFT_DROP:
            falls[r["child_id"]] = (before_rate, recent_rate)
    worst = sorted(falls, key=lambda pk: falls[pk][1] - falls[pk][0])[:limit]
    children = Child.objects.in_bulk(worst)
    result = []
    for pk in worst:
        child = children[pk]
        child.before_rate, child.recent_rate = falls[pk]
        result.append(child)
    return result


EQUITY_DIMENSIONS = {"sex": "sex", "year_group": "year_group", "ethnicity": "sensitive__ethnicity"}


def equity_counts(centre_ids: list[int], today: dt.date) -> dict:
    """Today's counts of active children per centre: {"flags": {total, fsm, sen,
    eal, lac}, "sex": {value: n}, "year_group": {…}, "ethnicity": {…}}.

    Read from ``EquitySnapshot`` (one query). Centres not yet counted today are
    counted from the child records (four grouped queries) and stored, so the
    cost of reading every child is paid once a day, not on every dashboard."""
    from harmonia.reports.models import EquitySnapshot

    counts: dict[int, dict] = {
        c: {"flags": defaultdict(int), **{k: defaultdict(int) for k in EQUITY_DIMENSIONS}}
        for c in centre_ids
    }
    seen = set()
    for snap in EquitySnapshot.objects.filter(centre_id__in=centre_ids, day=today):
        seen.add(snap.centre_id)
        group = "flags" if snap.dimension not in EQUITY_DIMENSIONS else snap.dimension
        key = snap.dimension if group == "flags" else snap.value
        counts[snap.centre_id][group][key] = snap.children
    missing = [c for c in centre_ids if c not in seen]
    if missing:
        _count_equity(missing, today, counts)
    return counts


def _count_equity(centre_ids: list[int], today: dt.date, counts: dict) -> None:
    from django.db import IntegrityError, transaction

    from harmonia.reports.models import EquitySnapshot

    active = Child.objects.filter(
        centre_id__in=centre_ids, status=Status.ACTIVE, anonymised_at__isnull=True
    )
    fsm = FsmPeriod.objects.filter(
        Q(end__isnull=True) | Q(end__gte=today), child=OuterRef("pk"), start__lte=today
    )
    for r in (
        active.annotate(is_fsm=Exists(fsm))
        .values("centre_id")
        .annotate(
            total=Count("id"),
            fsm=Count("id", filter=Q(is_fsm=True)),
            sen=Count(
                "id",
                filter=Q(sensitive__sen_status__in=[SenStatus.SUPPORT, SenStatus.EHC_PLAN]),
            ),
            eal=Count("id", filter=Q(sensitive__eal=True)),
            lac=Count("id", filter=Q(sensitive__looked_after=True)),
        )
        .order_by()
    ):
        for key in ("total", "fsm", "sen", "eal", "lac"):
            counts[r["centre_id"]]["flags"][key] = r[key]
    for key, field_name in EQUITY_DIMENSIONS.items():
        for r in active.values("centre_id", field_name).annotate(n=Count("id")).order_by():
            counts[r["centre_id"]][key][r[field_name] or ""] += r["n"]
    rows = []
    for c in centre_ids:
        # Every centre gets a total row, even of zero, so it counts as counted.
        counts[c]["flags"].setdefault("total", 0)
        for key, n in counts[c]["flags"].items():
            rows.append(EquitySnapshot(centre_id=c, day=today, dimension=key, children=n))
        for key in EQUITY_DIMENSIONS:
            for value, n in counts[c][key].items():
                rows.append(
                    EquitySnapshot(centre_id=c, day=today, dimension=key, value=value, children=n)
                )
    try:
        with transaction.atomic():
            EquitySnapshot.objects.filter(centre_id__in=centre_ids, day__lt=today).delete()
            EquitySnapshot.objects.bulk_create(rows, batch_size=5000)
    except IntegrityError:  # another request counted the same centres at the same moment
        pass


def refresh_equity(centre_ids: list[int], today: dt.date) -> None:
    """Count again now (after imports or bulk changes; ``rebuild_rollups`` calls it)."""
    from harmonia.reports.models import EquitySnapshot

    EquitySnapshot.objects.filter(centre_id__in=centre_ids, day=today).delete()
    equity_counts(centre_ids, today)
