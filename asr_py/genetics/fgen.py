"""Inbred lines: asreml's ``ainverse(pedigree, fgen = list("col", f))`` (ASReml's ``!FGEN``).

The column ``col`` gives each individual's level of selfing: 0 a simple cross, t ≥ 1 a cross
selfed t times (as cereal lines are before they are tested or crossed); for a base
individual (no parents) a value strictly between 0 and 1 is its inbreeding coefficient.
Implicit individuals (parents not listed as individuals) have inbreeding ``f``
(asreml: 0 < f < 1; default none). Selfing does not change a line's relationship to
others (each selfed generation has one parent, twice: A_{x', j} = A_{x, j}), only its own
inbreeding: with F_c = A_{s d}/2 the cross's (0 when a parent is unknown),

    F_i = 1 − (1 − F_c) / 2^t,

so A_ij = (A_sj + A_dj)/2 as for any cross and A_ii = 1 + F_i, and the Mendelian-sampling
variance of A = L D L' grows by F_i − F_c (a_jj = 2 − 0.5^(n−1) + 0.5^n a_sd with n = t + 1
generations, Oakey et al. 2006, Theor. Appl. Genet. 113:809).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import PedigreeError

__all__ = ["Fgen", "check_fgen", "fgen_arrays", "line_inbreeding"]


@dataclass
class Fgen:
    """Per animal (sorted pedigree order): selfing generations ``t`` (0: a cross) and a base
    inbreeding ``base`` (NaN where the animal's F follows from its parents and t)."""

    t: np.ndarray
    base: np.ndarray


def check_fgen(fgen: Any) -> tuple[str, float | None] | None:
    """(column, implicit individuals' inbreeding or None) from ``fgen``: a column name, or
    asreml's ``list("col", f)``; None (or asreml's ``character(0)``) for no fgen."""
    if fgen is None:
        return None
    if isinstance(fgen, str):
        return fgen, None
    items = list(fgen)
    if not items or (isinstance(items[0], (list, tuple)) and not items[0]):
        return None
    col = items[0]
    if not isinstance(col, str):
        raise PedigreeError(f"fgen= names a pedigree column, not {col!r}",
                            hint="fgen=('Selfing', 0.01): the column of selfing levels and "
                            "the inbreeding of implicit individuals")
    f = None
    if len(items) > 1 and items[1] is not None:
        f = float(items[1])
        if not 0.0 < f < 1.0:
            raise PedigreeError(f"fgen's inbreeding of implicit individuals is {f:g}; asreml "
                                "takes 0 < f < 1",
                                hint="fgen=('Selfing', 0.01), or fgen='Selfing' for "
                                "non-inbred implicit individuals")
    return col, f


def fgen_arrays(values: pd.Series, listed: np.ndarray, has_parent: np.ndarray,
                implicit: float | None, ids: np.ndarray, col: str) -> Fgen:
    """The :class:`Fgen` of the sorted animals from the column's ``values`` (indexed by id;
    ``listed`` marks animals of the pedigree's first field, the others are implicit)."""
    v = values.reindex(pd.Index(ids, dtype=object)).to_numpy(dtype=float)
    v = np.where(np.isnan(v), 0.0, v)
    t = np.zeros(ids.size)
    base = np.full(ids.size, np.nan)
    frac = (v > 0) & (v < 1)
    bad = frac & has_parent
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise PedigreeError(f"fgen column '{col}': animal {ids[k]!r} has parents but the "
                            f"value {v[k]:g}, not a whole number of selfing generations",
                            hint="0 a cross, 1 selfed once, ...; a value between 0 and 1 "
                            "(an inbreeding coefficient) only for a base individual")
    odd = ~frac & ((v < 0) | (v != np.round(v)))
    if odd.any():
        k = int(np.flatnonzero(odd)[0])
        raise PedigreeError(f"fgen column '{col}': animal {ids[k]!r} has {v[k]:g}",
                            hint="0 a cross, t a cross selfed t times, 0 < F < 1 the "
                            "inbreeding of a base individual")
    base[frac] = v[frac]
    t[~frac] = v[~frac]
    if implicit is not None:
        base[~listed] = implicit
        t[~listed] = 0.0
    return Fgen(t, base)


def line_inbreeding(F_cross: np.ndarray, fg: Fgen, idx: np.ndarray | slice) -> np.ndarray:
    """F_i = 1 − (1 − F_c)/2^t, or the base value where one is given."""
    t, base = fg.t[idx], fg.base[idx]
    F = 1.0 - (1.0 - F_cross) * np.power(0.5, t)
    return np.where(np.isnan(base), F, base)
