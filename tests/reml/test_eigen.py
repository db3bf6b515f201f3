"""The GRM eigendecomposition fast path against the general AI-REML path and numpy.

Data are simulated GBLUP data (markers -> asr_py.genetics.gmatrix with a ridge, rows of the
data frame shuffled so that Z is a non-trivial permutation), compiled with
asr_py.model.spec.compile_model. Independent references: fit_reml with the dense backend on
the original problem (general path) and numpy's dense inverse / slogdet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.genetics import ginverse, gmatrix
from asr_py.model.spec import compile_model
from asr_py.reml import MME, fit_reml, loglik_at, score_ai_at
from asr_py.reml.eigen import (
    BlockBorderFactor,
    RotatedFactor,
    eigen_reason,
    fit_reml_eigen,
    known_eigen,
    rotate_problem,
)
from asr_py.reml.solver import NotPositiveDefinite, factorize


def _simulate(n: int, m: int, seed: int, ridge: float | None = 0.05
              ) -> tuple[pd.DataFrame, object]:
    rng = np.random.default_rng(seed)
    freq = rng.uniform(0.1, 0.9, m)
    markers = rng.binomial(2, freq, size=(n, m)).astype(float)
    ids = [f"L{i:03d}" for i in range(n)]
    G = gmatrix(markers, ids=ids, ridge=ridge)
    chol = np.linalg.cholesky(gmatrix(markers, ids=ids, ridge=0.05).matrix)
    g1 = chol @ rng.normal(size=n)
    g2 = 0.6 * g1 + 0.8 * chol @ rng.normal(size=n)
    x = rng.normal(size=n)
    env = rng.choice(["a", "b", "c"], n)
    y1 = 10 + 0.8 * x + (env == "b") * 1.5 + g1 + rng.normal(size=n)
    y2 = 3 - 0.4 * x + (env == "c") * 0.7 + g2 + 1.3 * rng.normal(size=n)
    df = pd.DataFrame({"id": ids, "x": x, "env": env, "y1": y1, "y2": y2})
    order = rng.permutation(n)  # data rows in another order than K's ids
    return df.iloc[order].reset_index(drop=True), G


DF, G = _simulate(90, 250, 11)

UNI = dict(fixed="y1 ~ x + env", random="~ vm(id, G)")
BI_A = dict(fixed="cbind(y1, y2) ~ trait + trait:x + trait:env",
            random="~ us(trait):vm(id, G)", residual="~ units:us(trait)")
BI_K = dict(fixed="cbind(y1, y2) ~ trait + trait:x", random="~ vm(id, G):us(trait)")


def _problem(spec: dict, df: pd.DataFrame = DF, g: object = G):
    return compile_model(data=df, G=g, **spec).problem()


_FITS: dict[str, tuple] = {}


def _fits(key: str, spec: dict) -> tuple:
    """(problem, general fit, eigen fit), computed once per model."""
    if key not in _FITS:
        prob = _problem(spec)
        gen = fit_reml(prob, solver="dense")
        why: list[str] = []
        eig = fit_reml_eigen(prob, why=why)
        assert eig is not None, why
        _FITS[key] = (prob, gen, eig)
    return _FITS[key]


# ---------------------------------------------------------------------------------------------
# the bordered block-diagonal factor against numpy
# ---------------------------------------------------------------------------------------------


def _bordered(m: int, t: int, p: int, seed: int) -> np.ndarray:
    """A random SPD [[A, B'], [B, D]] with D block diagonal (blocks t x t)."""
    rng = np.random.default_rng(seed)
    blocks = []
    for _ in range(m):
        a = rng.normal(size=(t, t))
        blocks.append(a @ a.T + t * np.eye(t))
    q = m * t
    d = np.zeros((q, q))
    for i, bk in enumerate(blocks):
        d[i * t:(i + 1) * t, i * t:(i + 1) * t] = bk
    b = rng.normal(size=(q, p)) * 0.3
    a = b.T @ np.linalg.solve(d, b) + np.eye(p) * 2 + (lambda r: r @ r.T)(rng.normal(size=(p, p)))
    return np.block([[a, b.T], [b, d]])


@pytest.mark.parametrize(("m", "t", "p"), [(40, 1, 3), (25, 3, 4), (30, 2, 0), (1, 2, 2)])
def test_block_border_factor_matches_numpy(m: int, t: int, p: int) -> None:
    c = _bordered(m, t, p, seed=m + t + p)
    inv = np.linalg.inv(c)
    n = c.shape[0]
    rhs = np.random.default_rng(5).normal(size=(n, 3))
    for cin in (c, sp.csc_matrix(c)):
        f = BlockBorderFactor(cin, p, t)
        np.testing.assert_allclose(f.solve(rhs), inv @ rhs, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(f.solve(rhs[:, 0]), inv @ rhs[:, 0], rtol=1e-9, atol=1e-11)
        assert f.logdet() == pytest.approx(np.linalg.slogdet(c)[1], rel=1e-11, abs=1e-10)
        sel = f.inverse_on(np.ones((n, n))).toarray()  # every entry
        np.testing.assert_allclose(sel, inv, rtol=1e-9, atol=1e-11)
        pat = sp.csc_matrix(c != 0)
        sel = f.inverse_on(pat).toarray()
        np.testing.assert_allclose(sel[c != 0], inv[c != 0], rtol=1e-9, atol=1e-11)
        assert np.all(sel[c == 0] == 0)
        rows = np.array([n - 1, 0, n // 2]) if n > 2 else np.arange(n)
        np.testing.assert_allclose(f.inverse_block(rows), inv[np.ix_(rows, rows)],
                                   rtol=1e-9, atol=1e-11)
    g = f.refactor(2.0 * c)
    assert g.logdet() == pytest.approx(f.logdet() + n * np.log(2.0), rel=1e-11)


def test_block_border_factor_rejects_bad_matrices() -> None:
    c = _bordered(10, 2, 2, seed=1)
    bad = c.copy()
    bad[2, 5] = bad[5, 2] = 0.5  # couples two different blocks
    with pytest.raises(ValueError, match="outside"):
        BlockBorderFactor(bad, 2, 2)
    neg = c.copy()
    neg[4:6, 4:6] = [[1.0, 2.0], [2.0, 1.0]]  # an indefinite block
    with pytest.raises(NotPositiveDefinite):
        BlockBorderFactor(neg, 2, 2)
    with pytest.raises(ValueError, match="border"):
        BlockBorderFactor(c, 3, 2)  # 19 rows do not split into blocks of 2


def test_eigen_backend_needs_the_rotated_problem() -> None:
    c = _bordered(5, 1, 1, seed=2)
    with pytest.raises(ModelError, match="rotated"):
        factorize(sp.csc_matrix(c), "eigen")


# ---------------------------------------------------------------------------------------------
# invariance of the likelihood under the rotation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [UNI, BI_A, BI_K], ids=["uni", "bi_us_K", "bi_K_us"])
def test_loglik_score_ai_invariant_under_rotation(spec: dict) -> None:
    prob = _problem(spec)
    rp, rot = rotate_problem(prob)
    th = prob.theta0 * np.linspace(0.7, 1.3, prob.n_theta)
    # the rotated problem, factored by the general dense backend
    assert loglik_at(rp, th, solver="dense") == pytest.approx(loglik_at(prob, th), abs=1e-8)
    l1, s1, a1 = score_ai_at(prob, th)
    l2, s2, a2 = score_ai_at(rp, th, solver="dense")
    np.testing.assert_allclose(s2, s1, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(a2, a1, rtol=1e-7, atol=1e-9)
    # rotated X keeps X'X (orthogonal rotation)
    x = prob.X.toarray() if sp.issparse(prob.X) else np.asarray(prob.X)
    np.testing.assert_allclose(rp.X.T @ rp.X, x.T @ x, rtol=1e-10, atol=1e-9)
    assert rot.t == (2 if spec is not UNI else 1)


# ---------------------------------------------------------------------------------------------
# the fit: same as the general path
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "spec"), [("uni", UNI), ("bi_us_K", BI_A), ("bi_K_us", BI_K)])
def test_fit_matches_general_path(key: str, spec: dict) -> None:
    prob, gen, eig = _fits(key, spec)
    assert gen.converged and eig.converged
    assert eig.solver == "eigen"
    np.testing.assert_allclose(eig.theta, gen.theta, rtol=1e-6)
    assert eig.loglik == pytest.approx(gen.loglik, abs=1e-6)
    np.testing.assert_allclose(eig.beta, gen.beta, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(eig.vcov_beta, gen.vcov_beta, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(eig.u[0], gen.u[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(eig.pev[0], gen.pev[0], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(eig.fitted, gen.fitted, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(eig.residuals, gen.residuals, rtol=1e-6, atol=1e-7)
    free = np.isfinite(gen.ai)
    np.testing.assert_allclose(eig.ai[free], gen.ai[free], rtol=1e-5)
    np.testing.assert_allclose(eig.score, gen.score, atol=1e-4)
    assert eig.n_minus_p == gen.n_minus_p
    # the BLUPs solve the original mixed model equations: û = G Z'V⁻¹(y − Xβ̂) is checked
    # through C ŝ = r at the final θ (dense, original coordinates)
    mme = MME(prob, solver="dense")
    c, r, *_ = mme.assemble(eig.theta)
    np.testing.assert_allclose(c @ eig.solution, r, rtol=1e-7, atol=1e-7 * np.abs(r).max())


@pytest.mark.parametrize(("key", "spec"), [("uni", UNI), ("bi_us_K", BI_A)])
def test_result_factor_is_c_in_original_coordinates(key: str, spec: dict) -> None:
    prob, _, eig = _fits(key, spec)
    fac = eig.factor
    assert isinstance(fac, RotatedFactor)
    st = MME(prob, solver="dense").evaluate(eig.theta)
    inv = st.factor.inverse()
    n = inv.shape[0]
    rhs = np.random.default_rng(3).normal(size=(n, 2))
    np.testing.assert_allclose(eig.solve_c(rhs), inv @ rhs, rtol=1e-7, atol=1e-9)
    assert fac.logdet() == pytest.approx(st.factor.logdet(), rel=1e-10)
    c, *_ = MME(prob, solver="dense").assemble(eig.theta)
    sel = fac.inverse_on(c).toarray()  # border + the u pattern of C (dense K: all of it)
    mask = c.toarray() != 0
    np.testing.assert_allclose(sel[mask], inv[mask], rtol=1e-7, atol=1e-10)
    rows = np.array([0, 1, n - 1, n // 2, 5])
    np.testing.assert_allclose(fac.inverse_block(rows), inv[np.ix_(rows, rows)],
                               rtol=1e-7, atol=1e-10)
    L = np.random.default_rng(4).normal(size=(3, n))
    np.testing.assert_allclose(eig.cinv_quad(L), L @ inv @ L.T, rtol=1e-7)
    g = fac.refactor(c)
    assert g.logdet() == pytest.approx(fac.logdet(), rel=1e-10)
    np.testing.assert_allclose(g.solve(rhs), inv @ rhs, rtol=1e-6, atol=1e-8)


def test_known_matrix_given_as_inverse() -> None:
    """vm(id, G⁻¹) with a G-inverse: K⁻¹ is decomposed, d = 1/λ."""
    gi = ginverse(G)
    prob = _problem(UNI, g=gi)
    gen = fit_reml(prob, solver="dense")
    eig = fit_reml_eigen(prob)
    assert eig is not None
    np.testing.assert_allclose(eig.theta, gen.theta, rtol=1e-6)
    assert eig.loglik == pytest.approx(gen.loglik, abs=1e-6)
    np.testing.assert_allclose(eig.u[0], gen.u[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(eig.pev[0], gen.pev[0], rtol=1e-6, atol=1e-9)


def test_eig_argument_cache_and_no_mutation() -> None:
    prob = _problem(UNI)
    y0 = prob.y.copy()
    x0 = np.array(prob.X, copy=True)
    z0 = prob.random[0].Z.copy()
    th0 = prob.theta0.copy()
    km = prob.random[0].template.parts[0]
    d, u = known_eigen(km)
    assert known_eigen(km)[0] is d  # cached on the template
    np.testing.assert_allclose((u * d) @ u.T, km.matrix(), atol=1e-10)
    a = fit_reml_eigen(prob, eig=(d, u))
    b = fit_reml_eigen(prob)
    assert a is not None and b is not None
    assert a.loglik == pytest.approx(b.loglik, abs=1e-10)
    np.testing.assert_array_equal(prob.y, y0)
    np.testing.assert_array_equal(prob.X, x0)
    assert (prob.random[0].Z != z0).nnz == 0
    np.testing.assert_array_equal(prob.theta0, th0)
    with pytest.raises(TypeError, match="solver"):
        fit_reml_eigen(prob, solver="dense")
    with pytest.raises(ModelError, match="eig="):
        rotate_problem(prob, eig=(d[:-1], u))


# ---------------------------------------------------------------------------------------------
# not applicable: None and a reason
# ---------------------------------------------------------------------------------------------


def _none_with_reason(prob, pattern: str) -> None:
    why: list[str] = []
    assert fit_reml_eigen(prob, why=why) is None
    assert len(why) == 1 and pattern in why[0], why
    structural = eigen_reason(prob)
    assert structural is None or pattern in structural


def test_not_applicable_two_random_terms() -> None:
    prob = _problem(dict(fixed="y1 ~ x", random="~ vm(id, G) + env"))
    _none_with_reason(prob, "exactly one random term")
    assert "exactly one random term" in eigen_reason(prob)


def test_not_applicable_replicated_records() -> None:
    df2 = pd.concat([DF, DF.iloc[:10]], ignore_index=True)  # 10 lines measured twice
    prob = _problem(UNI, df=df2)
    _none_with_reason(prob, "one record per level")  # 100 records, 90 levels
    df3 = DF.iloc[:80]  # 10 lines without records: K has more levels than records
    _none_with_reason(_problem(UNI, df=df3), "one record per level")


def test_not_applicable_missing_trait_record() -> None:
    df2 = DF.copy()
    df2.loc[3, "y2"] = np.nan
    prob = _problem(BI_A, df=df2)
    _none_with_reason(prob, "residual is not")


def test_singular_k_is_fitted_in_the_reduced_rotation() -> None:
    """A G of rank 40 < 60 (40 markers): the rotation keeps the 40 components with d_j > 0
    and agrees with the general path's K = L L' form (both checked against an independent
    dense REML in tests/api/test_psd_known.py)."""
    from asr_py.reml.psd import reduce_rank

    df, g = _simulate(60, 40, 3, ridge=None)  # 40 markers, 60 lines: G has rank 40
    prob = _problem(UNI, df=df, g=g)
    assert eigen_reason(prob) is None
    with pytest.warns(UserWarning, match="rank 40 of 60"):
        eig = fit_reml_eigen(prob)
        reduced, back = reduce_rank(prob)
    assert eig is not None and any("rank 40" in d for d in eig.diagnostics)
    gen = back.result(fit_reml(reduced, solver="dense"))
    assert eig.loglik == pytest.approx(gen.loglik, abs=1e-6)
    np.testing.assert_allclose(eig.theta, gen.theta, rtol=1e-5)
    np.testing.assert_allclose(eig.u[0], gen.u[0], atol=1e-6 * np.abs(gen.u[0]).max())
    np.testing.assert_allclose(eig.pev[0], gen.pev[0], rtol=1e-5)


def test_applicable_forms_reported() -> None:
    for spec in (UNI, BI_A, BI_K):
        assert eigen_reason(_problem(spec)) is None


def test_boundary_value_same_as_general_path() -> None:
    """No genetic signal and a large mean: σ²_g goes to its boundary. fit_reml holds it at
    1e-9 x var(response); the rotated response keeps var(y) (shift along X), so both paths
    take the same steps and end at the same point."""
    rng = np.random.default_rng(13)
    df = DF.copy()
    df["y1"] = 5000.0 + 30.0 * rng.normal(size=len(df))
    prob = _problem(dict(fixed="y1 ~ 1", random="~ vm(id, G)"), df=df)
    rp, rot = rotate_problem(prob)
    assert np.var(rp.y) == pytest.approx(np.var(prob.y), rel=1e-9)
    assert abs(rp.y.mean()) != pytest.approx(abs(prob.y.mean()), rel=1e-3)  # shifted
    gen = fit_reml(prob, solver="dense", maxit=12)
    eig = fit_reml_eigen(prob, maxit=12)
    assert eig is not None
    assert gen.theta[0] < 1e-3 * gen.theta[1]  # at (or heading to) the boundary
    np.testing.assert_allclose(eig.theta, gen.theta, rtol=1e-6)
    np.testing.assert_array_equal(eig.boundary, gen.boundary)
    assert eig.loglik == pytest.approx(gen.loglik, abs=1e-6)
    np.testing.assert_allclose(eig.beta, gen.beta, rtol=1e-9)
    np.testing.assert_allclose(eig.fitted, gen.fitted, rtol=1e-9)
