"""Reading data, checking columns, listwise deletion with an audit trail, and coding variables."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import EvaluationError
from .i18n import ngettext
from .results import Exclusions


def read_csv(path: str | Path) -> tuple[pd.DataFrame, str]:
    """Read a CSV file; return the frame and the SHA-256 of the file's bytes."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise EvaluationError(f"data file not found: {p}") from None
    except OSError as exc:
        raise EvaluationError(f"cannot read {p}: {exc.strerror or exc}") from None
    digest = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        raise EvaluationError(f"data file is empty: {p}")
    try:
        df = pd.read_csv(io.BytesIO(raw))
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EvaluationError(f"cannot parse {p} as CSV: {first}") from None
    if df.shape[0] == 0:
        raise EvaluationError(f"data file has a header but no rows: {p}")
    return df, digest


def check_columns(df: pd.DataFrame, columns: dict[str, str | None]) -> None:
    """Fail clearly if a requested column does not exist. ``columns`` maps role -> name."""
    for role, col in columns.items():
        if col is None:
            continue
        if col not in df.columns:
            shown = ", ".join(map(str, df.columns[:30]))
            more = " ..." if len(df.columns) > 30 else ""
            raise EvaluationError(
                f"unknown column {col!r} given as {role}; the data has columns: {shown}{more}"
            )


def _is_missing(s: pd.Series) -> np.ndarray:
    miss = s.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        vals = s.to_numpy(dtype=float, na_value=np.nan)
        miss = miss | ~np.isfinite(vals)
    return miss


def complete_cases(
    df: pd.DataFrame, columns: list[str], extra_reasons: list[str] | None = None
) -> tuple[pd.DataFrame, Exclusions]:
    """Keep rows with a value in every analysis column, recording what was dropped and why."""
    cols = list(dict.fromkeys(c for c in columns if c is not None))
    keep = np.ones(len(df), dtype=bool)
    missing: dict[str, int] = {}
    for c in cols:
        m = _is_missing(df[c])
        missing[c] = int(m.sum())
        keep &= ~m
    sub = df.loc[keep]
    reasons = []
    n_drop = int((~keep).sum())
    if n_drop:
        parts = ", ".join(f"{c} {k}" for c, k in missing.items() if k)
        reasons.append(
            ngettext(
                "{n} row excluded by listwise deletion because a value was missing or not "
                "finite (missing per column: {columns})",
                "{n} rows excluded by listwise deletion because a value was missing or not "
                "finite (missing per column: {columns})",
                n_drop,
            ).format(n=n_drop, columns=parts)
        )
    reasons.extend(extra_reasons or [])
    return sub, Exclusions(
        n_read=len(df), n_used=int(keep.sum()), missing_by_column=missing, reasons=reasons
    )


def numeric(s: pd.Series, role: str) -> np.ndarray:
    """Return a float array or fail naming the first value that is not a number."""
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=float)
    if pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(dtype=float, na_value=np.nan)
    conv = pd.to_numeric(s, errors="coerce")
    bad = conv.isna() & s.notna()
    if bad.any():
        idx = bad.to_numpy().nonzero()[0][0]
        raise EvaluationError(
            f"{role} column {s.name!r} is not numeric (value {s.iloc[idx]!r} in data row "
            f"{s.index[idx] + 2 if isinstance(s.index[idx], int | np.integer) else s.index[idx]})"
        )
    return conv.to_numpy(dtype=float, na_value=np.nan)


def _is_numeric_like(s: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return True
    conv = pd.to_numeric(s, errors="coerce")
    return bool((conv.notna() | s.isna()).all())


def _level_str(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


@dataclass
class TreatmentCoding:
    """How the treatment variable enters the model."""

    name: str
    kind: str  # binary, categorical or continuous
    columns: np.ndarray  # n x m design columns
    terms: list[str]
    levels: list[str] = field(default_factory=list)
    reference: str | None = None
    labels: np.ndarray | None = None  # level label per row (binary/categorical)

    @property
    def indicator(self) -> np.ndarray:
        """0/1 indicator of being treated, for two-level treatments."""
        if self.kind == "continuous" or self.columns.shape[1] != 1:
            raise EvaluationError(
                f"this method needs a treatment with exactly two levels; {self.name!r} is "
                f"{self.kind}" + (f" with levels {', '.join(self.levels)}" if self.levels else "")
            )
        return self.columns[:, 0]


def code_treatment(s: pd.Series, reference: str | None = None) -> TreatmentCoding:
    name = str(s.name)
    numeric_like = _is_numeric_like(s)
    if numeric_like:
        vals = numeric(s, "treatment")
        uniq = np.unique(vals)
    else:
        labels = s.astype(str).to_numpy()
        uniq = np.unique(labels)
    if len(uniq) < 2:
        shown = _level_str(uniq[0]) if len(uniq) else "none"
        raise EvaluationError(
            f"treatment column {name!r} has only one level ({shown}) among the rows analysed; "
            "an effect needs treated and comparison units"
        )
    if numeric_like and reference is None:
        if len(uniq) == 2 and set(uniq.tolist()) == {0.0, 1.0}:
            return TreatmentCoding(
                name=name,
                kind="binary",
                columns=vals[:, None],
                terms=[name],
                levels=["0", "1"],
                reference="0",
                labels=np.where(vals == 1, "1", "0"),
            )
        if len(uniq) > 2:
            return TreatmentCoding(
                name=name, kind="continuous", columns=vals[:, None], terms=[name]
            )
    if numeric_like:
        labels = np.array([_level_str(v) for v in vals], dtype=object)
        level_list = [_level_str(v) for v in uniq]
    else:
        level_list = [str(v) for v in uniq]
    if reference is None:
        reference = level_list[0]
    elif reference not in level_list:
        raise EvaluationError(
            f"reference level {reference!r} is not a value of {name!r}; "
            f"its levels are: {', '.join(level_list)}"
        )
    others = [lv for lv in level_list if lv != reference]
    labels = np.asarray(labels, dtype=object)
    cols = np.column_stack([(labels == lv).astype(float) for lv in others])
    return TreatmentCoding(
        name=name,
        kind="categorical",
        columns=cols,
        terms=others,
        levels=[reference, *others],
        reference=reference,
        labels=labels,
    )


def code_covariates(df: pd.DataFrame, covariates: list[str]) -> tuple[np.ndarray, list[str]]:
    """Numeric covariates enter as they are; text covariates as indicators (first level omitted)."""
    cols: list[np.ndarray] = []
    names: list[str] = []
    for c in covariates:
        s = df[c]
        if _is_numeric_like(s):
            cols.append(numeric(s, "covariate"))
            names.append(c)
        else:
            labels = s.astype(str).to_numpy()
            lv = np.unique(labels)
            for level in lv[1:]:
                cols.append((labels == level).astype(float))
                names.append(f"{c}[{level}]")
    if not cols:
        return np.empty((len(df), 0)), []
    return np.column_stack(cols), names


def covariate_indicators(df: pd.DataFrame, covariates: list[str]) -> tuple[np.ndarray, list[str]]:
    """All levels of text covariates (for balance tables)."""
    cols: list[np.ndarray] = []
    names: list[str] = []
    for c in covariates:
        s = df[c]
        if _is_numeric_like(s):
            cols.append(numeric(s, "covariate"))
            names.append(c)
        else:
            labels = s.astype(str).to_numpy()
            for level in np.unique(labels):
                cols.append((labels == level).astype(float))
                names.append(f"{c}[{level}]")
    if not cols:
        return np.empty((len(df), 0)), []
    return np.column_stack(cols), names


def binary_indicator(s: pd.Series, role: str) -> np.ndarray:
    """A 0/1 column (e.g. the post-period indicator)."""
    vals = numeric(s, role)
    uniq = set(np.unique(vals).tolist())
    if not uniq <= {0.0, 1.0} or len(uniq) < 2:
        shown = ", ".join(_level_str(v) for v in sorted(uniq)[:6])
        raise EvaluationError(
            f"{role} column {s.name!r} must be coded 0/1 with both values; found {shown}"
        )
    return vals


def group_codes(s: pd.Series) -> tuple[np.ndarray, int]:
    codes, uniques = pd.factorize(s, sort=False)
    return codes.astype(np.intp), len(uniques)


def check_rank(X: np.ndarray, names: list[str]) -> None:
    """Fail with the name of a column that is constant or a combination of the others."""
    from scipy.linalg import qr

    if X.shape[0] <= X.shape[1]:
        raise EvaluationError(
            f"only {X.shape[0]} usable rows for {X.shape[1]} model parameters; "
            "use fewer covariates or more data"
        )
    scale = np.sqrt((X**2).sum(axis=0))
    scale[scale == 0] = 1.0
    _, r, piv = qr(X / scale, mode="economic", pivoting=True)
    d = np.abs(np.diag(r))
    tol = d.max() * max(X.shape) * np.finfo(float).eps * 1e3
    rank = int((d > tol).sum())
    if rank < X.shape[1]:
        bad = [names[i] for i in piv[rank:]]
        raise EvaluationError(
            "the model cannot be estimated: "
            + ", ".join(repr(b) for b in bad)
            + " is constant or a linear combination of the other terms in the rows analysed"
        )
