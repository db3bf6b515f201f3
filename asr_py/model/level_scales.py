"""Per-level response scales for the start values of a structure over a factor.

A MET mixing sites in t/ha and kg/ha has within-site variances 10⁶ apart. Started at the
pooled variance, a ``diag(site)``/``fa(site, k)`` random term or a ``dsum(~ units | site)``
residual spends most of its iterations rescaling each level (EM-like steps), and the
iteration path (and whether the fit converges within maxit) depends on the units. As for
traits (ASReml starts a multivariate fit at a fraction of the phenotypic variance matrix),
each level l of such a structure starts from its own response scale

    d_l = Σ_{i ∈ l} (y_i − ȳ_{l,t(i)})² / v_{t(i)}  /  (n_l − T_l),

the pooled within-level variance of the records of level l (deviations from the level's
mean per trait t, divided by trait t's sample variance v_t; n_l records of T_l traits). A
univariate fit gets d_l = var_l(y) / var(y): the structure's share of var(y) becomes the
same share of the level's own variance, so multiplying one level's records by c multiplies
its start values by c² (and c) and leaves the others alone: the iteration path does not
depend on the units of a level.

Levels with few records give noisy variances: the scales are used only when every level
has at least MIN_RECORDS records and a positive within-level variance (else None: the
pooled start, as before).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

#: the fewest records a level needs for its own scale (else the structure starts pooled)
MIN_RECORDS = 8


def level_scales(y: np.ndarray, trait: np.ndarray, trait_var: np.ndarray,
                 members: list[np.ndarray]) -> np.ndarray | None:
    """d_l (module docstring) for each level, given the records ``members[l]`` of level l;
    None when a level has fewer than MIN_RECORDS records or no within-level variation."""
    out = np.empty(len(members))
    for k, rows in enumerate(members):
        if rows.size < MIN_RECORDS:
            return None
        t = trait[rows]
        ss, df = 0.0, 0
        for tt in np.unique(t):
            yt = y[rows[t == tt]]
            ss += float(np.sum((yt - yt.mean()) ** 2)) / float(trait_var[tt])
            df += yt.size - 1
        if df <= 0 or not np.isfinite(ss) or ss <= 0:
            return None
        out[k] = ss / df
    return out


def factor_members(mat: sp.spmatrix | np.ndarray) -> list[np.ndarray]:
    """The records (rows) in each level (column) of a factor's indicator matrix."""
    csc = sp.csc_matrix(mat)
    return [csc.indices[csc.indptr[j]:csc.indptr[j + 1]][csc.data[csc.indptr[j]:
                                                                   csc.indptr[j + 1]] != 0]
            for j in range(csc.shape[1])]


__all__ = ["MIN_RECORDS", "factor_members", "level_scales"]
