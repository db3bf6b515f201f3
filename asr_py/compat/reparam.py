"""asremlPlus's ``newfit`` and ``reparamSigDevn`` (R/reml4.v13.r), on asr.asreml fits.

* :func:`newfit`: refit with changed model formulas (``fixed.``, ``random.``,
  ``residual.``: update formulas such as ``~ . - units``), from the current estimates.
* :func:`reparamSigDevn`: a random deviations term ``term`` involving ``devn.fac``, with
  ``spl(trend.num)`` in place of ``devn.fac`` also random, becomes fixed: asremlPlus's
  ``changeTerms(addFixed = term, dropRandom = "spl-term + term")`` (and, when ``terms`` also
  hold a ``trend.num`` term, the linear trend term is added to the fixed model too).

Both warn, as asremlPlus does, when a correlation of the supplied fit is fixed, bound or
singular and ``allow.fixedcorrelation`` is FALSE; both then keep the supplied fit if the new
one has such a correlation (newfit.asreml returns ``asreml.obj`` with the warning "At least
one correlation's estimated value is bound, singular or fixed"; reparamSigDevn records
"Unchanged - fixed correlation"). newfit also returns the supplied fit when the refit did
not converge and ``allow.unconverged`` is FALSE (asremlPlus's R/reml4.v13.r, newfit.asreml).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from asr_py.compat.asremlplus import (
    _BOUND,
    _check_asrtests,
    _check_fit,
    _find,
    _fixed_correlation_ok,
    _ic,
    _random_terms,
    _warn_fixed,
    addto_test_summary,
    changeTerms,
)
from asr_py.errors import AsrError
from asr_py.formula.toplevel import split_top
from asr_py.warning_classes import AsrWarning

__all__ = ["newfit", "reparamSigDevn"]

#: harmless asremlPlus arguments (printing, asreml's own update mechanics)
_IGNORED = ("trace", "update", "keep_order", "set_terms",
            "ignore_suffices", "bounds", "initial_values")


def newfit(asreml_obj: Any, fixed_: str | None = None, random_: str | None = None,
           residual_: str | None = None, rcov_: str | None = None,
           allow_fixedcorrelation: bool = True, allow_unconverged: bool = True,
           **other: Any) -> Any:
    """asremlPlus's ``newfit.asreml``: the fit refitted with update formulas (module
    docstring); other asreml arguments are passed to the refit. The supplied fit is
    returned instead when the refit did not converge and ``allow_unconverged`` is False,
    or, converged, has a fixed, bound or singular correlation and
    ``allow_fixedcorrelation`` is False (with asremlPlus's warning)."""
    _check_fit(asreml_obj, "newfit")
    for k in _IGNORED:
        other.pop(k, None)
    _warn_fixed(asreml_obj, allow_fixedcorrelation, singular=True)
    if rcov_ is not None:
        if residual_ is not None:
            raise AsrError("newfit(): give residual. or rcov., not both")
        residual_ = rcov_
    changes = {k: v for k, v in (("fixed", fixed_), ("random", random_),
                                 ("residual", residual_)) if v is not None}
    new = asreml_obj.update(**changes, **other)
    if not getattr(new, "converged", True):
        return new if allow_unconverged else asreml_obj     # the refit warned already
    if not _fixed_correlation_ok(new, allow_fixedcorrelation):
        warnings.warn("At least one correlation's estimated value is bound, singular or fixed",
                      AsrWarning, stacklevel=2)
        return asreml_obj
    return new


def _factors(term: str) -> list[str]:
    return split_top(term.replace(" ", ""))


def reparamSigDevn(asrtests_obj: Any, terms: Sequence[str] | str | None = None,
                   trend_num: str | None = None, devn_fac: str | None = None,
                   allow_fixedcorrelation: bool = True, checkboundaryonly: bool = False,
                   denDF: str = "numeric", IClikelihood: str = "none",
                   **other: Any) -> Any:
    """asremlPlus's ``reparamSigDevn.asrtests`` (module docstring)."""
    fn = "reparamSigDevn"
    t = _check_asrtests(asrtests_obj, fn)
    for k in _IGNORED:
        other.pop(k, None)
    if other:
        raise AsrError(f"{fn}(): argument(s) {', '.join(sorted(other))} not supported by "
                       "asr.plus", hint="see docs/asremlplus.md")
    if terms is None:
        raise AsrError(f"{fn}(): the terms argument is NULL", hint='terms = "Position"')
    terms = [terms] if isinstance(terms, str) else [str(x) for x in terms]
    fit0 = t["asreml.obj"]
    _warn_fixed(fit0, allow_fixedcorrelation)
    has_devn = any(devn_fac is not None and devn_fac in _factors(x) for x in terms)
    has_trend = any(trend_num is not None and devn_fac not in _factors(x) and
                    any(trend_num in f for f in _factors(x)) for x in terms)
    old = t
    if has_devn or has_trend:
        rterms = _random_terms(fit0)
        for term in terms:
            if _find(term, rterms) < 0:
                raise AsrError(f"{fn}(): {term} is not a random term",
                               hint=f"the random terms are {', '.join(rterms)}")
            factors = _factors(term)
            if devn_fac is None or devn_fac not in factors or trend_num is None:
                continue
            spl_term = ":".join(f"spl({trend_num})" if f == devn_fac else f for f in factors)
            ran = f"{spl_term} + {term}"
            add = term
            if has_devn and has_trend:
                lin = ":".join(trend_num if f == devn_fac else f for f in factors)
                add = f"{lin} + {term}"
            t = changeTerms(t, addFixed=add, dropRandom=ran, IClikelihood=IClikelihood,
                            denDF=denDF, checkboundaryonly=checkboundaryonly)
    if not _fixed_correlation_ok(t["asreml.obj"], allow_fixedcorrelation):
        ic = _ic(fit0, IClikelihood, _BOUND)
        summary = addto_test_summary(old["test.summary"], ", ".join(terms),
                                     DF=ic["fixedDF"], denDF=ic["varDF"], AIC=ic["AIC"],
                                     BIC=ic["BIC"], action="Unchanged - fixed correlation")
        return old.replaced(**{"test.summary": summary})
    return t
