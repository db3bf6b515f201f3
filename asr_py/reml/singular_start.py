"""Why the mixed model equations cannot be formed at the start values, where the cause is a
random term whose covariance matrix is singular there (Henderson's C needs G⁻¹).

* ``rr(f, k)`` with k < n levels: Σ = ΛΛ' has rank k for every Λ, so a reduced-rank term
  never has an inverse (with or without a diagonal term beside it). ASReml fits it through
  its latent factors (the extended factor-analytic form): asr.asreml does too
  (:mod:`asr_py.reml.rr_latent`), the engine's fit_reml on its own cannot; ``fa(f, k)`` is the
  model of ASReml's ``rr(f, k):g + diag(f):g``.
* any other template whose matrix at θ₀ is singular (a start value of zero, a correlation of
  ±1): named with its rank.
"""

from __future__ import annotations

import numpy as np

from asr_py.reml.problem import MixedProblem
from asr_py.vcov.base import CovTemplate, to_dense

#: largest template (levels) whose rank is computed densely for the message
RANK_MAX_N = 3000


def _parts(template: CovTemplate) -> list[CovTemplate]:
    factors = template.kronecker_factors()
    return list(factors[1]) if factors is not None else [template]


def singular_start(problem: MixedProblem, theta: np.ndarray) -> tuple[str, str] | None:
    """(what, hint) for the first random term whose covariance matrix is singular at θ,
    None if none is (or none can be checked)."""
    theta = np.asarray(theta, dtype=float)
    for b, sl in zip(problem.random, problem.slices()):
        for p in _parts(b.template):
            k, n = getattr(p, "order", None), p.n
            if getattr(p, "family", "") == "rr" and k is not None and k < n:
                f = p.name or "f"
                return (f"the random term {b.name} has a reduced-rank covariance rr({f}, {k}): "
                        f"ΛΛ' has rank {k} for {n} levels and no inverse",
                        f"write fa({f}, {k}) in place of rr({f}, {k}) in this term and drop a "
                        f"diag({f}) term on the same factors beside it: fa({f}, {k}) gives "
                        f"ΛΛ' + Ψ, the model of ASReml's rr({f}, {k}):g + diag({f}):g, with the "
                        f"same loadings '!fa1'.. and Ψ as the diag variances. rr on its own "
                        f"(Ψ = 0) needs its latent-factor form (u = (Λ ⊗ I) f, f ~ N(0, I)): "
                        f"fit it with asr.asreml, or asr_py.reml.rr_latent.fit_latent")
        t = b.template
        if t.n > RANK_MAX_N:
            continue
        try:
            m = to_dense(t.matrix(theta[sl]))
            w = np.linalg.eigvalsh(0.5 * (m + m.T))
        except (np.linalg.LinAlgError, ValueError):
            continue
        top = max(float(np.max(np.abs(w))), 1e-300)
        rank = int(np.sum(w > 1e-10 * top))
        if rank < t.n:
            return (f"the covariance matrix of the random term {b.name} is singular at the "
                    f"start values (rank {rank} of {t.n})",
                    "give start values that make it positive definite (params=), e.g. no "
                    "variance of zero and no correlation of ±1")
    return None


__all__ = ["singular_start"]
