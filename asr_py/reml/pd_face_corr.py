"""The positive-definite face of a general correlation matrix (corg, corgv, corgh; issue 11).

A correlation matrix C = I + Σ_k ρ_k E_k of rank r < n is C = N N' with N (n x r) of unit
rows. While iterating on the face the matrix is kept positive definite with unit diagonal,

    C(N) = (N N' + c I) / (1 + c),        (smallest eigenvalue c/(1 + c) ≈ c)

and each row moves on its unit sphere: N_i(t_i) = (u_i + B_i t_i)/√(1 + |t_i|²), u_i the
current unit row, B_i an orthonormal basis of the directions orthogonal to u_i among the
row's free entries (N is rotated so that its pivot rows are lower trapezoidal, which fixes
the rotation L → LQ). The face has dimension n(r − 1) − r(r − 1)/2 and, at t = 0,

    ∂N/∂t_ia = e_i b_ia',     ∂²N/∂t_ia∂t_ib = −δ_ab e_i u_i'         (b_ia = B_i e_a)
    (1 + c) ∂²C/∂t_ia∂t_jb = ∂²N N' + N ∂²N' + (b_ia'b_jb)(e_i e_j' + e_j e_i')

ρ = P vec(C − I), P the left inverse of the template's basis. Leaving the face along a null
vector w of C (Cw = 0) is the direction dC = ww' − ½(D_w C + C D_w), D_w = Diag(w∘w): unit
diagonal kept to first order and w'dC w = |w|⁴ > 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sla


def _tangent(u: np.ndarray, free: np.ndarray) -> np.ndarray:
    """An orthonormal basis (r x m) of the directions within the ``free`` entries that are
    orthogonal to the unit vector u (supported on ``free``)."""
    r = u.size
    ix = np.flatnonzero(free)
    if ix.size <= 1:
        return np.zeros((r, 0))
    q = sla.null_space(u[ix][None, :])
    out = np.zeros((r, q.shape[1]))
    out[ix, :] = q
    return out


def pivot_lower(L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """L (n x r) rotated so that its pivot rows form a lower-triangular r x r block:
    L[piv] Q = R' by a pivoted QR of L'; the entries above that triangle are set to 0.
    Returns (L, its free-entry mask)."""
    n, r = L.shape
    q, _, piv = sla.qr(L.T, pivoting=True)
    L = L @ q
    mask = np.zeros((n, r), dtype=bool)
    for i, row in enumerate(piv):
        mask[row, :min(i, r - 1) + 1] = True
    return np.where(mask, L, 0.0), mask


class CorrFace:
    """A correlation matrix on its face of rank r: unit rows N and their tangent bases."""

    def __init__(self, block: Any, rank: int, N: np.ndarray, mask: np.ndarray,
                 P: np.ndarray) -> None:
        self.block = block
        self.rank = rank
        self.N = N
        self.mask = mask
        self.P = P
        self.B = [_tangent(N[i], mask[i]) for i in range(N.shape[0])]
        self.sizes = [b.shape[1] for b in self.B]

    @classmethod
    def start(cls, block: Any, theta: np.ndarray, rank_tol: float) -> CorrFace | None:
        """The face through θ's correlation matrix (rank = #{eigenvalues > rank_tol}), or
        None when C is of full rank, rank 0 or not a valid correlation matrix."""
        c = np.tensordot(theta[block.idx], block.E, axes=1) + np.eye(block.E.shape[1])
        if not np.all(np.isfinite(c)):
            return None
        mu, w = np.linalg.eigh(c)
        keep = mu > rank_tol
        r = int(keep.sum())
        n = c.shape[0]
        if r == 0 or r == n:
            return None
        L = w[:, keep] * np.sqrt(mu[keep])[None, :]
        L, mask = pivot_lower(L)
        norm = np.linalg.norm(L, axis=1)
        if np.any(norm <= 0.5):  # (C_ii = 1 and at most n eigenvalues <= rank_tol dropped)
            return None
        P = np.linalg.pinv(block.basis)
        face = cls(block, r, L / norm[:, None], mask, P)
        cm = face.matrix(np.zeros(face.n_free), 0.0) - np.eye(n)
        if np.abs(block.basis @ (P @ cm.ravel()) - cm.ravel()).max() > 1e-8:
            return None  # the template does not represent every correlation matrix
        return face

    @property
    def n_free(self) -> int:
        return int(sum(self.sizes))

    def rows(self, t: np.ndarray) -> np.ndarray:
        """N(t): each row u_i + B_i t_i, normalised."""
        out = self.N.copy()
        o = 0
        for i, (b, m) in enumerate(zip(self.B, self.sizes)):
            if m:
                v = self.N[i] + b @ t[o:o + m]
                out[i] = v / np.linalg.norm(v)
            o += m
        return out

    def matrix(self, t: np.ndarray, ridge: float) -> np.ndarray:
        """C(t) = (N N' + c I)/(1 + c)."""
        N = self.rows(t)
        return (N @ N.T + ridge * np.eye(N.shape[0])) / (1.0 + ridge)

    def params(self, t: np.ndarray, ridge: float) -> np.ndarray:
        """ρ(t) = P vec(C(t) − I)."""
        c = self.matrix(t, ridge)
        return self.P @ (c - np.eye(c.shape[0])).ravel()

    def _entries(self) -> list[tuple[int, np.ndarray]]:
        return [(i, b[:, a]) for i, b in enumerate(self.B) for a in range(b.shape[1])]

    def jacobian(self, ridge: float) -> np.ndarray:
        """∂ρ/∂t (k x n_free) at t = 0."""
        N = self.N
        cols = []
        for i, b in self._entries():
            nb = N @ b
            dc = np.zeros((N.shape[0], N.shape[0]))
            dc[i, :] += nb
            dc[:, i] += nb
            cols.append(self.P @ (dc / (1.0 + ridge)).ravel())
        if not cols:
            return np.zeros((self.P.shape[0], 0))
        return np.array(cols).T

    def second_order(self, s_b: np.ndarray, ridge: float) -> np.ndarray:
        """T_ab = ⟨G, ∂²C/∂t_a∂t_b⟩, G = mat(P's_b): the score's curvature term."""
        n = self.N.shape[0]
        g = (self.P.T @ s_b).reshape(n, n)
        g = g + g.T  # ⟨G, X + X'⟩ = ⟨G + G', X⟩
        ents = self._entries()
        m = len(ents)
        t = np.zeros((m, m))
        for a, (i, ba) in enumerate(ents):
            for c, (j, bc) in enumerate(ents):
                v = float(ba @ bc) * g[i, j]  # ⟨G, (b_a'b_c)(e_i e_j' + e_j e_i')⟩
                if a == c:  # −e_i (N u_i)' − (N u_i) e_i'
                    v -= float(g[i] @ (self.N @ self.N[i]))
                t[a, c] = v / (1.0 + ridge)
        return t

    def rank_up(self, theta: np.ndarray, score: np.ndarray, ai: np.ndarray,
                gain_tol: float, rank_tol: float) -> bool:
        """True when leaving the face along a null vector w of C has positive first-order
        gain g and Newton gain ½g²/curvature above ``gain_tol``."""
        b = self.block
        c = np.tensordot(theta[b.idx], b.E, axes=1) + np.eye(b.E.shape[1])
        mu, w = np.linalg.eigh(c)
        s_b, a_b = score[b.idx], ai[np.ix_(b.idx, b.idx)]
        for v in w[:, mu <= rank_tol].T:
            dw = np.diag(v * v)
            dc = np.outer(v, v) - 0.5 * (dw @ c + c @ dw)
            t = self.P @ dc.ravel()
            g = float(s_b @ t)
            cv = float(t @ a_b @ t)
            if g > 0 and (cv <= 0 or 0.5 * g * g / cv > gain_tol):
                return True
        return False

    def reridge(self, theta_b: np.ndarray, c_from: float, c_to: float) -> np.ndarray:
        """ρ with C = (NN' + c_from I)/(1 + c_from) replaced by (NN' + c_to I)/(1 + c_to)."""
        n = self.N.shape[0]
        c = np.tensordot(theta_b, self.block.E, axes=1) + np.eye(n)
        nn = (1.0 + c_from) * c - c_from * np.eye(n)
        return self.P @ ((nn + c_to * np.eye(n)) / (1.0 + c_to) - np.eye(n)).ravel()
