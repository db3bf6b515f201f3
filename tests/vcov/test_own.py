"""own(f, 'fun', init, type): a user-defined structure (asreml-R 4's own(), as the corpus's
AlessandraDosSantos/Example_Asreml comparision.R writes it: ar1(column):own(row, "banded",
0.1, "R") beside ar1(column):corb(row, 1), the same model).

Checked against: the registered structures the own functions rebuild (corb(row, 1), ar1v:
the same log-likelihood and estimates), a dense-V REML with V built here, and central finite
differences of the user's matrix (a wrong derivative is caught by check_own_derivatives)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import reml_loglik
from vcov_helpers import check_template

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.vcov import get_structure
from asr_py.vcov.own import check_own_derivatives


def banded(order: int, kappa: np.ndarray) -> list[np.ndarray]:
    """C = I + κ (band 1), the corpus script's banded() (mat.banded(c(0, 1)) powers)."""
    h = np.abs(np.subtract.outer(np.arange(order), np.arange(order)))
    return [np.eye(order) + kappa[0] * (h == 1), (h == 1).astype(float)]


def ar1_var(order: int, kappa: np.ndarray) -> list[np.ndarray]:
    """σ² ρ^|i−j| with κ = (σ², ρ) (types V, R)."""
    h = np.abs(np.subtract.outer(np.arange(order), np.arange(order))).astype(float)
    s2, r = kappa
    return [s2 * r**h, r**h, s2 * h * np.where(h > 0, r ** np.maximum(h - 1, 0), 0.0)]


@pytest.fixture(scope="module")
def trial() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    column, row = np.repeat(np.arange(1, 11), 6), np.tile(np.arange(1, 7), 10)
    treat = rng.permutation(np.repeat(np.arange(1, 13), 5))
    ar = 0.5 ** np.abs(np.subtract.outer(range(10), range(10)))
    band = np.eye(6) - 0.3 * (np.abs(np.subtract.outer(range(6), range(6))) == 1)
    e = rng.multivariate_normal(np.zeros(60), np.kron(ar, band))
    return pd.DataFrame({"column": column.astype(str), "row": row.astype(str),
                         "treat": treat.astype(str),
                         "Y": 100 + rng.normal(0, 0.8, 12)[treat - 1] + e})


def test_own_banded_is_corb_band_one(trial: pd.DataFrame) -> None:
    own = asr.asreml("Y ~ 1", random="~ treat",
                     residual='~ ar1(column):own(row, "banded", 0.1, "R")', data=trial,
                     banded=banded)
    corb = asr.asreml("Y ~ 1", random="~ treat", residual="~ ar1(column):corb(row, 1)",
                      data=trial)
    assert own.loglik == pytest.approx(corb.loglik, abs=1e-6)
    np.testing.assert_allclose(own.varcomp["component"].to_numpy(),
                               corb.varcomp["component"].to_numpy(), rtol=1e-4, atol=1e-6)
    assert list(own.varcomp.index)[-1] == "column:row!row!banded1"
    # the dense V of the definition (records are column-major: column slowest)
    g, s2, rho, k = own.varcomp["component"].to_numpy()
    Zt = pd.get_dummies(trial.treat).to_numpy(float)
    R = np.kron(rho ** np.abs(np.subtract.outer(range(10), range(10))),
                banded(6, np.array([k]))[0])
    V = g * Zt @ Zt.T + s2 * R
    assert reml_loglik(trial.Y.to_numpy(), np.ones((60, 1)), V) == pytest.approx(
        own.loglik, abs=1e-6)


def test_own_with_a_variance_parameter_is_ar1v(trial: pd.DataFrame) -> None:
    own = asr.asreml("Y ~ 1", random="~ treat",
                     residual='~ id(column):own(row, "ar1_var", c(1, 0.1), c("V", "R"))',
                     data=trial, own={"ar1_var": ar1_var})
    ref = asr.asreml("Y ~ 1", random="~ treat", residual="~ id(column):ar1v(row)", data=trial)
    assert own.loglik == pytest.approx(ref.loglik, abs=1e-5)
    vc = own.varcomp["component"]
    assert vc["column:row!row!ar1_var1"] == pytest.approx(
        ref.varcomp["component"]["column:row!row!var"], rel=1e-3)


def test_derivatives_against_finite_differences() -> None:
    t = get_structure("own")([str(i) for i in range(5)], name="row", fun=ar1_var,
                             init=[1.0, 0.1], types=["V", "R"])
    check_template(t, np.array([1.7, 0.4]))
    assert check_own_derivatives(t, [1.7, 0.4]) < 1e-7

    def wrong(order: int, kappa: np.ndarray) -> list[np.ndarray]:
        v, d1, d2 = ar1_var(order, kappa)
        return [v, d1, 2 * d2]
    w = get_structure("own")([str(i) for i in range(5)], name="row", fun=wrong,
                             init=[1.0, 0.1], types=["V", "R"])
    assert check_own_derivatives(w, [1.7, 0.4]) > 0.1


@pytest.mark.parametrize("residual,kw,match", [
    ('~ ar1(column):own(row, "nofun", 0.1, "R")', {}, "the function 'nofun' is not given"),
    ('~ ar1(column):own(row, "banded", 0.1)', {"banded": banded}, "own\\(\\) needs type"),
    ('~ ar1(column):own(row, "banded", c(0.1, 0.2), "R")', {"banded": banded},
     "returned 2 matrices, expected 3"),
    ('~ ar1(column):own(row, "banded", 0.1, "Q")', {"banded": banded},
     "unknown type code 'Q'"),
    ('~ ar1(column):own(row, "bad", 0.1, "R")',
     {"bad": lambda n, k: [np.ones((n, n + 1)), np.ones((n, n + 1))]}, "expected 6 x 6"),
])
def test_bad_own_calls_name_what_is_wrong(trial: pd.DataFrame, residual: str, kw: dict,
                                          match: str) -> None:
    with pytest.raises(AsrError, match=match) as e:
        asr.asreml("Y ~ 1", random="~ treat", residual=residual, data=trial, **kw)
    assert "^" in str(e.value)
