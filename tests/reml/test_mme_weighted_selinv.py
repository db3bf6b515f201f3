"""Issue 6, round 2: the weighted scaled residual R = σ² diag(1/w) with closed-form term inverses,
the batched supernodal selected inverse and the CHOLMOD factor that hands its own numeric
values to the selected inverse.

Every fast path is checked against the general path (``MME(fast=False,
exploit_scaled_identity=False)``: R⁻¹, Ṙ and R⁻¹ṘR⁻¹ formed as matrices) to 1e-10 relative
in ℓ, score and AI, and ℓ against a dense numpy V.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from _reml_problems import bivariate, dense_loglik, sleepstudy
from test_mme_closed_forms import _ainv, _ids, diag_x_ainv

import asr_py.reml.selinv as selinv
from asr_py.reml import MixedProblem, RandomBlock
from asr_py.reml.backends.cholmod import CholmodFactor
from asr_py.reml.mme import MME, _scaled_diagonal
from asr_py.reml.selinv import SelInvPlan
from asr_py.vcov import Diagonal, IdentityV, Kronecker, Unstructured
from asr_py.vcov.known import KnownMatrix
from asr_py.vcov.weighted import Weighted


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def _weights(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.2, 5.0, n)


def _weighted(make, seed: int = 7) -> MixedProblem:
    """``make()`` with its σ²I residual replaced by Weighted(σ²I, w)."""
    p = make()
    n = p.y.size
    return MixedProblem(y=p.y, X=p.X, random=p.random,
                        residual=Weighted(IdentityV(_ids(n), name="units"), _weights(n, seed)),
                        theta0=p.theta0, constraints=p.constraints, names=p.names)


def sleep_w() -> MixedProblem:
    return _weighted(sleepstudy)


def ainv_w() -> MixedProblem:
    return _weighted(diag_x_ainv)


def two_stage(seed: int = 9, n: int = 600, levels: int = 60) -> MixedProblem:
    """Second stage of a two-stage analysis: entry means with weights 1/se², genotypes with a
    known relationship (sparse A⁻¹) and a site effect; R = σ² diag(1/w)."""
    rng = np.random.default_rng(seed)
    kinv = _ainv(levels, seed)
    g = rng.integers(0, levels, n)
    site = rng.integers(0, 5, n)
    x = np.zeros((n, 5))
    x[np.arange(n), site] = 1.0
    w = _weights(n, seed)
    y = 3.0 + site + rng.normal(size=n) / np.sqrt(w)
    z = sp.csc_matrix((np.ones(n), (np.arange(n), g)), shape=(n, levels))
    gt = Kronecker([KnownMatrix(kinv, inverse=True, levels=_ids(levels), name="A")],
                   scale=True)
    return MixedProblem(y=y, X=x, random=[RandomBlock("vm(g, A)", z, gt)],
                        residual=Weighted(IdentityV(_ids(n), name="units"), w),
                        theta0=[0.8, 1.2], constraints=["P", "P"], names=["g", "e"])


def us_w_units_us() -> MixedProblem:
    """Bivariate with a us(trait) residual inside Weighted (general residual path)."""
    p = bivariate(seed=4)
    n = p.y.size
    return MixedProblem(y=p.y, X=p.X, random=p.random,
                        residual=Weighted(p.residual, _weights(n, 11)),
                        theta0=p.theta0, constraints=p.constraints, names=p.names)


CASES = [
    ("weighted us x id", sleep_w, [600.0, 10.0, 35.0, 650.0]),
    ("weighted diag x Ainv", ainv_w, [0.6, 1.4, 1.1]),
    ("weighted two-stage", two_stage, [0.7, 1.3]),
    ("weighted us residual", us_w_units_us, [2.2, 0.8, 2.9, 3.9, 1.4, 5.1]),
]


def test_scaled_diagonal_detection() -> None:
    p = sleep_w()
    w = _scaled_diagonal(p)
    assert w is not None
    np.testing.assert_allclose(w, p.residual.weights, rtol=1e-14)
    assert np.all(_scaled_diagonal(sleepstudy()) == 1.0)
    assert _scaled_diagonal(us_w_units_us()) is None  # 3 parameters
    n = 12
    d = MixedProblem(y=np.arange(n, dtype=float), X=np.ones((n, 1)), random=[],
                     residual=Diagonal(_ids(n), name="u"), theta0=np.ones(n),
                     constraints=["P"] * n, names=_ids(n))
    assert _scaled_diagonal(d) is None


@pytest.mark.parametrize("solver", ["dense", "sparse"])
@pytest.mark.parametrize("name,make,theta", CASES, ids=[c[0] for c in CASES])
def test_weighted_fast_equals_general(name, make, theta, solver) -> None:
    th = np.array(theta, dtype=float)
    fast = MME(make(), solver=solver)
    gen = MME(make(), solver=solver, fast=False, exploit_scaled_identity=False)
    assert fast.fast and not gen.fast and not gen.scaled
    assert fast.scaled == (name != "weighted us residual")
    sf, sg = fast.evaluate(th), gen.evaluate(th)
    assert sf.factor.name == solver
    assert sf.loglik == pytest.approx(sg.loglik, rel=1e-12)
    assert sf.loglik == pytest.approx(dense_loglik(make(), th), rel=1e-10)
    s_f, ai_f = fast.score_ai(sf)
    s_g, ai_g = gen.score_ai(sg)
    assert _rel(s_f, s_g) < 1e-10
    assert _rel(ai_f, ai_g) < 1e-10
    # the general path with the weighted scaled residual shortcut (fast=False) as well
    mid = MME(make(), solver=solver, fast=False)
    sm = mid.evaluate(th)
    s_m, ai_m = mid.score_ai(sm)
    assert sm.loglik == pytest.approx(sg.loglik, rel=1e-12)
    assert _rel(s_m, s_g) < 1e-10
    assert _rel(ai_m, ai_g) < 1e-10


@pytest.mark.parametrize("name,make,theta", CASES[:3], ids=[c[0] for c in CASES[:3]])
def test_weighted_score_is_the_gradient(name, make, theta) -> None:
    th = np.array(theta, dtype=float)
    m = MME(make())
    s, _ = m.score_ai(m.evaluate(th))
    h = 1e-5 * np.maximum(np.abs(th), 0.1)
    fd = np.array([(m.evaluate(th + hk * e).loglik - m.evaluate(th - hk * e).loglik) / (2 * hk)
                   for hk, e in zip(h, np.eye(th.size))])
    np.testing.assert_allclose(s, fd, rtol=1e-5, atol=1e-6 * np.abs(fd).max())


def test_weighted_fit_equals_general_fit() -> None:
    import asr_py.reml.ai as ai_mod
    from asr_py.reml.ai import fit_reml

    r_fast = fit_reml(two_stage())
    orig = ai_mod.MME

    class General(orig):  # type: ignore[misc,valid-type]
        def __init__(self, *a, **k) -> None:
            super().__init__(*a, fast=False, exploit_scaled_identity=False, **k)

    ai_mod.MME = General
    try:
        r_gen = fit_reml(two_stage())
    finally:
        ai_mod.MME = orig
    assert r_fast.converged and r_gen.converged
    assert r_fast.loglik == pytest.approx(r_gen.loglik, rel=1e-11)
    np.testing.assert_allclose(r_fast.theta, r_gen.theta, rtol=1e-6)
    np.testing.assert_allclose(r_fast.pev[0], r_gen.pev[0], rtol=1e-6)


# ---- selected inverse ---------------------------------------------------------------------
def _block_spd(levels: int, t: int, seed: int) -> sp.csc_matrix:
    """C = A⁻¹ ⊗ Σ⁻¹ + I with a pedigree A⁻¹: many supernodes of equal shape (t columns)."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(t, t))
    s = a @ a.T + t * np.eye(t)
    c = sp.kron(_ainv(levels, seed), np.linalg.inv(s)) + sp.identity(levels * t)
    return sp.csc_matrix(c)


@pytest.mark.parametrize("levels,t,seed", [(90, 1, 1), (150, 2, 2), (60, 3, 3)])
def test_batched_selected_inverse_matches_dense_and_unbatched(levels, t, seed,
                                                              monkeypatch) -> None:
    c = _block_spd(levels, t, seed)
    inv = np.linalg.inv(c.toarray())
    f = CholmodFactor(c)
    sel = f.inverse_on(c)
    r, k = c.nonzero()
    assert _rel(np.asarray(sel[r, k]).ravel(), inv[r, k]) < 1e-10
    plan = f._an.plan
    assert any(g[0] and g[3].size > 1 for g in plan.groups)  # batches were formed
    z = f._z
    monkeypatch.setattr(selinv, "BATCH_MAX_S", 0)
    low = sp.csc_matrix((np.ones(plan.nnz), f._an.l_indices, f._an.l_indptr))
    plan0 = SelInvPlan(low.indptr, low.indices)
    assert not any(g[0] for g in plan0.groups)
    lm = np.linalg.cholesky(c.toarray()[np.ix_(f._an.perm, f._an.perm)])
    lvals = lm[f._an.l_indices, np.repeat(np.arange(plan.n), np.diff(f._an.l_indptr))]
    z0 = plan0.run(lvals)
    assert _rel(z, z0) < 1e-10


def test_depths_respect_the_tree() -> None:
    c = _block_spd(120, 2, 5)
    f = CholmodFactor(c)
    f.inverse_on(sp.identity(c.shape[0], format="csc"))
    plan = f._an.plan
    for j in range(plan.nsn):  # every row below a supernode belongs to a shallower one
        rows = plan.rowlists[j][plan.s[j]:]
        assert np.all(plan.depth[plan.sn_of[rows]] < plan.depth[j])


def test_wide_supernode_path_matches_dense(monkeypatch) -> None:
    """Supernodes wider than BATCH_MAX_S and POTRI_MIN_S go through dpotri + trsm."""
    monkeypatch.setattr(selinv, "BATCH_MAX_S", 1)
    monkeypatch.setattr(selinv, "POTRI_MIN_S", 10)
    rng = np.random.default_rng(4)
    a = rng.normal(size=(80, 80))
    c = sp.csc_matrix(a @ a.T + 80 * np.eye(80))
    sel = CholmodFactor(c).inverse_on(c)
    inv = np.linalg.inv(c.toarray())
    assert _rel(sel.toarray(), inv) < 1e-10


def test_solves_after_the_selected_inverse_refactor() -> None:
    """The selected inverse consumes CHOLMOD's numeric object: later solves (and other
    factors sharing the analysis) must still be right."""
    c = _block_spd(100, 2, 6)
    f1 = CholmodFactor(c)
    f2 = f1.refactor(c * 2.0)
    inv = np.linalg.inv(c.toarray())
    b = np.random.default_rng(1).normal(size=(c.shape[0], 3))
    d1 = f1.inverse_on(sp.identity(c.shape[0], format="csc")).diagonal()
    np.testing.assert_allclose(d1, np.diag(inv), rtol=1e-10)
    np.testing.assert_allclose(f1.solve(b), inv @ b, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(f2.solve(b), inv @ b / 2.0, rtol=1e-8, atol=1e-12)
    d2 = f2.inverse_on(sp.identity(c.shape[0], format="csc")).diagonal()
    np.testing.assert_allclose(d2, np.diag(inv) / 2.0, rtol=1e-10)
    np.testing.assert_allclose(f1.solve(b), inv @ b, rtol=1e-8, atol=1e-12)
    assert f1.logdet() == pytest.approx(np.linalg.slogdet(c.toarray())[1], rel=1e-12)


def test_us_x_ainv_sparse_fast_equals_general() -> None:
    """us(trait) ⊗ A⁻¹ with σ²I residual on CHOLMOD (batched 2-column supernodes)."""
    rng = np.random.default_rng(8)
    levels = 150
    kinv = _ainv(levels, 8)
    n_u = levels
    n = 2 * n_u
    trait = np.tile([0, 1], n_u)
    x = np.zeros((n, 2))
    x[np.arange(n), trait] = 1.0
    z = sp.csc_matrix((np.ones(n), (np.arange(n), np.repeat(np.arange(n_u), 2) * 2 + trait)),
                      shape=(n, 2 * levels))
    g = Kronecker([KnownMatrix(kinv, inverse=True, levels=_ids(levels), name="A"),
                   Unstructured(["y1", "y2"], name="trait")])
    prob = MixedProblem(y=rng.normal(size=n) + trait, X=x,
                        random=[RandomBlock("vm(id):us(trait)", z, g)],
                        residual=IdentityV(_ids(n), name="units"),
                        theta0=[1.0, 0.3, 1.5, 1.0], constraints=["P", "U", "P", "P"],
                        names=["a11", "a21", "a22", "e"])
    th = np.array([0.9, 0.25, 1.4, 1.1])
    fast, gen = MME(prob, solver="sparse"), MME(prob, solver="sparse", fast=False)
    sf, sg = fast.evaluate(th), gen.evaluate(th)
    assert sf.loglik == pytest.approx(sg.loglik, rel=1e-12)
    s_f, ai_f = fast.score_ai(sf)
    s_g, ai_g = gen.score_ai(sg)
    assert _rel(s_f, s_g) < 1e-10
    assert _rel(ai_f, ai_g) < 1e-10
