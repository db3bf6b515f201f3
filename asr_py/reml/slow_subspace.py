"""The Hessian on the slow subspace of a many-parameter AI iteration (s19sel).

Full AI steps contract the error e by I − AI⁻¹H (H = −∇²ℓ; :mod:`asr_py.reml.slow_ai`).
After a few steps the error left is in the span of that map's dominant eigenvectors, the
directions AI misjudges (power iteration): the last steps themselves span that subspace. When
there are too many free parameters to difference H entirely (slow_ai.MAX_FD_PARAMS; 2 x
n_free score evaluations), H is differenced along the last steps only: with V (n_free x k)
an orthonormal basis (in standard-error units) of the last SUB_STEPS steps, Y = H V from
central differences of the score along each column (2k evaluations), and

    B = AI − AI V (V'AI V)⁻¹ V'AI + Y M⁻¹ Y',   M = ½(V'Y + Y'V),

the block BFGS update of AI on the pairs (V, Y) (Schnabel 1983): B V = Y when V'Y is
symmetric, so B agrees with H on the slow subspace and with AI's curvature off it
(B − AI vanishes on vectors AI-orthogonal to V). B is positive definite when AI is and M is
(x'Bx = 0 needs x ∈ span V and Y'x = 0, i.e. x = Vc with Mc = 0). The Newton step B⁻¹s then
removes the error along the slow directions in one go: (I − B⁻¹H)V = 0.

On asremlPlus's longitudinal Selection model (test42Selection.r: Block:Cart:ar1h(DAP) with
48 free parameters) full AI steps overshoot along three residual-variance/correlation
directions in turn (successive steps at cosine −0.99, each 1.2 x the one before, held in
check by step halvings): 115 iterations where the subspace step needs a fraction of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

#: the number of most recent steps whose span is taken as the slow subspace
SUB_STEPS = 6
#: a step's component orthogonal to the earlier ones (each step scaled to unit length in
#: standard-error units) must be at least this long to add a direction
SUB_NEW = 0.1
#: the subspace step is taken only once the last step moved every parameter by at most this
#: many standard errors (near the optimum: far from it a Newton step can leave for another
#: local maximum)
SUB_MAX_Z = 1.0
#: the difference step along a direction, in standard-error units (as slow_ai.FD_Z)
SUB_Z = 1e-4


def slow_basis(steps: Sequence[np.ndarray], ai: np.ndarray, idx: np.ndarray
               ) -> np.ndarray | None:
    """Directions (columns, in θ units over ``idx``) spanning the last SUB_STEPS ``steps``,
    orthonormal in standard-error units z = D^{½}δ (D = diag(AI) over ``idx``); None when no
    step moved a parameter of ``idx``."""
    d = np.diag(ai)[idx]
    if np.any(~np.isfinite(d)) or np.any(d <= 0):
        return None
    sq = np.sqrt(d)
    cols = []
    for s in list(steps)[-SUB_STEPS:]:
        z = np.asarray(s, dtype=float)[idx] * sq
        n = float(np.linalg.norm(z))
        if np.isfinite(n) and n > 0:
            cols.append(z / n)
    if not cols:
        return None
    basis: list[np.ndarray] = []
    for z in reversed(cols):  # the latest step first: it is the most accurate direction
        for q in basis:
            z = z - (q @ z) * q
        n = float(np.linalg.norm(z))
        if n >= SUB_NEW:
            basis.append(z / n)
    return np.column_stack(basis) / sq[:, None]


def subspace_information(score_at: Callable[[np.ndarray], np.ndarray | None],
                         valid: Callable[[np.ndarray], bool], theta: np.ndarray,
                         score: np.ndarray, ai: np.ndarray, free: np.ndarray,
                         steps: Sequence[np.ndarray]) -> np.ndarray | None:
    """AI with its block of ``free`` parameters replaced by the block BFGS update B on the
    slow subspace spanned by the last ``steps`` (module docstring), H V from differences of
    the score (central; one-sided next to a bound); None when there is no direction, an
    evaluation fails, or V'HV is not positive definite (the slow directions are not yet
    those of a maximum)."""
    idx = np.flatnonzero(free)
    if idx.size == 0:
        return None
    v = slow_basis(steps, ai, idx)
    if v is None:
        return None
    y = np.zeros_like(v)
    for j in range(v.shape[1]):
        e = np.zeros(theta.size)
        e[idx] = SUB_Z * v[:, j]  # SUB_Z standard errors along the unit z-direction
        up, lo = theta + e, theta - e
        s_up = score_at(up) if valid(up) else None
        s_lo = score_at(lo) if valid(lo) else None
        if s_up is not None and s_lo is not None:
            col = -(s_up - s_lo) / (2 * SUB_Z)
        elif s_up is not None:
            col = -(s_up - score) / SUB_Z
        elif s_lo is not None:
            col = -(score - s_lo) / SUB_Z
        else:
            return None
        y[:, j] = col[idx]
    a = ai[np.ix_(idx, idx)]
    m = v.T @ y
    m = 0.5 * (m + m.T)
    av = a @ v
    vav = v.T @ av
    try:
        lm = np.linalg.cholesky(m)
        lv = np.linalg.cholesky(vav)
    except np.linalg.LinAlgError:
        return None
    ym = np.linalg.solve(lm, y.T)  # L⁻¹Y': Y M⁻¹ Y' = (L⁻¹Y')'(L⁻¹Y')
    avl = np.linalg.solve(lv, av.T)
    b = a - avl.T @ avl + ym.T @ ym
    out = np.array(ai, dtype=float, copy=True)
    out[np.ix_(idx, idx)] = 0.5 * (b + b.T)
    return out


def recent_steps(history: Sequence[dict]) -> list[np.ndarray]:
    """The last SUB_STEPS steps θ_i − θ_{i−1} of the iteration's ``history`` records."""
    th = [np.asarray(h["theta"], dtype=float) for h in list(history)[-SUB_STEPS - 1:]]
    return [b - a for a, b in zip(th[:-1], th[1:]) if a.shape == b.shape]
