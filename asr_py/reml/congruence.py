"""Random regressions on an uncentred covariate fitted in centred (orthogonalised) columns.

A random term u ~ N(0, [σ²] Σ_1 ⊗ … ⊗ Σ_p) with a part Σ = Σ(θ) (k x k) that is linear and
full — every symmetric k x k matrix is Σ(θ) for one θ (``us``) — is closed under congruence:
with a nonsingular M (k x k), T = I ⊗ … ⊗ M ⊗ … ⊗ I,

    u = T u',   Z' = Z T,   Σ' = M⁻¹ Σ M⁻ᵀ   ⇒   Z' G' Z'' = Z G Z',

so V, the REML log-likelihood and the BLUPs Zû are unchanged, and θ' = A θ is linear
(A: the coordinates of M⁻¹ E_k M⁻ᵀ in the basis E of Σ(θ) = Σ_k θ_k E_k).

Random slopes on x = 529 ± 17 make the columns [1, x] of ``str(~ g + g:x, ~ us(2):id(g))``
nearly collinear (correlation 0.9995): the PD boundary of Σ is met at once and the iteration
crawls along it. M = R⁻¹ diag(R), with S = R'R (R upper triangular) the k columns'
cross-products pooled over the levels of the other parts, makes the columns orthogonal
(Z'Z T-pooled = diag(R)²): x − x̄ for the slope, the intercept unchanged — the fit with x
centred by hand. M is unit upper triangular, so it is the same for x + c and exactly
rescaled for k·x (working problems equal up to a diagonal scaling).

Back in the user's θ (:meth:`Congruence.result`): θ = A⁻¹θ', score A's', AI A'(AI')A,
Var(θ̂) = A⁻¹ Var(θ̂') A⁻ᵀ, û = T û', PEV = diag(T C'⁻¹[u,u] T'), C⁻¹ = blockdiag(I, T)
C'⁻¹ blockdiag(I, T)'; ℓ, β̂, fitted values unchanged. A start in the default pattern
(:meth:`~asr_py.vcov.base.CovTemplate.initial`) is that pattern again in the working
columns, each variance scaled to the column's size (n / D_a² times the term's scale: a
start that does not depend on the units or the origin of x); any other start (params=,
update()) is mapped, θ₀' = A θ₀ (the same V), unless that is nearly singular in the working
columns (a start written for the raw columns: correlation eigenvalue < START_EIG), when the
default pattern is used at the start's own scale.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from asr_py.reml.problem import MixedProblem, RandomBlock
from asr_py.reml.psd import MappedFactor
from asr_py.reml.result import RemlResult
from asr_py.reml.solver import Factor
from asr_py.vcov.base import CovTemplate

#: a given start mapped into the working columns is used when its correlation matrix's
#: smallest eigenvalue is at least this; else the default pattern at the start's scale
START_EIG = 1e-3
#: the columns are recombined when their pooled correlation matrix has a condition number
#: above this (2 x 2: |r| > 0.82, x̄ > 1.4 sd); below it the fit is left as written
COND_MIN = 10.0


@dataclass
class _PartMap:
    """Block j: part (k x k) at θ slice ``sl`` (global), u = T u', θ' = A θ on ``sl``."""

    j: int
    sl: slice
    T: sp.csr_matrix
    A: np.ndarray
    A_inv: np.ndarray


def _parts(template: CovTemplate) -> tuple[bool, list[CovTemplate]]:
    factors = template.kronecker_factors()
    return (bool(factors[0]), list(factors[1])) if factors is not None else (False, [template])


def _full_linear(part: CovTemplate, theta: np.ndarray) -> np.ndarray | None:
    """The basis E (m x k x k) when Σ(θ) = Σ θ_m E_m spans every symmetric k x k matrix."""
    k = part.n
    if part.n_params != k * (k + 1) // 2 or k < 2 or part.is_known:
        return None
    kinds = list(part.param_kinds)
    if any(t not in ("variance", "covariance") for t in kinds):
        return None
    try:
        basis = part.linear_basis(theta)
    except (ValueError, np.linalg.LinAlgError):
        return None
    if basis is None:
        return None
    e = np.asarray([np.asarray(b.toarray() if sp.issparse(b) else b, dtype=float)
                    for b in basis])
    flat = e.reshape(len(e), -1)
    if np.linalg.matrix_rank(flat) != part.n_params:
        return None
    return e


def _pooled_gram(z: sp.spmatrix, sizes: list[int], pos: int) -> np.ndarray:
    """S_ab = Σ_o (Z'Z)[(a, o), (b, o)]: the cross-products of part ``pos``'s k columns
    summed over the levels o of the other parts (Kronecker column order)."""
    k = sizes[pos]
    inner = int(np.prod(sizes[pos + 1:])) if pos + 1 < len(sizes) else 1
    g = sp.coo_matrix(sp.csc_matrix(z).T @ sp.csc_matrix(z))
    a, b = (g.row // inner) % k, (g.col // inner) % k
    same = (g.row // (inner * k) == g.col // (inner * k)) & (g.row % inner == g.col % inner)
    s = np.zeros((k, k))
    np.add.at(s, (a[same], b[same]), g.data[same])
    return 0.5 * (s + s.T)


def _coords(e: np.ndarray, m: np.ndarray) -> np.ndarray:
    """θ with Σ θ_k E_k = m (least squares; exact for a full basis)."""
    return np.linalg.lstsq(e.reshape(len(e), -1).T, m.ravel(), rcond=None)[0]


def _working_start(part: CovTemplate, e: np.ndarray, th0: np.ndarray, d2: np.ndarray,
                   n_rows: int, a: np.ndarray) -> np.ndarray:
    """θ₀' for the part (see the module docstring)."""
    pattern = np.asarray(part.initial(1.0), dtype=float)
    c = th0[0] / pattern[0] if pattern[0] != 0 else np.nan
    if not (np.isfinite(c) and c > 0 and np.allclose(th0, c * pattern, rtol=1e-12, atol=0.0)):
        mapped = a @ th0
        if _well_inside(np.tensordot(mapped, e, 1)):
            return mapped
        c = _mean_variance(np.tensordot(th0, e, 1))
    w = np.sqrt(c * n_rows / d2)
    return _coords(e, w[:, None] * np.tensordot(pattern, e, 1) * w[None, :])


def _well_inside(sigma: np.ndarray) -> bool:
    """Σ's correlation matrix has its smallest eigenvalue >= START_EIG (a start mapped from
    the user's columns can be singular to round-off in the working ones)."""
    d = np.diag(sigma)
    if not np.all(np.isfinite(sigma)) or np.any(d <= 0):
        return False
    r = 1.0 / np.sqrt(d)
    return bool(np.linalg.eigvalsh(sigma * r[:, None] * r[None, :])[0] >= START_EIG)


def _mean_variance(sigma: np.ndarray) -> float:
    """The scale of a given start read as the default's: the mean of its variances (the
    default pattern's variances are the scale itself), or 1 when that is not positive."""
    v = float(np.mean(np.diag(sigma)))
    return v if np.isfinite(v) and v > 0 else 1.0


def _block_map(j: int, blk: RandomBlock, offset: int, theta0: np.ndarray,
               constraints: list[str]) -> tuple[_PartMap, np.ndarray, sp.csc_matrix] | None:
    """(the map, θ₀' of the part, Z T) for block j, or None when it is left as written."""
    scale, parts = _parts(blk.template)
    sizes = [p.n for p in parts]
    off = offset + (1 if scale else 0)
    for pos, part in enumerate(parts):
        sl = slice(off, off + part.n_params)
        off += part.n_params
        if part.n_params == 0 or any(str(c).upper() == "F" for c in constraints[sl]):
            continue
        e = _full_linear(part, theta0[sl])
        if e is None:
            continue
        s = _pooled_gram(blk.Z, sizes, pos)
        d = np.sqrt(np.clip(np.diag(s), 0.0, None))
        if np.any(d <= 0) or not np.all(np.isfinite(s)):
            continue
        corr = s / np.outer(d, d)
        ev = np.linalg.eigvalsh(corr)
        if ev[0] > ev[-1] / COND_MIN:
            continue
        try:
            r = np.linalg.cholesky(s).T
        except np.linalg.LinAlgError:
            continue
        m = np.linalg.solve(r, np.diag(np.diag(r)))  # unit upper triangular
        m_inv = np.linalg.solve(m, np.eye(m.shape[0]))
        a = np.column_stack([_coords(e, m_inv @ ek @ m_inv.T) for ek in e])
        a_inv = np.linalg.solve(a, np.eye(a.shape[0]))
        left = sp.identity(int(np.prod(sizes[:pos])) if pos else 1, format="csr")
        right = sp.identity(int(np.prod(sizes[pos + 1:])) if pos + 1 < len(sizes) else 1,
                            format="csr")
        t = sp.csr_matrix(sp.kron(sp.kron(left, sp.csr_matrix(m)), right))
        t.eliminate_zeros()
        n_rows = int(np.count_nonzero(np.diff(sp.csr_matrix(blk.Z).indptr)))
        th0 = _working_start(part, e, theta0[sl], np.diag(r) ** 2, n_rows, a)
        z = sp.csc_matrix(sp.csr_matrix(blk.Z) @ t)
        z.eliminate_zeros()
        return _PartMap(j, sl, t, a, a_inv), th0, z
    return None


def working_columns(problem: MixedProblem) -> tuple[MixedProblem, Congruence] | None:
    """The problem with every random term's full linear part on nearly collinear columns
    recombined (see the module docstring), and the map back; None when there is none."""
    theta0 = np.asarray(problem.theta0, dtype=float).copy()
    random: list[RandomBlock] = []
    maps: list[_PartMap] = []
    for j, blk in enumerate(problem.random):
        got = _block_map(j, blk, blk.offset, theta0, list(problem.constraints))
        if got is None:
            random.append(blk)
            continue
        pm, th0, z = got
        theta0[pm.sl] = th0
        random.append(RandomBlock(blk.name, z, blk.template))
        maps.append(pm)
    if not maps:
        return None
    work = dataclasses.replace(problem, random=random, theta0=theta0)
    return work, Congruence(problem, maps)


@dataclass
class Congruence:
    """How a fit in the working columns maps back (see the module docstring)."""

    original: MixedProblem
    maps: list[_PartMap]

    def _full(self, which: str) -> np.ndarray:
        nt = self.original.n_theta
        out = np.eye(nt)
        for pm in self.maps:
            out[pm.sl, pm.sl] = getattr(pm, which)
        return out

    def theta(self, work: np.ndarray) -> np.ndarray:
        """The user's θ from the working θ'."""
        return self._full("A_inv") @ np.asarray(work, dtype=float)

    def callback(self, cb: Callable[[dict], None] | None) -> Callable[[dict], None] | None:
        """``cb`` called with each history entry's θ in the user's parametrisation."""
        if cb is None:
            return None

        def mapped(h: dict) -> None:
            cb({**h, "theta": self.theta(h["theta"])})
        return mapped

    def result(self, r: RemlResult) -> RemlResult:
        """The working fit in the user's parametrisation (module docstring). A parameter
        whose value depends on a working parameter held on its boundary is held too; its
        AI rows and Var(θ̂) are NaN, as for a boundary parameter of a direct fit."""
        a, b = self._full("A"), self._full("A_inv")
        held = np.asarray(r.boundary, dtype=bool)
        boundary = (np.abs(b[:, held]) > 0).any(axis=1) if held.any() else held.copy()
        score = a.T @ np.nan_to_num(np.asarray(r.score, dtype=float))
        score[~np.isfinite(np.asarray(r.score, dtype=float)) & ~_touched(self.maps, a)] = np.nan
        ai = _mapped(a.T, r.ai, _bad(a.T, r.ai))
        vc = _mapped(b, r.vcov_theta, _bad(b, r.vcov_theta))
        cons = list(self.original.constraints)
        for k in np.flatnonzero(boundary):
            if str(cons[k]).upper() == "P":
                cons[k] = "B"
        for k, c in enumerate(r.constraints):  # outside the mapped parts: the fit's own code
            if not _touched(self.maps, a)[k]:
                cons[k] = c
        return dataclasses.replace(
            r, theta=self.theta(r.theta), constraints=cons, score=score, ai=ai,
            vcov_theta=vc, boundary=boundary | (held & ~_touched(self.maps, a)),
            ai_work=np.asarray(r.ai, dtype=float).copy(),
            history=[{**h, "theta": self.theta(h["theta"])} for h in r.history],
            **self._random(r))

    def _random(self, r: RemlResult) -> dict:
        """û = T û', PEV = diag(T C'⁻¹[u, u] T'), the factor T C'⁻¹ T'."""
        by_j = {pm.j: pm for pm in self.maps}
        p = np.asarray(r.beta).size
        u, pev, tblocks = [], [], [sp.identity(p, format="csr")]
        for j, (uj, pj) in enumerate(zip(r.u, r.pev)):
            pm = by_j.get(j)
            if pm is None:
                u.append(uj)
                pev.append(pj)
                tblocks.append(sp.identity(np.asarray(uj).size, format="csr"))
                continue
            u.append(np.asarray(pm.T @ np.asarray(uj, dtype=float)).ravel())
            if r.factor is not None and r.u_offsets:
                pev.append(_pev(pm.T, r.factor, r.u_offsets[j]))
            else:
                pev.append(np.full(np.asarray(uj).size, np.nan))
            tblocks.append(pm.T)
        factor = None
        if r.factor is not None:
            factor = MappedFactor(r.factor, sp.block_diag(tblocks, format="csr"))
        return {"u": u, "pev": pev, "factor": factor}


def _pev(t: sp.csr_matrix, factor: Factor, offset: int) -> np.ndarray:
    """diag(T C'⁻¹[u, u] T') from the entries of C'⁻¹ that T pairs (a selected inverse:
    T = I ⊗ M ⊗ I pairs only the k columns of a level, never the whole block)."""
    pat = sp.coo_matrix(abs(t).T @ abs(t))
    vals = factor.inverse_entries(pat.row.astype(np.int64) + offset,
                                  pat.col.astype(np.int64) + offset)
    c = sp.csr_matrix((vals, (pat.row, pat.col)), shape=pat.shape)
    return np.asarray(t.multiply(t @ c).sum(axis=1)).ravel()


def _touched(maps: list[_PartMap], a: np.ndarray) -> np.ndarray:
    out = np.zeros(a.shape[0], dtype=bool)
    for pm in maps:
        out[pm.sl] = True
    return out


def _bad(left: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Rows of left @ m @ left' that read a NaN row of m."""
    nan = ~np.isfinite(np.diag(np.asarray(m, dtype=float)))
    return (np.abs(left[:, nan]) > 0).any(axis=1) if nan.any() else nan.copy()


def _mapped(left: np.ndarray, m: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """left @ m @ left' with the rows and columns in ``bad`` NaN."""
    out = left @ np.nan_to_num(np.asarray(m, dtype=float)) @ left.T
    out[bad, :] = np.nan
    out[:, bad] = np.nan
    return out


__all__ = ["COND_MIN", "Congruence", "working_columns"]
