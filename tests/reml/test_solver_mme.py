"""MME with the sparse backend: same ℓ, score and AI as dense; the Kronecker shortcut for
Ġ_kG⁻¹ (no K formed from a given K⁻¹) against the general path; score against finite
differences of ℓ."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from _reml_problems import bivariate, penicillin

import asr_py.reml.mme as mme_mod
from asr_py.reml import MixedProblem, RandomBlock
from asr_py.reml.mme import MME
from asr_py.vcov import IdentityV, Kronecker, Unstructured
from asr_py.vcov.known import KnownMatrix


def _animal_bivariate(seed: int = 4, n_an: int = 60) -> MixedProblem:
    """Bivariate model with us(trait) ⊗ K, K given as a sparse inverse (tridiagonal K⁻¹)."""
    rng = np.random.default_rng(seed)
    kinv = sp.diags([np.full(n_an - 1, -0.4), np.full(n_an, 1.5), np.full(n_an - 1, -0.4)],
                    [-1, 0, 1], format="csc")
    ids = [str(i) for i in range(n_an)]
    traits = ["y1", "y2"]
    recs = rng.integers(0, n_an, size=150)
    n_u = recs.size
    y = rng.normal(size=(n_u, 2)) + np.array([1.0, 2.0])
    n = 2 * n_u
    trait = np.tile([0, 1], n_u)
    x = np.zeros((n, 2))
    x[np.arange(n), trait] = 1.0
    z = sp.csc_matrix((np.ones(n), (np.arange(n), trait * n_an + np.repeat(recs, 2))),
                      shape=(n, 2 * n_an))
    g = Kronecker([Unstructured(traits, name="trait"),
                   KnownMatrix(kinv, inverse=True, levels=ids, name="K")])
    r = IdentityV([str(i) for i in range(n)], name="units")
    return MixedProblem(y=y.ravel(), X=x, random=[RandomBlock("us(trait):vm(id)", z, g)],
                        residual=r, theta0=[1.0, 0.3, 1.2, 0.9], constraints=["P", "U", "P", "P"],
                        names=["a1", "a21", "a2", "e"])


@pytest.mark.parametrize("make,theta", [
    (bivariate, [2.2, 0.8, 2.9, 3.9, 1.4, 5.1]),
    (_animal_bivariate, [0.8, 0.2, 1.1, 0.95]),
    (penicillin, [0.7, 3.7, 0.3]),
])
def test_sparse_backend_and_kronecker_shortcut(make, theta, monkeypatch) -> None:
    th = np.array(theta)
    prob = make()
    dense = MME(prob, solver="dense")
    sd = dense.evaluate(th)
    s_ref, ai_ref = dense.score_ai(sd)
    sparse = MME(make(), solver="sparse")
    ss = sparse.evaluate(th)
    assert ss.factor.name == "sparse"
    assert ss.loglik == pytest.approx(sd.loglik, rel=1e-12)
    s, ai = sparse.score_ai(ss)
    np.testing.assert_allclose(s, s_ref, rtol=1e-8, atol=1e-9 * np.abs(s_ref).max())
    np.testing.assert_allclose(ai, ai_ref, rtol=1e-9, atol=1e-10 * np.abs(ai_ref).max())
    # the general path (Ġ_k formed, K = (K⁻¹)⁻¹ computed) gives the same numbers
    monkeypatch.setattr(mme_mod, "_kron_deriv_ginv", lambda t, th: None)
    s_gen, ai_gen = dense.score_ai(sd)
    np.testing.assert_allclose(s, s_gen, rtol=1e-8, atol=1e-9 * np.abs(s_gen).max())
    np.testing.assert_allclose(ai, ai_gen, rtol=1e-9, atol=1e-10 * np.abs(ai_gen).max())
    # and the score is the gradient of ℓ (central differences)
    h = 1e-5
    fd = np.array([(dense.evaluate(th + h * e).loglik - dense.evaluate(th - h * e).loglik)
                   / (2 * h) for e in np.eye(th.size)])
    np.testing.assert_allclose(s, fd, rtol=1e-4, atol=1e-5)


def test_kron_shortcut_skips_templates_it_cannot_do() -> None:
    assert mme_mod._kron_deriv_ginv(IdentityV(["a", "b"]), np.array([1.0])) is None
