"""The AI step's quadratic programme: the scaled (and, if singular, damped) information
matrix and a primal active-set solver for max g'x − ½x'Hx s.t. lower and upper bounds and
linear rows."""

from __future__ import annotations

import numpy as np

from asr_py.reml.tuning import EIG_TOL


def scaled_information(ai: np.ndarray, idx: np.ndarray, pinned: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray, bool]:
    """(D^{-½} AI D^{-½}, D^{-½}, singular) over ``idx``, D = diag(AI). Singular when the
    scaled matrix has an eigenvalue <= EIG_TOL x its largest or a non-positive diagonal; it
    is then damped Levenberg-Marquardt style, + λI with the smallest λ in 10⁻⁶..10³ that
    makes it positive definite.

    ``pinned`` (over ``idx``): parameters sitting on a bound (their step is 0 unless the
    bound is inactive). When the matrix is indefinite (λ >= −λ_min: no longer a small
    regularisation) and the block of the others is well conditioned (WELL_COND), λ is added
    to the pinned diagonal only: the Newton step of the others is that of their own block,
    undamped. (s26str: on a Heywood fa(env, 1) fit the Newton matrix — the
    differenced H on the free block, AI across the three ψ held at zero — had a negative
    eigenvalue through the held rows; λ = 1 on all of it tripled the smallest curvature of
    the free block, and full Newton steps contracted by 0.68 each instead of converging.)"""
    a = ai[np.ix_(idx, idx)]
    d = np.diag(a).copy()
    ok = np.isfinite(d) & (d > 0)
    d = np.where(ok, d, float(d[ok].max()) if ok.any() else 1.0)
    r = 1.0 / np.sqrt(d)
    hs = a * r[:, None] * r[None, :]
    hs = np.where(np.isfinite(hs), hs, 0.0)
    if idx.size == 0:
        return hs, r, False
    w = np.linalg.eigvalsh(hs)
    if ok.all() and w[0] > EIG_TOL * max(abs(w[-1]), 1e-300):
        return hs, r, False
    if w[0] < 0 and pinned is not None and pinned.any() and not pinned.all():
        damped = _damp_pinned(hs, ok, pinned)
        if damped is not None:
            return damped, r, False
    for lam in LM_LADDER:
        if w[0] + lam > EIG_TOL * max(abs(w[-1]) + lam, 1e-300):
            return hs + lam * np.eye(idx.size), r, True
    return hs + (abs(w[0]) + 1e3) * np.eye(idx.size), r, True


#: the unpinned block counts as well conditioned from this ratio of its extreme eigenvalues
#: (scaled): the fa(env, 1) fit's free block 0.3; the over-factored fa(env, 4) ridge's
#: 1e-5 .. 5e-3, where the whole-matrix damping regularises directions the data barely
#: determine (undamped, that fit ended 3e-6 lower in ℓ)
WELL_COND = 1e-2

#: the Levenberg-Marquardt damping tried, smallest first
LM_LADDER = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 1e2, 1e3)


def _pd(h: np.ndarray) -> bool:
    w = np.linalg.eigvalsh(h)
    return bool(w[0] > EIG_TOL * max(abs(w[-1]), 1e-300))


def _damp_pinned(hs: np.ndarray, ok: np.ndarray, pinned: np.ndarray) -> np.ndarray | None:
    """hs + λ diag(pinned) with the smallest λ of LM_LADDER that makes it positive definite,
    when the unpinned block is well conditioned (smallest eigenvalue >= WELL_COND x its
    largest) with a positive diagonal; else None."""
    moving = ~pinned
    if not ok[moving].all():
        return None
    wm = np.linalg.eigvalsh(hs[np.ix_(moving, moving)])
    if wm[0] < WELL_COND * wm[-1]:
        return None  # ill-conditioned itself: the damping regularises it (the whole λI)
    for lam in LM_LADDER:
        h = hs + lam * np.diag(pinned.astype(float))
        if _pd(h):
            return h
    return None


def _eqp(h: np.ndarray, g: np.ndarray, x: np.ndarray, bound: np.ndarray,
         rows: np.ndarray) -> np.ndarray:
    """Step p minimising ½(x+p)'h(x+p) − g'(x+p) with p_k = 0 on ``bound`` and rows·p = 0."""
    f = np.flatnonzero(~bound)
    p = np.zeros(x.size)
    if f.size == 0:
        return p
    rhs = (g - h @ x)[f]
    hf = h[np.ix_(f, f)]
    if not rows.shape[0]:
        # no rows: the null space is the identity, whose products would only copy hf and
        # rhs (exactly) at two n³ matrix products' cost
        p[f] = np.linalg.solve(hf, rhs)
        return p
    _, sv, vt = np.linalg.svd(rows[:, f])
    rank = int(np.sum(sv > 1e-12 * max(float(sv.max()), 1e-300)))
    nb = vt[rank:].T
    if nb.shape[1] == 0:
        return p
    z = np.linalg.solve(nb.T @ hf @ nb, nb.T @ rhs)
    p[f] = nb @ z
    return p


def active_set_qp(h: np.ndarray, g: np.ndarray, lb: np.ndarray, rows: np.ndarray,
                  ub: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """max g'x − ½x'hx s.t. lb ≤ x ≤ ub (lb_k = −inf / ub_k = +inf: no bound; lb ≤ 0 ≤ ub)
    and rows·x ≥ 0, by the primal active-set method (Nocedal & Wright, Algorithm 16.3) from
    x = 0 with the bounds and rows active at 0 in the working set. Returns (x, active
    bounds (lower or upper), active rows)."""
    n = g.size
    if ub is None:
        ub = np.full(n, np.inf)
    x = np.zeros(n)
    wb = lb >= 0  # lower bounds active at x = 0
    wu = (ub <= 0) & ~wb  # upper bounds active at x = 0
    wr = np.ones(rows.shape[0], dtype=bool)
    solved = False  # x minimises the model on the working set (reached by a full step)
    for _ in range(4 * (2 * n + rows.shape[0]) + 10):
        p = np.zeros(n) if solved else _eqp(h, g, x, wb | wu, rows[wr])
        solved = False
        if np.max(np.abs(p)) <= 1e-12 * max(1.0, float(np.max(np.abs(x)))):
            # multipliers: h x − g = Σ λ_i c_i over the working set, λ ≥ 0 at the optimum
            # (c_i = e_k for a lower bound, −e_k for an upper bound)
            cb = np.flatnonzero(wb)
            cu = np.flatnonzero(wu)
            cr = np.flatnonzero(wr)
            eye = np.eye(n)
            cm = np.vstack([eye[cb], -eye[cu], rows[cr]])
            if cm.shape[0] == 0:
                break
            lam = np.linalg.lstsq(cm.T, h @ x - g, rcond=None)[0]
            i = int(np.argmin(lam))
            if lam[i] >= -1e-12 * max(1.0, float(np.max(np.abs(g)))):
                break
            if i < cb.size:
                wb[cb[i]] = False
            elif i < cb.size + cu.size:
                wu[cu[i - cb.size]] = False
            else:
                wr[cr[i - cb.size - cu.size]] = False
            continue
        # ratio test against the constraints not in the working set
        alpha, block = 1.0, None
        free = ~wb & ~wu
        for k in np.flatnonzero(free & np.isfinite(lb) & (p < 0)):
            t = (lb[k] - x[k]) / p[k]
            if t < alpha:
                alpha, block = max(t, 0.0), ("b", k)
        for k in np.flatnonzero(free & np.isfinite(ub) & (p > 0)):
            t = (ub[k] - x[k]) / p[k]
            if t < alpha:
                alpha, block = max(t, 0.0), ("u", k)
        if rows.shape[0]:
            rp = rows @ p
            rx = rows @ x
            for i in np.flatnonzero(~wr & (rp < 0)):
                t = -rx[i] / rp[i]
                if t < alpha:
                    alpha, block = max(t, 0.0), ("r", i)
        x = x + alpha * p
        if block is None:
            # a full step on an unchanged working set reaches its minimiser: the next EQP
            # step is 0 in exact arithmetic (Nocedal & Wright 16.3), so the multipliers are
            # read at once. Recomputed, it is round-off, |p| ~ cond(h) ε |x|, which on an
            # ill-conditioned h stays above the 1e-12 test and kept the loop re-solving the
            # same n x n system (an over-factored fa(env, 5): 791 solves for one step)
            solved = True
            continue
        if block[0] == "b":
            wb[block[1]] = True
            x[block[1]] = lb[block[1]]
        elif block[0] == "u":
            wu[block[1]] = True
            x[block[1]] = ub[block[1]]
        else:
            wr[block[1]] = True
    return x, wb | wu, wr
