"""The grid of a prediction: which cells are averaged into each prediction, with what weight.

A prediction is a weighted average of cells, a cell being one level of every classify
variable and of every averaged factor. With classify combinations c = 1..K and the cells of
the averaged factors a = 1..M (all combinations, a product), the weight of cell (c, a) is

    w_ca = Π_f w_f(a_f) · 1[(c, a) present] / Σ_a' (same),

w_f the weights of factor f (equal by default, asreml's ``average=`` sets others) and the
indicator restricting the ``present=`` factors to the combinations seen in the data. A
classify combination with no present cell is not predicted (``Grid.present``). With present
weights (asreml's ``prwts``, ASReml's !PRWTS: the weights the present machinery uses in place
of its equal ones) the indicator becomes the weight p(c, a) of the present factors'
combination in the user's table:

    w_ca = Π_f w_f(a_f) · p(c, a) · 1[(c, a) present] / Σ_a' (same),

so each prediction is the p-weighted average of its present cells (weights normalised over
them, as the present machinery's equal weights are); one whose present cells all weigh 0
is not predicted.
``parallel=True`` pairs the classify levels one-to-one (the i-th level of each) instead
of crossing them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.model.data import as_labels


@dataclass
class Grid:
    """Classify combinations, the cells under each, and the cell weights."""

    cls: list[str]
    combos: list[tuple]
    avg: list[str]
    inner: list[tuple]
    weights: np.ndarray  # (len(combos), len(inner)), rows sum to 1 (0 when not present)
    present: np.ndarray  # (len(combos),) False: no cell of this combination is present

    @property
    def cols(self) -> list[str]:
        return self.cls + self.avg

    def cells(self) -> list[tuple]:
        return [c + a for c in self.combos for a in self.inner]


def factor_weights(name: str, levels: Sequence[str], spec: Any) -> np.ndarray:
    """Normalised weights over ``levels`` from an ``average=`` entry: None (equal), a dict or
    Series {level: weight} (missing levels weigh 0) or a sequence of one weight per level."""
    k = len(levels)
    if spec is None:
        w = np.ones(k)
    elif isinstance(spec, (dict, pd.Series)):
        items = dict(spec.items())
        known = set(levels)
        bad = [lv for lv in map(str, items) if lv not in known]
        if bad:
            raise AsrError(f"predict: average weights for {name!r} name unknown levels "
                           f"{bad[:5]}", hint=f"levels of {name}: " + ", ".join(levels[:10]))
        by = {str(lv): float(v) for lv, v in items.items()}
        w = np.array([by.get(lv, 0.0) for lv in levels])
    else:
        try:
            w = np.asarray(spec, dtype=float).ravel()
        except (TypeError, ValueError):
            raise AsrError(f"predict: average weights for {name!r} are not numbers",
                           hint="give None, {level: weight} or one weight per level") from None
        if w.size != k:
            raise AsrError(f"predict: {w.size} average weights for {name!r}, which has {k} "
                           "levels", hint="give one weight per level, or {level: weight}")
    if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise AsrError(f"predict: average weights for {name!r} must be finite, >= 0 and not "
                       "all zero")
    return w / w.sum()


def present_weights(names: list[str], levels: list[tuple[str, ...]], prwts: Any
                    ) -> dict[tuple[str, ...], float]:
    """asreml's ``prwts``: weights over the table of the present factors' level
    combinations, the later factors nested within the earlier (the first varies slowest),
    as a sequence of one weight per combination, or a dict {combination (a tuple, or a
    level for one factor): weight} (combinations left out weigh 0)."""
    combos = list(itertools.product(*levels))
    if isinstance(prwts, (dict, pd.Series)):
        out: dict[tuple[str, ...], float] = {}
        for k, v in dict(prwts.items()).items():
            key = tuple(str(x) for x in (k if isinstance(k, tuple) else (k,)))
            if key not in set(combos):
                raise AsrError(f"predict: prwts names {k!r}, which is not a combination of "
                               f"the present factors {names}",
                               hint="keys are levels (one present factor) or tuples of "
                                    "levels in present= order")
            out[key] = float(v)
    else:
        try:
            w = np.asarray(prwts, dtype=float).ravel()
        except (TypeError, ValueError):
            raise AsrError("predict: prwts are not numbers",
                           hint="one weight per combination of the present factors") from None
        if w.size != len(combos):
            raise AsrError(f"predict: {w.size} prwts for the {len(combos)} combinations of "
                           f"the present factors {names} (" + " x ".join(
                               str(len(v)) for v in levels) + " levels)",
                           hint="one weight per combination, later factors nested within "
                                "earlier ones (the first factor's levels vary slowest)")
        out = {c: float(x) for c, x in zip(combos, w)}
    vals = np.array(list(out.values()), dtype=float)
    if not np.all(np.isfinite(vals)) or (vals < 0).any() or not (vals > 0).any():
        raise AsrError("predict: prwts must be finite, >= 0 and not all zero")
    return out


def present_cells(frame: pd.DataFrame, rows: np.ndarray, names: list[str]) -> set[tuple]:
    """The combinations of the factors ``names`` seen in the records."""
    cols = [as_labels(frame[n].iloc[rows]) for n in names]
    return {t for t in zip(*cols) if None not in t}


def build_grid(cls: list[str], c_levels: list[tuple], avg: list[str],
               a_levels: list[tuple[str, ...]], a_weights: list[np.ndarray], *,
               parallel: bool, present: set[tuple] | None, present_names: list[str],
               present_weights: dict[tuple[str, ...], float] | None = None) -> Grid:
    """The prediction grid (see the module docstring)."""
    if parallel:
        sizes = {len(v) for v in c_levels}
        if len(sizes) > 1:
            raise AsrError("predict(parallel=True): the classify variables have different "
                           "numbers of levels: " + ", ".join(
                               f"{c}: {len(v)}" for c, v in zip(cls, c_levels)),
                           hint="give each classify variable the same number of levels "
                                "(levels=...), paired in order")
        combos = list(zip(*c_levels)) if c_levels else [()]
    else:
        combos = list(itertools.product(*c_levels))
    inner = list(itertools.product(*a_levels)) if avg else [()]
    w_inner = np.ones(len(inner))
    for j, idx in enumerate(itertools.product(*[range(len(v)) for v in a_levels])):
        w_inner[j] = float(np.prod([a_weights[f][i] for f, i in enumerate(idx)]))
    W = np.tile(w_inner, (len(combos), 1))
    if present is not None:
        cols = cls + avg
        pos = [cols.index(n) for n in present_names]
        for i, c in enumerate(combos):
            for j, a in enumerate(inner):
                cell = c + a
                key = tuple(str(cell[p]) for p in pos)
                if key not in present:
                    W[i, j] = 0.0
                elif present_weights is not None:
                    W[i, j] *= present_weights.get(key, 0.0)
    tot = W.sum(axis=1)
    keep = tot > 0
    if not keep.any():
        raise AsrError("predict: no classify combination is present in the data"
                       + (" with a positive present weight (prwts)" if present_weights
                          else ""),
                       hint="check present=; it keeps only factor combinations seen in the "
                            "records")
    W[keep] /= tot[keep, None]
    return Grid(cls, combos, avg, inner, W, keep)
