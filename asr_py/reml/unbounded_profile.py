"""ℓ profiled over a singular block's orientation: an unbounded ℓ whatever the direction the
fit stopped in (s33unb).

:func:`asr_py.reml.unbounded.probe` shrinks the small eigenvalues of a block M along the
eigenvectors the fit stopped with. When those are off the null combinations the data allow
by ε (a fit stopped short of the floor's optimum, a rank-1 residual whose one direction is
not yet the pure-error contrasts'), the records' component ε·δ along them costs
(εδ)²/(2λ) and ℓ rises for a decade or two, then falls: the fixed-direction probe cannot
tell. The profile does not depend on the direction:

    ℓ*(c) = max_L ℓ(θ with M = D^½ (L L' + c I) D^½),   L lower triangular, D = diag M(θ),

(every other parameter held at θ): the sets {L L' + c I} are nested as c falls, so ℓ* does
not decrease; it converges as c → 0 when ℓ is bounded along M's boundary and rises by
(d/2)·ln 10 per decade of c when V turns singular along d record contrasts (held parameters
give a lower bound of the supremum: no false verdict of unboundedness). Read on V formed
directly (:mod:`asr_py.reml.v_loglik`): at most PROFILE_N records and blocks of at most
PROFILE_Q levels; the profile is run only where the fixed-direction probe saw ℓ rise over a
decade without rising over both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import minimize

from asr_py.reml.unbounded import SMALL, Unbounded, rises

#: records at most (each profile point is a BFGS over the block on V)
PROFILE_N = 500
#: BFGS iterations at most per profile point
MAXITER = 100
#: levels of the block at most
PROFILE_Q = 6
#: an eigenvalue of L L' + c I below this x c is one of the profile's null directions
NULL_FOLD = 10.0
#: the profile's c: far enough from 0 that ℓ's curvature across the null (~1/c) leaves a
#: finite-difference BFGS its digits, close enough that a bounded ℓ has converged
LEVELS = (1e-4, 1e-5, 1e-6)


def _theta_of(block: Any, theta: np.ndarray, sd: np.ndarray, c: float,
              x: np.ndarray) -> np.ndarray:
    q = sd.size
    L = np.zeros((q, q))
    L[np.tril_indices(q)] = x
    out = theta.copy()
    out[block.idx] = block.params_of(np.outer(sd, sd) * (L @ L.T + c * np.eye(q)))
    return out


def _max_at(block: Any, theta: np.ndarray, sd: np.ndarray, c: float, x0: np.ndarray,
            loglik: Callable[[np.ndarray], float | None]) -> tuple[np.ndarray, float]:
    def neg(x: np.ndarray) -> float:
        v = loglik(_theta_of(block, theta, sd, c, x))
        return 1e300 if v is None or not np.isfinite(v) else -float(v)

    r = minimize(neg, x0, method="BFGS", options={"maxiter": MAXITER, "gtol": 1e-6})
    x = r.x if r.fun <= neg(x0) else x0
    return x, -float(min(r.fun, neg(x0)))


def profile_probe(block: Any, theta: np.ndarray,
                  loglik: Callable[[np.ndarray], float | None]) -> Unbounded | None:
    """:class:`Unbounded` when ℓ*(c) (module docstring) rises by at least UNB_RATE·ln 10
    over each of the decades of LEVELS (M's smallest correlation-scale eigenvalue below
    SMALL: a singular block); None otherwise, or for a correlation block, a block of more
    than PROFILE_Q levels or a non-positive variance."""
    if block.corr:
        return None
    M = np.asarray(block.matrix(theta), dtype=float)
    q = M.shape[0]
    se = block.scaled_eig(M)
    if q > PROFILE_Q or se is None or not se[0][0] < SMALL:
        return None
    mu, w, d = se
    sd = np.sqrt(d)
    C = (w * np.maximum(mu - LEVELS[0], 0.0)) @ w.T
    try:
        L0 = np.linalg.cholesky(C + 1e-12 * np.eye(q))
    except np.linalg.LinAlgError:
        return None
    x = L0[np.tril_indices(q)]
    lls, xs = [], []
    for c in LEVELS:
        x, ll = _max_at(block, theta, sd, c, x, loglik)
        if not np.isfinite(ll) or ll < -1e299:
            return None
        lls.append(ll)
        xs.append(x)
    g = (lls[1] - lls[0], lls[2] - lls[1])
    if not rises(g):
        return None
    L = np.zeros((q, q))
    L[np.tril_indices(q)] = xs[-1]
    c = LEVELS[-1]
    ev, W = np.linalg.eigh(L @ L.T + c * np.eye(q))
    k = max(1, int(np.sum(ev < NULL_FOLD * c)))
    return Unbounded(block.name, np.asarray(block.idx), (float(g[0]), float(g[1])),
                     max(1, int(round((g[0] + g[1]) / np.log(10.0)))), float(mu[0]),
                     W[:, :k])


__all__ = ["PROFILE_N", "PROFILE_Q", "profile_probe"]
