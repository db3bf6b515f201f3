"""REML fits against lme4 1.1-31 / sommer 4.3.7 (numbers copied from
/work/shared/reference/{i2_dyestuff,i1_penicillin,h_sleepstudy}.json, entry ``best`` and the
``fits`` listed; the peers were run by the project's lead, not produced by asr_py).

Tolerances: variance components within 1e-5 relative of the best peer, REML log-likelihood
>= best − 1e-6 and within 1e-6 of it (peers may stop early: a higher value is fine).
"""

from __future__ import annotations

import numpy as np
import pytest
from _reml_problems import dyestuff, penicillin, sleepstudy

from asr_py.reml import fit_reml

# best.ll_full_reml, best.estimates (peer), fixed effects and se from lme4::lmer,
# AI standard errors of the variance parameters evaluated independently at best.estimates
REF = {
    "dyestuff": dict(
        build=dyestuff, ll=-159.827138421128,  # lme4::lmer
        theta=[1764.0500064271, 2451.24999860715],
        beta=[1527.5], se_beta=[19.3834121787528],
        se_theta=[1432.75125817671, 707.614923072412]),
    "penicillin": dict(
        build=penicillin, ll=-165.430294495544,  # sommer::mmer (tight)
        theta=[0.716908040411887, 3.73091689640792, 0.302415475718907],
        beta=[22.9722222222219], se_beta=[0.808573285828449],  # mmer (tight) se
        se_theta=[0.226365141959436, 2.36760865231662, 0.0398813730149023]),
    "sleepstudy": dict(
        build=sleepstudy, ll=-871.814135979246,  # sommer::mmer (tight)
        theta=[612.089850173488, 9.60434153058573, 35.0716741188724, 654.941010307751],
        beta=[251.405104848485, 10.467285959596],
        se_beta=[6.82455614832241, 1.54578913740404],  # mmer (tight) se
        se_theta=[288.782605481562, 46.6784769976782, 14.7820686905466, 77.1855372897695]),
}


@pytest.mark.parametrize("solver", ["dense", "sparse"])
@pytest.mark.parametrize("name", sorted(REF))
def test_matches_peers(name: str, solver: str) -> None:
    ref = REF[name]
    res = fit_reml(ref["build"](), solver=solver)
    assert res.converged, res.diagnostics
    assert res.solver == solver
    assert res.loglik >= ref["ll"] - 1e-6
    assert abs(res.loglik - ref["ll"]) < 1e-6
    np.testing.assert_allclose(res.theta, ref["theta"], rtol=1e-5)
    np.testing.assert_allclose(res.beta, ref["beta"], rtol=1e-9)
    np.testing.assert_allclose(np.sqrt(np.diag(res.vcov_beta)), ref["se_beta"], rtol=1e-5)
    np.testing.assert_allclose(np.sqrt(np.diag(res.vcov_theta)), ref["se_theta"], rtol=1e-4)
    assert not res.boundary.any()
    assert res.n_iter <= 15
    assert np.max(np.abs(res.score)) < 1e-6 * (1 + np.max(np.abs(res.ai)))


def test_sleepstudy_solution_parts() -> None:
    """fitted = Xβ + Zu, residuals = y − fitted, u split per block, history is monotone."""
    prob = sleepstudy()
    res = fit_reml(prob)
    z = prob.random[0].Z
    fitted = np.asarray(prob.X @ res.beta).ravel() + z @ res.u[0]
    np.testing.assert_allclose(res.fitted, fitted, rtol=1e-12)
    np.testing.assert_allclose(res.residuals, prob.y - fitted, rtol=1e-9, atol=1e-9)
    assert res.u[0].shape == (36,) and res.pev[0].shape == (36,)
    assert res.n_minus_p == 178
    lls = [h["loglik"] for h in res.history]
    assert all(b >= a - 1e-9 for a, b in zip(lls, lls[1:]))
    assert res.history[0]["method"] == "start" and len(res.history) == res.n_iter + 1
