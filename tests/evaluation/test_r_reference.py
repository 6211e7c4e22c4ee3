"""Direct comparison with R (lme4 and MatchIt) when Rscript and the packages are installed."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from harmonia.evaluation import estimate

from .conftest import LALONDE_COVARIATES

RSCRIPT = shutil.which("Rscript")


def _r(code: str) -> list[float]:
    res = subprocess.run(  # noqa: S603 (fixed interpreter, code written here)
        [RSCRIPT, "--vanilla", "-e", code], capture_output=True, text=True, check=False
    )
    if res.returncode != 0:
        pytest.fail(f"R failed: {res.stderr.strip().splitlines()[-1:]}")
    return [float(v) for v in res.stdout.split()]


requires_r = pytest.mark.skipif(
    RSCRIPT is None, reason="Rscript is not installed; the R comparisons are skipped"
)


@pytest.mark.slow
@requires_r
def test_lme4_star(star_ecdat, tmp_path):
    path = tmp_path / "star.csv"
    star_ecdat.to_csv(path, index=False)
    vals = _r(
        "suppressMessages(library(lme4)); d <- read.csv('" + str(path) + "');"
        "d$classk <- relevel(factor(d$classk), 'regular');"
        "m <- lmer(tmathssk + treadssk ~ classk + (1|schidkn), d, REML = TRUE);"
        "cat(fixef(m)[3], sqrt(diag(as.matrix(vcov(m))))[3], as.data.frame(VarCorr(m))$vcov)"
    )
    a = estimate(
        star_ecdat, "multilevel", "score", "classk", group="schidkn", reference="regular"
    ).analyses[0]
    small = {e.term: e for e in a.estimates}["small.class"]
    assert small.estimate == pytest.approx(vals[0], rel=1e-6)
    assert small.std_error == pytest.approx(vals[1], rel=1e-5)
    assert a.variance_components.group == pytest.approx(vals[2], rel=1e-5)


@requires_r
def test_matchit_lalonde(lalonde, tmp_path):
    path = tmp_path / "lalonde.csv"
    lalonde.to_csv(path, index=False)
    vals = _r(
        "suppressMessages(library(MatchIt)); d <- read.csv('" + str(path) + "');"
        "m <- matchit(treat ~ age + educ + race + married + nodegree + re74 + re75, d);"
        "md <- match.data(m); cat(coef(lm(re78 ~ treat, md, weights = weights))[2])"
    )
    a = estimate(lalonde, "match", "re78", "treat", covariates=LALONDE_COVARIATES).analyses[0]
    assert a.estimates[0].estimate == pytest.approx(vals[0], rel=1e-6)
