"""A random term the fixed effects absorb: its variance is held near 0, with a warning.

When every column of a random term's Z lies in the column space of X (Z = XB: a factor with
one level beside the intercept, a random ``Block`` also fitted as fixed), PZ = 0 for the
REML projection P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹, so the REML log-likelihood does not depend
on that term's variance σ²: it has no estimate. Left free, the iteration drifts (σ² = 6·10⁹
for a one-level factor beside 7 fixed effects; a log-likelihood 2·10⁻³ above its true
maximum from rounding noise and prediction standard errors of 7.8·10⁴ where they are 0.47).
Held at a value near 0 (constraint 'F') the fit is exactly the fit without the term: the
other estimates, the log-likelihood and the predictions are those of the model a user would
write. Checked for terms with one variance parameter (id, idv, vm, ...) whose Z has no more
columns than X and a dense least-squares solve of at most :data:`MAX_FLOPS` (n·p·q).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp

#: ‖Z − XB‖_F ≤ TOL·‖Z‖_F counts as absorbed (least squares B)
TOL = 1e-8
#: largest records x X columns x Z columns solved densely
MAX_FLOPS = 200_000_000
#: the held variance: HELD x the term's default start value (a variance of the data's size)
HELD = 1e-8


def hold_absorbed(model: Any) -> list[str]:
    """Hold each absorbed random term's variance near 0 ('F'; module docstring); returns
    the notes (also ``model.warnings`` and an AsrWarning each)."""
    X = model.fixed.X
    n, p = X.shape
    if p == 0 or not model.random:
        return []
    notes: list[str] = []
    names = list(model.param_names)
    Xd = None
    for term in model.random:
        pn = list(term.param_names)
        if len(pn) != 1 or pn[0] not in names:
            continue
        i = names.index(pn[0])
        if model.param_kinds[i] != "variance" or model.constraints[i] == "F":
            continue
        q = term.Z.shape[1]
        if q == 0 or q > p or n * p * q > MAX_FLOPS:
            continue
        if Xd is None:
            Xd = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
        Z = term.Z.toarray() if sp.issparse(term.Z) else np.asarray(term.Z, dtype=float)
        if Z.shape[0] != n:
            continue
        B, *_ = np.linalg.lstsq(Xd, Z, rcond=None)
        if np.linalg.norm(Z - Xd @ B) > TOL * max(np.linalg.norm(Z), 1e-300):
            continue
        model.theta0[i] = HELD * abs(model.theta0[i]) if model.theta0[i] else HELD
        model.constraints[i] = "F"
        model.__dict__.pop("param_map", None)
        notes.append(_note(term.label, _fixed_terms(model, B)))
    for note in notes:
        model.warnings.append(note)
        from asr_py.warning_classes import AsrWarning, user_stacklevel

        warnings.warn(note, AsrWarning, stacklevel=user_stacklevel())
    return notes


def _fixed_terms(model: Any, B: np.ndarray) -> list[str]:
    """Labels of the fixed terms whose columns reproduce Z (non-zero rows of B)."""
    load = np.abs(B).max(axis=1)
    used = set(np.flatnonzero(load > 1e-8 * max(load.max(), 1e-300)))
    out = [t.label for t in model.fixed.terms if used & set(t.columns)]
    return out or ["(Intercept)"]


def _note(label: str, fixed: list[str]) -> str:
    return (f"random term '{label}' lies within the fixed effects ({', '.join(fixed[:4])}): "
            "its effects are fixed-effect contrasts already, so the REML likelihood does not "
            "depend on its variance (no estimate exists); it is held near 0 (constraint 'F'), "
            "which fits the model without it. Drop the random term, or the fixed term that "
            "contains it")


__all__ = ["HELD", "TOL", "hold_absorbed"]
