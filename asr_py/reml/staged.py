"""Multivariate fits started from univariate fits.

With every between-trait covariance (and correlation) of G and R held at zero, the REML
likelihood of a multivariate model separates into one univariate likelihood per trait:

    ℓ(θ) = Σ_t ℓ_t(θ_t)   when Σ_g, Σ_e, ... are diagonal over traits,

so a fit with those parameters fixed at 0 ('F') *is* the set of univariate fits, done in one
pass through the same mixed model equations. Stage 2 starts the full model from the
univariate variances with zero covariances (the advice users get when a multivariate fit
fails from its default start). The engine receives only a boolean mask of the cross-trait
parameters; which parameters those are is decided by the model compiler.

Pairwise starts (``mv_start='pairwise'``, :mod:`asr_py.pairwise` fits the pairs): a t x t
trait matrix is assembled from the 2 x 2 matrices of the bivariate fits of every pair of traits
by :func:`assemble_pairwise`: variances averaged over the t − 1 pairs holding the trait,
covariances from their own pair. Such a matrix need not be positive definite; with
D = diag(S) and the correlation matrix R = D^-½ S D^-½ of smallest eigenvalue λ, the
correlations are shrunk toward 0 just enough that λ >= ``min_eig``:

    R_α = (1 − α) R + α I,   α = (min_eig − λ) / (1 − λ)   (α = 0 when λ >= min_eig),

which keeps every variance and scales every correlation by 1 − α.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from asr_py.reml.ai import fit_reml
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult


def univariate_problem(problem: MixedProblem, cross: np.ndarray) -> MixedProblem:
    """``problem`` with the cross-trait parameters (``cross`` mask) fixed at zero."""
    cross = np.asarray(cross, dtype=bool)
    theta0 = problem.theta0.copy()
    cons = list(problem.constraints)
    for k in np.flatnonzero(cross):
        if cons[k] != "F":
            theta0[k] = 0.0
            cons[k] = "F"
    return replace(problem, theta0=theta0, constraints=cons, random=list(problem.random))


def fit_reml_staged(
    problem: MixedProblem,
    cross: np.ndarray,
    *,
    maxit: int = 30,
    callback: Callable[[dict], None] | None = None,
    **kwargs: Any,
) -> RemlResult:
    """Fit the univariate stage (cross-trait parameters at 0), then the full model from its
    estimates. Iterations of both stages count against ``maxit`` and appear in ``history``
    (stage 1's methods are prefixed ``uni-``). Falls back to the plain fit if stage 1 cannot
    be evaluated.
    """
    cross = np.asarray(cross, dtype=bool)
    free_cross = cross & np.array([c != "F" for c in problem.constraints])
    if not free_cross.any():
        return fit_reml(problem, maxit=maxit, callback=callback, **kwargs)

    def cb1(h: dict) -> None:
        if callback is not None:
            callback({**h, "method": "uni-" + h["method"]})

    try:
        first = fit_reml(univariate_problem(problem, cross), maxit=maxit, callback=cb1,
                         **kwargs)
    except (np.linalg.LinAlgError, ValueError):
        return fit_reml(problem, maxit=maxit, callback=callback, **kwargs)
    theta1 = first.theta.copy()
    n1 = first.n_iter

    def cb2(h: dict) -> None:
        if callback is not None and h["iteration"] > 0:
            callback({**h, "iteration": h["iteration"] + n1})

    second = fit_reml(replace(problem, theta0=theta1, random=list(problem.random)),
                      maxit=max(maxit - n1, 1), callback=cb2, **kwargs)
    hist = [{**h, "method": "uni-" + h["method"]} for h in first.history]
    hist += [{**h, "iteration": h["iteration"] + n1} for h in second.history[1:]]
    second.history = hist
    second.n_iter = n1 + second.n_iter
    second.diagnostics = [
        f"started from univariate fits ({n1} iterations with the between-trait covariances "
        "held at 0)", *[d for d in second.diagnostics]]
    return second


#: smallest eigenvalue of the assembled correlation matrix a pairwise start keeps
PAIRWISE_MIN_EIG = 1e-3


@dataclass
class PairwiseAssembly:
    """A t x t matrix assembled from pairs (:func:`assemble_pairwise`): ``matrix`` (positive
    definite), ``min_eig`` (smallest eigenvalue of its correlation matrix before shrinking),
    ``shrink`` (α: every correlation was multiplied by 1 − α), ``floored`` (traits whose
    averaged variance was not positive and was raised to a small positive value)."""

    matrix: np.ndarray
    min_eig: float
    shrink: float
    floored: list[int]


def assemble_pairwise(t: int, pairs: dict[tuple[int, int], np.ndarray],
                      min_eig: float = PAIRWISE_MIN_EIG) -> PairwiseAssembly:
    """S from the 2 x 2 matrices of every pair (a < b): S_aa = mean of the pairs' (a, a)
    entries, S_ab = that of pair (a, b); made positive definite as the module docstring
    says."""
    diag = np.zeros(t)
    count = np.zeros(t)
    off = np.zeros((t, t))
    for (a, b), m in pairs.items():
        m = np.asarray(m, dtype=float)
        diag[a] += m[0, 0]
        diag[b] += m[1, 1]
        count[a] += 1
        count[b] += 1
        off[a, b] = off[b, a] = m[0, 1]
    if np.any(count == 0):
        raise ValueError("every trait needs at least one pair")
    d = diag / count
    top = float(d.max()) if np.isfinite(d).all() and d.max() > 0 else 1.0
    floored = [int(i) for i in np.flatnonzero(d <= 1e-6 * top)]
    d[floored] = 1e-6 * top
    sd = np.sqrt(d)
    r = off / np.outer(sd, sd)
    np.fill_diagonal(r, 1.0)
    lam = float(np.linalg.eigvalsh(r)[0])
    alpha = 0.0 if lam >= min_eig else (min_eig - lam) / (1.0 - lam)
    r = (1.0 - alpha) * r
    np.fill_diagonal(r, 1.0)
    return PairwiseAssembly(r * np.outer(sd, sd), lam, float(alpha), floored)


__all__ = ["PairwiseAssembly", "assemble_pairwise", "fit_reml_staged", "univariate_problem"]
