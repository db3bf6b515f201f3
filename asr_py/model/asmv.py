"""asreml's ``asmv = trait``: a multivariate model whose data are already in long format.

The data hold one row per unit and trait (the response in one column, the trait in the
factor ``trait`` names) and the rows of one unit are the unit's multivariate record. asreml
finds the units by the data order, not by a column (ASReml-S reference manual 3.15.1: the
data frame "has been expanded into a univariate form outside asreml ... the order of terms
in the rcov formula must reflect the data order"; the standalone ``!ASMV t``: "t nested
within n units", analysed with the residual IDENTITY(units) ⊗ US(traits)). With n rows and
t trait levels there are u = n / t units:

* residual ``units:us(trait)`` (units first, asreml's default with asmv): the traits are
  nested within units, row k (from 0) belongs to unit ⌊k / t⌋;
* residual ``us(trait):units`` (trait first): the units are nested within traits, row k
  belongs to unit k mod u;
* a residual split into sections by the trait (``at(trait):units``, ``dsum(~ units |
  trait)``): no two traits share a covariance, so either order is taken (the first that
  fits).

``units`` then has u levels, R = I_u ⊗ Σ over the (unit, trait) cells, and every other term
reads each row's own values (a row's weight, its environment, ...). A missing response keeps
its row (asreml's ``na.method(y = 'include')``), so the grid stays whole: the rows enter the
count and only their records leave the fit, as a missing trait of a ``cbind`` model.

asr_py checks what asreml takes on trust: n must be a multiple of t, and each unit must hold
each trait exactly once; otherwise a DataError says which unit breaks the pattern (the
residual would pair records of different units, or two records of one trait).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from asr_py.errors import DataError
from asr_py.formula.ast import Arg, Call, Expr, Name, Paren

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from asr_py.formula.expand import TermList

__all__ = ["asmv_units", "default_residual"]


def _mentions(p: Expr, name: str) -> bool:
    if isinstance(p, Name):
        return p.name == name
    if isinstance(p, Call):
        return any(_mentions(a.value, name) for a in p.args)
    if isinstance(p, Paren):
        return _mentions(p.expr, name)
    return False


def _sections(p: Expr) -> bool:
    return isinstance(p, Call) and p.func in ("at", "dsum")


def traits_outer(resid_terms: TermList | None, trait: str) -> bool | None:
    """Whether the residual puts the trait factor before ``units`` (``us(trait):units``):
    the data are then units nested within traits. The default (no residual, or ``units``
    first) is traits nested within units. None when the trait only splits the residual
    into sections (``at(trait):units``, ``dsum(~ units | trait)``): no two traits share a
    covariance, and either order of the data is taken."""
    if resid_terms is None or len(resid_terms.terms) != 1:
        return False
    parts = resid_terms.terms[0].parts
    if any(_sections(p) and _mentions(p, trait) for p in parts) and \
            not any(_mentions(p, trait) for p in parts if not _sections(p)):
        return None
    where_t = [i for i, p in enumerate(parts) if _mentions(p, trait)]
    where_u = [i for i, p in enumerate(parts) if _mentions(p, "units")]
    return bool(where_t and where_u and where_t[0] < where_u[0])


def default_residual(trait: str) -> tuple[Expr, ...]:
    """asreml's residual for ``asmv`` data: ``units:us(trait)``."""
    return (Name("units"), Call("us", (Arg(Name(trait)),)))


def asmv_units(data: pd.DataFrame, trait: str, resid_terms: TermList | None) -> np.ndarray:
    """The unit (0, ..., u − 1) of every data row, by the data order (module docstring)."""
    from asr_py.model.data import level_labels, make_factor

    if not isinstance(trait, str) or trait not in data.columns:
        cols = ", ".join(str(c) for c in list(data.columns)[:12])
        raise DataError(f"asmv={trait!r} is not a column of the data",
                        hint="asmv names the long data's trait factor, e.g. asmv='trait' "
                             f"(columns: {cols})")
    col = data[trait]
    if col.isna().any():
        rows = [str(x) for x in data.index[col.isna().to_numpy()][:5]]
        raise DataError(f"asmv='{trait}': the trait column is missing on rows "
                        f"{', '.join(rows)}",
                        hint="every row of long-format data names its trait; a missing "
                             "measurement is a row with the response NA")
    levels = level_labels(col)
    codes = make_factor(col, levels).codes
    present = np.unique(codes)
    t, n = present.size, len(data)
    if n % t:
        raise DataError(f"asmv='{trait}': {n} rows are not a whole number of units of "
                        f"{t} traits ({', '.join(levels[i] for i in present)})",
                        hint="long-format data need one row per unit and trait, a row with "
                             "the response NA where a trait was not measured (e.g. "
                             "pivot to wide and back, or use cbind(y1, y2) ~ trait)")
    u = n // t
    pos = np.arange(n)
    order = traits_outer(resid_terms, trait)
    k = int(codes.max()) + 1
    for outer in ([False, True] if order is None else [order]):
        unit = pos % u if outer else pos // t
        key = unit * k + codes                 # each unit holds each trait once
        if np.unique(key).size == n:
            break
    else:
        first = int(np.flatnonzero(np.bincount(key) > 1)[0])
        bad = first // k
        rows = np.flatnonzero(unit == bad)
        labels = [f"{data.index[r]} ({col.iloc[r]})" for r in rows[:6]]
        order = ("units nested within traits (residual trait first)" if outer else
                 "traits nested within units (residual units first)")
        raise DataError(f"asmv='{trait}': unit {bad + 1} (rows {', '.join(labels)}) does not "
                        f"hold each of the {t} traits once; the data order must be {order}, "
                        "as asreml reads it",
                        hint=(f"sort the data, e.g. d.sort_values([{trait!r}, <unit columns>])"
                              if outer else
                              f"sort the data, e.g. d.sort_values([<unit columns>, {trait!r}])")
                        + ", with a row (response NA) for each trait not measured")
    return unit.astype(np.int64)
