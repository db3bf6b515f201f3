"""The fit object of a generalized linear mixed model (``asreml(..., family=...)``).

Everything of :class:`~asr_py.results.fit.AsremlFit` (varcomp on the latent scale, BLUEs and
BLUPs on the link scale, wald, predict, vpredict) plus the data-scale view: ``fitted`` is μ̂,
``linear_predictor`` η̂, ``deviance`` D = Σ w d(y, μ̂), ``residuals`` the deviance residuals
sign(y − μ̂) √(w d(y, μ̂)) (ASReml's default; ``resid(type=...)`` gives the others).

The REML log-likelihood is that of the last working model (the penalised quasi-likelihood
is not a likelihood of the data): comparing it, or AIC/BIC, across GLMM fits is not valid;
``loglik`` stays available, ``aic`` and ``bic`` are NaN (except for Gaussian data with the
identity link, where the working model is the model).
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
    def _exact(self) -> bool:
        """Gaussian data with the identity link: the working model is the model itself
        (working variate y, weights the prior weights), its REML log-likelihood the data's."""
        return self.family.name == "gaussian" and self.family.link.name == "identity"

    @property
    def aic(self) -> float:
        """Not defined for a PQL fit (NaN): its REML log-likelihood is a working model's;
        for Gaussian data with the identity link (e.g. a weighted second stage with
        ``asr_gaussian(dispersion = 1)``) the usual −2ℓ + 2k, as asreml gives."""
        return super().aic if self._exact else float("nan")

    @property
    def bic(self) -> float:
        """Not defined for a PQL fit (NaN); Gaussian with the identity link: as :attr:`aic`."""
        return super().bic if self._exact else float("nan")

    @property
    def converged(self) -> bool:
        """The inner REML fit and the outer working-variate iteration both converged."""
        return bool(self.result.converged and self.pql.converged)

    @property
    def linear_predictor(self) -> pd.Series:
        """η̂ = Xβ̂ + Zû."""
        return self._by_data_row(self.pql.eta, "eta")

    @property
    def fitted(self) -> pd.Series:
        """μ̂ = g⁻¹(η̂), on the data scale (proportions for binomial data)."""
        return self._by_data_row(self.pql.mu, "fitted")

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
        return self._by_data_row(out, f"{type} residuals")

    @property
    def link_variance(self) -> float | None:
        """The latent residual variance of binary data under the link (π²/3 logit, 1 probit,
        π²/6 cloglog): the denominator term of a liability-scale heritability,
        h² = σ²_a / (σ²_a + ... + link_variance), e.g. ``vpredict("h2 ~ V1/(V1 + 3.28987)")``
        for a logit model. None for other families."""
        return self.family.latent_residual_variance

    def h2(self, genetic: str | list[str], others: list[str] | None = None) -> pd.DataFrame:
        """Heritability of a binomial trait on the liability scale,
        σ²_a / (σ²_a + σ²_others + link_variance), and on the observed 0/1 scale (de
        Villemereuil et al. 2016; Dempster & Lerner's for probit), with delta-method standard
        errors; ``genetic``: the component name(s) of σ²_a (as in ``varcomp``), ``others``:
        the other latent variances in the denominator (default: every other random-term
        variance). See :mod:`asr_py.glmm.heritability`."""
        from asr_py.glmm.heritability import liability_h2

        return liability_h2(self, genetic, others)

    def predict(self, *args: Any, **kwargs: Any) -> pd.DataFrame:
        """:meth:`AsremlFit.predict` on the link scale ('predicted.value', 'std.error') plus,
        as asreml's predict() of a GLM fit, the data-scale columns 'transformed.value' =
        g⁻¹(prediction) and 'approx.se' = |g⁻¹(η̂) − g⁻¹(η̂ − se)| (asreml's rule, see
        :mod:`asr_py.results.transformed`); none when every link is the identity."""
        from asr_py.results.transformed import transformed_columns

        out = super().predict(*args, **kwargs)
        if isinstance(out, pd.DataFrame) and "predicted.value" in out.columns:
            eta = out["predicted.value"].to_numpy(dtype=float)
            groups = self._link_groups(out)
            if groups is None or all(link.name == "identity" for link, _ in groups):
                return out      # a multi-trait table without a trait column; no link
            se = (out["std.error"].to_numpy(dtype=float) if "std.error" in out.columns
                  else np.full(eta.size, np.nan))
            mu, approx = np.full(eta.size, np.nan), np.full(eta.size, np.nan)
            for link, rows in groups:
                mu[rows], approx[rows] = transformed_columns(eta[rows], se[rows], link)
            out["transformed.value"] = mu
            out["approx.se"] = approx
        return out

    def _link_groups(self, table: pd.DataFrame) -> list[tuple[Any, np.ndarray]] | None:
        """(link, row mask) pairs of a prediction table: the family's link for every row, or
        (multi-trait) each trait's family's link for the rows of that trait; None when a
        multi-trait table has no 'trait' column."""
        from asr_py.glmm.traits import TraitFamilies

        fam = self.family
        if not isinstance(fam, TraitFamilies):
            return [(fam.link, np.ones(len(table), dtype=bool))]
        if "trait" not in table.columns:
            return None
        tr = table["trait"].astype(str).to_numpy()
        return [(f.link, tr == name) for name, f in zip(fam.traits, fam.families)]

    def simulate(self, nsim: int = 1, seed: int | None = None) -> pd.DataFrame:
        """``nsim`` data sets drawn from the fitted GLMM: new random effects u* from the
        estimated G, η* = Xβ̂ + Zu*, μ* = g⁻¹(η*), then the family's law (binomial
        proportions out of the prior-weight totals, Poisson counts, Gamma with shape 1/φ,
        negative binomial counts, inverse Gaussian (Wald) with λ = w/φ,
        normal with variance φ/w)."""
        from asr_py.glmm.traits import TraitFamilies
        from asr_py.results.simulate import check_nsim, linear_predictor_draws

        if isinstance(self.family, TraitFamilies):
            raise AsrError("simulate() is not available for a multi-trait GLMM yet",
                           hint="fit and simulate each trait on its own")
        check_nsim(nsim)
        rng = np.random.default_rng(seed)
        eta, problem = linear_predictor_draws(self, nsim, rng)
        if self.model.offset is not None:
            eta = eta + self.model.offset[:, None]
        res = self.result
        mu = self.family.link.inverse(eta)
        w = self.pql.prior_weights[:, None]
        phi = float(res.theta[problem.slices()[-1]][0]) if problem.residual.n_params else 1.0
        name = self.family.name
        if name == "binomial":
            n = np.round(w).astype(int)
            y = rng.binomial(np.broadcast_to(n, mu.shape), mu) / np.maximum(n, 1)
        elif name == "poisson":
            y = rng.poisson(mu).astype(float)
        elif name == "Gamma":
            shape = w / phi
            y = rng.gamma(np.broadcast_to(shape, mu.shape), mu / shape)
        elif name == "negative.binomial":  # mean μ, variance μ + μ²/φ_nb
            th = float(self.family.phi)
            y = rng.negative_binomial(th, th / (th + mu)).astype(float)
        elif name == "inverse.gaussian":  # mean μ, variance φ μ³ / w
            y = rng.wald(mu, np.broadcast_to(w / phi, mu.shape))
        else:
            y = mu + rng.standard_normal(mu.shape) * np.sqrt(phi / w)
        return pd.DataFrame(y, index=self._record_index(),
                            columns=[f"sim_{i + 1}" for i in range(nsim)])

    def summary(self) -> str:
        head = (f"asr_py GLMM fit (penalised quasi-likelihood), family {self.family}\n"
                f"  deviance: {self.deviance:.6f}   working-variate iterations: "
                f"{self.pql.outer_iterations}"
                + ("" if self.pql.converged else " (NOT converged)") + "\n"
                "  variance components are on the link (latent) scale; the "
                f"{self.method} log-likelihood is the working model's\n")
        return head + super().summary()

    def __repr__(self) -> str:
        state = "converged" if self.converged else "NOT converged"
        return (f"<GlmmFit {self.family.name}/{self.family.link.name} {state}, "
                f"deviance={self.deviance:.4f}, {self.ncomponents} variance parameters>")


__all__ = ["GlmmFit"]
