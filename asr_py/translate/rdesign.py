"""asreml's ``fit$design`` (``asreml.options(design = TRUE)``) for translated scripts.

The design matrix [X Z] of the records the fit used, one row per record: X's columns named
as the fixed effects (``fit.coef_fixed``'s index), each random term's Z columns as its
effects are named (``fit.coef_random``'s index, ``term_level``), so a script's
``grepl("Smarthouse:spl(vLanes)", colnames(fit$design), fixed = TRUE)`` picks that term's
columns. Dense: scripts form Z Zᵀ from it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from asr_py.errors import AsrError

__all__ = ["r_design"]


def r_design(fit: Any) -> pd.DataFrame:
    """The design matrix [X Z] of ``fit`` as a DataFrame (module docstring)."""
    model = getattr(fit, "model", None)
    if model is None or not hasattr(model, "fixed"):
        raise AsrError("fit$design: not an asr_py fit", hint="use it on an asr.asreml() fit")
    parts = [pd.DataFrame(np.asarray(model.X, dtype=float), columns=list(model.fixed.names))]
    for t in model.random:
        z = t.Z.toarray() if sp.issparse(t.Z) else np.asarray(t.Z, dtype=float)
        levels = list(t.levels)
        names = [f"{t.label}_{lv}" for lv in levels] if len(levels) == z.shape[1] else [
            f"{t.label}_{i + 1}" for i in range(z.shape[1])]
        parts.append(pd.DataFrame(z, columns=names))
    return pd.concat(parts, axis=1)
