"""The REML score's traces as quadratic forms over Hutchinson probes (issue 16, goal 3).

With probes w_p = B⁻ᵀz_p through C's factor (C = BB', E[z z'] = I, so E[w w'] = C⁻¹) every
trace of the score is ``tr(C⁻¹M) = E[w'Mw]`` for the piece ``M`` of ∂C/∂θ_k:

* G parameter k of a term (block u of C): ``M = G⁻¹Ġ_kG⁻¹ = −∂G⁻¹/∂θ_k`` on the term's block,
  so the probe value is ``w_u'(G⁻¹Ġ_kG⁻¹)w_u``. For a direct product
  ``G = [σ²] Σ_1 ⊗ … ⊗ Σ_m`` (the template's ``kronecker_factors``) it is

      σ⁻² Σ_ab (Σ_i⁻¹Σ̇_kΣ_i⁻¹)_ab S_i[a, b],   S_i[a, b] = Σ_rest X[..a..] Y_i[..b..],

  with X the probe block as an n_1 x … x n_m array and Y_i = X with every other part's Σ_j⁻¹
  applied along its axis (one sparse product A⁻¹X for an animal term): no entry of C⁻¹, no
  selected inverse. The scale σ² has ``M = G⁻¹/σ²``. Other templates: ``inv_deriv_inv``.
* R parameter k: ``M = W'R⁻¹Ṙ_kR⁻¹W``, so the value is ``x'(R⁻¹Ṙ_kR⁻¹)x`` with x = Ww
  (n_records values per probe); R = σ² diag(1/w): ``x'diag(w)x/σ⁴``.

The exact parts of each score element (tr(G⁻¹Ġ_k), û'G⁻¹Ġ_kG⁻¹û, tr(R⁻¹Ṙ_k), ê'R⁻¹Ṙ_kR⁻¹ê)
come from the same forms (û and ê as one more column) or the exact path's own pieces, so
each probe gives a whole score vector s_p, unbiased for the exact score, and the estimate's
noise is the sample covariance of the s_p over the probes divided by their number.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from asr_py.vcov.base import CovTemplate, Matrix

#: a parameter-carrying part of a product larger than this has S_i computed only on the
#: entries of its Σ_i⁻¹Σ̇_kΣ_i⁻¹ (a diag/idv part), not as a dense n_i x n_i block
DENSE_PART_MAX = 40


def _dense(m: Matrix) -> np.ndarray:
    return m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)


def _along(m: Matrix, x: np.ndarray, axis: int) -> np.ndarray:
    """m applied along ``axis`` of x (x's other axes, the probes last, kept)."""
    xm = np.moveaxis(x, axis, 0)
    shape = xm.shape
    flat = xm.reshape(shape[0], -1)
    out = m @ flat if sp.issparse(m) else np.asarray(m) @ flat
    return np.moveaxis(np.asarray(out).reshape(shape), 0, axis)


def _quad_general(mats: list[Matrix], x: np.ndarray) -> np.ndarray:
    """(len(mats), K): x_p'M_kx_p for each matrix and column."""
    out = np.empty((len(mats), x.shape[1]))
    for k, m in enumerate(mats):
        mx = m @ x if sp.issparse(m) else np.asarray(m) @ x
        out[k] = np.einsum("ik,ik->k", x, np.asarray(mx))
    return out


class ProductForms:
    """x_p'(G⁻¹Ġ_kG⁻¹)x_p over all parameters of a product template
    ``[σ²] Σ_1 ⊗ … ⊗ Σ_m`` (its base interface: ``kronecker_factors``, ``split``, the
    parts' ``inverse`` and ``inv_deriv_inv``); the inverses of parameter-free parts (A⁻¹, I)
    are read once."""

    def __init__(self, template: CovTemplate) -> None:
        factors = template.kronecker_factors()
        if factors is None:
            raise ValueError("not a direct product")
        self.template = template
        self.scale, self.parts = factors
        self.dims = [int(p.n) for p in self.parts]
        self._const: dict[int, Matrix] = {}
        for i, p in enumerate(self.parts):
            if p.n_params == 0:
                m = p.inverse(np.zeros(0))
                self._const[i] = sp.csr_matrix(m) if sp.issparse(m) else _dense(m)

    def at(self, theta: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        """x ↦ (n_params, K) at θ for the columns of x (n x K)."""
        s, ths = self.template.split(theta)
        invs: list[Matrix] = [self._const[i] if i in self._const else p.inverse(t)
                              for i, (p, t) in enumerate(zip(self.parts, ths))]
        ders = {i: [sp.coo_matrix(d) for d in p.inv_deriv_inv(ths[i])]
                for i, p in enumerate(self.parts) if p.n_params > 0}
        return lambda x: self._forms(s, invs, ders, x)

    def _forms(self, s: float, invs: list[Matrix], ders: dict[int, list[sp.coo_matrix]],
               x: np.ndarray) -> np.ndarray:
        k = x.shape[1]
        xt = x.reshape(*self.dims, k)
        rows: list[np.ndarray] = []
        if self.scale:  # M = σ⁻⁴ ⊗ Σ_j⁻¹
            y = xt
            for j, m in enumerate(invs):
                y = _along(m, y, j)
            rows.append(np.einsum("ik,ik->k", xt.reshape(-1, k), y.reshape(-1, k))[None, :] / s**2)
        for i, ds in ders.items():
            y = xt
            for j, m in enumerate(invs):
                if j != i:
                    y = _along(m, y, j)
            d_i = self.dims[i]
            xi = np.moveaxis(xt, i, 0).reshape(d_i, -1, k)
            yi = np.moveaxis(y, i, 0).reshape(d_i, -1, k)
            if d_i <= DENSE_PART_MAX:  # S_i[a, b, p] by one batched product
                sab = np.einsum("arp,brp->abp", xi, yi, optimize=True)
                rows.append(np.array([np.einsum("ab,abp->p", d.toarray(), sab)
                                      for d in ds]) / s)
                continue
            keys = np.unique(np.concatenate(
                [d.row.astype(np.int64) * d_i + d.col for d in ds]))
            a, b = np.divmod(keys, d_i)
            se = np.array([np.einsum("rp,rp->p", xi[ai], yi[bi]) for ai, bi in zip(a, b)])
            out = np.zeros((len(ds), k))
            for r, d in enumerate(ds):
                pos = np.searchsorted(keys, d.row.astype(np.int64) * d_i + d.col)
                out[r] = d.data @ se[pos]
            rows.append(out / s)
        return np.vstack(rows) if rows else np.zeros((0, k))


class GeneralForms:
    """x_p'(Σ⁻¹Σ̇_kΣ⁻¹)x_p from the template's ``inv_deriv_inv`` (any template)."""

    def __init__(self, template: CovTemplate) -> None:
        self.template = template

    def at(self, theta: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        mats = self.template.inv_deriv_inv(theta)
        return lambda x: _quad_general(mats, x)


def term_forms(template: CovTemplate) -> ProductForms | GeneralForms:
    """The quadratic forms x_p'(Σ⁻¹Σ̇_kΣ⁻¹)x_p of a covariance template: part by part for a
    direct product (:class:`ProductForms`), else from ``inv_deriv_inv``."""
    if template.kronecker_factors() is not None:
        return ProductForms(template)
    return GeneralForms(template)
