"""The levels of a spatial structure's factor (residual or random): those of the whole data,
not only the records with a response.

asreml's default ``na.method(y = "include")`` keeps the data rows whose response is missing
as records (their residuals are reported as NaN). A residual variance model is over the
levels of its factors in those rows too: a field row or column whose plots all lack a
response keeps its place in the grid, so ``ar1(Row)`` correlates rows 10 and 14 as ρ⁴, not
as neighbours when rows 11-13 are empty. The observed records pick their cells of the full
grid (:class:`~asr_py.vcov.composite.Subset`), whose covariance is the marginal one:
R_obs = R[obs, obs].
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pandas as pd

from asr_py.formula.ast import Call, Expr, Name, Paren
from asr_py.formula.functions import spatial_functions
from asr_py.model.data import level_labels
from asr_py.model.factor_levels import restore_levels, with_r_factor_levels
from asr_py.model.trait_factor import is_response_trait

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.model.blocks import Context


def _part_names(e: Expr) -> list[str]:
    """The factors of a term's parts that index ordered positions or coordinates: the
    positional names of a spatial structure call (``ar1(Row)``, ``sar2(Col)``, ``exp(x)``:
    :func:`~asr_py.formula.functions.spatial_functions`). Only there does a level without a
    response change the model (the lags between the others); an ``idh(env)`` level without
    one would only add a variance no record informs."""
    if isinstance(e, Paren):
        return _part_names(e.expr)
    if isinstance(e, Call) and e.func in spatial_functions():
        return [a.name for a in e.positional() if isinstance(a, Name)]
    return []


@contextmanager
def whole_data_levels(ctx: Context, parts: tuple[Expr, ...]) -> Iterator[None]:
    """While a term's blocks are built, each spatial factor of ``parts`` has the levels of
    its records and of the data rows kept with a missing response (``ctx.levels`` is put
    back afterwards: other terms keep the levels of the records)."""
    miss = ctx.records.missing_rows
    saved: dict[str, tuple[str, ...] | None] = {}
    if miss is not None and len(miss):
        for name in dict.fromkeys(n for p in parts for n in _part_names(p)):
            if (name == "units" or name not in miss.columns or name not in ctx.frame.columns
                    or is_response_trait(name, ctx.records)):
                continue
            rec = ctx.record_values(Name(name))
            if not isinstance(rec.dtype, pd.CategoricalDtype) and \
                    pd.api.types.is_float_dtype(rec) and not _whole(rec):
                continue                     # a coordinate covariate, not a factor
            union = level_labels(pd.concat([rec, miss[name]], ignore_index=True))
            current = ctx.levels.get(name) or level_labels(rec)
            if len(union) > len(current):
                saved[name] = ctx.levels.get(name)
                ctx.levels[name] = union
    try:
        # an R factor's unused levels are positions too (asreml: levels(f); factor_levels.py)
        with with_r_factor_levels(ctx, [n for p in parts for n in _part_names(p)
                                        if n != "units"]):
            yield
    finally:
        restore_levels(ctx, saved)


def _whole(s: pd.Series) -> bool:
    v = s.dropna().to_numpy(dtype=float)
    return bool((v == v.round()).all())
