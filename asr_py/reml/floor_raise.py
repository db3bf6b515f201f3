"""s24fa: a held variance below its structural floor is raised onto it.

A 'P' variance whose zero makes its matrix (nearly) singular is held at its structural floor
b_k (:mod:`asr_py.reml.held_floor`), where ℓ and the score keep their digits. The floor is
computed at the present θ: while other variances of the same matrix are still large it may
not apply yet, and a variance creeping to zero is then snapped onto a value far below it
(:mod:`asr_py.reml.zero_snap`), where it stays held when the floor appears later. On the
soybean MET of Kaio-Olimpio/GIS-FA (fa(env, 2), 49 environments) five specific variances
ended at 2e-7 .. 2 beside floors of 0.4 .. 2 (~1e-5 of the rest of Σ_ii): the loadings'
analytic score was then wrong by 2e-4 (ten times its value, central differences of ℓ: 2e-5),
the AI steps followed that error and the fit ran to maxit with ℓ changing by 1e-6. Raising
such a variance onto its floor costs |∂ℓ/∂θ_k| x b_k of ℓ (the floor's documented price).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from asr_py.reml.ai_step import evaluate_valid
from asr_py.reml.held_floor import HELD_REL, structural_floors
from asr_py.reml.iter_context import IterContext
from asr_py.reml.mme import MME


def below_floor(ctx: IterContext, theta: np.ndarray, fixed: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """The free 'P' variances of templates with loadings below their structural floor b_k
    (and b_k)."""
    b = structural_floors(ctx.leaves, ctx.kinds, ctx.pmask, theta, ctx.held_rel)
    var = np.array([k == "variance" for k in ctx.kinds], dtype=bool)
    # only in templates with loadings (fa): there the floor of ψ_i appears once the other
    # ψ are small too (chol/ante's innovation variances have theirs from the start)
    lo = np.zeros(theta.size, dtype=bool)
    for t, off in ctx.leaves:
        ks = np.arange(off, off + t.n_params)
        if any(ctx.kinds[k] == "loading" for k in ks):
            lo[ks] = True
    return ctx.pmask & var & lo & ~fixed & (b > 0) & (theta < b * (1.0 - 1e-9)), b


def raise_to_floor(mme: MME, ctx: IterContext, st: Any, theta: np.ndarray,
                   score: np.ndarray, ai: np.ndarray, fixed: np.ndarray,
                   scores: Callable[[Any], tuple[np.ndarray, np.ndarray]]
                   ) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    """(state, θ, score, AI) with every variance of :func:`below_floor` on its floor (held
    there: its boundary value is raised too); the inputs unchanged when there is none or ℓ
    cannot be evaluated there; nothing in the final polish's refit, whose floors are lower
    on purpose (:mod:`asr_py.reml.floor_polish`)."""
    if ctx.held_rel < HELD_REL:  # the final polish (reml/floor_polish.py) holds lower
        return st, theta, score, ai
    mask, b = below_floor(ctx, theta, fixed)
    if not mask.any():
        return st, theta, score, ai
    th = theta.copy()
    th[mask] = b[mask]
    new = evaluate_valid(mme, ctx, th)
    if new is None:
        return st, theta, score, ai
    ctx.snap_floor[mask] = th[mask]
    ctx.bval[mask] = np.maximum(ctx.bval[mask], th[mask])
    sc, a = scores(new)
    return new, th, sc, a
