"""uni(f, k): an extra independent effect per record of level k of f (ASReml's model
function, "equivalent to at(f, k).units"; the ASReml 3 manual's uni() page). Checked against
a dense-V REML: V = σ²_g ZZ' + σ²_u D_k + σ² I, D_k the 0/1 diagonal of level k's records,
and against at(f, k):units (the same ℓ)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, reml_loglik

import asr_py as asr
from asr_py.errors import AsrError


@pytest.fixture(scope="module")
def met() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    rows = []
    for s, sd in zip("ABC", [1.0, 1.0, 3.0]):
        for g in range(10):
            for _ in range(3):
                rows.append(dict(site=s, gen=f"g{g}", y=g * 0.2 + rng.normal(0, sd)))
    return pd.DataFrame(rows)


def test_uni_is_an_extra_error_on_one_site(met: pd.DataFrame) -> None:
    fit = asr.asreml("y ~ site", random="~ gen + uni(site, 'C')", data=met)
    assert fit.converged
    at = asr.asreml("y ~ site", random="~ gen + at(site, 3):units", data=met)
    assert fit.loglik == pytest.approx(at.loglik, abs=1e-6)
    same = asr.asreml("y ~ site", random="~ gen + uni(site, 3)", data=met)
    assert same.loglik == pytest.approx(fit.loglik, abs=1e-8)
    y = met.y.to_numpy()
    X = np.column_stack([np.ones(len(y)), met.site == "B", met.site == "C"]).astype(float)
    Zg = pd.get_dummies(met.gen).to_numpy(float)
    Dk = np.diag((met.site == "C").to_numpy(float))

    def build(v: np.ndarray) -> np.ndarray | None:
        if v[0] < 0 or v[1] < 0 or v[2] <= 0:
            return None
        return v[0] * Zg @ Zg.T + v[1] * Dk + v[2] * np.eye(len(y))

    x = fit.varcomp["component"].to_numpy()
    assert reml_loglik(y, X, build(x)) == pytest.approx(fit.loglik, abs=1e-6)
    _, best = fit_dense(y, X, build, [x], [(0, None), (0, None), (1e-6, None)], polish=False)
    assert best <= fit.loglik + 1e-4


def test_a_level_that_is_not_there_is_a_caret_error(met: pd.DataFrame) -> None:
    with pytest.raises(AsrError, match="site has no level 5") as e:
        asr.asreml("y ~ site", random="~ gen + uni(site, 5)", data=met)
    assert "^" in str(e.value)
