"""Yuanzhen Lin's ``pin()`` of the AAfun / AAFMM packages (asreml helpers), with the
arguments the plain ``pin(m, h2 ~ V1/(V1 + V2))`` (nadiv's, Ian White's: asr_py's
``fit.vpredict``) lacks. Semantics read from their source (AAfun R/pin.R; AAFMM R/pin.R,
``pin.asreml`` and ``sig.level``):

- ``pin(object, formula, signif, corN, Rdf, asrV)`` (AAfun; AAFMM's order is
  ``object, formula, asrV, signif, corN, Rdf, digit, vres``). With a formula: the estimate
  t = f(V) and its delta-method SE, ``data.frame(row.names = <lhs>, Estimate = t, SE = se)``.
- ``signif = TRUE``: a third column ``sig.level`` from ``sig.level(t, se)``: "***" when
  |t| > 3.090·se, "**" when > 2.326·se, "*" when > c·se, else "Not signif" — c = 1.450 in
  AAfun, 1.645 in AAFMM (its "# 1.450?" correction).
- ``Rdf = TRUE``: the vector ``vv = c(t, se)`` instead of the table (AAFMM rounds it to
  ``digit`` decimals).
- AAFMM's ``vres = TRUE``: returns ``vv`` rounded to ``digit``, named ``c(<lhs>,
  "<lhs>.se")``.
- No formula: the first ``corN`` (default 1, with AAfun's printed notice) rows of
  ``summary(object)$varcomp`` as Estimate = component, SE = std.error and ``sig.level``
  (``asrV`` picks asreml 3's or 4's columns of the same two numbers; asr_py has one
  varcomp, so it is accepted and not needed).

AAfun/AAFMM print the table inside pin() and return NULL (AAFMM's ``vres = TRUE`` aside);
here ``r_pin`` returns what they print (a translated top-level call prints it), so an
assignment holds the table rather than NULL. The "Sig.level: ..." legend line is printed.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, Untranslatable

__all__ = ["FUNCTIONS", "r_pin", "sig_level", "translate"]

FUNCTIONS = frozenset({"pin", "AAfun::pin", "AAFMM::pin"})

_FORMALS = {"AAfun": ("object", "formula", "signif", "corN", "Rdf", "asrV"),
            "AAFMM": ("object", "formula", "asrV", "signif", "corN", "Rdf", "digit", "vres")}
_LEGEND = "Sig.level: 0'***' 0.001 '**' 0.01 '*' 0.05 'Not signif' 1"


def _package(tr: Any, f: str) -> str:
    """AAFMM when the call or the script names it, else AAfun."""
    if f.startswith("AAFMM::") or re.search(r"\b(?:library|require)\s*\(\s*[\"']?AAFMM\b",
                                            getattr(tr, "code", "") or ""):
        return "AAFMM"
    return "AAfun"


def translate(tr: Any, e: R) -> str | None:
    """``pin(m, f, signif = TRUE, Rdf = , corN = , ...)`` -> ``r_pin(...)``; None (the plain
    ``m.vpredict(f)``) when only the fit and the formula are given."""
    pkg = _package(tr, e.value)
    formals = _FORMALS[pkg]
    pos = [a for n, a in e.args if n is None]
    named = {n: a for n, a in e.args if n is not None}
    if set(named) - set(formals) or len(pos) > len(formals):
        return None
    got = dict(zip([k for k in formals if k not in named], pos)) | named
    if "object" not in got or set(got) <= {"object", "formula"} and "formula" in got:
        return None
    form = got.get("formula")
    if form is not None and not (form.kind == "formula" or form.kind == "name" and
                                 form.value == "NULL"):
        raise Untranslatable("pin() with a formula built at run time")
    text = "None" if form is None or form.kind == "name" else repr(tr.src(form))
    extra = "".join(f", {k}={tr.py(got[k])}" for k in formals[2:] if k in got)
    return (f"{tr.runtime('r_pin')}({tr.py(got['object'])}, {text}{extra}, "
            f"package={pkg!r})")


def sig_level(t: Any, se: Any, lowest: float = 1.450) -> list[str]:
    """AAfun's ``sig.level(tvalue, se)``: "***", "**", "*" when |t| exceeds 3.090, 2.326,
    ``lowest`` times se, else "Not signif"."""
    out = []
    for tv, s in zip(np.atleast_1d(np.asarray(t, dtype=float)),
                     np.atleast_1d(np.asarray(se, dtype=float)), strict=True):
        a = abs(tv)
        out.append("***" if a > s * 3.090 else "**" if a > s * 2.326 else
                   "*" if a > s * lowest else "Not signif")
    return out


def _flag(v: Any) -> bool:
    return v is not None and bool(np.ravel(np.asarray(v))[0])


def r_pin(fit: Any, formula: str | None = None, signif: Any = None, corN: Any = None,  # noqa: N803
          Rdf: Any = None, asrV: Any = 3, digit: Any = 3, vres: Any = False,  # noqa: N803
          package: str = "AAfun") -> Any:
    """AAfun/AAFMM ``pin()``: see the module docstring."""
    if isinstance(fit, Untranslated):
        return fit._use()
    if not hasattr(fit, "vpredict"):
        raise AsrError(f"pin(): object must be an asreml fit, not {type(fit).__name__}",
                       hint="pin(m, h2 ~ V1/(V1 + V2)) with m an asreml() result")
    lowest = 1.645 if package == "AAFMM" else 1.450
    d = int(np.ravel(np.asarray(digit))[0])
    if formula is not None:
        tab = fit.vpredict(formula)
        name = str(tab.index[0])
        est, se = float(tab["Estimate"].iloc[0]), float(tab["SE"].iloc[0])
        if package == "AAFMM" and _flag(vres):
            return pd.Series([round(est, d), round(se, d)], index=[name, f"{name}.se"])
        if _flag(signif):
            tab = tab.assign(**{"sig.level": sig_level(est, se, lowest)})
            print(_LEGEND)
            return tab
        if _flag(Rdf):
            vv = np.array([est, se])
            return np.round(vv, d) if package == "AAFMM" else vv
        return tab
    from asr_py.translate.runtime import r_varcomp

    if corN is None:
        print("Attension: since no N value, here just show fisrt one corr!!")
    n = 1 if corN is None else int(np.ravel(np.asarray(corN))[0])
    vc = r_varcomp(fit).iloc[:n]
    est, se = vc["component"].to_numpy(float), vc["std.error"].to_numpy(float)
    print(_LEGEND)
    return pd.DataFrame({"Estimate": est, "SE": se, "sig.level": sig_level(est, se, lowest)},
                        index=list(vc.index))
