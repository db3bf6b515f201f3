"""asreml 3's ``mv`` term (ASReml: "a model term with a column for each missing value ...
a solitary -1 in the record containing the corresponding missing value") in the fixed or
sparse formula is accepted as a no-op (asr_py.model.mv_term): the fit of the observed
records with ``na_action={'y': 'include'}``. Checked against the model ``mv`` defines, built
here by hand: every record kept (the missing responses set to 0), X augmented with one
column −e_i per missing record, and the dense-V REML (tests/_dense_reml.py) of that model
maximised independently — the same ℓ and the same variance parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, indicator, reml_loglik

import asr_py as asr


@pytest.fixture(scope="module")
def d() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    d = pd.DataFrame({"g": np.repeat([f"G{i}" for i in range(12)], 4),
                      "x": rng.normal(size=48)})
    d["y"] = 1 + 0.7 * d.x + rng.normal(0, 0.8, 12)[np.repeat(range(12), 4)] + \
        rng.normal(size=48)
    d.loc[[3, 17, 30, 31], "y"] = np.nan
    return d


def test_mv_in_the_fixed_formula_is_the_model_mv_defines(d: pd.DataFrame) -> None:
    m = asr.asreml("y ~ x + mv", random="~ g", data=d)
    plain = asr.asreml("y ~ x", random="~ g", data=d)
    assert m.loglik == pytest.approx(plain.loglik, abs=1e-10)
    assert any("mv dropped" in s for s in m.diagnostics)
    # mv as ASReml defines it: all 48 records, y = 0 where missing, a column -e_i for each
    miss = np.flatnonzero(d.y.isna().to_numpy())
    y = d.y.fillna(0.0).to_numpy()
    X = np.column_stack([np.ones(len(d)), d.x.to_numpy()] +
                        [-(np.arange(len(d)) == i).astype(float) for i in miss])
    zz = indicator(d.g) @ indicator(d.g).T

    def build_v(p: np.ndarray) -> np.ndarray | None:
        return None if np.any(p <= 0) else p[0] * zz + p[1] * np.eye(len(d))

    th = m.varcomp["component"].to_numpy()
    assert reml_loglik(y, X, build_v(th)) == pytest.approx(m.loglik, abs=1e-8)
    best, ll = fit_dense(y, X, build_v, [np.array([0.5, 1.0]), np.array([1.0, 0.5])],
                         [(1e-8, None), (1e-8, None)])
    assert ll == pytest.approx(m.loglik, abs=1e-6)
    np.testing.assert_allclose(best, th, rtol=1e-3)


def test_mv_in_sparse_and_where_it_is_not_the_term(d: pd.DataFrame) -> None:
    a = asr.asreml("y ~ x", random="~ g", sparse="~ mv", data=d)
    assert a.loglik == pytest.approx(asr.asreml("y ~ x", random="~ g", data=d).loglik,
                                     abs=1e-10)
    # a random mv is another model (a shrunken effect per missing value): still an error
    with pytest.raises(asr.FormulaError, match="missing-value term"):
        asr.asreml("y ~ x", random="~ g + mv", data=d)
    # a data column named mv is that column
    dm = d.assign(mv=np.linspace(0, 1, len(d)))
    b = asr.asreml("y ~ x + mv", random="~ g", data=dm)
    assert "mv" in b.coef_fixed.index


def test_a_thousand_term_formula_with_mv_and_offset_does_not_recurse() -> None:
    """The '+' chains are walked without recursion (1 000 terms once hit Python's limit)."""
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"y": rng.normal(size=60), "mvx": rng.normal(size=60),
                      "g": np.repeat(list("abcdef"), 10)})
    many = " + ".join(["mvx"] * 1000)
    m = asr.asreml(fixed=f"y ~ mv + {many}", random="~ g", data=d)
    ref = asr.asreml(fixed="y ~ mvx", random="~ g", data=d)
    assert abs(m.loglik - ref.loglik) < 1e-9
    o = asr.asreml(fixed=f"y ~ offset(mvx) + {many.replace('mvx', 'g')}", data=d)
    r = asr.asreml(fixed="y ~ g", data=d.assign(y=d.y - d.mvx))
    assert abs(o.loglik - r.loglik) < 1e-9
