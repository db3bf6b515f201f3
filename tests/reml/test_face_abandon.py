"""reml/bound_revisit.py's FaceWatch: a face fit that cannot beat the first fit is abandoned
early; one that can runs to its optimum.

* The rule on a closed-form path: ℓ_i = ℓ* − c qⁱ with the exact Newton decrement
  g_i = ℓ* − ℓ_i (the remaining gain, contraction q): never abandoned when ℓ* clears the
  target, abandoned when it is well below.
* Two optima: an ar1 series with a nugget (y ~ 1, random ~ units, residual ~ ar1(t); seed 127
  of the generator below, found by a profile-REML grid over (ρ, σ²_n/σ²_a)) has an interior
  local maximum ℓ −36.717 (σ²_n 0.80, ρ 0.95) and a higher one on the face σ²_n = 0
  (−36.342, ρ 0.23). Started at the interior optimum with a path that cut σ²_n to its bound,
  the revisit returns the face optimum: ℓ and (σ²_a, ρ) from a dense-V REML maximised on the
  face; the face fit runs as many iterations as without the rule. Units of y: the same gain.
* A face that is not better (y ~ 1, random ~ g + h, the face σ²_h = 0): the first fit is
  returned unchanged and the face fit stops after fewer iterations than its full run (counted
  with the rule switched off); the full run's ℓ is the dense-V REML optimum on that face.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from _dense_reml import ar1, fit_dense, indicator, reml_loglik

import asr_py as asr
import asr_py.reml.ai as ai
import asr_py.reml.bound_revisit as br


def _path(loglik_star: float, q: float, c: float = 50.0, n: int = 40) -> list[tuple[float, float]]:
    ll = [loglik_star - c * q ** i for i in range(1, n + 1)]
    return [(x, loglik_star - x) for x in ll]


def _replay(target: float, path: list[tuple[float, float]]) -> int | None:
    """The iteration at which FaceWatch abandons the path (None: never)."""
    w = br.FaceWatch(target)
    for ll, g in path:
        try:
            w(ll, g)
        except br.FaceAbandoned:
            return w.iterations
    return None


@pytest.mark.parametrize("q", [0.05, 0.3, 0.6, 0.9])
def test_closed_form_path_above_target_is_never_abandoned(q: float) -> None:
    assert _replay(-100.0, _path(-100.0 + 1e-3, q)) is None
    assert _replay(-100.0, _path(-90.0, q)) is None


@pytest.mark.parametrize("q", [0.05, 0.3, 0.6])
def test_closed_form_path_below_target_is_abandoned(q: float) -> None:
    # ℓ* 1 below the target T; from the second iterate R_i = g_i/(1−q) (ρ = 1), so with
    # M = ABANDON_MULT: ℓ_i + M R_i < T ⟺ c qⁱ (M/(1−q) − 1) < 1, abandoned at the
    # ABANDON_ITERS-th such iterate in a row
    it = _replay(-100.0, _path(-101.0, q))
    m = br.ABANDON_MULT
    first = next(i for i in range(2, 41) if 50.0 * q ** i * (m / (1 - q) - 1) < 1.0)
    assert it == first + br.ABANDON_ITERS - 1


def test_no_estimate_from_an_unknown_or_growing_gain() -> None:
    # g = ∞ (a stochastic score) or g not contracting: R = ∞, never abandoned however low ℓ
    assert _replay(-100.0, [(-1e4 + i, np.inf) for i in range(30)]) is None
    assert _replay(-100.0, [(-1e4 + i, 1.0 + i) for i in range(30)]) is None
    # an unknown gain between contracting ones restarts the count of iterations below (it
    # and the iterate after it give no estimate)
    path = [(-1e4, 8.0), (-1e4, 4.0), (-1e4, np.inf), (-1e4, 2.0), (-1e4, 1.0), (-1e4, 0.5)]
    assert _replay(-100.0, path) == 5 + br.ABANDON_ITERS - 1   # below again from 5


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str, float | None]]:
    """Wrap ai._fit_reml: (iterations seen by the monitor, outcome, ℓ) of each inner fit."""
    calls: list[tuple[int, str, float | None]] = []
    orig = ai._fit_reml

    def wrapped(problem, **kw):  # noqa: ANN001, ANN202 - a test double
        mon = kw.pop("monitor", None)
        n = [0]

        def count(ll: float, gain: float) -> None:
            n[0] += 1
            if mon is not None:
                mon(ll, gain)
        try:
            res = orig(problem, monitor=count, **kw)
        except br.FaceAbandoned:
            calls.append((n[0], "abandoned", None))
            raise
        calls.append((n[0], "converged" if res.converged else "stopped", res.loglik))
        return res

    monkeypatch.setattr(ai, "_fit_reml", wrapped)
    return calls


def _cut(res, k: int, theta0: np.ndarray):  # noqa: ANN001, ANN202
    """res with a path on which θ_k was cut to 1e-3 of its start and final values (a
    fraction-to-boundary step) before it came back to its final value."""
    th = np.asarray(res.theta, dtype=float)
    path = np.array([theta0, th, th, th], dtype=float)
    path[1, k] = 1e-3 * min(theta0[k], th[k])
    return replace(res, history=[{"iteration": i, "theta": t} for i, t in enumerate(path)])


def _series(scale: float) -> np.ndarray:
    rng = np.random.default_rng(127)
    n = int(rng.integers(15, 40))
    rho, sn = rng.uniform(0.3, 0.98), rng.uniform(0.0, 1.0)
    e = np.zeros(n)
    e[0] = rng.normal()
    for j in range(1, n):
        e[j] = rho * e[j - 1] + np.sqrt(1 - rho ** 2) * rng.normal()
    return scale * (e + rng.normal(0, sn, n))


@pytest.mark.parametrize("scale", [1.0, 1e3])
def test_the_face_optimum_is_found_when_the_first_fit_ended_inside(
        scale: float, monkeypatch: pytest.MonkeyPatch) -> None:
    y = _series(scale)
    n = y.size
    d = pd.DataFrame({"t": pd.Categorical(np.arange(n)), "y": y})
    problem = asr.asreml("y ~ 1", random="~ units", residual="~ ar1(t)", data=d).model.problem()
    assert list(problem.names) == ["units", "t!R", "t!t!cor"]
    v = float(np.var(y))
    # the face fit starts far below the target (ℓ −5695 at its first iterate) and climbs for
    # more than a dozen iterations with R_i only just above T − ℓ_i (down to (T − ℓ_i)/0.98;
    # M = 0.9 abandons it; test42Selection's DAP_17 /0.82, cculma/Fransen_2022 /1.31)
    problem = replace(problem, theta0=np.array([v, v / 100, -0.9]))
    first = ai.fit_reml(replace(problem, theta0=np.array([0.8 * v, 0.2 * v, 0.97])), maxit=50)
    X = np.ones((n, 1))

    def dense(th: np.ndarray) -> float:
        return reml_loglik(y, X, th[0] * np.eye(n) + th[1] * ar1(n, th[2]))

    # the first fit is an interior local maximum of the dense-V REML: score 0, ℓ concave
    th1 = np.asarray(first.theta, dtype=float)
    assert first.converged and list(first.constraints) == ["P", "P", "U"]
    assert first.loglik == pytest.approx(dense(th1), abs=1e-8)
    h = 1e-4 * np.maximum(np.abs(th1), 1e-2)
    e = np.eye(3) * h
    grad = np.array([(dense(th1 + e[i]) - dense(th1 - e[i])) / (2 * h[i]) for i in range(3)])
    assert np.all(np.abs(grad * th1) < 1e-4)
    hess = np.array([[(dense(th1 + e[i] + e[j]) - dense(th1 + e[i] - e[j])
                       - dense(th1 - e[i] + e[j]) + dense(th1 - e[i] - e[j])) / (4 * h[i] * h[j])
                      for j in range(3)] for i in range(3)])
    assert np.all(np.linalg.eigvalsh(hess * np.outer(th1, th1)) < 0)
    # the face σ²_n = 0 by dense-V REML: a higher optimum
    (sa, rho), face_ll = fit_dense(y, X, lambda z: z[0] * ar1(n, z[1]),
                                   [np.array([v, 0.2]), np.array([v, 0.9])],
                                   [(1e-9 * v, None), (-0.999, 0.999)], scale=[v, 1.0])
    assert face_ll > first.loglik + 0.3

    calls = _counting(monkeypatch)
    out = ai._revisit_bound(problem, _cut(first, 0, problem.theta0), {"maxit": 50})
    assert out.loglik == pytest.approx(face_ll, abs=1e-6)
    assert out.loglik - first.loglik == pytest.approx(0.37484, abs=1e-4)  # any units
    assert out.constraints[0] == "B"
    np.testing.assert_allclose(out.theta[1:], [sa, rho], rtol=1e-4)
    face_iters = calls[0][0]
    assert calls[0][1] == "converged"
    calls.clear()
    monkeypatch.setattr(br, "ABANDON_ITERS", 10 ** 9)   # the rule off: the same face fit
    ai._revisit_bound(problem, _cut(first, 0, problem.theta0), {"maxit": 50})
    assert calls[0][:2] == (face_iters, "converged")


@pytest.fixture(scope="module")
def two_factors() -> tuple:
    rng = np.random.default_rng(2)
    g = np.repeat(np.arange(12), 4)
    h = np.tile(np.arange(4), 12)
    y = rng.normal(0, 1.5, 12)[g] + rng.normal(0, 0.8, 4)[h] + rng.normal(0, 1.0, g.size)
    d = pd.DataFrame({"g": pd.Categorical(g), "h": pd.Categorical(h), "y": y})
    fit = asr.asreml("y ~ 1", random="~ g + h", data=d)
    assert fit.converged and list(fit.model.problem().names) == ["g", "h", "units!R"]
    return d, fit.model.problem(), fit.result


def test_a_face_that_is_not_better_is_abandoned_early(two_factors: tuple,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    d, problem, first = two_factors
    cut = _cut(first, 1, problem.theta0)          # σ²_h visited its bound
    calls = _counting(monkeypatch)
    out = ai._revisit_bound(problem, cut, {"maxit": 30})
    assert out is cut and out.loglik == first.loglik
    (n_new, how_new, _), = calls
    assert how_new == "abandoned"
    calls.clear()
    monkeypatch.setattr(br, "ABANDON_ITERS", 10 ** 9)   # the rule off: the face's full fit
    assert ai._revisit_bound(problem, cut, {"maxit": 30}) is cut
    (n_old, how_old, face_ll), = calls
    assert how_old == "converged" and n_new < n_old
    # the full face fit's ℓ is the dense-V REML optimum with σ²_h held at HOLD_REL x θ̂_h
    y = d["y"].to_numpy()
    X = np.ones((y.size, 1))
    zg, zh = indicator(d["g"]), indicator(d["h"])
    held = br.HOLD_REL * float(first.theta[1])
    _, dense_ll = fit_dense(
        y, X, lambda z: z[0] * zg @ zg.T + held * zh @ zh.T + z[1] * np.eye(y.size),
        [np.array([1.0, 1.0]), np.array([3.0, 1.0])], [(1e-8, None), (1e-8, None)])
    assert face_ll == pytest.approx(dense_ll, abs=1e-6)
    assert face_ll < first.loglik
