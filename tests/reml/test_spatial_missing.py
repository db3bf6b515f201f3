"""A separable spatial residual with missing plots and many fixed effects (issue 14: the
asremlPlus chickpea fit, 1056 plots, ~500 fixed effects, ``Smarthouse:ar1(Lane):ar1(Position)``,
25 missing responses, took 93-113 s).

The residual over the observed plots is a principal submatrix of I ⊗ AR1 ⊗ AR1; asr_py
inverts it as a Schur complement of the sparse Σ⁻¹ (vcov.composite.Subset, "complement").
Checked against an independent dense-V REML (``tests/_dense_reml.py``, numpy/scipy) maximised
by scipy, and against the dense path of Subset (the code path used before).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
import scipy.linalg as sla
from _dense_reml import maximise, reml_loglik

import asr_py as asr
import asr_py.vcov.composite as composite
from asr_py.results.fit import AsremlFit

HOUSES, ROWS, COLS = 2, 10, 12


def _ar1(n: int, rho: float) -> np.ndarray:
    i = np.arange(n)
    return rho ** np.abs(i[:, None] - i[None, :])


@pytest.fixture(scope="module")
def field() -> pd.DataFrame:
    """Two houses of 10 x 12 plots; 20 lines x 2 treatments x 3 replicates per house;
    AR1 x AR1 errors (0.5, 0.3) within a house; 11 missing responses (isolated, a pair of
    neighbours, corners)."""
    rng = np.random.default_rng(20261203)
    rows = []
    for h in range(HOUSES):
        combos = [(g, t) for g in range(20) for t in range(2)] * 3
        order = rng.permutation(len(combos))
        for k, idx in enumerate(order):
            g, t = combos[idx]
            rows.append({"House": f"H{h + 1}", "Row": k // COLS + 1, "Col": k % COLS + 1,
                         "Rep": f"R{k // 40 + 1}", "Line": f"L{g + 1:02d}",
                         "Trt": ["C", "S"][t]})
    d = pd.DataFrame(rows)
    e = np.concatenate([np.linalg.cholesky(2.0 * np.kron(_ar1(ROWS, 0.5), _ar1(COLS, 0.3)))
                        @ rng.normal(size=ROWS * COLS) for _ in range(HOUSES)])
    line = rng.normal(0, 1.0, 20)[d.Line.str[1:].astype(int) - 1]
    rep = rng.normal(0, 0.7, 6)[(d.House.str[1].astype(int) - 1) * 3 + d.Rep.str[1].astype(int) - 1]
    d["y"] = 10 + line + 1.5 * (d.Trt == "S") + rep + e
    d.loc[[0, 17, 18, 30, 55, 119, 120, 150, 162, 200, 239], "y"] = np.nan
    for c in ("House", "Row", "Col", "Rep", "Line", "Trt"):
        d[c] = d[c].astype(str).astype("category")
    d["Row"] = d.Row.cat.reorder_categories(sorted(d.Row.cat.categories, key=int))
    d["Col"] = d.Col.cat.reorder_categories(sorted(d.Col.cat.categories, key=int))
    return d


FIXED = "y ~ Line * Trt + House"
RANDOM = "~ House:Rep"
RESIDUAL = "~ House:ar1(Row):ar1(Col)"


def _design(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The observed plots' mask, y, X (Line * Trt + House) and Z (House:Rep), dense."""
    obs = d.y.notna().to_numpy()
    X = pd.get_dummies(d[["Line", "Trt", "House"]], drop_first=True).astype(float)
    inter = [(d.Line == lv).to_numpy() & (d.Trt == "S").to_numpy()
             for lv in d.Line.cat.categories[1:]]
    X = np.column_stack([np.ones(len(d)), X.to_numpy(), np.array(inter, float).T])[obs]
    hr = (d.House.astype(str) + d.Rep.astype(str)).to_numpy()
    Z = (hr[:, None] == np.unique(hr)[None, :]).astype(float)[obs]
    return obs, d.y.to_numpy()[obs], X, Z


def _dense_reml(d: pd.DataFrame) -> tuple[np.ndarray, float]:
    """Maximise the dense REML over (σ²_rep, σ², ρ_row, ρ_col) on the observed plots."""
    obs, y, X, Z = _design(d)
    # records are in grid order within each house (Row major), as the fixture builds them
    h, r, c = (d[f].cat.codes.to_numpy(dtype=int) for f in ("House", "Row", "Col"))
    grid = (h * ROWS + r) * COLS + c
    assert np.array_equal(grid, np.arange(len(d)))

    def ll(x: np.ndarray) -> float:
        s_rep, s2, rr, rc = x
        if not (s_rep >= 0 and s2 > 0 and abs(rr) < 1 and abs(rc) < 1):
            return -np.inf
        R = s2 * np.kron(np.eye(HOUSES), np.kron(_ar1(ROWS, rr), _ar1(COLS, rc)))
        return reml_loglik(y, X, Z @ Z.T * s_rep + R[np.ix_(obs, obs)])

    return maximise(ll, [np.array([0.5, 2.0, 0.4, 0.2])],
                    bounds=[(0, None), (1e-6, None), (-0.99, 0.99), (-0.99, 0.99)])


def _fit(d: pd.DataFrame) -> AsremlFit:
    return asr.asreml(FIXED, random=RANDOM, residual=RESIDUAL, data=d)


def _components(fit: AsremlFit) -> np.ndarray:
    return fit.varcomp["component"].to_numpy()


def test_missing_plots_match_dense_reml(field: pd.DataFrame) -> None:
    fit = _fit(field)
    assert fit.converged
    x, ll = _dense_reml(field)
    assert fit.loglik == pytest.approx(ll, abs=1e-5)
    np.testing.assert_allclose(_components(fit), x, rtol=2e-3, atol=2e-4)


def test_complement_path_equals_dense_path(field: pd.DataFrame,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The Schur-complement residual gives the fit of the dense residual path."""
    fast = _fit(field)
    monkeypatch.setattr(composite, "MAX_DROPPED", -1)  # every Subset takes the dense path
    slow = _fit(field)
    assert fast.loglik == pytest.approx(slow.loglik, abs=1e-8)
    np.testing.assert_allclose(_components(fast), _components(slow), rtol=1e-6)
    np.testing.assert_allclose(fast.coef[["solution", "std.error"]].to_numpy(),
                               slow.coef[["solution", "std.error"]].to_numpy(),
                               rtol=1e-6, atol=1e-8)


def test_row_order_does_not_matter(field: pd.DataFrame) -> None:
    shuffled = field.sample(frac=1.0, random_state=3)
    a, b = _fit(field), _fit(shuffled)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-7)
    np.testing.assert_allclose(_components(a), _components(b), rtol=1e-5)


# --- dsum(~ ar1 x ar1 | House) and the residual products without n x n Ṙ_k (c16speed) ----

RESIDUAL_DSUM = "~ dsum(~ ar1(Row):ar1(Col) | House)"


def _dsum_fit(d: pd.DataFrame) -> AsremlFit:
    return asr.asreml(FIXED, random=RANDOM, residual=RESIDUAL_DSUM, data=d)


def _dsum_dense_ll(d: pd.DataFrame) -> Callable[[np.ndarray], float]:
    """Dense REML over (σ²_rep, then σ², ρ_row, ρ_col of each house) on the observed plots."""
    obs, y, X, Z = _design(d)

    def ll(x: np.ndarray) -> float:
        if x[0] < 0 or any(x[k] <= 0 for k in (1, 4)) or np.any(np.abs(x[[2, 3, 5, 6]]) >= 1):
            return -np.inf
        R = sla.block_diag(*[x[1 + 3 * h] * np.kron(_ar1(ROWS, x[2 + 3 * h]),
                                                    _ar1(COLS, x[3 + 3 * h]))
                             for h in range(HOUSES)])
        return reml_loglik(y, X, Z @ Z.T * x[0] + R[np.ix_(obs, obs)])

    return ll


def test_dsum_missing_plots_match_dense_reml(field: pd.DataFrame) -> None:
    """ℓ at the estimates equals the dense-V REML there, and the dense REML maximised from
    the estimates gains nothing."""
    fit = _dsum_fit(field)
    assert fit.converged
    x = _components(fit)
    assert x.size == 7
    ll = _dsum_dense_ll(field)
    assert fit.loglik == pytest.approx(ll(x), abs=1e-8)
    _, best = maximise(ll, [x], bounds=[(0, None), (1e-6, None), (-0.99, 0.99), (-0.99, 0.99),
                                        (1e-6, None), (-0.99, 0.99), (-0.99, 0.99)])
    assert best - fit.loglik < 1e-6


def test_residual_products_equal_the_derivative_path(field: pd.DataFrame,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The template products (Kronecker / DirectSum / Subset ``deriv_times``,
    ``inv_deriv_trace``) give the fit of the general path from n x n derivatives to 1e-8."""
    from asr_py.vcov import CovTemplate, DirectSum, Kronecker, Subset

    fast = _dsum_fit(field)
    for cls in (Kronecker, DirectSum, Subset):
        for meth in ("deriv_times", "inv_deriv_trace", "deriv_entries", "em_block"):
            monkeypatch.setattr(cls, meth, getattr(CovTemplate, meth))
    slow = _dsum_fit(field)
    assert fast.loglik == pytest.approx(slow.loglik, abs=1e-8)
    np.testing.assert_allclose(_components(fast), _components(slow), rtol=1e-8, atol=1e-10)
    assert len(fast.iterations) == len(slow.iterations)
