"""vm(id, K.a): a matrix under an R name with a dot (``Ainv.as``, ``Ginv.sparse``) is passed as
``**{'K.a': K}``; the fit is the one under an identifier name, and components and effects
carry the R name as asreml's do (``vm(id, K.a)``, ``vm(id, K.a)_i0``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import FormulaError


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(1)
    ids = [f"i{k}" for k in range(30)]
    m = rng.standard_normal((30, 60))
    K = pd.DataFrame(m @ m.T / 60 + 0.05 * np.eye(30), index=ids, columns=ids)
    d = pd.DataFrame({"id": np.repeat(ids, 3)})
    d["y"] = rng.standard_normal(90) + np.repeat(rng.standard_normal(30), 3)
    return d, K


def test_dotted_name_fits_as_identifier_name(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    d, K = data
    dotted = asr.asreml("y ~ 1", random="~ vm(id, K.a)", data=d, **{"K.a": K})
    plain = asr.asreml("y ~ 1", random="~ vm(id, K)", data=d, K=K)
    assert dotted.loglik == pytest.approx(plain.loglik, abs=1e-10)
    np.testing.assert_allclose(dotted.varcomp.component, plain.varcomp.component, rtol=1e-10)
    assert dotted.varcomp.index[0] == "vm(id, K.a)"
    assert dotted.coef_random.index[0] == "vm(id, K.a)_i0"


def test_missing_dotted_matrix_says_how_to_pass_it(
        data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    d, _ = data
    with pytest.raises(FormulaError, match=r"matrix 'K.a' is not given") as e:
        asr.asreml("y ~ 1", random="~ vm(id, K.a)", data=d)
    assert "**{'K.a': the_matrix}" in str(e.value)
