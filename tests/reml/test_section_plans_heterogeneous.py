"""A residual whose derivatives are many congruence sections of one layout:
``~ ar1(Row):ar1h(Col)`` with missing plots (a Subset; each of ar1h's column variances has
its own D_k pattern, so its own :class:`asr_py.reml.section_traces.SectionPlan`). s28perf
kept 4 plans per layout: with 10 parameters the plans were rebuilt at every point and a
freed plan's id, reused by a new one, returned another plan's H — a crash (main a0bf1e2:
'matmul: ... size 718 is different from 155'; asremlPlus test3Selection's
Block:Cart:ar1h(DAP) stopped). Checked here: the score against central differences of an
independent dense-V REML log-likelihood, the plans kept across points, and the fit at the
dense-V optimum, unchanged by y x 1000 and row order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import ar1, reml_loglik

import asr_py as asr
import asr_py.reml.section_traces as section_traces
from asr_py.reml.mme import MME

NR, NC = 20, 8
RESIDUAL = "~ ar1(Row):ar1h(Col)"


def _data(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(r + 1, c + 1) for r in range(NR) for c in range(NC)],
                     columns=["Row", "Col"])
    d["y"] = rng.normal(size=len(d)) * (1 + 0.2 * d.Col) + 0.5 * np.repeat(
        rng.normal(size=NR), NC)
    d.loc[rng.choice(len(d), 9, replace=False), "y"] = np.nan
    for c, n in (("Row", NR), ("Col", NC)):
        d[c] = pd.Categorical(d[c].astype(str), categories=[str(i + 1) for i in range(n)])
    return d


def _dense_loglik(d: pd.DataFrame, theta: np.ndarray) -> float:
    """θ = (ρ_row, ρ_col, σ_1², ..., σ_NC²): V = ar1(ρ_row) ⊗ S ar1(ρ_col) S on the
    observed plots (record order row, column), S = diag(σ_c)."""
    obs = d.y.notna().to_numpy()
    s = np.sqrt(theta[2:])
    full = np.kron(ar1(NR, theta[0]), s[:, None] * ar1(NC, theta[1]) * s[None, :])
    return reml_loglik(d.y.to_numpy()[obs], np.ones((obs.sum(), 1)), full[np.ix_(obs, obs)])


THETA = np.r_[0.4, 0.3, np.linspace(0.8, 2.0, NC)]


def test_score_equals_dense_reml_differences_and_plans_are_kept(monkeypatch) -> None:
    d = _data()
    prob = asr.compile_model("y ~ 1", None, RESIDUAL, d).problem()
    assert len(prob.names) == 2 + NC
    builds = []
    build = section_traces.SectionPlan.build.__func__

    def counted(cls, *a):  # noqa: ANN001, ANN202
        plan = build(cls, *a)
        builds.append(plan)
        return plan

    monkeypatch.setattr(section_traces.SectionPlan, "build", classmethod(counted))
    mme = MME(prob)
    st = mme.evaluate(THETA)
    score = mme.score_ai(st)[0]
    assert st.loglik == pytest.approx(_dense_loglik(d, THETA), rel=1e-12)
    first = len(builds)
    assert first >= 5 and all(b is not None for b in builds)  # more plans than 4
    h = 1e-6
    for k in range(THETA.size):
        up, dn = THETA.copy(), THETA.copy()
        up[k] += h
        dn[k] -= h
        fd = (_dense_loglik(d, up) - _dense_loglik(d, dn)) / (2 * h)
        assert score[k] == pytest.approx(fd, rel=1e-6, abs=1e-6), k
    other = THETA * np.r_[1.0, 1.3, np.linspace(1.2, 0.7, NC)]
    mme.score_ai(mme.evaluate(other))
    assert len(builds) == first  # the same layout: every plan kept


def test_fit_reaches_the_dense_reml_optimum_in_any_units_and_row_order() -> None:
    from scipy.optimize import minimize

    d = _data()
    m = asr.asreml("y ~ 1", residual=RESIDUAL, data=d)
    assert m.converged
    assert m.loglik == pytest.approx(_dense_loglik(d, np.asarray(m.result.theta)), rel=1e-10)
    # no higher dense-V REML ℓ near the estimate (a local maximum of the independent ℓ)
    t0 = np.asarray(m.result.theta, dtype=float)
    x0 = np.r_[np.arctanh(t0[:2]), np.log(t0[2:])]

    def neg(x: np.ndarray) -> float:
        return -_dense_loglik(d, np.r_[np.tanh(x[:2]), np.exp(x[2:])])

    best = minimize(neg, x0, method="L-BFGS-B")
    assert -best.fun <= m.loglik + 1e-6
    big = d.assign(y=d.y * 1000.0).sample(frac=1.0, random_state=2)
    m2 = asr.asreml("y ~ 1", residual=RESIDUAL, data=big)
    n_obs = int(d.y.notna().sum())
    assert m2.loglik == pytest.approx(m.loglik - (n_obs - 1) * np.log(1000.0), abs=1e-6)
