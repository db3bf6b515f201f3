"""asreml's ``Csparse`` in translated scripts: ``asreml.options(Csparse = ~ t1 + t2)`` (or
``asreml(..., Csparse = ~ t)``) asks the later fits for the cells of C⁻¹ within those terms'
blocks, read as ``fit$Csparse`` / ``fit[["Csparse"]]`` (see
:mod:`asr_py.results.csparse`). The option's formula is held on the fit it was active for,
as asreml computes the component when fitting; without it ``fit$Csparse`` is R's NULL."""

from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["r_csparse", "r_with_csparse"]

_ATTR = "_csparse_terms"


def r_with_csparse(fit: Any, terms: Any) -> Any:
    """The fit, remembering the Csparse formula active when it was fitted (None: none)."""
    if terms is not None and not isinstance(fit, Untranslated):
        try:
            object.__setattr__(fit, _ATTR, str(terms))
        except AttributeError:          # update() of another kind of fit: no Csparse
            pass
    return fit


def r_csparse(fit: Any) -> pd.DataFrame | None:
    """``fit$Csparse``: rows (row, column, Cij) named by term; None (R's NULL) when no
    Csparse formula was set for the fit."""
    if isinstance(fit, Untranslated):
        return fit._use()
    terms = getattr(fit, _ATTR, None)
    if terms is None:
        return None
    return fit.csparse(terms)
