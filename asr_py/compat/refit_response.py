"""A fit's compiled model refitted to another response vector (what asremlPlus's
``simulate.asreml`` and ``variofaces`` do for every simulated data set, R's
``eval(call)`` with ``y.sim`` as the response).

X, the Z_k and the covariance templates do not depend on y, so the model is not compiled
again: a shallow copy of the fit's :class:`~asr_py.model.spec.Model` gets records with the
new y (one value per record fitted, in record order) and REML runs on its problem, started
at the fit's estimates θ̂ (asremlPlus's ``update = TRUE``: ``R.param``/``G.param`` of the
fit) or at the model's default starting values (``update = FALSE``).
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import numpy as np

from asr_py.errors import AsrError

__all__ = ["refit_response"]


def refit_response(fit: Any, y: np.ndarray, *, update: bool = True, maxit: int = 30) -> Any:
    """The REML result (:class:`~asr_py.reml.result.RemlResult`) of ``fit``'s model for the
    response ``y`` (one value per record fitted, record order)."""
    model = getattr(fit, "model", None)
    res = getattr(fit, "result", None)
    if model is None or res is None or not hasattr(model, "records"):
        raise AsrError(f"cannot refit {type(fit).__name__}: not an asr.asreml() fit",
                       hint="pass the fit of an asr.asreml() call")
    if getattr(fit, "family", None) is not None or fit.call.get("vcm") is not None:
        raise AsrError("refitting a simulated response: GLMM and vcm fits are not supported",
                       hint="simulate from a Gaussian asr.asreml() fit without vcm")
    y = np.asarray(y, dtype=float)
    if y.shape != np.shape(model.records.y):
        raise AsrError(f"refit: the response has {y.size} values, the fit has "
                       f"{np.size(model.records.y)} records")
    sim = copy.copy(model)
    sim.records = dataclasses.replace(model.records, y=y)
    problem = sim.problem(np.asarray(res.theta, dtype=float) if update else None)
    from asr_py.api import _fit_general  # the engine call asr.asreml() makes

    n_eq = problem.X.shape[1] + sum(b.Z.shape[1] for b in problem.random)
    return _fit_general(sim, problem, int(maxit), None, "auto", "default", n_eq)
