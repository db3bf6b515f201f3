"""Covariance matrices whose positive-definite boundary the AI iteration handles: a template
linear in its parameters, M(θ) = Σ_k θ_k E_k, or a general correlation matrix I + Σ_k ρ_k E_k,
with its eigen-geometry on the correlation scale (projection onto the cone, floors)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from asr_py.reml.problem import MixedProblem
from asr_py.reml.tuning import PD_EPS, PD_MAX_N


@dataclass
class PDBlock:
    """A covariance matrix linear in its parameters, M(θ) = Σ_k θ_k E_k (us, and us parts of
    Kronecker products), or a general correlation matrix C(ρ) = I + Σ_k ρ_k E_k (corg, corgv,
    corgh; ``corr`` True, ``idx`` its correlations only), whose positive-definite boundary
    the iteration handles."""

    name: str
    idx: np.ndarray  # global indices of its parameters
    E: np.ndarray  # (k, n, n) constant derivatives
    basis: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))
    corr: bool = False  # a correlation matrix, I + Σ_k ρ_k E_k

    def matrix(self, theta: np.ndarray) -> np.ndarray:
        m = np.tensordot(theta[self.idx], self.E, axes=1)
        return m + np.eye(m.shape[0]) if self.corr else m

    def params_of(self, m: np.ndarray) -> np.ndarray:
        """θ_b with M(θ_b) = m (least squares over the symmetric entries)."""
        if self.corr:
            m = m - np.eye(m.shape[0])
        return np.linalg.lstsq(self.basis, m.ravel(), rcond=None)[0]

    def scaled_eig(self, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(μ, W, d): eigen-decomposition S = W diag(μ) W' of S = D^{-1/2} M D^{-1/2},
        D = diag(M) (the correlation matrix), or None if a diagonal element is not > 0."""
        d = np.diag(m).copy()
        if not np.all(np.isfinite(m)) or np.any(d <= 0):
            return None
        r = 1.0 / np.sqrt(d)
        mu, w = np.linalg.eigh(m * r[:, None] * r[None, :])
        return mu, w, d

    def floor(self, d: np.ndarray) -> float:
        """The held smallest eigenvalue of the correlation matrix, PD_EPS: the templates judge
        positive definiteness on the correlation scale, so it does not depend on how far apart
        the variances (the units of the traits) are."""
        return PD_EPS

    def project(self, theta: np.ndarray, floor: float) -> np.ndarray | None:
        """θ with the eigenvalues of the correlation matrix lifted to at least ``floor``
        (None if nothing changes or M has a non-positive variance)."""
        m = self.matrix(theta)
        se = self.scaled_eig(m)
        if se is None:
            return None
        mu, w, d = se
        if mu[0] >= floor:
            return None
        if self.corr:  # shrink towards I, (1 − t)C + tI: unit diagonal, μ_min = floor
            t = (floor - mu[0]) / (1.0 - mu[0])
            out = theta.copy()
            out[self.idx] = (1.0 - t) * theta[self.idx]
            return out
        s = (w * np.maximum(mu, floor)) @ w.T
        sd = np.sqrt(d)
        out = theta.copy()
        out[self.idx] = self.params_of(s * sd[:, None] * sd[None, :])
        return out


def pd_blocks(problem: MixedProblem, cons: list[str]) -> list[PDBlock]:
    """The covariance matrices linear in their parameters with covariance parameters
    (2 <= n <= PD_MAX_N, no fixed parameter) and the general correlation matrices
    (corg/corgv/corgh: 2 <= n <= PD_MAX_N, no fixed correlation) whose positive-definite
    boundary is handled by the iteration; each leaf template says which it is
    (:meth:`~asr_py.vcov.base.CovTemplate.pd_geometry`)."""
    out: list[PDBlock] = []
    assert problem.param_map is not None
    for span in problem.param_map.structures:
        leaf, off = span.template, span.start
        if leaf.n > PD_MAX_N or leaf.n_params == 0:
            continue
        geo = leaf.pd_geometry(problem.theta0[off:off + leaf.n_params])
        if geo is None or leaf.n < 2:
            continue  # (corg with n = 2: |ρ| < 1, handled as the PD boundary too: the
            # bound alone is only reached by step halving, and ρ = ±1 is a face of rank 1)
        idx = np.arange(off, off + geo.k)
        if any(cons[i] == "F" for i in idx):
            continue
        label = problem.names[off].split("!")[0]
        out.append(PDBlock(label, idx, geo.E, geo.E.reshape(geo.k, -1).T,
                            corr=geo.correlation))
    return out
