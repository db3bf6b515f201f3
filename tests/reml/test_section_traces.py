"""The residual score of ``dsum(~ ar1(Row):ar1(Col) | House)`` with missing plots (each
section a Subset on its complement path, R_s⁻¹Ṙ_kR_s⁻¹ = T'D_kT) through
reml/section_traces.py's planned traces H = UZU' (s28perf): against central differences of
an independent dense-V REML log-likelihood (tests/_dense_reml.py, V built here from numpy's
ar1), against the product path U'(D_kU) it replaces, and a whole fit against that path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import ar1, reml_loglik

import asr_py as asr
from asr_py.reml.mme import MME

NR, NC = 15, 14  # Σ⁻¹ sparse enough (Subset.MAX_INV_DENSITY) for the complement path
HOUSES = ("A", "B")


def _data(seed: int = 3, house_b_complete: bool = False) -> pd.DataFrame:
    """Two houses of NR x NC plots (record order: house, row, column), a cluster of
    adjacent missing plots in house A (a connected block of Q_mm) and scattered ones."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(h, r + 1, c + 1) for h in HOUSES for r in range(NR) for c in range(NC)],
                     columns=["House", "Row", "Col"])
    d["Trt"] = [f"T{t}" for t in rng.integers(0, 5, len(d))]
    house_b = (d.House == "B").to_numpy()
    d["y"] = (rng.normal(size=len(d)) + 0.3 * d.Trt.str[1:].astype(int) + 2.0 * house_b
              + np.repeat(rng.normal(size=2 * NR), NC))
    miss = np.zeros(len(d), dtype=bool)
    for r, c in ((3, 2), (3, 3), (4, 3), (5, 3)):  # connected, house A
        miss[(r - 1) * NC + (c - 1)] = True
    if not house_b_complete:
        miss[rng.choice(np.flatnonzero(house_b), 5, replace=False)] = True
    miss[[0, 40]] = True
    d.loc[miss, "y"] = np.nan
    for c in ("House", "Row", "Col", "Trt"):
        d[c] = pd.Categorical(d[c].astype(str), categories=list(dict.fromkeys(d[c].astype(str))))
    return d


FIXED, RANDOM, RESIDUAL = "y ~ House + Trt", "~ House:Row", "~ dsum(~ar1(Row):ar1(Col) | House)"


def _problem(d: pd.DataFrame):  # noqa: ANN202 - a MixedProblem
    return asr.compile_model(FIXED, RANDOM, RESIDUAL, d).problem()


def _dense_loglik(d: pd.DataFrame, theta: np.ndarray) -> float:
    """Dense-V REML at θ = (σ²_g, then per house σ², ρ_row, ρ_col), V and X from numpy."""
    obs = d.y.notna().to_numpy()
    y = d.y.to_numpy()[obs]
    house = d.House.to_numpy()[obs]
    trt = pd.get_dummies(d.Trt.astype(str)).to_numpy(float)[obs][:, 1:]
    X = np.column_stack([np.ones(obs.sum()), (house == "B").astype(float), trt])
    hr = (d.House.astype(str) + ":" + d.Row.astype(str)).to_numpy()[obs]
    Z = (hr[:, None] == np.unique(hr)[None, :]).astype(float)
    V = theta[0] * Z @ Z.T
    n_grid = NR * NC
    for k, h in enumerate(HOUSES):
        s2, r1, r2 = theta[1 + 3 * k: 4 + 3 * k]
        kept = np.flatnonzero(obs[k * n_grid:(k + 1) * n_grid])
        at = np.flatnonzero(house == h)
        V[np.ix_(at, at)] += s2 * np.kron(ar1(NR, r1), ar1(NC, r2))[np.ix_(kept, kept)]
    return reml_loglik(y, X, V)


THETA = np.array([0.6, 1.1, 0.35, -0.25, 0.8, 0.15, 0.5])


def test_score_on_the_planned_path_equals_dense_reml_differences() -> None:
    d = _data()
    prob = _problem(d)
    assert prob.names == ["House:Row"] + [f"House_{h}!Row:Col!{p}" for h in HOUSES
                                          for p in ("R", "Row!cor", "Col!cor")]
    mme = MME(prob)
    st = mme.evaluate(THETA)
    score, _ = mme.score_ai(st)
    assert mme.__dict__.get("_section_plans") and not mme.__dict__.get("_no_section_plans")
    assert st.loglik == pytest.approx(_dense_loglik(d, THETA), rel=1e-12)
    h = 1e-5
    for k in range(THETA.size):
        up, dn = THETA.copy(), THETA.copy()
        up[k] += h
        dn[k] -= h
        fd = (_dense_loglik(d, up) - _dense_loglik(d, dn)) / (2 * h)
        assert score[k] == pytest.approx(fd, rel=1e-6, abs=1e-6), k


def test_planned_traces_equal_the_product_path() -> None:
    """The residual entries of the score from H = UZU' against U'(D_kU) looked up in C's
    pattern (the same terms summed in another order), at two points; and under y x 1000
    (θ's variances x 10⁶) the traces scale as 1/σ² (units-free plan)."""
    d = _data()
    for theta in (THETA, np.array([1.7, 0.4, 0.7, 0.1, 2.2, -0.3, 0.05])):
        new = MME(_problem(d))
        old = MME(_problem(d))
        old._no_section_plans = True
        s_new = new.score_ai(new.evaluate(theta))[0]
        s_old = old.score_ai(old.evaluate(theta))[0]
        assert new.__dict__.get("_section_plans") and not old.__dict__.get("_section_plans")
        # the score is a difference of traces of size ~n/σ²: round-off relative to those
        scale = np.array([1.0 / theta[0]] + [1.0 / theta[1 + 3 * (k // 3)] for k in range(6)])
        np.testing.assert_allclose(s_new, s_old, rtol=0, atol=1e-11 * len(d) * scale.max())
    big = d.assign(y=d.y * 1000.0)
    th_big = THETA * np.array([1e6, 1e6, 1, 1, 1e6, 1, 1])
    m_big = MME(_problem(big))
    s_big = m_big.score_ai(m_big.evaluate(th_big))[0]
    m = MME(_problem(d))
    s = m.score_ai(m.evaluate(THETA))[0]
    np.testing.assert_allclose(s_big * np.array([1e6, 1e6, 1, 1, 1e6, 1, 1]), s, rtol=1e-8,
                               atol=1e-9)


def test_fit_on_the_planned_path_equals_the_product_path(monkeypatch) -> None:
    d = _data()
    new = asr.asreml(FIXED, random=RANDOM, residual=RESIDUAL, data=d)
    monkeypatch.setattr(MME, "_planned_traces", lambda self, *a: None)
    old = asr.asreml(FIXED, random=RANDOM, residual=RESIDUAL, data=d)
    assert new.converged and old.converged
    assert new.loglik == pytest.approx(old.loglik, rel=1e-12)
    np.testing.assert_allclose(new.varcomp["component"], old.varcomp["component"], rtol=1e-7)


def test_structural_gram_kept_per_layout() -> None:
    """A refit of one layout reads W'R⁻¹W's structural pattern kept by the first fit (the
    same C pattern, ℓ to the last digit); another layout (other missing plots) forms its
    own, and its ℓ is the dense-V REML's."""
    from asr_py.reml import mme as mme_mod

    mme_mod._recent_grams.items = []
    d = _data()
    first = MME(_problem(d))
    ll = first.evaluate(THETA).loglik
    assert len(mme_mod._recent_grams.items) == 1
    again = MME(_problem(d))
    assert again.evaluate(THETA).loglik == ll
    assert len(mme_mod._recent_grams.items) == 1
    np.testing.assert_array_equal(again._cpat.rows, first._cpat.rows)
    other = _data(seed=8)
    m = MME(_problem(other))
    assert m.evaluate(THETA).loglik == pytest.approx(_dense_loglik(other, THETA), rel=1e-12)
    assert len(mme_mod._recent_grams.items) == 2
    # a W with a stored zero is not looked up (a stored zero drops out of the product)
    w = first.W.copy()
    w.data[0] = 0.0
    gram = mme_mod._structural_gram(w, first.problem.residual.inverse_pattern(
        THETA[first.problem.residual_offset:]))
    assert len(mme_mod._recent_grams.items) == 2 and gram.nnz <= first._cpat.nnz


def test_mixed_sections_plan_the_congruence_ones() -> None:
    """House B complete (its section a permutation: R⁻¹ṘR⁻¹ as matrices), house A with
    missing plots (a congruence): A's three traces planned, B's by the product path; the
    score against dense-V REML differences and against the product path for all."""
    d = _data(house_b_complete=True)
    mme = MME(_problem(d))
    secs = mme.problem.residual.inv_deriv_inv_sections(THETA[1:])
    from asr_py.vcov.base import Congruence

    assert [isinstance(r, Congruence) for _, r in secs] == [True] * 3 + [False] * 3
    st = mme.evaluate(THETA)
    score = mme.score_ai(st)[0]
    assert mme.__dict__.get("_section_plans") and not mme.__dict__.get("_no_section_plans")
    old = MME(_problem(d))
    old._no_section_plans = True
    s_old = old.score_ai(old.evaluate(THETA))[0]
    np.testing.assert_allclose(score, s_old, rtol=0, atol=1e-11 * len(d) / THETA[[1, 4]].min())
    h = 1e-5
    for k in range(THETA.size):
        up, dn = THETA.copy(), THETA.copy()
        up[k] += h
        dn[k] -= h
        fd = (_dense_loglik(d, up) - _dense_loglik(d, dn)) / (2 * h)
        assert score[k] == pytest.approx(fd, rel=1e-6, abs=1e-6), k
