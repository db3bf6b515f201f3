"""dplyr verbs of data preparation in translated scripts: ``select()``, ``arrange()`` (with
``desc()``), ``mutate_at()``/``mutate_if()``/``mutate(across())``, ``rename_all()`` /
``rename_with()``, ``distinct()``, and base R's ``rbind.data.frame()``.

Column selections follow tidyselect: bare names and strings, ``new = old`` (select renames),
``-x`` (drop), ``a:b`` (a range of columns), ``c(...)``, ``starts_with()``, ``ends_with()``,
``contains()``, ``matches()``, ``everything()``, ``all_of(v)``/``any_of(v)``, and a bare
name that is no column but a variable holding column names (tidyselect's older rule, e.g.
``select(uid, gen, traits)`` with ``traits <- c("yield", "height")``). A selection is built
at translate time as a nested tuple (:func:`spec`) and resolved against the data when the
script runs (:func:`columns`); a name that is neither a column nor such a variable is an
error naming it.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate import rmutlambda
from asr_py.translate.checks import Untranslated

__all__ = ["r_arrange", "r_distinct", "r_ldply", "r_mutate_at", "r_mutate_if", "r_pull",
           "r_rename_with", "r_dplyr_select", "r_relocate"]

#: R functions applied to columns, by name -> how (runtime name)
_COLUMN_FUNS = {"factor": "factor", "as.factor": "factor", "as.character": "character",
                "as.numeric": "numeric", "as.double": "numeric", "as.integer": "integer",
                "toupper": "upper", "tolower": "lower"}
#: mutate_if's predicates
_PREDICATES = {"is.character": "character", "is.numeric": "numeric",
               "is.factor": "factor", "is.integer": "integer", "is.double": "numeric"}
_HELPERS = ("starts_with", "ends_with", "contains", "matches", "everything", "all_of",
            "any_of", "one_of", "last_col")


def _untranslatable(what: str) -> Exception:
    from asr_py.translate.parser import Untranslatable

    return Untranslatable(what)


def spec(tr: Any, e: Any, name: str | None = None) -> str:
    """The Python literal of the tidyselect expression ``e`` (``name``: select's new name)."""
    k = e.kind
    if name is not None:
        return f"('rename', {name!r}, {spec(tr, e)})"
    if k in ("name", "str"):
        return f"('n', {e.value!r})"
    if k == "num":
        return f"('i', {tr.py(e)})"
    if k == "paren" and e.right is not None:
        return spec(tr, e.right)
    injected = _injected_name(e)
    if injected is not None:
        # select(d, c(id, !!as.symbol(trait))): rlang's injection of a symbol made from a
        # text (sym(), as.name(), as.symbol()) selects the column that text names
        return f"('fn', 'all_of', {tr.py(injected)})"
    if k == "unary" and e.value in ("-", "!") and e.right is not None:
        return f"('neg', {spec(tr, e.right)})"
    if k == "bin" and e.value == ":" and e.left is not None and e.right is not None:
        return f"('range', {spec(tr, e.left)}, {spec(tr, e.right)})"
    if k == "call" and e.value == "c":
        return "('all', [" + ", ".join(spec(tr, a, n) for n, a in e.args) + "])"
    if k == "call" and e.value == "where" and len(e.args) == 1:
        return _where_spec(tr, e.args[0][1])
    if k == "call" and e.value in _HELPERS:
        pos = [a for n, a in e.args if n is None]
        arg = tr.py(pos[0]) if pos else "None"
        return f"('fn', {e.value!r}, {arg})"
    if k == "call" and e.value in ("paste", "paste0", "sprintf", "setdiff", "intersect",
                                   "union"):
        # select(d, id, paste0("FROH_chr", k)): tidyselect evaluates a call that is no
        # selection helper and selects the columns its character vector names (all_of)
        return f"('fn', 'all_of', {tr.py(e)})"
    if k in ("dollar", "index") or _names_call(e):
        # select(d, key$Metabolite), select(d, key[, "Metabolite"]),
        # select(d, a$Metabolite[c(2, 3)]), select(d, -colnames(d)[grep("SE_", colnames(d))]):
        # an expression giving column names (tidyselect evaluates anything but a bare name
        # or a selection helper to a character vector), as all_of() of it
        return f"('fn', 'all_of', {tr.py(e)})"
    raise _untranslatable(f"a column selection {tr.src(e)}")


def _injected_name(e: Any) -> Any:
    """The text argument ``x`` of ``!!sym(x)`` (also ``rlang::sym``, ``ensym``, ``as.name``,
    ``as.symbol``), else None."""
    if not (e.kind == "unary" and e.value == "!" and e.right is not None and
            e.right.kind == "unary" and e.right.value == "!" and e.right.right is not None):
        return None
    inner = e.right.right
    if inner.kind == "paren" and inner.right is not None:
        inner = inner.right
    if inner.kind == "call" and inner.value in ("sym", "rlang::sym", "ensym", "as.name",
                                                "as.symbol") and \
            len(inner.args) == 1 and inner.args[0][0] is None:
        return inner.args[0][1]
    return None


def _names_call(e: Any) -> bool:
    """``colnames(x)`` / ``names(x)``: a character vector of names."""
    return e.kind == "call" and e.value in ("colnames", "names") and len(e.args) == 1


def _where_spec(tr: Any, f: Any) -> str:
    """tidyselect's ``where(pred)``: ``is.numeric``-like predicates by kind, a function or a
    purrr lambda (``~ !all(is.na(.x))``) as a Python callable of the column."""
    from asr_py.translate.rlambda import lambda_node

    if f.kind == "name" and f.value in _PREDICATES:
        return f"('where_kind', {_PREDICATES[f.value]!r})"
    lam = lambda_node(f)
    if lam is not None or f.kind == "function":
        return f"('where', {tr.py(lam or f)})"
    return f"('where', {tr.fun_ref(f)})"


def _is_kind(s: pd.Series, pred: str) -> bool:
    """Whether the column ``s`` is of R's kind ``pred`` (numeric, integer, factor, character)."""
    if pred == "numeric":
        return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    if pred == "integer":
        return pd.api.types.is_integer_dtype(s)
    if pred == "factor":
        return isinstance(s.dtype, pd.CategoricalDtype)
    # character (r_labels' factors are text too: R's is.character would be FALSE for a
    # factor; the conversions applied to them are idempotent)
    if isinstance(s.dtype, pd.StringDtype) or str(s.dtype) == "str":
        return True                  # pandas' string dtype
    return s.dtype == object and s.map(lambda v: isinstance(v, str) or v != v).all()


def _where_test(df: pd.DataFrame, c: str, s: Any) -> bool:
    """Whether column ``c`` passes ``where()`` (a predicate must give one TRUE/FALSE)."""
    if s[0] == "where_kind":
        return _is_kind(df[c], s[1])
    v = s[1](df[c])
    arr = np.asarray(v, dtype=object).ravel()
    if arr.size != 1 or not isinstance(arr[0], bool | np.bool_):
        raise AsrError(f"select(where()): the predicate gave {v!r} for column {c!r}, not "
                       "one TRUE or FALSE", hint="where() needs a predicate such as "
                       "is.numeric or ~ !all(is.na(.x))")
    return bool(arr[0])


def _env() -> dict[str, Any]:
    """The variables of the translated script's frame calling the helper."""
    f = sys._getframe(2)
    return {**f.f_globals, **f.f_locals}


def columns(df: pd.DataFrame, sel: list[Any], env: dict[str, Any] | None = None
            ) -> list[tuple[str, str]]:
    """The (column, new name) pairs a tidyselect selection picks, in order."""
    cols = [str(c) for c in df.columns]
    env = env or {}

    def one(s: Any) -> list[tuple[str, str]]:
        kind = s[0]
        if kind == "n":
            if s[1] in cols:
                return [(s[1], s[1])]
            v = env.get(s[1])
            if isinstance(v, str):
                v = [v]
            if isinstance(v, (list, tuple, np.ndarray, pd.Index, pd.Series)) and all(
                    str(x) in cols for x in v):
                return [(str(x), str(x)) for x in v]
            raise AsrError(f"select(): no column {s[1]!r}",
                           hint=f"the data has {', '.join(cols[:12])}"
                                f"{', ...' if len(cols) > 12 else ''}")
        if kind == "i":
            i = int(s[1])
            if i < 0:
                return [c for c in [(x, x) for x in cols] if c[0] != cols[-i - 1]]
            return [(cols[i - 1], cols[i - 1])]
        if kind == "rename":
            got = one(s[2])
            return [(got[0][0], s[1])] if len(got) == 1 else got
        if kind == "range":
            a, b = one(s[1])[0][0], one(s[2])[0][0]
            i, j = cols.index(a), cols.index(b)
            step = 1 if j >= i else -1
            return [(c, c) for c in cols[i:j + step:step]]
        if kind == "all":
            return resolve(s[1])
        if kind == "fn":
            f, arg = s[1], s[2]
            if f == "everything":
                return [(c, c) for c in cols]
            if f == "last_col":
                return [(cols[-1], cols[-1])]
            if f in ("all_of", "any_of", "one_of"):
                want = [arg] if isinstance(arg, str) else [str(x) for x in arg]
                miss = [w for w in want if w not in cols]
                if miss and f != "any_of":
                    raise AsrError(f"select({f}()): no column {miss[0]!r}",
                                   hint="any_of() skips names that are not columns")
                return [(w, w) for w in want if w in cols]
            test = {"starts_with": lambda c: c.lower().startswith(str(arg).lower()),
                    "ends_with": lambda c: c.lower().endswith(str(arg).lower()),
                    "contains": lambda c: str(arg).lower() in c.lower(),
                    "matches": lambda c: re.search(str(arg), c) is not None}[f]
            return [(c, c) for c in cols if test(c)]
        if kind in ("where", "where_kind"):
            return [(c, c) for c in cols if _where_test(df, c, s)]
        if kind == "neg":
            drop = {c for c, _ in one(s[1])}
            return [(c, c) for c in cols if c not in drop]
        raise AsrError(f"select(): unknown selection {s!r}", hint="a translator bug")

    def resolve(items: list[Any]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        neg_only = bool(items) and all(s[0] == "neg" or s[0] == "i" and int(s[1]) < 0
                                       for s in items)
        if neg_only:
            keep = [c for c in cols]
            for s in items:
                gone = {c for c in cols} - {c for c, _ in one(s)}
                keep = [c for c in keep if c not in gone]
            return [(c, c) for c in keep]
        for s in items:
            if s[0] == "neg":
                drop = {c for c, _ in one(s[1])}
                out = [(c, n) for c, n in out if c not in drop]
                continue
            for c, n in one(s):
                # a column selected again keeps its first place (a rename still applies)
                if any(c2 == c for c2, _ in out):
                    out = [(c2, n if c2 == c and n != c else n2) for c2, n2 in out]
                else:
                    out.append((c, n))
        return out

    return resolve(sel)


def r_dplyr_select(df: Any, sel: list[Any]) -> pd.DataFrame:
    """dplyr's ``select(df, ...)``: the chosen columns in order, renamed by ``new = old``."""
    if isinstance(df, Untranslated):
        return df._use()  # type: ignore[return-value]
    if not isinstance(df, pd.DataFrame):
        raise AsrError(f"select(): expected a data frame, got {type(df).__name__}",
                       hint="select() picks columns of a data frame")
    pairs = columns(df, sel, _env())
    out = df[[c for c, _ in pairs]].copy()
    out.columns = [n for _, n in pairs]
    return out


def _all_columns(a: Any) -> bool:
    """``across()``, ``across(everything())`` or ``pick(everything())``: every column."""
    if a.kind != "call" or a.value not in ("across", "pick", "dplyr::across", "dplyr::pick"):
        return False
    args = [x for _, x in a.args]
    return (not args and a.value.endswith("across")) or (
        len(args) == 1 and args[0].kind == "call" and args[0].value == "everything"
        and not args[0].args)


def r_arrange(df: Any, keys: list[tuple[Any, bool]]) -> pd.DataFrame:
    """dplyr's ``arrange(df, a, desc(b))``: rows sorted by the keys (``True``: descending),
    stable, missing values last as dplyr; a key may be a function of the frame (an
    expression dplyr evaluates in the data mask: ``arrange(d, as.numeric(row))``)."""
    if isinstance(df, Untranslated):
        return df._use()  # type: ignore[return-value]
    if not keys:
        return df
    # a key None: every column, first to last (arrange(across()), arrange(pick(everything())))
    keys = [kd for k, d in keys for kd in ([(c, d) for c in df.columns] if k is None
                                           else [(k, d)])]
    work, names = df, []
    for j, (k, _) in enumerate(keys):
        if callable(k):            # a computed key (arrange(d, as.numeric(row))): its values
            vals = k(df)
            arr = np.asarray(vals.to_numpy() if isinstance(vals, pd.Series) else vals,
                             dtype=object).ravel()
            if arr.size not in (1, len(df)):
                raise AsrError(f"arrange(): a key gives {arr.size} values for {len(df)} rows",
                               hint="dplyr needs one value per row")
            if work is df:
                work = df.copy()
            name = f"_arrange_key_{j}_"
            work[name] = pd.Series(np.resize(arr, len(df)), index=df.index).infer_objects()
            names.append(name)
        elif k not in df.columns:
            raise AsrError(f"arrange(): no column {k!r}", hint="arrange() sorts by columns")
        else:
            names.append(k)
    out = work.sort_values(names, ascending=[not d for _, d in keys], kind="stable",
                           na_position="last")
    return out[list(df.columns)] if work is not df else out


def _apply(col: pd.Series, how: Any) -> pd.Series:
    from asr_py.translate.runtime import r_labels

    if callable(how):      # a script's function of the column: its values, by position
        vals = how(col)
        arr = np.asarray(vals.to_numpy() if isinstance(vals, (pd.Series, pd.DataFrame))
                         else vals).ravel()
        if arr.size not in (1, len(col)):
            raise AsrError(f"across(): the function gives {arr.size} values for a column of "
                           f"{len(col)}", hint="dplyr needs one value per row (or one)")
        return pd.Series(np.resize(arr, len(col)), index=col.index, name=col.name)

    if how in ("factor", "character"):
        return r_labels(col)
    if how == "numeric":
        return pd.to_numeric(col.astype(object) if isinstance(col.dtype, pd.CategoricalDtype)
                             else col, errors="coerce").astype(float)
    if how == "integer":
        return pd.to_numeric(col, errors="coerce").astype("Int64")
    raise AsrError(f"mutate_at(): {how} is not a column conversion", hint="a translator bug")


def r_mutate_at(df: Any, sel: list[Any], how: Any, masked: bool = False,
                names: Any = None) -> pd.DataFrame:
    """dplyr's ``mutate_at(df, vars(...), f)`` / ``mutate(df, across(cols, f))`` with f one
    of factor, as.factor, as.character, as.numeric, as.integer, or a function (a script's
    ``\\(x) expr``) of the column. ``masked``: ``how`` is ``lambda _m: f``, f reading other
    columns of ``df`` (dplyr's data mask: every column's f sees the data before across()).
    ``names``: across()'s ``.names``, the result's column name for a column's name (new
    columns added after the others; one of the same name replaced)."""
    if isinstance(df, Untranslated):
        return df._use()  # type: ignore[return-value]
    if masked:
        how = how(df)
    from asr_py.translate.rcoalesce import current_column

    out = df.copy()
    for c, _ in columns(df, sel, _env()):
        with current_column(c, df):             # cur_column(), get() in the function
            out[c if names is None else str(names(c))] = _apply(df[c], how)
    return out


def r_mutate_if(df: Any, pred: str, how: str) -> pd.DataFrame:
    """dplyr's ``mutate_if(df, is.character, as.factor)`` (and ``across(where(...))``)."""
    if isinstance(df, Untranslated):
        return df._use()  # type: ignore[return-value]
    from asr_py.translate.runtime import r_labels  # noqa: F401 - used by _apply

    def test(s: pd.Series) -> bool:
        return _is_kind(s, pred)

    out = df.copy()
    for c in df.columns:
        if test(df[c]):
            out[c] = _apply(out[c], how)
    return out


def r_rename_with(df: Any, how: str, sel: list[Any] | None = None) -> pd.DataFrame:
    """dplyr's ``rename_all(df, toupper)`` / ``rename_with(df, tolower, cols)``."""
    if isinstance(df, Untranslated):
        return df._use()  # type: ignore[return-value]
    pick = {c for c, _ in columns(df, sel, _env())} if sel else {str(c) for c in df.columns}
    f = str.upper if how == "upper" else str.lower
    return df.rename(columns={c: f(str(c)) for c in df.columns if str(c) in pick})


def r_distinct(df: Any, sel: list[Any] | None = None, keep_all: bool = False
               ) -> pd.DataFrame:
    """dplyr's ``distinct(df, a, b)``: the first row of each combination (only those
    columns unless ``.keep_all = TRUE``); ``distinct(df)``: unique rows."""
    if isinstance(df, Untranslated):
        return df._use()  # type: ignore[return-value]
    if not sel:
        return df.drop_duplicates().reset_index(drop=True)
    cols = [c for c, _ in columns(df, sel, _env())]
    out = df.drop_duplicates(subset=cols).reset_index(drop=True)
    return out if keep_all else out[cols]


def _fun_name(e: Any) -> str | None:
    """The column function of ``e`` (``as.factor``, ``~as.factor(.)``, ``factor``)."""
    if e.kind == "name":
        return e.value
    if e.kind == "formula" and e.right is not None and e.left is None:
        r = e.right
        if r.kind == "call" and len(r.args) == 1 and r.args[0][1].kind == "name" and \
                r.args[0][1].value in (".", ".x"):
            return r.value
    return None


def translate(tr: Any, e: Any) -> str | None:  # noqa: C901 - a dispatch of verbs
    """The Python of a dplyr verb call ``e`` (data first), or None when it is not one of
    this module's forms (other rules, or the untranslated placeholder, apply)."""
    f = e.value
    args = e.args
    if not args or args[0][0] not in (None, ".data"):
        return None
    if f == "ldply":
        return _ldply(tr, args)
    data = tr.py(args[0][1])
    rest = args[1:]
    if f == "select_if" and len(rest) == 1 and rest[0][0] in (None, ".predicate"):
        # select_if(d, is.numeric): select(d, where(is.numeric)) (dplyr's superseded form)
        from asr_py.translate.parser import R

        pred = rest[0][1]
        where = R("call", "where", [(None, pred)], left=R("name", "where"), start=pred.start,
                  end=pred.end)
        return f"{tr.runtime('r_dplyr_select')}({data}, [{spec(tr, where, None)}])"
    if f == "select":
        if any(n is not None and n.startswith(".") for n, _ in rest):
            return None
        sel = ", ".join(spec(tr, a, n) for n, a in rest)
        return f"{tr.runtime('r_dplyr_select')}({data}, [{sel}])"
    if f == "arrange":
        keys = []
        for n, a in rest:
            if n is not None:
                return None
            if a.kind == "name":
                keys.append(f"({a.value!r}, False)")
            elif a.kind == "call" and a.value == "desc" and len(a.args) == 1 and \
                    a.args[0][1].kind == "name":
                keys.append(f"({a.args[0][1].value!r}, True)")
            elif a.kind == "unary" and a.value == "-" and a.right is not None and \
                    a.right.kind == "name":
                keys.append(f"({a.right.value!r}, True)")
            elif _all_columns(a):
                keys.append("(None, False)")    # arrange(across()): by every column
            elif a.kind in ("call", "bin", "unary", "paren", "dollar", "index"):
                # arrange(d, as.numeric(row), desc(x + y)): the expression's values in the
                # data mask (dplyr computes each key from the columns), a function of the rows
                from asr_py.translate.parser import R

                down = a.kind == "call" and a.value == "desc" and len(a.args) == 1
                expr = a.args[0][1] if down else a
                body = tr.in_data(R("name", "_m"), lambda expr=expr: tr.py(expr))
                keys.append(f"((lambda _m: {body}), {down})")
            else:
                return None
        return f"{tr.runtime('r_arrange')}({data}, [{', '.join(keys)}])"
    if f == "mutate_at" and len(rest) > 2 and rest[1][0] in (None, ".funs") and \
            rest[1][1].kind == "name" and all(n is None or not n.startswith(".")
                                              for n, _ in rest[2:]):
        # mutate_at(d, cols, f, a, b): dplyr passes the extra arguments (its ...) to f,
        # i.e. mutate_at(d, cols, ~ f(., a, b))
        from asr_py.translate.parser import R

        fn = rest[1][1]
        body = R("call", fn.value, [(None, R("name", ".", start=fn.start, end=fn.end)),
                                    *rest[2:]], start=fn.start, end=e.end)
        return rmutlambda.translate_at(tr, data, rest[0][1],
                                       R("formula", "", right=body, start=fn.start,
                                         end=e.end))
    if f == "mutate_if" and len(rest) >= 2 and rest[0][0] in (None, ".predicate") and \
            rest[1][0] in (None, ".funs") and (
                len(rest) > 2 or rest[1][1].kind == "formula") and \
            all(n is None or not n.startswith(".") for n, _ in rest[2:]):
        # mutate_if(d, is.numeric, round, 3): dplyr passes the extra arguments to the
        # function, i.e. mutate(d, across(where(is.numeric), ~ round(., 3))); a purrr
        # lambda (~ round(., 2)) likewise
        from asr_py.translate.parser import R

        pred, fn = rest[0][1], rest[1][1]
        if fn.kind == "name" and len(rest) > 2:
            body = R("call", fn.value, [(None, R("name", ".", start=fn.start, end=fn.end)),
                                        *rest[2:]], left=fn, start=fn.start, end=e.end)
            fn = R("formula", "", right=body, start=fn.start, end=e.end)
        elif fn.kind != "formula" or len(rest) > 2:
            return None
        where = R("call", "where", [(None, pred)], left=R("name", "where"), start=pred.start,
                  end=pred.end)
        return across(tr, data, R("call", "across", [(None, where), (None, fn)],
                                  left=R("name", "across"), start=pred.start, end=e.end))
    if f in ("mutate_at", "mutate_if") and len(rest) == 2 and all(n in (None, ".vars",
                                                                       ".predicate", ".funs")
                                                                  for n, _ in rest):
        target, fun = rest[0][1], _fun_name(rest[1][1])
        how = _COLUMN_FUNS.get(fun or "")
        if how is None and f == "mutate_at":      # list(~ expr of .): rmutlambda
            return rmutlambda.translate_at(tr, data, target, rest[1][1])
        if how is None or how in ("upper", "lower"):
            return None
        if f == "mutate_if":
            pred = _PREDICATES.get(target.value if target.kind == "name" else "")
            if pred is None:
                return None
            return f"{tr.runtime('r_mutate_if')}({data}, {pred!r}, {how!r})"
        if target.kind == "call" and target.value == "vars":
            if not target.args:
                return data                 # vars(): no column, the data unchanged
            sel = ", ".join(spec(tr, a, None) for n, a in target.args)
        else:
            sel = spec(tr, target)
        return f"{tr.runtime('r_mutate_at')}({data}, [{sel}], {how!r})"
    if f in ("rename_all", "rename_with") and 1 <= len(rest) <= 2:
        fun = _fun_name(rest[0][1])
        how = _COLUMN_FUNS.get(fun or "")
        if how not in ("upper", "lower") or (f == "rename_all" and len(rest) > 1):
            return None
        sel = f", [{spec(tr, rest[1][1])}]" if len(rest) == 2 else ""
        return f"{tr.runtime('r_rename_with')}({data}, {how!r}{sel})"
    if f == "distinct":
        keep = [a for n, a in rest if n == ".keep_all"]
        cols = [(n, a) for n, a in rest if n is None]
        if len(keep) + len(cols) != len(rest):
            return None
        sel = ", ".join(spec(tr, a) for _, a in cols)
        extra = f", keep_all={tr.py(keep[0])}" if keep else ""
        return f"{tr.runtime('r_distinct')}({data}, [{sel}]{extra})"
    return None


def _ldply(tr: Any, args: list[Any]) -> str | None:
    """``ldply(x, fun, .id = "name")`` with fun data.frame/as.data.frame (or none)."""
    rest = args[1:]
    fun = "identity"
    ident = None
    for n, a in rest:
        if n is None and a.kind == "name" and a.value in ("data.frame", "as.data.frame",
                                                          "identity", "rbind"):
            fun = "data.frame" if a.value != "identity" else "identity"
        elif n in (".fun",) and a.kind == "name" and a.value in ("data.frame",
                                                                  "as.data.frame"):
            fun = "data.frame"
        elif n == ".id" and a.kind == "str":
            ident = a.value
        else:
            return None
    extra = f", id={ident!r}" if ident is not None else ""
    return f"{tr.runtime('r_ldply')}({tr.py(args[0][1])}, {fun!r}{extra})"


def across(tr: Any, data: str, e: Any) -> str | None:
    """``mutate(d, across(cols, f))`` as :func:`r_mutate_at` (``where(is.x)`` as
    :func:`r_mutate_if`), or None; ``.names = "{glue}"``: the new columns' names
    (rcoalesce.glue_names)."""
    spec_ = [a for n, a in e.args if n == ".names"]
    if spec_:
        from asr_py.translate.parser import R
        from asr_py.translate.rcoalesce import glue_names

        names = glue_names(tr, spec_[0])
        rest = [(n, a) for n, a in e.args if n != ".names"]
        got = None if names is None else across(tr, data, R(
            "call", e.value, rest, start=e.start, end=e.end))
        if got is None or not got.startswith(tr.runtime("r_mutate_at") + "("):
            return None
        return f"{got[:-1]}, names={names})"
    pos = [(n, a) for n, a in e.args if n in (None, ".cols", ".fns")]
    main = [(n, a) for n, a in e.args if n in (".cols", ".fns")]
    main += [(n, a) for n, a in e.args if n is None][:2 - len(main)]
    extra = [(n, a) for n, a in e.args if (n, a) not in main]
    fns = None if len(main) != 2 else \
        main[0][1] if main[1][0] == ".cols" or main[0][0] == ".fns" else main[1][1]
    if extra and fns is not None and fns.kind == "name" and \
            all(n not in (".names", ".unpack") for n, _ in e.args):
        # across(cols, round, 2): dplyr passes the extra arguments (its deprecated ...)
        # to the function: across(cols, function(.x) round(.x, 2))
        from asr_py.translate.parser import R
        from asr_py.translate.rlambda import PARAM

        cols = main[1] if main[0][1] is fns else main[0]
        f = fns
        body = R("call", f.value, [(None, R("name", PARAM, start=f.start, end=f.end)),
                                   *extra], start=f.start, end=e.end)
        fn = R("function", "", [(PARAM, R("empty", start=f.start, end=f.start))],
               right=body, start=f.start, end=e.end)
        return across(tr, data, R("call", e.value, [(None, cols[1]), (None, fn)],
                                  start=e.start, end=e.end))
    if len(pos) != 2 or len(e.args) != 2:
        return None
    from asr_py.translate.rlambda import lambda_node

    lam = lambda_node(pos[1][1])        # across(cols, ~ scale(.)[, 1]): purrr's lambda
    if lam is not None:
        pos = [pos[0], (pos[1][0], lam)]
    target, fun = pos[0][1], _fun_name(pos[1][1])
    if pos[1][1].kind == "function" and target.kind != "call" or \
            pos[1][1].kind == "function" and target.value != "where":
        # across(cols, \(x) expr): the function applied to each column (by position)
        from asr_py.translate.parser import R
        from asr_py.translate.printer import _CONST

        fn = pos[1][1]
        params = {n for n, _ in fn.args if n}
        if _values_read(fn.right) - params - set(_CONST):
            # the body reads other names (~ if_else(Y == year, NA, .)): data masking, a
            # column of the data as it is before across() (else the script's variable)

            body = tr.in_data(R("name", "_m"), lambda: tr.py(fn))
            return (f"{tr.runtime('r_mutate_at')}({data}, [{spec(tr, target)}], "
                    f"lambda _m: {body}, masked=True)")
        return (f"{tr.runtime('r_mutate_at')}({data}, [{spec(tr, target)}], "
                f"{tr.py(fn)})")
    if pos[1][1].kind == "function":
        # across(where(is.numeric), function(x) ...): the function of each such column
        pred = _PREDICATES.get(target.args[0][1].value) if len(target.args) == 1 and \
            target.args[0][1].kind == "name" else None
        fn = pos[1][1]
        params = {n for n, _ in fn.args if n}
        from asr_py.translate.printer import _CONST
        if pred is None or _values_read(fn.right) - params - set(_CONST):
            return None
        return f"{tr.runtime('r_mutate_if')}({data}, {pred!r}, {tr.py(fn)})"
    how = _COLUMN_FUNS.get(fun or "")
    if (how is None or how in ("upper", "lower")) and pos[1][1].kind == "name" and \
            not getattr(tr, "data_cols", None):
        # across(cols, toupper): the function of each column, as across(cols, \(x) f(x))
        from asr_py.translate.parser import R
        from asr_py.translate.rlambda import PARAM

        f = pos[1][1]
        body = R("call", f.value, [(None, R("name", PARAM, start=f.start, end=f.end))],
                 left=R("name", f.value, start=f.start, end=f.end), start=f.start, end=f.end)
        fn = R("function", "", [(PARAM, R("empty", start=f.start, end=f.start))],
               right=body, start=f.start, end=f.end)
        return across(tr, data, R("call", e.value, [(pos[0][0], target), (None, fn)],
                                  start=e.start, end=e.end))
    if how is None or how in ("upper", "lower"):
        return None
    if target.kind == "call" and target.value == "where" and len(target.args) == 1 and \
            target.args[0][1].kind == "name":
        pred = _PREDICATES.get(target.args[0][1].value)
        return None if pred is None else \
            f"{tr.runtime('r_mutate_if')}({data}, {pred!r}, {how!r})"
    return f"{tr.runtime('r_mutate_at')}({data}, [{spec(tr, target)}], {how!r})"


def r_pull(df: Any, var: Any = -1, name: Any = None) -> Any:
    """dplyr's ``pull(df, var = -1, name = NULL)``: one column as a vector; ``var`` a
    column's name, a positive position counted from the left (1 the first) or a negative
    one from the right (-1 the last, the default); ``name``: the vector's names from that
    column (as text), as ``pull(d, vcov, name = id)`` gives a named vector."""
    if isinstance(df, Untranslated):
        return df._use()
    if not isinstance(df, pd.DataFrame):
        raise AsrError(f"pull(): data must be a data frame, not {type(df).__name__}",
                       hint="d$col reads a column")

    def col(v: Any, what: str) -> pd.Series:
        if isinstance(v, str):
            if v not in df.columns:
                raise AsrError(f"pull(): no column {v!r} ({what})",
                               hint="columns: " + ", ".join(map(str, df.columns[:20])))
            return df[v]
        k = int(v)
        if k == 0 or abs(k) > df.shape[1]:
            raise AsrError(f"pull(): {what} = {k} is not a column position of a data frame "
                           f"of {df.shape[1]} columns", hint="1 is the first, -1 the last")
        return df.iloc[:, k - 1 if k > 0 else k]

    out = col(var, "var")
    if name is None:
        return out
    return pd.Series(out.to_numpy(), index=[str(x) for x in col(name, "name")],
                     name=out.name)


def _values_read(e: Any) -> set[str]:
    """The bare names an R expression reads as values (not the names of the functions it
    calls)."""
    if e is None:
        return set()
    out = {e.value} if e.kind == "name" else set()
    left = None if e.kind == "call" else e.left
    for x in (left, e.right, e.alt, *(a for _, a in e.args), *e.body):
        out |= _values_read(x)
    return out


def r_ldply(x: Any, fun: str = "identity", id: str | None = None) -> pd.DataFrame:  # noqa: A002
    """plyr's ``ldply(x, data.frame, .id = "name")``: the data frames of the list ``x``
    (a named list, or a column of a list-matrix) stacked, rows renumbered; with ``.id`` a
    first column holding each element's name (a factor in R; text here)."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    if isinstance(x, (pd.Series, dict)):
        items = list(x.items())
    elif isinstance(x, (list, tuple)):
        items = [(str(k + 1), v) for k, v in enumerate(x)]
    else:
        raise AsrError(f"ldply(): expected a list, got {type(x).__name__}",
                       hint="ldply() binds the data frames of a list")
    parts = []
    for name, v in items:
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value]
        if v is None:
            continue
        if not isinstance(v, pd.DataFrame):
            if fun == "identity":
                raise AsrError(f"ldply(): element {name!r} is a {type(v).__name__}, not a "
                               "data frame", hint="ldply(x, data.frame) converts it")
            v = pd.DataFrame(v)
        v = v.reset_index(drop=True)
        v.attrs = {}        # a prediction's sed/vcov riding along: not data (pandas' concat
        if id is not None:  # compares attrs and fails on frames)
            v = v.copy()
            same = id in v.columns and v.loc[:, [id]].astype(str).eq(str(name)).all().all()
            if same:        # the column is there with these very values: R's copy would
                v.insert(0, id, v.pop(id))         # be identical; kept once, first
            else:           # as plyr: the id column first, beside one of the same name
                v.insert(0, id, str(name), allow_duplicates=True)
        parts.append(v)
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def r_relocate(df: Any, cols: list[str], before: Any = None, after: Any = None) -> Any:
    """dplyr's ``mutate(..., .before = c)`` / ``.after = c``: the columns ``cols`` (new or
    remade) moved just before / after column ``c`` (a name or a 1-based position)."""
    if isinstance(df, Untranslated):
        return df._use()
    rest = [c for c in df.columns if c not in cols]
    ref = before if before is not None else after
    if isinstance(ref, (int, float, np.integer)) and int(ref) <= 0 and before is not None:
        return df[list(cols) + rest]            # .before = 0: first (tidyselect's nothing)
    if isinstance(ref, (int, float, np.integer)):
        k = int(ref) - 1
        if not 0 <= k < len(df.columns):
            raise AsrError(f"mutate(): .before/.after position {int(ref)} is outside the "
                           f"{len(df.columns)} columns", hint="give a column name or position")
        ref = df.columns[k]
    if ref not in rest:
        raise AsrError(f"mutate(): .before/.after column {ref!r} is not in the data",
                       hint=f"columns are: {', '.join(map(str, rest))}")
    at = rest.index(ref) + (0 if before is not None else 1)
    return df[rest[:at] + list(cols) + rest[at:]]
