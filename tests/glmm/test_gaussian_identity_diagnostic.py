"""asr_gaussian(dispersion = 1) with the identity link is a linear mixed model: its one
working model is the fit (glmm/pql._linear). When that REML fit stops at maxit, the
diagnostic is the REML fit's own, not a PQL outer-iteration message (there is nothing to
iterate); a converged fit reports no diagnostic."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

import asr_py as asr


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"g": np.repeat([f"g{i}" for i in range(20)], 4)})
    d["y"] = rng.standard_normal(80) + np.repeat(rng.standard_normal(20), 4)
    return d


def _fit(maxit: int) -> tuple[asr.AsremlModel, list[str]]:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = asr.asreml("y ~ 1", random="~ g", data=_data(),
                       family=asr.asr_gaussian(dispersion=1), maxit=maxit)
    return m, [str(x.message) for x in w]


def test_unconverged_linear_fit_says_reml_not_pql() -> None:
    m, msgs = _fit(1)
    assert not m.converged
    assert any("did not converge in 1 iterations" in s for s in msgs)
    assert not any("PQL" in s or "working-variate" in s for s in msgs + m.diagnostics)


def test_converged_linear_fit_has_no_diagnostic() -> None:
    m, msgs = _fit(30)
    assert m.converged and not any("converge" in s for s in msgs)
