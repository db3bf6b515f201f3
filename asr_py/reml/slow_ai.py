"""Newton steps with a finite-difference Hessian when the AI iteration converges linearly
(issue 11, item 2d).

The AI matrix ½ y'P Σ̇_k P Σ̇_l P y is not the Hessian of ℓ: it omits −½ tr(P Σ̇_k P Σ̇_l) +
y'P Σ̇_k P Σ̇_l P y terms' difference from their mean and, for a template not linear in its
parameters (ante, chol, fa), the score-weighted curvature ½ y'P Σ̈_kl P y − ½ tr(P Σ̈_kl).
Full AI steps then contract the error only by the spectral radius of I − AI⁻¹H (H = −∇²ℓ):
0.88 for ante(Env):Name with dsum(~ units | Env) residuals on DT_example (57 iterations),
0.44 with a single residual variance, 0.15 for us(Env):Name. When the last SLOW_STEPS full
AI steps each shrank by a factor above SLOW_RATIO (measured in standard errors), the step is
taken with H from central differences of the analytic score (2 x n_free more evaluations),
which converges quadratically; the AI matrix is kept for the standard errors. The same
switch catches full AI steps that do not shrink at all: an eigenvalue of I − AI⁻¹H below −1
makes the optimum unstable for full AI steps (they overshoot and ℓ falls slightly).

Rationing (s16eng). One differenced H costs 2 x n_free score evaluations: on the ICARDA
barley dsum fits (21 residual variances) 7 of them were 288 of 299 evaluations and 27 of
30 s. So H is differenced once per slow episode and then carried: after a Newton step taken
in full, H₊ is the BFGS update of H on that step's pair (s = θ₊ − θ, y = −(score₊ − score)),

    H₊ = H − (H s)(H s)' / (s'H s) + y y' / (y's)      (H₊ s = y),

on the block of parameters free at both ends (:func:`carry_hessian`; AI elsewhere). Started
from an accurate H this converges superlinearly (Dennis & Moré 1974) at one score
evaluation per step; H is differenced again only when the pair does not qualify
(:func:`asr_py.reml.secant.secant_information`'s rules; a step onto a bound gives no pair)
unless the last Newton step shrank by REUSE_RATE or more: then H is reused as it is (a chord
step, contracting by ‖I − H₀⁻¹H‖ while H₀ stays close; :func:`reuse_hessian`). After an
attempt that fails (H not positive definite, or the Newton step damped or replaced) no new
attempt is made before SLOW_STEPS + 1 further AI steps show slow convergence again
(reml/ai.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

#: contraction ratio of successive full AI steps (in standard-error units) counted as slow
SLOW_RATIO = 0.6
#: ... over this many steps in a row
SLOW_STEPS = 3
#: ... or this many of those SLOW_STEPS + 1 AI steps were halved (overshooting)
HALVED_STEPS = 2
#: largest number of free parameters for which H is differenced
MAX_FD_PARAMS = 40
#: a differenced H is reused without a secant pair while Newton steps shrink by this factor
REUSE_RATE = 0.25
#: the difference step of θ_k, in its conditional standard errors 1/sqrt(AI_kk)
FD_Z = 1e-4
#: central (2 score evaluations a parameter) instead of forward differences (1). s22esc:
#: forward differences reach the same optimum on the slow corh(env):vm(geno, K) MET of
#: tests/reml/test_escape_fd.py with 51 instead of 75 score evaluations (1.34x less CPU,
#: benchmarks/bench_escape_info.py), but they change the path of other slow fits: the
#: chol(Env, 2):Name fit of tests/reml/test_ai_corr_boundary.py stopped 2.4e-7 below us()'s
#: optimum (limit 1e-7), predFA.R's first fit ran to maxit 100 (199 s CPU, ℓ 2.9 higher,
#: unconverged on corh's ρ = 1 face) where the central form gave up at iteration 19 (49 s).
#: So central stays the default.
FD_CENTRAL = True
#: a differenced H whose scaled smallest eigenvalue is below 0 but above −NEG_MAX x its
#: largest is shifted (:func:`shifted_hessian`) instead of refused: the ar1(RepRow):ar1(Col)
#: dsum field fit of tests/vcov/test_small_fit_paths.py (a ridge, λ_1/λ_m = −0.002 .. −0.006
#: at the three slow episodes) took 19 AI steps halved in turn, 31 iterations (> maxit 30);
#: Newton steps from iteration 8: 29
NEG_MAX = 1e-2
#: ... to this fraction of the largest
SHIFT_FLOOR = 5e-2


def is_slow(methods: Sequence[str], alphas: Sequence[float], zsteps: Sequence[float]) -> bool:
    """True when the last SLOW_STEPS + 1 iterations were full AI steps whose sizes (z units)
    shrank each time by a factor >= SLOW_RATIO, or did not shrink: at an optimum where
    I − AI⁻¹H has an eigenvalue below −1 full AI steps overshoot and the error grows (a
    dsum of ar1 x ar1 and Row x ar1 residuals: −1.15, each step changing ℓ by −1e-9 within
    the line search's slack, so the fit never met the stopping rule). An EM step in the window
    taken after an AI step (its fallback when that step failed or was damped) counts as a
    halved AI step (the start's warm-up EM steps do not): AI
    and EM steps alternating at |Δℓ| ~ 1e-9 (expv/gauv over 4 ages, where AI under-states
    the curvature in φ 4-fold) are the same overshoot."""
    k = SLOW_STEPS + 1
    if len(zsteps) < k:
        return False
    if any(m not in ("AI", "EM") for m in methods[-k:]):
        return False
    if "EM" in methods[-k:]:  # s18exph: an EM step follows a failed or damped AI step
        prev = list(methods[-k - 1:-1]) if len(methods) > k else ["start", *methods[:-1]]
        if any(m == "EM" and p != "AI" for m, p in zip(methods[-k:], prev)):
            return False  # the warm-up EM steps of the start are no fallback
        return overshooting([0.5 if m == "EM" else a
                             for m, a in zip(methods[-k:], alphas[-k:])])
    if overshooting(alphas[-k:]):
        return True
    if any(a != 1.0 for a in alphas[-k:]):
        return False
    z = np.asarray(zsteps[-k:], dtype=float)
    if np.any(z <= 0) or not np.all(np.isfinite(z)):
        return False
    r = z[1:] / z[:-1]
    return bool(np.all(r >= SLOW_RATIO))


def overshooting(alphas: Sequence[float]) -> bool:
    """True when at least HALVED_STEPS of these AI iterations (all AI, none failed) had
    their step halved: the AI step keeps overshooting (I − AI⁻¹H has an eigenvalue below
    −1), as on the units / σ²·ar1 ⊗ ar1 ridge of PSA.27 (Lane + Position fixed), where
    steps of ½ and 1 alternated for 75 iterations, gaining ~1e-6 each, far from the
    optimum's parameters; a Newton step with the differenced Hessian converges there."""
    a = np.asarray(alphas, dtype=float)
    return bool(np.all(a > 0) and int(np.sum(a < 1.0)) >= HALVED_STEPS)


def fd_information(score_at: Callable[[np.ndarray], np.ndarray | None],
                   valid: Callable[[np.ndarray], bool], theta: np.ndarray, score: np.ndarray,
                   ai: np.ndarray, free: np.ndarray, central: bool | None = None
                   ) -> np.ndarray | None:
    """AI with its block of ``free`` parameters replaced by H = −∂s/∂θ' from forward
    differences of the score, H e_k ≈ −(s(θ + h_k e_k) − s(θ)) / h_k (backward where θ + h_k e_k
    is invalid; central when FD_CENTRAL), symmetrised, shifted when slightly indefinite
    (:func:`shifted_hessian`); None when too many parameters, an evaluation fails, or H is
    further from positive definite there.

    s22esc: forward differences halve the cost (n_free score evaluations, not 2 n_free; on
    the 13-environment corh(envs):vm(geno, K) refit of genomic-FA-METs predFA.R three
    differenced H were 72 of 97 score evaluations). With h_k = FD_Z standard errors the
    truncation error ½ h_k ∂²s/∂θ_k² is ~FD_Z relative to H; the round-off error ~ ε_s / h_k
    is the central difference's. Not the default (see FD_CENTRAL); ``central`` overrides it
    (s34fa: the convergence check of reml/ai._verified differences forward first)."""
    central = FD_CENTRAL if central is None else central
    idx = np.flatnonzero(free)
    if idx.size == 0 or idx.size > MAX_FD_PARAMS:
        return None
    d = np.diag(ai)[idx]
    if np.any(~np.isfinite(d)) or np.any(d <= 0):
        return None
    H = np.zeros((theta.size, idx.size))
    for j, k in enumerate(idx):
        h = FD_Z / np.sqrt(d[j])
        e = np.zeros(theta.size)
        e[k] = h
        up, lo = theta + e, theta - e
        s_up = score_at(up) if valid(up) else None
        s_lo = score_at(lo) if (central or s_up is None) and valid(lo) else None
        if s_up is not None and s_lo is not None:
            H[:, j] = -(s_up - s_lo) / (2 * h)
        elif s_up is not None:
            H[:, j] = -(s_up - score) / h
        elif s_lo is not None:
            H[:, j] = -(score - s_lo) / h
        else:
            return None
    hb = H[idx]
    hb = 0.5 * (hb + hb.T)
    r = 1.0 / np.sqrt(d)
    try:
        np.linalg.cholesky(hb * np.outer(r, r))
    except np.linalg.LinAlgError:
        hb = shifted_hessian(hb, d)
        if hb is None:
            return None
    out = ai.copy()
    out[np.ix_(idx, idx)] = hb
    return out


def shifted_hessian(hb: np.ndarray, d: np.ndarray) -> np.ndarray | None:
    """H + μ D (D = diag(AI) > 0) when the scaled Ĥ = D^-½ H D^-½ is slightly indefinite:
    its eigenvalues λ_1 <= ... <= λ_m with λ_1 >= −NEG_MAX λ_m, λ_m > 0 (ℓ barely convex
    along one direction, as on a ridge); μ = SHIFT_FLOOR λ_m − λ_1 raises λ_1 to
    SHIFT_FLOOR λ_m, a Levenberg-Marquardt step between Newton's and a short scaled
    gradient step, still taken through the line search. None when H is further from
    positive definite (the AI step is kept)."""
    r = 1.0 / np.sqrt(d)
    w = np.linalg.eigvalsh(hb * np.outer(r, r))
    if not np.all(np.isfinite(w)) or w[-1] <= 0 or w[0] < -NEG_MAX * w[-1]:
        return None
    return hb + (SHIFT_FLOOR * w[-1] - w[0]) * np.diag(d)


def carry_hessian(h: np.ndarray, ai: np.ndarray, step: np.ndarray, dscore: np.ndarray,
                  free: np.ndarray) -> np.ndarray | None:
    """The Newton Hessian ``h`` of the last step carried to the new point: AI with its
    ``free`` block taken from ``h`` and updated by BFGS on the pair (``step``, −``dscore``)
    (module docstring); None when the pair does not qualify (then H is differenced anew)."""
    from asr_py.reml.secant import secant_information

    if h.shape != ai.shape or not free.any():
        return None
    base = np.array(ai, dtype=float, copy=True)
    blk = np.ix_(free, free)
    base[blk] = h[blk]
    return secant_information(base, step, dscore, free)


def reuse_hessian(h: np.ndarray, ai: np.ndarray, free: np.ndarray) -> np.ndarray | None:
    """AI with its ``free`` block taken from the Newton Hessian ``h`` of an earlier point,
    if positive definite there (else None: H is differenced anew)."""
    idx = np.flatnonzero(free)
    if h.shape != ai.shape or idx.size == 0:
        return None
    blk = h[np.ix_(idx, idx)]
    d = np.diag(blk)
    if np.any(~np.isfinite(blk)) or np.any(d <= 0):
        return None
    try:
        np.linalg.cholesky(blk / np.sqrt(np.outer(d, d)))
    except np.linalg.LinAlgError:
        return None
    out = np.array(ai, dtype=float, copy=True)
    out[np.ix_(idx, idx)] = blk
    return out
