"""asreml-R 4's ``predict(fit, classify, sed = TRUE)$sed`` when no prediction is estimable.

asreml 4 then leaves the ``sed`` component out of the list it returns, so ``pred$sed`` is
NULL (asremlPlus's predictPlus stops on it: "predict.asreml has not returned the sed
component for the predictions as requested", its tests test41/42PredictionsPresentation.r).
asr_py's predictions carry an all-NaN SED matrix there (:mod:`asr_py.results.predict`);
:func:`r_pred_sed` reads ``pred$sed`` as R would: the SED matrix when some prediction is
estimable, None (R's NULL) when none is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["r_pred_sed"]


def r_pred_sed(pred: Any) -> Any:
    """``pred$sed`` of a prediction table (module docstring)."""
    if isinstance(pred, Untranslated):
        return pred._use()
    sed = pred.attrs.get("sed")
    if sed is None:
        return None
    if isinstance(pred, pd.DataFrame) and "status" in pred.columns:
        # the column's values without pred["status"]: pandas deep-copies attrs (the SED
        # matrix itself) into every Series derived from the table (GIS-FA_Mallawi's
        # fa_outs.R reads pred$sed 4 times per environment, 8109 x 8109)
        j = list(pred.columns).index("status")
        status = pred.to_numpy(dtype=object)[:, j]
        if not any(str(v) == "Estimable" for v in status):
            return None
    elif np.isnan(np.asarray(sed, dtype=float)).all():
        return None
    return sed
