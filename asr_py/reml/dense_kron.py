"""A two-part Kronecker G whose G⁻¹ is dense and too large for a pattern, on the dense MME.

G = [σ²] Σ_0 ⊗ Σ_1 with one part a known matrix K (vm(geno, G): its inverse M_c = K⁻¹,
dense) and the other a small parametrised Σ (corh(env), us(env), diag(env)). With q = n_0 n_1
in the tens of millions of G⁻¹ entries the index maps of the closed forms
(:class:`~asr_py.reml.ginverse._ProductIndex`, ~100 bytes an entry with C's pattern) and the
general path's sparse products (the sweetpotato second stage: 8 400 x 8 400, 7 GB) are
replaced by dense algebra on the MME's dense arrays (:mod:`asr_py.reml.dense_mme`):

    G⁻¹ = σ⁻² M_0 ⊗ M_1                       (written block-row by block-row into C),
    tr(G⁻¹Ġ_kG⁻¹W) = σ⁻² ⟨D_k, T⟩,  T = Σ_xy (M_c)_xy W[(x,·),(y,·)]  (the Kronecker
                                        identity tr((A ⊗ B)W) = ⟨B, Σ_xy A_xy W_xy⟩),
    tr(G⁻¹Ġ_σ²G⁻¹W) = σ⁻⁴ ⟨M_p, T⟩,

with W = C^{uu} + ûû' (the ûû' part as U'M_cU, never formed), D_k = Σ⁻¹Σ̇_kΣ⁻¹ and M_p = Σ⁻¹;
the contraction T runs over chunks of the constant part's rows (no q x q temporary).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from asr_py.reml.ginverse import (
    TermInverse,
    TermValues,
    _NotAProduct,
    _PartValues,
    _ProductIndex,
)
from asr_py.vcov.base import CovTemplate

#: the constant part's inverse must fill at least this fraction of its n x n (a dense K⁻¹);
#: a sparse one (A⁻¹ of a pedigree) stays on the general sparse path
DENSE_KRON_MIN_FILL = 0.15
#: rows of the constant part contracted at a time (memory: chunk x n_p x n_c x n_p floats)
_CHUNK_ROWS = 64


def _split(template: CovTemplate) -> _ProductIndex | None:
    """The index-free product of a template with two parts, one constant and dense, one with
    parameters; None otherwise."""
    try:
        pl = _ProductIndex(template, index=False)
    except _NotAProduct:
        return None
    if len(pl.parts) != 2:
        return None
    const = [i for i, k in enumerate(pl.kinds) if k == "const"]
    if len(const) != 1 or pl.kinds[1 - const[0]] not in ("full", "diag"):
        return None
    m = pl.const_parts[const[0]]
    n = pl.dims[const[0]]
    if m is None or m.nnz < DENSE_KRON_MIN_FILL * n * n:
        return None
    return pl


def dense_kron_fits(template: CovTemplate) -> bool:
    """True if :class:`DenseKronInverse` handles ``template``."""
    return _split(template) is not None


class DenseKronTermValues(TermValues):
    """Term values without a pattern (rows, cols, g are None): G⁻¹ = σ⁻² M_0 ⊗ M_1."""

    def matrix(self, n: int) -> sp.csc_matrix:
        mats, s = self.data[2], self.data[0]  # type: ignore[index]
        return sp.csc_matrix(np.kron(mats[0], mats[1]) / s)


class DenseKronInverse(TermInverse):
    """Closed forms for [σ²] Σ_0 ⊗ Σ_1 (one part constant and dense) on dense blocks of C and
    C⁻¹ (module docstring). Needs the dense MME (``dense_only``)."""

    closed_form = True
    #: C must be assembled densely (asr_py.reml.dense_mme)
    dense_only = True

    def __init__(self, template: CovTemplate) -> None:
        pl = _split(template)
        if pl is None:
            raise ValueError("not a two-part product with one dense constant part")
        self.template = template
        self.index = pl
        self.c = pl.kinds.index("const")  # the constant part
        self.k = 1 - self.c  # the parametrised part
        self.mc = np.asarray(pl.const_parts[self.c].toarray(), dtype=float)

    def _param_matrix(self, v: _PartValues) -> np.ndarray:
        n = self.index.dims[self.k]
        return np.diag(v.m) if self.index.kinds[self.k] == "diag" else v.m.reshape(n, n)

    def values(self, theta: np.ndarray) -> TermValues:
        s, pv, ld = self.index.values(theta)
        v = pv[self.k]
        assert v is not None
        mats = [self.mc, self._param_matrix(v)] if self.c == 0 else \
            [self._param_matrix(v), self.mc]
        return DenseKronTermValues(theta, None, ld, None, None,  # type: ignore[arg-type]
                                   (s if self.index.scale else 1.0, pv, mats))

    def add_dense(self, tv: TermValues, block: np.ndarray) -> bool:
        """block += σ⁻² M_0 ⊗ M_1, one block row of M_0 at a time."""
        s, _, (a, b) = tv.data  # type: ignore[misc]
        nb = b.shape[0]
        bs = b / s
        for i in range(a.shape[0]):
            block[i * nb:(i + 1) * nb] += np.kron(a[i:i + 1], bs)
        return True

    def deriv_cols(self, tv: TermValues, u: np.ndarray) -> tuple[np.ndarray, object]:
        s, pv, _ = tv.data  # type: ignore[misc]
        return self.index.deriv_cols(s, pv, u), None

    def _contract(self, cuu: np.ndarray, u: np.ndarray) -> np.ndarray:
        """T + U'-term: Σ_xy (M_c)_xy W[(x,·),(y,·)] over the constant part's indices, an
        n_p x n_p matrix (W = C^{uu} + ûû')."""
        n0, n1 = self.index.dims
        mc = self.mc
        w4 = cuu.reshape(n0, n1, n0, n1)  # a view (C⁻¹'s block rows split)
        if self.c == 0:  # T[a, b] = Σ_xy Mc[x, y] W[x a, y b]
            t = np.zeros((n1, n1))
            for x0 in range(0, n0, _CHUNK_ROWS):
                x1 = min(n0, x0 + _CHUNK_ROWS)
                t += np.einsum("cy,cayb->ab", mc[x0:x1], w4[x0:x1], optimize=True)
            uu = u.reshape(n0, n1)
            return t + uu.T @ (mc @ uu)
        t = np.empty((n0, n0))  # T[x, y] = Σ_ab Mc[a, b] W[x a, y b]
        for x0 in range(0, n0, _CHUNK_ROWS):
            x1 = min(n0, x0 + _CHUNK_ROWS)
            t[x0:x1] = np.einsum("ab,cayb->cy", mc, w4[x0:x1], optimize=True)
        uu = u.reshape(n0, n1)
        return t + uu @ (mc @ uu.T)

    def dense_trace_terms(self, tv: TermValues, prep: object, cuu: np.ndarray,
                          u: np.ndarray) -> np.ndarray:
        """t_k = tr(G⁻¹Ġ_k) − σ⁻²⟨D_k, T⟩ (σ²: n/σ² − σ⁻⁴⟨Σ⁻¹, T⟩)."""
        s, pv, _ = tv.data  # type: ignore[misc]
        v = pv[self.k]
        t = self._contract(cuu, u)
        n, d = self.index.n, self.index.dims[self.k]
        tt = np.diag(t) if self.index.kinds[self.k] == "diag" else t.ravel()
        out = []
        if self.index.scale:
            out.append(n / s - float(v.m @ tt) / s**2)
        out.extend((n // d) * v.t1 - v.D @ tt / s)
        return np.array(out)

    def trace_terms(self, tv: TermValues, prep: object, z: np.ndarray, u: np.ndarray,
                    cinv: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
        raise NotImplementedError("DenseKronInverse needs the dense MME (dense_trace_terms)")

    def em_block(self, theta: np.ndarray) -> np.ndarray:
        return self.index.em_block(theta)
