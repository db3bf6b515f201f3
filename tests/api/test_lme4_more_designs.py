"""Two more lme4 designs (issue 4: 'one more design of your choice'): a nested design
(Pastes: casks within batches) and a split plot with a factorial fixed part (cake).

lme4 1.1-31 (R 4.2.2, Debian), REML, recorded on this machine with:

    p <- read.csv("Pastes.csv", stringsAsFactors = TRUE)
    m1 <- lmer(strength ~ 1 + (1|batch) + (1|batch:cask), data = p, REML = TRUE,
               control = lmerControl(optimizer = "bobyqa",
                                     optCtrl = list(rhoend = 1e-12, maxfun = 1e5)))
    ck <- read.csv("cake.csv", stringsAsFactors = TRUE)
    ck$temperature <- factor(ck$temperature); ck$replicate <- factor(ck$replicate)
    m2 <- lmer(angle ~ recipe * temperature + (1|recipe:replicate), data = ck, REML = TRUE,
               control = <same>)
    as.data.frame(VarCorr(m)); logLik(m, REML = TRUE); fixef(m1)
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data"


def test_pastes_nested_design_matches_lme4():
    p = pd.read_csv(DATA / "Pastes.csv", dtype=str).astype({"strength": float})
    m = asr.asreml("strength ~ 1", random="~ batch + batch:cask", data=p)
    assert m.converged
    assert m.loglik == pytest.approx(-123.495372926743, abs=1e-6)
    vc = m.varcomp["component"]
    np.testing.assert_allclose([vc["batch"], vc["batch:cask"], vc["units!R"]],
                               [1.657309129511318, 8.433666581253881, 0.677999984533191],
                               rtol=1e-5)
    assert m.coef_fixed.loc["(Intercept)", "solution"] == pytest.approx(60.0533333333345,
                                                                         rel=1e-9)


def test_cake_split_plot_matches_lme4():
    ck = pd.read_csv(DATA / "cake.csv", dtype=str).astype({"angle": float})
    m = asr.asreml("angle ~ recipe * temperature", random="~ recipe:replicate", data=ck)
    assert m.converged
    assert m.loglik == pytest.approx(-816.623090736167, abs=1e-6)
    vc = m.varcomp["component"]
    np.testing.assert_allclose([vc["recipe:replicate"], vc["units!R"]],
                               [41.8370369936382, 20.4708994747679], rtol=1e-5)
