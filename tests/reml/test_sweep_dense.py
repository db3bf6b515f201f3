"""The engine against an independent dense-V REML on simulated user-like data
(tests/reml/_sweep_cases.py: one data set per covariance structure, traits at user scales,
unbalanced, optima inside and on the boundary; tests/_dense_reml.py: numpy/scipy only).

Per case: the engine's ℓ at its own estimates is the dense ℓ there (the likelihood is the
same function); no independent dense optimum lies above it and a dense optimiser started at
the engine's estimates finds nothing higher (ℓ to 1e-6 relative: the engine is at the
optimum); where the two optima agree in ℓ their covariance matrices agree; β̂, SE(β̂), the
BLUPs and their PEVs are the GLS/BLUP values at the engine's estimates.
benchmarks/sweep_dense_reml.py runs the same cases bigger, over several seeds.
"""

from __future__ import annotations

import numpy as np
import pytest
from _dense_reml import fit_dense, reml_loglik
from _sweep_cases import cases, compare, fit_asr

SIZE = 48
SEED = 5
LL_REL = 1e-6  # the brief's ℓ tolerance (relative)
CASES = {c.name: c for c in cases(SIZE)}


@pytest.mark.parametrize("name", list(CASES))
def test_engine_matches_dense_reml(name: str) -> None:
    case = CASES[name]
    d = case.data(np.random.default_rng(SEED), SIZE)
    m = fit_asr(case, d)
    assert m.converged, m.diagnostics  # s17fa: fa(env,2) with 4 of 5 ψ at 0 too
    r = compare(case, d, m, polish=False)
    assert r["ll_at"] <= 1e-8, r  # the same likelihood function
    assert r["ll_gap"] <= LL_REL, r  # no independent dense optimum above the engine's
    # a dense optimiser started at the engine's estimates gains nothing: a (local) optimum
    dn = case.dense(d)
    xa = dn.from_asr(m.varcomp["component"].to_numpy(float))
    _, l_from = fit_dense(dn.y, dn.X, dn.vfun, [xa], dn.bounds, scale=dn.scale,
                          polish=False)
    assert (l_from - m.loglik) / abs(m.loglik) <= LL_REL
    assert abs(reml_loglik(dn.y, dn.X, dn.vfun(xa)) - m.loglik) <= 1e-8 * abs(m.loglik)
    if abs(r["ll_gap"]) <= 1e-8:  # the same optimum: the same covariance matrices
        assert r["cov"] <= 2e-2, r
    assert r["beta"] <= 1e-7 and r["se"] <= 1e-6, r
    if "blup" in r:
        assert r["blup"] <= 1e-6 and r["pev"] <= 1e-6, r
