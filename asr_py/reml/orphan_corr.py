"""Correlations orphaned by a variance held on its boundary.

In G = D^{½} C D^{½} (corgh, corh, ...) a correlation r_jk enters G only through
G_jk = r_jk sqrt(v_j v_k). With v_j held at its boundary value b ~ 0 (or below LOW_REL x its
template's largest variance) and a non-positive score (it stays there or goes there),
∂G/∂r_jk = sqrt(b v_k) (e_j e_k' + e_k e_j') vanishes with b: r_jk has no information, its
row of AI is ~0, the AI step is singular and its damped steps and EM crawl (simulated
corgh(env):gen with one environment's genetic variance zero stopped unconverged 0.022 below
the dense-V REML optimum). Such a correlation is held where it is for the step: ℓ does not
depend on it to O(sqrt(b)).

A parameter is orphaned when it is a free correlation and every entry of its derivative
matrix ∂G/∂θ_p lies in a row or column of a held variance's diagonal entries (read from the
templates' own derivatives, at the held variances raised to their scale so the pattern is
not lost in round-off).
"""

from __future__ import annotations

import numpy as np

from asr_py.reml.iter_context import IterContext

#: a 'P' variance below this fraction of its template's largest, with a non-positive score,
#: counts as held (the AI step is taking it to its boundary value)
LOW_REL = 1e-8
#: leaf templates of larger matrices are not examined (dense derivative patterns)
MAX_DIM = 60


def _dense(m: object) -> np.ndarray:
    """A derivative matrix (dense or scipy sparse) as a dense array."""
    return np.asarray(m.toarray() if hasattr(m, "toarray") else m, dtype=float)


def orphaned(ctx: IterContext, theta: np.ndarray, score: np.ndarray,
             fixed: np.ndarray) -> np.ndarray:
    """Free correlations whose every derivative entry lies in a row or column of a 'P'
    variance at its boundary value with score <= 0 or held there by the caller (``fixed``;
    see the module docstring)."""
    out = np.zeros(theta.size, dtype=bool)
    held = ctx.at_bound(theta) & ((score <= 0) | fixed) & ctx.pmask
    for t, off in ctx.leaves:
        n = t.n_params
        idx = np.arange(off, off + n)
        kinds = [ctx.kinds[k] for k in idx]
        var = [i for i in range(n) if kinds[i] == "variance"]
        top = max((float(theta[idx[i]]) for i in var), default=0.0)
        hv = [i for i in var if held[idx[i]] or (
            ctx.pmask[idx[i]] and score[idx[i]] <= 0 and theta[idx[i]] < LOW_REL * top)]
        corr = [i for i in range(n) if kinds[i] == "correlation" and not fixed[idx[i]]]
        if not hv or not corr:
            continue
        th = np.asarray(theta[idx], dtype=float).copy()
        for i in hv:  # the pattern at a normal value of the held variance
            th[i] = max(float(ctx.scale[idx[i]]), th[i])
        try:
            ders = t.derivatives(th)
            mats = [_dense(ders[i]) for i in range(n)]
        except (ValueError, np.linalg.LinAlgError, IndexError, NotImplementedError):
            continue
        if not mats or mats[0].ndim != 2 or mats[0].shape[0] > MAX_DIM:
            continue
        rows = np.zeros(mats[0].shape[0], dtype=bool)
        for i in hv:
            rows |= np.abs(np.diag(mats[i])) > 0
        if not rows.any():
            continue
        for i in corr:
            nz = np.abs(mats[i]) > 0
            if nz.any() and not (nz & ~rows[:, None] & ~rows[None, :]).any():
                out[idx[i]] = True
    return out
