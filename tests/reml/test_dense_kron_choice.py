"""s29slow: a corh(env):vm(geno, K) term whose dense G⁻¹ makes C dense anyway takes the dense
Kronecker closed forms (reml/dense_kron.py, :func:`dense_kron_preferred`) instead of the
index maps (ginverse.ProductInverse), checked against an independent dense-V REML
(tests/_dense_reml.py: V built entry by entry from the data) and against the index-map path
on the same data; the choice follows C's density rule, not the data's order or units.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import reml_loglik

import asr_py as asr
import asr_py.reml.dense_kron as dk
import asr_py.reml.mme as mme_mod
from asr_py.reml import dense_mme
from asr_py.reml.dense_kron import DenseKronInverse, dense_kron_preferred
from asr_py.reml.ginverse import ProductInverse

N_ENV = 4


def _data(n_g: int = 36, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"L{i:03d}" for i in range(n_g)]
    m = rng.standard_normal((n_g, 50))
    K = m @ m.T / 50 + 0.05 * np.eye(n_g)
    sig = (0.6 * np.ones((N_ENV, N_ENV)) + 0.4 * np.eye(N_ENV)) * np.outer(
        np.linspace(1, 2, N_ENV), np.linspace(1, 2, N_ENV))
    u = np.linalg.cholesky(K) @ rng.standard_normal((n_g, N_ENV)) @ np.linalg.cholesky(sig).T
    rows = []
    for e in range(N_ENV):
        g = rng.choice(n_g, size=int(0.8 * n_g), replace=False)
        y = 5 + e + u[g, e] + rng.standard_normal(g.size)
        rows.append(pd.DataFrame({"env": f"E{e}", "geno": np.asarray(ids)[g], "y": y}))
    return pd.concat(rows, ignore_index=True), pd.DataFrame(K, index=ids, columns=ids)


def _dense_ll(d: pd.DataFrame, K: pd.DataFrame, theta: np.ndarray) -> float:
    """θ = [ρ (corh), σ²_1..σ²_E, σ²_e] (the fit's order, checked by names)."""
    rho, v, se = theta[0], theta[1:1 + N_ENV], theta[1 + N_ENV]
    sd = np.sqrt(v)
    sig = (rho * np.ones((N_ENV, N_ENV)) + (1 - rho) * np.eye(N_ENV)) * np.outer(sd, sd)
    gi_ = K.index.get_indexer(d["geno"])
    ei = d["env"].str[1:].astype(int).to_numpy()
    V = K.to_numpy()[np.ix_(gi_, gi_)] * sig[np.ix_(ei, ei)] + se * np.eye(len(d))
    X = np.zeros((len(d), N_ENV))
    X[np.arange(len(d)), ei] = 1.0
    return reml_loglik(d["y"].to_numpy(), X, V)


def _fit(d: pd.DataFrame, K: pd.DataFrame, forms: list) -> asr.AsremlModel:
    orig = mme_mod.MME.__init__

    def init(self, *a, **k):  # noqa: ANN001, ANN202 - a spy on the forms built
        orig(self, *a, **k)
        forms.append([type(t) for t in self.terms])

    mme_mod.MME.__init__ = init
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return asr.asreml(fixed="y ~ env", random="~ vm(geno, K):corh(env)", data=d, K=K,
                              maxit=60, solver="dense")
    finally:
        mme_mod.MME.__init__ = orig


@pytest.fixture
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule at this test's size: C of ~120 equations dense, the term's 144² entries
    enough."""
    monkeypatch.setattr(dense_mme, "DENSE_MME_MIN_EQUATIONS", 50)
    monkeypatch.setattr(dk, "DENSE_KRON_MIN_ENTRIES", 1000)


def test_dense_kron_chosen_and_matches_dense_v(small_thresholds: None) -> None:
    d, K = _data()
    forms: list = []
    m = _fit(d, K, forms)
    assert forms and all(f == [DenseKronInverse] for f in forms)
    assert m.converged
    names = m.result.names
    assert "cor" in names[0] and names[-1].startswith("units")
    th = np.asarray(m.result.theta, dtype=float)
    assert m.loglik == pytest.approx(_dense_ll(d, K, th), rel=1e-10)
    # stationary by central differences of the independent ℓ
    h = 1e-4 * np.maximum(np.abs(th), 0.05)
    grad = np.array([(_dense_ll(d, K, th + hk * e) - _dense_ll(d, K, th - hk * e)) / (2 * hk)
                     for hk, e in zip(h, np.eye(th.size))])
    assert np.max(np.abs(grad)) < 2e-3


def test_same_fit_as_index_maps(small_thresholds: None, monkeypatch: pytest.MonkeyPatch
                                ) -> None:
    """The index-map path (the rule switched off) gives the same ℓ, θ̂ and iterations."""
    d, K = _data(seed=12)
    dense_forms: list = []
    new = _fit(d, K, dense_forms)
    monkeypatch.setattr(dk, "DENSE_KRON_MIN_ENTRIES", 1 << 40)
    index_forms: list = []
    old = _fit(d, K, index_forms)
    assert dense_forms[0] == [DenseKronInverse] and index_forms[0] == [ProductInverse]
    assert new.result.n_iter == old.result.n_iter
    assert new.loglik == pytest.approx(old.loglik, rel=1e-12)
    np.testing.assert_allclose(new.result.theta, old.result.theta, rtol=1e-7)


def test_rows_and_units(small_thresholds: None) -> None:
    """Rows shuffled: the same ℓ; y x 1000: ℓ − (n − p) log 1000, variances x 10⁶."""
    d, K = _data(seed=13)
    base = _fit(d, K, [])
    perm = d.sample(frac=1.0, random_state=4).reset_index(drop=True)
    shuffled = _fit(perm, K, [])
    assert shuffled.loglik == pytest.approx(base.loglik, rel=1e-9)
    big = d.assign(y=d["y"] * 1000.0)
    scaled = _fit(big, K, [])
    n, p = len(d), N_ENV
    assert scaled.loglik == pytest.approx(base.loglik - (n - p) * np.log(1000.0), rel=1e-9)
    th, th2 = np.asarray(base.result.theta), np.asarray(scaled.result.theta)
    np.testing.assert_allclose(th2[1:], th[1:] * 1e6, rtol=1e-5)
    assert th2[0] == pytest.approx(th[0], rel=1e-5)


def test_not_preferred_when_c_would_stay_sparse(small_thresholds: None) -> None:
    """The rule: the term's G⁻¹ must fill DENSE_MME_MIN_FILL of C and C be large enough."""
    d, K = _data()
    forms: list = []
    _fit(d, K, forms)
    probs: list = []
    orig = mme_mod.MME.__init__
    mme_mod.MME.__init__ = lambda self, p, *a, **k: probs.append(p) or orig(self, p, *a, **k)
    try:
        _fit(d, K, [])
    finally:
        mme_mod.MME.__init__ = orig
    tmpl = probs[0].random[0].template
    q = tmpl.n
    assert dense_kron_preferred(tmpl, q + N_ENV)
    # the same term inside a C with many more (sparse) equations: C would not be dense
    assert not dense_kron_preferred(tmpl, int(q / np.sqrt(dense_mme.DENSE_MME_MIN_FILL)) + 10)
    assert not dense_kron_preferred(tmpl, dense_mme.DENSE_MME_MIN_EQUATIONS - 1)
