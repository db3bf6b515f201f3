"""The data-scale columns asreml adds to the predictions of a GLM fit.

For a fit with a non-identity link, asreml's ``predict()`` reports, beside the link-scale
``predicted.value`` η̂ and ``std.error`` s, the columns

    transformed.value = g⁻¹(η̂)                    (the inverse link of the prediction)
    approx.se         = |g⁻¹(η̂) − g⁻¹(η̂ − s)|     (a one-sided difference, not the delta
                                                     method |dμ/dη|·s)

Source: the one recorded value we have, asremlPlus's budworm test (briencj/asremlPlus
tests/testthat/test42glm.r, test41alldiffs.asr.r:2316-2320, test42alldiffsasr.r:2592;
binomial logit, ``p ~ ldose + sex``): η̂ = −3.473155, s = 0.4685204, transformed.value
0.03008577 and approx.se 0.01103991 = expit(η̂) − expit(η̂ − s) = 0.0110399096, whereas the
delta method gives p(1 − p)s = 0.01367 and the symmetric difference
(expit(η̂ + s) − expit(η̂ − s))/2 = 0.01409. asremlPlus (R/alldiffs.v5.r:2645-2675) takes
approx.se as the standard error of its logit/log/... backtransforms. The same difference is
used for every link (identity: approx.se = s; log: μ̂(1 − e^{−s})); asreml's rule for links
other than the logit is not recorded anywhere we could find. Where η̂ − s leaves the branch
of g⁻¹ that η̂ is on (inverse link: η̂ − s and η̂ of opposite sign; sqrt: η̂ − s < 0),
approx.se is NaN rather than a difference across the pole or the turn.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class InverseLink(Protocol):
    """A link by its name ('logit', 'log', 'inverse', 'sqrt', ...) and μ = g⁻¹(η)."""

    name: str

    def inverse(self, eta: np.ndarray) -> np.ndarray: ...


def _in_domain(name: str, eta: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """False where the step η → η − se leaves the branch of g⁻¹ that η is on: the inverse
    link crossing η = 0 (μ = 1/η changes sign), the sqrt link below η = 0 (μ = η² turns),
    the 1/mu^2 link at or below η = 0 (μ = η^(-1/2) undefined)."""
    if name == "inverse":
        return eta * lower > 0
    if name == "sqrt":
        return lower >= 0
    if name == "1/mu^2":   # μ = η^(-1/2): defined for η > 0 only
        return lower > 0
    return np.ones(eta.shape, dtype=bool)


def transformed_columns(eta: np.ndarray, se: np.ndarray, link: InverseLink
                        ) -> tuple[np.ndarray, np.ndarray]:
    """(transformed.value, approx.se) of link-scale predictions ``eta`` with standard errors
    ``se`` under ``link`` (see the module docstring); NaN stays NaN, and approx.se is NaN
    where η − se leaves the branch of g⁻¹ that η is on (no difference is defined there)."""
    eta = np.asarray(eta, dtype=float)
    se = np.asarray(se, dtype=float)
    lower = eta - se
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        mu = link.inverse(eta)
        approx = np.abs(mu - link.inverse(lower))
    approx[~_in_domain(link.name, eta, lower)] = np.nan
    return mu, approx
