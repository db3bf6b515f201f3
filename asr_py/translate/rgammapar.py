"""asreml-R's ``gammaPar = TRUE`` (``asreml.options(gammaPar = TRUE)`` or an asreml()
argument): single-section models fitted in the gamma parameterisation "irrespective of
whether the residual formula specifies a correlation or variance model" (asreml-R 4's
asreml.options).

The REML fit is the same (the likelihood does not depend on how the variance parameters
are written), so the components (``summary(fit)$varcomp$component``), the log-likelihood,
predictions and tests are unchanged. What changes is the scale: σ² (``fit$sigma2``) is the
residual variance also when the residual model carries it itself (``ar1v(Row):id(Col)``,
``idv(units)``), and ``fit$vparameters`` are the ratios γ = σ²ᵢ/σ² (the residual's own
variance 1), as asreml's gamma parameterisation reports them; ``fit$vparameters *
fit$sigma2`` stay the components. A residual with several variances (sections, ``idh``,
several traits) has no single scale and is left as it is.
"""

from __future__ import annotations

from typing import Any

from asr_py.translate.checks import Untranslated

__all__ = ["gamma_scale", "r_with_gamma_par"]


def r_with_gamma_par(fit: Any, on: Any) -> Any:
    """``fit`` marked as fitted with ``gammaPar = on`` (module docstring)."""
    if isinstance(fit, Untranslated):
        return fit
    fit._r_gamma_par = bool(on)
    return fit


def gamma_scale(fit: Any) -> float | None:
    """The residual variance σ² of a ``gammaPar = TRUE`` fit whose residual model carries
    exactly one variance itself; None otherwise (the fit's own ``sigma2`` holds)."""
    if not getattr(fit, "_r_gamma_par", False) or float(fit.sigma2) != 1.0:
        return None
    model = getattr(fit, "model", None)
    label = getattr(getattr(model, "residual", None), "label", None)
    if label is None:
        return None
    names, kinds = list(fit.result.names), list(model.param_kinds)
    own = [k for k, (nm, kd) in enumerate(zip(names, kinds))
           if kd == "variance" and (str(nm).startswith(f"{label}!") or str(nm) == label)]
    return float(fit.result.theta[own[0]]) if len(own) == 1 else None
