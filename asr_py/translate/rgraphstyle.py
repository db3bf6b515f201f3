"""R's graphical parameters as matplotlib's: colours, plotting symbols, line types.

* ``col``: a name of R's ``colors()`` (grDevices' table, asr_py/data/r_colors.json, recorded
  from R 4.2.2: ``"gray62"``, ``"steelblue2"``), ``"#RRGGBB"``/``"#RRGGBBAA"``, or a number:
  ``k`` is ``palette()[(k - 1) %% 8 + 1]`` (R 4's palette), ``0`` the background
  (transparent); ``NA`` draws nothing. A vector of colours recycles over the points.
* ``pch``: 0-25 as R's symbols (0 □, 1 ○, 2 △, 3 +, 4 ×, 5 ◇, 6 ▽, 8 *, 15 ■, 16/19 ●,
  17 ▲, 18 ◆, 20 • small, 21-25 filled with ``bg``), a one-character string as that
  character, ``"."`` a pixel.
* ``lty``: 0 blank, 1 solid, 2 dashed, 3 dotted, 4 dotdash, 5 longdash, 6 twodash, or those
  names; ``lwd`` R's width 1 is 0.75 pt (1/96 inch).
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["color", "colors", "marker", "linestyle", "linewidth", "as_list", "recycle",
           "is_na"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "r_colors.json"
#: pch -> (matplotlib marker, filled with col, filled with bg, size factor)
_PCH: dict[int, tuple[str, bool, bool, float]] = {
    0: ("s", False, False, 1.0), 1: ("o", False, False, 1.0), 2: ("^", False, False, 1.0),
    3: ("+", False, False, 1.2), 4: ("x", False, False, 1.0), 5: ("D", False, False, 1.0),
    6: ("v", False, False, 1.0), 7: ("$\u22a0$", False, False, 1.2),
    8: ("*", False, False, 1.2), 9: ("$\u2295$", False, False, 1.2),
    10: ("$\u2295$", False, False, 1.2), 11: ("$\u2721$", False, False, 1.2),
    12: ("$\u229e$", False, False, 1.2), 13: ("$\u2297$", False, False, 1.2),
    14: ("$\u2342$", False, False, 1.2), 15: ("s", True, False, 1.0),
    16: ("o", True, False, 1.0), 17: ("^", True, False, 1.0), 18: ("D", True, False, 0.8),
    19: ("o", True, False, 1.0), 20: ("o", True, False, 0.6), 21: ("o", False, True, 1.0),
    22: ("s", False, True, 1.0), 23: ("D", False, True, 1.0), 24: ("^", False, True, 1.0),
    25: ("v", False, True, 1.0)}
_LTY = {"0": "None", "blank": "None", "1": "-", "solid": "-", "2": (0, (4, 4)),
        "dashed": (0, (4, 4)), "3": (0, (1, 3)), "dotted": (0, (1, 3)),
        "4": (0, (1, 3, 4, 3)), "dotdash": (0, (1, 3, 4, 3)), "5": (0, (7, 3)),
        "longdash": (0, (7, 3)), "6": (0, (2, 2, 6, 2)), "twodash": (0, (2, 2, 6, 2))}


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_DATA.read_text())
    return data


def is_na(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is np.nan


def as_list(v: Any) -> list[Any]:
    """A scalar or vector argument as a Python list."""
    if v is None:
        return []
    if isinstance(v, (str, bytes)):
        return [v]
    if hasattr(v, "tolist") and not isinstance(v, dict):
        out = v.tolist()
        return out if isinstance(out, list) else [out]
    if isinstance(v, (list, tuple, range)):
        return list(v)
    return [v]


def recycle(v: Any, n: int) -> list[Any]:
    vals = as_list(v)
    if not vals or n <= 0:
        return vals[:0]
    return [vals[i % len(vals)] for i in range(n)]


def colors() -> list[str]:
    """R's ``colors()``: the names of the colour table."""
    return list(_table()["colors"])


def color(c: Any, bg: str = "none") -> Any:
    """One R colour as a matplotlib colour (see the module docstring); None for NA."""
    if is_na(c):
        return None
    if isinstance(c, (bool, np.bool_)):
        c = int(c)
    if isinstance(c, (int, float, np.integer, np.floating)):
        k = int(c)
        if k == 0:
            return bg
        if k < 0:
            raise ValueError(f"numerical color values must be >= 0, found {k}")
        return color(_table()["palette"][(k - 1) % 8])
    s = str(c)
    if s.startswith("#"):
        if len(s) in (4, 5):
            s = "#" + "".join(ch * 2 for ch in s[1:])
        return s
    key = s.lower().replace(" ", "")
    hexv = _table()["colors"].get(key)
    if hexv is not None:
        return hexv
    if key.isdigit():
        return color(int(key))
    if key in ("transparent", "none"):
        return "none"
    raise ValueError(f"invalid color name '{s}'")


def marker(pch: Any) -> tuple[str, bool, bool, float]:
    """(marker, filled by col, filled by bg, size factor) of one R ``pch``."""
    if is_na(pch):
        return ("None", False, False, 1.0)
    if isinstance(pch, str):
        if pch == ".":
            return (",", True, False, 1.0)
        if len(pch) == 1 and not pch.isdigit():
            ch = pch.replace("$", r"\$")
            return (f"${ch}$", True, False, 1.2)
        pch = int(pch) if pch.strip().isdigit() else 1
    return _PCH.get(int(pch), ("o", False, False, 1.0))


def linestyle(lty: Any) -> Any:
    """An R ``lty`` as a matplotlib line style."""
    if is_na(lty):
        return "-"
    key = str(int(lty)) if isinstance(lty, (int, float, np.integer, np.floating)) else \
        str(lty).lower()
    if key in _LTY:
        return _LTY[key]
    if key.isalnum() and all(ch in "0123456789abcdef" for ch in key) and len(key) % 2 == 0:
        return (0, tuple(int(ch, 16) for ch in key))     # R's "44", "1343" hex dashes
    return "-"


def linewidth(lwd: Any) -> float:
    """R's ``lwd`` (1 = 1/96 inch) in points."""
    return 0.75 * float(lwd) if not is_na(lwd) else 0.75
