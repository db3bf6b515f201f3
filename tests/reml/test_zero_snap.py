"""'P' variances whose estimate is zero are coded 'B' at the constrained optimum
(reml/zero_snap.py, reml/ai_step.py; ASReml's rule: a variance that repeatedly tries to go
negative is fixed at a small positive value and coded 'B' rather than 'P').

Data: group A's blocks share no effect (between-block variance 0 by construction), so the
REML estimate of ``at(g, 'A'):blk`` lies at its boundary; a dense-V REML maximised over the
constrained space (variances >= 0) confirms it is the constrained optimum, and the codes
and the log-likelihood agree with it. The snap itself is checked on its rule: a small
variance whose one-parameter Newton step goes negative is a candidate, the values tried
go down to its boundary value, and a gain far above the quadratic model's is refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

import asr_py as asr
from asr_py.reml.iter_context import IterContext
from asr_py.reml.zero_snap import (
    SNAP_REL,
    SNAP_REPEAT,
    repeated,
    snap_candidates,
    snap_gain_ok,
    snap_values,
)
from asr_py.translate.runtime import r_loglik, r_varcomp


def _data(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for g, sd_b in (("A", 0.0), ("B", 2.0)):
        for b in range(8):
            eff = rng.normal(0, sd_b)
            rows += [(g, f"{g}{b}", eff + rng.normal(0, 1)) for _ in range(4)]
    df = pd.DataFrame(rows, columns=["g", "blk", "y"])
    return df.astype({"g": "category", "blk": "category"})


def _dense(df: pd.DataFrame, th: np.ndarray) -> float:
    """REML ℓ (asreml's constant) of V = Σ_g σ²_bg Z_g Z_g' + Σ_g σ²_g I_g, dense."""
    y = df["y"].to_numpy(float)
    X = np.column_stack([np.ones(len(y)), (df["g"] == "B").to_numpy(float)])
    same = (df["blk"].to_numpy()[:, None] == df["blk"].to_numpy()[None, :]).astype(float)
    s = [(df["g"] == lv).to_numpy(float) for lv in ("A", "B")]
    V = (th[0] * same * np.outer(s[0], s[0]) + th[1] * same * np.outer(s[1], s[1])
         + np.diag(th[2] * s[0] + th[3] * s[1]))
    Vi = np.linalg.inv(V)
    XVX = X.T @ Vi @ X
    r = y - X @ np.linalg.solve(XVX, X.T @ Vi @ y)
    return float(-0.5 * (np.linalg.slogdet(V)[1] + np.linalg.slogdet(XVX)[1] + r @ Vi @ r))


@pytest.mark.parametrize("seed", [1, 2, 15])
def test_zero_variance_is_coded_b_at_the_constrained_optimum(seed: int) -> None:
    df = _data(seed)
    m = asr.asreml("y ~ g", random="~ at(g):blk", residual="~ dsum(~ units | g)", data=df)
    vc = r_varcomp(m)
    assert m.converged
    assert list(vc["bound"]) == ["B", "P", "P", "P"]
    ours = vc["component"].to_numpy(float)
    assert ours[0] < 1e-8 * ours[2]
    assert np.isnan(vc["std.error"].iloc[0])
    # the dense constrained optimum (L-BFGS-B on variances >= 0) is the same point
    best = minimize(lambda t: -_dense(df, t), np.ones(4), method="L-BFGS-B",
                    bounds=[(0.0, None)] + [(1e-6, None)] * 3)
    assert best.x[0] == pytest.approx(0.0, abs=1e-4)
    np.testing.assert_allclose(ours[1:], best.x[1:], rtol=2e-3)
    assert r_loglik(m) == pytest.approx(-best.fun, abs=1e-5)
    assert _dense(df, ours) == pytest.approx(r_loglik(m), abs=1e-6)
    # ℓ increases outwards at the bound: moving the variance up lowers it
    up = ours.copy()
    up[0] = 1e-3 * ours[2]
    assert _dense(df, up) < _dense(df, ours)


def _ctx() -> tuple[IterContext, int]:
    model = asr.compile_model("y ~ g", "~ at(g):blk", "~ dsum(~ units | g)", _data(1))
    problem = model.problem()
    return IterContext(problem), 0


def test_snap_candidates_follow_the_rule() -> None:
    ctx, k = _ctx()
    nt = len(ctx.cons)
    theta = np.ones(nt)
    ai = np.eye(nt)
    fixed = np.zeros(nt, dtype=bool)
    score = np.zeros(nt)
    theta[k] = 0.1 * SNAP_REL            # small against its SE 1/sqrt(AI_kk) = 1 ...
    score[k] = -1.0                                       # ... and its Newton step < 0
    assert snap_candidates(ctx, theta, score, ai, fixed)[k]
    score[k] = +1.0                                       # ℓ increases upwards: no
    assert not snap_candidates(ctx, theta, score, ai, fixed)[k]
    score[k] = -1.0
    theta[k] = 10 * SNAP_REL               # not small: no
    assert not snap_candidates(ctx, theta, score, ai, fixed).any()
    fixed[k] = True
    theta[k] = 0.1 * SNAP_REL
    assert not snap_candidates(ctx, theta, score, ai, fixed).any()
    # snapped only after SNAP_REPEAT iterations in a row as a candidate
    mask = np.zeros(nt, dtype=bool)
    mask[k] = True
    for _ in range(SNAP_REPEAT - 1):
        assert not repeated(ctx, mask).any()
    assert not repeated(ctx, np.zeros(nt, dtype=bool)).any()   # the run is broken
    for _ in range(SNAP_REPEAT - 1):
        assert not repeated(ctx, mask).any()
    assert repeated(ctx, mask)[k]


def test_snap_values_go_down_to_the_boundary_and_gain_is_checked() -> None:
    ctx, k = _ctx()
    nt = len(ctx.cons)
    theta = np.ones(nt)
    theta[k] = 1e-6
    mask = np.zeros(nt, dtype=bool)
    mask[k] = True
    vals = [v[k] for v in snap_values(ctx, theta, mask)]
    assert vals == sorted(vals) and vals[-1] == pytest.approx(1e-7)
    assert vals[0] >= ctx.bval[k] and all(np.delete(v, k).tolist() == [1.0] * (nt - 1)
                                          for v in snap_values(ctx, theta, mask))
    delta = np.zeros(nt)
    delta[k] = -1e-6
    score = np.zeros(nt)
    score[k] = -100.0                          # predicted gain 1e-4
    ai = np.eye(nt)
    assert snap_gain_ok(1.2e-4, delta, score, ai, 1e-9)
    assert not snap_gain_ok(-1e-3, delta, score, ai, 1e-9)    # ℓ went down
    assert not snap_gain_ok(5.0, delta, score, ai, 1e-9)      # a numerical artefact
