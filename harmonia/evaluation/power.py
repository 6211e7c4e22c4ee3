"""Minimum detectable effect sizes (MDES) and sample sizes before a study.

Formulas follow Bloom (1995, 2005, 2006), as implemented in Optimal Design (Raudenbush et
al., 2011) and PowerUp! (Dong & Maynard, 2013). Effects are in standard deviations of the
outcome. The multiplier is ``M = t(1 - alpha/2; df) + t(power; df)`` for a two-tailed test
(``t(1 - alpha; df)`` one-tailed).

Individual random assignment (PowerUp! IRA):
    MDES = M_{n-g-2} * sqrt((1 - R2) / (P (1 - P) n))
Cluster random assignment, two levels, treatment at level 2 (PowerUp! CRA2_2):
    MDES = M_{J-g-2} * sqrt(rho (1 - R2_2) / (P (1 - P) J)
                            + (1 - rho) (1 - R2_1) / (P (1 - P) J n))
with n pupils per school, J schools, P the share treated, rho the ICC, R2_1 and R2_2 the
shares of level-1 and level-2 variance explained by covariates and g the number of
(level-2) covariates.
"""

from __future__ import annotations

import math

from scipy import stats

from .errors import EvaluationError
from .results import PowerResult

FORMULA_INDIVIDUAL = "MDES = M(n-g-2) * sqrt((1-R2) / (P(1-P) n))"
FORMULA_CLUSTER = (
    "MDES = M(J-g-2) * sqrt(rho(1-R2_2) / (P(1-P) J) + (1-rho)(1-R2_1) / (P(1-P) J n))"
)


def multiplier(df: float, alpha: float = 0.05, power: float = 0.80, two_tailed: bool = True):
    q = 1 - alpha / 2 if two_tailed else 1 - alpha
    return float(stats.t.ppf(q, df) + stats.t.ppf(power, df))


def _check_common(alpha, power, treated):
    if not 0 < alpha < 1:
        raise EvaluationError(f"alpha must be between 0 and 1, got {alpha}")
    if not 0 < power < 1:
        raise EvaluationError(f"power must be between 0 and 1, got {power}")
    if not 0 < treated < 1:
        raise EvaluationError(f"the proportion treated must be between 0 and 1, got {treated}")


def _check_r2(name, r2):
    if not 0 <= r2 < 1:
        raise EvaluationError(f"{name} must be in [0, 1), got {r2}")


def mdes_individual(
    n: int,
    r2: float = 0.0,
    covariates: int = 0,
    alpha: float = 0.05,
    power: float = 0.80,
    treated: float = 0.5,
    two_tailed: bool = True,
) -> PowerResult:
    """MDES when individuals are randomly assigned."""
    _check_common(alpha, power, treated)
    _check_r2("R2", r2)
    df = n - covariates - 2
    if df < 1:
        raise EvaluationError(
            f"{n} participants leave no degrees of freedom for {covariates} covariates"
        )
    m = multiplier(df, alpha, power, two_tailed)
    se = math.sqrt((1 - r2) / (treated * (1 - treated) * n))
    return PowerResult(
        design="individual",
        mdes=m * se,
        multiplier=m,
        df=df,
        standard_error=se,
        alpha=alpha,
        power=power,
        two_tailed=two_tailed,
        treated_share=treated,
        n=int(n),
        r2_level1=r2,
        covariates=covariates,
        formula=FORMULA_INDIVIDUAL,
    )


def mdes_cluster(
    clusters: int,
    cluster_size: float,
    icc: float,
    r2_level1: float = 0.0,
    r2_level2: float = 0.0,
    covariates: int = 0,
    alpha: float = 0.05,
    power: float = 0.80,
    treated: float = 0.5,
    two_tailed: bool = True,
) -> PowerResult:
    """MDES when whole clusters (schools, centres) are randomly assigned."""
    _check_common(alpha, power, treated)
    _check_r2("level-1 R2", r2_level1)
    _check_r2("level-2 R2", r2_level2)
    if not 0 <= icc < 1:
        raise EvaluationError(f"the ICC must be in [0, 1), got {icc}")
    if cluster_size < 1:
        raise EvaluationError(f"cluster size must be at least 1, got {cluster_size}")
    df = clusters - covariates - 2
    if df < 1:
        raise EvaluationError(
            f"{clusters} clusters leave no degrees of freedom with {covariates} cluster-level "
            "covariates (need clusters > covariates + 2)"
        )
    m = multiplier(df, alpha, power, two_tailed)
    pq = treated * (1 - treated)
    se = math.sqrt(
        icc * (1 - r2_level2) / (pq * clusters)
        + (1 - icc) * (1 - r2_level1) / (pq * clusters * cluster_size)
    )
    return PowerResult(
        design="cluster",
        mdes=m * se,
        multiplier=m,
        df=df,
        standard_error=se,
        alpha=alpha,
        power=power,
        two_tailed=two_tailed,
        treated_share=treated,
        n=int(round(clusters * cluster_size)),
        clusters=int(clusters),
        cluster_size=float(cluster_size),
        icc=icc,
        r2_level1=r2_level1,
        r2_level2=r2_level2,
        covariates=covariates,
        formula=FORMULA_CLUSTER,
    )


def clusters_needed(
    target: float, cluster_size: float, icc: float, max_clusters: int = 100_000, **kw
):
    """Smallest number of clusters whose MDES is at most ``target``."""
    if target <= 0:
        raise EvaluationError(f"the target effect must be positive, got {target}")
    lo = kw.get("covariates", 0) + 3
    if mdes_cluster(max_clusters, cluster_size, icc, **kw).mdes > target:
        raise EvaluationError(
            f"an effect of {target} SD cannot be detected with clusters of {cluster_size} "
            f"and ICC {icc} even with {max_clusters} clusters"
        )
    hi = max_clusters
    while lo < hi:  # MDES decreases with J: binary search
        mid = (lo + hi) // 2
        if mdes_cluster(mid, cluster_size, icc, **kw).mdes <= target:
            hi = mid
        else:
            lo = mid + 1
    res = mdes_cluster(lo, cluster_size, icc, **kw)
    res.target_effect = target
    res.needed = lo
    res.needed_unit = "clusters"
    return res


def sample_needed(target: float, max_n: int = 10_000_000, **kw):
    """Smallest number of individually randomised participants whose MDES is at most ``target``."""
    if target <= 0:
        raise EvaluationError(f"the target effect must be positive, got {target}")
    lo = kw.get("covariates", 0) + 3
    hi = max_n
    if mdes_individual(hi, **kw).mdes > target:
        raise EvaluationError(f"an effect of {target} SD needs more than {max_n} participants")
    while lo < hi:
        mid = (lo + hi) // 2
        if mdes_individual(mid, **kw).mdes <= target:
            hi = mid
        else:
            lo = mid + 1
    res = mdes_individual(lo, **kw)
    res.target_effect = target
    res.needed = lo
    res.needed_unit = "participants"
    return res
