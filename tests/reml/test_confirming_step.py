"""The confirming step (issue 16, goal 3): a full AI step that changes neither ℓ (<= 1e-8)
nor any parameter (<= tol_param relative) stops the fit at the iterate it started from,
without that step's score, AI and selected inverse; results within 1e-8 in ℓ of the fit that
computes them."""

from __future__ import annotations

import numpy as np
import pytest
from _reml_problems import penicillin

from asr_py.reml import ai as ai_mod
from asr_py.reml.ai import fit_reml, loglik_at
from asr_py.reml.iter_context import IterContext
from asr_py.reml.mme import MME


def _counted_fit(problem, monkeypatch) -> tuple[object, int]:
    calls = []
    real = MME.score_ai
    monkeypatch.setattr(MME, "score_ai", lambda self, st: calls.append(1) or real(self, st))
    res = fit_reml(problem)
    monkeypatch.setattr(MME, "score_ai", real)
    return res, len(calls)


def test_refit_from_the_optimum_stops_at_it_without_a_second_score(monkeypatch) -> None:
    first = fit_reml(penicillin())
    assert first.converged
    res, n_score = _counted_fit(penicillin(theta0=list(first.theta)), monkeypatch)
    assert res.converged and res.history[-1].get("confirming") is True
    assert n_score == 1  # the start's score/AI/selected inverse only
    np.testing.assert_array_equal(res.theta, first.theta)  # the iterate it started from
    # ℓ, score and AI reported are those of the reported θ (an independent evaluation)
    assert res.loglik == pytest.approx(loglik_at(penicillin(), res.theta), abs=1e-10)
    assert abs(res.history[-1]["loglik"] - res.loglik) <= 1e-8
    # the same fit computing the confirming step's score and AI (shortcut off)
    monkeypatch.setattr(ai_mod, "CONFIRM_LOGLIK", -1.0)
    full, n_full = _counted_fit(penicillin(theta0=list(first.theta)), monkeypatch)
    assert full.converged and not any(h.get("confirming") for h in full.history)
    assert n_full == n_score + 1
    assert abs(full.loglik - res.loglik) <= 1e-8
    np.testing.assert_allclose(full.theta, res.theta, rtol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(full.vcov_theta)),
                               np.sqrt(np.diag(res.vcov_theta)), rtol=1e-4)
    for a, b in zip(full.pev, res.pev):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_confirms_is_at_least_as_strict_as_the_relative_change_rule() -> None:
    rng = np.random.default_rng(3)
    ctx = IterContext(penicillin())
    for _ in range(200):
        old = rng.normal(size=3) * 10.0 ** rng.integers(-6, 3, 3)
        new = old * (1 + rng.normal(size=3) * 10.0 ** rng.integers(-9, -4, 3))
        if IterContext.confirms(-5.0, -5.0, old, new, 1e-8, 1e-6):
            assert ctx.rel_change(old, new) <= 1e-6
    z = np.array([0.0, 1.0, 2.0])
    assert IterContext.confirms(1.0, 1.0, z, z.copy(), 1e-8, 1e-6)
    assert not IterContext.confirms(1.0, 1.0, z, z + [1e-300, 0, 0], 1e-8, 1e-6)  # 0 moved
    assert not IterContext.confirms(1.0, 1.0 + 2e-8, z, z.copy(), 1e-8, 1e-6)  # ℓ moved
    assert not IterContext.confirms(1.0, 1.0, z, z * (1 + 2e-6), 1e-8, 1e-6)
