"""broom.asreml's ``tidy(x, type)`` of an asreml fit in translated scripts: its translation
rule and runtime.

broom.asreml (emitanaka/broom.asreml, ``tidy.asreml(x, type = c("all", "fixed", "random",
"vcomp", "varcomp", "wald"))``) gives a tibble, one row per coefficient or parameter, row
names moved into a first column ``term``:

* ``"fixed"``: ``coef(x)$fixed`` (every level, asreml 4's order, reference levels 0):
  ``term``, ``estimate`` (the effect), ``std.error`` (sqrt of its prediction-error variance,
  ``sqrt(x$vcoeff$fixed * x$sigma2)``); a reference or aliased level has std.error 0
  (asreml's vcoeff is 0 there: AAGI-AUS/bayesreml's recorded outputs show it).
* ``"random"``: ``coef(x)$random`` under asreml's names (``gen_G01``): ``term``,
  ``estimate`` (the BLUP), ``std.error`` (sqrt PEV).
* ``"vcomp"`` (also ``"varcomp"``): ``summary(x)$varcomp``: ``term``, ``estimate``
  (component), ``std.error``, ``statistic`` (z ratio), ``constraint`` (bound: P, U, F, B).
* ``"all"`` (the default): the three stacked, a first column ``type`` saying which.

``type`` is matched as R's ``match.arg`` does (a unique prefix). ``"wald"`` and a ``tidy()``
of anything but an asreml fit are refused with a clear error. The call is translated when
its object is a fit, or the script loads broom.asreml (``library(broom.asreml)``,
``broom.asreml::tidy``); otherwise (``broom::tidy(anova(m))``) it is left as it was.
"""
from __future__ import annotations

import re
from typing import Any

import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCTIONS", "r_tidy_asreml", "translate"]

FUNCTIONS = frozenset({"tidy", "broom.asreml::tidy", "generics::tidy"})
_TYPES = ("all", "fixed", "random", "vcomp", "varcomp", "wald")
_LOADS = re.compile(r"\b(?:library|require|requireNamespace)\s*\(\s*[\"']?broom\.asreml\b|"
                    r"\bbroom\.asreml::")


def translate(tr: Any, e: Any) -> str | None:
    """``tidy(m, type)`` -> ``r_tidy_asreml(m, type)`` when ``m`` is a fit or the script uses
    broom.asreml; None otherwise (module docstring)."""
    args = e.args
    pos = [a for n, a in args if n is None]
    named = {n: a for n, a in args if n is not None}
    if not pos or set(named) - {"type", "x"} or len(pos) > 2 or \
            len(pos) == 2 and "type" in named:
        return None
    x = named.get("x", pos[0])
    if not (tr.is_fit(x) or e.value == "broom.asreml::tidy" or _LOADS.search(tr.code)):
        return None
    rest = [a for a in pos if a is not x]
    kind = named.get("type", rest[0] if rest else None)
    extra = f", {tr.py(kind)}" if kind is not None else ""
    return f"{tr.runtime('r_tidy_asreml')}({tr.py(x)}{extra})"


def _type(kind: Any) -> str:
    if not isinstance(kind, str):
        raise AsrError("tidy(): type must be one text value",
                       hint=f"one of {', '.join(_TYPES)}")
    hits = [t for t in _TYPES if t.startswith(kind)]
    if kind in _TYPES:
        return kind
    if len(hits) != 1:
        raise AsrError(f"tidy(): 'arg' should be one of {', '.join(map(repr, _TYPES))}, "
                       f"not {kind!r}", hint="broom.asreml's tidy() types")
    return hits[0]


def _frame(tab: pd.DataFrame, cols: dict[str, str]) -> pd.DataFrame:
    out = pd.DataFrame({"term": [str(i) for i in tab.index]})
    for new, old in cols.items():
        out[new] = tab[old].to_numpy()
    return out


def r_tidy_asreml(x: Any, type: Any = "all") -> pd.DataFrame:  # noqa: A002 - R's name
    """broom.asreml's ``tidy(x, type)``: see the module docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    if x.__class__.__name__ != "AsremlFit":
        raise AsrError("tidy(): only an asreml fit is translated (broom.asreml's "
                       "tidy.asreml)", hint="tidy(m, 'vcomp') with m <- asreml(...)")
    kind = _type(type)
    if kind == "varcomp":
        kind = "vcomp"
    if kind == "all":
        parts = [r_tidy_asreml(x, k).assign(type=k) for k in ("fixed", "random", "vcomp")]
        out = pd.concat(parts, ignore_index=True)
        return out[["type"] + [c for c in out.columns if c != "type"]]
    if kind == "fixed":
        tab = x.coef_fixed_all()
        out = _frame(tab, {"estimate": "solution", "std.error": "std.error"})
        # sqrt(vcoeff * sigma2): asreml's vcoeff of a reference or aliased level is 0
        out["std.error"] = out["std.error"].fillna(0.0)
        return out
    if kind == "random":
        from asr_py.translate.rcoefrandom import r_coef_random

        tab = r_coef_random(x)
        return _frame(tab, {"estimate": "solution", "std.error": "std.error"})
    if kind == "vcomp":
        from asr_py.translate.runtime import r_varcomp

        tab = r_varcomp(x)
        out = _frame(tab, {"estimate": "component", "std.error": "std.error",
                           "statistic": "z.ratio"})
        out["constraint"] = [str(b) for b in tab["bound"]]
        return out
    raise AsrError("tidy(x, 'wald') is not translated",
                   hint="wald(m) gives the Wald table (asr_py's wald)")

