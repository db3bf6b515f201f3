"""Relationship matrices of autopolyploids (any even ploidy 2v; v = 1 is the diploid case).

Pedigree (Kerr et al. 2012, Theor. Appl. Genet. 124:1271, polysomic inheritance with
double-reduction rate w): with φ the coefficient of kinship (two alleles drawn at random,
with replacement, are identical by descent), a founder has φ_ii = 1/(2v) and a child i of
parents s and d

    φ_ij = (φ_sj + φ_dj) / 2                                  (j older than i)
    φ_ii = [1 + (v−1)w + (v−1)(1−w)(v φ_ss + v φ_dd − 1)/(2v−1)] / (2v) + φ_sd / 2

(an unknown parent contributes v φ = 1/2 and kinship 0). The additive relationship is
A = 2v φ, so a non-inbred founder has A_ii = 1 and the diploid case is Henderson's A.

Markers (VanRaden 2008, generalised to dosages 0..2v as in AGHmatrix): Z = X − column
means and G = ZZ' / Σ_j var(X_j) (sample variances, divisor n − 1), or with
``ploidy_correction`` the denominator Σ_j 2v f_j(1 − f_j), f_j = mean_j / 2v.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from asr_py.errors import DataError

__all__ = ["polyploid_amatrix", "vanraden_polyploid"]


def _birth_order(ids: Sequence[str], sire: Sequence[str | None],
                 dam: Sequence[str | None]) -> list[int]:
    """Positions of ``ids`` with every parent before its offspring (input order kept among
    individuals that are ready); a DataError on a cycle."""
    pos = {k: i for i, k in enumerate(ids)}
    state = [0] * len(ids)            # 0 new, 1 on the stack, 2 placed
    order: list[int] = []
    for start in range(len(ids)):
        if state[start]:
            continue
        stack = [(start, False)]
        while stack:
            i, done = stack.pop()
            if done:
                state[i] = 2
                order.append(i)
                continue
            if state[i] == 2:
                continue
            if state[i] == 1:
                raise DataError(f"pedigree has a cycle through {ids[i]!r}",
                                hint="an individual cannot be its own ancestor")
            state[i] = 1
            stack.append((i, True))
            for p in (dam[i], sire[i]):
                if p is not None and state[pos[p]] != 2:
                    if state[pos[p]] == 1:
                        raise DataError(f"pedigree has a cycle through {p!r}",
                                        hint="an individual cannot be its own ancestor")
                    stack.append((pos[p], False))
    return order


def polyploid_amatrix(ids: Sequence[str], sire: Sequence[str | None],
                      dam: Sequence[str | None], *, ploidy: int = 2,
                      w: float = 0.0) -> np.ndarray:
    """The additive relationship matrix A = 2v φ of a pedigree of autopolyploids (module
    docstring), rows and columns in the order of ``ids``; None marks an unknown parent.
    Every known parent must be one of ``ids``."""
    if ploidy < 2 or ploidy % 2:
        raise DataError(f"ploidy must be an even number >= 2, not {ploidy}")
    if not 0.0 <= w <= 1.0:
        raise DataError(f"double-reduction rate w must be in [0, 1], not {w}")
    ids = [str(i) for i in ids]
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        dup = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
        raise DataError(f"pedigree lists {dup!r} more than once",
                        hint="each individual has one row")
    known = set(ids)
    for role, col in (("sire", sire), ("dam", dam)):
        for i, p in zip(ids, col, strict=True):
            if p is None:
                continue
            if p not in known:
                raise DataError(f"parent {p!r} ({role} of {i!r}) is not listed as an "
                                "individual", hint="add a row for every parent (with "
                                "unknown parents) before building A")
            if p == i:
                raise DataError(f"{i!r} is its own {role}")
    v = ploidy // 2
    pos = {k: i for i, k in enumerate(ids)}
    order = _birth_order(ids, sire, dam)
    n = len(ids)
    phi = np.zeros((n, n))
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    s_idx = [None if sire[i] is None else rank[pos[sire[i]]] for i in order]
    d_idx = [None if dam[i] is None else rank[pos[dam[i]]] for i in order]
    half = 0.5 / v                       # v φ = 1/2 for a non-inbred (unknown) parent
    for k in range(n):
        s, d = s_idx[k], d_idx[k]
        if s is None and d is None:
            phi[k, k] = half
            continue
        row = np.zeros(k)
        if s is not None:
            row += 0.5 * phi[s, :k]
        if d is not None:
            row += 0.5 * phi[d, :k]
        phi[k, :k] = phi[:k, k] = row
        fs = phi[s, s] if s is not None else half
        fd = phi[d, d] if d is not None else half
        fsd = phi[s, d] if s is not None and d is not None else 0.0
        phi[k, k] = (1 + (v - 1) * w + (v - 1) * (1 - w) * (v * fs + v * fd - 1)
                     / (2 * v - 1)) / (2 * v) + 0.5 * fsd
    back = rank                          # position of ids[i] in birth order
    return (2 * v) * phi[np.ix_(back, back)]


def vanraden_polyploid(X: np.ndarray, *, ploidy: int, ploidy_correction: bool = False,
                       ratio: bool = False, weights: np.ndarray | None = None) -> np.ndarray:
    """G = Z D Z'/K (D = diag(weights), default I) with Z = X − column means (missing
    values count as 0 in Z) and K the sum of the markers' sample variances, or with
    ``ploidy_correction`` Σ 2v f(1 − f), f = mean/2v (for ratios, ``ratio``: Σ f(1 − f)/2v
    with f = mean)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise DataError(f"markers must be a matrix (individuals x markers), not shape {X.shape}")
    obs = ~np.isnan(X)
    cnt = obs.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(cnt > 0, np.nansum(X, axis=0) / np.maximum(cnt, 1), np.nan)
    Z = np.where(obs, X - mean, 0.0)
    if ploidy_correction:
        f = mean if ratio else mean / ploidy
        scale = 1.0 / ploidy if ratio else float(ploidy)
        K = float(np.nansum(np.where(cnt > 0, scale * f * (1 - f), 0.0)))
    else:
        ss = (Z ** 2).sum(axis=0)
        K = float(np.sum(np.where(cnt > 1, ss / np.maximum(cnt - 1, 1), 0.0)))
    if K <= 0:
        raise DataError("the markers have no variance: G cannot be scaled",
                        hint="check that the markers are polymorphic")
    return ((Z * weights) @ Z.T if weights is not None else Z @ Z.T) / K
