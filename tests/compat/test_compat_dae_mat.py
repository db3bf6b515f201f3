"""dae's mat.* correlation matrices (asr_py.compat.dae_mat) against independent computations:
the autocorrelations of AR/MA processes from their MA(∞) weights (ψ), and the closed forms
of dae's documentation (R/mat.functions.r of briencj/dae)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError


def _acf_from_psi(psi: np.ndarray, n: int) -> np.ndarray:
    """ρ_k = Σ ψ_j ψ_{j+k} / Σ ψ_j² of x_t = Σ ψ_j e_{t−j} (a long truncated expansion)."""
    psi = np.concatenate([np.asarray(psi, dtype=float), np.zeros(n)])
    g = np.array([psi[: len(psi) - k] @ psi[k:] for k in range(n)])
    return g / g[0]


def _ar_psi(phi: list[float], m: int = 4000) -> np.ndarray:
    psi = np.zeros(m)
    psi[0] = 1.0
    for t in range(1, m):
        psi[t] = sum(p * psi[t - j - 1] for j, p in enumerate(phi) if t - j - 1 >= 0)
    return psi


def _toeplitz(r: np.ndarray) -> np.ndarray:
    i = np.arange(len(r))
    return r[np.abs(i[:, None] - i[None, :])]


@pytest.mark.parametrize("phi", [[0.5, -0.3, 0.2], [-0.2, 0.1, -0.05], [0.3, 0.2, 0.1]])
def test_mat_ar3_is_the_ar3_autocorrelation(phi: list[float]) -> None:
    want = _toeplitz(_acf_from_psi(_ar_psi(phi), 6))
    np.testing.assert_allclose(asr.dae.mat_ar3(phi, 6), want, atol=1e-10)


def test_mat_ar2_and_sar_are_ar2_autocorrelations() -> None:
    np.testing.assert_allclose(asr.dae.mat_ar2([0.4, 0.3], 5),
                               _toeplitz(_acf_from_psi(_ar_psi([0.4, 0.3]), 5)), atol=1e-10)
    g = 0.6                                   # sar: φ1 = γ, φ2 = −γ²/4
    np.testing.assert_allclose(asr.dae.mat_sar(g, 5),
                               _toeplitz(_acf_from_psi(_ar_psi([g, -g * g / 4]), 5)),
                               atol=1e-10)


def test_mat_sar2_is_the_ar3_of_its_phi() -> None:
    g1, g2 = -0.3, 0.2
    phi = [g1 + 2 * g2, -g2 * (2 * g1 + g2), g1 * g2 * g2]
    np.testing.assert_allclose(asr.dae.mat_sar2([g1, g2], 6),
                               _toeplitz(_acf_from_psi(_ar_psi(phi), 6)), atol=1e-10)


def test_mat_ma1_ma2_are_ma_autocorrelations() -> None:
    """asreml's sign: x_t = e_t − θ e_{t−1} (− θ2 e_{t−2}), so ψ = (1, −θ1, −θ2)."""
    np.testing.assert_allclose(asr.dae.mat_ma1(0.4, 4),
                               _toeplitz(_acf_from_psi(np.array([1, -0.4]), 4)), atol=1e-12)
    np.testing.assert_allclose(asr.dae.mat_ma2([0.3, -0.2], 5),
                               _toeplitz(_acf_from_psi(np.array([1, -0.3, 0.2]), 5)),
                               atol=1e-12)


def test_mat_arma_follows_dae_formula() -> None:
    p, t = 0.5, 0.3
    r1 = (t - p) * (1 - t * p) / (1 + t * t - 2 * t * p)
    np.testing.assert_allclose(asr.dae.mat_arma(p, t, 4)[0], [1, r1, p * r1, p * p * r1])


def test_mat_cor_corg_exp_gau() -> None:
    c = asr.dae.mat_cor(0.3, 3)
    np.testing.assert_array_equal(c, [[1, .3, .3], [.3, 1, .3], [.3, .3, 1]])
    g = asr.dae.mat_corg([0.1, 0.2, 0.3], 3)     # R's lower.tri order: (2,1), (3,1), (3,2)
    np.testing.assert_array_equal(g, [[1, .1, .2], [.1, 1, .3], [.2, .3, 1]])
    x = [1, 2, 4]
    e = asr.dae.mat_exp(0.5, x)
    assert isinstance(e, pd.DataFrame) and list(e.index) == ["1", "2", "4"]
    np.testing.assert_allclose(e.to_numpy()[0], [1, 0.5, 0.125])
    np.testing.assert_allclose(asr.dae.mat_gau(0.5, x).to_numpy()[0], [1, 0.5, 0.5 ** 9])


def test_dae_argument_checks() -> None:
    with pytest.raises(AsrError, match="order must be 4 or more"):
        asr.dae.mat_ar3([0.1, 0.1, 0.1], 3)
    with pytest.raises(AsrError, match="outside dae's range"):
        asr.dae.mat_ar3([1.2, -1.07, 0.58], 10)          # |φ2| ≥ 1 (dae stops too)
    with pytest.raises(AsrError, match="2 values"):
        asr.dae.mat_ma2([0.1], 4)
    with pytest.raises(AsrError, match="list of matrices"):
        asr.dae.mat_dirsum(np.eye(2))


def test_fac_ar1mat_uses_the_numeric_labels() -> None:
    """dae's fac.ar1mat: ρ^|x_i − x_j| with x the factor's labels as numbers (R/fac.matop.r)."""
    f = pd.Series(pd.Categorical(["1", "3", "2", "3"]))
    x = np.array([1, 3, 2, 3.0])
    np.testing.assert_allclose(asr.dae.fac_ar1mat(f, pd.Series([0.4])),
                               0.4 ** np.abs(x[:, None] - x[None, :]))
    with pytest.raises(AsrError, match="labels must be numbers"):
        asr.dae.fac_ar1mat(pd.Series(["a", "b"]), 0.4)


@pytest.mark.parametrize("g, ok", [(0.99, True), (-0.999, True), (1.0, False), (-1.0, False),
                                   (1.96, False)])
def test_mat_sar_accepts_what_dae_accepts(g: float, ok: bool) -> None:
    """dae's mat.sar stops when abs(SARparameter) >= 1 (R/mat.functions.r)."""
    if ok:
        np.testing.assert_allclose(asr.dae.mat_sar(g, 4),
                                   _toeplitz(_acf_from_psi(_ar_psi([g, -g * g / 4]), 4)),
                                   atol=1e-8)
    else:
        with pytest.raises(AsrError, match="SARparameter must be less than 1"):
            asr.dae.mat_sar(g, 4)


@pytest.mark.parametrize("t, ok", [((0.5, -0.4), True), ((-0.99, -0.99), True),
                                   ((-0.6, 0.5), True),     # not invertible, dae takes it
                                   ((-1.435, -0.99), False), ((0.3, -1.0), False),
                                   ((0.6, 0.4), False), ((0.7, -0.3), False)])
def test_mat_ma2_accepts_what_dae_accepts(t: tuple[float, float], ok: bool) -> None:
    """dae's mat.ma2 stops unless |θ1| < 1, |θ2| < 1, θ1 + θ2 < 1 and θ1 − θ2 < 1."""
    if ok:
        np.testing.assert_allclose(asr.dae.mat_ma2(list(t), 5),
                                   _toeplitz(_acf_from_psi(np.array([1, -t[0], -t[1]]), 5)),
                                   atol=1e-12)
    else:
        with pytest.raises(AsrError, match="outside dae's range"):
            asr.dae.mat_ma2(list(t), 5)
