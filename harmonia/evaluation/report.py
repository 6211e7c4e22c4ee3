"""A self-contained evaluation report (HTML with an inline SVG forest plot, or PDF).

The HTML has no external resources, so the file can be e-mailed or archived as it is; the
PDF is the same document rendered by WeasyPrint.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import platform
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import power as pw
from .api import METHOD_NAMES
from .data import covariate_indicators, group_codes, numeric
from .errors import EvaluationError
from .i18n import N_, _, language, ngettext
from .multilevel import fit_random_intercept
from .propensity import balance_table
from .results import BalanceRow, Estimate, EvaluationFamily, EvaluationResult, PowerResult


@dataclass
class ReportContext:
    command: str
    data_path: str
    sha256: str
    n_rows: int
    title: str | None = None
    question: str | None = None
    population: str = "participants"
    treated_label: str | None = None
    comparison_label: str | None = None


def esc(x: object) -> str:
    return html.escape(str(x), quote=True)


def num(x: float | None, digits: int = 2) -> str:
    """Readable number: thousands separators, sensible decimals, proper minus sign."""
    if x is None or not math.isfinite(x):
        return "&ndash;"
    ax = abs(x)
    if ax >= 100:
        s = f"{ax:,.0f}" if ax >= 10000 else f"{ax:,.1f}"
    elif ax >= 1 or ax == 0:
        s = f"{ax:.{digits}f}"
    else:
        s = f"{ax:.{max(digits, 2)}f}" if ax >= 0.01 else f"{ax:.2g}"
    return ("\u2212" if x < 0 and float(s.replace(",", "")) != 0 else "") + s


def pval(p: float | None) -> str:
    if p is None or not math.isfinite(p):
        return "&ndash;"
    return "&lt;0.001" if p < 0.001 else f"{p:.3f}"


# --------------------------------------------------------------------------- plain English


def _population(ctx: ReportContext) -> str:
    """The population named in the report: "participants" is the default, in any language."""
    return _(N_("participants")) if ctx.population == "participants" else ctx.population


def _groups(a: EvaluationResult, e: Estimate, ctx: ReportContext) -> tuple[str, str]:
    pop = _population(ctx)
    if a.treatment_type == "binary" or (a.method in ("ipw", "match") and len(a.levels) == 2):
        treated = ctx.treated_label or _("with {treatment} = {level}").format(
            treatment=a.treatment, level=e.term if a.treatment_type == "categorical" else 1
        )
        return f"{pop} {treated}", ctx.comparison_label or _(
            "{population} in the comparison group"
        ).format(population=pop)
    if a.treatment_type == "categorical":
        treated = ctx.treated_label if ctx.treated_label and len(a.levels) == 2 else None
        return (
            f"{pop} {treated or _('in the {group} group').format(group=e.term)}",
            _("those in the {group} group").format(group=a.reference),
        )
    return pop, ""


def sentence(a: EvaluationResult, e: Estimate, ctx: ReportContext) -> str:
    """One plain sentence for one estimate, in the report's language."""
    conf = int(round((1 - a.alpha) * 100))
    has_sd = e.std_estimate is not None and math.isfinite(e.std_estimate)
    val, lo, hi = (
        (e.std_estimate, e.std_ci_low, e.std_ci_high)
        if has_sd
        else (e.estimate, e.ci_low, e.ci_high)
    )
    amount = (
        _("{value} standard deviations").format(value=num(abs(val))) if has_sd else num(abs(val))
    )
    outcome = f"<em>{esc(a.outcome)}</em>"
    raw = (
        _(" (a difference of {value} on the original scale)").format(value=num(e.estimate))
        if has_sd
        else ""
    )
    if a.method == "multilevel" and a.treatment_type == "none":
        return _(
            "The average {outcome} across groups was {value}, {conf}% CI {low} to {high}."
        ).format(
            outcome=outcome, value=num(e.estimate), conf=conf, low=num(e.ci_low),
            high=num(e.ci_high),
        )  # fmt: skip
    if a.method == "did":
        template = (
            _(
                "After the change, {outcome} moved by {amount} more among {treated} than in the "
                "comparison group{raw}"
            )
            if e.estimate > 0
            else _(
                "After the change, {outcome} moved by {amount} less among {treated} than in the "
                "comparison group{raw}"
            )
        )
        treated = f"{esc(_population(ctx))} {esc(ctx.treated_label or _('in the treated group'))}"
        lead = template.format(outcome=outcome, amount=amount, treated=treated, raw=raw)
    elif a.treatment_type == "continuous":
        template = (
            _("Each one-unit increase in {treatment} went with {outcome} {amount} higher{raw}")
            if e.estimate > 0
            else _("Each one-unit increase in {treatment} went with {outcome} {amount} lower{raw}")
        )
        lead = template.format(
            treatment=f"<em>{esc(a.treatment)}</em>", outcome=outcome, amount=amount, raw=raw
        )
    else:
        who, than = _groups(a, e, ctx)
        adjusted = ""
        if a.covariates and a.method in ("ols", "multilevel", "did", "twfe"):
            adjusted = _(", after adjusting for {covariates}").format(
                covariates=", ".join(esc(c) for c in a.covariates)
            )
        template = (
            _("{who} scored {amount} higher on {outcome} than {than}{adjusted}{raw}")
            if e.estimate > 0
            else _("{who} scored {amount} lower on {outcome} than {than}{adjusted}{raw}")
        )
        lead = template.format(
            who=esc(who[0].upper() + who[1:]), amount=amount, outcome=outcome, than=esc(than),
            adjusted=adjusted, raw=raw,
        )  # fmt: skip
    ci = _(", {conf}% CI {low} to {high}").format(conf=conf, low=num(lo), high=num(hi))
    sig = e.p_adjusted if e.p_adjusted is not None else e.p_value
    if lo <= 0 <= hi:
        tail = _(
            ". The interval includes zero, so the data are consistent with no effect (p = {p})."
        ).format(p=pval(sig))
    else:
        tail = _(". This is unlikely to be chance alone (p = {p}).").format(p=pval(sig))
    return lead + ci + tail


# --------------------------------------------------------------------------- forest plot


def forest_svg(family: EvaluationFamily, standardised: bool) -> str:
    rows = []
    for a in family.analyses:
        for e in a.estimates:
            if standardised:
                rows.append((a.outcome, e.term, e.std_estimate, e.std_ci_low, e.std_ci_high))
            else:
                rows.append((a.outcome, e.term, e.estimate, e.ci_low, e.ci_high))
    rows = [r for r in rows if r[2] is not None and math.isfinite(r[2])]
    if not rows:
        return ""
    W, left, right, top, rh = 760, 250, 150, 44, 38
    H = top + rh * len(rows) + 56
    lo = min(0.0, *(r[3] for r in rows))
    hi = max(0.0, *(r[4] for r in rows))
    span = hi - lo or 1.0
    lo, hi = lo - 0.08 * span, hi + 0.08 * span
    ticks = _ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    pw_ = W - left - right

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * pw_

    unit = _("standard deviations") if standardised else _("outcome units")
    conf = int(round((1 - family.analyses[0].alpha) * 100))
    desc = "; ".join(
        _("{outcome} {term}: {value} ({conf}% CI {low} to {high})").format(
            outcome=o, term=t, value=f"{v:.3f}", conf=conf, low=f"{a_:.3f}", high=f"{b:.3f}"
        )
        for o, t, v, a_, b in rows
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" '
        f'role="img" aria-labelledby="fp-title fp-desc" class="forest">',
        '<title id="fp-title">'
        + esc(_("Forest plot of estimated effects in {unit}").format(unit=unit))
        + "</title>",
        '<desc id="fp-desc">'
        + esc(_("Point estimates with {conf}% confidence intervals.").format(conf=conf))
        + f" {esc(desc)}</desc>",
        f'<rect x="{left}" y="{top - 14}" width="{pw_}" height="{rh * len(rows) + 8}" '
        'fill="#f6f4ef"/>',
    ]
    for tv in ticks:
        xv = x(tv)
        out.append(
            f'<line x1="{xv:.1f}" y1="{top - 14}" x2="{xv:.1f}" y2="{top + rh * len(rows) - 6}" '
            'stroke="#d9d4c7" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{xv:.1f}" y="{top + rh * len(rows) + 14}" text-anchor="middle" '
            f'class="tick">{esc(_tick_label(tv))}</text>'
        )
    x0 = x(0.0)
    out.append(
        f'<line x1="{x0:.1f}" y1="{top - 20}" x2="{x0:.1f}" y2="{top + rh * len(rows) - 2}" '
        'stroke="#3b3b3b" stroke-width="1.5"/>'
    )
    out.append(
        f'<text x="{x0:.1f}" y="{top - 24}" text-anchor="middle" class="axis">'
        f"{esc(_('no effect'))}</text>"
    )
    out.append(
        f'<text x="{left - 12}" y="{top - 24}" text-anchor="end" class="head">'
        f"{esc(_('Outcome'))}</text>"
    )
    out.append(
        f'<text x="{W - 8}" y="{top - 24}" text-anchor="end" class="head">'
        + esc(_("Effect [{conf}% CI]").format(conf=conf))
        + "</text>"
    )
    multi = len(family.analyses) > 1
    for i, (o, t, v, a_, b) in enumerate(rows):
        yv = top + rh * i + rh / 2 - 10
        label = f"{o}: {t}" if multi else t
        if len(label) > 34:
            label = label[:33] + "\u2026"
        out.append(
            f'<text x="{left - 12}" y="{yv + 5:.1f}" text-anchor="end" class="lab">'
            f"{esc(label)}</text>"
        )
        out.append(
            f'<line x1="{x(a_):.1f}" y1="{yv:.1f}" x2="{x(b):.1f}" y2="{yv:.1f}" '
            'stroke="#1f4e79" stroke-width="2.5" stroke-linecap="round"/>'
        )
        for end in (a_, b):
            out.append(
                f'<line x1="{x(end):.1f}" y1="{yv - 6:.1f}" x2="{x(end):.1f}" y2="{yv + 6:.1f}" '
                'stroke="#1f4e79" stroke-width="2"/>'
            )
        out.append(
            f'<rect x="{x(v) - 7:.1f}" y="{yv - 7:.1f}" width="14" height="14" fill="#c0502d" '
            'stroke="#ffffff" stroke-width="1.5"/>'
        )
        out.append(
            f'<text x="{W - 8}" y="{yv + 5:.1f}" text-anchor="end" class="val">'
            f"{_tick_label(v, 2)} [{_tick_label(a_, 2)}, {_tick_label(b, 2)}]</text>"
        )
    out.append(
        f'<text x="{left + pw_ / 2:.1f}" y="{H - 10}" text-anchor="middle" class="axis">'
        + esc(_("Effect in {unit} (positive = higher outcome with treatment)").format(unit=unit))
        + "</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def _ticks(lo: float, hi: float) -> list[float]:
    span = hi - lo
    raw = span / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    start = math.floor(lo / step) * step
    out = []
    v = start
    while v <= hi + 1e-12:
        if v >= lo - 1e-12:
            out.append(round(v, 10))
        v += step
    return out or [lo, hi]


def _tick_label(v: float, digits: int | None = None) -> str:
    if digits is not None:
        s = f"{v:.{digits}f}" if abs(v) < 1000 else f"{v:,.0f}"
    else:
        s = f"{v:g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return s.replace("-", "\u2212")


# --------------------------------------------------------------------------- precision


def precision(df: pd.DataFrame, a: EvaluationResult, cluster_col: str | None) -> dict:
    """Post-hoc MDES for the design analysed, and the ICC of the outcome where there are groups.

    The MDES uses the realised sample sizes and no covariates (R2 = 0), so it describes the
    sensitivity of the design; it is not a power calculation for the observed effect.
    """
    share = a.n_treated / a.n if a.n_treated and a.n else 0.5
    share = min(max(share, 0.01), 0.99)
    info: dict = {"treated_share": share}
    if a.variance_components is not None and a.icc is not None and a.n_clusters:
        icc, J = a.icc, a.n_clusters
        info.update(icc=icc, icc_source=_("multilevel model of this analysis"), clusters=J)
        nbar = a.n / J
    elif cluster_col:
        sub = df[[a.outcome, cluster_col]].dropna()
        try:
            y = numeric(sub[a.outcome], "outcome")
            codes, J = group_codes(sub[cluster_col])
            if J < 3:
                raise EvaluationError("too few groups")
            fit = fit_random_intercept(y, np.ones((len(y), 1)), codes, J, ["(Intercept)"])
        except EvaluationError:
            return info | {"mdes": pw.mdes_individual(max(a.n, 4), treated=share)}
        icc = fit.icc
        source = _("null random-intercept model by {column}").format(column=cluster_col)
        info.update(icc=icc, icc_source=source, clusters=J)
        nbar = len(y) / J
    else:
        info["mdes"] = pw.mdes_individual(max(a.n, 4), alpha=a.alpha, treated=share)
        return info
    info["cluster_size"] = nbar
    if J >= 3:
        info["mdes"] = pw.mdes_cluster(J, nbar, min(icc, 0.999), alpha=a.alpha, treated=share)
    return info


# --------------------------------------------------------------------------- document

METHOD_TEXT = {
    "difference": N_(
        "A simple comparison of average outcomes between the groups. Standard errors pool the "
        "two groups' variances (the Welch version, which does not, is shown alongside). Hedges' g "
        "is the difference divided by the pooled standard deviation, corrected for small-sample "
        "bias."
    ),
    "ols": N_(
        "Ordinary least squares regression of the outcome on the treatment and the covariates "
        "(regression adjustment). Adjusting for baseline covariates removes chance imbalances "
        "and usually makes the estimate more precise."
    ),
    "did": N_(
        "A 2&times;2 difference-in-differences: the change in the treated group between the "
        "before and after periods, minus the change in the comparison group over the same "
        "periods (the group &times; period interaction in a regression)."
    ),
    "twfe": N_(
        "A regression with a fixed effect for every unit and every period (two-way fixed effects), "
        "so each unit is compared with itself over time and common shocks are removed."
    ),
    "multilevel": N_(
        "A linear mixed model with a random intercept for each group, estimated by restricted "
        "maximum likelihood (REML). It respects the fact that pupils in the same school resemble "
        "each other, so standard errors are not overstated in precision. Tests use "
        "between-within degrees of freedom."
    ),
    "ipw": N_(
        "Inverse-probability weighting for the average effect on the treated (ATT). A logistic "
        "model predicts the probability of treatment from the covariates; comparison units are "
        "weighted by p/(1&minus;p) so that they resemble the treated group. The standard error "
        "accounts for the estimated propensity score (stacked estimating equations)."
    ),
    "match": N_(
        "One-to-one nearest-neighbour matching on a logistic propensity score, without "
        "replacement, estimating the average effect on the treated (ATT). Each treated unit is "
        "paired with a similar comparison unit and outcomes are compared within pairs; standard "
        "errors are clustered on the matched pair."
    ),
}

CAVEATS = {
    "difference": N_(
        "Without random assignment, a raw difference mixes the programme's effect with "
        "any pre-existing differences between the groups."
    ),
    "ols": N_(
        "Regression adjustment removes only differences in the covariates included; "
        "unmeasured differences between groups can still bias the estimate."
    ),
    "did": N_(
        "Difference-in-differences relies on parallel trends, which these data cannot prove."
    ),
    "twfe": N_(
        "Two-way fixed effects remove stable unit differences and common time shocks, not "
        "unit-specific trends."
    ),
    "multilevel": N_(
        "The random-intercept model assumes group effects are unrelated to the "
        "covariates and normally distributed; with few groups the variance is uncertain."
    ),
    "ipw": N_(
        "Weighting balances only the measured covariates; it assumes no unmeasured confounding "
        "and enough overlap in propensity scores."
    ),
    "match": N_(
        "Matching balances only the measured covariates; unmatched treated units change the "
        "population the estimate refers to."
    ),
}

# The engine's method names (api.METHOD_NAMES), for the catalogue.
METHOD_LABELS = {
    "difference": N_("Difference in means"),
    "ols": N_("Regression adjustment (OLS)"),
    "did": N_("Difference-in-differences (2x2)"),
    "twfe": N_("Two-way fixed effects"),
    "multilevel": N_("Multilevel model (random intercept, REML)"),
    "ipw": N_("Inverse-probability weighting (ATT)"),
    "match": N_("Propensity-score matching (ATT)"),
}


# The engine's names for its model-based errors (results keep them in English).
SE_LABELS = {
    "model-based (REML)": N_("model-based (REML)"),
    "sandwich (M-estimation, PS estimated)": N_("sandwich (M-estimation, PS estimated)"),
    "cluster on matched pair (CR1)": N_("cluster on matched pair (CR1)"),
}

# Kinds of treatment, for the catalogue.
TREATMENT_TYPES = {
    "binary": N_("binary"),
    "categorical": N_("categorical"),
    "continuous": N_("continuous"),
    "none": N_("none"),
}


def method_name(method: str) -> str:
    return _(METHOD_LABELS[method]) if method in METHOD_LABELS else METHOD_NAMES[method]


CSS = """
:root { --ink:#1d1d1f; --muted:#555a60; --rule:#d9d4c7; --accent:#1f4e79; --warm:#c0502d;
  --paper:#fffdf8; --tint:#f6f4ef; }
* { box-sizing: border-box; }
html { background:#e9e6df; }
body { margin:0; color:var(--ink); font-family:"Liberation Sans", "Helvetica Neue", Arial,
  sans-serif; font-size:16px; line-height:1.55; font-variant-numeric: tabular-nums lining-nums; }
main { max-width: 880px; margin: 32px auto; background:var(--paper); padding: 56px 72px 48px;
  box-shadow: 0 1px 3px rgba(0,0,0,.12), 0 8px 24px rgba(0,0,0,.06); }
header.title { border-bottom: 3px double var(--ink); padding-bottom: 18px; margin-bottom: 28px; }
.kicker { text-transform: uppercase; letter-spacing: .14em; font-size: 12px; color: var(--accent);
  font-weight: 700; margin: 0 0 6px; }
h1, h2, h3 { font-family: Georgia, "DejaVu Serif", "Liberation Serif", serif; font-weight: 700;
  line-height: 1.2; }
h1 { font-size: 32px; margin: 0 0 10px; }
h2 { font-size: 21px; margin: 38px 0 10px; padding-top: 10px; border-top: 1px solid var(--rule); }
h2 .n { color: var(--accent); margin-right: .45em; }
h3 { font-size: 17px; margin: 22px 0 6px; }
.meta { color: var(--muted); font-size: 14px; margin: 0; }
p { margin: 0 0 12px; }
.summary { background: var(--tint); border-left: 5px solid var(--accent); padding: 18px 22px;
  margin: 0 0 8px; }
.summary h2 { border: 0; margin: 0 0 8px; padding: 0; font-size: 18px; }
.summary ul { margin: 0; padding-left: 20px; }
.summary li { margin: 6px 0; }
.two { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
.two table { flex: 1 1 auto; width: auto; }
table.narrow { width: auto; min-width: 220px; }
table { border-collapse: collapse; width: 100%; margin: 10px 0 6px; font-size: 14px; }
caption { text-align: left; font-weight: 700; font-size: 14px; padding-bottom: 6px;
  caption-side: top; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--rule); vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); text-align: right; font-weight: 700; }
thead th:first-child, tbody th { text-align: left; }
tbody th { font-weight: 600; }
td { text-align: right; white-space: nowrap; }
td.l { text-align: left; white-space: normal; }
tr.flag td.smd { color: var(--warm); font-weight: 700; }
.note { color: var(--muted); font-size: 13px; }
.forest { display:block; margin: 8px 0 4px; font-family: "Liberation Sans", Arial, sans-serif; }
.forest .lab { font-size: 14px; fill: #1d1d1f; }
.forest .val { font-size: 13px; fill: #1d1d1f; }
.forest .tick { font-size: 12px; fill: #555a60; }
.forest .axis { font-size: 13px; fill: #3b3b3b; }
.forest .head { font-size: 12px; fill: #555a60; font-weight: 700; text-transform: uppercase;
  letter-spacing: .06em; }
figure { margin: 14px 0 18px; }
figcaption { font-size: 13px; color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0 16px; }
.card { flex: 1 1 150px; border: 1px solid var(--rule); padding: 10px 14px; background: #fff; }
.card .k { font-size: 12px; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); }
.card .v { font-size: 24px; font-family: Georgia, "DejaVu Serif", serif; font-weight: 700; }
ul.caveats li { margin: 6px 0; }
code, pre { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12.5px; }
pre { background: #1f2430; color: #f3f1ea; padding: 12px 14px; white-space: pre-wrap;
  word-break: break-all; border-radius: 3px; }
dl.repro { display: grid; grid-template-columns: 170px 1fr; gap: 6px 14px; font-size: 14px; }
dl.repro dt { font-weight: 700; } dl.repro dd { margin: 0; word-break: break-all; }
footer { margin-top: 36px; border-top: 1px solid var(--rule); padding-top: 10px; font-size: 12px;
  color: var(--muted); }
@page { size: A4; margin: 18mm 16mm 20mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 9pt;
  color: #555a60; } }
@media print {
  html { background: none; } body { font-size: 10.5pt; }
  main { box-shadow: none; margin: 0; padding: 0; max-width: none; }
  h2 { break-after: avoid; } table, figure, .summary { break-inside: avoid; }
  pre { background: #f3f1ea; color: #1d1d1f; border: 1px solid var(--rule); }
}
"""


def _th(label: str) -> str:
    return f'<th scope="col">{esc(label)}</th>'


def _sample_html(family: EvaluationFamily) -> str:
    a0 = family.analyses[0]
    ex0 = a0.exclusions
    cols: dict[str, int] = {}
    for a in family.analyses:
        cols.update(a.exclusions.missing_by_column)
    rows = []
    for a in family.analyses:
        groups = f"{a.n_treated:,} / {a.n_control:,}" if a.n_treated is not None else "&ndash;"
        rows.append(
            f'<tr><th scope="row">{esc(a.outcome)}</th><td>{a.n:,}</td><td>{a.n_dropped:,}</td>'
            f"<td>{groups}</td><td>{num(a.outcome_sd)}</td></tr>"
        )
    miss = "".join(f'<tr><th scope="row">{esc(c)}</th><td>{k:,}</td></tr>' for c, k in cols.items())
    reasons = []
    for a in family.analyses:
        for r in a.exclusions.reasons:
            lead = f"<em>{esc(a.outcome)}</em>: " if len(family.analyses) > 1 else ""
            reasons.append(f"<li>{lead}{esc(r)}</li>")
    ref = a0.reference if a0.treatment_type == "categorical" else "0"
    treated_head = _("Treated / reference ({treatment} = {reference})").format(
        treatment=a0.treatment, reference=ref
    )
    return (
        "<p>"
        + _(
            "The data file has {rows} rows. Missing values were never imputed or dropped "
            "silently: a row was left out of an analysis only when a column that analysis needs "
            "was empty, and every exclusion is counted below."
        ).format(rows=f"{ex0.n_read:,}")
        + "</p>"
        + (
            f"<ul>{''.join(reasons)}</ul>"
            if reasons
            else f"<p>{esc(_('No rows were excluded.'))}</p>"
        )
        + '<div class="two">'
        + f"<table><caption>{esc(_('Rows analysed per outcome'))}</caption><thead><tr>"
        + _th(_("Outcome"))
        + _th(_("Used"))
        + _th(_("Excluded"))
        + _th(treated_head)
        + _th(_("SD (reference)"))
        + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        + f'<table class="narrow"><caption>{esc(_("Missing values per column"))}</caption>'
        + "<thead><tr>"
        + _th(_("Column"))
        + _th(_("Missing"))
        + f"</tr></thead><tbody>{miss}</tbody></table></div>"
        + '<p class="note">'
        + esc(
            _(
                "Effects in standard deviations divide by the outcome's standard deviation "
                "among reference-group rows (SD column)."
            )
        )
        + "</p>"
    )


def _balance_html(rows: list[BalanceRow], after: bool, label: str) -> str:
    if not rows:
        return ""
    head = "<tr>" + _th(_("Covariate")) + _th(_("Treated mean")) + _th(_("Comparison mean"))
    head += _th(_("SMD"))
    if after:
        head += _th(_("Comparison mean {when}").format(when=label))
        head += _th(_("SMD {when}").format(when=label))
    head += "</tr>"
    body = []
    for b in rows:
        flag = (b.smd_after if after else b.smd_before) or 0
        cls = ' class="flag"' if abs(flag) > 0.1 else ""
        cells = (
            f'<th scope="row">{esc(b.covariate)}</th><td>{num(b.mean_treated)}</td>'
            f'<td>{num(b.mean_control_before)}</td><td class="smd">{num(b.smd_before)}</td>'
        )
        if after:
            cells += f'<td>{num(b.mean_control_after)}</td><td class="smd">{num(b.smd_after)}</td>'
        body.append(f"<tr{cls}>{cells}</tr>")
    caption = _("Covariate balance: standardised mean differences (SMD)")
    note = _(
        "SMD = difference in means divided by the standard deviation among treated units (for "
        "0/1 covariates, the binomial SD). Values above 0.1 in absolute size (highlighted) "
        "indicate imbalance worth attention."
    )
    return (
        f"<table><caption>{esc(caption)}</caption>"
        f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
        f'<p class="note">{esc(note)}</p>'
    )


def _baseline_balance(df: pd.DataFrame, a: EvaluationResult) -> list[BalanceRow]:
    if a.balance:
        return a.balance
    if not a.covariates or a.treatment_type not in ("binary", "categorical") or len(a.levels) != 2:
        return []
    base_covs = sorted({c.split("[")[0] for c in a.covariates})
    cols = [a.outcome, a.treatment, *base_covs]
    sub = df[[c for c in dict.fromkeys(cols) if c in df.columns]].dropna()
    try:
        Z, names = covariate_indicators(sub, base_covs)
        lab = sub[a.treatment].astype(str).to_numpy()
        t = (lab != str(a.reference)).astype(float)
        if a.treatment_type == "binary":
            t = numeric(sub[a.treatment], "treatment")
        return balance_table(Z, names, t)
    except (EvaluationError, ValueError, ZeroDivisionError):
        return []


def _interval(low, high, digits: int = 2) -> str:
    return _("{low} to {high}").format(low=num(low, digits), high=num(high, digits))


def _estimates_table(family: EvaluationFamily) -> str:
    adj = family.adjust and len(family.estimates) > 1
    conf = int(round((1 - family.analyses[0].alpha) * 100))
    head = (
        "<tr>"
        + _th(_("Outcome"))
        + _th(_("Term"))
        + _th(_("Estimate"))
        + _th(_("Std. error"))
        + _th(_("{conf}% CI").format(conf=conf))
        + _th(_("p-value"))
        + (_th(_("p ({method})").format(method=family.adjust)) if adj else "")
        + _th(_("Effect (SD)"))
        + _th(_("{conf}% CI (SD)").format(conf=conf))
        + "</tr>"
    )
    body = []
    for a in family.analyses:
        for e in a.estimates:
            body.append(
                f'<tr><th scope="row">{esc(a.outcome)}</th><td class="l">{esc(e.term)}</td>'
                f"<td>{num(e.estimate, 3)}</td><td>{num(e.std_error, 3)}</td>"
                f"<td>{_interval(e.ci_low, e.ci_high)}</td><td>{pval(e.p_value)}</td>"
                + (f"<td>{pval(e.p_adjusted)}</td>" if adj else "")
                + f"<td>{num(e.std_estimate)}</td>"
                f"<td>{_interval(e.std_ci_low, e.std_ci_high)}</td></tr>"
            )
    return (
        f"<table><caption>{esc(_('Estimated effects'))}</caption><thead>{head}</thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _coef_table(a: EvaluationResult) -> str:
    if not a.coefficients:
        return ""
    normal = _("normal")
    body = "".join(
        f'<tr><th scope="row">{esc(c.term)}</th><td>{num(c.estimate, 3)}</td>'
        f"<td>{num(c.std_error, 3)}</td><td>{_interval(c.ci_low, c.ci_high)}</td>"
        f"<td>{pval(c.p_value)}</td><td>{normal if c.df is None else f'{c.df:,.0f}'}</td></tr>"
        for c in a.coefficients
    )
    caption = _("All model coefficients: {outcome}").format(outcome=a.outcome)
    return (
        f"<table><caption>{esc(caption)}</caption><thead><tr>"
        + _th(_("Term"))
        + _th(_("Estimate"))
        + _th(_("Std. error"))
        + _th(_("CI"))
        + _th(_("p-value"))
        + _th(_("df"))
        + f"</tr></thead><tbody>{body}</tbody></table>"
    )


def _vc_table(family: EvaluationFamily) -> str:
    rows = [a for a in family.analyses if a.variance_components is not None]
    if not rows:
        return ""
    body = "".join(
        f'<tr><th scope="row">{esc(a.outcome)}</th><td>{num(a.variance_components.group, 3)}</td>'
        f"<td>{num(a.variance_components.residual, 3)}</td><td>{num(a.icc, 3)}</td>"
        f"<td>{a.n_clusters:,}</td></tr>"
        for a in rows
    )
    return (
        f"<table><caption>{esc(_('Variance components (REML)'))}</caption><thead><tr>"
        + _th(_("Outcome"))
        + _th(_("Between {group}").format(group=rows[0].group))
        + _th(_("Within (residual)"))
        + _th(_("ICC"))
        + _th(_("Groups"))
        + f"</tr></thead><tbody>{body}</tbody></table>"
    )


def _extras(a: EvaluationResult) -> str:
    out = []
    for g in a.effect_sizes:
        text = _(
            "Hedges' g for {term}: {g} (95% CI {low} to {high}), pooled SD {sd}."
        ).format(
            term=esc(g.term), g=num(g.hedges_g, 3), low=num(g.ci_low, 3), high=num(g.ci_high, 3),
            sd=num(g.pooled_sd),
        )  # fmt: skip
        out.append(f"<p>{text}</p>")
    for w in a.welch:
        text = _("Welch standard error for {term}: {se} on {df} df (p = {p}).").format(
            term=esc(w.term), se=num(w.std_error, 3), df=f"{w.df:.1f}", p=pval(w.p_value)
        )
        out.append(f"<p>{text}</p>")
    if a.cell_means:
        rows = "".join(
            f'<tr><th scope="row">{esc(c["group"])}</th><td class="l">{esc(c["period"])}</td>'
            f"<td>{num(c['mean'], 3)}</td><td>{c['n']:,}</td></tr>"
            for c in a.cell_means
        )
        caption = _("Group &times; period means of {outcome}").format(outcome=esc(a.outcome))
        out.append(
            f"<table><caption>{caption}</caption><thead><tr>"
            + _th(_("Group"))
            + _th(_("Period"))
            + _th(_("Mean"))
            + _th(_("n"))
            + f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    if a.matching:
        m = a.matching
        caliper = (
            _(", caliper {sd} SD = {absolute}").format(
                sd=f"{m.caliper:g}", absolute=f"{m.caliper_absolute:.4f}"
            )
            if m.caliper
            else ""
        )
        text = _(
            "Matched {matched} of {treated} treated units to {controls} comparison units "
            "(order: {order}, rule: {rule}{caliper}). Tie rule: {tie_rule}"
        ).format(
            matched=f"{m.n_matched_treated:,}", treated=f"{m.n_treated:,}",
            controls=f"{m.n_controls_used:,}", order=esc(m.order), rule=esc(m.rule),
            caliper=caliper, tie_rule=esc(m.tie_rule),
        )  # fmt: skip
        out.append(f"<p>{text}</p>")
    if a.weighting:
        w = a.weighting
        text = _(
            "Propensity scores ranged from {low} to {high}. The {n} comparison units carry the "
            "weight of {effective} equally weighted units (effective sample size)."
        ).format(
            low=f"{w.propensity_min:.3f}", high=f"{w.propensity_max:.3f}", n=f"{w.n_control:,}",
            effective=f"{w.effective_n_control:.0f}",
        )  # fmt: skip
        out.append(f"<p>{text}</p>")
    return "".join(out)


def _precision_table(df, family: EvaluationFamily, cluster_col) -> str:
    body = []
    for a in family.analyses:
        info = precision(df, a, cluster_col)
        res = info.get("mdes")
        body.append(
            f'<tr><th scope="row">{esc(a.outcome)}</th><td>{num(info.get("icc"), 3)}</td>'
            f"<td>{num(res.mdes if res else None)}</td></tr>"
        )
    return (
        f'<table class="narrow"><caption>{esc(_("ICC and MDES per outcome"))}</caption>'
        "<thead><tr>"
        + _th(_("Outcome"))
        + _th(_("ICC"))
        + _th(_("MDES (SD)"))
        + f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _power_html(info: dict, outcome: str | None = None) -> str:
    res: PowerResult | None = info.get("mdes")
    parts = ['<div class="cards">']

    def card(k: str, v: str) -> str:
        return f'<div class="card"><div class="k">{esc(k)}</div><div class="v">{v}</div></div>'

    if res is not None:
        parts.append(card(_("MDES"), _("{value} SD").format(value=f"{res.mdes:.2f}")))
    if info.get("icc") is not None:
        parts.append(card(_("ICC"), f"{info['icc']:.3f}"))
    if info.get("clusters"):
        parts.append(card(_("Groups"), f"{info['clusters']:,}"))
    parts.append("</div>")
    if res is None:
        return ""
    tails = _("two-tailed") if res.two_tailed else _("one-tailed")
    lead = _("For {outcome}: ").format(outcome=f"<em>{esc(outcome)}</em>") if outcome else ""
    if res.design == "cluster":
        text = lead + _(
            "with {clusters} groups of about {size}, an intraclass correlation of {icc} "
            "({source}) and {treated} treated, the smallest effect this design could detect "
            "with {power} power at a {tails} {alpha} significance level is "
            "<strong>{mdes} standard deviations</strong> (t multiplier {multiplier} on {df} df, "
            "no covariates)."
        ).format(
            clusters=f"{res.clusters:,}", size=f"{res.cluster_size:.1f}", icc=f"{res.icc:.3f}",
            source=esc(info.get("icc_source", "")), treated=f"{info['treated_share']:.0%}",
            power=f"{res.power:.0%}", tails=tails, alpha=f"{res.alpha:g}", mdes=f"{res.mdes:.2f}",
            multiplier=f"{res.multiplier:.3f}", df=f"{res.df:g}",
        )  # fmt: skip
    else:
        text = lead + _(
            "with {n} participants, {treated} treated, the smallest effect this design could "
            "detect with {power} power at a {tails} {alpha} significance level is "
            "<strong>{mdes} standard deviations</strong> (no covariates)."
        ).format(
            n=f"{res.n:,}", treated=f"{info['treated_share']:.0%}", power=f"{res.power:.0%}",
            tails=tails, alpha=f"{res.alpha:g}", mdes=f"{res.mdes:.2f}",
        )  # fmt: skip
    note = _(
        "The minimum detectable effect size describes the design's sensitivity; it is not a "
        "test of the effect found."
    )
    return (
        "".join(parts)
        + f"<p>{text[0].upper() + text[1:]}</p>"
        + f'<p class="note">{esc(_("Formula:"))} <code>{esc(res.formula)}</code>. '
        + f"{esc(note)}</p>"
    )


def _section(key: str, number: str, title: str, body: str) -> str:
    return (
        f'<section aria-labelledby="s-{key}"><h2 id="s-{key}"><span class="n">{number}</span>'
        f"{esc(title)}</h2>{body}</section>"
    )


def render_html(
    family: EvaluationFamily, ctx: ReportContext, df: pd.DataFrame, lang: str = "en"
) -> str:
    """The report as one HTML document, in ``lang`` ("en" or "es")."""
    with language(lang):
        return _render_html(family, ctx, df, lang)


def _render_html(family: EvaluationFamily, ctx: ReportContext, df: pd.DataFrame, lang) -> str:
    a0 = family.analyses[0]
    outcomes = ", ".join(a.outcome for a in family.analyses)
    population = _population(ctx)
    title = ctx.title or (
        _("The effect of {treatment} on {outcomes}").format(
            treatment=a0.treatment, outcomes=outcomes
        )
        if a0.treatment
        else _("Outcomes: {outcomes}").format(outcomes=outcomes)
    )
    treated = ctx.treated_label or _("with {treatment}").format(treatment=a0.treatment)
    question = ctx.question or (
        _(
            "Did {population} {treated} have different {outcomes} from comparable "
            "{population} without it, and by how much?"
        ).format(population=population, treated=treated, outcomes=outcomes)
        if a0.treatment
        else _("How much does {outcomes} vary between groups?").format(outcomes=outcomes)
    )
    today = dt.date.today().isoformat()
    conf = int(round((1 - a0.alpha) * 100))
    findings = "".join(
        f"<li>{sentence(a, e, ctx)}</li>" for a in family.analyses for e in a.estimates
    )
    adj_note = ""
    if family.adjust and len(family.estimates) > 1:
        name = {
            "holm": _("Holm's method (family-wise error rate)"),
            "bh": _("the Benjamini&ndash;Hochberg method (false discovery rate)"),
        }[family.adjust]
        adj_note = (
            "<p>"
            + _(
                "Because {n} effects were tested, p-values were adjusted by {method}; the "
                "plain-language statements use the adjusted p-values."
            ).format(n=len(family.estimates), method=name)
            + "</p>"
        )
    cluster_col = a0.group or a0.cluster
    se_text = {
        "classical": _("classical (homoskedastic) standard errors"),
        "hc1": _("heteroskedasticity-robust (HC1) standard errors"),
        "cluster": _(
            "cluster-robust (CR1) standard errors by {cluster} ({n} clusters, t on {df} df)"
        ).format(cluster=esc(a0.cluster), n=a0.n_clusters, df=(a0.n_clusters or 2) - 1),
    }.get(a0.se_type) or _("{kind} standard errors").format(
        kind=esc(_(SE_LABELS.get(a0.se_type, a0.se_type)))
    )
    sections = [_section("q", "1", _("The question"), f"<p>{esc(question)}</p>")]
    design = (
        f"<p><strong>{esc(method_name(a0.method))}.</strong> {_(METHOD_TEXT[a0.method])}</p><p>"
        + ngettext("Outcome: {outcomes}. ", "Outcomes: {outcomes}. ", len(family.analyses)).format(
            outcomes=esc(outcomes)
        )
        + (
            (
                _("Treatment: {treatment} ({kind}, reference level {reference}). ")
                if a0.treatment_type == "categorical"
                else _("Treatment: {treatment} ({kind}). ")
            ).format(
                treatment=f"<em>{esc(a0.treatment)}</em>",
                kind=esc(_(a0.treatment_type)),
                reference=f"<em>{esc(a0.reference)}</em>",
            )
            if a0.treatment
            else ""
        )
        + (
            _("Covariates: {covariates}. ").format(covariates=esc(", ".join(a0.covariates)))
            if a0.covariates
            else _("No covariates. ")
        )
        + (_("Groups: {group}. ").format(group=f"<em>{esc(a0.group)}</em>") if a0.group else "")
        + _("Inference uses {errors}; intervals are {conf}% confidence intervals.").format(
            errors=se_text, conf=conf
        )
        + "</p>"
    )
    sections.append(_section("d", "2", _("The design"), design))
    sample = [_sample_html(family)]
    bal = _baseline_balance(df, a0)
    if bal:
        after = bool(a0.balance)
        label = _("after weighting") if a0.method == "ipw" else _("after matching")
        sample.append(f"<h3>{esc(_('Balance'))}</h3>" + _balance_html(bal, after, label))
    sections.append(_section("s", "3", _("The sample and its balance"), "".join(sample)))
    std = all(e.std_estimate is not None for e in family.estimates)
    plot = forest_svg(family, std)
    caption = (
        _(
            "Figure 1. Estimated effects in standard deviations of the outcome (reference group "
            "SD) with {conf}% confidence intervals; the vertical line marks no effect."
        )
        if std
        else _(
            "Figure 1. Estimated effects with {conf}% confidence intervals; the vertical line "
            "marks no effect."
        )
    ).format(conf=conf)
    results = [
        "<p>"
        + _(
            "The key findings above, in numbers. Effects are shown on the outcome's own scale "
            "and in standard deviations (SD)."
        )
        + "</p>",
        adj_note,
        _estimates_table(family),
        f"<figure>{plot}<figcaption>{esc(caption)}</figcaption></figure>" if plot else "",
    ]
    results.append(_vc_table(family))
    for a in family.analyses:
        results.append(_extras(a))
    sections.append(_section("r", "4", _("What we found"), "".join(results)))
    info = precision(df, a0, cluster_col)
    prec = _power_html(info, a0.outcome if len(family.analyses) > 1 else None)
    if len(family.analyses) > 1:
        prec += _precision_table(df, family, cluster_col)
    sections.append(
        _section("p", "5", _("Precision: minimum detectable effect and clustering"), prec)
    )
    caveats = [_(CAVEATS[a0.method])]
    for a in family.analyses:
        caveats += [w for w in a.warnings if w not in caveats]
    caveats.append(
        _(
            "Effects in standard deviations divide by the outcome's spread in the reference "
            "group of this sample; they are comparable across outcomes but depend on who was "
            "tested."
        )
    )
    caveats.append(
        _(
            "A confidence interval that excludes zero is evidence of a difference, not proof "
            "that the programme caused it; that depends on the design."
        )
    )
    items = "".join(f"<li>{esc(c)}</li>" for c in caveats)
    sections.append(_section("c", "6", _("Caveats"), f'<ul class="caveats">{items}</ul>'))
    from importlib import metadata

    def ver(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "?"

    versions = ", ".join(
        f"{p} {ver(p)}" for p in ("harmonia", "numpy", "pandas", "scipy", "statsmodels")
    )
    rows_text = _("{path} ({n} rows)").format(path=esc(ctx.data_path), n=f"{ctx.n_rows:,}")
    reproduce = (
        f"<p>{esc(_('Run this command on a file with the same SHA-256 fingerprint:'))}</p>"
        f"<pre><code>{esc(ctx.command)}</code></pre>"
        '<dl class="repro">'
        f"<dt>{esc(_('Data file'))}</dt><dd>{rows_text}</dd>"
        f"<dt>SHA-256</dt><dd><code>{esc(ctx.sha256)}</code></dd>"
        f"<dt>{esc(_('Software'))}</dt><dd>{esc(versions)}; "
        f"Python {esc(platform.python_version())}</dd>"
        f"<dt>{esc(_('Generated'))}</dt><dd>{esc(today)}</dd></dl>"
    )
    sections.append(_section("x", "7", _("Reproduce this report"), reproduce))
    appendix = "".join(_coef_table(a) for a in family.analyses)
    if appendix:
        sections.append(_section("a", "A", _("Appendix: full model output"), appendix))
    meta = _("{method} &middot; {n} of {rows} rows analysed &middot; {today}").format(
        method=esc(method_name(a0.method)), n=f"{a0.n:,}", rows=f"{ctx.n_rows:,}", today=today
    )
    page_of = _("Page {page} of {pages}").replace('"', "")
    css = CSS.replace(
        '"Page " counter(page) " of " counter(pages)',
        '"'
        + page_of.replace("{page}", '" counter(page) "').replace("{pages}", '" counter(pages) "')
        + '"',
    )
    footer = _(
        "Produced by Harmonia's evaluation engine (harmonia-evaluate). Methods and formulas are "
        "documented in docs/evaluation.md."
    )
    return f"""<!DOCTYPE html>
<html lang="{esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} &ndash; {esc(_("Harmonia evaluation report"))}</title>
<style>{css}</style>
</head>
<body>
<main>
<header class="title">
<p class="kicker">Harmonia &middot; {esc(_("Impact evaluation report"))}</p>
<h1>{esc(title)}</h1>
<p class="meta">{meta}</p>
</header>
<section class="summary" aria-labelledby="s-k">
<h2 id="s-k">{esc(_("Key findings"))}</h2>
<ul>{findings}</ul>
</section>
{"".join(sections)}
<footer>{esc(footer)}</footer>
</main>
</body>
</html>
"""


def write_report(
    path: str | Path,
    family: EvaluationFamily,
    ctx: ReportContext,
    df: pd.DataFrame,
    lang: str = "en",
):
    """Write the report as HTML, or as PDF when the file name ends in .pdf, in ``lang``."""
    p = Path(path)
    doc = render_html(family, ctx, df, lang)
    suffix = p.suffix.lower()
    try:
        if suffix == ".pdf":
            from weasyprint import HTML

            HTML(string=doc).write_pdf(str(p))
        elif suffix in (".html", ".htm"):
            p.write_text(doc, encoding="utf-8")
        else:
            raise EvaluationError(f"report must end in .html or .pdf, got {p.name!r}")
    except OSError as exc:
        raise EvaluationError(f"cannot write report {p}: {exc.strerror or exc}") from None
    return p
