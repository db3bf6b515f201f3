"""``fit$vparameters`` lists asreml's fixed residual scale ``<term>!R`` = 1 where asreml does:
first among the residual's parameters for a product residual. The place is asreml 4's, as
asremlPlus's test41EstimateV.r reads it: for ``residual = ~ idv(Smarthouse):ar1(Lane):
ar1(Position)`` after two random terms, ``vparameters[4]`` is the Smarthouse variance and
``vparameters[5]``, ``[6]`` the Lane and Position correlations (its V built from them equals
asreml's estimateV)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py

from asr_py import translate


@pytest.fixture(scope="module")
def houses() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    d = pd.DataFrame([(h, ln, p) for h in ("H1", "H2") for ln in range(1, 5)
                      for p in range(1, 6)], columns=["House", "Lane", "Pos"])
    d["Zone"] = np.where(d.Lane <= 2, "z1", "z2")
    d["y"] = 3 + rng.normal(size=len(d)) + np.where(d.House == "H1", 0.5, 0.0)
    for c in ("Lane", "Pos"):
        d[c] = d[c].astype(str)
    return d


def test_product_residual_scale_row_comes_first(houses: pd.DataFrame) -> None:
    r = ('m <- asreml(y ~ House, random = ~ House:Zone, '
         'residual = ~ idv(House):ar1(Lane):ar1(Pos), data = d)\n'
         'vp <- m$vparameters\ns <- vp[2]\nv <- vp[3]\nrl <- vp[4]\nrp <- vp[5]\n')
    ns = run_py(translate(r), d=houses)
    m = ns["m"]
    vc = m.varcomp["component"]
    assert list(ns["vp"].index)[1] == "House:Lane:Pos!R" and ns["s"] == 1.0
    assert ns["v"] == pytest.approx(vc["House:Lane:Pos!House!var"], rel=1e-12)
    assert ns["rl"] == pytest.approx(vc["House:Lane:Pos!Lane!cor"], rel=1e-12)
    assert ns["rp"] == pytest.approx(vc["House:Lane:Pos!Pos!cor"], rel=1e-12)


def test_default_residual_has_no_extra_row(houses: pd.DataFrame) -> None:
    ns = run_py(translate('m <- asreml(y ~ House, random = ~ House:Zone, data = d)\n'
                          'vp <- m$vparameters\n'), d=houses)
    assert list(ns["vp"].index) == ["House:Zone", "units!R"]
