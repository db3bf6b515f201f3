"""log|C|, ŝ and y'Py when some residual variances are orders of magnitude below the others.

With R = diag(r) and records S whose r_i <= STIFF_REL x max r (a dsum section of SD 1e-3
beside kg/ha sections), C = W_S'R_S⁻¹W_S + C_r, C_r = W_r'R_r⁻¹W_r + G*, is assembled in
double with entries ~1/r_S: what C_r adds in the null space of W_S is lost to rounding, and
y'Py = y'R⁻¹y − ŝ'r cancels ~1/r_S-sized terms (simulated: ℓ 2.5e-3 off at r_S/r = 1e-13).

The change of basis: T = [T₁ T₂] orthogonal from the SVD of W_S (T₂ spans its null space;
W_S's entries are O(1), so T does not depend on r_S). With B = R_S^{-½}W_S T (its columns
on T₂ ~0),

    T'CT = B'B + T'C_rT = [[M₁₁, M₁₂], [M₂₁, M₂₂]],
    log|C| = log|M₁₁| + log|M₂₂ − M₂₁M₁₁⁻¹M₁₂|,

no sum mixes 1/r_S-sized and C_r-sized numbers in the directions where only C_r informs
(T rotates only the equations the stiff rows reach, and only where C_r is below
MIX_REL x 1/r_S there: a G⁻¹ as large as R_S⁻¹ would be mixed by the rotation);
ŝ = T z from the same blocks, and y'Py = ê'R⁻¹ê + ŝ'G*ŝ (ê = y − Wŝ: a sum of
non-negative terms, stationary in ŝ). Used for ℓ by :meth:`asr_py.reml.mme.MME.evaluate`;
dense, so limited to STIFF_MAX_WORK flops.

The score and AI need C⁻¹ (traces of its blocks, C⁻¹W'R⁻¹Q): from the plain factor they
inherit its rounding, and uc16 (one dsum section of SD 1e-3 beside kg/ha sections) never
converged on them. :class:`RotatedInverse` gives them C⁻¹ = T M⁻¹ T' from the same blocks,
M⁻¹ = [[M₁₁⁻¹ + X S⁻¹X', −X S⁻¹], [−S⁻¹X', S⁻¹]], X = M₁₁⁻¹M₁₂, S = M₂₂ − M₂₁X.

The residual-section traces tr(C⁻¹W'AW) (A = R⁻¹Ṙ_kR⁻¹ ~ 1/r_S² on a stiff section) are
not taken from C⁻¹'s entries: those hold S⁻¹-sized parts (T₂S⁻¹T₂', 1/C_r) that W_S
annihilates exactly (W_S T₂ = 0) but whose rounding (ε/C_r) survives the sum, so θ_k s_k
was off by ~ε r_S⁻¹/C_r (1.5e-4 at r_S/r = 1e-13). :meth:`RotatedInverse.section_trace`
forms them in the changed basis: with M = LL' by the blocks (L = [[L₁, 0], [X'L₁, L₂]]),
C⁻¹ = T L⁻ᵀL⁻¹T' and

    tr(C⁻¹W_s'AW_s) = tr(F A F'),   F = L⁻¹ U',   U = W_s T with U_S T₂ set to 0 exactly,

and F's columns of stiff rows are [L₁⁻¹U₁'; −L₂⁻¹X'U₁'] (no S⁻¹ part to cancel), so
the sum keeps ~ε relative (n_s N² flops for a section of n_s records, only where it has stiff
rows: the others use C⁻¹'s entries as before).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from asr_py.reml.solver import DenseFactor
from asr_py.vcov.base import CovTemplate, materialise

#: records with r_i <= STIFF_REL x max r are stiff (at 1e-6 double still gives ℓ to ~1e-12)
STIFF_REL = 1e-6
#: ... and where C_r's entries on the equations the stiff rows reach are at most MIX_REL x
#: the smallest 1/r_S: the rotation's round-off (ε x C_r) is then below the plain
#: assembly's (ε / r_S) by that factor
MIX_REL = 1e-3
#: the change of basis is made when n x N² (its dense products) is at most this
STIFF_MAX_WORK = 2e9


def stiff_mask(rinv: object, n_eq: int) -> np.ndarray | None:
    """The stiff records of a diagonal R⁻¹ (None: R⁻¹ not diagonal, none stiff, or the
    dense change of basis too large)."""
    d = rinv.diagonal() if sp.issparse(rinv) else np.diag(np.asarray(rinv))
    n = d.size
    if n == 0 or n * float(n_eq) ** 2 > STIFF_MAX_WORK or not np.all(d > 0):
        return None
    nnz = rinv.count_nonzero() if sp.issparse(rinv) else np.count_nonzero(rinv)
    if nnz > np.count_nonzero(d):
        return None
    stiff = d >= d.min() / STIFF_REL  # r_i <= STIFF_REL x max r
    return stiff if stiff.any() else None


class RotatedInverse(DenseFactor):
    """C⁻¹ (dense) and log|C| from the rotated blocks (module docstring), in the interface
    of a dense factor of C: what the score and AI use in place of the plain factor."""

    def __init__(self, cinv: np.ndarray, logdet: float, blocks: tuple,
                 stiff: np.ndarray) -> None:
        self.n = cinv.shape[0]
        self._stiff = stiff  # the stiff records (n)
        self._inv = cinv
        self._logdet = logdet
        self._blocks = blocks  # (T, L₁, X, L₂, k)

    def solve(self, b: np.ndarray) -> np.ndarray:
        """C⁻¹b = T M⁻¹ T'b by the two blocks' factors (as ŝ)."""
        T, L1, X1, L2, k = self._blocks
        z = T.T @ np.asarray(b, dtype=float)
        z1 = sla.cho_solve((L1, True), z[:k])
        z2 = sla.cho_solve((L2, True), z[k:] - X1.T @ z[:k]) if k < T.shape[1] \
            else z[k:]
        return T @ np.concatenate([z1 - X1 @ z2, z2])

    def root_solve(self, z: np.ndarray) -> None:  # type: ignore[override]
        return None  # no square root of C here: no stochastic traces

    def half_solve(self, u: np.ndarray) -> np.ndarray:
        """L⁻¹u for u = T'b (M = LL' by the blocks), so that b'C⁻¹b = ‖L⁻¹T'b‖²:
        [L₁⁻¹u₁; L₂⁻¹(u₂ − X'u₁)]."""
        _, L1, X1, L2, k = self._blocks
        a = sla.solve_triangular(L1, u[:k], lower=True, check_finite=False)
        if k == u.shape[0]:
            return a
        b = sla.solve_triangular(L2, u[k:] - X1.T @ u[:k], lower=True, check_finite=False)
        return np.concatenate([a, b])

    def section_trace(self, w_rows: sp.spmatrix, rows: np.ndarray | None,
                      m: sp.spmatrix | np.ndarray) -> float:
        """tr(C⁻¹W_s'AW_s) = tr(F A F'), F = L⁻¹(W_s T)' with the stiff rows' T₂ columns
        exactly 0 (module docstring), for A = ``m`` (n_s x n_s) on the records ``rows`` (None: all;
        ``w_rows`` = W's rows there)."""
        T, k = self._blocks[0], self._blocks[4]
        u = np.asarray(w_rows @ T).T  # N x n_s
        u[k:, self.stiff_at(rows)] = 0.0  # W_S T₂ = 0: the null space of W_S (its SVD)
        f = self.half_solve(u)
        fm = np.asarray(m.T @ f.T).T if sp.issparse(m) else f @ np.asarray(m)
        return float(np.einsum("ij,ij->", fm, f))

    def stiff_at(self, rows: np.ndarray | None) -> np.ndarray:
        """Which of the records ``rows`` (None: all) are stiff."""
        return self._stiff if rows is None else self._stiff[rows]


def stiff_solve(W: sp.spmatrix | np.ndarray, y: np.ndarray, rinv_diag: np.ndarray,
                gstar: np.ndarray, stiff: np.ndarray
                ) -> tuple[np.ndarray, float, float, RotatedInverse] | None:
    """(ŝ, log|C|, y'Py, C⁻¹) by the change of basis of the module docstring, or None
    where a block is not positive definite (the caller keeps its own values)."""
    Wd = W.toarray() if sp.issparse(W) else np.asarray(W, dtype=float)
    d = np.asarray(rinv_diag, dtype=float)
    WS, Wr = Wd[stiff], Wd[~stiff]
    dS, dr = d[stiff], d[~stiff]
    Cr = Wr.T @ (dr[:, None] * Wr) + gstar
    supp = np.flatnonzero(np.any(WS != 0, axis=0))  # the equations stiff rows reach
    if supp.size == 0 or np.abs(Cr[np.ix_(supp, supp)]).max() > MIX_REL * dS.min():
        return None  # C_r not small there (a G⁻¹ as large): the rotation would mix it
    _, sv, vt = np.linalg.svd(WS[:, supp])
    if sv.size == 0 or sv[0] <= 0:
        return None
    k = int((sv > sv[0] * max(WS.shape) * np.finfo(float).eps).sum())
    rest = np.setdiff1d(np.arange(Wd.shape[1]), supp)
    T = np.zeros((Wd.shape[1], Wd.shape[1]))  # rotate only within the support
    T[np.ix_(supp, np.arange(supp.size))] = vt.T
    T[rest, supp.size + np.arange(rest.size)] = 1.0
    B = np.sqrt(dS)[:, None] * (WS @ T)
    M = B.T @ B + T.T @ Cr @ T
    rhs = T.T @ (Wr.T @ (dr * y[~stiff])) + B.T @ (np.sqrt(dS) * y[stiff])
    try:
        L1 = np.linalg.cholesky(M[:k, :k])
        X1 = sla.cho_solve((L1, True), M[:k, k:])
        L2 = np.linalg.cholesky(M[k:, k:] - M[:k, k:].T @ X1)
    except np.linalg.LinAlgError:
        return None
    ldc = 2.0 * float(np.log(np.diag(L1)).sum() + np.log(np.diag(L2)).sum())
    z1 = sla.cho_solve((L1, True), rhs[:k])
    z2 = sla.cho_solve((L2, True), rhs[k:] - M[:k, k:].T @ z1) if k < T.shape[1] \
        else np.zeros(0)
    sol = T @ np.concatenate([z1 - X1 @ z2, z2])
    e = y - Wd @ sol
    ypy = float(e @ (d * e) + sol @ (gstar @ sol))
    if not np.isfinite(ldc) or not np.isfinite(ypy):
        return None
    minv = np.empty_like(M)
    minv[:k, :k] = sla.cho_solve((L1, True), np.eye(k))
    if k < M.shape[0]:
        sinv = sla.cho_solve((L2, True), np.eye(M.shape[0] - k))
        minv[k:, k:] = sinv
        minv[:k, k:] = -X1 @ sinv
        minv[k:, :k] = minv[:k, k:].T
        minv[:k, :k] += X1 @ sinv @ X1.T
    cinv = T @ minv @ T.T
    return sol, ldc, ypy, RotatedInverse(0.5 * (cinv + cinv.T), ldc, (T, L1, X1, L2, k),
                                          stiff)


def rotated_section_traces(inv: object, W: sp.spmatrix, residual: CovTemplate,
                           tr: np.ndarray) -> list[float | None] | None:
    """[tr(C⁻¹W'M_kW) or None] per residual section (rows, M_k) of
    ``residual.inv_deriv_inv_sections(tr)`` from :meth:`RotatedInverse.section_trace` when
    ``inv`` is one (None for a section without stiff records: C⁻¹'s entries are as good
    there), else None (nothing formed)."""
    if not isinstance(inv, RotatedInverse):
        return None
    Wc = sp.csr_matrix(W)
    return [inv.section_trace(Wc if rows is None else Wc[rows], rows, materialise(m))
            if inv.stiff_at(rows).any() else None
            for rows, m in residual.inv_deriv_inv_sections(tr)]
