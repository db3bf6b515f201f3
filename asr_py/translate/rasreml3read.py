"""asreml 3's ``asreml.read.table(file, header, sep, ...)`` for translated scripts.

ASReml-R 3's reader is R's ``read.table`` with one change: the columns whose names begin
with a capital letter become factors (``Variety``, ``Rep``, ``Row`` are factors; ``yield``
stays a variate), the convention of its reference manual's data sets (nin89: ``Variety``,
``Rep``, ``Row``, ``Column`` factors; ``yield``, ``lat``, ``long`` variates). The call is
translated as ``read.table`` with the same arguments (so ``header`` defaults to FALSE) and
:func:`r_capital_factors` applied to the result: each such column holds its values as the
text R prints for the factor's labels (:func:`asr_py.translate.runtime.r_labels`), which
asr.asreml fits as a factor; a missing value stays missing.
"""

from __future__ import annotations

from typing import Any

from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_capital_factors", "translate"]

FUNCTIONS = frozenset({"asreml.read.table", "asreml::asreml.read.table"})


def translate(tr: Any, e: R) -> str | None:
    """``asreml.read.table(f, header = TRUE)`` -> ``r_capital_factors(<read.table(f, ...)>)``."""
    inner = R("call", "read.table", e.args, start=e.start, end=e.end)
    return f"{tr.runtime('r_capital_factors')}({tr.read_table(inner)})"


def r_capital_factors(df: Any) -> Any:
    """``df`` with every column whose name begins with a capital letter made a factor (its
    values as R's factor labels; missing values kept)."""
    from asr_py.translate.runtime import r_labels

    out = df.copy()
    for c in out.columns:
        if isinstance(c, str) and c[:1].isupper():
            out[c] = r_labels(out[c])
    return out
