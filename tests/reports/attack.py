"""The attacker of the disclosure-control tests: someone with a funder's (or an
evaluator's) login who downloads every page and file about a programme's year,
and works out what the published numbers imply about the hidden ones.

What the attacker knows (stated in docs/reports.md, "Attacker model"):

* every number shown on every page and in every CSV they can open, exactly
  (money and rates as rounded on the page, so as intervals);
* the definitions: a centre's active children split into FSM / not FSM (and SEN,
  EAL, looked after) and into each sex, year group, ethnicity and partner school
  (plus "no partner school"); a total over several centres is the sum of theirs;
  children reached in an activity or a term never exceed those reached that year;
* programme-wide grants are shared between centres by children reached, and the
  grants naming each centre (the grant pages): income − own grants = a common
  amount per child × children reached, whenever such a share is visibly there;
* every count is a whole number ≥ 0, and a hidden count may be any of them (a
  hidden number is hidden either because it is small or to protect a small one;
  the attacker cannot tell which).

For every number shown as hidden, the smallest and largest values consistent with
all that are found with ``scipy.optimize.linprog`` (the LP relaxation: a wider
range than the integer one, never narrower, so a range of at least the threshold
here holds for the integer problem too only as an outer bound: see the docs).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

import numpy as np
from django.urls import reverse
from scipy.optimize import linprog

HIDDEN = {"[c]", "<5"}
FLAG_COLUMNS = {"FSM": "fsm", "SEN": "sen", "EAL": "eal", "Looked after": "lac"}
DIMENSIONS = {"Sex": "sex", "Year group": "year_group", "Ethnicity": "ethnicity"}
NEEDS_TITLE = "Free school meals, SEN, EAL and looked-after children"


class _Tables(HTMLParser):
    """Every <table> of a page: caption, header, body rows, footer rows (text)."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._cell = None
        self._row = None
        self._part = None
        self._caption = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "head": [], "body": [], "foot": []})
        elif not self.tables:
            return
        elif tag == "caption":
            self._caption = []
        elif tag in ("thead", "tbody", "tfoot"):
            self._part = {"thead": "head", "tbody": "body", "tfoot": "foot"}[tag]
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if not self.tables:
            return
        if tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][self._part or "body"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def html_tables(html: str) -> list[dict]:
    parser = _Tables()
    parser.feed(html)
    out = []
    for t in parser.tables:
        head = t["head"][0] if t["head"] else []
        out.append({"title": t["caption"], "columns": head, "rows": t["body"], "foot": t["foot"]})
    return out


def csv_tables(data: bytes) -> list[dict]:
    """The tables of a report CSV: a title line, a header line, rows; blank between."""
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    tables, i = [], 0
    while i < len(lines):
        if lines[i] == [] and i + 2 < len(lines) and len(lines[i + 1]) == 1:
            title, columns = lines[i + 1][0], lines[i + 2]
            rows, i = [], i + 3
            while i < len(lines) and lines[i] and len(lines[i]) == len(columns):
                rows.append(lines[i])
                i += 1
            foot = [rows.pop()] if rows and rows[-1][0] in _FOOT_LABELS else []
            tables.append({"title": title, "columns": columns, "rows": rows, "foot": foot})
        else:
            i += 1
    return tables


_FOOT_LABELS = {"All centres", "All recipients", "All schools", "Active children", "Total"}


def number(text: str):
    """A shown number, or HIDDEN, or None (no number: a name, a dash, nothing)."""
    text = text.strip()
    if text in HIDDEN:
        return HIDDEN
    text = text.replace(",", "").replace("%", "")
    try:
        return float(text)
    except ValueError:
        return None


@dataclass
class System:
    """Unknowns (true counts) and what the published numbers say about them."""

    threshold: int
    names: dict = field(default_factory=dict)
    equalities: list = field(default_factory=list)  # ({var: coeff}, value)
    ranges: list = field(default_factory=list)  # ({var: coeff}, low, high)
    hidden: dict = field(default_factory=dict)  # frozenset(expr items) -> description
    shown: int = 0

    def var(self, *key) -> int:
        return self.names.setdefault(key, len(self.names))

    def expr(self, keys) -> dict:
        coeffs: dict[int, float] = defaultdict(float)
        for key in keys:
            coeffs[self.var(*key)] += 1.0
        return dict(coeffs)

    def publish(self, keys, value, where: str):
        """One published cell: the sum of ``keys`` is ``value`` (or hidden)."""
        if value is None:
            return
        expr = self.expr(keys)
        if value is HIDDEN:
            self.hidden.setdefault(frozenset(expr.items()), where)
        else:
            self.shown += 1
            self.equalities.append((expr, value))

    def between(self, expr: dict, low: float, high: float):
        self.ranges.append((expr, low, high))

    def intervals(self) -> list[tuple[str, float, float]]:
        n = len(self.names)
        a_eq = np.zeros((len(self.equalities), n))
        b_eq = np.zeros(len(self.equalities))
        for k, (expr, value) in enumerate(self.equalities):
            for v, c in expr.items():
                a_eq[k, v] = c
            b_eq[k] = value
        a_ub, b_ub = [], []
        for expr, low, high in self.ranges:
            row = np.zeros(n)
            for v, c in expr.items():
                row[v] = c
            if np.isfinite(high):
                a_ub.append(row)
                b_ub.append(high)
            if np.isfinite(low):
                a_ub.append(-row)
                b_ub.append(-low)
        a_ub = np.array(a_ub) if a_ub else None
        b_ub = np.array(b_ub) if b_ub else None
        feasible = linprog(
            np.zeros(n), A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)
        )
        assert feasible.status == 0, "the published numbers contradict the attacker's model"
        out = []
        for items, where in self.hidden.items():
            c = np.zeros(n)
            for v, coeff in items:
                c[v] = coeff
            bounds = []
            for sign in (1, -1):
                res = linprog(
                    sign * c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)
                )
                bounds.append(float("inf") if res.status == 3 else sign * res.fun)
            out.append((where, bounds[0], bounds[1]))
        return out

    def too_narrow(self) -> list[tuple[str, float, float]]:
        return [(w, lo, hi) for w, lo, hi in self.intervals() if hi - lo < self.threshold - 1e-6]


class Harvest:
    """Reads every release a persona can open and turns it into a System."""

    def __init__(self, client, programme, threshold: int, year: int):
        self.client = client
        self.programme = programme
        self.year = year
        self.system = System(threshold)
        self.centres = {c.name: c.pk for c in programme.centres.all()}
        self.schools = {}  # school name -> centre pk
        self.labels = defaultdict(set)  # dimension -> every category label seen
        self.category_tables = []  # (dimension, centre pks, labels listed)
        self.incomes = []  # (centre pk, income, reached or HIDDEN)
        self.pages = 0

    # --- fetching -------------------------------------------------------------
    def get(self, url) -> str | None:
        response = self.client.get(url)
        if response.status_code != 200:
            return None
        self.pages += 1
        return response.content.decode()

    def export_csv(self, **post) -> bytes | None:
        from harmonia.reports.models import ExportJob

        before = set(ExportJob.objects.values_list("pk", flat=True))
        response = self.client.post(reverse("reports:export_start"), {"format": "csv", **post})
        if response.status_code != 302:
            return None
        job = ExportJob.objects.exclude(pk__in=before).get()
        response = self.client.get(reverse("reports:job_download", args=[job.pk]))
        assert response.status_code == 200
        self.pages += 1
        return b"".join(response.streaming_content)

    # --- reading tables -------------------------------------------------------
    def read_tables(self, tables, scope: list[int], where: str):
        for t in tables:
            cols = t["columns"]
            if t["title"] == NEEDS_TITLE:
                self._needs(t, scope, where)
            elif t["title"] in DIMENSIONS and cols and cols[0] == t["title"]:
                self._category(t, DIMENSIONS[t["title"]], scope, where)
            elif cols[:2] == ["Centre", "Reached"]:
                self._centres(t, scope, where)
            elif t["title"] == "Children reached each year" and cols and cols[0] == "Year":
                for row in t["rows"]:
                    y = int(row[0].split("/")[0])
                    self.system.publish(
                        [("reached", c, y) for c in scope], number(row[1]), where + " year"
                    )
            elif t["title"] == "Children reached each year" and cols and cols[0] == "Centre":
                years = [int(c.split("/")[0]) for c in cols[1:]]
                for row in t["rows"]:
                    c = self.centres[row[0]]
                    for y, text in zip(years, row[1:], strict=True):
                        self.system.publish([("reached", c, y)], number(text), where)
                for row in t["foot"]:
                    for y, text in zip(years, row[1:], strict=True):
                        self.system.publish(
                            [("reached", c, y) for c in scope], number(text), where + " total"
                        )
            elif t["title"] == "Attendance and hours of music by term":
                for row in t["rows"]:
                    term = row[0]
                    self.system.publish(
                        [("term", c, term) for c in scope], number(row[1]), where + " term"
                    )
            elif t["title"] == "Pupils reached by activity" and cols[0] == "Centre":
                self._activities(t, scope, where)
            elif t["title"] == "Schools worked with":
                self._schools(t, scope, where)
            elif t["title"] == "Spending and delivery":
                self._spending(t, scope, where)
            elif t["title"] == "Hours of music":
                # hours per child per week = child-hours ÷ reached ÷ weeks delivered
                weeks_col, rate_col = (
                    cols.index("Weeks delivered"),
                    cols.index("Hours per child per week"),
                )
                for row in t["rows"]:
                    c = self.centres[row[0]]
                    weeks = number(row[weeks_col])
                    if isinstance(weeks, float) and weeks:
                        self._per_unit(
                            ("reached", c, self.year), row[1], row[rate_col], weeks, 0.05, where
                        )

    def _needs(self, t, scope, where):
        cols = t["columns"]
        for row in t["rows"]:
            self._needs_row(cols, row, [self.centres[row[0]]], where + " " + row[0])
        for row in t["foot"]:
            self._needs_row(cols, row, scope, where + " all")

    def _needs_row(self, cols, row, cids, where):
        total = number(row[cols.index("Active children")])
        self.system.publish([("active", c) for c in cids], total, where + " active")
        for label, key in FLAG_COLUMNS.items():
            value = number(row[cols.index(label)])
            self.system.publish([(key, c) for c in cids], value, where + " " + key)
            pct = number(row[cols.index(f"{label} (%)")])
            self._percent([(key, c) for c in cids], [("active", c) for c in cids], pct, total)

    def _percent(self, part_keys, whole_keys, pct, whole):
        """A share shown to 0.1%: with the whole known it bounds the part."""
        if isinstance(pct, float) and isinstance(whole, float):
            expr = self.system.expr(part_keys)
            self.system.between(expr, (pct - 0.05) * whole / 100, (pct + 0.05) * whole / 100)

    def _category(self, t, dim, scope, where):
        listed = set()
        for row in t["rows"]:
            label = row[0]
            listed.add(label)
            self.labels[dim].add(label)
            self.system.publish([(dim, c, label) for c in scope], number(row[1]), where + label)
        for row in t["foot"]:
            self.system.publish([("active", c) for c in scope], number(row[1]), where + " all")
        if t["rows"]:
            self.category_tables.append((dim, list(scope), listed))

    def _centres(self, t, scope, where):
        cols = t["columns"]
        fields = {"Reached": "reached", "Ever": "ever", "Active": "active", "Waiting": "waiting"}

        def keys(name, cids):
            if name == "reached":
                return [("reached", c, self.year) for c in cids]
            return [(name, c) for c in cids]

        lines = [(row, [self.centres[row[0]]]) for row in t["rows"]]
        lines += [(row, scope) for row in t["foot"]]
        for row, cids in lines:
            for col, name in fields.items():
                self.system.publish(keys(name, cids), number(row[cols.index(col)]), where + col)
            income = number(row[next(i for i, c in enumerate(cols) if c.startswith("Income"))])
            per_child = number(row[cols.index("Per child")])
            reached = number(row[cols.index("Reached")])
            if isinstance(income, float) and isinstance(per_child, float):
                self._per_unit(
                    keys("reached", cids)[0] if len(cids) == 1 else None,
                    row[next(i for i, c in enumerate(cols) if c.startswith("Income"))],
                    row[cols.index("Per child")],
                    1.0,
                    0.5,
                    where,
                    keys("reached", cids),
                )
            if len(cids) == 1 and isinstance(income, float):
                self.incomes.append((cids[0], income, reached))

    def _per_unit(self, key, amount_text, rate_text, scale, half_step, where, keys=None):
        """rate = amount / (count × scale), both rounded: bounds on the count."""
        amount, rate = number(amount_text), number(rate_text)
        if not (isinstance(amount, float) and isinstance(rate, float)) or rate <= half_step:
            return
        expr = self.system.expr(keys or [key])
        low = max(amount - 0.5, 0) / ((rate + half_step) * scale)
        high = (amount + 0.5) / ((rate - half_step) * scale)
        self.system.between(expr, low, high)

    def _activities(self, t, scope, where):
        cols = t["columns"]
        for row in t["rows"] + t["foot"]:
            cids = [self.centres[row[0]]] if row[0] in self.centres else scope
            for j, col in enumerate(cols[1:], start=1):
                key = "reached" if col == "Any activity" else "activity:" + col
                keys = [(key, c, self.year) for c in cids]
                self.system.publish(keys, number(row[j]), where + col)

    def _schools(self, t, scope, where):
        cols = t["columns"]
        for row in t["rows"]:
            c = self.centres[row[cols.index("Centre")]]
            self.schools[row[0]] = c
            value = number(row[cols.index("Active children")])
            self.system.publish([("school", c, row[0])], value, where + row[0])
        for row in t["foot"]:
            value = number(row[cols.index("Active children")])
            self.system.publish(
                [("school", c, s) for s, c in self.schools.items() if c in scope],
                value,
                where + " all",
            )

    def _spending(self, t, scope, where):
        cols = t["columns"]
        for row in t["rows"]:
            y = int(row[0].split("/")[0])
            self._per_unit(
                None,
                row[1],
                row[cols.index("Cost per child")],
                1.0,
                0.5,
                where,
                [("reached", c, y) for c in scope],
            )

    def centre_page(self, html, cid, where):
        """The centre page's "Who we reach": active children, shares, schools."""
        for t in html_tables(html):
            if t["columns"][:2] == ["School", "Active children"]:
                for row in t["rows"]:
                    if len(row) > 1:
                        self.system.publish([("school", cid, row[0])], number(row[1]), where)
        m = re.search(r'aria-labelledby="equity-profile-heading">(.*?)</section>', html, re.S)
        if not m:
            return
        stats = re.findall(
            r'stat__value">([^<]*)</span><span class="stat__label">([^<]*)<', m.group(1)
        )
        total = None
        names = {
            "Free school meals": "fsm",
            "SEN support or EHC plan": "sen",
            "English as an additional language": "eal",
            "Looked after": "lac",
        }
        for value, label in stats:
            if label == "Active children":
                total = number(value)
                self.system.publish([("active", cid)], total, where + " active")
            elif label in names:
                pct = number(value)
                if isinstance(pct, float) and isinstance(total, float):
                    # shown as a whole percentage
                    expr = self.system.expr([(names[label], cid)])
                    self.system.between(expr, (pct - 0.5) * total / 100, (pct + 0.5) * total / 100)
                elif pct is HIDDEN:
                    self.system.publish([(names[label], cid)], HIDDEN, where + label)

    def programme_page(self, html, where):
        for t in html_tables(html):
            if t["columns"][:2] == ["Centre", "Active children"] and "SEN" in t["columns"]:
                cols = t["columns"]
                for row in t["rows"]:
                    if row[0] not in self.centres:
                        continue
                    c = self.centres[row[0]]
                    total = number(row[1])
                    self.system.publish([("active", c)], total, where)
                    measures = (("Free school meals", "fsm"), ("SEN", "sen"), ("EAL", "eal"))
                    for label, key in measures:
                        pct = number(row[cols.index(label)])
                        if isinstance(pct, float) and isinstance(total, float):
                            expr = self.system.expr([(key, c)])
                            self.system.between(
                                expr, (pct - 0.5) * total / 100, (pct + 0.5) * total / 100
                            )

    # --- what the attacker knows without being told ----------------------------
    def definitions(self, own_income: dict):
        s = self.system
        cids = list(self.centres.values())
        for c in cids:
            active = s.var("active", c)
            for key in FLAG_COLUMNS.values():
                s.equalities.append(
                    ({s.var(key, c): 1.0, s.var("not_" + key, c): 1.0, active: -1.0}, 0.0)
                )
            for dim, labels in self.labels.items():
                expr = {s.var(dim, c, label): 1.0 for label in labels}
                expr[active] = -1.0
                s.equalities.append((expr, 0.0))
            schools = [name for name, centre in self.schools.items() if centre == c]
            if schools:
                expr = {s.var("school", c, name): 1.0 for name in schools}
                expr[s.var("no_school", c)] = 1.0
                expr[active] = -1.0
                s.equalities.append((expr, 0.0))
        for dim, scope, listed in self.category_tables:
            # a category missing from a table has no child in any of its centres
            for label in self.labels[dim] - listed:
                for c in scope:
                    s.equalities.append(({s.var(dim, c, label): 1.0}, 0.0))
        for key in list(s.names):
            name = key[0]
            if name == "term":  # a term's children are some of that year's
                y = int(key[2].split()[-1].split("/")[0])
                s.ranges.append(
                    ({s.var(*key): 1.0, s.var("reached", key[1], y): -1.0}, -np.inf, 0.0)
                )
            elif name.startswith("activity:"):
                s.ranges.append(
                    ({s.var(*key): 1.0, s.var("reached", key[1], key[2]): -1.0}, -np.inf, 0.0)
                )
        self._income_attack(own_income)

    def _income_attack(self, own_income: dict):
        """Income − own grants = (programme-wide money ÷ children reached) × reached:
        a centre whose reached is shown gives the rate, which turns another centre's
        income into its hidden reached."""
        rates = []
        for c, income, reached in self.incomes:
            share = income - float(own_income.get(c, 0))
            if isinstance(reached, float) and reached > 0 and share > 1:
                rates.append(((share - 1) / reached, (share + 1) / reached))
        if not rates:
            return
        low_rate = max(r[0] for r in rates)
        high_rate = min(r[1] for r in rates)
        for c, income, reached in self.incomes:
            share = income - float(own_income.get(c, 0))
            if reached is HIDDEN and share > 1 and low_rate > 0:
                expr = self.system.expr([("reached", c, self.year)])
                self.system.between(expr, (share - 1) / high_rate, (share + 1) / low_rate)


def own_grant_income(programme, year: int) -> dict:
    """What a funder works out from the grant pages: each centre's own grants'
    share of the year, pro rata by days (amounts, dates and recipients are shown)."""
    import datetime as dt
    from decimal import Decimal

    first, after = dt.date(year, 9, 1), dt.date(year + 1, 9, 1)
    own: dict[int, Decimal] = defaultdict(Decimal)
    for grant in programme.grants.prefetch_related("centres"):
        end = grant.end + dt.timedelta(days=1)
        overlap = (min(end, after) - max(grant.start, first)).days
        recipients = list(grant.centres.all())
        if overlap <= 0 or not recipients:
            continue
        part = grant.amount * Decimal(overlap) / Decimal((end - grant.start).days)
        for c in recipients:
            own[c.pk] += part / len(recipients)
    return own


def attack(client, user, programme, threshold: int) -> Harvest:
    """Everything ``user`` can open about ``programme`` this year, as one system."""
    from django.utils import timezone

    from harmonia.reports.rollups import academic_year

    client.force_login(user)
    year = academic_year(timezone.localdate())
    h = Harvest(client, programme, threshold, year)
    everyone = list(h.centres.values())
    html = h.get(reverse("reports:programme_dashboard", args=[programme.pk]))
    if html:
        h.read_tables(html_tables(html), everyone, "programme dashboard")
    html = h.get(reverse("programmes:programme_detail", args=[programme.pk]))
    if html:
        h.programme_page(html, "programme page")
    for name, pk in h.centres.items():
        html = h.get(reverse("reports:centre_dashboard", args=[pk]))
        if html:
            h.read_tables(html_tables(html), [pk], f"{name} dashboard")
    html = h.get(reverse("reports:annual_return", args=[programme.pk]) + f"?year={year}")
    if html:
        h.read_tables(html_tables(html), everyone, "annual return")
    data = h.export_csv(kind="annual_return", programme=programme.pk, year=year, lang="en")
    if data:
        h.read_tables(csv_tables(data), everyone, "annual return CSV")
    for grant in programme.grants.prefetch_related("centres"):
        scope = [c.pk for c in grant.centres.all()] or everyone
        html = h.get(reverse("reports:grant_report", args=[grant.pk]))
        if html:
            h.read_tables(html_tables(html), scope, f"grant {grant.pk}")
            data = h.export_csv(kind="grant_report", grant=grant.pk, lang="en")
            if data:
                h.read_tables(csv_tables(data), scope, f"grant {grant.pk} CSV")
    for name, pk in h.centres.items():  # read last: needs the schools' centres
        html = h.get(reverse("programmes:centre_detail", args=[pk]))
        if html:
            h.centre_page(html, pk, f"{name} centre page")
    h.definitions(own_grant_income(programme, year))
    return h
