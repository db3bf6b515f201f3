"""translate() and the API on the constructs the fifth pass of issue 14 found in general user
scripts (held-out repositories and the failing non-asremlPlus corpus scripts). Each test
translates a minimal R snippet, executes it, and checks the value R / asreml gives (stated in
the test) or an independent computation."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.translate import translate


def run_r(code: str, **env) -> tuple[dict, str]:
    """Translate ``code``, run it; the namespace and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ns = run_py(translate(code), **env)
    return ns, out.getvalue()


def _markers(n: int = 60, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"id": np.arange(n), "pop": rng.choice(["a", "b"], n)})
    for j in range(4):
        d[f"m{j}"] = rng.choice([-1.0, 0.0, 1.0], n)
    d["y"] = d[["m0", "m1", "m2", "m3"]].to_numpy() @ [0.8, -0.5, 0.3, 0.0] + rng.normal(
        size=n)
    return d


# --- group = list(QTL1 = c(3:5)): asreml's column positions -----------------------------------

def test_group_by_column_positions_is_the_group_by_names() -> None:
    """asreml documents group= entries as "a numeric vector specifying contiguous fields in
    data": ``list(QTL = c(3:6))`` is the 3rd to 6th columns (R counts from 1)."""
    d = _markers()
    code = ("Lgrp <- list(QTL = c(3:6))\n"
            "m <- asreml(fixed = y ~ pop, random = ~ grp(QTL), group = Lgrp, data = d)\n")
    ns, _ = run_r(code, d=d)
    ref = asr.asreml("y ~ pop", random="~ grp(QTL)", group={"QTL": ["m0", "m1", "m2", "m3"]},
                     data=d)
    assert ns["m"].loglik == pytest.approx(ref.loglik, abs=1e-10)
    np.testing.assert_allclose(ns["m"].varcomp["component"], ref.varcomp["component"])


def test_group_position_outside_the_data_is_a_clear_error() -> None:
    d = _markers()
    with pytest.raises(AsrError, match="column position 8, but data has 7 columns"):
        asr.asreml("y ~ 1", random="~ grp(QTL)", group={"QTL": [6, 7, 8, 9]}, data=d)
