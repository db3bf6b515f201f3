"""asreml's order of the fixed coefficients for a translated script.

``fit$coefficients$fixed``, ``coef(fit)$fixed`` and ``summary(fit, coef = TRUE)$coef.fixed``
list every level of each fixed term (:meth:`asr_py.AsremlFit.coef_fixed_all`). asreml 4.2
puts ``(Intercept)`` first and the terms in model order; asreml 3 (and 4.1) the terms in
reverse order with ``(Intercept)`` last (evidence: :mod:`asr_py.results.coef_layout`). A
script that uses asreml 3's interface (``rcov =``, ``asreml.control()``, ``$gammas``,
``summary(m, all = TRUE)``, ``predict(m)$predictions$pvals``, ``asreml.Ainverse``,
``asreml.gaussian()``...) gets asreml 3's order, any other asreml 4.2's.
"""
from __future__ import annotations

import re

__all__ = ["coef_order"]

_ASREML3 = re.compile(
    r"\brcov\s*=|\basreml\.control\s*\(|\$gammas\b|\bG\.param\s*=|\bR\.param\s*=|"
    r"\$predictions\$pvals\b|"
    r"\basreml\.(?:Ainverse|gaussian|binomial|poisson|Gamma|gammas)\b|"
    r"\bsummary(?:\.asreml)?\s*\([^()]*\ball\s*=\s*T(?:RUE)?\b")


def coef_order(code: str) -> str:
    """'reverse' when the script uses asreml 3's interface, else 'model' (asreml 4.2)."""
    return "reverse" if _ASREML3.search(code) else "model"
