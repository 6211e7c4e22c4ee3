"""Reproduce published or reference-software results on classic data sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from harmonia.evaluation import estimate, fit_random_intercept, mdes_cluster

from .conftest import LALONDE_COVARIATES, agree


def test_nsw_difference_in_means(nsw):
    a = estimate(nsw, "difference", "re78", "treat").analyses[0]
    assert (a.n, a.n_treated, a.n_control) == (445, 185, 260)
    e = a.estimates[0]
    assert e.term == "treat"
    assert agree(e.estimate, 1794.34, 4)
    assert agree(e.std_error, 632.85, 3)
    assert agree(a.welch[0].std_error, 671.0, 3)
    g = a.effect_sizes[0]
    # Hedges' g = J * d with J = 1 - 3 / (4 (n1 + n0) - 9)
    d = g.cohens_d
    assert g.hedges_g == pytest.approx((1 - 3 / (4 * 445 - 9)) * d)
    assert g.ci_low < g.hedges_g < g.ci_high


def test_nsw_ols_matches_difference(nsw):
    a = estimate(nsw, "ols", "re78", "treat").analyses[0]
    assert agree(a.estimates[0].estimate, 1794.34, 4)
    assert agree(a.estimates[0].std_error, 632.85, 3)


def test_star_ols_hc1_categorical(star_aer):
    a = estimate(star_aer, "ols", "score", "stark", se="hc1", reference="regular").analyses[0]
    assert a.n == 5786
    est = {e.term: e for e in a.estimates}
    assert set(est) == {"small", "regular+aide"}
    assert agree(est["small"].estimate, 13.899, 4)
    assert agree(est["small"].std_error, 2.454, 3)
    assert agree(est["regular+aide"].estimate, 0.3139, 4)
    assert agree(est["regular+aide"].std_error, 2.271, 3)
    assert a.exclusions.missing_by_column["stark"] == 5273
    assert a.n_dropped == 11598 - 5786


def test_hsb_null_model(hsb):
    codes, uniq = pd.factorize(hsb["school"])
    fit = fit_random_intercept(
        hsb["mAch"].to_numpy(float), np.ones((len(hsb), 1)), codes, len(uniq), ["(Intercept)"]
    )
    assert (fit.n, fit.n_groups) == (7185, 160)
    assert agree(fit.beta[0], 12.637, 5)
    assert agree(fit.std_errors[0], 0.244, 3)
    assert agree(fit.tau2, 8.61, 3)
    assert agree(fit.sigma2, 39.148, 5)
    assert agree(fit.icc, 0.180, 3)


def test_hsb_null_model_through_api(hsb):
    a = estimate(hsb, "multilevel", "mAch", group="school").analyses[0]
    assert a.estimates[0].term == "(Intercept)"
    assert agree(a.estimates[0].estimate, 12.637, 5)
    assert agree(a.icc, 0.180, 3)


def test_star_multilevel(star_ecdat):
    a = estimate(
        star_ecdat, "multilevel", "score", "classk", group="schidkn", reference="regular"
    ).analyses[0]
    est = {e.term: e for e in a.estimates}
    assert agree(est["small.class"].estimate, 16.056, 5)
    assert agree(est["small.class"].std_error, 2.173, 4)
    assert agree(est["regular.with.aide"].estimate, 1.949, 4)
    assert agree(est["regular.with.aide"].std_error, 2.093, 4)
    assert agree(a.variance_components.group, 1191.6, 5)
    assert agree(a.variance_components.residual, 4253.3, 5)
    # class type varies within schools: between-within df = N - J - 2
    assert est["small.class"].df == 5748 - 79 - 2


def _mixedlm(df: pd.DataFrame, formula: str, group: str):
    import statsmodels.formula.api as smf

    return smf.mixedlm(formula, df, groups=df[group]).fit(reml=True, method=["powell"])


@pytest.mark.filterwarnings("ignore")
def test_multilevel_agrees_with_statsmodels_hsb(hsb):
    ref = _mixedlm(hsb, "mAch ~ ses + sector", "school")
    a = estimate(hsb, "multilevel", "mAch", "sector", covariates="ses", group="school")
    a = a.analyses[0]
    coefs = {c.term: c for c in a.coefficients}
    assert coefs["(Intercept)"].estimate == pytest.approx(ref.fe_params["Intercept"], rel=1e-5)
    assert coefs["ses"].estimate == pytest.approx(ref.fe_params["ses"], rel=1e-5)
    key = [k for k in ref.fe_params.index if k.startswith("sector")][0]
    sector = a.estimates[0]
    assert sector.estimate == pytest.approx(ref.fe_params[key], rel=1e-5)
    # Standard errors follow lme4, sigma2 (X'V^-1 X)^-1 (checked against lme4 on Star above);
    # MixedLM takes them from the observed Hessian, which differs slightly when a covariate
    # varies within and between groups.
    assert sector.std_error == pytest.approx(ref.bse_fe[key], rel=0.03)
    assert a.reml_loglik == pytest.approx(ref.llf, abs=1e-6)
    assert a.variance_components.group == pytest.approx(float(ref.cov_re.iloc[0, 0]), rel=1e-4)
    assert a.variance_components.residual == pytest.approx(ref.scale, rel=1e-5)


@pytest.mark.filterwarnings("ignore")
def test_multilevel_agrees_with_statsmodels_star(star_ecdat):
    ref = _mixedlm(star_ecdat, "score ~ C(classk, Treatment('regular'))", "schidkn")
    a = estimate(
        star_ecdat, "multilevel", "score", "classk", group="schidkn", reference="regular"
    ).analyses[0]
    est = {e.term: e for e in a.estimates}
    for term in ("small.class", "regular.with.aide"):
        key = f"C(classk, Treatment('regular'))[T.{term}]"
        assert est[term].estimate == pytest.approx(ref.fe_params[key], rel=1e-5)
        assert est[term].std_error == pytest.approx(ref.bse_fe[key], rel=0.03)
    assert a.variance_components.group == pytest.approx(float(ref.cov_re.iloc[0, 0]), rel=1e-4)


def test_injury_did(injury_ky):
    a = estimate(injury_ky, "did", "ldurat", "highearn", post="afchnge").analyses[0]
    assert a.n == 5626
    e = a.estimates[0]
    assert e.term == "did"
    assert agree(e.estimate, 0.1906, 4)
    assert agree(e.std_error, 0.0685, 3)
    cells = {(c["group"], c["period"]): c["mean"] for c in a.cell_means}
    manual = (cells["treated", "after"] - cells["treated", "before"]) - (
        cells["comparison", "after"] - cells["comparison", "before"]
    )
    assert e.estimate == pytest.approx(manual)


def test_lalonde_matchit_default(lalonde):
    a = estimate(lalonde, "match", "re78", "treat", covariates=LALONDE_COVARIATES).analyses[0]
    assert agree(a.estimates[0].estimate, 770.39, 5)
    m = a.matching
    assert (m.order, m.rule, m.n_matched_treated, m.n_controls_used) == (
        "largest",
        "matchit",
        185,
        185,
    )
    assert "descending order of propensity score" in m.tie_rule
    # balance improves on every covariate's absolute SMD summary
    before = np.mean([abs(b.smd_before) for b in a.balance])
    after = np.mean([abs(b.smd_after) for b in a.balance])
    assert after < before


def test_lalonde_strict_nearest_rule_differs(lalonde):
    a = estimate(
        lalonde, "match", "re78", "treat", covariates=LALONDE_COVARIATES, match_rule="nearest"
    ).analyses[0]
    assert agree(a.estimates[0].estimate, 894.37, 5)


def test_matching_is_deterministic_and_caliper_drops_units(lalonde):
    kw = dict(covariates=LALONDE_COVARIATES, caliper=0.1)
    a = estimate(lalonde, "match", "re78", "treat", **kw).analyses[0]
    b = estimate(lalonde, "match", "re78", "treat", **kw).analyses[0]
    assert a.matching.pairs == b.matching.pairs
    assert a.matching.n_unmatched_treated > 0
    assert any("caliper" in r for r in a.exclusions.reasons)
    ps_gap = a.matching.caliper_absolute
    assert ps_gap > 0


def test_lalonde_ipw_by_hand(lalonde):
    import statsmodels.formula.api as smf

    ps = (
        smf.logit("treat ~ age + educ + C(race) + married + nodegree + re74 + re75", lalonde)
        .fit(disp=0)
        .predict(lalonde)
    )
    t = lalonde["treat"].to_numpy()
    y = lalonde["re78"].to_numpy()
    w = ps / (1 - ps)
    by_hand = y[t == 1].mean() - np.sum(w[t == 0] * y[t == 0]) / np.sum(w[t == 0])
    a = estimate(lalonde, "ipw", "re78", "treat", covariates=LALONDE_COVARIATES).analyses[0]
    assert a.estimates[0].estimate == pytest.approx(by_hand, rel=1e-6)
    assert 0 < a.estimates[0].std_error < 2000
    assert a.weighting.effective_n_control < a.weighting.n_control


def test_power_reference_design():
    r = mdes_cluster(11, 30, 0.15, alpha=0.05, power=0.8, treated=0.5)
    assert r.df == 9
    assert r.mdes == pytest.approx(0.801, abs=5e-4)
