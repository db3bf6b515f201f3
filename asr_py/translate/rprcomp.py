"""stats' ``prcomp(x, retx = TRUE, center = TRUE, scale. = FALSE, tol = NULL, rank. = NULL)``
(R 4 ``?prcomp``): principal components of a numeric matrix or data frame.

"The calculation is done by a singular value decomposition of the (centered and possibly
scaled) data matrix, not by using eigen on the covariance matrix": with Xc = (X - center) /
scale = U D V', the result is the list

* ``sdev`` = D / sqrt(max(1, n - 1)) (the square roots of the eigenvalues of cov(Xc)),
* ``rotation`` = V (variable loadings; columns PC1, PC2, ..., rows the variables),
* ``center``, ``scale`` (the column means and standard deviations used, or FALSE),
* ``x`` = Xc V (the scores, "the value of the rotated data"; rows keep X's row names).

``center``/``scale.`` may be TRUE/FALSE or a vector of one value per column; with
``scale. = TRUE`` a constant column is R's error "cannot rescale a constant/zero column to
unit variance". ``tol`` drops components whose sdev is at most tol times the first's;
``rank.`` keeps the first ones (``sdev`` keeps them all, as R's). A missing value is an
error (R's svd fails: "infinite or missing values in 'x'"). Each component's sign is
arbitrary (the SVD's): R and numpy may differ by a sign per column, as R's own results do
between LAPACK builds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_prcomp"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "prcomp": ("r_prcomp", ("x", "retx", "center", "scale.", "tol", "rank."), ("stats",)),
}


def _how(v: Any, p: int, what: str) -> tuple[bool, np.ndarray | None]:
    """TRUE/FALSE, or one value per column."""
    if isinstance(v, bool | np.bool_):
        return bool(v), None
    a = np.ravel(np.asarray(v.to_numpy() if isinstance(v, pd.Series) else v, dtype=float))
    if a.size == 1 and a[0] in (0.0, 1.0) and p != 1:
        return bool(a[0]), None
    if a.size != p:
        raise AsrError(f"prcomp(): '{what}' has {a.size} values for {p} columns",
                       hint="give TRUE/FALSE or one value per column")
    return True, a


def r_prcomp(x: Any, retx: bool = True, center: Any = True, scale_: Any = False,
             tol: Any = None, rank_: Any = None) -> dict[str, Any]:
    """``prcomp(x, ...)``: see the module docstring."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    if isinstance(x, pd.DataFrame):
        bad = [c for c in x.columns if not pd.api.types.is_numeric_dtype(x[c])]
        if bad:
            raise AsrError(f"prcomp(): column {bad[0]!r} is not numeric",
                           hint="R stops too: select the numeric columns first")
        rows, cols = x.index, [str(c) for c in x.columns]
        a = x.to_numpy(dtype=float)
    else:
        a = np.asarray(x, dtype=float)
        a = a.reshape(-1, 1) if a.ndim == 1 else a
        rows, cols = pd.RangeIndex(1, a.shape[0] + 1), [str(k) for k in
                                                        range(1, a.shape[1] + 1)]
    if a.ndim != 2 or not np.all(np.isfinite(a)):
        raise AsrError("prcomp(): infinite or missing values in 'x'",
                       hint="drop or impute them first (na.omit(x))")
    n, p = a.shape
    do_c, cvec = _how(center, p, "center")
    do_s, svec = _how(scale_, p, "scale.")
    cen = (cvec if cvec is not None else a.mean(axis=0)) if do_c else None
    xc = a - cen if cen is not None else a.copy()
    sc = None
    if do_s:
        sc = svec if svec is not None else np.sqrt(
            (xc ** 2).sum(axis=0) / max(1, n - 1))      # R: sqrt(sum(x^2) / (n - 1))
        if np.any(sc == 0):
            raise AsrError("prcomp(): cannot rescale a constant/zero column to unit variance",
                           hint="drop the constant columns or use scale. = FALSE")
        xc = xc / sc
    _, d, vt = np.linalg.svd(xc, full_matrices=False)
    k = len(d)
    if rank_ is not None:
        k = min(k, int(rank_))
    sdev = d / np.sqrt(max(1, n - 1))
    if tol is not None:
        k = min(k, int(np.sum(sdev > float(tol) * sdev[0])))
    pcs = [f"PC{j}" for j in range(1, k + 1)]
    rot = pd.DataFrame(vt[:k].T, index=cols, columns=pcs)
    out: dict[str, Any] = {
        "sdev": sdev,                   # R keeps every sdev, whatever tol/rank. keep
        "rotation": rot,
        "center": pd.Series(cen, index=cols) if cen is not None else False,
        "scale": pd.Series(sc, index=cols) if sc is not None else False,
    }
    if retx:
        out["x"] = pd.DataFrame(xc @ rot.to_numpy(), index=rows, columns=pcs)
    return out
