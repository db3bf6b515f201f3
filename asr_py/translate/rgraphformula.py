"""The variables of a graphics formula (``plot(y ~ x, data = d)``, ``boxplot(y ~ a + b, d)``).

R's ``model.frame`` looks each variable up in ``data`` first, then in the calling
environment. A side is split at ``+``, ``*``, ``:`` and ``|`` into terms; a term is a
column name (backticks dropped), ``d$x``, or a call of ``log``, ``log10``, ``log2``,
``exp``, ``sqrt``, ``abs``, ``factor``, ``as.factor``, ``as.numeric``, ``I`` on one of those.
Rows with a missing value in any variable are dropped (``na.action = na.omit``).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError

__all__ = ["formula_frame", "term"]

_FUNS = {"log": np.log, "log10": np.log10, "log2": np.log2, "exp": np.exp, "sqrt": np.sqrt,
         "abs": np.abs, "I": lambda v: v, "as.numeric": lambda v: pd.to_numeric(v),
         "factor": lambda v: pd.Series(v).astype("category"),
         "as.factor": lambda v: pd.Series(v).astype("category")}
_CALL = re.compile(r"^([A-Za-z.][\w.]*)\((.*)\)$")
_NAME = re.compile(r"`[^`]+`|[A-Za-z.][\w.]*")


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


def _split(side: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in side:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if depth == 0 and ch in "+*:|":
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return [t for t in out if t and t != "1"]


def _lookup(name: str, data: Any, envs: list[Mapping[str, Any]]) -> Any:
    name = name.strip().strip("`")
    if isinstance(data, pd.DataFrame) and name in data.columns:
        return data[name]
    if isinstance(data, Mapping) and name in data:
        return data[name]
    if "$" in name:
        obj, col = name.split("$", 1)
        return _lookup(col, _lookup(obj, None, envs), [])
    for env in envs:
        py = name.replace(".", "_")
        for key in (name, py):
            if key in env:
                return env[key]
    where = " or the data" if data is not None else ""
    raise AsrError(f"formula variable {name!r} not found in the script's variables{where}",
                   hint="give data = the data frame holding it")


def term(t: str, data: Any, envs: list[Mapping[str, Any]]) -> pd.Series:
    """One variable of a formula (module docstring): a name, a call of the functions there,
    or arithmetic of the data's columns (``(a + b)``, ``a/n``: pandas' eval)."""
    t = t.strip()
    while t.startswith("(") and t.endswith(")") and _balanced(t[1:-1]):
        t = t[1:-1].strip()
    m = _CALL.match(t)
    if m and m.group(1) in _FUNS and _balanced(m.group(2)):
        v = _FUNS[m.group(1)](term(m.group(2).strip(), data, envs))
    elif _NAME.fullmatch(t) or "$" in t:
        v = _lookup(t, data, envs)
    elif isinstance(data, pd.DataFrame):
        try:
            v = data.eval(t.replace("^", "**"))
        except Exception as exc:  # noqa: BLE001 - pandas' many parse errors
            raise AsrError(f"formula term {t!r} is not understood ({exc})",
                           hint="compute it as a column first") from None
    else:
        raise AsrError(f"formula term {t!r} is not understood",
                       hint="give data = the data frame, or compute it as a variable first")
    if isinstance(v, pd.Series):
        return v.reset_index(drop=True)
    return pd.Series(list(v) if isinstance(v, (list, tuple)) else np.ravel(np.asarray(v)))


def formula_frame(formula: str, data: Any = None, env: Any = None, keep_na: bool = False
                  ) -> tuple[pd.Series | None, list[pd.Series], list[str], str, list[str]]:
    """(response, right-hand terms, their names, the response's name, conditioning terms'
    names) of ``formula``; rows with a missing value dropped unless ``keep_na``."""
    text = str(formula)
    lhs, sep, rhs = text.partition("~")
    if not sep:
        raise AsrError(f"not a formula: {text!r}", hint="write it as y ~ x")
    envs = [e for e in (env if isinstance(env, (list, tuple)) else [env])
            if isinstance(e, Mapping)]
    cond: list[str] = []
    if "|" in rhs:
        rhs, _, c = rhs.partition("|")
        cond = _split(c)
    names = _split(rhs)
    terms = [term(t, data, envs) for t in names]
    y = term(lhs.strip(), data, envs) if lhs.strip() else None
    frame = pd.concat(([y] if y is not None else []) + terms, axis=1, ignore_index=True)
    keep = frame.notna().all(axis=1).to_numpy()
    if not keep.all() and not keep_na:
        if y is not None:
            y = y[keep].reset_index(drop=True)
        terms = [t[keep].reset_index(drop=True) for t in terms]
    return y, terms, names, lhs.strip(), cond
