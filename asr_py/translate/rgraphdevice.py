"""R's graphics devices and figure layout on matplotlib (translated scripts' base graphics).

State as in R (``?Devices``, ``?par``, ``?layout``):

* Devices: ``pdf(file, width = 7, height = 7)`` (inches; one file, one page per plot;
  a ``%d`` in the name gives a file per page), ``png``/``jpeg``/``tiff``/``bmp(file,
  width = 480, height = 480, units = "px", res = 72)`` (a file per page when the name has
  ``%d``; otherwise each page overwrites the last), ``svg``. ``dev.off()`` writes and closes
  the current device and returns the next one (``c("null device" = 1)`` when none is left);
  ``graphics.off()`` closes all; at exit open devices are closed (as R does). Drawing with no
  device open opens ``Rplots.pdf`` in the working folder, as Rscript does.
* Pages and panels: ``plot.new()`` (every high-level plot) moves to the next panel of the
  page and to a new page when the page is full. ``par(mfrow = c(nr, nc))`` gives nr × nc
  panels filled by rows (``mfcol`` by columns) and resets the page; ``layout(mat, widths,
  heights)`` gives panels numbered by ``mat``. With 2 × 2 panels R shrinks ``cex`` to 0.83,
  with 3 or more rows or columns to 0.66.
* Margins: ``mar`` (lines of text around each plot region, default 5.1 4.1 4.1 2.1) and
  ``oma`` (around the page), a line 0.2 inch × ``mex``; the plot region is the panel less
  its margins.

Without matplotlib (the ``plot`` extra), or with the environment variable
``ASR_PY_GRAPHICS=off``, nothing is drawn: the first graphics call prints one note and every
graphics call returns its R value without drawing.
"""
from __future__ import annotations

import atexit
import os
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["RDeviceNumber", "Device", "state", "has_matplotlib", "open_device", "dev_off",
           "dev_cur", "graphics_off", "plot_new", "current_axes", "par", "layout",
           "PAR_DEFAULTS", "warn_once", "whole_page", "text_size"]

PAR_DEFAULTS: dict[str, Any] = {
    "mfrow": [1, 1], "mfcol": [1, 1], "mar": [5.1, 4.1, 4.1, 2.1], "oma": [0.0, 0.0, 0.0, 0.0],
    "cex": 1.0, "cex.axis": 1.0, "cex.lab": 1.0, "cex.main": 1.2, "cex.sub": 1.0, "las": 0,
    "pch": 1, "lty": "solid", "lwd": 1.0, "col": "black", "bg": "white", "fg": "black",
    "mgp": [3.0, 1.0, 0.0], "xpd": False, "mex": 1.0, "tck": None, "tcl": -0.5,
    "bty": "o", "xaxs": "r", "yaxs": "r", "xaxt": "s", "yaxt": "s", "ann": True,
    "family": "", "font": 1, "font.main": 2, "font.lab": 1, "font.axis": 1,
    "col.main": "black", "col.lab": "black", "col.axis": "black", "adj": 0.5, "pty": "m",
    "new": False, "xlog": False, "ylog": False, "usr": [0.0, 1.0, 0.0, 1.0],
    "fig": [0.0, 1.0, 0.0, 1.0], "plt": None, "pin": None, "fin": None, "ps": 12,
    "lend": "round", "ljoin": "round", "srt": 0.0, "din": [7.0, 7.0], "omi": [0.0] * 4,
    "mai": [1.02, 0.82, 0.82, 0.42], "oma.lines": None, "lab": [5, 5, 7], "err": 0,
    "ask": False, "page": True, "xaxp": [0, 1, 5], "yaxp": [0, 1, 5], "yaxs.old": None}
_READONLY = {"usr", "fin", "pin", "plt", "din", "page", "xlog", "ylog", "xaxp", "yaxp"}
_LINE_IN = 0.2          # one margin line, inches


class RDeviceNumber(int):
    """R's value of ``dev.cur()``/``dev.off()``: a device number named by its kind
    (``c("null device" = 1)``, ``c(pdf = 2)``); compares as the number (``dev.cur() > 1``)."""

    def __new__(cls, number: int, name: str) -> RDeviceNumber:
        obj = super().__new__(cls, number)
        obj.name = name
        return obj

    name: str

    def __repr__(self) -> str:
        return f"{self.name}\n{int(self):>{len(self.name)}}"

    __str__ = __repr__


@dataclass
class Device:
    """One open device: its file pattern, size in inches, resolution and current page."""

    kind: str
    file: str
    width: float
    height: float
    dpi: float = 72.0
    number: int = 2
    fig: Any = None
    pdf: Any = None
    pages: int = 0
    panels: list[tuple[float, float, float, float]] = field(default_factory=list)
    panel: int = -1
    axes: Any = None
    fresh: bool = True         # par(mfrow)/layout(): the next plot starts a new page

    def page_file(self) -> str:
        if "%" in self.file:
            try:
                return self.file % self.pages
            except TypeError:
                return self.file
        return self.file


class _State:
    def __init__(self) -> None:
        self.devices: list[Device] = []
        self.current: Device | None = None
        self.par: dict[str, Any] = dict(PAR_DEFAULTS)
        self.grid: tuple[int, int] = (1, 1)
        self.by_col = False
        self.layout: list[tuple[float, float, float, float]] | None = None
        self.noted = False
        self.warned: set[str] = set()
        self.saved: list[str] = []


state = _State()


def has_matplotlib() -> bool:
    """Whether figures are drawn: matplotlib is installed and the environment variable
    ``ASR_PY_GRAPHICS`` is not ``off`` (a batch run's choice: values only, no files, less
    CPU); the first call without them prints one note."""
    if os.environ.get("ASR_PY_GRAPHICS", "").lower() in ("off", "0", "no", "none"):
        if not state.noted:
            state.noted = True
            print("asr_py.translate: ASR_PY_GRAPHICS=off, so R's graphics calls draw nothing",
                  file=sys.stderr)
        return False
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        if not state.noted:
            state.noted = True
            print("asr_py.translate: matplotlib is not installed, so R's graphics calls draw "
                  "nothing (pip install 'asr_py[plot]' to get the figures)", file=sys.stderr)
        return False
    return True


def warn_once(key: str, message: str) -> None:
    """A RuntimeWarning, once per ``key`` in this process."""
    if key not in state.warned:
        state.warned.add(key)
        warnings.warn(message, RuntimeWarning, stacklevel=3)


def open_device(kind: str, file: str | None, width: float | None = None,
                height: float | None = None, units: str = "px", res: float | None = None,
                pointsize: float | None = None) -> Device:
    """Open a device (``pdf()``, ``png()`` ...) and make it current."""
    number = 2 + max((d.number - 1 for d in state.devices), default=0)
    if kind in ("pdf", "svg", "postscript", "cairo_pdf"):
        w, h, dpi = float(width or 7), float(height or 7), 72.0
        default = {"pdf": "Rplots.pdf", "svg": "Rplot%03d.svg", "postscript": "Rplots.ps",
                   "cairo_pdf": "Rplot%03d.pdf"}[kind]
    else:
        dpi = float(res) if res not in (None, 0) and not _isnan(res) else 72.0
        scale = {"px": 1 / dpi, "in": 1.0, "cm": 1 / 2.54, "mm": 1 / 25.4}.get(units, 1 / dpi)
        w, h = float(width or (480 if units == "px" else 480 / dpi)) * scale, \
            float(height or (480 if units == "px" else 480 / dpi)) * scale
        default = f"Rplot%03d.{ 'jpeg' if kind == 'jpeg' else kind}"
    # R opens the file when the device opens: a relative name is of that working folder
    dev = Device(kind, os.path.abspath(str(file) if file else default), w, h, dpi, number)
    state.devices.append(dev)
    state.current = dev
    _reset_par()
    return dev


def _isnan(v: Any) -> bool:
    return isinstance(v, float) and v != v


def _reset_par() -> None:
    """A new device starts with R's default parameters and one panel."""
    state.par = dict(PAR_DEFAULTS)
    state.grid, state.by_col, state.layout = (1, 1), False, None


def _finish_page(dev: Device) -> None:
    if dev.fig is None:
        return
    dev.pages += 1
    if dev.kind == "pdf" and "%" not in dev.file:
        if dev.pdf is None:
            from matplotlib.backends.backend_pdf import PdfPages

            _mkdir(dev.file)
            dev.pdf = PdfPages(dev.file)
        dev.pdf.savefig(dev.fig)
    else:
        path = dev.page_file()
        _mkdir(path)
        fmt = {"jpeg": "jpg", "tiff": "tiff", "bmp": "png", "postscript": "ps",
               "cairo_pdf": "pdf"}.get(dev.kind, dev.kind)
        dev.fig.savefig(path, format=fmt, dpi=dev.dpi)
        if path not in state.saved:
            state.saved.append(path)
    dev.fig, dev.axes = None, None


def _mkdir(path: str) -> None:
    folder = os.path.dirname(path)
    if folder and not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot open file '{path}': its folder {folder!r} does not "
                                "exist (R: unable to start device)")


def dev_cur() -> RDeviceNumber:
    """``dev.cur()``: the current device (1, the null device, when none is open)."""
    cur = state.current
    return RDeviceNumber(1, "null device") if cur is None else RDeviceNumber(cur.number,
                                                                             cur.kind)


def dev_off(which: Any = None) -> RDeviceNumber:
    """``dev.off()``: write and close the current device; R's value, the next device."""
    dev = state.current
    if which is not None:
        k = int(np.ravel(np.asarray(which, dtype=float))[0])
        dev = next((d for d in state.devices if d.number == k), None)
    if dev is None:
        if which is None or int(np.ravel(np.asarray(which, dtype=float))[0]) == 1:
            raise ValueError("cannot shut down device 1 (the null device)")
        return dev_cur()
    _close(dev)
    if state.current is dev:
        state.current = state.devices[-1] if state.devices else None
    return dev_cur()


def _close(dev: Device) -> None:
    try:
        _finish_page(dev)
        if dev.pdf is not None:
            dev.pdf.close()
        elif dev.kind == "pdf" and dev.pages == 0 and "%" not in dev.file:
            _mkdir(dev.file)            # R writes a pdf with no page too
            _empty_pdf(dev.file)
    finally:
        if dev in state.devices:
            state.devices.remove(dev)


def _empty_pdf(path: str) -> None:
    """A valid PDF document with no page (what R's pdf() then dev.off() leaves)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, xref)
    with open(path, "wb") as fh:
        fh.write(bytes(out))


def graphics_off() -> None:
    """``graphics.off()``: close every device."""
    for dev in list(state.devices):
        _close(dev)
    state.current = None


@atexit.register
def _close_at_exit() -> None:
    try:
        graphics_off()
    except Exception as exc:  # noqa: BLE001 - at exit: report, never raise
        print(f"asr_py.translate: a graphics device could not be written: {exc}",
              file=sys.stderr)


def _device() -> Device:
    if state.current is None:
        open_device("pdf", "Rplots.pdf")       # Rscript's default device
    assert state.current is not None
    return state.current


def _panels() -> list[tuple[float, float, float, float]]:
    """The panels of a page as (left, bottom, width, height) page fractions, in plot order."""
    if state.layout is not None:
        return state.layout
    nr, nc = state.grid
    out = []
    for k in range(nr * nc):
        r, c = (k % nr, k // nr) if state.by_col else (k // nc, k % nc)
        out.append((c / nc, 1 - (r + 1) / nr, 1 / nc, 1 / nr))
    return out


def _cex_multi() -> float:
    if state.layout is not None:
        n = len(state.layout)
        return 1.0 if n < 3 else 0.83 if n < 5 else 0.66
    nr, nc = state.grid
    if nr >= 3 or nc >= 3:
        return 0.66
    return 0.83 if nr == 2 and nc == 2 else 1.0


def plot_new() -> Any:
    """``plot.new()``: the next panel (a new page when the page is full): its matplotlib Axes
    with the plot region of ``mar``/``oma``."""
    dev = _device()
    if state.par.get("new"):
        state.par["new"] = False
        if dev.axes is not None:        # par(new = TRUE): draw over the last plot
            ax = dev.fig.add_axes(dev.axes.get_position(), frameon=False)
            dev.axes = ax
            return ax
    panels = _panels()
    if dev.fig is None or dev.fresh or dev.panel + 1 >= len(panels):
        _finish_page(dev)
        from matplotlib.figure import Figure

        dev.fig = Figure(figsize=(dev.width, dev.height), dpi=dev.dpi)
        dev.panel, dev.fresh = 0, False
    else:
        dev.panel += 1
    left, bottom, width, height = panels[dev.panel]
    mex = float(state.par.get("mex") or 1) * _cex_multi()
    oma = [float(v) for v in state.par["oma"]]
    mar = [float(v) for v in state.par["mar"]]
    wi, hi = dev.width, dev.height
    # the outer margins, then the panel, then its margins (inches -> page fractions)
    ox0, oy0 = oma[1] * _LINE_IN / wi, oma[0] * _LINE_IN / hi
    ow, oh = 1 - ox0 - oma[3] * _LINE_IN / wi, 1 - oy0 - oma[2] * _LINE_IN / hi
    px, py, pw, ph = ox0 + left * ow, oy0 + bottom * oh, width * ow, height * oh
    mx0, my0 = mar[1] * _LINE_IN * mex / wi, mar[0] * _LINE_IN * mex / hi
    mx1, my1 = mar[3] * _LINE_IN * mex / wi, mar[2] * _LINE_IN * mex / hi
    rect = [px + mx0, py + my0, pw - mx0 - mx1, ph - my0 - my1]
    if rect[2] <= 0.01 or rect[3] <= 0.01:
        warn_once("margins", "figure margins too large for the panel (R would stop here): "
                  "the margins were shrunk to draw the plot")
        rect = [px + 0.1 * pw, py + 0.1 * ph, 0.8 * pw, 0.8 * ph]
    dev.axes = dev.fig.add_axes(rect)
    dev.axes.tick_params(labelsize=_points(state.par.get("cex.axis", 1)))
    return dev.axes


def _points(cex: Any) -> float:
    try:
        c = float(np.ravel(np.asarray(cex, dtype=float))[0])
    except (TypeError, ValueError, IndexError):
        c = 1.0
    return 12.0 * c * float(state.par.get("cex") or 1) * _cex_multi()


def text_size(cex: Any = 1.0) -> float:
    """Text of ``cex`` in points (R's pointsize 12 × par cex × the panels' shrink)."""
    return _points(cex)


def current_axes(what: str) -> Any:
    """The current plot's Axes; None (with a warning, once) when no plot is open: R's
    'plot.new has not been called yet'."""
    dev = state.current
    if dev is None or dev.axes is None:
        warn_once(f"nonew:{what}", f"{what}(): plot.new has not been called yet (R stops "
                  "here); nothing drawn")
        return None
    return dev.axes


def par(*args: Any, **kw: Any) -> Any:
    """``par()``: set parameters (named, or a list/dict as ``par(op)``) and return the old
    values; ``par("mfrow")`` gives one value; ``par()`` / ``par(no.readonly = TRUE)`` all."""
    no_readonly = kw.pop("no_readonly", kw.pop("no.readonly", False))
    queries: list[str] = []
    for a in args:
        if isinstance(a, dict):
            kw.update(a)
        elif isinstance(a, str):
            queries.append(a)
        elif isinstance(a, (list, tuple)) and all(isinstance(v, str) for v in a):
            queries.extend(a)
    kw = {k.replace("_", "."): v for k, v in kw.items()}
    if queries and not kw:
        vals = {q: _query(q) for q in queries}
        return vals[queries[0]] if len(queries) == 1 else vals
    if not kw:
        return {k: _query(k) for k in state.par if not (no_readonly and k in _READONLY)}
    old = {k: _query(k) for k in kw}
    for k, v in kw.items():
        if k in ("mfrow", "mfcol"):
            nr, nc = (int(x) for x in np.ravel(np.asarray(v, dtype=float))[:2])
            state.grid, state.by_col, state.layout = (nr, nc), k == "mfcol", None
            state.par["mfrow"] = state.par["mfcol"] = [nr, nc]
            if state.current is not None:
                state.current.fresh = True
        elif k in _READONLY:
            continue
        else:
            state.par[k] = _plain(v)
    return old


def _plain(v: Any) -> Any:
    if hasattr(v, "tolist") and not isinstance(v, str):
        v = v.tolist()
    return v


def _query(k: str) -> Any:
    if k == "usr":
        dev = state.current
        if dev is not None and dev.axes is not None:
            return [*dev.axes.get_xlim(), *dev.axes.get_ylim()]
    if k == "mfrow":
        return list(state.grid)
    return state.par.get(k)


def layout(mat: Any, widths: Any = None, heights: Any = None, respect: Any = False) -> int:
    """``layout(mat, widths, heights)``: panels numbered by the matrix; returns how many."""
    m = np.asarray(mat.to_numpy() if hasattr(mat, "to_numpy") else mat, dtype=float)
    if m.ndim == 1:
        m = m.reshape(-1, 1)
    nr, nc = m.shape
    w = np.ones(nc) if widths is None else np.resize(np.asarray(widths, dtype=float), nc)
    h = np.ones(nr) if heights is None else np.resize(np.asarray(heights, dtype=float), nr)
    cw, ch = np.r_[0, np.cumsum(w)] / w.sum(), np.r_[0, np.cumsum(h)] / h.sum()
    panels = []
    n = int(np.nanmax(m)) if m.size else 0
    for k in range(1, n + 1):
        rows, cols = np.nonzero(m == k)
        if rows.size == 0:
            continue
        r0, r1, c0, c1 = rows.min(), rows.max(), cols.min(), cols.max()
        panels.append((cw[c0], 1 - ch[r1 + 1], cw[c1 + 1] - cw[c0], ch[r1 + 1] - ch[r0]))
    state.layout, state.grid = panels, (nr, nc)
    if state.current is not None:
        state.current.fresh = True
    return len(panels)


def whole_page() -> Any:
    """A page of its own (asreml's 2 × 2 residual plot, ``pairs()``): the current page is
    finished, the new one is full (the next plot starts another); its Figure."""
    dev = _device()
    from matplotlib.figure import Figure

    _finish_page(dev)
    dev.fig = Figure(figsize=(dev.width, dev.height), dpi=dev.dpi)
    dev.panel, dev.fresh = len(_panels()) - 1, False
    dev.axes = None
    return dev.fig
