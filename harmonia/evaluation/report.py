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


def _groups(a: EvaluationResult, e: Estimate, ctx: ReportContext) -> tuple[str, str]:
    pop = ctx.population
    if a.treatment_type == "binary" or (a.method in ("ipw", "match") and len(a.levels) == 2):
        treated = ctx.treated_label or (
            f"with {a.treatment} = {e.term if a.treatment_type == 'categorical' else 1}"
        )
        return f"{pop} {treated}", ctx.comparison_label or f"{pop} in the comparison group"
    if a.treatment_type == "categorical":
        treated = ctx.treated_label if ctx.treated_label and len(a.levels) == 2 else None
        return (
            f"{pop} {treated or f'in the {e.term} group'}",
            f"those in the {a.reference} group",
        )
    return pop, ""


def sentence(a: EvaluationResult, e: Estimate, ctx: ReportContext) -> str:
    """One plain-English sentence for one estimate."""
    conf = int(round((1 - a.alpha) * 100))
    has_sd = e.std_estimate is not None and math.isfinite(e.std_estimate)
    val, lo, hi = (
        (e.std_estimate, e.std_ci_low, e.std_ci_high)
        if has_sd
        else (e.estimate, e.ci_low, e.ci_high)
    )
    unit = " standard deviations" if has_sd else ""
    direction = "higher" if e.estimate > 0 else "lower"
    outcome = f"<em>{esc(a.outcome)}</em>"
    raw = f" (a difference of {num(e.estimate)} on the original scale)" if has_sd else ""
    if a.method == "multilevel" and a.treatment_type == "none":
        return (
            f"The average {outcome} across groups was {num(e.estimate)}, {conf}% CI "
            f"{num(e.ci_low)} to {num(e.ci_high)}."
        )
    if a.method == "did":
        lead = (
            f"After the change, {outcome} moved by {num(abs(val))}{unit} "
            f"{'more' if e.estimate > 0 else 'less'} among "
            f"{esc(ctx.population)} {esc(ctx.treated_label or 'in the treated group')} than in "
            f"the comparison group{raw}"
        )
    elif a.treatment_type == "continuous":
        lead = (
            f"Each one-unit increase in <em>{esc(a.treatment)}</em> went with {outcome} "
            f"{num(abs(val))}{unit} {direction}{raw}"
        )
    else:
        who, than = _groups(a, e, ctx)
        adjusted = ""
        if a.covariates and a.method in ("ols", "multilevel", "did", "twfe"):
            adjusted = ", after adjusting for " + ", ".join(esc(c) for c in a.covariates)
        lead = (
            f"{esc(who[0].upper() + who[1:])} scored {num(abs(val))}{unit} {direction} on "
            f"{outcome} than {esc(than)}{adjusted}{raw}"
        )
    ci = f", {conf}% CI {num(lo)} to {num(hi)}"
    sig = e.p_adjusted if e.p_adjusted is not None else e.p_value
    if lo <= 0 <= hi:
        tail = (
            f". The interval includes zero, so the data are consistent with no effect "
            f"(p = {pval(sig)})."
        )
    else:
        tail = f". This is unlikely to be chance alone (p = {pval(sig)})."
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

    unit = "standard deviations" if standardised else "outcome units"
    conf = int(round((1 - family.analyses[0].alpha) * 100))
    desc = "; ".join(
        f"{o} {t}: {v:.3f} ({conf}% CI {a_:.3f} to {b:.3f})" for o, t, v, a_, b in rows
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" '
        f'role="img" aria-labelledby="fp-title fp-desc" class="forest">',
        f'<title id="fp-title">Forest plot of estimated effects in {unit}</title>',
        f'<desc id="fp-desc">Point estimates with {conf}% confidence intervals. {esc(desc)}</desc>',
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
        f'<text x="{x0:.1f}" y="{top - 24}" text-anchor="middle" class="axis">no effect</text>'
    )
    out.append(
        f'<text x="{left - 12}" y="{top - 24}" text-anchor="end" class="head">Outcome</text>'
    )
    out.append(
        f'<text x="{W - 8}" y="{top - 24}" text-anchor="end" class="head">'
        f"Effect [{conf}% CI]</text>"
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
        f"Effect in {unit} (positive = higher outcome with treatment)</text>"
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
        info.update(icc=icc, icc_source="multilevel model of this analysis", clusters=J)
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
        info.update(icc=icc, icc_source=f"null random-intercept model by {cluster_col}", clusters=J)
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
    "difference": (
        "A simple comparison of average outcomes between the groups. Standard errors pool the "
        "two groups' variances (the Welch version, which does not, is shown alongside). Hedges' g "
        "is the difference divided by the pooled standard deviation, corrected for small-sample "
        "bias."
    ),
    "ols": (
        "Ordinary least squares regression of the outcome on the treatment and the covariates "
        "(regression adjustment). Adjusting for baseline covariates removes chance imbalances "
        "and usually makes the estimate more precise."
    ),
    "did": (
        "A 2&times;2 difference-in-differences: the change in the treated group between the "
        "before and after periods, minus the change in the comparison group over the same "
        "periods (the group &times; period interaction in a regression)."
    ),
    "twfe": (
        "A regression with a fixed effect for every unit and every period (two-way fixed effects), "
        "so each unit is compared with itself over time and common shocks are removed."
    ),
    "multilevel": (
        "A linear mixed model with a random intercept for each group, estimated by restricted "
        "maximum likelihood (REML). It respects the fact that pupils in the same school resemble "
        "each other, so standard errors are not overstated in precision. Tests use "
        "between-within degrees of freedom."
    ),
    "ipw": (
        "Inverse-probability weighting for the average effect on the treated (ATT). A logistic "
        "model predicts the probability of treatment from the covariates; comparison units are "
        "weighted by p/(1&minus;p) so that they resemble the treated group. The standard error "
        "accounts for the estimated propensity score (stacked estimating equations)."
    ),
    "match": (
        "One-to-one nearest-neighbour matching on a logistic propensity score, without "
        "replacement, estimating the average effect on the treated (ATT). Each treated unit is "
        "paired with a similar comparison unit and outcomes are compared within pairs; standard "
        "errors are clustered on the matched pair."
    ),
}

CAVEATS = {
    "difference": "Without random assignment, a raw difference mixes the programme's effect with "
    "any pre-existing differences between the groups.",
    "ols": "Regression adjustment removes only differences in the covariates included; "
    "unmeasured differences between groups can still bias the estimate.",
    "did": "Difference-in-differences relies on parallel trends, which these data cannot prove.",
    "twfe": "Two-way fixed effects remove stable unit differences and common time shocks, not "
    "unit-specific trends.",
    "multilevel": "The random-intercept model assumes group effects are unrelated to the "
    "covariates and normally distributed; with few groups the variance is uncertain.",
    "ipw": "Weighting balances only the measured covariates; it assumes no unmeasured confounding "
    "and enough overlap in propensity scores.",
    "match": "Matching balances only the measured covariates; unmatched treated units change the "
    "population the estimate refers to.",
}


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
    return (
        f"<p>The data file has {ex0.n_read:,} rows. Missing values were never imputed or dropped "
        "silently: a row was left out of an analysis only when a column that analysis needs was "
        "empty, and every exclusion is counted below.</p>"
        + (f"<ul>{''.join(reasons)}</ul>" if reasons else "<p>No rows were excluded.</p>")
        + '<div class="two">'
        "<table><caption>Rows analysed per outcome</caption><thead><tr>"
        '<th scope="col">Outcome</th><th scope="col">Used</th><th scope="col">Excluded</th>'
        f'<th scope="col">Treated / reference ({esc(a0.treatment)} = {esc(ref)})</th>'
        '<th scope="col">SD (reference)</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<table class="narrow"><caption>Missing values per column</caption><thead><tr>'
        '<th scope="col">Column</th><th scope="col">Missing</th></tr></thead>'
        f"<tbody>{miss}</tbody></table></div>"
        '<p class="note">Effects in standard deviations divide by the outcome\'s standard '
        "deviation among reference-group rows (SD column).</p>"
    )


def _balance_html(rows: list[BalanceRow], after: bool, label: str) -> str:
    if not rows:
        return ""
    head = (
        '<tr><th scope="col">Covariate</th><th scope="col">Treated mean</th>'
        '<th scope="col">Comparison mean</th><th scope="col">SMD</th>'
    )
    if after:
        head += f'<th scope="col">Comparison mean {label}</th><th scope="col">SMD {label}</th>'
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
    return (
        "<table><caption>Covariate balance: standardised mean differences (SMD)</caption>"
        f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
        '<p class="note">SMD = difference in means divided by the standard deviation among treated '
        "units (for 0/1 covariates, the binomial SD). Values above 0.1 in absolute size "
        "(highlighted) indicate imbalance worth attention.</p>"
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


def _estimates_table(family: EvaluationFamily) -> str:
    adj = family.adjust and len(family.estimates) > 1
    conf = int(round((1 - family.analyses[0].alpha) * 100))
    head = (
        '<tr><th scope="col">Outcome</th><th scope="col">Term</th><th scope="col">Estimate</th>'
        f'<th scope="col">Std. error</th><th scope="col">{conf}% CI</th>'
        '<th scope="col">p-value</th>'
        + (f'<th scope="col">p ({esc(family.adjust)})</th>' if adj else "")
        + f'<th scope="col">Effect (SD)</th><th scope="col">{conf}% CI (SD)</th></tr>'
    )
    body = []
    for a in family.analyses:
        for e in a.estimates:
            body.append(
                f'<tr><th scope="row">{esc(a.outcome)}</th><td class="l">{esc(e.term)}</td>'
                f"<td>{num(e.estimate, 3)}</td><td>{num(e.std_error, 3)}</td>"
                f"<td>{num(e.ci_low)} to {num(e.ci_high)}</td><td>{pval(e.p_value)}</td>"
                + (f"<td>{pval(e.p_adjusted)}</td>" if adj else "")
                + f"<td>{num(e.std_estimate)}</td>"
                f"<td>{num(e.std_ci_low)} to {num(e.std_ci_high)}</td></tr>"
            )
    return (
        f"<table><caption>Estimated effects</caption><thead>{head}</thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _coef_table(a: EvaluationResult) -> str:
    if not a.coefficients:
        return ""
    body = "".join(
        f'<tr><th scope="row">{esc(c.term)}</th><td>{num(c.estimate, 3)}</td>'
        f"<td>{num(c.std_error, 3)}</td><td>{num(c.ci_low)} to {num(c.ci_high)}</td>"
        f"<td>{pval(c.p_value)}</td><td>{'normal' if c.df is None else f'{c.df:,.0f}'}</td></tr>"
        for c in a.coefficients
    )
    return (
        f"<table><caption>All model coefficients: {esc(a.outcome)}</caption><thead><tr>"
        '<th scope="col">Term</th><th scope="col">Estimate</th><th scope="col">Std. error</th>'
        '<th scope="col">CI</th><th scope="col">p-value</th><th scope="col">df</th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
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
        "<table><caption>Variance components (REML)</caption><thead><tr>"
        f'<th scope="col">Outcome</th><th scope="col">Between {esc(rows[0].group)}</th>'
        '<th scope="col">Within (residual)</th><th scope="col">ICC</th>'
        f'<th scope="col">Groups</th></tr></thead><tbody>{body}</tbody></table>'
    )


def _extras(a: EvaluationResult) -> str:
    out = []
    for g in a.effect_sizes:
        out.append(
            f"<p>Hedges' g for {esc(g.term)}: {num(g.hedges_g, 3)} (95% CI {num(g.ci_low, 3)} to "
            f"{num(g.ci_high, 3)}), pooled SD {num(g.pooled_sd)}.</p>"
        )
    for w in a.welch:
        out.append(
            f"<p>Welch standard error for {esc(w.term)}: {num(w.std_error, 3)} on {w.df:.1f} df "
            f"(p = {pval(w.p_value)}).</p>"
        )
    if a.cell_means:
        rows = "".join(
            f'<tr><th scope="row">{esc(c["group"])}</th><td class="l">{esc(c["period"])}</td>'
            f"<td>{num(c['mean'], 3)}</td><td>{c['n']:,}</td></tr>"
            for c in a.cell_means
        )
        out.append(
            f"<table><caption>Group &times; period means of {esc(a.outcome)}</caption><thead><tr>"
            '<th scope="col">Group</th><th scope="col">Period</th><th scope="col">Mean</th>'
            f'<th scope="col">n</th></tr></thead><tbody>{rows}</tbody></table>'
        )
    if a.matching:
        m = a.matching
        out.append(
            f"<p>Matched {m.n_matched_treated:,} of {m.n_treated:,} treated units to "
            f"{m.n_controls_used:,} comparison units (order: {esc(m.order)}, rule: {esc(m.rule)}"
            + (f", caliper {m.caliper:g} SD = {m.caliper_absolute:.4f}" if m.caliper else "")
            + f"). Tie rule: {esc(m.tie_rule)}</p>"
        )
    if a.weighting:
        w = a.weighting
        out.append(
            f"<p>Propensity scores ranged from {w.propensity_min:.3f} to {w.propensity_max:.3f}. "
            f"The {w.n_control:,} comparison units carry the weight of "
            f"{w.effective_n_control:.0f} equally weighted units (effective sample size).</p>"
        )
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
        '<table class="narrow"><caption>ICC and MDES per outcome</caption><thead><tr>'
        '<th scope="col">Outcome</th><th scope="col">ICC</th><th scope="col">MDES (SD)</th>'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _power_html(info: dict, outcome: str | None = None) -> str:
    res: PowerResult | None = info.get("mdes")
    parts = ['<div class="cards">']

    def card(k: str, v: str) -> str:
        return f'<div class="card"><div class="k">{k}</div><div class="v">{v}</div></div>'

    if res is not None:
        parts.append(card("MDES", f"{res.mdes:.2f} SD"))
    if info.get("icc") is not None:
        parts.append(card("ICC", f"{info['icc']:.3f}"))
    if info.get("clusters"):
        parts.append(card("Groups", f"{info['clusters']:,}"))
    parts.append("</div>")
    if res is None:
        return ""
    conf = "two-tailed" if res.two_tailed else "one-tailed"
    lead = f"For <em>{esc(outcome)}</em>: " if outcome else ""
    if res.design == "cluster":
        text = lead + (
            f"with {res.clusters:,} groups of about {res.cluster_size:.1f}, an intraclass "
            f"correlation of {res.icc:.3f} ({esc(info.get('icc_source', ''))}) and "
            f"{info['treated_share']:.0%} treated, the smallest effect this design could detect "
            f"with {res.power:.0%} power at a {conf} {res.alpha:g} significance level is "
            f"<strong>{res.mdes:.2f} standard deviations</strong> (t multiplier "
            f"{res.multiplier:.3f} on {res.df:g} df, no covariates)."
        )
    else:
        text = lead + (
            f"with {res.n:,} participants, {info['treated_share']:.0%} treated, the smallest "
            f"effect this design could detect with {res.power:.0%} power at a {conf} {res.alpha:g} "
            f"significance level is <strong>{res.mdes:.2f} standard deviations</strong> "
            "(no covariates)."
        )
    return (
        "".join(parts)
        + f"<p>{text[0].upper() + text[1:]}</p>"
        + f'<p class="note">Formula: <code>{esc(res.formula)}</code>. The minimum '
        "detectable effect size describes the design's sensitivity; it is not a test of the "
        "effect found.</p>"
    )


def render_html(family: EvaluationFamily, ctx: ReportContext, df: pd.DataFrame) -> str:
    a0 = family.analyses[0]
    outcomes = ", ".join(a.outcome for a in family.analyses)
    title = ctx.title or (
        f"The effect of {a0.treatment} on {outcomes}" if a0.treatment else f"Outcomes: {outcomes}"
    )
    question = ctx.question or (
        f"Did {ctx.population} {ctx.treated_label or f'with {a0.treatment}'} have different "
        f"{outcomes} from comparable {ctx.population} without it, and by how much?"
        if a0.treatment
        else f"How much does {outcomes} vary between groups?"
    )
    today = dt.date.today().isoformat()
    conf = int(round((1 - a0.alpha) * 100))
    findings = "".join(
        f"<li>{sentence(a, e, ctx)}</li>" for a in family.analyses for e in a.estimates
    )
    adj_note = ""
    if family.adjust and len(family.estimates) > 1:
        name = {
            "holm": "Holm's method (family-wise error rate)",
            "bh": "the Benjamini&ndash;Hochberg method (false discovery rate)",
        }[family.adjust]
        adj_note = (
            f"<p>Because {len(family.estimates)} effects were tested, p-values were adjusted by "
            f"{name}; the plain-English statements use the adjusted p-values.</p>"
        )
    cluster_col = a0.group or a0.cluster
    se_text = {
        "classical": "classical (homoskedastic) standard errors",
        "hc1": "heteroskedasticity-robust (HC1) standard errors",
        "cluster": f"cluster-robust (CR1) standard errors by {esc(a0.cluster)} "
        f"({a0.n_clusters} clusters, t on {(a0.n_clusters or 2) - 1} df)",
    }.get(a0.se_type, esc(a0.se_type) + " standard errors")
    sections = []
    sections.append(
        f'<section aria-labelledby="s-q"><h2 id="s-q"><span class="n">1</span>The question</h2>'
        f"<p>{esc(question)}</p></section>"
    )
    design = (
        f"<p><strong>{esc(METHOD_NAMES[a0.method])}.</strong> {METHOD_TEXT[a0.method]}</p>"
        f"<p>Outcome{'s' if len(family.analyses) > 1 else ''}: {esc(outcomes)}. "
        + (
            f"Treatment: <em>{esc(a0.treatment)}</em> ({esc(a0.treatment_type)}"
            + (
                f", reference level <em>{esc(a0.reference)}</em>"
                if a0.treatment_type == "categorical"
                else ""
            )
            + "). "
            if a0.treatment
            else ""
        )
        + (f"Covariates: {esc(', '.join(a0.covariates))}. " if a0.covariates else "No covariates. ")
        + (f"Groups: <em>{esc(a0.group)}</em>. " if a0.group else "")
        + f"Inference uses {se_text}; intervals are {conf}% confidence intervals.</p>"
    )
    sections.append(
        '<section aria-labelledby="s-d"><h2 id="s-d"><span class="n">2</span>The design</h2>'
        f"{design}</section>"
    )
    sample = [_sample_html(family)]
    bal = _baseline_balance(df, a0)
    if bal:
        after = bool(a0.balance)
        label = "after weighting" if a0.method == "ipw" else "after matching"
        sample.append("<h3>Balance</h3>" + _balance_html(bal, after, label))
    sections.append(
        '<section aria-labelledby="s-s"><h2 id="s-s"><span class="n">3</span>The sample and its '
        f"balance</h2>{''.join(sample)}</section>"
    )
    std = all(e.std_estimate is not None for e in family.estimates)
    plot = forest_svg(family, std)
    results = [
        "<p>The key findings above, in numbers. Effects are shown on the outcome's own scale "
        "and in standard deviations (SD).</p>",
        adj_note,
        _estimates_table(family),
        (
            f"<figure>{plot}<figcaption>Figure 1. Estimated effects "
            f"{'in standard deviations of the outcome (reference group SD)' if std else ''} with "
            f"{conf}% confidence intervals; the vertical line marks no effect."
            "</figcaption></figure>"
            if plot
            else ""
        ),
    ]
    results.append(_vc_table(family))
    for a in family.analyses:
        results.append(_extras(a))
    sections.append(
        '<section aria-labelledby="s-r"><h2 id="s-r"><span class="n">4</span>What we found</h2>'
        f"{''.join(results)}</section>"
    )
    info = precision(df, a0, cluster_col)
    prec = _power_html(info, a0.outcome if len(family.analyses) > 1 else None)
    if len(family.analyses) > 1:
        prec += _precision_table(df, family, cluster_col)
    sections.append(
        '<section aria-labelledby="s-p"><h2 id="s-p"><span class="n">5</span>Precision: minimum '
        f"detectable effect and clustering</h2>{prec}</section>"
    )
    caveats = [CAVEATS[a0.method]]
    for a in family.analyses:
        caveats += [w for w in a.warnings if w not in caveats]
    caveats.append(
        "Effects in standard deviations divide by the outcome's spread in the reference group of "
        "this sample; they are comparable across outcomes but depend on who was tested."
    )
    caveats.append(
        "A confidence interval that excludes zero is evidence of a difference, not proof that "
        "the programme caused it; that depends on the design."
    )
    sections.append(
        '<section aria-labelledby="s-c"><h2 id="s-c"><span class="n">6</span>Caveats</h2>'
        f'<ul class="caveats">{"".join(f"<li>{esc(c)}</li>" for c in caveats)}</ul></section>'
    )
    from importlib import metadata

    def ver(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "?"

    versions = ", ".join(
        f"{p} {ver(p)}" for p in ("harmonia", "numpy", "pandas", "scipy", "statsmodels")
    )
    sections.append(
        '<section aria-labelledby="s-x"><h2 id="s-x"><span class="n">7</span>Reproduce this '
        "report</h2><p>Run this command on a file with the same SHA-256 fingerprint:</p>"
        f"<pre><code>{esc(ctx.command)}</code></pre>"
        '<dl class="repro">'
        f"<dt>Data file</dt><dd>{esc(ctx.data_path)} ({ctx.n_rows:,} rows)</dd>"
        f"<dt>SHA-256</dt><dd><code>{esc(ctx.sha256)}</code></dd>"
        f"<dt>Software</dt><dd>{esc(versions)}; Python {esc(platform.python_version())}</dd>"
        f"<dt>Generated</dt><dd>{esc(today)}</dd></dl></section>"
    )
    appendix = "".join(_coef_table(a) for a in family.analyses)
    if appendix:
        sections.append(
            '<section aria-labelledby="s-a"><h2 id="s-a"><span class="n">A</span>Appendix: '
            f"full model output</h2>{appendix}</section>"
        )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} &ndash; Harmonia evaluation report</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header class="title">
<p class="kicker">Harmonia &middot; Impact evaluation report</p>
<h1>{esc(title)}</h1>
<p class="meta">{esc(METHOD_NAMES[a0.method])} &middot; {a0.n:,} of {ctx.n_rows:,} rows analysed
&middot; {esc(today)}</p>
</header>
<section class="summary" aria-labelledby="s-k">
<h2 id="s-k">Key findings</h2>
<ul>{findings}</ul>
</section>
{"".join(sections)}
<footer>Produced by Harmonia's evaluation engine (harmonia-evaluate). Methods and formulas are
documented in docs/evaluation.md.</footer>
</main>
</body>
</html>
"""


def write_report(path: str | Path, family: EvaluationFamily, ctx: ReportContext, df: pd.DataFrame):
    """Write the report as HTML, or as PDF when the file name ends in .pdf."""
    p = Path(path)
    doc = render_html(family, ctx, df)
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
