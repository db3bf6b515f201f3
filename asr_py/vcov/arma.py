"""ARMA(1, 1) correlation over ordered, equally spaced levels (ASReml's ``arma``; with 'v'/'h'
variants, see correlation.py).

The stationary process x_t = φ x_{t−1} + e_t − θ e_{t−1} (Box-Jenkins signs, as ``ma1``'s
θ in autoregressive.py) has the autocorrelations (Box, Jenkins & Reinsel, Time Series
Analysis, §3.4.3)

    ρ_1 = (1 − φθ)(φ − θ) / (1 + θ² − 2φθ),    ρ_k = φ ρ_{k−1} (k ≥ 2),

so θ = 0 gives ``ar1`` (ρ_k = φ^k) and φ = 0 gives ``ma1`` (ρ_1 = −θ/(1 + θ²)). Two
parameters, ``{name}!phi`` then ``{name}!theta`` (asremlPlus's estimateV reads asreml's
``!cor1``, ``!cor2`` in this order, R/estimateV.v3.R ``G.arma``), φ within ASReml's
autoregressive limit ±0.99 (autoregressive.py, "Limits"), θ in (−1, 1) (invertible).
With N = (1 − φθ)(φ − θ), D = 1 + θ² − 2φθ:
∂N/∂φ = 1 − 2φθ + θ², ∂D/∂φ = −2θ, ∂N/∂θ = −(1 − 2φθ + φ²), ∂D/∂θ = 2(θ − φ);
∂ρ_k/∂φ = (k − 1) φ^(k−2) ρ_1 + φ^(k−1) ∂ρ_1/∂φ, ∂ρ_k/∂θ = φ^(k−1) ∂ρ_1/∂θ.
Start: φ = 0.1, θ = 0.1.
"""

from __future__ import annotations

import numpy as np

from asr_py.vcov.autoregressive import AR_LIMIT, _Toeplitz
from asr_py.vcov.base import label
from asr_py.vcov.correlation import correlation_syntax, register_correlation


class ARMA11(_Toeplitz):
    """``arma``: ρ_1 = (1 − φθ)(φ − θ)/(1 + θ² − 2φθ), ρ_k = φ ρ_{k−1}."""

    def corr_names(self) -> list[str]:
        return [label(self.name, "phi", "!"), label(self.name, "theta", "!")]

    def corr_kinds(self) -> list[str]:
        return ["other", "other"]

    def corr_lower(self) -> np.ndarray:
        return np.array([-AR_LIMIT, -1.0])

    def corr_upper(self) -> np.ndarray:
        return np.array([AR_LIMIT, 1.0])

    def corr_valid_range(self) -> tuple[np.ndarray, np.ndarray]:
        return np.array([-1.0, -1.0]), np.array([1.0, 1.0])

    def closed_bound(self, j: int) -> bool:
        return j == 0  # φ held exactly at ±AR_LIMIT, as ar1's ρ

    def corr_valid(self, rho: np.ndarray) -> bool:
        return bool(np.all(np.abs(np.asarray(rho, dtype=float)) < 1.0 - 1e-10))

    def corr_initial(self) -> np.ndarray:
        return np.array([0.1, 0.1])

    def acf(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        phi, th = float(par[0]), float(par[1])
        num = (1 - phi * th) * (phi - th)
        den = 1 + th * th - 2 * phi * th
        r1 = num / den
        dr1 = np.array([((1 - 2 * phi * th + th * th) * den + 2 * th * num) / den**2,
                        (-(1 - 2 * phi * th + phi * phi) * den - 2 * (th - phi) * num)
                        / den**2])
        m = max(self.n, 2)
        k = np.arange(1, m)                      # lags 1..m-1
        pw = phi ** (k - 1.0)                    # φ^(k−1)
        r = np.empty(m)
        r[0], r[1:] = 1.0, pw * r1
        dr = np.zeros((2, m))
        dpw = np.where(k >= 2, (k - 1.0) * phi ** np.maximum(k - 2.0, 0.0), 0.0)
        dr[0, 1:] = dpw * r1 + pw * dr1[0]
        dr[1, 1:] = pw * dr1[1]
        return r[:self.n], dr[:, :self.n]


register_correlation(ARMA11, "arma", syntax=correlation_syntax(
    "autoregressive moving average ARMA(1, 1)", "ARMA(1, 1) correlation", "ARMA(φ, θ)",
    "ρ_1 = (1 − φθ)(φ − θ)/(1 + θ² − 2φθ), ρ_k = φ ρ_(k−1)", spatial=True))
