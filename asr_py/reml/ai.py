"""AI-REML iterations (Gilmour, Thompson & Cullis 1995): scale-invariant Newton steps on an
active set (variances held at their boundary, covariance matrices held on the boundary of the
positive-definite cone), step halving, EM fallback and a Newton-decrement convergence rule.
See docs/method.md for the method and the convergence rule.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from asr_py.errors import ModelError
from asr_py.reml.ai_step import (
    ZERO_NOTE,
    ai_step,
    covariance_faces,
    evaluate_valid,
    face_finish,
    face_line_search,
    line_search,
    next_face_step,
    off_face,
    tied_to_bound,
    zero_stop,
)
from asr_py.reml.convergence import (
    MEASURED_NOTE,
    ROUNDOFF_NOTE,
    at_roundoff,
    loglik_noise,
    measured_noise,
    noisy_note,
    settled,
)
from asr_py.reml.crawl import CRAWL_NOTE, CrawlStop, continued
from asr_py.reml.em import damped_search, em_path
from asr_py.reml.extrapolate import EXT_STEPS, straight, walk
from asr_py.reml.face_polish import candidates as polish_candidates
from asr_py.reml.face_ridge import gap_note
from asr_py.reml.fd_score import FD_FINAL, FD_TRIES, FdCheck, fd_check, fd_note
from asr_py.reml.finish import build_result
from asr_py.reml.floor_raise import raise_to_floor
from asr_py.reml.form_choice import make_form, precise_form
from asr_py.reml.held_floor import HELD_REL
from asr_py.reml.held_release import release_note, release_probe
from asr_py.reml.held_ridge import held_ridge
from asr_py.reml.held_score import HS_TRIES, held_note, wants_out
from asr_py.reml.indefinite import invalid_start_hint  # issue 11 'U'
from asr_py.reml.iter_context import IterContext
from asr_py.reml.lift_release import MAX_RELEASES, interior_start, released, stale_floors
from asr_py.reml.lift_release import release_note as lift_note
from asr_py.reml.mme import MME
from asr_py.reml.oscillation import OSC_KEEP, OSC_STEPS, oscillating, ridge_note
from asr_py.reml.pd_face import (
    FaceStep,
    held_describe,
)
from asr_py.reml.pd_face import describe as face_describe
from asr_py.reml.problem import MixedProblem
from asr_py.reml.progress import phase
from asr_py.reml.result import RemlResult
from asr_py.reml.secant import linear_regime, secant_information
from asr_py.reml.singular_start import singular_start
from asr_py.reml.slow_ai import (
    MAX_FD_PARAMS,
    REUSE_RATE,
    SLOW_STEPS,
    carry_hessian,
    fd_information,
    is_slow,
    reuse_hessian,
)
from asr_py.reml.slow_subspace import SUB_MAX_Z, recent_steps, subspace_information
from asr_py.reml.start_repair import StartValueError
from asr_py.reml.stochastic import StochasticTraces, noise_dominates, wanted
from asr_py.reml.tolerance import dof_scale, loglik_tolerance
from asr_py.reml.tuning import DEC_TOL, FACE_DEC, PRED_PARAM, STALL_ITERS, STALL_Z
from asr_py.reml.unbounded_fit import unbounded_report
from asr_py.reml.vanished import code_vanished
from asr_py.reml.zero_snap import (
    at_zero,
    creeping,
    repeated,
    snap_candidates,
    snap_gain_ok,
    snap_values,
)

#: s16fact: a full AI step changing ℓ by at most CONFIRM_LOGLIK (and the ℓ tolerance) and
#: every θ_k by at most CONFIRM_PARAM (and tol_param) relative confirms the iterate it
#: started from: the fit stops there (its estimates agree with the step's to ~10 digits)
CONFIRM_LOGLIK = 1e-8
CONFIRM_PARAM = 1e-10
#: a variance held at its boundary when the iteration cannot gain is lifted to this x its
#: scale (:func:`_lift_held`)
LIFT_REL = 1e-6
#: ... or as many powers of ten lower, the first whose ℓ is within the tolerance (s30inv)
LIFT_TRIES = 6


def loglik_at(problem: MixedProblem, theta: np.ndarray, *, solver: str = "auto") -> float:
    """The full REML log-likelihood ℓ(θ) (lme4's ``logLik(REML = TRUE)`` convention), of
    the centred response as :func:`fit_reml` evaluates it."""
    from asr_py.reml.centering import centre_response

    problem = centre_response(problem)[0]
    return MME(problem, solver=solver).evaluate(np.asarray(theta, dtype=float)).loglik


def score_ai_at(problem: MixedProblem, theta: np.ndarray, *,
                solver: str = "auto") -> tuple[float, np.ndarray, np.ndarray]:
    """(ℓ, score, AI) at θ over all parameters (centred response, as :func:`fit_reml`)."""
    from asr_py.reml.centering import centre_response

    mme = MME(centre_response(problem)[0], solver=solver)
    st = mme.evaluate(np.asarray(theta, dtype=float))
    s, a = mme.score_ai(st)
    return st.loglik, s, a


def _snap_to_zero(mme: MME, ctx: IterContext, st: Any, theta: np.ndarray, score: np.ndarray,
                  ai: np.ndarray, fixed: np.ndarray, scores: Callable[[Any], Any],
                  damped: bool, theta_old: np.ndarray | None = None
                  ) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    """The 'P' variances that keep trying to go negative from a small value
    (:func:`asr_py.reml.zero_snap.snap_candidates`), in SNAP_REPEAT damped iterations or in
    one that cut them by 1/CREEP (:func:`~asr_py.reml.zero_snap.creeping`), moved onto the
    smallest of :func:`~asr_py.reml.zero_snap.snap_values` where ℓ changes as its quadratic
    model says (:func:`~asr_py.reml.zero_snap.snap_gain_ok`), and held there; else all as
    it was."""
    cand = snap_candidates(ctx, theta, score, ai, fixed)
    creep = cand & creeping(ctx, theta, theta_old, fixed)
    mask = repeated(ctx, cand) | creep
    if not ((damped and mask.any()) or creep.any()):
        return st, theta, score, ai
    if not damped:
        mask = creep
    noise = loglik_noise(mme)
    for th in snap_values(ctx, theta, mask):
        try:
            st_s = mme.evaluate(th) if ctx.valid(th) else None
        except (np.linalg.LinAlgError, ValueError):
            st_s = None
        if st_s is not None and snap_gain_ok(st_s.loglik - st.loglik, th - theta, score, ai,
                                             noise):
            score_s, ai_s = scores(st_s)
            if not np.all(score_s[mask] <= 0):  # s17zero: ℓ rises off the bound there (the
                continue  # KKT condition fails: its score has lost its digits); higher up
            ctx.snap_floor[mask] = th[mask]  # held there from now on ('B' at the end)
            ctx.bval[mask] = np.maximum(ctx.bval[mask], th[mask])
            return st_s, th, score_s, ai_s
    return st, theta, score, ai


def _lift_held(mme: MME, ctx: IterContext, theta: np.ndarray, fixed: np.ndarray,
               loglik: float = -np.inf, tol: float = np.inf) -> tuple[Any, np.ndarray] | None:
    """When neither an AI nor an EM step gains: every free 'P' variance at its boundary
    value below LIFT_REL x its scale raised to that value (held there from now on), where
    its score still has its digits (at 1e-12 x its scale the score of a σ²K variance is a
    difference of terms ~ q/θ_k: Fransen_2022's block:gen beside an ar1 x ar1 residual had
    scores 16, 32, 0 in turn, the AI step left the bound and failed, EM did nothing). The
    new state, or None if no variance qualifies or ℓ cannot be evaluated there.

    s30inv: the scale is a standard error, which for a variance the data hardly inform (an
    idh(site):rep over 2 reps a site: 3.4e4) puts the lift far from zero; held there, a
    4-site MET ended 1.3e-3 below its optimum, on the paths (row orders, level labels) that
    reached the lift. So the lift is LIFT_REL x 10^-j x the scale, j = 0 .. LIFT_TRIES, the
    first that costs at most ``tol`` of ``loglik`` (ℓ at θ); when none does, the full lift
    (j = 0) as before: a fit stalled far from its optimum (a start 10¹² off) needs the move
    whatever it costs at that point, and the iteration climbs from there."""
    base = LIFT_REL * ctx.scale
    mask = (ctx.pmask & ~fixed & ctx.at_bound(theta) & (theta < base)
            & np.array([k == "variance" for k in ctx.kinds], dtype=bool))
    if not mask.any():
        return None
    first: tuple[Any, np.ndarray, np.ndarray] | None = None
    for j in range(LIFT_TRIES + 1):
        lift = base * 10.0 ** -j
        m = mask & (theta < lift)
        if not m.any():
            break
        th = theta.copy()
        th[m] = lift[m]
        st = evaluate_valid(mme, ctx, th)
        if st is None:
            break
        if first is None:
            first = (st, th, m)
        if st.loglik >= loglik - tol:
            first = (st, th, m)
            break
    if first is None:
        return None
    st, th, m = first
    ctx.snap_floor[m] = th[m]
    ctx.bval[m] = np.maximum(ctx.bval[m], th[m])
    return st, th


def _as_ai(method: str) -> str:
    """A secant-corrected AI step ('QN') counts as an AI step for :func:`is_slow`."""
    return "AI" if method == "QN" else method


def _loglik_or_none(mme: MME, ctx: IterContext) -> Callable[[np.ndarray], float | None]:
    """ℓ(θ) as a function, None where θ is invalid or the model cannot be evaluated."""

    def loglik_of(theta: np.ndarray) -> float | None:
        try:
            return float(mme.evaluate(theta).loglik) if ctx.valid(theta) else None
        except (np.linalg.LinAlgError, ValueError):
            return None

    return loglik_of


def _score_or_none(mme: MME, theta: np.ndarray) -> np.ndarray | None:
    """The score at θ, or None where the model cannot be evaluated. s34fa: the score alone
    (``MME.score``: no working variates' solve, no AI; the same digits), as the differenced
    Hessians (slow_ai.fd_information, 2 x n_free of these a Hessian) use it."""
    try:
        alone = getattr(mme, "score", None)
        st = mme.evaluate(theta)
        return alone(st) if alone is not None else mme.score_ai(st)[0]
    except (np.linalg.LinAlgError, ValueError):
        return None


def fit_reml(problem: MixedProblem, **kwargs: Any) -> RemlResult:
    """Fit ``problem`` by AI-REML (:func:`_fit_reml`, same keywords) on the response centred
    on its least-squares fit (:mod:`asr_py.reml.centering`: the same likelihood, no lost
    digits when the mean is large compared with the spread); β̂ and the fitted values are
    returned for the original response. Structures whose parameters are all fixed are
    known covariances there (:mod:`asr_py.reml.fixed_hold`: the cost follows the free
    parameters)."""
    from asr_py.reml.centering import centre_response, restore_response
    from asr_py.reml.fixed_hold import hold_fixed

    held = hold_fixed(problem)
    if held is not None:
        reduced, back = held
        kw = {**kwargs, "callback": back.callback(kwargs.get("callback"))}
        return back.result(fit_reml(reduced, **kw))
    from asr_py.reml.congruence import working_columns
    from asr_py.reml.x_origin import working_x

    shifted = working_x(problem)  # s34user: covariates far from 0 centred on the intercept
    if shifted is not None:
        wx, origin = shifted
        return origin.result(fit_reml(wx, **kwargs))
    work = working_columns(problem)  # s31centre: random slopes on an uncentred covariate
    if work is not None:
        wp, cong = work
        kw = {**kwargs, "callback": cong.callback(kwargs.get("callback"))}
        return cong.result(fit_reml(wp, **kw))
    centred, beta0 = centre_response(problem)
    stop = CrawlStop(centred) if kwargs.get("maxit", 30) >= REFIT_MIN_ITER else None
    try:
        res = _fit_reml(centred, **kwargs, crawl_stop=stop)
    except ModelError:  # s21gau: a start the equations cannot take may be fitted on V
        from asr_py.reml.singular_corr import start_on_v

        on_v = (start_on_v(centred, loglik_tolerance(centred, kwargs.get("tol_loglik", 3e-8)))
                if kwargs.get("maxit", 30) >= REFIT_MIN_ITER else None)
        if on_v is None:
            raise
        res = on_v
    first = res if stop is not None and stop.fired else None  # s29conv: reml/crawl.py
    res = _check_singular_corr(centred, res, kwargs)
    res = _escape_boundary(centred, res, kwargs)
    res = _climb_ladder(centred, res, kwargs)
    res = _revisit_bound(centred, res, kwargs)
    res = _corner_faces(centred, res, kwargs)
    res = _fold_faces(centred, res, kwargs, crawled=res is first)
    res = _distance_other_end(centred, res, kwargs)
    res = _mirror_ar1(centred, res, kwargs)
    res = _heywood_swaps(centred, res, kwargs)
    res = _fix_at_ar_limit(centred, res, kwargs)
    res = _polish_floor(centred, res, kwargs)
    res = _check_singular_corr(centred, res, kwargs)
    res = _face_polish(centred, res, kwargs)
    res.form = None  # (the iteration's form, kept for the polish: freed with the fit)
    res = code_vanished(res)
    return restore_response(res, problem, beta0)


#: a fit of fewer iterations is a step or two (ml.py's θ-steps), not a fit to redo
REFIT_MIN_ITER = 5


def _second_fit(problem: MixedProblem, kwargs: dict, theta0: np.ndarray | None,
                constraints: list[str] | None = None, **extra: Any) -> RemlResult | None:
    """A second fit of ``problem`` from ``theta0`` (and ``constraints``, if given), or None
    when there is no start, the fit is a short θ-step, or the refit cannot be made."""
    if theta0 is None or kwargs.get("maxit", 30) < REFIT_MIN_ITER:
        return None
    changes: dict[str, Any] = {"theta0": theta0, "random": list(problem.random)}
    if constraints is not None:
        changes["constraints"] = constraints
    try:
        return _fit_reml(replace(problem, **changes), **kwargs, **extra)
    except (ModelError, np.linalg.LinAlgError, ValueError):
        return None


def _escape_boundary(problem: MixedProblem, res: RemlResult, kwargs: dict) -> RemlResult:
    """A second fit when a variance of a template with correlations ended on its boundary
    (:mod:`asr_py.reml.corr_escape`); the better of the two."""
    from asr_py.reml.corr_escape import GAIN_REL as GAIN_TOL_REL
    from asr_py.reml.corr_escape import better, crept_start, escape_start

    if kwargs.get("maxit", 30) < REFIT_MIN_ITER:
        return res
    second = _second_fit(problem, kwargs, escape_start(problem, res), soft_corr_bounds=True)
    if second is not None and not second.converged and second.loglik > res.loglik:
        # s27corh: the soft bounds let a variance creep to zero without ever being held
        # (sweep corh seed 14: ℓ flat to 1e-8 at the dense optimum, σ² 1e-17, unconverged
        # at maxit); continued from there with the bounds held as usual
        third = _second_fit(problem, kwargs, crept_start(problem, second))
        if (third is not None and third.converged
                and third.loglik >= second.loglik - GAIN_TOL_REL * dof_scale(problem)):
            second = third
    return res if second is None else better(res, second, dof_scale(problem))


def _climb_ladder(problem: MixedProblem, res: RemlResult, kwargs: dict) -> RemlResult:
    """s30inv: refits from the best point of a ladder of values of a variance of a template
    with correlations held at zero (:mod:`asr_py.reml.corr_ladder`); the better fit kept."""
    from asr_py.reml.corr_escape import GAIN_REL
    from asr_py.reml.corr_ladder import MAX_ROUNDS, ladder_start, note

    if kwargs.get("maxit", 30) < REFIT_MIN_ITER:
        return res
    tol = GAIN_REL * dof_scale(problem)
    first = res
    for _ in range(MAX_ROUNDS):
        start = ladder_start(problem, res, lambda th: _loglik_or_none_at(problem, th),
                             loglik_tolerance(problem, kwargs.get("tol_loglik", 3e-8)))
        second = _second_fit(problem, kwargs, start, soft_corr_bounds=True)
        if second is None or not (second.loglik - res.loglik > tol or (
                second.converged and not res.converged and second.loglik >= res.loglik - tol)):
            break
        res = second
    if res is first:
        return res
    if not res.converged:  # as _escape_boundary's third fit: held as usual from there
        third = _second_fit(problem, kwargs, np.asarray(res.theta, dtype=float))
        if third is not None and third.converged and third.loglik >= res.loglik - tol:
            res = third
    res.diagnostics.insert(0, note(res.loglik - first.loglik))
    return res


def _revisit_bound(problem: MixedProblem, res: RemlResult, kwargs: dict) -> RemlResult:
    """Fits on the boundary face of each variance an AI step sent to its bound but that
    ended inside (:mod:`asr_py.reml.bound_revisit`); when the best is better, the whole
    problem refitted from it: the better optimum kept ('B' when the refit holds it there).
    A face fit that cannot beat the first fit (nor the best face so far) is abandoned early
    (:class:`asr_py.reml.bound_revisit.FaceWatch`)."""
    from asr_py.reml.bound_revisit import (
        MIN_GAIN,
        FaceAbandoned,
        FaceWatch,
        note,
        revisit_starts,
    )
    from asr_py.reml.corr_escape import GAIN_REL

    starts = revisit_starts(problem, res) if kwargs.get("maxit", 30) >= REFIT_MIN_ITER else []
    tol = GAIN_REL * dof_scale(problem)
    face, k = None, -1
    for theta, cons, j in starts:
        target = res.loglik + MIN_GAIN if face is None else max(res.loglik + MIN_GAIN,
                                                                face.loglik)
        try:
            f = _second_fit(problem, kwargs, theta, cons, monitor=FaceWatch(target))
        except FaceAbandoned:
            continue
        if (f is not None and f.converged and f.loglik - res.loglik > MIN_GAIN
                and (face is None or f.loglik > face.loglik)):
            face, k = f, j
    if face is None:
        return res
    free = _second_fit(problem, kwargs, np.asarray(face.theta, dtype=float))
    if free is not None and free.converged and free.loglik >= face.loglik - tol:
        best = free
    elif free is not None and (free.constraints[k] == "B" or free.theta[k] <= face.theta[k]):
        best = face   # the refit takes it to its bound: the face's optimum, coded 'B'
        best.constraints[k] = "B"
        best.boundary[k] = True
    else:
        return res
    best.diagnostics.insert(0, note(problem.names[k], best.loglik - res.loglik))
    return best


def _corner_faces(problem: MixedProblem, res: RemlResult, kwargs: dict) -> RemlResult:
    """Fits on the faces where a variance of a level-coupled correlation structure is zero,
    when its C(ρ̂) ended near its positive-definite limit (:mod:`asr_py.reml.corr_corner`);
    the best, when it beats the fit before, is kept, and its own faces tried in turn (a
    second level's variance zero: corh over 4 levels, ρ > −⅓, −½, then −1). A face that
    cannot beat the fit before is abandoned early
    (:class:`asr_py.reml.bound_revisit.FaceWatch`)."""
    from asr_py.reml.bound_revisit import MIN_GAIN, FaceAbandoned, FaceWatch
    from asr_py.reml.corr_corner import MAX_ROUNDS, as_boundary, corner_faces, note

    if kwargs.get("maxit", 30) < REFIT_MIN_ITER:
        return res
    cur_problem, cur, kept = problem, res, []
    for _ in range(MAX_ROUNDS):
        best, face_kept = None, None
        for face in corner_faces(cur_problem, cur):
            target = cur.loglik + MIN_GAIN if best is None else best.loglik
            try:
                f = _second_fit(face.problem, kwargs, face.problem.theta0,
                                list(face.problem.constraints), monitor=FaceWatch(target))
            except FaceAbandoned:
                continue
            if (f is not None and f.converged and f.loglik - cur.loglik > MIN_GAIN
                    and (best is None or f.loglik > best.loglik)):
                best, face_kept = f, face
        if best is None or face_kept is None:
            break
        cur_problem, cur = face_kept.problem, best
        kept.append(face_kept)
    if not kept:
        return res
    cur = as_boundary(kept, cur)
    cur.diagnostics.insert(0, note(kept, cur.loglik - res.loglik))
    return cur


def _fold_faces(problem: MixedProblem, res: RemlResult, kwargs: dict,
                crawled: bool = False) -> RemlResult:
    """The folds of a parametrisation (sar2's γ_1 = γ_2; :mod:`asr_py.reml.fold_face`):
    those the fit ended near fitted on their faces, then a fit from the estimate reflected
    across each fold it ended away from; refits abandoned early when they cannot reach
    their target (:class:`asr_py.reml.bound_revisit.FaceWatch`). ``crawled``: ``res`` is
    the first fit stopped crawling beside a fold (:func:`_crawl_fold`)."""
    from asr_py.reml.corr_escape import GAIN_REL
    from asr_py.reml.fold_face import mirror, tie

    if kwargs.get("maxit", 30) < REFIT_MIN_ITER:
        return res

    def loglik_of(theta: np.ndarray) -> float | None:
        return _loglik_or_none_at(problem, theta)

    refit = _fold_refit(kwargs)
    tied = (_crawl_fold(problem, res, kwargs) if crawled
            else tie(problem, res, refit, loglik_of, GAIN_REL * dof_scale(problem)))
    return mirror(problem, tied, refit, loglik_of)


def _fold_refit(kwargs: dict) -> Callable[..., RemlResult | None]:
    """The refit of :mod:`asr_py.reml.fold_face` (its ``Refit``): :func:`_second_fit`,
    abandoned (None) once it cannot reach its target."""
    from asr_py.reml.bound_revisit import FaceAbandoned, FaceWatch

    def refit(p: MixedProblem, theta0: np.ndarray, cons: list[str],
              target: float | None) -> RemlResult | None:
        try:
            return _second_fit(p, kwargs, theta0, cons,
                               monitor=None if target is None else FaceWatch(target))
        except FaceAbandoned:
            return None

    return refit


def _crawl_fold(problem: MixedProblem, res: RemlResult, kwargs: dict) -> RemlResult:
    """s29conv: the first fit stopped crawling beside a fold (:mod:`asr_py.reml.crawl`):
    the fit on the fold (:func:`asr_py.reml.fold_face.tie`) when it is kept and converged,
    else the first fit continued from where it stopped for its remaining iterations and the
    folds it ends near fitted then (as without the stop: a second fold, not yet near at the
    stop, may be needed)."""
    from asr_py.reml.corr_escape import GAIN_REL
    from asr_py.reml.fold_face import tie

    def tied_of(r: RemlResult) -> RemlResult:
        return tie(problem, r, _fold_refit(kwargs),
                   lambda th: _loglik_or_none_at(problem, th), GAIN_REL * dof_scale(problem))

    tied = tied_of(res)
    if tied is not res and tied.converged:
        return tied
    rest = int(kwargs.get("maxit", 30)) - int(res.n_iter)
    kw = {k: v for k, v in kwargs.items() if k != "maxit"}
    try:
        second = _fit_reml(replace(problem, theta0=np.asarray(res.theta, dtype=float),
                                   random=list(problem.random)), maxit=max(rest, 0), **kw)
    except (ModelError, np.linalg.LinAlgError, ValueError):
        return res
    return tied_of(continued(res, second))


def _loglik_or_none_at(problem: MixedProblem, theta: np.ndarray) -> float | None:
    try:
        return loglik_at(problem, theta)
    except (ModelError, np.linalg.LinAlgError, ValueError):
        return None


def _distance_other_end(problem: MixedProblem, res: RemlResult, kwargs: dict
                        ) -> RemlResult:
    """A second fit when an exp/gau correlation φ ended at an end of (0, 1), from the other
    end (:mod:`asr_py.reml.distance_restart`); the better of the two."""
    from asr_py.reml.distance_restart import better_of, far_start

    start = far_start(problem, res) if kwargs.get("maxit", 30) >= REFIT_MIN_ITER else None
    if start is None:
        return res
    second = _second_fit(problem, kwargs, start[0])
    if second is None:  # s21gau: C numerically singular at the start: the fit on V
        from asr_py.reml.singular_corr import fit_on_v

        second = fit_on_v(problem, res, start[0],
                          loglik_tolerance(problem, kwargs.get("tol_loglik", 3e-8)))
    else:
        second = _check_singular_corr(problem, second, kwargs)
    return res if second is None else better_of(res, second, start[1], dof_scale(problem))


def _mirror_ar1(problem: MixedProblem, res: RemlResult, kwargs: dict) -> RemlResult:
    """A second fit when an ar1 correlation reached its limit on the way (ended inside it
    or held on it), from the start with that correlation's sign mirrored
    (:func:`asr_py.reml.ar_limit_fix.mirror_start`); the better of the two."""
    from asr_py.reml.ar_limit_fix import mirror_start
    from asr_py.reml.corr_escape import GAIN_REL

    if kwargs.get("maxit", 30) < REFIT_MIN_ITER:
        return res
    second = _second_fit(problem, kwargs, mirror_start(problem, res))
    if second is None:
        return res
    gain = second.loglik - res.loglik
    if not (np.isfinite(second.loglik) and gain > GAIN_REL * dof_scale(problem)):
        return res
    second.diagnostics.insert(0, (
        "an ar1 correlation reached its limit during the iteration; a second fit started "
        f"from the opposite sign reached a log-likelihood {gain:.3g} "
        "higher (kept)"))
    return second


def _heywood_swaps(problem: MixedProblem, res: RemlResult, kwargs: dict) -> RemlResult:
    """Fits from starts exchanging a zero specific variance with a non-zero one (another
    Heywood set of fa, :mod:`asr_py.reml.heywood_swap`); the best converged one kept when
    higher by MIN_GAIN, then looked at again from there. A fit that cannot beat the target
    is abandoned early (:class:`asr_py.reml.bound_revisit.FaceWatch`)."""
    from asr_py.reml.bound_revisit import MIN_GAIN, FaceAbandoned, FaceWatch
    from asr_py.reml.heywood_swap import MAX_ROUNDS, note, swap_starts

    if kwargs.get("maxit", 30) < REFIT_MIN_ITER or not res.converged:
        return res
    cur, kept = res, []
    for _ in range(MAX_ROUNDS):
        best, label = None, ""
        for theta0, lab in swap_starts(problem, cur):
            target = cur.loglik + MIN_GAIN if best is None else best.loglik
            try:
                f = _second_fit(problem, kwargs, theta0, monitor=FaceWatch(target))
            except FaceAbandoned:
                continue
            if (f is not None and f.converged and f.loglik - cur.loglik > MIN_GAIN
                    and (best is None or f.loglik > best.loglik)):
                best, label = f, lab
        if best is None:
            break
        cur = best
        kept.append(label)
    if not kept:
        return res
    cur.diagnostics.insert(0, note(kept, cur.loglik - res.loglik))
    return cur


def _polish_floor(problem: MixedProblem, res: RemlResult, kwargs: dict) -> RemlResult:
    """A refit with the variances held on a structural floor held closer to zero
    (:mod:`asr_py.reml.floor_polish`); the better of the two."""
    from asr_py.reml.floor_polish import POLISH_MAXIT, POLISH_REL, polish_start, polished

    start = polish_start(problem, res) if res.converged else None
    if start is None:
        return res
    kw = {**kwargs, "maxit": min(int(kwargs.get("maxit", 30)), POLISH_MAXIT)}
    second = _second_fit(problem, kw, start[0], held_rel=POLISH_REL * HELD_REL)
    return polished(res, second, start[1], dof_scale(problem))


def _face_polish(problem: MixedProblem, res: RemlResult, kwargs: dict) -> RemlResult:
    """s32face: a fit that ended with a singular covariance matrix checked by maximising ℓ
    over its Cholesky factor (:mod:`asr_py.reml.face_polish`); when that gains more than the
    tolerance, the fit redone from there is kept if it is higher."""
    from asr_py.reml.face_polish import NOTE, candidates, polish

    if kwargs.get("maxit", 30) < REFIT_MIN_ITER or "S" in list(res.constraints):
        return res  # 'S': ℓ unbounded along a singular block (s32unb), no optimum to polish
    if not candidates(problem, np.asarray(res.theta, dtype=float), list(res.constraints)):
        return res  # s33small: no singular us block, nothing to polish (no form built)
    tol = loglik_tolerance(problem, kwargs.get("tol_loglik", 3e-8))
    # s33polish: the form the fit's iteration evaluated (its symbolic analysis) and the
    # score alone (BFGS reads ℓ and its gradient); V where those lose their digits
    form = res.form if res.form is not None else make_form(problem)

    def reader(f: Any) -> Callable[[np.ndarray], tuple[float, np.ndarray] | None]:
        def value_score(th: np.ndarray) -> tuple[float, np.ndarray] | None:
            try:
                st = f.evaluate(th)
                return float(st.loglik), f.score(st)
            except (ModelError, np.linalg.LinAlgError, ValueError):
                return None

        return value_score

    def precise() -> Callable[[np.ndarray], tuple[float, np.ndarray] | None] | None:
        v = precise_form(problem, form)
        return None if v is None else reader(v)

    got = polish(problem, res, reader(form), tol, precise)
    if got is None:
        return res
    second = _second_fit(problem, kwargs, got[0])
    if second is None or second.loglik <= res.loglik + tol:
        return res
    second.diagnostics.insert(0, NOTE.format(gap=got[1] - res.loglik))
    return second


def _check_singular_corr(problem: MixedProblem, res: RemlResult, kwargs: dict
                         ) -> RemlResult:
    """ℓ and the optimum checked on V when a correlation matrix is numerically singular at
    the estimates (:mod:`asr_py.reml.singular_corr`)."""
    from asr_py.reml.singular_corr import check

    if kwargs.get("maxit", 30) < REFIT_MIN_ITER:
        return res
    return check(problem, res, loglik_tolerance(problem, kwargs.get("tol_loglik", 3e-8)))


def _fix_at_ar_limit(problem: MixedProblem, res: RemlResult, kwargs: dict) -> RemlResult:
    """A refit with every ar1 correlation held on its limit fixed at ±0.98 ('F'), as
    ASReml does (:mod:`asr_py.reml.ar_limit_fix`); ``res`` when there is none or the refit
    cannot be made."""
    from asr_py.reml.ar_limit_fix import limit_fix, note

    if kwargs.get("maxit", 30) < REFIT_MIN_ITER:
        return res
    fix = limit_fix(problem, res)
    if fix is None:
        return res
    theta, cons = fix
    second = _second_fit(problem, kwargs, theta, cons)
    if second is None:
        return res
    fixed = [k for k, (a, b) in enumerate(zip(problem.constraints, cons))
             if str(a).upper() != b]
    earlier = [d for d in res.diagnostics if "second fit" in d]  # how res was reached
    second.diagnostics[:0] = [note(list(problem.names), second.theta, fixed), *earlier]
    return second


def _fit_reml(
    problem: MixedProblem,
    *,
    maxit: int = 30,
    tol_loglik: float = 3e-8,
    tol_param: float = 1e-6,
    trace: bool = False,
    callback: Callable[[dict], None] | None = None,
    solver: str = "auto",
    stochastic_traces: bool | None = None,
    stochastic_seed: int | None = None,
    soft_corr_bounds: bool = False,
    held_rel: float = HELD_REL,
    monitor: Callable[[float, float], None] | None = None,
    crawl_stop: Callable[[np.ndarray, list[dict]], bool] | None = None,
    releases: int = 0,
) -> RemlResult:
    """Fit ``problem`` by AI-REML and return a :class:`RemlResult` (never raises on
    non-convergence: the best estimates so far come back with ``converged=False``).

    Converged (see docs/method.md) when either

    * the full AI step just taken changed ℓ by ``<= tol`` and θ by
      ``max_k |Δθ_k| / max(|θ_k|, floor_k) <= tol_param`` (floor_k: CHANGE_FLOOR x the
      parameter's own scale for variances/covariances, see :meth:`IterContext.update_scales`; 1e-4
      otherwise), or
    * at the new point the next AI step predicts a gain ``s'δ − ½δ'AIδ <=
      DEC_TOL * tol`` and a relative change ``<= PRED_PARAM * tol_param``,

    where ``tol = tol_loglik * max(1, n - p)`` is an absolute tolerance on differences of ℓ
    (:mod:`asr_py.reml.tolerance`: the same in any units of the response, row order or level
    labels; n records, p fixed-effect columns).

    ``solver``: 'auto' (dense up to 300 equations or for a dense C, else sparse; see
    :func:`asr_py.reml.solver.choose_backend`) or a backend name registered with
    :func:`asr_py.reml.solver.register_backend` ('dense', 'sparse', ...).
    ``stochastic_traces`` (issue 16): None ('auto': from
    :data:`asr_py.reml.stochastic.MIN_EQUATIONS` equations with the supernodal sparse
    backend), True or False: while the score's Hutchinson estimate (probes through C's
    factor, :mod:`asr_py.reml.stochastic`) gives AI steps well above its noise, no selected
    inverse is computed; the last steps, the convergence test and the result use exact
    traces. ``stochastic_seed``: the probes' seed (default
    :data:`asr_py.reml.stochastic.SEED`; fits are reproducible). ``soft_corr_bounds``: the
    second fit of :func:`_escape_boundary` (see :func:`asr_py.reml.ai_step.line_search`).
    ``held_rel``: HELD_REL of the structural floors (:mod:`asr_py.reml.held_floor`; lower in
    the polish of :func:`_polish_floor`).
    ``monitor``: called after each iteration with (ℓ, the AI step's predicted gain
    s'δ − ½δ'AIδ at the new point; ∞ where the score is a stochastic estimate); it may raise
    to abandon the fit (:func:`_revisit_bound`'s face fits).
    ``crawl_stop``: called after each iteration with (θ, the record so far); True stops the
    fit there, unconverged (:class:`asr_py.reml.crawl.CrawlStop`).
    ``releases``: how many times the fit was continued after stale lifted floors were
    released (:mod:`asr_py.reml.lift_release`; at most MAX_RELEASES).
    Raises :class:`asr_py.errors.ModelError` for a start θ at which the model cannot be
    evaluated (invalid parameters, C not positive definite) or a rank-deficient X.
    """
    if maxit < 0:
        raise ValueError("maxit must be >= 0")
    cons = [str(c).upper() for c in problem.constraints]
    bad = [c for c in cons if c not in ("P", "U", "F", "B")]
    if bad:
        raise ModelError(f"unknown constraint code(s) {sorted(set(bad))}",
                         hint="use 'P' (positive), 'U' (unconstrained), 'F' (fixed), 'B' (bounded)")
    tol_ll = loglik_tolerance(problem, tol_loglik)  # absolute, unit-free (tolerance.py)
    t_start = time.perf_counter()  # trace: wall time of each iteration, setup in iteration 0
    mme = make_form(problem, solver)  # the MME, or V when cheaper (form_choice.py)
    ctx = IterContext(problem, soft_corr_bounds, held_rel)
    ctx.loglik_of, ctx.loglik_noise = _loglik_or_none(mme, ctx), loglik_noise(mme)  # s30face
    # s24floor: a polish fit (floor_polish.py) holds variances below the structural floor on
    # purpose and stops on differences of ℓ: no lift of them back up (_lift_held)
    polish = held_rel < HELD_REL
    theta = problem.theta0.astype(float).copy()
    nt = theta.size
    if not ctx.valid(theta):
        raise ModelError(
            "the starting values are outside the parameter space: "
            + problem.describe_invalid(theta),
            hint=invalid_start_hint(problem, theta)  # issue 11 'U'
            or "variances must be positive, correlations inside (-1, 1) and every "
               "covariance matrix positive definite")
    phase(f"C: {mme.N} equations; symbolic analysis and first factorization", mme.N)
    try:
        st = mme.evaluate(theta)
    except np.linalg.LinAlgError as exc:
        sing = None if getattr(exc, "hint", None) else singular_start(problem, theta)
        if sing is not None:
            raise ModelError("the mixed model equations cannot be solved at the start "
                             f"values: {sing[0]}", hint=sing[1]) from None
        hint = getattr(exc, "hint", None)  # issue 11 'U': V not PD, the user's to fix
        err = ModelError if hint else StartValueError  # the latter: reml/start_repair.py
        raise err(f"the mixed model equations cannot be solved at the start values: {exc}",
                  hint=hint or "check for empty random-effect levels or change the start "
                               "values") from None
    fixed = np.array([c == "F" for c in cons], dtype=bool)
    # --- issue 16 (goal 3): the stochastic-trace phase (reml/stochastic.py) ---
    stoch: StochasticTraces | None = None
    if wanted(stochastic_traces, mme.N, mme.backend, mme.signed is not None):
        stoch = StochasticTraces() if stochastic_seed is None else StochasticTraces(
            seed=int(stochastic_seed))
    noise_cov: np.ndarray | None = None  # the score's noise covariance (stochastic) or None

    def scores(state: Any) -> tuple[np.ndarray, np.ndarray]:
        """Score and AI at ``state``: stochastic traces in the stochastic phase (noise_cov
        set), else exact."""
        nonlocal noise_cov
        if stoch is not None and stoch.active:
            out = stoch.score_ai(mme, state)
            if out is not None:
                noise_cov = out[2]
                return out[0], out[1]
            stoch.active = False  # no triangular solve: exact traces
        noise_cov = None
        return mme.score_ai(state)
    # --- end issue 16 ---
    diagnostics: list[str] = []
    history: list[dict] = []

    t_prev = [t_start]

    def record(it: int, method: str, step: float, confirming: bool = False) -> None:
        # seconds: wall time since the previous record, i.e. the whole iteration (step, line
        # search, score and AI with their selected inverse); iteration 0: the setup
        now = time.perf_counter()
        secs, t_prev[0] = now - t_prev[0], now
        h = {"iteration": it, "loglik": st.loglik, "theta": st.theta.copy(), "step": step,
             "seconds": secs, "method": method}
        if confirming:  # s16fact: the fit stops at the previous iterate
            h["confirming"] = True
        if noise_cov is not None:  # issue 16: this point's score was a stochastic estimate
            h["traces"] = "stochastic"
        history.append(h)
        if trace:
            ps = " ".join(f"{v:.6g}" for v in st.theta)
            print(f"iter {it:3d}  loglik {st.loglik:.6f}  {method:5s} step {step:.3g}  "
                  f"[{ps}]  {secs:.3f}s", flush=True)
        if callback is not None:
            callback(h)

    def moved_to(state: Any, th: np.ndarray) -> tuple:
        """Score, AI, the next AI step and face step at a point reached outside the step
        logic (a lift, a release, a differenced-score step); the scales renewed there."""
        sc, a = scores(state)
        ctx.update_scales(np.diag(a), th)
        ns = ai_step(ctx, th, sc, a, fixed)
        return sc, a, ns, next_face_step(ctx, th, sc, a, fixed, ns, tol_ll)

    converged = False
    it = 0
    ended = "maxit"  # s33polish: the rule that ended the iteration (RemlResult.stop)
    score, ai = scores(st)
    record(0, "start", 0.0)
    ctx.update_scales(np.diag(ai), theta)
    nstep = ai_step(ctx, theta, score, ai, fixed)
    face = next_face_step(ctx, theta, score, ai, fixed, nstep, tol_ll)  # issue 11

    def to_exact(hess: np.ndarray | None = None) -> tuple:
        """issue 16: leave the stochastic phase at the present point: exact score (its
        selected inverse; the factor is at hand), the step and face from it."""
        nonlocal noise_cov
        assert stoch is not None
        stoch.active = False
        noise_cov = None
        history[-1].pop("traces", None)
        sc, a = mme.score_ai(st)
        h = a if hess is None else hess
        ns = ai_step(ctx, theta, sc, h, fixed)
        return sc, a, ns, next_face_step(ctx, theta, sc, h, fixed, ns, tol_ll)

    def leave_stochastic(method: str, alpha: float, restricted: bool) -> bool:
        """issue 16: the stochastic phase ends when a step was not a full AI step, the next
        one meets a bound, a face or a singular AI, or its predicted gain is not well above
        the score noise's."""
        if noise_cov is None:
            return False
        free = ~fixed & ~nstep.held
        return (method != "AI" or alpha < 1.0 or restricted or face is not None
                or bool(nstep.clipped.any()) or bool(nstep.held.any()) or bool(nstep.pd_held)
                or bool(nstep.singular) or noise_dominates(nstep.gain, ai, noise_cov, free))

    if leave_stochastic("AI", 1.0, False):
        score, ai, nstep, face = to_exact()
    step_exact = noise_cov is None  # the score the next step comes from is exact
    newton = False  # issue 11 (2d): this step uses a differenced Hessian (slow_ai.py)
    h_nr: np.ndarray | None = None  # s16eng: ... that Hessian (carried by secant updates)
    fd_it = -SLOW_STEPS - 1  # s16eng: the iteration of the last differenced Hessian
    qn = False  # s15eng: this step uses AI with a secant correction (secant.py)
    qn_corr: np.ndarray | None = None  # ... the correction, carried to the next pair
    full_steps: list[np.ndarray] = []  # ... the full steps in a row up to here
    zsteps: list[float] = []
    sing_flagged = False
    final_face: FaceStep | None = None  # issue 11: the face the fit converged on
    small: list[bool] = []
    prev_noise = False
    raised_once = False
    osc_it = 0  # s29conv: the iteration of the last averaged point (oscillation.py)
    ext_it = 0  # ... and of the last walk along a straight crawl (extrapolate.py)
    fd_next = False  # s17fa: the next step comes from a differenced score (fd_score.py)
    fd_tries = [0]  # ... and how many were computed
    hs_tries = [0]  # s23held: scores of held variances read from ℓ at a stop (held_score.py)
    hs_out = [np.zeros(nt, dtype=bool)]  # ... the variances the last one released
    lifted = np.zeros(nt, dtype=bool)  # s31lift: variances _lift_held put on a floor
    lift_it = 0  # ... at this iteration
    lift_stall = False  # ... and the fit stalled while one of them is stale
    flat: list[bool] = []  # ... |Δℓ| <= tol in each iteration

    def held_blocks_stop() -> bool | None:
        """s23held: at a point the fit would stop at, None when no variance held at its
        bound has a score read from ℓ that releases it (the stop stands); True when one
        does (score and next step renewed: the iteration continues); False when it does
        but the corrections are used up (the stop is not a convergence)."""
        nonlocal score, nstep, face, newton, h_nr, qn, qn_corr
        if noise_cov is not None:
            return None
        out = wants_out(_loglik_or_none(mme, ctx), ctx, st.loglik, theta, score, ai, fixed,
                        tol_ll)
        if out is None:
            return None
        hs_out[0] = out.released
        if hs_tries[0] >= HS_TRIES:
            return False
        hs_tries[0] += 1
        score, nstep = out.score, out.step
        face, newton, h_nr, qn, qn_corr = None, False, None, False, None
        return True
    while it < maxit:
        if not np.any(~fixed & ~nstep.held):
            converged = True
            ended = "no_free"
            break
        it += 1
        if nstep.singular and not sing_flagged:
            diagnostics.append(
                f"Singularity in Average Information matrix at iteration {it}: "
                "some parameters are not identifiable from the data; "
                "a damped AI / EM step was taken (fix or remove a component if it persists)")
            sing_flagged = True
        floors = ctx.pd_floors(theta, nstep.pd_held)
        method = "NR" if newton else ("QN" if qn else "AI")
        fd_step, fd_next = fd_next, False  # s17fa: this AI step uses a differenced score
        restricted = False
        new_state, alpha, theta_new = None, 0.0, None
        # --- issue 11 hook: a Newton step on the PD face (asr_py/reml/pd_face.py) ---
        if face is not None:
            new_state, alpha, theta_new = face_line_search(mme, ctx, st, face)
            off = off_face(mme, ctx, st, theta, nstep, face, floors, new_state)  # s30face
            if off is not None:
                new_state, alpha, theta_new = off
            elif new_state is not None:
                method = "face"
        if new_state is None:
            new_state, alpha, theta_new = line_search(mme, ctx, st, theta, nstep.delta,
                                                       nstep.clipped, floors)
        if method == "QN" and (new_state is None or alpha < 1.0):
            # s15eng: a damped secant step: the plain AI step instead, if it does better
            nstep = ai_step(ctx, theta, score, ai, fixed)
            floors = ctx.pd_floors(theta, nstep.pd_held)
            p_state, p_alpha, p_theta = line_search(mme, ctx, st, theta, nstep.delta,
                                                    nstep.clipped, floors)
            if p_state is not None and (new_state is None or p_alpha == 1.0
                                        or p_state.loglik > new_state.loglik):
                new_state, alpha, theta_new = p_state, p_alpha, p_theta
            method = "AI"
        if method in ("AI", "NR", "QN") and (new_state is None or alpha < 1.0):
            # a 'P' variance at its boundary with a positive score makes the other parameters
            # of its template (correlations, ...) nearly unidentifiable: their Newton step is
            # huge and the AI step fails, and EM cannot move a variance away from zero. An AI
            # step with those parameters fixed for this iteration releases the variance.
            tied = tied_to_bound(ctx, theta, score, fixed)
            if tied.any():
                rstep = ai_step(ctx, theta, score, ai, fixed | tied)
                r_state, r_alpha, r_theta = line_search(
                    mme, ctx, st, theta, rstep.delta, rstep.clipped,
                    ctx.pd_floors(theta, rstep.pd_held))
                if r_state is not None and (new_state is None
                                            or r_state.loglik > new_state.loglik):
                    new_state, alpha, theta_new = r_state, r_alpha, r_theta
                    restricted = True
        if method in ("AI", "NR", "QN") and (new_state is None or alpha < 1.0):
            # a heavily damped (or failed) AI step: an EM step may do better
            free = np.flatnonzero(~fixed & ~nstep.held)
            em = np.zeros(nt)
            path = em_path(mme, theta, score, free)
            em[free] = path.step()
            em_state, em_alpha, em_theta = line_search(
                mme, ctx, st, theta, em, np.zeros(nt, dtype=bool), floors)
            if (em_state is None or em_alpha < 1.0) and not polish:
                # s25fa: reml/em.py damped_search (not in the polish, whose ℓ is at
                # round-off); kept when it beats the halved EM step (or, none accepted, ℓ
                # here: s26, a fa(env, 2) Heywood MET stopped 3.07 below its optimum) by
                # more than ℓ's rounding noise; else the lift / release rules below apply
                d_state, d_theta = damped_search(
                    path, free, nt, st.loglik, lambda d, st=st, th=theta, fl=floors: line_search(
                        mme, ctx, st, th, d, np.zeros(nt, dtype=bool), fl, halvings=0))
                base = st.loglik if em_state is None else em_state.loglik
                if d_state is not None and d_state.loglik > base + loglik_noise(mme):
                    em_state, em_alpha, em_theta = d_state, 1.0, d_theta
            if em_state is not None and (new_state is None
                                         or em_state.loglik > new_state.loglik):
                new_state, alpha, theta_new, method = em_state, em_alpha, em_theta, "EM"
                restricted = False
        if (method == "EM" and new_state is not None and not restricted
                and ctx.rel_change(theta, theta_new) <= tol_param
                and abs(new_state.loglik - st.loglik) <= tol_ll):
            new_state = None  # a null EM step after a failed AI step: no progress
        if new_state is None and noise_cov is None and not raised_once and not polish:
            before = ctx.snap_floor.copy()
            got = _lift_held(mme, ctx, theta, fixed, st.loglik, tol_ll)
            if got is not None:  # restart from variances held where the score is accurate
                raised_once = True
                st, theta = got
                lifted |= ctx.snap_floor != before
                lift_it = it
                score, ai, nstep, face = moved_to(st, theta)
                record(it, "lift", 0.0)
                continue
        if new_state is None and noise_cov is not None:  # issue 16: retry with exact traces
            score, ai, nstep, face = to_exact()
            step_exact = True
            it -= 1
            continue
        if new_state is None:
            if (face is not None and noise_cov is None and covariance_faces(face)
                    and face.gain <= FACE_DEC * tol_ll):
                converged, final_face = True, face  # s30face: the face step (its gradient
                it -= 1  # read from ℓ where it failed, ai_step.face_line_search) has
                ended = "face_failed"
                break  # nothing left: the on-face stopping rule
            if zero_stop(ctx, st.loglik, theta, tol_ll):  # s30face: a face collapsed to 0
                converged = True
                diagnostics.append(ZERO_NOTE.format(it=it - 1))
                it -= 1
                ended = "zero"
                break
            if at_roundoff(mme, st.loglik, nstep, ai, fixed):
                converged = True
                diagnostics.append(ROUNDOFF_NOTE.format(it=it - 1))
                it -= 1
                ended = "roundoff"
                break
            if nstep.gain <= DEC_TOL * tol_ll:
                # s30refit: a predicted gain below the stopping rule's, that no evaluation
                # confirmed: ℓ's rounding noise, read from ℓ itself, may be above the
                # size-based estimate (an ill-conditioned V; convergence.measured_noise)
                noise = measured_noise(_loglik_or_none(mme, ctx), theta, st.loglik, score,
                                       ~fixed)
                if at_roundoff(mme, st.loglik, nstep, ai, fixed, min(noise, DEC_TOL * tol_ll)):
                    converged = True
                    diagnostics.append(MEASURED_NOTE.format(it=it - 1, gain=nstep.gain,
                                                            noise=noise))
                    it -= 1
                    ended = "measured"
                    break
            rel = release_probe(  # s16eng: held_release.py
                mme.evaluate, lambda d, c, st=st, th=theta, fl=floors: line_search(
                    mme, ctx, st, th, d, c, fl),
                ctx, st.loglik, theta, score, ai, fixed, tol_ll, tol_param)
            if rel is not None and rel.converged:
                converged = True
                diagnostics.append(release_note(rel, problem, it - 1, tol_ll))
                it -= 1
                ended = "release"
                break
            if rel is not None:
                st, theta = rel.state, rel.theta
                score, ai, nstep, face = moved_to(st, theta)
                newton, h_nr = False, None
                record(it, "release", 1.0)
                continue
            chk = _fd_stop(mme, ctx, st.loglik, theta, ai, fixed, nstep.held, tol_ll,
                           fd_tries, final=True)
            if chk is not None and chk.converged:  # s17fa: fd_score.py
                converged = True
                diagnostics.append(fd_note(chk, it - 1, tol_ll))
                it -= 1
                ended = "fd_final"
                break
            if chk is not None:
                f_state, _, f_theta = line_search(mme, ctx, st, theta, chk.delta,
                                                  np.zeros(nt, dtype=bool), floors)
                if f_state is not None and f_state.loglik > st.loglik:
                    st, theta = f_state, f_theta
                    score, ai, nstep, face = moved_to(st, theta)
                    newton, h_nr = False, None
                    record(it, "fd", 1.0)
                    continue
            noise = measured_noise(_loglik_or_none(mme, ctx), theta, st.loglik, score, ~fixed)
            diagnostics.append(
                f"iteration {it}: neither an AI nor an EM step increased the log-likelihood; "
                "stopped with the best estimates so far (try other start values)"
                + noisy_note(noise, tol_ll))
            ended = "no_step"
            break
        # --- s16fact (issue 16, goal 3): a confirming step. A full AI step that changed ℓ
        # by <= min(CONFIRM_LOGLIK, tol) and no parameter by more than CONFIRM_PARAM relative
        # to its value (no floor: stricter than ``full_step`` below, which would stop here
        # too) only confirms the last iterate: the fit stops at it, whose score, AI, selected
        # inverse and factor are at hand; the step's own score, AI and selected inverse (2-3
        # factorizations' worth at 10^5 animals) are not computed. ---
        if (step_exact and method in ("AI", "NR", "QN") and alpha == 1.0 and not restricted
                and ctx.confirms(st.loglik, new_state.loglik, theta, theta_new,
                                 min(CONFIRM_LOGLIK, tol_ll),
                                 min(CONFIRM_PARAM, tol_param))):
            esc = held_blocks_stop()
            if esc:
                it -= 1
                continue
            if esc is False:
                diagnostics.append(held_note(list(problem.names), hs_out[0], it - 1))
                it -= 1
                ended = "held"
                break
            kept, st = st, new_state
            record(it, method, alpha, confirming=True)
            st = kept
            converged = True
            ended = "confirm"
            break
        # --- end s16fact ---
        ll_old, theta_old = st.loglik, st.theta.copy()
        score_old, held_old = score, nstep.held
        # s15eng: a full, unrestricted step on an unchanged active set gives a secant pair
        pair_ok = (step_exact and method in ("AI", "NR", "QN") and alpha == 1.0
                   and not restricted and not nstep.clipped.any() and not nstep.pd_held)
        st = new_state
        theta = theta_new.copy()
        came_exact = step_exact  # issue 16: the step to this point came from exact traces
        score, ai = scores(st)
        # ASReml's 'B': variances creeping to zero (damped AI or EM steps)
        st, theta, score, ai = _snap_to_zero(mme, ctx, st, theta, score, ai, fixed, scores,
                                             method == "EM" or alpha < 1.0, theta_old)
        # s24fa: a held variance below a floor that appeared later (reml/floor_raise.py)
        st, theta, score, ai = raise_to_floor(mme, ctx, st, theta, score, ai, fixed, scores)
        record(it, "FD" if fd_step and method == "AI" else method, alpha)
        pair_ok = pair_ok and noise_cov is None and np.array_equal(theta, theta_new)
        ctx.update_scales(np.diag(ai), theta)
        if monitor is not None:  # before the costlier steps below (a differenced Hessian...)
            monitor(float(st.loglik), np.inf if noise_cov is not None   # issue 16: no gain
                    else ai_step(ctx, theta, score, ai, fixed).gain)   # from a noisy score
        zd = np.abs(theta - theta_old)[~fixed] * np.sqrt(np.abs(np.diag(ai)[~fixed]))
        zsteps.append(float(zd.max(initial=0.0)))
        hess = ai
        free = ~fixed & ~held_old & ~ctx.at_bound(theta) & ~ctx.at_bound(theta_old)
        # once slow, Newton steps continue while they are taken in full; s16eng: with the
        # differenced Hessian carried by secant updates (slow_ai.py: ration)
        nr_full = newton and method == "NR" and alpha == 1.0 and not restricted
        newton = carried = False
        if nr_full and pair_ok and h_nr is not None and noise_cov is None:
            h_up = carry_hessian(h_nr, ai, theta - theta_old, score - score_old, free)
            if h_up is not None:
                hess, newton, carried = h_up, True, True
        if (not newton and nr_full and h_nr is not None and noise_cov is None
                and len(zsteps) > 1 and zsteps[-1] <= REUSE_RATE * zsteps[-2]):
            # s16eng: no secant pair (a step onto a bound, ...), but the last Newton step
            # still contracted fast: H is reused as it is (a chord step)
            h_re = reuse_hessian(h_nr, ai, ~fixed & ~ctx.at_bound(theta))
            if h_re is not None:
                hess, newton, carried = h_re, True, True
        if not newton and (nr_full or (it - fd_it > SLOW_STEPS and is_slow(
                [_as_ai(h["method"]) for h in history], [h["step"] for h in history],
                zsteps))):
            if noise_cov is not None:  # issue 16: Newton steps need exact scores
                score, ai, nstep, face = to_exact()
            fd_it = it  # s16eng: after a failure no new attempt before SLOW_STEPS + 1 steps
            fd_free = ~fixed & ~ctx.at_bound(theta)
            h_fd = fd_information(lambda t: _score_or_none(mme, t), ctx.valid, theta, score,
                                  ai, fd_free)  # issue 11 (2d)
            if (h_fd is None and fd_free.sum() > MAX_FD_PARAMS  # s19sel: slow_subspace.py
                    and zsteps[-1] <= SUB_MAX_Z):
                h_fd = subspace_information(lambda t: _score_or_none(mme, t), ctx.valid,
                                            theta, score, ai, fd_free, recent_steps(history))
            newton = h_fd is not None
            if h_fd is not None:
                hess = h_fd
        h_nr = hess if newton else None
        was_qn, qn = qn, False
        full_steps = full_steps[-2:] + [theta - theta_old] if pair_ok else []
        if not newton and pair_ok and (was_qn or linear_regime(full_steps, ai, free)):
            # s15eng: AI with a secant correction (secant.py)
            h_qn = secant_information(ai, theta - theta_old, score - score_old, free,
                                      qn_corr if qn_corr is not None
                                      and qn_corr.shape == ai.shape else None)
            if h_qn is not None:
                hess, qn = h_qn, True
        qn_corr = hess - ai if qn else None
        nstep = ai_step(ctx, theta, score, hess, fixed)
        face = next_face_step(ctx, theta, score, hess, fixed, nstep, tol_ll)
        if leave_stochastic(method, alpha, restricted):  # issue 16
            score, ai, nstep, face = to_exact(None if hess is ai else hess)
        step_exact = noise_cov is None
        # issue 16: convergence is judged on exact traces only (the step that led here too,
        # except for the predicted gain, which is the present point's alone)
        exact_here, exact_both = noise_cov is None, noise_cov is None and came_exact
        # issue 11: converged on the PD face when the face's Newton step predicts a
        # negligible gain and no rank increase gains (pd_face.py)
        on_face = (exact_here and method == "face" and face is not None
                   and face.gain <= FACE_DEC * tol_ll)
        full_step = (exact_both and method in ("AI", "NR", "QN") and alpha == 1.0 and not restricted
                     and abs(st.loglik - ll_old) <= tol_ll
                     and ctx.rel_change(theta_old, theta) <= tol_param)
        predicted = (exact_here and not nstep.clipped.any()
                     and nstep.gain <= DEC_TOL * tol_ll
                     and ctx.rel_change(theta, theta + nstep.delta) <= PRED_PARAM * tol_param)
        predicted = predicted or (  # s18inv: settled to SETTLE_Z standard errors (unit-free)
            exact_both and method in ("AI", "NR", "QN") and alpha == 1.0 and not restricted
            and settled(zsteps[-1], nstep, ai, fixed, st.loglik - ll_old, tol_ll))
        zchg = np.abs(theta - theta_old)[~fixed] * np.sqrt(np.abs(np.diag(ai)[~fixed]))
        small.append(abs(st.loglik - ll_old) <= tol_ll
                     and float(zchg.max(initial=0.0)) <= STALL_Z)
        # on the PD boundary ℓ is steep across it and the quadratic model poor: the fit has
        # converged when STALL_ITERS steps in a row change ℓ only at round-off level
        stalled = exact_both and bool(nstep.pd_held) and len(small) >= STALL_ITERS and all(
            small[-STALL_ITERS:])
        at_noise = (abs(st.loglik - ll_old) <= loglik_noise(mme)
                    and at_roundoff(mme, st.loglik, nstep, ai, fixed))
        # two iterations in a row at round-off level (one may be a step past the optimum)
        roundoff = (exact_both and not (full_step or predicted or stalled) and at_noise
                    and prev_noise)
        prev_noise = at_noise
        flat.append(abs(st.loglik - ll_old) <= tol_ll)
        if (lifted.any() and exact_both and len(flat) >= STALL_ITERS
                and all(flat[-STALL_ITERS:])
                and (stale_floors(ctx, theta, score, ai, fixed, lifted, LIFT_REL, tol_ll)[0]
                     & lifted).any()):
            lift_stall = True  # s31lift: crawling under a stale floor: released below
            ended = "lift_stall"
            break
        if roundoff:
            diagnostics.append(ROUNDOFF_NOTE.format(it=it))
        if on_face:  # issue 11
            converged = True
            final_face = face
            ended = "on_face"
            break
        if carried and (full_step or predicted or stalled or roundoff):
            # a carried (secant-updated or reused) Hessian may be stale: its Newton step can
            # stall one parameter while ℓ still rises along it (a far start of sleepstudy
            # stopped 0.0235 below the optimum); convergence needs a fresh curvature's word
            ok, h_new, s_new = _verified(ctx, mme, theta, score, ai, fixed,
                                         tol_ll, tol_param,
                                         loglik_noise(mme))
            if not ok:
                full_step = predicted = stalled = roundoff = False
                hess, nstep = h_new, s_new
                newton = h_new is not ai
                h_nr = hess if newton else None
                face = next_face_step(ctx, theta, score, hess, fixed, nstep, tol_ll)
        if (exact_both and not (full_step or predicted or stalled or roundoff or on_face)
                and (alpha < 1.0 or method == "EM")
                and abs(st.loglik - ll_old) <= tol_ll):
            # s17fa: a damped AI step, or an EM step after a failed one, that gains nothing
            # beside held variances: the analytic score may have lost its digits
            # (fd_score.py)
            chk = _fd_stop(mme, ctx, st.loglik, theta, ai, fixed, nstep.held, tol_ll,
                           fd_tries)
            if chk is not None and chk.converged:
                diagnostics.append(fd_note(chk, it, tol_ll))
                converged = True
                ended = "fd"
                break
            if chk is not None:  # the next step: AI⁻¹ s̃, from the differenced score
                nstep = replace(nstep, delta=chk.delta, gain=chk.gain,
                                clipped=np.zeros(nt, dtype=bool))
                face, newton, qn, h_nr, fd_next = None, False, False, None, True
                continue
        if full_step or predicted or stalled or roundoff:
            esc = held_blocks_stop()
            if esc:
                continue
            if esc is False:
                diagnostics.append(held_note(list(problem.names), hs_out[0], it))
                ended = "held"
                break
            converged = True
            if method == "face" and face is not None:  # issue 11
                final_face = face
            if stalled and not (full_step or predicted):
                diagnostics.append(
                    f"converged on the positive-definite boundary: the last {STALL_ITERS} "
                    f"iterations changed the log-likelihood by <= {tol_ll:.2g} "
                    f"and every parameter by <= {STALL_Z} of its standard error")
            ended = ("stall" if stalled and not (full_step or predicted) else
                     "full_step" if full_step else "predicted" if predicted else "roundoff")
            break
        if (noise_cov is None and it - osc_it > OSC_STEPS and not fd_next
                and oscillating(recent_steps(history), ai, ~fixed & ~nstep.held)):
            # s29conv: steps flipping back and forth across a ridge (reml/oscillation.py)
            osc_it = it
            stop, avg = _ridge(mme, ctx, st, theta, history, tol_ll)
            if avg is not None:
                st, theta = avg
                score, ai, nstep, face = moved_to(st, theta)
                newton, h_nr, qn, qn_corr, full_steps = False, None, False, None, []
                record(it, "avg", 0.5)
            if stop is not None:
                diagnostics.append(ridge_note(list(problem.names), stop, ai,
                                              ~fixed & ~nstep.held, it, float(
                                                  _spread(history, OSC_STEPS + 1))))
                converged = True
                ended = "ridge"
                break
        elif (noise_cov is None and it - ext_it > EXT_STEPS and not fd_next
              and all(h["method"] in ("AI", "QN") and h["step"] == 1.0
                      for h in history[-EXT_STEPS:])
              and straight(recent_steps(history),
                           np.diff([h["loglik"] for h in history[-EXT_STEPS - 1:]]), ai,
                           ~fixed & ~nstep.held)):
            # s29conv: full AI steps along one line, not shrinking (reml/extrapolate.py;
            # not Newton steps: a carried Hessian converging along a line is left alone)
            ext_it = it
            got = walk(lambda th: _loglik_state(mme, ctx, th), theta, theta - theta_old,
                       st.loglik, loglik_noise(mme), ctx.pmask)
            if got is not None:
                theta, st = got
                score, ai, nstep, face = moved_to(st, theta)
                newton, h_nr, qn, qn_corr, full_steps = False, None, False, None, []
                record(it, "walk", 1.0)
        if crawl_stop is not None and noise_cov is None and crawl_stop(theta, history):
            diagnostics.append(CRAWL_NOTE.format(it=it, fold=getattr(crawl_stop, "fired", "")))
            ended = "crawl"
            break
    if noise_cov is not None:  # issue 16: the result's score and AI from exact traces
        score, ai, nstep, face = to_exact()
    stale = np.zeros(nt, dtype=bool)
    if (converged or lift_stall) and not polish:  # s31lift: a stop at stale floors
        stale, fold = stale_floors(ctx, theta, score, ai, fixed, lifted, LIFT_REL, tol_ll,
                                   _loglik_or_none(mme, ctx), st.loglik)
        if stale.any():
            converged, final_face = False, None
            diagnostics.append(lift_note(list(problem.names), stale, lifted, lift_it, fold))
    if not converged and it >= maxit:
        diagnostics.append(
            f"did not converge in {maxit} iterations (last change in loglik "
            f"{history[-1]['loglik'] - history[-2]['loglik'] if len(history) > 1 else 0:.3g}); "
            "returned the last estimates (increase maxit or change start values)")
    gap = 0.0
    if converged and final_face is None and nstep.pd_held:  # s33polish: reml/held_ridge.py
        st, theta = held_ridge(lambda th: evaluate_valid(mme, ctx, th), st, theta,
                               nstep.pd_held, tol_ll)
    if final_face is not None:  # issue 11: report L L' + FINAL_RIDGE Diag(L L')
        st, theta, gap = face_finish(mme, ctx, st, theta, final_face, tol_ll)  # s30face
    on_faces = final_face.faces if final_face is not None else []
    # s32unb: a singular matrix along which ℓ rises without bound is no estimate
    unb, unb_notes = unbounded_report(mme, problem, theta, st.loglik,
                                      [f.block for f in on_faces] + list(nstep.pd_held),
                                      ctx.pd, converged)
    if unb:
        converged = False
        diagnostics += unb_notes
    elif gap > tol_ll:  # (score and AI stay those of the FACE_RIDGE point)
        converged = False
        diagnostics.append(gap_note(final_face, gap, tol_ll))
    unb_ids = {id(b) for _, b in unb}
    for f in on_faces:  # issue 11: the rank and only the correlations truly at ±1
        if id(f.block) in unb_ids:
            continue
        diagnostics.append(face_describe(f.block.name, f.block.matrix(theta),
                                         "correlation" if f.block.corr else "covariance"))
    for b in nstep.pd_held:
        if any(f.block is b for f in on_faces) or id(b) in unb_ids:
            continue
        diagnostics.append(held_describe(b.name, b.matrix(theta),
                                         "correlation" if b.corr else "covariance"))
    phase("final pass: standard errors (AI inverse), prediction error variances and "
          "Var(beta) from the selected inverse of C", mme.N)
    held = nstep.held | at_zero(ctx, theta, fixed)  # on its bound at the end: 'B'
    res = build_result(problem, mme, st, score, ai, fixed, held, converged, it,
                       history, diagnostics, cons, ctx, final_face)
    res.stop = ended + ("+pd_held" if nstep.pd_held else "") + ("" if converged else "+unconverged")
    if maxit >= REFIT_MIN_ITER and polish_candidates(problem, res.theta, res.constraints):
        res.form = mme  # s33polish: for _face_polish (reml/face_polish.py)
    for u, _ in unb:  # s32unb: asreml's 'S' (singular) on the block's parameters
        for k in u.idx:
            res.constraints[int(k)] = "S"
    if not stale.any() or releases >= MAX_RELEASES or it >= maxit:
        return res
    # s31lift: continued from an interior point with the stale floors released
    try:
        second = _fit_reml(
            replace(problem, theta0=interior_start(ctx, theta, stale),
                    random=list(problem.random)),
            maxit=maxit - it, tol_loglik=tol_loglik, tol_param=tol_param, trace=trace,
            callback=callback, solver=solver, stochastic_traces=stochastic_traces,
            stochastic_seed=stochastic_seed, soft_corr_bounds=soft_corr_bounds,
            held_rel=held_rel, monitor=monitor, crawl_stop=crawl_stop,
            releases=releases + 1)
    except (ModelError, np.linalg.LinAlgError, ValueError):
        return res
    return released(res, second, maxit, tol_ll)


def _loglik_state(mme: MME, ctx: IterContext, theta: np.ndarray) -> tuple[float, Any] | None:
    """(ℓ, the MME state) at θ, None where θ is invalid or C cannot be factorized."""
    st = evaluate_valid(mme, ctx, theta)
    return None if st is None else (float(st.loglik), st)


def _spread(history: list[dict], k: int) -> float:
    """max − min of ℓ over the last ``k`` records."""
    ll = [float(h["loglik"]) for h in history[-k:]]
    return max(ll) - min(ll)


def _ridge(mme: MME, ctx: IterContext, st: Any, theta: np.ndarray, history: list[dict],
           tol: float) -> tuple[np.ndarray | None, tuple[Any, np.ndarray] | None]:
    """s29conv: at an oscillation (:func:`asr_py.reml.oscillation.oscillating`) the
    averaged point θ̄ = (θ_k + θ_{k−1}) / 2 as (state, θ̄) when ℓ there is higher than at
    θ_k by at least the last step's gain (else None); and the last step when ℓ over the
    window of OSC_STEPS + 1 iterates and θ̄ varies by at most ``tol`` while the steps did
    not shrink below OSC_KEEP of the window's first (the fit has converged on the ridge;
    else None: a converging oscillation is left to the stopping rule)."""
    th = [np.asarray(h["theta"], dtype=float) for h in history[-OSC_STEPS - 1:]]
    steps = [b - a for a, b in zip(th[:-1], th[1:])]
    mid = 0.5 * (th[-1] + th[-2])
    st_m = evaluate_valid(mme, ctx, mid)
    lls = [float(h["loglik"]) for h in history[-OSC_STEPS - 1:]]
    # taken only when it gains at least what the last step gained: an iteration still
    # climbing through its oscillation (a drift along other parameters: GIS-FA_Mallawi's
    # FA6, ψ crawling while near-zero loadings flip) is left to climb
    avg = ((st_m, mid) if st_m is not None
           and st_m.loglik >= st.loglik + max(0.0, lls[-1] - lls[-2]) else None)
    if st_m is not None:
        lls.append(float(st_m.loglik))
    n = [float(np.linalg.norm(s)) for s in steps]
    flat = max(lls) - min(lls) <= tol and n[0] > 0 and n[-1] >= OSC_KEEP * n[0]
    return (steps[-1] if flat else None), avg


def _fd_stop(mme: MME, ctx: IterContext, loglik: float, theta: np.ndarray, ai: np.ndarray,
             fixed: np.ndarray, step_held: np.ndarray, tol: float,
             tries: list[int], final: bool = False) -> FdCheck | None:
    """s17fa: :func:`asr_py.reml.fd_score.fd_check` at θ when a variance is held at its
    bound, or (s26) a correlation on the value held at its bound (±1: its template's matrix
    singular, the score as short of digits), over the parameters neither fixed nor held by
    the AI step (at most FD_TRIES times in a fit: ``tries`` counts them; ``final``, where
    neither an AI nor an EM step gains and the fit would stop unconverged, FD_FINAL more:
    s27corh, sweep corh seed 9 used its six on the way and stopped at the dense optimum
    with ℓ flat to 1e-8, "unconverged"; ``tol``: the absolute ℓ tolerance); None
    otherwise."""
    from asr_py.reml.bounds import at_lower, at_upper, held_values

    held = at_zero(ctx, theta, fixed)
    lo, hi = held_values(ctx, theta)
    other = ~fixed & ~held & np.array([k != "variance" for k in ctx.kinds], dtype=bool)
    down = other & at_upper(theta, hi)
    held = held | down | (other & at_lower(theta, lo))
    if not held.any() or tries[0] >= FD_TRIES + (FD_FINAL if final else 0):
        return None
    tries[0] += 1

    def loglik_of(th: np.ndarray) -> float | None:
        try:
            return float(mme.evaluate(th).loglik) if ctx.valid(th) else None
        except (np.linalg.LinAlgError, ValueError):
            return None

    return fd_check(loglik_of, loglik, theta, ai, ~fixed & ~held & ~step_held, held,
                    tol, inward=np.where(down, -1.0, 1.0))


def _verified(ctx: IterContext, mme: MME, theta: np.ndarray, score: np.ndarray,
              ai: np.ndarray, fixed: np.ndarray, tol: float, tol_param: float,
              noise: float) -> tuple[bool, np.ndarray, Any]:
    """Whether a Newton step with a fresh curvature H (the differenced Hessian, else AI)
    predicts a negligible gain from ``theta``: ½ s'H⁻¹s <= DEC_TOL x ``tol`` with a relative
    parameter change <= PRED_PARAM x ``tol_param`` (the stopping rule's test), or a gain
    below ``noise``, the rounding noise of ℓ; with H and that step.

    s34fa: H is differenced forward first (n_free score evaluations, not 2 n_free; its
    relative error ~FD_Z = 1e-4 moves the predicted gain by as little, far inside the
    test's DEC_TOL margin); only when that H does not confirm the stop is it differenced
    centrally as before, and that H and its step are returned (the iteration goes on with
    the same curvature as it did)."""
    free = ~fixed & ~ctx.at_bound(theta)

    def check(central: bool) -> tuple[bool, np.ndarray | None, Any]:
        h = fd_information(lambda t: _score_or_none(mme, t), ctx.valid, theta, score, ai,
                           free, central=central)
        step = ai_step(ctx, theta, score, ai if h is None else h, fixed)
        ok = bool(step.gain <= noise or (
            step.gain <= DEC_TOL * tol
            and ctx.rel_change(theta, theta + step.delta) <= PRED_PARAM * tol_param))
        return ok, h, step

    from asr_py.reml import slow_ai

    ok, h, step = check(central=False)
    if (not ok or h is None) and slow_ai.FD_CENTRAL:
        ok, h, step = check(central=True)
    return ok, ai if h is None else h, step
