"""The command line: JSON shape, tables, reports, and one-line errors with exit status 2."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from harmonia.evaluation.cli import main

from .conftest import LALONDE_COVARIATES, agree


@pytest.fixture
def school_csv(tmp_path):
    rng = np.random.default_rng(11)
    J, m = 24, 15
    g = np.repeat(np.arange(J), m)
    treat = (np.arange(J) % 2)[g]
    prior = rng.normal(size=J * m)
    y = 0.4 * treat + 0.5 * prior + rng.normal(0, 0.4, J)[g] + rng.normal(size=J * m)
    df = pd.DataFrame(
        {
            "school": [f"s{j}" for j in g],
            "ih": treat,
            "arm": np.where(treat == 1, "music", "control"),
            "prior": prior,
            "reading": 100 + 15 * y,
            "maths": 100 + 15 * (y + rng.normal(size=J * m)),
            "post": np.tile([0, 1], J * m // 2),
        }
    )
    df.loc[[3, 50, 51], "reading"] = np.nan
    df.loc[[7], "prior"] = np.nan
    path = tmp_path / "schools.csv"
    df.to_csv(path, index=False)
    return path


def run_json(capsys, *args):
    code = main([*map(str, args), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def run_error(capsys, *args):
    code = main(list(map(str, args)))
    out = capsys.readouterr()
    assert code == 2
    lines = out.err.strip().splitlines()
    assert len(lines) == 1, out.err
    assert lines[0].startswith("harmonia-evaluate: error: ")
    assert "Traceback" not in out.err
    return lines[0]


def test_json_shape_and_missing_data(capsys, school_csv):
    out = run_json(
        capsys,
        "estimate",
        school_csv,
        "--method",
        "ols",
        "--outcome",
        "reading",
        "--treatment",
        "ih",
        "--covariates",
        "prior",
        "--se",
        "hc1",
    )
    for key in ("method", "n", "n_dropped", "dropped", "estimates", "coefficients", "data_sha256"):
        assert key in out
    assert out["method"] == "ols"
    assert out["n"] == 360 - 4
    assert out["n_dropped"] == 4
    assert out["dropped"]["missing_by_column"] == {"reading": 3, "ih": 0, "prior": 1}
    assert "listwise" in out["dropped"]["reasons"][0]
    (est,) = out["estimates"]
    assert set(est) >= {"term", "estimate", "std_error", "ci_low", "ci_high", "p_value"}
    assert est["term"] == "ih"
    assert est["ci_low"] < est["estimate"] < est["ci_high"]
    assert out["data_sha256"] == hashlib.sha256(school_csv.read_bytes()).hexdigest()


def test_categorical_terms_named_by_level(capsys, school_csv):
    out = run_json(
        capsys,
        "estimate",
        school_csv,
        "--method",
        "ols",
        "--outcome",
        "maths",
        "--treatment",
        "arm",
        "--reference",
        "control",
    )
    assert [e["term"] for e in out["estimates"]] == ["music"]
    assert out["reference"] == "control"


def test_several_outcomes_with_holm(capsys, school_csv):
    out = run_json(
        capsys,
        "estimate",
        school_csv,
        "--method",
        "multilevel",
        "--outcome",
        "reading,maths",
        "--treatment",
        "ih",
        "--group",
        "school",
        "--adjust",
        "holm",
    )
    assert out["outcomes"] == ["reading", "maths"]
    assert out["n"] == {"reading": 357, "maths": 360}
    ps = sorted(e["p_value"] for e in out["estimates"])
    adj = sorted(e["p_adjusted"] for e in out["estimates"])
    assert adj[0] == pytest.approx(min(1, 2 * ps[0]))
    assert all(a["icc"] is not None and a["variance_components"] for a in out["analyses"])


def test_difference_json_has_hedges_g(capsys, tmp_path, nsw):
    path = tmp_path / "nsw.csv"
    nsw.to_csv(path, index=False)
    out = run_json(
        capsys,
        "estimate",
        path,
        "--method",
        "difference",
        "--outcome",
        "re78",
        "--treatment",
        "treat",
    )
    assert agree(out["estimates"][0]["estimate"], 1794.34, 4)
    assert out["effect_sizes"][0]["hedges_g"] > 0
    assert agree(out["welch"][0]["std_error"], 671.0, 3)


def test_match_and_ipw_via_cli(capsys, tmp_path, lalonde):
    path = tmp_path / "lalonde.csv"
    lalonde.to_csv(path, index=False)
    out = run_json(
        capsys,
        "estimate",
        path,
        "--method",
        "match",
        "--outcome",
        "re78",
        "--treatment",
        "treat",
        "--covariates",
        LALONDE_COVARIATES,
    )
    assert agree(out["estimates"][0]["estimate"], 770.39, 5)
    assert out["matching"]["n_matched_treated"] == 185
    assert {"covariate", "smd_before", "smd_after"} <= set(out["balance"][0])
    out = run_json(
        capsys,
        "estimate",
        path,
        "--method",
        "ipw",
        "--outcome",
        "re78",
        "--treatment",
        "treat",
        "--covariates",
        LALONDE_COVARIATES,
    )
    assert out["weighting"]["effective_n_control"] > 0


def test_did_and_twfe_via_cli(capsys, school_csv):
    out = run_json(
        capsys,
        "estimate",
        school_csv,
        "--method",
        "did",
        "--outcome",
        "maths",
        "--treatment",
        "ih",
        "--post",
        "post",
    )
    assert out["estimates"][0]["term"] == "did"
    assert len(out["cell_means"]) == 4
    out = run_json(
        capsys,
        "estimate",
        school_csv,
        "--method",
        "twfe",
        "--outcome",
        "maths",
        "--treatment",
        "prior",
        "--unit",
        "school",
        "--time",
        "post",
    )
    assert out["se_type"] == "cluster" and out["n_clusters"] == 24


def test_table_output(capsys, school_csv):
    assert (
        main(
            [
                "estimate",
                str(school_csv),
                "--method",
                "ols",
                "--outcome",
                "reading",
                "--treatment",
                "ih",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Regression adjustment" in out and "Rows: 360 read, 357 used, 3 excluded" in out
    assert "SHA-256" in out


def test_power_cli(capsys):
    out = run_json(
        capsys,
        "power",
        "--clusters",
        "11",
        "--cluster-size",
        "30",
        "--icc",
        "0.15",
        "--target-effect",
        "0.25",
    )
    assert out["mdes"] == pytest.approx(0.801, abs=5e-4)
    assert out["df"] == 9
    assert out["needed"] == 92
    assert main(["power", "--n", "400"]) == 0
    assert "MDES" in capsys.readouterr().out


def test_report_html(capsys, school_csv, tmp_path):
    report = tmp_path / "report.html"
    assert (
        main(
            [
                "estimate",
                str(school_csv),
                "--method",
                "multilevel",
                "--outcome",
                "reading",
                "--treatment",
                "ih",
                "--covariates",
                "prior",
                "--group",
                "school",
                "--population",
                "pupils",
                "--treated-label",
                "in In Harmony schools",
                "--report",
                str(report),
            ]
        )
        == 0
    )
    capsys.readouterr()
    doc = report.read_text()
    assert doc.startswith("<!DOCTYPE html>") and '<html lang="en">' in doc
    assert "<svg" in doc and '<title id="fp-title">' in doc and "<desc" in doc
    assert "Pupils in In Harmony schools scored" in doc
    assert hashlib.sha256(school_csv.read_bytes()).hexdigest() in doc
    assert "harmonia-evaluate estimate" in doc and "MDES" in doc and "ICC" in doc
    assert '<th scope="col">' in doc


def test_report_pdf(capsys, school_csv, tmp_path):
    import weasyprint  # noqa: F401 — a declared dependency; the test fails without it

    report = tmp_path / "report.pdf"
    assert (
        main(
            [
                "estimate",
                str(school_csv),
                "--method",
                "ols",
                "--outcome",
                "reading",
                "--treatment",
                "ih",
                "--report",
                str(report),
            ]
        )
        == 0
    )
    assert report.read_bytes()[:5] == b"%PDF-"


# ----------------------------------------------------------------------------- bad input


def test_unknown_column(capsys, school_csv):
    msg = run_error(
        capsys, "estimate", school_csv, "--method", "ols", "--outcome", "nope", "--treatment", "ih"
    )
    assert "unknown column 'nope'" in msg


def test_non_numeric_outcome(capsys, school_csv):
    msg = run_error(
        capsys, "estimate", school_csv, "--method", "ols", "--outcome", "arm", "--treatment", "ih"
    )
    assert "not numeric" in msg and "'arm'" in msg


def test_treatment_with_one_level(capsys, tmp_path):
    path = tmp_path / "one.csv"
    pd.DataFrame({"y": [1.0, 2, 3, 4], "t": [1, 1, 1, 1]}).to_csv(path, index=False)
    msg = run_error(
        capsys, "estimate", path, "--method", "difference", "--outcome", "y", "--treatment", "t"
    )
    assert "only one level" in msg


def test_too_few_clusters(capsys, school_csv, tmp_path):
    df = pd.read_csv(school_csv)
    df = df[df["school"].isin([f"s{j}" for j in range(6)])]
    path = tmp_path / "few.csv"
    df.to_csv(path, index=False)
    msg = run_error(
        capsys,
        "estimate",
        path,
        "--method",
        "ols",
        "--outcome",
        "maths",
        "--treatment",
        "ih",
        "--se",
        "cluster",
        "--cluster",
        "school",
    )
    assert "too few clusters" in msg and "6" in msg


def test_perfect_separation(capsys, tmp_path):
    rng = np.random.default_rng(5)
    x = rng.normal(size=100)
    t = (x > 0).astype(int)
    path = tmp_path / "sep.csv"
    pd.DataFrame({"y": rng.normal(size=100), "t": t, "x": x}).to_csv(path, index=False)
    for method in ("ipw", "match"):
        msg = run_error(
            capsys,
            "estimate",
            path,
            "--method",
            method,
            "--outcome",
            "y",
            "--treatment",
            "t",
            "--covariates",
            "x",
        )
        assert "perfect separation" in msg and "'x'" in msg


def test_missing_file_and_bad_option(capsys, tmp_path):
    msg = run_error(
        capsys,
        "estimate",
        tmp_path / "absent.csv",
        "--method",
        "ols",
        "--outcome",
        "y",
        "--treatment",
        "t",
    )
    assert "not found" in msg
    msg = run_error(
        capsys, "estimate", tmp_path / "absent.csv", "--method", "magic", "--outcome", "y"
    )
    assert "invalid choice" in msg
    run_error(capsys, "power", "--clusters", "2", "--cluster-size", "30", "--icc", "0.1")


def test_collinear_covariate(capsys, school_csv, tmp_path):
    df = pd.read_csv(school_csv)
    df["prior2"] = 2 * df["prior"]
    path = tmp_path / "col.csv"
    df.to_csv(path, index=False)
    msg = run_error(
        capsys,
        "estimate",
        path,
        "--method",
        "ols",
        "--outcome",
        "maths",
        "--treatment",
        "ih",
        "--covariates",
        "prior,prior2",
    )
    assert "linear combination" in msg


@pytest.mark.slow
def test_python_dash_m_entry_point():
    import subprocess
    import sys

    res = subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "-m", "harmonia.evaluation", "power", "--n", "200"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0 and "MDES" in res.stdout
