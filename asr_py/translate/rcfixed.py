"""asreml's ``fit$Cfixed`` (``Cfixed = TRUE``) for translated scripts: the variance matrix of
the fixed effects (the fixed-effect block of the inverse mixed-model coefficient matrix,
scaled: its diagonal's square roots are the standard errors of ``coef_fixed``).

asreml 4 returns it as a symmetric matrix named by the coefficients (``C["a", "b"]``);
asreml 3 returned its lower triangle row by row, i.e. the upper triangle column by column,
which scripts put back with ``C[upper.tri(C, diag = TRUE)] <- fit$Cfixed``. Its rows are
those of ``fit$coefficients$fixed`` (``coef_fixed_all(order)``: every level, in the order the
script's asreml version uses), the reference and aliased ones zero rows and columns.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["r_cfixed"]


def r_cfixed(fit: Any, packed: bool = False, order: str = "model") -> Any:
    """``fit$Cfixed``: a labelled matrix, or with ``packed`` the upper triangle column by
    column (asreml 3's vector); rows as ``fit.coef_fixed_all(order)``."""
    if isinstance(fit, Untranslated):
        return fit._use()
    names = list(fit.coef_fixed_all(order).index)
    v: pd.DataFrame = fit.vcov_fixed.reindex(index=names, columns=names, fill_value=0.0)
    if not packed:
        return v
    a = v.to_numpy()
    rows, cols = np.triu_indices(a.shape[0])
    order = np.lexsort((rows, cols))           # column-major: by column, then row
    return a[rows[order], cols[order]]
