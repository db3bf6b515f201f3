"""Penalised quasi-likelihood: a GLMM fitted by REML on a working variate (ASReml's method;
Schall 1991, Breslow & Clayton 1993).

With η = Xβ + Zu, μ = g⁻¹(η), prior weights w and the family's V(μ), each outer iteration
fits the linear mixed model (an ``offset(x)`` o is known: z − o is fitted, η = o + Xβ + Zu)

    z = η + (y − μ) g'(μ) = Xβ + Zu + e,    Var(e) = φ diag(1 / W),   W = w / (V(μ) g'(μ)²),

by AI-REML (the model's own random and residual structures, the residual rows weighted by W),
then updates η from the new BLUEs and BLUPs. The dispersion φ is the residual variance
parameter(s): held at the family's value (1 for binomial and Poisson data, as ASReml) or
estimated (``dispersion=None``). The iteration stops when η and θ stop changing
(max |Δη| / (1 + max |η|) and the relative change of θ both below ``tol``), and after the
first working model for Gaussian errors with the identity link (it is the model itself). Variance
components are on the latent (link) scale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asr_py.errors import DataError, ModelError
from asr_py.glmm.family import Family
from asr_py.reml import fit_reml
from asr_py.vcov.weighted import Weighted

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.model.spec import Model
    from asr_py.reml.result import RemlResult


@dataclass
class PqlResult:
    """The working-variate iteration's outcome (the last inner REML fit is ``reml``)."""

    reml: RemlResult
    y: np.ndarray  # the response as the family sees it (proportions for binomial)
    prior_weights: np.ndarray
    eta: np.ndarray
    mu: np.ndarray
    deviance: float
    outer_iterations: int
    converged: bool
    history: list[dict[str, float]] = field(default_factory=list)


def response_and_weights(model: Model, family: Family, data: pd.DataFrame
                         ) -> tuple[np.ndarray, np.ndarray]:
    """(y, prior weights) per record: with ``total='n'`` the binomial response is a
    proportion with prior weight n (times any ``weights=`` column); as in ASReml, it is
    read as proportions when no value exceeds 1, else as counts of successes (y/n)."""
    from asr_py.glmm.traits import TraitFamilies

    rec = model.records
    if rec.multivariate and not isinstance(family, TraitFamilies):
        raise ModelError("a multivariate GLMM needs one family per trait",
                         hint="family=[asr.asr_gaussian(), asr.asr_binomial()] (cbind order)")
    y = np.asarray(rec.y, dtype=float).copy()
    pw = (np.ones_like(y) if rec.weights is None
          else np.asarray(rec.weights, dtype=float).copy())
    if family.total is not None:
        if family.total not in data.columns:
            raise DataError(f"asr_binomial(total='{family.total}'): column '{family.total}' "
                            "is not in the data",
                            hint="total names the column holding each row's number of trials")
        col = pd.to_numeric(data.loc[rec.frame.index, family.total], errors="coerce")
        tot = col.to_numpy(dtype=float)[rec.row]
        bad = ~np.isfinite(tot) | (tot <= 0)
        if bad.any():
            raise DataError(f"binomial totals in column '{family.total}': {int(bad.sum())} "
                            "rows used by the fit have a missing, zero or negative total",
                            hint="drop those rows or give their number of trials")
        if np.any(y > tot) or np.any(y < 0):
            raise DataError(f"the response must be a proportion in [0, 1] or a number of "
                            f"successes between 0 and '{family.total}' (the total) on every "
                            "row", hint="give counts or proportions with total=")
        # ASReml's !TOTAL: "proportions or counts are indicated if !TOTAL specifies the
        # variate containing the binomial totals. Proportions are assumed if no response
        # value exceeds 1" (asreml-R's asr_binomial(total=) is the same engine qualifier)
        if np.any(y > 1):
            y = y / tot
        pw = pw * tot
    msg = family.check_response(y, pw)
    if msg is not None:
        raise DataError(f"family {family}: {msg}{_first_bad(family.name, y)}",
                        hint=_SUPPORT_HINT.get(family.name, "check the response column"))
    return y, pw


#: what each family's response must be (the hint of an out-of-support response)
_SUPPORT_HINT = {
    "binomial": "binomial: 0/1 data, counts with total='n', or proportions with weights='n'",
    "poisson": "Poisson: counts >= 0 (a transformed or centred count is no longer one)",
    "Gamma": "Gamma: positive values (add an offset or use asr_gaussian(link='log'))",
}


def _first_bad(name: str, y: np.ndarray) -> str:
    """' (3 of the fit's records, e.g. -1)': the records outside the family's support."""
    bad = {"binomial": (y < 0) | (y > 1), "poisson": y < 0, "Gamma": y <= 0}.get(name)
    if bad is None or not bad.any():
        return ""
    return f" ({int(bad.sum())} of the fit's records, e.g. {y[np.flatnonzero(bad)[0]]:g})"


def _residual_variances(model: Model, res_slice: slice) -> list[int]:
    kinds = list(model.param_kinds)
    return [k for k in range(res_slice.start, res_slice.stop) if kinds[k] == "variance"]


def _trait_residual_variance(model: Model, res_slice: slice, trait: str) -> int:
    """The residual variance of ``trait`` in a multivariate residual (``units:us(trait)``:
    '...!trait_{t}:{t}'; ``units:diag(trait)``: '...!trait_{t}')."""
    names, kinds = list(model.param_names), list(model.param_kinds)
    for k in range(res_slice.start, res_slice.stop):
        if kinds[k] == "variance" and (names[k].endswith(f"!trait_{trait}:{trait}")
                                       or names[k].endswith(f"!trait_{trait}")):
            return k
    raise ModelError(f"the residual model has no variance of trait '{trait}' to hold at its "
                     "family's dispersion",
                     hint="use residual='~ units:us(trait)' (or diag(trait)), or "
                          "dispersion=None for that trait")


def _fit_reml_rr(prob: Any, maxit: int = 30, solver: str = "auto") -> Any:
    """The working model's REML fit; an ``rr(f, k)`` term on its own in its latent-factor
    form (:mod:`asr_py.reml.rr_latent`), as the Gaussian route fits it."""
    from asr_py.reml.rr_latent import fit_latent, has_rr

    if has_rr(prob):
        return fit_latent(prob, lambda p: fit_reml(p, maxit=maxit, solver=solver),
                          maxit=maxit, solver=solver)
    return fit_reml(prob, maxit=maxit, solver=solver)


def _linear(family: Any) -> bool:
    """True for Gaussian errors with the identity link (every trait's, multi-trait): the
    working variate z = η + (y − μ) is y and W = w whatever η, so the first working model
    is the model itself (asr_gaussian(dispersion = 1) in stage 2 of a two-stage analysis)
    and more outer iterations would refit it unchanged (up to boundary jitter in θ)."""
    fams = getattr(family, "families", (family,))
    return all(getattr(f, "name", None) == "gaussian"
               and getattr(getattr(f, "link", None), "name", None) == "identity" for f in fams)


def fit_pql(model: Model, family: Family, data: pd.DataFrame, *, maxit: int = 30,
            max_outer: int = 50, tol: float = 1e-6, solver: str = "auto",
            callback: Callable[[dict], Any] | None = None, method: str = "REML") -> PqlResult:
    """Fit ``model`` with ``family`` by PQL (see the module docstring). ``method='ML'`` fits
    each working model by maximum likelihood (:mod:`asr_py.reml.ml`), as MASS::glmmPQL
    (nlme's ``lme(method = "ML")``); 'REML' (ASReml's) by REML."""
    from asr_py.reml.ml import fit_ml

    inner = fit_ml if method == "ML" else _fit_reml_rr
    y, pw = response_and_weights(model, family, data)
    link = family.link
    base = model.problem()
    from asr_py.reml.psd import reduce_rank

    reduced = reduce_rank(base)  # a singular K: u = L v, K = L L' (asr_py.reml.psd)
    back = None
    if reduced is not None:
        base, back = reduced
    residual = base.residual
    if isinstance(residual, Weighted):  # prior weights are folded into W below
        residual = residual.template
    res_slice = base.slices()[-1]
    theta = base.theta0.copy()
    cons = list(base.constraints)
    for trait, value in getattr(family, "held_dispersions", list)():  # multi-trait
        k = _trait_residual_variance(model, res_slice, trait)
        theta[k], cons[k] = value, "F"
    if family.dispersion is not None:
        disp = _residual_variances(model, res_slice)
        if not disp:
            raise ModelError("the residual model has no variance to hold at the dispersion",
                             hint="use the default residual (units) or dispersion=None")
        scale = [k for k in disp if str(model.param_names[k]).endswith("!R")]
        if not scale and family.dispersion != 1.0:
            raise ModelError(
                f"dispersion = {family.dispersion:g} with an explicit residual variance "
                f"({', '.join(str(model.param_names[k]) for k in disp)}): asreml holds the "
                "residual scale at the dispersion and estimates that variance; asr_py has no "
                "separate scale in this residual model",
                hint="dispersion = 1 (the same fit, the variance as asreml reports it), or the "
                     "residual units / id(units) / dsum(~ units | f)")
        # asreml holds the scale (σ², the '!R' variances: units, id(units), dsum(~ units | f))
        # at the dispersion; the variance of an explicit structure (idv(units), ar1v(...))
        # is estimated on that scale
        for k in scale:
            theta[k], cons[k] = family.dispersion, "F"
    off = model.offset if model.offset is not None else 0.0   # offset(x): η = o + Xβ + Zu
    mu = family.start_mu(y, pw)
    eta = link.link(mu)
    history: list[dict[str, float]] = []
    result: RemlResult | None = None
    converged = False
    it = 0
    for it in range(1, max_outer + 1):
        dmu = link.mu_eta(eta)
        z = eta + (y - mu) / dmu
        w = pw * dmu * dmu / family.variance(mu)
        prob = replace(base, y=z - off, residual=Weighted(residual, w), theta0=theta.copy(),
                       constraints=list(cons), random=list(base.random))
        result = inner(prob, maxit=maxit, solver=solver)
        new_eta = np.asarray(result.fitted, dtype=float) + off
        new_mu = link.inverse(new_eta)
        step = 1.0
        while not family.valid_mu(new_mu) and step > 1e-4:  # keep μ inside the support
            step /= 2
            new_eta = eta + step * (np.asarray(result.fitted) + off - eta)
            new_mu = link.inverse(new_eta)
        if not family.valid_mu(new_mu):
            raise ModelError("the working-variate iteration left the range of the mean "
                             f"(family {family}) at iteration {it}",
                             hint="check for complete separation (a fixed level with all 0 "
                                  "or all 1 responses, or a covariate above which every "
                                  "response is 1) or try another link")
        d_eta = float(np.max(np.abs(new_eta - eta)) / (1.0 + np.max(np.abs(eta))))
        den = np.maximum(np.abs(theta), 1e-8)
        d_theta = float(np.max(np.abs(result.theta - theta) / den)) if theta.size else 0.0
        eta, mu, theta = new_eta, new_mu, result.theta.copy()
        dev = float(np.sum(pw * family.unit_deviance(y, mu)))
        history.append({"iteration": it, "deviance": dev, "change_eta": d_eta,
                        "change_theta": d_theta, "inner_iterations": result.n_iter})
        if callback is not None:
            callback({"iteration": it, "loglik": result.loglik, "step": step,
                      "method": f"PQL (deviance {dev:.4f})", "seconds": 0.0})
        if d_eta < tol and d_theta < 10 * tol and result.converged:
            converged = True
            break
        if _linear(family):  # z = y and W = w at every iteration: this fit is the answer
            converged = result.converged
            break
    assert result is not None
    if not converged and not _linear(family):  # linear: the inner fit's own diagnostic says why
        result.diagnostics.append(
            f"the PQL working-variate iteration did not converge in {it} outer iterations "
            f"(last relative change in eta {history[-1]['change_eta']:.2e})")
    if back is not None:
        result = back.result(result)
    return PqlResult(reml=result, y=y, prior_weights=pw, eta=eta, mu=mu,
                     deviance=float(np.sum(pw * family.unit_deviance(y, mu))),
                     outer_iterations=it, converged=converged, history=history)


__all__ = ["PqlResult", "fit_pql", "response_and_weights"]
