"""The V form of the iteration (reml/v_form.py) against the dense mixed model equations and
an independent dense-V REML (tests/_dense_reml.py, numpy only):

* solver='v' and the MME path reach the same ℓ, θ̂, β̂, Var(β̂), BLUPs and prediction error
  variances (1e-8) in the same iterations, and the same predictions and standard errors;
* ℓ(θ̂) equals the dense-V REML of V built entry by entry from the data, and the BLUPs and
  PEVs equal û = GZ'Py, diag(G − GZ'PZG) of that V (Henderson);
* a singular genomic G (fewer markers than lines) is fitted on V without G⁻¹: ℓ(θ̂) equals
  the dense-V REML and central differences of it vanish at θ̂;
* score and AI at one θ equal the MME's for known weights (dispersion fixed at 1), a
  residual with correlations (ar1 x ar1) and a term without a record-space gather;
* the form is chosen from counts before building: V when C is dense and n³ < 0.8 N³.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import blup, reml_loglik

import asr_py as asr
import asr_py.reml.mme as mme_mod
from asr_py.reml import form_choice, v_form


def _data(n_g: int = 40, n_env: int = 4, seed: int = 3, n_mark: int = 60
          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"L{i:03d}" for i in range(n_g)]
    m = rng.standard_normal((n_g, n_mark))
    K = m @ m.T / n_mark + (0.05 * np.eye(n_g) if n_mark >= n_g else 0.0)
    sig = 0.5 * np.ones((n_env, n_env)) + 0.5 * np.eye(n_env)
    sig *= np.outer(np.linspace(1, 2, n_env), np.linspace(1, 2, n_env))
    w, v = np.linalg.eigh(K)
    root = v * np.sqrt(np.clip(w, 0, None))
    u = root @ rng.standard_normal((n_g, n_g))[:, :n_env] @ np.linalg.cholesky(sig).T
    pe = 0.8 * rng.standard_normal(n_g)
    rows = []
    for e in range(n_env):
        g = rng.choice(n_g, size=int(0.75 * n_g), replace=False)
        y = 10 + 2 * e + u[g, e] + pe[g] + rng.standard_normal(g.size)
        rows.append(pd.DataFrame({"env": f"E{e}", "geno": np.asarray(ids)[g], "y": y,
                                  "w": rng.uniform(0.5, 2.0, g.size)}))
    return pd.concat(rows, ignore_index=True), pd.DataFrame(K, index=ids, columns=ids)


def _fit(d: pd.DataFrame, K: pd.DataFrame, solver: str, **kw: object) -> asr.AsremlModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(fixed="y ~ env", random="~ vm(geno, K):corh(env) + ide(geno)",
                          data=d, K=K, solver=solver, **{"maxit": 60, **kw})


def _dense_v(d: pd.DataFrame, K: pd.DataFrame, theta: np.ndarray, n_env: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(y, X, V, Z, G) built entry by entry: θ = [σ²_p, ρ, σ²_1..σ²_E, σ²_e]; Z, G of the
    vm(geno, K):corh(env) term in the order geno-major, env-minor."""
    sp_, rho, v, se = theta[0], theta[1], theta[2:2 + n_env], theta[2 + n_env]
    sd = np.sqrt(v)
    sig = (rho * np.ones((n_env, n_env)) + (1 - rho) * np.eye(n_env)) * np.outer(sd, sd)
    gi_ = K.index.get_indexer(d["geno"])
    ei = d["env"].str[1:].astype(int).to_numpy()
    kk = K.to_numpy()
    V = (kk[np.ix_(gi_, gi_)] * sig[np.ix_(ei, ei)] + sp_ * (gi_[:, None] == gi_[None, :])
         + se * np.eye(len(d)))
    X = np.zeros((len(d), n_env))
    X[np.arange(len(d)), ei] = 1.0
    n_g = kk.shape[0]
    Z = np.zeros((len(d), n_g * n_env))
    Z[np.arange(len(d)), gi_ * n_env + ei] = 1.0
    return d["y"].to_numpy(), X, V, Z, np.kron(kk, sig)


def test_v_equals_mme_and_dense_reml() -> None:
    d, K = _data()
    mm, mv = _fit(d, K, "auto"), _fit(d, K, "v")
    a, b = mm.result, mv.result
    assert a.solver == "dense" and b.solver == "v"
    assert a.converged and b.converged and a.n_iter == b.n_iter
    assert b.loglik == pytest.approx(a.loglik, rel=1e-10)
    np.testing.assert_allclose(b.theta, a.theta, rtol=1e-8)
    np.testing.assert_allclose(b.beta, a.beta, rtol=1e-8)
    np.testing.assert_allclose(np.asarray(b.vcov_beta), np.asarray(a.vcov_beta), rtol=1e-8)
    for ua, ub, pa, pb in zip(a.u, b.u, a.pev, b.pev):
        np.testing.assert_allclose(ub, ua, rtol=1e-8, atol=1e-10 * np.abs(ua).max())
        np.testing.assert_allclose(pb, pa, rtol=1e-8)
    # independent: dense-V REML and Henderson's BLUP / PEV at θ̂
    names = b.names
    assert names[0].startswith("ide(geno)") and "cor" in names[1]
    y, X, V, Z, G = _dense_v(d, K, np.asarray(b.theta), 4)
    assert b.loglik == pytest.approx(reml_loglik(y, X, V), rel=1e-10)
    u_ref, pev_ref = blup(y, X, V, Z, G)
    np.testing.assert_allclose(b.u[1], u_ref, rtol=1e-8, atol=1e-10 * np.abs(u_ref).max())
    np.testing.assert_allclose(b.pev[1], pev_ref, rtol=1e-8)


def test_v_predict_equals_mme() -> None:
    d, K = _data(n_g=30, n_env=3, seed=7)
    pm = _fit(d, K, "auto").predict(classify="geno:env")
    pv = _fit(d, K, "v").predict(classify="geno:env")
    np.testing.assert_allclose(pv["predicted.value"], pm["predicted.value"], rtol=1e-8)
    np.testing.assert_allclose(pv["std.error"], pm["std.error"], rtol=1e-8)


def test_singular_genomic_g_on_v() -> None:
    """K from 12 markers for 40 lines (rank 12): no G⁻¹ exists; the V form fits it and
    stops where the independent dense-V ℓ is stationary."""
    n_env = 3
    d, K = _data(n_g=40, n_env=n_env, seed=11, n_mark=12)
    assert np.linalg.matrix_rank(K.to_numpy()) == 12
    m = _fit(d, K, "v")
    r = m.result
    assert r.solver == "v" and r.converged and "B" not in r.constraints
    th = np.asarray(r.theta, dtype=float)

    def ll(t: np.ndarray) -> float:
        y, X, V, _, _ = _dense_v(d, K, t, n_env)
        return reml_loglik(y, X, V)

    assert r.loglik == pytest.approx(ll(th), rel=1e-10)
    h = 1e-4 * np.maximum(np.abs(th), 0.05)
    grad = np.array([(ll(th + hk * e) - ll(th - hk * e)) / (2 * hk)
                     for hk, e in zip(h, np.eye(th.size))])
    away = np.array([(ll(th + 0.2 * th[k] * e) - r.loglik) / (0.2 * th[k])
                     for k, e in enumerate(np.eye(th.size))])
    assert np.all(np.abs(grad) < 1e-3 * np.maximum(np.abs(away), 1e-3))


def _problem(monkeypatch, fit: object) -> object:
    probs = []
    orig = mme_mod.MME.__init__
    monkeypatch.setattr(mme_mod.MME, "__init__",
                        lambda self, p, *a, **k: probs.append(p) or orig(self, p, *a, **k))
    fit()  # type: ignore[operator]
    return probs[-1]


def _same_point(prob: object, theta: np.ndarray) -> None:
    """ℓ, ŝ, score, AI of V and the MME at θ; C⁻¹'s diagonal and a solve."""
    old = mme_mod.MME(prob)
    so = old.evaluate(theta)
    s_old, ai_old = old.score_ai(so)
    new = v_form.VForm(prob)
    st = new.evaluate(theta)
    assert st.loglik == pytest.approx(so.loglik, rel=1e-11)
    np.testing.assert_allclose(st.sol, so.sol, rtol=1e-8, atol=1e-10 * np.abs(so.sol).max())
    s, ai = new.score_ai(st)
    np.testing.assert_allclose(s, s_old, rtol=1e-7, atol=1e-9 * np.abs(s_old).max())
    np.testing.assert_allclose(ai, ai_old, rtol=1e-8, atol=1e-10 * np.abs(ai_old).max())
    dg = st.factor.diagonal()
    ref = so.factor.inverse_on(np.eye(old.N)).diagonal()
    np.testing.assert_allclose(dg, ref, rtol=1e-8)
    b = np.random.default_rng(0).standard_normal((old.N, 3))
    np.testing.assert_allclose(st.factor.solve(b), so.factor.solve(b), rtol=1e-7,
                               atol=1e-9 * np.abs(so.factor.solve(b)).max())


def test_known_weights_score_ai(monkeypatch) -> None:
    """family asr_gaussian(dispersion = 1) with weights: R = diag(1/w) known."""
    d, K = _data(n_g=25, n_env=3, seed=5)
    prob = _problem(monkeypatch, lambda: _fit(d, K, "auto", weights="w", maxit=2,
                                              family=asr.asr_gaussian(dispersion=1)))
    theta = np.asarray(prob.theta0, dtype=float) * 1.3
    _same_point(prob, theta)


def test_ar1_residual_and_general_term(monkeypatch) -> None:
    """ar1(Row):ar1(Col) residual (Ṙ_k dense) and a term whose Z has two entries a row
    (no gather: Z'PZ)."""
    rng = np.random.default_rng(4)
    nr, nc = 9, 8
    d = pd.DataFrame({"Row": pd.Categorical(np.repeat(np.arange(1, nr + 1), nc).astype(str),
                                            categories=[str(i) for i in range(1, nr + 1)]),
                      "Col": pd.Categorical(np.tile(np.arange(1, nc + 1), nr).astype(str),
                                            categories=[str(i) for i in range(1, nc + 1)])})
    d["geno"] = [f"G{i:02d}" for i in rng.permutation(np.arange(nr * nc) % 30)]
    d["y"] = 4 + rng.standard_normal(len(d))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prob = _problem(monkeypatch, lambda: asr.asreml(
            fixed="y ~ 1", random="~ geno", residual="~ ar1(Row):ar1(Col)", data=d,
            maxit=2))
    theta = np.asarray(prob.theta0, dtype=float).copy()
    theta[-2:] = [0.3, 0.4] if prob.names[-1].endswith("cor") else theta[-2:]
    _same_point(prob, theta)
    # the same with every term taken without its gather
    monkeypatch.setattr(v_form, "_indicator", lambda z: None)
    _same_point(prob, theta)


def test_form_choice_from_counts(monkeypatch) -> None:
    """V for a dense C with fewer records than equations; the MME for a sparse C (ide over
    many levels), for more records than equations, and for a small C."""
    assert v_form.prefer_v(5839, 7846, dense_c=True)
    assert not v_form.prefer_v(5839, 7846, dense_c=False)
    assert not v_form.prefer_v(7846, 7846, dense_c=True)
    assert not v_form.prefer_v(500, 1200, dense_c=True)  # below V_MIN_EQUATIONS
    d, K = _data(n_g=40, n_env=4, seed=3)
    prob = _problem(monkeypatch, lambda: _fit(d, K, "auto", maxit=1))
    # vm(K) ⊗ corh (dense 160² of a 204² C) dominates: fill ≈ (160² + 40) / 204²
    fill = form_choice.estimated_fill(prob)
    assert fill == pytest.approx((160 ** 2 + 40) / 204 ** 2, rel=1e-12)
    monkeypatch.setattr(v_form, "V_MIN_EQUATIONS", 0)
    assert form_choice.use_v(prob, "auto")  # n = 120 records < 204 equations
    assert not form_choice.use_v(prob, "dense")
    sparse = _problem(monkeypatch, lambda: asr.asreml(fixed="y ~ env", random="~ geno",
                                                      data=d, maxit=1))
    assert form_choice.estimated_fill(sparse) < 0.15
    assert not form_choice.use_v(sparse, "auto")


def test_v_rank_deficient_x_is_refused(monkeypatch) -> None:
    """The MME's rank check and message: a repeated fixed column is named (the engine's
    own check: the model stage drops aliased columns before it)."""
    d, K = _data(n_g=20, n_env=3, seed=2)
    prob = _problem(monkeypatch, lambda: _fit(d, K, "auto", maxit=1))
    x = np.asarray(prob.X.toarray() if hasattr(prob.X, "toarray") else prob.X, dtype=float)
    bad = dataclasses.replace(prob, X=np.hstack([x, x[:, :1]]), random=list(prob.random),
                              x_names=[f"c{i}" for i in range(x.shape[1] + 1)])
    with pytest.raises(asr.ModelError, match="not of full column rank"):
        v_form.VForm(bad)
    with pytest.raises(asr.ModelError, match="non-finite"):
        y = np.asarray(prob.y, dtype=float).copy()
        y[3] = np.nan
        v_form.VForm(dataclasses.replace(prob, y=y, random=list(prob.random)))


def test_v_memory_falls_back_to_mme(monkeypatch) -> None:
    """'auto' takes the MME when V's arrays cannot fit; solver='v' says why it cannot."""
    d, K = _data(n_g=25, n_env=3, seed=9)
    prob = _problem(monkeypatch, lambda: _fit(d, K, "auto", maxit=1))
    monkeypatch.setattr(v_form, "V_MIN_EQUATIONS", 0)
    assert form_choice.use_v(prob, "auto")
    monkeypatch.setattr(v_form, "check_dense", lambda *a, **k: (_ for _ in ()).throw(
        asr.ModelError("V = ZGZ' + R needs more memory")))
    assert isinstance(form_choice.make_form(prob, "auto"), mme_mod.MME)
    with pytest.raises(asr.ModelError, match="more memory"):
        form_choice.make_form(prob, "v")


def test_p_matrix_is_the_dense_projection(monkeypatch) -> None:
    """s25speed: P from V's factor (potri, upper triangle mirrored in blocks) equals
    V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹ formed by numpy's inverse, with PX = 0, symmetric to
    round-off (more records than one mirror block, so the blocks' edges are crossed)."""
    from asr_py.reml import solver

    monkeypatch.setattr(solver, "_MIRROR_BLOCK", 16)
    d, K = _data(n_g=30, n_env=3, seed=8)
    prob = _problem(monkeypatch, lambda: _fit(d, K, "auto", maxit=1))
    form = v_form.VForm(prob)
    theta = np.asarray(prob.theta0, dtype=float) * 1.2
    st = form.evaluate(theta)
    p = st.factor.p_matrix()
    assert form.n > 2 * solver._MIRROR_BLOCK
    low = st.factor.low
    v = low @ low.T
    vi = np.linalg.inv(v)
    x = form.X
    ref = vi - vi @ x @ np.linalg.solve(x.T @ vi @ x, x.T @ vi)
    np.testing.assert_allclose(p, ref, atol=1e-10 * np.abs(ref).max())
    np.testing.assert_allclose(p @ x, 0.0, atol=1e-9 * np.abs(ref).max())
    np.testing.assert_allclose(p, p.T, rtol=0, atol=1e-13 * np.abs(ref).max())


def test_p_matrix_c_order_same_entries_and_dense_score(monkeypatch) -> None:
    """s27speed: P is held in C order (the transposed view of potri's symmetric
    Fortran-ordered inverse), the order of the form's gathers, so that P ∘ F and S'(P ∘ F)S
    do not mix memory orders. Its entries, the score and the AI equal the old path's (the
    Fortran-ordered P, forced) exactly; the score equals −½ tr(P V̇_k) + ½ y'PV̇_kPy with V
    built entry by entry in numpy (V̇_k by central differences, P by numpy's inverse)."""
    d, K = _data(n_g=30, n_env=3, seed=8)
    prob = _problem(monkeypatch, lambda: _fit(d, K, "auto", maxit=1))
    form = v_form.VForm(prob)
    theta = np.asarray(prob.theta0, dtype=float) * 1.2
    st = form.evaluate(theta)
    p = st.factor.p_matrix()
    s, ai = form.score_ai(st)
    assert p.flags.c_contiguous
    monkeypatch.setattr(v_form, "_c_order", lambda a: a)  # the old path
    st0 = form.evaluate(theta)
    p0 = st0.factor.p_matrix()
    s0, ai0 = form.score_ai(st0)
    assert p0.flags.f_contiguous and not p0.flags.c_contiguous
    np.testing.assert_array_equal(p, p0)
    np.testing.assert_allclose(s, s0, rtol=1e-12, atol=1e-13 * np.abs(s0).max())
    np.testing.assert_allclose(ai, ai0, rtol=1e-12, atol=1e-13 * np.abs(ai0).max())
    # independent: numpy's dense V (records in the form's order) and its derivatives
    y, x, v, _, _ = _dense_v(d, K, theta, 3)
    np.testing.assert_allclose(v, st.factor.low @ st.factor.low.T, rtol=1e-12,
                               atol=1e-12 * np.abs(v).max())
    vi = np.linalg.inv(v)
    pr = vi - vi @ x @ np.linalg.solve(x.T @ vi @ x, x.T @ vi)
    y = form.y
    ref = np.empty(theta.size)
    for k in range(theta.size):
        h = 1e-6 * max(abs(theta[k]), 1e-3)
        tp, tm = theta.copy(), theta.copy()
        tp[k] += h
        tm[k] -= h
        dv = (_dense_v(d, K, tp, 3)[2] - _dense_v(d, K, tm, 3)[2]) / (2 * h)
        ref[k] = -0.5 * np.vdot(pr, dv) + 0.5 * (pr @ y) @ dv @ (pr @ y)
    np.testing.assert_allclose(s, ref, rtol=1e-6, atol=1e-7 * np.abs(ref).max())


def test_em_information_index_free_and_dense(monkeypatch) -> None:
    """s27speed: the V form's EM information comes from the product's index-free closed
    forms, built once per form: equal to the old path (term_inverse per call) and to
    ½ tr(G⁻¹Ġ_kG⁻¹Ġ_l) of each template's dense G and derivatives in numpy."""
    from asr_py.reml import ginverse
    from asr_py.vcov.base import to_dense

    d, K = _data(n_g=20, n_env=3, seed=4)
    prob = _problem(monkeypatch, lambda: _fit(d, K, "auto", maxit=1))
    form = v_form.VForm(prob)
    theta = np.asarray(prob.theta0, dtype=float) * 1.1
    built = []
    orig = ginverse._ProductIndex.__init__

    def spy(self, template, *, index=True):  # type: ignore[no-untyped-def]
        built.append(index)
        orig(self, template, index=index)

    monkeypatch.setattr(ginverse._ProductIndex, "__init__", spy)
    em = form.em_information(theta)
    em2 = form.em_information(theta * 1.05)
    assert built and not any(built)  # no index maps, and built once per template
    n_built = len(built)
    form.em_information(theta)
    assert len(built) == n_built
    old = np.zeros_like(em)
    temps = [b.template for b in prob.random] + [prob.residual]
    for tmpl, sl in zip(temps, prob.slices()):
        if sl.stop > sl.start:
            old[sl, sl] = ginverse.term_inverse(tmpl, True, dense_ok=True).em_block(theta[sl])
            g = np.asarray(to_dense(tmpl.matrix(theta[sl])), dtype=float)
            gi = np.linalg.inv(g)
            fs = [gi @ np.asarray(to_dense(dk), dtype=float) for dk in tmpl.derivatives(theta[sl])]
            ref = 0.5 * np.array([[np.trace(a @ b) for b in fs] for a in fs])
            np.testing.assert_allclose(em[sl, sl], ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())
    np.testing.assert_array_equal(em, old)
    assert not np.array_equal(em2, em)


def test_v_part_and_traces_without_scale_copy(monkeypatch) -> None:
    """s27speed: a gathered term with s = 1 multiplies its first gather by F in place (no s·F
    copy) and its trace uses P ∘ F itself: the same digits as s·F ∘ Π gathers and
    S'(s·P ∘ F)S formed as before, and V_j equals numpy's K[g, g] ∘ Σ[e, e]."""
    d, K = _data(n_g=20, n_env=3, seed=6)
    prob = _problem(monkeypatch, lambda: _fit(d, K, "auto", maxit=1))
    form = v_form.VForm(prob)
    theta = np.asarray(prob.theta0, dtype=float) * 1.15
    st = form.evaluate(theta)
    pm = st.factor.p_matrix()
    hit = 0
    for t in form.terms:
        th = form._theta(theta, t)
        s, mats = t.mats(th)
        ref = s * t.fixed()
        for p, m, c in zip(t.parts, mats, t.codes):
            if p.n_params:
                ref *= v_form._gather(m, c)
        np.testing.assert_array_equal(t.v_part(th), ref)
        free = [lv for lv, p in enumerate(t.parts) if p.n_params]
        if s == 1.0 and len(free) == 1:
            hit += 1
            h = (pm * t.fixed()) * s
            inc = t.incid[free[0]]
            blk = np.asarray(inc.T @ np.asarray(inc.T @ h).T)
            old = [v_form._trace_with(blk, dk) for dk in t.parts[free[0]].derivatives(
                t.template.split(th)[1][free[0]])]
            np.testing.assert_array_equal(v_form._term_traces(t, th, pm), old)
            # numpy: the corh term's V_j = K[g, g] ∘ Σ[e, e] (Σ = D R D)
            rho, var = th[0], th[1:]
            sig = (rho * np.ones((3, 3)) + (1 - rho) * np.eye(3)) * np.sqrt(np.outer(var, var))
            gi_ = K.index.get_indexer(d["geno"])
            ei = d["env"].str[1:].astype(int).to_numpy()
            vj = K.to_numpy()[np.ix_(gi_, gi_)] * sig[np.ix_(ei, ei)]
            np.testing.assert_allclose(t.v_part(th), vj, rtol=1e-13, atol=1e-14)
    assert hit == 1
