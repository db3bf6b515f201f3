"""FA MET fits at users' scale (s23fa): the closed forms and the dense residual sections.

* ``gen:fa(env, k)`` with more environments than :data:`PRODUCT_FULL_PART_MAX`: Σ⁻¹ of fa is
  dense anyway, so the term takes the closed forms of :class:`ProductInverse` (before: the
  general path, one n x n sparse Kronecker product G⁻¹Ġ_kG⁻¹ per parameter per iteration).
* ``dsum(~ ar1(row):ar1(col) | env)`` where a trial fills under half its grid: R_s⁻¹ is dense
  (composite.Subset 'dense'); its W_s'MW_s is formed on the equations the section touches.

Both checked against the general path, the dense-V REML log-likelihood (numpy,
tests/reml/_reml_problems.dense_loglik) and central differences of ℓ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _reml_problems import dense_loglik

import asr_py as asr
import asr_py.reml.mme as mme_mod
from asr_py.reml.ginverse import PRODUCT_FULL_PART_MAX, GeneralInverse, ProductInverse
from asr_py.reml.mme import MME


def _met(n_env: int, n_gen: int, k: int, seed: int = 11) -> pd.DataFrame:
    """n_env trials x n_gen genotypes x 2 reps; genotype effects from a rank-k Λ plus Ψ."""
    rng = np.random.default_rng(seed)
    lam = rng.normal(0.8, 0.4, size=(n_env, k))
    g = rng.normal(size=(n_gen, k)) @ lam.T + rng.normal(0, 0.5, size=(n_gen, n_env))
    env = np.repeat(np.arange(n_env), n_gen * 2)
    gen = np.tile(np.repeat(np.arange(n_gen), 2), n_env)
    y = 5 + 0.3 * env % 3 + g[gen, env] + rng.normal(0, 1.0, env.size)
    return pd.DataFrame({"env": pd.Categorical([f"E{e:02d}" for e in env]),
                         "gen": pd.Categorical([f"G{i:02d}" for i in gen]), "y": y})


def _fd(m: MME, th: np.ndarray, free: np.ndarray) -> np.ndarray:
    h = 1e-5 * np.maximum(np.abs(th), 0.1)
    out = np.full(th.size, np.nan)
    for i in np.flatnonzero(free):
        e = np.zeros(th.size)
        e[i] = h[i]
        out[i] = (m.evaluate(th + e).loglik - m.evaluate(th - e).loglik) / (2 * h[i])
    return out


@pytest.mark.parametrize("k", [1, 2])
def test_fa_beyond_the_full_part_limit_takes_the_closed_forms(k: int) -> None:
    n_env = PRODUCT_FULL_PART_MAX + 4
    d = _met(n_env, 5, k)
    prob = asr.compile_model("y ~ env", random=f"~ gen:fa(env, {k})", data=d).problem()
    m, gen = MME(prob, solver="sparse"), MME(prob, solver="sparse", fast=False)
    assert type(m.terms[0]) is ProductInverse
    assert type(gen.terms[0]) is GeneralInverse
    rng = np.random.default_rng(3)
    n_fa = n_env * (k + 1)
    th = np.concatenate([rng.uniform(0.2, 0.6, n_env),
                         rng.normal(0.7, 0.3, n_env * k), [1.1]])
    fixed = np.zeros(th.size, dtype=bool)
    for j in range(1, k):  # fa's structural zeros (λ_ij = 0, i < j) stay at 0
        fixed[n_env + j * n_env:n_env + j * n_env + j] = True
    th[fixed] = 0.0
    assert prob.n_theta == n_fa + 1
    st, sg = m.evaluate(th), gen.evaluate(th)
    assert st.loglik == pytest.approx(dense_loglik(prob, th), rel=1e-10)
    assert st.loglik == pytest.approx(sg.loglik, rel=1e-12)
    s, ai = m.score_ai(st)
    s_g, ai_g = gen.score_ai(sg)
    np.testing.assert_allclose(s, s_g, rtol=1e-8, atol=1e-9 * np.abs(s_g).max())
    np.testing.assert_allclose(ai, ai_g, rtol=1e-8, atol=1e-9 * np.abs(ai_g).max())
    fd = _fd(m, th, ~fixed)
    np.testing.assert_allclose(s[~fixed], fd[~fixed], rtol=1e-4,
                               atol=1e-5 * np.abs(fd[~fixed]).max())
    np.testing.assert_allclose(m.problem.random[0].template.em_block(th[:n_fa]),
                               m.terms[0].em_block(th[:n_fa]), rtol=1e-9, atol=1e-12)


def _sparse_trials(seed: int = 5) -> pd.DataFrame:
    """Three 8 x 9 trials, AR1 x AR1 errors; two keep under half their plots, one all but
    four: R_s⁻¹ dense in each (Subset 'dense': under half the grid, or a grid so small that
    its Σ⁻¹ is over 5 % full)."""
    rng = np.random.default_rng(seed)
    nr, nc = 8, 9
    i = np.arange(nr)
    j = np.arange(nc)
    frames = []
    for t, keep_n in enumerate((30, 25, 68)):
        a = np.kron(0.5 ** np.abs(i[:, None] - i[None, :]), 0.3 ** np.abs(j[:, None] - j[None, :]))
        e = np.linalg.cholesky(a) @ rng.normal(size=nr * nc)
        r, c = np.divmod(np.arange(nr * nc), nc)
        f = pd.DataFrame({"trial": f"T{t + 1}", "row": r + 1, "col": c + 1,
                          "gen": rng.permutation(np.arange(nr * nc) % 12),
                          "y": 10 + t + e})
        f["y"] += rng.normal(0, 0.8, 12)[f.gen]
        frames.append(f.iloc[np.sort(rng.choice(nr * nc, keep_n, replace=False))])
    d = pd.concat(frames, ignore_index=True)
    d["gen"] = d.gen.map(lambda g: f"G{g:02d}")
    for c in ("trial", "row", "col", "gen"):
        d[c] = pd.Categorical(d[c].astype(str) if c != "gen" else d[c],
                              categories=sorted(d[c].astype(str).unique(),
                                                key=lambda v: (len(v), v)))
    return d


def test_dense_residual_sections_score_on_the_sparse_path(monkeypatch) -> None:
    d = _sparse_trials()
    prob = asr.compile_model("y ~ trial", random="~ gen", data=d,
                             residual="~ dsum(~ ar1(row):ar1(col) | trial)").problem()
    calls = []
    real = mme_mod._dense_section_gram
    monkeypatch.setattr(mme_mod, "_dense_section_gram",
                        lambda ws, m: calls.append(m.shape) or real(ws, m))
    m = MME(prob, solver="sparse")
    th = np.array([0.6] + [1.3, 0.45, 0.25, 0.9, 0.35, 0.1, 1.1, 0.5, 0.3])
    assert th.size == prob.n_theta
    st = m.evaluate(th)
    assert st.pattern is not None  # C on a sparse pattern, not the dense assembly
    assert st.loglik == pytest.approx(dense_loglik(prob, th), rel=1e-10)
    s, _ = m.score_ai(st)
    assert sorted({c[0] for c in calls}) == [25, 30, 68]  # each trial's section
    fd = _fd(m, th, np.ones(th.size, dtype=bool))
    np.testing.assert_allclose(s, fd, rtol=1e-5, atol=1e-6 * np.abs(fd).max())


@pytest.mark.parametrize("k", [1, 2, 3])
def test_fa_parameter_count_without_names(k: int) -> None:
    """n_params (counted, not from the names) is asreml's n(k + 1) for fa and rr."""
    from asr_py.vcov.factor_analytic import FactorAnalytic, ReducedRank

    for cls in (FactorAnalytic, ReducedRank):
        t = cls([f"E{i}" for i in range(5)], name="env", order=k)
        assert t.n_params == 5 * (k + 1) == len(t.param_names) == len(t.param_kinds)
