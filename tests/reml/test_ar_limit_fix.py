"""An ar1 correlation the likelihood pushes onto ASReml's limit |ρ| <= 0.99 is fixed at ±0.98
('F') with the other parameters estimated given it (reml/ar_limit_fix.py), and a fit whose
correlation visited the limit but settled inside it is checked from the mirrored start.

Independent references: asreml's AIC/BIC recorded in asremlPlus's test41Selection.r:883 /
test42Selection.r:964 (briencj/asremlPlus), and a dense-V REML (tests/_dense_reml.py, scipy).
asreml's REML log-likelihood omits the constant −½(n − p) log 2π of our full ℓ (lme4's
``logLik(REML = TRUE)``); asremlPlus's infoCriteria counts the parameters neither fixed nor
on a bound: AIC = −2ℓ_asreml + 2k, BIC = −2ℓ_asreml + k log(n − p).
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from _dense_reml import ar1, lag_power, lbfgsb_max, reml_loglik
from _psa27 import psa27

import asr_py as asr

LIM = 0.99  # ASReml's !ARLIMIT


@pytest.fixture(scope="module")
def psa() -> pd.DataFrame:
    df = psa27()
    return df[df["PSA"].notna()].reset_index(drop=True)


def _best(fun, starts, scale, bounds):  # type: ignore[no-untyped-def]
    """The best of one scaled L-BFGS-B run per start (dense, independent of asr_py)."""
    best = (None, -np.inf)
    for x0 in starts:
        x, f = lbfgsb_max(fun, np.asarray(x0, float), scale, bounds)
        if f > best[1]:
            best = (x, f)
    return best


def test_units_beside_ar1_lane_matches_asremls_recorded_aic(psa: pd.DataFrame) -> None:
    """PSA ~ Lane + Position, random units, residual ar1(Lane):Position (test41Selection.r
    859-883): asreml codes the Lane correlation 'F', AIC 2352.823, BIC 2361.365."""
    m = asr.asreml("PSA ~ Lane + Position", random="~ units",
                   residual="~ ar1(Lane):Position", data=psa)
    assert m.converged, m.diagnostics
    vc = m.varcomp
    assert vc.loc["Lane:Position!Lane!cor", "component"] == -0.98
    assert vc.loc["Lane:Position!Lane!cor", "bound"] == "F"
    n = len(psa)
    y = psa["PSA"].to_numpy(float)
    X = np.column_stack([np.ones(n), pd.get_dummies(psa[["Lane", "Position"]],
                                                    drop_first=True).to_numpy(float)])
    nmp = n - np.linalg.matrix_rank(X)
    ll_asreml = m.loglik + 0.5 * nmp * np.log(2 * np.pi)
    k = 2  # units and σ²; ρ fixed
    assert -2 * ll_asreml + 2 * k == pytest.approx(2352.823, abs=1e-3)
    assert -2 * ll_asreml + k * np.log(nmp) == pytest.approx(2361.365, abs=1e-3)
    # dense: units and σ² at their optimum given ρ = −0.98, which lies below ρ = −0.99's
    lane = psa["Lane"].cat.codes.to_numpy()
    pos = psa["Position"].cat.codes.to_numpy()
    dl = np.abs(lane[:, None] - lane[None, :]).astype(float)
    same_pos = (pos[:, None] == pos[None, :]).astype(float)
    dli = dl.astype(np.intp)

    def ll(x: np.ndarray, rho: float) -> float:
        su, s2 = x
        if su < 0 or s2 < 0:
            return -np.inf
        return reml_loglik(y, X, su * np.eye(n) + s2 * lag_power(rho, dli) * same_pos)

    b = [(0, None), (0, None)]
    x98, f98 = _best(lambda z: ll(z, -0.98), [[20, 1], [10, 10]], [10, 1], b)
    f99 = _best(lambda z: ll(z, -LIM), [[20, 1]], [10, 1], b)[1]
    assert m.loglik == pytest.approx(f98, abs=1e-5)
    assert f99 > f98  # the limit binds: ℓ still rises towards −1
    ours = vc.loc[["units", "Lane:Position!R"], "component"].to_numpy(float)
    np.testing.assert_allclose(ours, x98, rtol=2e-3)


def test_correlation_that_visited_its_limit_restarts_mirrored(psa: pd.DataFrame) -> None:
    """PSA ~ 1, random Lane + Position + units, residual ar1(Lane):Position
    (test41Selection.r:954): from ρ = 0.1 the fit went to +0.99 and settled at a local
    optimum ρ = 0.767 (ℓ 2.2 below the dense optimum at ρ = −0.99); the mirrored start
    reaches it, and ρ is then fixed at −0.98 ('F')."""
    m = asr.asreml("PSA ~ 1", random="~ Lane + Position + units",
                   residual="~ ar1(Lane):Position", data=psa)
    assert m.converged, m.diagnostics
    vc = m.varcomp
    assert vc.loc["Lane:Position!Lane!cor", "component"] == -0.98
    assert vc.loc["Lane:Position!Lane!cor", "bound"] == "F"
    n = len(psa)
    y = psa["PSA"].to_numpy(float)
    X = np.ones((n, 1))
    lane = psa["Lane"].cat.codes.to_numpy()
    pos = psa["Position"].cat.codes.to_numpy()
    dl = np.abs(lane[:, None] - lane[None, :]).astype(float)
    same_lane = (dl == 0).astype(float)
    same_pos = (pos[:, None] == pos[None, :]).astype(float)
    dli = dl.astype(np.intp)

    def ll(x: np.ndarray) -> float:
        sl, sp, su, s2, r = x
        if min(sl, sp, su, s2) < 0 or abs(r) > LIM:
            return -np.inf
        return reml_loglik(y, X, sl * same_lane + sp * same_pos + su * np.eye(n)
                           + s2 * lag_power(r, dli) * same_pos)

    b = [(0, None)] * 4 + [(-LIM, LIM)]
    sc = [1, 1, 10, 1, 1]
    xg, fg = _best(ll, [[1, 1, 20, 1, 0.9], [1, 1, 24, 0.5, -0.5]], sc, b)
    local = lbfgsb_max(ll, np.array([1, 1, 20, 1, 0.9]), sc, b)[1]
    assert xg[4] == pytest.approx(-LIM, abs=1e-6) and fg > local + 1  # two optima
    x98, f98 = _best(lambda z: ll(np.r_[z, -0.98]), [[1, 1, 23, 0.8]], sc[:4], b[:4])
    assert m.loglik == pytest.approx(f98, abs=1e-4)
    ours = vc.loc[["Lane", "Position", "units", "Lane:Position!R"], "component"]
    np.testing.assert_allclose(ours.to_numpy(float), x98, rtol=0.02)


def _field(seed: int, nr: int, nc: int, su: float, s2: float, rr: float, rc: float,
           scale: float) -> pd.DataFrame:
    """A simulated trial: y = 10·scale + units + σ²·ar1(r) ⊗ ar1(c) residual."""
    rng = np.random.default_rng(seed)
    cov = s2 * np.kron(ar1(nr, rr), ar1(nc, rc)) + su * np.eye(nr * nc)
    y = np.linalg.cholesky(cov) @ rng.normal(size=nr * nc)
    r, c = np.divmod(np.arange(nr * nc), nc)
    return pd.DataFrame({
        "y": 10 * scale + np.sqrt(scale) * y,
        "r": pd.Categorical([str(v + 1) for v in r], [str(v + 1) for v in range(nr)]),
        "c": pd.Categorical([str(v + 1) for v in c], [str(v + 1) for v in range(nc)])})


def _dense_ar1ar1(d: pd.DataFrame, fix_r: float | None = None):  # type: ignore[no-untyped-def]
    y = d["y"].to_numpy(float)
    X = np.ones((len(y), 1))
    r = d["r"].cat.codes.to_numpy()
    c = d["c"].cat.codes.to_numpy()
    dr = np.abs(r[:, None] - r[None, :]).astype(float)
    dc = np.abs(c[:, None] - c[None, :]).astype(float)
    eye = np.eye(len(y))
    dri, dci = dr.astype(np.intp), dc.astype(np.intp)

    def ll(x: np.ndarray) -> float:
        su, s2, rr, rc = x if fix_r is None else (x[0], x[1], fix_r, x[2])
        if su < 0 or s2 < 0 or abs(rr) > LIM or abs(rc) > LIM:
            return -np.inf
        return reml_loglik(y, X, su * eye + s2 * lag_power(rr, dri) * lag_power(rc, dci))

    v = float(np.var(y))
    starts = [[v / 2, v / 2, 0.3, 0.3], [v / 10, v, 0.8, 0.1], [v, v / 10, -0.3, 0.5]]
    b = [(0, None), (0, None), (-LIM, LIM), (-LIM, LIM)]
    sc = [v, v, 1, 1]
    if fix_r is not None:
        starts = [s[:2] + s[3:] for s in starts]
        b, sc = b[:2] + b[3:], sc[:2] + sc[3:]
    return _best(ll, starts, sc, b)


@pytest.mark.parametrize(("seed", "scale"), [(0, 1.0), (1, 1e4), (2, 1e-3), (3, 1.0)])
def test_simulated_units_beside_ar1_ar1_reaches_dense_optimum(seed: int, scale: float) -> None:
    """units beside σ²·ar1(r):ar1(c) on 10 x 8 simulated trials (a nugget the first AI step
    can trade against σ²): ours is the dense-V REML optimum, at any scale of the data."""
    d = _field(seed, 10, 8, su=1.0, s2=2.0, rr=0.6, rc=0.3, scale=scale)
    m = asr.asreml("y ~ 1", random="~ units", residual="~ ar1(r):ar1(c)", data=d)
    assert m.converged, m.diagnostics
    vc = m.varcomp
    ours = vc.loc[["units", "r:c!R", "r:c!r!cor", "r:c!c!cor"], "component"].to_numpy(float)
    xd, fd = _dense_ar1ar1(d)
    # the construction: an interior optimum (the limit case is the next test's)
    assert np.max(np.abs(xd[2:])) < LIM - 1e-6
    assert m.loglik == pytest.approx(fd, abs=1e-4 * max(1.0, abs(fd)) * 1e-2)
    assert m.loglik >= fd - 1e-4
    np.testing.assert_allclose(ours[2:], xd[2:], atol=0.01)
    np.testing.assert_allclose(ours[:2], xd[:2], rtol=0.02, atol=1e-3 * scale)


@pytest.mark.parametrize("seed", [0, 1])
def test_simulated_row_correlation_on_the_limit_is_fixed_at_098(seed: int) -> None:
    """Rows nearly perfectly correlated (ρ_r = 0.999 simulated): the dense optimum has ρ_r on
    the limit 0.99; ours fixes it at 0.98 ('F'), the rest at the dense optimum given it."""
    d = _field(seed, 12, 6, su=0.5, s2=4.0, rr=0.999, rc=0.4, scale=1.0)
    xd, fd = _dense_ar1ar1(d)
    assert xd[2] == pytest.approx(LIM, abs=1e-6)  # the construction: ρ_r's optimum beyond
    m = asr.asreml("y ~ 1", random="~ units", residual="~ ar1(r):ar1(c)", data=d)
    assert m.converged, m.diagnostics
    vc = m.varcomp
    assert vc.loc["r:c!r!cor", "component"] == 0.98
    assert vc.loc["r:c!r!cor", "bound"] == "F"
    x98, f98 = _dense_ar1ar1(d, fix_r=0.98)
    assert m.loglik == pytest.approx(f98, abs=1e-4)
    assert f98 < fd
    ours = vc.loc[["units", "r:c!R", "r:c!c!cor"], "component"].to_numpy(float)
    np.testing.assert_allclose(ours, x98, rtol=0.02, atol=1e-3)


def test_update_carries_the_fixed_correlation_as_asreml_does(psa: pd.DataFrame) -> None:
    """asreml's update() keeps the correlation it fixed on the limit fixed: in
    test41Selection.r:896-902 testranfix(m4, term = "units", allow.fixedcorrelation =
    FALSE) reports "Unchanged - fixed correlation" for the fit without units ("The fixed
    correlation is in m4.asrt and do not know how to remove it"). The refit is the dense-V
    REML optimum of σ² given ρ = −0.98."""
    m = asr.asreml("PSA ~ Lane + Position", random="~ units",
                   residual="~ ar1(Lane):Position", data=psa)
    p = m.params.set_index("Component")
    assert p.loc["Lane:Position!Lane!cor", "Constraint"] == "F"
    assert p.loc["Lane:Position!Lane!cor", "Value"] == -0.98
    m2 = m.update(random="~ . - units")
    assert m2.converged and m2.varcomp.loc["Lane:Position!Lane!cor", "bound"] == "F"
    n = len(psa)
    y = psa["PSA"].to_numpy(float)
    X = np.column_stack([np.ones(n), pd.get_dummies(psa[["Lane", "Position"]],
                                                    drop_first=True).to_numpy(float)])
    lane = psa["Lane"].cat.codes.to_numpy()
    pos = psa["Position"].cat.codes.to_numpy()
    dl = np.abs(lane[:, None] - lane[None, :]).astype(float)
    corr = (-0.98) ** dl * (pos[:, None] == pos[None, :])
    # σ² given ρ: ℓ is maximised in closed form, σ̂² = y'P₀y / (n − p) with P₀ from C(ρ)
    ci = np.linalg.inv(corr)
    p0 = ci - ci @ X @ np.linalg.solve(X.T @ ci @ X, X.T @ ci)
    nmp = n - np.linalg.matrix_rank(X)
    s2 = float(y @ p0 @ y) / nmp
    assert m2.varcomp.loc["Lane:Position!R", "component"] == pytest.approx(s2, rel=1e-5)
    assert m2.loglik == pytest.approx(reml_loglik(y, X, s2 * corr), abs=1e-5)


def test_limit_correlations_are_the_unfixed_ar1_rhos() -> None:
    """reml/param_codes.limit_correlations: ASReml's !ARLIMIT applies to ar1's ρ (and its
    v/h forms), not to corgh correlations, exp's φ or a ρ the user fixed ('F')."""
    from asr_py.reml.param_codes import limit_correlations

    rng = np.random.default_rng(1)
    d = pd.DataFrame({"r": np.repeat(np.arange(4), 5).astype(str),
                      "c": np.tile(np.arange(5), 4).astype(str),
                      "e": np.tile(["a", "b", "c", "d", "e"], 4),
                      "y": rng.normal(size=20)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one step of a non-identifiable corgh: codes only
        m = asr.asreml("y ~ 1", random="~ corgh(e)", residual="~ ar1(r):ar1v(c)", data=d,
                       maxit=1)
    pb = m.model.problem()
    got = [pb.names[k] for k in limit_correlations(pb)]
    want = [n for n in pb.names if n.startswith("r:c!") and n.endswith("!cor")]
    assert got == want and len(want) == 2, (pb.names, got)
    fixed = replace(pb, constraints=["F" if n == want[0] else c
                                     for n, c in zip(pb.names, pb.constraints)])
    assert [fixed.names[k] for k in limit_correlations(fixed)] == want[1:]
