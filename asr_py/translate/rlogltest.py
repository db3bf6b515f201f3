"""biometryassist's ``logl_test(model.obj, rand.terms, resid.terms, decimals = 3,
numeric = FALSE, quiet = FALSE)``: REML likelihood-ratio tests of random and residual terms,
as its R/logltest.R computes them.

1. Terms whose variance component is at a bound ('B': a component named ``term`` or
   ``term!...``) get p = 1; those in ``rand.terms`` are first dropped from the model
   (``update(random = ~ . - t)``).
2. A random term ``t`` is tested against ``update(random = ~ . - t)``; a residual term
   ``arK(f)`` against the residual formula with that text replaced by ``id(f)``, any other
   residual term against the text replaced (as a word) by ``units``. An unconverged refit is
   updated again, up to 10 times.
3. p = 1 - F_χ²(2(ℓ_full − ℓ_reduced); d), d the difference in the number of variance
   parameters plus fixed coefficients, rounded to ``decimals``; the fits are compared as
   fitted (no boundary halving).
4. Without ``numeric`` the p-values are R's ``format.pval(p, digits = decimals, eps =
   10^-decimals)``; with it a p of 0 becomes 10^-decimals. Rows follow rand.terms then
   resid.terms.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd
from scipy import stats

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import bind_formals

__all__ = ["FUNCTIONS", "PACKAGES", "r_format_pval", "r_logl_test", "translate"]

FUNCTIONS = frozenset({"logl_test", "biometryassist::logl_test"})
#: library(biometryassist) needs no TODO: logl_test() translates; its other functions get
#: their own TODO where called
PACKAGES = frozenset({"biometryassist"})
_FORMALS = ("model.obj", "rand.terms", "resid.terms", "decimals", "numeric", "quiet")


def translate(tr: Any, e: Any) -> str | None:
    """``logl_test(m, rand.terms = c("Blocks"))`` -> ``r_logl_test(m, rand_terms=[...])``."""
    got = bind_formals(_FORMALS, e.args)
    if got is None or "model.obj" not in got:
        return None
    kw = "".join(f", {k.replace('.', '_')}={tr.py(got[k])}" for k in _FORMALS[1:] if k in got)
    return f"{tr.runtime('r_logl_test')}({tr.py(got['model.obj'])}{kw})"


def _terms(x: Any) -> list[str]:
    if x is None:
        return []
    return [x] if isinstance(x, str) else [str(t) for t in x]


def _n_params(m: Any) -> int:
    return len(m.varcomp) + len(m.coef_fixed)


def _converged(m: Any) -> Any:
    for _ in range(10):
        if m.converged:
            break
        m = m.update()
    return m


def r_logl_test(model_obj: Any, rand_terms: Any = None, resid_terms: Any = None,
                decimals: int = 3, numeric: bool = False, quiet: bool = False) -> pd.DataFrame:
    """biometryassist's ``logl_test``: see the module docstring."""
    if isinstance(model_obj, Untranslated):
        return model_obj._use()  # type: ignore[no-any-return]
    if not hasattr(model_obj, "varcomp") or not hasattr(model_obj, "update"):
        raise AsrError("logl_test(): Only asreml models are supported.",
                       hint="logl_test(model.obj = m, ...) with m <- asreml(...)")
    rand, resid = _terms(rand_terms), _terms(resid_terms)
    if not rand and not resid:
        raise AsrError("logl_test(): At least one of rand.terms or resid.terms must be "
                       "provided.", hint="e.g. rand.terms = c('Blocks')")
    decimals = int(decimals)
    vc = model_obj.varcomp
    boundary = [str(k) for k, b in zip(vc.index, vc["bound"], strict=True) if b == "B"]

    def on_bound(t: str) -> bool:
        return any(b == t or b.startswith(t + "!") for b in boundary)

    model = model_obj
    dropped = [t for t in rand if on_bound(t)]
    if dropped:
        model = _converged(model.update(random="~ . - " + " - ".join(dropped)))
    pvals: dict[str, float] = {t: 1.0 for t in rand + resid if on_bound(t)}
    for t in rand + resid:
        if t in pvals:
            continue
        if t in rand:
            reduced = model.update(random=f"~ . - {t}")
        else:
            old = model.call.get("residual") or model.call.get("rcov")
            if not isinstance(old, str):
                raise AsrError(f"logl_test(): the model has no residual formula to drop {t!r} "
                               "from", hint="resid.terms are terms of the residual= formula")
            rhs = old.split("~", 1)[-1].strip()
            if re.match(r"ar\d", t):
                new = rhs.replace(t, "id" + t[3:])
            else:
                new = re.sub(r"\b" + re.escape(t) + r"\b", "units", rhs)
            reduced = model.update(residual=f"~ {new}")
        reduced = _converged(reduced)
        df = _n_params(model) - _n_params(reduced)
        lr = 2 * (model.loglik - reduced.loglik)
        pvals[t] = round(float(stats.chi2.sf(lr, df)) if df > 0 else math.nan, decimals)
    terms = rand + resid
    p = [pvals[t] for t in terms]
    eps = max(10.0 ** -decimals, 2.220446049250313e-16)
    if numeric:
        col: Any = [eps if v == 0 else v for v in p]
    else:
        col = r_format_pval(p, digits=decimals, eps=eps)
    return pd.DataFrame({"Term": terms, "LogLRT.pvalue": col})


def _sig_needed(x: float, digits: int) -> int:
    """The fewest significant digits (<= digits) that show x as it shows with ``digits``."""
    ref = float(f"{x:.{digits - 1}e}")
    for s in range(1, digits + 1):
        if float(f"{x:.{s - 1}e}") == ref:
            return s
    return digits


def _r_format(xs: list[float], digits: int) -> list[str]:
    """R's ``format(x, digits = d)`` of a numeric vector: common decimal places, each value
    to at least ``d`` significant digits (fixed notation unless scientific is narrower)."""
    if not xs:
        return []
    dec = 0
    for x in xs:
        if x != 0 and math.isfinite(x):
            dec = max(dec, _sig_needed(abs(x), digits) - 1 - math.floor(math.log10(abs(x))))
    fixed = [f"{x:.{dec}f}" for x in xs]
    sig = max((_sig_needed(abs(x), digits) for x in xs if x != 0), default=1)
    sci = [_r_sci(x, sig) for x in xs]
    if max(map(len, fixed)) <= max(map(len, sci)):
        return fixed
    return sci


def _r_sci(x: float, sig: int) -> str:
    mant, exp = f"{x:.{sig - 1}e}".split("e")
    return f"{mant}e{int(exp):+03d}"


def r_format_pval(pv: list[float], digits: int, eps: float) -> list[str]:
    """R's ``format.pval(pv, digits, eps)``: values below ``eps`` as ``<eps``, the others by
    R's ``format`` (fixed and scientific groups apart)."""
    out = [""] * len(pv)
    keep = [i for i, v in enumerate(pv) if not (v < eps)]
    if keep:
        fixp = [i for i in keep if pv[i] == 0 or math.floor(math.log10(pv[i])) >= -3]
        rest = [i for i in keep if i not in fixp]
        for group in (fixp, rest):
            for i, s in zip(group, _r_format([pv[i] for i in group], digits), strict=True):
                out[i] = s
    small = [i for i, v in enumerate(pv) if v < eps]
    if small:
        d = max(1, digits - 2)
        if keep:
            nc = max(len(out[i]) for i in keep)
            if d > 1 and d + 6 > nc:
                d = max(1, nc - 7)
            sep = "" if d == 1 and nc <= 6 else " "
        else:
            sep = "" if d == 1 else " "
        text = _r_format([eps], d)[0]
        for i in small:
            out[i] = "<" + sep + text
    return out
