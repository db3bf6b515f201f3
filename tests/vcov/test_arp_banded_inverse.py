"""ar2/ar3/sar/sar2: the closed-form banded C⁻¹, its derivatives and log|C| (vcov/
autoregressive.py ARp._precision) against numpy's dense inverse of the Toeplitz correlation,
central differences of it and slogdet; the structure stored is the same at every parameter
value; and a spatial fit is the same with the closed form as with the dense inverse."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _dense_reml import reml_loglik

import asr_py as asr
from asr_py.vcov.autoregressive import AR2, AR3, SAR, SAR2, ARp
from asr_py.vcov.base import to_dense

CASES = [(AR2, [0.5, -0.3]), (AR2, [0.9, -0.2]), (AR3, [0.4, 0.2, -0.3]),
         (AR3, [0.0, 0.0, 0.0]), (SAR, [0.7]), (SAR, [-0.95]), (SAR2, [0.6, -0.4]),
         (SAR2, [-0.8, 0.9])]


def _toeplitz(c: ARp, par: np.ndarray) -> np.ndarray:
    """The correlation matrix from the autocorrelations alone (C_ij = ρ_|i-j|)."""
    r = c.acf_values(par)
    i = np.arange(c.n)
    return r[np.abs(i[:, None] - i[None, :])]


@pytest.mark.parametrize("cls, par", CASES)
@pytest.mark.parametrize("n", [1, 3, 4, 7, 25])
def test_inverse_logdet_derivatives_match_dense(cls: type, par: list, n: int) -> None:
    c = cls([f"L{i}" for i in range(n)], name="x")
    par = np.asarray(par, dtype=float)
    C = _toeplitz(c, par)
    inv = c.correlation_inverse(par)
    if n <= c.p:                       # no closed form: the dense inverse is used
        assert inv is None
        return
    assert sp.issparse(inv)
    tol = 1e-14 * np.linalg.cond(C)   # the rounding of numpy's dense inverse
    np.testing.assert_allclose(to_dense(inv), np.linalg.inv(C), atol=tol)
    assert c.correlation_logdet(par) == pytest.approx(np.linalg.slogdet(C)[1], abs=1e-12)
    h = 1e-6
    for i, d in enumerate(c.correlation_inverse_derivatives(par)):
        up, dn = par.copy(), par.copy()
        up[i] += h
        dn[i] -= h
        fd = (np.linalg.inv(_toeplitz(c, up)) - np.linalg.inv(_toeplitz(c, dn))) / (2 * h)
        np.testing.assert_allclose(to_dense(d), fd, atol=1e-7 * max(1.0, np.abs(fd).max()))


@pytest.mark.parametrize("cls, par", CASES)
def test_band_outside_is_zero_and_structure_fixed(cls: type, par: list) -> None:
    """C⁻¹ of an AR(p) is zero beyond lag p; the stored structure is the whole band at
    every value (φ = 0 included), so a Kronecker plan built once stays valid."""
    c = cls([f"L{i}" for i in range(9)], name="x")
    par = np.asarray(par, dtype=float)
    dense = np.linalg.inv(_toeplitz(c, par))
    i = np.arange(9)
    outside = np.abs(i[:, None] - i[None, :]) > c.p
    assert np.abs(dense[outside]).max() < 1e-14 * np.linalg.cond(_toeplitz(c, par))
    zero = np.zeros_like(par)
    a, b = c.correlation_inverse(par), c.correlation_inverse(zero)
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert a.nnz == int((~outside).sum())


def _spatial(seed: int) -> pd.DataFrame:
    """A 9 x 8 field trial (3 reps of 24 genotypes) with AR(2) x AR(2) plot errors."""
    rng = np.random.default_rng(seed)
    nr, nc = 9, 8
    def ar2_chol(n: int, phi: tuple[float, float]) -> np.ndarray:
        c = AR2([str(k) for k in range(n)], name="e")
        return np.linalg.cholesky(_toeplitz(c, np.array(phi)))
    e = ar2_chol(nc, (0.5, 0.2)) @ rng.standard_normal((nc, nr)) @ ar2_chol(nr, (0.4, -0.2)).T
    geno = np.concatenate([rng.permutation(24) for _ in range(3)])
    g = rng.normal(0, 1.0, 24)
    d = pd.DataFrame({"Col": np.repeat(np.arange(1, nc + 1), nr),
                      "Row": np.tile(np.arange(1, nr + 1), nc)})
    d["geno"] = [f"G{k:02d}" for k in geno]
    d["y"] = 50 + g[geno] + 2.0 * e.ravel()
    for k in ("Col", "Row"):
        d[k] = d[k].astype(str).str.zfill(2)
    return d


@pytest.mark.parametrize("res", ["~ ar2(Col):ar2(Row)", "~ sar2(Col):ar3(Row)",
                                 "~ sar(Col):ar2(Row)"])
def test_fit_same_with_dense_inverse(res: str, monkeypatch: pytest.MonkeyPatch) -> None:
    d = _spatial(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = asr.asreml(fixed="y ~ 1", random="~ geno", residual=res, data=d)
        monkeypatch.setattr(ARp, "_precision", lambda self, par: None)
        dense = asr.asreml(fixed="y ~ 1", random="~ geno", residual=res, data=d)
    assert fast.converged == dense.converged
    assert fast.loglik == pytest.approx(dense.loglik, abs=1e-7)
    np.testing.assert_allclose(fast.varcomp["component"].to_numpy(),
                               dense.varcomp["component"].to_numpy(), rtol=1e-5, atol=1e-7)


def test_banded_fit_loglik_equals_dense_v() -> None:
    """The fitted ℓ (banded R⁻¹ path) equals the dense-V REML ℓ of V = σ²_g ZZ' +
    σ² C_col ⊗ C_row built entry by entry from the plots' positions and the fitted φ."""
    d = _spatial(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml(fixed="y ~ 1", random="~ geno", residual="~ ar2(Col):ar2(Row)", data=d)
    vc = m.varcomp["component"]

    def at(key: str) -> float:
        (v,) = [float(vc[k]) for k in vc.index if k.endswith(key)]
        return v

    col = d["Col"].astype(int).to_numpy() - 1
    row = d["Row"].astype(int).to_numpy() - 1
    rc = _toeplitz(AR2([str(k) for k in range(8)], name="c"),
                   np.array([at("Col!phi1"), at("Col!phi2")]))
    rr = _toeplitz(AR2([str(k) for k in range(9)], name="r"),
                   np.array([at("Row!phi1"), at("Row!phi2")]))
    z = (d["geno"].to_numpy()[:, None] == np.unique(d["geno"])[None, :]).astype(float)
    v = at("geno") * z @ z.T + at("!R") * rc[np.ix_(col, col)] * rr[np.ix_(row, row)]
    assert m.loglik == pytest.approx(reml_loglik(d["y"].to_numpy(), np.ones((len(d), 1)), v),
                                     abs=1e-6)
