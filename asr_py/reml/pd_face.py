"""Newton steps on the positive-definite face of a covariance matrix (issue 11, item 2).

When the REML optimum of a covariance matrix M (n x n, linear in its parameters,
M(θ_b) = Σ_k θ_k E_k: us and the us parts of Kronecker products) is singular, the AI step
in θ keeps hitting the PD cone and only EM steps (linear convergence) remain. On the face
of rank r the matrix is reparametrised

    M(L) = L L' + c Diag(L L'),   L: n x r lower trapezoidal (rows pivoted),

c = the held correlation-scale eigenvalue (a positive definite M, smallest eigenvalue of its
correlation matrix ≈ c, so the mixed model equations stay solvable). θ_b = P vec M with P
the left inverse of the template's basis. With φ = (the other free θ, the entries of L):

    ∂θ/∂φ_a = P vec(dM_a),  dM_a = Ė_a L' + L Ė_a' + c Diag(·)      (Ė_a = e_i e_j')
    −∂²ℓ/∂φ∂φ' ≈ J' AI J − T,  T_ab = ⟨G, ∂²M/∂φ_a∂φ_b⟩,  G = mat(P's_b)  (the matrix gradient)

and a (damped) Newton step in φ converges quadratically to the optimum on the face.
Whether raising the rank increases ℓ is read from the normal cone: for a unit null vector
w of the correlation matrix, the direction D^½ww'D^½ has first-order gain g = s'θ_w; a face
is kept when the Newton gain ½g²/(θ_w'AIθ_w) along every such w with g > 0 is negligible.

Pure arrays in, arrays out: a block is anything with ``idx``, ``E`` (k, n, n), ``basis``
(n², k) and ``corr``; a correlation matrix (``corr``) has its own face,
:class:`~asr_py.reml.pd_face_corr.CorrFace` (unit rows), with the same interface.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import scipy.linalg as sla

from asr_py.reml.pd_face_corr import CorrFace, pivot_lower

#: an eigenvalue of the correlation matrix above this counts towards the rank of the face
RANK_TOL = 1e-3
#: c of M(L) = LL' + c Diag(LL') while iterating on a face (the smallest eigenvalue of the
#: correlation matrix held there, the AI iteration's PD_EPS): the score's terms grow like 1/c
#: and cancel, so a smaller c makes the Newton steps noisy
FACE_RIDGE = 1e-6
#: c of the reported estimates: ℓ falls across the boundary by |∂ℓ/∂μ| x c (~1e-5 at
#: FACE_RIDGE), while ℓ itself is accurate at small c; the converged L is re-evaluated here
#: (the optimal L moves by O(c), which changes ℓ by O(c²))
FINAL_RIDGE = 1e-8
#: Levenberg-Marquardt damping tried (relative to the scaled Newton matrix) when it is not PD
_DAMP = (0.0, 1e-8, 1e-6, 1e-4, 1e-2, 1e-1, 1.0, 10.0)


class LinearBlock(Protocol):
    """What a face needs of a covariance matrix linear in its parameters."""

    idx: np.ndarray
    E: np.ndarray
    basis: np.ndarray
    corr: bool


@dataclass
class _Face:
    """One linear block on its face: row pivots, free-entry mask of L, left inverse P."""

    block: LinearBlock
    rank: int
    L: np.ndarray  # n x r, zero outside ``mask``
    mask: np.ndarray  # n x r, free entries
    P: np.ndarray  # k x n², θ_b = P vec(M)

    @property
    def n_free(self) -> int:
        return int(self.mask.sum())

    def params(self, dl: np.ndarray, ridge: float) -> np.ndarray:
        """θ_b at the free entries of L moved by ``dl``."""
        L = self.L.copy()
        L[self.mask] += dl
        return self.P @ face_matrix(L, ridge).ravel()

    def jacobian(self, ridge: float) -> np.ndarray:
        return _jacobian(self, ridge)[0]

    def second_order(self, s_b: np.ndarray, ridge: float) -> np.ndarray:
        return _second_order(self, s_b, _jacobian(self, ridge)[1], ridge)

    def rank_up(self, theta: np.ndarray, score: np.ndarray, ai: np.ndarray,
                gain_tol: float, rank_tol: float) -> bool:
        return _rank_up(self, theta, score, ai, gain_tol)

    def reridge(self, theta_b: np.ndarray, c_from: float, c_to: float) -> np.ndarray:
        """θ_b with M = LL' + c_from Diag(LL') replaced by LL' + c_to Diag(LL')
        (LL' = M − c_from/(1 + c_from) Diag(M))."""
        m = np.tensordot(theta_b, self.block.E, axes=1)
        ll = m - c_from / (1.0 + c_from) * np.diag(np.diag(m))
        return self.P @ (ll + c_to * np.diag(np.diag(ll))).ravel()


Face = _Face | CorrFace


@dataclass
class FaceStep:
    """A Newton step in φ and the map back to θ."""

    theta0: np.ndarray
    free: np.ndarray  # indices of the other free θ (moved additively)
    faces: list[Face]
    dphi: np.ndarray
    gain: float  # predicted increase of ℓ along the full step (quadratic model)
    rank_up: list[bool] = field(default_factory=list)  # per face: a higher rank gains
    J: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)  # ∂θ/∂φ
    H: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)  # −∇²ℓ(φ)
    g: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)  # ∂ℓ/∂φ
    T: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)  # H = J'AIJ − T

    def theta_at(self, alpha: float, ridge: float) -> np.ndarray:
        """θ(φ₀ + α δφ)."""
        return self.theta_of(alpha * self.dphi, ridge)

    def theta_of(self, dphi: np.ndarray, ridge: float) -> np.ndarray:
        """θ(φ₀ + dφ)."""
        th = self.theta0.copy()
        nf = self.free.size
        th[self.free] += dphi[:nf]
        o = nf
        for f in self.faces:
            th[f.block.idx] = f.params(dphi[o:o + f.n_free], ridge)
            o += f.n_free
        return th

    def ranks(self) -> list[int]:
        return [f.rank for f in self.faces]



def face_matrix(L: np.ndarray, ridge: float) -> np.ndarray:
    """M = LL' + c Diag(LL')."""
    m = L @ L.T
    return m + ridge * np.diag(np.diag(m))


def _start_face(b: LinearBlock, theta: np.ndarray, ridge: float) -> Face | None:
    """The face through θ's block matrix: rank r = #{correlation-scale eigenvalues >
    RANK_TOL}; None when M is full rank, has a non-positive variance or is rank 0."""
    if b.corr:
        return CorrFace.start(b, theta, RANK_TOL)
    m = np.tensordot(theta[b.idx], b.E, axes=1)
    d = np.diag(m).copy()
    if not np.all(np.isfinite(m)) or np.any(d <= 0):
        return None
    sd = np.sqrt(d)
    mu, w = np.linalg.eigh(m / np.outer(sd, sd))
    keep = mu > RANK_TOL
    r = int(keep.sum())
    n = m.shape[0]
    if r == 0 or r == n:
        return None
    L = sd[:, None] * w[:, keep] * np.sqrt(mu[keep])[None, :] / np.sqrt(1.0 + ridge)
    L, mask = pivot_lower(L)
    P = np.linalg.pinv(b.basis)
    # the template must represent every symmetric matrix of the face (us does)
    if np.abs(b.basis @ (P @ face_matrix(L, ridge).ravel())
              - face_matrix(L, ridge).ravel()).max() > 1e-8 * max(float(d.max()), 1e-300):
        return None
    return _Face(b, r, L, mask, P)


def _jacobian(f: _Face, ridge: float) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """(∂θ_b/∂l_a as columns, the (row, column) of each free entry a)."""
    n, _ = f.L.shape
    ents = [(int(i), int(j)) for i, j in zip(*np.nonzero(f.mask))]
    cols = []
    for i, j in ents:
        dm = np.zeros((n, n))
        dm[i, :] += f.L[:, j]
        dm[:, i] += f.L[:, j]
        dm += ridge * np.diag(np.diag(dm))
        cols.append(f.P @ dm.ravel())
    return np.array(cols).T, ents


def _second_order(f: _Face, s_b: np.ndarray, ents: list[tuple[int, int]],
                  ridge: float) -> np.ndarray:
    """T_ab = ⟨G, ∂²M/∂l_a∂l_b⟩ with G = mat(P's_b): δ_jl (G_ik + G_ki + 2cδ_ik G_ii)."""
    n = f.L.shape[0]
    g = (f.P.T @ s_b).reshape(n, n)
    m = len(ents)
    t = np.zeros((m, m))
    for a, (i, j) in enumerate(ents):
        for c, (k, l2) in enumerate(ents):
            if j == l2:
                t[a, c] = g[i, k] + g[k, i] + (2.0 * ridge * g[i, i] if i == k else 0.0)
    return t


def _rank_up(f: _Face, theta: np.ndarray, score: np.ndarray, ai: np.ndarray,
             gain_tol: float) -> bool:
    """True when a direction out of the face (a null vector of the correlation matrix)
    has positive first-order gain g and a Newton gain ½g²/curvature above ``gain_tol``."""
    b = f.block
    m = np.tensordot(theta[b.idx], b.E, axes=1)
    sd = np.sqrt(np.diag(m))
    mu, w = np.linalg.eigh(m / np.outer(sd, sd))
    s_b, a_b = score[b.idx], ai[np.ix_(b.idx, b.idx)]
    for v in w[:, mu <= RANK_TOL].T:
        u = sd * v
        t = f.P @ np.outer(u, u).ravel()
        g = float(s_b @ t)
        c = float(t @ a_b @ t)
        if g > 0 and (c <= 0 or 0.5 * g * g / c > gain_tol):
            return True
    return False


def face_step(theta: np.ndarray, score: np.ndarray, ai: np.ndarray,
              blocks: Sequence[LinearBlock], free: np.ndarray, ridge: float,
              gain_tol: float) -> FaceStep | None:
    """The Newton step on the faces of ``blocks`` at θ (the other ``free`` parameters move
    with it), or None when no block is on a proper face (rank 0 < r < n)."""
    faces = [f for f in (_start_face(b, theta, ridge) for b in blocks) if f is not None]
    if not faces:
        return None
    in_face = np.zeros(theta.size, dtype=bool)
    for f in faces:
        in_face[f.block.idx] = True
    other = np.flatnonzero(free & ~in_face)
    nphi = other.size + sum(f.n_free for f in faces)
    if nphi == 0:  # (a 2 x 2 correlation at ±1 is a point: nothing moves on its face)
        return None
    J = np.zeros((theta.size, nphi))
    J[other, np.arange(other.size)] = 1.0
    T = np.zeros((nphi, nphi))
    o = other.size
    for f in faces:
        J[np.ix_(f.block.idx, np.arange(o, o + f.n_free))] = f.jacobian(ridge)
        T[o:o + f.n_free, o:o + f.n_free] = f.second_order(score[f.block.idx], ridge)
        o += f.n_free
    g = J.T @ score
    H = J.T @ ai @ J - T
    dphi = newton_step(H, g)
    if dphi is None:
        return None
    gain = float(g @ dphi - 0.5 * dphi @ H @ dphi)
    # θ₀ on the face (its small eigenvalues dropped): the step starts there
    step = FaceStep(theta.copy(), other, faces, dphi, gain, J=J, H=H, g=g, T=T)
    step.theta0 = step.theta_at(0.0, ridge)
    step.theta0[other] = theta[other]
    step.rank_up = [f.rank_up(theta, score, ai, gain_tol, RANK_TOL) for f in faces]
    return step


def newton_step(H: np.ndarray, g: np.ndarray) -> np.ndarray | None:
    """Solve H δ = g in the diagonally scaled coordinates, Levenberg-Marquardt damped until
    the scaled matrix is positive definite."""
    d = np.abs(np.diag(H))
    d = np.where(np.isfinite(d) & (d > 0), d, 1.0)
    r = 1.0 / np.sqrt(d)
    hs = H * np.outer(r, r)
    if not np.all(np.isfinite(hs)):
        return None
    for lam in _DAMP:
        try:
            c = np.linalg.cholesky(hs + lam * np.eye(hs.shape[0]))
        except np.linalg.LinAlgError:
            continue
        if np.min(np.diag(c)) ** 2 <= 1e-12 * max(float(np.max(np.diag(c))) ** 2, 1e-300):
            continue
        x = sla.cho_solve((c, True), g * r)
        return x * r
    return None


def near_face(blocks: Sequence[LinearBlock], theta: np.ndarray) -> list[LinearBlock]:
    """The blocks whose correlation matrix has an eigenvalue below RANK_TOL: candidates for
    a face step."""
    out = []
    for b in blocks:
        m = np.tensordot(theta[b.idx], b.E, axes=1)
        if b.corr:
            m = m + np.eye(m.shape[0])
        d = np.diag(m)
        if not np.all(np.isfinite(m)) or np.any(d <= 0):
            continue
        sd = np.sqrt(d)
        if np.linalg.eigvalsh(m / np.outer(sd, sd))[0] < RANK_TOL:
            out.append(b)
    return out


def search(step: FaceStep, evaluate: Callable[[np.ndarray], Any],
           valid: Callable[[np.ndarray], bool], loglik: float, ridge: float,
           slack: float, halvings: int) -> tuple[Any, float, np.ndarray | None]:
    """Try θ(φ₀ + αδφ) for α = 1, ½, ...; the first valid point whose ℓ (``evaluate(θ)
    .loglik``) is at least ``loglik − slack`` is returned as (state, α, θ)."""
    alpha = 1.0
    for _ in range(halvings + 1):
        cand = step.theta_at(alpha, ridge)
        if np.all(np.isfinite(cand)) and valid(cand):
            try:
                new = evaluate(cand)
            except (np.linalg.LinAlgError, ValueError):
                new = None
            if new is not None and new.loglik >= loglik - slack:
                return new, alpha, cand
        alpha *= 0.5
    return None, 0.0, None


def face_vcov(step: FaceStep, eig_tol: float) -> np.ndarray | None:
    """Var(θ̂) ≈ J H⁻¹ J' (the delta method from the face coordinates φ; rank = dim φ), or
    None when H is singular (its diagonally scaled form has an eigenvalue <= eig_tol x the
    largest): then the face's parameters are not identifiable either."""
    H = step.H
    d = np.diag(H)
    if H.size == 0 or not np.all(np.isfinite(H)) or np.any(d <= 0):
        return None
    r = 1.0 / np.sqrt(d)
    w = np.linalg.eigvalsh(H * np.outer(r, r))
    if w[0] <= eig_tol * max(abs(w[-1]), 1e-300):
        return None
    return step.J @ np.linalg.solve(H, step.J.T)


def face_indices(step: FaceStep) -> np.ndarray:
    """Global θ indices of the parameters of every block on a face."""
    if not step.faces:
        return np.zeros(0, dtype=int)
    return np.concatenate([np.asarray(f.block.idx, dtype=int) for f in step.faces])


def _unit_correlations(m: np.ndarray) -> tuple[np.ndarray, str]:
    """(eigenvalues of M's correlation matrix, 'correlations at ±1 between levels ...' for
    only the pairs truly at ±1, or 'no correlation at ±1')."""
    n = m.shape[0]
    sd = np.sqrt(np.diag(m))
    c = m / np.outer(sd, sd)
    mu = np.linalg.eigvalsh(c)
    pm1 = [(i, j) for i in range(n) for j in range(i) if abs(c[i, j]) >= 1 - RANK_TOL]
    at = (f"correlations at ±1 between levels {', '.join(f'{j + 1}&{i + 1}' for i, j in pm1)}"
          if pm1 else "no correlation at ±1")
    return mu, at


def describe(name: str, m: np.ndarray, kind: str = "covariance") -> str:
    """The boundary diagnostic of a singular matrix: its rank and only the correlations that
    really are at ±1."""
    mu, at = _unit_correlations(m)
    rank = int(np.sum(mu > RANK_TOL))
    return (f"the {kind} matrix of {name} is at the boundary of the parameter space: "
            f"singular, rank {rank} of {m.shape[0]} (smallest eigenvalue of its correlation "
            f"matrix {mu[0]:.2g}, {at}); the estimates are the boundary solution (REML "
            "optimum on the positive semi-definite cone)")


def held_describe(name: str, m: np.ndarray, kind: str = "covariance") -> str:
    """The diagnostic of a matrix held on the PD boundary without a face step (its standard
    errors come from the constrained AI matrix): only the correlations truly at ±1."""
    if not (np.all(np.isfinite(m)) and np.all(np.diag(m) > 0)):
        return (f"the {kind} matrix of {name} is at the boundary of the parameter space; the "
                "estimates are the boundary solution and their standard errors are not "
                "reliable")
    mu, at = _unit_correlations(m)
    return (f"the {kind} matrix of {name} is at the boundary of the parameter space "
            f"(singular: smallest eigenvalue of its correlation matrix {mu[0]:.2g}, {at}); "
            "the estimates are the boundary solution and their standard errors are not "
            "reliable")


def reridge(step: FaceStep, theta: np.ndarray, c_from: float, c_to: float) -> np.ndarray:
    """θ with every face block's ridge c_from (LL' + c Diag(LL'); (NN' + cI)/(1 + c) for a
    correlation matrix) replaced by c_to."""
    out = theta.copy()
    for f in step.faces:
        out[f.block.idx] = f.reridge(theta[f.block.idx], c_from, c_to)
    return out
