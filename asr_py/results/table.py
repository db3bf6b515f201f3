"""A DataFrame that prints within 80 columns (test tables: wald(), lrt()).

The values keep full precision; only the printed form is compact: floats with
:data:`DIGITS` significant digits and, if the table is still wider than :data:`WIDTH`,
its columns wrapped into blocks (pandas would elide the middle ones with '...').
"""

from __future__ import annotations

import pandas as pd

#: significant digits of printed floats
DIGITS = 4
#: printed line width
WIDTH = 80


def _fmt(v: float) -> str:
    return f"{v:.{DIGITS}g}"


class ResultTable(pd.DataFrame):
    """A :class:`pandas.DataFrame` whose ``print()``/``repr()`` fits :data:`WIDTH` columns."""

    @property
    def _constructor(self) -> type[ResultTable]:
        return ResultTable

    def __repr__(self) -> str:
        return self.to_string(float_format=_fmt, line_width=WIDTH)

    def __str__(self) -> str:
        return self.__repr__()
