"""Conditional residuals, their standardised and studentised forms, and asreml's outlier
statistics (``aom = TRUE``) for residual and random terms.

For y = Xβ + Zu + e, V = ZGZ' + R, W = [X Z] and C the mixed-model coefficient matrix, the
conditional residuals are ê = y − Wŝ = R P y, with P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻X'V⁻¹ = R⁻¹ −
R⁻¹WC⁻¹W'R⁻¹, so

    Var(ê) = R P R = R − W C⁻¹ W',        Var(û) = G − C^{uu}  (G minus the PEV).

Per record i:

* ``'response'``: ê_i;
* ``'pearson'``: ê_i / sqrt(R_ii) (scaled by the residual variance only);
* ``'stdCond'`` (asreml's standardised conditional residual, the aom statistic of a residual):
  ê_i / sqrt(Var(ê)_ii), ~ N(0, 1) when the model holds;
* ``'studentised'`` (externally, leaving record i out with the covariance shape held and its
  scale re-estimated): with (Py)_i = (R⁻¹ê)_i, the deletion residual d_i = (Py)_i / P_ii has
  variance s² / P_ii, and s²_(i) = (y'Py − (Py)_i² / P_ii) / (n − p − 1), so
  t_i = (Py)_i / sqrt(P_ii s²_(i)) (at a REML optimum y'Py = n − p, and t_i is the classical
  r_i sqrt((ν − 1)/(ν − r_i²)) of r_i = (Py)_i / sqrt(P_ii), which is ``'stdCond'`` when R is
  diagonal).

Per random effect j (aom for random terms): û_j / sqrt(Var(û)_jj); a term whose G cannot be
formed cheaply (given by its inverse over more than ``_G_LIMIT`` levels, e.g. a large
pedigree's A⁻¹) gets NaN, said in ``attrs['notes']``. The diagonal of
W C⁻¹ W' comes from :func:`asr_py.results.cinv_diag.cinv_diag` (the PEVs for a record in
one random level, chunked solves otherwise).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from asr_py.errors import AsrError, MatrixError
from asr_py.results.cinv_diag import cinv_diag

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.results.fit import AsremlFit

TYPES = ("response", "pearson", "stdCond", "studentised")
#: largest random term whose G is formed densely (a G given by its inverse must be inverted)
_G_LIMIT = 5000


def _diag(m: np.ndarray | sp.spmatrix) -> np.ndarray:
    return np.asarray(m.diagonal() if sp.issparse(m) else np.diag(m), dtype=float)


def record_statistics(fit: AsremlFit) -> pd.DataFrame:
    """One row per record: residual, R_ii, Var(ê_i), (Py)_i, P_ii and the four residual
    types of the module docstring."""
    model, res = fit.model, fit.result
    prob = model.problem(theta0=res.theta)
    sl = prob.slices()
    theta = np.asarray(res.theta, dtype=float)
    W = sp.hstack([(sp.csr_matrix(model.X) if sp.issparse(model.X)
                   else sp.csr_matrix(np.asarray(model.X, dtype=float)))]
                  + [sp.csr_matrix(b.Z) for b in prob.random], format="csr")
    Rm = prob.residual.matrix(theta[sl[-1]])
    Rinv = prob.residual.inverse(theta[sl[-1]])
    e = np.asarray(res.residuals, dtype=float)
    r_diag = _diag(Rm)
    diagonal = (sp.issparse(Rm) and Rm.nnz == np.count_nonzero(r_diag)) or (
        not sp.issparse(Rm) and np.count_nonzero(Rm - np.diag(r_diag)) == 0)
    p = model.X.shape[1]
    wcw = cinv_diag(res, W, p)
    var_e = r_diag - wcw
    if diagonal:
        py = e / r_diag
        p_diag = var_e / r_diag**2
    else:
        Ri = sp.csr_matrix(Rinv) if sp.issparse(Rinv) else sp.csr_matrix(np.asarray(Rinv))
        py = Ri @ e
        p_diag = _diag(Ri) - cinv_diag(res, Ri @ W, p)
    ypy = float(prob.y @ py)
    nu = res.n_minus_p
    with np.errstate(invalid="ignore", divide="ignore"):
        std = e / np.sqrt(var_e)
        s2 = (ypy - py**2 / p_diag) / (nu - 1)
        stud = py / np.sqrt(p_diag * s2)
    tiny = var_e <= 1e-12 * r_diag  # a record fitted exactly (e.g. its own random effect)
    std[tiny] = np.nan
    stud[tiny] = np.nan
    return pd.DataFrame({"residual": e, "R": r_diag, "var": var_e, "Py": py, "P": p_diag,
                         "pearson": e / np.sqrt(r_diag), "stdCond": std,
                         "studentised": stud}, index=fit._record_index())


def resid(fit: AsremlFit, type: str = "response") -> pd.Series:
    """Residuals of one ``type`` (module docstring), indexed like ``fit.residuals``."""
    if type not in TYPES:
        raise AsrError(f"resid: unknown type {type!r}", hint="use one of " + ", ".join(TYPES))
    if type == "response":
        return fit.residuals
    s = record_statistics(fit)[type]
    s.name = type
    return s


def random_statistics(fit: AsremlFit) -> pd.DataFrame:
    """One row per random effect: term, level, blup, Var(û) = G_jj − PEV_j and stdCond =
    û_j / sqrt(Var(û)_jj) (NaN for a term over ``_G_LIMIT`` levels given by an inverse)."""
    model, res = fit.model, fit.result
    prob = model.problem(theta0=res.theta)
    sl = prob.slices()
    theta = np.asarray(res.theta, dtype=float)
    frames = []
    notes: list[str] = []
    for j, (t, b) in enumerate(zip(model.random, prob.random)):
        u, pev = np.asarray(res.u[j], dtype=float), np.asarray(res.pev[j], dtype=float)
        g = np.full(u.size, np.nan)
        if u.size > _G_LIMIT and _given_inverse(b.template):
            notes.append(f"{t.label}: G is given by its inverse over {u.size} levels (more "
                         f"than {_G_LIMIT}); its outlier statistics are NaN")
        else:
            try:
                g = _diag(b.template.matrix(theta[sl[j]]))
            except MatrixError as exc:
                notes.append(f"{t.label}: G could not be formed ({exc.args[0]}); its outlier "
                             "statistics are NaN")
        var_u = g - pev
        with np.errstate(invalid="ignore", divide="ignore"):
            std = np.where(var_u > 1e-12 * np.abs(g), u / np.sqrt(var_u), np.nan)
        levels = list(t.levels) if len(t.levels) == u.size else [
            str(i + 1) for i in range(u.size)]
        frames.append(pd.DataFrame({"term": t.label, "level": levels, "blup": u, "G": g,
                                    "var": var_u, "stdCond": std},
                                   index=[f"{t.label}_{lv}" for lv in levels]))
    if not frames:
        return pd.DataFrame(columns=["term", "level", "blup", "G", "var", "stdCond"])
    out = pd.concat(frames)
    out.attrs["notes"] = notes
    return out


def _given_inverse(template: object) -> bool:
    """True when the template, or a part of it, is a known matrix given by its inverse."""
    if getattr(template, "given_inverse", False):
        return True
    return any(_given_inverse(p) for p in getattr(template, "parts", ()) or ())


def aom(fit: AsremlFit) -> dict[str, pd.DataFrame]:
    """asreml's outlier statistics: ``{'R': records, 'G': random effects}`` (module
    docstring); |stdCond| > 3 flags a candidate outlier (~ N(0, 1) under the model)."""
    return {"R": record_statistics(fit), "G": random_statistics(fit)}
