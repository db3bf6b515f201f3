"""Residual diagnostics of a fit, as asreml-R's ``plot(m)``.

* ``'residuals'``: e = y − Xβ̂ − Zû against the fitted values Xβ̂ + Zû (one colour per trait
  in a multivariate fit), with a horizontal line at 0;
* ``'qq'``: the sorted residuals against standard normal quantiles Φ⁻¹(p_i) at R's
  ``ppoints``: p_i = (i − a) / (n + 1 − 2a), a = 3/8 for n ≤ 10 and 1/2 otherwise, with
  R's ``qqline`` through the first and third quartiles (sample quantiles of type 7);
* ``'hist'``: a histogram of the residuals (numpy's 'auto' bins);
* ``'all'``: the three side by side.

matplotlib is imported only when a plot is drawn; without it the error says how to install it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from asr_py.errors import AsrError

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.results.fit import AsremlFit

KINDS = ("residuals", "qq", "hist", "all")


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


def _data(fit: AsremlFit) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    e = np.asarray(fit.result.residuals, dtype=float)
    f = np.asarray(fit.result.fitted, dtype=float)
    rec = fit.model.records
    trait = np.array([rec.traits[t] for t in rec.trait]) if rec.multivariate else None
    ok = np.isfinite(e) & np.isfinite(f)
    return e[ok], f[ok], None if trait is None else trait[ok]


def _draw(kind: str, ax: Any, e: np.ndarray, f: np.ndarray, trait: np.ndarray | None) -> None:
    if kind == "residuals":
        if trait is None:
            ax.scatter(f, e, s=12)
        else:
            for t in dict.fromkeys(trait):
                m = trait == t
                ax.scatter(f[m], e[m], s=12, label=str(t))
            ax.legend(title="trait", fontsize="small")
        ax.axhline(0.0, color="grey", lw=1, ls="--")
        ax.set_xlabel("fitted")
        ax.set_ylabel("residual")
        ax.set_title("Residuals vs fitted")
    elif kind == "qq":
        x, y, a, b = qq_points(e)
        ax.scatter(x, y, s=12)
        ax.axline((0.0, a), slope=b, color="grey", lw=1)
        ax.set_xlabel("theoretical quantiles")
        ax.set_ylabel("sample quantiles")
        ax.set_title("Normal QQ")
    else:
        ax.hist(e, bins="auto", edgecolor="white")
        ax.set_xlabel("residual")
        ax.set_ylabel("count")
        ax.set_title("Histogram of residuals")


def plot_residuals(fit: AsremlFit, kind: str = "all", ax: Any = None) -> Any:
    """Draw the diagnostics ``kind`` (module docstring) and return the Figure. ``ax``: an Axes
    for one kind, a sequence of three Axes for 'all'; None makes a new figure."""
    if kind not in KINDS:
        raise AsrError(f"plot: unknown kind {kind!r}",
                       hint="use 'residuals', 'qq', 'hist' or 'all'")
    kinds = ["residuals", "qq", "hist"] if kind == "all" else [kind]
    plt = _pyplot()
    if ax is None:
        fig, axes = plt.subplots(1, len(kinds), figsize=(4.2 * len(kinds), 3.8), squeeze=False)
        axes = list(axes[0])
    else:
        axes = list(ax) if isinstance(ax, (Sequence, np.ndarray)) else [ax]
        if len(axes) != len(kinds):
            raise AsrError(f"plot(kind={kind!r}) draws {len(kinds)} panel(s) but got "
                           f"{len(axes)} axes", hint="pass one Axes per panel, or ax=None")
        fig = axes[0].figure
    e, f, trait = _data(fit)
    for k, a in zip(kinds, axes):
        _draw(k, a, e, f, trait)
    if ax is None:
        fig.tight_layout()
    return fig
