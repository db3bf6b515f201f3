"""asreml 4's ``fit$mf``: the model frame of a fit.

A data frame of the data columns the model uses (response, fixed, random, residual and
sparse formulas; known matrices named in ``vm()``/``giv()`` are not columns), in the order
they have in the data, with one row per data row the fit used (rows dropped for a missing
explanatory value are not; rows with a missing response are in it with asreml's default
``na.method(y = "include")``, not with ``na_action={'y': 'omit'}``). The data's row labels
are kept.

The column order is the data's, not the formula's: the AGENTproject genebank notebooks read
the response of ``trait ~ accenumb, random = ~campaign`` fitted to a data frame with columns
(accenumb, campaign, trait) as ``colnames(fit$mf)[3]``, and their shipped outputs (.ipynb)
print that trait's name. asreml's own extra columns (its internal ``units``, ``mv``) are not
added: no script read seen uses them.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["model_frame"]


def model_frame(fit: Any) -> pd.DataFrame:
    """The model frame of ``fit`` (see the module docstring)."""
    from asr_py.model.spec import _used_columns

    model = fit.model
    rec = model.records
    frame = rec.frame
    mf = model.formula
    exprs: list[Any] = [mf.fixed.lhs] if mf.fixed.lhs is not None else []
    exprs.append(mf.fixed.rhs)
    for f in (mf.random, mf.residual, mf.sparse):
        if f is not None:
            exprs.append(f.rhs)
    skip = set(getattr(model.context, "matrices", {}) or {})
    used = set(_used_columns(exprs, frame, skip))
    if rec.weights_column and rec.weights_column in frame.columns:
        used.add(rec.weights_column)
    cols = [c for c in frame.columns if c in used]
    data = fit.call.get("data")
    if rec.result_index is not None and isinstance(data, pd.DataFrame) and \
            data.index.is_unique and set(cols) <= set(data.columns):
        # na.method(y = "include"): the rows reported, a missing response's row too
        return data.loc[rec.result_index, cols]
    pos = np.unique(np.asarray(rec.row))
    return frame.iloc[pos][cols]
