"""lme4, lme4breeding and emmeans calls in translated scripts: their translation rules.

``lmer(f, data, REML)``, ``lmebreed()``/``lmeb()`` (lme4breeding), ``VarCorr()``,
``fixef()``, ``ranef()``, ``ngrps()``, ``getME()``, ``REMLcrit()``, ``emmeans()``,
``pairs()``, ``contrast()`` become calls into :mod:`asr_py.compat.lme4` (``asr.lme4``) and
:mod:`asr_py.compat.emmeans` (``asr.emmeans``); formulas are passed as their R text.
``glmer()``/``nlmer()`` become calls that raise a clear error (asr_py fits Gaussian models
here), and their line keeps a TODO. Generic accessors of lmer fits (``coef``, ``residuals``,
``fitted``, ``anova``) go through rlm.py's helpers, which dispatch on the fit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asr_py.translate import rformulaget

if TYPE_CHECKING:
    from asr_py.translate.parser import R

__all__ = ["FITS", "FUNCTIONS", "PACKAGES", "base_name", "translate"]

#: R packages whose library() call needs no TODO once this module translates them
PACKAGES = frozenset({"lme4", "lme4breeding", "emmeans"})
#: calls that return an lmer fit (the names they are bound to are lm-like fits for rlm.py)
FITS = frozenset({"lmer", "lmebreed", "lmeb"})
_LME4 = {"lmer": "lmer", "lmebreed": "lmebreed", "lmeb": "lmebreed", "glmer": "glmer",
         "nlmer": "nlmer", "VarCorr": "VarCorr", "fixef": "fixef", "ranef": "ranef",
         "ngrps": "ngrps", "getME": "getME", "isSingular": "isSingular"}
_EMM = {"emmeans": "emmeans", "pairs": "pairs", "contrast": "contrast"}
#: generic calls translated here when their object is a name bound to an lm/lmer fit
_GENERIC = {"predict": "predict", "vcov": "vcov", "nobs": "nobs", "sigma": "sigma",
            "deviance": "deviance"}
FUNCTIONS = frozenset(_LME4) | frozenset(_EMM) | frozenset(_GENERIC) | {"REMLcrit", "coef"}
#: lme4's argument names that are not Python identifiers
_ARGS = {"re.form": "re_form", "allow.new.levels": "allow_new_levels"}


def base_name(f: str) -> str:
    """``lme4::lmer`` -> ``lmer`` (other prefixes kept)."""
    pkg, sep, name = f.rpartition("::")
    return name.lstrip(":") if sep and pkg.rstrip(":") in PACKAGES else f


def translate(tr: Any, e: R) -> str | None:
    """The Python of an lme4/emmeans call, or None (then other rules apply)."""
    f = base_name(e.value)
    if f not in FUNCTIONS or f in getattr(tr, "functions", ()):
        return None
    if f == "coef":
        return _coef_summary(tr, e)
    if f == "pairs" and not _emm_arg(e):
        return None         # graphics::pairs of a data frame
    if f == "contrast" and not _emm_arg(e):
        return None
    if f in _GENERIC:
        first = next((a for n, a in e.args if n in (None, "object")), None)
        if f == "vcov" and len(e.args) == 1 and first is not None and first.kind == "name" \
                and first.value in getattr(tr, "emm_objs", ()):
            return f"{tr.py(first)}.vcov()"     # emmeans' vcov(emmGrid)
        if first is None or first.kind != "name" or first.value not in getattr(
                tr, "lm_fits", ()):
            return None
        if f == "predict" and any(n in ("classify", "hyperTable", "D") for n, _ in e.args):
            from asr_py.translate.parser import Untranslatable

            raise Untranslatable("predict(classify = ...) of an lmebreed fit (lme4breeding)")
    if f in ("glmer", "nlmer"):
        from asr_py.translate.parser import Untranslatable

        raise Untranslatable(f"{f}() (lme4): asr_py fits Gaussian mixed models only; for a "
                             "binomial/Poisson trait use asr.asreml(..., family=...)")
    args = []
    star = False
    for n, a in e.args:
        if a.kind == "empty" or n in ("control", "verbose"):
            continue        # lmerControl(...): the optimiser's settings, not the model
        if n is None and a.kind == "name" and a.value == "...":
            star = True     # a function's ... passed on
            continue
        key = _ARGS.get(n or "", n)
        if f in _GENERIC and key == "object":
            key = None
        if key == "re_form":       # NA (no random effects) and NULL (all) both print None
            if a.kind == "name" and a.value == "NULL":
                continue
            args.append((key, repr("NA" if a.kind == "name" and a.value.startswith("NA")
                                   else tr.src(a))))
            continue
        if a.kind == "formula":      # get(trait) ~ x: built when run (rformulaget)
            args.append((key, rformulaget.translate(tr, a) or repr(tr.src(a))))
        else:
            args.append((key, tr.py(a)))
    if f == "REMLcrit":
        return f"{args[0][1]}.REMLcrit" if len(args) == 1 else None
    mod = "asr.emmeans" if f in _EMM else "asr.lme4"
    name = _LME4.get(f) or _EMM.get(f) or _GENERIC[f]
    out = [v for k, v in args if k is None] + (["*args"] if star else []) + [
        f"{k}={v}" if k.isidentifier() else f"**{{{k!r}: {v}}}"
        for k, v in args if k is not None] + (["**kwargs"] if star else [])
    return f"{mod}.{name}({', '.join(out)})"


def note_binding(tr: Any, name: str, r: R) -> None:
    """Record whether ``name <- r`` binds an emmeans() result (``tr.emm_objs``), so that
    ``vcov(name)`` is the emmGrid's covariance matrix; another binding forgets it."""
    objs: set[str] = tr.__dict__.setdefault("emm_objs", set())
    objs.discard(name)
    if r.kind == "call" and base_name(r.value) == "emmeans" or (
            r.kind == "bin" and r.value in ("|>", "%>%") and r.right is not None and
            r.right.kind == "call" and base_name(r.right.value) == "emmeans"):
        objs.add(name)


def _coef_summary(tr: Any, e: R) -> str | None:
    """``coef(summary(m))`` of an lm or lmer fit: its coefficient table."""
    args = [a for n, a in e.args if a.kind != "empty"]
    if len(e.args) != 1 or len(args) != 1 or args[0].kind != "call" or \
            args[0].value != "summary" or len(args[0].args) != 1:
        return None
    obj = args[0].args[0][1]
    if obj.kind != "name" or obj.value not in getattr(tr, "lm_fits", ()):
        return None
    return f"{tr.py(obj)}.describe()['coefficients']"


def _emm_arg(e: R) -> bool:
    """pairs()/contrast() of an emmeans(...) call or of a name: not a data frame's pairs."""
    first = next((a for n, a in e.args if n in (None, "object", "x")), None)
    return first is not None and (first.kind == "name" or first.kind == "call" and
                                  base_name(first.value) in ("emmeans", "pairs"))


def ranef_frame(tr: Any, e: R) -> str | None:
    """``as.data.frame(ranef(m, ...))`` -> lme4's long frame (grpvar, term, grp, condval,
    condsd); None when ``e`` is another as.data.frame()."""
    args = [a for n, a in e.args if a.kind != "empty"]
    if len(args) != 1 or args[0].kind != "call" or base_name(args[0].value) != "ranef":
        return None
    inner = translate(tr, args[0])
    return None if inner is None else f"{inner}.to_frame()"
