"""Autoregressive and moving-average correlation families over ordered, equally spaced levels
(each with 'v' and 'h' variants, see correlation.py).

* ``ar1``: C_ij = ρ^|i-j|, one parameter ``{name}!cor`` in (-1, 1).
* ``ar2``, ``ar3``: AR(p) with coefficients φ_1..φ_p (names ``{name}!phi1``...), the
  autocorrelations of the stationary process x_t = Σ_j φ_j x_{t-j} + e_t. The first p
  solve the Yule-Walker equations ρ_k = Σ_j φ_j ρ_|k-j| (ρ_0 = 1, k = 1..p), later lags
  follow ρ_k = Σ_j φ_j ρ_{k-j}. Derivatives by differentiating both. Valid when the process
  is stationary (roots of z^p - φ_1 z^(p-1) - ... - φ_p inside the unit circle).
  For ar2: ρ_1 = φ_1 / (1 - φ_2), ρ_2 = φ_1 ρ_1 + φ_2.
* ``sar`` (symmetric autoregressive, for competition): the AR(2) with φ_1 = γ, φ_2 = −γ²/4
  (a double root γ/2), so ρ_1 = γ / (1 + γ²/4) and ρ_k = γ ρ_{k-1} − (γ²/4) ρ_{k-2}
  (dae's ``mat.sar``); one parameter ``{name}!cor`` = γ, a valid correlation for |γ| < 2,
  estimated within ±0.99 (Limits below).
* ``sar2`` (constrained AR(3), for competition models): the AR(3) whose characteristic
  polynomial is (1 − γ_1 B)(1 − γ_2 B)², i.e. φ_1 = γ_1 + 2γ_2, φ_2 = −γ_2(2γ_1 + γ_2),
  φ_3 = γ_1 γ_2² (dae's ``mat.sar2``, whose code this follows); parameters ``{name}!cor1``
  = γ_1 and ``{name}!cor2`` = γ_2 (asremlPlus's names), stationary iff |γ_1|, |γ_2| < 1.
  The fold: the map γ → φ is one-to-one on the square (a cubic with a single root 1/γ_1 and
  a double root 1/γ_2), but at γ_1 = γ_2 = g (a triple root) its Jacobian has rank 1,
  ∂φ/∂γ_2 = 2 ∂φ/∂γ_1 = 2(1, −2g, g²); in γ_1 = g − 2u, γ_2 = g + u,
  φ = (3g, −3g² + 3u², g³ − 3gu² − 2u³), so C changes only at second order along
  n = (−2, 1) and φ's image (cubics with a repeated root) has a cuspidal edge there. Every
  likelihood has ∂ℓ/∂u = 0 on the diagonal, REML optima lie on it for an open set of data
  sets, and the information of u is zero there: :meth:`SAR2.fold_faces` declares the
  face (reml/fold_face.py fits it).
* ``ma1``: x_t = e_t - θ e_{t-1} (Box-Jenkins sign): ρ_1 = -θ / (1 + θ²), 0 beyond lag 1;
  parameter ``{name}!theta1`` in (-1, 1) (invertible).
* ``ma2``: x_t = e_t - θ_1 e_{t-1} - θ_2 e_{t-2}: ρ_1 = -θ_1 (1 - θ_2) / (1 + θ_1² + θ_2²),
  ρ_2 = -θ_2 / (1 + θ_1² + θ_2²); invertible region as for ar2, each θ_j estimated within
  ±0.99 (Limits below).

Starting values: ρ = 0.1 (ar1), φ_1 = 0.1 and φ_j = 0 for j > 1 (arp), γ = 0.1 (sar),
γ = (0.1, 0.1) (sar2), θ = 0.1 (ma).

Limits (ASReml's ``!ARLIMIT``): ASReml keeps the magnitude of every autoregressive parameter
at most 0.99, the ar1 correlation ρ, each φ_j of ar2/ar3 and sar's γ alike
(:data:`AR_LIMIT`); ma2's θ_j are held to the same box. dae's ``mat.sar`` refuses |γ| >= 1
and ``mat.ma2`` |θ_j| >= 1 (R/mat.functions.r), and asremlPlus's tests pass asreml's sar and
ma2 estimates to them (test42EstimateV.r, test42GeneticCane.R: ma2's θ_2 = −0.041), so
asreml's estimates lie inside these limits. Where
the likelihood increases beyond it the parameter is held on the limit and reported with
constraint 'B' (reml/bounds.py), as ASReml does; without the limit an ar3 fit can wander to
a stationary but extreme φ (|φ_2| > 1) that dae's ``mat.ar3`` and ASReml never give.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from asr_py.vcov.base import FoldFace, Matrix, label
from asr_py.vcov.correlation import (
    CorrelationStructure,
    correlation_syntax,
    register_correlation,
)

#: ASReml's default limit on the magnitude of an autoregressive parameter (``!ARLIMIT``)
AR_LIMIT = 0.99
#: AR1's spectral lower bound on C's eigenvalues above which C counts as positive definite
#: without computing them (is_pd's margin is 1e-10; rounding of C's eigenvalues ~1e-15)
KNOWN_PD_MIN = 1e-6



_TRIDIAG: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _tridiag_structure(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(stored-entry mask of the n x 3 (above, diagonal, below) layout, row indices,
    column pointers) of the n x n tridiagonal CSC pattern; kept per n, read-only."""
    hit = _TRIDIAG.get(n)
    if hit is None:
        j = np.arange(n)
        rows = np.stack([j - 1, j, j + 1], axis=1)
        keep = (rows >= 0) & (rows < n)
        indptr = np.concatenate([[0], np.cumsum(keep.sum(axis=1))]).astype(np.int32)
        hit = (keep, rows[keep].astype(np.int32), indptr)
        for a in hit:
            a.flags.writeable = False
        _TRIDIAG[n] = hit
    return hit


def _csc(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, n: int) -> sp.csc_matrix:
    """An n x n CSC matrix on these (sorted, in-range) index arrays, given without copies."""
    return sp.csc_matrix((data, indices, indptr), shape=(n, n), copy=False)


def _sym_tridiag(diag: np.ndarray, off: float) -> sp.csc_matrix:
    """The symmetric tridiagonal CSC matrix with this diagonal and ``off`` on both
    off-diagonals (n >= 2), built from its index arrays (``sp.diags`` costs ~1 ms; the
    structure is kept per n, s28perf)."""
    n = diag.size
    keep, rows, indptr = _tridiag_structure(n)
    vals = np.empty((n, 3))
    vals[:, 0] = off
    vals[:, 1] = diag
    vals[:, 2] = off
    return _csc(vals[keep], rows, indptr, n)

def _band(m: sp.spmatrix, p: int) -> sp.csc_matrix:
    """``m`` (zero outside |i − j| <= p) as a CSC matrix storing every entry of that band,
    zeros included: the same structure at every parameter value (a Kronecker plan, built
    once for the structures, stays valid; scipy's products drop the zeros at φ_j = 0)."""
    n = m.shape[0]
    j = np.arange(n)
    offs = np.arange(-p, p + 1)
    rows = j[:, None] + offs[None, :]                   # column j holds rows j-p..j+p
    keep = (rows >= 0) & (rows < n)
    m = sp.csc_matrix(m)
    vals = np.zeros(rows.shape)
    for k, o in enumerate(offs):  # entries (j + o, j) = scipy's diagonal(-o), j ascending
        vals[keep[:, k], k] = m.diagonal(-o)
    indptr = np.concatenate([[0], np.cumsum(keep.sum(axis=1))])
    return sp.csc_matrix((vals[keep], rows[keep], indptr), shape=(n, n))


def _read_only(m: sp.csc_matrix) -> sp.csc_matrix:
    """``m`` with its arrays read-only: a kept matrix handed out again must not be changed
    in place by a caller (numpy raises instead)."""
    for a in (m.data, m.indices, m.indptr):
        a.flags.writeable = False
    return m


class _Toeplitz(CorrelationStructure):
    """C_ij = r(|i - j|) from an autocorrelation function r and its derivatives."""

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        super().__init__(levels, name=name, **options)
        lag = np.arange(self.n)
        self._lag = np.abs(lag[:, None] - lag[None, :])

    def acf(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(r[0..n-1], dr[k, 0..n-1] = ∂r/∂par_k)."""
        raise NotImplementedError

    def acf_values(self, par: np.ndarray) -> np.ndarray:
        """ρ_0..ρ_{n-1} alone (the values of :meth:`acf`, without its derivatives)."""
        return self.acf(par)[0]

    def correlation(self, rho: np.ndarray) -> np.ndarray:
        return self.acf_values(rho)[self._lag]

    def correlation_derivatives(self, rho: np.ndarray) -> list[np.ndarray]:
        dr = self.acf(rho)[1]
        return [d[self._lag] for d in dr]


class AR1(_Toeplitz):
    """``ar1``: C_ij = ρ^|i-j| (first-order autoregressive), parameter ``{name}!cor``."""

    def corr_names(self) -> list[str]:
        return [label(self.name, "cor", "!")]

    def corr_lower(self) -> np.ndarray:
        return np.array([-AR_LIMIT])  # ASReml's !ARLIMIT

    def corr_upper(self) -> np.ndarray:
        return np.array([AR_LIMIT])

    def corr_valid_range(self) -> tuple[np.ndarray, np.ndarray]:
        return np.array([-1.0]), np.array([1.0])

    def closed_bound(self, j: int) -> bool:
        return j < self.n_corr  # held exactly at ±AR_LIMIT

    def known_pd(self, theta: np.ndarray) -> bool:
        """C = [ρ^|i-j|] is the covariance of a unit-variance AR(1) process: its eigenvalues
        lie above the spectral density's minimum (1 − |ρ|)/(1 + |ρ|) (Grenander & Szegő),
        0.005 at ρ = ±AR_LIMIT, far above is_pd's 1e-10 (s25speed: no eigvalsh, 64 calls a
        test42Parallel.r fit)."""
        if self.n_params != 1 or theta.shape != (1,):
            return False
        r = abs(float(theta[0]))
        return r < 1.0 and (1.0 - r) / (1.0 + r) > KNOWN_PD_MIN

    def acf(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = float(par[0])
        k = np.arange(self.n, dtype=float)
        val = r**k
        der = np.zeros(self.n)
        der[1:] = k[1:] * r ** (k[1:] - 1)
        return val, der[None, :]

    # closed forms: C⁻¹ = Q / (1 - ρ²), Q tridiagonal with diagonal (1, 1+ρ², ..., 1+ρ², 1)
    # and off-diagonal -ρ;  log|C| = (n - 1) log(1 - ρ²)
    def _q(self, r: float) -> tuple[sp.csc_matrix, sp.csc_matrix]:
        """(Q, dQ/dρ) at ρ = r; the last pair is kept (an iteration asks for it many times;
        callers only read it)."""
        last = getattr(self, "_q_last", None)
        if last is not None and last[0] == r:
            return last[1], last[2]
        n = self.n
        if n == 1:  # C = [1]: Q = [1 - ρ²]
            q, dq = sp.csc_matrix([[1.0 - r * r]]), sp.csc_matrix([[-2.0 * r]])
        else:
            diag = np.full(n, 1.0 + r * r)
            ddiag = np.full(n, 2.0 * r)
            diag[[0, -1]] = 1.0
            ddiag[[0, -1]] = 0.0
            q, dq = _sym_tridiag(diag, -r), _sym_tridiag(ddiag, -1.0)
        self._q_last = (r, q, dq)
        return q, dq

    def correlation_inverse(self, rho: np.ndarray) -> Matrix | None:
        r = float(rho[0])
        if not abs(r) < 1:
            raise np.linalg.LinAlgError("ar1: |ρ| >= 1, the matrix is singular")
        last = getattr(self, "_inv_last", None)  # s25speed: asked ~100 times in a fit of
        if last is not None and last[0] == r:    # test42Parallel.r's model, 4 ρ values a point
            return last[1]
        q = self._q(r)[0]  # Q / (1 − ρ²) as scipy divides: Q times 1 / (1 − ρ²)
        m = _read_only(_csc(q.data * (1 / (1.0 - r * r)), q.indices, q.indptr, q.shape[0]))
        self._inv_last = (r, m)
        return m

    def correlation_inverse_derivatives(self, rho: np.ndarray) -> list[Matrix] | None:
        r = float(rho[0])
        last = getattr(self, "_dinv_last", None)
        if last is not None and last[0] == r:
            return [last[1]]
        q, dq = self._q(r)
        w = 1.0 - r * r
        # dQ / w + Q (2ρ / w²) as scipy's sum of the two (Q, dQ: one structure) gives it:
        # entrywise dQ·(1/w) + Q·(2ρ/w²), exact zeros dropped
        if dq.nnz != q.nnz or not np.array_equal(dq.indices, q.indices):  # n = 1 at ρ = 0
            return [_read_only(sp.csc_matrix(dq / w + q * (2.0 * r / w**2)))]
        vals = dq.data * (1 / w) + q.data * (2.0 * r / w**2)
        if np.all(vals != 0):
            m = _csc(vals, q.indices, q.indptr, q.shape[0])
        else:  # (ρ = 0: a zero diagonal) dropped as the sum drops it, on copied indices
            m = _csc(vals, q.indices.copy(), q.indptr.copy(), q.shape[0])
            m.eliminate_zeros()
        m = _read_only(m)
        self._dinv_last = (r, m)
        return [m]

    def correlation_logdet(self, rho: np.ndarray) -> float | None:
        r = float(rho[0])
        if not abs(r) < 1:
            raise np.linalg.LinAlgError("ar1: |ρ| >= 1, the matrix is singular")
        return float((self.n - 1) * np.log(1.0 - r * r))


def _stationary(phi: np.ndarray) -> bool:
    """Roots of z^p - φ_1 z^(p-1) - ... - φ_p strictly inside the unit circle."""
    roots = np.roots(np.concatenate([[1.0], -np.asarray(phi, dtype=float)]))
    return bool(np.all(np.abs(roots) < 1.0 - 1e-10))


class ARp(_Toeplitz):
    """AR(p) correlation from coefficients φ (see the module docstring)."""

    p = 2
    ar_limited = True  # each φ_j within ±AR_LIMIT (not sar/sar2, whose γ have own ranges)

    def corr_names(self) -> list[str]:
        return [label(self.name, f"phi{j}", "!") for j in range(1, self.p + 1)]

    def corr_kinds(self) -> list[str]:
        return ["other"] * self.p

    def corr_lower(self) -> np.ndarray:
        # ASReml's !ARLIMIT: |φ_j| <= 0.99 each (tighter than stationarity's |φ_j| < C(p, j));
        # the stationary region itself is checked by corr_valid
        return np.full(self.p, -AR_LIMIT)

    def corr_upper(self) -> np.ndarray:
        return -self.corr_lower()

    def corr_valid_range(self) -> tuple[np.ndarray, np.ndarray]:
        # stationarity implies |φ_j| < C(p, j); the exact region is checked by corr_valid
        from math import comb
        c = np.array([float(comb(self.p, j)) for j in range(1, self.p + 1)])
        return -c, c

    def closed_bound(self, j: int) -> bool:
        return self.ar_limited and j < self.n_corr  # held exactly at ±AR_LIMIT

    def corr_valid(self, rho: np.ndarray) -> bool:
        return _stationary(rho)

    def corr_initial(self) -> np.ndarray:
        out = np.zeros(self.p)
        out[0] = 0.1
        return out

    def acf(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ρ_0..ρ_{n-1}, ∂ρ/∂φ) for the coefficients φ; the last answer is kept (read-only:
        a fit asks for it at one θ many times, and the bound search of reml/bounds.py tries
        many θ)."""
        phi = np.asarray(par, dtype=float)
        key = phi.tobytes()
        last = getattr(self, "_acf_last", None)
        if last is not None and last[0] == key:
            return last[1], last[2]
        r, dr = self._acf(phi)
        r.setflags(write=False)
        dr.setflags(write=False)
        self._acf_last = (key, r, dr)
        return r, dr

    def acf_values(self, par: np.ndarray) -> np.ndarray:
        """ρ_0..ρ_{n-1} alone, the same numbers as :meth:`acf`'s (the bound search of
        reml/bounds.py forms correlation matrices at many θ and needs no derivatives)."""
        phi = np.asarray(par, dtype=float)
        last = getattr(self, "_acf_last", None)
        if last is not None and last[0] == phi.tobytes():
            return last[1]
        a, first = self._first(phi)
        ph = [float(v) for v in phi]
        rl = [1.0, *(float(v) for v in first)] + [0.0] * max(0, self.n - self.p - 1)
        for k in range(self.p + 1, len(rl)):
            acc = 0.0
            for j in range(1, self.p + 1):
                acc += ph[j - 1] * rl[k - j]
            rl[k] = acc
        return np.asarray(rl)[:self.n]

    # ----- closed forms: C⁻¹ is banded (bandwidth p) ------------------------------------------
    def phi_jacobian(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(φ(par), J) with J[l, i] = ∂φ_l/∂par_i: the identity for ar2/ar3 (par = φ)."""
        phi = np.asarray(par, dtype=float)
        return phi.copy(), np.eye(self.p)

    def _precision(self, par: np.ndarray
                   ) -> tuple[sp.csc_matrix, list[sp.csc_matrix], float] | None:
        """(C⁻¹, [∂C⁻¹/∂par_i], log|C|) of the stationary AR(p), or None when n <= p.

        The joint density of x_0..x_{n-1} factors as N(x_{0:p}; 0, C_p) · Π_{t>=p}
        N(x_t; Σ_j φ_j x_{t-j}, s), s = 1 − Σ_j φ_j ρ_j (the innovation variance of the
        unit-variance process), so

            C⁻¹ = blockdiag(C_p⁻¹, 0) + A'A / s,   log|C| = log|C_p| + (n − p) log s,

        A's rows t = p..n-1 holding 1 at t and −φ_j at t − j (C_p: the p x p Toeplitz of
        ρ_0..ρ_{p-1}). Derivatives in φ_l: ∂C_p⁻¹ = −C_p⁻¹ ∂C_p C_p⁻¹,
        ∂s = −ρ_l − Σ_j φ_j ∂ρ_j, ∂A = −E_l (E_l[t, t − l] = 1); then the chain rule to par.
        The last answer is kept (a fit asks for it at one θ many times)."""
        p, n = self.p, self.n
        if n <= p:
            return None
        key = np.asarray(par, dtype=float).tobytes()
        last = getattr(self, "_prec_last", None)
        if last is not None and last[0] == key:
            return last[1]
        phi, jac = self.phi_jacobian(par)
        r, dr = ARp.acf(self, phi)  # ρ and ∂ρ/∂φ (in φ, whatever the parametrisation)
        lag = np.abs(np.arange(p)[:, None] - np.arange(p)[None, :])
        cp = r[lag]
        cp_inv = np.linalg.inv(cp)
        s = 1.0 - float(phi @ r[1:p + 1])
        if not s > 0.0:
            raise np.linalg.LinAlgError(f"{type(self).__name__.lower()}: the process is not "
                                        "stationary (innovation variance <= 0)")
        t = np.arange(p, n)
        rows = np.concatenate([t] + [t] * p)
        cols = np.concatenate([t] + [t - j for j in range(1, p + 1)])
        vals = np.concatenate([np.ones(t.size)] + [np.full(t.size, -phi[j - 1])
                                                   for j in range(1, p + 1)])
        a = sp.csc_matrix((vals, (rows, cols)), shape=(n, n))
        ata = (a.T @ a).tocsc()

        hr, hc = np.repeat(np.arange(p), p), np.tile(np.arange(p), p)

        def head(m: np.ndarray) -> sp.csc_matrix:  # a p x p block in C⁻¹'s top-left corner
            return sp.csc_matrix((np.ravel(m), (hr, hc)), shape=(n, n))

        q = _band(head(cp_inv) + ata / s, p)
        dq_phi = []
        for l in range(1, p + 1):
            dcp = dr[l - 1][lag]
            ds = -r[l] - float(phi @ dr[l - 1][1:p + 1])
            e = sp.csc_matrix((np.full(t.size, -1.0), (t, t - l)), shape=(n, n))
            d = head(-cp_inv @ dcp @ cp_inv) + ata * (-ds / s**2) + (e.T @ a + a.T @ e) / s
            dq_phi.append(d.tocsc())
        dq = []
        for i in range(jac.shape[1]):
            acc = dq_phi[0] * jac[0, i]
            for l in range(1, p):
                acc = acc + dq_phi[l] * jac[l, i]
            dq.append(_read_only(_band(acc, p)))
        logdet = float(np.linalg.slogdet(cp)[1] + (n - p) * np.log(s))
        out = (_read_only(q), dq, logdet)
        self._prec_last = (key, out)
        return out

    def correlation_inverse(self, rho: np.ndarray) -> Matrix | None:
        pr = self._precision(rho)
        return None if pr is None else pr[0]

    def correlation_inverse_derivatives(self, rho: np.ndarray) -> list[Matrix] | None:
        pr = self._precision(rho)
        return None if pr is None else pr[1]

    def correlation_logdet(self, rho: np.ndarray) -> float | None:
        pr = self._precision(rho)
        return None if pr is None else pr[2]

    def _first(self, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(A, ρ_1..ρ_p) from the Yule-Walker equations A ρ = φ."""
        p = self.p
        a = np.eye(p)
        b = phi.copy()
        for k in range(1, p + 1):
            for j in range(1, p + 1):
                m = abs(k - j)
                if m >= 1:
                    a[k - 1, m - 1] -= phi[j - 1]
        return a, np.linalg.solve(a, b)

    def _acf(self, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = self.p
        a, first = self._first(phi)  # ρ_1..ρ_p
        dfirst = np.zeros((p, p))  # [l, k-1] = ∂ρ_k/∂φ_l
        for l in range(1, p + 1):
            db = np.zeros(p)
            db[l - 1] = 1.0
            da = np.zeros((p, p))
            for k in range(1, p + 1):
                m = abs(k - l)
                if m >= 1:
                    da[k - 1, m - 1] -= 1.0
            dfirst[l - 1] = np.linalg.solve(a, db - da @ first)
        length = max(self.n, p + 1)
        r = np.zeros(length)
        dr = np.zeros((p, length))
        r[0] = 1.0
        r[1:p + 1] = first
        dr[:, 1:p + 1] = dfirst
        # ρ_k = Σ_j φ_j ρ_{k-j};  ∂ρ_k/∂φ_l = ρ_{k-l} + Σ_j φ_j ∂ρ_{k-j}/∂φ_l (all l at once,
        # the terms summed in the order j = 1..p)
        ph = [float(v) for v in phi]
        rl = [float(v) for v in r]
        for k in range(p + 1, length):
            acc = 0.0
            for j in range(1, p + 1):
                acc += ph[j - 1] * rl[k - j]
            rl[k] = acc
            s = ph[0] * dr[:, k - 1]
            for j in range(2, p + 1):
                s += ph[j - 1] * dr[:, k - j]
            dr[:, k] = np.array([rl[k - l] for l in range(1, p + 1)]) + s
        r = np.asarray(rl)
        return r[:self.n].copy(), dr[:, :self.n].copy()


class AR2(ARp):
    """``ar2``: second-order autoregressive correlation (φ_1, φ_2)."""

    p = 2


class AR3(ARp):
    """``ar3``: third-order autoregressive correlation (φ_1, φ_2, φ_3)."""

    p = 3


class SAR(ARp):
    """``sar``: the AR(2) with φ = (γ, −γ²/4), parameter ``{name}!cor`` = γ; a valid
    correlation for |γ| < 2, estimated within ±AR_LIMIT (module docstring, "Limits")."""

    p = 2

    def corr_names(self) -> list[str]:
        return [label(self.name, "cor", "!")]

    def corr_kinds(self) -> list[str]:
        return ["other"]

    def corr_lower(self) -> np.ndarray:
        return np.array([-AR_LIMIT])  # ASReml's !ARLIMIT; dae's mat.sar takes |γ| < 1

    def corr_upper(self) -> np.ndarray:
        return np.array([AR_LIMIT])

    def corr_valid_range(self) -> tuple[np.ndarray, np.ndarray]:
        return np.array([-2.0]), np.array([2.0])

    def corr_valid(self, rho: np.ndarray) -> bool:
        return bool(abs(float(rho[0])) < 2.0 - 1e-10)

    def corr_initial(self) -> np.ndarray:
        return np.array([0.1])

    def phi_jacobian(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g = float(par[0])
        return np.array([g, -g * g / 4.0]), np.array([[1.0], [-0.5 * g]])

    def acf_values(self, par: np.ndarray) -> np.ndarray:
        g = float(par[0])
        return super().acf_values(np.array([g, -g * g / 4.0]))

    def acf(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g = float(par[0])
        r, dr_dphi = super().acf(np.array([g, -g * g / 4.0]))
        return r, (dr_dphi[0] - 0.5 * g * dr_dphi[1])[None, :]  # chain rule through φ(γ)


class SAR2(ARp):
    """``sar2``: the AR(3) with φ = (γ_1 + 2γ_2, −γ_2(2γ_1 + γ_2), γ_1γ_2²), parameters
    ``{name}!cor1`` = γ_1, ``{name}!cor2`` = γ_2, each in (−1, 1)."""

    p = 3
    ar_limited = False

    def corr_names(self) -> list[str]:
        return [label(self.name, f"cor{j}", "!") for j in (1, 2)]

    def corr_kinds(self) -> list[str]:
        return ["other", "other"]

    def corr_lower(self) -> np.ndarray:
        return np.array([-1.0, -1.0])

    def corr_upper(self) -> np.ndarray:
        return np.array([1.0, 1.0])

    def corr_valid_range(self) -> tuple[np.ndarray, np.ndarray]:
        return self.corr_lower(), self.corr_upper()

    def corr_valid(self, rho: np.ndarray) -> bool:
        # the roots of the AR polynomial are 1/γ_1 and 1/γ_2 (twice): stationary iff |γ| < 1
        return bool(np.all(np.abs(np.asarray(rho, dtype=float)) < 1.0 - 1e-10))

    def corr_initial(self) -> np.ndarray:
        return np.array([0.1, 0.1])

    #: Σ on the fold γ_1 = γ_2 (:meth:`fold_faces`): φ(γ_1, γ_1), γ_2 ignored
    _tied: bool = False

    @staticmethod
    def phi(gamma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(φ(γ), J) with J[l, i] = ∂φ_l/∂γ_i."""
        g1, g2 = float(gamma[0]), float(gamma[1])
        phi = np.array([g1 + 2 * g2, -g2 * (2 * g1 + g2), g1 * g2 * g2])
        jac = np.array([[1.0, 2.0], [-2 * g2, -2 * (g1 + g2)], [g2 * g2, 2 * g1 * g2]])
        return phi, jac

    def phi_jacobian(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(φ, J) at γ, or on the fold at (γ_1, γ_1) with J = [J_1 + J_2, 0] (the derivative
        along the face, none in the held γ_2)."""
        if not self._tied:
            return self.phi(par)
        g = float(par[0])
        phi, jac = self.phi(np.array([g, g]))
        return phi, np.column_stack([jac[:, 0] + jac[:, 1], np.zeros(3)])

    def acf_values(self, par: np.ndarray) -> np.ndarray:
        return super().acf_values(self.phi_jacobian(par)[0])

    def acf(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        phi, jac = self.phi_jacobian(par)
        r, dr_dphi = super().acf(phi)
        return r, jac.T @ dr_dphi  # chain rule: ∂r/∂γ_i = Σ_l ∂φ_l/∂γ_i ∂r/∂φ_l

    def fold_faces(self) -> list[FoldFace]:
        """The fold γ_1 = γ_2 (module docstring, "The fold"): Σ there from γ_1 alone, the
        normal (−2, 1) on (γ_1, γ_2) (J's kernel on the face)."""
        if self._tied:
            return []
        face = copy.copy(self)
        for k in [k for k in vars(face) if k.endswith("_last")]:  # answers kept for γ
            delattr(face, k)
        face._tied = True
        normal = np.zeros(self.n_params)
        normal[:2] = (-2.0, 1.0)
        return [FoldFace(0, 1, face, normal, "sar2's AR(3) polynomial (1 − γ_1B)(1 − γ_2B)² has "
                         "a triple root there")]


class MA1(_Toeplitz):
    """``ma1``: ρ_1 = -θ / (1 + θ²), zero beyond lag 1; parameter ``{name}!theta1``."""

    def corr_names(self) -> list[str]:
        return [label(self.name, "theta1", "!")]

    def corr_kinds(self) -> list[str]:
        return ["other"]

    def corr_lower(self) -> np.ndarray:
        return np.array([-1.0])

    def corr_upper(self) -> np.ndarray:
        return np.array([1.0])

    def acf(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = float(par[0])
        r = np.zeros(max(self.n, 2))
        dr = np.zeros((1, r.size))
        r[0] = 1.0
        r[1] = -t / (1 + t * t)
        dr[0, 1] = -(1 - t * t) / (1 + t * t) ** 2
        return r[:self.n], dr[:, :self.n]


class MA2(_Toeplitz):
    """``ma2``: ρ_1 = -θ_1 (1 - θ_2) / s, ρ_2 = -θ_2 / s, s = 1 + θ_1² + θ_2²."""

    def corr_names(self) -> list[str]:
        return [label(self.name, f"theta{j}", "!") for j in (1, 2)]

    def corr_kinds(self) -> list[str]:
        return ["other", "other"]

    def corr_lower(self) -> np.ndarray:
        return np.full(2, -AR_LIMIT)  # each |θ_j| <= 0.99 (dae's mat.ma2: each < 1)

    def corr_upper(self) -> np.ndarray:
        return np.full(2, AR_LIMIT)

    def corr_valid_range(self) -> tuple[np.ndarray, np.ndarray]:
        return np.array([-2.0, -1.0]), np.array([2.0, 1.0])  # the invertible region's box

    def closed_bound(self, j: int) -> bool:
        return j < self.n_corr  # held exactly at ±AR_LIMIT

    def corr_valid(self, rho: np.ndarray) -> bool:
        return _stationary(rho)  # invertibility: same region as AR(2) stationarity

    def corr_initial(self) -> np.ndarray:
        return np.array([0.1, 0.0])

    def acf(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t1, t2 = float(par[0]), float(par[1])
        s = 1 + t1 * t1 + t2 * t2
        r = np.zeros(max(self.n, 3))
        dr = np.zeros((2, r.size))
        r[0] = 1.0
        g1 = -t1 * (1 - t2)
        r[1] = g1 / s
        r[2] = -t2 / s
        dr[0, 1] = -(1 - t2) / s - g1 * 2 * t1 / s**2
        dr[1, 1] = t1 / s - g1 * 2 * t2 / s**2
        dr[0, 2] = t2 * 2 * t1 / s**2
        dr[1, 2] = -1 / s + t2 * 2 * t2 / s**2
        return r[:self.n], dr[:, :self.n]


register_correlation(AR1, "ar1", syntax=correlation_syntax(
    "first-order autoregressive", "first-order autoregressive correlation", "AR1(ρ)",
    "C_ij = ρ^|i-j|", spatial=True))
register_correlation(AR2, "ar2", syntax=correlation_syntax(
    "second-order autoregressive", "second-order autoregressive correlation", "AR2(φ1, φ2)",
    "Yule-Walker correlations of an AR(2) process", spatial=True))
register_correlation(AR3, "ar3", syntax=correlation_syntax(
    "third-order autoregressive", "third-order autoregressive correlation",
    "AR3(φ1, φ2, φ3)", "Yule-Walker correlations of an AR(3) process", spatial=True))
register_correlation(SAR, "sar", syntax=correlation_syntax(
    "symmetric autoregressive", "symmetric autoregressive correlation", "SAR(γ)",
    "AR(2) with φ1 = γ, φ2 = -γ²/4", spatial=True))
register_correlation(SAR2, "sar2", syntax=correlation_syntax(
    "constrained third-order autoregressive", "constrained AR(3) correlation for competition "
    "models", "SAR2(γ1, γ2)", "AR(3) with φ1 = γ1 + 2γ2, φ2 = -γ2(2γ1 + γ2), φ3 = γ1γ2²",
    spatial=True))
register_correlation(MA1, "ma1", syntax=correlation_syntax(
    "first-order moving average", "first-order moving-average correlation", "MA1(θ)",
    "C_i,i±1 = -θ/(1+θ²), 0 beyond lag 1", spatial=True))
register_correlation(MA2, "ma2", syntax=correlation_syntax(
    "second-order moving average", "second-order moving-average correlation", "MA2(θ1, θ2)",
    "0 beyond lag 2", spatial=True))
