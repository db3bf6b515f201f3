"""A variance held at its boundary value is re-scaled when that value came from a point with
next to no information on it.

asremlPlus's test41Orange.r fits ``circ ~ x + Season`` with ``str(~Tree/x, ~us(2, init =
c(5, -0.01, 1e-4)):id(5)) + spl(x) + spl(x):Tree + dev(x)``. At the start (every variance at
its default) AI of dev(x) is 8e-26, so its first scale 1/sqrt(AI) was 3.4e12 and its held
value 1e-12 of that, 3.44: dev(x) was 'B' at 3.44 for the rest of the fit (and spl(x) held at
4.2e-6, above its optimum 2.8e-6), 0.46 below the REML maximum. Checked against a dense-V
REML (tests/_dense_reml.py) over the same V(θ) = Σ Z_k T_k(θ) Z_k' + R(θ).

Data: R's ``datasets::Orange`` (Draper & Smith), the asreml ``orange`` data set's circ, with
its Season column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import lbfgsb_max, reml_loglik

import asr_py as asr
from asr_py.reml.sparse_x import as_dense

AGES = [118, 484, 664, 1004, 1231, 1372, 1582]
SEASON = ["Spring", "Spring", "Autumn", "Autumn", "Spring", "Autumn", "Spring"]
CIRC = [[30, 58, 87, 115, 120, 142, 145], [33, 69, 111, 156, 172, 203, 203],
        [30, 51, 75, 108, 115, 139, 140], [32, 62, 112, 167, 179, 209, 214],
        [30, 49, 81, 125, 142, 174, 177]]


@pytest.fixture(scope="module")
def orange() -> pd.DataFrame:
    return pd.DataFrame({
        "Tree": pd.Categorical([str(t + 1) for t in range(5) for _ in AGES]),
        "x": AGES * 5, "circ": [c for row in CIRC for c in row], "Season": SEASON * 5})


def _dense(m) -> np.ndarray:
    return m.toarray() if hasattr(m, "toarray") else np.asarray(m)


def test_a_variance_held_from_a_no_information_start_reaches_zero(orange) -> None:
    fit = asr.asreml(
        fixed="circ ~ x + Season",
        random="~ str(~Tree/x, ~us(2, init = c(5.0, -0.01, 0.0001)):id(5)) + spl(x) + "
               "spl(x):Tree + dev(x)",
        knot_points={"x": AGES}, data=orange, maxit=200)
    r = fit.result
    names = list(fit.model.param_names)
    k_dev, k_spl = names.index("dev(x)"), names.index("spl(x)")
    theta = np.asarray(r.theta, dtype=float)
    assert fit.converged
    assert r.constraints[k_dev] == "B"
    assert theta[k_dev] < 1e-8 * theta[-1]          # held at (almost) zero, not at 3.44
    assert r.constraints[k_spl] == "P"               # interior

    model = fit.model
    X = as_dense(model.X)
    y = np.asarray(model.problem(theta).y, dtype=float)

    def V_of(t: np.ndarray) -> np.ndarray:
        p = model.problem(t)
        V = sum(_dense(b.Z) @ _dense(b.template.matrix(t[sl])) @ _dense(b.Z).T
                for b, sl in zip(p.random, p.slices()))
        return V + _dense(p.residual.matrix(t[p.slices()[-1]]))

    def ll(t: np.ndarray) -> float:
        if t[0] <= 0 or t[2] <= 0 or t[1] ** 2 >= t[0] * t[2] or min(t[3:]) < 0:
            return -np.inf
        return reml_loglik(y, X, V_of(t))

    assert ll(theta) == pytest.approx(fit.loglik, abs=1e-8)
    held = theta.copy()
    held[k_dev] = 3.44494593                         # where the fit used to stop
    assert ll(held) < fit.loglik - 0.3
    scale = np.maximum(np.abs(theta), 1e-6 * theta[-1])
    bounds = [(0, None), (None, None), (0, None), (0, None), (0, None), (0, None), (1e-6, None)]
    _, best = lbfgsb_max(ll, theta, scale, bounds)
    assert fit.loglik == pytest.approx(best, abs=1e-6)
    assert fit.loglik >= best - 1e-6
