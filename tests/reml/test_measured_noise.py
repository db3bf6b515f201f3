"""A fit that ends where no evaluation of ℓ can confirm the next step's gain: the rounding
noise of ℓ is read from ℓ itself (:func:`asr_py.reml.convergence.measured_noise`).

asremlPlus's longit refit (test41Selection.r:525, test42Selection.r:539): Area ~ Block +
Treatments + Treatments:xDAP, random Block:Cart + at(Treatments):spl(xDAP, k = 10) +
Block:Cart:spl(xDAP) + Block:Cart:xDAP, residual Block:Cart:ar1h(DAP) with DAP_17 fixed at
1e-4 beside variances up to 3e2 (cond(R) ~ 1e8), started, as ``update()`` starts it, from
the fit with Treatments:DAP. ℓ's evaluations 1e-12 apart disagree by ~1e-6, the size-based
estimate (``loglik_noise``) says 5.5e-8: on main 2365677 the fit stopped "neither an AI nor
an EM step increased the log-likelihood" at iteration 16, unconverged, its next step
predicting a gain of 9e-8 (the ℓ tolerance is 3.2e-5). Checked against an independent
dense-V REML (V block-diagonal by treatment; X, Block:Cart, Block:Cart:xDAP and the ar1h
residual built here from the data; the spline terms' Z G Z' per unit variance from asr_py's
basis), whose L-BFGS-B optimum from three starts (the fit's estimates; all free parameters
x 2 with ρ = 0.5; log-normal scatter with ρ = 0.9) is OPT_LOGLIK.
Data: fetched asremlplus_longit.csv (asremlPlus's longit.dat, tests/data/README.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _fetched import fetched

import asr_py as asr
from asr_py.reml.convergence import measured_noise

TRT = ["-,0", "-,10", "-,40", "-,90", "+,0", "+,10", "+,40", "+,90"]
FIXED = "Area ~ Block + Treatments + Treatments:xDAP"
RANDOM = ("~ Block:Cart + at(Treatments):spl(xDAP, k = 10) + Block:Cart:spl(xDAP) "
          "+ Block:Cart:xDAP")
RESIDUAL = "~ Block:Cart:ar1h(DAP)"
#: the estimates of the fit with Treatments:DAP (its own value left out), in component
#: order: Block:Cart, the 8 at(Treatments) splines, Block:Cart:spl, Block:Cart:xDAP, ρ,
#: DAP_17 (fixed) .. DAP_51
START = [
    70.51140850476443, 232.3152508734677, 504.9842859894784, 74.95357853323021,
    2.7734509962347995, 42.56501684011371, 61.76764838576459, 32.9017166102902,
    36.97842598707314, 12.881936943017847, 0.3697763321103854, 0.9484782957645824,
    0.0001, 0.5489911697907541, 0.9778688111805061, 0.9485392945168298,
    1.5108486090511313, 0.6699389595961466, 1.9770737293843845, 2.504622272170913,
    5.106968120938058, 7.659630521375059, 14.839259454271758, 12.79574681910367,
    12.949127420052285, 21.992601209960238, 21.851230533385117, 13.148552086328511,
    10.404167186684981, 9.675305787604868, 14.329698018288015, 22.359002874119238,
    42.30964408773745, 21.03308357881677, 27.394730910350642, 38.5952280338012,
    79.81759493007067, 272.7309610951674, 139.7944363518662, 118.39739450596808,
    302.5110661705815, 118.71478476881873, 36.9524911740855, 16.456167573288294,
    9.39761345422971, 12.886190225398352, 33.02163330127671,
]
N_RANDOM = 11          # variances of the random terms, then ρ, then the 35 DAP variances
OPT_LOGLIK = -2191.074274437289  # dense-V L-BFGS-B: the three starts agree to 1e-9


def _data(scale: float = 1.0, seed: int | None = None) -> pd.DataFrame:
    d = pd.read_csv(fetched("asremlplus_longit.csv"),
                    dtype={"Block": str, "Cart": str, "DAP": str, "Treatments": str})
    for col, levels in (("Block", range(1, 5)), ("Cart", range(1, 9)), ("DAP", range(17, 52))):
        d[col] = pd.Categorical(d[col], categories=[str(i) for i in levels])
    d["Treatments"] = pd.Categorical(d.Treatments, categories=TRT)
    d["Area"] = d.Area * scale
    if seed is not None:
        d = d.iloc[np.random.default_rng(seed).permutation(len(d))].reset_index(drop=True)
    return d


def _fit(d: pd.DataFrame, scale: float = 1.0) -> asr.AsremlFit:
    table = asr.asreml(FIXED, RANDOM, RESIDUAL, data=d, keep_order=True, start_values=True)
    assert table["Component"].iloc[N_RANDOM + 1] == "Block:Cart:DAP!DAP_17"
    kinds = table["Kind"].to_numpy()
    table["Value"] = np.asarray(START) * np.where(kinds == "variance", scale ** 2, 1.0)
    table.loc[N_RANDOM + 1, "Constraint"] = "F"
    return asr.asreml(FIXED, RANDOM, RESIDUAL, data=d, keep_order=True, maxit=100,
                      params=table[["Component", "Value", "Constraint"]])


class _Dense:
    """ℓ(θ) of a dense V = Σ_k θ_k Z_k G_k Z_k' + R(θ), block by block (one block per
    treatment: no term links two), lme4's REML convention."""

    def __init__(self, d: pd.DataFrame) -> None:
        obs = d.Area.notna().to_numpy()
        o = d[obs].reset_index(drop=True)
        self.y = o.Area.to_numpy(float)
        n = len(o)
        cart = (o.Block.astype(str) + ":" + o.Cart.astype(str)).to_numpy()
        zc = (cart[:, None] == np.unique(cart)[None, :]).astype(float)
        trt, x = o.Treatments.astype(str).to_numpy(), o.xDAP.to_numpy(float)
        self.X = np.column_stack(
            [np.ones(n)] + [(o.Block.astype(str) == b).to_numpy(float) for b in "234"]
            + [(trt == t).astype(float) for t in TRT[1:]] + [(trt == t) * x for t in TRT])
        prob = asr.compile_model(FIXED, RANDOM, RESIDUAL, d, keep_order=True).problem()
        assert np.allclose(prob.y, self.y)   # the records: the observed rows in data order
        spl = []
        for b in prob.random:                # the spline basis is asr_py's (model layer)
            if "spl(" in b.name:
                g = b.template.matrix(np.ones(b.template.n_params))
                g = g.toarray() if hasattr(g, "toarray") else np.asarray(g)
                z = b.Z.toarray()
                spl.append(z @ g @ z.T)
        zx = zc * x[:, None]
        self.mats = [zc @ zc.T, *spl, zx @ zx.T]
        self.lev = o.DAP.cat.codes.to_numpy()
        self.same = cart[:, None] == cart[None, :]
        self.lag = np.abs(self.lev[:, None] - self.lev[None, :]).astype(float)
        self.blocks = [np.flatnonzero(trt == t) for t in TRT]

    def loglik(self, th: np.ndarray) -> float:
        rho, var = th[N_RANDOM], th[N_RANDOM + 1:]
        p = self.X.shape[1]
        ld, xvx, xvy, yvy = 0.0, np.zeros((p, p)), np.zeros(p), 0.0
        for ix in self.blocks:
            sub = np.ix_(ix, ix)
            sd = np.sqrt(var[self.lev[ix]])
            v = sum(t * m[sub] for t, m in zip(th[:N_RANDOM], self.mats))
            v = v + self.same[sub] * rho ** self.lag[sub] * np.outer(sd, sd)
            low = np.linalg.cholesky(v)
            ld += 2 * float(np.log(np.diag(low)).sum())
            xs, ys = np.linalg.solve(low, self.X[ix]), np.linalg.solve(low, self.y[ix])
            xvx, xvy, yvy = xvx + xs.T @ xs, xvy + xs.T @ ys, yvy + ys @ ys
        lx = np.linalg.cholesky(xvx)
        b = np.linalg.solve(lx, xvy)
        n = self.y.size
        return -0.5 * ((n - p) * np.log(2 * np.pi) + ld + 2 * float(np.log(np.diag(lx)).sum())
                       + yvy - b @ b)


def _coordinate_gains(dense: _Dense, th: np.ndarray, free: np.ndarray) -> np.ndarray:
    """For each free θ_k, the gain ½ g_k² / |h_kk| of a one-parameter Newton step from the
    dense ℓ's central differences (g_k, h_kk; step 1e-4 θ_k)."""
    l0 = dense.loglik(th)
    out = np.zeros(th.size)
    for k in np.flatnonzero(free):
        h = 1e-4 * abs(th[k])
        up, dn = th.copy(), th.copy()
        up[k] += h
        dn[k] -= h
        lu, ld = dense.loglik(up), dense.loglik(dn)
        g, c = (lu - ld) / (2 * h), (lu - 2 * l0 + ld) / h ** 2
        out[k] = 0.5 * g * g / abs(c)
    return out


@pytest.fixture(scope="module")
def refit() -> asr.AsremlFit:
    return _fit(_data())


def test_measured_noise_reads_the_rounding_left_after_the_linear_term() -> None:
    th = np.array([2.0, 0.5, 30.0])
    s = np.array([1.0, -3.0, 0.2])
    exact = measured_noise(lambda t: 7.0 + float(s @ (t - th)), th, 7.0, s,
                           np.ones(3, dtype=bool))
    assert exact == pytest.approx(0.0, abs=1e-12)
    calls = iter([3e-6, -1e-6, 2e-6, 0.0])
    noisy = measured_noise(lambda t: 7.0 + float(s @ (t - th)) + next(calls), th, 7.0, s,
                           np.ones(3, dtype=bool))
    assert noisy == pytest.approx(3e-6, rel=1e-6)
    # fixed parameters are not moved; no probe evaluated: 0
    seen = []
    measured_noise(lambda t: seen.append(t.copy()) or 7.0, th, 7.0, s,
                   np.array([True, False, True]))
    assert all(t[1] == th[1] for t in seen) and len(seen) == 4
    assert measured_noise(lambda t: None, th, 7.0, s, np.ones(3, dtype=bool)) == 0.0


def test_refit_converges_at_the_dense_optimum(refit: asr.AsremlFit) -> None:
    assert refit.converged
    assert any("round-off" in x for x in refit.result.diagnostics)
    dense = _Dense(_data())
    th = np.asarray(refit.result.theta, dtype=float)
    assert th[N_RANDOM + 1] == 1e-4
    ll = dense.loglik(th)
    assert refit.loglik == pytest.approx(ll, abs=1e-5)       # ℓ's noise here is ~1e-6
    assert ll >= OPT_LOGLIK - 1e-6
    free = np.array([c != "F" for c in refit.result.constraints])
    assert free.sum() == th.size - 1
    assert _coordinate_gains(dense, th, free).max() <= 1e-6   # (1e-8 here; at START 0.13)


def test_refit_is_the_same_in_other_units_and_row_order(refit: asr.AsremlFit) -> None:
    other = _fit(_data(1000.0, seed=3), 1000.0)
    assert other.converged
    # the REML Jacobian of y -> 1000 y: -(n - p) ln 1000
    assert other.loglik == pytest.approx(
        refit.loglik - refit.result.n_minus_p * np.log(1000.0), abs=1e-5)
    th = np.asarray(refit.result.theta, dtype=float)
    back = np.asarray(other.result.theta, dtype=float)
    back = back / np.where(np.arange(th.size) == N_RANDOM, 1.0, 1e6)
    np.testing.assert_allclose(back, th, rtol=1e-3)


def test_an_unconverged_stop_says_when_the_loglik_is_only_known_to_its_noise() -> None:
    from asr_py.reml.convergence import noisy_note

    assert noisy_note(1e-7, 3.2e-5) == ""
    note = noisy_note(0.28, 3.2e-5)
    assert "±0.28" in note and "ill-conditioned" in note and "'F'" in note
