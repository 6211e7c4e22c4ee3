"""The entry point of the library: :func:`estimate` runs one method on one or more outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import propensity as ps_mod
from .adjust import METHODS as ADJUST_METHODS
from .adjust import adjust_pvalues
from .data import (
    TreatmentCoding,
    binary_indicator,
    check_columns,
    check_rank,
    code_covariates,
    code_treatment,
    complete_cases,
    covariate_indicators,
    group_codes,
    numeric,
)
from .errors import EvaluationError
from .i18n import _, ngettext
from .linear import check_clusters, demean_by, make_estimate, ols_fit
from .multilevel import fit_random_intercept
from .results import EffectSize, EvaluationFamily, EvaluationResult, WeightingInfo, WelchTest

METHODS = ("difference", "ols", "did", "twfe", "multilevel", "ipw", "match")
SE_TYPES = ("classical", "hc1", "cluster")

METHOD_NAMES = {
    "difference": "Difference in means",
    "ols": "Regression adjustment (OLS)",
    "did": "Difference-in-differences (2x2)",
    "twfe": "Two-way fixed effects",
    "multilevel": "Multilevel model (random intercept, REML)",
    "ipw": "Inverse-probability weighting (ATT)",
    "match": "Propensity-score matching (ATT)",
}


@dataclass
class Spec:
    method: str
    treatment: str | None
    covariates: list[str]
    se: str | None
    cluster: str | None
    post: str | None
    unit: str | None
    time: str | None
    group: str | None
    reference: str | None
    alpha: float
    caliper: float | None
    order: str
    replace: bool
    seed: int
    match_rule: str


def _split(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def estimate(
    df: pd.DataFrame,
    method: str,
    outcome: str | Sequence[str],
    treatment: str | None = None,
    covariates: str | Sequence[str] | None = None,
    se: str | None = None,
    cluster: str | None = None,
    post: str | None = None,
    unit: str | None = None,
    time: str | None = None,
    group: str | None = None,
    reference: str | None = None,
    adjust: str | None = None,
    alpha: float = 0.05,
    caliper: float | None = None,
    order: str = "largest",
    replace: bool = False,
    seed: int = 0,
    match_rule: str = "matchit",
) -> EvaluationFamily:
    """Estimate the effect of ``treatment`` on each outcome with ``method``.

    Rows with a missing value in any column the analysis needs are excluded (listwise) and
    counted per column in each result's ``exclusions``. Several outcomes are analysed
    separately; ``adjust`` ("holm" or "bh") then adjusts the p-values of all reported
    estimates as one family. Raises :class:`EvaluationError` for unusable input.
    """
    if method not in METHODS:
        raise EvaluationError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if se is not None and se not in SE_TYPES:
        raise EvaluationError(f"unknown --se {se!r}; choose classical, hc1 or cluster")
    if adjust is not None and adjust not in ADJUST_METHODS:
        raise EvaluationError(f"unknown --adjust {adjust!r}; choose holm or bh")
    if not 0 < alpha < 1:
        raise EvaluationError(f"alpha must be between 0 and 1, got {alpha}")
    if caliper is not None and caliper <= 0:
        raise EvaluationError(f"the caliper must be positive, got {caliper}")
    outcomes = _split(outcome)
    if not outcomes:
        raise EvaluationError("give at least one outcome column")
    if treatment is None and method != "multilevel":
        raise EvaluationError(f"--treatment is required for method {method}")
    spec = Spec(
        method=method,
        treatment=treatment,
        covariates=_split(covariates),
        se=se,
        cluster=cluster,
        post=post,
        unit=unit,
        time=time,
        group=group,
        reference=reference,
        alpha=alpha,
        caliper=caliper,
        order=order,
        replace=replace,
        seed=seed,
        match_rule=match_rule,
    )
    roles = {
        f"outcome {i + 1}" if len(outcomes) > 1 else "outcome": o for i, o in enumerate(outcomes)
    }
    roles.update({"treatment": treatment, "cluster": cluster, "post": post, "unit": unit})
    roles.update({"time": time, "group": group})
    roles.update({f"covariate {c}": c for c in spec.covariates})
    check_columns(df, roles)
    if treatment in outcomes:
        raise EvaluationError(f"{treatment!r} is both the treatment and an outcome")
    analyses = [_run_one(df, spec, o) for o in outcomes]
    family = EvaluationFamily(method=method, adjust=adjust, analyses=analyses)
    if adjust:
        ests = family.estimates
        adj = adjust_pvalues([e.p_value for e in ests], adjust)
        for e, p in zip(ests, adj, strict=True):
            e.p_adjusted = float(p)
    return family


def _required(spec: Spec) -> None:
    m = spec.method
    if m == "did" and not spec.post:
        raise EvaluationError("method did needs --post (the 0/1 post-period column)")
    if m == "twfe" and not (spec.unit and spec.time):
        raise EvaluationError("method twfe needs --unit and --time")
    if m == "multilevel" and not spec.group:
        raise EvaluationError("method multilevel needs --group (the level-2 unit, e.g. school)")
    if m in ("ipw", "match") and not spec.covariates:
        raise EvaluationError(f"method {m} needs --covariates for the propensity model")
    if m == "difference" and spec.covariates:
        raise EvaluationError(
            "method difference takes no covariates; use --method ols for regression adjustment"
        )
    if spec.se == "cluster" and not spec.cluster and m not in ("twfe",):
        raise EvaluationError("--se cluster needs --cluster COLUMN")


def _run_one(df: pd.DataFrame, spec: Spec, outcome: str) -> EvaluationResult:
    _required(spec)
    cols = [outcome, spec.treatment, *spec.covariates]
    cols += [spec.cluster if spec.se == "cluster" or spec.method == "twfe" else None]
    cols += [spec.post, spec.unit, spec.time, spec.group]
    sub, excl = complete_cases(df, [c for c in cols if c])
    if excl.n_used == 0:
        raise EvaluationError(
            f"no rows left for outcome {outcome!r} after excluding missing values "
            f"({', '.join(f'{c} {k}' for c, k in excl.missing_by_column.items() if k)})"
        )
    y = numeric(sub[outcome], "outcome")
    tc = code_treatment(sub[spec.treatment], spec.reference) if spec.treatment else None
    Xc, cov_names = code_covariates(sub, spec.covariates)
    runner = {
        "difference": _difference,
        "ols": _ols,
        "did": _did,
        "twfe": _twfe,
        "multilevel": _multilevel,
        "ipw": _propensity,
        "match": _propensity,
    }[spec.method]
    res = runner(sub, spec, outcome, y, tc, Xc, cov_names)
    res.exclusions = excl if not res.exclusions.reasons else _merge(excl, res.exclusions)
    res.n = excl.n_used
    _standardise(res, y, tc)
    return res


def _merge(a, b):
    a.reasons = a.reasons + b.reasons
    return a


def _standardise(res: EvaluationResult, y: np.ndarray, tc: TreatmentCoding | None) -> None:
    """Express estimates in SDs of the outcome among reference (comparison) units."""
    if tc is not None and tc.kind != "continuous":
        ref = tc.columns.sum(axis=1) == 0
        sd = float(np.std(y[ref], ddof=1)) if ref.sum() > 1 else float("nan")
        res.n_control = int(ref.sum())
        res.n_treated = int((~ref).sum())
    else:
        sd = float(np.std(y, ddof=1))
    res.outcome_sd = sd
    if sd > 0 and np.isfinite(sd):
        for e in res.estimates:
            e.std_estimate = e.estimate / sd
            e.std_ci_low = e.ci_low / sd
            e.std_ci_high = e.ci_high / sd


def _base(spec: Spec, outcome: str, tc: TreatmentCoding | None, cov_names, se_type: str, n: int):
    from .results import Exclusions

    return dict(
        method=spec.method,
        outcome=outcome,
        treatment=spec.treatment or "",
        treatment_type=tc.kind if tc else "none",
        reference=tc.reference if tc else None,
        levels=list(tc.levels) if tc else [],
        covariates=list(cov_names),
        se_type=se_type,
        alpha=spec.alpha,
        n=n,
        exclusions=Exclusions(n_read=n, n_used=n, missing_by_column={}),
    )


def _clusters(sub: pd.DataFrame, spec: Spec, name: str | None = None):
    col = name or spec.cluster
    codes, g = group_codes(sub[col])
    return (codes, g), check_clusters(g, col)


def _design(sub, spec: Spec, tc: TreatmentCoding, Xc, cov_names, intercept=True):
    cols = [np.ones(len(sub))] if intercept else []
    names = ["(Intercept)"] if intercept else []
    cols += [tc.columns[:, j] for j in range(tc.columns.shape[1])]
    names += list(tc.terms)
    cols += [Xc[:, j] for j in range(Xc.shape[1])]
    names += cov_names
    return np.column_stack(cols), names


def _fit_linear(y, X, names, sub, spec: Spec, default_se="classical", absorbed=0):
    se = spec.se or default_se
    clusters, warns = (None, [])
    if se == "cluster":
        clusters, warns = _clusters(sub, spec)
    check_rank(X, names)
    fit = ols_fit(y, X, names, se=se, clusters=clusters, absorbed=absorbed)
    return fit, warns


def _difference(sub, spec, outcome, y, tc: TreatmentCoding, Xc, cov_names):
    if tc.kind == "continuous":
        raise EvaluationError(
            f"method difference needs a binary or categorical treatment; {tc.name!r} is "
            "continuous (use --method ols, or --reference to treat it as categorical)"
        )
    X, names = _design(sub, spec, tc, Xc, [])
    fit, warns = _fit_linear(y, X, names, sub, spec)
    ests = [fit.estimate(t, spec.alpha, outcome) for t in tc.terms]
    ref = tc.columns.sum(axis=1) == 0
    y0 = y[ref]
    from scipy import stats

    z = stats.norm.ppf(1 - spec.alpha / 2)
    sizes, welch = [], []
    for j, term in enumerate(tc.terms):
        y1 = y[tc.columns[:, j] == 1]
        n1, n0 = len(y1), len(y0)
        if n1 < 2 or n0 < 2:
            raise EvaluationError(f"level {term!r} or the reference has fewer than two rows")
        v1, v0 = np.var(y1, ddof=1), np.var(y0, ddof=1)
        diff = y1.mean() - y0.mean()
        sp = np.sqrt(((n1 - 1) * v1 + (n0 - 1) * v0) / (n1 + n0 - 2))
        d = diff / sp if sp > 0 else float("nan")
        jcorr = 1 - 3 / (4 * (n1 + n0) - 9)
        g = jcorr * d
        se_g = jcorr * np.sqrt((n1 + n0) / (n1 * n0) + d**2 / (2 * (n1 + n0)))
        sizes.append(
            EffectSize(
                term=term,
                hedges_g=float(g),
                cohens_d=float(d),
                std_error=float(se_g),
                ci_low=float(g - z * se_g),
                ci_high=float(g + z * se_g),
                pooled_sd=float(sp),
                n_treated=n1,
                n_control=n0,
            )
        )
        se_w = np.sqrt(v1 / n1 + v0 / n0)
        df_w = (v1 / n1 + v0 / n0) ** 2 / ((v1 / n1) ** 2 / (n1 - 1) + (v0 / n0) ** 2 / (n0 - 1))
        w = make_estimate(term, diff, se_w, df_w, spec.alpha)
        welch.append(
            WelchTest(
                term=term,
                std_error=float(se_w),
                df=float(df_w),
                ci_low=w.ci_low,
                ci_high=w.ci_high,
                p_value=w.p_value,
            )
        )
    return EvaluationResult(
        **_base(spec, outcome, tc, [], fit.se_type, len(y)),
        estimates=ests,
        coefficients=fit.table(spec.alpha, outcome),
        effect_sizes=sizes,
        welch=welch,
        n_clusters=fit.n_clusters,
        cluster=spec.cluster if fit.se_type == "cluster" else None,
        warnings=warns,
    )


def _ols(sub, spec, outcome, y, tc, Xc, cov_names):
    X, names = _design(sub, spec, tc, Xc, cov_names)
    fit, warns = _fit_linear(y, X, names, sub, spec)
    return EvaluationResult(
        **_base(spec, outcome, tc, cov_names, fit.se_type, len(y)),
        estimates=[fit.estimate(t, spec.alpha, outcome) for t in tc.terms],
        coefficients=fit.table(spec.alpha, outcome),
        n_clusters=fit.n_clusters,
        cluster=spec.cluster if fit.se_type == "cluster" else None,
        warnings=warns,
    )


def _did(sub, spec, outcome, y, tc, Xc, cov_names):
    t = tc.indicator
    post = binary_indicator(sub[spec.post], "post")
    tname = tc.terms[0]
    names = ["(Intercept)", tname, spec.post, "did", *cov_names]
    X = np.column_stack([np.ones(len(y)), t, post, t * post, Xc])
    fit, warns = _fit_linear(y, X, names, sub, spec)
    cells = []
    for g_val, g_lab in ((0, "comparison"), (1, "treated")):
        for p_val, p_lab in ((0, "before"), (1, "after")):
            m = (t == g_val) & (post == p_val)
            cells.append(
                {
                    "group": g_lab,
                    "period": p_lab,
                    "n": int(m.sum()),
                    "mean": float(y[m].mean()) if m.any() else float("nan"),
                }
            )
    if any(c["n"] == 0 for c in cells):
        raise EvaluationError(
            "difference-in-differences needs rows in all four group x period cells"
        )
    warns.append(
        _(
            "The estimate assumes parallel trends: without the programme, the treated and "
            "comparison groups would have changed by the same amount."
        )
    )
    return EvaluationResult(
        **_base(spec, outcome, tc, cov_names, fit.se_type, len(y)),
        estimates=[fit.estimate("did", spec.alpha, outcome)],
        coefficients=fit.table(spec.alpha, outcome),
        cell_means=cells,
        n_clusters=fit.n_clusters,
        cluster=spec.cluster if fit.se_type == "cluster" else None,
        warnings=warns,
    )


def _twfe(sub, spec, outcome, y, tc, Xc, cov_names):
    ucodes, n_units = group_codes(sub[spec.unit])
    n_times = int(sub[spec.time].nunique())
    time_levels = sorted(pd.unique(sub[spec.time]).tolist(), key=lambda v: (str(type(v)), v))
    tlab = sub[spec.time].to_numpy()
    tdum = [(tlab == lv).astype(float) for lv in time_levels[1:]]
    tnames = [f"time[{lv}]" for lv in time_levels[1:]]
    X, names = _design(sub, spec, tc, Xc, cov_names, intercept=False)
    if tdum:
        X = np.column_stack([X, *tdum])
    names = names + tnames
    Xw = demean_by(ucodes, n_units, X)
    yw = demean_by(ucodes, n_units, y)
    se = spec.se or "cluster"
    warns: list[str] = []
    clusters = None
    cl_name = spec.cluster or spec.unit
    if se == "cluster":
        clusters, warns = _clusters(sub, spec, cl_name)
    check_rank(Xw, names)
    nested = cl_name == spec.unit
    fit = ols_fit(yw, Xw, names, se=se, clusters=clusters, absorbed=n_units, absorbed_nested=nested)
    if tc.kind == "binary":
        warns.append(
            _(
                "With staggered adoption or effects that change over time, the two-way "
                "fixed-effects estimate is a weighted average that can be biased "
                "(Goodman-Bacon 2021); check event-study estimates."
            )
        )
    return EvaluationResult(
        **_base(spec, outcome, tc, cov_names, fit.se_type, len(y)),
        estimates=[fit.estimate(t, spec.alpha, outcome) for t in tc.terms],
        coefficients=fit.table(spec.alpha, outcome),
        n_clusters=fit.n_clusters,
        cluster=cl_name if fit.se_type == "cluster" else None,
        design={"units": n_units, "periods": n_times},
        warnings=warns,
    )


def _multilevel(sub, spec, outcome, y, tc, Xc, cov_names):
    codes, n_groups = group_codes(sub[spec.group])
    warns = []
    if spec.se not in (None, "classical"):
        warns.append(
            _("--se {se} ignored: multilevel standard errors are model-based (REML).").format(
                se=spec.se
            )
        )
    if tc is not None:
        X, names = _design(sub, spec, tc, Xc, cov_names)
        terms = list(tc.terms)
    else:
        X = np.column_stack([np.ones(len(y)), Xc]) if Xc.size else np.ones((len(y), 1))
        names = ["(Intercept)", *cov_names]
        terms = ["(Intercept)"]
    check_rank(X, names)
    fit = fit_random_intercept(y, X, codes, n_groups, names)
    se = fit.std_errors
    coefs = [
        make_estimate(nm, fit.beta[i], se[i], fit.df[i], spec.alpha, outcome)
        for i, nm in enumerate(names)
    ]
    from .results import VarianceComponents

    if n_groups < 20:
        warns.append(
            _("Only {n} groups: the between-group variance is estimated imprecisely.").format(
                n=n_groups
            )
        )
    if fit.tau2 == 0:
        warns.append(_("The estimated between-group variance is zero (boundary); ICC = 0."))
    sizes = np.bincount(codes)
    return EvaluationResult(
        **_base(spec, outcome, tc, cov_names, "model-based (REML)", len(y)),
        estimates=[coefs[names.index(t)] for t in terms],
        coefficients=coefs,
        variance_components=VarianceComponents(group=fit.tau2, residual=fit.sigma2),
        icc=fit.icc,
        reml_loglik=fit.reml_loglik,
        group=spec.group,
        n_clusters=n_groups,
        design={
            "groups": n_groups,
            "mean_group_size": float(sizes.mean()),
            "min_group_size": int(sizes.min()),
            "max_group_size": int(sizes.max()),
            "df_method": "between-within",
        },
        warnings=warns,
    )


def _propensity(sub, spec, outcome, y, tc, Xc, cov_names):
    t = tc.indicator
    X = np.column_stack([np.ones(len(y)), Xc])
    names = ["(Intercept)", *cov_names]
    check_rank(X, names)
    lf = ps_mod.logistic_fit(t, X, names)
    ps = lf.fitted
    Z, znames = covariate_indicators(sub, spec.covariates)
    Z = np.column_stack([Z, ps])
    znames = [*znames, "propensity score"]
    term = tc.terms[0]
    warns: list[str] = []
    from .results import Exclusions

    extra = Exclusions(n_read=len(y), n_used=len(y), missing_by_column={})
    if spec.method == "ipw":
        att, se, mu1, mu0, w = ps_mod.ipw_att(y, t, X, ps)
        wc = w[t == 0]
        ess = float(wc.sum() ** 2 / (wc**2).sum())
        est = make_estimate(term, att, se, None, spec.alpha, outcome)
        bal = ps_mod.balance_table(Z, znames, t, control_weights=wc)
        info = WeightingInfo(
            n_treated=int(t.sum()),
            n_control=int((1 - t).sum()),
            effective_n_control=ess,
            max_control_weight_share=float(wc.max() / wc.sum()),
            propensity_min=float(ps.min()),
            propensity_max=float(ps.max()),
        )
        if ps[t == 0].max() > 0.95 or info.max_control_weight_share > 0.1:
            warns.append(
                _(
                    "Some comparison units carry very large weights (propensity scores near 1); "
                    "the effective comparison sample is {n}. Check overlap."
                ).format(n=f"{ess:.0f}")
            )
        return EvaluationResult(
            **_base(spec, outcome, tc, cov_names, "sandwich (M-estimation, PS estimated)", len(y)),
            estimates=[est],
            balance=bal,
            weighting=info,
            design={"propensity_coefficients": dict(zip(names, lf.beta.tolist(), strict=True))},
            warnings=warns,
        )
    pairs, cal_abs = ps_mod.nearest_neighbour(
        ps,
        t,
        order=spec.order,
        caliper=spec.caliper,
        replace=spec.replace,
        seed=spec.seed,
        rule=spec.match_rule,
    )
    att, se, df = ps_mod.matched_att(y, pairs)
    est = make_estimate(term, att, se, df, spec.alpha, outcome)
    ti = np.array([a for a, _ in pairs])
    ci = np.array([b for _, b in pairs])
    bal = ps_mod.balance_table(Z, znames, t, after_treated=ti, after_control=ci)
    info = ps_mod.matching_info(
        pairs, t, spec.order, spec.caliper, cal_abs, spec.replace, spec.match_rule
    )
    if info.n_unmatched_treated:
        extra.reasons.append(
            ngettext(
                "{n} treated unit had no available control within the caliper and is not in "
                "the matched estimate (the estimand is the ATT among matched treated units)",
                "{n} treated units had no available control within the caliper and are not in "
                "the matched estimate (the estimand is the ATT among matched treated units)",
                info.n_unmatched_treated,
            ).format(n=info.n_unmatched_treated)
        )
    n_unused = int((t == 0).sum()) - info.n_controls_used
    extra.reasons.append(
        ngettext(
            "{n} comparison unit was not selected as a match",
            "{n} comparison units were not selected as matches",
            n_unused,
        ).format(n=n_unused)
    )
    big = [b.covariate for b in bal if b.smd_after is not None and abs(b.smd_after) > 0.1]
    if big:
        warns.append(
            _(
                "After matching, standardised differences above 0.1 remain for: {covariates}. "
                "Consider regression adjustment on the matched sample."
            ).format(covariates=", ".join(big))
        )
    res = EvaluationResult(
        **_base(spec, outcome, tc, cov_names, "cluster on matched pair (CR1)", len(y)),
        estimates=[est],
        balance=bal,
        matching=info,
        n_clusters=len(pairs),
        design={"propensity_coefficients": dict(zip(names, lf.beta.tolist(), strict=True))},
        warnings=warns,
    )
    res.exclusions = extra
    return res
