"""ℓ alone on V formed directly (s32unb): V = R + Σ_j Z_j G_j Z_j',

    ℓ = −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + y'Py],

without the score, AI or C⁻¹ of :func:`asr_py.reml.dense_v.evaluate` (a probe needs ℓ at a
few points only). Accurate near a singular covariance matrix, where the mixed model
equations' log|C| − log|G| terms cancel to few digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from asr_py.reml.problem import MixedProblem

LOG2PI = float(np.log(2.0 * np.pi))


@dataclass
class VParts:
    """The dense pieces of V's ℓ: y, X, each random term's Z."""

    y: np.ndarray
    X: np.ndarray
    Z: list[np.ndarray]


def _dense(a: object) -> np.ndarray:
    return a.toarray() if hasattr(a, "toarray") else np.asarray(a)  # type: ignore[attr-defined]


def v_parts(problem: MixedProblem) -> VParts:
    y = np.asarray(problem.y, dtype=float)
    X = np.asarray(_dense(problem.X), dtype=float).reshape(y.size, -1)
    return VParts(y, X, [np.asarray(_dense(b.Z), dtype=float) for b in problem.random])


def v_loglik(parts: VParts, problem: MixedProblem, theta: np.ndarray) -> float | None:
    """ℓ at θ; None where a template is outside its bounds or V, X'V⁻¹X is not PD."""
    y, X = parts.y, parts.X
    n, p = X.shape
    tr = theta[problem.residual_offset:]
    if not problem.residual.within_bounds(tr):
        return None
    try:
        V = np.array(_dense(problem.residual.matrix(tr)), dtype=float)
        for b, Z in zip(problem.random, parts.Z):
            th = theta[b.offset:b.offset + b.template.n_params]
            if not b.template.within_bounds(th):
                return None
            V += Z @ np.asarray(_dense(b.template.matrix(th)), dtype=float) @ Z.T
        c = sla.cho_factor(0.5 * (V + V.T), lower=True)
        vx, vy = sla.cho_solve(c, X), sla.cho_solve(c, y)
        ck = sla.cho_factor(X.T @ vx, lower=True) if p else None
    except (np.linalg.LinAlgError, ValueError):
        return None
    beta = sla.cho_solve(ck, X.T @ vy) if ck is not None else np.zeros(0)
    ypy = float(y @ vy - (X.T @ vy) @ beta)
    ldv = 2.0 * float(np.log(np.diag(c[0])).sum())
    ldk = 2.0 * float(np.log(np.diag(ck[0])).sum()) if ck is not None else 0.0
    ll = -0.5 * ((n - p) * LOG2PI + ldv + ldk + ypy)
    return ll if np.isfinite(ll) else None


__all__ = ["VParts", "v_loglik", "v_parts"]
