"""The dense MME path (reml/dense_mme.py) and the dense Kronecker term (reml/dense_kron.py)
against an independent dense-V REML (tests/_dense_reml.py, numpy only):

* ℓ at the fitted θ̂ equals ℓ(θ̂) of V = Σ_ge,g'e' K_gg'Σ_ee' + σ²_p [g = g'] + σ²I built
  entry by entry from the data (no MME, no Kronecker ordering);
* the fit stops where the independent ℓ is stationary (central differences of the dense-V ℓ
  vanish at θ̂ against their size one step away): the dense traces of the score are right;
* the dense path gives the pattern path's ℓ and θ̂ to 1e-8 (the same model, same data).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import reml_loglik

import asr_py as asr
import asr_py.reml.ginverse as gi
import asr_py.reml.mme as mme_mod
from asr_py.reml import dense_mme
from asr_py.vcov.autoregressive import ARp


def _data(n_g: int = 40, n_env: int = 4, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"L{i:03d}" for i in range(n_g)]
    m = rng.standard_normal((n_g, 60))
    K = m @ m.T / 60 + 0.05 * np.eye(n_g)
    sig = 0.5 * np.ones((n_env, n_env)) + 0.5 * np.eye(n_env)
    sig *= np.outer(np.linspace(1, 2, n_env), np.linspace(1, 2, n_env))
    u = (np.linalg.cholesky(K) @ rng.standard_normal((n_g, n_env))
         @ np.linalg.cholesky(sig).T)
    pe = 0.8 * rng.standard_normal(n_g)  # ide(geno): the genotype's own effect
    rows = []
    for e in range(n_env):
        g = rng.choice(n_g, size=int(0.75 * n_g), replace=False)
        y = 10 + 2 * e + u[g, e] + pe[g] + rng.standard_normal(g.size)
        rows.append(pd.DataFrame({"env": f"E{e}", "geno": np.asarray(ids)[g], "y": y}))
    return pd.concat(rows, ignore_index=True), pd.DataFrame(K, index=ids, columns=ids)


def _dense_ll(d: pd.DataFrame, K: pd.DataFrame, theta: np.ndarray, n_env: int) -> float:
    """θ = [σ²_p (ide), ρ (corh), σ²_1..σ²_E, σ²_e] (the fit's order, checked by names)."""
    sp_, rho, v, se = theta[0], theta[1], theta[2:2 + n_env], theta[2 + n_env]
    sd = np.sqrt(v)
    sig = (rho * np.ones((n_env, n_env)) + (1 - rho) * np.eye(n_env)) * np.outer(sd, sd)
    gi_ = K.index.get_indexer(d["geno"])
    ei = d["env"].str[1:].astype(int).to_numpy()
    kk = K.to_numpy()[np.ix_(gi_, gi_)]
    V = kk * sig[np.ix_(ei, ei)] + sp_ * (gi_[:, None] == gi_[None, :]) + se * np.eye(len(d))
    X = np.zeros((len(d), n_env))
    X[np.arange(len(d)), ei] = 1.0
    return reml_loglik(d["y"].to_numpy(), X, V)


def _fit(d: pd.DataFrame, K: pd.DataFrame) -> asr.AsremlModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(fixed="y ~ env", random="~ vm(geno, K):corh(env) + ide(geno)",
                          data=d, K=K, maxit=60)


@pytest.mark.parametrize("kron", [False, True], ids=["pattern-term", "dense-kron-term"])
def test_dense_mme_matches_dense_v(kron: bool, monkeypatch) -> None:
    d, K = _data()
    monkeypatch.setattr(dense_mme, "DENSE_MME_MIN_EQUATIONS", 0)
    used = []
    if kron:  # the closed forms' index maps refused: the dense Kronecker term takes it
        monkeypatch.setattr(gi, "PRODUCT_MAX_ENTRIES", 100)
        from asr_py.reml import dense_kron

        orig = dense_kron.DenseKronInverse.__init__
        monkeypatch.setattr(dense_kron.DenseKronInverse, "__init__",
                            lambda self, t: used.append(1) or orig(self, t))
    spy = []
    orig_score = dense_mme.score
    monkeypatch.setattr(dense_mme, "score", lambda *a: spy.append(1) or orig_score(*a))
    m = _fit(d, K)
    assert spy and (used or not kron)
    assert m.converged and "B" not in m.result.constraints  # no bound: ∇ℓ = 0
    names = m.result.names
    assert names[0].startswith("ide(geno)") and "cor" in names[1] and names[-1].startswith("units")
    th = np.asarray(m.result.theta, dtype=float)
    n_env = 4
    assert m.loglik == pytest.approx(_dense_ll(d, K, th, n_env), rel=1e-10)
    h = 1e-4 * np.maximum(np.abs(th), 0.05)
    grad = np.array([(_dense_ll(d, K, th + hk * e, n_env) - _dense_ll(d, K, th - hk * e, n_env))
                     / (2 * hk) for hk, e in zip(h, np.eye(th.size))])
    away = np.array([(_dense_ll(d, K, th + 0.2 * th * e, n_env) - m.loglik) / (0.2 * th[k])
                     for k, e in enumerate(np.eye(th.size))])
    assert np.all(np.abs(grad) < 1e-3 * np.maximum(np.abs(away), 1e-3))


def test_dense_mme_equals_pattern_path(monkeypatch) -> None:
    """ℓ, score and AI of both paths at the same θ (the problem of a fit, captured)."""
    d, K = _data(n_g=30, n_env=3, seed=5)
    probs = []
    orig = mme_mod.MME.__init__
    monkeypatch.setattr(mme_mod.MME, "__init__",
                        lambda self, p, *a, **k: probs.append(p) or orig(self, p, *a, **k))
    fit = _fit(d, K)
    th = np.asarray(fit.result.theta) * 1.1  # away from the optimum: the score is not 0
    prob = probs[0]
    monkeypatch.setattr(dense_mme, "DENSE_MME_MIN_EQUATIONS", 1 << 40)
    old = mme_mod.MME(prob)
    so = old.evaluate(th)
    assert so.pattern is not None  # the pattern path
    s_old, ai_old = old.score_ai(so)
    monkeypatch.setattr(dense_mme, "DENSE_MME_MIN_EQUATIONS", 0)
    new = mme_mod.MME(prob)
    monkeypatch.setattr(gi, "PRODUCT_MAX_ENTRIES", 100)
    kron = mme_mod.MME(prob)
    assert any(type(t).__name__ == "DenseKronInverse" for t in kron.terms)
    for m in (new, kron):
        st = m.evaluate(th)
        assert st.pattern is None
        assert st.loglik == pytest.approx(so.loglik, rel=1e-12)
        s, ai = m.score_ai(st)
        np.testing.assert_allclose(s, s_old, rtol=1e-8, atol=1e-10 * np.abs(s_old).max())
        np.testing.assert_allclose(ai, ai_old, rtol=1e-8, atol=1e-10 * np.abs(ai_old).max())


def test_memory_refused_before_building(monkeypatch) -> None:
    """A dense C that cannot fit is refused with the estimate, before any N x N array."""
    d, K = _data(n_g=30, n_env=3, seed=5)
    monkeypatch.setattr(dense_mme, "DENSE_MME_MIN_EQUATIONS", 0)
    monkeypatch.setenv("ASR_PY_MEMORY_LIMIT", "100K")
    with pytest.raises(asr.ModelError, match="dense mixed model equations"):
        _fit(d, K)


def _fit_and_problem(monkeypatch, d: pd.DataFrame, residual: str, maxit: int):
    """Fit ``y ~ 1, random ~ geno`` with ``residual`` for ``maxit`` iterations; return the fit
    and the assembled problem the engine's MME was built from (captured from MME.__init__)."""
    probs = []
    orig = mme_mod.MME.__init__
    monkeypatch.setattr(mme_mod.MME, "__init__",
                        lambda self, p, *a, **k: probs.append(p) or orig(self, p, *a, **k))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = asr.asreml(fixed="y ~ 1", random="~ geno", residual=residual, data=d, maxit=maxit)
    monkeypatch.setattr(mme_mod.MME, "__init__", orig)
    return fit, probs[0]


def test_dense_residual_inverse_uses_dense_path(monkeypatch) -> None:
    """ar2 x ar2 plot errors (a dense R⁻¹: W'R⁻¹W and W'R⁻¹ṘR⁻¹W as arrays) from 200
    equations: the dense path's ℓ, score and AI equal the pattern path's at one θ."""
    rng = np.random.default_rng(11)
    nr, nc = 16, 14
    d = pd.DataFrame({"Row": np.repeat(np.arange(1, nr + 1), nc).astype(str),
                      "Col": np.tile(np.arange(1, nc + 1), nr).astype(str)})
    d["Row"] = pd.Categorical(d["Row"], categories=[str(i) for i in range(1, nr + 1)])
    d["Col"] = pd.Categorical(d["Col"], categories=[str(i) for i in range(1, nc + 1)])
    d["geno"] = [f"G{i:03d}" for i in rng.permutation(np.arange(nr * nc) % 210)]
    d["y"] = 5 + rng.standard_normal(len(d)) + 0.5 * np.repeat(rng.standard_normal(nr), nc)
    # ar2's C⁻¹ is banded in closed form (ARp._precision); the dense R⁻¹ this test is about
    # (ma, exp, gau ... correlations) comes from the dense inverse it falls back to
    monkeypatch.setattr(ARp, "_precision", lambda self, par: None)
    fit, prob = _fit_and_problem(monkeypatch, d, "~ ar2(Row):ar2(Col)", maxit=3)
    th = np.asarray(fit.result.theta, dtype=float)  # 3 iterations: the score is not 0
    monkeypatch.setattr(dense_mme, "DENSE_MME_MIN_EQUATIONS_DENSE_R", 1 << 40)
    old = mme_mod.MME(prob)
    so = old.evaluate(th)
    assert so.pattern is not None
    s_old, ai_old = old.score_ai(so)
    monkeypatch.setattr(dense_mme, "DENSE_MME_MIN_EQUATIONS_DENSE_R", 200)  # (default 1000)
    new = mme_mod.MME(prob)
    assert new.N >= 200
    st = new.evaluate(th)
    assert st.pattern is None
    assert st.loglik == pytest.approx(so.loglik, rel=1e-12)
    s, ai = new.score_ai(st)
    np.testing.assert_allclose(s, s_old, rtol=1e-8, atol=1e-10 * np.abs(s_old).max())
    np.testing.assert_allclose(ai, ai_old, rtol=1e-8, atol=1e-10 * np.abs(ai_old).max())


def _ar2_acf(phi1: float, phi2: float, n: int) -> np.ndarray:
    """AR(2) autocorrelations ρ_0..ρ_{n-1} in closed form: ρ_1 = φ_1/(1 − φ_2), then
    ρ_k = φ_1ρ_{k−1} + φ_2ρ_{k−2} (Box & Jenkins)."""
    r = np.ones(max(n, 2))
    r[1] = phi1 / (1 - phi2)
    for k in range(2, n):
        r[k] = phi1 * r[k - 1] + phi2 * r[k - 2]
    return r[:n]


def test_small_dense_residual_inverse_against_dense_v(monkeypatch) -> None:
    """s21mv: a dense R⁻¹ (ar2 x ar2 plot errors) takes the dense MME path at any size. At
    41 equations and a θ away from the optimum: ℓ equals the dense-V REML of V = σ²_g ZZ' +
    σ² ρ_c(|Δcol|) ρ_r(|Δrow|) built entry by entry from the plots' positions; the score
    equals central differences of that ℓ; ℓ, score and AI equal the pattern path's (1e-8)."""
    rng = np.random.default_rng(21)
    nr, nc = 8, 7
    row, col = np.repeat(np.arange(nr), nc), np.tile(np.arange(nc), nr)
    geno = rng.permutation(np.arange(nr * nc) % 40)
    d = pd.DataFrame({"Row": pd.Categorical([str(r + 1) for r in row],
                                            categories=[str(i + 1) for i in range(nr)]),
                      "Col": pd.Categorical([str(c + 1) for c in col],
                                            categories=[str(i + 1) for i in range(nc)]),
                      "geno": pd.Categorical([f"G{g:02d}" for g in geno])})
    d["y"] = 3 + rng.standard_normal(40)[geno] + rng.standard_normal(nr * nc) \
        + 0.8 * np.sin(row / 2.0) + 0.5 * np.cos(col / 2.0)
    monkeypatch.setattr(ARp, "_precision", lambda self, par: None)  # dense C⁻¹ (see above)
    fit, prob = _fit_and_problem(monkeypatch, d, "~ ar2(Col):ar2(Row)", maxit=2)
    names = list(fit.result.names)
    th = np.asarray(fit.result.theta, dtype=float)
    new = mme_mod.MME(prob)  # the default: the dense path
    st = new.evaluate(th)
    assert st.pattern is None and new.N == 41
    s, ai = new.score_ai(st)

    def at(key: str, t: np.ndarray) -> float:
        (k,) = [i for i, nm in enumerate(names) if nm.endswith(key)]
        return float(t[k])

    z = (d["geno"].cat.codes.to_numpy()[:, None] == np.arange(40)[None, :]).astype(float)

    def dense_ll(t: np.ndarray) -> float:
        rc = _ar2_acf(at("Col!phi1", t), at("Col!phi2", t), nc)
        rr = _ar2_acf(at("Row!phi1", t), at("Row!phi2", t), nr)
        big_r = rc[np.abs(col[:, None] - col[None, :])] * rr[np.abs(row[:, None] - row[None, :])]
        v = at("geno", t) * z @ z.T + at("!R", t) * big_r
        return reml_loglik(d["y"].to_numpy(), np.ones((nr * nc, 1)), v)

    assert st.loglik == pytest.approx(dense_ll(th), rel=1e-10, abs=1e-9)
    fd = np.zeros_like(th)
    for k in range(th.size):
        h = 1e-5 * max(abs(th[k]), 1e-2)
        e = np.zeros_like(th)
        e[k] = h
        fd[k] = (dense_ll(th + e) - dense_ll(th - e)) / (2 * h)
    np.testing.assert_allclose(s, fd, rtol=1e-5, atol=1e-6 * np.abs(fd).max())
    monkeypatch.setattr(dense_mme, "DENSE_MME_MIN_EQUATIONS_DENSE_R", 1 << 40)
    old = mme_mod.MME(prob)
    so = old.evaluate(th)
    assert so.pattern is not None
    s_old, ai_old = old.score_ai(so)
    assert st.loglik == pytest.approx(so.loglik, rel=1e-12)
    np.testing.assert_allclose(s, s_old, rtol=1e-8, atol=1e-10 * np.abs(s_old).max())
    np.testing.assert_allclose(ai, ai_old, rtol=1e-8, atol=1e-10 * np.abs(ai_old).max())


def test_block_keys_address_the_term_block() -> None:
    """s25speed: a term's G⁻¹ entries scattered into C and C^{uu} gathered by flat keys are
    the (row, col) indexing of the term's block, bit for bit; keys are kept per pattern
    arrays (another pattern of the same values gets its own)."""
    rng = np.random.default_rng(4)
    n, off, q = 37, 9, 20
    rows, cols = np.nonzero(rng.random((q, q)) < 0.4)
    perm = rng.permutation(rows.size)
    rows, cols = rows[perm], cols[perm]
    g = rng.normal(size=rows.size)
    asm = dense_mme.DenseAssembly(n)
    c0 = rng.normal(size=(n, n))
    ref = c0.copy()
    ref[off:off + q, off:off + q][rows, cols] += g
    got = c0.copy()
    keys = asm.block_keys(rows, cols, off)
    got.reshape(-1)[keys] += g
    np.testing.assert_array_equal(got, ref)
    np.testing.assert_array_equal(got.reshape(-1)[keys], ref[off:off + q, off:off + q][rows, cols])
    assert asm.block_keys(rows, cols, off) is keys
    other = asm.block_keys(rows.copy(), cols.copy(), off + 1)
    assert other is not keys and np.array_equal(other, keys + n + 1)
