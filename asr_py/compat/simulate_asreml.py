"""asremlPlus's ``simulate.asreml``: data sets simulated from a fitted model and the model
refitted to each.

With μ the fitted values of the fit (Xβ̂ + Zû, asreml's ``fitted.values``; or ``means``)
and V the fitted variance matrix (given, or asremlPlus's ``estimateV`` of the fit), every
simulated response is

    y* = μ + U Λ^{1/2} z,   V = U Λ U' (eigendecomposition),  z ~ N(0, I_n),

so E(y*) = μ and Var(y*) = U Λ U' = V (eigenvalues below −tolerance·λ_max are an error, the
small negative ones are set to 0, as asremlPlus). The fit's model is refitted to each y*
(:func:`~asr_py.compat.refit_response.refit_response`); a data set whose fit does not
converge is replaced by a new draw, as asremlPlus's ``while (!conv)``.

The draws use numpy's global generator, which the translation of R's ``set.seed(k)``
seeds (``seed=k`` seeds it here); R's own random stream cannot be reproduced, so the
numbers differ from R's while their distribution is the same. One process: ``ncores`` is
accepted and not used.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.compat.refit_response import refit_response
from asr_py.errors import AsrError
from asr_py.warning_classes import AsrWarning

__all__ = ["simulate_asreml", "simulate", "SimulationSetup", "record_positions", "check_sim_fit",
           "check_nsim", "refit_maxit", "sqrt_factor", "units_option",
           "record_residuals"]

#: asreml()/asremlPlus arguments that a refit accepts and that change nothing here
_IGNORED = {"trace", "aom", "workspace", "pworkspace", "ncores", "graphics_device", "na_action",
            "Cfixed", "Csparse", "debug", "ai_sing", "fail", "threads"}
#: attempts per data set before giving up on draws whose fits do not converge
_TRIES = 20


def check_sim_fit(obj: Any, fn: str) -> None:
    if not (hasattr(obj, "model") and hasattr(obj, "result") and hasattr(obj, "call")):
        raise AsrError(f"{fn}() needs an asr.asreml() fit, not {type(obj).__name__}",
                       hint="pass the fit of an asr.asreml() call")
    if obj.model.records.multivariate:
        raise AsrError(f"{fn}(): the fit is multivariate", hint="simulate from a univariate fit")


def record_positions(fit: Any) -> np.ndarray:
    """For each record fitted, its position in the fit's reported per-row vectors
    (``fit.residuals``, ``fit.fitted``: one entry per data row, or per record)."""
    rec = fit.model.records
    pos = getattr(rec, "result_pos", None)
    full = getattr(rec, "result_index", None)
    if pos is None or full is None:
        return np.arange(rec.n)
    return np.asarray(pos, dtype=np.int64)


def _per_record(values: Any, fit: Any, what: str) -> np.ndarray:
    """A vector given per reported row (as ``fit.residuals``) or per record, per record."""
    v = np.asarray(values, dtype=float).ravel()
    n_rep, n_rec = len(fit.residuals), fit.model.records.n
    if v.size == n_rep:
        return v[record_positions(fit)]
    if v.size == n_rec:
        return v
    raise AsrError(f"The lengths of {what} and the response variable are not the same "
                   f"({v.size} vs {n_rep})", hint=f"give one {what} value per data row")


def _v_per_record(V: Any, fit: Any) -> np.ndarray:
    """A user's V (data-row order, one row per reported row or per record) per record."""
    from asr_py.vcov.base import to_dense

    M = np.asarray(to_dense(V) if not isinstance(V, pd.DataFrame) else V.to_numpy(), float)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise AsrError(f"V is not a square matrix (its shape is {M.shape})")
    if not np.allclose(M, M.T, rtol=1e-8, atol=1e-10 * max(1.0, np.abs(M).max())):
        raise AsrError("Variance matrix must be symmetric")
    n_rep, rec = len(fit.residuals), fit.model.records
    if M.shape[0] == n_rep:
        p = record_positions(fit)
        return M[np.ix_(p, p)]
    if M.shape[0] == rec.n:   # the records fitted, in the data's order
        rank = np.argsort(np.argsort(np.asarray(rec.row), kind="stable"), kind="stable")
        return M[np.ix_(rank, rank)]
    raise AsrError(f"V is not a square matrix whose order equals the length of the response "
                   f"variable ({M.shape[0]} vs {n_rep})")


def _estimated_v(fit: Any, **est: Any) -> np.ndarray:
    """asremlPlus's ``estimateV`` of the fit, per record."""
    from asr_py.compat.estimatev import all_rows_model, estimateV

    V = estimateV(fit, **est)
    rec = fit.model.records
    model = all_rows_model(fit) if V.shape[0] != rec.n else None
    src = model.records if model is not None else rec
    labels = src.frame.index[np.sort(np.asarray(src.row))]
    want = rec.frame.index[np.asarray(rec.row)]
    idx = labels.get_indexer(want) if labels.is_unique else np.full(len(want), -1)
    if V.shape[0] != len(labels) or (idx < 0).any():
        raise AsrError("simulate: cannot line the estimated V up with the records fitted",
                       hint="pass V = estimateV(fit) for the records fitted")
    return V[np.ix_(idx, idx)]


def sqrt_factor(V: np.ndarray, tolerance: float = 1e-10) -> np.ndarray:
    """F = U Λ^{1/2} with F F' = V (V = U Λ U'); an error when V is not nonnegative
    definite (an eigenvalue below −tolerance·|λ_max|)."""
    w, U = np.linalg.eigh(V)
    if not np.all(w >= -tolerance * abs(w.max())):
        raise AsrError("Variance matrix is not nonnegative definite",
                       hint=f"its smallest eigenvalue is {w.min():.4g}")
    return U * np.sqrt(np.clip(w, 0.0, None))


def refit_maxit(fn: str, other: dict[str, Any]) -> int:
    """The refits' iteration limit from the arguments asremlPlus passes on to asreml
    (``maxit``, or asreml 4's option name ``maxiter``; 30 by default)."""
    for k in other:
        if k in ("fixed", "random", "residual", "rcov", "sparse"):
            raise AsrError(f"{fn}(): attempt to change model to be fitted ({k} = )")
        if k not in _IGNORED and k not in ("maxit", "maxiter"):
            raise AsrError(f"{fn}(): argument {k} is not supported",
                           hint="the refits take maxit; trace, aom, workspace are accepted")
    if "maxit" in other and "maxiter" in other:
        raise AsrError(f"{fn}(): give maxit or maxiter, not both")
    return int(other.get("maxit", other.get("maxiter", 30)))


def units_option(units: str, fn: str) -> bool:
    """asremlPlus's ``units`` argument (partial matching): True for ``'addtoresiduals'``."""
    hits = [o for o in ("addtoresiduals", "ignore") if o.startswith(str(units))]
    if len(hits) != 1 or not str(units):
        raise AsrError(f"{fn}(units = {units!r}) is not 'addtoresiduals' or 'ignore'")
    return hits[0] == "addtoresiduals"


def record_residuals(fit: Any, res: Any, add_units: bool,
                     standardised: bool = False) -> np.ndarray:
    """asremlPlus's ``get.residuals``: the conditional residuals y − Xβ̂ − Zû of the REML
    result ``res`` of ``fit``'s model, per record; with ``add_units`` the BLUP of the
    ``units`` random term (if the model has one) added, e + Z_units û_units.
    ``standardised`` (a fit with ``aom = TRUE``: asreml's ``aom$R[, 2]``): each residual
    over its standard deviation, ê_i / sqrt((R − W C⁻¹ W')_ii), and the units BLUPs
    standardised too, û_j / sqrt(G_jj − PEV_j) (``aom$G[, 2]``)."""
    if standardised:
        from types import SimpleNamespace

        from asr_py.results.residual_diagnostics import random_statistics, record_statistics

        at = SimpleNamespace(model=fit.model, result=res, _record_index=fit._record_index)
        e = record_statistics(at)["stdCond"].to_numpy(dtype=float).copy()
        if add_units:
            g = random_statistics(at)
            for term in fit.model.random:
                if str(term.label) == "units":
                    u = g.loc[g["term"] == term.label, "stdCond"].to_numpy(dtype=float)
                    e += np.asarray(term.Z @ np.nan_to_num(u)).ravel()
        return e
    e = np.asarray(res.residuals, dtype=float).copy()
    if add_units:
        for term, u in zip(fit.model.random, res.u):
            if str(term.label) == "units":
                e += np.asarray(term.Z @ np.asarray(u, dtype=float)).ravel()
    return e


class SimulationSetup:
    """μ and the factor F of V per record, and the refit of one simulated data set."""

    def __init__(self, fit: Any, means: Any, V: Any, tolerance: float, update: bool,
                 maxit: int, estimate: dict[str, Any] | None = None) -> None:
        self.fit, self.update, self.maxit = fit, bool(update), maxit
        base = fit.fitted if means is None else means
        self.mu = _per_record(base, fit, "means")
        Vr = _estimated_v(fit, **(estimate or {})) if V is None else _v_per_record(V, fit)
        self.F = sqrt_factor(Vr, tolerance)

    def draw(self) -> np.ndarray:
        """One response y* = μ + F z (numpy's global generator)."""
        return self.mu + self.F @ np.random.standard_normal(self.F.shape[1])

    def converged_refit(self, fn: str) -> tuple[np.ndarray, Any]:
        """(y*, its REML result), drawing again while the refit does not converge."""
        for _ in range(_TRIES):
            y = self.draw()
            res = refit_response(self.fit, y, update=self.update, maxit=self.maxit)
            if res.converged:
                return y, res
        raise AsrError(f"{fn}(): {_TRIES} simulated data sets in a row did not converge",
                       hint="raise maxit, or check the fit itself converged")

    def loop(self, nsim: int, fn: str, each: Callable[[np.ndarray, Any], None]) -> None:
        """``nsim`` converged refits, each passed to ``each(y*, result)``."""
        for _ in range(nsim):
            each(*self.converged_refit(fn))


def _which(which: str | Iterable[str]) -> list[str]:
    opts = ("data", "fitted", "residuals", "all")
    out: list[str] = []
    for w in [which] if isinstance(which, str) else list(which):
        hits = [o for o in opts if o.startswith(str(w))]
        if len(hits) != 1:
            raise AsrError(f"simulate(which = {w!r}) is not one of {', '.join(opts)}")
        out += ["data", "fitted", "residuals"] if hits[0] == "all" else hits
    return list(dict.fromkeys(out))


def check_nsim(nsim: Any) -> int:
    if isinstance(nsim, bool) or not float(nsim).is_integer() or nsim < 1:
        raise AsrError(f"nsim = {nsim!r} must be a positive whole number")
    return int(nsim)


def simulate_asreml(object: Any, nsim: int = 100, seed: int | None = None, means: Any = None,
                    V: Any = None, tolerance: float = 1e-10, update: bool = True,
                    trace: bool = False, which: str | Iterable[str] = "data",
                    units: str = "ignore", ncores: int = 2, **other: Any
                    ) -> dict[str, pd.DataFrame]:
    """asremlPlus's ``simulate.asreml`` (see the module docstring): a dict with
    ``observed`` (the fit's data with its ``fitted``/``residuals``, when asked for) and one
    data frame per quantity in ``which`` (``data``, ``fitted``, ``residuals``), a column
    ``<quantity>.<k>`` per simulated data set, a row per data row (NaN on rows not fitted).
    ``V=None`` uses ``estimateV(object)``."""
    check_sim_fit(object, "simulate")
    nsim = check_nsim(nsim)
    add_units = units_option(units, "simulate")
    opt = _which(which)
    maxit = refit_maxit("simulate", other)
    if seed is not None:
        np.random.seed(int(seed))
    setup = SimulationSetup(object, means, V, tolerance, update, maxit)
    pos = record_positions(object)
    n_rep = len(object.residuals)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in opt}

    def per_row(v: np.ndarray) -> np.ndarray:
        out = np.full(n_rep, np.nan)
        out[pos] = v
        return out

    def each(y: np.ndarray, res: Any) -> None:
        if "data" in cols:
            cols["data"].append(per_row(y))
        if "fitted" in cols:
            cols["fitted"].append(per_row(np.asarray(res.fitted, float)))
        if "residuals" in cols:
            cols["residuals"].append(per_row(record_residuals(object, res, add_units)))

    if opt == ["data"]:   # no refits needed for the data alone
        for _ in range(nsim):
            cols["data"].append(per_row(setup.draw()))
    else:
        setup.loop(nsim, "simulate", each)
    out: dict[str, pd.DataFrame] = {}
    index = object.residuals.index
    if "fitted" in opt or "residuals" in opt:
        out["observed"] = _observed(object, opt, add_units)
    for k in ("data", "fitted", "residuals"):
        if k in cols:
            out[k] = pd.DataFrame(np.column_stack(cols[k]), index=index,
                                  columns=[f"{k}.{i + 1}" for i in range(nsim)])
    return out


def _observed(fit: Any, opt: list[str], add_units: bool) -> pd.DataFrame:
    """The fit's data rows with its fitted values and residuals added (asremlPlus's
    ``observed``)."""
    data = fit.call.get("data")
    index = fit.residuals.index
    if isinstance(data, pd.DataFrame) and index.isin(data.index).all():
        frame = data.loc[index].copy()
    else:
        frame = pd.DataFrame(index=index)
    if "fitted" in opt:
        frame["fitted"] = fit.fitted.to_numpy()
    if "residuals" in opt:
        e = np.full(len(index), np.nan)
        e[record_positions(fit)] = record_residuals(fit, fit.result, add_units)
        frame["residuals"] = e
    return frame


def simulate(object: Any, nsim: int | None = None, seed: int | None = None,
             **other: Any) -> Any:
    """R's generic ``simulate``: asremlPlus's method for an asr.asreml() fit
    (:func:`simulate_asreml`, nsim = 100 by default); an object with its own ``simulate``
    method otherwise (nsim = 1 by default, R's generic)."""
    if hasattr(object, "model") and hasattr(object, "result") and hasattr(object, "call"):
        return simulate_asreml(object, nsim=100 if nsim is None else nsim, seed=seed, **other)
    nsim = 1 if nsim is None else nsim
    method = getattr(object, "simulate", None)
    if callable(method):
        if other:
            warnings.warn(f"simulate(): argument(s) {', '.join(other)} ignored", AsrWarning,
                          stacklevel=2)
        return method(nsim=nsim, seed=seed)
    raise AsrError(f"simulate() has no method for {type(object).__name__}",
                   hint="simulate an asr.asreml() fit (asremlPlus's simulate.asreml)")
