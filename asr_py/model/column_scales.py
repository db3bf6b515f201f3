"""Start values on the scale of a term's covariate columns (str(~ g + g:x, ~ us(2):id(g))).

A structure over the columns of a design, such as lme4's (x | g) written
``str(~ g + g:x, ~ us(2):id(g))``, pairs an indicator level (the intercepts, Z entries 0/1)
with a covariate level (the slopes, Z entries x). A pooled start gives both the same
variance σ₀², so the slopes contribute σ₀² mean(x²) to Var(y): with x a year, a day or a
temperature (x ≈ 400 ± 20) that is 10⁵ times the response variance, and the first AI
step from there lands far from the optimum (lme4 fuzz d101: 28 iterations along the PD
boundary, unconverged at maxit). Each covariate level i starts instead at σ₀² / m_i,
m_i = (1/n) Σ_r Σ_{c ∈ i} Z_rc², the mean square its columns carry per record: every level
then contributes σ₀² to Var(y). Indicator levels (every entry 0 or 1) keep σ₀², so the
starts of str() over factors (direct-maternal models, ...) do not change. The start is
equivariant in the units of x (x × k divides the slope's variance by k²), so the fit's path
is the same in any units.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def covariate_scales(Z: sp.spmatrix | np.ndarray, sizes: list[int], part: int
                     ) -> np.ndarray | None:
    """d_i = 1/m_i for each level i of part ``part`` of a term whose columns follow the
    Kronecker order of its parts' ``sizes`` (the first part outermost) when that level's
    columns hold a covariate, 1 for an indicator level; None when every level is an
    indicator level, the sizes do not match Z or a mean square is not positive."""
    n, q = Z.shape
    if n == 0 or int(np.prod(sizes)) != q or not 0 <= part < len(sizes):
        return None
    zc = sp.csc_matrix(Z)
    vals = zc.data
    sq = np.asarray(zc.multiply(zc).sum(axis=0)).ravel()
    non01 = np.zeros(q, dtype=bool)
    bad = (vals != 0.0) & (vals != 1.0)
    if bad.any():
        cols = np.repeat(np.arange(q), np.diff(zc.indptr))
        non01[np.unique(cols[bad])] = True
    shape = tuple(sizes)
    axes = tuple(a for a in range(len(sizes)) if a != part)
    m = sq.reshape(shape).sum(axis=axes) / n
    cov = non01.reshape(shape).any(axis=axes)
    if not cov.any() or not np.all(np.isfinite(m[cov])) or np.any(m[cov] <= 0):
        return None
    return np.where(cov, 1.0 / np.where(cov, m, 1.0), 1.0)
