"""Base R's ``svd()``, ``det()`` and ``determinant()`` for translated scripts.

* ``svd(x, nu = min(n, p), nv = min(n, p))`` (R 4.x ``?svd``): a list with ``d`` (the
  singular values, decreasing), ``u`` (n x nu left singular vectors) and ``v`` (p x nv right
  singular vectors); ``u``/``v`` are left out when ``nu``/``nv`` is 0, as R. Both R (La.svd)
  and numpy call LAPACK's dgesdd, so the vectors come out with the same signs for the same
  LAPACK; singular vectors are only defined up to sign, a script that relies on one sign
  relies on its LAPACK too.
* ``determinant(x, logarithm = TRUE)``: ``list(modulus, sign)``, the log of |det(x)| (or
  |det(x)| when ``logarithm = FALSE``) and its sign, from an LU factorisation as R's;
  ``det(x)`` is ``sign * exp(modulus)``.
* ``diag(x) <- value``: x with its diagonal replaced (one value or ``min(dim(x))`` values,
  as R's ``diag<-``); a data frame keeps its labels.
* ``drop(x)``: a matrix without its dimensions of extent one (a 1 x 1 matrix is a number,
  an n x 1 or 1 x n matrix a vector, named by the other dimension's names when it has them).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_det", "r_determinant", "r_drop", "r_set_diag", "r_svd"]


def _matrix(x: Any, what: str) -> np.ndarray:
    """A numeric 2-d array from a matrix, data frame, sparse matrix or vector (a column)."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    if hasattr(x, "toarray"):
        x = x.toarray()
    if isinstance(x, pd.DataFrame):
        # by position: a matrix's column names may repeat (cbind's "" of unnamed vectors)
        bad = [str(c) for c, t in zip(x.columns, x.dtypes) if not (
            pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t))]
        if bad:
            raise AsrError(f"{what}: a numeric/complex matrix/vector argument is required; "
                           f"column(s) {bad[:4]} are not numeric",
                           hint="select the numeric columns, or as.matrix() a numeric one")
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise AsrError(f"{what}: a numeric matrix is required, got {type(x).__name__}",
                       hint="give a numeric matrix") from None
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim == 0:
        a = a.reshape(1, 1)
    if a.ndim != 2:
        raise AsrError(f"{what}: needs a matrix, got an array of shape {a.shape}",
                       hint="give a numeric matrix")
    if not np.isfinite(a).all():
        raise AsrError(f"{what}: infinite or missing values in 'x'",
                       hint="R's La.svd()/determinant() refuse them too; remove the NAs first")
    return a


def r_svd(x: Any, nu: int | None = None, nv: int | None = None) -> dict[str, Any]:
    """R's ``svd(x, nu, nv)``: ``{'d': ..., 'u': ..., 'v': ...}`` (see the module)."""
    a = _matrix(x, "svd()")
    n, p = a.shape
    k = min(n, p)
    nu = k if nu is None else int(nu)
    nv = k if nv is None else int(nv)
    if nu < 0 or nv < 0 or nu > n or nv > p:
        raise AsrError(f"svd(): nu = {nu}, nv = {nv} for a {n} x {p} matrix",
                       hint=f"0 <= nu <= {n} and 0 <= nv <= {p}")
    if k == 0:
        raise AsrError("svd(): a 0-extent dimension", hint="x has no rows or no columns")
    full = nu > k or nv > k
    u, d, vt = np.linalg.svd(a, full_matrices=full)
    # d a Series: a translated s$d[1] reads it by position (.iloc), as R's vector
    out: dict[str, Any] = {"d": pd.Series(d)}
    if nu:
        out["u"] = u[:, :nu]
    if nv:
        out["v"] = vt.T[:, :nv]
    return out


def r_determinant(x: Any, logarithm: bool = True) -> dict[str, Any]:
    """R's ``determinant(x, logarithm = TRUE)``: ``{'modulus': ..., 'sign': ...}``."""
    a = _matrix(x, "determinant()")
    if a.shape[0] != a.shape[1]:
        raise AsrError(f"determinant(): 'a' must be a square matrix (it is {a.shape[0]} x "
                       f"{a.shape[1]})", hint="det()/determinant() need a square matrix")
    sign, logdet = np.linalg.slogdet(a)
    if sign == 0:
        sign, logdet = 1.0, -np.inf                      # R: modulus -Inf, sign 1
    return {"modulus": float(logdet) if logarithm else float(np.exp(logdet)),
            "sign": int(sign)}


def r_det(x: Any) -> float:
    """R's ``det(x)``: the determinant, ``sign * exp(modulus)`` of :func:`r_determinant`."""
    d = r_determinant(x, logarithm=True)
    return float(d["sign"] * np.exp(d["modulus"]))


def r_drop(x: Any) -> Any:
    """R's ``drop(x)`` (see the module)."""
    if isinstance(x, Untranslated):
        return x._use()
    if hasattr(x, "toarray"):
        x = x.toarray()
    if isinstance(x, pd.DataFrame):
        if x.shape == (1, 1):
            return x.iat[0, 0]
        if x.shape[1] == 1:
            return x.iloc[:, 0]
        if x.shape[0] == 1:
            return x.iloc[0, :]
        return x
    if isinstance(x, (pd.Series, list, tuple, int, float)):
        return x[0] if isinstance(x, (pd.Series, list, tuple)) and len(x) == 1 and \
            isinstance(x, pd.Series) and isinstance(x.index, pd.RangeIndex) else x
    a = np.asarray(x)
    if a.ndim == 0:
        return a.item()
    s = np.squeeze(a)
    return s.item() if s.ndim == 0 else s


def r_set_diag(x: Any, value: Any) -> Any:
    """R's ``diag(x) <- value`` (see the module)."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(value, Untranslated):
        return value._use()
    frame = x if isinstance(x, pd.DataFrame) else None
    a = np.array(x.toarray() if hasattr(x, "toarray") else
                 frame.to_numpy() if frame is not None else x)
    if a.ndim != 2:
        raise AsrError(f"diag(x) <- value: x has {a.ndim} dimension(s)",
                       hint="only matrix diagonals can be replaced (R: 'only matrix "
                            "diagonals can be replaced')")
    k = min(a.shape)
    v = np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else value).ravel()
    if v.size not in (1, k):
        raise AsrError(f"diag(x) <- value: replacement diagonal has wrong length ({v.size}, "
                       f"the diagonal has {k})", hint="give one value or one per diagonal "
                                                     "element")
    if v.dtype == object:                       # diag(x) <- NA: NA is None here
        try:
            v = np.array([np.nan if x is None else x for x in v], dtype=float)
        except (TypeError, ValueError):
            a = a.astype(object)
    if np.issubdtype(v.dtype, np.floating) and not np.issubdtype(a.dtype, np.floating):
        a = a.astype(float)
    idx = np.arange(k)
    a[idx, idx] = v
    return pd.DataFrame(a, index=frame.index, columns=frame.columns) if frame is not None \
        else a
