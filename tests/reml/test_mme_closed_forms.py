"""Each random term's closed forms (:class:`asr_py.reml.ginverse.ProductInverse`, the
default) against the general producer (``MME(fast=False)``: G⁻¹, Ġ_k and G⁻¹Ġ_kG⁻¹ formed
as matrices, traces by elementwise products) and against finite differences of ℓ.

Each problem hits one closed form of :class:`asr_py.reml.ginverse._ProductIndex`: us ⊗ id,
diag ⊗ K⁻¹ (a known part given as a sparse inverse), a product of three parts with a generic
(ar1) part and a scale, plain diag / idv templates, a Subset residual (records of missing
traits removed: the non-scaled R path) and the sparse (CHOLMOD) backend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _reml_problems import bivariate, dyestuff, penicillin, sleepstudy

import asr_py as asr
from asr_py.reml import MixedProblem, RandomBlock
from asr_py.reml.mme import MME
from asr_py.vcov import AR1, Diagonal, Identity, IdentityV, Kronecker, Unstructured
from asr_py.vcov.composite import Subset
from asr_py.vcov.known import KnownMatrix


def _ids(n: int) -> list[str]:
    return [str(i) for i in range(n)]


def _ainv(n_an: int, seed: int) -> sp.csc_matrix:
    """A⁻¹ of a random two-generation pedigree (asr.ainverse, Henderson's rules)."""
    rng = np.random.default_rng(seed)
    n0 = n_an // 3
    half = n0 // 2  # sires from the first half of the founders, dams from the second
    sire = [""] * n0 + [f"a{rng.integers(0, half)}" for _ in range(n_an - n0)]
    dam = [""] * n0 + [f"a{rng.integers(half, n0)}" for _ in range(n_an - n0)]
    ped = pd.DataFrame({"id": [f"a{i}" for i in range(n_an)], "sire": sire, "dam": dam})
    rel = asr.ainverse(ped)
    order = np.argsort([int(str(i)[1:]) for i in rel.ids])
    return sp.csc_matrix(rel.matrix)[order][:, order]


def diag_x_ainv(seed: int = 5, n_an: int = 45) -> MixedProblem:
    """Two traits, diag(trait) ⊗ A⁻¹ (known part given as a sparse inverse), scaled R."""
    rng = np.random.default_rng(seed)
    kinv = _ainv(n_an, seed)
    recs = rng.integers(0, n_an, size=120)
    n_u = recs.size
    y = rng.normal(size=(n_u, 2)) + np.array([1.0, 3.0])
    n = 2 * n_u
    trait = np.tile([0, 1], n_u)
    x = np.zeros((n, 2))
    x[np.arange(n), trait] = 1.0
    z = sp.csc_matrix((np.ones(n), (np.arange(n), trait * n_an + np.repeat(recs, 2))),
                      shape=(n, 2 * n_an))
    g = Kronecker([Diagonal(["y1", "y2"], name="trait"),
                   KnownMatrix(kinv, inverse=True, levels=_ids(n_an), name="A")])
    return MixedProblem(y=y.ravel(), X=x, random=[RandomBlock("diag(trait):vm(id)", z, g)],
                        residual=IdentityV(_ids(n), name="units"), theta0=[0.7, 1.3, 0.9],
                        constraints=["P"] * 3, names=["a1", "a2", "e"])


def three_parts(seed: int = 6) -> MixedProblem:
    """σ² · ar1(4) ⊗ us(2) ⊗ id(6) plus a plain diag(3) block and a plain idv block."""
    rng = np.random.default_rng(seed)
    n = 160
    q1 = 4 * 2 * 6
    z1 = sp.csc_matrix((np.ones(n), (np.arange(n), rng.integers(0, q1, n))), shape=(n, q1))
    z2 = sp.csc_matrix((np.ones(n), (np.arange(n), rng.integers(0, 3, n))), shape=(n, 3))
    z3 = sp.csc_matrix((np.ones(n), (np.arange(n), rng.integers(0, 7, n))), shape=(n, 7))
    g1 = Kronecker([AR1(_ids(4), name="t"), Unstructured(["a", "b"], name="s"),
                    Identity(_ids(6))], scale=True)
    x = np.column_stack([np.ones(n), rng.normal(size=n)])
    y = rng.normal(size=n) * 2 + x[:, 1]
    return MixedProblem(
        y=y, X=x,
        random=[RandomBlock("k3", z1, g1), RandomBlock("d", z2, Diagonal(_ids(3), name="d")),
                RandomBlock("v", z3, IdentityV(_ids(7), name="v"))],
        residual=IdentityV(_ids(n), name="units"),
        theta0=[1.1, 0.4, 1.0, 0.3, 1.5, 0.6, 0.8, 1.2, 0.5, 2.0],
        constraints=["P", "U", "P", "U", "P", "P", "P", "P", "P", "P"],
        names=["s2", "rho", "s11", "s21", "s22", "d1", "d2", "d3", "v", "e"])


def subset_residual(seed: int = 2) -> MixedProblem:
    """The bivariate family model with 25 % of trait-2 records missing: R is a Subset of
    id(units) ⊗ us(trait) (block mode, the non-scaled residual path)."""
    full = bivariate(seed=seed)
    rng = np.random.default_rng(seed)
    n = full.y.size
    keep = np.ones(n, dtype=bool)
    keep[1::2][rng.random(n // 2) < 0.25] = False
    idx = np.flatnonzero(keep)
    return MixedProblem(
        y=full.y[idx], X=np.asarray(full.X)[idx], random=[RandomBlock(
            full.random[0].name, sp.csc_matrix(full.random[0].Z)[idx], full.random[0].template)],
        residual=Subset(full.residual, idx), theta0=full.theta0, constraints=full.constraints,
        names=full.names)


CASES = [
    ("us x id", sleepstudy, [600.0, 10.0, 35.0, 650.0]),
    ("idv", dyestuff, [1800.0, 2500.0]),
    ("two idv", penicillin, [0.7, 3.7, 0.3]),
    ("us x id, us residual", bivariate, [2.2, 0.8, 2.9, 3.9, 1.4, 5.1]),
    ("diag x Ainv", diag_x_ainv, [0.6, 1.4, 1.1]),
    ("scale ar1 x us x id, diag, idv", three_parts,
     [1.3, 0.35, 1.1, 0.25, 1.4, 0.5, 0.9, 1.1, 0.6, 2.2]),
    ("subset residual", subset_residual, [2.2, 0.8, 2.9, 3.9, 1.4, 5.1]),
]


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


@pytest.mark.parametrize("solver", ["dense", "sparse"])
@pytest.mark.parametrize("name,make,theta", CASES, ids=[c[0] for c in CASES])
def test_fast_path_equals_general_path(name, make, theta, solver) -> None:
    th = np.array(theta, dtype=float)
    fast = MME(make(), solver=solver)
    gen = MME(make(), solver=solver, fast=False)
    assert fast.fast and not gen.fast
    sf, sg = fast.evaluate(th), gen.evaluate(th)
    assert sf.factor.name == solver
    assert sf.loglik == pytest.approx(sg.loglik, rel=1e-12)
    np.testing.assert_allclose(sf.sol, sg.sol, rtol=1e-9, atol=1e-10 * np.abs(sg.sol).max())
    s_f, ai_f = fast.score_ai(sf)
    s_g, ai_g = gen.score_ai(sg)
    assert _rel(s_f, s_g) < 1e-10
    assert _rel(ai_f, ai_g) < 1e-10
    em_f, em_g = fast.em_information(th), gen.em_information(th)
    assert _rel(em_f, em_g) < 1e-10


@pytest.mark.parametrize("name,make,theta", CASES[3:], ids=[c[0] for c in CASES[3:]])
def test_fast_score_is_the_gradient(name, make, theta) -> None:
    """Central differences of ℓ (an independent check of the closed forms)."""
    th = np.array(theta, dtype=float)
    m = MME(make())
    s, _ = m.score_ai(m.evaluate(th))
    h = 1e-5 * np.maximum(np.abs(th), 0.1)
    fd = np.array([(m.evaluate(th + hk * e).loglik - m.evaluate(th - hk * e).loglik) / (2 * hk)
                   for hk, e in zip(h, np.eye(th.size))])
    np.testing.assert_allclose(s, fd, rtol=1e-5, atol=1e-6 * np.abs(fd).max())


def test_em_information_closed_form_matches_dense_traces() -> None:
    """½ tr(G⁻¹Ġ_kG⁻¹Ġ_l) for σ² ar1 ⊗ us ⊗ id from dense matrices (G built by np.kron)."""
    prob = three_parts()
    th = np.array([1.3, 0.35, 1.1, 0.25, 1.4, 0.5, 0.9, 1.1, 0.6, 2.2])
    t = prob.random[0].template
    tk = th[:t.n_params]
    g = t.matrix(tk)
    g = g.toarray() if sp.issparse(g) else np.asarray(g)
    gi = np.linalg.inv(g)
    ders = [d.toarray() if sp.issparse(d) else np.asarray(d) for d in t.derivatives(tk)]
    ref = np.array([[0.5 * np.trace(gi @ a @ gi @ b) for b in ders] for a in ders])
    got = MME(prob).em_information(th)[:t.n_params, :t.n_params]
    assert _rel(got, ref) < 1e-10


def test_fast_fit_equals_general_fit() -> None:
    """Whole AI-REML fits through both paths reach the same estimates and ℓ."""
    import asr_py.reml.ai as ai_mod
    from asr_py.reml.ai import fit_reml

    prob = sleepstudy()
    r_fast = fit_reml(prob)
    orig = ai_mod.MME

    class General(orig):  # type: ignore[misc,valid-type]
        def __init__(self, *a, **k) -> None:
            super().__init__(*a, fast=False, **k)

    ai_mod.MME = General
    try:
        r_gen = fit_reml(sleepstudy())
    finally:
        ai_mod.MME = orig
    assert r_fast.loglik == pytest.approx(r_gen.loglik, rel=1e-11)
    np.testing.assert_allclose(r_fast.theta, r_gen.theta, rtol=1e-6)
