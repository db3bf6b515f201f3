"""The layout of asreml 4.1's ``fit$design`` (``asreml.options(design = TRUE)``).

Two things scripts index by column position (asremlPlus's test41Orange.r forms V from
``design[, 3:12]``, ``[, 13:17]``, ... of fits of ``circ ~ x`` and ``circ ~ x + Season``):

* **fixed columns**: asreml's design holds a column for every level of a factor (the level a
  constraint sets to zero too: ``circ ~ x + Season`` has 4 fixed columns, (Intercept), x and
  both seasons; test41Orange.r:62 starts the random columns at 5). A fixed term whose parts
  are data columns (factors and covariates) gets every level combination here, factors of a
  term varying as in asr_py's names (the last fastest); any other term keeps asr_py's columns.
* **random terms in the order written**: ``~ str(~Tree/x, ...) + spl(x) + spl(x):Tree + dev(x)``
  gives the columns of spl(x):Tree before dev(x) and ``~ Tree + Tree:x + spl(x) + dev(x)`` those
  of Tree:x before spl(x) (test41Orange.r:45-49, :77-82), while asr_py keeps its terms in R's
  order of interaction (main effects first). When one written term makes several asr_py terms
  (``at(f, c(1, 2)):x``) or ``and()`` merges two, the written order cannot be matched term for
  term and asr_py's order is kept.

asreml 4.2 lays the design out otherwise (names per factor, ``Tree_1:x``; test42Orange.r puts
spl(x) before the str() term); this follows 4.1, the layout of asr_py's other names.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.reml.sparse_x import as_dense

__all__ = ["fixed_design_columns", "random_terms_written_order"]


def random_terms_written_order(fit: Any, terms: list[Any]) -> list[Any]:
    """``terms`` (the model's random terms) in the order the random formula writes them
    (module docstring); unchanged when they do not map one to one onto written terms."""
    text = getattr(fit, "call", {}).get("random") if hasattr(fit, "call") else None
    if not text or len(terms) < 2:
        return list(terms)
    from asr_py.formula import expand, parse_formula

    try:
        written = expand(parse_formula(str(text)), "random").terms
    except Exception:  # noqa: BLE001 - an unparsable call text: keep asr_py's order
        return list(terms)
    if len(written) != len(terms):
        return list(terms)
    starts = []
    for t in written:
        s = [p.span.start for p in t.parts if p.span is not None]
        if not s:
            return list(terms)
        starts.append(min(s))
    order = sorted(range(len(terms)), key=lambda i: (starts[i], i))
    return [terms[i] for i in order]


def fixed_design_columns(model: Any) -> pd.DataFrame:
    """The fixed part of asreml's design (module docstring): one row per record, every level
    combination of a fixed term made of data columns, asr_py's columns for other terms."""
    fx = model.fixed
    X = as_dense(model.X)
    names = list(fx.names)
    records = model.records
    frame = getattr(records, "frame", None)
    if getattr(records, "multivariate", False) or frame is None or \
            len(records.row) != X.shape[0]:
        return pd.DataFrame(X, columns=names)
    data = frame.iloc[np.asarray(records.row)]
    cols: list[np.ndarray] = []
    out_names: list[str] = []
    for term in fx.terms:
        full = _all_levels(term, data)
        if full is None:
            cols.extend(X[:, j] for j in term.columns)
            out_names.extend(names[j] for j in term.columns)
        else:
            cols.extend(full[1])
            out_names.extend(full[0])
    if sorted(j for t in fx.terms for j in t.columns) != list(range(X.shape[1])):
        return pd.DataFrame(X, columns=names)      # columns not owned term by term
    return pd.DataFrame(np.column_stack(cols) if cols else np.zeros((X.shape[0], 0)),
                        columns=out_names)


def _all_levels(term: Any, data: pd.DataFrame) -> tuple[list[str], list[np.ndarray]] | None:
    """Names and columns of every level combination of a term whose parts are data columns
    (factors: one indicator per level; covariates: their values); None for other terms."""
    parts = str(term.label).split(":")
    if not term.factor_parts or list(term.factors) != parts or \
            any(p not in data.columns for p in parts):
        return None
    names, cols = [""], [np.ones(len(data))]
    for p in parts:
        v = data[p]
        if p in term.factor_parts:
            levels = list(v.cat.categories) if isinstance(v.dtype, pd.CategoricalDtype) \
                else sorted(pd.unique(v.dropna()), key=str)
            vals = v.astype(object).to_numpy()
            pieces = [(f"{p}_{lv}", (vals == lv).astype(float)) for lv in levels]
        elif pd.api.types.is_numeric_dtype(v):
            pieces = [(p, v.to_numpy(dtype=float))]
        else:
            return None
        names = [f"{a}:{b}" if a else b for a in names for b, _ in pieces]
        cols = [c * w for c in cols for _, w in pieces]
    return names, cols
