"""Base R's (stats) ``reshape(data, timevar, idvar, direction = "wide")`` (R 4 ``?reshape``).

"reshape: Reshape Grouped Data ... between 'wide' format with repeated measurements in
separate columns of the same record and 'long' format with the repeated measurements in
separate records." ``direction = "wide"`` (R's ``reshapeWide``): the result has one row per
value of ``idvar`` (the first record of each, in order of first appearance, keeping its
row name) holding ``idvar`` and the other variables that are neither ``timevar`` nor in
``v.names``; then, for each time in order of first appearance (``unique(data[, timevar])``),
one column per ``v.names`` variable named ``paste(v.name, time, sep = sep)`` (``sep = "."``),
its value that of the record with that id and time (``match``: the first; NA when none).
``v.names`` defaults to every variable other than ``timevar`` and ``idvar``.
Scripts use it to turn pairwise tables into matrices (May_b_useful's fa_outs.R:
``reshape(data = fullsv, timevar = 'i', idvar = 'j', direction = 'wide')[, -1]``).
``direction = "long"`` is refused with a hint (not met in the corpus).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_reshape"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "reshape": ("r_reshape", ("data", "varying", "v.names", "timevar", "idvar", "ids",
                              "times", "drop", "direction", "new.row.names", "sep"),
                ("stats",)),
}


def _names(v: Any) -> list[str]:
    if v is None:
        return []
    return [str(x) for x in (v if isinstance(v, (list, tuple, pd.Index, pd.Series)) or
                             getattr(v, "ndim", 0) else [v])]


def r_reshape(data: Any, varying: Any = None, v_names: Any = None, timevar: Any = "time",
              idvar: Any = "id", ids: Any = None, times: Any = None, drop: Any = None,
              direction: Any = None, new_row_names: Any = None, sep: Any = ".") -> Any:
    """``reshape(data, timevar, idvar, v.names, direction = "wide")``: see the module."""
    if isinstance(data, Untranslated):
        return data._use()
    where = "reshape()"
    if direction is None or str(direction) not in ("wide", "long"):
        raise AsrError(f"{where}: 'direction' must be \"wide\" or \"long\"",
                       hint='reshape(d, timevar = "t", idvar = "id", direction = "wide")')
    if str(direction) == "long":
        raise AsrError(f"{where}: direction = \"long\" is not translated",
                       hint="tidyr::pivot_longer() or reshape2::melt() are")
    if not isinstance(data, pd.DataFrame):
        raise AsrError(f"{where}: 'data' must be a data frame", hint="data.frame(x)")
    if varying is not None or ids is not None or times is not None or new_row_names is not None:
        raise AsrError(f"{where}: varying/ids/times/new.row.names are not translated for "
                       "direction = \"wide\"", hint="give timevar, idvar (and v.names)")
    d = data.drop(columns=[c for c in _names(drop) if c in data.columns])
    time_col, id_cols = str(timevar), _names(idvar)
    for c in [time_col, *id_cols]:
        if c not in d.columns:
            raise AsrError(f"{where}: no column '{c}' in data",
                           hint="columns: " + ", ".join(map(str, d.columns)))
    vn = _names(v_names) or [str(c) for c in d.columns if str(c) not in [time_col, *id_cols]]
    key = d[id_cols].astype(str).agg("\r".join, axis=1) if len(id_cols) > 1 else \
        d[id_cols[0]].astype(str)
    first = ~key.duplicated()
    keep = [c for c in d.columns if str(c) != time_col and str(c) not in vn]
    out = d.loc[first.to_numpy(), keep].copy()
    out_key = key[first].to_numpy()
    tvals = d[time_col]
    for t in pd.unique(tvals.dropna()):
        at = (tvals == t).to_numpy()
        k = key[at]
        firsts = (~k.duplicated()).to_numpy()
        for v in vn:
            col = pd.Series(d.loc[at, v].to_numpy()[firsts], index=k.to_numpy()[firsts])
            out[f"{v}{sep}{t}"] = col.reindex(out_key).to_numpy()
    return out
