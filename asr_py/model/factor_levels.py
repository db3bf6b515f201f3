"""An R factor's levels where a level's position enters the model.

asr_py's factor levels are those its records use (:func:`~asr_py.model.data.level_labels`);
asreml's are the R factor's, ``levels(f)``, unused ones included (a pandas Categorical's
categories, as pyreadr and ``astype('category')`` keep them). The two fit the same model
wherever an effect's covariance does not depend on where its level sits (``id``, ``diag``,
``us``, ... over a factor: an unused level's effects have no records, and their block of
G cancels between log|G| and log|C|). They differ where it does:

* ``str(~ f:pol(x, 2), ~ us(3):id(f))``, whose direct product does not follow the nesting
  of its effects (:mod:`~asr_py.model.str_order`): each covariance couples effects by
  position, and the positions are those of the 3 × levels(f) grid;
* a spatial structure over a factor (``ar1(Row)``, ``ar2``, ``ma1``, ...): an unused level
  between two used ones is a lag (:mod:`~asr_py.model.residual_levels`).

There the R factor's levels are kept, as asreml does: AaronRendahl/Jane-asreml-modeling's
TBFM fit (asreml 3, ``str(~ Number_ID:pol(time, 2), ~ us(3):id(Number_ID))``, 69 of 82
horses with records) prints LogLik −1829.5071, the REML log-likelihood with 3 × 82
positions at its estimates (with 3 × 69: −1846.4141, another model).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pandas as pd

from asr_py.formula.ast import Name
from asr_py.model.data import level_labels

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.model.blocks import Context

__all__ = ["r_factor_levels", "restore_levels", "with_r_factor_levels"]


def r_factor_levels(values: pd.Series) -> tuple[str, ...] | None:
    """``levels(f)`` of an R factor: a Categorical's categories as text, in their order,
    unused ones included; None for a column that is not a Categorical."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return None
    cats = values.array.categories
    return tuple(str(c) for c in (cats.tolist() if isinstance(cats.dtype, pd.StringDtype)
                                  else cats.astype(str).tolist()))


@contextmanager
def with_r_factor_levels(ctx: Context, names: Iterable[str]) -> Iterator[None]:
    """While a term's blocks are built, each Categorical column of ``names`` has all its
    categories as levels (``ctx.levels`` is put back afterwards: other terms keep the
    levels of the records)."""
    saved: dict[str, tuple[str, ...] | None] = {}
    for name in dict.fromkeys(names):
        if name not in ctx.frame.columns:
            continue
        full = r_factor_levels(ctx.frame[name])
        if full is None:
            continue
        current = ctx.levels.get(name) or level_labels(ctx.record_values(Name(name)))
        if len(full) > len(current) and set(current) <= set(full):
            saved[name] = ctx.levels.get(name)
            ctx.levels[name] = full
    try:
        yield
    finally:
        restore_levels(ctx, saved)


def restore_levels(ctx: Context, saved: dict[str, tuple[str, ...] | None]) -> None:
    """Put back the ``ctx.levels`` entries a term's build replaced (None: there was none)."""
    for name, lv in saved.items():
        if lv is None:
            ctx.levels.pop(name, None)
        else:
            ctx.levels[name] = lv
