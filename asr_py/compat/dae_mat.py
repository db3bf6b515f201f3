"""dae's ``mat.*`` functions: the correlation matrices of asreml's variance structures and
block-matrix helpers, as asreml-R scripts use them to check ``estimateV`` (``asr.dae``).

Correlation matrices of order n, element (i, j) = ρ_{|i−j|} (``mat.banded`` of ρ₀ = 1, ρ₁, ...):

* ``mat.ar1(ρ, n)``: ρ_k = ρ^k; ``mat.cor(ρ, n)``: ρ_k = ρ for every k ≥ 1;
  ``mat.corg(rhos, n)``: all correlations different (the lower triangle by column);
* ``mat.ar2(φ, n)``: ρ₁ = φ₁/(1 − φ₂), ρ_k = φ₁ρ_{k−1} + φ₂ρ_{k−2};
* ``mat.ar3(φ, n)``: ω = 1 − φ₂ − φ₃(φ₁ + φ₃), ρ₁ = (φ₁ + φ₂φ₃)/ω,
  ρ₂ = (φ₁(φ₁ + φ₃) + φ₂(1 − φ₂))/ω, ρ_k = φ₁ρ_{k−1} + φ₂ρ_{k−2} + φ₃ρ_{k−3} (Yule–Walker);
* ``mat.sar(γ, n)``: the AR(2) with φ₁ = γ, φ₂ = −γ²/4; ``mat.sar2(γ, n)``: the AR(3) with
  φ₁ = γ₁ + 2γ₂, φ₂ = −γ₂(2γ₁ + γ₂), φ₃ = γ₁γ₂²;
* ``mat.ma1(θ, n)``: ρ₁ = −θ/(1 + θ²); ``mat.ma2(θ, n)``: ρ₁ = −θ₁(1 − θ₂)/(1 + θ₁² + θ₂²),
  ρ₂ = −θ₂/(1 + θ₁² + θ₂²) (asreml's sign: e_t − θe_{t−1});
  ``mat.arma(φ, θ, n)``: ρ₁ = (θ − φ)(1 − θφ)/(1 + θ² − 2θφ), ρ_k = φρ_{k−1};
* ``mat.exp(ρ, x)``: ρ^|x_i − x_j|; ``mat.gau(ρ, x)``: ρ^((x_i − x_j)²), both labelled by the
  coordinates x (a data frame: R's matrix with dimnames).

Blocks: ``mat.I``, ``mat.J``, ``mat.banded``, ``mat.dirprod`` (A ⊗ B), ``mat.dirsum`` (block
diagonal). Argument checks and their messages follow dae's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError

__all__ = ["mat_I", "mat_J", "mat_ar1", "mat_ar2", "mat_ar3", "mat_arma", "mat_banded",
           "mat_cor", "mat_corg", "mat_dirprod", "mat_dirsum", "mat_exp", "mat_gau",
           "mat_ma1", "mat_ma2", "mat_sar", "mat_sar2"]


def _scalar(x: Any, fn: str, arg: str) -> float:
    """An R scalar: a number or a vector of length 1 (``c(rho)``)."""
    a = np.ravel(np.asarray(x, dtype=float))
    if a.size != 1:
        raise AsrError(f"{fn}(): {arg} must be a single number, not {a.size} values")
    return float(a[0])


def _params(x: Any, k: int, fn: str, arg: str) -> np.ndarray:
    """The first ``k`` values of an R parameter vector (a named vector or Series too)."""
    a = np.ravel(np.asarray(x, dtype=float))
    if a.size < k:
        raise AsrError(f"{fn}(): {arg} must hold {k} values, not {a.size}",
                       hint=f"pass c({', '.join(f'p{i + 1}' for i in range(k))})")
    return a[:k]


def _order(order: Any, fn: str, least: int) -> int:
    n = int(_scalar(order, fn, "order"))
    if n < least:
        raise AsrError(f"{fn}(): the order must be {least} or more, not {n}")
    return n


def _toeplitz(corrs: np.ndarray) -> np.ndarray:
    i = np.arange(len(corrs))
    return corrs[np.abs(i[:, None] - i[None, :])]


def _recursion(start: Sequence[float], phi: np.ndarray, n: int) -> np.ndarray:
    """ρ₀..ρ_{n−1}: the ``start`` values, then ρ_k = Σ_j φ_j ρ_{k−j}."""
    rho = np.zeros(max(n, len(start)))
    rho[:len(start)] = start
    for k in range(len(start), n):
        rho[k] = sum(p * rho[k - j - 1] for j, p in enumerate(phi))
    return rho[:n]


def mat_I(order: int) -> np.ndarray:
    """dae's ``mat.I``: the identity matrix of ``order``."""
    return np.eye(int(_scalar(order, "mat.I", "order")))


def mat_J(order: int) -> np.ndarray:
    """dae's ``mat.J``: the ``order`` × ``order`` matrix of ones."""
    n = int(_scalar(order, "mat.J", "order"))
    return np.ones((n, n))


def mat_banded(x: Sequence[float], nrow: int, ncol: int) -> np.ndarray:
    """dae's ``mat.banded``: element (i, j) = x[|i − j|] (0 beyond the bands given)."""
    x = np.ravel(np.asarray(x, dtype=float))
    nrow, ncol = int(_scalar(nrow, "mat.banded", "nrow")), int(_scalar(ncol, "mat.banded",
                                                                         "ncol"))
    if len(x) > min(nrow, ncol):
        raise AsrError(f"mat.banded(): have supplied values for more than {min(nrow, ncol)} "
                       "bands")
    d = np.abs(np.arange(nrow)[:, None] - np.arange(ncol)[None, :])
    return np.where(d < len(x), x[np.minimum(d, len(x) - 1)], 0.0)


def mat_ar1(rho: float, order: int) -> np.ndarray:
    """dae's ``mat.ar1``: element (i, j) = ρ^|i−j|."""
    r = _scalar(rho, "mat.ar1", "rho")
    n = _order(order, "mat.ar1", 2)
    if abs(r) > 1:
        raise AsrError(f"mat.ar1(): abs(rho) must be less than 1, not {r}",
                       hint="the arguments are (rho, order)")
    return _toeplitz(r ** np.arange(n, dtype=float))


def mat_cor(rho: float, order: int) -> np.ndarray:
    """dae's ``mat.cor``: 1 on the diagonal, ρ elsewhere."""
    r = _scalar(rho, "mat.cor", "rho")
    n = _order(order, "mat.cor", 2)
    if abs(r) > 1:
        raise AsrError(f"mat.cor(): abs(rho) must be less than 1, not {r}")
    out = np.full((n, n), r)
    np.fill_diagonal(out, 1.0)
    return out


def mat_corg(rhos: Sequence[float], order: int, byrow: bool = False) -> np.ndarray:
    """dae's ``mat.corg``: the lower triangle filled by column with ``rhos`` (R's
    ``lower.tri`` order), mirrored, 1 on the diagonal."""
    n = _order(order, "mat.corg", 2)
    r = np.ravel(np.asarray(rhos, dtype=float))
    if r.size != n * (n - 1) // 2:
        raise AsrError(f"mat.corg(): rhos must hold {n * (n - 1) // 2} values for order {n}, "
                       f"not {r.size}")
    if np.any(np.abs(r) > 1):
        raise AsrError("mat.corg(): all abs(rhos) must be less than 1")
    out = np.zeros((n, n))
    j, i = np.triu_indices(n, 1)          # column-major lower triangle: (i > j) by column
    out[i, j] = r
    out = out + out.T
    np.fill_diagonal(out, 1.0)
    return out.T if byrow else out


def mat_ar2(ARparameters: Sequence[float], order: int) -> np.ndarray:
    """dae's ``mat.ar2``: ρ₁ = φ₁/(1 − φ₂), ρ_k = φ₁ρ_{k−1} + φ₂ρ_{k−2}."""
    phi = _params(ARparameters, 2, "mat.ar2", "ARparameters")
    n = _order(order, "mat.ar2", 3)
    if np.any(np.abs(phi) >= 1):
        raise AsrError(f"mat.ar2(): both ARparameters must be less than 1 in size, not "
                       f"{phi.tolist()}")
    return _toeplitz(_recursion([1.0, phi[0] / (1 - phi[1])], phi, n))


def mat_ar3(ARparameters: Sequence[float], order: int) -> np.ndarray:
    """dae's ``mat.ar3``: the Yule–Walker autocorrelations of an AR(3) (see the module)."""
    p1, p2, p3 = phi = _params(ARparameters, 3, "mat.ar3", "ARparameters")
    n = _order(order, "mat.ar3", 4)
    if abs(p1) >= abs(1 - p2) or abs(p2) >= 1 or abs(p3) >= 1:
        raise AsrError(f"mat.ar3(): ARparameters {phi.tolist()} are outside dae's range: "
                       "|φ1| < |1 − φ2|, |φ2| < 1, |φ3| < 1")
    omega = 1 - p2 - p3 * (p1 + p3)
    start = [1.0, (p1 + p2 * p3) / omega, (p1 * (p1 + p3) + p2 * (1 - p2)) / omega]
    return _toeplitz(_recursion(start, phi, n))


def mat_sar(SARparameter: float, order: int) -> np.ndarray:
    """dae's ``mat.sar``: the AR(2) with φ₁ = γ, φ₂ = −γ²/4."""
    g = _scalar(SARparameter, "mat.sar", "SARparameter")
    if abs(g) >= 1:
        raise AsrError(f"mat.sar(): SARparameter must be less than 1 in size, not {g}")
    n = _order(order, "mat.sar", 3)
    phi = np.array([g, -g * g / 4])
    return _toeplitz(_recursion([1.0, g / (1 + g * g / 4)], phi, n))


def mat_sar2(gamma: Sequence[float], order: int, print: Any = None) -> np.ndarray:  # noqa: A002
    """dae's ``mat.sar2``: the AR(3) with φ₁ = γ₁ + 2γ₂, φ₂ = −γ₂(2γ₁ + γ₂), φ₃ = γ₁γ₂²
    (``print = "ar3parameters"`` prints the φ)."""
    g1, g2 = _params(gamma, 2, "mat.sar2", "gamma")
    phi = [g1 + 2 * g2, -g2 * (2 * g1 + g2), g1 * g2 * g2]
    if print is not None and "ar3parameters" in np.ravel(np.asarray(print, dtype=object)):
        import builtins
        builtins.print("Calculated  parameter values for the associated AR3 process\n",
                       ", ".join(repr(float(p)) for p in phi))
    return mat_ar3(phi, order)


def mat_ma1(MAparameter: float, order: int) -> np.ndarray:
    """dae's ``mat.ma1``: ρ₁ = −θ/(1 + θ²), 0 beyond lag 1."""
    t = _scalar(MAparameter, "mat.ma1", "MAparameter")
    if abs(t) > 1:
        raise AsrError(f"mat.ma1(): abs(MAparameter) must be less than 1, not {t}")
    n = _order(order, "mat.ma1", 2)
    return mat_banded([1.0, -t / (1 + t * t)], n, n)


def mat_ma2(MAparameters: Sequence[float], order: int) -> np.ndarray:
    """dae's ``mat.ma2``: ρ₁ = −θ₁(1 − θ₂)/(1 + θ₁² + θ₂²), ρ₂ = −θ₂/(1 + θ₁² + θ₂²)."""
    t1, t2 = _params(MAparameters, 2, "mat.ma2", "MAparameters")
    if abs(t1) >= 1 or abs(t2) >= 1 or t1 + t2 >= 1 or t1 - t2 >= 1:
        raise AsrError(f"mat.ma2(): MAparameters {[float(t1), float(t2)]} are outside dae's "
                       "range: each less than 1 in size, their sum and difference less than 1")
    n = _order(order, "mat.ma2", 3)
    div = 1 + t1 * t1 + t2 * t2
    return mat_banded([1.0, -t1 * (1 - t2) / div, -t2 / div], n, n)


def mat_arma(ARparameter: float, MAparameter: float, order: int) -> np.ndarray:
    """dae's ``mat.arma``: ARMA(1, 1), ρ₁ = (θ − φ)(1 − θφ)/(1 + θ² − 2θφ), ρ_k = φρ_{k−1}
    (dae's formula, sign conventions included)."""
    p = _scalar(ARparameter, "mat.arma", "ARparameter")
    t = _scalar(MAparameter, "mat.arma", "MAparameter")
    if abs(p) > 1 or abs(t) > 1:
        raise AsrError(f"mat.arma(): abs(ARparameter) and abs(MAparameter) must be less than "
                       f"1, not {p} and {t}")
    n = _order(order, "mat.arma", 3)
    r1 = (t - p) * (1 - t * p) / (1 + t * t - 2 * t * p)
    return _toeplitz(_recursion([1.0, r1], np.array([p]), n))


def _coord_matrix(rho: Any, coordinates: Any, fn: str, power: int) -> pd.DataFrame:
    r = _scalar(rho, fn, "rho")
    if abs(r) > 1:
        raise AsrError(f"{fn}(): abs(rho) must be less than 1, not {r}",
                       hint="the arguments are (rho, coordinates)")
    x = np.ravel(np.asarray(coordinates, dtype=float))
    from asr_py.compat.dae import _num_label

    labels = [_num_label(v) for v in x]
    return pd.DataFrame(r ** (np.abs(x[:, None] - x[None, :]) ** power), index=labels,
                        columns=labels)


def mat_exp(rho: float, coordinates: Sequence[float]) -> pd.DataFrame:
    """dae's ``mat.exp``: element (i, j) = ρ^|x_i − x_j|, labelled by the coordinates."""
    return _coord_matrix(rho, coordinates, "mat.exp", 1)


def mat_gau(rho: float, coordinates: Sequence[float]) -> pd.DataFrame:
    """dae's ``mat.gau``: element (i, j) = ρ^((x_i − x_j)²), labelled by the coordinates."""
    return _coord_matrix(rho, coordinates, "mat.gau", 2)


def mat_dirprod(A: Any, B: Any) -> np.ndarray:
    """dae's ``mat.dirprod``: the direct (Kronecker) product A ⊗ B."""
    return np.kron(np.asarray(A, dtype=float), np.asarray(B, dtype=float))


def mat_dirsum(matrices: Sequence[Any]) -> np.ndarray:
    """dae's ``mat.dirsum``: the direct sum (block-diagonal matrix) of the matrices."""
    from scipy.linalg import block_diag

    if isinstance(matrices, (np.ndarray, pd.DataFrame)):
        raise AsrError("mat.dirsum(): must supply a list of matrices",
                       hint="mat.dirsum(list(A, B))")
    return block_diag(*[np.atleast_2d(np.asarray(m, dtype=float)) for m in matrices])


def mat_ginv(x: Any, tol: float = np.finfo(float).eps ** 0.5) -> np.ndarray:
    """dae's ``mat.ginv``: the Moore-Penrose inverse of a matrix from its SVD x = U D V',
    V D⁺ U' keeping the singular values above ``tol`` times the largest (dae's rule)."""
    a = np.asarray(x.to_numpy() if isinstance(x, pd.DataFrame) else x, dtype=float)
    if a.ndim != 2:
        raise AsrError(f"mat.ginv(): x must be a matrix, got {a.ndim} dimension(s)",
                       hint="give a 2-dimensional matrix")
    if not np.isfinite(a).all():
        raise AsrError("mat.ginv(): x has missing or infinite values",
                       hint="remove the NA rows/columns first")
    u, d, vt = np.linalg.svd(a, full_matrices=False)
    keep = d > (d[0] * tol if d.size else 0.0)
    out = (vt[keep].T / d[keep]) @ u[:, keep].T
    return np.ascontiguousarray(out)
