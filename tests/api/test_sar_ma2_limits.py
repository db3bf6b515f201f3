"""sar's γ and ma2's θ_j are held at ±0.99 when the likelihood rises beyond (ASReml's
!ARLIMIT; dae's mat.sar and mat.ma2, to which asremlPlus passes asreml's estimates, refuse
|·| >= 1). The fitted ℓ is checked against a REML log-likelihood formed here: C from the
autocorrelations of the process's MA(∞) weights, σ² profiled out in closed form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.vcov.autoregressive import AR_LIMIT


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    """80 equally spaced plots of an AR(2) with a double root (sar with γ = 1.7)."""
    rng = np.random.default_rng(3)
    g, n, burn = 1.7, 80, 200
    e, x = rng.normal(size=n + burn), np.zeros(n + burn)
    for t in range(2, n + burn):
        x[t] = g * x[t - 1] - g * g / 4 * x[t - 2] + e[t]
    return pd.DataFrame({"y": x[burn:], "pos": [str(i + 1) for i in range(n)]})


def acf(psi: np.ndarray, n: int) -> np.ndarray:
    psi = np.concatenate([psi, np.zeros(n)])
    gam = np.array([psi[: len(psi) - k] @ psi[k:] for k in range(n)])
    return gam / gam[0]


def ar_psi(phi: list[float], m: int = 6000) -> np.ndarray:
    psi = np.zeros(m)
    psi[0] = 1.0
    for t in range(1, m):
        psi[t] = sum(p * psi[t - j - 1] for j, p in enumerate(phi) if t - j - 1 >= 0)
    return psi


def profiled_reml(y: np.ndarray, r: np.ndarray) -> float:
    """REML ℓ of y ~ 1 with V = σ² C, C Toeplitz(r), at σ̂² = y'P_C y / (n − 1)."""
    n = y.size
    i = np.arange(n)
    C = r[np.abs(i[:, None] - i[None, :])]
    X = np.ones((n, 1))
    Ci = np.linalg.inv(C)
    xcx = X.T @ Ci @ X
    P = Ci - Ci @ X @ np.linalg.solve(xcx, X.T @ Ci)
    s2 = y @ P @ y / (n - 1)
    return -0.5 * ((n - 1) * np.log(2 * np.pi * s2) + np.linalg.slogdet(C)[1]
                   + np.linalg.slogdet(xcx)[1] + (n - 1))


def test_sar_held_at_the_limit(series: pd.DataFrame) -> None:
    m = asr.asreml("y ~ 1", residual="~ sar(pos)", data=series)
    row = m.varcomp.loc[[n for n in m.varcomp.index if n.endswith("!cor")][0]]
    assert row["component"] == pytest.approx(AR_LIMIT) and row["bound"] == "B"
    y, n = series["y"].to_numpy(), len(series)
    g = AR_LIMIT
    at = profiled_reml(y, acf(ar_psi([g, -g * g / 4]), n))
    assert m.loglik == pytest.approx(at, abs=1e-4)
    inside = profiled_reml(y, acf(ar_psi([0.9, -0.81 / 4]), n))
    assert at > inside                                   # ℓ still rises at the limit
    asr.dae.mat_sar(row["component"], 5)                # dae takes the estimate


def test_ma2_held_at_the_limit(series: pd.DataFrame) -> None:
    m = asr.asreml("y ~ 1", residual="~ ma2(pos)", data=series)
    vc = m.varcomp
    th = vc.loc[[n for n in vc.index if "!theta" in n], "component"].to_numpy()
    assert np.all(np.abs(th) <= AR_LIMIT + 1e-12)
    held = vc.loc[[n for n in vc.index if "!theta" in n], "bound"].to_numpy()
    assert "B" in held and np.abs(th[held == "B"]) == pytest.approx(AR_LIMIT)
    y, n = series["y"].to_numpy(), len(series)
    assert m.loglik == pytest.approx(profiled_reml(y, acf(np.array([1, -th[0], -th[1]]), n)),
                                     abs=1e-4)
    asr.dae.mat_ma2(list(th), 5)                          # dae takes the estimates
