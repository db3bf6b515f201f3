"""The empirical semivariogram of spatial residuals (asreml's ``varioGram``/``plot.varioGram``).

For residuals e_i at plot coordinates (r_i, c_i) and a displacement in absolute value
(h_r, h_c) = (|r_i − r_j|, |c_i − c_j|), over the N(h) unordered pairs i < j at that lag,

    γ(h_r, h_c) = (1 / N(h)) Σ_{i<j at h} ½ (e_i − e_j)².

Pairs at (h_r, h_c) pool the four signed displacements (±h_r, ±h_c). At (0, 0) only records
sharing a plot pair up; with none, γ(0, 0) = 0 (its definition) and N = 0. Lags inside the
field with no pair get γ = NaN.

Coordinates are the data columns ``row`` and ``col`` of the records used in the fit: numbers
or numeric-like text (``"1"``, ``"12"``), integer-valued (row and column numbers). The sums
come from cross-correlations of three grids (count m, Σe, Σe² per plot, residuals centred):
for a signed displacement h the ordered pairs give Σ [m(x) s₂(x+h) + s₂(x) m(x+h)
− 2 s₁(x) s₁(x+h)], so the cost is that of a correlation of R × C grids, not O(n²).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import signal

from asr_py.errors import DataError, ModelError

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.results.fit import AsremlFit


def _coordinate(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A coordinate column as integers (numbers or numeric-like text)."""
    if name not in frame.columns:
        raise DataError(f"variogram: no column '{name}' in the data of the fit",
                        hint="name the row and column coordinates: variogram(fit, row=..., "
                             "col=...)")
    col = frame[name]
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(object).astype(str)
    vals = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(vals)
    if bad.any():
        first = col.to_numpy()[bad][0]
        raise DataError(f"variogram: column '{name}' has {int(bad.sum())} value(s) that are "
                        f"not numbers (e.g. {first!r})",
                        hint="row and column coordinates must be numbers or numeric text")
    ints = np.rint(vals)
    if np.any(np.abs(vals - ints) > 1e-9 * np.maximum(1.0, np.abs(vals))):
        raise DataError(f"variogram: column '{name}' has non-integer coordinates",
                        hint="use row and column numbers (integers)")
    return ints.astype(np.int64)


def _records(fit: AsremlFit, row: str, col: str, trait: str | None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(residuals, row coordinates, column coordinates) of the records used."""
    rec = fit.model.records
    e = fit._per_record(fit.residuals)   # one per record fitted
    pos = np.asarray(rec.row)
    if rec.multivariate:
        if trait is None:
            raise ModelError("variogram: the fit has several traits; choose one",
                             hint=f"variogram(fit, trait=...) with one of {list(rec.traits)}")
        if trait not in rec.traits:
            raise ModelError(f"variogram: no trait '{trait}'", hint=f"one of {list(rec.traits)}")
        keep = np.asarray(rec.trait) == rec.traits.index(trait)
        e, pos = e[keep], pos[keep]
    elif trait is not None and trait not in rec.traits:
        raise ModelError(f"variogram: no trait '{trait}'", hint=f"one of {list(rec.traits)}")
    frame = rec.frame.iloc[pos]
    r, c = _coordinate(frame, row), _coordinate(frame, col)
    ok = np.isfinite(e)
    return e[ok], r[ok], c[ok]


def _xcorr(f: np.ndarray, g: np.ndarray) -> np.ndarray:
    """out[a + R − 1, b + C − 1] = Σ_x f(x) g(x + (a, b)) over every signed displacement."""
    return signal.correlate(g, f, mode="full", method="auto")


def semivariogram(e: np.ndarray, r: np.ndarray, c: np.ndarray) -> tuple[
        np.ndarray, np.ndarray]:
    """(γ, N) on the lag grid 0..R−1 x 0..C−1 for residuals ``e`` at integer plots (r, c)."""
    e = np.asarray(e, dtype=float)
    e = e - e.mean() if e.size else e  # differences are unchanged; less cancellation
    r = np.asarray(r) - np.min(r)
    c = np.asarray(c) - np.min(c)
    nr, nc = int(r.max()) + 1, int(c.max()) + 1
    m = np.zeros((nr, nc))
    s1 = np.zeros((nr, nc))
    s2 = np.zeros((nr, nc))
    np.add.at(m, (r, c), 1.0)
    np.add.at(s1, (r, c), e)
    np.add.at(s2, (r, c), e * e)
    cnt = np.rint(_xcorr(m, m))
    sq = _xcorr(m, s2) + _xcorr(s2, m) - 2.0 * _xcorr(s1, s1)
    # fold the four signed displacements (±a, ±b) onto (|a|, |b|); ordered pairs -> x2
    n_ord = np.zeros((nr, nc))
    sq_ord = np.zeros((nr, nc))
    for sa in (1, -1):
        for sb in (1, -1):
            ia = nr - 1 + sa * np.arange(nr)
            ib = nc - 1 + sb * np.arange(nc)
            blk_n, blk_s = cnt[np.ix_(ia, ib)], sq[np.ix_(ia, ib)]
            # a displacement with a zero component is the same for both of its signs
            w = np.ones((nr, nc))
            if sa == -1:
                w[0, :] = 0.0
            if sb == -1:
                w[:, 0] = 0.0
            n_ord += w * blk_n
            sq_ord += w * blk_s
    n_ord[0, 0] -= e.size  # self pairs (i, i) at lag 0, each with (e_i − e_i)² = 0
    npairs = np.rint(n_ord / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        gamma = np.where(npairs > 0, 0.5 * (sq_ord / 2.0) / npairs, np.nan)
    gamma = np.where(npairs > 0, np.maximum(gamma, 0.0), gamma)
    if npairs[0, 0] == 0:
        gamma[0, 0] = 0.0
    return gamma, npairs.astype(np.int64)


def _max_lag(max_lag: int | tuple[int, int] | None) -> tuple[float, float]:
    """``max_lag`` as (row limit, column limit); inf when None."""
    if max_lag is None:
        return np.inf, np.inf
    pair = (max_lag, max_lag) if np.ndim(max_lag) == 0 else tuple(max_lag)  # type: ignore[arg-type]
    ok = len(pair) == 2 and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0 for v in pair)
    if not ok:
        raise DataError(f"variogram: max_lag must be an integer >= 0 or a (row, col) pair of "
                        f"them, not {max_lag!r}", hint="e.g. max_lag=5 or max_lag=(10, 4)")
    return float(pair[0]), float(pair[1])


def variogram(fit: AsremlFit, row: str = "Row", col: str = "Col", *,
              trait: str | None = None,
              max_lag: int | tuple[int, int] | None = None) -> pd.DataFrame:
    """Empirical semivariogram of ``fit.residuals`` over the plot coordinates ``row``/``col``.

    Returns one line per lag (h_r, h_c) = 0..R−1 x 0..C−1 (R, C the row and column ranges),
    columns ``row``, ``col`` (the lags, named after the coordinate columns), ``gamma`` (the
    mean of ½(e_i − e_j)² over the pairs at that lag, see the module docstring) and
    ``npairs``. A multivariate fit needs ``trait``. ``max_lag`` keeps the lags h_r <= m_r
    and h_c <= m_c (an integer for both, or a (row, col) pair), as asreml's lag limit: long
    lags rest on few pairs.
    """
    if row == col:
        raise DataError("variogram: row and col must be two different columns")
    lim_r, lim_c = _max_lag(max_lag)
    e, r, c = _records(fit, row, col, trait)
    if e.size < 2:
        raise DataError("variogram: fewer than two residuals with coordinates")
    gamma, npairs = semivariogram(e, r, c)
    hr, hc = np.indices(gamma.shape)
    out = pd.DataFrame({row: hr.ravel(), col: hc.ravel(), "gamma": gamma.ravel(),
                        "npairs": npairs.ravel()})
    if max_lag is not None:
        out = out[(out[row] <= lim_r) & (out[col] <= lim_c)].reset_index(drop=True)
    out.attrs.update({"row": row, "col": col})
    return out


def plot_variogram(obj: AsremlFit | pd.DataFrame, row: str = "Row", col: str = "Col", *,
                   kind: str = "wireframe", trait: str | None = None, ax: Any = None,
                   max_lag: int | tuple[int, int] | None = None) -> Any:
    """Draw a semivariogram as a 3-D wireframe (``kind='wireframe'``, asreml's default) or a
    heat map (``kind='heatmap'``); ``obj`` is a fit or a :func:`variogram` table;
    ``max_lag`` limits the lags drawn (see :func:`variogram`). Returns the matplotlib Axes
    (needs matplotlib; ``ax`` must be a 3-D Axes for the wireframe)."""
    if kind not in ("wireframe", "heatmap"):
        raise ValueError(f"kind must be 'wireframe' or 'heatmap', got {kind!r}")
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("plot_variogram needs matplotlib (pip install matplotlib); "
                          "variogram() itself does not") from exc
    if isinstance(obj, pd.DataFrame):
        vg = obj
        row, col = vg.attrs.get("row", row), vg.attrs.get("col", col)
        missing = [x for x in (row, col, "gamma") if x not in vg.columns]
        if missing:
            raise DataError(f"plot_variogram: the table has no column(s) {missing}",
                            hint="pass a fit or the table returned by variogram()")
        if max_lag is not None:
            lim_r, lim_c = _max_lag(max_lag)
            vg = vg[(vg[row] <= lim_r) & (vg[col] <= lim_c)]
    else:
        vg = variogram(obj, row, col, trait=trait, max_lag=max_lag)
    grid = vg.pivot(index=row, columns=col, values="gamma").sort_index().sort_index(axis=1)
    z = grid.to_numpy(dtype=float)
    if kind == "heatmap":
        if ax is None:
            _, ax = plt.subplots()
        im = ax.imshow(z, origin="lower", aspect="auto", interpolation="nearest",
                       extent=(grid.columns.min() - 0.5, grid.columns.max() + 0.5,
                               grid.index.min() - 0.5, grid.index.max() + 0.5))
        ax.figure.colorbar(im, ax=ax, label="semivariance")
    else:
        if ax is None:
            ax = plt.figure().add_subplot(projection="3d")
        if not hasattr(ax, "plot_wireframe"):
            raise ValueError("a wireframe needs a 3-D Axes (add_subplot(projection='3d'))")
        x, y = np.meshgrid(grid.columns.to_numpy(float), grid.index.to_numpy(float))
        ax.plot_wireframe(x, y, z)
        ax.set_zlabel("semivariance")
    ax.set_xlabel(f"{col} displacement")
    ax.set_ylabel(f"{row} displacement")
    return ax
