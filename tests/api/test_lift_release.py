"""s31lift: no convergence claimed at a lifted floor set from a scale measured elsewhere
(reml/lift_release.py).

From a start 10¹² (10¹⁴) off, the bivariate DT_example fit lifts four variances held at
their bound to 1e-6 x a standard error of that point (floors 7.6e9 … 1.3e11) and main
claimed convergence at ℓ −1997.30 (maxit 100; −2124.34 with s30face's face steps), 1 500+
below the optimum, with units:us(trait) on a rank-1 PD face. Now the stale floors are
released and the fit continues from an interior point.

References: the REML optimum of this model by sommer 4.3.7 (tests/api/test_mv_start.py,
tests/api/test_reference_fits.py) and by nlme::lme (tests/model/asmv_nlme.json, recorded
by scripts/record_asmv_nlme.R): ℓ −466.684218641613; the Jacobian of ℓ for a trait in
other units, −(n_t − p_t) ln k.
"""

import warnings

import numpy as np
import pytest

import asr_py as asr

FIXED = "cbind(Yield, Weight) ~ trait + trait:Env"
RANDOM = "~ us(trait):Name"
RESID = "~ units:us(trait)"
LL = -466.684218641613
EST = [4.85930892559314, 1.14323608884632, 0.273675207642469, 8.10169943400492,
       1.65230824232099, 0.379228137447552]


def _fit(dt, values, maxit=100):
    sv = asr.asreml(FIXED, RANDOM, RESID, data=dt, start_values=True)
    sv["Value"] = values
    return asr.asreml(FIXED, RANDOM, RESID, data=dt, params=sv, mv_start="default",
                      maxit=maxit)


def _poor(k: float) -> list[float]:
    return [10.0 ** -k, 0.0, 10.0 ** -k, 10.0 ** k, 0.0, 10.0 ** k]


@pytest.mark.parametrize("k", [12, 14])
def test_poor_start_reaches_the_optimum_not_a_lifted_floor(dt_example, k):
    m = _fit(dt_example, _poor(k))
    assert m.converged
    assert m.loglik == pytest.approx(LL, abs=1e-6)
    np.testing.assert_allclose(m.varcomp["component"].to_numpy(), EST, rtol=1e-5)
    assert "standard errors of an earlier point (lifted at iteration" in " ".join(m.diagnostics)
    assert not any("held at its boundary" in d for d in m.diagnostics)


def test_short_of_iterations_it_says_so(dt_example):
    """With maxit = 30 the continued fit may run out of iterations: then unconverged, the
    warning raised; never 'converged' below the optimum (since s32face's Cholesky polish,
    reml/face_polish.py, this start reaches the optimum within maxit = 30)."""
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        m = _fit(dt_example, _poor(14), maxit=30)
    if m.converged:
        assert m.loglik == pytest.approx(LL, abs=1e-6)
    else:
        assert m.loglik < LL
        assert any(issubclass(w.category, asr.ConvergenceWarning) for w in got)
        assert any("did not converge in 30 iterations" in d for d in m.diagnostics)


def test_units_and_row_order_do_not_change_the_released_fit(dt_example):
    """Weight in grams (x 1000: its variances x 1e6, covariances x 1e3) and the rows in
    another order: the same optimum (ℓ shifted by the Jacobian)."""
    k = 1000.0
    d2 = dt_example.assign(Weight=dt_example["Weight"] * k)
    d2 = d2.iloc[np.random.default_rng(3).permutation(len(d2))].reset_index(drop=True)
    poor = np.asarray(_poor(12)) * [1.0, k, k * k, 1.0, k, k * k]
    m = _fit(d2, list(poor))
    assert m.converged
    n_w = int(dt_example["Weight"].notna().sum())
    p_w = dt_example["Env"].nunique()  # trait_Weight + trait_Weight:Env columns
    jac = -(n_w - p_w) * np.log(k)
    assert m.loglik == pytest.approx(LL + jac, abs=1e-6)
    np.testing.assert_allclose(m.varcomp["component"].to_numpy()
                               / [1.0, k, k * k, 1.0, k, k * k], EST, rtol=1e-5)
