"""Given start values at which C cannot be factored (reml/start_repair.py).

asremlPlus's test41Selection.r (briencj/asremlPlus) fits PSA.27 ~ Lane + Position with
``random = ~ units`` and ``residual = ~ ar1(Lane):ar1(Position)``; a fit that holds the residual
variance at its boundary (1.66e-12 beside a units variance of 23.3: our engine's point before
session 14, which was not the optimum, see test_resid_held.py; any fit with a residual
variance at zero) carried into ``changeModelOnIC(newResidual = "ar1(Lane):Position")`` refits
with those estimates as start values (update()). C is then positive definite in exact
arithmetic only: the fit must start (as asreml's does) from repaired values and reach the
dense-V REML optimum (scipy, several starts; ρ within ASReml's !ARLIMIT 0.99; there on the
limit, so fixed at −0.98 as asreml does, reml/ar_limit_fix.py).
Data: fetched asremlplus_psa27.csv (asremlPlus's PSA.27.dat).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from _dense_reml import lag_power, lbfgsb_max
from _psa27 import psa27

import asr_py as asr
from asr_py.reml import fit_reml
from asr_py.reml.start_repair import START_FLOOR, StartValueError, raised_variances
from asr_py.translate.runtime import r_loglik

ARGS = dict(fixed="PSA ~ Lane + Position", random="~ units",
            residual="~ ar1(Lane):Position")


@pytest.fixture(scope="module")
def psa() -> pd.DataFrame:
    return psa27()


def _carried(psa: pd.DataFrame) -> pd.DataFrame:
    """The start table update() builds from the ar1(Lane):ar1(Position) fit's estimates."""
    table = asr.asreml(**ARGS, data=psa, start_values=True)
    vals = {"units": 23.33859, "Lane:Position!R": 1.661234e-12,
            "Lane:Position!Lane!cor": -0.01093136}
    for name, v in vals.items():
        assert (table["Component"] == name).sum() == 1, table
        table.loc[table["Component"] == name, "Value"] = v
    return table


def _dense_loglik_of(psa: pd.DataFrame) -> Callable[[float, float, float], float]:
    """``ll(su, sr, rho)``: REML ℓ (asreml's constant) of V = σ_u² I + σ_r² AR1(ρ)_Lane ⊗
    I_Position, dense (the design formed once for the optimiser)."""
    y = psa["PSA"].to_numpy(float)
    X = pd.get_dummies(psa[["Lane", "Position"]], drop_first=True).to_numpy(float)
    X = np.column_stack([np.ones(len(y)), X])
    lane = psa["Lane"].cat.codes.to_numpy()
    pos = psa["Position"].cat.codes.to_numpy()
    lag = np.abs(lane[:, None] - lane[None, :])
    same_pos = pos[:, None] == pos[None, :]

    def ll(su: float, sr: float, rho: float) -> float:
        corr = lag_power(rho, lag) * same_pos
        V = su * np.eye(len(y)) + sr * corr
        Vi = np.linalg.inv(V)
        XVX = X.T @ Vi @ X
        r = y - X @ np.linalg.solve(XVX, X.T @ Vi @ y)
        return float(-0.5 * (np.linalg.slogdet(V)[1] + np.linalg.slogdet(XVX)[1] + r @ Vi @ r))

    return ll


def test_carried_boundary_estimates_cannot_start_unrepaired(psa: pd.DataFrame) -> None:
    model = asr.compile_model(ARGS["fixed"], ARGS["random"], ARGS["residual"], psa)
    model.apply_params(_carried(psa))
    with pytest.raises(StartValueError, match="cannot be solved at the start values"):
        fit_reml(model.problem())
    theta, raised = raised_variances(model.problem(), model.default_theta())
    assert raised == ["Lane:Position!R"]
    k = model.param_names.index("Lane:Position!R")
    assert theta[k] == pytest.approx(START_FLOOR * model.default_theta()[k])


def test_fit_from_carried_estimates_starts_and_reaches_the_optimum(psa: pd.DataFrame) -> None:
    ref = asr.asreml(**ARGS, data=psa)
    m = asr.asreml(**ARGS, data=psa, params=_carried(psa))
    assert "could not be evaluated" in m.diagnostics[0]
    assert "'Lane:Position!R'" in m.diagnostics[0]
    assert r_loglik(m) == pytest.approx(r_loglik(ref), abs=1e-5)
    vc = m.varcomp["component"]
    su, sr, rho = (float(vc[n]) for n in ("units", "Lane:Position!R",
                                           "Lane:Position!Lane!cor"))
    dense_ll = _dense_loglik_of(psa)
    assert dense_ll(su, sr, rho) == pytest.approx(r_loglik(m), abs=1e-6)
    assert m.converged, m.diagnostics
    # the dense-V REML optimum (independent of asr_py) from several starts

    def ll(x: np.ndarray) -> float:
        if x[0] < 0 or x[1] < 0 or abs(x[2]) > 0.99:
            return -np.inf
        try:
            return dense_ll(*x)
        except np.linalg.LinAlgError:
            return -np.inf

    best, xb = -np.inf, None
    for x0 in ([20.0, 5.0, 0.1], [5.0, 20.0, 0.5], [12.0, 12.0, -0.5]):
        x, f = lbfgsb_max(ll, np.array(x0), [10.0, 10.0, 1.0],
                          [(0, None), (0, None), (-0.99, 0.99)])
        if f > best:
            best, xb = f, x
    # the optimum is on ASReml's limit ρ = −0.99, so ρ is fixed at −0.98 as asreml does
    # (reml/ar_limit_fix.py): the rest are the dense optimum given ρ = −0.98
    assert xb is not None and xb[2] == pytest.approx(-0.99, abs=1e-6)
    assert rho == -0.98 and m.varcomp.loc["Lane:Position!Lane!cor", "bound"] == "F"
    given = lbfgsb_max(lambda z: ll(np.r_[z, -0.98]), np.array([20.0, 1.0]), [10.0, 1.0],
                       [(0, None), (0, None)])[1]
    assert r_loglik(m) == pytest.approx(given, abs=1e-4)
    assert r_loglik(m) >= given - 1e-4
