"""Records: which data rows and traits enter the fit, and the response vector.

Univariate: one record per data row with an observed response. Multivariate
``cbind(y1, ..., yt)``: records stacked trait-within-row (row 1 trait 1, row 1 trait 2, ...,
ASReml's order); a missing response drops only that trait's record. Rows with a missing value
in any variable the model uses are dropped (``na_action['x'] = 'omit'``) or rejected ('fail').
A missing response: ``na_action['y'] = 'include'`` (asreml's default) fits the observed records
(the REML likelihood of the observed data is the same with the missing ones included) and
reports fitted values and residuals for every data row (residuals NaN for the missing
responses, :attr:`Records.result_index`); 'omit' reports the records only; 'fail' stops.

Prior weights (``weights='w'``, asreml's ``weights = w``): rows with a missing weight are
dropped (counted in ``notes``); a zero, negative or infinite weight on a row that enters the
fit is a DataError. Multivariate: the row's weight applies to every trait record of the row
(``Records.weights`` holds one weight per record).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from asr_py.errors import DataError, FormulaError
from asr_py.formula.ast import Arg, Call, Expr, Name
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
    #: prior weight of each record (None: unweighted); Var(e_i) = σ²/w_i
    weights: np.ndarray | None = None
    weights_column: str | None = None
    n_missing_w: int = 0
    #: asreml's ``na.method(y = "include")`` (the default): the data rows that fits report
    #: fitted values and residuals for (every row not dropped for a missing explanatory
    #: value or weight, records with a missing response included), and each record's
    #: position among them; None with ``na_action={'y': 'omit'}`` (one entry per record)
    result_index: pd.Index | None = None
    result_pos: np.ndarray | None = None
    #: under ``na.method(y = "include")``: the reported data rows that no record was fitted
    #: on (response missing), still part of asreml's model, so their factor levels are
    #: levels of the model (predict lists them); None with 'omit' or when there are none
    missing_rows: pd.DataFrame | None = None
    #: asreml's ``asmv = trait`` (long-format multivariate data, :mod:`asr_py.model.asmv`):
    #: the trait column's name, each record's unit (0, ..., n_units − 1) and the number of
    #: units, which ``units`` then indexes; None: ``units`` is the data row
    asmv: str | None = None
    unit: np.ndarray | None = None
    n_units: int = 0

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
    elif isinstance(lhs, Call) and lhs.func == "scale" and len(lhs.args) == 1 and \
            isinstance(lhs.args[0].value, Call) and lhs.args[0].value.func == "cbind":
        # scale(cbind(a, b)): R scales each column of the matrix; the traits keep their names
        inner = [a.value for a in lhs.args[0].value.args]
        names = [e.name if isinstance(e, Name) else str(e) for e in inner]
        return [Call("scale", (Arg(e),), span=e.span) for e in inner], names
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
    weights: str | None = None,
    asmv: tuple[str, np.ndarray] | None = None,
) -> Records:
    """Evaluate the response and select the records (see module docstring); ``asmv``: the
    trait column and the unit of every data row (:func:`asr_py.model.asmv.asmv_units`)."""
    na = {"y": "include", "x": "omit"}
    na.update(na_action or {})
    wcol = _weight_column(data, weights)
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
        dropped = (f"{int(miss_x.sum())} data rows dropped for missing values in "
                   + ", ".join(f"{c} ({k})" for c, k in bad_cols))
        notes.append(dropped)
        if "x" not in (na_action or {}):
            _warn_missing_x(dropped)
    miss_y = np.isnan(Y)
    if miss_y.any() and na["y"] == "fail":
        raise DataError(f"{int(miss_y.sum())} missing response values",
                        hint="use na_action={'y': 'omit'} to drop them")
    keep_rows = ~miss_x & ~miss_y.all(axis=1)
    result_rows = ~miss_x
    n_missing_w = 0
    if wcol is not None:
        miss_w = np.isnan(wcol) & keep_rows
        n_missing_w = int(miss_w.sum())
        if n_missing_w:
            notes.append(f"{n_missing_w} data rows dropped for missing weights in "
                         f"'{weights}'")
            _warn_missing_weights(notes[-1], data.index[miss_w])
        keep_rows &= ~miss_w
        result_rows &= ~miss_w
        bad = keep_rows & ~(np.isfinite(wcol) & (wcol > 0))
        if bad.any():
            labels = [str(x) for x in data.index[bad][:10]]
            more = " ..." if int(bad.sum()) > 10 else ""
            raise DataError(f"weights column '{weights}' has {int(bad.sum())} zero, negative "
                            f"or infinite values (rows {', '.join(labels)}{more})",
                            hint="weights are inverse residual variances (e.g. 1/SE²) and "
                                 "must be positive; drop those rows or set them to NaN")
    # every row kept: a shallow copy instead of a boolean-indexed one where pandas copies on
    # write (a later edit of the user's frame cannot reach ours; issue 16, memory)
    frame = data.copy(deep=False) if keep_rows.all() and _copy_on_write() else \
        data.loc[keep_rows]
    Yk = Y[keep_rows]
    obs = ~np.isnan(Yk)
    rows, traits = np.nonzero(obs)  # row-major: trait within row
    y = Yk[rows, traits]
    n_missing = int((~obs).sum())
    if n_missing and len(names) > 1:
        notes.append(f"{n_missing} missing trait records (their rows kept for other traits)")
    if len(names) == 1 and int(miss_y.sum()):
        k = int(miss_y[~miss_x].sum())
        notes.append(f"{k} records with missing response not fitted" + (
            " (reported with NaN residuals, as asreml's na.method(y = 'include'))"
            if na["y"] == "include" else " (dropped: na_action y='omit')"))
    if y.size == 0:
        raise DataError("no records left after removing missing values",
                        hint="check the response and the columns the model uses for NaN")
    if len(names) > 1:
        _check_trait_counts(names, obs.sum(axis=0))
    w_rec = None if wcol is None else wcol[keep_rows][rows].astype(float)
    result_index = result_pos = missing_rows = None
    if na["y"] == "include":
        # each record's data row as a position among the rows reported (result_rows)
        rank = np.cumsum(result_rows) - 1
        result_index = data.index[result_rows]
        result_pos = rank[np.flatnonzero(keep_rows)[rows]].astype(np.int64)
        unfitted = result_rows & ~keep_rows
        if unfitted.any():
            missing_rows = data.loc[unfitted]
    unit = None if asmv is None else asmv[1][np.flatnonzero(keep_rows)[rows]]
    return Records(
        asmv=None if asmv is None else asmv[0],
        unit=unit,
        n_units=0 if asmv is None else int(asmv[1].max()) + 1,
        frame=frame,
        y=y.astype(float),
        row=rows.astype(np.int64),
        trait=traits.astype(np.int64),
        traits=tuple(names),
        n_dropped_rows=int((~keep_rows).sum()),
        n_missing_y=n_missing,
        notes=notes,
        weights=w_rec,
        weights_column=weights,
        n_missing_w=n_missing_w,
        result_index=result_index,
        result_pos=result_pos,
        missing_rows=missing_rows,
    )


def _warn_missing_weights(dropped: str, rows: pd.Index) -> None:
    """Rows with a response but no weight leave the fit: said with an AsrWarning (in stage 2
    of a two-stage analysis a whole trial can vanish when its stage-1 standard errors are
    NaN, e.g. a trial with no residual degrees of freedom)."""
    import warnings

    from asr_py.warning_classes import AsrWarning

    shown = ", ".join(str(x) for x in rows[:5]) + (" ..." if len(rows) > 5 else "")
    warnings.warn(f"{dropped} (rows {shown}); they are left out of the fit. Give each a "
                  "weight (1/SE² of a stage-1 mean) or drop them explicitly to silence this",
                  AsrWarning, stacklevel=5)


def _warn_missing_x(dropped: str) -> None:
    """asreml's default ``na.method(x = 'fail')`` stops on a missing explanatory value;
    asr_py drops those rows (``na_action={'x': 'omit'}``) and says so with an AsrWarning."""
    import warnings

    from asr_py.warning_classes import AsrWarning

    warnings.warn(dropped + ": asreml (na.method(x = 'fail'), its default) would stop here; "
                  "asr_py omits them. Give na_action={'x': 'omit'} to accept that, {'x': "
                  "'fail'} to stop as asreml, or {'x': 'include'} for asreml's include",
                  AsrWarning, stacklevel=5)


def _copy_on_write() -> bool:
    """True when pandas copies on write (pandas 3; pandas 2 with the option set)."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return bool(getattr(pd.options.mode, "copy_on_write", False) is True)


def _weight_column(data: pd.DataFrame, weights: str | None) -> np.ndarray | None:
    """The weights column as floats (NaN where missing), or None; DataError if it is not a
    numeric column of ``data``."""
    if weights is None:
        return None
    if not isinstance(weights, str):
        raise DataError("weights must be the name of a data column, not "
                        f"{type(weights).__name__}",
                        hint="as asreml's weights = w: asreml(..., weights='w'); add the values "
                             "to the data first, e.g. data['w'] = 1 / data['se']**2")
    if weights not in data.columns:
        import difflib

        close = difflib.get_close_matches(weights, [str(c) for c in data.columns], n=3)
        raise DataError(f"weights column '{weights}' is not in the data",
                        hint=f"did you mean {close}?" if close else
                        "columns: " + ", ".join(str(c) for c in data.columns[:20]))
    col = data[weights]
    try:
        return pd.to_numeric(col, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (ValueError, TypeError):
        raise DataError(f"weights column '{weights}' is not numeric",
                        hint="weights are positive numbers, e.g. 1/SE² of stage-1 "
                             "estimates") from None


def _check_trait_counts(names: list[str], counts: np.ndarray) -> None:
    """A DataError naming the traits of cbind() with no record on the rows the model uses: a
    trait with no data has no variances to estimate (it was fitted with NaN warnings and
    'not identifiable' notes, the other traits' numbers beside them)."""
    empty = [str(n) for n, k in zip(names, counts) if k == 0]
    if empty:
        raise DataError(f"trait{'s' if len(empty) > 1 else ''} "
                        f"{', '.join(repr(e) for e in empty)} of cbind() "
                        f"{'have' if len(empty) > 1 else 'has'} no records: every value is "
                        "missing on the rows the model uses",
                        hint="drop it from cbind(), or check the column (values read as "
                             "missing, rows dropped for missing values in other model "
                             "variables)")
