"""The values R's graphics functions compute: ``pretty()``, ``hist()``, ``boxplot.stats()``,
``fivenum()``, ``density()``, ``qqnorm()`` and ``ppoints()`` (R 4.2's algorithms).

* ``pretty(x, n = 5)`` (``R_pretty`` in R's ``src/appl/pretty.c``): a cell ``dx / n``, a unit
  among 1, 2, 5, 10 × 10^k chosen with the biases ``h = 1.5`` and ``h5 = .5 + 1.5 h``,
  ``ns = floor(lo / unit)``, ``nu = ceiling(up / unit)`` (1e-10 rounding slack), widened to
  ``min.n`` intervals; the values ``seq(ns·unit, nu·unit, length = k + 1)``.
* ``hist(x, breaks = "Sturges")``: breaks ``pretty(range(x), nclass.Sturges(x) =
  ceiling(log2(n) + 1), min.n = 1)`` (or Scott's ``3.5 sd n^(-1/3)``, Freedman-Diaconis'
  ``2 IQR n^(-1/3)`` class widths, a number of cells, or the breaks themselves); counts of
  ``(b_i, b_{i+1}]`` with the lowest break included (``right = TRUE``, ``include.lowest``),
  each break moved by R's fuzz ``1e-7 × median(diff(breaks))``; ``density = counts / (n
  diff(breaks))``, ``mids`` the cells' midpoints.
* ``fivenum(x)``: Tukey's hinges, ``x_(d)`` averaged over ``floor(d)``, ``ceiling(d)`` for
  ``d = 1, n4, (n + 1)/2, n + 1 - n4, n``, ``n4 = floor((n + 3)/2)/2``.
* ``boxplot.stats(x, coef = 1.5)``: the hinges; points beyond ``coef × IQR`` of them are
  ``out`` and the whiskers end at the extreme remaining points; ``conf = median ± 1.58 IQR /
  sqrt(n)``.
* ``density(x)``: a Gaussian kernel of bandwidth ``bw.nrd0 = 0.9 min(sd, IQR/1.34) n^(-1/5)``
  on R's grid: the data linearly binned on ``2n`` points from ``min - 7 bw`` to ``max + 7 bw``,
  convolved by FFT, then linearly interpolated to ``n = 512`` points from ``min - 3 bw`` to
  ``max + 3 bw``.
* ``qqnorm(y)``: ``x = qnorm(ppoints(n))[rank(y)]``, ``ppoints(n) = (i - a)/(n + 1 - 2a)``,
  ``a = 3/8`` for ``n <= 10`` else ``1/2``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.errors import AsrError
from asr_py.results.plots import ppoints

__all__ = ["RList", "r_pretty", "hist_values", "fivenum", "boxplot_stats", "density_values",
           "qqnorm_values", "ppoints", "r_fivenum", "r_density", "r_boxplot_stats",
           "r_ppoints", "numeric_values", "REcdf", "r_ecdf"]

_EPS = float(np.finfo(float).eps)


class RList(dict):
    """An R list with a class (``histogram``, ``density``): ``h$counts`` is ``h['counts']``."""

    def __init__(self, items: dict[str, Any], r_class: str = "list") -> None:
        super().__init__(items)
        self.r_class = r_class

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={_short(v)}" for k, v in self.items())
        return f"<R {self.r_class}: {body}>"


def _short(v: Any) -> str:
    a = np.asarray(v) if not isinstance(v, str) else v
    if isinstance(a, np.ndarray) and a.size > 6:
        return f"[{', '.join(f'{x:g}' if isinstance(x, float) else str(x) for x in a[:5])}, ...]"
    return repr(v)


def numeric_values(x: Any, what: str = "x") -> np.ndarray:
    """A numeric vector of ``x`` (a list, Series, array; a data frame's values by column),
    missing values as NaN; an error naming ``what`` if it is not numeric."""
    if isinstance(x, dict):                      # a named vector
        x = list(x.values())
    if hasattr(x, "to_numpy") and getattr(x, "ndim", 1) == 2:
        x = x.to_numpy().ravel(order="F")
    elif hasattr(x, "to_numpy"):
        x = x.to_numpy()
    a = np.asarray(x, dtype=object).ravel() if not isinstance(x, np.ndarray) else x.ravel()
    try:
        return np.array([np.nan if v is None or v is np.ma.masked or
                         (not isinstance(v, str) and pd.isna(v)) else float(v) for v in a],
                        dtype=float) if a.dtype == object else a.astype(float)
    except (TypeError, ValueError):
        raise AsrError(f"{what} is not numeric (R: 'x' must be numeric)",
                       hint="convert it with as.numeric() first") from None


def r_pretty(lo: float, up: float, n: int = 5, min_n: int | None = None,
             shrink_sml: float = 0.75, high_u_bias: float = 1.5,
             u5_bias: float | None = None) -> np.ndarray:
    """R's ``pretty(c(lo, up), n, min.n)`` (see the module docstring)."""
    min_n = n // 3 if min_n is None else min_n
    h = high_u_bias
    h5 = 0.5 + 1.5 * h if u5_bias is None else u5_bias
    ndiv = n
    dx = up - lo
    if dx == 0 and up == 0:
        cell, i_small = 1.0, True
    else:
        cell = max(abs(lo), abs(up))
        u = 1 + (1 / (1 + h) if h5 >= 1.5 * h + 0.5 else 1.5 / (1 + h5))
        u *= max(1, ndiv) * _EPS
        i_small = dx < cell * u * 3
    if i_small:
        if cell > 10:
            cell = 9 + cell / 10
        cell *= shrink_sml
        if min_n > 1:
            cell /= min_n
    else:
        cell = dx
        if ndiv > 1:
            cell /= ndiv
    cell = max(cell, 2.0 ** -20 * np.finfo(float).tiny)
    base = 10.0 ** math.floor(math.log10(cell))
    unit = base
    if 2 * base - cell < h * (cell - unit):
        unit = 2 * base
        if 5 * base - cell < h5 * (cell - unit):
            unit = 5 * base
            if 10 * base - cell < h * (cell - unit):
                unit = 10 * base
    eps = 1e-10
    ns = math.floor(lo / unit + eps)
    nu = math.ceil(up / unit - eps)
    while ns * unit > lo + eps * unit:
        ns -= 1
    while nu * unit < up - eps * unit:
        nu += 1
    k = int(0.5 + nu - ns)
    if k < min_n:
        k = min_n - k
        if ns >= 0:
            nu += k // 2
            ns -= k // 2 + k % 2
        else:
            ns -= k // 2
            nu += k // 2 + k % 2
        ndiv = min_n
    else:
        ndiv = k
    s = np.linspace(ns * unit, nu * unit, ndiv + 1)
    if ndiv:
        delta = (nu - ns) * unit / ndiv
        s[np.abs(s) < 1e-14 * delta] = 0.0
    return s


def _quantile7(v: np.ndarray, p: float) -> float:
    return float(np.quantile(v, p))


def _breaks(x: np.ndarray, breaks: Any) -> np.ndarray:
    n = len(x)
    if isinstance(breaks, str):
        rule = breaks.lower()
        if rule == "sturges":
            nb = math.ceil(math.log2(n) + 1)
        elif rule == "scott":
            h = 3.5 * math.sqrt(np.var(x, ddof=1)) * n ** (-1 / 3)
            nb = max(1, math.ceil((x.max() - x.min()) / h)) if h > 0 else 1
        elif rule in ("fd", "freedman-diaconis"):
            h = 2 * (_quantile7(x, 0.75) - _quantile7(x, 0.25))
            if h == 0:
                h = 2 * float(np.median(np.abs(x - np.median(x)))) * 1.4826
            nb = max(1, math.ceil((x.max() - x.min()) / (h * n ** (-1 / 3)))) if h > 0 else 1
        else:
            raise AsrError(f"hist(): unknown breaks algorithm {breaks!r}",
                           hint="use 'Sturges', 'Scott', 'FD', a number or the breaks")
        return r_pretty(float(x.min()), float(x.max()), nb, min_n=1)
    b = np.atleast_1d(np.asarray(breaks, dtype=float))
    if b.size == 1:
        return r_pretty(float(x.min()), float(x.max()), int(b[0]), min_n=1)
    return np.sort(b)


def hist_values(x: Any, breaks: Any = "Sturges", right: bool = True,
                include_lowest: bool = True, xname: str = "x") -> RList:
    """R's ``hist(x, plot = FALSE)``: breaks, counts, density, mids, xname, equidist."""
    v = numeric_values(x, xname)
    v = v[np.isfinite(v)]
    if v.size == 0:
        raise AsrError(f"hist(): {xname} has no finite values (R: invalid number of 'breaks')")
    b = _breaks(v, breaks)
    nb = len(b)
    if nb < 2:
        raise AsrError("hist(): invalid number of 'breaks'")
    h = np.diff(b)
    if np.any(h < 0):
        raise AsrError("hist(): 'breaks' are not strictly increasing")
    equidist = bool(np.ptp(h) < 1e-7 * h.mean())
    diddle = 1e-7 * (float(np.median(h)) if nb > 5 else float(np.ptp(v)) if nb <= 3
                     else float(h[h > 0].min()))
    if right:
        fuzz = np.r_[-diddle if include_lowest else diddle, np.full(nb - 1, diddle)]
    else:
        fuzz = np.r_[np.full(nb - 1, -diddle), diddle if include_lowest else -diddle]
    fb = b + fuzz
    # R's BinCount: (b_j, b_j+1] (right) or [b_j, b_j+1), the outer border included
    idx = np.searchsorted(fb, v, side="left" if right else "right")
    if include_lowest:
        idx[v == (fb[0] if right else fb[-1])] = 1 if right else nb - 1
    inside = (idx >= 1) & (idx <= nb - 1)
    if not inside.all():
        raise AsrError(f"hist(): some 'x' not counted; maybe 'breaks' do not span range of "
                       f"'x' ({xname} from {v.min():g} to {v.max():g}, breaks from "
                       f"{b[0]:g} to {b[-1]:g})", hint="give breaks covering every value")
    counts = np.bincount(idx - 1, minlength=nb - 1).astype(int)
    dens = counts / (v.size * h)
    mids = 0.5 * (b[1:] + b[:-1])
    return RList({"breaks": b, "counts": counts, "density": dens, "mids": mids,
                  "xname": xname, "equidist": equidist}, "histogram")


def fivenum(x: Any) -> np.ndarray:
    """R's ``fivenum(x)`` (missing values dropped)."""
    v = numeric_values(x)
    v = np.sort(v[~np.isnan(v)])
    n = v.size
    if n == 0:
        return np.full(5, np.nan)
    n4 = math.floor((n + 3) / 2) / 2
    d = np.array([1, n4, (n + 1) / 2, n + 1 - n4, n]) - 1
    return 0.5 * (v[np.floor(d).astype(int)] + v[np.ceil(d).astype(int)])


def boxplot_stats(x: Any, coef: float = 1.5) -> RList:
    """R's ``boxplot.stats(x, coef)``: stats (whiskers and hinges), n, conf, out."""
    v = numeric_values(x)
    s = fivenum(v)
    ok = v[~np.isnan(v)]
    n = ok.size
    iqr = s[3] - s[1]
    out = (v < s[1] - coef * iqr) | (v > s[3] + coef * iqr) if coef > 0 else \
        np.zeros(v.size, bool)
    if coef > 0 and n:
        keep = v[~out & ~np.isnan(v)]
        s[0], s[4] = keep.min(), keep.max()
    conf = s[2] + np.array([-1.58, 1.58]) * iqr / math.sqrt(n) if n else np.full(2, np.nan)
    return RList({"stats": s, "n": n, "conf": conf, "out": v[out & ~np.isnan(v)]}, "list")


def _bw_nrd0(v: np.ndarray) -> float:
    hi = float(np.std(v, ddof=1)) if v.size > 1 else 0.0
    lo = min(hi, (_quantile7(v, 0.75) - _quantile7(v, 0.25)) / 1.34)
    if not lo:
        lo = hi or abs(float(v[0])) or 1.0
    return 0.9 * lo * v.size ** (-0.2)


def density_values(x: Any, bw: Any = "nrd0", adjust: float = 1.0, n: int = 512,
                   cut: float = 3.0, from_: float | None = None, to: float | None = None,
                   xname: str = "x") -> RList:
    """R's ``density(x)`` with the Gaussian kernel (see the module docstring)."""
    v = numeric_values(x, xname)
    v = v[np.isfinite(v)]
    nx = v.size
    if nx < 2 and (isinstance(bw, str) or bw is None):
        raise AsrError(f"density(): need at least 2 points to select a bandwidth "
                       f"automatically ({xname} has {nx})")
    if isinstance(bw, str):
        if bw.lower() != "nrd0":
            if bw.lower() == "nrd":
                r = _quantile7(v, 0.75) - _quantile7(v, 0.25)
                bwv = 1.06 * min(float(np.std(v, ddof=1)), r / 1.34) * nx ** (-0.2)
            else:
                raise AsrError(f"density(): bandwidth rule {bw!r} is not available",
                               hint="use 'nrd0' (R's default), 'nrd' or a number")
        else:
            bwv = _bw_nrd0(v)
    else:
        bwv = float(np.asarray(bw, dtype=float).ravel()[0])
    bwv *= adjust
    n_user = int(n)
    ng = max(n_user, 512)
    if ng > 512:
        ng = 2 ** math.ceil(math.log2(ng))
    lo_x = float(v.min()) - cut * bwv if from_ is None else float(from_)
    up_x = float(v.max()) + cut * bwv if to is None else float(to)
    lo = lo_x - 4 * bwv
    up = up_x + 4 * bwv
    y = _bin_dist(v, np.full(nx, 1.0 / nx), lo, up, ng)
    kords = np.linspace(0, 2 * (up - lo), 2 * ng)
    kords[ng + 1:] = -kords[ng - 1:0:-1]
    kords = stats.norm.pdf(kords, scale=bwv)
    conv = np.fft.ifft(np.fft.fft(y) * np.conj(np.fft.fft(kords))).real
    dens = np.maximum(0.0, conv[:ng])
    xords = np.linspace(lo, up, ng)
    xs = np.linspace(lo_x, up_x, n_user)
    return RList({"x": xs, "y": np.interp(xs, xords, dens), "bw": bwv, "n": nx,
                  "call": f"density.default(x = {xname})", "data.name": xname,
                  "has.na": False}, "density")


def _bin_dist(x: np.ndarray, w: np.ndarray, lo: float, hi: float, n: int) -> np.ndarray:
    """R's ``BinDist``: linear binning of ``x`` (weights ``w``) on ``n`` points of
    ``[lo, hi]``, into a vector of length ``2n`` (the upper half zero)."""
    y = np.zeros(2 * n)
    ixmax = n - 2
    delta = (hi - lo) / (n - 1)
    for xi, wi in zip(x, w):
        pos = (xi - lo) / delta
        ix = math.floor(pos)
        fx = pos - ix
        if 0 <= ix <= ixmax:
            y[ix] += wi * (1 - fx)
            y[ix + 1] += wi * fx
        elif ix == -1:
            y[0] += wi * fx
        elif ix == ixmax + 1:
            y[ix] += wi * (1 - fx)
    return y


def qqnorm_values(y: Any) -> RList:
    """R's ``qqnorm(y, plot.it = FALSE)``: ``x`` the normal quantiles, ``y`` the data."""
    v = numeric_values(y, "y")
    ok = ~np.isnan(v)
    x = np.full(v.size, np.nan)
    m = int(ok.sum())
    if m:
        ranks = stats.rankdata(v[ok], method="ordinal") - 1
        x[ok] = stats.norm.ppf(ppoints(m))[ranks]
    return RList({"x": x, "y": v}, "list")


def r_fivenum(x: Any, na_rm: Any = True) -> np.ndarray:
    """``fivenum(x)``."""
    return fivenum(x)


def r_boxplot_stats(x: Any, coef: float = 1.5, do_conf: Any = True, do_out: Any = True
                    ) -> RList:
    """``boxplot.stats(x, coef)``."""
    return boxplot_stats(x, coef)


def r_density(x: Any, bw: Any = "nrd0", adjust: float = 1.0, kernel: str = "gaussian",
              n: int = 512, cut: float = 3.0, from_: float | None = None,
              to: float | None = None, na_rm: Any = False, xname: str = "x") -> RList:
    """``density(x)`` (the Gaussian kernel only)."""
    if str(kernel).lower() not in ("gaussian", "g"):
        raise AsrError(f"density(kernel = {kernel!r}): only the Gaussian kernel is available",
                       hint="drop kernel = (R's default is 'gaussian')")
    v = numeric_values(x, xname)
    if np.isnan(v).any() and not na_rm:
        raise AsrError(f"density(): {xname} has missing values (R: 'x' contains missing "
                       "values)", hint="add na.rm = TRUE")
    return density_values(v, bw, adjust, n, cut, from_, to, xname)


def r_ppoints(n: Any) -> np.ndarray:
    """``ppoints(n)`` (a number, or a vector's length)."""
    arr = np.atleast_1d(np.asarray(n))
    return ppoints(int(arr[0]) if arr.size == 1 else arr.size)


class REcdf:
    """R's ``ecdf(x)``: the empirical distribution function ``Fn(q) = #{x_i <= q} / n``
    (missing values dropped); ``knots`` the sorted distinct values."""

    def __init__(self, x: Any) -> None:
        v = numeric_values(x, "x")
        self.values = np.sort(v[~np.isnan(v)])
        if self.values.size == 0:
            raise AsrError("ecdf(): 'x' must have 1 or more non-missing values")
        self.knots = np.unique(self.values)

    def __call__(self, q: Any) -> Any:
        qs = numeric_values(q, "q")
        out = np.searchsorted(self.values, qs, side="right") / self.values.size
        return float(out[0]) if np.ndim(q) == 0 else out

    def __repr__(self) -> str:
        return f"<R ecdf of {self.values.size} values>"


def r_ecdf(x: Any) -> REcdf:
    """``ecdf(x)``."""
    return REcdf(x)
