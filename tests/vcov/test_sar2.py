"""``sar2``, the constrained AR(3) of competition models (asreml's sar2, dae's mat.sar2).

Checked against three independent sources: dae's closed form for an AR(3) correlation
matrix (mat.ar3: ω = 1 − φ_2 − φ_3(φ_1 + φ_3), r_1 = (φ_1 + φ_2 φ_3)/ω,
r_2 = (φ_1(φ_1 + φ_3) + φ_2(1 − φ_2))/ω, then the recursion) at dae's φ(γ); the
autocorrelations of the process (1 − γ_1 B)(1 − γ_2 B)² x_t = e_t through its MA(∞)
weights; finite differences; and a fit against a dense-V REML maximised by scipy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from vcov_helpers import check_template

import asr_py as asr
from asr_py.results.fit import AsremlFit
from asr_py.vcov import get_structure


def _sar2(n: int, name: str = "Row"):
    return get_structure("sar2")([str(k) for k in range(1, n + 1)], name=name)


def _dae_sar2(g1: float, g2: float, n: int) -> np.ndarray:
    """dae's mat.sar2 (its code): φ from γ, then mat.ar3's closed form and recursion."""
    p1, p2, p3 = g1 + 2 * g2, -g2 * (2 * g1 + g2), g1 * g2 * g2
    om = 1 - p2 - p3 * (p1 + p3)
    r = [1.0, (p1 + p2 * p3) / om, (p1 * (p1 + p3) + p2 * (1 - p2)) / om]
    while len(r) < n:
        r.append(p1 * r[-1] + p2 * r[-2] + p3 * r[-3])
    i = np.arange(n)
    return np.array(r)[np.abs(i[:, None] - i[None, :])]


def _ma_acf(g1: float, g2: float, n: int, m: int = 3000) -> np.ndarray:
    """Autocorrelations of (1 − g1 B)(1 − g2 B)² x = e: ψ = (g1^k) * (g2^k) * (g2^k)."""
    k = np.arange(m)
    psi = np.convolve(np.convolve(g1 ** k, g2 ** k)[:m], g2 ** k)[:m]
    gam = np.array([psi[: m - j] @ psi[j:] for j in range(n)])
    return gam / gam[0]


@pytest.mark.parametrize("gamma", [(-0.4, 0.2), (0.6, -0.3), (-0.127, -0.158), (0.9, 0.5)])
def test_sar2_matrix_against_dae_and_the_process(gamma: tuple[float, float]) -> None:
    t = _sar2(8)
    c = t.matrix(np.array(gamma))
    np.testing.assert_allclose(c, _dae_sar2(*gamma, 8), atol=1e-12)
    np.testing.assert_allclose(c[0], _ma_acf(*gamma, 8), atol=1e-9)


def test_sar2_names_kinds_start_and_no_own_scale() -> None:
    t = _sar2(5)
    assert t.param_names == ["Row!cor1", "Row!cor2"]
    assert not t.has_variance
    np.testing.assert_allclose(t.initial(1.0), [0.1, 0.1])
    v = get_structure("sar2v")([str(k) for k in range(5)], name="Row")
    assert v.param_names == ["Row!cor1", "Row!cor2", "Row!var"]


@pytest.mark.parametrize("gamma", [(-0.4, 0.2), (0.7, 0.6), (-0.8, -0.5)])
def test_sar2_derivatives_inverse_logdet(gamma: tuple[float, float]) -> None:
    check_template(_sar2(7), np.array(gamma))
    check_template(get_structure("sar2h")([str(k) for k in range(4)], name="Row"),
                   np.array([*gamma, 1.5, 0.7, 2.0, 1.1]))


def test_sar2_stationarity_region() -> None:
    t = _sar2(6)
    assert t.is_valid(np.array([0.95, -0.95]))
    for bad in ([1.0, 0.0], [0.0, -1.0], [1.2, 0.1]):
        assert not t.is_valid(np.array(bad)), bad


def test_sar2_in_formulas_explain_and_the_function_table() -> None:
    from asr_py.formula.functions import is_available, spatial_functions

    for nm in ("sar2", "sar2v", "sar2h"):
        assert is_available(nm) and nm in spatial_functions()
    assert "constrained" in str(asr.explain("~ ar1(Col):sar2(Row)"))


# --- a fit against a dense-V REML ----------------------------------------------------------

N_BLOCK, N_POS = 3, 40
G_TRUE = (0.5, -0.3)


@pytest.fixture(scope="module")
def transects() -> pd.DataFrame:
    """Three transects of 40 plots, sar2(0.5, -0.3) errors with variance 2 in each, four
    treatments; a block effect as the random term."""
    rng = np.random.default_rng(20261203)
    c = _dae_sar2(*G_TRUE, N_POS)
    e = np.concatenate([np.linalg.cholesky(2.0 * c) @ rng.normal(size=N_POS)
                        for _ in range(N_BLOCK)])
    trt = np.tile(np.arange(N_POS) % 4, N_BLOCK)
    blk = np.repeat(np.arange(N_BLOCK), N_POS)
    y = 5 + 0.8 * trt + rng.normal(0, 1.0, N_BLOCK)[blk] + e
    return pd.DataFrame({"y": y, "Trt": pd.Categorical([f"T{k}" for k in trt]),
                         "Block": pd.Categorical([f"B{k}" for k in blk]),
                         "Pos": pd.Categorical([f"{k + 1:02d}" for k in np.tile(
                             np.arange(N_POS), N_BLOCK)])})


def _dense(d: pd.DataFrame, starts: list[list[float]]) -> tuple[np.ndarray, float]:
    """max over (σ²_block, σ², γ_1, γ_2) of the REML log-likelihood of V built here, from
    ``starts`` (the sar2 likelihood can have more than one local maximum: γ_1 and γ_2 play
    similar roles)."""
    X = np.column_stack([np.ones(len(d))] + [(d.Trt == f"T{k}").to_numpy(float)
                                             for k in (1, 2, 3)])
    Z = (d.Block.cat.codes.to_numpy()[:, None] == np.arange(N_BLOCK)).astype(float)
    y = d.y.to_numpy()
    n, p = X.shape

    def nll(x: np.ndarray) -> float:
        sb, s2, g1, g2 = x
        if not (sb >= 0 and s2 > 0 and abs(g1) < 1 and abs(g2) < 1):
            return 1e10
        V = sb * Z @ Z.T + s2 * np.kron(np.eye(N_BLOCK), _dae_sar2(g1, g2, N_POS))
        L = np.linalg.cholesky(V)
        vx = np.linalg.solve(V, X)
        xvx = X.T @ vx
        P = np.linalg.inv(V) - vx @ np.linalg.solve(xvx, vx.T)
        return 0.5 * ((n - p) * np.log(2 * np.pi) + 2 * np.log(np.diag(L)).sum()
                      + np.linalg.slogdet(xvx)[1] + y @ P @ y)

    best = None
    for x0 in starts:
        r = minimize(nll, x0, method="Nelder-Mead",
                     options={"xatol": 1e-9, "fatol": 1e-11, "maxiter": 8000})
        if best is None or r.fun < best.fun:
            best = r
    return best.x, -best.fun


def _estimates(fit: AsremlFit) -> np.ndarray:
    vc = fit.varcomp["component"]
    return np.array([vc["Block"], vc["Block:Pos!R"], vc["Block:Pos!Pos!cor1"],
                     vc["Block:Pos!Pos!cor2"]])


def test_sar2_fit_matches_dense_reml(transects: pd.DataFrame) -> None:
    """Started near the truth (init=), the fit reaches the dense REML's global maximum."""
    fit = asr.asreml("y ~ Trt", random="~ Block",
                     residual="~ Block:sar2(Pos, init = c(0.4, -0.2))", data=transects)
    assert fit.converged
    x, ll = _dense(transects, [[1.0, 2.0, 0.3, -0.1], [0.5, 1.0, 0.6, -0.4]])
    assert fit.loglik == pytest.approx(ll, abs=1e-5)
    np.testing.assert_allclose(_estimates(fit), x, rtol=2e-3, atol=2e-3)


def test_sar2_default_start_ends_at_a_dense_reml_maximum(transects: pd.DataFrame) -> None:
    """From the default start (0.1, 0.1) the fit may stop at another local maximum; it is
    one of the dense REML: a dense search started there stays there, same likelihood."""
    fit = asr.asreml("y ~ Trt", random="~ Block", residual="~ Block:sar2(Pos)",
                     data=transects)
    assert fit.converged
    got = _estimates(fit)
    x, ll = _dense(transects, [list(got + np.array([0.1, 0.1, 0.05, -0.05]))])
    assert fit.loglik == pytest.approx(ll, abs=1e-5)
    np.testing.assert_allclose(got, x, rtol=2e-3, atol=2e-3)
