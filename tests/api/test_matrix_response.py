"""A response matrix passed by name (asr_py.model.matrix_response): ``"Y ~ trait"`` with
``Y=`` a DataFrame or an array is the ``cbind()`` model of its columns; checked against the
cbind fit of the same columns and a closed form (two separable traits: the two univariate
fits' ℓ add up)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import DataError


def _data(seed: int = 8) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(10), 3)
    y = np.array([1.0, 5.0]) + rng.multivariate_normal([0, 0], [[1, .4], [.4, 2]], 10)[g] + \
        rng.multivariate_normal([0, 0], [[1, .2], [.2, 1]], g.size)
    d = pd.DataFrame({"gen": [f"g{i}" for i in g]})
    Y = pd.DataFrame({"h": y[:, 0], "w": y[:, 1]})
    Y.loc[3, "w"] = np.nan
    return d, Y


def test_named_matrix_is_the_cbind_model() -> None:
    d, Y = _data()
    m = asr.asreml("Y ~ trait", random="~ us(trait):gen", residual="~ units:us(trait)",
                   data=d, Y=Y)
    ref = asr.asreml("cbind(h, w) ~ trait", random="~ us(trait):gen",
                     residual="~ units:us(trait)", data=d.join(Y))
    assert list(m.model.records.traits) == ["h", "w"]
    assert m.loglik == pytest.approx(ref.loglik, abs=1e-9)
    a = m.predict(classify="trait")["predicted.value"].to_numpy()
    b = ref.predict(classify="trait")["predicted.value"].to_numpy()
    np.testing.assert_allclose(a, b, rtol=1e-9)
    # an array: traits V1, V2; the separable model is the two univariate fits
    m2 = asr.asreml("Y ~ trait", random="~ diag(trait):gen", residual="~ units:diag(trait)",
                    data=d, Y=Y.to_numpy())
    assert list(m2.model.records.traits) == ["V1", "V2"]
    u1 = asr.asreml("h ~ 1", random="~ gen", data=d.join(Y))
    u2 = asr.asreml("w ~ 1", random="~ gen", data=d.join(Y))
    assert m2.loglik == pytest.approx(u1.loglik + u2.loglik, abs=1e-6)


def test_named_matrix_errors() -> None:
    d, Y = _data()
    with pytest.raises(DataError, match="29 rows but the data have 30"):
        asr.asreml("Y ~ trait", data=d, Y=Y.iloc[:-1])
    with pytest.raises(DataError, match="also a different data column"):
        asr.asreml("Y ~ trait", data=d.assign(h=0.0), Y=Y)
