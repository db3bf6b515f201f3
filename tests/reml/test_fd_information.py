"""The differenced Hessian of slow AI fits (reml/slow_ai.py fd_information) from central
differences of the engine's score (the default) and from forward ones (slow_ai.FD_CENTRAL
False, s22esc: one score evaluation a free parameter, not two).

Checked against the closed-form REML Hessian of a balanced one-way random model: with a
groups of n records, λ = σ²_e + nσ²_g, W the within and S the between sum of squares,

    ℓ = −½[a(n − 1) log σ²_e + (a − 1) log λ + W/σ²_e + S/λ] + const,

so, with A = a(n − 1), B = a − 1 and c = −B/λ² + 2S/λ³ (H = −∂²ℓ),

    H_ee = ½(−A/σ⁴_e + 2W/σ⁶_e + c),  H_gg = ½n²c,  H_ge = ½nc."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
import asr_py.reml.slow_ai as slow_ai
from asr_py.reml.ai import score_ai_at
from asr_py.reml.slow_ai import fd_information


def _one_way(seed: int, a: int = 12, n: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(a), n)
    y = 50.0 + rng.normal(0, 2.0, a)[g] + rng.normal(0, 1.5, a * n)
    return pd.DataFrame({"g": [f"G{k}" for k in g], "y": y})


def _closed_form(d: pd.DataFrame, sg: float, se: float) -> tuple[np.ndarray, np.ndarray]:
    """(score, H) over (σ²_g, σ²_e) from the closed form of the module docstring."""
    grp = d.groupby("g")["y"]
    a, n = grp.ngroups, int(grp.size().iloc[0])
    w = float(((d["y"] - grp.transform("mean")) ** 2).sum())
    s = float(n * ((grp.mean() - d["y"].mean()) ** 2).sum())
    lam = se + n * sg
    A, B = a * (n - 1), a - 1
    score_e = -0.5 * (A / se + B / lam - w / se**2 - s / lam**2)
    score_g = -0.5 * n * (B / lam - s / lam**2)
    c = -B / lam**2 + 2 * s / lam**3
    h = np.array([[0.5 * n * n * c, 0.5 * n * c],
                  [0.5 * n * c, 0.5 * (-A / se**2 + 2 * w / se**3 + c)]])
    return np.array([score_g, score_e]), h


def _problem(d: pd.DataFrame):  # noqa: ANN202 - a MixedProblem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("y ~ 1", random="~ g", data=d, maxit=1)
    return m.model.problem()


def _near_optimum(d: pd.DataFrame, dg: float, de: float) -> np.ndarray:
    """(σ²_g, σ²_e) moved from the closed-form REML estimates (ANOVA: σ²_e = W/A,
    σ²_g = (S/B − σ²_e)/n) by the factors dg, de (H positive definite there)."""
    grp = d.groupby("g")["y"]
    a, n = grp.ngroups, int(grp.size().iloc[0])
    se = float(((d["y"] - grp.transform("mean")) ** 2).sum()) / (a * (n - 1))
    ms = float(n * ((grp.mean() - d["y"].mean()) ** 2).sum()) / (a - 1)
    return np.array([dg * (ms - se) / n, de * se])


@pytest.mark.parametrize("central", [False, True])
def test_differenced_hessian_is_the_closed_form_one(monkeypatch: pytest.MonkeyPatch,
                                                    central: bool) -> None:
    d = _one_way(1)
    prob = _problem(d)
    assert [n.split("!")[0] for n in prob.names][0] == "g"
    theta = _near_optimum(d, 1.3, 0.85)  # (σ²_g, σ²_e), away from the optimum
    s_cf, h_cf = _closed_form(d, *theta)
    _, score, ai = score_ai_at(prob, theta)
    np.testing.assert_allclose(score, s_cf, rtol=1e-9)  # the engine's score is exact here
    calls: list[np.ndarray] = []

    def score_at(t: np.ndarray) -> np.ndarray:
        calls.append(t)
        return score_ai_at(prob, t)[1]

    monkeypatch.setattr(slow_ai, "FD_CENTRAL", central)
    h = fd_information(score_at, lambda t: bool(np.all(t > 0)), theta, score, ai,
                       np.ones(2, dtype=bool))
    assert h is not None
    np.testing.assert_allclose(h, h_cf, rtol=2e-4 if not central else 1e-6)
    assert len(calls) == (4 if central else 2)  # forward: one evaluation a parameter


def test_backward_difference_where_the_forward_point_is_invalid() -> None:
    """θ + h e_k outside the parameter space: the backward difference, same Hessian."""
    d = _one_way(2)
    prob = _problem(d)
    theta = _near_optimum(d, 0.8, 1.2)
    _, h_cf = _closed_form(d, *theta)
    _, score, ai = score_ai_at(prob, theta)
    h = fd_information(lambda t: score_ai_at(prob, t)[1],
                       lambda t: bool(t[0] <= theta[0]), theta, score, ai,
                       np.ones(2, dtype=bool))
    assert h is not None
    np.testing.assert_allclose(h, h_cf, rtol=2e-4)


def test_a_fixed_parameter_keeps_its_ai_row() -> None:
    d = _one_way(3)
    prob = _problem(d)
    theta = _near_optimum(d, 1.1, 1.1)
    _, h_cf = _closed_form(d, *theta)
    _, score, ai = score_ai_at(prob, theta)
    free = np.array([True, False])
    h = fd_information(lambda t: score_ai_at(prob, t)[1], lambda t: True, theta, score, ai,
                       free)
    assert h is not None
    np.testing.assert_allclose(h[0, 0], h_cf[0, 0], rtol=2e-4)
    np.testing.assert_array_equal(h[1], ai[1])
    np.testing.assert_array_equal(h[:, 1], ai[:, 1])


def test_central_argument_overrides_the_module_default() -> None:
    d = _one_way(4)
    prob = _problem(d)
    theta = _near_optimum(d, 1.2, 0.9)
    _, h_cf = _closed_form(d, *theta)
    _, score, ai = score_ai_at(prob, theta)
    for central, n_calls, rtol in ((False, 2, 2e-4), (True, 4, 1e-6)):
        calls: list[np.ndarray] = []

        def score_at(t: np.ndarray, calls: list[np.ndarray] = calls) -> np.ndarray:
            calls.append(t)
            return score_ai_at(prob, t)[1]

        h = fd_information(score_at, lambda t: True, theta, score, ai, np.ones(2, dtype=bool),
                           central=central)
        assert h is not None and len(calls) == n_calls
        np.testing.assert_allclose(h, h_cf, rtol=rtol)


def _counted_mme(prob):  # noqa: ANN001, ANN202 - (MME, its score calls)
    from asr_py.reml.mme import MME

    mme = MME(prob)
    calls: list[int] = []
    orig = mme.score

    def score(st):  # noqa: ANN001, ANN202 - a test double
        calls.append(1)
        return orig(st)

    mme.score = score  # type: ignore[method-assign]
    return mme, calls


def test_verified_stop_differences_forward_and_a_refused_one_centrally() -> None:
    """s34fa: reml/ai._verified confirms a stop with a forward-differenced H (n_free score
    evaluations); when that H refuses it, H is differenced centrally as before (2 n_free
    more) and returned: the closed-form H, the same as central differences alone."""
    from asr_py.reml.ai import _verified
    from asr_py.reml.iter_context import IterContext

    d = _one_way(5)
    prob = _problem(d)
    ctx = IterContext(prob)
    fixed = np.zeros(2, dtype=bool)
    opt = _near_optimum(d, 1.0, 1.0)       # the closed-form REML optimum (score 0)
    mme, calls = _counted_mme(prob)
    st = mme.evaluate(opt)
    score, ai = mme.score_ai(st)
    calls.clear()
    ok, h, _ = _verified(ctx, mme, opt, score, ai, fixed, 1e-6, 1e-6, 1e-12)
    assert ok and len(calls) == 2
    np.testing.assert_allclose(h, _closed_form(d, *opt)[1], rtol=2e-4)
    away = _near_optimum(d, 1.3, 0.85)
    st = mme.evaluate(away)
    score, ai = mme.score_ai(st)
    calls.clear()
    ok, h, step = _verified(ctx, mme, away, score, ai, fixed, 1e-6, 1e-6, 1e-12)
    assert not ok and len(calls) == 2 + 4
    h_c = fd_information(lambda t: mme.score(mme.evaluate(t)), ctx.valid, away, score, ai,
                         ~fixed, central=True)
    np.testing.assert_array_equal(h, h_c)
    np.testing.assert_allclose(h, _closed_form(d, *away)[1], rtol=1e-6)
    assert step.gain > 1e-6
