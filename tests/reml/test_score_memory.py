"""The score and AI of the memory-lean paths (issue 16, goal 4's memory) against a dense-V
REML in numpy.

``MME.score_from`` takes C⁻¹ on C's lower triangle only and forms tr(C⁻¹W'W) by a chunked
dot (``cpattern.CHUNK``); ``MME.ai_parts`` skips the n x n_θ copy R⁻¹Q for a scaled residual
from ``mme.TRIM_MIN_RECORDS`` records. Both are forced here on small problems (a threshold
of 0, chunks of 7 entries) and checked against

* the score: central finite differences of the dense-V REML log-likelihood
  (``_reml_problems.dense_loglik``: V = Σ Z G Z' + R formed densely, no asr_py solver);
* the AI matrix: ½ y'P V̇_i P V̇_j P y with P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹ formed densely
  (V̇_i by differences of V(θ), which is linear in θ here: exact);

and against the default paths (equal to round-off), on a small crossed design (three
crossed factors, blocked and sparse backends) and a small animal model (A⁻¹, sparse).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _reml_problems import dense_loglik, indicator
from _stoch_animal import animal_problem

import asr_py.reml.cpattern as cpattern
import asr_py.reml.mme as mme_mod
from asr_py.reml import MixedProblem, RandomBlock
from asr_py.reml.mme import MME
from asr_py.vcov import IdentityV


def crossed_problem(seed: int = 4) -> MixedProblem:
    """y ~ 1 + (1|a) + (1|b) + (1|c): 240 records, 9 x 14 x 5 unbalanced crossed levels."""
    rng = np.random.default_rng(seed)
    n = 240
    df = pd.DataFrame({"a": rng.integers(0, 9, n), "b": rng.integers(0, 14, n),
                       "c": rng.integers(0, 5, n)})
    y = (3.0 + rng.normal(0, 1.2, 9)[df.a] + rng.normal(0, 0.8, 14)[df.b]
         + rng.normal(0, 0.5, 5)[df.c] + rng.normal(0, 1.0, n))
    blocks = []
    for name in "abc":
        z, lv = indicator(df[name])
        blocks.append(RandomBlock(name, z, IdentityV(lv, name=name)))
    return MixedProblem(y=y, X=np.ones((n, 1)), random=blocks,
                        residual=IdentityV([str(i) for i in range(n)], name="units"),
                        theta0=[1.0, 0.5, 0.3, 1.0], constraints=["P"] * 4,
                        names=["a", "b", "c", "units"], x_names=["(Intercept)"])


def _dense_v(problem: MixedProblem, theta: np.ndarray) -> np.ndarray:
    def dense(m):
        return m.toarray() if sp.issparse(m) else np.asarray(m, float)

    v = dense(problem.residual.matrix(theta[problem.residual_offset:]))
    for b in problem.random:
        z = b.Z.toarray()
        v = v + z @ dense(b.template.matrix(theta[b.offset:b.offset + b.template.n_params])) @ z.T
    return v


def dense_score_ai(problem: MixedProblem, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(central-difference score of the dense REML ℓ, dense AI ½ y'PV̇ᵢPV̇ⱼPy)."""
    nt = theta.size
    score = np.empty(nt)
    for k in range(nt):
        h = 1e-5 * theta[k]
        up, dn = theta.copy(), theta.copy()
        up[k] += h
        dn[k] -= h
        score[k] = (dense_loglik(problem, up) - dense_loglik(problem, dn)) / (2 * h)
    x = problem.X.toarray() if sp.issparse(problem.X) else np.asarray(problem.X, float)
    y = np.asarray(problem.y, float)
    vi = np.linalg.inv(_dense_v(problem, theta))
    pm = vi - vi @ x @ np.linalg.solve(x.T @ vi @ x, x.T @ vi)
    v0 = _dense_v(problem, theta)
    py = pm @ y
    work = []
    for k in range(nt):
        t = theta.copy()
        t[k] += 1.0
        work.append(pm @ ((_dense_v(problem, t) - v0) @ py))  # P V̇_k P y
    ai = np.empty((nt, nt))
    for i in range(nt):
        t = theta.copy()
        t[i] += 1.0
        vd = _dense_v(problem, t) - v0
        for j in range(nt):
            ai[i, j] = 0.5 * float(py @ vd @ work[j])
    return score, ai


def _lean(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the large-fit paths on a small problem (the process's malloc left alone)."""
    monkeypatch.setattr(mme_mod, "TRIM_MIN_RECORDS", 0)
    monkeypatch.setattr(mme_mod, "map_large_arrays", lambda: False)
    monkeypatch.setattr(mme_mod, "release_free_memory", lambda: False)
    monkeypatch.setattr(cpattern, "CHUNK", 7)


def _score_ai(problem: MixedProblem, theta: np.ndarray, solver: str
              ) -> tuple[np.ndarray, np.ndarray]:
    m = MME(problem, solver)
    return m.score_ai(m.evaluate(theta))


CASES = {
    "crossed-blocked": (crossed_problem, "blocked", np.array([0.9, 0.6, 0.2, 1.3])),
    "crossed-sparse": (crossed_problem, "sparse", np.array([0.9, 0.6, 0.2, 1.3])),
    "animal-sparse": (lambda: animal_problem(n=300, gens=4)[0], "sparse",
                      np.array([0.8, 1.7])),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_lean_score_and_ai_equal_dense_reml(case: str, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    build, solver, theta = CASES[case]
    problem = build()
    s_ref, ai_ref = _score_ai(problem, theta, solver)  # the default paths
    _lean(monkeypatch)
    s, ai = _score_ai(problem, theta, solver)
    s_dense, ai_dense = dense_score_ai(problem, theta)
    scale = np.abs(s_dense).max()
    assert np.abs(s - s_dense).max() < 1e-6 * max(scale, 1.0)
    assert ai == pytest.approx(ai_dense, rel=1e-8, abs=1e-10 * np.abs(ai_dense).max())
    # the lean paths change only the order of the sums
    assert s == pytest.approx(s_ref, rel=1e-11, abs=1e-11 * scale)
    assert ai == pytest.approx(ai_ref, rel=1e-12)


def test_dot_full_and_on_full_match_the_full_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    """A symmetric matrix given on C's lower triangle, read at both triangles' positions."""
    problem = crossed_problem()
    m = MME(problem, "sparse")
    st = m.evaluate(problem.theta0)
    pat = st.pattern
    full = pat.csc(np.arange(pat.nnz, dtype=float)).toarray()
    rng = np.random.default_rng(2)
    s = rng.normal(size=full.shape)
    s = s + s.T  # symmetric
    z_low = s[pat.low_rows, pat.low_cols]
    rows = pat.rows.astype(np.int64)
    cols = pat.cols
    z_full = s[rows, cols]
    pos = np.flatnonzero(rng.random(pat.nnz) < 0.6)
    assert np.array_equal(pat.on_full(z_low, pos), z_full[pos])
    vals = rng.normal(size=pos.size)
    monkeypatch.setattr(cpattern, "CHUNK", 5)
    assert pat.dot_full(vals, pos, z_low) == pytest.approx(float(vals @ z_full[pos]),
                                                           rel=1e-12)


def test_pattern_rebuilt_from_itself_equals_the_first() -> None:
    """A scaled residual's W'ΛW is kept only in C's pattern (mme._base freed); a rebuild
    (a term's G⁻¹ pattern changed) takes it back from the pattern: the same entries, in
    the same order, so the same C and ℓ."""
    problem = crossed_problem()
    m = MME(problem, "sparse")
    theta = np.array([0.9, 0.6, 0.2, 1.3])
    st = m.evaluate(theta)
    assert m._base is None
    first = st.pattern
    back = first.base()
    x = problem.X
    w = sp.hstack([sp.csc_matrix(x), *[b.Z for b in problem.random]], format="csc")
    assert abs(back.tocsc() - (w.T @ w).tocsc()).max() == 0
    tv = [t.values(m.theta_of(theta, j)) for j, t in enumerate(m.terms)]
    again = m._pattern(tv, rebuild=True)
    assert again is not first and m._base is None
    assert np.array_equal(again.rows, first.rows) and np.array_equal(again.indptr, first.indptr)
    assert np.array_equal(again.base_pos, first.base_pos)
    assert m.evaluate(theta).loglik == st.loglik


@pytest.mark.parametrize("case", ["crossed", "animal"])
def test_products_without_w_equal_ws_own(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large scaled fits drop W = [X Z_1 ... Z_k]: W v and W'q from the blocks give W's own
    CSC products digit for digit, and the evaluation (ℓ, solution, residuals) is unchanged."""
    problem = crossed_problem() if case == "crossed" else animal_problem(n=300, gens=4)[0]
    theta = np.asarray(problem.theta0, float)
    ref = MME(problem, "sparse")
    st_ref = ref.evaluate(theta)
    w = ref.W
    _lean(monkeypatch)
    m = MME(problem, "sparse")
    assert m._W is None
    rng = np.random.default_rng(1)
    v = rng.normal(size=m.N)
    q = rng.normal(size=(m.n, 3))
    assert np.array_equal(m.w_times(v), np.asarray(w @ v).ravel())
    assert np.array_equal(m.wt_times(q), np.asarray(w.T @ q))
    assert abs(m.W - w).max() == 0  # formed again when asked for
    st = m.evaluate(theta)
    assert st.loglik == st_ref.loglik and np.array_equal(st.sol, st_ref.sol)
    assert np.array_equal(m.residuals(st), ref.residuals(st_ref))
