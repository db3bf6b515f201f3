"""emmeans' nesting and averaging: which factors are nested in which, and over which
factor combinations (with which weights) a marginal mean averages.

Nesting (emmeans' ``ref_grid(nesting = "auto")``), ``A %in% B`` when

- structurally: among the factor combinations with data, every level of ``A`` occurs with
  one level of ``B`` (both with two levels or more, ``B`` not already nested in ``A``);
- by the model's terms: ``A`` has no main effect and appears in interactions, where it is
  nested in the factors R's ``terms()`` codes by full indicators (``2``: the term without
  that factor is not in the model), e.g. ``Block %in% Loc`` of ``Loc + Loc:Block``;

closed transitively (a nesting factor's own nests are added), a factor nested in itself
dropped. ``nesting = "B %in% A, C %in% (A*B)"`` or a dict declares it instead, ``None``
turns it off.

Averaging with equal weights (emmeans' default): a crossed factor over all its levels; a
nested factor only over the levels that have data within each combination of its nesting
factors, innermost first (``col %in% (Loc*Block)`` within each block, then ``Block %in% Loc``
within each location): the mean of a location is the equally weighted mean of its blocks,
each the equally weighted mean of its own plots. A mean is a distribution ``P`` over factor
combinations, held as independent components; ``L = E_P[x(f)]``, the model-matrix row
averaged, column block by term over the term's own factors' marginal of ``P``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError

__all__ = ["Component", "find_nesting", "parse_nesting", "term_codes"]


def term_codes(terms: list[frozenset[str]]) -> list[dict[str, int]]:
    """R's ``attr(terms, "factors")`` column by column: variable -> 1 (coded by contrasts:
    the term without it is in the model, the intercept counting as the empty term) or 2
    (full indicators)."""
    present = set(terms) | {frozenset()}
    return [{v: 1 if t - {v} in present else 2 for v in t} for t in terms]


def find_nesting(cells: pd.DataFrame, factors: list[str], terms: list[frozenset[str]]
                 ) -> dict[str, list[str]]:
    """emmeans' automatic nesting of ``factors`` (see the module): ``cells`` holds the
    factor combinations that have data, ``terms`` each model term's variables."""
    nms = [f for f in factors if cells[f].nunique() > 1]
    out: dict[str, list[str]] = {}
    if len(nms) < 2:
        return out
    for a in nms:
        skip = {b for b, inn in out.items() if a in inn}
        for b in nms:
            if b != a and b not in skip and cells.groupby(a, observed=True)[b].nunique().max() == 1:
                out.setdefault(a, []).append(b)
    codes = term_codes(terms)
    mains = {next(iter(t)) for t in terms if len(t) == 1}
    for a in (f for f in nms if f not in mains):
        cols = [c for c in codes if c.get(a) == 1]
        if not cols:            # only full-indicator appearances: nested in the others
            cols = [{**c, a: 1} for c in codes if c.get(a) == 2]
        sets = [frozenset(v for v, k in c.items() if k == 2 and v in nms) for c in cols]
        sets = [s for s in sets if s and not any(o < s for o in sets)]
        for b in dict.fromkeys(v for s in sets for v in sorted(s)):
            if b not in out.get(a, []):
                out.setdefault(a, []).append(b)
    for a in list(out):
        out[a] = list(dict.fromkeys([v for b in out[a] for v in out.get(b, [])] + out[a]))
    return {a: bs for a, bs in out.items() if a not in bs}


def parse_nesting(spec: Any, factors: list[str]) -> dict[str, list[str]]:
    """A declared nesting: ``"B %in% A"``, ``"C %in% (A*B), B %in% A"`` or a dict
    ``{"B": "A"}`` / ``{"C": ["A", "B"]}``."""
    if isinstance(spec, dict):
        out = {str(k): [v] if isinstance(v, str) else [str(x) for x in v]
               for k, v in spec.items()}
    else:
        out = {}
        for part in re.split(r",(?![^()]*\))", str(spec)):
            bits = re.split(r"\s*%in%\s*", part.strip())
            if len(bits) != 2:
                raise AsrError(f"emmeans(): nesting {part.strip()!r} is not 'A %in% B'",
                               hint="nesting = \"Gen %in% Loc\" or \"C %in% (A*B)\"")
            out[bits[0].strip()] = [v for v in re.split(r"[\s()*:+]+", bits[1]) if v]
    bad = [v for k, vs in out.items() for v in [k, *vs] if v not in factors]
    if bad:
        raise AsrError(f"emmeans(): nesting names {bad} that are not factors of the model",
                       hint=f"factors: {', '.join(factors)}")
    return out


@dataclass
class Component:
    """One independent part of an averaging distribution: the combinations ``combos`` of
    the factors ``cols`` with probabilities ``w``."""

    cols: list[str]
    combos: pd.DataFrame
    w: np.ndarray

    def key(self, keep: list[str]) -> Any:
        """What identifies the marginal on ``keep`` across means: one combination's values,
        else the component itself (the crossed and nested parts are shared objects)."""
        if not keep:
            return None
        if len(self.combos) == 1:
            return tuple(keep), tuple(self.combos[keep].iloc[0])
        return tuple(keep), id(self)

    def marginal(self, keep: list[str]) -> Component:
        """The distribution of the factors ``keep`` (a subset of ``cols``)."""
        if not keep:
            return Component([], pd.DataFrame(index=[0]), np.ones(1))
        if keep == self.cols or len(self.combos) == 1:
            return Component(keep, self.combos[keep], self.w)
        g = self.combos[keep].assign(_w=self.w).groupby(keep, sort=False, observed=True)["_w"].sum()
        return Component(keep, g.index.to_frame(index=False), g.to_numpy())


def product(parts: list[Component]) -> Component:
    """The joint distribution of independent components."""
    cols: list[str] = []
    combos = pd.DataFrame(index=[0])
    w = np.ones(1)
    for p in parts:
        if not p.cols:
            continue
        combos = combos.merge(p.combos, how="cross")
        w = np.outer(w, p.w).ravel()
        cols += p.cols
    return Component(cols, combos.reset_index(drop=True), w)


def nested_weights(cells: pd.DataFrame, nesting: dict[str, list[str]], avg: list[str]
                   ) -> np.ndarray:
    """Weights of the data's factor combinations ``cells`` (distinct rows) that average the
    nested factors ``avg`` equally over their levels with data, innermost first: each step
    divides a combination's weight by the number of levels of the averaged factor within
    the combination of the factors still in play."""
    w = np.ones(len(cells))
    alive = list(cells.columns)
    for a in sorted(avg, key=lambda f: -len(nesting[f])):
        grp = [c for c in alive if c != a]
        k = cells.groupby(grp, observed=True, sort=False)[a].transform("nunique") if grp \
            else pd.Series(cells[a].nunique(), index=cells.index)
        w /= k.to_numpy(dtype=float)
        alive.remove(a)
    return w


def levels_product(levels: dict[str, list[Any]], cols: list[str]) -> pd.DataFrame:
    """All combinations of the levels of ``cols``."""
    return pd.DataFrame(list(itertools.product(*[levels[c] for c in cols])), columns=cols)


def mean_rows(spec: Any, dists: list[list[Component] | None], factors: list[str],
              numeric: dict[str, float], first: dict[str, Any], categories: dict[str, Any],
              n_cols: int) -> np.ndarray:
    """``L``: row ``i`` the model-matrix row averaged over the distribution ``dists[i]``
    (independent components; None: a mean with no distribution, all NaN). Each term's
    column block is averaged over the marginal of the term's own factors, so no full grid
    of all factors' levels is built; factors outside a term are set to any level (their
    columns are not read), covariates to ``numeric`` (their means)."""
    data_vars = set(spec.variables_by_source.get("data", set()))
    pieces: list[pd.DataFrame] = []
    where: list[tuple[int, slice, np.ndarray, np.ndarray]] = []
    done: dict[Any, tuple[np.ndarray, np.ndarray]] = {}    # the same marginal: the same rows
    n_rows = 0
    tfs = {t: [f for f in factors if f in spec.term_variables.get(t, set()) & data_vars]
           for t in spec.term_slices}
    for i, comps in enumerate(dists):
        if comps is None:
            continue
        for term, sl in spec.term_slices.items():
            keeps = [[f for f in c.cols if f in tfs[term]] for c in comps]
            key = (str(term), tuple(c.key(k) for c, k in zip(comps, keeps)))
            if key in done:
                where.append((i, sl, *done[key]))
                continue
            joint = product([c.marginal(k) for c, k in zip(comps, keeps)])
            g = joint.combos.copy() if joint.cols else pd.DataFrame(index=[0])
            for f in factors:
                if f not in g.columns:
                    g[f] = first[f]
            for v, m in numeric.items():
                g[v] = m
            pieces.append(g[factors + list(numeric)])
            done[key] = (np.arange(n_rows, n_rows + len(g)), joint.w)
            n_rows += len(g)
            where.append((i, sl, *done[key]))
    L = np.full((len(dists), n_cols), np.nan)
    L[[i for i, c in enumerate(dists) if c is not None]] = 0.0
    if not pieces:
        return L
    grid = pd.concat(pieces, ignore_index=True)
    for f, cats in categories.items():
        grid[f] = pd.Categorical(grid[f], categories=cats)
    X = np.asarray(spec.get_model_matrix(grid), dtype=float)
    for i, sl, rows, w in where:
        L[i, sl] += w @ X[rows, sl]
    return L
