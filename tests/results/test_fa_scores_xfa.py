"""fa factor scores vs a dense solve of asreml's extended ("XFA") mixed model equations.

asreml fits ``fa(env, k):gen`` in the extended form of Thompson, Cullis, Smith & Gilmour
(2003): the effects are (u, f), u = (Λ ⊗ I)f + δ the genotype-by-environment totals (design Z)
and f the k factor scores per genotype (design 0), with

    Var(u, f) = [[Σ, Λ], [Λ', I]] ⊗ K,   inverse [[Ψ⁻¹, −Ψ⁻¹Λ], [−Λ'Ψ⁻¹, I + Λ'Ψ⁻¹Λ]] ⊗ K⁻¹

(sparse: Ψ diagonal). The MME C [β; u; f] = [X'y; Z'y; 0] / σ² with
C = [[X'X, X'Z, 0], [Z'X, Z'Z, 0], [0, 0, 0]] / σ² + blockdiag(0, Var(u, f)⁻¹) give û, f̂
and PEVs diag(C⁻¹) in one solve. asr_py computes f̂ and PEV(f) from û and C⁻¹_uu instead
(results/fa_scores.py), so the two agree only if that algebra is right; the u rows checked
here are the engine's own û (the MME of the fit), the f rows the scores of coef_random.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _dense_reml import indicator
from test_fa_scores import ENVS, GENS, NU, _fit, _met

import asr_py as asr

K_SEED = 21


def _relationship() -> np.ndarray:
    rng = np.random.default_rng(K_SEED)
    m = rng.standard_normal((len(GENS), 50))
    return m @ m.T / 50 + 0.2 * np.eye(len(GENS))


def _xfa_solve(fit: asr.AsremlFit, d: pd.DataFrame, K: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(û, PEV(u), f̂, PEV(f)) from the dense XFA MME at the fit's Λ, Ψ, σ² (u env-major,
    f factor-major: Comp1 of every genotype, then Comp2)."""
    s = fit.fa()
    lam = s.loadings.loc[ENVS].to_numpy()
    psi = s.specific.loc[ENVS].to_numpy()
    s2 = float(fit.varcomp.loc["units!R", "component"])
    k = lam.shape[1]
    Z = indicator(d["env"] + ":" + d["gen"], [f"{e}:{g}" for e in ENVS for g in GENS])
    X = np.column_stack([np.ones(len(d)), indicator(d["env"], ENVS)[:, 1:]])
    W = np.column_stack([X, Z, np.zeros((len(d), k * len(GENS)))])
    pi = np.diag(1.0 / psi)
    ginv = np.block([[pi, -pi @ lam], [-lam.T @ pi, np.eye(k) + lam.T @ pi @ lam]])
    p = X.shape[1]
    C = W.T @ W / s2
    C[p:, p:] += np.kron(ginv, np.linalg.inv(K))
    rhs = W.T @ d["y"].to_numpy() / s2
    sol = np.linalg.solve(C, rhs)
    pev = np.diag(np.linalg.inv(C))
    return sol[p:p + NU], pev[p:p + NU], sol[p + NU:], pev[p + NU:]


def _check(fit: asr.AsremlFit, d: pd.DataFrame, K: np.ndarray) -> None:
    assert fit.converged
    assert (fit.fa().specific > 1e-3).all()                  # Ψ⁻¹ exists: interior fit
    u, pev_u, f, pev_f = _xfa_solve(fit, d, K)
    tab = fit.coef_random
    assert len(tab) == NU + 2 * len(GENS)
    np.testing.assert_allclose(tab["solution"].iloc[:NU], u, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(tab["std.error"].iloc[:NU] ** 2, pev_u, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(tab["solution"].iloc[NU:], f, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(tab["std.error"].iloc[NU:] ** 2, pev_f, rtol=1e-6, atol=1e-10)


def test_xfa_mme_gives_the_totals_and_the_scores_of_coef_random() -> None:
    d = _met(seed=13)
    _check(_fit(d), d, np.eye(len(GENS)))


def test_xfa_mme_with_a_relationship_matrix_given_as_its_inverse() -> None:
    """``fa(env, 2):vm(gen, Kinv)`` with K⁻¹ given sparse (as ``ped()``/``giv()`` give it):
    the scores' prior term needs diag K, taken from K⁻¹ without forming K."""
    d = _met(seed=5)
    K = _relationship()
    kinv = sp.csr_matrix(np.where(np.abs(np.linalg.inv(K)) > 0, np.linalg.inv(K), 0.0))
    rel = asr.RelMatrix(kinv, ids=tuple(GENS), inverse=True)
    fit = _fit(d, "~ fa(env, 2):vm(gen, Kinv)", Kinv=rel)
    _check(fit, d, K)


def test_scores_of_a_large_sparse_inverse_keep_their_standard_errors(monkeypatch) -> None:
    """Above the size where a known matrix refuses to form K from a given K⁻¹ (DENSE_LIMIT,
    12 000 levels; lowered here), coef_random stopped with that refusal (a large pedigree
    or G-inverse): diag K now comes from a selected inverse of K⁻¹, same numbers."""
    import asr_py.vcov.known as known

    monkeypatch.setattr(known, "DENSE_LIMIT", 20)
    d = _met(seed=5)
    K = _relationship()
    rel = asr.RelMatrix(sp.csc_matrix(np.linalg.inv(K)), ids=tuple(GENS), inverse=True)
    _check(_fit(d, "~ fa(env, 2):vm(gen, Kinv)", Kinv=rel), d, K)


def test_scores_without_diag_k_have_nan_errors_and_a_warning(monkeypatch) -> None:
    """A dense K⁻¹ above that size: K is out of reach, so the scores (which need only û)
    are given with NaN standard errors and a warning, never an error for all of
    coef_random, nor a made-up number."""
    import asr_py.vcov.known as known

    monkeypatch.setattr(known, "DENSE_LIMIT", 20)
    d = _met(seed=5)
    K = _relationship()
    rel = asr.RelMatrix(np.linalg.inv(K), ids=tuple(GENS), inverse=True)
    fit = _fit(d, "~ fa(env, 2):vm(gen, Kinv)", Kinv=rel)
    with pytest.warns(asr.AsrWarning, match="standard errors are NaN"):
        tab = fit.coef_random
    u, pev_u, f, _ = _xfa_solve(fit, d, K)
    np.testing.assert_allclose(tab["solution"].iloc[NU:], f, rtol=1e-6, atol=1e-8)
    assert tab["std.error"].iloc[NU:].isna().all()
    np.testing.assert_allclose(tab["std.error"].iloc[:NU] ** 2, pev_u, rtol=1e-6, atol=1e-10)
