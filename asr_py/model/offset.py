"""``offset(x)`` in the fixed formula: a known term with coefficient 1 (R's ``glm``/``lmer``
offset, as asreml takes it).

    η = o + Xβ + Zu,   o = x evaluated on the data (``offset(log(expo))``, ``offset(0.8 * d)``)

The term is taken out of the fixed formula before the model is compiled (it has no
coefficient, no column of X and no Wald row). A Gaussian fit is REML of y − o on the rest:
ℓ, β̂, û and the residuals are those of the model with the offset, and the fitted values
add o back. A GLMM's working-variate iteration fits z − o and adds o to the linear predictor
(:func:`asr_py.glmm.pql.fit_pql`). Several offsets add up, as in R.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from asr_py.errors import DataError, FormulaError
from asr_py.formula import parse_formula
from asr_py.formula.ast import Expr
from asr_py.formula.model import split_offsets
from asr_py.model.data import numeric_value

__all__ = ["offset_values", "split_offset"]


def split_offset(fixed: object) -> tuple[object, list[Expr], str]:
    """(the fixed formula without its top-level ``offset(...)`` terms, the offset
    expressions, the original text). A formula without offset comes back unchanged."""
    if not isinstance(fixed, str) or "offset" not in fixed:
        return fixed, [], fixed if isinstance(fixed, str) else ""
    f = parse_formula(fixed, "fixed")
    rest, offs = split_offsets(f)
    if not offs:
        return fixed, [], fixed
    for c in offs:
        if len(c.args) != 1 or c.args[0].name is not None:
            raise FormulaError.at("offset() takes one expression, e.g. offset(log(n))",
                                  c.span, text=fixed, formula="fixed",
                                  hint="write one offset() per known term")
    return str(rest), [c.args[0].value for c in offs], fixed


def offset_values(exprs: list[Expr], frame: pd.DataFrame, row: np.ndarray, text: str,
                  multivariate: bool) -> np.ndarray | None:
    """o per record: the sum of the offsets evaluated on the data rows used (``frame``,
    ``row`` from the model's records); None without offsets."""
    if not exprs:
        return None
    if multivariate:
        raise FormulaError("offset() in a multivariate fit is not available in asr_py",
                           formula="fixed", hint="fit each trait on its own with its offset")
    o = np.zeros(len(frame))
    for e in exprs:
        o = o + numeric_value(e, frame, text, "fixed")
    bad = ~np.isfinite(o)
    if bad.any():
        raise DataError(f"offset(): {int(bad.sum())} row(s) used by the fit have a missing or "
                        f"non-finite offset ({', '.join(str(e) for e in exprs)})",
                        hint="drop those rows (subset=) or give every row its known term")
    return o[np.asarray(row)]
