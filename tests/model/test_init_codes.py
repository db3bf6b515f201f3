"""init = c(F = 0.5): the names of a structure's start values are asreml's constraint codes
(P, U, F) — before session 20 they were dropped, so a "fixed" parameter was estimated.

Checked against a dense-V REML (tests/_dense_reml.py): with ρ_Row held at 0.5 the fit's ℓ
is the dense ℓ at its estimates and a dense optimiser over the free parameters (ρ_Row
fixed at 0.5) finds no higher ℓ."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, reml_loglik

import asr_py as asr
from asr_py.errors import AsrError


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"Row": np.repeat(np.arange(1, 9), 6).astype(str),
                      "Col": np.tile(np.arange(1, 7), 8).astype(str),
                      "g": np.tile(list("abcd"), 12)})
    ar = 0.6 ** np.abs(np.subtract.outer(range(8), range(8)))
    d["y"] = rng.multivariate_normal(np.zeros(48), np.kron(ar, np.eye(6))) + 1.0
    return d


def test_fixed_code_holds_the_correlation(grid: pd.DataFrame) -> None:
    fit = asr.asreml("y ~ 1", residual="~ ar1(Row, init = c(F = 0.5)):ar1(Col)", data=grid)
    vc = fit.varcomp
    assert vc.loc["Row:Col!Row!cor", "component"] == 0.5
    assert vc.loc["Row:Col!Row!cor", "bound"] == "F"
    lag_r = np.abs(np.subtract.outer(range(8), range(8)))
    lag_c = np.abs(np.subtract.outer(range(6), range(6)))
    y, X = grid.y.to_numpy(), np.ones((48, 1))

    def build(v: np.ndarray) -> np.ndarray | None:
        s2, rc = v
        if s2 <= 0 or abs(rc) >= 1:
            return None
        return s2 * np.kron(0.5**lag_r, rc**lag_c)

    x = vc["component"].to_numpy()[[0, 2]]
    assert reml_loglik(y, X, build(x)) == pytest.approx(fit.loglik, abs=1e-6)
    _, best = fit_dense(y, X, build, [x], [(1e-6, None), (-0.99, 0.99)], polish=False)
    assert best <= fit.loglik + 1e-4
    free = asr.asreml("y ~ 1", residual="~ ar1(Row, init = 0.5):ar1(Col)", data=grid)
    assert free.varcomp.loc["Row:Col!Row!cor", "bound"] == "U"
    assert free.loglik > fit.loglik + 1e-3   # estimated, not held: a different model


def test_fixed_code_on_a_random_term_variance(grid: pd.DataFrame) -> None:
    fit = asr.asreml("y ~ 1", random="~ idv(g, init = c(F = 0.3))", data=grid)
    assert fit.varcomp.loc["g!g!var", "component"] == 0.3
    assert fit.varcomp.loc["g!g!var", "bound"] == "F"


def test_an_unknown_code_is_a_caret_error(grid: pd.DataFrame) -> None:
    with pytest.raises(AsrError, match="'Q' is not a constraint code") as e:
        asr.asreml("y ~ 1", residual="~ ar1(Row, init = c(Q = 0.5)):ar1(Col)", data=grid)
    assert "^" in str(e.value)
