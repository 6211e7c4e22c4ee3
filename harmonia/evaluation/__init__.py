"""Harmonia impact evaluation: a pure-Python (no Django) statistics library and CLI.

Typical use::

    from harmonia.evaluation import estimate, mdes_cluster
    family = estimate(df, "ols", outcome="score", treatment="arm", se="hc1")
    family.analyses[0].estimates[0].estimate

See docs/evaluation.md for the methods, formulas and references reproduced.
"""

from .adjust import adjust_pvalues
from .api import METHODS, estimate
from .data import read_csv
from .errors import EvaluationError
from .multilevel import fit_random_intercept
from .power import clusters_needed, mdes_cluster, mdes_individual, sample_needed
from .results import (
    BalanceRow,
    EffectSize,
    Estimate,
    EvaluationFamily,
    EvaluationResult,
    Exclusions,
    MatchingInfo,
    PowerResult,
    VarianceComponents,
    WeightingInfo,
    to_jsonable,
)

__all__ = [
    "METHODS",
    "BalanceRow",
    "EffectSize",
    "Estimate",
    "EvaluationError",
    "EvaluationFamily",
    "EvaluationResult",
    "Exclusions",
    "MatchingInfo",
    "PowerResult",
    "VarianceComponents",
    "WeightingInfo",
    "adjust_pvalues",
    "clusters_needed",
    "estimate",
    "fit_random_intercept",
    "mdes_cluster",
    "mdes_individual",
    "read_csv",
    "sample_needed",
    "to_jsonable",
]
