"""R's ``format(x, digits = NULL, nsmall = 0)`` of a numeric vector: the common layout
R prints (rasmatrix.r_format_numbers: ``digits`` significant digits for the most demanding
value, fixed notation unless scientific is narrower, right-justified to one width), with at
least ``nsmall`` decimals in fixed notation (``format(2, nsmall = 2)`` is "2.00"). Text is
padded on the right to its longest element. One value gives a string, several a list."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated


def r_format(x: Any, digits: int | None = None, nsmall: int = 0) -> Any:
    """R's ``format(x, digits, nsmall)`` of a number or text vector."""
    from asr_py.translate.rasmatrix import r_format_numbers

    if isinstance(x, Untranslated):
        return x._use()
    vals = list(x.values()) if isinstance(x, dict) else list(np.ravel(np.asarray(
        x.to_numpy() if isinstance(x, pd.Series) else x, dtype=object)))
    if all(isinstance(v, str) or v is None for v in vals):
        width = max([len(v) for v in vals if v is not None] + [2])
        out = ["NA".ljust(width) if v is None else v.ljust(width) for v in vals]
    else:
        out = [s if s is not None else "NA" for s in
               r_format_numbers(vals, 7 if digits is None else int(digits))]
        fin = [s.strip() for s in out if s.strip() not in ("NA", "Inf", "-Inf", "NaN")]
        if nsmall and fin and not any("e" in s for s in fin):
            have = max(len(s.partition(".")[2]) for s in fin)
            if have < nsmall:
                out = ["NA" if s.strip() == "NA" else f"{float(s):.{int(nsmall)}f}"
                       for s in out]
        width = max(len(s) for s in out) if out else 0
        out = [s.strip().rjust(width) for s in out]
    return out[0] if len(out) == 1 and np.ndim(x) == 0 else out
