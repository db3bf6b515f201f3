"""Bad starts, boundaries, fixed parameters, non-convergence and bad input: the engine
returns a result with diagnostics instead of raising (except for unusable input)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from _reml_problems import bivariate, dyestuff, null_batch, penicillin, sleepstudy

from asr_py.errors import ModelError
from asr_py.reml import MixedProblem, RandomBlock, fit_reml, loglik_at
from asr_py.vcov import IdentityV

SLEEP = [612.089850173488, 9.60434153058573, 35.0716741188724, 654.941010307751]  # mmer tight
SLEEP_LL = -871.814135979246


def test_variance_going_to_zero_ends_at_boundary() -> None:
    prob = null_batch()
    res = fit_reml(prob)
    assert res.converged
    assert res.boundary.tolist() == [True, False]
    assert res.constraints == ["B", "P"]
    assert res.theta[0] < 1e-6
    assert any("boundary" in m for m in res.diagnostics)
    # the boundary fit equals the REML fit of the model without the term (closed form:
    # σ²_e = RSS/(n−1)), and ℓ is within 1e-6 of ℓ at σ²_g = 0 (evaluated as 1e-12)
    y = prob.y
    np.testing.assert_allclose(res.theta[1], np.sum((y - y.mean()) ** 2) / (y.size - 1),
                               rtol=1e-6)
    assert abs(res.loglik - loglik_at(prob, np.array([1e-12, res.theta[1]]))) < 1e-6
    assert np.isnan(res.vcov_theta[0]).all() and np.isnan(res.ai[0]).all()
    assert np.isfinite(res.vcov_theta[1, 1])
    # the score points out of the parameter space at the boundary
    assert res.score[0] < 0


@pytest.mark.parametrize("factor", [1e4, 1e-4])
def test_sleepstudy_far_start_converges(factor: float) -> None:
    res = fit_reml(sleepstudy(theta0=[factor * v if k != 1 else 0.0
                                      for k, v in enumerate(SLEEP)]), maxit=60)
    assert res.converged, res.diagnostics
    assert abs(res.loglik - SLEEP_LL) < 1e-6
    np.testing.assert_allclose(res.theta, SLEEP, rtol=1e-5)


def test_penicillin_huge_start_converges() -> None:
    res = fit_reml(penicillin(theta0=[1e4, 1e4, 1e4]))
    assert res.converged
    assert abs(res.loglik - (-165.430294495544)) < 1e-6


def test_bivariate_start_with_correlation_099() -> None:
    """us(trait) start with correlation 0.99 and wrong scales (a plain AI iteration from
    here overshoots out of the parameter space on its first step)."""
    ref = fit_reml(bivariate())
    assert ref.converged
    th0 = [1.0, 0.99 * np.sqrt(10.0), 10.0, 4.0, 0.0, 4.0]
    res = fit_reml(bivariate(theta0=th0))
    assert res.converged, res.diagnostics
    np.testing.assert_allclose(res.theta, ref.theta, rtol=1e-5)
    assert abs(res.loglik - ref.loglik) < 1e-6
    assert res.history[1]["step"] < 1 or res.history[1]["method"] == "EM"


def test_non_convergence_is_reported_not_raised() -> None:
    res = fit_reml(sleepstudy(theta0=[1e6, 0.0, 1e5, 1e6]), maxit=2)
    assert not res.converged
    assert res.n_iter == 2
    assert any("did not converge" in m for m in res.diagnostics)
    assert res.loglik == max(h["loglik"] for h in res.history)
    assert res.loglik > res.history[0]["loglik"]


def test_fixed_parameter_stays_put() -> None:
    prob = dyestuff(theta0=[1000.0, 2451.25])
    prob.constraints[0] = "F"
    res = fit_reml(prob)
    assert res.converged and res.theta[0] == 1000.0
    # with σ²_b fixed, the residual variance maximises ℓ on its own: score 0
    assert abs(res.score[1]) < 1e-8 and np.isnan(res.ai[0, 0])
    assert res.constraints == ["F", "P"]
    # all fixed: nothing to iterate
    prob.constraints[1] = "F"
    res2 = fit_reml(prob)
    assert res2.converged and res2.n_iter == 0
    assert res2.loglik == pytest.approx(loglik_at(prob, np.array([1000.0, 2451.25])), abs=1e-12)


def test_trace_and_callback(capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[dict] = []
    res = fit_reml(dyestuff(), trace=True, callback=seen.append)
    out = capsys.readouterr().out
    assert out.count("loglik") == len(res.history) == len(seen)
    assert [h["iteration"] for h in seen] == list(range(res.n_iter + 1))


def test_unusable_input_raises_clear_errors() -> None:
    with pytest.raises(ModelError, match="outside the parameter space"):
        fit_reml(dyestuff(theta0=[-1.0, 1.0]))
    prob = dyestuff()
    prob.constraints[0] = "Q"
    with pytest.raises(ModelError, match="constraint"):
        fit_reml(prob)
    p = dyestuff()
    x = np.column_stack([np.ones(30), np.ones(30)])
    bad = MixedProblem(y=p.y, X=x, random=p.random, residual=p.residual, theta0=p.theta0,
                       constraints=p.constraints, names=p.names)
    with pytest.raises(ModelError, match="full column rank"):
        fit_reml(bad)
    z = sp.csc_matrix(np.ones((29, 2)))
    bad2 = MixedProblem(y=p.y, X=p.X, random=[RandomBlock("b", z, IdentityV(["a", "b"]))],
                        residual=p.residual, theta0=p.theta0, constraints=p.constraints,
                        names=p.names)
    with pytest.raises(ModelError, match="rows"):
        fit_reml(bad2)


def test_input_problem_not_mutated() -> None:
    prob = sleepstudy()
    th0 = prob.theta0.copy()
    y0 = prob.y.copy()
    fit_reml(prob)
    np.testing.assert_array_equal(prob.theta0, th0)
    np.testing.assert_array_equal(prob.y, y0)


def test_unknown_solver_is_rejected() -> None:
    with pytest.raises(ModelError, match="solver"):
        fit_reml(dyestuff(), solver="cholmod")
