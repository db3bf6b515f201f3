"""Direct (Kronecker) products of templates: ``us(trait):vm(id, K)``, ``ar1(Row):ar1(Col)``.

    Σ(θ) = [σ²] · Σ_1(θ_1) ⊗ Σ_2(θ_2) ⊗ ... ⊗ Σ_p(θ_p),     θ = [σ²] + θ_1 + ... + θ_p

The first part is the outermost (``scipy.sparse.kron(Σ_1, Σ_2)`` ordering: row index
i = i_1 · n_2 + i_2). With n = Π n_j:

    Σ⁻¹        = σ⁻² · Σ_1⁻¹ ⊗ ... ⊗ Σ_p⁻¹
    log|Σ|     = n log σ² + Σ_i (n / n_i) log|Σ_i|
    ∂Σ/∂σ²     = Σ_1 ⊗ ... ⊗ Σ_p
    ∂Σ/∂θ_ik   = σ² · Σ_1 ⊗ ... ⊗ ∂Σ_i/∂θ_ik ⊗ ... ⊗ Σ_p
    Σ⁻¹ (∂Σ/∂σ²) Σ⁻¹   = σ⁻⁴ · Σ_1⁻¹ ⊗ ... ⊗ Σ_p⁻¹
    Σ⁻¹ (∂Σ/∂θ_ik) Σ⁻¹ = σ⁻² · Σ_1⁻¹ ⊗ ... ⊗ Σ_i⁻¹ (∂Σ_i/∂θ_ik) Σ_i⁻¹ ⊗ ... ⊗ Σ_p⁻¹

``inverse``, ``logdet`` and ``inv_deriv_inv`` only use the parts' inverses, so a part given
as a sparse inverse (A⁻¹, G⁻¹) is never inverted or densified. Results are sparse (CSC) when
any part is sparse or n > :data:`SPARSE_ABOVE`, dense otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

import numpy as np
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.vcov.base import CovTemplate, Matrix, entries_at, take
from asr_py.vcov.kron_plan import KronCache

#: Kronecker products larger than this are returned sparse even when every part is dense
SPARSE_ABOVE = 1000


def kron_all(mats: Sequence[Matrix], sparse: bool, cache: KronCache | None = None) -> Matrix:
    """Σ_1 ⊗ Σ_2 ⊗ ... (first outermost); CSC if ``sparse`` else ndarray. With a ``cache``
    the sparse products reuse their structure (:mod:`asr_py.vcov.kron_plan`; same values)."""
    if sparse:
        csc = [m if type(m) is sp.csc_matrix else sp.csc_matrix(m) for m in mats]
        if cache is not None:
            return reduce(cache.kron, csc)
        return reduce(lambda a, b: sp.kron(a, b, format="csc"), csc)
    return reduce(np.kron, [m.toarray() if sp.issparse(m) else np.asarray(m) for m in mats])


def kron_matvec(mats: Sequence[Matrix], v: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    """(M_1 ⊗ ... ⊗ M_p) v without forming the product: v as an n_1 x ... x n_p array,
    each M_i applied along axis i."""
    x = np.asarray(v, dtype=float).reshape(tuple(sizes))
    for i, m in enumerate(mats):
        xi = np.moveaxis(x, i, 0)
        shape = xi.shape
        y = m @ xi.reshape(shape[0], -1)
        y = np.asarray(y.toarray() if sp.issparse(y) else y)
        x = np.moveaxis(y.reshape(shape), 0, i)
    return np.ascontiguousarray(x).ravel()


class Kronecker(CovTemplate):
    """[σ²] Σ_1 ⊗ ... ⊗ Σ_p; see the module docstring for the formulas.

    Parameters
    ----------
    parts : the templates, first outermost
    scale : add one leading scale variance σ² (the compiler does this when no part has
        its own variance, e.g. ``ar1(Row):ar1(Col)`` or ``vm(id, K)`` alone)
    scale_name : the name of σ² in ``param_names``

    ``block_size``: when the first part is block diagonal with blocks b (e.g. ``id(units)``,
    b = 1), Σ is block diagonal with blocks b · Π_{j>1} n_j.
    """

    def __init__(self, parts: Sequence[CovTemplate], scale: bool = False,
                 scale_name: str = "var") -> None:
        if len(parts) == 0:
            raise ModelError("a Kronecker product needs at least one part")
        self.parts = list(parts)
        self.scale = bool(scale)
        self.scale_name = scale_name
        self.n = int(np.prod([p.n for p in self.parts]))
        self.has_variance = self.scale or any(p.has_variance for p in self.parts)
        b0 = self.parts[0].block_size
        self.block_size = (None if b0 is None
                           else int(b0 * np.prod([p.n for p in self.parts[1:]])))
        off = 1 if self.scale else 0
        self._slices = []
        for p in self.parts:
            self._slices.append(slice(off, off + p.n_params))
            off += p.n_params
        self._n_params = off
        #: structures of the sparse products, reused at every θ (same values as sp.kron)
        self._kcache = KronCache()

    # ----- description ---------------------------------------------------------------------
    @property
    def param_names(self) -> list[str]:
        out = [self.scale_name] if self.scale else []
        for p in self.parts:
            out += p.param_names
        return out

    @property
    def param_kinds(self) -> list[str]:
        out = ["variance"] if self.scale else []
        for p in self.parts:
            out += p.param_kinds
        return out

    @property
    def n_params(self) -> int:
        return self._n_params

    # ----- structure ---------------------------------------------------------------------
    def leaves(self, offset: int = 0) -> list[tuple[CovTemplate, int]]:
        out, o = [], offset + (1 if self.scale else 0)
        for p in self.parts:
            out += p.leaves(o)
            o += p.n_params
        return out

    def kronecker_factors(self) -> tuple[bool, list[CovTemplate]]:
        return self.scale, list(self.parts)

    def with_factors(self, parts: Sequence[CovTemplate]) -> CovTemplate:
        return Kronecker(parts, scale=self.scale, scale_name=self.scale_name)

    def scaled_diagonal(self, theta: np.ndarray) -> np.ndarray | None:
        """σ² I_{n_1} ⊗ ... ⊗ I_{n_p} (the ``units`` residual): w = 1; else the probe."""
        if self.scale and all(p.n_params == 0 and p.diagonal == "identity"
                              for p in self.parts):
            return np.ones(self.n)
        return super().scaled_diagonal(theta)

    def split(self, theta: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """(σ², [θ_1, ..., θ_p]) from θ (σ² = 1 when there is no scale)."""
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self._n_params,):
            raise ModelError(f"Kronecker product: θ has {theta.size} values, "
                             f"expected {self._n_params}")
        s = float(theta[0]) if self.scale else 1.0
        return s, [theta[sl] for sl in self._slices]

    def _sparse(self, mats: Sequence[Matrix]) -> bool:
        return self.n > SPARSE_ABOVE or any(sp.issparse(m) for m in mats)

    def _kron(self, mats: Sequence[Matrix], factor: float = 1.0,
              sparse: bool | None = None) -> Matrix:
        if sparse is None:
            sparse = self._sparse(mats)
        out = kron_all(mats, sparse, getattr(self, "_kcache", None))
        if factor != 1.0 and len(mats) < 2:  # the part itself (shared): not in place
            return out * factor
        if factor != 1.0:  # a fresh product: scaled in place (the values of out * factor)
            if sp.issparse(out):
                out.data *= factor
            else:
                out *= factor
        return out

    # ----- values --------------------------------------------------------------------------
    def matrix(self, theta: np.ndarray) -> Matrix:
        s, th = self.split(theta)
        return self._kron([p.matrix(t) for p, t in zip(self.parts, th)], s)

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        s, th = self.split(theta)
        mats = [p.matrix(t) for p, t in zip(self.parts, th)]
        out = [self._kron(mats)] if self.scale else []
        for i, (p, t) in enumerate(zip(self.parts, th)):
            for d in p.derivatives(t):
                out.append(self._kron(mats[:i] + [d] + mats[i + 1:], s))
        return out

    # ----- rows of the product only (a Subset: the records of an incomplete grid) ----------
    def _restriction(self, index: np.ndarray) -> tuple[list[np.ndarray | None], np.ndarray]:
        """For Σ[index][:, index]: each part's levels u_i that ``index`` reaches (None: all
        of them) and ``index`` on the grid Π |u_i| of those levels. Since
        (⊗_i Σ_i)[(a_i), (b_i)] = Π_i Σ_i[a_i, b_i], the records' submatrix of Σ is that of
        ⊗_i Σ_i[u_i][:, u_i], entry by entry the same products (e.g. an ``ar1(row):ar1(col)``
        trial whose row and col factors keep the levels of a whole field)."""
        index = np.asarray(index, dtype=np.int64)
        key = index.tobytes()
        hit = getattr(self, "_restricted", None)
        if hit is not None and hit[0] == key:
            return hit[1], hit[2]
        codes = np.unravel_index(index, self._sizes())
        used = [np.unique(c) for c in codes]
        local = np.ravel_multi_index([np.searchsorted(u, c) for u, c in zip(used, codes)],
                                     tuple(u.size for u in used)).astype(np.int64)
        out = [None if u.size == p.n else u for u, p in zip(used, self.parts)]
        self._restricted = (key, out, local)
        return out, local

    def matrix_at(self, theta: np.ndarray, index: np.ndarray) -> Matrix:
        """Σ[index][:, index] from the product of the parts' rows ``index`` reaches
        (:meth:`_restriction`); the format (sparse or dense) is that of :meth:`matrix`."""
        used, local = self._restriction(index)
        if all(u is None for u in used):
            return take(self.matrix(theta), index)
        s, th = self.split(theta)
        mats = [p.matrix(t) for p, t in zip(self.parts, th)]
        sparse = self._sparse(mats)
        return take(self._kron(_restrict(mats, used), s, sparse), local)

    def derivatives_at(self, theta: np.ndarray, index: np.ndarray) -> list[Matrix]:
        """[(∂Σ/∂θ_k)[index][:, index]] as :meth:`matrix_at` forms them (the products of
        :meth:`derivatives` on the parts' rows ``index`` reaches)."""
        used, local = self._restriction(index)
        if all(u is None for u in used):
            return [take(d, index) for d in self.derivatives(theta)]
        s, th = self.split(theta)
        full = [p.matrix(t) for p, t in zip(self.parts, th)]
        sparse = self._sparse(full)
        mats = _restrict(full, used)
        out = [take(self._kron(mats, 1.0, sparse), local)] if self.scale else []
        for i, (p, t) in enumerate(zip(self.parts, th)):
            for d in p.derivatives(t):
                sparse = self._sparse(full[:i] + [d] + full[i + 1:])
                d = d if used[i] is None else take(d, used[i])
                out.append(take(self._kron(mats[:i] + [d] + mats[i + 1:], s, sparse), local))
        return out

    def inverse(self, theta: np.ndarray) -> Matrix:
        s, th = self.split(theta)
        if s <= 0:
            raise np.linalg.LinAlgError("Kronecker product: the scale variance is not positive")
        return self._kron([p.inverse(t) for p, t in zip(self.parts, th)], 1.0 / s)

    def logdet(self, theta: np.ndarray) -> float:
        s, th = self.split(theta)
        if self.scale and s <= 0:
            raise np.linalg.LinAlgError("Kronecker product: the scale variance is not positive")
        out = self.n * np.log(s) if self.scale else 0.0
        for p, t in zip(self.parts, th):
            out += (self.n // p.n) * p.logdet(t)
        return float(out)

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        s, th = self.split(theta)
        if s <= 0:
            raise np.linalg.LinAlgError("Kronecker product: the scale variance is not positive")
        invs = [p.inverse(t) for p, t in zip(self.parts, th)]
        out = [self._kron(invs, 1.0 / s**2)] if self.scale else []
        for i, (p, t) in enumerate(zip(self.parts, th)):
            for d in p.inv_deriv_inv(t):
                out.append(self._kron(invs[:i] + [d] + invs[i + 1:], 1.0 / s))
        return out

    # ----- products without the n x n matrices (the score and AI of a residual) ------------
    def _sizes(self) -> tuple[int, ...]:
        return tuple(int(p.n) for p in self.parts)

    def deriv_times(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Column k = Σ̇_k v, each a product (⊗_i M_i) v applied part by part on v reshaped
        to n_1 x ... x n_p (no n x n matrix)."""
        s, th = self.split(theta)
        mats = [p.matrix(t) for p, t in zip(self.parts, th)]
        sizes = self._sizes()
        v = np.asarray(v, dtype=float).ravel()
        cols = [kron_matvec(mats, v, sizes)] if self.scale else []
        for i, (p, t) in enumerate(zip(self.parts, th)):
            for d in p.derivatives(t):
                cols.append(s * kron_matvec(mats[:i] + [d] + mats[i + 1:], v, sizes))
        return np.column_stack(cols) if cols else np.zeros((self.n, 0))

    def inv_deriv_trace(self, theta: np.ndarray) -> np.ndarray:
        """tr(Σ⁻¹ ∂Σ/∂σ²) = n/σ²; tr(Σ⁻¹ ∂Σ/∂θ_ik) = (n/n_i) tr(Σ_i⁻¹ ∂Σ_i/∂θ_ik)."""
        s, th = self.split(theta)
        if s <= 0:
            raise np.linalg.LinAlgError("Kronecker product: the scale variance is not positive")
        out = [np.array([self.n / s])] if self.scale else []
        for p, t in zip(self.parts, th):
            out.append((self.n // p.n) * np.asarray(p.inv_deriv_trace(t), dtype=float))
        return np.concatenate(out) if out else np.zeros(0)

    def deriv_entries(self, theta: np.ndarray, rows: np.ndarray,
                      cols: np.ndarray) -> np.ndarray:
        """(Σ̇_k)[r, c] as products of the parts' entries at the parts' indices of r and c."""
        s, th = self.split(theta)
        sizes = self._sizes()
        ri = np.unravel_index(np.asarray(rows, dtype=np.int64), sizes)
        ci = np.unravel_index(np.asarray(cols, dtype=np.int64), sizes)
        vals = [entries_at(p.matrix(t), r, c)
                for p, t, r, c in zip(self.parts, th, ri, ci)]

        def prod(skip: int) -> np.ndarray:
            out = np.ones(np.size(rows))
            for j, v in enumerate(vals):
                if j != skip:
                    out = out * v
            return out

        res = [prod(-1)] if self.scale else []
        for i, (p, t) in enumerate(zip(self.parts, th)):
            others = prod(i) * s
            for d in p.derivatives(t):
                res.append(others * entries_at(d, ri[i], ci[i]))
        return np.array(res, dtype=float).reshape(self.n_params, np.size(rows))

    def inverse_pattern(self, theta: np.ndarray) -> sp.csc_matrix:
        """⊗_i (pattern of Σ_i⁻¹): holds σ⁻² ⊗_i Σ_i⁻¹ and every Σ⁻¹Σ̇_kΣ⁻¹ at any θ when
        each part's pattern does (no n x n inverse or derivative is formed)."""
        _, th = self.split(theta)
        pats = [p.inverse_pattern(t) for p, t in zip(self.parts, th)]
        return sp.csc_matrix(kron_all(pats, True))

    # ----- constraints ---------------------------------------------------------------------
    def lower(self) -> np.ndarray:
        return np.concatenate([[0.0] if self.scale else []] + [p.lower() for p in self.parts])

    def upper(self) -> np.ndarray:
        return np.concatenate([[np.inf] if self.scale else []] + [p.upper() for p in self.parts])

    def is_valid(self, theta: np.ndarray) -> bool:
        """σ² > 0 (if present) and every part valid on its own slice."""
        s, th = self.split(theta)
        if self.scale and not (np.isfinite(s) and s > 0):
            return False
        return all(p.is_valid(t) for p, t in zip(self.parts, th))

    def initial(self, scale: float) -> np.ndarray:
        """With a scale: [scale] + each part's ``initial(1)``. Without: the first part that
        has its own variance starts at ``scale``, all other parts at ``initial(1)``."""
        out = [np.array([float(scale)])] if self.scale else []
        given = self.scale
        for p in self.parts:
            if p.has_variance and not given:
                out.append(p.initial(scale))
                given = True
            else:
                out.append(p.initial(1.0))
        return np.concatenate(out) if out else np.zeros(0)

    def __repr__(self) -> str:
        inner = " ⊗ ".join(repr(p) for p in self.parts)
        return f"Kronecker({'σ² ' if self.scale else ''}{inner})"


def _restrict(mats: Sequence[Matrix], used: Sequence[np.ndarray | None]) -> list[Matrix]:
    """Each matrix's rows and columns ``used`` (None: the whole matrix)."""
    return [m if u is None else take(m, u) for m, u in zip(mats, used)]
