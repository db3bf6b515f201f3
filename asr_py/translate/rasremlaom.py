"""asreml-R's ``fit$aom`` of a fit made with ``aom = TRUE`` (alternative outlier model
statistics): ``list(R = , G = )`` as ASReml-R 4 returns it, from the engine's
:meth:`asr_py.results.fit.AsremlFit.aom` (:mod:`asr_py.results.residual_diagnostics`).

* ``R``: one row per data row (NA where the response is missing, as asreml's residuals),
  columns ``rinvE`` = (R⁻¹ê)_i and ``stdCondRes`` = ê_i / sqrt(Var(ê)_ii) with
  Var(ê) = R − W C⁻¹ W' (scripts read ``fit$aom$R[, 2]`` or ``[, "stdCondRes"]`` and flag
  |value| > 3 or 3.5 as outliers);
* ``G``: one row per random effect, columns ``ginvU`` (G⁻¹û: not formed here, NaN) and
  ``stdCondBlup`` = û_j / sqrt(Var(û)_jj), Var(û) = G − PEV.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["r_aom"]


def r_aom(fit: Any) -> dict[str, pd.DataFrame]:
    """``fit$aom`` (module docstring)."""
    if isinstance(fit, Untranslated):
        return fit._use()  # type: ignore[return-value]
    stats = fit.aom()
    rec = stats["R"]
    r = pd.DataFrame({
        "rinvE": fit._by_data_row(rec["Py"].to_numpy(), "rinvE").to_numpy(),
        "stdCondRes": fit._by_data_row(rec["stdCond"].to_numpy(), "stdCondRes").to_numpy()})
    g_stats = stats["G"]
    g = pd.DataFrame({"ginvU": np.full(len(g_stats), np.nan),
                      "stdCondBlup": g_stats["stdCond"].to_numpy(dtype=float)},
                     index=g_stats.index)
    return {"R": r, "G": g}
