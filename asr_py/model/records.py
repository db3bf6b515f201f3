"""Records: which data rows and traits enter the fit, and the response vector.

Univariate: one record per data row with an observed response. Multivariate
``cbind(y1, ..., yt)``: records stacked trait-within-row (row 1 trait 1, row 1 trait 2, ...,
ASReml's order); a missing response drops only that trait's record. Rows with a missing value
in any variable the model uses are dropped (``na_action['x'] = 'omit'``) or rejected ('fail').
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from asr_py.errors import DataError, FormulaError
from asr_py.formula.ast import Call, Expr, Name
from asr_py.model.data import numeric_value


@dataclass
class Records:
    """The records of a fit.

    ``frame`` holds the data rows used (original index kept), ``row`` maps each record to a
    position in ``frame``, ``trait`` to a trait index (all 0 when univariate).
    """

    frame: pd.DataFrame
    y: np.ndarray
    row: np.ndarray
    trait: np.ndarray
    traits: tuple[str, ...]
    n_dropped_rows: int = 0
    n_missing_y: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return self.y.size

    @property
    def multivariate(self) -> bool:
        return len(self.traits) > 1


def response_exprs(lhs: Expr) -> tuple[list[Expr], list[str]]:
    """Split a response into its trait expressions and names (``cbind`` gives several)."""
    if isinstance(lhs, Call) and lhs.func == "cbind":
        exprs = [a.value for a in lhs.args]
    else:
        exprs = [lhs]
    names = [e.name if isinstance(e, Name) else str(e) for e in exprs]
    return exprs, names


def build_records(
    lhs: Expr,
    data: pd.DataFrame,
    used_columns: list[str],
    *,
    text: str = "",
    na_action: dict[str, str] | None = None,
) -> Records:
    """Evaluate the response and select the records (see module docstring)."""
    na = {"y": "omit", "x": "omit"}
    na.update(na_action or {})
    exprs, names = response_exprs(lhs)
    ys = [numeric_value(e, data, text, "fixed") for e in exprs]
    Y = np.column_stack(ys) if ys else np.empty((len(data), 0))
    for e, nm, col in zip(exprs, names, ys):
        if np.isinf(col).any():
            raise FormulaError(f"response '{nm}' has infinite values (e.g. log of 0)",
                               text=text, line=e.span.line if e.span else 1,
                               column=e.span.column if e.span else 1, formula="fixed")
    # rows with missing explanatory values
    miss_x = np.zeros(len(data), dtype=bool)
    bad_cols = []
    for c in used_columns:
        m = data[c].isna().to_numpy()
        if m.any():
            bad_cols.append((c, int(m.sum())))
            miss_x |= m
    notes: list[str] = []
    if miss_x.any():
        if na["x"] == "fail":
            detail = ", ".join(f"{c} ({k})" for c, k in bad_cols)
            raise DataError(f"missing values in model variables: {detail}",
                            hint="drop those rows or use na_action={'x': 'omit'}")
        notes.append(f"{int(miss_x.sum())} data rows dropped for missing values in "
                     + ", ".join(f"{c} ({k})" for c, k in bad_cols))
    miss_y = np.isnan(Y)
    if miss_y.any() and na["y"] == "fail":
        raise DataError(f"{int(miss_y.sum())} missing response values",
                        hint="use na_action={'y': 'omit'} to drop them")
    keep_rows = ~miss_x & ~miss_y.all(axis=1)
    frame = data.loc[keep_rows]
    Yk = Y[keep_rows]
    obs = ~np.isnan(Yk)
    rows, traits = np.nonzero(obs)  # row-major: trait within row
    y = Yk[rows, traits]
    n_missing = int((~obs).sum())
    if n_missing and len(names) > 1:
        notes.append(f"{n_missing} missing trait records (their rows kept for other traits)")
    if len(names) == 1 and int(miss_y.sum()):
        notes.append(f"{int(miss_y[~miss_x].sum())} records with missing response dropped")
    if y.size == 0:
        raise DataError("no records left after removing missing values",
                        hint="check the response and the columns the model uses for NaN")
    return Records(
        frame=frame,
        y=y.astype(float),
        row=rows.astype(np.int64),
        trait=traits.astype(np.int64),
        traits=tuple(names),
        n_dropped_rows=int((~keep_rows).sum()),
        n_missing_y=n_missing,
        notes=notes,
    )
