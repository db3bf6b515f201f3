"""asreml's ``fit$vcoeff``: ``list(fixed =, random =)``, the diagonal of the inverse mixed
model coefficient matrix for the fixed and the random effects, on asreml's scale: the
prediction error variances divided by the residual scale σ² (asreml-R reference manual,
``asreml.object``: "must be multiplied by sigma2"; scripts write ``sqrt(fit$vcoeff$random *
fit$sigma2)`` for the BLUPs' standard errors). Here vcoeff = std.error² / σ², σ² as the
translation's ``fit$sigma2`` (:func:`asr_py.translate.runtime.r_sigma2`), so vcoeff · sigma2
is the effects' std.error² whatever the residual's scale; each under asreml's names in the
order of ``fit$coefficients$fixed`` / ``$random`` (a level set to zero: NaN, its variance is
not estimated)."""

from __future__ import annotations

from typing import Any

__all__ = ["r_vcoeff"]


def r_vcoeff(fit: Any, renamed: dict[str, str] | None = None,
             order: str = "model") -> dict[str, Any]:
    """``fit$vcoeff`` (see the module docstring)."""
    from asr_py.translate.checks import Untranslated
    from asr_py.translate.rcoefrandom import r_coef_random
    from asr_py.translate.runtime import r_sigma2

    if isinstance(fit, Untranslated):
        return fit._use()  # type: ignore[no-any-return]
    s2 = r_sigma2(fit)
    fixed = fit.coef_fixed_all(order)["std.error"] ** 2 / s2
    random = r_coef_random(fit, renamed)["std.error"] ** 2 / s2
    return {"fixed": fixed.rename("vcoeff"), "random": random.rename("vcoeff")}
