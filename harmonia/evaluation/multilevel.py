"""Random-intercept linear mixed model fitted by REML from per-group sufficient statistics.

Model: ``y_ij = x_ij' beta + u_j + e_ij`` with ``u_j ~ N(0, tau2)`` and ``e_ij ~ N(0, sigma2)``.

With ``gamma = tau2 / sigma2`` the covariance of group j is ``V_j = sigma2 (I + gamma 11')``
and, by the Woodbury identity, ``V_j^-1 = (I - gamma / (1 + n_j gamma) 11') / sigma2``.
Writing each group's rows as deviations from the group mean plus the mean gives

    X' V^-1 X * sigma2 = W_xx + sum_j c_j m_j m_j',   c_j = n_j / (1 + n_j gamma)

where ``W_xx`` is the pooled within-group cross-product matrix and ``m_j`` the group mean of
x; likewise for X'V^-1 y and y'V^-1 y. One pass over the data gives ``W`` and the group
means; afterwards every likelihood evaluation costs O(J p^2), independent of the number of
rows. sigma2 and beta have closed forms given gamma, so the REML criterion is profiled to a
one-dimensional function of log(gamma), maximised by a grid search then Brent's method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from .errors import EvaluationError
from .linear import cluster_sums


@dataclass
class RandomInterceptFit:
    names: list[str]
    beta: np.ndarray
    cov: np.ndarray
    sigma2: float  # residual (within-group) variance
    tau2: float  # group (random intercept) variance
    reml_loglik: float
    n: int
    n_groups: int
    df: np.ndarray  # between-within degrees of freedom per fixed effect
    level2: np.ndarray  # True where the column does not vary within groups

    @property
    def icc(self) -> float:
        total = self.tau2 + self.sigma2
        return self.tau2 / total if total > 0 else float("nan")

    @property
    def std_errors(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))


@dataclass
class SufficientStats:
    n: int
    p: int
    counts: np.ndarray  # n_j
    wxx: np.ndarray  # pooled within-group cross-products of X (p x p)
    wxy: np.ndarray  # ... of X and y (p)
    wyy: float
    mx: np.ndarray  # centred group means of X (J x p)
    my: np.ndarray  # centred group means of y (J)
    center_x: np.ndarray  # grand means subtracted from X (0 for the intercept)
    center_y: float
    total_ss_x: np.ndarray  # centred total sum of squares per column of X
    intercept: np.ndarray  # True for a column of ones


def sufficient_stats(
    y: np.ndarray, X: np.ndarray, codes: np.ndarray, n_groups: int
) -> SufficientStats:
    n, p = X.shape
    counts = np.bincount(codes, minlength=n_groups).astype(float)
    if (counts == 0).any():
        raise EvaluationError("internal error: empty group code")
    intercept = np.all(X == 1.0, axis=0)
    center_x = np.where(intercept, 0.0, X.mean(axis=0))
    center_y = float(y.mean())
    Z = np.empty((n, p + 1))
    Z[:, :p] = X
    Z[:, p] = y
    means = cluster_sums(codes, n_groups, Z) / counts[:, None]
    D = Z - means[codes]
    W = D.T @ D
    means[:, :p] -= center_x
    means[:, p] -= center_y
    # total = within + between sums of squares (no second pass over the rows)
    total_ss = np.diag(W)[:p] + counts @ (means[:, :p] ** 2)
    return SufficientStats(
        n=n,
        p=p,
        counts=counts,
        wxx=W[:p, :p],
        wxy=W[:p, p],
        wyy=float(W[p, p]),
        mx=means[:, :p],
        my=means[:, p],
        center_x=center_x,
        center_y=center_y,
        total_ss_x=total_ss,
        intercept=intercept,
    )


def _profile(st: SufficientStats, gamma: float):
    """Return (REML log-likelihood, A, b, RSS) at variance ratio gamma."""
    c = st.counts / (1.0 + st.counts * gamma)
    mxc = st.mx * c[:, None]
    A = st.wxx + mxc.T @ st.mx
    b = st.wxy + mxc.T @ st.my
    cc = st.wyy + float(c @ (st.my * st.my))
    try:
        L = np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        return -np.inf, A, b, np.nan
    z = np.linalg.solve(L, b)
    rss = cc - float(z @ z)
    dfr = st.n - st.p
    if rss <= 0:
        return -np.inf, A, b, rss
    logdet_a = 2.0 * np.log(np.diag(L)).sum()
    ll = -0.5 * (
        dfr * (1.0 + np.log(2.0 * np.pi * rss / dfr)) + np.log1p(st.counts * gamma).sum() + logdet_a
    )
    return float(ll), A, b, rss


def fit_random_intercept(
    y: np.ndarray, X: np.ndarray, codes: np.ndarray, n_groups: int, names: list[str]
) -> RandomInterceptFit:
    """REML fit of a random-intercept model (see the module docstring)."""
    n, p = X.shape
    if n_groups < 2:
        raise EvaluationError("a multilevel model needs at least two groups")
    if n <= p + 1:
        raise EvaluationError(f"only {n} usable rows for {p} fixed effects")
    st = sufficient_stats(y, X, codes, n_groups)

    def negll(theta: float) -> float:
        return -_profile(st, float(np.exp(theta)))[0]

    grid = np.linspace(-14.0, 10.0, 49)
    vals = np.array([negll(t) for t in grid])
    if not np.isfinite(vals).any():
        raise EvaluationError("the multilevel model could not be fitted (singular design)")
    i = int(np.nanargmin(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    res = optimize.minimize_scalar(
        negll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10, "maxiter": 500}
    )
    gamma = float(np.exp(res.x))
    ll, A, b, rss = _profile(st, gamma)
    ll0, A0, b0, rss0 = _profile(st, 0.0)
    if ll0 >= ll:  # boundary: no between-group variance
        gamma, ll, A, b, rss = 0.0, ll0, A0, b0, rss0
    sigma2 = rss / (n - p)
    ainv = np.linalg.inv(A)
    beta_c = ainv @ b
    cov_c = sigma2 * ainv
    # undo the centring: only the intercept changes
    Lmat = np.eye(p)
    beta = beta_c.copy()
    icpt = np.flatnonzero(st.intercept)
    if icpt.size:
        j0 = int(icpt[0])
        Lmat[j0, :] -= st.center_x
        Lmat[j0, j0] = 1.0
        beta = Lmat @ beta_c
        beta[j0] += st.center_y
    cov = Lmat @ cov_c @ Lmat.T
    within = np.diag(st.wxx)
    level2 = within <= 1e-10 * np.maximum(st.total_ss_x, 1e-300)
    level2 |= st.intercept
    p2 = int(level2.sum())
    df2 = n_groups - p2
    df1 = n - n_groups - (p - p2)
    df = np.where(level2, df2, df1).astype(float)
    df[df <= 0] = np.inf
    return RandomInterceptFit(
        names=list(names),
        beta=beta,
        cov=cov,
        sigma2=float(sigma2),
        tau2=float(gamma * sigma2),
        reml_loglik=float(ll),
        n=n,
        n_groups=n_groups,
        df=df,
        level2=level2,
    )
