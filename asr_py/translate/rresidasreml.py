"""asreml-R's ``residuals(object, type = ...)`` (``resid``) of an asreml fit (ASReml-R 4
``residuals.asreml``; ``type`` partially matched as R's ``match.arg``):

* ``"deviance"`` (the default), ``"working"``, ``"response"``: for a Gaussian fit all three are
  y − Xβ̂ − Zû (the identity link makes the deviance residual the raw one);
* ``"pearson"``: ê_i / sqrt(R_ii);
* ``"stdCond"``: the standardised conditional residual ê_i / sqrt(Var(ê_i)) with
  Var(ê) = R − W C⁻¹ W' (asreml computes it under ``aom = TRUE``; |value| > 3 marks a
  candidate outlier).

A GLMM fit (``family = asr_binomial()``, ...) keeps its own deviance/pearson/working/response
residuals. One value per data row (NA where the response is missing), as asreml returns.
An object that is not an asreml fit (a script's function returned it: known only when run)
gets :func:`asr_py.translate.rlm.r_residuals`.
"""

from __future__ import annotations

from typing import Any

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["TYPES", "r_resid_asreml"]

#: asreml-R's residual types and the AsremlFit.resid type each one is for a Gaussian fit
TYPES = {"deviance": "response", "pearson": "pearson", "working": "response",
         "response": "response", "stdCond": "stdCond"}


def _match(type_: str) -> str:
    if type_ in TYPES:
        return type_
    hits = [t for t in TYPES if t.startswith(type_)]
    if len(hits) != 1:
        raise AsrError(f"residuals(<asreml>, type = {type_!r}): not one of "
                       f"{', '.join(TYPES)}", hint="give one of these types (or a unique "
                       "abbreviation of one)")
    return hits[0]


def r_resid_asreml(fit: Any, type: Any = "deviance", **_: Any) -> Any:  # noqa: A002
    """``residuals(fit, type = type)`` of an asreml fit: see the module docstring (other
    arguments, e.g. ``spatial``, do not change the residuals of a fit without a spatial
    trend and are ignored)."""
    from asr_py.results.fit import AsremlFit
    from asr_py.translate.rlm import r_residuals

    if isinstance(fit, Untranslated):
        return fit._use()
    if not isinstance(fit, AsremlFit):
        return r_residuals(fit)          # an lm or lmer fit (or a placeholder): rlm.py
    t = _match(str(type))
    if hasattr(fit, "pql"):                     # a GLMM: its own residual types
        return fit.resid("response" if t == "stdCond" else t)
    return fit.resid(TYPES[t])
