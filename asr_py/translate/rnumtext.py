"""R's ``as.character`` of one double (``paste(1e5)``, ``c(1, "a")``): the shortest of up to
15 significant digits that gives the value back at 15 digits, written in fixed notation
unless scientific notation is narrower (R's ``formatReal`` with ``scipen = 0``: fixed when
its width <= the scientific width): 100000 -> "1e+05", 123456 -> "123456", 0.0001 ->
"1e-04", 0.001 -> "0.001", 0.1 + 0.2 -> "0.3", NA/NaN/Inf as R writes them."""

from __future__ import annotations

import math


def r_double_text(x: float) -> str:
    """R's ``as.character(x)`` of the double ``x``."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    if x == 0:
        return "0"
    target = float(f"{x:.14e}")
    digits = next(d for d in range(1, 16) if float(f"{x:.{d - 1}e}") == target)
    mant, exp_text = f"{x:.{digits - 1}e}".split("e")
    exp = int(exp_text)
    sci = f"{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    fixed = f"{x:.{max(0, digits - 1 - exp)}f}"
    return fixed if len(fixed) <= len(sci) else sci
