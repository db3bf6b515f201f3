"""asreml's ``G.param`` / ``R.param`` lists of a start-values call, edited and fitted again.

``sv <- asreml(..., start.values = TRUE)``; ``sv$R.param`` (``sv$G.param``) is a list with one
element per residual section (random term), named as asreml names it (a section of
``dsum(~ us(Cultivar) | Zone_Loc)`` by its level: ``R.param[["A"]]``), each a list of
``variance`` (the term's scale parameter) and one element per factor of its variance model,
each holding ``initial``
(the parameters, named) and ``con`` (their constraint codes, ``"F"`` fixed, ``"P"``
positive, ``"U"`` unconstrained). Scripts replace them, as in

    R.param[[i]]$Cultivar$initial <- v      # named: the stage-I variances
    R.param[[i]]$Cultivar$con <- rep("F", length(v))
    asreml(..., R.param = R.param)

(two-stage analyses that carry stage I's variance matrix of the means into stage II:
neyhartj/mixed_model_applications, Buntaran2020 ``Two_Stage_Fully_Efficient.R``). Here the
list is built from asr_py's start-values table (Component, Value, Constraint): the rows of
component ``<term>!<rest>`` form element ``<term>``; a row ``<term>`` or ``<term>!R`` /
``!var`` is its ``variance``; ``<term>!<f>!<par>`` and ``<term>!<f>_<levels>`` are factor
``f``'s. A parameter of factor ``f`` is named ``<term>!<f>_<levels>`` (asreml's name, the one
that script builds with ``paste0("Zone_Loc_", i, "!Cultivar_", a, ":", b)``).
:func:`r_params_table` reads the edited list back: each ``initial`` entry sets the value of
the row of its name (unnamed: by position), ``con`` its constraint (by position along
``initial``); rows the list no longer names keep their start values. The table holds the
list's rows only (``R.param`` sets the residual's parameters, ``G.param`` the random terms').
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError

__all__ = ["RParamList", "r_param_list", "r_params_table"]

_SCALE = {"", "R", "var", "variance"}


class RParamList(dict):  # type: ignore[type-arg]
    """asreml's ``G.param``/``R.param`` list (module docstring); ``table``: the start-values
    table it was built from, ``rows``: (term, element, position) -> its row there."""

    def __init__(self, table: pd.DataFrame) -> None:
        super().__init__()
        self.table = table
        self.rows: dict[tuple[str, str], list[int]] = {}


def _factor_of(term: str, rest: str) -> tuple[str, str]:
    """(element, parameter name) of the row ``<term>!<rest>``."""
    if rest in _SCALE:
        return "variance", f"{term}!{rest}" if rest else term
    if "!" in rest:                                  # <f>!<f>_<levels>, <f>!cor
        f, par = rest.split("!", 1)
        return f, f"{term}!{par}" if par.startswith(f + "_") else f"{term}!{rest}"
    names = [re.sub(r"^\w+\((\w+).*$", r"\1", p) for p in term.split(":")]
    hits = [n for n in names if rest.startswith(n + "_")]
    f = max(hits, key=len) if hits else rest.split("_", 1)[0]
    return f, f"{term}!{rest}"


def r_param_list(table: Any, residual: bool = False) -> RParamList:
    """``sv$G.param`` (``residual``: ``sv$R.param``) of a start-values table (module
    docstring); the residual's rows are the table's last ``attrs['n_residual']``."""
    if not isinstance(table, pd.DataFrame) or "Component" not in table.columns:
        raise AsrError("G.param/R.param: not a start-values table",
                       hint="take it from asreml(..., start.values = TRUE)")
    n_res = table.attrs.get("n_residual")
    if n_res is None:
        raise AsrError("G.param/R.param: the start-values table does not say which rows are "
                       "the residual's", hint="use the table asreml(..., start_values=True) "
                       "returns, unedited, to build the list")
    split = len(table) - int(n_res)
    idx = range(split, len(table)) if residual else range(split)
    out = RParamList(table)
    sections = table.attrs.get("residual_sections") or {} if residual else {}
    for i in idx:
        comp = str(table["Component"].iloc[i])
        term, _, rest = comp.partition("!")
        elem, name = _factor_of(term, rest)
        entry = out.setdefault(sections.get(term, term), {})
        part = entry.setdefault(elem, {"initial": pd.Series(dtype=float), "con": []})
        part["initial"] = pd.concat([part["initial"], pd.Series(
            [float(table["Value"].iloc[i])], index=[name])])
        con = str(table["Constraint"].iloc[i]) if "Constraint" in table.columns else "P"
        part["con"] = [*part["con"], con]
        out.rows.setdefault((sections.get(term, term), elem), []).append(i)
    for entry in out.values():
        for part in entry.values():
            part["con"] = np.array(part["con"], dtype=object)
    return out


def r_params_table(x: Any) -> Any:
    """The params= table of ``x``: an edited :class:`RParamList` back as the start-values
    table (module docstring); anything else as it is."""
    if not isinstance(x, RParamList):
        return x
    out = x.table.copy()
    vcol, ccol = out.columns.get_loc("Value"), out.columns.get_loc("Constraint")
    for (term, elem), rows in x.rows.items():
        part = (x.get(term) or {}).get(elem)
        if part is None:
            continue
        at = {str(out["Component"].iloc[i]): i for i in rows}
        alias = {_factor_of(*c.split("!", 1))[1] if "!" in c else c: i for c, i in at.items()}
        init = part.get("initial")
        ini = init if isinstance(init, pd.Series) else pd.Series(np.atleast_1d(init))
        named = isinstance(init, pd.Series) and all(isinstance(k, str) for k in ini.index)
        if named:
            unknown = [k for k in ini.index if k not in alias and k not in at]
            if unknown:
                raise AsrError(f"R.param/G.param[[{term!r}]]${elem}$initial: "
                               f"{len(unknown)} names are not parameters of the term, e.g. "
                               f"{unknown[0]!r}", hint=f"its names look like "
                               f"{next(iter(alias))!r}")
            pos = [alias.get(k, at.get(k)) for k in ini.index]
        else:
            if len(ini) > len(rows):
                raise AsrError(f"R.param/G.param[[{term!r}]]${elem}$initial has {len(ini)} "
                               f"values for {len(rows)} parameters",
                               hint="give one value per parameter")
            pos = rows[:len(ini)]
        con = part.get("con")
        cons = [] if con is None else list(np.atleast_1d(np.asarray(con, dtype=object)))
        for j, (i, v) in enumerate(zip(pos, ini.to_numpy(dtype=float))):
            out.iat[i, vcol] = float(v)
            if j < len(cons) and isinstance(cons[j], str):
                out.iat[i, ccol] = cons[j].strip().upper()
    mine = sorted(i for rows in x.rows.values() for i in rows)   # R.param: the residual's only
    return out.iloc[mine].reset_index(drop=True)
