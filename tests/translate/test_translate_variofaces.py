"""asremlPlus's variofaces(), plotVariofaces() and simulate() of a fit translate to
asr.plus calls (no placeholder) whose values have asremlPlus's shapes: a face row per lag
of each grid factor, nsim columns of simulated residuals (asremlPlus's test42Simulate.r and
test42Variofaces.r expectations, asserted here on a small grid)."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
from _translate_fixtures import run_r


def _grid() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    d = pd.DataFrame({"Row": np.repeat(np.arange(1, 7), 5), "Column": np.tile(np.arange(1, 6), 6)})
    d["yield"] = rng.normal(size=len(d)) + 0.2 * d["Row"]
    return d.astype({"Row": "category", "Column": "category"})


def test_variofaces_and_simulate_translate_and_run() -> None:
    r = ("m <- asreml(yield ~ 1, random = ~ Row, residual = ~ ar1(Row):ar1(Column), data = d)\n"
         "faces <- variofaces(m, nsim = 6, maxit = 20, seed = 14522,\n"
         "                   ncores = parallel::detectCores())\n"
         "nc <- parallel::detectCores()\n"
         "n1 <- nrow(faces$face1)\n"
         "n2 <- nrow(faces$face2)\n"
         "k1 <- ncol(faces$face1)\n"
         "V <- estimateV(m)\n"
         "resid <- simulate(m, V = V, which = 'resid', nsim = 4)\n"
         "nr <- ncol(resid$residuals)\n"
         "no <- ncol(resid$observed)\n"
         "resid$residuals <- cbind(resid$observed[c('Row','Column')], resid$residuals)\n"
         "pf <- plotVariofaces(data = resid$observed[c('Row','Column','residuals')],\n"
         "                     residuals = resid$residuals)\n"
         "p1 <- nrow(pf$face1)\n"
         "vario <- asreml::asr_varioGram(resid$observed[c('Row','Column','residuals')])\n"
         "vn <- c(nrow(vario), ncol(vario))\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ns = run_r(r, complete=True, d=_grid())
    assert (ns["n1"], ns["n2"], ns["k1"]) == (6, 5, 5)
    assert ns["nc"] == os.cpu_count()            # R: the machine's (logical) CPU cores
    # observed: the 3 data columns and the residuals (no fitted: which = "resid")
    assert (ns["nr"], ns["no"], ns["p1"]) == (4, 4, 6)
    assert list(ns["vn"]) == [30, 4]            # a lag per (row, column) pair of the grid
