"""Base-R semantics for translated scripts: two-subscript indexing, ``length``, ``matrix``,
``kronecker``, ``attr<-`` and the ``as.*`` conversions of one value.

R's rules kept here (R 4.2, ``?Extract``, ``?matrix``, ``?length``):

* ``x[i, j]``: i and j are 1-based positions (negative ones drop), names, logical masks
  (recycled) or empty (everything); with ``drop = TRUE`` (R's default) a data frame result
  of one column is a vector, one row stays a data frame, and a matrix loses every dimension
  of extent one.
* ``length(d)`` of a data frame (a list of columns) is its number of columns; of a string,
  one; of NULL, zero.
* ``matrix(data, nrow, ncol, byrow = FALSE)`` fills column by column, recycling data.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.rconcat import concat_frames
from asr_py.translate.rmatshape import (
    as_column,
    column_result,
    conformable,
    is_square_dimnamed,
)
from asr_py.translate.rnewcols import add_positional_columns
from asr_py.translate.rnumtext import r_double_text
from asr_py.warning_classes import AsrWarning

__all__ = ["RArray", "clean_names", "r_aggregate", "r_as", "r_bind_all", "r_cbind", "r_cut",
           "r_flat_series", "r_numeric_of",
           "r_col_or_sourced", "r_diag",
           "r_dist", "r_ij", "r_ij_assign", "r_kronecker", "r_matmul", "r_outer",
           "r_lapply_cols", "r_length",
           "r_paste",
           "r_rbind", "r_rows",
           "r_set_attr",
           "r_apply", "r_data_frame", "r_fun", "r_interaction", "r_is", "r_iter", "r_rename_at",
           "r_seq", "r_tapply", "r_wald_test", "r_which_max"]


class RArray(np.ndarray):
    """A numpy array that can carry R attributes (``attr(x, "INVERSE") <- TRUE``)."""

    attrs: dict[str, Any]

    def __array_finalize__(self, obj: Any) -> None:
        self.attrs = dict(getattr(obj, "attrs", {}) or {})


def _placeholder(*xs: Any) -> Untranslated | None:
    for x in xs:
        if isinstance(x, Untranslated):
            return x._use()
    return None


def _pmatch(name: str, labels: pd.Index) -> int:
    """R's pmatch() of one name not among ``labels`` exactly: the 0-based position of the
    one label it is a prefix of, -1 when none or several are."""
    hits = [k for k, lab in enumerate(labels) if str(lab).startswith(name)]
    return hits[0] if len(hits) == 1 else -1


def _positions(sel: Any, labels: pd.Index, n: int, what: str,
               beyond_na: bool = False) -> list[int]:
    """0-based positions of R's subscript ``sel`` over ``n`` items labelled ``labels``;
    ``beyond_na``: a position beyond ``n`` is -1 (a data frame's row of NA in R), not an
    error (a matrix's "subscript out of bounds")."""
    if sel is None:
        return list(range(n))
    if isinstance(sel, np.ndarray) and sel.ndim == 0:
        sel = sel.item()                    # np.asarray(i) of one loop value: a scalar
    seq = list(sel) if isinstance(sel, (list, tuple, range, np.ndarray, pd.Series, pd.Index,
                                        pd.api.extensions.ExtensionArray)) else [sel]
    if not seq:
        return []
    if all(isinstance(v, (bool, np.bool_)) for v in seq):              # logical mask
        return [k for k in range(n) if seq[k % len(seq)]]
    if all(isinstance(v, str) for v in seq):                           # names
        pos = labels.get_indexer(seq)
        if (pos < 0).any() and what == "row" and beyond_na:
            # a data frame's rows: R's `[.data.frame` pmatch()es the names (a unique
            # prefix is that row), and a name matching no row gives a row of NA
            pos = np.array([p if p >= 0 else _pmatch(v, labels) for v, p in zip(seq, pos)])
            return [int(p) for p in pos]
        if (pos < 0).any():
            bad = [v for v, p in zip(seq, pos) if p < 0][0]
            raise AsrError(f"x[i, j]: no {what} named {bad!r}",
                           hint=f"the {what}s are {list(labels[:6])}")
        return [int(p) for p in pos]
    if any(_null(v) or v is pd.NA for v in seq):
        raise AsrError(f"x[i, j]: a missing (NA) {what} position, e.g. from match() of a "
                       f"name that is not among the {what}s",
                       hint=f"the {what}s are {list(labels[:6])}...; compare the names "
                            "the script expects with these")
    nums = [int(v) for v in seq]
    if all(v == 0 for v in nums):                                      # x[, 0]: nothing
        return []
    if all(v <= 0 for v in nums):
        drop = {-v - 1 for v in nums}
        return [k for k in range(n) if k not in drop]
    if any(v < 0 for v in nums):
        raise AsrError("x[i, j]: positive and negative positions mixed",
                       hint="R allows only one kind in a subscript")
    if max(nums) > n and not beyond_na:
        raise AsrError(f"x[i, j]: {what} {max(nums)} is beyond the {n} {what}s "
                       "(R: subscript out of bounds)")
    return [v - 1 if v <= n else -1 for v in nums if v != 0]


def _frame_not_matrix(x: pd.DataFrame) -> bool:
    """A data frame in R's sense (a text column, or R's default row names 1..n), not a
    matrix held as one (all numbers, rows labelled: asreml's sed/vcov, a named matrix)."""
    return isinstance(x.index, pd.RangeIndex) or not all(
        pd.api.types.is_numeric_dtype(t) for t in x.dtypes)


def _rows_with_na(x: pd.DataFrame, rows: list[int], cols: list[int]) -> pd.DataFrame:
    """``x.iloc[rows, cols]`` where a row -1 is R's row of NA (row name "NA")."""
    out = x.iloc[[max(r, 0) for r in rows], cols].copy()
    missing = np.array([r < 0 for r in rows])
    for c in out.columns:
        col = out[c]
        if not (pd.api.types.is_float_dtype(col) or col.dtype == object):
            out[c] = col.astype(float if pd.api.types.is_numeric_dtype(col) else object)
    out.iloc[np.flatnonzero(missing), :] = np.nan
    out.index = ["NA" if m else str(k) for m, k in zip(missing, out.index)] \
        if not isinstance(x.index, pd.RangeIndex) else \
        pd.Index([np.nan if m else k for m, k in zip(missing, out.index)], dtype=object)
    return out


def r_rows(x: Any, i: Any) -> Any:
    """The index labels of R's row subscript ``i`` of data frame ``x`` (positions counted
    from 1, negative ones excluded, a logical mask recycled, row names), for ``.loc``:
    ``d$y[c(2, 4)] <- NA`` sets the 2nd and 4th rows whatever the frame's index."""
    if (ph := _placeholder(x, i)) is not None:
        return ph
    if isinstance(x, pd.Series):
        return x.index[_positions(i, x.index.astype(str), len(x), "element")]
    return x.index[_positions(i, x.index.astype(str), x.shape[0], "row")]


def _cells(value: Any, nr: int, nc: int) -> Any:
    """R's value for an nr x nc block: one value, or nr*nc (or a divisor's) filled by column."""
    if isinstance(value, pd.DataFrame):
        value = value.to_numpy()
    if isinstance(value, dict):              # a named vector: its values, by position
        value = list(value.values())
    v = np.asarray(value, dtype=object if isinstance(value, (list, tuple)) and any(
        isinstance(e, str) for e in value) else None)
    if v.ndim == 0 or v.size == 1:
        return v.reshape(()).item() if v.size == 1 else v.item()
    if v.ndim == 2 and v.shape == (nr, nc):
        return v
    flat = v.ravel(order="F")
    if (nr * nc) % flat.size:
        raise AsrError(f"x[i, j] <- value: {flat.size} values for {nr} x {nc} cells",
                       hint="R recycles the value only when its length divides the cells")
    return np.resize(flat, nr * nc).reshape((nr, nc), order="F")


def _extend_rows(x: pd.DataFrame, i: Any) -> pd.DataFrame:
    """R's ``[<-.data.frame`` with row positions beyond the last row (``df[nrow(df) + 1, ] <-
    v``): the data frame grows to the largest one, the new rows NA until assigned, named
    by their numbers (R's default row names continue 1..n)."""
    if i is None or isinstance(i, str | bool | np.bool_):
        return x
    seq = list(i) if isinstance(i, list | tuple | range | np.ndarray | pd.Series | pd.Index) \
        else [i]
    if not seq or not all(isinstance(v, int | float | np.integer | np.floating) and
                          not isinstance(v, bool | np.bool_) and np.isfinite(v) and v > 0
                          for v in seq):
        return x
    top, n = int(max(seq)), x.shape[0]
    if top <= n:
        return x
    # concatenated, not reindexed: the row labels may repeat (d[match(a, b), ] of repeats)
    plain = isinstance(x.index, pd.RangeIndex) and x.index.start == 0 and x.index.step == 1
    index = pd.RangeIndex(n, top) if plain else pd.Index([str(k) for k in range(n + 1, top + 1)])
    extra = pd.DataFrame({c: pd.Series(np.nan, index=index, dtype=float if (
        pd.api.types.is_numeric_dtype(x[c]) and not pd.api.types.is_bool_dtype(x[c]))
        else object) for c in x.columns}, index=index)
    extra.columns = x.columns
    with warnings.catch_warnings():       # pandas' note on all-NA blocks: NA rows are meant
        warnings.simplefilter("ignore", FutureWarning)
        return pd.concat([x, extra], ignore_index=plain)


def _no_na_mask(i: Any) -> None:
    """R's ``d[i, j] <- v`` with NA in a logical ``i``: "missing values are not allowed in
    subscripted assignments of data frames"."""
    if isinstance(i, pd.Series | np.ndarray | list | tuple) and np.ndim(i) == 1:
        seq = list(i)
        if any(isinstance(v, bool | np.bool_) for v in seq) and any(
                _null(v) or v is pd.NA for v in seq):
            raise AsrError("d[i, j] <- value: the logical row subscript holds NA (R: missing "
                           "values are not allowed in subscripted assignments of data frames)",
                           hint="drop the NA first: d[!is.na(cond) & cond, j] <- value")


def r_ij_assign(x: Any, i: Any, j: Any, value: Any) -> Any:
    """R's ``x[i, j] <- value`` of a data frame or a matrix (positions from 1, negative ones
    excluded, names, logical masks; a new column name adds the column); returns x."""
    ph = _placeholder(x, i, j)
    if ph is not None:
        return ph
    if isinstance(x, pd.DataFrame):
        cols_new = [c for c in ([j] if isinstance(j, str) else list(j) if isinstance(
            j, (list, tuple)) and all(isinstance(c, str) for c in j) else [])
            if c not in x.columns]
        for c in cols_new:
            x[c] = np.nan
        x = add_positional_columns(x, j, value)
        x = _extend_rows(x, i)
        _no_na_mask(i)
        rows = _positions(i, x.index.astype(str), x.shape[0], "row")
        cols = _positions(j, x.columns, x.shape[1], "column")
        val = _cells(value, len(rows), len(cols))
        try:
            x.iloc[rows, cols] = val
        except (TypeError, ValueError):  # a value of another type: R coerces the column
            for c in cols:
                x[x.columns[c]] = x[x.columns[c]].astype(object)
            x.iloc[rows, cols] = val
        return x
    a = x.copy() if isinstance(x, np.ndarray) else np.array(x)   # R copies on modify
    if a.ndim != 2:
        raise AsrError(f"x[i, j] <- value: x has {a.ndim} dimension(s), not 2",
                       hint="x[i] <- value sets elements of a vector")
    rows = _positions(i, pd.Index([str(k) for k in range(a.shape[0])]), a.shape[0], "row")
    cols = _positions(j, pd.Index([str(k) for k in range(a.shape[1])]), a.shape[1], "column")
    val = _cells(value, len(rows), len(cols))
    kind = np.result_type(a.dtype, np.asarray(val).dtype) if np.asarray(val).dtype != object \
        else np.dtype(object)
    if kind != a.dtype:
        a = a.astype(kind)
    a[np.ix_(rows, cols)] = val
    return a


def r_ij(x: Any, i: Any = None, j: Any = None, drop: bool = True) -> Any:
    """R's ``x[i, j]`` of a data frame or a matrix (None: an empty subscript); ``drop=False``
    is R's ``x[i, j, drop = FALSE]``: the result keeps both dimensions even when one of
    them has extent 1 (a data frame stays a data frame, a matrix a 2-d array). R's
    ``NULL[i, j]`` is NULL (None)."""
    if x is None:
        return None
    ph = _placeholder(x, i, j)
    if ph is not None:
        return ph
    if isinstance(x, pd.DataFrame):
        rows = _positions(i, x.index.astype(str), x.shape[0], "row",
                          beyond_na=_frame_not_matrix(x))   # R: df[7, ] of 6 rows is NA
        cols = _positions(j, x.columns, x.shape[1], "column")
        out = _rows_with_na(x, rows, cols) if any(r < 0 for r in rows) else \
            x.iloc[rows, cols]
        if not drop:
            return out
        if j is not None and out.shape[1] == 1:           # one column: a vector (drop)
            col = out.iloc[:, 0]
            return col.iloc[0] if len(col) == 1 and i is not None else \
                col.reset_index(drop=True)
        if i is not None and out.shape[0] == 1 and is_square_dimnamed(x):
            return out.iloc[0]              # m[k, j] of a matrix: a named vector (drop)
        if j is None and i is not None and x.shape[1] == 1 and not _frame_not_matrix(x):
            # m[i, ] of a one-column matrix with row names (C⁻¹ %*% rhs): R drops the
            # column, a vector named by the rows
            return out.iloc[:, 0]
        return out
    if isinstance(x, pd.Series) and (j is None or np.ndim(j) == 0 and j == 1):
        # a one-column matrix held as a Series (asreml's coefficients$fixed, rows named by
        # effect): x[-1, ] drops rows, a vector (R drops the extent-1 column)
        got = x.iloc[_positions(i, x.index.astype(str), len(x), "row")]
        if not drop:                                      # still a one-column matrix
            return got.to_frame()
        return got.iloc[0] if len(got) == 1 and i is not None else got
    a = np.asarray(x)
    if a.ndim != 2:
        raise AsrError(f"x[i, j]: x has {a.ndim} dimension(s), not 2",
                       hint="x[i] indexes a vector")
    rn = pd.Index([str(k) for k in range(a.shape[0])])
    cn = pd.Index([str(k) for k in range(a.shape[1])])
    out = a[np.ix_(_positions(i, rn, a.shape[0], "row"), _positions(j, cn, a.shape[1],
                                                                  "column"))]
    if not drop:
        return out
    if out.shape == (1, 1):                               # drop: every extent-1 dimension
        return out[0, 0]
    if out.shape[0] == 1 or out.shape[1] == 1:
        return out.ravel()
    return out


def r_length(x: Any) -> int:
    """R's ``length``: a data frame's number of columns, one for a single value."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    if x is None:
        return 0
    if isinstance(x, pd.DataFrame):
        return x.shape[1]
    if isinstance(x, (str, bytes, int, float, bool, np.generic)):
        return 1
    if isinstance(x, np.ndarray):
        return int(x.size)
    return len(x)


def r_diag(x: Any = 1.0, nrow: int | None = None, ncol: int | None = None,
           names: Any = True) -> Any:
    """R's ``diag``: ``diag(n)`` the n x n identity, ``diag(v)`` a diagonal matrix,
    ``diag(M)`` the diagonal of a matrix; ``diag(v, nrow, ncol)`` an nrow x ncol matrix
    whose diagonal is v recycled (a one-value v: v times the identity).

    The diagonal of a matrix with row and column names is a named vector (a Series) when
    its first m = min(dim) row names equal its first m column names and ``names`` is TRUE
    (R's ?diag: "names: when x is a matrix, logical indicating if the resulting vector
    should inherit names from dimnames(x) if available"; base R's diag tests
    ``identical(rownames[1:m], colnames[1:m])``); otherwise an unnamed vector."""
    ph = _placeholder(x)
    if ph is not None:
        return ph
    if isinstance(x, pd.DataFrame):
        d = np.diag(x.to_numpy())
        m = min(x.shape)
        if bool(names) and _named_axis(x.index) and _named_axis(x.columns) and \
                [str(v) for v in x.index[:m]] == [str(v) for v in x.columns[:m]]:
            return pd.Series(d, index=[str(v) for v in x.index[:m]])
        return d
    a = np.asarray(list(x.values()) if isinstance(x, dict) else x)   # c(a = 2): its values
    if a.ndim == 2:
        return np.diag(a)
    if a.ndim == 0 and nrow is None and ncol is None:
        n = int(a)
        if n != a or n < 0:
            raise AsrError(f"diag({x}): one number is the size of an identity matrix, "
                           "a whole number >= 0")
        return np.eye(n)
    if nrow is None and ncol is None:
        return np.diag(a.astype(float))
    vals = np.ravel(a).astype(float)
    if vals.size == 0:
        raise AsrError("diag(x, nrow, ncol): x is empty", hint="give x one value or more")
    nr = int(nrow) if nrow is not None else (vals.size if vals.size > 1 else int(ncol))
    nc = int(ncol) if ncol is not None else nr
    out = np.zeros((nr, nc))
    k = min(nr, nc)
    out[np.arange(k), np.arange(k)] = np.resize(vals, k)     # R recycles x along the diagonal
    return out


def _values(x: Any) -> np.ndarray:
    return x.to_numpy(dtype=float) if isinstance(x, (pd.DataFrame, pd.Series)) else \
        np.asarray(x.toarray() if hasattr(x, "toarray") else x, dtype=float)


def r_kronecker(x: Any, y: Any) -> np.ndarray:
    """R's ``kronecker(X, Y)`` / ``X %x% Y``: the Kronecker product (block (i, j) is
    x[i, j] * Y). A vector beside a matrix is a column, as R pads the shorter ``dim`` with
    trailing 1s (``kronecker(diag(2), rep(1, 3))`` is 6 x 2; numpy's kron would make it a
    row); two vectors give a vector."""
    ph = _placeholder(x, y)
    if ph is not None:
        return ph  # type: ignore[return-value]
    a, b = np.asarray(_values(x)), np.asarray(_values(y))
    if a.ndim == 1 and b.ndim == 2:
        a = a[:, None]
    elif b.ndim == 1 and a.ndim == 2:
        b = b[:, None]
    return np.kron(a, b)


def r_matmul(x: Any, y: Any) -> Any:
    """R's ``x %*% y``: the matrix product by position. A data frame (how translate holds a
    matrix with dimnames) or a named vector is multiplied by its values, never aligned by
    its labels as pandas' ``@`` does; a product of two data frames keeps x's row names and
    y's column names, as R does. Vector operands follow numpy's ``@`` (two vectors: their
    inner product; a vector and a matrix: a vector), which R's 1-row/1-column results
    index the same way."""
    ph = _placeholder(x, y)
    if ph is not None:
        return ph
    if hasattr(y, "r_rmatmul"):                     # v %*% x of a CVXR variable (rcvxr.py)
        return y.r_rmatmul(x)
    a, b = conformable(_values(x), _values(y))
    if a.ndim == 2 and a.shape[0] == 1 and b.ndim == 1:
        # t(v) %*% w of two vectors (r_t's 1 x n row): R's 1 x 1 matrix, held as the one
        # number (as v %*% w is), so c(), comparisons and sprintf() read it as R does
        return float(np.matmul(a, b)[0])
    out = column_result(np.matmul(a, b), x, y)
    if isinstance(x, pd.DataFrame) and isinstance(y, pd.DataFrame):
        return pd.DataFrame(out, index=x.index, columns=y.columns)
    if np.ndim(out) == 2 and (isinstance(x, pd.DataFrame) and _named_axis(x.index)
                              or isinstance(y, pd.DataFrame) and _named_axis(y.columns)):
        # R: the product's rownames are x's, its colnames y's, whichever operand has them
        return pd.DataFrame(out, index=x.index if isinstance(x, pd.DataFrame) and
                            np.ndim(x) == 2 else None,
                            columns=y.columns if isinstance(y, pd.DataFrame) else None)
    return out


def _named_axis(ix: pd.Index) -> bool:
    """Whether a frame's axis holds names (a RangeIndex is how an unnamed one is kept)."""
    return not isinstance(ix, pd.RangeIndex)


_OUTER_OPS: dict[str, Any] = {
    "*": np.multiply, "+": np.add, "-": np.subtract, "/": np.divide, "^": np.power,
    "paste0": lambda a, b: np.char.add(a.astype(str), b.astype(str)),
    "paste": lambda a, b: np.char.add(np.char.add(a.astype(str), " "), b.astype(str)),
}


def r_outer(x: Any, y: Any, fun: Any = "*") -> np.ndarray:
    """R's ``outer(X, Y, FUN = "*")``: the length(X) x length(Y) array whose [i, j] element is
    FUN(X[i], Y[j]); FUN an operator or paste/paste0 by name, or a function that works on
    whole vectors (R calls it once on the expanded grids, as here). Flattened, the result
    is in R's column-major order only through ``r_c``/``as.vector``; ``match``/``sort`` of
    it do not depend on the order."""
    ph = _placeholder(x, y)
    if ph is not None:
        return ph  # type: ignore[return-value]
    a = np.asarray(x.to_numpy() if isinstance(x, (pd.Series, pd.DataFrame)) else x).ravel()
    b = np.asarray(y.to_numpy() if isinstance(y, (pd.Series, pd.DataFrame)) else y).ravel()
    ga, gb = np.meshgrid(a, b, indexing="ij")
    f = _OUTER_OPS.get(fun, fun) if isinstance(fun, str) else fun
    if not callable(f):
        raise AsrError(f"outer(): FUN = {fun!r} is not a function asr_py knows",
                       hint="use an operator ('*', '+', '-', '/', '^'), paste or paste0, "
                            "or a function of two vectors")
    return np.asarray(f(ga, gb))


#: R attribute -> the attribute asr_py reads (a DataFrame's attrs["inverse"]: a G-inverse)
_ATTRS = {"INVERSE": "inverse"}


def r_set_attr(x: Any, name: str, value: Any) -> Any:
    """``attr(x, name) <- value``: a copy of x carrying the attribute. asreml's
    ``attr(G, "INVERSE") <- TRUE`` (G is already inverted) is the ``inverse`` flag vm()
    reads on a DataFrame."""
    ph = _placeholder(x)
    if ph is not None:
        return ph
    key = _ATTRS.get(name, name)
    val = bool(np.all(value)) if key == "inverse" else value
    if isinstance(x, (pd.DataFrame, pd.Series)):
        out = x.copy()
        out.attrs[key] = val
        return out
    if isinstance(x, np.ndarray):
        out = np.array(x).view(RArray)
        out.attrs[key] = val
        return out
    raise AsrError(f"attr(x, {name!r}) <- value: x is a {type(x).__name__}, which cannot "
                   "carry R attributes here", hint="attributes are kept on data frames "
                   "and arrays")


def r_as(x: Any, conv: type) -> Any:
    """``as.character(x[1])``/``as.numeric(x)``: one value converted as a value, a vector
    element by element (R's as.* keep the length)."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, (list, tuple, np.ndarray)):
        x = pd.Series(list(np.asarray(x).ravel()))
    if isinstance(x, (pd.Series, pd.Index)):
        if conv is str and pd.api.types.is_float_dtype(x.dtype):
            return x.map(_r_str)
        return x.astype(conv)
    if x is None or isinstance(x, float) and np.isnan(x):
        return x
    return _r_str(x) if conv is str else conv(x)


def _r_str(v: Any) -> Any:
    """A number as R prints it in as.character/paste: 10 not 10.0, 15 significant digits."""
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return "NA"
        # a whole number as an integer (pandas holds R's integer columns with NA as floats;
        # R never writes an integer in e notation); else R's as.character of a double
        return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else \
            r_double_text(float(v))
    if isinstance(v, pd.Timestamp) and v == v.normalize():
        return v.strftime("%Y-%m-%d")     # a Date (as.Date, ymd, Sys.Date) prints its day
    return str(v)


def _paste_items(x: Any) -> list[str]:
    """One argument of paste as R's as.character of it: a vector, list or column element by
    element (NA as "NA", TRUE as "TRUE", 10 not 10.0); a string or number is one value."""
    if x is None:
        return []
    if isinstance(x, dict):
        x = list(x.values())
    if isinstance(x, (pd.Series, pd.Index, np.ndarray, list, tuple, range)):
        items = list(np.ravel(np.asarray(x, dtype=object))) if not isinstance(
            x, (list, tuple, range)) else list(x)
    else:
        items = [x]
    out = []
    for v in items:
        if isinstance(v, (list, tuple)) and len(v) == 1:
            v = v[0]                           # a list's one-value element
        if isinstance(v, (bool, np.bool_)):
            out.append("TRUE" if v else "FALSE")
        elif v is None or v is pd.NA or isinstance(v, float) and np.isnan(v):
            out.append("NA")
        else:
            out.append(_r_str(v))
    return out


def r_paste(*args: Any, sep: str = " ", collapse: str | None = None) -> Any:
    """R's ``paste(..., sep, collapse)`` (``paste0``: sep = ""): the arguments as character
    vectors, recycled to the longest (a zero-length one counts as ""), joined element by
    element with ``sep``; with ``collapse`` the results joined into one string. One result
    is a string; several a list of strings (R's character vector), or a Series on the index
    of a data-frame column argument."""
    ph = _placeholder(*args)
    if ph is not None:
        return ph
    vecs = [_paste_items(a) or [""] for a in args]
    if not vecs:
        return "" if collapse is not None else []
    n = max(len(v) for v in vecs)
    res = [str(sep).join(v[i % len(v)] for v in vecs) for i in range(n)]
    if collapse is not None:
        return str(collapse).join(res)
    if n == 1:
        return res[0]
    cols = [a for a in args if isinstance(a, pd.Series) and len(a) == n]
    return pd.Series(res, index=cols[0].index) if cols else res     # a column stays one


_CLEAN_REPLACE = (("'", ""), ('"', ""), ("%", "_percent_"), ("#", "_number_"))


def _clean_one(name: str) -> str:
    s = str(name)
    for a, b in _CLEAN_REPLACE:
        s = s.replace(a, b)
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    s = re.sub(r"^[\s!-/:-@\[-`{-~]+", "", s)            # initial spaces and punctuation
    s = re.sub(r"[^A-Za-z0-9._]", ".", s)                  # base::make.names
    if not s or s[0].isdigit() or s[0] == "_" or (s[0] == "." and s[1:2].isdigit()):
        s = "X" + s
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", s)  # camelCase
    parts = [w for w in re.split(r"[^A-Za-z0-9]+", s) if w]
    return "_".join(parts).lower() or "x"


def clean_names(d: Any) -> Any:
    """janitor's ``clean_names()`` (case "snake"): its replacements ('%' -> percent, '#' ->
    number, quotes dropped), ASCII, leading spaces and punctuation dropped, make.names,
    snake_case and ``_2``, ``_3`` suffixes for duplicates (janitor's documented order)."""
    if isinstance(d, Untranslated):
        return d._use()
    seen: dict[str, int] = {}
    out = []
    for c in d.columns:
        n = _clean_one(c)
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return d.set_axis(out, axis=1)


def _null(x: Any) -> bool:
    """R's NULL as translate holds it: None, a missing value, or a data frame of no columns
    (``data.frame(NULL)``, which rbind/cbind drop)."""
    return x is None or (isinstance(x, float) and np.isnan(x)) or (
        isinstance(x, pd.DataFrame) and x.shape[1] == 0)


def r_rbind(*xs: Any, _names: Sequence[str | None] | None = None) -> Any:
    """R's ``rbind``: NULL arguments and zero-row data frames (unless all are) dropped; data
    frames stacked, their columns matched by name (rows renumbered); matrices with dimnames
    (DataFrames whose names disagree: :func:`_matrices_by_position`) stacked by position;
    otherwise vectors become the rows of a matrix (recycled to the longest), named by the
    arguments' names ``_names`` (``rbind(a = x, b = y)``; "" where none)."""
    if _names is not None and len(_names) == len(xs) and any(_names) and \
            not any(isinstance(x, pd.DataFrame) or _null(x) or np.ndim(x) > 1 for x in xs):
        out = r_rbind(*xs)
        if isinstance(out, np.ndarray) and out.ndim == 2 and out.shape[0] == len(xs):
            return pd.DataFrame(out, index=pd.Index([n or "" for n in _names], dtype=object))
        if isinstance(out, pd.DataFrame) and len(out) == len(xs):
            return out.set_axis(pd.Index([n or "" for n in _names], dtype=object), axis=0)
        return out
    for x in xs:
        if isinstance(x, Untranslated):
            return x._use()
    items = [x for x in xs if not _null(x)]
    if not items:
        return None
    if any(isinstance(x, pd.DataFrame) for x in items):
        if any(isinstance(x, pd.DataFrame) and len(x) == 0 for x in items) and \
                not all(isinstance(x, pd.DataFrame) and len(x) == 0 for x in items):
            # R drops zero-row data frames (their columns may not be the others')
            items = [x for x in items if not (isinstance(x, pd.DataFrame) and len(x) == 0)]
        cols = next((x.columns for x in items if isinstance(x, pd.DataFrame)), None)
        if cols is None:
            return r_rbind(*items)
        if _matrices_by_position(items):
            return pd.DataFrame(np.vstack([x.to_numpy() for x in items]), columns=cols)
        parts = [x if isinstance(x, pd.DataFrame)
                 else pd.DataFrame([list(np.resize(np.asarray(x, dtype=object), len(cols)))],
                                   columns=cols) for x in items]
        named = all(isinstance(x, pd.DataFrame) and _named_axis(x.index) for x in items)
        out = concat_frames(parts, ignore_index=not named)
        if named and out.index.has_duplicates:
            # R makes a data frame's repeated row names unique; kept positional here
            out = out.reset_index(drop=True)
        return out
    # a named vector c(a = 1, b = 2) is a dict here: its values, its names kept
    items = [pd.Series(list(x.values()), index=pd.Index([str(k) for k in x], dtype=object))
             if isinstance(x, dict) and all(np.ndim(v) == 0 for v in x.values()) else x
             for x in items]
    rows = [np.atleast_1d(np.asarray(as_column(x))) for x in items]
    if any(r.ndim == 2 for r in rows):
        # matrices are stacked (R: their column counts must agree); a vector is one row,
        # recycled to that many columns
        ncol = next(r.shape[1] for r in rows if r.ndim == 2)
        bad = [r.shape for r in rows if r.ndim == 2 and r.shape[1] != ncol]
        if bad:
            raise AsrError(f"rbind(): matrices with {ncol} and {bad[0][1]} columns",
                           hint="R's rbind needs the same number of columns")
        return np.vstack([r if r.ndim == 2 else np.resize(r, ncol)[None, :] for r in rows])
    n = max(len(r) for r in rows)
    out = np.vstack([np.resize(r, n) for r in rows])
    # R (?cbind): the result's column names are the names of the first vector argument
    # of that length that has names (rbind(c(chi2 = 1, df = 2, P = .5)))
    names = next((list(x.index) for x in items if isinstance(x, pd.Series) and
                  len(x) == n and _named_axis(x.index) and
                  not pd.api.types.is_integer_dtype(x.index)), None)
    return out if names is None else pd.DataFrame(out, columns=pd.Index(names, dtype=object))


def _matrices_by_position(items: list[Any]) -> bool:
    """Whether rbind's DataFrames are matrices with dimnames (bound by position, R's
    rbind of matrices) rather than data frames (matched by name): all numeric, the same
    number of columns, and column names that do not agree, where rbind.data.frame would
    stop ("names do not match previous names"). The first one's column names are kept."""
    if len(items) < 2 or not all(isinstance(x, pd.DataFrame) for x in items):
        return False
    n = items[0].shape[1]
    if any(x.shape[1] != n for x in items):
        return False
    if all(set(map(str, x.columns)) == set(map(str, items[0].columns)) for x in items):
        return False
    return all(pd.api.types.is_numeric_dtype(t) for x in items for t in x.dtypes)


def _rbind_named(name: str, d: pd.DataFrame) -> pd.DataFrame:
    """A data frame passed to rbind as argument ``name``: R's rbind.data.frame names its rows
    ``name`` (one row) or ``name.r`` (r its row names, 1..n when automatic)."""
    if len(d) == 1:
        labels = [name]
    else:
        rows = [str(i) for i in d.index] if _named_axis(d.index) else \
            [str(i) for i in range(1, len(d) + 1)]
        labels = [f"{name}.{r}" for r in rows]
    return d.set_axis(pd.Index(labels, dtype=object), axis=0)


def r_bind_all(fun: str, x: Any) -> Any:
    """R's ``do.call(rbind, x)`` / ``do.call(cbind, x)``: the elements of the list ``x`` as
    the arguments - a list's items, a named list's (dict's) values, a list matrix's cells
    column by column (NULL cells give nothing), a data frame's columns."""
    if isinstance(x, Untranslated):
        return x._use()
    named: dict[str, Any] = {}
    if isinstance(x, dict):
        if fun == "cbind":
            named = {str(k): v for k, v in x.items()}
        items = [] if named else list(x.values())
        if fun == "rbind" and x and all(isinstance(v, pd.DataFrame) for v in x.values()) \
                and all(isinstance(k, str) and k for k in x):
            items = [_rbind_named(k, v) for k, v in x.items()]
    elif isinstance(x, pd.DataFrame) and all(
            _null(v) or isinstance(v, pd.DataFrame | pd.Series | list | dict | np.ndarray)
            for v in x.to_numpy(dtype=object).ravel()):
        items = list(x.to_numpy(dtype=object).ravel(order="F"))     # a list matrix's cells
    elif isinstance(x, pd.DataFrame):
        items = [x[c] for c in x.columns]
    elif isinstance(x, pd.Series):
        items = list(x.to_numpy(dtype=object))
    elif isinstance(x, np.ndarray) and x.dtype == object:
        items = list(x.ravel(order="F"))
    else:
        items = list(x)
    items = [v for v in items if not _null(v)]
    if fun == "rbind":
        return r_rbind(*items)
    return r_cbind(*items, **named)


def r_lapply_cols(d: Any, cols: Any, fn: Any) -> Any:
    """R's ``d[cols] <- lapply(d[cols], fn)``: a copy of ``d`` with ``fn`` applied to each of
    the columns ``cols`` (names, or 1-based positions)."""
    if isinstance(d, Untranslated) or isinstance(cols, Untranslated):
        return Untranslated("d[cols] <- lapply(...) of an untranslated value")._use()
    if not isinstance(d, pd.DataFrame):
        raise AsrError("d[cols] <- lapply(d[cols], f): d is not a data frame",
                       hint="R's idiom converts columns of a data frame")
    sel = [cols] if isinstance(cols, str | int | float | np.generic) else list(cols)
    names = [d.columns[int(c) - 1] if isinstance(c, int | float | np.number) else c
             for c in sel]
    missing = [c for c in names if c not in d.columns]
    if missing:
        raise AsrError(f"d[cols] <- lapply(...): no column {missing[0]!r} in the data frame",
                       hint=f"the columns are {list(d.columns)[:12]}")
    out = d.copy()
    for c in names:
        out[c] = fn(out[c])
    return out


def _fmt_g(v: float, digits: int) -> str:
    """R's ``formatC(v, digits = d, width = 1)`` ("g" format, as C's printf)."""
    return f"{v:.{digits}g}"


def r_cut(x: Any, breaks: Any, labels: Any = None, include_lowest: bool = False,
          right: bool = True, dig_lab: int = 3) -> pd.Series:
    """R's ``cut(x, breaks)``: each value's interval as a factor, levels in interval order
    (a pandas Categorical), labelled ``(a,b]`` (``[a,b)`` with ``right = FALSE``) with the
    break points at ``dig.lab`` significant digits, more when that makes labels equal, as R.
    ``breaks`` one number k: k equal intervals over the range, widened by 0.1 % (R's rule).
    A value outside every interval, or missing, is NA. ``labels = FALSE``: interval numbers."""
    ph = _placeholder(x, breaks, labels)
    if ph is not None:
        return ph  # type: ignore[return-value]
    v = pd.to_numeric(pd.Series(x).reset_index(drop=True) if not isinstance(x, pd.Series)
                      else x, errors="coerce").astype(float)
    b = np.atleast_1d(np.asarray(breaks, dtype=float))
    if b.size == 1:
        k = int(b[0])
        if k < 2 and b[0] != 1:
            raise AsrError(f"cut(): breaks = {b[0]:g} intervals is not a whole number >= 1")
        lo, hi = np.nanmin(v.to_numpy()), np.nanmax(v.to_numpy())
        dx = (hi - lo) or abs(lo) or 1.0
        b = np.linspace(lo, hi, k + 1)
        b[0], b[-1] = lo - dx / 1000, hi + dx / 1000
    else:
        b = np.sort(b)
    if np.unique(b).size != b.size:
        raise AsrError("cut(): 'breaks' are not unique", hint="R refuses repeated break points")
    nb = b.size
    for d in range(dig_lab, max(12, dig_lab) + 1):
        ch = [_fmt_g(float(t), d) for t in b]
        if len(set(ch)) == nb:
            break
    if right:
        names = [f"({ch[i]},{ch[i + 1]}]" for i in range(nb - 1)]
        if include_lowest:
            names[0] = "[" + names[0][1:]
    else:
        names = [f"[{ch[i]},{ch[i + 1]})" for i in range(nb - 1)]
        if include_lowest:
            names[-1] = names[-1][:-1] + "]"
    codes = pd.cut(v, bins=b, right=right, include_lowest=include_lowest, labels=False)
    if labels is False:
        out = pd.Series(codes + 1, index=v.index)
    else:
        lab = names if labels is None else [str(t) for t in labels]
        if len(lab) != nb - 1:
            raise AsrError(f"cut(): {len(lab)} labels for {nb - 1} intervals",
                           hint="give one label per interval")
        out = pd.Series(pd.Categorical.from_codes(
            np.where(pd.isna(codes), -1, codes).astype(int), categories=lab), index=v.index)
    if isinstance(x, pd.Series):
        out.index, out.name = x.index, x.name
    return out


def r_wald_test(Sigma: Any, b: Any, Terms: Any = None, L: Any = None, H0: Any = None,  # noqa: N803
                df: Any = None, verbose: bool = False) -> dict[str, Any]:
    """aod's ``wald.test(Sigma, b, Terms, L, H0, df)``: the Wald chi-square of the linear
    hypothesis L b = H0, chi2 = (Lb - H0)' (L Sigma L')^-1 (Lb - H0) on w degrees of freedom
    (w = len(Terms), or the rows of L), P = 1 - F_chi2(chi2; w); with ``df`` also the F test
    F = chi2 / nrow(L) on (nrow(L), df). ``Terms``: 1-based positions of b tested = 0.
    Returned as aod's list: ``$result$chi2`` is c(chi2, df, P) (``$result$Ftest``)."""
    from scipy import stats

    ph = _placeholder(Sigma, b, Terms, L, H0, df)
    if ph is not None:
        return ph  # type: ignore[return-value]
    if isinstance(b, dict):     # a named vector c(a = 1, b = 2)
        b = list(b.values())
    bv = np.asarray(b, dtype=float).ravel()
    V = np.asarray(Sigma, dtype=float)
    if (Terms is None) == (L is None):
        raise AsrError("wald.test(): give one of Terms or L (aod's rule)")
    if L is None:
        terms = [int(t) for t in np.atleast_1d(np.asarray(Terms)).ravel()]
        Lm = np.zeros((len(terms), bv.size))
        for i, t in enumerate(terms):
            Lm[i, t - 1] = 1.0
    else:
        Lm = np.atleast_2d(np.asarray(L, dtype=float))
        terms = [k + 1 for k in range(bv.size) if Lm[:, k].sum() > 0]
    w = Lm.shape[0]
    h0 = np.zeros(w) if H0 is None else np.atleast_1d(np.asarray(H0, dtype=float)).ravel()
    if h0.size != w:
        raise AsrError("wald.test(): the tested coefficients and H0 have different lengths")
    f = Lm @ bv - h0
    stat = float(f @ np.linalg.pinv(Lm @ V @ Lm.T) @ f)
    res: dict[str, Any] = {"chi2": pd.Series([stat, w, float(stats.chi2.sf(stat, w))],
                                             index=["chi2", "df", "P"])}
    if df is not None:
        fstat = stat / w
        res["Ftest"] = pd.Series([fstat, w, float(df), float(stats.f.sf(fstat, w, df))],
                                 index=["Fstat", "df1", "df2", "P"])
    return {"Sigma": Sigma, "b": b, "Terms": terms, "H0": h0, "L": Lm, "result": res,
            "verbose": verbose, "df": df}


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, str | bytes | int | float | bool | np.generic)


def r_as_vector(x: Any, conv: Any = float) -> Any:
    """R's ``as.numeric(x)``/``as.integer(x)`` of a computed value: a Series stays one
    (converted); a matrix (2-D array or data frame) loses its dims, read column by column; a
    single value stays a value."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.Series) and pd.api.types.is_timedelta64_dtype(x):
        return (x.dt.total_seconds() / 86400.0).astype(conv)   # a difftime: days
    if isinstance(x, pd.Timedelta):
        return conv(x.total_seconds() / 86400.0)
    if conv in (int, float) and _text_values(x):
        return _text_to_number(x, conv)
    if isinstance(x, pd.Series):
        return x.astype(conv)
    if isinstance(x, pd.DataFrame | np.ndarray | list | tuple | range):
        a = np.asarray(x, dtype=float if conv is float else None)
        flat = a.ravel(order="F") if a.ndim == 2 else a.ravel()
        return flat.astype(conv)
    return conv(x)


def _text_values(x: Any) -> bool:
    """A vector of text (a str Series, array or list), missing values allowed."""
    if isinstance(x, str):
        return True
    if not isinstance(x, pd.Series | np.ndarray | list | tuple) or np.ndim(x) != 1 or \
            isinstance(getattr(x, "dtype", None), pd.CategoricalDtype):
        return False
    vals = [v for v in x if not (v is None or isinstance(v, float) and np.isnan(v))]
    return bool(vals) and all(isinstance(v, str) for v in vals)


def _text_to_number(x: Any, conv: Any) -> Any:
    """R's as.numeric()/as.integer() of text: NA (with R's warning 'NAs introduced by
    coercion') where a text is not a number; as.integer truncates toward zero."""
    one = isinstance(x, str)
    s = pd.Series([x] if one else list(x), dtype=object)
    num = pd.to_numeric(s.str.strip(), errors="coerce")
    if (num.isna() & s.notna()).any():
        warnings.warn("NAs introduced by coercion (R's as.numeric/as.integer of text that "
                      "is not a number)", AsrWarning, stacklevel=3)
    vals = num.to_numpy(dtype=float)
    if conv is int:
        vals = np.trunc(vals)
        if not np.isnan(vals).any():
            vals = vals.astype(int)
    if one:
        return vals[0].item()
    return pd.Series(vals, index=x.index) if isinstance(x, pd.Series) else vals


def r_flat_series(x: Any) -> Any:
    """A computed value as a Series for ``as.numeric()``: a matrix (2-D array) read column
    by column, as R drops its dims (a 1 x 1 matrix: its number, which recycles as R's
    length-one vector does); anything else as ``pd.Series(x)``."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, np.ndarray) and x.ndim == 2:
        return x.item() if x.size == 1 else pd.Series(x.ravel(order="F"))
    return pd.Series(x)


def r_numeric_of(x: Any) -> Any:
    """The argument of ``as.numeric(x)`` as pandas can read it: a named list or vector held
    as a dict (``v <- c(); v["a"] <- 1``, or ``v[i] <- lrt(m0, m1)[3]``, which makes a list)
    gives its values in order, names dropped, each element of length one read as its value
    (``?as.vector``: coercion to an atomic mode drops the names; a list coerces when every
    element has length one, else R stops: "(list) object cannot be coerced to type
    'double'"); a factor held as a pandas Categorical (``factor(x, levels =)``, R's data
    sets) gives its codes 1, 2, ... (NA for a missing value); anything else is returned as
    it is."""
    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype):
        codes = x.cat.codes.to_numpy().astype(float) + 1
        codes[codes == 0] = np.nan
        return pd.Series(codes, index=x.index, name=x.name)
    if not isinstance(x, dict):
        return x
    out = []
    for k, v in x.items():
        vals = np.asarray(v.to_numpy() if isinstance(v, (pd.Series, pd.DataFrame)) else v,
                          dtype=object).ravel()
        if vals.size != 1:
            raise AsrError(f"as.numeric(): element {k!r} has length {vals.size}; R coerces a "
                           "list only when each element has length one",
                           hint="unlist() it first if the values belong together")
        out.append(vals[0])
    return pd.Series(out, dtype=object)


def r_col_or(data: Any, name: str, value: Any) -> Any:
    """A bare ``name`` inside ``subset(data, ...)``/``with(data, ...)``: the data's column
    when it has one (R evaluates in the data first), else the script's variable ``value``."""
    if not isinstance(data, pd.DataFrame) and name in getattr(data, "columns", ()):
        return data[name]          # a summarise() group with its summaries (rtidy._Made)
    if isinstance(data, pd.DataFrame) and name in data.columns:
        col = data[name]
        # two columns of that name (plyr's .id beside an existing one): R's $ takes the first
        return col.iloc[:, 0] if isinstance(col, pd.DataFrame) else col
    if isinstance(data, pd.DataFrame) and isinstance(value, (pd.DataFrame, np.ndarray)) \
            and np.shape(value) == (len(data), 1):
        # a one-column matrix of the data's length read in a data mask (mutate(s = m > k)):
        # row by row, as the column dplyr makes of it
        return pd.Series(np.asarray(value)[:, 0], index=data.index, name=name)
    return value


def r_col_or_sourced(data: Any, name: str, scope: dict[str, Any]) -> Any:
    """A bare ``name`` in a data mask (``filter(d, g %in% rownames(G))``) of a script that
    source()d a file: the data's column when it has one, else the variable the sourced file
    defined (found in ``scope`` when the script runs), as R looks the name up."""
    if isinstance(data, pd.DataFrame) and name in data.columns:
        return r_col_or(data, name, None)
    if not isinstance(data, pd.DataFrame) and name in getattr(data, "columns", ()):
        return data[name]          # a summarise() group with its summaries (rtidy._Made)
    from asr_py.translate.printer import pyname

    if pyname(name) in scope:
        return scope[pyname(name)]
    cols = list(data.columns) if isinstance(data, pd.DataFrame) else []
    raise AsrError(f"{name!r} is neither a column of the data nor a variable",
                   hint="columns are: " + ", ".join(map(str, cols[:12]))
                   + (" ..." if len(cols) > 12 else ""))


def r_data_table(x: Any, name: str = "V1") -> pd.DataFrame:
    """data.table's ``data.table(x)`` / ``as.data.table(x)`` of one value: a data frame is
    copied, its row names dropped (data.table keeps none); a matrix gives columns V1, V2,
    ...; a vector (or one value) one column named ``name`` (the variable's name, as
    data.table names it). The data.table's own ``DT[i, j, by]`` syntax is not emulated."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    if isinstance(x, pd.DataFrame):
        return x.reset_index(drop=True).copy()
    if isinstance(x, np.ndarray) and x.ndim == 2:
        return pd.DataFrame(x, columns=[f"V{j + 1}" for j in range(x.shape[1])])
    if isinstance(x, dict):
        raise AsrError("data.table() of a list is not translated",
                       hint="build the columns with data.table(a = x, b = y)")
    vals = x.to_numpy() if isinstance(x, (pd.Series, pd.Index)) else x
    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype):
        vals = x.reset_index(drop=True)
    if np.ndim(vals) == 0:
        vals = [vals]
    return pd.DataFrame({name: vals})


def r_data_frame(cols: dict[str, Any]) -> pd.DataFrame:
    """R's ``data.frame(a = x, b = y)``: columns recycled to the longest (one value each:
    one row), by position whatever a Series' index. A NULL value gives no column (all NULL:
    a data frame of no rows and columns); a data frame value gives its columns under their
    own names (R's rule for an unnamed argument, and for a named one-column frame); a
    matrix (2-D array) named k its columns, k for one, k.1, k.2, ... for several."""
    for v in cols.values():
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value]
    flat: dict[str, Any] = {}
    for k, v in cols.items():
        if isinstance(v, pd.DataFrame) and (v.attrs.get("r_class") or [None])[0] == "table":
            from asr_py.translate.runtime import table_long

            flat.update({str(c): col for c, col in table_long(v).items()})   # Var1 Var2 Freq
        elif isinstance(v, pd.DataFrame):
            flat.update({str(c): v[c] for c in v.columns})
        elif isinstance(v, np.ndarray) and v.ndim == 2:
            # a matrix: its columns, named k for one, k.1, k.2, ... for several (R)
            if v.shape[1] == 1:
                flat[k] = v[:, 0]
            else:
                flat.update({f"{k}.{j + 1}": v[:, j] for j in range(v.shape[1])})
        elif v is not None:
            flat[k] = v
    if not flat:
        return pd.DataFrame()
    vals = {k: (v.to_numpy() if isinstance(v, pd.Series | pd.Index) else v)
            for k, v in flat.items()}
    n = max((len(v) for v in vals.values() if not _scalar(v)), default=1)
    out = {}
    for k, v in vals.items():
        if _scalar(v):
            out[k] = [v] * n
        elif isinstance(flat[k], pd.Series) and len(flat[k]) == n:
            out[k] = flat[k].reset_index(drop=True)     # by position, its dtype kept
        else:
            a = list(v)
            if a and n % len(a):
                raise AsrError(f"data.frame(): column {k!r} has {len(a)} values, which do "
                               f"not recycle to {n} rows", hint="R's 'differing number of rows'")
            out[k] = (a * (n // len(a))) if a else a
    # R: the row names are those of the first component that has some (a data frame's row
    # names, a vector's unique names), e.g. data.frame(res[pos, ], Trait = t) of a subset,
    # data.frame(g = levels(f), m = sapply(split(x, f), mean)); else 1..n
    for v in cols.values():
        if isinstance(v, pd.DataFrame) and (v.attrs.get("r_class") or [None])[0] == "table":
            continue
        if isinstance(v, pd.DataFrame | pd.Series) and len(v) == n and _named_rows(v.index):
            return pd.DataFrame(out).set_axis(list(v.index), axis=0)
    return pd.DataFrame(out)


def _named_rows(index: pd.Index) -> bool:
    """Row names R would keep: unique texts, not pandas' default 0..n-1."""
    return not isinstance(index, pd.RangeIndex) and index.is_unique and \
        all(isinstance(i, str) for i in index)


def r_iter(x: Any) -> Any:
    """What R's ``for (e in x)`` / ``lapply(x, f)`` visit: a list's (dict's) values, a data
    frame's columns, a vector's elements."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, dict):
        return list(x.values())
    if isinstance(x, pd.DataFrame):
        return [x[c] for c in x.columns]
    if _scalar(x):
        return [x]
    return x


_R_SUMMARY = {"mean": np.mean, "sum": np.sum, "max": np.max, "min": np.min,
              "median": np.median, "length": len, "range": lambda v: np.array(
                  [np.min(v), np.max(v)]),
              "sd": lambda v: np.std(v, ddof=1), "var": lambda v: np.var(v, ddof=1)}
_R_SUMMARY_NA = {"mean": np.nanmean, "sum": np.nansum, "max": np.nanmax, "min": np.nanmin,
                 "median": np.nanmedian, "sd": lambda v: np.nanstd(v, ddof=1),
                 "var": lambda v: np.nanvar(v, ddof=1)}


def r_fun(name: str, na_rm: bool = False) -> Any:
    """A base-R summary function by name (mean, sum, max, min, median, sd, var, length,
    range) as a Python callable; ``na_rm``: R's ``na.rm = TRUE`` (NA skipped). Without
    na.rm a missing value gives NA, as R."""
    if na_rm and name in _R_SUMMARY_NA:
        f = _R_SUMMARY_NA[name]
        return lambda v: f(np.asarray(v, dtype=float))
    if name not in _R_SUMMARY:
        raise AsrError(f"{name}(): not a summary function asr_py translates",
                       hint="mean, sum, max, min, median, sd, var, length, range")
    g = _R_SUMMARY[name]
    return lambda v: g(np.asarray(v, dtype=float)) if name != "length" else len(v)


def r_tapply(x: Any, index: Any, fun: Any) -> pd.Series:
    """R's ``tapply(x, g, f)``: f of the values of x in each group of g, named by the
    groups in R's level order (groups with a missing label left out)."""
    ph = _placeholder(x, index)
    if ph is not None:
        return ph  # type: ignore[return-value]
    from asr_py.model.data import level_labels
    from asr_py.translate.rtapply import factors_of, r_tapply_table

    several = factors_of(index, len(np.asarray(x)))
    if several is not None:                 # tapply(x, list(f1, f2), f): a table
        return r_tapply_table(x, several, fun)  # type: ignore[return-value]
    xs = pd.Series(np.asarray(x))
    g = pd.Series(np.asarray(index, dtype=object))
    labs = g.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                 else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)))
    order = [lab for lab in level_labels(pd.Series(index)) if lab in set(labs.dropna())] \
        if not isinstance(pd.Series(index).dtype, pd.CategoricalDtype) else \
        [str(c) for c in pd.Series(index).cat.categories]
    return pd.Series([fun(xs[labs == lab].to_numpy()) if (labs == lab).any() else np.nan
                      for lab in order], index=order)


def r_apply(x: Any, margin: int, fun: Any) -> Any:
    """R's ``apply(m, 1, f)`` (rows) / ``apply(m, 2, f)`` (columns) of a matrix or data
    frame; one value per row/column gives a vector named by the row/column names."""
    ph = _placeholder(x)
    if ph is not None:
        return ph
    if int(margin) not in (1, 2):
        raise AsrError(f"apply(): MARGIN = {margin} (asr_py translates 1 and 2)")
    if isinstance(x, pd.DataFrame):
        a, rn, cn = x.to_numpy(), list(x.index), list(x.columns)
    else:
        a = np.atleast_2d(np.asarray(x))
        rn, cn = list(range(1, a.shape[0] + 1)), list(range(1, a.shape[1] + 1))
    parts = [fun(a[i, :]) for i in range(a.shape[0])] if int(margin) == 1 else \
        [fun(a[:, j]) for j in range(a.shape[1])]
    names = rn if int(margin) == 1 else cn
    if all(np.ndim(p) == 0 for p in parts):
        named = isinstance(x, pd.DataFrame)
        return pd.Series(parts, index=names) if named else np.asarray(parts)
    if len({np.size(p) for p in parts}) > 1:
        # results of different lengths (table() of each column): R's list, named by the
        # row/column names when x has them
        return dict(zip(map(str, names), parts)) if isinstance(x, pd.DataFrame) else parts
    return np.column_stack(parts)          # R: one column per row/column visited


def r_which_max(x: Any, minimum: bool = False, name: bool = False) -> Any:
    """R's ``which.max(x)`` / ``which.min(x)``: the 1-based position of the first maximum
    (minimum), missing values skipped; None (integer(0)) when every value is missing.
    ``name``: ``names(which.max(x))``, the name there (a dict's key, a Series' label, a
    one-way table's level), None when x has no names."""
    ph = _placeholder(x)
    if ph is not None:
        return ph  # type: ignore[return-value]
    labels = list(x) if isinstance(x, dict) else list(x.index) if isinstance(
        x, pd.Series) and not isinstance(x.index, pd.RangeIndex) else None
    if isinstance(x, dict):
        x = list(x.values())
    v = np.asarray(pd.to_numeric(pd.Series(np.asarray(x).ravel()), errors="coerce"),
                   dtype=float)
    if np.isnan(v).all():
        return None
    at = int(np.nanargmin(v) if minimum else np.nanargmax(v))
    if name:
        return None if labels is None else str(labels[at])
    return at + 1


def _seq_one(x: Any) -> list:
    """R's one-argument ``seq(x)``: ``seq_along(x)`` (1..length(x)) when x is not one
    number, else ``1:x`` (so seq(3) is 1 2 3, seq(0) is 1 0, seq(2.5) is 1 2)."""
    if isinstance(x, (str, bytes)) or x is None:
        n = 1
    elif np.ndim(x) == 0 or (hasattr(x, "__len__") and len(x) == 1):
        v = x if np.ndim(x) == 0 else list(np.asarray(x, dtype=object).ravel())[0]
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            if not np.isfinite(float(v)):
                raise AsrError(f"seq({v!r}): 'from' must be a finite number")
            hi = float(v)
            step = 1 if hi >= 1 else -1
            return list(range(1, int(np.floor(hi + 1e-10)) + 1)) if step == 1 else list(
                range(1, int(np.ceil(hi - 1e-10)) - 1, -1))
        n = 1
    else:
        n = len(x)
    return list(range(1, n + 1))


def r_seq(from_: Any = 1, to: Any = None, by: Any = None, length_out: Any = None,
          along_with: Any = None) -> list:
    """R's ``seq(from, to, by = , length.out = )``: from, from + by, ... not past ``to``
    (by defaults to 1, or -1 going down); with ``length.out`` that many equally spaced
    values. Whole numbers stay whole (R's integer/double distinction aside). One argument
    alone is R's ``seq(x)``: ``seq_along(x)`` for a vector, ``1:x`` for one number;
    ``along.with = x`` is ``seq_along(x)``."""
    ph = _placeholder(from_, to, by, length_out, along_with)
    if ph is not None:
        return ph  # type: ignore[return-value]
    if along_with is not None:
        if to is not None or by is not None or length_out is not None:
            raise AsrError("seq(): along.with goes alone (R ignores the others)",
                           hint="use seq_along(x)")
        return list(range(1, len(np.atleast_1d(np.asarray(along_with, dtype=object))) + 1))
    if to is None and by is None and length_out is None:
        return _seq_one(from_)
    if length_out is not None:
        n = int(length_out)
        if to is None:
            step = 1.0 if by is None else float(by)
            vals = [float(from_) + k * step for k in range(n)]
        elif by is None:
            vals = list(np.linspace(float(from_), float(to), n)) if n > 1 else [float(from_)]
        else:
            raise AsrError("seq(): give two of to, by and length.out")
    else:
        if to is None:
            raise AsrError("seq(): 'to' is missing", hint="seq(from, to, by = )")
        f, t = float(from_), float(to)
        step = (1.0 if t >= f else -1.0) if by is None else float(by)
        if step == 0 or (t - f) / step < 0:
            raise AsrError(f"seq(): wrong sign in 'by' ({step:g} from {f:g} to {t:g})",
                           hint="R's error: the steps never reach 'to'")
        n = int(np.floor((t - f) / step + 1e-10)) + 1
        vals = [f + k * step for k in range(n)]
    return [int(v) if float(v).is_integer() else float(v) for v in vals]


def r_interaction(*xs: Any, sep: str = ".") -> pd.Series:
    """R's ``interaction(a, b)``: the factor of the combined labels "a.b" (``sep``); a
    missing value in any factor gives a missing combination."""
    ph = _placeholder(*xs)
    if ph is not None:
        return ph  # type: ignore[return-value]
    from asr_py.translate.runtime import r_labels

    cols = [pd.Series(np.asarray(r_labels(pd.Series(np.asarray(x, dtype=object))),
                                 dtype=object)) for x in xs]
    out = cols[0].astype(object)
    miss = cols[0].isna()
    for c in cols[1:]:
        out = out.astype(str) + sep + c.astype(str)
        miss |= c.isna()
    out = out.where(~miss, np.nan)
    # R's levels: every combination, the first factor varying fastest
    from asr_py.model.data import level_labels
    levels = [""]
    for k, c in enumerate(cols):
        labs = list(level_labels(c))
        levels = [lab if k == 0 else f"{prev}{sep}{lab}" for lab in labs for prev in levels] \
            if k else labs
    res = pd.Series(pd.Categorical(out, categories=levels))
    idx = next((x.index for x in xs if isinstance(x, pd.Series)), None)
    if idx is not None:
        res.index = idx
    return res


def r_rename_at(x: Any, i: Any, value: Any) -> Any:
    """R's ``names(x)[i] <- v`` / ``colnames(x)[i] <- v``: the names at positions ``i``
    (1-based, or the old names) replaced, of a data frame's columns, a named vector's
    or a list's names; a copy."""
    ph = _placeholder(x, i, value)
    if ph is not None:
        return ph
    old = list(x.columns) if isinstance(x, pd.DataFrame) else list(x.index) if isinstance(
        x, pd.Series) else list(x) if isinstance(x, dict) else None
    if old is None:
        raise AsrError("names(x)[i] <- v: x has no names", hint="x is a data frame, a named "
                       "vector or a list")
    pos = _positions(i, pd.Index([str(o) for o in old]), len(old), "name")
    vals = [value] if isinstance(value, str) or np.ndim(value) == 0 else list(value)
    new = list(old)
    for k, p in enumerate(pos):
        new[p] = vals[k % len(vals)]
    if isinstance(x, pd.DataFrame):
        return x.set_axis(new, axis=1)
    if isinstance(x, pd.Series):
        return x.set_axis(new)
    return dict(zip(new, x.values()))


def r_cbind(*xs: Any, **named: Any) -> Any:
    """R's ``cbind``: with a data frame among the arguments a data frame (vectors and
    scalars become columns, recycled; a list's elements are arguments of their own, as
    ``cbind(d, lst)`` does), otherwise a matrix of the columns. Rows by position."""
    first = named.pop("_first", None)     # the first argument's bare name (deparse.level 1)
    items: list[tuple[str | None, Any]] = [(None, x) for x in xs] + list(named.items())
    if first is not None and items and items[0][0] is None:
        items[0] = (first, items[0][1])
    flat: list[tuple[str | None, Any]] = []
    for name, x in items:
        if isinstance(x, Untranslated):
            return x._use()
        if isinstance(x, dict):
            for k, v in x.items():
                if isinstance(v, Untranslated):
                    return v._use()
                flat.append((str(k), v))
        else:
            flat.append((name, x))
    frames = any(isinstance(x, pd.DataFrame) for _, x in flat)
    n = max((len(x) for _, x in flat if np.ndim(x) and not isinstance(x, str) and not (
        isinstance(x, pd.DataFrame) and x.shape[1] == 0)), default=1)   # tibble(a, b) of scalars
    if not frames:
        cols = [np.asarray(x) if np.ndim(x) else np.repeat(x, n) for _, x in flat]
        out = np.column_stack(cols)
        names = [[name or ""] if np.ndim(x) < 2 else [""] * np.shape(x)[1]
                 for name, x in flat]
        names = [c for group in names for c in group]
        if not any(names) or len(names) != out.shape[1]:
            return out
        # R: a matrix with the arguments' names as column names ("" where none), its row
        # names those of the first named vector
        rows = next((list(x.index) for _, x in flat if isinstance(x, pd.Series) and
                     len(x) == out.shape[0] and not isinstance(x.index, pd.RangeIndex)),
                    None)
        return pd.DataFrame(out, columns=names, index=rows)
    parts = []
    for k, (name, x) in enumerate(flat):
        if isinstance(x, pd.DataFrame):
            x = x.reset_index(drop=True)
            if name and all(isinstance(c, (int, np.integer)) for c in x.columns):
                # a matrix without column names given as cbind(d, m): R names its column
                # m (its columns m.1, m.2, ... when several), as data.frame(d, m) does
                x.columns = [name] if x.shape[1] == 1 else \
                    [f"{name}.{j + 1}" for j in range(x.shape[1])]
            parts.append(x)
        elif np.ndim(x) == 2:
            a = np.asarray(x)
            base = name or f"V{k + 1}"
            cols = [name] if name and a.shape[1] == 1 else \
                [f"{base}.{j + 1}" for j in range(a.shape[1])]
            parts.append(pd.DataFrame(a, columns=cols))
        else:
            v = np.asarray(x) if np.ndim(x) else np.repeat(x, n)
            col = name or (x.name if isinstance(x, pd.Series) and x.name else f"V{k + 1}")
            parts.append(pd.DataFrame({col: np.resize(v, n)}))
    out = concat_frames(parts, axis=1)
    named = [x.index for _, x in flat if isinstance(x, pd.DataFrame)     # R keeps row names
             and not pd.api.types.is_integer_dtype(x.index) and len(x.index) == len(out)]
    return out.set_axis(named[0], axis=0) if named else out


_AGG_FUNS = {"mean": np.mean, "sum": np.sum, "median": np.median, "min": np.min,
             "max": np.max, "length": len, "sd": lambda v: float(np.std(v, ddof=1)),
             "var": lambda v: float(np.var(v, ddof=1))}


def r_aggregate(data: Any, lhs: Sequence[str] | None, rhs: Sequence[str], fun: Any) -> Any:
    """R's ``aggregate(y ~ a + b, data, FUN)``: FUN of y in each observed combination of
    a, b (rows with a missing value in any of them dropped, as na.omit); the result has
    the grouping columns then y, the first grouping variable varying fastest, as R orders
    it. ``lhs`` None is R's ``.`` (every other column); ``fun`` a name of _AGG_FUNS or a
    function."""
    ph = _placeholder(data)
    if ph is not None:
        return ph
    if not isinstance(data, pd.DataFrame):
        raise AsrError(f"aggregate(): data must be a data frame, not {type(data).__name__}")
    f = _AGG_FUNS[fun] if isinstance(fun, str) else fun
    keys = list(rhs)
    ys = [c for c in data.columns if c not in keys] if lhs is None else list(lhs)
    missing = [c for c in keys + ys if c not in data.columns]
    if missing:
        raise AsrError(f"aggregate(): no column {missing[0]!r} in data",
                       hint=f"the columns are {list(data.columns)[:8]}")
    d = data[keys + ys].dropna()
    out = d.groupby(keys, sort=True, observed=True)[ys].agg(lambda v: f(v.to_numpy()))
    out = out.reset_index()
    out = out.sort_values(keys[::-1], kind="stable").reset_index(drop=True)
    return out


def r_dist(name: str, x: Any, *args: Any, mean: float = 0.0, sd: float = 1.0,
           df: float | None = None, lower_tail: bool = True) -> Any:
    """R's ``pnorm``/``qnorm``/``pchisq``/``qchisq``/``pt``/``qt`` (positional arguments
    in R's order: pnorm(q, mean, sd), pchisq(q, df), pt(q, df); ``lower.tail``)."""
    from scipy import stats

    ph = _placeholder(x)
    if ph is not None:
        return ph
    kind = name[1:]
    if kind == "norm":
        if args:
            mean = args[0]
        if len(args) > 1:
            sd = args[1]
        dist = stats.norm(loc=mean, scale=sd)
    else:
        if args:
            df = args[0]
        if df is None:
            raise AsrError(f"{name}(): the degrees of freedom df are needed")
        dist = stats.chi2(df) if kind == "chisq" else stats.t(df)
    v = np.asarray(x.to_numpy() if isinstance(x, pd.Series) else x, dtype=float)
    if name[0] == "p":
        out = dist.cdf(v) if lower_tail else dist.sf(v)
    else:
        out = dist.ppf(v) if lower_tail else dist.isf(v)
    return float(out) if np.ndim(out) == 0 else out


def r_is(x: Any, kind: str) -> bool:
    """R's ``is.numeric(x)`` / ``is.character(x)`` / ``is.factor(x)`` (``kind`` "numeric",
    "character", "factor") of a value as translate holds it: numbers (not logicals) are
    numeric; text (a column read as text) is character and factor alike, as asr.asreml
    treats both as factors; a pandas Categorical (a factor) is a factor only."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    vals = x.to_numpy() if isinstance(x, pd.Series | pd.Index) else np.asarray(
        x if isinstance(x, list | tuple | np.ndarray) else [x], dtype=object
        if not isinstance(x, np.ndarray) else None)
    if kind == "numeric":
        if vals.dtype.kind in "iuf":
            return True
        items = [v for v in vals.ravel() if v is not None]
        return bool(items) and all(isinstance(v, int | float | np.integer | np.floating)
                                   and not isinstance(v, bool | np.bool_) for v in items)
    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype):
        return kind == "factor"          # a factor (factor(), R's data sets): not text
    return vals.dtype.kind in "OUT" and not r_is(x, "numeric") and all(
        isinstance(v, str) or v is None or (isinstance(v, float) and np.isnan(v))
        for v in vals.ravel())


def r_unname(x: Any) -> Any:
    """R's ``unname(x)``: a named vector (a dict, or a Series on text names) without its
    names, its values in order; a named list (a dict) its elements as a list; anything else
    as it is."""
    if isinstance(x, dict):
        return list(x.values())
    if isinstance(x, pd.Series) and len(x) and all(isinstance(i, str) for i in x.index):
        return x.reset_index(drop=True)
    return x


def r_droplevels(x: Any) -> Any:
    """R's ``droplevels(x)``: a factor (or a data frame's factor columns) without the levels
    no value uses. A factor held as its text labels has none; a pandas Categorical (set
    levels, R's data sets) drops them, keeping the others' order. A placeholder passes
    through as it is (droplevels only tidies levels)."""
    if isinstance(x, Untranslated):
        return x
    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype):
        return x.cat.remove_unused_categories()
    if isinstance(x, pd.DataFrame) and any(isinstance(t, pd.CategoricalDtype)
                                           for t in x.dtypes):
        out = x.copy()
        for c in out.columns:
            if isinstance(out[c].dtype, pd.CategoricalDtype):
                out[c] = out[c].cat.remove_unused_categories()
        return out
    return x


def r_var(x: Any) -> Any:
    """R's ``var(x)``: of a vector the sample variance (n − 1 divisor; NA when a value is
    missing); of a matrix or data frame the covariance matrix of its columns (a data frame's
    column names as both dimnames)."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame):
        cols = [str(c) for c in x.columns]
        return pd.DataFrame(np.atleast_2d(np.cov(x.to_numpy(dtype=float), rowvar=False)),
                            index=cols, columns=cols)
    arr = np.asarray(x.to_numpy() if isinstance(x, pd.Series) else
                     list(x.values()) if isinstance(x, dict) else x, dtype=float)
    if arr.ndim == 2:
        return np.atleast_2d(np.cov(arr, rowvar=False))
    return float(np.var(arr, ddof=1)) if arr.size > 1 else float("nan")


def r_na_of(*xs: Any) -> np.ndarray:
    """Where any of ``xs`` (the operands of a comparison) is missing: R's comparison gives
    NA there, pandas' gives False."""
    masks = [np.asarray(pd.isna(x.to_numpy() if isinstance(x, pd.Series) else x))
             for x in xs if not isinstance(x, dict | Untranslated | pd.DataFrame)]
    out = np.zeros((), dtype=bool)
    for m in masks:
        out = out | m
    return out


def r_ifelse(test: Any, yes: Any, no: Any, na: Any = None) -> Any:
    """R's ``ifelse(test, yes, no)``: ``yes`` where test is TRUE, ``no`` where FALSE, NA
    where test is NA (``na``: where the compared values were missing)."""
    for v in (test, yes, no):
        if isinstance(v, Untranslated):
            return v._use()
    out = np.where(test, yes, no)
    mask = np.broadcast_to(np.asarray(na, dtype=bool), out.shape) if na is not None \
        else None
    if mask is None or not mask.any():
        return out
    if out.dtype.kind in "iufcb":
        out = out.astype(float)
        out[mask] = np.nan
    else:
        out = out.astype(object)
        out[mask] = None
    return out
