"""R idioms of the asremlPlus test scripts (issue 14, branch c14pb): each a minimal R snippet
translated, run, and its value checked against what R/asreml give (stated per test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from _translate_fixtures import run_py

from asr_py import translate


def test_asreml3_pvals_have_asreml3_column_names(workdir: Path) -> None:
    """asreml 3's ``predict(...)$predictions$pvals`` names its columns standard.error and
    est.status (asreml 4: std.error, status); scripts filter on ``$est.status``."""
    r = ('d <- read.csv("oats.csv")\nd$V <- factor(d$V)\nd$N <- factor(d$N)\n'
         'm <- asreml(Y ~ N + V, random = ~ B, data = d)\n'
         'p <- predict(m, classify = "V")$predictions$pvals\n'
         'p <- p[p$est.status == "Estimable", ]\nse <- p$standard.error\n')
    ns = run_py(translate(r))
    p = ns["p"]
    assert list(p.columns) == ["V", "predicted.value", "standard.error", "est.status"]
    assert len(p) == 3
    # the means of V (balanced: the predictions are the raw means)
    d = pd.read_csv("oats.csv")
    np.testing.assert_allclose(p["predicted.value"].to_numpy(),
                               d.groupby("V")["Y"].mean().to_numpy(), rtol=1e-8)
