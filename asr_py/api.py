"""``asreml()``: compile the model, fit it by AI-REML, wrap the result; ``lrt()``."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.model.arguments import check_fit_arguments
from asr_py.model.spec import compile_model
from asr_py.results.fit import AsremlFit

#: from this many records glibc's mmap threshold is fixed (reml.memory.map_large_arrays)
LARGE_RECORDS = 100_000
#: mixed model equations up to this size are solved with single-threaded BLAS
SMALL_DENSE = 5000


def asreml(
    fixed: str,
    random: str | None = None,
    residual: str | None = None,
    data: pd.DataFrame | None = None,
    *,
    rcov: str | None = None,
    sparse: str | None = None,
    maxit: int = 30,
    start_values: bool = False,
    params: pd.DataFrame | dict[str, float] | None = None,
    trace: bool = False,
    factors: list[str] | tuple[str, ...] = (),
    na_action: dict[str, str] | None = None,
    pedigree: Any = None,
    group: dict[str, list[str]] | None = None,
    solver: str = "auto",
    mv_start: str = "auto",
    weights: str | None = None,
    family: Any = None,
    subset: Any = None,
    method: str = "REML",
    vcm: Any = None,
    knot_points: dict[str, Any] | None = None,
    keep_order: bool = False,
    asmv: str | None = None,
    **matrices: Any,
) -> AsremlFit | pd.DataFrame:
    """Fit a linear mixed model written in ASReml-R notation by AI-REML.

    ``fixed``: ``"y ~ terms"`` or ``"cbind(y1, y2) ~ trait + ..."``; ``random``, ``residual``
    (``rcov`` is asreml 3's name): ``"~ terms"``. Matrices named in ``vm(id, K)`` are passed
    as keywords (``K=...``: a DataFrame with ids, or an ``asr.RelMatrix``); an R name
    with a dot, ``vm(id, Ainv.as)``, as ``**{'Ainv.as': A}`` (components keep that name). With
    ``start_values=True`` the editable start-values table is returned instead of a fit; pass
    it back (edited) as ``params=``. Returns an :class:`AsremlFit`.

    ``mv_start`` (multivariate models): 'auto' fits from the given or default start values
    and, if that fit does not converge, refits from univariate fits (the between-trait
    covariances first held at 0, see :mod:`asr_py.reml.staged`), keeping the better fit and
    saying so in ``diagnostics``; 'univariate' always starts from univariate fits; 'default'
    never does; 'pairwise' (3 or more traits) first fits every pair of traits as a bivariate
    model and starts from the trait matrices assembled from them (variances averaged over
    pairs, covariances from their pair, correlations shrunk toward 0 if the assembly is not
    positive definite; see :mod:`asr_py.pairwise`), replacing start values the user gave except
    fixed ('F') ones; ``diagnostics`` report the pairs and what was done to each matrix (a
    UserWarning too when one had to be made positive definite; ``trace=True`` prints a line
    per pair). With two traits 'pairwise' is the same as 'auto'.

    ``weights``: the name of a data column of positive prior weights (asreml's
    ``weights = w``): Var(e_i) = σ²/w_i, i.e. R = W^{-1/2} R(θ) W^{-1/2} for a structured
    residual; rows with a missing weight are dropped. Stage-2 of a two-stage analysis: weights
    1/SE² with the residual variance fixed at 1 (constraint 'F' in ``params``).

    ``family``: ``asr.asr_binomial(link='logit', total=None)``, ``asr_poisson()``,
    ``asr_Gamma()``, ``asr_gaussian()``, ``asr_negative_binomial(phi=1)`` or
    ``asr_inverse_gaussian(link, dispersion)`` (or a name) fits a generalized linear mixed
    model by penalised quasi-likelihood, as ASReml (:mod:`asr_py.glmm.pql`); returns a
    :class:`~asr_py.glmm.fit.GlmmFit`. A multivariate model takes one family per trait
    (a list in ``cbind`` order, or a dict by trait; :mod:`asr_py.glmm.traits`).

    ``knot_points``: the knots of ``spl(x)`` by covariate name (asreml's ``knot.points``):
    ``{"x": [118, 484, 1004, 1582]}``; every value of x must lie within them
    (:mod:`asr_py.model.splines`).

    ``subset``: fit to some rows only (asreml's ``subset = Year == 2020``): a pandas query
    string (``"Year == 2020"``) or a boolean mask with one value per data row.

    ``na_action``: ``{'y': ..., 'x': ...}`` (asreml's ``na.method``): for a missing response
    'include' (the default, as asreml) or 'omit'; for a missing value of a factor or covariate
    of the model 'omit' (asr_py's default: those rows are dropped with an AsrWarning),
    'fail' (asreml's default: an error) or 'include'. :func:`asr_py.translate` writes
    ``na_action={'x': 'fail'}`` for an R asreml() call that does not set it, as asreml does.

    ``method``: 'REML' (the default, as asreml) or 'ML' (lme4's ``REML = FALSE``): maximum
    likelihood, whose log-likelihoods compare models with different fixed parts
    (:func:`lrt`; :mod:`asr_py.reml.ml`).

    ``vcm``: linear constraints among variance parameters (ASReml-R 4's ``vcm``): θ = M φ
    with φ estimated, e.g. ``{"equal": ["A", "B"]}`` (equal variances across terms),
    ``{"r": {"A": 1, "B": 0.5}}`` (a fixed ratio), a DataFrame indexed by component name with
    one column per φ (:func:`asr_py.vcm_lm`) or a matrix with a row per parameter
    (:mod:`asr_py.model.vcm`, :mod:`asr_py.reml.constraints`).

    ``keep_order`` (asreml's ``keep.order``): fit the fixed terms in the order written; by
    default they are ordered as R's ``terms.formula`` does, main effects first, then two-way
    interactions, ... (the order of the incremental Wald tests and of the aliasing: a term
    whose columns are all spanned by earlier ones has no Wald row).

    A response matrix is passed by name as a keyword: ``asreml("Y ~ trait", data=d, Y=M)``
    with M a DataFrame (its columns the traits) or a 2-D array (traits V1, ..., Vk) of one
    row per data row is ``cbind()`` of its columns (:mod:`asr_py.model.matrix_response`).

    ``asmv`` (asreml's ``asmv = trait``): the data are multivariate in long format, one row
    per unit and trait with the response in one column and ``asmv`` naming the trait column
    (``"y ~ trait"``). The units are found by the data order, as asreml does: with residual
    ``units:us(trait)`` (the default with ``asmv``) each unit's t rows are consecutive, with
    ``us(trait):units`` the rows of each trait are; each unit must hold each trait once (a
    missing measurement is a row with the response NA). Then R = I_units ⊗ Σ, and each row
    keeps its own weight and factor values (:mod:`asr_py.model.asmv`).
    """
    call = dict(fixed=fixed, random=random, residual=residual, data=data, rcov=rcov,
                sparse=sparse, maxit=maxit, trace=trace, factors=factors, na_action=na_action,
                pedigree=pedigree, group=group, solver=solver, mv_start=mv_start, weights=weights,
                family=family, subset=subset, method=method, vcm=vcm, knot_points=knot_points,
                **({"keep_order": True} if keep_order else {}),
                **({"asmv": asmv} if asmv is not None else {}), **matrices)
    from asr_py.model.matrix_response import matrix_response

    fixed, data, matrices = matrix_response(fixed, data, matrices)   # "Y ~ trait", Y=matrix
    from asr_py.model.offset import offset_values, split_offset

    fixed, offsets, fixed_text = split_offset(fixed)   # offset(x): a known term, coefficient 1
    from asr_py.model.mv_term import MV_NOTE, drop_mv

    fixed, mv_fixed = drop_mv(fixed, "fixed", data)     # asreml 3's mv: a no-op
    sparse, mv_sparse = drop_mv(sparse, "sparse", data)
    maxit = check_fit_arguments(maxit, start_values, params, trace, solver, mv_start)
    method = _check_method(method)
    if residual is not None and rcov is not None:
        raise AsrError("give residual= or rcov=, not both", hint="rcov is asreml 3's name")
    _check_matrix_keywords(matrices, [fixed, random, residual, rcov, sparse])
    if subset is not None and isinstance(data, pd.DataFrame):
        from asr_py.model.subset import apply_subset

        data = apply_subset(data, subset)
    from asr_py.reml.memory import map_large_arrays, peak_bytes, reset_peak

    if isinstance(data, pd.DataFrame) and len(data) >= LARGE_RECORDS:
        map_large_arrays()  # freed large arrays leave the resident set (issue 16, memory)
    reset_peak()  # the summary's peak memory is this fit's own (model building included)
    model = compile_model(fixed, random, residual, data, rcov=rcov, sparse=sparse,
                          factors=factors, na_action=na_action, pedigree=pedigree,
                          group=group, weights=weights, knot_points=knot_points,
                          keep_order=_check_keep_order(keep_order), asmv=asmv,
                          check_identifiable=params is None and not start_values,
                          **matrices)
    if mv_fixed or mv_sparse:
        model.records.notes.append(MV_NOTE)
    if offsets:
        rec = model.records
        model.offset = offset_values(offsets, rec.frame, rec.row, fixed_text, rec.multivariate)
        if family is None:   # REML of y - o; the fitted values add o back (_with_offset)
            rec.y = rec.y - model.offset
    if params is not None:
        model.apply_params(params)      # variances it fixes ('F') are not estimated
    if not start_values and params is not None:   # a start-values table fits nothing
        from asr_py.model.spec import _check_identifiable

        _check_identifiable(model.records.n - model.fixed.X.shape[1], model.random,
                            model.residual, model.constraints)
    if params is None and not model.user_start:
        from asr_py.model.absorbed import hold_absorbed

        hold_absorbed(model)  # s34user: a random term inside span(X) (a one-level factor)
    if start_values:
        return model.start_values()
    if family is None:
        from asr_py.model.exact_fit import check_not_fitted_exactly

        check_not_fitted_exactly(model)
    callback = _Printer() if trace else None
    if vcm is not None:
        return _with_offset(_fit_vcm(model, vcm, family, method, maxit, callback, solver, call))
    if family is not None:
        glmm = _fit_glmm(model, family, data, maxit, callback, solver, call, method)
        glmm.refit = asreml          # update() refits it as any asr.asreml() fit
        return glmm
    problem = model.problem()
    if method == "ML":  # asr_py.reml.ml: alternating GLS and AI-REML steps
        return _with_offset(AsremlFit(model, _fit_ml(problem, maxit, callback, solver), call))
    notes: list[str] = []
    if mv_start == "pairwise":
        mv_start = "auto"
        if len(model.records.traits) > 2:
            from asr_py.pairwise import pairwise_start

            def say(line: str) -> None:
                print(line, file=sys.stderr, flush=True)

            theta0, notes = pairwise_start(model, call, say if trace else None)
            problem = model.problem(theta0)
            mv_start = "default"
    n_eq = problem.X.shape[1] + sum(b.Z.shape[1] for b in problem.random)
    from asr_py.reml.auto import choose_path

    choice = choose_path(problem) if solver == "auto" else None
    if callback is not None:
        callback.phase(f"solver {solver!r}: " + (
            f"{'eigen' if choice.path == 'eigen' else 'mixed model equations'} path, "
            f"because {choice.reason}" if choice is not None else "as requested"))
    from asr_py.reml.progress import reporting

    with reporting(callback.phase if callback is not None else None):
        if solver == "eigen" or (choice is not None and choice.path == "eigen"):
            # one K: eigendecomposition fast path
            result = _fit_eigen(model, problem, maxit, callback, solver, mv_start, n_eq)
        else:
            result = _fit_general(model, problem, maxit, callback, solver, mv_start, n_eq)
    if notes:
        result.diagnostics = [*notes, *result.diagnostics]
    if choice is not None:
        result.path_reason = choice.reason
    result.peak_memory = peak_bytes()
    if model.saturated:  # n = rank(X): no standard errors (see Model.saturated)
        result.vcov_beta = np.full_like(np.asarray(result.vcov_beta, dtype=float), np.nan)
        result.pev = [np.full_like(np.asarray(v, dtype=float), np.nan) for v in result.pev]
    if callback is not None:
        callback.phase(f"done: backend {result.solver!r}, {result.n_iter} iterations")
    return _with_offset(AsremlFit(model, result, call, refit=asreml))


def _with_offset(fit: AsremlFit) -> AsremlFit:
    """A Gaussian fit with ``offset(x)``: its fitted values are o + Xβ̂ + Zû (the engine
    fitted y − o; :mod:`asr_py.model.offset`)."""
    o = fit.model.offset
    if o is not None:
        fit.result.fitted = np.asarray(fit.result.fitted, dtype=float) + o
    return fit


#: asreml()'s own keyword names (for did-you-mean on a misspelt one)
_KEYWORDS = ("fixed", "random", "residual", "data", "rcov", "sparse", "maxit", "start_values",
             "params", "trace", "factors", "na_action", "pedigree", "group", "solver",
             "mv_start", "weights", "family", "subset", "method", "vcm", "mbf",
             "ginverse", "knot_points", "keep_order", "asmv")


def _check_keep_order(keep_order: Any) -> bool:
    """``keep_order`` as a bool (TRUE/FALSE of R, numpy bools); anything else an AsrError."""
    if isinstance(keep_order, (bool, np.bool_)):
        return bool(keep_order)
    raise AsrError(f"keep_order={keep_order!r} is not True or False",
                   hint="keep_order=True fits the fixed terms in the order written")


def _check_method(method: Any) -> str:
    """'REML' or 'ML' (any case); anything else is an AsrError."""
    m = str(method).upper() if isinstance(method, str) else None
    if m not in ("REML", "ML"):
        raise AsrError(f"method={method!r} is not a fitting method",
                       hint="use method='REML' (the default) or method='ML' (lme4's "
                            "REML = FALSE, to compare fixed parts)")
    return m


def _fit_vcm(model: Any, vcm: Any, family: Any, method: str, maxit: int, callback: Any,
             solver: str, call: dict[str, Any]) -> AsremlFit:
    """A REML fit under vcm constraints (:func:`asr_py.reml.constraints.fit_constrained`)."""
    from asr_py.model.vcm import constraint_matrix
    from asr_py.reml.constraints import fit_constrained
    from asr_py.reml.psd import reduce_rank
    from asr_py.threads import blas_limit, free_cores

    if family is not None or method != "REML":
        raise AsrError("vcm= is available for Gaussian REML fits only (not with family= or "
                       "method='ML')", hint="drop vcm=, or fit the constrained model by REML")
    problem = model.problem()
    M, _ = constraint_matrix(vcm, list(problem.names), list(problem.constraints),
                             list(model.param_kinds))
    n_eq = problem.X.shape[1] + sum(b.Z.shape[1] for b in problem.random)
    with blas_limit(1 if n_eq <= SMALL_DENSE else free_cores()):
        reduced = reduce_rank(problem)
        if reduced is None:
            result = fit_constrained(problem, M, maxit=maxit, solver=solver, callback=callback)
        else:
            rp, back = reduced
            result = back.result(fit_constrained(rp, M, maxit=maxit, solver=solver,
                                                 callback=callback))
    return AsremlFit(model, result, call)


def _fit_ml(problem: Any, maxit: int, callback: Any, solver: str) -> Any:
    """An ML fit (:func:`asr_py.reml.ml.fit_ml`); a singular K through K = LL' as REML."""
    from asr_py.reml.ml import fit_ml
    from asr_py.reml.psd import reduce_rank
    from asr_py.threads import blas_limit, free_cores

    n_eq = problem.X.shape[1] + sum(b.Z.shape[1] for b in problem.random)
    with blas_limit(1 if n_eq <= SMALL_DENSE else free_cores()):
        reduced = reduce_rank(problem)
        if reduced is None:
            return fit_ml(problem, maxit=maxit, solver=solver, callback=callback)
        rp, back = reduced
        return back.result(fit_ml(rp, maxit=maxit, solver=solver, callback=callback))


def _fit_glmm(model: Any, family: Any, data: Any, maxit: int, callback: Any, solver: str,
              call: dict[str, Any], method: str = "REML") -> AsremlFit:
    """A GLMM by penalised quasi-likelihood (:mod:`asr_py.glmm.pql`); ``method='ML'``: each
    working model fitted by ML, as MASS::glmmPQL."""
    from asr_py.glmm.fit import GlmmFit
    from asr_py.glmm.pql import fit_pql
    from asr_py.glmm.traits import as_families

    fam = as_families(family, model.records.traits, model.records.trait)
    problem = model.problem()
    n_eq = problem.X.shape[1] + sum(b.Z.shape[1] for b in problem.random)
    from asr_py.threads import blas_limit, free_cores

    with blas_limit(1 if n_eq <= SMALL_DENSE else free_cores()):
        pql = fit_pql(model, fam, data, maxit=maxit, solver=solver, callback=callback,
                      method=method)
    return GlmmFit(model, pql, fam, call)


def _check_matrix_keywords(matrices: dict[str, Any], texts: list[str | None]) -> None:
    """Every extra keyword must be a matrix the formulas name (vm(id, K) -> K; giv(id) ->
    id or id_giv), or mbf=/ginverse=: a misspelt keyword (wieghts=) is an error, not a
    silently ignored matrix."""
    import difflib
    import re

    words: set[str] = set()
    for t in texts:
        if isinstance(t, str):
            words.update(re.findall(r"[A-Za-z_.][A-Za-z0-9_.]*", t))
    mbf = matrices.get("mbf")
    if isinstance(mbf, dict):
        for spec in mbf.values():
            if isinstance(spec, dict) and isinstance(spec.get("cov"), str):
                words.add(spec["cov"])
    unknown = [k for k in matrices if k not in ("mbf", "ginverse") and k not in words
               and not (k.endswith("_giv") and k[:-4] in words)]
    if unknown:
        k = unknown[0]
        close = difflib.get_close_matches(k, list(_KEYWORDS) + sorted(words), n=1, cutoff=0.7)
        raise AsrError(
            f"asreml() got an unexpected keyword '{k}': it is not an option and no formula "
            "names a matrix by that name",
            hint=f"did you mean '{close[0]}'?" if close else
            "matrices are passed by the name used in vm(id, NAME)")


def _fit_general(model: Any, problem: Any, maxit: int, callback: Any, solver: str,
                 mv_start: str, n_eq: int) -> Any:
    """The general path, with BLAS limited to one thread for small systems: multi-threaded
    BLAS on small dense C costs more in thread hand-offs than it gains (measured 29.6 s vs
    2.7 s for the gryphon fit, 1 800 equations, 2 cores); larger ones use the cores that
    are free (:func:`asr_py.threads.free_cores`)."""
    from asr_py.threads import blas_limit, free_cores

    with blas_limit(1 if n_eq <= SMALL_DENSE else free_cores()):
        return _fit(model, problem, maxit, callback, solver, mv_start)


def _fit_eigen(model: Any, problem: Any, maxit: int, callback: Any, solver: str,
               mv_start: str, n_eq: int) -> Any:
    """The GRM eigendecomposition path (:mod:`asr_py.reml.eigen`): K = UDU' once, then
    O(n t³) iterations. Falls back to the general path when K is not positive definite or
    the fit does not converge (``solver='eigen'`` then raises / reports instead)."""
    from asr_py.errors import ModelError
    from asr_py.reml.eigen import fit_reml_eigen
    from asr_py.threads import blas_limit, blas_threads

    why: list[str] = []
    with blas_limit(blas_threads(n_eq)):  # the cores actually free (asr_py.threads)
        if callback is not None:  # K's eigendecomposition as a phase line of the trace
            from asr_py.reml.auto import eigendecompose

            eigendecompose(problem)
        result = fit_reml_eigen(problem, maxit=maxit, callback=callback, why=why)
    if result is None:
        if solver == "eigen":
            raise ModelError(f"solver='eigen' cannot be used for this model: {why[0]}",
                             hint="the fast path needs one vm(id, K) term with one record "
                                  "per id and trait and an id/us(trait) residual")
        return _fit_general(model, problem, maxit, callback, "auto", mv_start, n_eq)
    if result.converged or solver == "eigen":
        return result
    retry = _fit_general(model, problem, maxit, callback, "auto", mv_start, n_eq)
    return retry if retry.loglik >= result.loglik else result


def _fit(model: Any, problem: Any, maxit: int, callback: Any, solver: str,
         mv_start: str) -> Any:
    """One REML fit; a singular (PSD) known matrix K through K = L L' (u = L v, see
    :mod:`asr_py.reml.psd`), the result mapped back."""
    from asr_py.reml.psd import reduce_rank
    from asr_py.reml.rr_latent import fit_latent, has_rr

    if has_rr(problem):  # rr(f, k) alone: its latent-factor form (asr_py.reml.rr_latent)
        return fit_latent(problem, lambda p: _fit(model, p, maxit, None, solver, mv_start),
                          maxit=maxit, solver=solver)
    reduced = reduce_rank(problem)
    if reduced is None:
        return _fit_mv(model, problem, maxit, callback, solver, mv_start)
    rp, back = reduced
    return back.result(_fit_mv(model, rp, maxit, callback, solver, mv_start))


def _fit_mv(model: Any, problem: Any, maxit: int, callback: Any, solver: str,
            mv_start: str) -> Any:
    """One REML fit; for multivariate models, univariate starts as ``mv_start`` says."""
    from asr_py.errors import ModelError
    from asr_py.reml import fit_reml
    from asr_py.reml.staged import fit_reml_staged

    cross = np.asarray(model.cross_trait, dtype=bool)
    staged_ok = mv_start != "default" and cross.size == problem.n_theta and cross.any()
    if staged_ok and mv_start == "univariate":
        return fit_reml_staged(problem, cross, maxit=maxit, callback=callback, solver=solver)
    try:
        if model.user_start:  # given start values C cannot take: repaired (reml/start_repair)
            from asr_py.reml.start_repair import fit_with_start_repair

            result = fit_with_start_repair(
                lambda p: fit_reml(p, maxit=maxit, callback=callback, solver=solver),
                problem, model.default_theta)
        else:
            result = fit_reml(problem, maxit=maxit, callback=callback, solver=solver)
    except ModelError:
        if not staged_ok or not model.user_start:
            raise
        result = None
    if not staged_ok or (result is not None and result.converged):
        return result
    from asr_py.reml.unbounded import UNB_HEAD

    if result is not None and any(d.startswith(UNB_HEAD) for d in result.diagnostics):
        return result  # s32unb: ℓ unbounded: no start values give an estimate
    # the fit failed: refit from univariate fits, from the default start values for every
    # parameter the user did not fix
    if callback is not None:
        callback({"iteration": 0, "loglik": float("nan"), "step": 0, "method":
                  "restart from univariate fits", "seconds": 0.0})
    default = model.default_theta()
    theta0 = problem.theta0.copy()
    free = np.array([c != "F" for c in problem.constraints])
    theta0[free] = default[free]
    from dataclasses import replace

    retry = fit_reml_staged(replace(problem, theta0=theta0, random=list(problem.random)),
                            cross, maxit=maxit, callback=callback, solver=solver)
    if result is None:
        retry.diagnostics.insert(0, "the given start values could not be evaluated; "
                                    "refitted from univariate fits")
        return retry
    if retry.loglik >= result.loglik or any(d.startswith(UNB_HEAD)
                                            for d in retry.diagnostics):
        # s33unb: the refit found ℓ unbounded: the first fit's value is no optimum either
        retry.diagnostics.insert(0, "the fit from the "
                                 + ("given" if model.user_start else "default")
                                 + f" start values did not converge in {result.n_iter} "
                                 "iterations; refitted from univariate fits"
                                 + ("" if retry.converged
                                    else " (which did not converge either)"))
        return retry
    result.diagnostics.append("a refit from univariate fits did not improve the fit")
    return result


class _Printer:
    """Live progress on stderr (as asreml prints with trace): one line per iteration with its
    wall time (the whole iteration: step, line search, score, AI and selected inverse), and
    one line as each long phase starts (eigendecomposition, symbolic analysis, final
    standard-error pass), stamped with the wall time since the fit started."""

    def __init__(self) -> None:
        import time

        self.last: float | None = None
        self._clock = time.perf_counter
        self.start = self._clock()

    def __call__(self, info: dict[str, Any]) -> None:
        ll = float(info.get("loglik", float("nan")))
        change = "" if self.last is None else f"  change {ll - self.last: .3e}"
        self.last = ll
        print(f"iteration {info.get('iteration'):>3}  loglik {ll: .6f}{change}"
              f"  step {info.get('step', 1)}  {info.get('method', '')}"
              f"  {info.get('seconds', 0.0):.3f}s", file=sys.stderr, flush=True)

    def phase(self, text: str) -> None:
        """A line as a phase starts: ``[   12.3s] text``."""
        print(f"[{self._clock() - self.start:8.2f}s] {text}", file=sys.stderr, flush=True)


def lrt(m1: AsremlFit, m2: AsremlFit, boundary: bool = True) -> pd.DataFrame:
    """Likelihood-ratio test of two nested fits (lme4's ``anova(m1, m2)``).

    REML fits (the default): nested random models with the same fixed effects; REML
    likelihoods of different fixed parts are not comparable (an error says to refit with
    ``method='ML'``). ML fits (``method='ML'``): any nested pair, different fixed parts
    included; nesting is the caller's to ensure (as in lme4).

    LR = 2 (ℓ_big − ℓ_small) on df = difference in the number of parameters (variance
    parameters less those tied to another by ``vcm=``, plus fixed effects for ML fits).
    When the fixed parts are equal, neither fit has ``vcm=`` constraints and the one extra
    parameter is a variance tested at its boundary (0), the null distribution is
    ½χ²₀ + ½χ²₁ and the p-value is halved (Self & Liang 1987), which ``boundary=True``
    applies (the table's 'note' says "p halved (boundary)", its ``attrs['note']`` explains).
    Prints within 80 columns.
    """
    methods = {getattr(m, "method", "REML") for m in (m1, m2)}
    if len(methods) > 1:
        raise AsrError("lrt: one fit is REML and the other ML; their likelihoods are not "
                       "comparable", hint="fit both with the same method= ('ML' to compare "
                                          "fixed parts)")
    ml = methods == {"ML"}
    same_fixed = list(m1.model.fixed.names) == list(m2.model.fixed.names)
    if not same_fixed and not ml:
        raise AsrError("lrt: the models have different fixed effects; REML likelihoods are "
                       "not comparable",
                       hint="refit both with method='ML' (lme4's REML = FALSE) to test fixed "
                            "effects, or compare random models with the same fixed part")
    from scipy import stats

    def tied(m: AsremlFit) -> int:  # parameters set by another through vcm= ('C')
        return sum(c == "C" for c in m.result.constraints)

    def count(m: AsremlFit) -> int:
        return m.ncomponents - tied(m) + (len(m.result.beta) if ml else 0)

    small, big = sorted([m1, m2], key=count)
    df = count(big) - count(small)
    if df <= 0:
        raise AsrError("lrt: the models have the same number of parameters; they are not "
                       "nested", hint="compare a model with one that extends it")
    lr = max(2 * (big.loglik - small.loglik), 0.0)
    p = float(stats.chi2.sf(lr, df))
    note = ""
    if boundary and df == 1 and same_fixed and not tied(m1) and not tied(m2):
        p, note = p / 2, "p halved (boundary)"
    from asr_py.results.table import ResultTable

    out = ResultTable({"df": [df], "LR-statistic": [lr], "Pr(Chisq)": [p], "note": [note]},
                      index=[f"{count(small)} vs {count(big)} parameters"])
    out.attrs["note"] = ("p halved (boundary): one variance tested on its boundary, the null "
                         "distribution is ½χ²₀ + ½χ²₁ (Self & Liang 1987)") if note else ""
    out.attrs["method"] = "ML" if ml else "REML"
    return out


__all__ = ["asreml", "lrt"]
