"""dplyr's ``rename_with(.data, .fn, .cols = everything())``: the names of the selected
columns (tidyselect: names, positions, helpers) replaced by ``.fn`` applied to them as one
character vector; ``.fn`` a function or a purrr lambda ``~ paste(p, .x, sep = "_")``
(``toupper``/``tolower`` by name: rdplyr's rule). dplyr's older ``rename_all(.tbl, .funs)``
is ``rename_with(.tbl, .funs)``."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCTIONS", "r_rename_fn", "translate"]

FUNCTIONS = frozenset({"rename_with", "dplyr::rename_with", "rename_all", "dplyr::rename_all"})


def translate(tr: Any, e: Any) -> str | None:
    """``rename_with(d, fn[, cols])`` -> ``r_rename_fn(d, fn, [spec])``; None otherwise."""
    from asr_py.translate.rdplyr import spec
    from asr_py.translate.rlambda import lambda_node

    slots: dict[str, Any] = {}
    order = [".data", ".fn", ".cols"]
    if e.value.endswith("rename_all"):        # rename_all(.tbl, .funs): every column
        if len(e.args) != 2 or any(n not in (None, ".tbl", ".funs") for n, _ in e.args):
            return None
        order = [".data", ".fn"]
        e = type(e)(e.kind, e.value, args=[({".tbl": ".data", ".funs": ".fn"}.get(n or "", n),
                                             a) for n, a in e.args], start=e.start, end=e.end)
    for name, a in e.args:
        key = name if name in order else order[len([k for k in order if k in slots])] \
            if name is None else None
        if key is None or key in slots:
            return None
        slots[key] = a
    if ".data" not in slots or ".fn" not in slots:
        return None
    fn = slots[".fn"]
    lam = lambda_node(fn)
    if lam is not None:
        fpy = tr.py(lam)
    elif fn.kind == "function" or fn.kind == "name" and fn.value in tr.functions:
        fpy = tr.py(fn)
    else:
        return None
    cols = f"[{spec(tr, slots['.cols'])}]" if ".cols" in slots else "None"
    return f"{tr.runtime('r_rename_fn')}({tr.py(slots['.data'])}, {fpy}, {cols})"


def r_rename_fn(df: Any, fn: Any, sel: list[Any] | None = None) -> Any:
    """``rename_with()``: see the module docstring."""
    if isinstance(df, Untranslated):
        return df._use()
    if not isinstance(df, pd.DataFrame):
        raise AsrError("rename_with(): .data is not a data frame",
                       hint="rename_with(d, fn, cols) renames columns of a data frame")
    if sel is None:
        names = [str(c) for c in df.columns]
    else:
        from asr_py.translate.rdplyr import _env, columns

        names = [str(c) for c, _ in columns(df, sel, _env())]
    new = fn(names)
    new = [new] if isinstance(new, str) else [str(x) for x in np.ravel(np.asarray(new, object))]
    if len(new) != len(names):
        raise AsrError(f"rename_with(): .fn gave {len(new)} names for {len(names)} columns",
                       hint=".fn takes the column names and returns as many new names")
    out = df.rename(columns=dict(zip(names, new)))
    if out.columns.duplicated().any():
        dup = out.columns[out.columns.duplicated()][0]
        raise AsrError(f"rename_with(): names must be unique; {dup!r} is repeated",
                       hint="give .fn names that differ from the other columns")
    return out
