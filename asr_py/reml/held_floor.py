"""The held value of a 'P' variance whose matrix becomes singular at zero (issue 11, item 2c).

A variance θ_k of a multi-parameter template can make Σ singular at θ_k = 0 (an innovation
variance d_i of chol/ante; a specific variance ψ_i of fa once the others are at zero; not a
variance of diag/idh/us, nor a ψ_i while Σ without it stays nonsingular). The mixed model
equations invert Σ through its Cholesky factor, whose pivot then carries an absolute error
~ ε·Σ_ii: below ~1e-5 x Σ_ii the log-likelihood and the score lose their digits (the score
even changes sign), step halving creeps towards zero and the fit never converges. Such a
variance is held at

    b_k = HELD_REL x min_i (Σ_ii − θ_k ∂Σ_ii/∂θ_k) / (∂Σ_ii/∂θ_k)    over i with ∂Σ_ii/∂θ_k > 0,

the part of Σ_ii the other parameters explain, in θ_k's units (so the rule does not depend on
the units of the traits), when Σ(θ_k = 0) has a correlation-scale eigenvalue below HELD_REL;
elsewhere b_k = 0 and the scale-free BOUNDARY_REL floor applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

#: b_k relative to the rest of Σ_ii: at 1e-5 the analytic score of chol(Env, 2):Name's d_3
#: (DT_example) matches finite differences to 1e-3 relative, at 1e-6 only to 20%; holding
#: there instead of at 0 costs |∂ℓ/∂θ_k| x b_k (~4e-7 log-likelihood units in that example)
HELD_REL = 1e-5
#: largest matrix whose variances are examined (one n x n eigenvalue problem per variance;
#: the positive-definite face machinery's PD_MAX_N = 50 left fa(env, 6) over 53
#: environments (GIS-FA_Mallawi) without floors: its zero ψ went to 1e-6 .. 4e-7, the
#: loadings' analytic score lost its digits, and 27 of 50 iterations were EM crawling)
FLOOR_MAX_N = 100


def _dense(m: Any) -> np.ndarray:
    return m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)


def structural_floors(leaves: Sequence[tuple[Any, int]], kinds: Sequence[str],
                      pmask: np.ndarray, theta: np.ndarray, rel: float = HELD_REL
                      ) -> np.ndarray:
    """b_k (module docstring, with ``rel`` for HELD_REL: a fit's final polish holds lower,
    reml/floor_polish.py) for every parameter; 0 where the rule does not apply.
    ``leaves``: (leaf template, offset of its parameters in θ), e.g. chol(Env) inside
    chol(Env):Name (the parameter map's structures)."""
    out = np.zeros(theta.size)
    for t, off in leaves:
        ks = np.arange(off, off + t.n_params)
        want = [j for j, k in enumerate(ks) if pmask[k] and kinds[k] == "variance"]
        if not want or ks.size < 2 or t.n > FLOOR_MAX_N:
            continue
        th = theta[ks]
        try:
            sig = _dense(t.matrix(th))
            ders = t.derivatives(th)
        except (ValueError, np.linalg.LinAlgError, NotImplementedError):
            continue
        d = np.diag(sig)
        if not np.all(np.isfinite(sig)) or np.any(d <= 0):
            continue
        r = 1.0 / np.sqrt(d)
        for j in want:
            dm = _dense(ders[j])
            # Σ at θ_k = 0 (exact when Σ is linear in θ_k): nonsingular there, no floor
            mu0 = np.linalg.eigvalsh((sig - th[j] * dm) * np.outer(r, r))[0]
            if mu0 >= HELD_REL:  # (the same singularity test whatever ``rel``)
                continue
            dd = np.diag(dm)
            sup = dd > 1e-12 * max(float(np.abs(dd).max(initial=0.0)), 1e-300)
            if not sup.any():
                continue
            rest = (d - th[j] * dd)[sup] / dd[sup]
            if np.all(np.isfinite(rest)) and rest.min() > 0:
                out[ks[j]] = rel * float(rest.min())
    return out
