"""asreml's ``fit$linear.predictors``: the fitted linear predictor of each data row.

R semantics kept (asreml-R 4 ``asreml.object``: "linear.predictors: the fit on the linear
predictor scale"): η̂ = Xβ̂ + Zû for each row of the data, the rows with a missing response
included (asreml's default ``na.method(y = "include")``). For a Gaussian fit the link is
the identity, so it equals ``fitted.values``; for a GLMM (``family = asr_binomial()``,
``asr_poisson()``, ...) it is η̂ before the inverse link, where ``fitted.values`` is μ̂.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["r_linear_predictors"]


def r_linear_predictors(fit: Any) -> pd.Series:
    """``fit$linear.predictors``: see the module docstring."""
    if isinstance(fit, Untranslated):
        raise fit._needs_value("fit$linear.predictors")
    eta = getattr(fit, "linear_predictor", None)      # a GLMM's η̂ (asr_py.glmm)
    return eta if eta is not None else fit.fitted
