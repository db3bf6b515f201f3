"""Henderson's mixed model equations, the REML log-likelihood, its score and the AI matrix.

Model ``y = Xβ + Zu + e``, ``u ~ N(0, G)``, ``G = blockdiag(G_1(θ), ..., G_m(θ))``,
``e ~ N(0, R(θ))``; ``W = [X Z]`` (n x N, N = p + q). The mixed model equations are

    C ŝ = r,   C = W'R⁻¹W + blockdiag(0_p, G⁻¹),   r = W'R⁻¹y,   ŝ = [β̂; û].

The n x n ``V = ZGZ' + R`` is never formed. With ``y'Py = y'R⁻¹y − ŝ'r`` the full REML
log-likelihood (lme4's ``logLik(REML = TRUE)``) is

    ℓ = −½[(n − p) log 2π + log|R| + Σ_j log|G_j| + log|C| + y'Py]
      = −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + y'Py].

Score (exact; ê = y − Wŝ, so R⁻¹ê = Py):

* G parameter θ_k of block j:
  ``s_k = −½[tr(G⁻¹Ġ_k) − tr(G⁻¹Ġ_kG⁻¹ C^{uu}_j) − û_j'G⁻¹Ġ_kG⁻¹û_j]``
* R parameter: ``s_k = −½[tr(R⁻¹Ṙ_k) − tr(C⁻¹ W'R⁻¹Ṙ_kR⁻¹W) − ê'R⁻¹Ṙ_kR⁻¹ê]``

The traces use C⁻¹ only on the pattern of the matrix it multiplies (a selected inverse).
Average information ``AI_kl = ½ q_k'Pq_l`` from working variates ``q_k = V̇_k Py``
(``Z_j Ġ_k G_j⁻¹ û_j`` or ``Ṙ_k R⁻¹ê``), with ``PQ = R⁻¹Q − R⁻¹W C⁻¹ W'R⁻¹Q`` solved for
all k at once through the same factor of C.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.reml.indefinite import signed_plan  # issue 11 'U'
from asr_py.reml.problem import MixedProblem
from asr_py.reml.solver import (
    DenseFactor,
    Factor,
    available_backends,
    choose_backend,
    factorize,
)
from asr_py.vcov.base import CovTemplate, Matrix

LOG2PI = float(np.log(2.0 * np.pi))


def _as_sparse(m: Matrix) -> sp.csc_matrix:
    return sp.csc_matrix(m) if sp.issparse(m) else sp.csc_matrix(np.asarray(m, dtype=float))


def _embed(a: Matrix, offset: int, size: int) -> sp.coo_matrix:
    """Place the square ``a`` at ``[offset:, offset:]`` of a ``size x size`` sparse matrix."""
    if sp.issparse(a):
        c = sp.coo_matrix(a)
        return sp.coo_matrix((c.data, (c.row + offset, c.col + offset)), shape=(size, size))
    d = np.asarray(a, dtype=float)
    r, c = np.nonzero(d)
    return sp.coo_matrix((d[r, c], (r + offset, c + offset)), shape=(size, size))


#: W'ΛW is formed densely (BLAS) when W has at least this fraction of nonzeros (a Z L from
#: a singular K is dense: a sparse-sparse product of a dense 1000 x 1000 block took 7.6 s)
DENSE_GRAM_DENSITY = 0.25


def _gram(w: sp.csc_matrix, lw: sp.csc_matrix) -> sp.csc_matrix:
    """W'(ΛW) as CSC; through dense BLAS when W is dense enough."""
    n, m = w.shape
    if n * m and w.nnz >= DENSE_GRAM_DENSITY * n * m:
        return sp.csc_matrix(w.toarray().T @ lw.toarray())
    return (w.T @ lw).tocsc()


def _sum_prod(a: Matrix, b: Matrix) -> float:
    """Σ_ij a_ij b_ij (= tr(AB) for symmetric A, B)."""
    if sp.issparse(a):
        return float(a.multiply(b).sum())
    if sp.issparse(b):
        return float(b.multiply(a).sum())
    return float(np.sum(np.asarray(a) * np.asarray(b)))


def _scaled_diagonal(problem: MixedProblem) -> np.ndarray | None:
    """Weights w if the residual is R = θ·diag(1/w) with its single parameter θ (σ²I: w = 1;
    ``Weighted`` around a scaled identity: the prior weights), else None (the residual
    template answers, :meth:`~asr_py.vcov.base.CovTemplate.scaled_diagonal`)."""
    res = problem.residual
    if res.n_params != 1 or res.n != problem.y.size:
        return None
    return res.scaled_diagonal(np.asarray(problem.theta0[problem.residual_offset:], dtype=float))


def _is_scaled_identity(problem: MixedProblem) -> bool:
    """True if the residual is R = θ·I_n with its single parameter θ."""
    w = _scaled_diagonal(problem)
    return w is not None and bool(np.all(w == 1.0))


#: parts of a Kronecker G up to this size have their Σ̇_i Σ_i⁻¹ formed densely
KRON_PART_DENSE_MAX = 2000


def _kron_deriv_ginv(template: CovTemplate, theta: np.ndarray
                     ) -> list[tuple[float, Callable[[np.ndarray], np.ndarray]]] | None:
    """For G = [σ²] Σ_1 ⊗ ... ⊗ Σ_p: per parameter k, (tr(G⁻¹Ġ_k), v ↦ Ġ_k G⁻¹ v) without
    forming Ġ_k (which would need K itself for a known part given as K⁻¹, e.g. A⁻¹):

        Ġ G⁻¹ = I/σ² (scale),   Ġ_ik G⁻¹ = I ⊗ ... ⊗ Σ̇_ik Σ_i⁻¹ ⊗ ... ⊗ I,
        tr(G⁻¹Ġ_ik) = (n / n_i) tr(Σ̇_ik Σ_i⁻¹).

    None when G is not such a product or a part with parameters is large (general path)."""
    factors = template.kronecker_factors()
    if factors is None:
        return None
    scale, parts = factors
    s, ths = template.split(theta)
    dims = [p.n for p in parts]
    n = template.n
    out: list[tuple[float, Callable[[np.ndarray], np.ndarray]]] = []
    if scale:
        out.append((n / s, lambda v, s=s: np.asarray(v, dtype=float) / s))
    for i, (p, t) in enumerate(zip(parts, ths)):
        if p.n_params == 0:
            continue
        if p.n > KRON_PART_DENSE_MAX:
            return None
        pinv = p.inverse(t)
        pinv = pinv.toarray() if sp.issparse(pinv) else np.asarray(pinv, dtype=float)
        for d in p.derivatives(t):
            m = (d.toarray() if sp.issparse(d) else np.asarray(d, dtype=float)) @ pinv

            def op(v: np.ndarray, m: np.ndarray = m, i: int = i) -> np.ndarray:
                x = np.asarray(v, dtype=float).reshape(dims)
                return np.moveaxis(np.tensordot(m, x, axes=(1, i)), 0, i).reshape(-1)

            out.append((float(np.trace(m)) * (n // p.n), op))
    return out


#: a parameter-carrying Kronecker part with a dense pattern is handled by the index-map path
#: up to this size (its block of G⁻¹ is then dense: n_i² entries per level of the rest)
FAST_FULL_PART_MAX = 40
#: ... and a diagonal one (diag/idh/idv: n_i parameters, n_i-vectors each) up to this size
FAST_DIAG_PART_MAX = 4000
#: at most this many entries in a block's pattern for the index-map path
FAST_MAX_ENTRIES = 20_000_000


class _NoPlan(Exception):
    """The template is not a product the index-map path handles."""


@dataclass
class _PartValues:
    """One parameter-carrying part Σ_i at θ_i, on its pattern (``full``: row-major n_i²,
    ``diag``: the diagonal).

    m = Σ_i⁻¹ on the pattern; D[k] = Σ_i⁻¹Σ̇_kΣ_i⁻¹ on the pattern; F[k] = Σ̇_kΣ_i⁻¹
    (n_i x n_i, or its diagonal for ``diag``); t1[k] = tr(Σ̇_kΣ_i⁻¹)."""

    m: np.ndarray
    D: np.ndarray
    F: np.ndarray
    t1: np.ndarray
    logdet: float


def _part_values(p: CovTemplate, t: np.ndarray, kind: str) -> _PartValues:
    """Dense closed forms for a small part (a diagonal one, idv or diag; a linear one, us:
    its exact basis; generic: from ``matrix``/``derivatives``). Raises LinAlgError if Σ_i is
    not PD."""
    n = p.n
    if kind == "diag":
        v = p.diagonal_variances(t)
        if not np.all(np.isfinite(v)) or np.any(v <= 0):
            raise np.linalg.LinAlgError("a variance is not positive")
        inv = 1.0 / v
        if p.diagonal == "common":
            return _PartValues(inv, (inv**2)[None, :], inv[None, :], np.array([n / v[0]]),
                               float(np.log(v).sum()))
        eye = np.eye(n)
        return _PartValues(inv, eye * inv**2, eye * inv, np.ones(n) * inv,
                           float(np.log(v).sum()))
    sig = p.matrix(t)
    sig = sig.toarray() if sp.issparse(sig) else np.asarray(sig, dtype=float)
    ch = np.linalg.cholesky(sig)  # LinAlgError if not PD
    li = sla.solve_triangular(ch, np.eye(n), lower=True)
    inv = li.T @ li
    if p.linear:
        d = p.linear_basis(t)
    else:
        d = np.array([x.toarray() if sp.issparse(x) else np.asarray(x, dtype=float)
                      for x in p.derivatives(t)]).reshape(-1, n, n)
    f = d @ inv  # Σ̇_k Σ⁻¹
    dd = inv @ f  # Σ⁻¹ Σ̇_k Σ⁻¹
    t1 = np.trace(f, axis1=1, axis2=2)
    return _PartValues(inv.ravel(), dd.reshape(d.shape[0], -1), f, t1,
                       float(2.0 * np.log(np.diag(ch)).sum()))


class _KronPlan:
    """Index maps for a Kronecker G = [σ²] Σ_1 ⊗ ... ⊗ Σ_p (or one structure alone).

    The pattern of G⁻¹ is the product of the parts' patterns (parameter-free parts: the
    nonzeros of their constant inverse, e.g. A⁻¹ or I; parts with parameters: full, or the
    diagonal for diag/idv). Entry e of it has digits k_j(e) (its entry in part j's pattern),
    so at θ only small vectors are computed:

        G⁻¹_e = σ⁻² Π_j m_j[k_j(e)],   m_j = Σ_j⁻¹ on part j's pattern.

    The score traces of a parameter of part i contract C⁻¹ (and ûû') over the other parts:

        T_i[a] = Σ_{e: k_i(e) = a} w_e σ⁻² Π_{j≠i} m_j[k_j(e)],  w = C⁻¹ + ûû' on the pattern,
        tr(G⁻¹Ġ_kG⁻¹C^{uu}) + û'G⁻¹Ġ_kG⁻¹û = Σ_a D_k[a] T_i[a],  D_k = Σ_i⁻¹Σ̇_kΣ_i⁻¹,

    and tr(G⁻¹Ġ_k) = (n/n_i) tr(Σ̇_kΣ_i⁻¹), Ġ_kG⁻¹û = (I ⊗ .. ⊗ Σ̇_kΣ_i⁻¹ ⊗ .. ⊗ I) û.
    """

    def __init__(self, template: CovTemplate) -> None:
        factors = template.kronecker_factors()
        if factors is not None:
            self.scale, parts = factors
        else:
            parts, self.scale = [template], False
        self.template = template
        self.parts = parts
        self.dims = [int(p.n) for p in parts]
        self.n = int(np.prod(self.dims))
        self.kinds: list[str] = []
        pr, pc, pv = [], [], []
        self.const_logdet = 0.0
        for p in parts:
            if p.n_params == 0:
                m = p.inverse(np.zeros(0))
                m = sp.coo_matrix(m) if sp.issparse(m) else sp.coo_matrix(np.asarray(m))
                m = sp.coo_matrix(sp.csr_matrix(m))  # summed duplicates, sorted
                keep = m.data != 0
                pr.append(m.row[keep].astype(np.int64))
                pc.append(m.col[keep].astype(np.int64))
                pv.append(m.data[keep].astype(float))
                self.kinds.append("const")
                self.const_logdet += (self.n // p.n) * float(p.logdet(np.zeros(0)))
            elif p.diagonal in ("common", "each") and p.n <= FAST_DIAG_PART_MAX:
                a = np.arange(p.n, dtype=np.int64)
                pr.append(a), pc.append(a), pv.append(None)
                self.kinds.append("diag")
            elif p.n <= FAST_FULL_PART_MAX:
                pr.append(np.repeat(np.arange(p.n, dtype=np.int64), p.n))
                pc.append(np.tile(np.arange(p.n, dtype=np.int64), p.n))
                pv.append(None)
                self.kinds.append("full")
            else:
                raise _NoPlan
        sizes = [r.size for r in pr]
        total = int(np.prod(sizes, dtype=np.float64))
        if total > FAST_MAX_ENTRIES:
            raise _NoPlan
        e = np.arange(total, dtype=np.int64)
        rows = np.zeros(total, dtype=np.int64)
        cols = np.zeros(total, dtype=np.int64)
        self.digits: list[np.ndarray] = []
        const = np.ones(total)
        inner = total
        stride = self.n
        for r, c, v, sz, d in zip(pr, pc, pv, sizes, self.dims):
            inner //= sz
            stride //= d
            k = (e // inner) % sz
            rows += r[k] * stride
            cols += c[k] * stride
            if v is not None:
                const *= v[k]
                self.digits.append(np.zeros(0, dtype=np.int64))
            else:
                self.digits.append(k)
        self.rows, self.cols, self.const = rows, cols, const
        self.nnz = total

    def values(self, theta: np.ndarray) -> tuple[float, list[_PartValues | None], float]:
        """(σ², per-part closed forms (None for constant parts), log|G|)."""
        s, ths = self.template.split(theta)
        if self.scale and not (np.isfinite(s) and s > 0):
            raise np.linalg.LinAlgError("Kronecker product: the scale variance is not positive")
        pv: list[_PartValues | None] = []
        ld = self.n * float(np.log(s)) if self.scale else 0.0
        ld += self.const_logdet
        for p, t, kind, d in zip(self.parts, ths, self.kinds, self.dims):
            if kind == "const":
                pv.append(None)
                continue
            v = _part_values(p, t, kind)
            ld += (self.n // d) * v.logdet
            pv.append(v)
        return s, pv, ld

    def _prod(self, pv: list[_PartValues | None], skip: int = -1) -> np.ndarray:
        out = self.const.copy()
        for i, (v, k) in enumerate(zip(pv, self.digits)):
            if v is not None and i != skip:
                out *= v.m[k]
        return out

    def ginv_values(self, s: float, pv: list[_PartValues | None]) -> np.ndarray:
        """G⁻¹ on the pattern."""
        return self._prod(pv) / s

    def score_terms(self, s: float, pv: list[_PartValues | None], ginv: np.ndarray,
                    w: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(t1 - t2 - t3 per parameter, Ġ_kG⁻¹û as columns) with w = C⁻¹ + ûû' on the
        pattern (see the class docstring)."""
        return self.trace_terms(s, pv, ginv, w), self.deriv_cols(s, pv, u)

    def trace_terms(self, s: float, pv: list[_PartValues | None], ginv: np.ndarray,
                    w: np.ndarray) -> np.ndarray:
        """t1 - t2 - t3 per parameter: tr(G⁻¹Ġ_k) − Σ_a D_k[a] T_i[a] (w = C⁻¹ + ûû')."""
        t = []
        if self.scale:
            t.append(self.n / s - float(ginv @ w) / s)
        for i, v in enumerate(pv):
            if v is None:
                continue
            d = self.dims[i]
            tt = np.bincount(self.digits[i], weights=w * self._prod(pv, skip=i),
                             minlength=v.m.size) / s
            t.extend((self.n // d) * v.t1 - v.D @ tt)
        return np.array(t)

    def deriv_cols(self, s: float, pv: list[_PartValues | None], u: np.ndarray) -> np.ndarray:
        """Ġ_kG⁻¹û as columns (n x n_params): û/σ² for the scale,
        (I ⊗ .. ⊗ Σ̇_kΣ_i⁻¹ ⊗ .. ⊗ I) û for a parameter of part i."""
        cols = []
        if self.scale:
            cols.append(u / s)
        ushape = u.reshape(self.dims)
        for i, v in enumerate(pv):
            if v is None:
                continue
            d = self.dims[i]
            ui = np.moveaxis(ushape, i, 0).reshape(d, -1)
            if self.kinds[i] == "diag":
                fu = v.F[:, :, None] * ui[None, :, :]
            else:
                fu = np.einsum("kab,br->kar", v.F, ui)
            rest = [x for j, x in enumerate(self.dims) if j != i]
            fu = np.moveaxis(fu.reshape(fu.shape[0], d, *rest), 1, i + 1)
            cols.extend(fu.reshape(fu.shape[0], -1))
        return np.array(cols).reshape(len(cols), self.n).T

    def em_block(self, theta: np.ndarray) -> np.ndarray:
        """½ tr(G⁻¹Ġ_kG⁻¹Ġ_l) in closed form: G⁻¹Ġ_k = I ⊗ .. ⊗ F_k ⊗ .. ⊗ I (F = I/σ² for
        the scale), so the trace is (n/n_i) tr(F_kF_l) within part i and
        (n/(n_i n_j)) tr(F_k) tr(F_l) across parts i ≠ j."""
        s, pv, _ = self.values(theta)
        fs: list[tuple[int, np.ndarray, np.ndarray, bool]] = []  # (part, F, tr F, diag)
        if self.scale:
            fs.append((-1, np.array([[1.0 / s]]), np.array([self.n / s]), False))
        for i, v in enumerate(pv):
            if v is not None:
                fs.append((i, v.F, self.n / self.dims[i] * v.t1, self.kinds[i] == "diag"))
        blocks = []
        for a, fa, ta, da in fs:
            row = []
            for b, fb, tb, _db in fs:
                if a != b:
                    row.append(np.outer(ta, tb) / self.n)
                    continue
                d = 1 if a < 0 else self.dims[a]
                if a < 0:
                    row.append(np.array([[self.n / s**2]]))
                elif da:
                    row.append((self.n // d) * (fa @ fb.T))
                else:
                    row.append((self.n // d) * np.einsum("kab,lba->kl", fa, fb))
            blocks.append(np.hstack(row))
        return 0.5 * np.vstack(blocks)


def _kron_plan(template: CovTemplate) -> _KronPlan | None:
    try:
        return _KronPlan(template)
    except _NoPlan:
        return None


class _CPattern:
    """The fixed pattern of C (both triangles) with the positions of its sources.

    ``keys`` = col·N + row sorted (CSC order); ``base_pos`` / ``base_vals``: where W'W (scaled
    residual) goes; ``g_pos[j]``: where block j's G⁻¹ entries go; ``low``: the lower-triangle
    entries (CSC order), ``low_indptr``/``low_indices`` their CSC structure."""

    def __init__(self, n: int, base: sp.csc_matrix, plans: list[_KronPlan],
                 offsets: list[int]) -> None:
        self.N = n
        b = sp.coo_matrix(base)
        src_r = [b.row.astype(np.int64)] + [pl.rows + o for pl, o in zip(plans, offsets)]
        src_c = [b.col.astype(np.int64)] + [pl.cols + o for pl, o in zip(plans, offsets)]
        keys = [c * n + r for r, c in zip(src_r, src_c)]
        self.keys, inv = np.unique(np.concatenate(keys), return_inverse=True)
        splits = np.cumsum([k.size for k in keys])[:-1]
        pos = np.split(inv.ravel(), splits)
        self.base_pos, self.g_pos = pos[0], pos[1:]
        self.base_vals = b.data.astype(float)
        self.rows = self.keys % n
        self.cols = self.keys // n
        self.indptr = np.r_[0, np.cumsum(np.bincount(self.cols, minlength=n))].astype(np.int64)
        self.low = np.flatnonzero(self.rows >= self.cols)
        lc = self.cols[self.low]
        self.low_indptr = np.r_[0, np.cumsum(np.bincount(lc, minlength=n))].astype(np.int64)
        self.low_indices = self.rows[self.low]
        # lower-triangle entry of each entry (its mirror when above the diagonal)
        lo_key = np.minimum(self.rows, self.cols) * n + np.maximum(self.rows, self.cols)
        lk = self.cols[self.low] * n + self.rows[self.low]
        self.to_low = np.searchsorted(lk, lo_key)
        self.low_rows, self.low_cols = self.low_indices, lc
        self.base_mask: np.ndarray | None = None
        self._pos_cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def csc(self, data: np.ndarray) -> sp.csc_matrix:
        return sp.csc_matrix((data, self.rows, self.indptr), shape=(self.N, self.N))

    def positions(self, rows: np.ndarray, cols: np.ndarray, slot: str = "") -> np.ndarray:
        """Positions of the entries (rows, cols) in the pattern (-1 if absent). With a
        ``slot`` name the answer is kept and reused while the same (rows, cols) come back
        (a sparse product's structure does not change with θ)."""
        if slot:
            hit = self._pos_cache.get(slot)
            if hit is not None and np.array_equal(hit[0], rows) and np.array_equal(hit[1], cols):
                return hit[2]
        key = np.asarray(cols, dtype=np.int64) * self.N + np.asarray(rows, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.keys, key), self.keys.size - 1)
        pos = np.where(self.keys[pos] == key, pos, -1)
        if slot:
            self._pos_cache[slot] = (np.array(rows), np.array(cols), pos)
        return pos



@dataclass
class MMEState:
    """Everything computed at one θ: C's factor, the solution and the log-likelihood."""

    theta: np.ndarray
    factor: Factor
    sol: np.ndarray
    loglik: float
    ypy: float
    logdet_c: float
    logdet_r: float
    logdet_g: list[float]
    ginv: list[Matrix]
    rinv: Matrix | None  # None when R = σ²I (scaled path)
    r_scale: float | None
    extra: dict = field(default_factory=dict)


class MME:
    """Assembles and factors C for a :class:`MixedProblem`; computes ℓ, score and AI."""

    def __init__(self, problem: MixedProblem, solver: str = "auto", *,
                 exploit_scaled_identity: bool = True, fast: bool = True) -> None:
        if solver != "auto" and solver not in available_backends():
            raise ModelError(f"unknown solver {solver!r}",
                             hint=f"use 'auto' or one of {sorted(available_backends())}")
        self.problem = problem
        y = np.asarray(problem.y, dtype=float).ravel()
        if not np.all(np.isfinite(y)):
            raise ModelError("the response contains non-finite values",
                             hint="drop records with missing responses before fitting")
        self.y = y
        self.n = y.size
        x = _as_sparse(problem.X)
        if x.shape[0] != self.n:
            raise ModelError(f"X has {x.shape[0]} rows but y has {self.n} values")
        self.X = x
        self.p = x.shape[1]
        zs = []
        self.u_offsets: list[int] = []
        off = self.p
        for b in problem.random:
            z = _as_sparse(b.Z)
            if z.shape[0] != self.n:
                raise ModelError(
                    f"Z of random term {b.name!r} has {z.shape[0]} rows, y has {self.n}")
            if z.shape[1] != b.template.n:
                raise ModelError(
                    f"random term {b.name!r}: Z has {z.shape[1]} columns but its covariance "
                    f"template is {b.template.n} x {b.template.n}")
            zs.append(z)
            self.u_offsets.append(off)
            off += z.shape[1]
        self.Z = zs
        self.N = off
        self.W = sp.hstack([x, *zs], format="csc") if zs else x.copy()
        if problem.residual.n != self.n:
            raise ModelError(f"the residual template is {problem.residual.n} x "
                             f"{problem.residual.n} but there are {self.n} records")
        # R = σ² diag(1/w) (σ²I: w = 1, no weights kept): W'ΛW, W'Λy, y'Λy once, Λ = diag(w)
        wts = _scaled_diagonal(problem) if exploit_scaled_identity else None
        self.scaled = wts is not None
        self.rw: np.ndarray | None = None
        self.sum_log_w = 0.0
        if self.scaled:
            if not np.all(wts == 1.0):
                self.rw = wts
                self.sum_log_w = float(np.log(wts).sum())
            lw = self.W if self.rw is None else sp.diags(self.rw, 0, format="csc") @ self.W
            ly = y if self.rw is None else self.rw * y
            self.WtW = _gram(self.W, lw)
            self.Wty = np.asarray(self.W.T @ ly).ravel()
            self.yty = float(y @ ly)
        self.solver = solver
        self.backend: str | None = None
        self._last_factor: Factor | None = None
        self._check_x_rank()
        # index-map path: every G a product the plans handle (see _KronPlan)
        self._plans: list[_KronPlan] | None = None
        self._cpat: _CPattern | None = None
        self._em_plans: dict[int, _KronPlan | None] = {}
        # --- issue 11 'U' hook: variances below zero, V PD by inertia (reml/indefinite.py) ---
        self.signed = signed_plan(problem)
        if self.signed is not None:
            self.problem, fast, self.backend = self.signed.problem, False, "ldl"
        # --- end issue 11 'U' hook ---
        if fast:
            plans = [_kron_plan(b.template) for b in problem.random]
            if all(pl is not None for pl in plans):
                self._plans = plans  # type: ignore[assignment]
                if self.scaled:
                    self._cpat = _CPattern(self.N, self.WtW, self._plans, self.u_offsets)

    @property
    def fast(self) -> bool:
        """True when ℓ, score and AI go through the index-map path."""
        return self._plans is not None

    # ------------------------------------------------------------------------------------
    def _check_x_rank(self) -> None:
        if self.p == 0:
            return
        xtx = (self.X.T @ self.X).toarray()
        # on unit-length columns: the rank does not depend on a covariate's units (x * 1e6)
        d = np.sqrt(np.clip(np.diag(xtx), 1e-300, None))
        ev, vec = np.linalg.eigh(xtx / np.outer(d, d))
        if ev[0] <= 1e-10 * max(ev[-1], 1e-300):
            names = list(self.problem.x_names or [f"column {j + 1}" for j in range(self.p)])
            load = np.abs(vec[:, 0])
            involved = [names[j] for j in np.argsort(-load) if load[j] > 0.1 * load.max()]
            raise ModelError(
                f"the fixed-effects design X ({self.n} x {self.p}) is not of full column "
                f"rank: {', '.join(involved[:6])}{' ...' if len(involved) > 6 else ''} are "
                "(nearly) linearly dependent",
                hint="drop one of them, or centre and scale covariates (scale(x)) so that "
                     "they are not nearly collinear")

    def theta_block(self, theta: np.ndarray, j: int) -> np.ndarray:
        return theta[self.problem.slices()[j]]

    def assemble(self, theta: np.ndarray) -> tuple[sp.csc_matrix, np.ndarray, float, float,
                                                   list[float], list[Matrix], Matrix | None,
                                                   float | None]:
        """C, r, y'R⁻¹y, log|R|, [log|G_j|], [G_j⁻¹], R⁻¹ (or None), σ² (scaled path)."""
        prob = self.problem
        ginv, ldg = [], []
        for j, b in enumerate(prob.random):
            tj = self.theta_block(theta, j)
            ginv.append(b.template.inverse(tj))
            ldg.append(float(b.template.logdet(tj)))
        s2, r, yry, ldr, rinv, riw = self._residual_terms(theta)
        c = self.WtW / s2 if s2 is not None else sp.csc_matrix(self.W.T @ riw)
        if prob.random:
            gblocks = [_embed(g, o, self.N) for g, o in zip(ginv, self.u_offsets)]
            c = (c + sum(gblocks[1:], gblocks[0])).tocsc()
        return c, r, yry, ldr, ldg, ginv, rinv, s2

    def _residual_terms(self, theta: np.ndarray) -> tuple:
        """(σ² or None, r = W'R⁻¹y, y'R⁻¹y, log|R|, R⁻¹ or None, R⁻¹W or None). Scaled path
        (R = σ² diag(1/w)): from the precomputed W'ΛW, W'Λy, y'Λy; otherwise from R⁻¹."""
        tr = theta[self.problem.residual_offset:]
        if self.scaled:
            s2 = float(tr[0])
            if not s2 > 0:
                raise np.linalg.LinAlgError("residual variance not positive")
            return (s2, self.Wty / s2, self.yty / s2,
                    self.n * float(np.log(s2)) - self.sum_log_w, None, None)
        rinv = self.problem.residual.inverse(tr)
        rinv = _as_sparse(rinv) if sp.issparse(rinv) else np.asarray(rinv)
        riw = rinv @ self.W
        riw = sp.csc_matrix(riw) if sp.issparse(riw) else np.asarray(riw)
        riy = np.asarray(rinv @ self.y).ravel()
        r = np.asarray(self.W.T @ riy).ravel()
        return (None, r, float(self.y @ riy), float(self.problem.residual.logdet(tr)),
                rinv, riw)

    def _assemble_fast(self, theta: np.ndarray) -> tuple:
        """C's values on the fixed pattern (index maps), r, y'R⁻¹y, log|R|, [log|G_j|],
        [(σ², part values, G⁻¹ on the pattern)], R⁻¹ (or None), σ² (scaled path)."""
        ginfo, ldg = [], []
        for j, pl in enumerate(self._plans):  # type: ignore[arg-type]
            s, pv, ld = pl.values(self.theta_block(theta, j))
            ginfo.append((s, pv, pl.ginv_values(s, pv)))
            ldg.append(ld)
        s2, r, yry, ldr, rinv, riw = self._residual_terms(theta)
        if s2 is not None:
            pat = self._cpat
            data = np.zeros(pat.keys.size)
            data[pat.base_pos] = pat.base_vals / s2
        else:
            base = sp.coo_matrix(self.W.T @ riw)
            pat = self._cpat
            pos = pat.positions(base.row, base.col, "base") if pat is not None else None
            if pos is None or np.any(pos < 0):  # first call, or a new entry: (re)build
                if pat is not None:  # keep the old entries too, so the pattern only grows
                    base = sp.coo_matrix(base + pat.csc(np.where(pat.base_mask, 1e-300, 0.0)))
                pat = self._cpat = _CPattern(self.N, base.tocsc(), self._plans,
                                             self.u_offsets)
                pat.base_mask = np.zeros(pat.keys.size, dtype=bool)
                pat.base_mask[pat.base_pos] = True
                base = sp.coo_matrix(self.W.T @ riw)
                pos = pat.positions(base.row, base.col)
            data = np.bincount(pos, weights=base.data, minlength=pat.keys.size)
        for (_, _, g), gp in zip(ginfo, pat.g_pos):
            data[gp] += g
        return data, r, yry, ldr, ldg, ginfo, rinv, s2

    def _factor_fast(self, data: np.ndarray) -> Factor:
        pat = self._cpat
        last = self._last_factor
        if self.backend is None:
            self.backend = choose_backend(pat.csc(data), self.solver)
        if self.backend == "dense":
            c = np.zeros(self.N * self.N)
            c[pat.keys] = data  # key = col·N + row: C[col, row] = C[row, col]
            return DenseFactor(c.reshape(self.N, self.N))
        if last is not None and hasattr(last, "refactor_lower") and last.n == self.N:
            return last.refactor_lower(pat.low_indptr, pat.low_indices, data[pat.low])
        c = pat.csc(data)
        return last.refactor(c) if last is not None else factorize(c, self.backend)

    def evaluate(self, theta: np.ndarray) -> MMEState:
        """Factor C at θ and compute ŝ and ℓ. Raises LinAlgError if C or a G/R is not PD."""
        theta = np.asarray(theta, dtype=float).copy()
        if self._plans is not None:
            data, r, yry, ldr, ldg, ginfo, rinv, s2 = self._assemble_fast(theta)
            fac = self._factor_fast(data)
            self._last_factor = fac
            sol, ypy, ldc, ll = self._solve_loglik(fac, r, yry, ldr, ldg)
            return MMEState(theta, fac, sol, float(ll), ypy, ldc, ldr, ldg, [], rinv, s2,
                            extra={"ginfo": ginfo, "pattern": self._cpat})
        c, r, yry, ldr, ldg, ginv, rinv, s2 = self.assemble(theta)
        if self.backend is None:
            self.backend = choose_backend(c, self.solver)
        # C's pattern is the same at every θ: refactor() lets a backend keep its symbolic
        # analysis (ordering, supernodes, selected-inverse plan) across evaluations
        last = self._last_factor
        if self.signed is not None:  # issue 11 'U' hook: LU + inertia test (indefinite.py)
            fac = self.signed.factor(c, theta, self.p)
        else:
            fac = last.refactor(c) if last is not None else factorize(c, self.backend)
        self._last_factor = fac
        sol, ypy, ldc, ll = self._solve_loglik(fac, r, yry, ldr, ldg)
        return MMEState(theta, fac, sol, float(ll), ypy, ldc, ldr, ldg, ginv, rinv, s2)

    def _solve_loglik(self, fac: Factor, r: np.ndarray, yry: float, ldr: float,
                      ldg: list[float]) -> tuple[np.ndarray, float, float, float]:
        """ŝ = C⁻¹r, y'Py = y'R⁻¹y − ŝ'r, log|C| and
        ℓ = −½[(n − p) log 2π + log|R| + Σ log|G_j| + log|C| + y'Py]."""
        sol = fac.solve(r)
        ypy = yry - float(sol @ r)
        ldc = fac.logdet()
        ll = -0.5 * ((self.n - self.p) * LOG2PI + ldr + sum(ldg) + ldc + ypy)
        if not np.isfinite(ll):
            raise np.linalg.LinAlgError("non-finite log-likelihood")
        return sol, ypy, ldc, ll

    # ------------------------------------------------------------------------------------
    def residuals(self, st: MMEState) -> np.ndarray:
        return self.y - np.asarray(self.W @ st.sol).ravel()

    def rinv_times(self, st: MMEState, a: np.ndarray) -> np.ndarray:
        if st.rinv is None:  # R⁻¹ = diag(w)/σ²
            if self.rw is None:
                return a / st.r_scale
            w = self.rw if a.ndim == 1 else self.rw[:, None]
            return a * w / st.r_scale
        return np.asarray(st.rinv @ a)

    def _score_fast(self, st: MMEState) -> tuple[np.ndarray, np.ndarray]:
        """(score, AI) through the index maps: C⁻¹ is needed only on C's pattern.

        The working variates Q and the AI solve C⁻¹W'R⁻¹Q come first: the selected inverse
        may consume the factor's numeric values (CHOLMOD), so a solve after it would cost a
        new factorization."""
        prob = self.problem
        pat: _CPattern = st.extra["pattern"]
        e = self.residuals(st)
        nt = prob.n_theta
        q = np.zeros((self.n, nt))
        for j, (b, pl) in enumerate(zip(prob.random, self._plans)):  # type: ignore[arg-type]
            o = self.u_offsets[j]
            s, pv, _ = st.extra["ginfo"][j]
            cols = pl.deriv_cols(s, pv, st.sol[o:o + pl.n])
            k = cols.shape[1]
            q[:, b.offset:b.offset + k] = np.asarray(self.Z[j] @ cols).reshape(self.n, k)
        ro = prob.residual_offset
        tr = st.theta[ro:]
        r_ders: list[Matrix] = []
        if self.scaled:
            q[:, ro] = e / st.r_scale  # Ṙ R⁻¹ê = diag(1/w) (diag(w)/σ²) ê
        else:
            py = self.rinv_times(st, e)
            r_ders = prob.residual.derivatives(tr)
            for k, d in enumerate(r_ders):
                q[:, ro + k] = np.asarray(d @ py).ravel()
        # ---- AI = ½ [Q'R⁻¹Q − (W'R⁻¹Q)' C⁻¹ (W'R⁻¹Q)] --------------------------------
        riq = self.rinv_times(st, q)
        bq = np.asarray(self.W.T @ riq)
        cbq = st.factor.solve(bq)
        ai = 0.5 * (q.T @ riq - bq.T @ cbq)
        ai = 0.5 * (ai + ai.T)
        # ---- score: traces with C⁻¹ on C's pattern -----------------------------------------
        z = st.factor.inverse_entries(pat.low_rows, pat.low_cols)[pat.to_low]
        score = np.zeros(nt)
        for j, (b, pl) in enumerate(zip(prob.random, self._plans)):  # type: ignore[arg-type]
            o = self.u_offsets[j]
            uj = st.sol[o:o + pl.n]
            s, pv, g = st.extra["ginfo"][j]
            w = z[pat.g_pos[j]] + uj[pl.rows] * uj[pl.cols]
            t = pl.trace_terms(s, pv, g, w)
            score[b.offset:b.offset + t.size] = -0.5 * t
        if self.scaled:
            s2 = st.r_scale
            t2 = float(pat.base_vals @ z[pat.base_pos]) / s2**2  # tr(C⁻¹W'ΛW)/σ⁴
            t3 = float(e @ self.rinv_times(st, e)) / s2  # ê'Λê/σ⁴
            score[ro] = -0.5 * (self.n / s2 - t2 - t3)
            return score, ai
        for k, d in enumerate(r_ders):
            ds = _as_sparse(d)
            rdr = st.rinv @ ds @ st.rinv if sp.issparse(st.rinv) else \
                np.asarray(st.rinv @ ds.toarray() @ st.rinv)
            m = sp.coo_matrix(self.W.T @ (sp.csc_matrix(rdr) @ self.W))
            pos = pat.positions(m.row, m.col, f"r{k}")
            if np.all(pos >= 0):
                t2 = float(m.data @ z[pos])
            else:
                t2 = _sum_prod(m.tocsc(), st.factor.inverse_on(m))
            t1 = _sum_prod(st.rinv, d)
            t3 = float(e @ np.asarray(rdr @ e).ravel())
            score[ro + k] = -0.5 * (t1 - t2 - t3)
        return score, ai

    def score_ai(self, st: MMEState) -> tuple[np.ndarray, np.ndarray]:
        """Exact REML score and the average-information matrix over all θ at ``st``."""
        if "pattern" in st.extra:
            return self._score_fast(st)
        prob = self.problem
        theta = st.theta
        nt = prob.n_theta
        e = self.residuals(st)
        py = self.rinv_times(st, e)  # P y = R⁻¹ ê
        # ---- collect the matrices whose traces with C⁻¹ are needed -------------------
        pats = []
        g_derivs, idi_all = [], []
        for j, b in enumerate(prob.random):
            tj = self.theta_block(theta, j)
            idis = b.template.inv_deriv_inv(tj)
            fast = _kron_deriv_ginv(b.template, tj)
            g_derivs.append(fast if fast is not None else b.template.derivatives(tj))
            idi_all.append(idis)
            for a in idis:
                pats.append(_embed(a, self.u_offsets[j], self.N))
        tr = theta[prob.residual_offset:]
        r_ders: list[Matrix] = []
        m_mats: list[Matrix] = []
        if self.scaled:
            pats.append(sp.coo_matrix(self.WtW))
        else:
            r_ders = prob.residual.derivatives(tr)
            for d in r_ders:
                rdr = st.rinv @ _as_sparse(d) @ st.rinv if sp.issparse(st.rinv) \
                    else st.rinv @ (d.toarray() if sp.issparse(d) else d) @ st.rinv
                m = self.W.T @ (sp.csc_matrix(rdr) @ self.W) if sp.issparse(rdr) \
                    else self.W.T @ (self.W.T @ rdr).T
                m_mats.append((m, rdr))
                pats.append(sp.coo_matrix(m))
        if pats:
            pat = sum(abs(sp.csc_matrix(p_)) for p_ in pats)
            pat = (pat != 0).astype(float).tocsc()
            csel = st.factor.inverse_on(pat)
        else:
            csel = sp.csc_matrix((self.N, self.N))
        score = np.zeros(nt)
        q = np.zeros((self.n, nt))
        for j, b in enumerate(prob.random):
            o = self.u_offsets[j]
            qj = b.template.n
            uj = st.sol[o:o + qj]
            gu = np.asarray(st.ginv[j] @ uj).ravel()
            csub = csel[o:o + qj, o:o + qj]
            for k, (d, idi) in enumerate(zip(g_derivs[j], idi_all[j])):
                t2 = _sum_prod(idi, csub)
                t3 = float(uj @ np.asarray(idi @ uj).ravel())
                if isinstance(d, tuple):  # (tr(G⁻¹Ġ_k), v -> Ġ_k G⁻¹ v) of a Kronecker G
                    t1, dgu = d[0], d[1](uj)
                else:
                    t1, dgu = _sum_prod(st.ginv[j], d), np.asarray(d @ gu).ravel()
                score[b.offset + k] = -0.5 * (t1 - t2 - t3)
                q[:, b.offset + k] = np.asarray(self.Z[j] @ dgu).ravel()
        ro = prob.residual_offset
        if self.scaled:
            s2 = st.r_scale
            t1 = self.n / s2
            t2 = _sum_prod(self.WtW, csel) / s2**2
            t3 = float(e @ self.rinv_times(st, e)) / s2  # ê'Λê/σ⁴
            score[ro] = -0.5 * (t1 - t2 - t3)
            q[:, ro] = e / s2
        else:
            for k, (d, (m, rdr)) in enumerate(zip(r_ders, m_mats)):
                t1 = _sum_prod(st.rinv, d)
                t2 = _sum_prod(m, csel)
                t3 = float(e @ np.asarray(rdr @ e).ravel())
                score[ro + k] = -0.5 * (t1 - t2 - t3)
                q[:, ro + k] = np.asarray(d @ py).ravel()
        # ---- AI = ½ [Q'R⁻¹Q − (W'R⁻¹Q)' C⁻¹ (W'R⁻¹Q)] --------------------------------
        riq = self.rinv_times(st, q)
        bq = np.asarray(self.W.T @ riq)
        cbq = st.factor.solve(bq)
        ai = 0.5 * (q.T @ riq - bq.T @ cbq)
        ai = 0.5 * (ai + ai.T)
        return score, ai

    def em_information(self, theta: np.ndarray) -> np.ndarray:
        """Complete-data (EM) information I_c, block diagonal by template:
        ``I_c[k, l] = ½ tr(Σ⁻¹Σ̇_kΣ⁻¹Σ̇_l)`` for k, l parameters of the same Σ (a G_j or R).
        For Σ = σ²K it is m/(2σ⁴), so θ + I_c⁻¹s is the EM-REML update."""
        prob = self.problem
        out = np.zeros((prob.n_theta, prob.n_theta))
        temps = [b.template for b in prob.random] + [prob.residual]
        for t, sl in zip(temps, prob.slices()):
            if sl.stop == sl.start:
                continue
            th = theta[sl]
            if id(t) not in self._em_plans:
                self._em_plans[id(t)] = _kron_plan(t) if self._plans is not None else None
            pl = self._em_plans[id(t)]
            if pl is not None:  # closed form: never forms Ġ_k (nor K from a given K⁻¹)
                out[sl, sl] = pl.em_block(th)
                continue
            ders = t.derivatives(th)
            idis = t.inv_deriv_inv(th)
            k = len(ders)
            blk = np.empty((k, k))
            for a in range(k):
                for b in range(a, k):
                    blk[a, b] = blk[b, a] = 0.5 * _sum_prod(idis[a], ders[b])
            out[sl, sl] = blk
        return out
