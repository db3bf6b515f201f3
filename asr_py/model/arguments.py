"""Checks of the arguments of ``asreml()`` and ``compile_model()`` before any work is done.

Each check raises an :class:`asr_py.errors.AsrError` subclass naming the argument, what it got
and what it takes, so a wrong type never surfaces as a bare ``TypeError`` deep in the
compiler. Nothing the user passed is modified.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError, DataError

#: what ``na_action`` may say for the response ('y') and the explanatory variables ('x')
NA_KEYS = ("y", "x")
NA_VALUES = ("omit", "fail")
#: the constraint codes of a start-values table
CONSTRAINTS = ("P", "U", "F", "B")


def _kind(value: Any) -> str:
    return type(value).__name__


def check_formula(name: str, value: Any, *, required: bool = False) -> None:
    """A formula argument is a string (or None when optional)."""
    from asr_py.formula.ast import ModelFormula

    if value is None and not required:
        return
    if name == "fixed" and isinstance(value, ModelFormula):
        return
    if not isinstance(value, str):
        example = "'y ~ x + f'" if name == "fixed" else "'~ f'"
        raise AsrError(f"{name}= must be a formula string, not {_kind(value)} ({value!r:.60})",
                       hint=f"e.g. {name}={example}")


def check_data(data: Any) -> None:
    """``data`` is a DataFrame with rows and unique column names."""
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, not {_kind(data)} ({data!r:.80})",
                        hint="e.g. data=pd.read_csv('trial.csv')")
    dup = data.columns[data.columns.duplicated()]
    if len(dup):
        names = ", ".join(repr(c) for c in dict.fromkeys(dup))
        raise DataError(f"data has duplicated column names: {names}",
                        hint="rename the columns so that each name is used once")
    if len(data) == 0:
        raise DataError("data has no rows")


def check_factors(factors: Any, data: pd.DataFrame) -> None:
    """``factors`` is a list/tuple of column names of ``data``."""
    if isinstance(factors, str):
        raise AsrError(f"factors= must be a list of column names, not the string {factors!r}",
                       hint=f"write factors=[{factors!r}]")
    if not isinstance(factors, (list, tuple, set, frozenset)):
        raise AsrError(f"factors= must be a list of column names, not {_kind(factors)}",
                       hint="e.g. factors=['Row', 'Col']")
    for f in factors:
        if not isinstance(f, str):
            raise AsrError(f"factors=: {f!r} is not a column name ({_kind(f)})",
                           hint="e.g. factors=['Row', 'Col']")
        if f not in data.columns:
            raise DataError(f"factors=: column '{f}' is not in the data")


def check_na_action(na_action: Any) -> None:
    """``na_action`` is None or a dict like ``{'y': 'omit', 'x': 'fail'}``. asreml's
    ``'include'`` is accepted for the response: a record with a missing response carries no
    information in the REML likelihood (its marginal is integrated out), so including it and
    omitting it give the same estimates; for 'x' asreml's 'include' sets missing covariate
    values to 0 (:mod:`asr_py.model.na_include`)."""
    hint = "e.g. na_action={'y': 'omit', 'x': 'fail'} ('omit' drops the records, 'fail' stops)"
    if na_action is None:
        return
    if not isinstance(na_action, Mapping):
        raise AsrError(f"na_action= must be a dict, not {_kind(na_action)} ({na_action!r:.60})",
                       hint=hint)
    for key, value in na_action.items():
        if key not in NA_KEYS:
            raise AsrError(f"na_action=: unknown key {key!r}; the keys are 'y' (the response) "
                           "and 'x' (the explanatory variables)", hint=hint)
        if value == "include":
            continue  # y: the 'omit' fit (see below); x: asr_py.model.na_include
        if value not in NA_VALUES:
            raise AsrError(f"na_action=: {key!r} is {value!r}, which is not 'omit' or 'fail'",
                           hint=hint)


def check_weights(weights: Any) -> None:
    if weights is not None and not isinstance(weights, str):
        raise DataError(f"weights= must be the name of a data column, not {_kind(weights)}",
                       hint="e.g. weights='w'")


def _is_position(c: Any) -> bool:
    return isinstance(c, numbers.Integral) and not isinstance(c, bool) or (
        isinstance(c, float) and c.is_integer())


def check_group(group: Any) -> None:
    """``group=``: a dict of column-name lists or, as asreml documents ("a numeric vector
    specifying contiguous fields in data"), of 1-based column positions."""
    if group is None:
        return
    if not isinstance(group, Mapping):
        raise AsrError(f"group= must be a dict of column-name lists, not {_kind(group)}",
                       hint="e.g. group={'g': ['m1', 'm2', 'm3']}")
    for key, cols in group.items():
        if isinstance(cols, (np.ndarray, range)):
            cols = list(cols)
        if isinstance(cols, str) or not isinstance(cols, (list, tuple)) or not cols or not (
                all(isinstance(c, str) for c in cols) or all(_is_position(c) for c in cols)):
            raise AsrError(f"group=: the entry {key!r} must be a list of column names (or of "
                           f"1-based column positions), not {cols!r:.60}",
                           hint=f"e.g. group={{{key!r}: ['m1', 'm2']}}")


def group_columns(group: Mapping[str, Any] | None, data: Any) -> dict[str, list[str]]:
    """``group=`` with column positions (asreml's ``list(QTL1 = 3:5)``: the 3rd to 5th
    columns of data, counted from 1) replaced by the column names."""
    out: dict[str, list[str]] = {}
    for key, cols in (group or {}).items():
        cols = list(cols)
        if cols and all(isinstance(c, str) for c in cols):
            out[key] = cols
            continue
        ncol = len(data.columns) if data is not None else 0
        bad = [c for c in cols if not 1 <= int(c) <= ncol]
        if bad:
            raise AsrError(f"group=: the entry {key!r} names column position {int(bad[0])}, "
                           f"but data has {ncol} columns (positions count from 1, as in R)",
                           hint="write the column names, e.g. group={'g': ['m1', 'm2']}")
        out[key] = [str(data.columns[int(c) - 1]) for c in cols]
    return out


def check_compile_arguments(fixed: Any, random: Any, residual: Any, data: Any, rcov: Any,
                            sparse: Any, factors: Any, na_action: Any, group: Any,
                            weights: Any) -> None:
    """Every argument of :func:`asr_py.compile_model` (types and values, not meaning)."""
    check_formula("fixed", fixed, required=True)
    for name, value in (("random", random), ("residual", residual), ("rcov", rcov),
                        ("sparse", sparse)):
        check_formula(name, value)
    check_data(data)
    check_factors(factors, data)
    check_na_action(na_action)
    check_group(group)
    check_weights(weights)


def check_maxit(maxit: Any) -> int:
    """``maxit`` is a whole number >= 0 (0 evaluates the start values only)."""
    if isinstance(maxit, bool) or not isinstance(maxit, numbers.Integral):
        if not isinstance(maxit, bool) and isinstance(maxit, numbers.Real) and \
                np.isfinite(maxit) and float(maxit).is_integer() and maxit >= 0:
            return int(maxit)
        raise AsrError(f"maxit= must be a whole number of iterations, not {maxit!r:.40} "
                       f"({_kind(maxit)})", hint="e.g. maxit=50")
    if maxit < 0:
        raise AsrError(f"maxit= must be >= 0, not {maxit}", hint="e.g. maxit=50")
    return int(maxit)


def check_flag(name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise AsrError(f"{name}= must be True or False, not {value!r:.40}")


def check_params(params: Any) -> None:
    """``params`` is a start-values table (DataFrame) or a dict {component: value}."""
    if params is None or isinstance(params, (pd.DataFrame, Mapping)):
        return
    raise AsrError(f"params= must be a start-values table (DataFrame) or a dict "
                   f"{{component: value}}, not {_kind(params)} ({params!r:.60})",
                   hint="get the table with asreml(..., start_values=True), edit its Value "
                        "and Constraint columns and pass it back as params=")


def check_fit_arguments(maxit: Any, start_values: Any, params: Any, trace: Any,
                        solver: Any, mv_start: Any) -> int:
    """The fitting options of :func:`asr_py.asreml`; returns maxit as an int."""
    check_flag("start_values", start_values)
    check_flag("trace", trace)
    check_params(params)
    if not isinstance(solver, str):
        raise AsrError(f"solver= must be a string, not {_kind(solver)}",
                       hint="'auto', 'dense', 'sparse', 'superlu' or 'eigen'")
    if mv_start not in ("auto", "univariate", "default", "pairwise"):
        raise AsrError(f"mv_start must be 'auto', 'univariate', 'default' or 'pairwise', not "
                       f"{mv_start!r}")
    return check_maxit(maxit)


def params_table(table: pd.DataFrame | Mapping[str, Any]) -> pd.DataFrame:
    """A params= argument as a checked table: Component and Value columns, each component
    once, constraints among P/U/F/B (a missing constraint keeps the compiler's)."""
    if isinstance(table, Mapping):
        table = pd.DataFrame({"Component": list(table), "Value": list(table.values())})
    if "Component" not in table.columns or "Value" not in table.columns:
        raise DataError("params needs columns Component and Value (and optionally "
                        "Constraint)", hint="start from asreml(..., start_values=True)")
    comp = table["Component"].astype(str)
    dup = comp[comp.duplicated()]
    if len(dup):
        raise DataError(f"params: component '{dup.iloc[0]}' is listed "
                        f"{int((comp == dup.iloc[0]).sum())} times",
                        hint="give each component once")
    if "Constraint" in table.columns:
        for name, c in zip(comp, table["Constraint"]):
            if not isinstance(c, str) or c.strip().upper() not in CONSTRAINTS:
                raise DataError(f"params: the constraint of '{name}' is {c!r}, not one of "
                                "P, U, F, B",
                                hint="P positive, U unconstrained, F fixed, B boundary")
    return table


__all__ = ["check_compile_arguments", "check_fit_arguments", "check_maxit", "params_table"]
