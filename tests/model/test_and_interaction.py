"""and() over an interaction ending in a factor: ``~ us(trait):sire + and(us(trait):dam)``
(the multi-trait parental model of a half-diallel; the VSN ASReml-R cookbook's maize
hybrids recipe writes ``corgh(trait):sire + and(corgh(trait):dam)``).

The model: y_(i,t) = μ_t + g_(sire_i, t) + g_(dam_i, t) + e_(i,t), g_p ~ N(0, G) per parent
(one set of effects for both roles), e_i ~ N(0, R), so with W = Z_sire + Z_dam over the
union of parents V = (W W') ⊗ G + I ⊗ R. Checked against a dense-V REML written here in
numpy (never asr_py): the fit's log-likelihood at its estimates, and that no other (G, R)
gives a higher one; the roles of the two factors swapped fit the same model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

import asr_py as asr
from asr_py.errors import FormulaError


def _diallel(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    par = [f"P{i:02d}" for i in range(1, 9)]
    g = rng.multivariate_normal([0, 0], [[1.0, 0.6], [0.6, 2.0]], size=8)
    rows = []
    for i in range(8):
        for j in range(i + 1, 8):        # P01 is never a sire, P08 never a dam
            for _ in range(3):
                e = rng.multivariate_normal([0, 0], [[1.5, 0.4], [0.4, 3.0]])
                y = np.array([10.0, 20.0]) + g[i] + g[j] + e
                rows.append((par[i], par[j], y[0], y[1]))
    return pd.DataFrame(rows, columns=["dam", "sire", "y1", "y2"])


def _dense_loglik(d: pd.DataFrame, G: np.ndarray, R: np.ndarray) -> float:
    """−½[(N−p) log 2π + log|V| + log|X'V⁻¹X| + y'Py], y stacked by record then trait."""
    par = sorted(set(d.dam) | set(d.sire))
    W = np.zeros((len(d), len(par)))
    for r, (a, b) in enumerate(zip(d.dam, d.sire)):
        W[r, par.index(a)] += 1
        W[r, par.index(b)] += 1
    y = d[["y1", "y2"]].to_numpy().ravel()
    X = np.kron(np.ones((len(d), 1)), np.eye(2))
    V = np.kron(W @ W.T, G) + np.kron(np.eye(len(d)), R)
    Vi = np.linalg.inv(V)
    XVX = X.T @ Vi @ X
    P = Vi - Vi @ X @ np.linalg.solve(XVX, X.T @ Vi)
    n, p = X.shape
    return float(-0.5 * ((n - p) * np.log(2 * np.pi) + np.linalg.slogdet(V)[1]
                         + np.linalg.slogdet(XVX)[1] + y @ P @ y))


def _gr(fit: asr.AsremlFit) -> tuple[np.ndarray, np.ndarray]:
    c = fit.varcomp["component"].to_numpy()
    return (np.array([[c[0], c[1]], [c[1], c[2]]]), np.array([[c[3], c[4]], [c[4], c[5]]]))


def _fit(d: pd.DataFrame, first: str = "sire", second: str = "dam") -> asr.AsremlFit:
    return asr.asreml("cbind(y1, y2) ~ trait",
                      random=f"~ us(trait):{first} + and(us(trait):{second})",
                      residual="~ units:us(trait)", data=d)


def test_loglik_is_the_dense_reml_at_the_estimates_and_its_maximum() -> None:
    d = _diallel()
    fit = _fit(d)
    G, R = _gr(fit)
    assert fit.loglik == pytest.approx(_dense_loglik(d, G, R), abs=1e-7)

    def neg(t: np.ndarray) -> float:
        L1 = np.array([[t[0], 0], [t[1], t[2]]])
        L2 = np.array([[t[3], 0], [t[4], t[5]]])
        return -_dense_loglik(d, L1 @ L1.T, L2 @ L2.T)

    L1, L2 = np.linalg.cholesky(G), np.linalg.cholesky(R)
    t0 = np.array([L1[0, 0], L1[1, 0], L1[1, 1], L2[0, 0], L2[1, 0], L2[1, 1]])
    best = minimize(neg, t0, method="Nelder-Mead",
                    options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 20000})
    assert -best.fun <= fit.loglik + 1e-6


def test_one_set_of_effects_over_the_union_of_parents() -> None:
    fit = _fit(_diallel())
    names = list(fit.coef_random.index)
    assert len(names) == 2 * 8                    # 8 parents x 2 traits, not 7 + 7
    assert any(n.endswith(":P01") for n in names) and any(n.endswith(":P08") for n in names)


def test_roles_swapped_fit_the_same_model() -> None:
    d = _diallel()
    a, b = _fit(d), _fit(d, "dam", "sire")
    assert b.loglik == pytest.approx(a.loglik, abs=1e-7)
    np.testing.assert_allclose(b.varcomp["component"].to_numpy(),
                               a.varcomp["component"].to_numpy(), rtol=1e-5, atol=1e-7)


def test_the_and_term_must_repeat_the_leading_parts() -> None:
    d = _diallel()
    with pytest.raises(FormulaError, match=r"and\(\) over 'trait:sire' needs a term of 2 parts"):
        asr.asreml("cbind(y1, y2) ~ trait", random="~ us(trait):sire + and(dam)",
                   residual="~ units:us(trait)", data=d)
    d["other"] = np.where(np.arange(len(d)) % 2 == 0, "a", "b")
    with pytest.raises(FormulaError, match="the leading parts must be the same"):
        asr.asreml("cbind(y1, y2) ~ trait", random="~ us(trait):sire + and(other:dam)",
                   residual="~ units:us(trait)", data=d)
