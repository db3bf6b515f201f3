"""The round-off slack and noise of ℓ are the same in any units of the response (s20eng).

y -> c y shifts the full REML ℓ by the Jacobian −(n − p) log c (checked here against the
dense-V REML of tests/_dense_reml.py), so a slack or noise proportional to |ℓ| (the rule
before) changed with the units: with c = 1e-4 and 1e4 |ℓ| differs by a factor > 2 here. The
line search's slack (:func:`asr_py.reml.tolerance.loglik_slack`) and the round-off level of
the stopping rule (:func:`asr_py.reml.convergence.loglik_noise`) must not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import indicator, reml_loglik

import asr_py as asr
from asr_py.reml.centering import centre_response
from asr_py.reml.convergence import loglik_noise
from asr_py.reml.mme import MME
from asr_py.reml.tolerance import loglik_slack


def _rcbd(seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(f"T{t}", f"B{b}") for b in range(4) for t in range(12)],
                     columns=["trt", "blk"])
    d["y"] = (5.0 + rng.normal(0, 1, 12)[d.trt.str[1:].astype(int)]
              + rng.normal(0, 0.7, 4)[d.blk.str[1:].astype(int)] + rng.normal(0, 1, 48))
    return d


@pytest.mark.parametrize("c", [1e-4, 1e4])
def test_slack_and_noise_do_not_move_with_the_units(c: float) -> None:
    d = _rcbd()
    ds = d.assign(y=d["y"] * c)
    m1 = asr.asreml("y ~ trt", random="~ blk", data=d)
    mc = asr.asreml("y ~ trt", random="~ blk", data=ds)
    nu = m1.result.n_minus_p
    # the Jacobian shift, against the dense-V REML at the (rescaled) estimates
    X = np.column_stack([np.ones(48), indicator(d["trt"])[:, 1:]])
    Zb = indicator(d["blk"])
    sb, se = m1.varcomp.loc[["blk", "units!R"], "component"]
    for y, k in ((d["y"].to_numpy(), 1.0), (ds["y"].to_numpy(), c)):
        V = k * k * (sb * Zb @ Zb.T + se * np.eye(48))
        assert reml_loglik(y, X, V) == pytest.approx(m1.loglik - nu * np.log(k), abs=1e-8)
    assert mc.loglik == pytest.approx(m1.loglik - nu * np.log(c), abs=1e-8)
    assert abs(abs(mc.loglik) - abs(m1.loglik)) > abs(m1.loglik)  # |ℓ| is not unit-free
    p1 = centre_response(m1.model.problem())[0]
    pc = centre_response(mc.model.problem())[0]
    assert loglik_slack(pc) == loglik_slack(p1) > 0
    assert loglik_noise(MME(pc)) == loglik_noise(MME(p1)) > 0
