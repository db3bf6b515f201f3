"""The H-inverse of single-step genomic BLUP (Legarra et al. 2009; Aguilar et al. 2010).

With animals split into non-genotyped (1) and genotyped (2), H combines the pedigree A with a
genomic G over the genotyped animals:

    H = [[A11 + A12 A22⁻¹ (G − A22) A22⁻¹ A21,  A12 A22⁻¹ G],
         [G A22⁻¹ A21,                           G         ]],

whose inverse is sparse wherever A⁻¹ is:

    H⁻¹ = A⁻¹ + [[0, 0], [0, τ G_w⁻¹ − ω A22⁻¹]]

(τ = ω = 1 gives the inverse of H above; other values are the usual scaling of Misztal's
BLUPF90 ``TauOmega``: τ, ω ≠ 1 change H's implied covariances to tune bias and inflation).
Before inversion, G is optionally tuned to the pedigree base (Christensen et al. 2012):
G* = α 11' + β G with β, α such that the mean diagonal and the mean off-diagonal element of
G* equal those of A22, and blended, G_w = (1 − w) G* + w A22, which makes G_w positive
definite when A22 is.

log|H| (kept in ``logdet`` for the REML log-likelihood) follows from the block determinant:
log|H⁻¹| = log|A⁻¹| − log|A22⁻¹| + log|τ G_w⁻¹ + (1 − ω) A22⁻¹|.

A22 is read from A⁻¹ by sparse solves (A e_j for the genotyped j, a chunk at a time), so no
dense A over the whole pedigree is formed; the genotyped block of H⁻¹ is dense.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from asr_py.errors import DataError, MatrixError
from asr_py.genetics.genomic import _as_relmatrix
from asr_py.genetics.pedigree import ainverse
from asr_py.genetics.relmatrix import RelMatrix

__all__ = ["hinverse", "a22"]

#: genotyped animals solved for at a time when reading A22 from A⁻¹
_CHUNK = 256


def a22(ainv: RelMatrix, ids: list[str]) -> np.ndarray:
    """A[ids, ids] from the sparse A⁻¹: columns A e_j = (A⁻¹)⁻¹ e_j by a sparse LU."""
    pos = ainv.positions(ids)
    # A⁻¹ is symmetric positive definite: a symmetric minimum-degree ordering and no
    # pivoting keep the factor near A⁻¹'s sparsity (the default COLAMD ordering filled a
    # 20 000-animal A⁻¹ to 8·10⁷ non-zeros)
    lu = spla.splu(sp.csc_matrix(ainv.matrix), permc_spec="MMD_AT_PLUS_A",
                   diag_pivot_thresh=0.0, options={"SymmetricMode": True})
    n = ainv.n
    out = np.empty((len(pos), len(pos)))
    for s in range(0, len(pos), _CHUNK):
        cols = pos[s:s + _CHUNK]
        E = np.zeros((n, len(cols)))
        E[cols, np.arange(len(cols))] = 1.0
        out[:, s:s + len(cols)] = lu.solve(E)[pos]
    return 0.5 * (out + out.T)


def _chol_inv(M: np.ndarray, what: str, hint: str) -> tuple[np.ndarray, float]:
    """(M⁻¹, log|M|) by Cholesky; MatrixError when M is not positive definite."""
    try:
        c, _ = sla.cho_factor(M, lower=True, check_finite=False)
    except sla.LinAlgError:
        raise MatrixError(f"{what} is not positive definite", hint=hint) from None
    inv = sla.cho_solve((c, True), np.eye(M.shape[0]), check_finite=False)
    return 0.5 * (inv + inv.T), float(2.0 * np.log(np.diag(c)).sum())


def tune_to_pedigree(G: np.ndarray, A22: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(α 11' + β G, α, β) with mean diagonal and mean off-diagonal equal to A22's."""
    k = G.shape[0]
    if k < 2:
        raise DataError("tune=True needs at least two genotyped animals")
    off = ~np.eye(k, dtype=bool)
    dg, og = float(np.mean(np.diag(G))), float(np.mean(G[off]))
    da, oa = float(np.mean(np.diag(A22))), float(np.mean(A22[off]))
    if abs(dg - og) < 1e-12 * max(1.0, abs(dg)):
        raise MatrixError("tune=True: G's mean diagonal equals its mean off-diagonal element, "
                          "so it cannot be scaled to A22")
    beta = (da - oa) / (dg - og)
    alpha = oa - beta * og
    return alpha + beta * G, alpha, beta


def hinverse(pedigree: pd.DataFrame | RelMatrix, G: Any, *, blend: float = 0.0,
             tune: bool = False, tau: float = 1.0, omega: float = 1.0,
             **opts: Any) -> RelMatrix:
    """H⁻¹ of single-step GBLUP over all animals of the pedigree (see the module docstring).

    Args:
        pedigree: a pedigree DataFrame (as for :func:`ainverse`; ``opts`` go there) or an
            A-inverse RelMatrix from :func:`ainverse`.
        G: the genomic relationship matrix of the genotyped animals (RelMatrix from
            :func:`gmatrix`, or a DataFrame with ids on both axes); every id must be in the
            pedigree.
        blend: w in [0, 1): G_w = (1 − w) G + w A22.
        tune: scale G to A22's mean diagonal and off-diagonal first (α, β in ``info``).
        tau, omega: H⁻¹'s genotyped block is τ G_w⁻¹ − ω A22⁻¹.

    Returns a RelMatrix (kind 'Hinv', inverse=True, sparse csc) in the pedigree's order, with
    ``logdet`` = log|H|; use it as ``vm(id, Hinv)`` with ``Hinv=`` the result.
    """
    if isinstance(pedigree, RelMatrix):
        if not pedigree.inverse or not pedigree.is_sparse:
            raise MatrixError("hinverse: a RelMatrix pedigree must be the sparse A-inverse",
                              hint="pass the pedigree DataFrame or asr.ainverse(pedigree)")
        ainv = pedigree
    else:
        ainv = ainverse(pedigree, **opts)
    K = _as_relmatrix(G, "G")
    if K.inverse:
        raise MatrixError(f"hinverse: G ('{K.kind}') is an inverse",
                          hint="pass G itself (asr.gmatrix(markers)), not asr.ginverse(G)")
    if not 0.0 <= blend < 1.0:
        raise DataError(f"hinverse: blend must be a weight in [0, 1), not {blend}")
    if not (np.isfinite(tau) and tau > 0 and np.isfinite(omega) and omega >= 0):
        raise DataError(f"hinverse: need tau > 0 and omega >= 0, not tau={tau}, omega={omega}")
    index = pd.Index(ainv.ids, dtype=object)
    missing = [i for i in K.ids if i not in index]
    if missing:
        raise MatrixError(
            f"hinverse: {len(missing)} genotyped id(s) are not in the pedigree, e.g. "
            f"{missing[:5]}", hint="add them to the pedigree (with unknown parents '0' if "
                                   "need be); ids are compared as text")
    Gm = K.toarray().astype(float, copy=True)
    if not np.all(np.isfinite(Gm)):
        raise MatrixError("hinverse: G contains missing or infinite values")
    if np.max(np.abs(Gm - Gm.T), initial=0.0) > 1e-8 * max(1.0, float(np.abs(Gm).max())):
        raise MatrixError("hinverse: G is not symmetric")
    ids = list(K.ids)
    A22 = a22(ainv, ids)
    info: dict[str, Any] = {"n_genotyped": len(ids), "blend": blend, "tau": tau,
                            "omega": omega, "tune": tune}
    if tune:
        Gm, alpha, beta = tune_to_pedigree(Gm, A22)
        info.update(alpha=alpha, beta=beta)
    Gw = (1.0 - blend) * Gm + blend * A22
    Gw_inv, _ = _chol_inv(Gw, "hinverse: the blended G", "blend with A22 (blend=0.05) or add "
                          "a ridge to G (asr.gmatrix(..., ridge=0.01))")
    A22_inv, ld_a22 = _chol_inv(A22, "hinverse: A22", "check the pedigree (duplicated genotyped "
                           "animals?)")
    block = tau * Gw_inv - omega * A22_inv
    S = tau * Gw_inv + (1.0 - omega) * A22_inv
    try:
        ld_s = float(2.0 * np.log(np.diag(sla.cholesky(S, lower=True))).sum())
    except sla.LinAlgError:
        raise MatrixError(f"hinverse: H⁻¹ is not positive definite with tau={tau}, "
                          f"omega={omega}", hint="use omega <= 1 (or tau = omega = 1)") from None
    pos = ainv.positions(ids)
    r, c = np.meshgrid(pos, pos, indexing="ij")
    add = sp.csc_matrix((block.ravel(), (r.ravel(), c.ravel())), shape=ainv.shape)
    H = (sp.csc_matrix(ainv.matrix) + add).tocsc()
    H.sum_duplicates()
    logdet = None if ainv.logdet is None else float(ainv.logdet - ld_a22 - ld_s)
    return RelMatrix(matrix=H, ids=ainv.ids, inverse=True, logdet=logdet,
                     inbreeding=ainv.inbreeding, kind="Hinv", info=info)
