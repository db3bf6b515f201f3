"""AI-REML iterations (Gilmour, Thompson & Cullis 1995) with step halving, EM fallback and
boundary handling. See docs/method.md for the method and the convergence rule.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.reml.mme import MME, MMEState
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult

#: relative size (to the phenotypic variance) of the value a 'P' parameter is held at
BOUNDARY_REL = 1e-9
#: maximum number of step halvings per iteration
MAX_HALVINGS = 8
#: a step may lower ℓ by this much (relative) and still count as not decreasing (round-off)
LL_SLACK = 1e-11
#: a 'P' parameter pushed below zero moves to this fraction of its value instead
SHRINK = 1e-3


class _Ctx:
    """Per-parameter constants of a problem: kinds, bounds, boundary value, scales."""

    def __init__(self, problem: MixedProblem, yvar: float) -> None:
        kinds: list[str] = []
        lo: list[np.ndarray] = []
        hi: list[np.ndarray] = []
        temps = [b.template for b in problem.random] + [problem.residual]
        for t in temps:
            k = list(t.param_kinds)
            kinds += k
            lo.append(t.lower())
            hi.append(t.upper())
        self.templates = temps
        self.slices = problem.slices()
        self.kinds = kinds
        self.lower = np.concatenate(lo) if lo else np.zeros(0)
        self.upper = np.concatenate(hi) if hi else np.zeros(0)
        self.cons = [c.upper() for c in problem.constraints]
        self.bval = BOUNDARY_REL * max(yvar, 1e-300)
        # scale used in the relative parameter change
        vscale = [abs(t) for t, k in zip(problem.theta0, kinds) if k in ("variance", "covariance")]
        self.vfloor = 1e-4 * max(vscale) if vscale else 1e-4

    def valid(self, theta: np.ndarray) -> bool:
        """θ within bounds for 'P'/'B' parameters and every template valid (PD)."""
        for k, c in enumerate(self.cons):
            if c == "P" and theta[k] < 0:
                return False
            if c == "B" and not (self.lower[k] <= theta[k] <= self.upper[k]):
                return False
        for t, s in zip(self.templates, self.slices):
            if not t.is_valid(theta[s]):
                return False
        return True

    def rel_change(self, old: np.ndarray, new: np.ndarray) -> float:
        if old.size == 0:
            return 0.0
        den = np.array([max(abs(o), self.vfloor if k in ("variance", "covariance") else 1e-4)
                        for o, k in zip(old, self.kinds)])
        return float(np.max(np.abs(new - old) / den))


def _solve_step(ai: np.ndarray, s: np.ndarray) -> tuple[np.ndarray | None, bool]:
    """Newton-type step AI⁻¹ s; returns (step or None, singular flag)."""
    if s.size == 0:
        return np.zeros(0), False
    w, v = np.linalg.eigh(ai)
    if not np.all(np.isfinite(w)):
        return None, True
    if w[0] <= 1e-12 * max(abs(w[-1]), 1e-300):
        return None, True
    return v @ ((v.T @ s) / w), False


def _em_step(mme: MME, theta: np.ndarray, s: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """EM-REML step δ = I_c⁻¹ s over the parameters ``idx`` (see :meth:`MME.em_information`).

    For a covariance linear in its parameters (σ²K, us, diag, their Kronecker products with
    a known matrix) θ + δ is exactly the EM-REML update of that template; in general I_c is
    positive definite, so δ is an ascent direction.
    """
    if idx.size == 0:
        return np.zeros(0)
    ic = mme.em_information(theta)[np.ix_(idx, idx)]
    w, v = np.linalg.eigh(ic)
    w = np.maximum(w, 1e-12 * max(float(w.max()), 1e-300))
    return v @ ((v.T @ s[idx]) / w)


def loglik_at(problem: MixedProblem, theta: np.ndarray, *, solver: str = "auto") -> float:
    """The full REML log-likelihood ℓ(θ) (lme4's ``logLik(REML = TRUE)`` convention)."""
    return MME(problem, solver=solver).evaluate(np.asarray(theta, dtype=float)).loglik


def score_ai_at(problem: MixedProblem, theta: np.ndarray, *,
                solver: str = "auto") -> tuple[float, np.ndarray, np.ndarray]:
    """(ℓ, score, AI) at θ over all parameters."""
    mme = MME(problem, solver=solver)
    st = mme.evaluate(np.asarray(theta, dtype=float))
    s, a = mme.score_ai(st)
    return st.loglik, s, a


def fit_reml(
    problem: MixedProblem,
    *,
    maxit: int = 30,
    tol_loglik: float = 1e-8,
    tol_param: float = 1e-6,
    trace: bool = False,
    callback: Callable[[dict], None] | None = None,
    solver: str = "auto",
) -> RemlResult:
    """Fit ``problem`` by AI-REML and return a :class:`RemlResult` (never raises on
    non-convergence: the best estimates so far come back with ``converged=False``).

    Converged when, after an accepted step, ``|Δℓ| <= tol_loglik * max(1, |ℓ|)`` and the
    largest relative parameter change ``max_k |Δθ_k| / max(|θ_k|, floor_k) <= tol_param``
    (floor: 1e-4 x the largest starting variance for variances/covariances, 1e-4 otherwise).
    ``solver``: 'auto' (dense up to 300 equations or for a dense C, else sparse; see
    :func:`asr_py.reml.solver.choose_backend`) or a backend name registered with
    :func:`asr_py.reml.solver.register_backend` ('dense', 'sparse', ...).
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
    mme = MME(problem, solver=solver)
    yvar = float(np.var(mme.y)) if mme.n > 1 else 1.0
    ctx = _Ctx(problem, yvar if yvar > 0 else 1.0)
    theta = problem.theta0.astype(float).copy()
    nt = theta.size
    if not ctx.valid(theta):
        raise ModelError(
            "the starting values are outside the parameter space "
            f"({dict(zip(problem.names, np.round(theta, 6)))})",
            hint="variances must be positive, correlations inside (-1, 1) and every "
                 "covariance matrix positive definite")
    t0 = time.perf_counter()
    try:
        st = mme.evaluate(theta)
    except np.linalg.LinAlgError as exc:
        raise ModelError(f"the mixed model equations cannot be solved at the start values: {exc}",
                         hint="check for empty random-effect levels or change the start values"
                         ) from None
    fixed = np.array([c == "F" for c in cons], dtype=bool)
    boundary = np.zeros(nt, dtype=bool)
    releases = np.zeros(nt, dtype=int)
    diagnostics: list[str] = []
    history: list[dict] = []

    def record(it: int, method: str, step: float, secs: float) -> None:
        h = {"iteration": it, "loglik": st.loglik, "theta": st.theta.copy(), "step": step,
             "seconds": secs, "method": method}
        history.append(h)
        if trace:
            ps = " ".join(f"{v:.6g}" for v in st.theta)
            print(f"iter {it:3d}  loglik {st.loglik:.6f}  {method:5s} step {step:.3g}  "
                  f"[{ps}]  {secs:.3f}s", flush=True)
        if callback is not None:
            callback(h)

    record(0, "start", 0.0, time.perf_counter() - t0)
    converged = False
    it = 0
    score, ai = mme.score_ai(st)
    sing_flagged = False
    while it < maxit:
        if not np.any(~fixed & ~boundary):
            converged = True
            break
        it += 1
        t_it = time.perf_counter()
        # release boundary parameters whose score points back inside
        for k in np.flatnonzero(boundary):
            if score[k] > 0 and releases[k] < 3:
                boundary[k] = False
                releases[k] += 1
        new_state, method, alpha, theta_new = None, "AI", 0.0, None
        # ---- AI step; 'P' parameters already at their boundary value and pushed further
        # down are held there (active set) and the step is recomputed without them --------
        step_dir = None
        for _ in range(nt + 1):
            free = np.flatnonzero(~fixed & ~boundary)
            if free.size == 0:
                break
            delta, singular = _solve_step(ai[np.ix_(free, free)], score[free])
            if singular:
                if not sing_flagged:
                    diagnostics.append(
                        f"Singularity in Average Information matrix at iteration {it}: "
                        "some parameters are not identifiable from the data; "
                        "a damped AI / EM step was taken (fix or remove a component if it "
                        "persists)")
                    sing_flagged = True
                delta = _damped_step(ai[np.ix_(free, free)], score[free])
            hit = [k for k, dk in zip(free, delta)
                   if cons[k] == "P" and theta[k] <= ctx.bval * (1 + 1e-9) and dk < 0]
            if not hit:
                step_dir = (free, delta)
                break
            boundary[hit] = True
        if step_dir is not None:
            new_state, alpha, theta_new = _line_search(mme, ctx, st, theta, *step_dir, cons)
        if new_state is not None and alpha < 0.25:
            # a heavily damped AI step: an EM step may do better (far from the optimum)
            free = np.flatnonzero(~fixed & ~boundary)
            em_state, em_alpha, em_theta = _line_search(
                mme, ctx, st, theta, free, _em_step(mme, theta, score, free), cons)
            if em_state is not None and em_state.loglik > new_state.loglik:
                new_state, alpha, theta_new, method = em_state, em_alpha, em_theta, "EM"
        if new_state is None:
            method = "EM"
            free = np.flatnonzero(~fixed & ~boundary)
            delta = _em_step(mme, theta, score, free)
            new_state, alpha, theta_new = _line_search(mme, ctx, st, theta, free, delta, cons)
        if new_state is None:
            diagnostics.append(
                f"iteration {it}: neither an AI nor an EM step increased the log-likelihood; "
                "stopped with the best estimates so far (try other start values)")
            # the start of this iteration is the best point
            break
        ll_old, theta_old = st.loglik, st.theta
        st = new_state
        theta = theta_new.copy()
        record(it, method, alpha, time.perf_counter() - t_it)
        score, ai = mme.score_ai(st)
        dll = abs(st.loglik - ll_old)
        dpar = ctx.rel_change(theta_old, theta)
        if dll <= tol_loglik * max(1.0, abs(st.loglik)) and dpar <= tol_param:
            converged = True
            break
    if not converged and it >= maxit:
        diagnostics.append(
            f"did not converge in {maxit} iterations (last change in loglik "
            f"{history[-1]['loglik'] - history[-2]['loglik'] if len(history) > 1 else 0:.3g}); "
            "returned the last estimates (increase maxit or change start values)")
    return _build_result(problem, mme, st, score, ai, fixed, boundary, converged, it,
                         history, diagnostics, cons, ctx)


def _damped_step(ai: np.ndarray, s: np.ndarray) -> np.ndarray:
    """(AI + λ diag(AI) + μI)⁻¹ s with the smallest λ in 1e-3..1e3 that makes it PD."""
    dg = np.clip(np.diag(ai), 0.0, None)
    mu = 1e-10 * max(float(dg.max()) if dg.size else 1.0, 1e-300)
    for lam in (1e-3, 1e-2, 1e-1, 1.0, 10.0, 1e2, 1e3):
        a = ai + np.diag(lam * dg + mu)
        try:
            lch = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            continue
        return np.linalg.solve(lch.T, np.linalg.solve(lch, s))
    return s / np.maximum(dg + mu, 1e-300)


def _line_search(mme: MME, ctx: _Ctx, st: MMEState, theta: np.ndarray, free: np.ndarray,
                 delta: np.ndarray, cons: list[str]
                 ) -> tuple[MMEState | None, float, np.ndarray | None]:
    """Try θ + αδ for α = 1, ½, ¼, ...; accept the first valid point that does not lower ℓ.

    A 'P' parameter that the step would take below zero is projected to
    max(θ_k + αδ_k, θ_k·SHRINK, boundary value): it approaches zero geometrically and is
    held at the boundary value once it gets there (see :func:`fit_reml`).
    """
    alpha = 1.0
    slack = LL_SLACK * max(1.0, abs(st.loglik))
    pk = np.array([cons[k] == "P" for k in free], dtype=bool)
    for _ in range(MAX_HALVINGS + 1):
        cand = theta.copy()
        v = theta[free] + alpha * delta
        low = pk & (v < theta[free] * SHRINK)
        v[low] = np.maximum(np.maximum(v[low], theta[free][low] * SHRINK), ctx.bval)
        cand[free] = v
        if ctx.valid(cand):
            try:
                new = mme.evaluate(cand)
            except (np.linalg.LinAlgError, ValueError):
                new = None
            if new is not None and new.loglik >= st.loglik - slack:
                return new, alpha, cand
        alpha *= 0.5
    return None, 0.0, None


def _build_result(problem: MixedProblem, mme: MME, st: MMEState, score: np.ndarray,
                  ai: np.ndarray, fixed: np.ndarray, boundary: np.ndarray, converged: bool,
                  it: int, history: list[dict], diagnostics: list[str], cons: list[str],
                  ctx: _Ctx) -> RemlResult:
    nt = problem.n_theta
    free = ~fixed & ~boundary
    ai_out = ai.copy()
    ai_out[~free, :] = np.nan
    ai_out[:, ~free] = np.nan
    vc = np.full((nt, nt), np.nan)
    fi = np.flatnonzero(free)
    if fi.size:
        sub = ai[np.ix_(fi, fi)]
        w = np.linalg.eigvalsh(sub)
        if np.all(np.isfinite(w)) and w[0] > 1e-12 * max(abs(w[-1]), 1e-300):
            vc[np.ix_(fi, fi)] = np.linalg.inv(sub)
        else:
            msg = ("Singularity in Average Information matrix at the final estimates: "
                   "standard errors of the variance parameters are not available")
            if msg not in diagnostics:
                diagnostics.append(msg)
    out_cons = list(cons)
    for k in np.flatnonzero(boundary):
        out_cons[k] = "B"
        diagnostics.append(
            f"parameter {problem.names[k]!r} is held at its boundary ({st.theta[k]:.3g}); "
            "the data support a value of zero (consider removing the term or fixing it)")
    p = mme.p
    beta = st.sol[:p].copy()
    us, pevs = [], []
    pat_diag = sp.identity(mme.N, format="csc")
    diag_inv = st.factor.inverse_on(pat_diag).diagonal() if mme.N > p else np.zeros(mme.N)
    for j, b in enumerate(problem.random):
        o = mme.u_offsets[j]
        us.append(st.sol[o:o + b.template.n].copy())
        pevs.append(np.asarray(diag_inv[o:o + b.template.n]).copy())
    fitted = np.asarray(mme.W @ st.sol).ravel()
    vbeta = st.factor.inverse_block(np.arange(p)) if p else np.zeros((0, 0))
    return RemlResult(
        theta=st.theta.copy(), names=list(problem.names), constraints=out_cons,
        loglik=st.loglik, converged=converged, n_iter=it, history=history,
        score=score.copy(), ai=ai_out, vcov_theta=vc, boundary=boundary.copy(), beta=beta,
        u=us, fitted=fitted, residuals=mme.y - fitted, n_minus_p=mme.n - p,
        vcov_beta=vbeta, pev=pevs, diagnostics=diagnostics, solver=mme.backend or "dense",
        factor=st.factor, u_offsets=list(mme.u_offsets),
    )
