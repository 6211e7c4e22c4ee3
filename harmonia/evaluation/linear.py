"""Least squares with classical, HC1 and cluster-robust (CR1) standard errors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .errors import EvaluationError
from .results import Estimate

MIN_CLUSTERS = 10  # below this, cluster-robust errors are refused
FEW_CLUSTERS = 30  # below this, a caveat is attached


def make_estimate(
    term: str,
    est: float,
    se: float,
    df: float | None,
    alpha: float,
    outcome: str | None = None,
) -> Estimate:
    """Wald interval and two-sided p-value on t(df), or on the normal when ``df`` is None."""
    if df is None or not np.isfinite(df):
        q = stats.norm.ppf(1 - alpha / 2)
        p = 2 * stats.norm.sf(abs(est / se)) if se > 0 else float("nan")
        dfv = None
    else:
        q = stats.t.ppf(1 - alpha / 2, df)
        p = 2 * stats.t.sf(abs(est / se), df) if se > 0 else float("nan")
        dfv = float(df)
    return Estimate(
        term=term,
        estimate=float(est),
        std_error=float(se),
        ci_low=float(est - q * se),
        ci_high=float(est + q * se),
        p_value=float(p),
        df=dfv,
        outcome=outcome,
    )


def cluster_sums(codes: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
    """Sum the rows of ``values`` (n x k) within each group code."""
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=n_groups)
    return np.column_stack(
        [
            np.bincount(codes, weights=values[:, j], minlength=n_groups)
            for j in range(values.shape[1])
        ]
    )


@dataclass
class OLSFit:
    names: list[str]
    beta: np.ndarray
    cov: np.ndarray
    df: float
    resid: np.ndarray
    sigma2: float
    n: int
    se_type: str
    n_clusters: int | None = None

    def estimate(
        self, name: str, alpha: float, outcome: str | None = None, term: str | None = None
    ):
        i = self.names.index(name)
        return make_estimate(
            term or name, self.beta[i], float(np.sqrt(self.cov[i, i])), self.df, alpha, outcome
        )

    def table(self, alpha: float, outcome: str | None = None) -> list[Estimate]:
        return [self.estimate(n, alpha, outcome) for n in self.names]


def check_clusters(n_clusters: int, name: str) -> list[str]:
    if n_clusters < MIN_CLUSTERS:
        raise EvaluationError(
            f"too few clusters for cluster-robust standard errors: {name!r} has {n_clusters} "
            f"in the rows analysed (at least {MIN_CLUSTERS} are needed; use --se hc1 or a "
            "multilevel model)"
        )
    if n_clusters < FEW_CLUSTERS:
        return [
            f"Only {n_clusters} clusters: cluster-robust standard errors can be too small with "
            f"fewer than about {FEW_CLUSTERS} clusters; t on {n_clusters - 1} df is used."
        ]
    return []


def ols_fit(
    y: np.ndarray,
    X: np.ndarray,
    names: list[str],
    se: str = "classical",
    clusters: np.ndarray | None = None,
    absorbed: int = 0,
    absorbed_nested: bool = True,
) -> OLSFit:
    """OLS of y on X.

    ``absorbed`` counts fixed effects already removed by demeaning (they use up residual
    degrees of freedom). For cluster-robust errors, absorbed effects nested within clusters
    are not counted in the small-sample factor, as in Stata.
    """
    n, k = X.shape
    q, r = np.linalg.qr(X)
    beta = np.linalg.solve(r, q.T @ y)
    resid = y - X @ beta
    rinv = np.linalg.solve(r, np.eye(k))
    bread = rinv @ rinv.T  # (X'X)^-1
    df_resid = n - k - absorbed
    if df_resid <= 0:
        raise EvaluationError(
            f"no residual degrees of freedom ({n} rows, {k + absorbed} parameters)"
        )
    sigma2 = float(resid @ resid) / df_resid
    n_clusters = None
    if se == "classical":
        cov = sigma2 * bread
        df = float(df_resid)
    elif se == "hc1":
        xe = X * resid[:, None]
        meat = xe.T @ xe
        cov = (n / df_resid) * bread @ meat @ bread
        df = float(df_resid)
    elif se == "cluster":
        if clusters is None:
            raise EvaluationError("--se cluster needs --cluster COLUMN")
        codes, g = clusters
        n_clusters = int(g)
        scores = cluster_sums(codes, g, X * resid[:, None])
        meat = scores.T @ scores
        k_eff = k + (0 if absorbed_nested else absorbed)
        factor = (g / (g - 1)) * ((n - 1) / (n - k_eff))
        cov = factor * bread @ meat @ bread
        df = float(g - 1)
    else:
        raise EvaluationError(f"unknown standard-error type {se!r} (use classical, hc1 or cluster)")
    return OLSFit(
        names=list(names),
        beta=beta,
        cov=cov,
        df=df,
        resid=resid,
        sigma2=sigma2,
        n=n,
        se_type=se,
        n_clusters=n_clusters,
    )


def demean_by(codes: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
    """Subtract group means (the within transformation)."""
    counts = np.bincount(codes, minlength=n_groups).astype(float)
    sums = cluster_sums(codes, n_groups, values)
    means = sums / (counts[:, None] if values.ndim > 1 else counts)
    return values - means[codes]
