"""Propensity scores: logistic model, inverse-probability weighting and nearest-neighbour matching.

Both estimators target the average treatment effect on the treated (ATT).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from .errors import EvaluationError
from .linear import ols_fit
from .results import BalanceRow, MatchingInfo

MATCH_ORDERS = ("largest", "smallest", "data", "random")
MATCH_RULES = ("matchit", "nearest")

TIE_RULE = (
    "Treated units are matched one at a time in descending order of propensity score "
    '(MatchIt\'s default m.order = "largest"; treated units with equal scores keep their row '
    'order), without replacement. Rule "matchit" (the default) reproduces R MatchIt\'s '
    "nearest-neighbour routine for a propensity-score distance: all units are sorted by score "
    "(ties keep row order) and the treated unit takes the closest available control below it "
    "in that order (lower or equal score), or, if there is none, the closest one above it; a "
    'control outside the caliper is not used. Rule "nearest" takes the available control '
    "with the smallest absolute score difference, ties going to the control that comes first "
    "in the data."
)


@dataclass
class LogisticFit:
    names: list[str]
    beta: np.ndarray
    fitted: np.ndarray
    iterations: int


def logistic_fit(
    t: np.ndarray, X: np.ndarray, names: list[str], max_iter: int = 100
) -> LogisticFit:
    """Maximum-likelihood logistic regression by Newton-Raphson with step halving.

    Raises EvaluationError on (quasi-)complete separation: when the likelihood has no finite
    maximum, some fitted probabilities are driven to 0 or 1.
    """
    n, p = X.shape
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    scale[np.all(X == 1.0, axis=0)] = 1.0
    Xs = X / scale
    beta = np.zeros(p)

    def loglik(b: np.ndarray) -> float:
        eta = Xs @ b
        return float(np.sum(t * eta - np.logaddexp(0.0, eta)))

    ll = loglik(beta)
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (reported after the loop)
        eta = Xs @ beta
        mu = expit(eta)
        w = mu * (1 - mu)
        grad = Xs.T @ (t - mu)
        hess = (Xs * w[:, None]).T @ Xs
        try:
            step = np.linalg.solve(hess + 1e-12 * np.eye(p), grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        s = 1.0
        while True:
            new = beta + s * step
            ll_new = loglik(new)
            if ll_new >= ll - 1e-12 or s < 1e-8:
                break
            s /= 2
        change = ll_new - ll
        beta, ll = new, ll_new
        if abs(change) < 1e-10 * (abs(ll) + 1e-10) and np.max(np.abs(s * step)) < 1e-7:
            converged = True
            break
    fitted = expit(Xs @ beta)
    extreme = (fitted < 1e-9) | (fitted > 1 - 1e-9)
    if extreme.any() or not converged or np.max(np.abs(Xs @ beta)) > 30:
        contrib = np.abs(beta) * (Xs.std(axis=0) + 1e-300)
        contrib[np.all(X == 1.0, axis=0)] = 0
        worst = names[int(np.argmax(contrib))] if len(names) else "?"
        raise EvaluationError(
            "perfect separation in the propensity model: the covariates predict treatment "
            f"exactly for {int(extreme.sum())} row(s) (driven by {worst!r}); treated and "
            "comparison units do not overlap, so drop or coarsen that covariate"
        )
    return LogisticFit(names=names, beta=beta / scale, fitted=fitted, iterations=iterations)


def ipw_att(y: np.ndarray, t: np.ndarray, X: np.ndarray, ps: np.ndarray):
    """Normalised (Hajek) IPW estimate of the ATT and its M-estimation standard error.

    Treated units get weight 1 and controls e/(1-e). The sandwich variance stacks the
    logistic score equations with the two weighted means, so it accounts for the
    propensity score having been estimated.
    """
    n, p = X.shape
    odds = ps / (1 - ps)
    w0 = (1 - t) * odds
    mu1 = float(np.sum(t * y) / np.sum(t))
    mu0 = float(np.sum(w0 * y) / np.sum(w0))
    att = mu1 - mu0
    psi = np.column_stack([X * (t - ps)[:, None], t * (y - mu1), w0 * (y - mu0)])
    k = p + 2
    A = np.zeros((k, k))
    A[:p, :p] = -(X * (ps * (1 - ps))[:, None]).T @ X / n
    A[p, p] = -np.mean(t)
    A[p + 1, :p] = np.mean((w0 * (y - mu0))[:, None] * X, axis=0)
    A[p + 1, p + 1] = -np.mean(w0)
    B = psi.T @ psi / n
    ainv = np.linalg.inv(A)
    V = ainv @ B @ ainv.T / n
    c = np.zeros(k)
    c[p], c[p + 1] = 1.0, -1.0
    se = float(np.sqrt(c @ V @ c))
    return att, se, mu1, mu0, t.astype(float) + w0


def nearest_neighbour(
    ps: np.ndarray,
    t: np.ndarray,
    order: str = "largest",
    caliper: float | None = None,
    replace: bool = False,
    seed: int = 0,
    rule: str = "matchit",
) -> tuple[list[tuple[int, int]], float | None]:
    """1:1 nearest-neighbour matching on the propensity score (see TIE_RULE).

    ``caliper`` is in standard deviations of the propensity score (all units), as MatchIt's
    default ``std.caliper = TRUE``. Returns the (treated row, control row) pairs, in positions
    of ``ps``, and the absolute caliper.
    """
    if order not in MATCH_ORDERS:
        raise EvaluationError(
            f"unknown matching order {order!r}; use one of {', '.join(MATCH_ORDERS)}"
        )
    if rule not in MATCH_RULES:
        raise EvaluationError(
            f"unknown matching rule {rule!r}; use one of {', '.join(MATCH_RULES)}"
        )
    treated = np.flatnonzero(t == 1)
    if order == "largest":
        seq = treated[np.argsort(-ps[treated], kind="stable")]
    elif order == "smallest":
        seq = treated[np.argsort(ps[treated], kind="stable")]
    elif order == "random":
        seq = np.random.default_rng(seed).permutation(treated)
    else:
        seq = treated
    cal_abs = None if caliper is None else float(caliper * np.std(ps, ddof=1))
    if rule == "nearest":
        return _match_nearest(ps, t, seq, cal_abs, replace), cal_abs
    return _match_sorted(ps, t, seq, cal_abs, replace), cal_abs


def _match_nearest(ps, t, seq, cal_abs, replace):
    controls = np.flatnonzero(t == 0)  # ascending row order, so argmin picks the first tie
    available = np.ones(len(controls), dtype=bool)
    pc = ps[controls]
    pairs: list[tuple[int, int]] = []
    for i in seq:
        if not available.any():
            break
        d = np.abs(pc - ps[i])
        d[~available] = np.inf
        j = int(np.argmin(d))
        if cal_abs is not None and d[j] > cal_abs:
            continue
        pairs.append((int(i), int(controls[j])))
        if not replace:
            available[j] = False
    return pairs


def _match_sorted(ps, t, seq, cal_abs, replace):
    import bisect

    order = np.argsort(ps, kind="stable")  # all units by score, ties in row order
    position = np.empty(len(ps), dtype=np.intp)
    position[order] = np.arange(len(ps))
    avail = [int(k) for k in np.flatnonzero(t[order] == 0)]  # sorted positions of controls
    pairs: list[tuple[int, int]] = []
    for i in seq:
        if not avail:
            break
        pos = int(position[i])
        j = bisect.bisect_left(avail, pos)
        chosen = None
        for cand in (j - 1, j):  # left neighbour first, then right
            if 0 <= cand < len(avail):
                k = avail[cand]
                if cal_abs is None or abs(ps[order[k]] - ps[i]) <= cal_abs:
                    chosen = cand
                    break
        if chosen is None:
            continue
        pairs.append((int(i), int(order[avail[chosen]])))
        if not replace:
            avail.pop(chosen)
    return pairs


def matched_att(y: np.ndarray, pairs: list[tuple[int, int]]):
    """ATT over matched pairs and its standard error clustered on pair (CR1, t on pairs-1 df)."""
    m = len(pairs)
    if m < 2:
        raise EvaluationError(f"only {m} matched pair(s); widen the caliper or check overlap")
    ti = np.array([a for a, _ in pairs])
    ci = np.array([b for _, b in pairs])
    yy = np.concatenate([y[ti], y[ci]])
    tt = np.concatenate([np.ones(m), np.zeros(m)])
    codes = np.concatenate([np.arange(m), np.arange(m)])
    X = np.column_stack([np.ones(2 * m), tt])
    fit = ols_fit(yy, X, ["(Intercept)", "t"], se="cluster", clusters=(codes, m))
    return float(fit.beta[1]), float(np.sqrt(fit.cov[1, 1])), float(fit.df)


def _smd(a: np.ndarray, b: np.ndarray, sd: float, wa=None, wb=None) -> float:
    ma = np.average(a, weights=wa)
    mb = np.average(b, weights=wb)
    return float((ma - mb) / sd) if sd > 0 else float("nan")


def _wvar(x: np.ndarray, w=None) -> float:
    if w is None:
        return float(np.var(x, ddof=1)) if len(x) > 1 else float("nan")
    m = np.average(x, weights=w)
    v1, v2 = w.sum(), (w**2).sum()
    return float(np.sum(w * (x - m) ** 2) / (v1 - v2 / v1))


def balance_table(
    Z: np.ndarray,
    names: list[str],
    t: np.ndarray,
    after_treated: np.ndarray | None = None,
    after_control: np.ndarray | None = None,
    control_weights: np.ndarray | None = None,
) -> list[BalanceRow]:
    """Standardised mean differences (treated minus control, divided by the SD among all
    treated units, as for the ATT in MatchIt/cobalt) before and after matching or weighting.

    After matching, pass the row positions of matched treated and control units (repeats
    allowed). After weighting, pass ``control_weights`` for the control rows.
    """
    rows = []
    tr = t == 1
    co = t == 0
    for k, name in enumerate(names):
        x = Z[:, k]
        sd = float(np.std(x[tr], ddof=1))
        binary = set(np.unique(x).tolist()) <= {0.0, 1.0}
        if binary:
            pt = x[tr].mean()
            sd = float(np.sqrt(pt * (1 - pt)))
        before = _smd(x[tr], x[co], sd)
        vr_before = None if binary else _wvar(x[tr]) / _wvar(x[co])
        after = mean_after = vr_after = None
        mean_t_after = None
        if after_treated is not None and after_control is not None:
            xa, xb = x[after_treated], x[after_control]
            after = _smd(xa, xb, sd)
            mean_after = float(xb.mean())
            mean_t_after = float(xa.mean())
            vr_after = None if binary else _wvar(xa) / _wvar(xb)
        elif control_weights is not None:
            w = control_weights
            after = _smd(x[tr], x[co], sd, wb=w)
            mean_after = float(np.average(x[co], weights=w))
            mean_t_after = float(x[tr].mean())
            vr_after = None if binary else _wvar(x[tr]) / _wvar(x[co], w)
        rows.append(
            BalanceRow(
                covariate=name,
                mean_treated=float(x[tr].mean()),
                mean_treated_after=mean_t_after,
                mean_control_before=float(x[co].mean()),
                mean_control_after=mean_after,
                smd_before=before,
                smd_after=after,
                variance_ratio_before=vr_before,
                variance_ratio_after=vr_after,
            )
        )
    return rows


def matching_info(pairs, t, order, caliper, cal_abs, replace, rule) -> MatchingInfo:
    n_t = int((t == 1).sum())
    return MatchingInfo(
        order=order,
        rule=rule,
        caliper=caliper,
        caliper_absolute=cal_abs,
        replace=replace,
        n_treated=n_t,
        n_matched_treated=len(pairs),
        n_unmatched_treated=n_t - len(pairs),
        n_controls_used=len({c for _, c in pairs}),
        tie_rule=TIE_RULE,
        pairs=list(pairs),
    )
