"""fit.update(): residual= and rcov= (asreml 3's name) are one argument, and a matrix of a term
the new formulas drop is left out of the refit (asr_py.results.update_call). Each updated fit
equals the direct fit of the written-out call (which does not go through update).

On main (e1e10dd) update(residual=) of an rcov= fit raised 'give residual= or rcov=, not
both', update(rcov=) of a residual= fit likewise, ``.`` in rcov= found no old formula when
the fit gave residual=, and update(random=) without a vm(id, K) term raised 'unexpected
keyword K'.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


@pytest.fixture(scope="module")
def trial() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n_fam, n_kid = 20, 6
    d = pd.DataFrame({"id": [f"t{k}" for k in range(n_fam * n_kid)],
                      "mum": np.repeat([f"m{k}" for k in range(n_fam)], n_kid)})
    d["row"] = (np.arange(len(d)) % 10 + 1).astype(str)
    d["col"] = (np.arange(len(d)) // 10 + 1).astype(str)
    d["rep"] = np.where(np.arange(len(d)) // 10 < 6, "r1", "r2")
    d["y"] = (np.repeat(rng.normal(0, 0.8, n_fam), n_kid) + rng.normal(0, 1, len(d))
              + 0.3 * np.sin(np.arange(len(d)) % 10))
    return d


def _fit(**kw):  # noqa: ANN003, ANN202
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(**kw)


@pytest.mark.parametrize("first, then", [("rcov", "residual"), ("residual", "rcov"),
                                         ("rcov", "rcov"), ("residual", "residual")])
def test_residual_and_rcov_are_one_argument(trial: pd.DataFrame, first: str,
                                            then: str) -> None:
    m = _fit(fixed="y ~ rep", random="~ mum", data=trial,
             **{first: "~ ar1(col):ar1(row)"})
    m2 = m.update(**{then: "~ units"})
    direct = _fit(fixed="y ~ rep", random="~ mum", data=trial)
    assert m2.loglik == pytest.approx(direct.loglik, abs=1e-6)
    assert list(m2.varcomp.index) == list(direct.varcomp.index)
    # '.' is the fit's residual formula whichever name gave it
    m3 = m.update(**{then: "~ . - ar1(col):ar1(row) + idv(units)"})
    direct3 = _fit(fixed="y ~ rep", random="~ mum", residual="~ idv(units)", data=trial)
    assert m3.loglik == pytest.approx(direct3.loglik, abs=1e-6)


def test_a_matrix_of_a_dropped_term_is_left_out(trial: pd.DataFrame) -> None:
    ped = pd.DataFrame({"id": trial["id"], "sire": trial["mum"], "dam": None})
    Ai = asr.ainverse(ped)
    m = _fit(fixed="y ~ rep", random="~ vm(id, Ai)", data=trial, Ai=Ai)
    m2 = m.update(random="~ mum")
    direct = _fit(fixed="y ~ rep", random="~ mum", data=trial)
    assert m2.loglik == pytest.approx(direct.loglik, abs=1e-6)
    assert "Ai" not in m2.call
    # kept when '.' keeps the term, replaced when given
    m3 = m.update(random="~ . + rep:mum")
    assert m3.call["Ai"] is Ai
    A1 = asr.ainverse(ped, selfing=0.2)
    m4 = m.update(Ai=A1)
    direct4 = _fit(fixed="y ~ rep", random="~ vm(id, Ai)", data=trial, Ai=A1)
    assert m4.loglik == pytest.approx(direct4.loglik, abs=1e-6)
    assert m4.loglik != pytest.approx(m.loglik, abs=1e-3)
