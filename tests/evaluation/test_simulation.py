"""Monte Carlo checks: estimators are unbiased and 95% intervals cover the true effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from harmonia.evaluation import estimate
from harmonia.evaluation.linear import make_estimate, ols_fit
from harmonia.evaluation.multilevel import fit_random_intercept

REPS = 300
TRUE = 0.3


def _coverage(ests, lows, highs):
    ests, lows, highs = map(np.asarray, (ests, lows, highs))
    return float(np.mean(ests - TRUE)), float(np.mean((lows <= TRUE) & (highs >= TRUE)))


def test_ols_hc1_bias_and_coverage():
    rng = np.random.default_rng(1)
    e, lo, hi = [], [], []
    n = 200
    for _ in range(REPS):
        x = rng.normal(size=n)
        t = rng.binomial(1, 0.5, n).astype(float)
        y = 1 + TRUE * t + 0.8 * x + rng.normal(size=n) * (1 + 0.5 * t)  # heteroskedastic
        X = np.column_stack([np.ones(n), t, x])
        fit = ols_fit(y, X, ["c", "t", "x"], se="hc1")
        est = fit.estimate("t", 0.05)
        e.append(est.estimate)
        lo.append(est.ci_low)
        hi.append(est.ci_high)
    bias, cover = _coverage(e, lo, hi)
    assert abs(bias) < 0.03
    assert 0.92 <= cover <= 0.98


def test_multilevel_cluster_randomised_bias_and_coverage():
    rng = np.random.default_rng(2)
    J, m = 30, 20
    g = np.repeat(np.arange(J), m)
    e, lo, hi = [], [], []
    for _ in range(REPS):
        treat = rng.permutation(np.repeat([0.0, 1.0], J // 2))[g]
        y = TRUE * treat + rng.normal(0, 0.5, J)[g] + rng.normal(size=J * m)
        X = np.column_stack([np.ones(J * m), treat])
        fit = fit_random_intercept(y, X, g, J, ["c", "t"])
        est = make_estimate("t", fit.beta[1], fit.std_errors[1], fit.df[1], 0.05)
        e.append(est.estimate)
        lo.append(est.ci_low)
        hi.append(est.ci_high)
    bias, cover = _coverage(e, lo, hi)
    assert abs(bias) < 0.05
    assert 0.92 <= cover <= 0.98


def test_ipw_att_bias_and_coverage():
    rng = np.random.default_rng(3)
    n = 400
    e, lo, hi = [], [], []
    for _ in range(REPS):
        x = rng.normal(size=n)
        t = rng.binomial(1, 1 / (1 + np.exp(-(0.8 * x - 0.3)))).astype(float)
        y = TRUE * t + x + rng.normal(size=n)
        df = pd.DataFrame({"y": y, "t": t, "x": x})
        est = estimate(df, "ipw", "y", "t", covariates="x").analyses[0].estimates[0]
        e.append(est.estimate)
        lo.append(est.ci_low)
        hi.append(est.ci_high)
    bias, cover = _coverage(e, lo, hi)
    assert abs(bias) < 0.05
    assert 0.92 <= cover <= 0.98


@pytest.mark.parametrize("se", ["classical", "cluster"])
def test_did_bias_and_coverage(se):
    rng = np.random.default_rng(4)
    units, e, lo, hi = 60, [], [], []
    for _ in range(REPS // 2):
        u = np.repeat(np.arange(units), 2)
        post = np.tile([0.0, 1.0], units)
        grp = (u < units // 2).astype(float)
        y = rng.normal(0, 0.5, units)[u] + 0.4 * post + 0.2 * grp + TRUE * grp * post
        y = y + rng.normal(size=2 * units)
        df = pd.DataFrame({"y": y, "g": grp, "post": post, "u": u})
        est = estimate(df, "did", "y", "g", post="post", se=se, cluster="u").analyses[0]
        est = est.estimates[0]
        e.append(est.estimate)
        lo.append(est.ci_low)
        hi.append(est.ci_high)
    bias, cover = _coverage(e, lo, hi)
    assert abs(bias) < 0.06
    assert 0.90 <= cover <= 0.99
