"""dplyr's ``glimpse()``, ``group_by()`` + ``summarise()``, ``bind_rows()``, ``recode()``/
``recode_factor()``, ``n_distinct()``, ``ungroup()`` and stringr's ``str_detect()`` in
translated scripts: their translation rule and their runtime.

R semantics kept (dplyr 1.1 ``?summarise``, ``?bind_rows``, ``?recode``, ``?glimpse``,
``?n_distinct``; stringr 1.5 ``?str_detect``):

* ``glimpse(x)`` prints the columns (name, type, first values) and returns ``x``, so
  ``d <- x |> filter(...) |> glimpse()`` keeps the filtered data.
* ``summarise(group_by(d, g1, g2), a = f(x), ...)`` (also ``summarize``, ``.by = g`` or
  ``.by = c(g1, g2)``): one row per combination of the keys present in the data, the keys
  first, then one column per summary, each computed on the group's rows (bare names are
  the group's columns, ``n()`` its row count). ``group_by()``: the rows sorted by the keys
  (a factor by its level order, text in C-locale order, NA last); ``.by``: in order of
  first appearance (``?dplyr_by``: ".by: Summaries use existing order of group keys |
  group_by(): Summaries sort group keys in ascending order"). A summary must give one value
  (dplyr 1.1's several-row results are ``reframe()``'s: an error). Without keys: one row.
  ``reframe()`` (same arguments) "can return an arbitrary number of rows per group"
  (``?reframe``): each group's summaries recycled to a common size (size 1 recycles), the
  keys repeated. The result is returned ungrouped: dplyr keeps it grouped by all keys but
  the last (``.groups = "drop_last"``); a later ``mutate()``/``filter()``/``summarise()``
  down the pipe is grouped by those (rgrouped.chain_keys). A summary may read an earlier
  summary of the same call (its value for the group, before a column of that name), as
  dplyr evaluates them in turn.
* ``ungroup(x)``: ``x`` (translated data frames are never grouped); ``group_by(x)`` with no
  grouping variable likewise (it drops the groups: ``.add = FALSE`` overrides them).
* ``bind_rows(d1, d2, ...)`` / ``bind_rows(list(...), .id = "src")``: rows stacked,
  columns matched by name (a column a frame lacks is NA there), in order of first
  appearance; ``NULL`` elements skipped; ``.id`` a first column of the list's names (or
  "1", "2", ... when it has none). Factors with different levels become a factor over the
  union of levels (first appearance), as vctrs combines them.
* ``recode(x, old = new, ..., .default, .missing)``: values matched by name replaced (a
  repeated name counts once, the first); unmatched values kept, or ``.default``; missing
  ones ``.missing`` (else NA). A numeric ``x`` matches names as numbers.
  ``recode_factor()``: the same as a factor whose levels are the replacement values in
  the order given, then the remaining old levels (a factor's in level order, text in order
  of appearance).
* ``n_distinct(x, na.rm = FALSE)``: the number of distinct values (NA one of them).
* ``relocate(d, cols, .before = c)`` / ``.after = c``: the selected columns (tidyselect:
  names, ``a:b``, ``c()``, ``starts_with()``...) moved before/after column c (a name or a
  position); with neither, to the front.
* ``pivot_longer(d, cols, names_to = "name", values_to = "value", names_prefix = NULL,
  values_drop_na = FALSE)``: for each row in turn, one row per selected column (in the
  selection's order): the other columns, the column's name (``names_prefix``, a regular
  expression, removed from its start) and its value; ``values_drop_na`` drops rows whose
  value is NA. Several ``names_to`` (names_sep/names_pattern) are left as a TODO.
* ``str_replace(string, pattern, replacement)`` / ``str_replace_all``: R's ``sub()`` /
  ``gsub()`` of one pattern (stringr's ``\\1`` back-references are R's too); a named vector
  of several patterns is left as a TODO.
* ``str_detect(string, pattern, negate = FALSE)``: whether each element matches the
  regular expression (NA stays NA; ``fixed()``/``regex(ignore_case = TRUE)`` patterns).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, names_in
from asr_py.translate.rconcat import concat_frames

__all__ = ["FUNCTIONS", "r_bind_rows", "r_glimpse", "r_n_distinct", "r_pivot_longer",
           "r_recode", "r_relocate_sel", "r_str_detect", "r_summarise", "translate"]

_SUMMARISE = ("summarise", "summarize")
_SUMMARISE_AT = ("summarise_at", "summarize_at")
_NAMES = ("glimpse", *_SUMMARISE, "reframe", *_SUMMARISE_AT, "ungroup", "group_by", "bind_rows",
          "recode", "recode_factor", "n_distinct", "str_detect", "relocate", "pivot_longer",
          "str_replace", "str_replace_all")
FUNCTIONS = frozenset({*_NAMES, *(p + f for p in ("dplyr::", "tibble::", "stringr::",
                                                   "tidyr::") for f in _NAMES)})


def _bare(f: str) -> str:
    return f.split("::", 1)[1] if "::" in f else f


def _keys(args: list[tuple[str | None, R]]) -> list[str] | None:
    """Grouping columns given as bare names or strings (``c(a, b)`` too); None otherwise."""
    out: list[str] = []
    for n, a in args:
        if n is not None:
            return None
        if a.kind in ("name", "str"):
            out.append(a.value)
        elif a.kind == "call" and a.value == "c" and all(
                m is None and b.kind in ("name", "str") for m, b in a.args):
            out.extend(b.value for _, b in a.args)
        else:
            return None
    return out


def _unpipe(e: R) -> R:
    """``x %>% f(a)`` as the call ``f(x, a)`` (other expressions unchanged)."""
    if e.kind == "bin" and e.value in ("|>", "%>%") and e.left is not None and \
            e.right is not None and e.right.kind in ("call", "name"):
        from asr_py.translate.printer import _pipe
        return _pipe(e)
    return e


def _summarise(tr: Any, e: R) -> str | None:
    args = e.args
    data, rest = _unpipe(args[0][1]), args[1:]
    keys: list[str] = []
    by = [a for n, a in rest if n == ".by"]
    groups_opt = [a for n, a in rest if n == ".groups"]
    if any(n is not None and n.startswith(".") and n not in (".by", ".groups")
           for n, _ in rest):
        return None
    if by:
        got = _keys([(None, by[0])])
        if got is None:
            return None
        keys = got
    elif data.kind == "call" and _bare(data.value) == "group_by" and data.args and \
            data.args[0][0] is None:
        got = _keys(data.args[1:])
        if got is None or not got:
            return None
        keys, data = got, data.args[0][1]
    else:
        # a grouped chain (a grouped mutate()/filter(), a summarise of a summarise: dplyr
        # regroups by all keys of the inner one but the last): rgrouped.chain_keys
        from asr_py.translate.rgrouped import chain_keys
        keys = chain_keys(data) or []
    if groups_opt and not (groups_opt[0].kind == "str" and groups_opt[0].value in (
            "drop", "drop_last", "keep")):
        return None
    items = [(n, a) for n, a in rest if n not in (".by", ".groups")]
    items = [(n if n is not None or _across_item(a) else _auto_name(a), a) for n, a in items]
    if not items or any(n is None and not _across_item(a) for n, a in items):
        return None                          # a summary needs a name here
    done: set[str] = set()
    funcs = []
    chained = False
    for k, (n, a) in enumerate(items):
        if n is None:                        # across(cols, f): one summary per column
            got = _across_summary(tr, a)
            if got is None:
                return None
            funcs.append(f"{_ACROSS + str(k)!r}: {got}")
            continue
        chained = chained or bool(names_in(a) & done)
        body = tr.in_data(R("name", "_g"), lambda a=a: tr.py(a))
        funcs.append(f"{n!r}: lambda _g: {body}")
        done.add(n)
    opts = (", chained=True" if chained else "") + (", by=True" if by else "") + (
        ", reframe=True" if _bare(e.value) == "reframe" else "")
    return (f"{tr.runtime('r_summarise')}({tr.py(data)}, {keys!r}, "
            f"{{{', '.join(funcs)}}}{opts})")


def _auto_name(a: R) -> str | None:
    """dplyr's name of an unnamed summary (rlang's ``as_label()``): the expression deparsed,
    ``n()``, ``n_distinct(gen)``, ``mean(x, na.rm = TRUE)``; None when it would not fit
    deparse's one 60-character line (as_label then abbreviates) or is not deparsed here."""
    from asr_py.translate.rdeparse import deparse

    text = deparse(a)
    return text if text is not None and len(text) <= 60 else None


#: the key of an across() item among r_summarise's summaries (expanded when it runs)
_ACROSS = "\0across"


def _across_item(a: R) -> bool:
    return a.kind == "call" and a.value in ("across", "dplyr::across") and bool(a.args)


def _across_summary(tr: Any, a: R) -> str | None:
    """``across(cols, f, .names = "{glue}")`` in summarise(): ``([selection], f, names)``
    (f a function, a ``~`` lambda or a name) for r_summarise; None if not translatable."""
    from asr_py.translate import rdplyr
    from asr_py.translate.parser import Untranslatable
    from asr_py.translate.rcoalesce import glue_names
    from asr_py.translate.rlambda import lambda_node

    named = {n: x for n, x in a.args if n is not None}
    pos = [x for n, x in a.args if n is None]
    cols = named.get(".cols", pos.pop(0) if pos else None)
    fn = named.get(".fns", pos.pop(0) if pos else None)
    if cols is None or fn is None or pos or set(named) - {".cols", ".fns", ".names"}:
        return None
    node = lambda_node(fn) or fn
    names = "None"
    if ".names" in named:
        got = glue_names(tr, named[".names"])
        if got is None:
            return None
        names = got
    def one(node: R) -> str | None:
        # a function by name (mean, sd, a script's cv) through fun_ref: R's summaries are
        # no Python names (across(c(y, z), mean) printed a bare `mean`)
        return tr.py(node) if node.kind == "function" else \
            tr.fun_ref(node) if node.kind == "name" else None

    try:
        sel = rdplyr.spec(tr, cols)
        if fn.kind == "call" and fn.value == "list" and fn.args and names == "None":
            # across(cols, list(m = mean, sd)): "{.col}_{.fn}", .fn a function's name or
            # its position; each column's summaries together (dplyr's order)
            fs = [(n or str(k + 1), one(lambda_node(x) or x)) for k, (n, x) in
                  enumerate(fn.args)]
            if any(f is None for _, f in fs):
                return None
            f = "[" + ", ".join(f"({n!r}, {f})" for n, f in fs) + "]"
        else:
            f = one(node)
    except Untranslatable:
        return None
    return None if f is None else f"([{sel}], {f}, {names})"


def _expand_across(df: pd.DataFrame, keys: list[str], funcs: dict[str, Any],
                   env: dict[str, Any]) -> dict[str, Any]:
    """r_summarise's summaries with each across() item as one summary per selected column
    (the grouping columns left out, as dplyr), named by ``.names`` or the column."""
    from asr_py.translate.rcoalesce import current_column
    from asr_py.translate.rdplyr import columns

    out: dict[str, Any] = {}
    for name, f in funcs.items():
        if not name.startswith(_ACROSS):
            out[name] = f
            continue
        sel, fn, names = f
        for c, _ in columns(df, sel, env):
            if c in keys:
                continue

            def one(g: pd.DataFrame, c: str = c, fn: Any = fn) -> Any:
                with current_column(c, g):
                    return fn(g[c])
            if isinstance(fn, list):          # a list of functions: "{.col}_{.fn}"
                for fname, f1 in fn:
                    out[f"{c}_{fname}"] = lambda g, c=c, f1=f1: one(g, c, f1)
                continue
            out[c if names is None else str(names(c))] = one
    return out


def _scoped_vars(e: R) -> list[R] | None:
    """summarise_at()'s ``.vars``: ``vars(a, b)`` (unnamed), ``c("a", "b")`` or ``"a"`` as
    the columns' name nodes; None for anything else (a selection helper, a named var)."""
    if e.kind == "str":
        return [e]
    if e.kind == "call" and e.value in ("vars", "dplyr::vars", "c") and e.args and all(
            n is None and (a.kind == "str" or a.kind == "name" and e.value != "c")
            for n, a in e.args):
        return [a for _, a in e.args]
    return None


def _scoped_funs(e: R) -> list[tuple[str | None, R]] | None:
    """summarise_at()'s ``.funs``: a function (a name, ``function(x) ...``, a ``~`` lambda)
    or ``list(name = f, ...)`` as (name, function node) pairs; None otherwise (``funs()``)."""
    if e.kind in ("name", "function", "formula"):
        return [(None, e)]
    if e.kind == "call" and e.value == "list" and e.args and all(
            a.kind in ("name", "function", "formula") for _, a in e.args):
        return list(e.args)
    return None


def _summarise_at(tr: Any, e: R) -> str | None:
    """dplyr's ``summarise_at(.tbl, .vars, .funs, ...)`` as the summarise() of across()
    items it equals, named as dplyr's scoped verbs name (dplyr ``?summarise_at``, Naming):
    one unnamed function keeps the columns' names; one column with named functions takes
    the functions' names; otherwise ``column_function``, every column for the first
    function, then every column for the next. The ``...`` arguments go to each function
    (``na.rm = TRUE``)."""
    from asr_py.translate.rlambda import PARAM

    formals = (".tbl", ".vars", ".funs")
    got = dict(zip(formals, [a for n, a in e.args if n is None]))
    extra: list[tuple[str | None, R]] = []
    for n, a in e.args:
        if n in formals:
            got[n] = a
        elif n is not None:
            if n.startswith("."):
                return None                    # .cols (deprecated): a TODO
            extra.append((n, a))
    if len(got) != 3 or len([a for n, a in e.args if n is None]) > 3:
        return None
    cols = _scoped_vars(got[".vars"])
    funs = _scoped_funs(got[".funs"])
    if cols is None or funs is None:
        return None
    if len(funs) > 1 and any(n is None for n, _ in funs):
        return None                            # dplyr's "fn1", "fn2" names: a TODO
    from asr_py.translate.rgrouped import chain_keys
    if {c.value for c in cols} & set(chain_keys(got[".tbl"]) or []):
        return None              # a grouping column selected: dplyr stops ("Can't ...")
    if extra and any(f.kind != "name" for _, f in funs):
        return None                            # ... given to a lambda: a TODO
    sel = R("call", "c", [(None, c) for c in cols], start=e.start, end=e.end)
    items: list[tuple[str | None, R]] = [(None, got[".tbl"])]
    for name, f in funs:
        if extra:                              # mean, na.rm = TRUE: function(.x) mean(.x, ...)
            body = R("call", f.value, [(None, R("name", PARAM, start=f.start, end=f.end)),
                                       *extra], start=f.start, end=e.end)
            f = R("function", "", [(PARAM, R("empty", start=f.start, end=f.start))],
                  right=body, start=f.start, end=e.end)
        args: list[tuple[str | None, R]] = [(None, sel), (None, f)]
        if name is not None:
            if "{" in name or "}" in name:
                return None
            glue = name if len(cols) == 1 else "{.col}_" + name
            args.append((".names", R("str", glue, start=e.start, end=e.end)))
        items.append((None, R("call", "across", args, start=e.start, end=e.end)))
    return _summarise(tr, R("call", "summarise", items, start=e.start, end=e.end))


def _recode(tr: Any, e: R, factor: bool) -> str | None:
    args = e.args
    x = tr.py(args[0][1])
    pairs, opts = [], []
    for n, a in args[1:]:
        if n is None:
            return None                      # positional replacements: not translated
        if n in (".default", ".missing", ".ordered"):
            opts.append(f"{n[1:]}={tr.py(a)}")
        else:
            pairs.append(f"({n!r}, {tr.py(a)})")
    return (f"{tr.runtime('r_recode')}({x}, [{', '.join(pairs)}], factor={factor}"
            + "".join(f", {o}" for o in opts) + ")")


def _sel(tr: Any, e: R) -> str | None:
    from asr_py.translate import rdplyr
    from asr_py.translate.parser import Untranslatable

    try:
        return rdplyr.spec(tr, e)
    except Untranslatable:
        return None


def _relocate(tr: Any, e: R) -> str | None:
    args = e.args
    sels, before, after = [], "None", "None"
    for n, a in args[1:]:
        if n == ".before":
            before = repr(a.value) if a.kind in ("name", "str") else tr.py(a)
        elif n == ".after":
            after = repr(a.value) if a.kind in ("name", "str") else tr.py(a)
        elif n is None:
            got = _sel(tr, a)
            if got is None:
                return None
            sels.append(got)
        else:
            return None
    if not sels:
        return None
    return (f"{tr.runtime('r_relocate_sel')}({tr.py(args[0][1])}, [{', '.join(sels)}], "
            f"before={before}, after={after})")


def _pivot_longer(tr: Any, e: R) -> str | None:
    args = e.args
    names = ("data", "cols", "names_to", "values_to")
    bound = dict(zip(names, [a for n, a in args if n is None]))
    for n, a in args:
        if n is not None:
            if n not in (*names, "names_prefix", "values_drop_na"):
                return None
            bound[n] = a
    if "data" not in bound or "cols" not in bound:
        return None
    for k in ("names_to", "values_to"):
        if k in bound and bound[k].kind != "str":
            return None                      # several names_to (names_sep): a TODO
    sel = _sel(tr, bound["cols"])
    if sel is None:
        return None
    extra = "".join(f", {k}={tr.py(bound[k])}" for k in ("names_to", "values_to",
                                                          "names_prefix", "values_drop_na")
                    if k in bound)
    return f"{tr.runtime('r_pivot_longer')}({tr.py(bound['data'])}, [{sel}]{extra})"


def translate(tr: Any, e: R) -> str | None:
    """The Python of one of this module's calls ``e``, or None (the caller's other rules, or
    the untranslated placeholder, apply)."""
    f = _bare(e.value)
    args = e.args
    if not args:
        return None
    pos = [a for n, a in args if n is None]
    named = {n: a for n, a in args if n is not None}
    if f in _SUMMARISE or f == "reframe":
        if args[0][0] not in (None, ".data"):
            return None
        return _summarise(tr, e)
    if f in _SUMMARISE_AT:
        return _summarise_at(tr, e)
    if f in ("str_replace", "str_replace_all"):
        names = ("string", "pattern", "replacement")
        if any(n is not None and n not in names for n, _ in args) or len(args) != 3:
            return None
        bound = dict(zip(names, pos))
        bound.update({n: a for n, a in args if n is not None})
        if len(bound) != 3 or bound["pattern"].kind == "call":
            return None                      # fixed()/regex()/c(a = b): a TODO
        call = R("call", "gsub" if f == "str_replace_all" else "sub",
                 [(None, bound["pattern"]), (None, bound["replacement"]),
                  (None, bound["string"])], start=e.start, end=e.end)
        return tr.py(call)
    if f == "relocate" and args[0][0] in (None, ".data"):
        return _relocate(tr, e)
    if f == "pivot_longer" and args[0][0] in (None, "data"):
        return _pivot_longer(tr, e)
    if f == "glimpse" and len(args) == 1 and args[0][0] in (None, "x"):
        return f"{tr.runtime('r_glimpse')}({tr.py(args[0][1])})"
    if f == "ungroup" and len(args) == 1 and args[0][0] in (None, "x"):
        return tr.py(args[0][1])
    if f == "group_by" and len(args) == 1 and args[0][0] in (None, ".data"):
        # group_by(d) with no grouping variable: d ungrouped (?group_by: ".add = FALSE ...
        # override existing groups"; no variables, so none)
        return tr.py(args[0][1])
    if f == "bind_rows":
        if set(named) - {".id"} or not pos:
            return None
        idcol = f", id={tr.py(named['.id'])}" if ".id" in named else ""
        return f"{tr.runtime('r_bind_rows')}([{', '.join(tr.py(a) for a in pos)}]{idcol})"
    if f in ("recode", "recode_factor") and args[0][0] in (None, ".x"):
        return _recode(tr, e, f == "recode_factor")
    if f == "n_distinct":
        if set(named) - {"na.rm"} or not pos:
            return None
        na = f", na_rm={tr.py(named['na.rm'])}" if "na.rm" in named else ""
        return f"{tr.runtime('r_n_distinct')}({', '.join(tr.py(a) for a in pos)}{na})"
    if f == "str_detect":
        names = ("string", "pattern", "negate")
        if len(args) > 3 or any(n is not None and n not in names for n, _ in args):
            return None
        bound = dict(zip(names, pos))
        bound.update({n: a for n, a in args if n is not None})
        if "string" not in bound or "pattern" not in bound:
            return None
        pat = bound["pattern"]
        ignore, fixed = False, False
        if pat.kind == "call" and pat.value in ("fixed", "regex", "stringr::fixed",
                                                 "stringr::regex") and pat.args:
            fixed = _bare(pat.value) == "fixed"
            for n, a in pat.args[1:]:
                if n == "ignore_case" and a.kind == "name" and a.value in ("TRUE", "T"):
                    ignore = True
                elif not (n == "ignore_case" and a.kind == "name"):
                    return None
            pat = pat.args[0][1]
        neg = f", negate={tr.py(bound['negate'])}" if "negate" in bound else ""
        return (f"{tr.runtime('r_str_detect')}({tr.py(bound['string'])}, {tr.py(pat)}"
                f"{neg}" + (", fixed=True" if fixed else "")
                + (", ignore_case=True" if ignore else "") + ")")
    return None


# ----- runtime ---------------------------------------------------------------------------------
def _placeholder(*xs: Any) -> Any:
    for x in xs:
        if isinstance(x, Untranslated):
            return x._use()
    return None


def _r_type(s: pd.Series) -> str:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return "<fct>"
    if pd.api.types.is_bool_dtype(s):
        return "<lgl>"
    if pd.api.types.is_integer_dtype(s):
        return "<int>"
    if pd.api.types.is_float_dtype(s):
        return "<dbl>"
    return "<chr>"


def r_glimpse(x: Any, width: int = 80) -> Any:
    """dplyr's ``glimpse(x)``: rows, columns and each column's type and first values
    printed; ``x`` returned unchanged."""
    if (ph := _placeholder(x)) is not None:
        return ph
    if not isinstance(x, pd.DataFrame):
        print(repr(x)[:width])
        return x
    print(f"Rows: {len(x):,}")
    print(f"Columns: {x.shape[1]}")
    w = max((len(str(c)) for c in x.columns), default=0)
    for c in x.columns:
        s = x[c]
        vals = ", ".join("NA" if pd.isna(v) else f"{v:.3g}" if isinstance(v, float | np.floating)
                         else str(v) for v in s.head(20))
        line = f"$ {str(c):<{w}} {_r_type(s)} {vals}"
        print(line[:width - 1] + ("…" if len(line) >= width else ""))
    return x


def _one(v: Any, name: str) -> Any:
    if isinstance(v, pd.Series) and isinstance(v.dtype, pd.CategoricalDtype):
        v = v.array
    if isinstance(v, pd.Categorical):   # a factor's one value (unique(f)): kept a factor,
        if v.size != 1:                 # made a column by _factor_summaries
            raise AsrError(f"summarise(): '{name}' gives {v.size} values for a group, not "
                           "one", hint="a summary must be one value per group (dplyr 1.1's "
                           "several-row results are reframe()'s)")
        return v
    if isinstance(v, pd.Series | pd.Index | np.ndarray | list | tuple):
        arr = np.asarray(v, dtype=object).ravel()
        if arr.size != 1:
            raise AsrError(f"summarise(): '{name}' gives {arr.size} values for a group, "
                           "not one", hint="a summary must be one value per group (dplyr "
                           "1.1's several-row results are reframe()'s)")
        v = arr[0]
    return v.item() if isinstance(v, np.generic) else v


def _factor_summaries(out: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Summaries that are a factor's one value (``summarise(yr = unique(yr))``) as a factor
    column with that factor's levels (dplyr's; several level sets: the values as text)."""
    for c in names:
        col = out[c]
        cells = [x for x in col if isinstance(x, pd.Categorical)]
        if not cells:
            continue
        vals = [x[0] if isinstance(x, pd.Categorical) else x for x in col]
        cats = cells[0].categories
        if len(cells) == len(col) and all(x.categories.equals(cats) for x in cells):
            out[c] = pd.Categorical(vals, categories=cats, ordered=cells[0].ordered)
        else:
            out[c] = pd.Series(vals, index=out.index, dtype=object)
    return out


def _order_key(col: pd.Series, v: Any) -> tuple[int, Any]:
    """dplyr's group order: a factor by level position, numbers by value, text by C-locale
    (code point) order; NA last."""
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return (1, 0)
    if isinstance(col.dtype, pd.CategoricalDtype):
        return (0, list(col.cat.categories).index(v))
    return (0, v)


def _summary(f: Callable[[pd.DataFrame], Any], g: pd.DataFrame, name: str,
             many: bool = False) -> Any:
    try:
        v = f(g)
        if many:              # reframe(): any number of values
            return [x.item() if isinstance(x, np.generic) else x
                    for x in np.asarray(v, dtype=object).ravel()] if isinstance(
                v, pd.Series | pd.Index | np.ndarray | list | tuple) else [v]
        return _one(v, name)
    except KeyError as exc:
        raise AsrError(f"summarise(): '{name}' reads {exc}, which is not a column of the data",
                       hint="columns: " + ", ".join(map(str, g.columns[:20])) + " (a column "
                       "made by an untranslated statement is missing)") from exc


class _Made:
    """A group's rows with the summaries made so far (``summarise(n = n(), p = k / n)``):
    a name reads a summary before a column, as dplyr evaluates the summaries in turn."""

    def __init__(self, g: pd.DataFrame, made: dict[str, Any]) -> None:
        self._g, self._made = g, made

    def __getitem__(self, key: Any) -> Any:
        return self._made[key] if isinstance(key, str) and key in self._made else self._g[key]

    def __len__(self) -> int:
        return len(self._g)

    @property
    def columns(self) -> pd.Index:
        """The group's columns and the summaries' names."""
        return self._g.columns.append(pd.Index([k for k in self._made
                                                if k not in self._g.columns]))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._g, name)


def _summaries(funcs: dict[str, Callable[[pd.DataFrame], Any]], g: pd.DataFrame,
               chained: bool, many: bool = False) -> list[Any]:
    if not chained:
        return [_summary(f, g, n, many) for n, f in funcs.items()]
    made: dict[str, Any] = {}
    for n, f in funcs.items():
        made[n] = _summary(f, _Made(g, made), n, many)  # type: ignore[arg-type]
    return list(made.values())


def _recycled(vals: list[list[Any]], names: list[str]) -> list[list[Any]]:
    """reframe()'s rows of one group: the summaries recycled to their common size (vctrs'
    rule: a size-1 summary recycles, the others must share one size)."""
    sizes = {len(v) for v in vals if len(v) != 1}
    if len(sizes) > 1:
        raise AsrError("reframe(): the summaries of a group have sizes "
                       + ", ".join(f"{n} {len(v)}" for n, v in zip(names, vals))
                       + ": only size 1 recycles", hint="give each summary one size per group")
    n = sizes.pop() if sizes else 1
    return [[v[0] if len(v) == 1 else v[i] for v in vals] for i in range(n)]


def r_summarise(df: Any, keys: list[str], funcs: dict[str, Callable[[pd.DataFrame], Any]],
                chained: bool = False, by: bool = False, reframe: bool = False) -> Any:
    """dplyr's ``summarise()`` of ``df`` grouped by ``keys``: see the module docstring
    (``chained``: a summary reads an earlier one; ``by``: the keys came as ``.by``, groups
    in order of first appearance; ``reframe``: ``reframe()``, any number of rows a group)."""
    if (ph := _placeholder(df)) is not None:
        return ph
    if not isinstance(df, pd.DataFrame):
        raise AsrError("summarise(): the data must be a data frame",
                       hint="summarise(group_by(d, g), m = mean(y))")
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise AsrError(f"summarise(): no grouping column {', '.join(map(repr, missing))}",
                       hint="columns: " + ", ".join(map(str, df.columns[:20])))
    if any(k.startswith(_ACROSS) for k in funcs):
        f = sys._getframe(1)
        funcs = _expand_across(df, keys, funcs, {**f.f_globals, **f.f_locals})
    if not keys:
        if reframe:
            return pd.DataFrame(_recycled(_summaries(funcs, df, chained, True), list(funcs)),
                                columns=list(funcs))
        return _factor_summaries(pd.DataFrame([_summaries(funcs, df, chained)],
                                              columns=list(funcs)), list(funcs))
    rows: list[tuple[tuple[Any, ...], list[list[Any]]]] = []
    grouped = df.groupby(keys, sort=False, observed=True, dropna=False)
    for key, g in grouped:          # in order of first appearance (sort=False)
        kv = list(key) if isinstance(key, tuple) else [key]
        order = tuple(_order_key(df[k], v) for k, v in zip(keys, kv))
        made = _summaries(funcs, g, chained, reframe)
        rows.append((order, [kv + r for r in _recycled(made, list(funcs))] if reframe
                     else [kv + made]))
    if not by:
        rows.sort(key=lambda r: r[0])
    out = pd.DataFrame([r for _, block in rows for r in block], columns=[*keys, *funcs])
    if not reframe:
        out = _factor_summaries(out, [c for c in funcs if c not in keys])
    for k in keys:
        if isinstance(df[k].dtype, pd.CategoricalDtype):
            out[k] = pd.Categorical(out[k], categories=df[k].cat.categories,
                                    ordered=df[k].cat.ordered)
    return out


def r_bind_rows(frames: list[Any], id: Any = None) -> Any:  # noqa: A002 - dplyr's .id
    """dplyr's ``bind_rows()``: see the module docstring."""
    if (ph := _placeholder(*frames)) is not None:
        return ph
    items: list[tuple[str | None, pd.DataFrame]] = []
    for f in frames:
        if isinstance(f, dict):
            items.extend((str(k), v) for k, v in f.items() if v is not None)
        elif isinstance(f, list | tuple) and not (f and not isinstance(f[0], pd.DataFrame
                                                                          | dict)):
            items.extend((None, v) for v in f if v is not None)
        elif f is not None:
            items.append((None, f))
    if (ph := _placeholder(*(v for _, v in items))) is not None:
        return ph
    frs = []
    for i, (name, v) in enumerate(items, start=1):
        if isinstance(v, pd.Series):
            v = v.to_frame().T
        elif isinstance(v, dict):
            v = pd.DataFrame({k: np.atleast_1d(x) for k, x in v.items()})
        if not isinstance(v, pd.DataFrame):
            raise AsrError(f"bind_rows(): argument {i} is not a data frame "
                           f"({type(v).__name__})", hint="bind_rows(d1, d2) or "
                           "bind_rows(list(d1, d2))")
        v = v.reset_index(drop=True)
        if id is not None:
            v.insert(0, str(id), name if name is not None else str(i))
        frs.append(v)
    if not frs:
        return pd.DataFrame()
    cats: dict[str, list[Any]] = {}
    for v in frs:
        for c in v.columns:
            if isinstance(v[c].dtype, pd.CategoricalDtype):
                seen = cats.setdefault(c, [])
                seen.extend(x for x in v[c].cat.categories if x not in seen)
    out = concat_frames([v.astype({c: object for c in v.columns if c in cats}) for v in frs],
                    ignore_index=True, sort=False)
    for c, levels in cats.items():
        out[c] = pd.Categorical(out[c], categories=levels)
    return out


def r_relocate_sel(df: Any, sel: list[Any], before: Any = None, after: Any = None) -> Any:
    """dplyr's ``relocate()``: see the module docstring."""
    from asr_py.translate.rdplyr import _env, columns, r_relocate

    if (ph := _placeholder(df)) is not None:
        return ph
    cols = [c for c, _ in columns(df, sel, _env())]
    if before is not None and after is not None:
        raise AsrError("relocate(): give .before or .after, not both")
    if before is None and after is None:
        return df[cols + [c for c in df.columns if c not in cols]]
    return r_relocate(df, cols, before=before, after=after)


def r_pivot_longer(data: Any, sel: list[Any], names_to: str = "name",
                   values_to: str = "value", names_prefix: str | None = None,
                   values_drop_na: bool = False) -> Any:
    """tidyr's ``pivot_longer()``: see the module docstring."""
    from asr_py.translate.rdplyr import _env, columns

    if (ph := _placeholder(data)) is not None:
        return ph
    if not isinstance(data, pd.DataFrame):
        raise AsrError("pivot_longer(): data must be a data frame",
                       hint="pivot_longer(d, cols = c(a, b))")
    cols = [c for c, _ in columns(data, sel, _env())]
    if not cols:
        raise AsrError("pivot_longer(): cols selects no column",
                       hint="columns: " + ", ".join(map(str, data.columns[:20])))
    ids = [c for c in data.columns if c not in cols]
    n, k = len(data), len(cols)
    out = data[ids].loc[data.index.repeat(k)].reset_index(drop=True)
    labels = [re.sub("^(?:" + names_prefix + ")", "", c) if names_prefix else c
              for c in cols]
    out[names_to] = labels * n
    out[values_to] = pd.concat([data[c] for c in cols], axis=1).to_numpy().ravel() \
        if len({str(data[c].dtype) for c in cols}) > 1 else \
        np.column_stack([data[c].to_numpy() for c in cols]).ravel()
    if values_drop_na:
        out = out[out[values_to].notna()].reset_index(drop=True)
    return out


def _matches(x: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(x) and not isinstance(x.dtype, pd.CategoricalDtype):
        try:
            return (x.to_numpy(dtype=float) == float(name))
        except ValueError as exc:
            raise AsrError(f"recode(): name {name!r} is not a number, and x is numeric",
                           hint="recode(x, `1` = 'a', `2` = 'b')") from exc
    return (x.astype(object).where(x.notna(), None) == name).to_numpy(dtype=bool)


def r_recode(x: Any, pairs: list[tuple[str, Any]], factor: bool = False,
             default: Any = None, missing: Any = None, ordered: bool = False) -> Any:
    """dplyr's ``recode()``/``recode_factor()``: see the module docstring."""
    if (ph := _placeholder(x)) is not None:
        return ph
    s = x if isinstance(x, pd.Series) else pd.Series(np.atleast_1d(x))
    out = s.astype(object).where(s.notna(), None).copy()
    done = np.zeros(len(s), dtype=bool)
    seen: set[str] = set()
    news: list[Any] = []
    for name, new in pairs:
        if name in seen:
            continue
        seen.add(name)
        hit = _matches(s, name) & ~done
        out[hit] = new
        done |= hit
        if new not in news:
            news.append(new)
    na = s.isna().to_numpy()
    if default is not None:
        out[~done & ~na] = default
    if missing is not None:
        out[na] = missing
    if not factor:
        if not isinstance(s.dtype, pd.CategoricalDtype):
            try:
                return pd.Series(pd.array(list(out)), index=s.index, name=s.name) \
                    if not all(isinstance(v, str) or v is None for v in out) \
                    else out.rename(s.name)
            except (TypeError, ValueError):
                return out.rename(s.name)
        factor = True
        news = []
    old = list(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype) else \
        list(pd.unique(s.dropna()))
    levels = list(news)
    if default is not None and default not in levels:
        levels.append(default)
    if missing is not None and missing not in levels:
        levels.append(missing)
    present = set(v for v in out if v is not None)
    levels += [v for v in old if v in present and v not in levels]
    levels = [v for v in levels if v in present] if levels else levels
    return pd.Series(pd.Categorical(list(out), categories=levels, ordered=ordered),
                     index=s.index, name=s.name)


def r_n_distinct(*xs: Any, na_rm: bool = False) -> int:
    """dplyr's ``n_distinct()``: distinct values (rows, for several vectors)."""
    if (ph := _placeholder(*xs)) is not None:
        return ph  # type: ignore[no-any-return]
    frame = pd.DataFrame({i: pd.Series(np.atleast_1d(x)).reset_index(drop=True)
                          for i, x in enumerate(xs)})
    if na_rm:
        frame = frame.dropna()
    return int(len(frame.drop_duplicates()))


def r_str_detect(string: Any, pattern: Any, negate: bool = False, fixed: bool = False,
                 ignore_case: bool = False) -> Any:
    """stringr's ``str_detect()``: see the module docstring."""
    if (ph := _placeholder(string, pattern)) is not None:
        return ph
    if not isinstance(pattern, str):
        raise AsrError("str_detect(): the pattern must be one string here",
                       hint="str_detect(x, '^G')")
    rx = re.compile(re.escape(pattern) if fixed else pattern,
                    re.IGNORECASE if ignore_case else 0)
    one = isinstance(string, str) or np.ndim(string) == 0
    vals = [string] if one else list(string)
    res = [None if v is None or (isinstance(v, float) and np.isnan(v))
           else (rx.search(str(v)) is not None) != negate for v in vals]
    if one:
        return res[0] if res[0] is not None else np.nan
    arr = pd.array(res, dtype="boolean")
    return pd.Series(arr, index=string.index) if isinstance(string, pd.Series) else \
        (np.array(res, dtype=bool) if None not in res else arr)

