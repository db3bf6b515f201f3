"""Variance parameters the data cannot separate (confounded components).

With free parameters θ_F (not fixed, not held at a boundary) and their average-information
matrix AI_F, scale to the correlation form S = D^{-½} AI_F D^{-½} (D = diag AI_F). A
direction v with S v ≈ 0 (eigenvalue <= :data:`NULL_TOL` x the largest) leaves the REML
log-likelihood flat to second order: the parameters with |v_k| >= :data:`LOADING` are not
identifiable from the data, only combinations orthogonal to v are. The classic case:
``vm(id, K)`` with K = I (or an ``id`` effect) and one record per level beside the units
residual, V = σ²_g I + σ²_e I, where ∂V/∂σ²_g = ∂V/∂σ²_e, so AI's rows are equal and S =
[[1, 1], [1, 1]] has eigenvalue 0 with v = (1, −1)/√2. A parameter with no information
(AI_kk <= 0) is not identifiable either.
"""

from __future__ import annotations

import numpy as np

#: S is singular below this eigenvalue ratio (the engine's final-estimates test, reml.finish)
NULL_TOL = 1e-10
#: a parameter takes part in a null direction when its |loading| is at least this
LOADING = 0.1


def unidentified(ai: np.ndarray, constraints: list[str]) -> list[list[int]]:
    """Groups of parameter indices that are not identifiable (one group per null direction
    of S, plus one per parameter with no information); [] when all free ones are."""
    ai = np.asarray(ai, dtype=float)
    free = np.array([c not in ("F", "B", "C") for c in constraints], dtype=bool)
    idx = np.flatnonzero(free & np.isfinite(np.diag(ai)) if ai.size else free)
    if idx.size == 0:
        return []
    a = ai[np.ix_(idx, idx)]
    if not np.all(np.isfinite(a)):
        return []
    d = np.diag(a)
    groups = [[int(k)] for k in idx[d <= 0]]
    keep = d > 0
    if keep.sum() == 0:
        return groups
    sub = idx[keep]
    r = 1.0 / np.sqrt(d[keep])
    w, v = np.linalg.eigh(a[np.ix_(keep, keep)] * r[:, None] * r[None, :])
    for j in np.flatnonzero(w <= NULL_TOL * max(abs(w[-1]), 1e-300)):
        members = sub[np.abs(v[:, j]) >= LOADING]
        if members.size:
            groups.append([int(k) for k in members])
    return groups


def message(names: list[str], groups: list[list[int]]) -> str:
    """The plain-language diagnostic for :func:`unidentified`'s groups."""
    parts = []
    for g in groups:
        nm = [names[k] for k in g]
        parts.append(nm[0] if len(nm) == 1 else ", ".join(nm[:-1]) + " and " + nm[-1])
    return ("the variance parameters are not identifiable: the data cannot separate "
            + "; ".join(parts) + " (the average-information matrix is singular at the "
            "estimates, so the log-likelihood is flat along a direction). Their individual "
            "values are arbitrary (often the start values) and have no standard errors; "
            "only their combination (e.g. the sum) is estimated. Remove or fix one of them "
            "(params= constraint 'F'), or use data with replication (more than one record "
            "per level of the random effect)")
