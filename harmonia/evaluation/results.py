"""Typed result objects returned by the evaluation library.

Every object converts to plain JSON-ready data with :func:`to_jsonable` (NaN and infinities
become ``null``), which is what the command line prints with ``--json``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Estimate:
    """One reported coefficient or contrast."""

    term: str
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    df: float | None = None  # degrees of freedom of the t reference; None means normal
    outcome: str | None = None
    p_adjusted: float | None = None
    std_estimate: float | None = None  # estimate / outcome SD in the reference group
    std_ci_low: float | None = None
    std_ci_high: float | None = None


@dataclass
class Exclusions:
    """How many rows an analysis used, and why the others were left out."""

    n_read: int
    n_used: int
    missing_by_column: dict[str, int]  # missing (or non-finite) values per column, all rows
    reasons: list[str] = field(default_factory=list)

    @property
    def n_dropped(self) -> int:
        return self.n_read - self.n_used


@dataclass
class EffectSize:
    """Hedges' g (bias-corrected standardised mean difference) with its CI."""

    term: str
    hedges_g: float
    cohens_d: float
    std_error: float
    ci_low: float
    ci_high: float
    pooled_sd: float
    n_treated: int
    n_control: int


@dataclass
class WelchTest:
    term: str
    std_error: float
    df: float
    ci_low: float
    ci_high: float
    p_value: float


@dataclass
class VarianceComponents:
    group: float  # tau^2, between-group (random intercept) variance
    residual: float  # sigma^2, within-group variance


@dataclass
class BalanceRow:
    """Balance of one covariate between treated and control units."""

    covariate: str
    mean_treated: float
    mean_treated_after: float | None
    mean_control_before: float
    mean_control_after: float | None
    smd_before: float
    smd_after: float | None
    variance_ratio_before: float | None
    variance_ratio_after: float | None


@dataclass
class MatchingInfo:
    order: str
    rule: str
    caliper: float | None  # in standard deviations of the propensity score
    caliper_absolute: float | None
    replace: bool
    n_treated: int
    n_matched_treated: int
    n_unmatched_treated: int
    n_controls_used: int
    tie_rule: str
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (treated row, control row)


@dataclass
class WeightingInfo:
    n_treated: int
    n_control: int
    effective_n_control: float
    max_control_weight_share: float
    propensity_min: float
    propensity_max: float


@dataclass
class PowerResult:
    """Minimum detectable effect size (in standard deviations) for a planned design."""

    design: str  # "individual" or "cluster"
    mdes: float
    multiplier: float
    df: float
    standard_error: float  # of the impact estimate, in SD units
    alpha: float
    power: float
    two_tailed: bool
    treated_share: float
    n: int | None = None
    clusters: int | None = None
    cluster_size: float | None = None
    icc: float | None = None
    r2_level1: float = 0.0
    r2_level2: float = 0.0
    covariates: int = 0
    target_effect: float | None = None
    needed: int | None = None  # clusters (cluster design) or individuals needed for target
    needed_unit: str | None = None
    formula: str = ""


@dataclass
class EvaluationResult:
    """The result of one method applied to one outcome."""

    method: str
    outcome: str
    treatment: str
    treatment_type: str  # binary, categorical or continuous
    reference: str | None
    levels: list[str]
    covariates: list[str]
    se_type: str
    alpha: float
    n: int
    exclusions: Exclusions
    estimates: list[Estimate]
    coefficients: list[Estimate] = field(default_factory=list)
    outcome_sd: float | None = None  # SD of the outcome in the reference/control group
    n_treated: int | None = None
    n_control: int | None = None
    n_clusters: int | None = None
    cluster: str | None = None
    effect_sizes: list[EffectSize] = field(default_factory=list)
    welch: list[WelchTest] = field(default_factory=list)
    variance_components: VarianceComponents | None = None
    icc: float | None = None
    reml_loglik: float | None = None
    group: str | None = None
    balance: list[BalanceRow] = field(default_factory=list)
    matching: MatchingInfo | None = None
    weighting: WeightingInfo | None = None
    cell_means: list[dict[str, Any]] = field(default_factory=list)
    design: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def n_dropped(self) -> int:
        return self.exclusions.n_dropped


@dataclass
class EvaluationFamily:
    """One method applied to one or more outcomes, with a multiple-testing adjustment."""

    method: str
    adjust: str | None
    analyses: list[EvaluationResult]

    @property
    def estimates(self) -> list[Estimate]:
        return [e for a in self.analyses for e in a.estimates]


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_jsonable(obj: Any) -> Any:
    """Convert a result object (or list of them) into JSON-ready built-in types."""
    if isinstance(obj, EvaluationFamily):
        analyses = [to_jsonable(a) for a in obj.analyses]
        if len(analyses) == 1:
            out = analyses[0]
            out["adjust"] = obj.adjust
            return out
        return {
            "method": obj.method,
            "adjust": obj.adjust,
            "outcomes": [a.outcome for a in obj.analyses],
            "n": {a.outcome: a.n for a in obj.analyses},
            "n_dropped": {a.outcome: a.n_dropped for a in obj.analyses},
            "estimates": [_clean(dataclasses.asdict(e)) for e in obj.estimates],
            "analyses": analyses,
        }
    if isinstance(obj, EvaluationResult):
        data = dataclasses.asdict(obj)
        if data.get("matching"):
            data["matching"].pop("pairs", None)
        excl = data.pop("exclusions")
        data["n_read"] = excl["n_read"]
        data["n_dropped"] = obj.n_dropped
        data["dropped"] = {
            "total": obj.n_dropped,
            "missing_by_column": excl["missing_by_column"],
            "reasons": excl["reasons"],
        }
        order = ["method", "outcome", "treatment", "n", "n_read", "n_dropped", "dropped"]
        ordered = {k: data[k] for k in order}
        ordered.update({k: v for k, v in data.items() if k not in ordered})
        return _clean(ordered)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _clean(dataclasses.asdict(obj))
    return _clean(obj)
