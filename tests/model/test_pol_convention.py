"""asreml's ``pol(x, t)`` convention: t > 0 includes the intercept polynomial, t < 0 omits it.

ASReml documents it (user guide, "pol() function": "It includes the intercept if n is positive,
omits it if n is negative. For example, pol(time,2) forms a design matrix with three columns
... pol(time,-2) is a term with two columns"; asreml-R's modelFunctions help: "t: the maximum
degree ... If negative, the intercept polynomial is omitted"). Random regressions rely on it:
``str(~ pol(time, 2):id, ~ us(3):id(id))`` needs three columns per id.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.model.spec import compile_model


def _data(n_id: int = 6, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    time = np.tile([0.0, 1.0, 2.0, 4.0, 6.0], n_id)
    ids = np.repeat([f"i{j}" for j in range(n_id)], 5)
    y = 1 + 0.5 * time - 0.05 * time**2 + rng.normal(scale=0.4, size=time.size)
    return pd.DataFrame({"id": ids, "time": time, "y": y})


@pytest.mark.parametrize(("t", "ncol", "has_intercept"), [(2, 3, True), (-2, 2, False),
                                                          (1, 2, True), (-1, 1, False)])
def test_pol_columns_follow_the_sign_of_t(t: int, ncol: int, has_intercept: bool) -> None:
    df = _data()
    m = compile_model("y ~ 1", random=f"~ id:pol(time, {t})", data=df)
    Z = m.random[0].Z.toarray()
    assert Z.shape[1] == df["id"].nunique() * ncol
    first = Z[:, ::ncol].sum(axis=1)  # each record's first polynomial column of its own id
    assert np.allclose(first, first[0]) == has_intercept
    # the other columns span the centred powers 1..|t| of time (within the record set)
    time = df["time"].to_numpy()
    P = Z[df["id"].to_numpy() == "i0"][:, : ncol]
    t0 = time[df["id"].to_numpy() == "i0"]
    powers = np.column_stack([t0**k for k in range(abs(t) + 1)])
    coef, *_ = np.linalg.lstsq(powers, P, rcond=None)
    np.testing.assert_allclose(powers @ coef, P, atol=1e-10)


def test_str_random_regression_with_pol_t2_has_three_columns_per_id() -> None:
    df = _data()
    fit = asr.asreml("y ~ pol(time, -2)", random="~ str(~ pol(time, 2):id, ~ us(3):id(id))",
                     data=df)
    assert fit.model.random[0].Z.shape[1] == 3 * df["id"].nunique()
    # the fixed part: pol(time, -2) is the linear and quadratic columns besides the intercept
    assert fit.model.fixed.X.shape[1] == 3 and not fit.model.fixed.aliased


def test_fixed_pol_positive_t_is_aliased_with_the_intercept_and_fits_the_same() -> None:
    df = _data()
    ref = asr.asreml("y ~ time + I(time^2)", random="~ id", data=df)
    pos = asr.asreml("y ~ pol(time, 2)", random="~ id", data=df)
    assert len(pos.model.fixed.aliased) == 1  # its intercept polynomial
    # same column space: the same variance components and fitted values (the REML
    # log-likelihood's log|X'X| term depends on the columns' scaling, so it is not compared)
    np.testing.assert_allclose(pos.varcomp["component"].to_numpy(),
                               ref.varcomp["component"].to_numpy(), rtol=1e-5)
    np.testing.assert_allclose(pos.fitted, ref.fitted, rtol=1e-6)
