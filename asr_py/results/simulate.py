"""Responses simulated from a fitted model (lme4's ``simulate``): new random effects and
residuals drawn from the estimated covariances,

    y* = Xβ̂ + Σ_k Z_k u*_k + e*,    u*_k ~ N(0, G_k(θ̂)),   e* ~ N(0, R(θ̂)).

A draw from N(0, M) is U Λ^{1/2} z (M = U Λ U', exact for a positive semi-definite M) when M
has at most ``DENSE_MAX`` rows; larger structures (pedigrees, many records) are drawn through
the sparse Cholesky factor of their inverse, P M⁻¹ P' = L L': x = P' L'⁻¹ z has
Var(x) = P' L'⁻¹ L⁻¹ P = M.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.vcov.base import CovTemplate, to_dense

#: covariance matrices up to this size are drawn through their eigendecomposition
DENSE_MAX = 4000


def draw(template: CovTemplate, theta: np.ndarray, nsim: int, rng: np.random.Generator,
         dense_max: int = DENSE_MAX) -> np.ndarray:
    """``nsim`` independent draws (columns) from N(0, M(θ)) for the template's M."""
    q = template.n
    z = rng.standard_normal((q, nsim))
    if q <= dense_max:
        w, u = np.linalg.eigh(to_dense(template.matrix(theta)))
        return u @ (np.sqrt(np.clip(w, 0.0, None))[:, None] * z)
    minv = template.inverse(theta)
    if not sp.issparse(minv):
        raise ModelError(f"cannot simulate a dense {q} x {q} covariance structure",
                         hint=f"structures above {dense_max} rows need a sparse inverse "
                              "(pedigree or diagonal structures)")
    from cvxopt import cholmod, matrix, spmatrix

    low = sp.tril(sp.csc_matrix(minv), format="coo")
    a = spmatrix(low.data.astype(float), low.row.astype(int), low.col.astype(int), (q, q))
    f = cholmod.symbolic(a)
    cholmod.numeric(a, f)
    b = matrix(np.asfortranarray(z))
    cholmod.solve(f, b, sys=5)  # L' x = z
    cholmod.solve(f, b, sys=8)  # P' x
    return np.array(b)


def check_nsim(nsim: Any) -> None:
    if not isinstance(nsim, int) or isinstance(nsim, bool) or nsim < 1:
        raise ModelError(f"simulate(nsim={nsim!r}): nsim must be a positive whole number")


def linear_predictor_draws(fit: Any, nsim: int, rng: np.random.Generator
                           ) -> tuple[np.ndarray, Any]:
    """(Xβ̂ + Σ_k Z_k u*_k as an n x nsim array, the fit's MixedProblem)."""
    res = fit.result
    problem = fit.model.problem(res.theta)
    out = np.repeat(np.asarray(problem.X @ res.beta).ravel()[:, None], nsim, axis=1)
    for b, sl in zip(problem.random, problem.slices()):
        out += np.asarray(b.Z @ draw(b.template, res.theta[sl], nsim, rng))
    return out, problem


def simulate(fit: Any, nsim: int = 1, seed: int | None = None) -> np.ndarray:
    """An n x nsim array of responses simulated from ``fit`` (see the module docstring)."""
    check_nsim(nsim)
    rng = np.random.default_rng(seed)
    out, problem = linear_predictor_draws(fit, nsim, rng)
    if getattr(fit.model, "offset", None) is not None:   # offset(x): y* = o + Xβ̂ + Zu* + e*
        out = out + fit.model.offset[:, None]
    theta = fit.result.theta
    return out + draw(problem.residual, theta[problem.slices()[-1]], nsim, rng)


__all__ = ["DENSE_MAX", "check_nsim", "draw", "linear_predictor_draws", "simulate"]
