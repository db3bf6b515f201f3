"""Error distributions and link functions of generalized linear mixed models (ASReml-R's
``family = asr_binomial()``, ``asr_poisson()``, ``asr_Gamma()``, ``asr_gaussian()``).

A family gives the mean-variance relation Var(y) = φ V(μ) / w (w: prior weight, φ: the
dispersion) and a link η = g(μ). The working-variate iteration (:mod:`asr_py.glmm.pql`) needs

    z = η + (y − μ) g'(μ),        working weight  w / (V(μ) g'(μ)²),

and the deviance D = Σ w d(y, μ) to report the fit.

=========  ==================  ====================  ===================
family     V(μ)                links                 default dispersion
=========  ==================  ====================  ===================
binomial   μ(1 − μ)            logit, probit,        1
                               cloglog
poisson    μ                   log, identity, sqrt   1
Gamma      μ²                  inverse, log,         1 (ASReml-R's default)
                               identity
gaussian   1                   identity, log,        estimated
                               inverse
negative   μ + μ²/φ_nb         log, identity,        1
binomial   (φ_nb = ``phi``,    inverse
           known)
inverse    μ³                  inverse, 1/mu^2,      given (no default:
gaussian                       log, identity         link= and dispersion=
                               (no default)          are required)
=========  ==================  ====================  ===================

The negative binomial is ASReml's ``!NEGBIN [!LOGARITHM | !IDENTITY | !INVERSE] [!PHI phi]``
("Natural logarithms are the default link function. The default value of φ is 1", ASReml
User Guide, GLM qualifiers): V(μ) = μ + μ²/φ with φ known, R's
``MASS::negative.binomial(theta = φ)``. The inverse Gaussian's V(μ) = μ³ is R's
``inverse.gaussian()``; asreml-R's default link and dispersion for it are not documented in
the sources asr_py was checked against, so both must be given (a silent default could fit a
different model than the script's).

``dispersion=None`` estimates φ as the residual variance of the working model (as
MASS::glmmPQL does); a number holds it there (ASReml's default of 1 for binomial and
Poisson data: the latent residual variance is then the distribution's own).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from asr_py.errors import AsrError

_EPS = np.finfo(float).eps


@dataclass(frozen=True)
class Link:
    """η = g(μ), its inverse and dμ/dη."""

    name: str

    def link(self, mu: np.ndarray) -> np.ndarray:
        n = self.name
        if n == "identity":
            return mu.copy()
        if n == "log":
            return np.log(mu)
        if n == "logit":
            return special.logit(mu)
        if n == "probit":
            return stats.norm.ppf(mu)
        if n == "cloglog":
            return np.log(-np.log1p(-mu))
        if n == "inverse":
            return 1.0 / mu
        if n == "sqrt":
            return np.sqrt(mu)
        if n == "1/mu^2":
            return 1.0 / (mu * mu)
        raise AssertionError(n)

    def inverse(self, eta: np.ndarray) -> np.ndarray:
        n = self.name
        if n == "identity":
            return eta.copy()
        if n == "log":
            return np.exp(np.minimum(eta, 700.0))
        if n == "logit":
            return special.expit(eta)
        if n == "probit":
            return stats.norm.cdf(eta)
        if n == "cloglog":
            return -np.expm1(-np.exp(np.minimum(eta, 700.0)))
        if n == "inverse":
            return 1.0 / eta
        if n == "sqrt":
            return eta * eta
        if n == "1/mu^2":
            return 1.0 / np.sqrt(eta)
        raise AssertionError(n)

    def mu_eta(self, eta: np.ndarray) -> np.ndarray:
        """dμ/dη (= 1/g'(μ))."""
        n = self.name
        if n == "identity":
            return np.ones_like(eta)
        if n == "log":
            return np.exp(np.minimum(eta, 700.0))
        if n == "logit":
            p = special.expit(eta)
            return np.maximum(p * (1.0 - p), _EPS)
        if n == "probit":
            return np.maximum(stats.norm.pdf(eta), _EPS)
        if n == "cloglog":
            e = np.minimum(eta, 700.0)
            return np.maximum(np.exp(e - np.exp(e)), _EPS)
        if n == "inverse":
            return -1.0 / (eta * eta)
        if n == "sqrt":
            return 2.0 * eta
        if n == "1/mu^2":
            return -0.5 / (eta * np.sqrt(eta))
        raise AssertionError(n)


#: links each family accepts, the first is its default (canonical, as in ASReml-R)
_LINKS = {
    "binomial": ("logit", "probit", "cloglog"),
    "poisson": ("log", "identity", "sqrt"),
    "Gamma": ("inverse", "log", "identity"),
    "gaussian": ("identity", "log", "inverse"),
    "negative.binomial": ("log", "identity", "inverse"),
    "inverse.gaussian": ("inverse", "1/mu^2", "log", "identity"),
}


@dataclass(frozen=True)
class Family:
    """An error distribution with its link; ``total`` names a data column of binomial totals
    (the response is then the proportion, or when some value exceeds 1 the number, of
    successes out of ``total``; ASReml's rule)."""

    name: str
    link: Link
    dispersion: float | None = 1.0
    total: str | None = None
    phi: float | None = None  # the negative binomial's known φ (V = μ + μ²/φ)

    # ----- the distribution ---------------------------------------------------------------
    def variance(self, mu: np.ndarray) -> np.ndarray:
        n = self.name
        if n == "binomial":
            return np.maximum(mu * (1.0 - mu), _EPS)
        if n == "poisson":
            return np.maximum(mu, _EPS)
        if n == "Gamma":
            return mu * mu
        if n == "negative.binomial":
            return np.maximum(mu + mu * mu / self.phi, _EPS)
        if n == "inverse.gaussian":
            return mu * mu * mu
        return np.ones_like(mu)

    def check_response(self, y: np.ndarray, w: np.ndarray) -> str | None:
        """A message if ``y`` (the proportion for binomial data) is outside the support."""
        n = self.name
        if n == "binomial":
            if np.any((y < 0) | (y > 1)):
                return "binomial proportions must lie in [0, 1]"
            k = y * w
            if np.any(np.abs(k - np.round(k)) > 1e-6 * np.maximum(w, 1.0)):
                return ("binomial data must be whole numbers of successes (proportion x "
                        "total)")
        elif n in ("poisson", "negative.binomial"):
            if np.any(y < 0):
                return f"{'Poisson' if n == 'poisson' else 'negative binomial'} counts must " \
                       "be >= 0"
        elif n in ("Gamma", "inverse.gaussian") and np.any(y <= 0):
            return f"{n} data must be > 0"
        return None

    def start_mu(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        """A start for μ inside the support (as R's family initialize)."""
        n = self.name
        if n == "binomial":
            return (w * y + 0.5) / (w + 1.0)
        if n == "poisson":
            return y + 0.1
        if n == "negative.binomial":
            return y + (y == 0) / 6.0  # R's negative.binomial initialize
        if n in ("Gamma", "inverse.gaussian"):
            return y.copy()
        if self.link.name in ("log", "inverse"):
            return np.maximum(y, 0.1 * np.mean(np.abs(y)) + _EPS)
        return y.copy()

    def valid_mu(self, mu: np.ndarray) -> bool:
        n = self.name
        if not np.all(np.isfinite(mu)):
            return False
        if n == "binomial":
            return bool(np.all((mu > 0) & (mu < 1)))
        if n in ("poisson", "Gamma", "negative.binomial", "inverse.gaussian"):
            return bool(np.all(mu > 0))
        return True

    def unit_deviance(self, y: np.ndarray, mu: np.ndarray) -> np.ndarray:
        """d(y, μ) with D = Σ w d (the deviance is 2 x the log-likelihood ratio to the
        saturated model)."""
        n = self.name
        if n == "binomial":
            return 2.0 * (special.xlogy(y, y / mu) + special.xlogy(1 - y, (1 - y) / (1 - mu)))
        if n == "poisson":
            return 2.0 * (special.xlogy(y, y / mu) - (y - mu))
        if n == "Gamma":
            return 2.0 * (-np.log(y / mu) + (y - mu) / mu)
        if n == "negative.binomial":
            th = self.phi
            return 2.0 * (special.xlogy(y, y / mu) - (y + th) * np.log((y + th) / (mu + th)))
        if n == "inverse.gaussian":
            return (y - mu) ** 2 / (mu * mu * y)
        return (y - mu) ** 2

    @property
    def latent_residual_variance(self) -> float | None:
        """The residual variance of the latent (liability) scale implied by the link for
        binary data: π²/3 (logit), 1 (probit), π²/6 (cloglog); None otherwise."""
        if self.name != "binomial":
            return None
        return {"logit": math.pi ** 2 / 3, "probit": 1.0, "cloglog": math.pi ** 2 / 6}[
            self.link.name]

    def __str__(self) -> str:
        d = "estimated" if self.dispersion is None else f"{self.dispersion:g}"
        tot = f", total='{self.total}'" if self.total else ""
        phi = f", phi={self.phi:g}" if self.phi is not None else ""
        return f"{self.name}(link='{self.link.name}', dispersion={d}{phi}{tot})"


def _positive(what: str, value: object) -> float:
    try:
        d = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        d = float("nan")
    if not math.isfinite(d) or d <= 0:
        raise AsrError(f"{what} must be a positive number, not {value!r}")
    return d


def _make(name: str, link: str | None, dispersion: float | None, total: str | None = None,
          phi: float | None = None) -> Family:
    ok = _LINKS[name]
    link = ok[0] if link is None else link
    if not isinstance(link, str) or link not in ok:
        raise AsrError(f"asr_{name}(): link {link!r} is not available",
                       hint="choose one of " + ", ".join(repr(x) for x in ok))
    if dispersion is not None:
        dispersion = _positive(f"asr_{name}(): dispersion (or None: estimated)", dispersion)
    if phi is not None:
        phi = _positive(f"asr_{name}(): phi", phi)
    if total is not None and not isinstance(total, str):
        raise AsrError("asr_binomial(): total must be the name of a data column",
                       hint="e.g. asr_binomial(total='n')")
    return Family(name, Link(link), dispersion, total, phi)


def asr_binomial(link: str = "logit", dispersion: float | None = 1.0,
                 total: str | None = None) -> Family:
    """Binomial data (ASReml-R's ``asr_binomial``): a 0/1 response, or with ``total='n'``
    the proportion (ASReml's rule: when no value exceeds 1) or else the number of successes
    out of the data column n; a proportion with prior
    ``weights='n'`` (asreml 3's form) works too. Links 'logit', 'probit', 'cloglog'."""
    return _make("binomial", link, dispersion, total)


def asr_poisson(link: str = "log", dispersion: float | None = 1.0) -> Family:
    """Poisson counts (ASReml-R's ``asr_poisson``). Links 'log', 'identity', 'sqrt'."""
    return _make("poisson", link, dispersion)


def asr_Gamma(link: str = "inverse", dispersion: float | None = 1.0) -> Family:  # noqa: N802
    """Gamma data (ASReml-R's ``asr_Gamma``; its default dispersion 1 is the exponential
    distribution: pass ``dispersion=None`` to estimate the shape). Links 'inverse', 'log',
    'identity'."""
    return _make("Gamma", link, dispersion)


def asr_gaussian(link: str = "identity", dispersion: float | None = None) -> Family:
    """Normal data (ASReml-R's ``asr_gaussian``); with the identity link the fit is the usual
    linear mixed model."""
    return _make("gaussian", link, dispersion)


def asr_negative_binomial(link: str = "log", dispersion: float | None = 1.0,
                          phi: float = 1.0) -> Family:
    """Negative binomial counts (ASReml-R's ``asr_negative.binomial``; ASReml's ``!NEGBIN``):
    V(μ) = μ + μ²/φ with φ = ``phi`` known (default 1, as ASReml), R's
    ``MASS::negative.binomial(theta = phi)``. Links 'log', 'identity', 'inverse'."""
    return _make("negative.binomial", link, dispersion, phi=phi)


_IG_NEEDS = ("asr_inverse.gaussian(): give link= and dispersion= (a number, or None to "
             "estimate it): asreml-R's defaults for them are not established here, and a "
             "guessed default could fit a different model")


def asr_inverse_gaussian(link: str | None = None, dispersion: float | None | str = "unset"
                         ) -> Family:
    """Inverse Gaussian data (ASReml-R's ``asr_inverse.gaussian``): V(μ) = μ³ (R's
    ``inverse.gaussian()``). Links 'inverse', '1/mu^2', 'log', 'identity'; both ``link`` and
    ``dispersion`` (None: estimated) must be given (module docstring)."""
    if link is None or isinstance(dispersion, str):
        raise AsrError(_IG_NEEDS, hint="e.g. asr.asr_inverse_gaussian(link='log', "
                                       "dispersion=None)")
    return _make("inverse.gaussian", link, dispersion)


_BY_NAME = {"negative.binomial": asr_negative_binomial, "negative_binomial":
            asr_negative_binomial}


def as_family(family: object) -> Family:
    """A :class:`Family` from a Family or a name ('binomial', 'poisson', 'Gamma',
    'gaussian', with or without ASReml-R's 'asr_' prefix)."""
    if isinstance(family, Family):
        return family
    if isinstance(family, str):
        key = family[4:] if family.startswith("asr_") else family
        key = {"gamma": "Gamma"}.get(key, key)
        if key in _BY_NAME:
            return _BY_NAME[key]()
        if key in ("inverse.gaussian", "inverse_gaussian"):
            asr_inverse_gaussian()  # raises: its link and dispersion must be given
        if key in _LINKS:
            return _make(key, None, None if key == "gaussian" else 1.0)
    raise AsrError(f"family= must be asr.asr_binomial(), asr.asr_poisson(), asr.asr_Gamma(), "
                   f"asr.asr_gaussian(), asr.asr_negative_binomial() or "
                   f"asr.asr_inverse_gaussian() (or their names), not {family!r}",
                   hint="e.g. family=asr.asr_binomial(link='probit')")


__all__ = ["Family", "Link", "as_family", "asr_Gamma", "asr_binomial", "asr_gaussian",
           "asr_inverse_gaussian", "asr_negative_binomial", "asr_poisson"]
