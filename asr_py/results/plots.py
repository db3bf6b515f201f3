"""Residual diagnostics of a fit, as asreml-R's ``plot(m)``.

The residuals are of ``type`` (``fit.resid(type)``: 'response' e = y − Xβ̂ − Zû by default,
or 'pearson', 'stdCond', 'studentised'; see :mod:`asr_py.results.residual_diagnostics`).

* ``'residuals'``: residuals against the fitted values Xβ̂ + Zû, with a horizontal line at 0;
* ``'units'``: residuals against the record number (their order in the data);
* ``'qq'``: the sorted residuals against standard normal quantiles Φ⁻¹(p_i) at R's
  ``ppoints``: p_i = (i − a) / (n + 1 − 2a), a = 3/8 for n ≤ 10 and 1/2 otherwise, with
  R's ``qqline`` through the first and third quartiles (sample quantiles of type 7);
* ``'hist'``: a histogram of the residuals (numpy's 'auto' bins);
* ``'all'``: the four panels of asreml's plot on a 2 x 2 grid (residuals vs fitted, QQ,
  histogram, residuals vs units).

``by='Env'`` colours the points of the scatter panels by a data column (a multivariate fit is
coloured by trait unless ``by`` is given), with a legend.

matplotlib is imported only when a plot is drawn; without it the error says how to install it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from asr_py.errors import AsrError

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.results.fit import AsremlFit

KINDS = ("residuals", "qq", "hist", "units", "all")
PANELS = ["residuals", "qq", "hist", "units"]


class MissingDependencyError(AsrError, ImportError):
    """An optional dependency (matplotlib) is not installed."""


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise MissingDependencyError("plot() needs matplotlib, which is not installed",
                                     hint="pip install matplotlib (fitting does not need it)"
                                     ) from exc
    return plt


def ppoints(n: int) -> np.ndarray:
    """R's ``ppoints(n)``: (i − a) / (n + 1 − 2a), i = 1..n, a = 3/8 if n ≤ 10 else 1/2."""
    a = 3.0 / 8.0 if n <= 10 else 0.5
    return (np.arange(1, n + 1) - a) / (n + 1 - 2 * a)


def qq_points(e: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(theoretical, sorted sample, intercept, slope) of the normal QQ plot and R's qqline."""
    from scipy import stats

    y = np.sort(np.asarray(e, dtype=float))
    x = stats.norm.ppf(ppoints(y.size))
    qy = np.quantile(y, [0.25, 0.75])  # type 7, R's default
    qx = stats.norm.ppf([0.25, 0.75])
    slope = float((qy[1] - qy[0]) / (qx[1] - qx[0]))
    return x, y, float(qy[0] - slope * qx[0]), slope


def _data(fit: AsremlFit, type: str, by: str | None
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, str]:
    """(residuals, fitted, record numbers, groups or None, group title) of finite records."""
    from asr_py.errors import DataError

    e = fit._per_record(fit.resid(type))          # one per record fitted
    f = np.asarray(fit.result.fitted, dtype=float)
    rec = fit.model.records
    units = np.arange(1, e.size + 1)
    if by is not None:
        if by not in rec.frame.columns:
            raise DataError(f"plot: no column '{by}' in the data of the fit",
                            hint="by= names a data column, e.g. a factor of the model: "
                                 + ", ".join(map(str, list(rec.frame.columns)[:10])))
        groups: np.ndarray | None = rec.frame[by].iloc[rec.row].astype(str).to_numpy()
        title = by
    elif rec.multivariate:
        groups, title = np.array([rec.traits[t] for t in rec.trait]), "trait"
    else:
        groups, title = None, ""
    ok = np.isfinite(e) & np.isfinite(f)
    return e[ok], f[ok], units[ok], None if groups is None else groups[ok], title


def _scatter(ax: Any, x: np.ndarray, e: np.ndarray, groups: np.ndarray | None,
             title: str) -> None:
    if groups is None:
        ax.scatter(x, e, s=12)
    else:
        for g in dict.fromkeys(groups):
            m = groups == g
            ax.scatter(x[m], e[m], s=12, label=str(g))
        ax.legend(title=title, fontsize="small")
    ax.axhline(0.0, color="grey", lw=1, ls="--")


def _draw(kind: str, ax: Any, e: np.ndarray, f: np.ndarray, units: np.ndarray,
          groups: np.ndarray | None, title: str, label: str) -> None:
    if kind == "residuals":
        _scatter(ax, f, e, groups, title)
        ax.set_xlabel("fitted")
        ax.set_ylabel(label)
        ax.set_title("Residuals vs fitted")
    elif kind == "units":
        _scatter(ax, units, e, groups, title)
        ax.set_xlabel("record")
        ax.set_ylabel(label)
        ax.set_title("Residuals vs units")
    elif kind == "qq":
        x, y, a, b = qq_points(e)
        ax.scatter(x, y, s=12)
        ax.axline((0.0, a), slope=b, color="grey", lw=1)
        ax.set_xlabel("theoretical quantiles")
        ax.set_ylabel("sample quantiles")
        ax.set_title("Normal QQ")
    else:
        ax.hist(e, bins="auto", edgecolor="white")
        ax.set_xlabel(label)
        ax.set_ylabel("count")
        ax.set_title("Histogram of residuals")


def plot_residuals(fit: AsremlFit, kind: str = "all", ax: Any = None, *,
                   by: str | None = None, type: str = "response") -> Any:
    """Draw the diagnostics ``kind`` (module docstring) and return the Figure. ``ax``: an Axes
    for one kind, four Axes (a sequence or a 2 x 2 array) for 'all'; None makes a new
    figure. ``by``: a data column to colour the points by; ``type``: the residual type."""
    if kind not in KINDS:
        raise AsrError(f"plot: unknown kind {kind!r}",
                       hint="use 'residuals', 'qq', 'hist', 'units' or 'all'")
    kinds = PANELS if kind == "all" else [kind]
    e, f, units, groups, title = _data(fit, type, by)
    plt = _pyplot()
    if ax is None:
        if kind == "all":
            fig, grid = plt.subplots(2, 2, figsize=(9.0, 7.6))
            axes = list(np.ravel(grid))
        else:
            fig, one = plt.subplots(1, 1, figsize=(4.2, 3.8))
            axes = [one]
    else:
        axes = list(np.ravel(ax)) if isinstance(ax, (Sequence, np.ndarray)) else [ax]
        if len(axes) != len(kinds):
            raise AsrError(f"plot(kind={kind!r}) draws {len(kinds)} panel(s) but got "
                           f"{len(axes)} axes", hint="pass one Axes per panel, or ax=None")
        fig = axes[0].figure
    label = "residual" if type == "response" else f"residual ({type})"
    for k, a in zip(kinds, axes):
        _draw(k, a, e, f, units, groups, title, label)
    if ax is None:
        fig.tight_layout()
    return fig
