"""R's atomic vectors in translated scripts: ``which()``, ``numeric(n)`` and its kin, and
the replacement ``x[i] <- v`` of a vector. Their translation rules and their runtime.

R semantics kept (R 4.2, ``?which``, ``?vector``, ``?Extract``):

* ``which(x)`` gives the 1-based positions of the TRUE elements of a logical vector; NA counts
  as FALSE. ``arr.ind = TRUE`` (matrix indices): rarray.r_which_arr_ind.
* ``numeric(n)``/``double(n)``/``integer(n)`` give n zeros, ``character(n)`` n empty strings,
  ``logical(n)`` n FALSE, ``vector(mode, length)`` the same by mode (``"list"``: n NULLs).
* ``head(x, n = 6)``/``tail(x, n = 6)`` of a vector (list, array) as of a data frame; a
  negative n leaves out that many from the other end.
* ``order(a, b, decreasing = FALSE)``: the 1-based positions that sort by a, then b; stable
  (ties keep their order), NA last, a factor by its levels' order, strings by code point (R's
  C locale; R's default locale may put "a" before "B").
* ``scale(x, center = TRUE, scale = TRUE)``: each column minus its mean, divided by its
  standard deviation (n - 1; with ``center = FALSE`` the root mean square), NA left out; a
  vector stays a vector (R gives a one-column matrix, which asreml reads as that vector).
* ``subset(d, cond, select = c(a, b))``: R evaluates ``select`` with each column name bound to
  its position (``a:c`` a run of columns, ``-c(a, b)`` all but those, strings names).
* ``x[i] <- v``: i 1-based positions (negative ones exclude), a logical vector (recycled) or
  names; v recycled over the selected elements; a position past the end extends x with NA
  (R's ``x <- numeric(0); x[3] <- 1`` gives ``NA NA 1``); ``x <- NULL; x[2] <- "a"`` starts
  an empty vector. x keeps its Python type (list, array, Series; a dict for a named list).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.model.collate import collate_ranks
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import Untranslatable
from asr_py.translate.rbase import _placeholder

if TYPE_CHECKING:
    from asr_py.translate.parser import R

__all__ = ["RVectorList", "r_assign", "r_complete_cases", "r_cor", "r_head", "r_negate",
           "r_not", "r_order", "r_scale", "r_select", "r_subset", "r_set_dimnames", "r_stopifnot",
           "r_vector", "r_which", "r_in_values"]

#: R's constructors of an atomic vector of a given length -> their mode
_MODES = {"numeric": "numeric", "double": "numeric", "integer": "integer",
          "character": "character", "logical": "logical"}
FUNCTIONS = ("which", "vector", "scale", "order", *_MODES)


def _na(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def r_which(x: Any) -> np.ndarray:
    """R's ``which(x)``: the 1-based positions of the TRUE elements (NA is not TRUE)."""
    if (ph := _placeholder(x)) is not None:
        return ph  # type: ignore[return-value]
    names = list(x) if isinstance(x, dict) else list(x.index) if isinstance(
        x, pd.Series) and not isinstance(x.index, pd.RangeIndex) else None
    vals = list(x.values()) if isinstance(x, dict) else x.to_numpy() if isinstance(
        x, (pd.Series, pd.Index)) else np.asarray(x, dtype=object)
    vals = np.atleast_1d(np.asarray(vals, dtype=object)).ravel()
    bad = [v for v in vals if not (isinstance(v, (bool, np.bool_)) or _na(v))]
    if bad:
        raise AsrError(f"which(): argument is not logical (found {bad[0]!r})",
                       hint="which() takes a logical vector, e.g. which(x > 0)")
    pos = np.array([k + 1 for k, v in enumerate(vals) if not _na(v) and bool(v)], dtype=int)
    if names is not None:          # which() of a named vector keeps the names (R)
        return pd.Series(pos, index=[names[k - 1] for k in pos])  # type: ignore[return-value]
    return pos


class RVectorList(list):  # type: ignore[type-arg]
    """An R list made by ``vector("list", n)``: with names it is a named list (a dict)."""


def r_vector(mode: str = "logical", length: int = 0) -> list[Any]:
    """R's ``vector(mode, length)`` and ``numeric(n)``/``character(n)``/``logical(n)``/
    ``integer(n)``: ``length`` zeros, empty strings, FALSEs (or NULLs for a list)."""
    n = int(length)
    if n < 0:
        raise AsrError(f"vector(length = {length}): a negative length",
                       hint="R's vector(), numeric() ... need a length >= 0")
    fill: dict[str, Any] = {"numeric": 0.0, "double": 0.0, "integer": 0, "character": "",
                            "logical": False, "list": None}
    if mode not in fill:
        raise AsrError(f"vector(mode = {mode!r}) is not an R mode translate knows",
                       hint="use 'numeric', 'integer', 'character', 'logical' or 'list'")
    if mode == "list":
        return RVectorList([None] * n)
    return [fill[mode]] * n


def _flat(v: Any) -> list[Any]:
    if isinstance(v, (str, bytes)) or np.isscalar(v) or v is None:
        return [v]
    if isinstance(v, (pd.Series, pd.Index)):
        return list(v.to_numpy())
    if isinstance(v, dict):
        return list(v.values())
    return list(np.asarray(v, dtype=object).ravel()) if not isinstance(v, list) else list(v)


def _targets(items: list[Any], names: list[Any] | None, i: Any) -> tuple[list[int], list[Any]]:
    """0-based positions ``i`` selects in a vector of ``items`` (names past the end are new
    elements: their names come back in the second list)."""
    sel = _flat(i)
    n = len(items)
    if sel and all(isinstance(s, (bool, np.bool_)) for s in sel):
        m = max(n, len(sel))
        return [k for k in range(m) if sel[k % len(sel)]], []
    if sel and all(isinstance(s, str) for s in sel):
        have = [] if names is None else list(names)
        pos, new = [], []
        for s in sel:
            if s in have:
                pos.append(have.index(s))
            else:
                have.append(s)
                new.append(s)
                pos.append(len(have) - 1)
        return pos, new
    nums = [int(s) for s in sel if not _na(s)]
    if any(k < 0 for k in nums):
        if any(k > 0 for k in nums):
            raise AsrError("x[i] <- v: i mixes positive and negative positions",
                           hint="R allows only one sign in a subscript")
        drop = {-k - 1 for k in nums}
        return [k for k in range(n) if k not in drop], []
    return [k - 1 for k in nums if k != 0], []


def r_assign(x: Any, i: Any, value: Any) -> Any:
    """R's ``x[i] <- value`` for a vector ``x`` (list, array, Series, named list as a dict, or
    NULL): the changed copy, of the same Python type."""
    if (ph := _placeholder(x, i)) is not None:
        return ph
    if isinstance(x, pd.DataFrame) and not all(isinstance(s, str) for s in _flat(i)) or \
            isinstance(x, np.ndarray) and x.ndim == 2 or (x is None or isinstance(x, list)) \
            and _flat(i) and all(isinstance(s, str) for s in _flat(i)):
        # a matrix (m[lower.tri(m)] <- v, by column), a data frame by position or by a
        # logical matrix (d[is.na(d)] <- 0), names into an unnamed vector (v <- c();
        # v["a"] <- 1 gives a named vector): rassign.r_sub_assign (c14newB)
        from asr_py.translate.rassign import r_sub_assign

        return r_sub_assign(x, i, value)
    if isinstance(x, pd.DataFrame):
        sel = _flat(i)
        if value is None and all(isinstance(s, str) for s in sel):
            return x.drop(columns=[s for s in sel if s in x.columns])   # d["z"] <- NULL
        if all(isinstance(s, str) for s in sel):
            out = x.copy()
            vals = _flat(value)
            for k, s in enumerate(sel):
                out[s] = value if len(vals) == 1 else vals[k % len(vals)]
            return out
        raise AsrError("d[i] <- v of a data frame by position or mask is not translated",
                       hint="name the columns: d[c('a', 'b')] <- v, or d[rows, 'col'] <- v")
    if x is None:
        x = []
    if isinstance(x, dict):
        keys = list(x)
        pos, new = _targets(list(x.values()), keys, i)
        out = dict(x)
        vals = _flat(value) if not isinstance(value, (list, dict)) or len(pos) > 1 else [value]
        names = keys + new
        for k, p in enumerate(pos):
            if p >= len(names):
                raise AsrError(f"x[{i}] <- v: position past the end of a named list",
                               hint="add the element by name: x[['name']] <- v")
            out[names[p]] = vals[k % len(vals)]
        return out
    series = isinstance(x, pd.Series)
    names = list(x.index) if series and not isinstance(x.index, pd.RangeIndex) else None
    items = _flat(x)
    pos, new = _targets(items, names, i)
    vals = _flat(value)
    if not vals:
        raise AsrError("x[i] <- v: replacement has length zero",
                       hint="R stops here too: give v at least one value")
    if pos and len(pos) % len(vals):
        pass                                   # R warns and recycles; so do we
    end = max([len(items) - 1, *pos]) if pos else len(items) - 1
    items = items + [np.nan] * (end + 1 - len(items))
    for k, p in enumerate(pos):
        items[p] = vals[k % len(vals)]
    if series:
        idx = (names + new + [str(k + 1) for k in range(len(names) + len(new), len(items))]
               if names is not None else range(len(items)))
        return pd.Series(items, index=list(idx), name=x.name).infer_objects()
    if isinstance(x, np.ndarray):
        return np.asarray(pd.Series(items).infer_objects().to_numpy())
    return items


def r_scale(x: Any, center: Any = True, scale: Any = True) -> Any:
    """R's ``scale(x, center, scale)`` of a vector or of a matrix/data frame's columns."""
    if (ph := _placeholder(x, center, scale)) is not None:
        return ph
    if isinstance(x, pd.DataFrame):
        return pd.DataFrame({c: r_scale(x[c], _nth(center, k), _nth(scale, k))
                             for k, c in enumerate(x.columns)}, index=x.index)
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 2:
        return np.column_stack([r_scale(arr[:, k], _nth(center, k), _nth(scale, k))
                                for k in range(arr.shape[1])])
    out = arr.copy()
    ok = ~np.isnan(out)
    if center is True:
        out = out - out[ok].mean()
    elif center is not False and center is not None:
        out = out - float(center)
    if scale is True:
        n = int(ok.sum())
        div = np.sqrt(np.sum(out[ok] ** 2) / max(n - 1, 1))
        out = out / div
    elif scale is not False and scale is not None:
        out = out / float(scale)
    if isinstance(x, pd.Series):
        return pd.Series(out, index=x.index, name=x.name)
    return out


def _nth(v: Any, k: int) -> Any:
    if isinstance(v, (bool, np.bool_)) or v is None or np.isscalar(v):
        return v
    return list(v)[k]


def r_set_dimnames(x: Any, dimnames: Any) -> Any:
    """R's ``dimnames(x) <- list(rows, cols)`` on a matrix or data frame (a NULL element
    leaves that axis unnamed; ``dimnames(x) <- NULL`` removes both)."""
    from asr_py.translate.rmatrix import set_colnames, set_rownames

    if (ph := _placeholder(x, dimnames)) is not None:
        return ph
    if dimnames is None:                    # dimnames(x) <- NULL: no names left
        if isinstance(x, np.ndarray):
            return x
        return set_colnames(set_rownames(x, None), None)
    parts = list(dimnames.values()) if isinstance(dimnames, dict) else list(dimnames)
    if len(parts) != 2:
        raise AsrError(f"dimnames(x) <- value: value has {len(parts)} elements, a matrix "
                       "needs 2", hint="give list(row names, column names)")
    return set_colnames(set_rownames(x, parts[0]), parts[1])


def relmatrix_triplets(x: Any) -> pd.DataFrame:
    """asreml's sparse form of a relationship matrix (what ``ainverse()`` returns in R): the
    lower triangle's non-zero elements as 1-based ``Row``, ``Column`` (Row >= Column, by
    row, then column) and the value (column ``Ainverse`` for an A-inverse, else ``Value``)."""
    import scipy.sparse as sp

    m = sp.tril(sp.csr_matrix(x.matrix)).tocoo()
    order = np.lexsort((m.col, m.row))
    name = "Ainverse" if str(getattr(x, "kind", "")) == "Ainv" else "Value"
    return pd.DataFrame({"Row": m.row[order] + 1, "Column": m.col[order] + 1,
                         name: m.data[order]})


def r_head(x: Any, n: int = 6, tail: bool = False) -> Any:
    """R's ``head(x, n)`` / ``tail(x, n)`` of a data frame, Series, array or list; of a
    relationship matrix (``ainverse()``), its sparse triplets as asreml gives them."""
    if (ph := _placeholder(x, n)) is not None:
        return ph
    from asr_py.genetics.relmatrix import RelMatrix

    if isinstance(x, RelMatrix):
        x = relmatrix_triplets(x)
    size = len(x)
    k = int(n)
    k = max(size + k, 0) if k < 0 else min(k, size)
    if isinstance(x, (pd.DataFrame, pd.Series)):
        return x.tail(k) if tail else x.head(k)
    if isinstance(x, np.ndarray) and x.ndim == 2:
        return x[size - k:] if tail else x[:k]
    return x[size - k:] if tail else x[:k]


def r_order(*keys: Any, decreasing: bool = False) -> np.ndarray:
    """R's ``order(...)``: 1-based positions sorting by the keys in turn (stable, NA last);
    text in R's collation order (asr_py.model.collate)."""
    if (ph := _placeholder(*keys)) is not None:
        return ph  # type: ignore[return-value]
    if not keys:
        raise AsrError("order() needs at least one vector", hint="order(x) or order(a, b)")
    cols = {}
    for k, key in enumerate(keys):
        ser = key if isinstance(key, pd.Series) else pd.Series(list(_flat(key)))
        if isinstance(ser.dtype, pd.CategoricalDtype):
            ser = pd.Series(ser.cat.codes.to_numpy(), dtype=float).where(ser.notna().to_numpy())
        elif pd.api.types.infer_dtype(ser, skipna=True) == "string":
            ser = pd.Series(collate_ranks(ser), dtype=float)   # text: R's collation
        cols[f"k{k}"] = ser.reset_index(drop=True)
    frame = pd.DataFrame(cols)
    if len({len(c) for c in cols.values()}) != 1:
        raise AsrError("order(): the vectors have different lengths",
                       hint="R's order() needs keys of one length")
    out = frame.sort_values(list(cols), ascending=not decreasing, kind="stable",
                            na_position="last")
    return out.index.to_numpy() + 1


def translate(tr: Any, e: R) -> str | None:
    """The translation of a call to one of :data:`FUNCTIONS` (None: not this rule's form)."""
    f = e.value
    pos = [a for n, a in e.args if n is None and a.kind != "empty"]
    named = {n: a for n, a in e.args if n is not None}
    if f == "which":
        if any(n not in ("x", "useNames", "arr.ind") for n in named) or \
                len(pos) + ("x" in named) != 1:
            raise Untranslatable("which() with these arguments")
        x = named.get("x", pos[0] if pos else None)
        assert x is not None
        arr = named.get("arr.ind")
        if arr is not None and not (arr.kind == "name" and arr.value in ("FALSE", "F")):
            if not (arr.kind == "name" and arr.value in ("TRUE", "T")):
                raise Untranslatable("which(arr.ind = <a variable>)")
            return f"{tr.runtime('r_which_arr_ind')}({tr.py(x)})"     # rarray.py
        return f"{tr.runtime('r_which')}({tr.py(x)})"
    if f == "order":
        if any(n not in ("decreasing",) for n in named) or not pos:
            return None
        dec = f", decreasing={tr.py(named['decreasing'])}" if "decreasing" in named else ""
        return f"{tr.runtime('r_order')}({', '.join(tr.py(a) for a in pos)}{dec})"
    if f == "scale":
        names = ("x", "center", "scale")
        if len(e.args) > 3 or any(n not in (None, *names) for n in named):
            return None
        got = dict(zip(names, [a for n, a in e.args if n is None]))
        got.update(named)
        if "x" not in got:
            return None
        more = "".join(f", {k}={tr.py(got[k])}" for k in names[1:] if k in got)
        return f"{tr.runtime('r_scale')}({tr.py(got['x'])}{more})"
    if f in _MODES:
        if any(n != "length" for n in named) or len(pos) + len(named) > 1:
            return None
        n = named.get("length", pos[0] if pos else None)
        size = tr.py(n) if n is not None else "0"
        return f"{tr.runtime('r_vector')}({_MODES[f]!r}, {size})"
    if f == "vector":
        if any(n not in ("mode", "length") for n in named) or len(e.args) > 2:
            return None
        got = dict(zip(("mode", "length"), pos))
        got.update(named)
        mode = tr.py(got["mode"]) if "mode" in got else "'logical'"
        size = tr.py(got["length"]) if "length" in got else "0"
        return f"{tr.runtime('r_vector')}({mode}, {size})"
    return None


def select_spec(tr: Any, e: R) -> str:
    """``subset(select = e)``'s expression as Python over ``_p`` (column name -> 1-based
    position), as R evaluates it (``?subset``)."""
    k = e.kind
    if k == "name":
        return f"_p[{e.value!r}]"
    if k in ("str", "num"):
        return tr.py(e)
    if k == "paren" and e.right is not None:
        return f"({select_spec(tr, e.right)})"
    if k == "unary" and e.value == "-" and e.right is not None:
        return f"{tr.runtime('r_negate')}({select_spec(tr, e.right)})"
    if k == "bin" and e.value == ":" and e.left is not None and e.right is not None:
        lo, hi = e.left, e.right
        if lo.kind == hi.kind == "num" and float(lo.value) <= float(hi.value):
            return f"range({select_spec(tr, lo)}, {select_spec(tr, hi)} + 1)"
        # R's from:to counts down when from > to (-1:-4 is -1, -2, -3, -4)
        return f"{tr.runtime('r_colon')}({select_spec(tr, lo)}, {select_spec(tr, hi)})"
    if k == "call" and e.value == "c" and all(n is None for n, _ in e.args):
        return f"[{', '.join(select_spec(tr, a) for _, a in e.args)}]"
    raise Untranslatable(f"subset(select = {tr.src(e)})")


def r_negate(x: Any) -> Any:
    """``-x`` of a position or a vector of positions (subset's ``select = -c(a, b)``)."""
    if isinstance(x, (int, np.integer)):
        return -int(x)
    return [-int(v) for v in _flat_all(x)]


def _flat_all(x: Any) -> list[Any]:
    out: list[Any] = []
    for v in (x if isinstance(x, (list, tuple, range, np.ndarray)) else [x]):
        if isinstance(v, (list, tuple, range, np.ndarray)):
            out += _flat_all(v)
        else:
            out.append(v)
    return out


def r_select(d: Any, spec: Any) -> Any:
    """``subset(d, select = ...)``: ``spec(positions)`` gives names, positive positions or
    negative ones (dropped), as R's subset.data.frame."""
    if (ph := _placeholder(d)) is not None:
        return ph
    if not isinstance(d, pd.DataFrame):
        raise AsrError("subset(x, select = ...) needs a data frame",
                       hint="select picks columns: x must be a data frame")
    cols = list(d.columns)
    sel = _flat_all(spec({c: k + 1 for k, c in enumerate(cols)}))
    if any(isinstance(v, str) for v in sel):
        missing = [v for v in sel if v not in cols]
        if missing:
            raise AsrError(f"subset(select = ...): no column {missing[0]!r}",
                           hint=f"the data frame's columns: {cols}")
        return d[[str(v) for v in sel]]
    nums = [int(v) for v in sel]
    if nums and all(v < 0 for v in nums):
        drop = {-v - 1 for v in nums}
        return d[[c for k, c in enumerate(cols) if k not in drop]]
    if any(v < 0 for v in nums):
        raise AsrError("subset(select = ...) mixes kept and dropped columns",
                       hint="R allows only one sign: select = c(a, b) or select = -c(a, b)")
    return d.iloc[:, [v - 1 for v in nums if v != 0]]


def _untranslated(*xs: Any) -> Any:
    """The first placeholder of untranslated code among ``xs`` (used), else None."""
    for x in xs:
        if isinstance(x, Untranslated):
            return x._use()
    return None


def r_complete_cases(*xs: Any) -> np.ndarray:
    """R's ``complete.cases(d, ...)``: TRUE for the rows with no missing value in any of the
    arguments (data frames, matrices or vectors of one length)."""
    u = _untranslated(*xs)
    if u is not None:
        return u  # type: ignore[no-any-return]
    masks = []
    for x in xs:
        if isinstance(x, pd.DataFrame):
            masks.append(~x.isna().any(axis=1).to_numpy())
        else:
            a = pd.DataFrame(np.asarray(x, dtype=object))
            masks.append(~a.isna().any(axis=1).to_numpy())
    if not masks:
        raise AsrError("complete.cases(): no argument", hint="give a data frame or vectors")
    if len({len(m) for m in masks}) > 1:
        raise AsrError("complete.cases(): the arguments have different numbers of rows "
                       f"({', '.join(str(len(m)) for m in masks)})",
                       hint="give vectors of one length")
    out = masks[0]
    for m in masks[1:]:
        out = out & m
    return out


def r_cor(x: Any, y: Any = None, use: str = "everything", method: str = "pearson") -> Any:
    """R's ``cor(x, y, use, method)`` of two vectors (pearson, spearman or kendall); ``use =
    "complete.obs"``/``"pairwise.complete.obs"`` drops the pairs with a missing value, the
    default gives NA when any is missing. ``cor(d)`` of a data frame or matrix: the
    correlation matrix."""
    u = _untranslated(x, y)
    if u is not None:
        return u
    if method not in ("pearson", "spearman", "kendall"):
        raise AsrError(f"cor(method = {method!r}): not a method R knows",
                       hint="'pearson', 'spearman' or 'kendall'")
    uses = ("all.obs", "complete.obs", "pairwise.complete.obs", "everything",
            "na.or.complete")
    hits = [c for c in uses if isinstance(use, str) and c.startswith(use)]
    if use not in uses and len(hits) == 1:
        use = hits[0]                       # R: pmatch(use, ...), so "pair" is pairwise
    if use not in uses:
        raise AsrError(f"cor(use = {use!r}): not a choice R knows",
                       hint="'everything', 'complete.obs' or 'pairwise.complete.obs'")
    if y is None:
        d = pd.DataFrame(np.asarray(x, dtype=float)) if not isinstance(x, pd.DataFrame) \
            else x.astype(float)
        if use in ("complete.obs", "na.or.complete"):
            d = d.dropna()
        elif use in ("everything", "all.obs") and d.isna().to_numpy().any():
            if use == "all.obs":
                raise AsrError("cor(use = 'all.obs'): missing values", hint="use = 'complete.obs'")
        return d.corr(method=method)
    a = pd.Series(np.asarray(x, dtype=float)).reset_index(drop=True)
    b = pd.Series(np.asarray(y, dtype=float)).reset_index(drop=True)
    if len(a) != len(b):
        raise AsrError(f"cor(x, y): x has {len(a)} values, y {len(b)}",
                       hint="x and y must be of one length")
    missing = a.isna() | b.isna()
    if missing.any():
        if use == "all.obs":
            raise AsrError("cor(use = 'all.obs'): missing values", hint="use = 'complete.obs'")
        if use == "everything":
            return float("nan")
        a, b = a[~missing], b[~missing]
    return float(a.corr(b, method=method))


def r_stopifnot(*conds: Any) -> None:
    """R's ``stopifnot(...)``: an error naming the first condition that is not all TRUE."""
    for i, c in enumerate(conds, 1):
        if isinstance(c, Untranslated):
            continue                      # a check of something not translated: skipped
        vals = list(np.atleast_1d(np.asarray(c, dtype=object)).ravel()) if not isinstance(
            c, (bool, np.bool_)) else [c]
        if not all(v is True or isinstance(v, np.bool_) and v for v in vals):
            raise AsrError(f"stopifnot(): condition {i} is not all TRUE",
                           hint="the script checks its input here; see its R code")


def r_not(x: Any) -> Any:
    """R's ``!x``, element by element: a logical vector gives a logical vector of the same
    length (NA stays NA), a single value a single ``bool`` (``!0`` is TRUE). A Python list
    (an R vector) gives a boolean array, whose truth in ``if`` is its one element's, as R's."""
    if (ph := _placeholder(x)) is not None:
        return ph
    if isinstance(x, (pd.Series, pd.DataFrame)):
        if x.isna().to_numpy().any():
            return (~x.astype("boolean")) if isinstance(x, pd.Series) else ~x.astype("boolean")
        return ~x.astype(bool)
    if isinstance(x, (list, tuple, np.ndarray, pd.Index)):
        vals = np.asarray(x, dtype=object).ravel() if not isinstance(x, np.ndarray) or \
            x.dtype == object else x
        if vals.dtype == object and any(_na(v) for v in vals):
            return np.array([v if _na(v) else not bool(v) for v in vals], dtype=object)
        return np.logical_not(np.asarray(vals, dtype=bool))
    return not bool(x)


def r_subset(x: Any, cond: Any = None, select: Any = None, **other: Any) -> Any:
    """R's ``subset(x, subset, select, ...)``, dispatched on x as R does: a data frame keeps
    the rows where ``cond(x)`` is TRUE (NA counts as FALSE), then the ``select`` columns;
    an asremlPlus alldiffs object goes to ``subset.alldiffs`` (asr.plus.subset_alldiffs)."""
    if (ph := _placeholder(x)) is not None:
        return ph
    from asr_py.compat.alldiffs import Alldiffs, subset_alldiffs

    if isinstance(x, Alldiffs):
        if select is not None:
            other["select"] = select
        return subset_alldiffs(x, cond, **other)
    drop = bool(other.pop("drop", False))
    if other:
        raise AsrError(f"subset(): argument {next(iter(other))}= is not one of "
                       "subset.data.frame's (subset, select, drop)",
                       hint="R's subset() of a data frame takes subset= and select=")
    if not isinstance(x, pd.DataFrame):
        raise AsrError(f"subset() of a {type(x).__name__}: only data frames and asremlPlus "
                       "alldiffs objects are translated", hint="use x[cond] for a vector")
    out = x
    if cond is not None:
        c = cond(x)
        mask = np.asarray([bool(v) and not _na(v) for v in (
            c.to_numpy() if isinstance(c, pd.Series) else np.atleast_1d(c))], dtype=bool)
        if mask.size == 1:
            mask = np.repeat(mask, len(x))
        out = x.iloc[np.flatnonzero(mask)]
    if select is not None:
        out = r_select(out, select)
    if drop and isinstance(out, pd.DataFrame) and out.shape[1] == 1:
        return out.iloc[:, 0]
    return out


def r_in_values(v: Any) -> Any:
    """The right side of ``x %in% v`` as the values pandas' ``isin`` takes: one value (a
    text or a number, as a loop variable holds) is a list of one; a named c() its values."""
    if isinstance(v, (str, bytes, int, float, np.generic)) or v is None:
        vals: Any = [v]
    elif isinstance(v, dict):
        vals = list(v.values())
    else:
        vals = v
    return _with_text_twins(vals)


def _with_text_twins(vals: Any) -> Any:
    """R's match() compares a factor (text labels here) with numbers as text: ``row %in%
    seq(1, 20, 2)`` of a factor row matches "1", "3", ...; and a number with the text
    "3" likewise. The values plus each number's R label and each numeric label's number."""
    from asr_py.translate.runtime import _r_label

    try:
        items = list(vals)
    except TypeError:
        return vals
    extra: list[Any] = []
    for x in items:
        if isinstance(x, (bool, np.bool_)) or x is None:
            continue
        if isinstance(x, (int, float, np.integer, np.floating)) and np.isfinite(x):
            extra.append(_r_label(x))
        elif isinstance(x, str):
            try:
                num = float(x)
            except ValueError:
                continue
            if np.isfinite(num) and _r_label(num) == x:
                extra.append(int(num) if num.is_integer() else num)
    return items + extra if extra else vals
