"""Smaller pieces: multiple-testing adjustments, power formulas, OLS variants, TWFE."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from harmonia.evaluation import (
    EvaluationError,
    adjust_pvalues,
    clusters_needed,
    estimate,
    mdes_cluster,
    mdes_individual,
    to_jsonable,
)


def test_adjustments_match_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = np.array([0.01, 0.04, 0.03, 0.2, 0.001, 0.04])
    assert adjust_pvalues(p, "holm") == pytest.approx(multipletests(p, method="holm")[1])
    assert adjust_pvalues(p, "bh") == pytest.approx(multipletests(p, method="fdr_bh")[1])
    with pytest.raises(EvaluationError):
        adjust_pvalues(p, "bonferonni")


def test_mdes_formulas():
    from scipy import stats

    r = mdes_cluster(40, 25, 0.2, r2_level1=0.5, r2_level2=0.6, covariates=1, alpha=0.05)
    m = stats.t.ppf(0.975, 37) + stats.t.ppf(0.8, 37)
    se = np.sqrt(0.2 * 0.4 / (0.25 * 40) + 0.8 * 0.5 / (0.25 * 40 * 25))
    assert r.mdes == pytest.approx(m * se)
    ind = mdes_individual(400)
    assert ind.mdes == pytest.approx(
        (stats.t.ppf(0.975, 398) + stats.t.ppf(0.8, 398)) * np.sqrt(1 / (0.25 * 400))
    )
    need = clusters_needed(0.25, 30, 0.15)
    assert need.mdes <= 0.25 < mdes_cluster(need.needed - 1, 30, 0.15).mdes
    with pytest.raises(EvaluationError):
        mdes_cluster(3, 30, 0.15, covariates=1)


def test_cluster_se_matches_statsmodels():
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(0)
    g = np.repeat(np.arange(30), 10)
    df = pd.DataFrame({"g": g, "t": (g % 2).astype(float), "x": rng.normal(size=300)})
    df["y"] = 0.5 * df.t + df.x + rng.normal(size=30)[g] + rng.normal(size=300)
    a = estimate(df, "ols", "y", "t", covariates="x", se="cluster", cluster="g").analyses[0]
    ref = smf.ols("y ~ t + x", df).fit(cov_type="cluster", cov_kwds={"groups": df.g})
    assert a.estimates[0].std_error == pytest.approx(ref.bse["t"], rel=1e-10)
    assert a.estimates[0].df == 29
    hc1 = estimate(df, "ols", "y", "t", covariates="x", se="hc1").analyses[0]
    assert hc1.estimates[0].std_error == pytest.approx(
        smf.ols("y ~ t + x", df).fit(cov_type="HC1").bse["t"], rel=1e-10
    )


def test_twfe_matches_dummy_regression():
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(1)
    u = np.repeat(np.arange(40), 5)
    tt = np.tile(np.arange(5), 40)
    d = ((u < 20) & (tt >= 3)).astype(float)
    y = rng.normal(size=40)[u] + 0.3 * tt + 0.5 * d + rng.normal(size=200)
    df = pd.DataFrame({"u": u, "tt": tt, "d": d, "y": y})
    df = df.drop(index=[5, 17])  # unbalanced
    a = estimate(df, "twfe", "y", "d", unit="u", time="tt", se="classical").analyses[0]
    ref = smf.ols("y ~ d + C(u) + C(tt)", df).fit()
    assert a.estimates[0].estimate == pytest.approx(ref.params["d"], rel=1e-9)
    assert a.estimates[0].std_error == pytest.approx(ref.bse["d"], rel=1e-9)
    c = estimate(df, "twfe", "y", "d", unit="u", time="tt").analyses[0]
    assert c.se_type == "cluster" and c.n_clusters == 40


def test_continuous_treatment_and_json_nan_free():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"dose": rng.uniform(0, 10, 100)})
    df["y"] = 2 + 0.1 * df.dose + rng.normal(size=100)
    fam = estimate(df, "ols", "y", "dose")
    a = fam.analyses[0]
    assert a.treatment_type == "continuous" and a.estimates[0].term == "dose"
    out = to_jsonable(fam)
    assert out["estimates"][0]["term"] == "dose"
    with pytest.raises(EvaluationError, match="continuous"):
        estimate(df, "difference", "y", "dose")


def test_multilevel_boundary_zero_variance():
    rng = np.random.default_rng(3)
    g = np.repeat(np.arange(50), 4)
    df = pd.DataFrame({"g": g, "t": (g % 2).astype(float), "y": rng.normal(size=200)})
    a = estimate(df, "multilevel", "y", "t", group="g").analyses[0]
    assert a.variance_components.group >= 0
    assert 0 <= a.icc < 0.2


def test_text_outcome_values_are_reported():
    df = pd.DataFrame({"y": ["1", "2", "x", "4"], "t": [0, 1, 0, 1]})
    with pytest.raises(EvaluationError, match="not numeric.*'x'"):
        estimate(df, "ols", "y", "t")
