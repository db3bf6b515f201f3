"""asremlPlus's ``variofaces`` and ``plotVariofaces``: the faces of the empirical
variogram of a fit's residuals with envelopes from data sets simulated from the fit
(Stefanova, Smith & Cullis 2009).

For residuals e at integer plot coordinates (r, c) of a grid section the semivariogram is
γ(h_r, h_c) = mean over the pairs at that displacement of ½ (e_i − e_j)²
(:func:`asr_py.results.variogram.semivariogram`, asreml's ``asr_varioGram``). Its two faces
are γ(h, 0) over the first grid factor's lags h = 0, 1, … and γ(0, h) over the second's.
``variofaces`` simulates ``nsim`` responses y* = μ + V^{1/2} z from the fit
(:mod:`asr_py.compat.simulate_asreml`), refits the compiled model to each, and returns for
each face and lag the observed γ and the 2.5%, 50% and 97.5% quantiles (R's ``quantile``,
type 7, missing values dropped) of the simulated γ's:

    face1: <first grid factor> (the lag), observed, X2.5., X50., X97.5.[, <section factor>]

The grid factors come from the residual formula (``~ ar1(Row):ar1(Col)``, or
``~ dsum(~ ar1(Row):ar1(Col) | Site)`` with a section per level of ``Site``) or are given
(``row_factor``, ``col_factor``, ``sections``); asreml 3's ``~ at(Site):ar1(Row):ar1(Col)``
has sections too. The residuals are the fit's conditional
residuals y − Xβ̂ − Zû (asreml's ``residuals``; ``units = "addtoresiduals"`` adds the BLUP
of a ``units`` random term, asremlPlus's ``get.residuals``); the plots are not drawn. With
``aom = TRUE`` (asremlPlus passes it to the refits; its scripts fit the model with
``aom = TRUE`` too) the observed and the simulated faces are of the standardised
conditional residuals ê_i / sqrt(Var(ê)_ii) (asreml's ``aom$R[, 2]``), as asremlPlus's
get.residuals takes them from a fit made with ``aom = TRUE``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.compat.simulate_asreml import (
    SimulationSetup,
    check_nsim,
    check_sim_fit,
    record_residuals,
    refit_maxit,
    units_option,
)
from asr_py.errors import AsrError
from asr_py.results.variogram import semivariogram
from asr_py.warning_classes import AsrWarning

__all__ = ["variofaces", "plotVariofaces", "grid_factors", "face_values"]

_QUANTILES = (0.025, 0.5, 0.975)
_QNAMES = ("X2.5.", "X50.", "X97.5.")


def _split_top(text: str, sep: str) -> list[str]:
    """``text`` split on ``sep`` outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return [*out, cur]


def _factor_name(part: str) -> str:
    """``ar1(Row)`` -> ``Row``, ``Row`` -> ``Row``."""
    part = part.strip()
    m = re.fullmatch(r"[\w.]+\s*\((.*)\)", part, flags=re.S)
    return _split_top(m.group(1), ",")[0].strip() if m else part


def grid_factors(residual: str) -> tuple[str, str, str | None]:
    """(first grid factor, second grid factor, section factor or None) of a residual
    formula with a single two-factor term, as asremlPlus reads it."""
    text = residual.strip()
    text = text[1:].strip() if text.startswith("~") else text
    terms = _split_top(text, "+")
    if len(terms) != 1:
        raise AsrError(f"variofaces: the residual model {residual!r} must involve a single "
                       "term", hint="give row_factor= and col_factor=")
    term, section = terms[0].strip(), None
    m = re.fullmatch(r"dsum\s*\((.*)\)", term, flags=re.S)
    if m:
        parts = [p for p in _split_top(m.group(1), ",") if "~" in p]
        if len(parts) != 1:
            raise AsrError(f"variofaces: residual model {residual!r} appears to lack a formula")
        body = parts[0].split("~", 1)[1]
        bar = _split_top(body, "|")
        if len(bar) != 2:
            raise AsrError(f"variofaces: residual model {residual!r} appears not to include "
                           "the '|' operator")
        term, section = bar[0].strip(), bar[1].strip()
    parts = _split_top(term, ":")
    ats = [p for p in parts if re.match(r"\s*at\s*\(", p)]
    if ats:   # asreml 3's rcov = ~ at(Site):ar1(Row):ar1(Col): a section per level of Site
        if len(ats) != 1 or section is not None:
            raise AsrError(f"variofaces: residual model {residual!r}: can only have a single "
                           "factor defining sections of the data")
        section = _factor_name(ats[0])
        parts = [p for p in parts if p not in ats]
    facs = [_factor_name(p) for p in parts]
    if len(facs) != 2:
        raise AsrError(f"variofaces: the residual model {residual!r} must have two dimensions",
                       hint="give row_factor= and col_factor= for the grid")
    return facs[0], facs[1], section


def _coordinates(values: Any, name: str) -> np.ndarray:
    """dae's ``as.numfac`` of a grid factor, as integers."""
    from asr_py.compat.dae import as_numfac

    v = as_numfac(pd.Series(np.asarray(values, dtype=object))).to_numpy(dtype=float)
    if not np.all(np.isfinite(v)) or np.any(np.abs(v - np.rint(v)) > 1e-9):
        raise AsrError(f"variofaces: the levels of {name} are not whole numbers",
                       hint="the grid factors must be row and column numbers")
    return np.rint(v).astype(np.int64)


def face_values(e: np.ndarray, r: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(γ(h, 0) over the first factor's lags, γ(0, h) over the second's) of residuals ``e``
    at integer plots (r, c); missing residuals are left out."""
    ok = np.isfinite(e)
    gamma, _ = semivariogram(e[ok], r[ok], c[ok])
    return gamma[:, 0], gamma[0, :]


class _Grid:
    """Per record: the two coordinates and the section of each record (one section when
    there is no section factor)."""

    def __init__(self, frame: pd.DataFrame, fac1: str, fac2: str, sec: str | None) -> None:
        for f in (fac1, fac2, sec):
            if f is not None and f not in frame.columns:
                raise AsrError(f"variofaces: no column '{f}' in the data",
                               hint=f"columns: {', '.join(map(str, frame.columns))}")
        self.fac1, self.fac2, self.sec = fac1, fac2, sec
        self.r = _coordinates(frame[fac1], fac1)
        self.c = _coordinates(frame[fac2], fac2)
        if sec is None:
            self.sections: list[Any] = [None]
            self.labels = np.zeros(len(frame), dtype=object)
        else:
            col = frame[sec]
            levels = (list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype)
                      else list(pd.unique(col.dropna())))
            self.sections = [lv for lv in levels if (col == lv).any()]
            self.labels = col.to_numpy(dtype=object)

    def faces(self, e: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        out = []
        for s in self.sections:
            keep = np.ones(e.size, bool) if s is None else self.labels == s
            out.append(face_values(e[keep], self.r[keep], self.c[keep]))
        return out


def _quantiles(sims: list[np.ndarray]) -> np.ndarray:
    """Per lag (column), the type-7 quantiles of the simulated values, NaN dropped."""
    M = np.vstack(sims)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # all-NaN lag -> NaN
        return np.nanquantile(M, _QUANTILES, axis=0).T


def _tables(grid: _Grid, observed: list[tuple[np.ndarray, np.ndarray]],
            sims: list[list[tuple[np.ndarray, np.ndarray]]]) -> dict[str, pd.DataFrame]:
    out = {}
    for face, name in ((0, grid.fac1), (1, grid.fac2)):
        parts = []
        for k, s in enumerate(grid.sections):
            obs = observed[k][face]
            q = _quantiles([sim[k][face] for sim in sims])
            df = pd.DataFrame({name: np.arange(obs.size, dtype=float), "observed": obs})
            for j, qn in enumerate(_QNAMES):
                df[qn] = q[:, j]
            if grid.sec is not None:
                df[grid.sec] = s
            parts.append(df)
        tab = pd.concat(parts, ignore_index=True)
        if grid.sec is not None:
            tab[grid.sec] = pd.Categorical(tab[grid.sec], categories=grid.sections)
        out[f"face{face + 1}"] = tab
    return out


def _not_drawn(fn: str) -> None:
    warnings.warn(f"{fn}(): the variogram-face plots are not drawn; the returned face1 and "
                  "face2 hold their values", AsrWarning, stacklevel=3)


def variofaces(asreml_obj: Any, means: Any = None, V: Any = None, sections: str | None = None,
               row_factor: str | None = None, col_factor: str | None = None,
               nsim: int = 100, seed: int | None = None, extra_matrix: Any = None,
               ignore_terms: Iterable[str] | str | None = None,
               fixed_spline_terms: Iterable[str] | str | None = None,
               bound_exclusions: Iterable[str] | str | None = ("F", "B", "S", "C"),
               tolerance: float = 1e-10, units: str = "ignore", update: bool = True,
               trace: bool = False, graphics_device: Any = None, ncores: int = 2,
               **other: Any) -> dict[str, pd.DataFrame]:
    """asremlPlus's ``variofaces`` (see the module docstring): ``{'face1': …, 'face2': …}``.
    ``V=None`` uses ``estimateV(asreml_obj, extra_matrix, ignore_terms, fixed_spline_terms,
    bound_exclusions)``; ``means=None`` the fitted values. ``maxit`` (and asreml options
    that change nothing here) may be given for the refits."""
    check_sim_fit(asreml_obj, "variofaces")
    nsim = check_nsim(nsim)
    add_units = units_option(units, "variofaces")
    aom = other.get("aom", False)
    if not isinstance(aom, (bool, np.bool_)):
        raise AsrError(f"variofaces: aom must be TRUE or FALSE, not {aom!r}")
    maxit = refit_maxit("variofaces", other)
    if (row_factor is None) != (col_factor is None):
        raise AsrError("variofaces: give both row_factor and col_factor, or neither")
    if row_factor is not None:
        fac1, fac2, sec = str(row_factor), str(col_factor), sections
    else:
        residual = asreml_obj.call.get("residual") or asreml_obj.call.get("rcov")
        if not isinstance(residual, str):
            raise AsrError("variofaces: the fit has no residual formula to take the grid from",
                           hint="give row_factor= and col_factor=")
        fac1, fac2, sec = grid_factors(residual)
    rec = asreml_obj.model.records
    grid = _Grid(rec.frame.iloc[np.asarray(rec.row)], fac1, fac2, sec)
    if seed is not None:
        np.random.seed(int(seed))
    est = {"extra_matrix": extra_matrix, "ignore_terms": ignore_terms,
           "fixed_spline_terms": fixed_spline_terms, "bound_exclusions": bound_exclusions}
    setup = SimulationSetup(asreml_obj, means, V, tolerance, update, maxit, est)
    observed = grid.faces(record_residuals(asreml_obj, asreml_obj.result, add_units,
                                           standardised=bool(aom)))
    sims: list[list[tuple[np.ndarray, np.ndarray]]] = []
    setup.loop(nsim, "variofaces",
               lambda y, res: sims.append(grid.faces(record_residuals(
                   asreml_obj, res, add_units, standardised=bool(aom)))))
    _not_drawn("variofaces")
    return _tables(grid, observed, sims)


def plotVariofaces(data: pd.DataFrame, residuals: pd.DataFrame,
                   restype: str = "Residuals", **other: Any) -> dict[str, pd.DataFrame]:
    """asremlPlus's ``plotVariofaces.data.frame``: ``data`` has the grid factors (after a
    section factor, when there are 4 columns) and the observed residuals last;
    ``residuals`` the same factor columns followed by one column per simulated data set.
    Returns ``{'face1': …, 'face2': …}`` as :func:`variofaces`."""
    if not isinstance(data, pd.DataFrame) or not isinstance(residuals, pd.DataFrame):
        raise AsrError("plotVariofaces: both data and residuals should be data frames")
    nvars = data.shape[1]
    if nvars not in (3, 4):
        raise AsrError(f"plotVariofaces: the number of columns in data is {nvars}, not 3 or 4")
    nf = nvars - 1
    nsim = residuals.shape[1] - nf
    if nsim < 1:
        raise AsrError("plotVariofaces: could not find columns with simulated residuals")
    if len(data) != len(residuals):
        raise AsrError("plotVariofaces: the number of rows in data and residuals are not equal")
    if set(map(str, data.columns[:nf])) != set(map(str, residuals.columns[:nf])):
        raise AsrError(f"plotVariofaces: the names of the initial {nf} columns do not match")
    for i in range(nf):
        a = data.iloc[:, i].astype(str).to_numpy()
        b = residuals.iloc[:, i].astype(str).to_numpy()
        if not np.array_equal(a, b):
            raise AsrError(f"plotVariofaces: the values in column {i + 1} of data and "
                           "residuals do not match")
    names = [str(c) for c in data.columns]
    sec = names[0] if nvars == 4 else None
    grid = _Grid(data, names[nf - 2], names[nf - 1], sec)
    observed = grid.faces(data.iloc[:, nf].to_numpy(dtype=float))
    sims = [grid.faces(residuals.iloc[:, nf + i].to_numpy(dtype=float)) for i in range(nsim)]
    _not_drawn("plotVariofaces")
    return _tables(grid, observed, sims)
