"""asreml 3's ``ginverse = list(id = M)``: every matrix listed there is an inverse (G⁻¹,
A⁻¹) by definition, whatever attributes it carries; ``ped(id)``/``giv(id)`` become
``vm(id, M)`` (asreml_rules.rewrite_known) and M is flagged as the inverse vm() reads."""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["r_as_ginverse"]


def r_as_ginverse(M: Any) -> Any:
    """A copy of M flagged as an inverse (a RelMatrix, a data frame - full or asreml's
    sparse form - or an array); M itself is not changed."""
    if isinstance(M, Untranslated):
        return M
    if hasattr(M, "matrix") and hasattr(M, "ids") and dataclasses.is_dataclass(M):
        return M if getattr(M, "inverse", False) else dataclasses.replace(M, inverse=True)
    if isinstance(M, pd.DataFrame):
        out = M.copy()
        out.attrs["inverse"] = True
        return out
    if isinstance(M, np.ndarray):
        from asr_py.translate.rbase import r_set_attr

        return r_set_attr(M, "INVERSE", True)
    return M
