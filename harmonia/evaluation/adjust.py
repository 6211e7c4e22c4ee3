"""Multiple-testing adjustments of p-values."""

from __future__ import annotations

import numpy as np

from .errors import EvaluationError

METHODS = ("holm", "bh")


def adjust_pvalues(p: list[float] | np.ndarray, method: str) -> np.ndarray:
    """Holm (1979) family-wise or Benjamini-Hochberg (1995) false-discovery-rate adjustment.

    Matches R's ``p.adjust(p, "holm")`` and ``p.adjust(p, "BH")``.
    """
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    if method == "holm":
        order = np.argsort(p, kind="stable")
        adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
    elif method == "bh":
        order = np.argsort(p, kind="stable")[::-1]
        adj = np.minimum.accumulate(m / np.arange(m, 0, -1) * p[order])
    else:
        raise EvaluationError(f"unknown adjustment {method!r}; use holm or bh")
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out
