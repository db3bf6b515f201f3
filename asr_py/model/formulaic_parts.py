"""Fixed-formula parts built by formulaic: its contrasts (``C()``) and stateful transforms.

A part that is a call formulaic knows and asr_py does not (:data:`FORMULAIC_FUNCS`:
``C(f, contr.sum)``, ``center(x)``, ``standardize(x)``, ``bs(x, 3)``, ``cr``/``cs``/``cc(x, df=4)``)
is translated to formulaic's (Python) syntax and materialised by ``formulaic.model_matrix`` on
the data columns it names, as a single-factor formula without intercept. Its columns become
a covariate block that enters Khatri-Rao interactions like any other part.

State: the ModelSpec formulaic returns is kept in ``Context.stateful`` under the part's text,
so evaluating the same part again - on the training data or on new data (predict's grid) -
calls ``ModelSpec.get_model_matrix`` and reuses the *training* state: ``center(x)`` subtracts
the training mean, ``bs(x)`` keeps the training knots and bounds, ``C(f)`` the training levels.

Coding of ``C(f, contrasts)``: the contrast matrix is formulaic's; whether the part is coded by
contrasts (k - 1 columns, formulaic's "reduced" coding) or by full indicators (k columns) follows
the same marginality rule as every other fixed factor (the ``contrast`` flag of
:func:`asr_py.model.fixed.fixed_part`), which is also R's and formulaic's rule: ``y ~ C(f,
contr.sum)`` gives the k - 1 sum-to-zero columns, ``y ~ -1 + C(f, contr.sum)`` the k indicators.
No other recoding is applied. Column names are the part as written plus formulaic's suffix:
``C(Env, contr.sum)[S.A]``, ``center(x)``, ``bs(x, 3)[1]``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from asr_py.errors import DataError
from asr_py.formula.ast import (
    Arg,
    BinOp,
    Bool,
    Call,
    Expr,
    Name,
    Null,
    Number,
    Paren,
    String,
    UnaryOp,
)
from asr_py.model.blocks import Block, Context, whole_number
from asr_py.model.data import as_labels, column, level_labels

__all__ = ["FORMULAIC_FUNCS", "FormulaicState", "formulaic_block", "to_python"]

#: calls evaluated by formulaic (asr_py's own log, I, poly, scale, ... are not among them)
FORMULAIC_FUNCS = frozenset({"C", "center", "standardize", "bs", "cr", "cs", "cc"})
#: formulaic calls that code a factor (the rest are numeric bases)
CATEGORICAL_FUNCS = frozenset({"C"})

_HINT = ("formulaic evaluates this part: C(f, contr.sum), C(f, contr.treatment(base = 'B')), "
         "center(x), standardize(x), bs(x, df = 4), cr(x, df = 4), cs(...), cc(...)")


@dataclass(frozen=True)
class FormulaicState:
    """What re-materialising one part needs: formulaic's ModelSpec and the training columns."""

    spec: Any
    #: data column -> the identifier it has in the formulaic formula
    names: dict[str, str]
    #: data column -> training dtype (new data is cast back to it)
    dtypes: dict[str, Any]
    #: data column -> {label: training value}, for the factor of a C() part
    values: dict[str, dict[str, Any]]
    #: columns of the spec kept (the intercept of a reduced C() part is left out)
    keep: tuple[int, ...]
    labels: tuple[str, ...]


def to_python(e: Expr, names: dict[str, str]) -> str:
    """Formulaic (Python) text of an argument expression; data columns renamed by ``names``."""
    if isinstance(e, Name):
        return names.get(e.name, e.name)
    if isinstance(e, Number):
        return repr(float(e.value)) if not float(e.value).is_integer() else str(int(e.value))
    if isinstance(e, String):
        return repr(e.value)
    if isinstance(e, Bool):
        return "True" if e.value else "False"
    if isinstance(e, Null):
        return "None"
    if isinstance(e, Paren):
        return "(" + to_python(e.expr, names) + ")"
    if isinstance(e, UnaryOp) and e.op in ("-", "+"):
        return e.op + to_python(e.operand, names)
    if isinstance(e, BinOp) and e.op in ("+", "-", "*", "/", "^"):
        op = "**" if e.op == "^" else e.op
        return f"{to_python(e.left, names)} {op} {to_python(e.right, names)}"
    if isinstance(e, Call):
        args = [_arg(a, names) for a in e.args]
        if e.func in ("c", "list"):
            return "[" + ", ".join(args) + "]"
        return f"{e.func}(" + ", ".join(args) + ")"
    raise ValueError(f"'{e}' cannot be passed to formulaic")


def _arg(a: Arg, names: dict[str, str]) -> str:
    v = to_python(a.value, names)
    return v if a.name is None else f"{a.name}={v}"


def _data_columns(e: Expr, frame: pd.DataFrame, out: list[str]) -> list[str]:
    """Names of data columns used in ``e`` (first-seen order)."""
    stack: list[Any] = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, Name):
            if x.name in frame.columns and x.name not in out:
                out.append(x.name)
        elif isinstance(x, Call):
            stack.extend(reversed([a.value for a in x.args]))
        elif isinstance(x, BinOp):
            stack.extend((x.right, x.left))
        elif isinstance(x, UnaryOp):
            stack.append(x.operand)
        elif isinstance(x, Paren):
            stack.append(x.expr)
    return out


def formulaic_block(ctx: Context, call: Call, contrast: bool) -> Block:
    """Evaluate a formulaic part on the records (see the module docstring).

    ``contrast`` (from the marginality rule) selects contrast vs full-indicator coding of a
    ``C()`` part; numeric parts ignore it. The first evaluation of a part stores formulaic's
    ModelSpec in ``ctx.stateful``; later ones re-materialise it on ``ctx.frame``.
    """
    if not call.args:
        raise ctx.error(call, f"{call.func}() needs a data column", _HINT)
    _check_numbers(ctx, call)
    categorical = call.func in CATEGORICAL_FUNCS
    reduced = categorical and contrast
    key = f"{call}|{'reduced' if reduced else 'full'}"
    state = ctx.stateful.get(key)
    if state is None:
        state = ctx.stateful[key] = _fit(ctx, call, categorical, reduced)
    M = _materialise(ctx, call, state)[ctx.records.row]
    return Block(sp.csr_matrix(M), state.labels, str(call), str(call), False)


#: the largest df/degree of a formulaic spline (its columns; formulaic hangs on df = 1e9)
MAX_SPLINE_DF = 100


def _check_numbers(ctx: Context, call: Call) -> None:
    """Numbers formulaic would take on trust: a spline's df (second positional argument or
    df=) and degree= are whole numbers up to :data:`MAX_SPLINE_DF`; bounds are finite."""
    if call.func not in ("bs", "cr", "cs", "cc"):
        return
    pos = call.positional()
    named = call.named()
    for what, e in (("df", pos[1] if len(pos) > 1 else named.get("df")),
                    ("degree", named.get("degree"))):
        if e is not None:
            whole_number(ctx, e, f"{call.func}(): {what}", 0, MAX_SPLINE_DF)
    for what in ("lower_bound", "upper_bound"):
        e = named.get(what)
        if isinstance(e, Number) and not np.isfinite(e.value):
            raise ctx.error(e, f"{call.func}(): {what} must be a finite number, not {e}")


def _fit(ctx: Context, call: Call, categorical: bool, reduced: bool) -> FormulaicState:
    """Materialise ``call`` on the training rows and keep formulaic's state."""
    import formulaic

    cols = _data_columns(call, ctx.frame, [])
    if not cols:
        first = call.args[0].value
        if isinstance(first, Name):
            column(ctx.frame, first.name, first, ctx.text, ctx.formula)  # did-you-mean error
        raise ctx.error(call, f"{call.func}() names no data column", _HINT)
    names = {c: f"asr_v{i}" for i, c in enumerate(cols)}
    data = pd.DataFrame({names[c]: ctx.frame[c].reset_index(drop=True) for c in cols})
    try:
        expr = to_python(call, names)
    except ValueError as exc:
        raise ctx.error(call, f"cannot evaluate {call}: {exc}", _HINT) from None
    text = ("1 + " if reduced else "0 + ") + expr
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mm = formulaic.model_matrix(text, data, na_action="ignore")
    except Exception as exc:  # formulaic raises many types; report its message at the part
        raise ctx.error(call, f"formulaic cannot evaluate {call}: {_message(exc)}",
                        _HINT) from None
    spec = mm.model_spec
    keep: list[int] = []
    labels: list[str] = []
    for term, idx in spec.term_indices.items():
        if str(term) == "1":
            continue
        prefix = str(term)
        for i in (idx if isinstance(idx, list) else list(idx)):
            name = spec.column_names[i]
            suffix = name[len(prefix):] if name.startswith(prefix) else f"[{name}]"
            keep.append(i)
            labels.append(f"{call}{suffix}")
    values: dict[str, dict[str, Any]] = {}
    if categorical:
        first = call.args[0].value
        if isinstance(first, Name) and first.name in cols:
            s = ctx.frame[first.name]
            values[first.name] = dict(zip(as_labels(s), s.tolist()))
            if first.name not in ctx.levels:  # predict's grid levels (same order as a factor)
                ctx.levels[first.name] = level_labels(ctx.record_values(first))
    dtypes = {c: ctx.frame[c].dtype for c in cols}
    return FormulaicState(spec, names, dtypes, values, tuple(keep), tuple(labels))


def _materialise(ctx: Context, call: Call, state: FormulaicState) -> np.ndarray:
    """The part's columns on ``ctx.frame`` (one row per data row) from the stored state."""
    data = pd.DataFrame(index=range(len(ctx.frame)))
    for c, safe in state.names.items():
        new = column(ctx.frame, c, None).reset_index(drop=True)
        data[safe] = _align(new, state.dtypes[c], state.values.get(c))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unseen levels: zero rows, as factor parts
            mm = state.spec.get_model_matrix(data, na_action="ignore")
    except Exception as exc:
        raise DataError(f"{call}: formulaic cannot re-evaluate the part on these data: "
                        f"{_message(exc)}",
                        hint="new values must lie within the training range of a spline "
                             "(or give bs(..., extrapolation = 'extend'))") from None
    out = np.asarray(mm, dtype=float)
    return out[:, list(state.keep)] if out.ndim == 2 else out.reshape(-1, 1)


def _align(new: pd.Series, dtype: Any, values: dict[str, Any] | None) -> pd.Series:
    """New data cast to the training column's type (predict's grid holds level labels)."""
    if new.dtype == dtype:
        return new
    if values is not None:  # a factor: map level labels back to the training values
        lab = as_labels(new)
        mapped = pd.Series([values.get(v, v) if v is not None else None for v in lab],
                           index=new.index, dtype=object)
        try:
            return mapped.astype(dtype)
        except (TypeError, ValueError):
            return mapped
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return pd.to_numeric(new, errors="coerce")
    return new


def _message(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()
    return msg[0] if msg else type(exc).__name__
