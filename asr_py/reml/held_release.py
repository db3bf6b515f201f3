"""Convergence on the boundary when the AI step cannot release a variance (s16eng).

At a variance θ_k held near zero the AI matrix is a poor model of ℓ: AI_kk is an
expectation, while the observed curvature −∂²ℓ/∂θ_k² there can be 10⁴ x larger (ICARDA
barley's plant_height ~ accenumb with dsum(~ id(units) | campaign) residuals: the score of
one campaign's residual variance goes from +8.5e-3 at 3.6e-6 to −2.2e-3 at 1e-5, AI_kk =
0.078). A small positive score s_k then gives an AI step s_k/AI_kk far past the maximum of ℓ
in θ_k, every halving of it (with the others' steps) lowers ℓ, EM cannot move a variance near
zero, and the fit used to stop unconverged although a dense-V REML optimiser finds at most
~1e-5 more (the same flatness: ℓ varies by ~1e-5 over [0, 1e-2]).

:func:`release_probe` settles it with evaluations of ℓ. With every variance at its held
value (:func:`asr_py.reml.zero_snap.at_zero`) kept there, the AI step of the others must
predict a negligible gain s'δ − ½δ'AIδ <= DEC_TOL x tol (tol: the absolute ℓ tolerance,
:mod:`asr_py.reml.tolerance`; the interior has converged in ℓ; if not, or if it still moves a
parameter by more than the convergence rule's PRED_PARAM x tol_param, that step is taken when
it gains more than that: the variances that
cannot be released do not stop the others from converging). Each held variance with s_k > 0
is then moved alone to θ_k x 10^j, j = 1, 2, ... up to its AI step s_k/AI_kk (at most its
scale c_k); the best point wins:

* a gain above tol: the iteration continues from there (not converged yet);
* else ℓ is flat within the tolerance between the bound and the AI step: the KKT
  conditions hold to within what ℓ can show, and the fit has converged on the boundary.

A held variance of a template with correlations is probed too (s16esc): its correlations,
without information there, are held by the AI step (:mod:`asr_py.reml.orphan_corr`); an
optimum inside, away from that face, is found by the second fit of
:mod:`asr_py.reml.corr_escape`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from asr_py.reml.ai_step import ai_step
from asr_py.reml.iter_context import IterContext
from asr_py.reml.tuning import DEC_TOL, PRED_PARAM
from asr_py.reml.zero_snap import at_zero

Search = Callable[[np.ndarray, np.ndarray], tuple[Any, float, Any]]

#: the probe's values of θ_k grow by this factor from its held value
PROBE_FACTOR = 10.0
#: at most this many probe values per variance
PROBE_MAX = 12


@dataclass
class Release:
    """The outcome of :func:`release_probe`: ``converged`` (ℓ flat within the tolerance:
    ``gain`` is the largest rise seen), or a better point (``state``, ``theta``)."""

    converged: bool
    gain: float
    names: list[int]
    state: Any = None
    theta: np.ndarray | None = None


def release_probe(evaluate: Callable[[np.ndarray], Any], search: Search, ctx: IterContext,
                  loglik: float, theta: np.ndarray, score: np.ndarray, ai: np.ndarray,
                  fixed: np.ndarray, tol: float, tol_param: float) -> Release | None:
    """See the module docstring. ``search(δ, clipped)``: the line search from θ (state,
    α, θ₊). None when it does not apply: no held variance with a positive score, or the
    interior step (those variances held) predicts a gain that its line search cannot
    realise."""
    held = at_zero(ctx, theta, fixed)
    up = np.flatnonzero(held & (score > 0))
    if up.size == 0:
        return None
    inner = ai_step(ctx, theta, score, ai, fixed | held)
    if not np.isfinite(inner.gain):
        return None
    small = DEC_TOL * tol
    if (inner.gain > small or inner.clipped.any()
            or ctx.rel_change(theta, theta + inner.delta) > PRED_PARAM * tol_param):
        st, _, th = search(inner.delta, inner.clipped)
        if st is not None and st.loglik - loglik > small:
            return Release(False, st.loglik - loglik, up.tolist(), st, th)
        if inner.gain > small or inner.clipped.any():
            return None
    best_gain, best = -np.inf, None
    for k in up:
        a = float(ai[k, k])
        top = float(ctx.scale[k])
        if np.isfinite(a) and a > 0:
            top = min(top, theta[k] + score[k] / a)
        v = float(theta[k])
        for _ in range(PROBE_MAX if v > 0 else 0):
            v *= PROBE_FACTOR
            if v > top and v / PROBE_FACTOR >= top:
                break
            th = theta.copy()
            th[k] = min(v, top)
            try:
                st = evaluate(th) if ctx.valid(th) else None
            except (np.linalg.LinAlgError, ValueError):
                st = None
            if st is not None and st.loglik - loglik > best_gain:
                best_gain, best = st.loglik - loglik, (st, th)
    if best is None:
        return None
    if best_gain > tol:
        return Release(False, best_gain, up.tolist(), best[0], best[1])
    return Release(True, max(best_gain, 0.0), up.tolist())


def release_note(rel: Release, problem: Any, it: int, tol: float) -> str:
    """The diagnostic of a fit that converged on the boundary by :func:`release_probe`."""
    names = ", ".join(f"'{problem.names[k]}'" for k in rel.names)
    return (f"converged on the boundary at iteration {it}: {names} held at the bound with a "
            f"positive score, but released alone up to its AI step the log-likelihood rises "
            f"by at most {rel.gain:.2g} (<= {tol:.2g}): it is flat there "
            "and the bound is the optimum within the tolerance")
