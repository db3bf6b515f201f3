"""A variance of a template with correlations that ends on its boundary gets a second fit
(asr_py/reml/corr_escape.py).

Found by the dense-REML sweep (tests/reml/_sweep_cases.py, 'corgh(env):gen', seed 0, 61
records, yields in kg/ha): the first AI steps put two environments' genetic variances at
their boundary, where their correlations have no information; the fit crawled by EM steps
and stopped at ℓ = −453.9958, 0.125 below the optimum −453.8707 of the independent dense-V
REML (tests/_dense_reml.py, scipy from its own starts), with the third variance at 2e-10
instead of 5.6e3. The second fit from the estimates with that variance raised reaches the
optimum. A variance whose optimum is zero stays there (the first fit is kept).
"""

from __future__ import annotations

import numpy as np
import pytest
from _dense_reml import fit_dense
from _sweep_cases import cases, compare, fit_asr

import asr_py as asr

CASES = {c.name: c for c in cases(80)}


def test_corgh_variance_left_on_its_boundary_reaches_the_dense_optimum() -> None:
    case = CASES["corgh(env):gen"]
    d = case.data(np.random.default_rng(0), 80)
    m = fit_asr(case, d)
    r = compare(case, d, m)
    assert r["ll_dense"] > -453.90  # the dense optimum is the interior one
    assert m.converged
    assert r["ll_gap"] <= 1e-8 and r["ll_at"] <= 1e-8  # was 2.8e-4 (0.125 in ℓ)
    assert r["cov"] <= 2e-2  # was 0.18
    vc = m.varcomp["component"]
    assert vc["env:gen!env_E2"] > 1e3  # was 2e-10 ('B')
    assert any("second fit" in s for s in m.result.diagnostics)


def _no_signal_in_e2(seed: int) -> tuple[object, object]:
    """corgh(env):gen data with no genotype signal in E2 (equal genotype means there)."""
    case = CASES["corgh(env):gen"]
    rng = np.random.default_rng(seed)
    d = case.data(rng, 80)
    e2 = (d["env"] == "E2").to_numpy()
    e = rng.normal(size=e2.sum()) * 420.0  # E2: no genotype signal (equal genotype means)
    e -= d.loc[e2].assign(e=e).groupby("gen", observed=True)["e"].transform("mean").to_numpy()
    d.loc[e2, "y"] = 4300.0 + e
    return case, d


def test_a_zero_variance_beside_correlations_stays_at_zero() -> None:
    """corgh(env):gen with no genetic variance in one environment (equal genotype means
    there): the optimum has it at zero. The first fit stopped unconverged 1.76 below the
    dense optimum (−458.884 against −457.121), with that variance at zero but the others
    wrong; the second fit reaches the optimum and keeps the variance at zero."""
    case, d = _no_signal_in_e2(3)
    m = fit_asr(case, d)
    dn = case.dense(d)
    _, ld = fit_dense(dn.y, dn.X, dn.vfun, dn.starts, dn.bounds, scale=dn.scale)
    assert (ld - m.loglik) / abs(m.loglik) <= 1e-6
    assert m.varcomp.loc["env:gen!env_E2", "bound"] == "B"


def test_no_second_fit_without_correlations() -> None:
    """diag(env):gen with one variance at zero: no correlations, no second fit."""
    d = CASES["diag(env):gen one zero"].data(np.random.default_rng(0), 80)
    m = asr.asreml("y ~ env", random="~ diag(env):gen", data=d)
    assert m.converged
    assert not any("second fit" in s for s in m.result.diagnostics)


@pytest.mark.parametrize("seed", [0, 1, 2, 4, 5, 7])
def test_zero_variance_beside_correlations_converges_at_the_dense_optimum(seed: int) -> None:
    """s16esc: the same construction, other seeds. With E2's variance held at zero its
    correlations have no information (asr_py/reml/orphan_corr.py holds them); before, these
    fits ended unconverged 4e-9 .. 6e-8 (relative) below the independent dense-V REML
    optimum (tests/_dense_reml.py), seed 5 with E2's variance at 0.07 ('P')."""
    case, d = _no_signal_in_e2(seed)
    m = fit_asr(case, d)
    dn = case.dense(d)
    _, ld = fit_dense(dn.y, dn.X, dn.vfun, dn.starts, dn.bounds, scale=dn.scale)
    assert m.converged
    assert (ld - m.loglik) / abs(m.loglik) <= 1e-9
    assert m.varcomp.loc["env:gen!env_E2", "bound"] == "B"


def test_correlation_at_one_beside_a_zero_variance_reaches_the_dense_optimum() -> None:
    """s18eng: seed 4 of the construction above. The dense-V REML optimum
    (tests/_dense_reml.py) has E2's variance at 0 and r(E0, E1) = 1 (a rank-1 correlation
    matrix). The first AI steps put E0's variance on its bound too (one step from 5e4 to
    1e-7), where r(E0, E1) has no information; the second fit from the raised variances
    jumped straight back and both stopped unconverged 2.19 below the optimum. The second
    fit now lets a variance of a template with correlations approach its bound by at most
    a factor SHRINK per step unless the jump is better (asr_py/reml/ai_step.py)."""
    case, d = _no_signal_in_e2(4)
    m = fit_asr(case, d)
    dn = case.dense(d)
    xd, ld = fit_dense(dn.y, dn.X, dn.vfun, dn.starts, dn.bounds, scale=dn.scale)
    assert xd[0] > 1.0 - 1e-4 and xd[5] < 1e-6 * xd[3]  # the dense optimum: r = 1, v_E2 = 0
    assert m.converged
    assert (ld - m.loglik) / abs(ld) <= 1e-9  # was 4.6e-3 (2.19 in ℓ)
    vc = m.varcomp
    assert vc.loc["env:gen!env_E2", "bound"] == "B"
    assert vc.loc["env:gen!env_E1:E0!cor", "component"] > 1.0 - 1e-6
    for name, k in (("env:gen!env_E0", 3), ("env:gen!env_E1", 4), ("units!R", 6)):
        assert vc.loc[name, "component"] == pytest.approx(xd[k], rel=2e-3)
    assert any("boundary of the parameter space" in s for s in m.result.diagnostics)


def test_interior_correlations_are_not_snapped() -> None:
    """The same data without the E2 construction, seed 2: the dense optimum is interior
    (every |r| < 0.7); the engine reaches it with the same correlations and no boundary."""
    case = CASES["corgh(env):gen"]
    d = case.data(np.random.default_rng(2), 80)
    m = fit_asr(case, d)
    dn = case.dense(d)
    xd, ld = fit_dense(dn.y, dn.X, dn.vfun, dn.starts, dn.bounds, scale=dn.scale)
    assert np.max(np.abs(xd[:3])) < 0.9
    assert m.converged
    assert abs(ld - m.loglik) / abs(ld) <= 1e-9
    comp = m.varcomp["component"].to_numpy(float)
    np.testing.assert_allclose(comp[:3], xd[:3], atol=1e-3)
    assert (m.varcomp["bound"].iloc[3:] == "P").all()
    assert not any("boundary" in s for s in m.result.diagnostics)
