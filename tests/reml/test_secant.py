"""Secant-corrected AI steps once full AI steps converge linearly (reml/secant.py, s15eng).

A spatial model of asremlPlus's test42Parallel.r shape (Site:(Row + Col) random beside
``dsum(~ ar1(Row):ar1(Col) | Site)`` residuals), simulated: with plain AI steps the error
shrinks by a constant ratio each iteration (15 iterations); the secant step reaches the same
optimum in fewer. The optimum, with Site:Col's variance on its bound ('B'), is checked against
an independent dense-V REML maximised by scipy with every variance constrained >= 0."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml_chol import maximise, reml_loglik

import asr_py as asr
import asr_py.reml.ai as ai_mod
from asr_py.reml.secant import CURV_MAX, linear_regime, secant_information

ROWS, COLS = 10, 8


def _ar1(n: int, r: float) -> np.ndarray:
    i = np.arange(n)
    return r ** np.abs(i[:, None] - i[None, :])


def spatial(seed: int) -> pd.DataFrame:
    """2 sites x 10 rows x 8 columns, 20 genotypes, row effects, ar1 x ar1 errors."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(s, r, c) for s in ("A", "B") for r in range(ROWS) for c in range(COLS)],
                     columns=["Site", "Row", "Col"])
    e = np.concatenate([np.linalg.cholesky(v * np.kron(_ar1(ROWS, p), _ar1(COLS, q)))
                        @ rng.normal(size=ROWS * COLS)
                        for v, p, q in ((1.0, 0.6, 0.5), (2.0, 0.2, 0.3))])
    rowe = rng.normal(0, 0.6, (2, ROWS))
    d["y"] = e + rowe[(d.Site == "B").astype(int), d.Row] + rng.normal(0, 1, 20)[d.index % 20]
    d["Geno"] = [f"G{i % 20:02d}" for i in range(len(d))]
    for c in ("Site", "Row", "Col", "Geno"):
        d[c] = pd.Categorical(d[c].astype(str))
    return d


def fit(d: pd.DataFrame) -> asr.AsremlFit:
    return asr.asreml("y ~ Site + Geno", random="~ Site:(Row + Col)",
                      residual="~ dsum(~ar1(Row):ar1(Col) | Site)", data=d)


def test_secant_information_matches_the_pair_and_stays_positive_definite() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4, 4))
    ai = a @ a.T + 4 * np.eye(4)
    s = rng.normal(size=4)
    h = ai + np.outer(ai @ s, ai @ s) / (s @ ai @ s)  # a true Hessian steeper along s
    free = np.array([True, True, True, False])
    b = secant_information(ai, s * free, -(h @ (s * free)), free)
    assert b is not None
    i = np.flatnonzero(free)
    np.testing.assert_allclose(b[np.ix_(i, i)] @ s[i], (h @ (s * free))[i], rtol=1e-10)
    np.testing.assert_array_equal(b[3], ai[3])  # the held parameter's row untouched
    assert np.linalg.eigvalsh(b[np.ix_(i, i)]).min() > 0
    # a curvature along s beyond CURV_MAX x AI's (or negative) is no estimate of H
    assert secant_information(ai, s, -(2 * CURV_MAX) * (ai @ s), np.ones(4, bool)) is None
    assert secant_information(ai, s, ai @ s, np.ones(4, bool)) is None


def test_linear_regime_needs_steady_ratios_along_one_line() -> None:
    ai = np.diag([4.0, 1.0])
    free = np.ones(2, dtype=bool)
    v = np.array([1.0, 0.5])
    assert linear_regime([v, 0.5 * v, 0.25 * v], ai, free)  # undershooting
    assert linear_regime([v, -0.6 * v, 0.36 * v], ai, free)  # overshooting, alternating
    assert not linear_regime([v, 0.5 * v], ai, free)  # too few
    assert not linear_regime([v, 0.5 * v, 0.05 * v], ai, free)  # ratios disagree
    assert not linear_regime([v, 0.5 * v, 0.25 * v[::-1]], ai, free)  # turning


def _dense_loglik(d: pd.DataFrame):
    """ℓ(x) by dense V, x = (σ²_row, σ²_col, then per site σ², ρ_row, ρ_col)."""
    y = d["y"].to_numpy(float)
    X = np.column_stack([np.ones(len(d)), (d.Site == "B").to_numpy(float)]
                        + [(d.Geno == g).to_numpy(float)
                           for g in d.Geno.cat.categories[1:]])
    site = (d.Site == "B").to_numpy(int)
    row = d.Row.astype(int).to_numpy()
    col = d.Col.astype(int).to_numpy()
    same_site = site[:, None] == site[None, :]
    zr = (same_site & (row[:, None] == row[None, :])).astype(float)
    zc = (same_site & (col[:, None] == col[None, :])).astype(float)

    def ll(x: np.ndarray) -> float:
        V = x[0] * zr + x[1] * zc
        for s in (0, 1):
            v, pr, pc = x[2 + 3 * s: 5 + 3 * s]
            if not (-1 < pr < 1 and -1 < pc < 1):
                return -np.inf
            i = np.flatnonzero(site == s)
            V[np.ix_(i, i)] += v * (pr ** np.abs(row[i][:, None] - row[i][None, :])
                                    * pc ** np.abs(col[i][:, None] - col[i][None, :]))
        return reml_loglik(y, X, V)
    return ll


def test_secant_steps_reach_the_dense_reml_optimum_in_fewer_iterations(
        monkeypatch: pytest.MonkeyPatch) -> None:
    d = spatial(5)
    m = fit(d)
    assert m.converged
    with monkeypatch.context() as mp:  # the plain AI iteration, for comparison
        mp.setattr(ai_mod, "linear_regime", lambda *a, **k: False)
        m_ai = fit(d)
    assert m_ai.converged
    methods = [h["method"] for h in m.result.history]
    assert "QN" in methods and "QN" not in [h["method"] for h in m_ai.result.history]
    assert m.result.n_iter <= m_ai.result.n_iter - 3  # 11 against 15 when written
    assert m.loglik >= m_ai.loglik - 1e-8
    vc = m.varcomp
    names = list(vc.index)
    comp = vc["component"]
    x = np.array([comp["Site:Row"], comp["Site:Col"]]
                 + [comp[f"Site_{s}!Row:Col!{p}"] for s in ("A", "B")
                    for p in ("R", "Row!cor", "Col!cor")])
    assert vc.loc["Site:Col", "bound"] == "B"
    assert all(vc.loc[n, "bound"] in ("P", "U") for n in names if n != "Site:Col")
    ll = _dense_loglik(d)
    assert ll(x) == pytest.approx(m.loglik, abs=1e-6)
    bounds = [(0.0, None)] * 2 + [(1e-8, None), (-0.99, 0.99), (-0.99, 0.99)] * 2
    starts = [x, np.array([0.5, 0.5, 1.0, 0.3, 0.3, 1.0, 0.3, 0.3])]
    best_x, best = maximise(ll, starts, bounds)
    assert m.loglik >= best - 1e-6  # no better point with every variance >= 0
    assert best_x[1] < 1e-3  # and the dense optimum has Site:Col's variance at 0 too
    np.testing.assert_allclose(np.delete(x, 1), np.delete(best_x, 1), rtol=2e-3, atol=2e-4)
