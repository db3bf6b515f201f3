"""How each random term's G⁻¹ reaches the mixed model equations (:mod:`asr_py.reml.mme`).

A :class:`TermInverse` gives G⁻¹ at θ on a pattern of entries that stays fixed from θ to θ,
log|G|, and the term's part of the REML score and AI matrix: per parameter k,

    t_k = tr(G⁻¹Ġ_k) − tr(G⁻¹Ġ_kG⁻¹C^{uu}) − û'G⁻¹Ġ_kG⁻¹û,   q_k = Ġ_kG⁻¹û

(the score is −½ t_k; q_k is the working variate of the AI matrix). :func:`term_inverse`
chooses per term: :class:`ProductInverse` (closed forms over the parts of
G = [σ²] Σ_1 ⊗ … ⊗ Σ_p, :class:`_ProductIndex`) or :class:`GeneralInverse` (any template,
through its ``inverse``, ``derivatives`` and ``inv_deriv_inv``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from asr_py.vcov.base import CovTemplate, Matrix


def _sum_prod(a: Matrix, b: Matrix) -> float:
    """Σ_ij a_ij b_ij (= tr(AB) for symmetric A, B)."""
    if sp.issparse(a):
        return float(a.multiply(b).sum())
    if sp.issparse(b):
        return float(b.multiply(a).sum())
    return float(np.sum(np.asarray(a) * np.asarray(b)))


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


#: a parameter-carrying Kronecker part with a dense pattern has closed forms (ProductInverse)
#: up to this size (its block of G⁻¹ is then dense: n_i² entries per level of the rest)
PRODUCT_FULL_PART_MAX = 40
#: ... and beyond that one whose Σ_i⁻¹ is dense anyway (``dense_inverse``: fa) while its
#: dense derivatives (n_params x n_i² entries, three such arrays) stay below this many
PRODUCT_DENSE_PART_ENTRIES = 8_000_000
#: ... and a diagonal one (diag/idh/idv: n_i parameters, n_i-vectors each) up to this size
PRODUCT_DIAG_PART_MAX = 4000
#: at most this many entries in a term's G⁻¹ pattern for the closed forms
PRODUCT_MAX_ENTRIES = 20_000_000


class _NotAProduct(Exception):
    """The template is not a product whose parts the closed forms handle."""


class _TooLarge(_NotAProduct):
    """A product the closed forms handle, but its pattern has more than
    :data:`PRODUCT_MAX_ENTRIES` entries (:class:`DenseKronInverse` may take it)."""


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


class _ProductIndex:
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

    def __init__(self, template: CovTemplate, *, index: bool = True) -> None:
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
            elif p.diagonal in ("common", "each") and p.n <= PRODUCT_DIAG_PART_MAX:
                a = np.arange(p.n, dtype=np.int64)
                pr.append(a), pc.append(a), pv.append(None)
                self.kinds.append("diag")
            elif p.n <= PRODUCT_FULL_PART_MAX or (
                    p.dense_inverse and p.n_params * p.n**2 <= PRODUCT_DENSE_PART_ENTRIES):
                pr.append(np.repeat(np.arange(p.n, dtype=np.int64), p.n))
                pc.append(np.tile(np.arange(p.n, dtype=np.int64), p.n))
                pv.append(None)
                self.kinds.append("full")
            else:
                raise _NotAProduct
        sizes = [r.size for r in pr]
        total = int(np.prod(sizes, dtype=np.float64))
        self.nnz = total
        self.const_parts = [None if v is None else sp.csr_matrix((v, (r, c)), shape=(d, d))
                            for r, c, v, d in zip(pr, pc, pv, self.dims)]
        if not index:  # dense use only (DenseKronInverse): no index maps
            return
        if total > PRODUCT_MAX_ENTRIES:
            raise _TooLarge
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


@dataclass
class TermValues:
    """One random term's G⁻¹ at θ on its pattern: ``g[e] = G⁻¹[rows[e], cols[e]]``, log|G|,
    and what the term's score needs (``data``)."""

    theta: np.ndarray
    g: np.ndarray
    logdet: float
    rows: np.ndarray
    cols: np.ndarray
    data: object = None

    def matrix(self, n: int) -> sp.csc_matrix:
        """G⁻¹ as a sparse matrix."""
        return sp.csc_matrix((self.g, (self.rows, self.cols)), shape=(n, n))


class TermInverse(ABC):
    """How one random term's G⁻¹ reaches C: its values on a pattern of (row, col) entries
    that stays fixed from θ to θ, log|G|, and the term's part of the score and AI.

    With ``z = C^{uu}`` on the pattern (and ``C⁻¹`` elsewhere from a callback), per
    parameter k of the term:

        t_k = tr(G⁻¹Ġ_k) − tr(G⁻¹Ġ_kG⁻¹C^{uu}) − û'G⁻¹Ġ_kG⁻¹û,   q_k = Ġ_kG⁻¹û.

    :class:`ProductInverse` gives closed forms for [σ²] Σ_1 ⊗ … ⊗ Σ_p with small or diagonal
    parts; :class:`GeneralInverse` (any template) reads the template's ``inverse``,
    ``derivatives`` and ``inv_deriv_inv``. :func:`term_inverse` chooses per term."""

    template: CovTemplate
    #: True when the values come from closed forms over the template's parts
    closed_form: bool = False

    @abstractmethod
    def values(self, theta: np.ndarray) -> TermValues:
        """G⁻¹ on the pattern and log|G| at θ. Raises LinAlgError if G is not PD."""

    @abstractmethod
    def deriv_cols(self, tv: TermValues, u: np.ndarray) -> tuple[np.ndarray, object]:
        """(Ġ_kG⁻¹û as columns, n x k; what :meth:`trace_terms` may reuse)."""

    @abstractmethod
    def trace_terms(self, tv: TermValues, prep: object, z: np.ndarray, u: np.ndarray,
                    cinv: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
        """t_k per parameter; ``z`` = C^{uu} on ``tv``'s pattern, ``cinv(rows, cols)`` =
        C^{uu} at other entries."""

    @abstractmethod
    def em_block(self, theta: np.ndarray) -> np.ndarray:
        """½ tr(G⁻¹Ġ_kG⁻¹Ġ_l) over the term's parameters."""


class ProductInverse(TermInverse):
    """Closed forms through the index maps of :class:`_ProductIndex` (G⁻¹ = σ⁻² ⊗_j Σ_j⁻¹ on the
    product of the parts' patterns; only n_i-sized pieces are computed at θ)."""

    closed_form = True

    def __init__(self, template: CovTemplate) -> None:
        self.template = template
        self.index = _ProductIndex(template)  # raises _NotAProduct

    def values(self, theta: np.ndarray) -> TermValues:
        pl = self.index
        s, pv, ld = pl.values(theta)
        return TermValues(theta, pl.ginv_values(s, pv), ld, pl.rows, pl.cols, (s, pv))

    def deriv_cols(self, tv: TermValues, u: np.ndarray) -> tuple[np.ndarray, object]:
        s, pv = tv.data  # type: ignore[misc]
        return self.index.deriv_cols(s, pv, u), None

    def trace_terms(self, tv: TermValues, prep: object, z: np.ndarray, u: np.ndarray,
                    cinv: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
        s, pv = tv.data  # type: ignore[misc]
        w = z + u[tv.rows] * u[tv.cols]
        return self.index.trace_terms(s, pv, tv.g, w)

    def em_block(self, theta: np.ndarray) -> np.ndarray:
        return self.index.em_block(theta)


def _coo(m: Matrix) -> sp.coo_matrix:
    """Summed duplicates, sorted, explicit zeros kept out."""
    c = sp.csr_matrix(m) if sp.issparse(m) else sp.csr_matrix(np.asarray(m, dtype=float))
    c.sum_duplicates()
    c.eliminate_zeros()
    return c.tocoo()


class GeneralInverse(TermInverse):
    """Any template: G⁻¹ = ``template.inverse(θ)`` read on the template's
    ``inverse_pattern(θ)`` at the first θ (default: the nonzeros of G⁻¹ and of G⁻¹Ġ_kG⁻¹
    there; a product: the product of its parts' patterns); an entry that appears later grows
    it (C's pattern is then rebuilt once)."""

    def __init__(self, template: CovTemplate) -> None:
        self.template = template
        self.n = int(template.n)
        self.rows = np.zeros(0, dtype=np.int64)
        self.cols = np.zeros(0, dtype=np.int64)
        self._keys = np.zeros(0, dtype=np.int64)
        self._last: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def _grow(self, rows: np.ndarray, cols: np.ndarray) -> None:
        keys = np.union1d(self._keys, cols.astype(np.int64) * self.n + rows)
        self._keys = keys
        self.rows, self.cols = keys % self.n, keys // self.n
        self._last = None

    def _positions(self, m: sp.coo_matrix) -> np.ndarray:
        """Positions of m's entries in the pattern (-1 where absent)."""
        key = m.col.astype(np.int64) * self.n + m.row
        if self._keys.size == 0:
            return np.full(key.size, -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._keys, key), self._keys.size - 1)
        return np.where(self._keys[pos] == key, pos, -1)

    def values(self, theta: np.ndarray) -> TermValues:
        t = self.template
        ginv = t.inverse(theta)
        ld = float(t.logdet(theta))
        if sp.issparse(ginv):  # CSC in canonical form: its structure repeats from θ to θ
            m = sp.csc_matrix(ginv)
            if not m.has_canonical_format:
                m.sum_duplicates()
        else:
            m = _coo(ginv).tocsc()
        if self._keys.size == 0:  # first θ: the template's pattern of G⁻¹ (and −∂G⁻¹/∂θ)
            pat = sp.coo_matrix(t.inverse_pattern(theta))
            mc = m.tocoo()
            self._grow(np.concatenate([mc.row, pat.row]), np.concatenate([mc.col, pat.col]))
        last = self._last
        if last is not None and np.array_equal(last[0], m.indptr) \
                and np.array_equal(last[1], m.indices):
            pos = last[2]
        else:
            mc = m.tocoo()
            pos = self._positions(mc)
            if np.any(pos < 0):
                self._grow(mc.row[pos < 0], mc.col[pos < 0])
                pos = self._positions(mc)
            self._last = (m.indptr.copy(), m.indices.copy(), pos)
        g = np.zeros(self._keys.size)
        g[pos] = m.data
        return TermValues(theta, g, ld, self.rows, self.cols, ginv)

    def deriv_cols(self, tv: TermValues, u: np.ndarray) -> tuple[np.ndarray, object]:
        """Ġ_kG⁻¹û and tr(G⁻¹Ġ_k): by :func:`_kron_deriv_ginv` for a Kronecker G (Ġ_k never
        formed), else from ``derivatives``."""
        t, th = self.template, tv.theta
        fast = _kron_deriv_ginv(t, th)
        if fast is not None:
            t1 = np.array([f[0] for f in fast])
            cols = [np.asarray(f[1](u), dtype=float).ravel() for f in fast]
        else:
            ginv = tv.data
            gu = np.asarray(ginv @ u).ravel()  # type: ignore[operator]
            ders = t.derivatives(th)
            t1 = np.array([_sum_prod(ginv, d) for d in ders])  # type: ignore[arg-type]
            cols = [np.asarray(d @ gu).ravel() for d in ders]
        out = np.column_stack(cols) if cols else np.zeros((self.n, 0))
        return out, t1

    def trace_terms(self, tv: TermValues, prep: object, z: np.ndarray, u: np.ndarray,
                    cinv: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
        """t_k = tr(G⁻¹Ġ_k) − Σ_e (G⁻¹Ġ_kG⁻¹)_e (C^{uu} + ûû')_e over the nonzeros e of
        G⁻¹Ġ_kG⁻¹ (C⁻¹ from ``cinv`` at entries outside the pattern, which then joins it)."""
        t1 = np.asarray(prep, dtype=float)
        keys = tv.cols.astype(np.int64) * self.n + tv.rows
        out = np.empty(t1.size)
        for k, a in enumerate(self.template.inv_deriv_inv(tv.theta)):
            m = _coo(a)
            key = m.col.astype(np.int64) * self.n + m.row
            pos = np.minimum(np.searchsorted(keys, key), max(keys.size - 1, 0))
            found = keys[pos] == key if keys.size else np.zeros(key.size, dtype=bool)
            c = np.empty(key.size)
            c[found] = z[pos[found]]
            if not np.all(found):
                miss = ~found
                c[miss] = cinv(m.row[miss], m.col[miss])
                self._grow(m.row[miss], m.col[miss])
            out[k] = t1[k] - float(np.sum(m.data * (c + u[m.row] * u[m.col])))
        return out

    def em_block(self, theta: np.ndarray) -> np.ndarray:
        return _em_block_general(self.template, theta)


def _em_block_general(t: CovTemplate, theta: np.ndarray) -> np.ndarray:
    """½ tr(Σ⁻¹Σ̇_kΣ⁻¹Σ̇_l): the template's :meth:`~asr_py.vcov.base.CovTemplate.em_block`
    (direct sums and subsets answer without n x n derivatives)."""
    return np.asarray(t.em_block(theta), dtype=float)


def term_inverse(template: CovTemplate, closed_forms: bool = True, *,
                 dense_ok: bool = False) -> TermInverse:
    """The term's way of producing G⁻¹: closed forms over a product's parts where
    :class:`_ProductIndex` handles the template (and ``closed_forms``); with ``dense_ok`` (the
    caller assembles C densely: :mod:`asr_py.reml.dense_mme`) a product too large for the
    pattern but dense enough is a :class:`DenseKronInverse`; else the general one."""
    if closed_forms:
        try:
            return ProductInverse(template)
        except _TooLarge:
            if dense_ok:
                from asr_py.reml.dense_kron import DenseKronInverse, dense_kron_fits

                if dense_kron_fits(template):
                    return DenseKronInverse(template)
        except _NotAProduct:
            pass
    return GeneralInverse(template)
