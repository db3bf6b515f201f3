"""The points of a metric structure written over coordinate columns: ``iexp(x, y)``,
``ieuc(x, y)``, ``sph(x, y)``, ``aexp(x, y)`` ...

The levels are the distinct (x, y) pairs of the records, in increasing x then y, labelled
``"x:y"`` (the numbers as the data hold them); record i's row of the design matrix is the
indicator of its pair. A record with a missing coordinate has an empty row, as a record
with a missing factor level does. Coordinates must be numeric: a factor column's labels are
read as numbers when they all are (``Row`` coded 1..n), else it is an error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.formula.ast import Call, Expr, Name
from asr_py.model.blocks import Block, Context, indicator
from asr_py.model.data import column

__all__ = ["coordinate_block", "check_coordinate_arguments", "pair_factor_block"]


def _numbers(ctx: Context, expr: Expr, call: Call) -> np.ndarray:
    """A coordinate column's values on the records as floats (NaN where missing)."""
    if not isinstance(expr, Name):
        raise ctx.error(expr, f"{call.func}(): a coordinate must be a data column",
                        f"write {call.func}(x, y) with x and y numeric columns")
    col = column(ctx.frame, expr.name, expr, ctx.text, ctx.formula).iloc[ctx.records.row]
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(object)
    vals = pd.to_numeric(col.astype(object).where(col.notna(), None), errors="coerce")
    bad = col.notna() & vals.isna()
    if bad.any():
        raise ctx.error(expr, f"{call.func}(): column '{expr.name}' is not numeric (value "
                        f"{col[bad].iloc[0]!r})",
                        "a distance-based structure needs numeric coordinates")
    out = vals.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(out).any():
        raise ctx.error(expr, f"{call.func}(): column '{expr.name}' has infinite values")
    return out


def _label(v: float) -> str:
    return repr(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


def coordinate_block(ctx: Context, call: Call, args: list[Expr]) -> tuple[Block, np.ndarray]:
    """(Block over the distinct points, their (k, d) coordinates) of ``call``'s coordinate
    columns ``args`` (one or two)."""
    cols = np.column_stack([_numbers(ctx, a, call) for a in args])
    ok = np.all(np.isfinite(cols), axis=1)
    pts, inv = np.unique(cols[ok], axis=0, return_inverse=True)
    codes = np.full(cols.shape[0], -1, dtype=np.int64)
    codes[ok] = np.asarray(inv).ravel()
    labels = tuple(":".join(_label(v) for v in p) for p in pts)
    name = ":".join(str(a) for a in args)
    return Block(indicator(codes, len(labels)), labels, name, name, True), pts


def check_coordinate_arguments(ctx: Context, call: Call, syntax: Any) -> list[Expr]:
    """The coordinate arguments of a metric structure's ``call`` (its positional arguments),
    checked against the dimensions it takes (:attr:`StructureSyntax.dimensions`); named
    arguments other than ``init`` are refused with a hint."""
    pos = call.positional()
    dims = tuple(syntax.dimensions)
    if len(pos) not in dims:
        if len(pos) == 2:
            hint = ("a point in the plane: iexp(x, y), ieuc(x, y), igau(x, y), sph(x, y), "
                    "cir(x, y) or aexp(x, y)/agau(x, y) (a decay per axis); on a grid "
                    f"{call.func}(x):{call.func}(y) is the separable model")
        else:
            hint = f"write {call.func}(x, y) with the two coordinate columns"
        want = " or ".join(str(d) for d in dims)
        raise ctx.error(call, f"{call.func}() takes {want} coordinate column"
                        f"{'' if dims == (1,) else 's'}, got {len(pos)}", hint)
    for k, v in call.named().items():
        if k not in syntax.named or k == "dist":
            raise ctx.error(v, f"{call.func}(): the argument '{k}' is not supported",
                            "the distances come from the coordinate columns' values; "
                            "rescale a column in the data to change the unit")
    return pos


def pair_factor_block(ctx: Context, call: Call) -> Block:
    """``fac(x, y)``: one factor over the distinct (x, y) pairs of the records (ASReml's
    two-argument ``fac``), labelled ``"x:y"``: numeric columns as :func:`coordinate_block`
    (so ``ieuc(fac(x, y))`` reads the points from the labels), other columns by their labels
    (pairs in sorted order). A record missing either value has an empty row."""
    a, b = call.positional()[:2]
    if all(isinstance(e, Name) and pd.api.types.is_numeric_dtype(
            column(ctx.frame, e.name, e, ctx.text, ctx.formula)) for e in (a, b)):
        block, _ = coordinate_block(ctx, call, [a, b])
        return block
    from asr_py.model.data import as_labels

    la, lb = (as_labels(ctx.record_values(e)) if isinstance(e, Name) else None
              for e in (a, b))
    if la is None or lb is None:
        raise ctx.error(call, "fac(x, y): both arguments must be data columns")
    ok = np.array([u is not None and v is not None for u, v in zip(la, lb)])
    pairs = [f"{u}:{v}" for u, v in zip(la[ok], lb[ok])]
    labels = tuple(sorted(set(pairs)))
    index = {p: i for i, p in enumerate(labels)}
    codes = np.full(la.size, -1, dtype=np.int64)
    codes[ok] = [index[p] for p in pairs]
    name = f"{a}:{b}"
    return Block(indicator(codes, len(labels)), labels, name, name, True)
