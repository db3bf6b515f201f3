"""grDevices' ``colorRampPalette(colors)`` and ``colorRamp(colors)``: colours between
given ones, as plotting scripts make them (``colorRampPalette(c("blue", "white",
"red"))(100)``).

R (``grDevices::colorRamp``/``colorRampPalette``, space "rgb", interpolate "linear"):
the colours are taken to RGB in [0, 1] (``col2rgb(colors) / 255``), placed at
``x = seq(0, 1, length.out = k)`` and each channel interpolated linearly
(``approxfun``); ``colorRamp(colors)(x)`` is the n x 3 matrix of channels times 255;
``colorRampPalette(colors)(n)`` evaluates it at ``seq(0, 1, length.out = n)`` and writes
``rgb(r, g, b, maxColorValue = 255)``: with maxColorValue 255, R's ``rgb()`` converts the
values to integers (truncation), so ``colorRampPalette(c("blue", "red"))(3)`` is
``"#0000FF" "#7F007F" "#FF0000"``. Colours are "#RRGGBB" (or "#RRGGBBAA", the alpha
dropped as R does without ``alpha = TRUE``) or one of R's colour names below; another
name is an error naming it. ``bias``, ``space = "Lab"`` and ``interpolate = "spline"``
are not translated.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["call", "note_binding", "r_color_ramp", "r_color_ramp_palette"]

#: R's colours() by name (grDevices' table, the X11 rgb.txt values) most scripts use
_NAMES = {
    "white": "FFFFFF", "black": "000000", "red": "FF0000", "green": "00FF00",
    "blue": "0000FF", "yellow": "FFFF00", "cyan": "00FFFF", "magenta": "FF00FF",
    "orange": "FFA500", "purple": "A020F0", "gray": "BEBEBE", "grey": "BEBEBE",
    "darkgreen": "006400", "navy": "000080", "navyblue": "000080", "darkred": "8B0000",
    "darkblue": "00008B", "pink": "FFC0CB", "brown": "A52A2A", "gold": "FFD700",
    "darkorange": "FF8C00", "lightblue": "ADD8E6", "skyblue": "87CEEB",
    "firebrick": "B22222", "forestgreen": "228B22", "tomato": "FF6347",
    "steelblue": "4682B4", "lightgray": "D3D3D3", "lightgrey": "D3D3D3",
    "darkgray": "A9A9A9", "darkgrey": "A9A9A9", "orchid": "DA70D6", "violet": "EE82EE",
    "salmon": "FA8072", "tan": "D2B48C", "khaki": "F0E68C", "beige": "F5F5DC",
    "coral": "FF7F50", "turquoise": "40E0D0", "lightgreen": "90EE90",
    "darkviolet": "9400D3", "dodgerblue": "1E90FF", "royalblue": "4169E1",
    "seagreen": "2E8B57", "limegreen": "32CD32", "chartreuse": "7FFF00",
    "maroon": "B03060", "darkcyan": "008B8B", "lightyellow": "FFFFE0", "ivory": "FFFFF0"}


def _rgb01(color: Any) -> np.ndarray:
    """``col2rgb(color) / 255`` of one colour."""
    c = str(color)
    hexa = c[1:] if c.startswith("#") else _NAMES.get(c.lower().replace(" ", ""))
    if hexa is None or len(hexa) not in (6, 8) or any(
            ch not in "0123456789abcdefABCDEF" for ch in hexa):
        raise AsrError(f"colorRampPalette(): colour {c!r} is not translated (give it as "
                       "'#RRGGBB')", hint="R's col2rgb(name) gives its red, green, blue")
    return np.array([int(hexa[i:i + 2], 16) for i in (0, 2, 4)], dtype=float) / 255


def _seq01(n: int) -> np.ndarray:
    """R's ``seq.int(0, 1, length.out = n)``."""
    if n == 1:
        return np.array([0.0])
    by = 1.0 / (n - 1)
    out = np.array([i * by for i in range(n)])
    out[-1] = 1.0
    return out


def _approx(knots: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """R's ``approxfun(knots, y)(x)`` (linear; a knot gives its own value)."""
    out = np.empty(len(x))
    for k, v in enumerate(x):
        j = int(np.searchsorted(knots, v, side="left"))
        if j < len(knots) and knots[j] == v:
            out[k] = y[j]
            continue
        i = max(j - 1, 0)
        j = min(j, len(knots) - 1)
        out[k] = y[i] + (y[j] - y[i]) * ((v - knots[i]) / (knots[j] - knots[i]))
    return out


def r_color_ramp(colors: Any) -> Callable[[Any], np.ndarray]:
    """``colorRamp(colors)``: a function of x in [0, 1] giving the n x 3 RGB matrix (0-255)."""
    if isinstance(colors, Untranslated):
        return colors._use()  # type: ignore[return-value]
    cols = [colors] if isinstance(colors, str) else list(np.ravel(np.asarray(colors,
                                                                             dtype=object)))
    if not cols:
        raise AsrError("colorRampPalette(): no colours given")
    rgb = np.array([_rgb01(c) for c in cols])
    if len(rgb) == 1:
        rgb = np.vstack([rgb, rgb])
    knots = _seq01(len(rgb))

    def ramp(x: Any) -> np.ndarray:
        xs = np.ravel(np.asarray(x, dtype=float))
        chans = [_approx(knots, rgb[:, c], xs) for c in range(3)]
        return np.clip(np.column_stack(chans), 0.0, 1.0) * 255

    return ramp


def r_color_ramp_palette(colors: Any) -> Callable[[Any], list[str]]:
    """``colorRampPalette(colors)``: a function of n giving n colours "#RRGGBB"."""
    ramp = r_color_ramp(colors)
    if isinstance(ramp, Untranslated):
        return ramp  # type: ignore[return-value]

    def palette(n: Any) -> list[str]:
        k = int(np.ravel(np.asarray(n, dtype=float))[0])
        if k <= 0:
            return []
        m = ramp(_seq01(k)).astype(int)          # rgb(maxColorValue = 255): integers
        return ["#" + "".join(f"{int(v):02X}" for v in row) for row in m]

    return palette


def _colors_arg(e: R) -> R | None:
    """The colours of ``colorRampPalette(colors)`` (no other argument translated)."""
    args = [(n, a) for n, a in e.args if a.kind != "empty"]
    if len(args) != 1 or args[0][0] not in (None, "colors"):
        return None
    return args[0][1]


def note_binding(tr: Any, name: str, r: R) -> None:
    """Record ``pal <- colorRampPalette(...)`` so ``pal(n)`` is a call; forget otherwise."""
    bound: set[str] = tr.__dict__.setdefault("color_ramps", set())
    bound.discard(name)
    if r.kind == "call" and r.value in ("colorRampPalette", "colorRamp",
                                        "grDevices::colorRampPalette") and \
            r.value not in tr.functions and _colors_arg(r) is not None:
        bound.add(name)


def call(tr: Any, e: R) -> str | None:
    """``colorRampPalette(cols)``, ``colorRampPalette(cols)(n)`` and ``pal(n)`` of a bound
    palette; None for anything else."""
    f = e.value.split("::")[-1] if e.value else ""
    if f in ("colorRampPalette", "colorRamp") and e.value not in tr.functions:
        cols = _colors_arg(e)
        if cols is None:
            return None
        helper = "r_color_ramp_palette" if f == "colorRampPalette" else "r_color_ramp"
        return f"{tr.runtime(helper)}({tr.py(cols)})"
    if not e.value and e.left is not None and e.left.kind == "call":
        inner = call(tr, e.left)            # colorRampPalette(cols)(n)
        if inner is None or len(e.args) != 1 or e.args[0][0] is not None:
            return None
        return f"{inner}({tr.py(e.args[0][1])})"
    if e.value in tr.__dict__.get("color_ramps", set()) and e.value not in tr.functions \
            and len(e.args) == 1 and e.args[0][0] in (None, "n"):
        return f"{e.value.replace('.', '_')}({tr.py(e.args[0][1])})"
    return None
