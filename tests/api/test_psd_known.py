"""Singular (positive semi-definite) relationship matrices in vm(id, K) (issue 11 item 3).

A centred VanRaden G from simulated markers has rank n − 1 (more markers than ids) or at most
m (m markers < n ids). Reference: the independent dense-V REML of _dense_reml_psd.py (numpy/scipy,
V = Σ θ_k V_k built here from K and the designs, Fisher scoring); each fit is checked through
the eigen path (solver='eigen') and the mixed model equations (solver='dense'), univariate and
bivariate, to 1e-4 in the log-likelihood and the estimates.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml_psd import fit as dense_fit
from _dense_reml_psd import p_matrix, sym_basis

import asr_py as asr
from asr_py.errors import AsrError, MatrixError

N = 200


def _relmat(n: int, m: int, seed: int) -> asr.RelMatrix:
    rng = np.random.default_rng(seed)
    freq = rng.uniform(0.05, 0.95, m)
    markers = rng.binomial(2, freq, size=(n, m)).astype(float)
    return asr.gmatrix(markers, ids=[f"g{i:03d}" for i in range(n)])


def _root(k: np.ndarray) -> np.ndarray:
    w, u = np.linalg.eigh(k)
    return u * np.sqrt(np.clip(w, 0, None))


def _uni_data(g: asr.RelMatrix, seed: int, reps: int = 1) -> pd.DataFrame:
    """y = 5 + u + e, u ~ N(0, 2K), e ~ N(0, 1); ``reps`` records per id."""
    rng = np.random.default_rng(seed)
    n = len(g.ids)
    u = _root(g.matrix) @ rng.normal(size=n) * np.sqrt(2.0)
    ids = np.tile(np.asarray(g.ids), reps)
    y = 5.0 + np.tile(u, reps) + rng.normal(size=n * reps)
    return pd.DataFrame({"id": ids, "y": y})


def _dense_uni(df: pd.DataFrame, g: asr.RelMatrix) -> tuple[np.ndarray, float, list]:
    pos = {v: i for i, v in enumerate(g.ids)}
    n = len(df)
    z = np.zeros((n, len(g.ids)))
    z[np.arange(n), [pos[v] for v in df["id"]]] = 1.0
    comps = [z @ g.matrix @ z.T, np.eye(n)]
    y = df["y"].to_numpy()
    x = np.ones((n, 1))
    v = float(np.var(y))
    theta, ll = dense_fit(y, x, comps, [v / 2, v / 2])
    return theta, ll, [y, x, comps, z]


def _bi_data(g: asr.RelMatrix, seed: int) -> pd.DataFrame:
    """Two traits, one record each per id: Σ_g = [[2, 1], [1, 1.5]], Σ_e = [[1, .3], [.3, 2]]."""
    rng = np.random.default_rng(seed)
    n = len(g.ids)
    sg = np.linalg.cholesky(np.array([[2.0, 1.0], [1.0, 1.5]]))
    se = np.linalg.cholesky(np.array([[1.0, 0.3], [0.3, 2.0]]))
    u = _root(g.matrix) @ rng.normal(size=(n, 2)) @ sg.T
    e = rng.normal(size=(n, 2)) @ se.T
    y = np.array([5.0, -3.0]) + u + e
    return pd.DataFrame({"id": list(g.ids), "y1": y[:, 0], "y2": y[:, 1]})


def _dense_bi(df: pd.DataFrame, k: np.ndarray) -> tuple[np.ndarray, float]:
    """Records stacked trait-major: V = Σ_g ⊗ K + Σ_e ⊗ I (ids in K's order)."""
    n = len(df)
    y = np.concatenate([df["y1"].to_numpy(), df["y2"].to_numpy()])
    x = np.kron(np.eye(2), np.ones((n, 1)))
    comps = ([np.kron(b, k) for b in sym_basis(2)]
             + [np.kron(b, np.eye(n)) for b in sym_basis(2)])
    v1, v2 = np.var(df["y1"]), np.var(df["y2"])
    return dense_fit(y, x, comps, [v1 / 2, 0, v2 / 2, v1 / 2, 0, v2 / 2])


@pytest.fixture(scope="module")
def g_full() -> asr.RelMatrix:
    """Centred VanRaden G, 200 ids, 1000 markers: rank 199."""
    return _relmat(N, 1000, 11)


@pytest.fixture(scope="module")
def g_low() -> asr.RelMatrix:
    """Centred VanRaden G, 200 ids, 50 markers: rank 50."""
    return _relmat(N, 50, 12)


def _fit(df, g, solver, rnd="~ vm(id, G, singG = 'PSD')", fixed="y ~ 1", residual=None):
    return asr.asreml(fixed, rnd, residual, data=df, G=g, solver=solver)


def test_rank_is_that_of_the_centred_markers(g_full, g_low):
    from asr_py.vcov.known import KnownMatrix

    for g, m in ((g_full, 1000), (g_low, 50)):
        rng = np.random.default_rng(11 if m == 1000 else 12)
        freq = rng.uniform(0.05, 0.95, m)
        w = rng.binomial(2, freq, size=(N, m)).astype(float)
        w = w - w.mean(axis=0)  # VanRaden's W = M - 2p (2p = column means)
        rk = KnownMatrix(g.matrix, name="G").rank()
        assert rk.rank == np.linalg.matrix_rank(w) == min(m, N - 1)
        assert rk.singular and rk.tol > 0


@pytest.mark.parametrize("solver", ["eigen", "dense", "sparse"])
@pytest.mark.parametrize("which", ["full", "low"])
def test_univariate_matches_dense_reml(g_full, g_low, solver, which):
    g = g_full if which == "full" else g_low
    df = _uni_data(g, seed=3)
    theta, ll, _ = _dense_uni(df, g)
    m = _fit(df, g, solver)
    assert m.converged
    assert m.loglik == pytest.approx(ll, abs=1e-4)
    np.testing.assert_allclose(m.result.theta, theta, rtol=1e-4)
    rank = 199 if which == "full" else 50
    note = [d for d in m.diagnostics if "positive semi-definite" in d]
    assert note and f"rank {rank}" in note[0] and "200 x 200" in note[0]


@pytest.mark.parametrize("solver", ["eigen", "dense"])
def test_blups_and_pev_are_those_of_v(g_full, solver):
    """û = σ²_g K Z'P y and PEV = diag(σ²_g K − σ⁴_g K Z'P Z K) at the fitted θ (dense P):
    û has no component along K's null space (for a centred G: Σ û = 0)."""
    df = _uni_data(g_full, seed=4)
    m = _fit(df, g_full, solver)
    _, _, (y, x, comps, z) = _dense_uni(df, g_full)
    sg = m.result.theta[0]
    P = p_matrix(x, comps, m.result.theta)
    k = g_full.matrix
    u = sg * k @ z.T @ P @ y
    pev = sg * np.diag(k) - sg**2 * np.einsum("ij,jk,ki->i", k @ z.T, P, z @ k)
    cr = m.coef_random
    np.testing.assert_allclose(cr["solution"].to_numpy(), u, atol=1e-7 * np.abs(u).max())
    np.testing.assert_allclose(cr["std.error"].to_numpy() ** 2, pev, rtol=1e-6, atol=1e-10)
    assert abs(cr["solution"].sum()) < 1e-8 * np.abs(u).sum()


@pytest.mark.parametrize("solver", ["eigen", "dense"])
@pytest.mark.parametrize("which", ["full", "low"])
def test_bivariate_matches_dense_reml(g_full, g_low, solver, which):
    g = g_full if which == "full" else g_low
    df = _bi_data(g, seed=5)
    theta, ll = _dense_bi(df, g.matrix)
    m = _fit(df, g, solver, "~ us(trait):vm(id, G, singG = 'PSD')", "cbind(y1, y2) ~ trait",
             "~ units:us(trait)")
    assert m.converged
    assert m.loglik == pytest.approx(ll, abs=1e-4)
    np.testing.assert_allclose(m.result.theta, theta, rtol=1e-4, atol=1e-4)


def _nudged(k: np.ndarray, smallest: float) -> np.ndarray:
    """K with its smallest eigenvalue moved to ``smallest`` along its eigenvector."""
    w, u = np.linalg.eigh(k)
    out = k + (smallest - w[0]) * np.outer(u[:, 0], u[:, 0])
    return 0.5 * (out + out.T)


@pytest.mark.parametrize("solver", ["eigen", "dense"])
def test_round_off_sign_of_the_zero_eigenvalue_does_not_matter(g_full, solver):
    """+2e-15 (which a Cholesky factor accepts), −6e-15 and exactly singular K: one answer,
    the dense REML's."""
    df = _uni_data(g_full, seed=6)
    theta, ll, _ = _dense_uni(df, g_full)
    fits = []
    for smallest in (2e-15, -6e-15, 0.0):
        k = _nudged(g_full.matrix, smallest)
        w0 = np.linalg.eigvalsh(k)[0]
        assert (w0 > 0) if smallest > 0 else (w0 < 0) if smallest < 0 else True
        kdf = pd.DataFrame(k, index=g_full.ids, columns=g_full.ids)
        fits.append(_fit(df, kdf, solver))
    for m in fits:
        assert m.loglik == pytest.approx(ll, abs=1e-4)
        np.testing.assert_allclose(m.result.theta, theta, rtol=1e-4)
        assert m.loglik == pytest.approx(fits[-1].loglik, abs=1e-8)


def test_undeclared_singular_k_warns_and_declared_does_not(g_low):
    df = _uni_data(g_low, seed=7)
    with pytest.warns(UserWarning, match=r"singular \(rank 50 of 200\).*singG = 'PSD'"):
        m1 = _fit(df, g_low, "dense", rnd="~ vm(id, G)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m2 = _fit(df, g_low, "dense")
    assert m1.loglik == pytest.approx(m2.loglik, abs=1e-10)


def test_sing_g_other_values_are_clear_errors(g_low):
    df = _uni_data(g_low, seed=7)
    with pytest.raises(AsrError, match="NSD.*not supported") as e:
        _fit(df, g_low, "dense", rnd="~ vm(id, G, singG = 'NSD')")
    assert e.value.hint and "PSD" in e.value.hint
    with pytest.raises(AsrError, match="not an option"):
        _fit(df, g_low, "dense", rnd="~ vm(id, G, singG = 'PD')")


@pytest.mark.parametrize("solver", ["eigen", "dense", "auto"])
def test_indefinite_k_is_refused_with_its_eigenvalue(g_low, solver):
    k = _nudged(g_low.matrix, -0.05)
    kdf = pd.DataFrame(k, index=g_low.ids, columns=g_low.ids)
    df = _uni_data(g_low, seed=8)
    with pytest.raises(MatrixError, match=r"not positive semi-definite \(smallest eigenvalue "
                                          r"-0\.05"):
        _fit(df, kdf, solver)


def test_replicated_records_mme_path_and_row_order(g_low):
    """Two records per id (the eigen path does not apply): the MME path matches the dense
    REML, and shuffling the rows changes nothing."""
    df = _uni_data(g_low, seed=9, reps=2)
    theta, ll, _ = _dense_uni(df, g_low)
    m = _fit(df, g_low, "auto")
    assert m.loglik == pytest.approx(ll, abs=1e-4)
    np.testing.assert_allclose(m.result.theta, theta, rtol=1e-4)
    shuffled = df.sample(frac=1.0, random_state=1).reset_index(drop=True)
    m2 = _fit(shuffled, g_low, "auto")
    assert m2.loglik == pytest.approx(m.loglik, abs=1e-8)
    np.testing.assert_allclose(m2.result.theta, m.result.theta, rtol=1e-7)


def test_predict_through_the_mapped_factor(g_low):
    """predict('env') uses C⁻¹ in the original coordinates (T C_v⁻¹ T'): its values and
    standard errors are the GLS ones of the dense V, (X'V⁻¹X)⁻¹, at the fitted θ."""
    df = _uni_data(g_low, seed=13, reps=2)
    df["env"] = np.repeat(["a", "b"], N)
    df.loc[df["env"] == "b", "y"] += 1.5
    m = _fit(df, g_low, "dense", fixed="y ~ env")
    _, _, (y, _x, comps, _z) = _dense_uni(df, g_low)
    x = np.column_stack([np.ones(2 * N), (df["env"] == "b").to_numpy(float)])
    vinv = np.linalg.inv(sum(t * c for t, c in zip(m.result.theta, comps)))
    cov = np.linalg.inv(x.T @ vinv @ x)
    beta = cov @ x.T @ vinv @ y
    lm = np.array([[1.0, 0.0], [1.0, 1.0]])
    pr = m.predict("env")
    np.testing.assert_allclose(pr["predicted.value"], lm @ beta, rtol=1e-7)
    np.testing.assert_allclose(pr["std.error"], np.sqrt(np.diag(lm @ cov @ lm.T)), rtol=1e-6)


def test_user_matrix_is_not_mutated(g_low):
    before = g_low.matrix.copy()
    _fit(_uni_data(g_low, seed=10), g_low, "dense")
    np.testing.assert_array_equal(g_low.matrix, before)


def test_location_specific_bivariate_model(g_low):
    """at(loc):us(trait):vm(id, G) (the seed paper's model) with G of rank 50: two random
    terms, one per location, each through K = L L'; dense V = Σ_loc Σ_g,loc ⊗ (E_loc ⊗ K)
    + Σ_e ⊗ I (records stacked trait, location, id)."""
    rng = np.random.default_rng(21)
    n = N
    k = g_low.matrix
    root = _root(k)
    sg = {"a": np.array([[2.0, 0.8], [0.8, 1.0]]), "b": np.array([[1.0, -0.4], [-0.4, 1.5]])}
    se = np.array([[1.0, 0.2], [0.2, 1.0]])
    rows = []
    for loc in ("a", "b"):
        u = root @ rng.normal(size=(n, 2)) @ np.linalg.cholesky(sg[loc]).T
        e = rng.normal(size=(n, 2)) @ np.linalg.cholesky(se).T
        y = u + e + (np.array([5.0, 1.0]) if loc == "a" else np.array([6.0, 0.0]))
        rows.append(pd.DataFrame({"id": list(g_low.ids), "loc": loc, "y1": y[:, 0],
                                  "y2": y[:, 1]}))
    df = pd.concat(rows, ignore_index=True)
    m = _fit(df, g_low, "auto", "~ at(loc):us(trait):vm(id, G, singG = 'PSD')",
             "cbind(y1, y2) ~ trait + trait:loc", "~ units:us(trait)")
    assert len(m.result.beta) == 4
    yv = np.concatenate([df.loc[df["loc"] == lc, t].to_numpy() for t in ("y1", "y2")
                         for lc in ("a", "b")])
    x = np.kron(np.eye(2), np.kron(np.array([[1.0, 0.0], [1.0, 1.0]]), np.ones((n, 1))))
    sel = [np.diag([1.0, 0.0]), np.diag([0.0, 1.0])]
    comps = ([np.kron(b, np.kron(sel[0], k)) for b in sym_basis(2)]
             + [np.kron(b, np.kron(sel[1], k)) for b in sym_basis(2)]
             + [np.kron(b, np.eye(2 * n)) for b in sym_basis(2)])
    v1, v2 = np.var(df["y1"]), np.var(df["y2"])
    theta, ll = dense_fit(yv, x, comps, [v1 / 2, 0, v2 / 2] * 2 + [v1 / 2, 0, v2 / 2])
    assert m.converged
    assert m.loglik == pytest.approx(ll, abs=1e-4)
    np.testing.assert_allclose(m.result.theta, theta, rtol=1e-4, atol=1e-4)
    assert sum("rank 50" in d for d in m.diagnostics) == 1  # one K, shared by both terms


def test_explain_and_summary_report_the_rank(g_full):
    df = _uni_data(g_full, seed=14)
    text = str(asr.explain("~ vm(id, G)", df, G=g_full))
    assert "rank 199: positive semi-definite" in text
    m = _fit(df, g_full, "eigen")
    assert "K: 200 x 200, rank 199" in m.summary()


def test_part_order_does_not_matter(g_low):
    """vm(id, G):us(trait) (K outer) and us(trait):vm(id, G) (trait outer) are one model:
    same optimum on both paths, the same BLUPs in another order."""
    df = _bi_data(g_low, seed=15)
    fits = {}
    for rnd in ("~ us(trait):vm(id, G, singG = 'PSD')", "~ vm(id, G, singG = 'PSD'):us(trait)"):
        for solver in ("eigen", "dense"):
            fits[rnd, solver] = _fit(df, g_low, solver, rnd, "cbind(y1, y2) ~ trait",
                                     "~ units:us(trait)")
    ref = next(iter(fits.values()))
    for m in fits.values():
        assert m.loglik == pytest.approx(ref.loglik, abs=1e-7)
        np.testing.assert_allclose(m.result.theta, ref.result.theta, rtol=1e-6)
        np.testing.assert_allclose(np.sort(m.result.u[0]), np.sort(ref.result.u[0]),
                                   atol=1e-6 * np.abs(ref.result.u[0]).max())


def test_bivariate_with_missing_trait_records(g_low):
    """20% of y2 missing (the eigen path does not apply; the residual is a subset of
    I ⊗ Σ_e): the MME path matches the dense REML on the observed records."""
    df = _bi_data(g_low, seed=16)
    miss = np.random.default_rng(17).random(len(df)) < 0.2
    df.loc[miss, "y2"] = np.nan
    m = _fit(df, g_low, "auto", "~ us(trait):vm(id, G, singG = 'PSD')",
             "cbind(y1, y2) ~ trait", "~ units:us(trait)")
    obs = np.concatenate([np.ones(N, bool), ~miss])
    y = np.concatenate([df["y1"].to_numpy(), df["y2"].to_numpy()])[obs]
    x = np.kron(np.eye(2), np.ones((N, 1)))[obs]
    k = g_low.matrix
    comps = ([np.kron(b, k)[np.ix_(obs, obs)] for b in sym_basis(2)]
             + [np.kron(b, np.eye(N))[np.ix_(obs, obs)] for b in sym_basis(2)])
    v1, v2 = np.var(df["y1"]), np.nanvar(df["y2"])
    theta, ll = dense_fit(y, x, comps, [v1 / 2, 0, v2 / 2, v1 / 2, 0, v2 / 2])
    assert m.converged
    assert m.loglik == pytest.approx(ll, abs=1e-4)
    np.testing.assert_allclose(m.result.theta, theta, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("solver", ["eigen", "dense"])
def test_scale_of_k_and_id_labels_do_not_matter(g_low, solver):
    """K x 1e-6 (the rank tolerance is relative to K's scale): the same rank and
    log-likelihood, σ²_g x 1e6; relabelled ids: the same fit."""
    df = _uni_data(g_low, seed=18)
    m = _fit(df, g_low, solver)
    small = pd.DataFrame(g_low.matrix * 1e-6, index=g_low.ids, columns=g_low.ids)
    m2 = _fit(df, small, solver)
    assert any("rank 50" in d for d in m2.diagnostics)
    assert m2.loglik == pytest.approx(m.loglik, abs=1e-7)
    assert m2.result.theta[0] == pytest.approx(m.result.theta[0] * 1e6, rel=1e-5)
    assert m2.result.theta[1] == pytest.approx(m.result.theta[1], rel=1e-5)
    new = {v: f"x{i:03d}" for i, v in enumerate(reversed(g_low.ids))}
    relab = pd.DataFrame(g_low.matrix, index=[new[v] for v in g_low.ids],
                         columns=[new[v] for v in g_low.ids])
    m3 = _fit(df.assign(id=df["id"].map(new)), relab, solver)
    assert m3.loglik == pytest.approx(m.loglik, abs=1e-7)
    np.testing.assert_allclose(m3.result.theta, m.result.theta, rtol=1e-6)
