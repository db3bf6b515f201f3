"""exp/gau correlations (C_ij = φ^e_ij) whose φ ends at an end of (0, 1): the second fit from
the other end (reml/distance_restart.py), checked against an independent dense-V REML
(tests/_dense_reml.py), and the AI/EM 2-cycle at an interior optimum (reml/slow_ai.py).

Repeated measures: 20 animals at ages 1, 2, 4, 7, a_animal ~ N(0, D φ^|Δage| D)
(heterogeneous variances 2, 3, 4.5, 6), residual variance 6, 10% of records missing.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import corgh, drop_aliased, indicator, lbfgsb_max, reml_loglik

import asr_py as asr
from asr_py.reml.distance_restart import end_of
from asr_py.reml.slow_ai import SLOW_STEPS, is_slow

AGES = np.array([1.0, 2.0, 4.0, 7.0])
DIST = np.abs(np.subtract.outer(AGES, AGES))


def _animals(seed: int, phi: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    s = np.sqrt([2.0, 3.0, 4.5, 6.0])
    u = rng.multivariate_normal(np.zeros(4), phi ** DIST * np.outer(s, s), size=20)
    rows = [dict(animal=f"A{i:03d}", age=a, y=5 + 0.5 * a + u[i, k] + rng.normal(0, 6 ** 0.5))
            for i in range(20) for k, a in enumerate(AGES) if rng.uniform() >= 0.1]
    d = pd.DataFrame(rows)
    return d.assign(agef=d.age.astype(str))


def _dense(d: pd.DataFrame):
    """ℓ(x), x = (φ, σ²_1..σ²_4, σ²_e), from V = (A Σ A') ∘ (same animal) + σ²_e I."""
    y = d.y.to_numpy()
    X = drop_aliased(np.column_stack([np.ones(len(d)), indicator(d.age, list(AGES))]))
    A, Zi = indicator(d.age, list(AGES)), indicator(d.animal)
    same = Zi @ Zi.T

    def ll(x: np.ndarray) -> float:
        s = np.sqrt(np.maximum(x[1:5], 0.0))
        V = (A @ (x[0] ** DIST * np.outer(s, s)) @ A.T) * same + x[5] * np.eye(len(d))
        return reml_loglik(y, X, V)
    return ll


def _dense_best(ll, starts) -> tuple[np.ndarray, float]:
    bounds = [(1e-9, 1 - 1e-9)] + [(0.0, None)] * 5
    return max((lbfgsb_max(ll, x0, [1.0] * 6, bounds) for x0 in starts), key=lambda t: t[1])


def _fit(d: pd.DataFrame, phi0: float | None = None) -> asr.AsremlFit:
    """The fit, from the default start or with φ started at ``phi0``."""
    kw = dict(fixed="y ~ agef", random="~ exph(age):id(animal)", data=d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if phi0 is not None:
            sv = asr.asreml(**kw, start_values=True)
            sv.loc[sv.Component.str.endswith("!cor"), "Value"] = phi0
            kw["params"] = sv
        return asr.asreml(**kw)


def test_end_of_reads_the_nearest_and_farthest_pair() -> None:
    assert end_of(1e-8, 1.0, 6.0) == "low"
    assert end_of(0.05, 2.0, 6.0) == "low"  # nearest pair 0.0025: no information left
    assert end_of(0.05, 1.0, 6.0) is None  # nearest pair 0.05
    assert end_of(0.999999, 1.0, 6.0) == "high"
    assert end_of(0.99, 1.0, 6.0) is None  # farthest pair 0.94


def test_false_optimum_at_zero_phi_is_left() -> None:
    # the first fit from φ = 0.1 stopped at φ = 1e-8 with converged=True and ℓ −184.8875;
    # the dense optimum has φ ≈ 0.63 and ℓ 0.17 higher
    d = _animals(4, 0.9)
    fit = _fit(d, phi0=0.1)
    x = fit.varcomp["component"].to_numpy()
    ll = _dense(d)
    assert ll(x) == pytest.approx(fit.loglik, abs=1e-6)
    _, best = _dense_best(ll, [np.r_[0.6, 2, 3, 4, 5, 6], np.r_[1e-6, x[1:]]])
    _, at_zero = lbfgsb_max(lambda z: ll(np.r_[1e-9, z]), np.r_[2, 3, 4, 5, 6.0], [1.0] * 5,
                            [(0.0, None)] * 5)
    assert best - at_zero > 0.1  # the end φ → 0 is truly worse
    assert fit.converged
    assert 0.3 < x[0] < 0.9
    assert fit.loglik >= best - 1e-5
    assert any("other end" in m for m in fit.diagnostics)
    # the default start (nlme's: the nearest ages, 1 apart, at correlation e^(−1/0.9), φ₀ =
    # 0.33) reaches the same optimum in one fit
    first = _fit(d)
    assert first.converged and 0.3 < first.varcomp["component"].iloc[0] < 0.9
    assert first.loglik >= best - 1e-5
    assert not any("other end" in m for m in first.diagnostics)


def test_distance_start_is_nlmes_range_at_90_percent_of_the_smallest_distance() -> None:
    """The start of exp/gau (and their v/h variants) is nlme's corExp/corGaus start, range
    r₀ = 0.9 d_min: every correlation exp(−(d_ij/r₀)^p), p = 1 (exp) or 2 (gau), in any units
    of the coordinates (φ₀ kept off the bounds of (0, 1) where φ^d cannot express it)."""
    from asr_py.vcov import get_structure, to_dense

    for fam in ("exp", "gau"):
        t = get_structure(fam)(["0", "0.01", "0.03"], name="x")
        assert 0 < t.initial(1.0)[0] < 1 and t.is_valid(t.initial(1.0))
    for scale in (1.0, 10.0, 0.5):
        x = np.array([3.0, 1.0, 4.0, 7.0]) * scale  # d_min = scale (levels 3 and 4)
        d = np.abs(np.subtract.outer(x, x))
        for fam, p in (("exp", 1), ("gau", 2), ("exph", 1), ("gauv", 2)):
            t = get_structure(fam)([repr(float(v)) for v in x], name="x")
            m = to_dense(t.matrix(t.initial(2.0)))
            c = m / np.sqrt(np.outer(np.diag(m), np.diag(m)))
            want = np.exp(-(d / (0.9 * scale)) ** p)
            np.testing.assert_allclose(c, want, rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("seed", [0, 3, 6])
def test_interior_optimum_matches_dense(seed: int) -> None:
    d = _animals(seed, 0.9)
    fit = _fit(d)
    x = fit.varcomp["component"].to_numpy()
    ll = _dense(d)
    assert ll(x) == pytest.approx(fit.loglik, abs=1e-6)
    _, best = _dense_best(ll, [x, np.r_[0.1, 2, 3, 4, 5, 6], np.r_[0.95, 2, 3, 4, 5, 6]])
    assert fit.converged
    assert fit.loglik >= best - 1e-5


def test_true_small_phi_stays_small() -> None:
    # φ = 0.02: the nearest ages correlate at 0.02; the restart from the other end must not
    # move the fit away from the optimum at φ → 0
    d = _animals(0, 0.02)
    fit = _fit(d)
    x = fit.varcomp["component"].to_numpy()
    ll = _dense(d)
    xb, best = _dense_best(ll, [np.r_[0.5, 2, 3, 4, 5, 6], np.r_[0.95, 2, 3, 4, 5, 6],
                                np.r_[1e-6, x[1:]]])
    assert xb[0] < 1e-3  # the dense optimum is at the lower end
    assert fit.converged
    assert x[0] < 1e-3
    assert fit.loglik >= best - 1e-5
    assert not any("other end" in m for m in fit.diagnostics)


def test_em_after_failed_ai_steps_counts_as_overshooting() -> None:
    k = SLOW_STEPS + 1
    z = [1e-4] * k
    assert is_slow(["AI", "EM"] * (k // 2), [1.0] * k, z)
    assert not is_slow(["AI"] * (k - 1) + ["EM"], [1.0] * k, z)  # one EM step: not yet
    assert not is_slow(["AI", "NR"] * (k // 2), [1.0] * k, z)


@pytest.mark.parametrize("form", ["expv", "gauv"])
def test_ai_em_cycle_at_interior_optimum_converges(form: str) -> None:
    # 3 sites x 10 genotypes, a random age effect over 4 ages: AI steps for φ overshoot
    # (AI 0.43 vs observed information 1.85 at expv's optimum), AI and EM steps alternated
    # with |Δℓ| ~ 1e-9 until maxit; the dense-V score at the estimates must vanish
    rng = np.random.default_rng(11)  # the data of tests/vcov/test_manual_structures_dense.py
    u = rng.multivariate_normal(np.zeros(3), corgh([0.7, 0.5, 0.6], [4.0, 2.0, 6.0]), size=10)
    a = rng.multivariate_normal(np.zeros(4), 3 * 0.6 ** DIST)
    rows = []
    for i, s in enumerate("ABC"):
        for r in range(2):
            for g in range(10):
                k = (g + r + i) % 4
                rng.uniform(0, 2, size=2)  # (that file's covariates x1, x2)
                rows.append(dict(site=s, gen=f"G{g}", age=AGES[k],
                                 y=10 + 2 * i + u[g, i] + a[k] + rng.normal(0, 1.2)))
    d = pd.DataFrame(rows).drop(index=[3, 17, 22, 40, 41, 55, 58]).reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = asr.asreml("y ~ site", random=f"~ gen + {form}(age)", data=d)
    x = fit.varcomp["component"].to_numpy()
    y = d.y.to_numpy()
    X = drop_aliased(np.column_stack([np.ones(len(d)), indicator(d.site)]))
    A, Zg = indicator(d.age, list(AGES)), indicator(d.gen)
    p = 1 if form == "expv" else 2

    def ll(z: np.ndarray) -> float:
        V = z[1] * A @ (z[0] ** DIST ** p) @ A.T + z[2] * Zg @ Zg.T + z[3] * np.eye(len(d))
        return reml_loglik(y, X, V)
    assert ll(x) == pytest.approx(fit.loglik, abs=1e-6)
    assert 0.01 < x[0] < 0.99
    h = 1e-5
    grad = [(ll(x + h * e) - ll(x - h * e)) / (2 * h) for e in np.eye(4)]
    assert np.max(np.abs(grad)) < 1e-3
    _, best = lbfgsb_max(ll, x, [1.0] * 4, [(1e-6, 0.999)] + [(0.0, None)] * 3)
    assert best <= fit.loglik + 1e-7
    assert fit.converged


@pytest.mark.parametrize("c", [1e-4, 1e4])
def test_choice_of_the_second_fit_does_not_depend_on_the_units(c: float) -> None:
    """better_of's choice between the two fits, before and after rescaling the trait by c:
    both ℓ shift by the same Jacobian −(n − p) log c (R semantics of a change of units), so
    the decision must be the same. A threshold GAIN_REL x |ℓ| kept the second fit (gain
    2e-7) at ℓ ≈ −100 and refused it at ℓ ≈ −284 (c = 1e4, n − p = 20)."""
    from types import SimpleNamespace

    from asr_py.reml.distance_restart import better_of

    nu = 20.0
    jac = -nu * np.log(c)

    def res(ll: float, conv: bool = True) -> SimpleNamespace:
        return SimpleNamespace(loglik=ll, converged=conv, diagnostics=[])

    for l1, gain, conv1 in [(-100.0, 2e-7, True), (-100.0, -5e-9, False), (-3.0, 4e-8, True),
                            (-100.0, 1e-3, True), (-100.0, -1e-3, False)]:
        a, b = res(l1, conv1), res(l1 + gain)
        kept = better_of(a, b, ["phi"], nu) is b
        a2, b2 = res(l1 + jac, conv1), res(l1 + gain + jac)
        assert (better_of(a2, b2, ["phi"], nu) is b2) == kept
    assert better_of(res(-100.0), res(-99.999), ["phi"], nu).loglik == -99.999  # a real gain
    assert better_of(res(-100.0), res(-100.001, False), ["phi"], nu).loglik == -100.0
