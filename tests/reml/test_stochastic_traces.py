"""The stochastic-trace phase of AI-REML (issue 16, goal 3; asr_py/reml/stochastic.py).

Independent checks: C⁻¹ by numpy (dense inverse), the animal model's REML optimum by Fisher
scoring on the dense V = σ²_a A + σ²_e I in numpy (A by the tabular method from the
pedigree), and the iteration histories recorded with the code before the phase existed
(tests/data/stochastic_off_history.py, commit 6f38029).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from _dense_reml import reml_loglik
from _reml_problems import penicillin
from _stoch_animal import animal_problem

from asr_py.reml import counters
from asr_py.reml.ai import fit_reml
from asr_py.reml.mme import MME
from asr_py.reml.solver import factorize
from asr_py.reml.stochastic import (
    StochasticTraces,
    rademacher,
    wanted,
)

HIST = Path(__file__).resolve().parents[1] / "data" / "stochastic_off_history.json"


def _spd(n: int, seed: int) -> sp.csc_matrix:
    a = sp.random(n, n, density=4.0 / n, random_state=seed)
    return (a @ a.T + sp.diags(np.linspace(1.0, 3.0, n))).tocsc()


@pytest.mark.parametrize("backend", ["sparse", "dense"])
def test_root_solve_squares_to_the_inverse(backend: str) -> None:
    c = _spd(300, 1)
    w = factorize(c, backend).root_solve(np.eye(300))
    np.testing.assert_allclose(w @ w.T, np.linalg.inv(c.toarray()), atol=1e-12)


def _us_basis() -> list[np.ndarray]:
    """∂G0/∂θ of a 2 x 2 us(): (1,1), (2,1) = (1,2), (2,2)."""
    return [np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 0.0]]),
            np.array([[0.0, 0.0], [0.0, 1.0]])]


def _dense(m) -> np.ndarray:
    return m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)


def _probe_means(fac, n: int, forms, pick, k: int, seeds: range) -> np.ndarray:
    """Per seed, the mean over k probes w = B⁻ᵀz of ``forms(pick(w))`` (n_params, k)."""
    out = []
    for seed in seeds:
        w = fac.root_solve(rademacher(np.random.default_rng(seed), n, k))
        out.append(forms(pick(w)).mean(axis=1))
    return np.array(out)


def _assert_unbiased(est: np.ndarray, exact: np.ndarray) -> None:
    se = est.std(axis=0, ddof=1) / np.sqrt(est.shape[0])
    assert np.all(np.abs(est.mean(axis=0) - exact) <= 4 * se)
    assert np.all(se < 0.05 * np.abs(exact))  # the check has power


THETA_BIV = np.array([1.2, 0.4, 1.6, 1.9, 0.3, 1.7])


def test_quadratic_forms_unbiased_for_a_us_trait_animal_term() -> None:
    """tr(C^{uu} G⁻¹Ġ_kG⁻¹) for the three parameters of us(trait) ⊗ A (bivariate animal
    model): the mean over 150 seeds of the K = 8 quadratic-form estimate w_u'(G⁻¹Ġ_kG⁻¹)w_u
    agrees with the trace from numpy's dense C⁻¹ and G⁻¹ = G0⁻¹ ⊗ A⁻¹."""
    from _stoch_animal import bivariate_animal_problem

    from asr_py.reml.probe_traces import ProductForms

    prob = bivariate_animal_problem()[0]
    theta = THETA_BIV
    mme = MME(prob, solver="sparse")
    st = mme.evaluate(theta)
    cinv = np.linalg.inv(mme.assemble(theta)[0].toarray())
    o, tmpl = mme.u_offsets[0], prob.random[0].template
    nu = tmpl.n
    ainv = _dense(tmpl.kronecker_factors()[1][1].inverse(np.zeros(0)))
    g0i = np.linalg.inv(np.array([[theta[0], theta[1]], [theta[1], theta[2]]]))
    exact = np.array([np.sum(cinv[o:o + nu, o:o + nu] * np.kron(g0i @ d @ g0i, ainv))
                      for d in _us_basis()])
    est = _probe_means(st.factor, mme.N, ProductForms(tmpl).at(theta[:3]),
                       lambda w: w[o:o + nu], 8, range(150))
    _assert_unbiased(est, exact)


def test_quadratic_forms_unbiased_for_a_us_trait_residual() -> None:
    """tr(C⁻¹W'R⁻¹Ṙ_kR⁻¹W) for units:us(trait) with missing y2 (a Subset of a Kronecker
    R: the general path): the mean of (Ww)'(R⁻¹Ṙ_kR⁻¹)(Ww) over seeds agrees with numpy's
    dense trace (R and Ṙ_k from the template's matrices, R inverted by numpy)."""
    from _stoch_animal import bivariate_animal_problem

    from asr_py.reml.probe_traces import term_forms

    prob = bivariate_animal_problem()[0]
    theta = THETA_BIV
    mme = MME(prob, solver="sparse")
    st = mme.evaluate(theta)
    cinv = np.linalg.inv(mme.assemble(theta)[0].toarray())
    res, tr = prob.residual, theta[3:]
    ri = np.linalg.inv(_dense(res.matrix(tr)))
    wd = mme.W.toarray()
    exact = np.array([np.sum(cinv * (wd.T @ ri @ _dense(d) @ ri @ wd))
                      for d in res.derivatives(tr)])
    est = _probe_means(st.factor, mme.N, term_forms(res).at(tr),
                       lambda w: np.asarray(mme.W @ w), 8, range(150))
    _assert_unbiased(est, exact)


@pytest.mark.parametrize("dense_max", [40, 1])
def test_product_forms_equal_dense_quadratic_forms(dense_max: int, monkeypatch) -> None:
    """ProductForms (the identity/A⁻¹ part applied along its axis, 2 x 2 algebra; with
    ``dense_max`` 1 the per-entry path of large parts) = x'(G⁻¹Ġ_kG⁻¹)x formed densely in
    numpy, with and without a scale σ² in front."""
    from asr_py.reml import probe_traces
    from asr_py.reml.probe_traces import ProductForms

    monkeypatch.setattr(probe_traces, "DENSE_PART_MAX", dense_max)
    from asr_py.vcov.identity import Identity
    from asr_py.vcov.kronecker import Kronecker
    from asr_py.vcov.unstructured import Unstructured

    rng = np.random.default_rng(3)
    levels = [str(i) for i in range(7)]
    for scale in (False, True):
        t = Kronecker([Unstructured(["a", "b"], name="trait"), Identity(levels)],
                      scale=scale)
        th = np.array(([1.7] if scale else []) + [1.3, -0.4, 0.9])
        x = rng.standard_normal((14, 5))
        gi = np.linalg.inv(_dense(t.matrix(th)))
        want = [np.einsum("ik,ij,jk->k", x, gi @ _dense(d) @ gi, x) for d in t.derivatives(th)]
        np.testing.assert_allclose(ProductForms(t).at(th)(x), np.array(want), rtol=1e-10)


def test_stochastic_score_is_unbiased_and_the_ai_exact() -> None:
    """At a θ away from the optimum: the mean of the phase's score estimates over seeds is
    the exact score (within 4 standard errors), the AI matrix equals the exact one."""
    prob = animal_problem(600)[0]
    from asr_py.reml.centering import centre_response

    prob = centre_response(prob)[0]
    mme = MME(prob, solver="sparse")
    st = mme.evaluate(np.array([1.5, 1.5]))
    s_ex, ai_ex = mme.score_ai(mme.evaluate(np.array([1.5, 1.5])))
    est = []
    for seed in range(60):
        s, ai, cov = StochasticTraces(probes=16, seed=seed).score_ai(mme, st)
        np.testing.assert_allclose(ai, ai_ex, rtol=1e-10)
        est.append(s)
    est = np.array(est)
    se = est.std(axis=0, ddof=1) / np.sqrt(len(est))
    assert np.all(np.abs(est.mean(axis=0) - s_ex) <= 4 * se)
    assert np.all(se > 0)


# ---- the fit ---------------------------------------------------------------------------

def _amatrix(ped) -> np.ndarray:
    """A by the tabular method (parents before offspring)."""
    idx = {k: i for i, k in enumerate(ped["id"])}
    n = len(ped)
    a = np.zeros((n, n))
    for i, (s, d) in enumerate(zip(ped["sire"], ped["dam"])):
        si, di = idx.get(s, -1), idx.get(d, -1)
        for j in range(i):
            a[i, j] = a[j, i] = 0.5 * ((a[j, si] if si >= 0 else 0.0)
                                       + (a[j, di] if di >= 0 else 0.0))
        a[i, i] = 1.0 + (0.5 * a[si, di] if si >= 0 and di >= 0 else 0.0)
    return a


def _dense_reml(y: np.ndarray, x: np.ndarray, a: np.ndarray, theta: np.ndarray
                ) -> np.ndarray:
    """Fisher scoring on V = θ_a A + θ_e I (numpy): the REML optimum."""
    n = y.size
    for _ in range(100):
        vi = np.linalg.inv(theta[0] * a + theta[1] * np.eye(n))
        vx = vi @ x
        p = vi - vx @ np.linalg.solve(x.T @ vx, vx.T)
        py = p @ y
        dv = [a, np.eye(n)]
        pd = [p @ d for d in dv]
        s = np.array([-0.5 * (np.trace(q) - py @ d @ py) for q, d in zip(pd, dv)])
        info = 0.5 * np.array([[np.sum(q1 * q2.T) for q2 in pd] for q1 in pd])
        step = np.linalg.solve(info, s)
        theta = theta + step
        if np.max(np.abs(step) / theta) < 1e-12:
            break
    return theta


def test_forced_on_reaches_the_dense_v_optimum() -> None:
    prob, ped, df = animal_problem(600)
    c0 = counters.snapshot()
    res = fit_reml(prob, solver="sparse", stochastic_traces=True)
    n_sel = counters.snapshot()["selected_inverses"] - c0["selected_inverses"]
    assert res.converged and list(res.constraints) == ["P", "P"]
    assert res.history[0].get("traces") == "stochastic"  # the phase ran
    assert "traces" not in res.history[-1]  # the final iterate: exact traces
    y = df["y"].to_numpy()
    x = np.column_stack([np.ones(y.size), (df["sex"] == "M").to_numpy(float)])
    a = _amatrix(ped)
    theta = _dense_reml(y, x, a, np.array([0.5, 0.5]))
    np.testing.assert_allclose(res.theta, theta, rtol=1e-6)
    ll = reml_loglik(y, x, res.theta[0] * a + res.theta[1] * np.eye(y.size))
    assert res.loglik == pytest.approx(ll, abs=1e-8)
    assert res.loglik == pytest.approx(
        reml_loglik(y, x, theta[0] * a + theta[1] * np.eye(y.size)), abs=1e-8)
    # fewer selected inverses than the exact fit (whose count is its iterations + 1)
    c0 = counters.snapshot()
    off = fit_reml(prob, solver="sparse", stochastic_traces=False)
    n_off = counters.snapshot()["selected_inverses"] - c0["selected_inverses"]
    assert n_off == off.n_iter + 1 and n_sel < n_off
    np.testing.assert_allclose(res.theta, off.theta, rtol=1e-6)
    for p1, p2 in zip(res.pev, off.pev):
        np.testing.assert_allclose(p1, p2, rtol=1e-5)
    np.testing.assert_allclose(res.vcov_theta, off.vcov_theta, rtol=1e-5)


def test_a_fixed_seed_reproduces_the_fit() -> None:
    prob = animal_problem(600)[0]
    runs = [fit_reml(prob, solver="sparse", stochastic_traces=True, stochastic_seed=s)
            for s in (7, 7, 8)]
    h7, h7b, h8 = ([h["theta"] for h in r.history] for r in runs)
    assert len(h7) == len(h7b)
    for t1, t2 in zip(h7, h7b):
        np.testing.assert_array_equal(t1, t2)
    assert not np.array_equal(h7[1], h8[1])  # other probes: another first step
    np.testing.assert_allclose(runs[2].theta, runs[0].theta, rtol=1e-6)  # same optimum


def _same_history(res, recorded: list[dict]) -> None:
    assert [h["method"] for h in res.history] == [h["method"] for h in recorded]
    for h, r in zip(res.history, recorded):
        assert "traces" not in h
        assert h["loglik"] == pytest.approx(r["loglik"], rel=1e-13, abs=1e-10)
        np.testing.assert_allclose(h["theta"], r["theta"], rtol=1e-11)


def test_forced_off_gives_the_recorded_history() -> None:
    rec = json.loads(HIST.read_text())
    _same_history(fit_reml(animal_problem(1200)[0], solver="sparse", stochastic_traces=False),
                  rec["animal_1200_sparse"])
    _same_history(fit_reml(penicillin(), solver="sparse", stochastic_traces=False),
                  rec["penicillin_sparse"])
    # below MIN_EQUATIONS 'auto' is off
    _same_history(fit_reml(animal_problem(1200)[0], solver="sparse"),
                  rec["animal_1200_sparse"])


def test_boundary_still_reported() -> None:
    """σ²_a = 0 in the simulation: the variance ends held at zero, 'B', as the exact fit."""
    rec = json.loads(HIST.read_text())["animal_600_s2a0_sparse"]
    prob = animal_problem(600, s2a=0.0)[0]
    res = fit_reml(prob, solver="sparse", stochastic_traces=True)
    assert res.converged and list(res.constraints) == ["B", "P"]
    assert any("boundary" in d for d in res.diagnostics)
    assert res.loglik == pytest.approx(rec[-1]["loglik"], abs=1e-8)
    np.testing.assert_allclose(res.theta[1], rec[-1]["theta"][1], rtol=1e-6)


def test_auto_rule() -> None:
    assert not wanted(None, 49_999, "sparse", False)
    assert wanted(None, 50_000, "sparse", False) and wanted(None, 10**5, "sparse-nd", False)
    assert not wanted(None, 10**5, "dense", False) and not wanted(None, 10**5, "superlu", False)
    assert wanted(True, 10, "dense", False) and not wanted(False, 10**6, "sparse", False)
    assert not wanted(True, 10**6, "sparse", True)  # never on the indefinite path
    with pytest.raises(ValueError, match="probes"):
        StochasticTraces(probes=1)


def test_bivariate_with_a_covariance_residual() -> None:
    """us(trait) ⊗ id(Family), residual id(units) ⊗ us(trait) (traces on R's derivatives,
    not a scaled identity): forced on reaches the exact fit's optimum."""
    from _reml_problems import bivariate

    prob = bivariate(n_fam=60)
    on = fit_reml(prob, solver="sparse", stochastic_traces=True)
    off = fit_reml(prob, solver="sparse", stochastic_traces=False)
    assert on.converged and off.converged
    assert on.history[0].get("traces") == "stochastic"
    assert on.loglik == pytest.approx(off.loglik, abs=1e-8)
    np.testing.assert_allclose(on.theta, off.theta, rtol=1e-6, atol=1e-8)
    assert list(on.constraints) == list(off.constraints)


def test_forced_on_without_a_triangular_solve_is_exact() -> None:
    """'superlu' has no root_solve: the fit runs on exact traces (the same history)."""
    prob = animal_problem(300)[0]
    on = fit_reml(prob, solver="superlu", stochastic_traces=True)
    off = fit_reml(prob, solver="superlu", stochastic_traces=False)
    assert all("traces" not in h for h in on.history)
    assert [h["loglik"] for h in on.history] == [h["loglik"] for h in off.history]


def test_block_solve_of_many_columns() -> None:
    """CholmodFactor.solve of 40 columns (CHOLMOD once per block of columns) = numpy."""
    c = _spd(500, 6)
    b = np.random.default_rng(7).standard_normal((500, 40))
    fac = factorize(c, "sparse")
    np.testing.assert_allclose(fac.solve(b), np.linalg.solve(c.toarray(), b),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fac.solve(b[:, 3]), np.linalg.solve(c.toarray(), b[:, 3]),
                               rtol=1e-9, atol=1e-12)


def test_bivariate_animal_forced_on_reaches_the_dense_v_optimum() -> None:
    """us(trait):vm(id, Ainv) with units:us(trait) and 20 % of y2 missing, stochastic traces
    forced on: ℓ equals the dense-V REML log-likelihood (V = Z(G0 ⊗ A)Z' + R, A = inv(A⁻¹)
    and V in numpy) to 1e-8, and the Newton step from the dense ℓ's central-difference
    gradient moves no parameter by more than 1e-5 relative: the optimum."""
    from _stoch_animal import bivariate_animal_problem

    prob = bivariate_animal_problem()[0]
    res = fit_reml(prob, solver="sparse", stochastic_traces=True)
    assert res.converged
    assert res.history[0].get("traces") == "stochastic"
    assert "traces" not in res.history[-1]
    y, x = np.asarray(prob.y, dtype=float), np.asarray(sp.csc_matrix(prob.X).toarray())
    z = sp.csc_matrix(prob.random[0].Z).toarray()
    ainv = prob.random[0].template.kronecker_factors()[1][1].inverse(np.zeros(0))
    a = np.linalg.inv(ainv.toarray() if sp.issparse(ainv) else np.asarray(ainv))

    def loglik(th: np.ndarray) -> float:
        g0 = np.array([[th[0], th[1]], [th[1], th[2]]])
        r = prob.residual.matrix(th[3:])
        r = r.toarray() if sp.issparse(r) else np.asarray(r)
        return reml_loglik(y, x, z @ np.kron(g0, a) @ z.T + r)

    th = np.asarray(res.theta, dtype=float)
    assert res.loglik == pytest.approx(loglik(th), abs=1e-8)
    h = 1e-4 * np.abs(th)
    grad = np.array([(loglik(th + np.eye(6)[k] * h[k]) - loglik(th - np.eye(6)[k] * h[k]))
                     / (2 * h[k]) for k in range(6)])
    step = np.asarray(res.vcov_theta) @ grad
    assert np.max(np.abs(step) / np.abs(th)) < 1e-5
