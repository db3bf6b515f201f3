"""The fit object of a generalized linear mixed model (``asreml(..., family=...)``).

Everything of :class:`~asr_py.results.fit.AsremlFit` (varcomp on the latent scale, BLUEs and
BLUPs on the link scale, wald, predict, vpredict) plus the data-scale view: ``fitted`` is μ̂,
``linear_predictor`` η̂, ``deviance`` D = Σ w d(y, μ̂), ``residuals`` the deviance residuals
sign(y − μ̂) √(w d(y, μ̂)) (ASReml's default; ``resid(type=...)`` gives the others).

The REML log-likelihood is that of the last working model (the penalised quasi-likelihood
is not a likelihood of the data): comparing it, or AIC/BIC, across GLMM fits is not valid;
``loglik`` stays available, ``aic`` and ``bic`` are NaN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.glmm.family import Family
from asr_py.glmm.pql import PqlResult
from asr_py.results.fit import AsremlFit

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.model.spec import Model


class GlmmFit(AsremlFit):
    """A GLMM fitted by penalised quasi-likelihood (see the module docstring)."""

    def __init__(self, model: Model, pql: PqlResult, family: Family,
                 call: dict[str, Any]) -> None:
        super().__init__(model, pql.reml, call)
        self.family = family
        self.pql = pql

    @property
    def deviance(self) -> float:
        """D = Σ w d(y, μ̂) (2 x the log-likelihood ratio to the saturated model)."""
        return float(self.pql.deviance)

    @property
    def aic(self) -> float:
        """Not defined for a PQL fit (NaN): its REML log-likelihood is a working model's."""
        return float("nan")

    @property
    def bic(self) -> float:
        """Not defined for a PQL fit (NaN)."""
        return float("nan")

    @property
    def converged(self) -> bool:
        """The inner REML fit and the outer working-variate iteration both converged."""
        return bool(self.result.converged and self.pql.converged)

    @property
    def linear_predictor(self) -> pd.Series:
        """η̂ = Xβ̂ + Zû."""
        return pd.Series(self.pql.eta, index=self._record_index(), name="eta")

    @property
    def fitted(self) -> pd.Series:
        """μ̂ = g⁻¹(η̂), on the data scale (proportions for binomial data)."""
        return pd.Series(self.pql.mu, index=self._record_index(), name="fitted")

    @property
    def residuals(self) -> pd.Series:
        """Deviance residuals sign(y − μ̂) √(w d(y, μ̂))."""
        return self.resid("deviance")

    def resid(self, type: str = "deviance") -> pd.Series:  # noqa: A002
        """Residuals of ``type``: 'deviance', 'pearson' ((y − μ̂) √w / √V(μ̂)), 'response'
        (y − μ̂) or 'working' ((y − μ̂) g'(μ̂))."""
        p, f = self.pql, self.family
        r = p.y - p.mu
        if type == "deviance":
            d = np.maximum(p.prior_weights * f.unit_deviance(p.y, p.mu), 0.0)
            out = np.sign(r) * np.sqrt(d)
        elif type == "pearson":
            out = r * np.sqrt(p.prior_weights / f.variance(p.mu))
        elif type == "response":
            out = r
        elif type == "working":
            out = r / f.link.mu_eta(p.eta)
        else:
            raise AsrError(f"resid(type={type!r}) is not known",
                           hint="use 'deviance', 'pearson', 'response' or 'working'")
        return pd.Series(out, index=self._record_index(), name=f"{type} residuals")

    def summary(self) -> str:
        head = (f"asr_py GLMM fit (penalised quasi-likelihood), family {self.family}\n"
                f"  deviance: {self.deviance:.6f}   working-variate iterations: "
                f"{self.pql.outer_iterations}"
                + ("" if self.pql.converged else " (NOT converged)") + "\n"
                "  variance components are on the link (latent) scale; the REML "
                "log-likelihood is the working model's\n")
        return head + super().summary()

    def __repr__(self) -> str:
        state = "converged" if self.converged else "NOT converged"
        return (f"<GlmmFit {self.family.name}/{self.family.link.name} {state}, "
                f"deviance={self.deviance:.4f}, {self.ncomponents} variance parameters>")


__all__ = ["GlmmFit"]
