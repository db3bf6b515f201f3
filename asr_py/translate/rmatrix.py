"""R matrices in translated scripts: ``matrix()`` and ``rownames(x) <- v``.

An R matrix without dimnames becomes a 2-D numpy array; with row or column names it becomes a
DataFrame (the form asr_py's asremlPlus functions take, e.g. chooseModel's marginality).
``matrix(data, nrow, ncol, byrow = FALSE)`` fills column by column (R's order) unless
``byrow``, recycling ``data`` to nrow × ncol (R warns when the length does not divide it; so
does this).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.warning_classes import AsrWarning

__all__ = ["r_arith", "r_chol", "r_chol2inv", "r_ginv", "r_matrix", "r_tri", "r_tri_values",
           "set_colnames", "set_rownames"]


def _values(data: Any) -> list[Any]:
    if isinstance(data, (pd.DataFrame, np.ndarray)) and np.ndim(data) == 2:
        return list(np.asarray(data).ravel(order="F"))   # as.vector of a matrix: by column
    if isinstance(data, (list, tuple, range, pd.Series, pd.Index, np.ndarray)):
        return list(data)
    return [data]


def r_matrix(data: Any = np.nan, nrow: int | None = None, ncol: int | None = None,
             byrow: bool = False, dimnames: Any = None) -> np.ndarray | pd.DataFrame:
    """R's ``matrix()``: n = len(data); nrow defaults to ⌈n / ncol⌉ (or n), ncol to
    ⌈n / nrow⌉; values recycled; filled by column unless ``byrow``."""
    if any(isinstance(v, Untranslated) for v in (data, nrow, ncol, dimnames)):
        return Untranslated("matrix() of an untranslated value")._use()
    vals = _values(data)
    cells = isinstance(data, dict) and not data
    if cells:      # matrix(list(), n, m): a list matrix of NULL cells (filled one by one)
        vals = [None]
    if not vals:
        raise AsrError("matrix(): 'data' has no values", hint="give at least one value")
    n = len(vals)
    if nrow is None and ncol is None:
        nrow, ncol = n, 1
    elif nrow is None:
        nrow = max(1, math.ceil(n / int(ncol)))  # type: ignore[arg-type]
    elif ncol is None:
        ncol = max(1, math.ceil(n / int(nrow)))
    nrow, ncol = int(nrow), int(ncol)
    size = nrow * ncol
    if size and (size % n if size >= n else n % size):
        warnings.warn(f"matrix(): data length {n} is not a sub-multiple or multiple of the "
                      f"number of {'columns' if byrow else 'rows'} ({nrow} x {ncol})",
                      AsrWarning, stacklevel=2)
    flat = [vals[i % n] for i in range(size)]
    try:
        if cells:
            raise TypeError
        arr = np.asarray(flat, dtype=float)
    except (TypeError, ValueError):
        arr = np.empty(len(flat), dtype=object)
        arr[:] = flat
    arr = arr.reshape((nrow, ncol), order="C" if byrow else "F")
    if dimnames is None:
        return arr
    rows, cols = (list(dimnames) + [None, None])[:2]
    out = pd.DataFrame(arr)
    return set_colnames(set_rownames(out, rows), cols)


def _names(names: Any, n: int, which: str) -> list[str] | None:
    if names is None:
        return None
    names = [names] if isinstance(names, str) else [str(v) for v in names]
    if len(names) != n:
        raise AsrError(f"{which}(x) <- v: {len(names)} names for {n} {which[:3]}s",
                       hint=f"give one name per {which[:3]}")
    return names


def _set_dimnames(x: Any, names: Any, axis: int, which: str) -> Any:
    """``rownames(x) <- v`` (axis 0) or ``colnames(x) <- v`` (axis 1): a copy of the matrix
    or data frame (as a DataFrame) with that axis named by ``v``; NULL removes the names."""
    if isinstance(x, Untranslated) or isinstance(names, Untranslated):
        return (x if isinstance(x, Untranslated) else names)._use()
    out = pd.DataFrame(x) if isinstance(x, np.ndarray) else x.copy()
    if isinstance(names, pd.DataFrame) and names.shape[0] == 1:
        # colnames(d) <- read.csv(f, header = FALSE)[1, ]: a one-row data frame is a list,
        # and R's as.character() of it is its values
        names = [v if isinstance(v, str) else format(float(v), ".15g")
                 if isinstance(v, (int, float, np.number)) else str(v)
                 for v in names.iloc[0].tolist()]
    got = _names(names, out.shape[axis], which)
    out = out.set_axis(pd.RangeIndex(out.shape[axis]) if got is None else got, axis=axis)
    return out


def set_rownames(x: Any, names: Any) -> Any:
    """R's ``rownames(x) <- v`` (``row.names``) on a matrix or data frame."""
    return _set_dimnames(x, names, 0, "rownames")


def set_colnames(x: Any, names: Any) -> Any:
    """R's ``colnames(x) <- v`` on a matrix or data frame."""
    return _set_dimnames(x, names, 1, "colnames")


_ARITH: dict[str, Any] = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide,
                          "^": np.power}


def _is_matrix(x: Any) -> bool:
    return isinstance(x, pd.DataFrame) or isinstance(x, np.ndarray) and x.ndim == 2


def _flat(x: Any) -> np.ndarray:
    """The values of an R vector (a Series' labels dropped; one value: length one)."""
    if isinstance(x, (pd.Series, pd.Index)):
        return x.to_numpy()
    if isinstance(x, dict):                  # a named c() as translate writes it
        return np.asarray(list(x.values()))
    return np.atleast_1d(np.asarray(list(x) if isinstance(x, (list, tuple, range)) else x))


def r_arith(x: Any, op: str, y: Any) -> Any:
    """R's ``x op y`` (``+ - * / ^``) when an operand is a matrix: by position, never by
    label. A vector (a named one too: ``vparameters["a"] * Z %*% t(Z)``) is recycled down
    the matrix's columns (column-major, R's rule; a length that does not divide the
    matrix's size warns, a longer one is an error, "dims do not match"); two matrices need
    the same dimensions ("non-conformable arrays"). The result is shaped, and labelled, as
    the matrix (the first one's dimnames when both are). Neither a matrix: the values by
    position with recycling (a one-value result stays one value)."""
    for v in (x, y):
        if isinstance(v, Untranslated):
            return v._use()
    f = _ARITH[op]
    mx, my = _is_matrix(x), _is_matrix(y)
    if mx and my:
        a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if a.shape != b.shape:
            raise AsrError(f"x {op} y: non-conformable arrays ({a.shape[0]} x {a.shape[1]} "
                           f"and {b.shape[0]} x {b.shape[1]})",
                           hint="R's elementwise arithmetic needs matrices of one shape; "
                                "use %*% for the matrix product")
        out = f(a, b)
        like = x if isinstance(x, pd.DataFrame) else y
    elif mx or my:
        m, v = (x, y) if mx else (y, x)
        a = np.asarray(m, dtype=float)
        vals = _flat(v).astype(float)
        if a.size == 1 and vals.size > 1:
            # R: a 1 x 1 matrix with a longer vector is the one number, recycled ("Recycling
            # array of length 1 in vector-array arithmetic is deprecated"); a vector results
            warnings.warn("Recycling array of length 1 in vector-array arithmetic is "
                          "deprecated. Use c() or as.vector() instead.", AsrWarning,
                          stacklevel=2)
            one = a.ravel()[0]
            out = f(one, vals) if mx else f(vals, one)
            return pd.Series(out, index=v.index) if isinstance(v, pd.Series) else out
        if vals.size > a.size:
            raise AsrError(f"x {op} y: a vector of length {vals.size} with a "
                           f"{a.shape[0]} x {a.shape[1]} matrix (dims do not match)",
                           hint="R recycles a vector only up to the matrix's size")
        if vals.size == 0:
            raise AsrError(f"x {op} y: an empty vector (R's NULL?) with a matrix",
                           hint="check the value that is NULL or empty")
        if a.size % vals.size:
            warnings.warn(f"x {op} y: longer object length ({a.size}) is not a multiple of "
                          f"shorter object length ({vals.size})", AsrWarning, stacklevel=2)
        full = np.resize(vals, a.size).reshape(a.shape, order="F")
        out = f(a, full) if mx else f(full, a)
        like = m
    else:
        a, b = _flat(x), _flat(y)
        n = max(a.size, b.size) if a.size and b.size else 0
        out = f(np.resize(a, n), np.resize(b, n))
        if n == 1 and np.ndim(x) == 0 and np.ndim(y) == 0:
            return out[0]
        named = x if isinstance(x, dict) and len(x) == n else \
            y if isinstance(y, dict) and len(y) == n else None
        if named is not None:              # a named c() (as translate writes it) keeps names
            return dict(zip(named, out.tolist(), strict=True))
        lab = x if isinstance(x, pd.Series) and len(x) == n else \
            y if isinstance(y, pd.Series) and len(y) == n else None
        return pd.Series(out, index=lab.index) if lab is not None else out
    if isinstance(like, pd.DataFrame):
        return pd.DataFrame(out, index=like.index, columns=like.columns)
    return out


def r_tri(x: Any, upper: bool = True, diag: bool = False) -> np.ndarray:
    """R's ``upper.tri(x, diag)`` / ``lower.tri``: the logical matrix of x's shape, TRUE above
    (below) the diagonal, on it too with ``diag``."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    n, m = np.shape(np.asarray(x))[:2] if np.ndim(x) == 2 else (len(x), 1)
    i, j = np.arange(n)[:, None], np.arange(m)[None, :]
    return (j > i if upper else j < i) | ((i == j) if diag else False)


def r_tri_values(x: Any, upper: bool = True, diag: bool = False,
                 of: Any = None) -> np.ndarray:
    """``x[upper.tri(x)]`` (``lower.tri``): those elements in R's order, column by column;
    ``of`` the matrix whose triangle is the mask (``t(G)[lower.tri(G)]``), of x's shape."""
    for v in (x, of):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value]
    a = np.asarray(x)
    mask = r_tri(a if of is None else np.asarray(of), upper, diag)
    if mask.shape != a.shape:
        raise AsrError(f"x[{'upper' if upper else 'lower'}.tri(y)]: y is {mask.shape[0]} x "
                       f"{mask.shape[1]} but x has shape {a.shape}",
                       hint="the triangle's mask must be of the matrix's own shape")
    return a.T[mask.T]


def _numeric_matrix(x: Any, what: str) -> np.ndarray:
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    a = np.asarray(x, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise AsrError(f"{what}: needs a square matrix, got shape {a.shape}",
                       hint="chol()/chol2inv() take a symmetric positive definite matrix")
    return a


def r_chol(x: Any) -> np.ndarray:
    """R's ``chol(x)``: the upper triangular U with x = UᵀU (numpy gives the lower L = Uᵀ);
    an error naming the matrix when x is not positive definite (as R's)."""
    a = _numeric_matrix(x, "chol()")
    try:
        return np.linalg.cholesky(a).T
    except np.linalg.LinAlgError as err:
        raise AsrError("chol(): the matrix is not positive definite",
                       hint="R's chol() fails on it too") from err


def r_chol2inv(u: Any) -> np.ndarray:
    """R's ``chol2inv(U)``: (UᵀU)⁻¹ from the upper triangular Cholesky factor U (so
    ``chol2inv(chol(x))`` is x⁻¹)."""
    import scipy.linalg as sla

    a = _numeric_matrix(u, "chol2inv()")
    return sla.cho_solve((np.triu(a), False), np.eye(a.shape[0]))


def r_ginv(x: Any, tol: float | None = None) -> np.ndarray:
    """MASS's ``ginv(x)``: the Moore-Penrose inverse (singular values below
    ``tol`` × the largest, default √ε as MASS, taken as zero)."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    a = np.asarray(x, dtype=float)
    rc = np.sqrt(np.finfo(float).eps) if tol is None else float(tol)
    return np.linalg.pinv(a, rcond=rc)
