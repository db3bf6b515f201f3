"""nlme's ``lme()`` and ``gls()`` in translated scripts: their translation rule.

``lme(fixed, data, random, correlation, weights, method, ...)`` (R's argument matching:
named, then unnamed in lme's formal order) becomes ``r_lme(...)`` (runtime: rnlmefit.py),
``gls(model, data, correlation, weights, method, na.action)`` ``r_gls(...)`` (rnlmegls.py)
with the formulas and the ``random``/``weights``/``correlation`` specifications passed as
their R text; ``varIdent(...)``, ``corAR1(...)``, ``pdDiag(...)``, ... bound to a name are
held as their text too (``r_nlme_struct``). The fit answers ``logLik()``, ``VarCorr()``,
``fixef()``, ``ranef()`` and ``summary()`` as nlme's (its name is an lm-like fit for the
generic rules: asreml_rules/rlme4/rlm).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asr_py.translate.parser import Untranslatable

if TYPE_CHECKING:
    from asr_py.translate.parser import R

__all__ = ["FITS", "FUNCTIONS", "STRUCTS", "translate"]

#: calls that return an lme or gls fit
FITS = frozenset({"lme", "nlme::lme", "gls", "nlme::gls"})
#: nlme's variance functions, correlation structures and pd classes (their R text)
STRUCTS = frozenset({"varIdent", "varPower", "varExp", "varConstPower", "varFixed", "varComb",
                     "corAR1", "corCAR1", "corARMA", "corSymm", "corCompSymm", "corExp",
                     "corGaus", "corSpher", "corLin", "corRatio", "pdDiag", "pdSymm",
                     "pdIdent", "pdCompSymm", "pdLogChol", "pdBlocked", "pdNatural"})
FUNCTIONS = FITS | STRUCTS | {f"nlme::{s}" for s in STRUCTS} | {"groupedData",
                                                                "nlme::groupedData"}
#: lme's and gls's formals in R's order (lme.formula, gls)
_FORMALS = {"lme": ("fixed", "data", "random", "correlation", "weights", "subset", "method",
                    "na.action", "control", "contrasts", "keep.data"),
            "gls": ("model", "data", "correlation", "weights", "subset", "method",
                    "na.action", "control", "verbose")}
_TEXT = ("fixed", "model", "random", "correlation", "weights", "na.action")


def _base(f: str) -> str:
    return f[len("nlme::"):] if f.startswith("nlme::") else f


def _grouped_data(tr: Any, e: R) -> str:
    """``groupedData(formula, data)``: the data with its formula (r_grouped_data)."""
    names = ("formula", "data")
    given: dict[str, R] = {n: a for n, a in e.args if n in names}
    free = [k for k in names if k not in given]
    for n, a in e.args:
        if n is None and a.kind != "empty" and free:
            given[free.pop(0)] = a
        elif n is not None and n not in names:
            raise Untranslatable(f"groupedData({n} = ): not translated")
    if len(given) != 2 or given["formula"].kind != "formula":
        raise Untranslatable("groupedData() without a formula and data")
    return (f"{tr.runtime('r_grouped_data')}({' '.join(tr.src(given['formula']).split())!r}"
            f", {tr.py(given['data'])})")


def _check_fittable(tr: Any, f: str, given: dict[str, R]) -> None:
    """A TODO (Untranslatable, with the reason) for what rnlmefit cannot fit, when the call
    spells it out: no random (groupedData's), other variance functions or correlations."""
    from asr_py.errors import AsrError
    from asr_py.translate.rnlmefit import _random_bars
    from asr_py.translate.rnlmeresid import _cor_struct, _var_ident

    if f == "lme" and "random" not in given:
        raise Untranslatable("lme() without random = (nlme takes it from a groupedData's "
                             "formula): write random = ~ 1 | g")
    checks = (("random", _random_bars), ("weights", _var_ident),
              ("correlation", _cor_struct))
    for k, check in checks:
        a = given.get(k)
        if a is None or a.kind not in ("formula", "call"):
            continue
        try:
            if k == "random" and f == "gls":
                continue
            got = check(" ".join(tr.src(a).split()), f"{f}()")
            if k == "correlation" and f == "gls" and got is not None and got[2] is None:
                raise Untranslatable(f"gls(): {got[0]}() without form = ~ 1 | g (gls has "
                                     "no random groups to take it from)")
        except AsrError as err:
            msg = str(err).split("\n")[0]
            raise Untranslatable(msg + (f"; {err.hint}" if err.hint else "")) from None


def translate(tr: Any, e: R) -> str | None:
    """The Python of an nlme lme()/structure call, or None (another package's name)."""
    f = _base(e.value)
    if f in getattr(tr, "functions", ()) or f not in STRUCTS and f not in _FORMALS and \
            f != "groupedData":
        return None
    if f in STRUCTS:
        return f"{tr.runtime('r_nlme_struct')}({tr.src(e)!r})"
    if f == "groupedData":
        return _grouped_data(tr, e)
    formals = _FORMALS[f]
    given: dict[str, R] = {}
    for n, a in e.args:
        if a.kind == "empty":
            continue
        if n is not None:
            full = [k for k in formals if k.startswith(n)]
            if n not in formals and len(full) != 1:
                raise Untranslatable(f"{f}({n} = ): argument not known")
            given[n if n in formals else full[0]] = a
    free = [k for k in formals if k not in given]
    for n, a in e.args:
        if n is None and a.kind != "empty":
            if not free:
                raise Untranslatable(f"{f}(): more arguments than {f}() takes")
            given[free.pop(0)] = a
    for k in ("subset", "contrasts"):
        if k in given:
            raise Untranslatable(f"{f}({k} = ): not translated (subset the data first)")
    _check_fittable(tr, f, given)
    parts = []
    for k in formals:
        if k not in given or k in ("control", "keep.data", "verbose"):
            continue
        a = given[k]
        if k == "na.action" and f == "lme":
            continue            # lme drops incomplete records as na.omit does (rnlmefit)
        if k in _TEXT and (a.kind in ("formula", "call") or k == "na.action"):
            val = repr(" ".join(tr.src(a).split()))
        else:
            val = tr.py(a)
        parts.append(f"{k.replace('.', '_')}={val}")
    return f"{tr.runtime('r_' + f)}({', '.join(parts)})"
