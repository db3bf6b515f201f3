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
other than the logit is not recorded anywhere we could find.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def transformed_columns(eta: np.ndarray, se: np.ndarray,
                        inverse: Callable[[np.ndarray], np.ndarray]
                        ) -> tuple[np.ndarray, np.ndarray]:
    """(transformed.value, approx.se) of link-scale predictions ``eta`` with standard errors
    ``se`` under the inverse link ``inverse`` (see the module docstring); NaN stays NaN."""
    eta = np.asarray(eta, dtype=float)
    se = np.asarray(se, dtype=float)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        mu = inverse(eta)
        approx = np.abs(mu - inverse(eta - se))
    return mu, approx
