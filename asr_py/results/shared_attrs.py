"""Matrices a prediction table carries in ``DataFrame.attrs`` (SED, vcov, avsed), shared.

pandas propagates ``attrs`` by ``copy.deepcopy`` into every object derived from a table
(``df['x']``, ``df.head()``, ``df.sort_values(...)``, a filtered copy): an n × n SED of
8 000 predictions is 512 MB per derived object. And ``pd.concat`` / ``merge`` of two tables
keep ``attrs`` only when ``all(a.attrs == b.attrs)``, which asks ``bool(frame == frame)``, an
error for DataFrames ("The truth value of a DataFrame is ambiguous"): concatenating two
``predict(..., sed=True)`` tables failed.

:class:`SharedFrame` / :class:`SharedSeries` are the same DataFrame / Series with two
changes: a deep copy returns the object itself (the derived tables share one matrix; take
``.copy()`` for one of your own to modify), and ``a == b`` is the element-wise comparison as
always, whose truth value — where pandas raises — is "all elements equal" (NaN ≠ NaN), so
concat keeps the attrs of tables carrying one matrix and drops them otherwise. Every
operation on them returns a plain DataFrame / Series.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SharedFrame", "SharedSeries", "shared"]


class _FrameComparison(pd.DataFrame):
    """``a == b`` of a SharedFrame: element-wise; ``bool()`` is 'every element equal'."""

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def __bool__(self) -> bool:
        return bool(np.asarray(self, dtype=bool).all())


class _SeriesComparison(pd.Series):
    """``a == b`` of a SharedSeries: element-wise; ``bool()`` is 'every element equal'."""

    @property
    def _constructor(self) -> type[pd.Series]:
        return pd.Series

    def __bool__(self) -> bool:
        return bool(np.asarray(self, dtype=bool).all())


class SharedFrame(pd.DataFrame):
    """A DataFrame held in ``attrs``: deep copies share it; ``==`` has a truth value."""

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedFrame:
        return self

    def __eq__(self, other: object) -> Any:  # type: ignore[override]
        if isinstance(other, pd.DataFrame) and (other.shape != self.shape or not (
                other.index.equals(self.index) and other.columns.equals(self.columns))):
            return False  # pandas would raise on unlike labels; attrs differ then
        return _FrameComparison(pd.DataFrame.__eq__(self, other))

    __hash__ = None  # type: ignore[assignment]


class SharedSeries(pd.Series):
    """A Series held in ``attrs``: deep copies share it; ``==`` has a truth value."""

    @property
    def _constructor(self) -> type[pd.Series]:
        return pd.Series

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedSeries:
        return self

    def __eq__(self, other: object) -> Any:  # type: ignore[override]
        if isinstance(other, pd.Series) and not other.index.equals(self.index):
            return False
        return _SeriesComparison(pd.Series.__eq__(self, other))

    __hash__ = None  # type: ignore[assignment]


def shared(obj: pd.DataFrame | pd.Series) -> SharedFrame | SharedSeries:
    """``obj`` as a :class:`SharedFrame` / :class:`SharedSeries` (no copy of its values)."""
    if isinstance(obj, pd.Series):
        return SharedSeries(obj, copy=False)
    return SharedFrame(obj, copy=False)
