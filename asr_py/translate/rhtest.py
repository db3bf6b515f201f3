"""R's ``htest`` object: the value of a classical test (``shapiro.test()``, ...).

An htest is a list with ``statistic`` (a named number, ``c(W = 0.97)``), optionally
``parameter``, ``p.value``, ``method`` and ``data.name``; ``print.htest`` (stats) shows::

    <blank>
    <TAB>Shapiro-Wilk normality test
    <blank>
    data:  x
    W = 0.96743, p-value = 0.1091
    <blank>

the statistic with ``digits - 2`` = 5 significant digits and the p-value through
``format.pval(p, digits = digits - 3)`` (4 digits; below machine epsilon ``< 2.2e-16``),
``digits`` being R's default 7.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["RHtest", "format_pval"]

_EPS = float(np.finfo(float).eps)


def _signif(v: float, digits: int) -> str:
    """R's ``format(v, digits = k)`` of one number: k significant digits, no trailing 0s."""
    if not np.isfinite(v):
        return "NaN" if np.isnan(v) else ("Inf" if v > 0 else "-Inf")
    text = f"{v:.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        return f"{mant}e{int(exp):+03d}"
    return text


def format_pval(p: float, digits: int = 4) -> str:
    """R's ``format.pval(p, digits)``: ``< 2.2e-16`` below machine epsilon, else ``p`` to
    ``digits`` significant digits."""
    if p < _EPS:
        return f"< {_signif(_EPS, 2)}"
    return _signif(p, digits)


class RHtest(dict):
    """An R ``htest`` list: ``x['p.value']``, ``x['statistic']`` (a named Series), ..."""

    def __init__(self, statistic: dict[str, float], p_value: float, method: str,
                 data_name: str, parameter: dict[str, float] | None = None) -> None:
        super().__init__()
        self["statistic"] = pd.Series(statistic, dtype=float)
        if parameter is not None:
            self["parameter"] = pd.Series(parameter, dtype=float)
        self["p.value"] = float(p_value)
        self["method"] = method
        self["data.name"] = data_name

    def __repr__(self) -> str:
        parts = [f"{k} = {_signif(float(v), 5)}" for k, v in self["statistic"].items()]
        if "parameter" in self:
            parts += [f"{k} = {_signif(float(v), 5)}" for k, v in self["parameter"].items()]
        fp = format_pval(self["p.value"])
        parts.append(f"p-value {fp}" if fp.startswith("<") else f"p-value = {fp}")
        return (f"\n\t{self['method']}\n\ndata:  {self['data.name']}\n"
                f"{', '.join(parts)}\n")

    __str__ = __repr__
