"""Benchmark: Harmonia's random-intercept REML fit against statsmodels' MixedLM.

Simulates national data (default 1,000,000 pupils in 20,000 schools, 5 pupil covariates and
a school-level treatment), fits ``y ~ treatment + x1..x5 + (1 | school)`` by REML with
both implementations, and prints the timings and the largest differences in the estimates.

    .venv/bin/python bench/evaluation.py                       # full size
    .venv/bin/python bench/evaluation.py --pupils 200000 --schools 4000
    .venv/bin/python bench/evaluation.py --mixedlm-pupils 100000   # MixedLM on a subsample
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from harmonia.evaluation import estimate  # noqa: E402
from harmonia.evaluation.multilevel import fit_random_intercept  # noqa: E402


def simulate(pupils: int, schools: int, seed: int = 2024) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    school = np.sort(rng.integers(0, schools, pupils))  # unbalanced school sizes
    treated = rng.binomial(1, 0.5, schools)[school].astype(float)
    X = rng.normal(size=(pupils, 5))
    X[:, 0] += rng.normal(0, 0.5, schools)[school]  # a covariate with a school component
    u = rng.normal(0, np.sqrt(0.15), schools)[school]
    beta = np.array([0.5, -0.2, 0.1, 0.3, 0.05])
    y = 0.25 * treated + X @ beta + u + rng.normal(0, np.sqrt(0.85), pupils)
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(1, 6)])
    df.insert(0, "treated", treated)
    df.insert(0, "school", school)
    df["score"] = y
    return df


def harmonia_fit(df: pd.DataFrame):
    fam = estimate(
        df, "multilevel", "score", "treated", covariates="x1,x2,x3,x4,x5", group="school"
    )
    return fam.analyses[0]


def core_fit(df: pd.DataFrame):
    X = np.column_stack([np.ones(len(df)), df[["treated", "x1", "x2", "x3", "x4", "x5"]]])
    codes, uniq = pd.factorize(df["school"])
    return fit_random_intercept(df["score"].to_numpy(), X, codes, len(uniq), ["c"] * 7)


def mixedlm_fit(df: pd.DataFrame):
    import statsmodels.api as sm

    X = sm.add_constant(df[["treated", "x1", "x2", "x3", "x4", "x5"]])
    model = sm.MixedLM(df["score"], X, groups=df["school"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Powell: the gradient methods (MixedLM's default bfgs/lbfgs) fail to converge here.
        return model, model.fit(reml=True, method=["powell"])


def mixedlm_loglik_at(model, mine) -> float:
    """MixedLM's own REML log-likelihood evaluated at Harmonia's estimates."""
    from statsmodels.regression.mixed_linear_model import MixedLMParams

    vc = mine.variance_components
    names = ["(Intercept)", "treated", "x1", "x2", "x3", "x4", "x5"]
    coefs = {c.term: c.estimate for c in mine.coefficients}
    params = MixedLMParams.from_components(
        fe_params=np.array([coefs[n] for n in names]),
        cov_re=np.array([[vc.group / vc.residual]]),
    )
    return float(model.loglike(params, profile_fe=False))


def best_of(fn, arg, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(arg)
        times.append(time.perf_counter() - t0)
    return min(times), out


def compare(mine, ref) -> tuple[float, float]:
    names = ["(Intercept)", "treated", "x1", "x2", "x3", "x4", "x5"]
    coefs = {c.term: c.estimate for c in mine.coefficients}
    beta = np.array([coefs[n] for n in names])
    fe = ref.fe_params.to_numpy()
    d_beta = float(np.max(np.abs(beta - fe)))
    vc = mine.variance_components
    rel_var = max(
        abs(vc.group - float(ref.cov_re.iloc[0, 0])) / vc.group,
        abs(vc.residual - ref.scale) / vc.residual,
    )
    return d_beta, rel_var


def lme4_fit(df: pd.DataFrame) -> tuple[float, list[float]] | None:
    """lme4's ``lmer`` on the same data (time of the fit alone, inside R), or None
    when Rscript with lme4 is not installed."""
    import shutil
    import subprocess
    import tempfile

    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pupils.csv"
        df.to_csv(path, index=False)
        code = (
            "suppressMessages(library(lme4)); d <- read.csv('" + str(path) + "');"
            "t <- system.time(m <- lmer(score ~ treated + x1 + x2 + x3 + x4 + x5 + (1|school),"
            " d, REML = TRUE))[['elapsed']];"
            "cat(t, fixef(m), as.data.frame(VarCorr(m))$vcov)"
        )
        result = subprocess.run(  # noqa: S603 — a fixed interpreter and code written here
            [rscript, "--vanilla", "-e", code], capture_output=True, text=True, check=False
        )
    if result.returncode != 0:
        print("lme4 failed:", result.stderr.strip().splitlines()[-1:])
        return None
    values = [float(v) for v in result.stdout.split()]
    return values[0], values[1:]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pupils", type=int, default=1_000_000)
    ap.add_argument("--schools", type=int, default=20_000)
    ap.add_argument(
        "--mixedlm-pupils",
        type=int,
        default=None,
        help="run MixedLM on the first N pupils' schools only (default: all pupils)",
    )
    ap.add_argument("--skip-mixedlm", action="store_true")
    ap.add_argument("--skip-lme4", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    df = simulate(args.pupils, args.schools)
    print(f"Simulated {len(df):,} pupils in {df.school.nunique():,} schools, 5 covariates")
    t_api, mine = best_of(harmonia_fit, df, args.repeat)
    t_core, _ = best_of(core_fit, df, args.repeat)
    print(f"Harmonia multilevel (full API, data checks included): {t_api:8.3f} s")
    print(f"Harmonia REML core (sufficient statistics + 1-D optimisation): {t_core:8.3f} s")
    print(
        f"  treated {mine.estimates[0].estimate:.6f} (SE {mine.estimates[0].std_error:.6f}), "
        f"school variance {mine.variance_components.group:.6f}, "
        f"residual {mine.variance_components.residual:.6f}"
    )
    if args.skip_mixedlm:
        return
    sub = df
    if args.mixedlm_pupils and args.mixedlm_pupils < len(df):
        sub = df.iloc[: args.mixedlm_pupils]
        print(f"MixedLM runs on the first {len(sub):,} pupils ({sub.school.nunique():,} schools)")
        t_api_sub, mine = best_of(harmonia_fit, sub, args.repeat)
    else:
        t_api_sub = t_api
    t0 = time.perf_counter()
    model, ref = mixedlm_fit(sub)
    t_ref = time.perf_counter() - t0
    d_beta, rel_var = compare(mine, ref)
    print(f"statsmodels MixedLM (REML, powell):                   {t_ref:8.3f} s")
    print(f"Speed-up on the same data: {t_ref / t_api_sub:,.0f}x (full API vs MixedLM)")
    print(f"Max |fixed-effect difference|: {d_beta:.2e}")
    print(f"Max relative variance-component difference: {rel_var:.2e}")
    at_mine = mixedlm_loglik_at(model, mine)
    print(
        f"REML log-likelihood (statsmodels' own function): at MixedLM's optimum {ref.llf:.6f}, "
        f"at Harmonia's estimates {at_mine:.6f}; Harmonia's own value {mine.reml_loglik:.6f}"
    )
    print("Fixed effects agree to 1e-6:", "yes" if d_beta < 1e-6 else "NO")
    if args.skip_lme4:
        return
    lme4 = lme4_fit(sub)
    if lme4 is None:
        print("lme4: Rscript with lme4 is not installed; skipped")
        return
    t_lme4, values = lme4
    names = ["(Intercept)", "treated", "x1", "x2", "x3", "x4", "x5"]
    coefs = {c.term: c.estimate for c in mine.coefficients}
    d_lme4 = max(abs(coefs[n] - v) for n, v in zip(names, values[:7], strict=True))
    vc = mine.variance_components
    rel_lme4 = max(abs(vc.group - values[7]) / vc.group, abs(vc.residual - values[8]) / vc.residual)
    print(f"lme4 lmer (REML; the fit alone, CSV reading excluded): {t_lme4:8.3f} s")
    print(f"Speed-up against lme4: {t_lme4 / t_api_sub:,.0f}x")
    print(
        f"Max |fixed-effect difference| vs lme4: {d_lme4:.2e}; variances (relative): {rel_lme4:.2e}"
    )


if __name__ == "__main__":
    main()
