"""The Marquardt-damped EM path (reml/em.py damped_search) when no halving of the EM step
is accepted at all.

benchmarks/sweep_dense_reml.py (size 150, seed 0) found ``fa(env, 2):gen`` on a simulated
5-environment MET in kg/ha stopped at iteration 4, ``neither an AI nor an EM step
increased the log-likelihood``, 3.07 below the dense-V optimum (4 of 5 ψ at zero there):
the EM step lost ℓ at every α down to 2⁻⁸ (it gained only at 1e-3), while the damped step
δ(μ = 1e-2) gained 0.74 in full. The damped path was tried only after a halved EM step was
accepted; it is now tried also when none is.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from _dense_reml import fit_dense, reml_loglik
from _sweep_cases import cases, fit_asr


def test_fa2_heywood_met_climbs_past_the_failed_em_step_to_the_dense_optimum() -> None:
    case = {c.name: c for c in cases(150)}["fa(env,2):gen"]
    case = replace(case, kwargs={**case.kwargs, "maxit": 200})
    d = case.data(np.random.default_rng(0), 150)
    m = fit_asr(case, d)
    assert m.converged, m.diagnostics
    dn = case.dense(d)
    xa = dn.from_asr(m.varcomp["component"].to_numpy(float))
    assert abs(reml_loglik(dn.y, dn.X, dn.vfun(xa)) - m.loglik) <= 1e-8 * abs(m.loglik)
    _, ld = fit_dense(dn.y, dn.X, dn.vfun, dn.starts, dn.bounds, scale=dn.scale)
    assert ld - m.loglik <= 1e-6 * abs(m.loglik), (ld, m.loglik)

