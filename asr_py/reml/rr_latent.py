"""``rr(f, k)`` on its own, fitted in ASReml's extended (latent-factor) form.

A reduced-rank term has G = [σ²] Σ_1 ⊗ … ⊗ ΛΛ' ⊗ … ⊗ Σ_p with Λ the n x k loadings (Ψ = 0,
Thompson et al. 2003): ΛΛ' has rank k < n and no inverse, so Henderson's C with G⁻¹ does not
exist. Written through its latent factors,

    u = M v,   M = I ⊗ … ⊗ Λ ⊗ … ⊗ I,   v ~ N(0, G_v),   G_v = [σ²] Σ_1 ⊗ … ⊗ I_k ⊗ … ⊗ Σ_p,

Z u = (Z M) v and V = Z M G_v M' Z' + … is unchanged, so the REML log-likelihood of the
problem with Z M and G_v (positive definite) is ℓ of the rr model exactly
(:mod:`asr_py.reml.psd` maps a singular known matrix the same way, with a fixed M).
Here M depends on Λ: for a given Λ the other parameters φ are fitted by the engine
(:func:`fit_latent`'s ``fit`` callable, warm-started), and Λ is found by quasi-Newton on the
profile ℓ_p(Λ) = max_φ ℓ(Λ, φ). Its gradient (envelope theorem) is, per loading,

    ∂ℓ/∂M = h v̂' − Z'R⁻¹W C⁻¹[:, v],   h = Z'R⁻¹ê,

since V̇ = Z Ṁ G_v M'Z' + Z M G_v Ṁ'Z', y'PV̇Py = 2 h'Ṁv̂ (v̂ = G_v M'Z'Py) and
tr(PV̇) = 2 tr(Ṁ' Z'P Z M G_v) with P Z M G_v = R⁻¹ W C⁻¹[:, v]; ∂ℓ/∂λ_ij sums the (i, j)
entries of ∂ℓ/∂M over the other factors' levels. At the optimum θ's information matrix is
the negative Hessian of ℓ from central differences of the analytic score (the AI matrix is
not formed for the loadings); standard errors come from its inverse. Results (û = M v̂,
PEV, C⁻¹ for predict) are mapped back as :class:`asr_py.reml.psd.RankReduction` does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.optimize as so
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.reml.problem import MixedProblem, RandomBlock
from asr_py.reml.psd import RankReduction, _BlockMap
from asr_py.reml.result import RemlResult
from asr_py.vcov.base import CovTemplate

#: the profile gradient's largest entry (ℓ units per loading, the loadings relative to their
#: start's size) at which the quasi-Newton search stops
GTOL = 1e-5
#: relative step of the central differences of the score for the information matrix
FD_REL = 1e-5
#: the quasi-Newton search on Λ may take at least this many steps per free loading, whatever
#: the fit's ``maxit`` (which counts AI iterations: one AI step uses the whole curvature,
#: BFGS learns it a direction per step; 21 loadings of rr(Site, 3) over 8 sites needed 43
#: steps and stopped unconverged at maxit = 30, 0.47 below the optimum)
STEPS_PER_LOADING = 5


@dataclass
class _RRTerm:
    """Where a reduced-rank part sits: random block j, its part index, θ indices."""

    j: int
    part: int
    tmpl: CovTemplate
    before: int  # product of the levels of the parts before it
    after: int  # ... and after it
    lam_idx: np.ndarray  # global θ indices of its n·k loadings (asreml's order)
    psi_idx: np.ndarray  # global θ indices of its n '!var' values (held at 0)
    free: np.ndarray  # which loadings are estimated (not a structural zero)


def _parts(t: CovTemplate) -> tuple[bool, list[CovTemplate]]:
    f = t.kronecker_factors()
    return (bool(f[0]), list(f[1])) if f is not None else (False, [t])


def rr_terms(problem: MixedProblem) -> list[_RRTerm]:
    """The reduced-rank parts (``rr(f, k)``, family 'rr') of the problem's random terms."""
    out: list[_RRTerm] = []
    for j, b in enumerate(problem.random):
        scale, parts = _parts(b.template)
        hits = [i for i, p in enumerate(parts) if p.latent_identity() is not None]
        if not hits:
            continue
        if len(hits) > 1:
            raise ModelError(f"the random term {b.name} has {len(hits)} rr() parts",
                             hint="write one rr(f, k) per term")
        i = hits[0]
        start = b.offset + int(scale)
        start += sum(p.n_params for p in parts[:i])
        p = parts[i]
        n = p.n
        idx = np.arange(start, start + p.n_params)
        fixed = np.asarray(p.fixed_mask(), dtype=bool)
        out.append(_RRTerm(j, i, p, int(np.prod([q.n for q in parts[:i]], dtype=np.int64)),
                           int(np.prod([q.n for q in parts[i + 1:]], dtype=np.int64)),
                           idx[n:], idx[:n], ~fixed[n:]))
    return out


def _m_matrix(t: _RRTerm, lam: np.ndarray) -> sp.csr_matrix:
    big = sp.csr_matrix(t.tmpl.loadings(lam))  # type: ignore[attr-defined]
    return sp.csr_matrix(sp.kron(sp.kron(sp.identity(t.before), big),
                                 sp.identity(t.after), format="csr"))


class LatentProblem:
    """The problem with each rr part replaced by I_k and Z_j by Z_j M_j(Λ)."""

    def __init__(self, problem: MixedProblem, terms: list[_RRTerm]) -> None:
        self.problem = problem
        self.terms = terms
        drop = np.concatenate([np.concatenate([t.psi_idx, t.lam_idx]) for t in terms])
        self.keep = np.setdiff1d(np.arange(problem.n_theta), drop)
        self._tmpl: dict[int, CovTemplate] = {}
        for t in terms:
            b = problem.random[t.j]
            _, parts = _parts(b.template)
            eye = t.tmpl.latent_identity()
            assert eye is not None
            parts[t.part] = eye
            self._tmpl[t.j] = b.template.with_factors(parts)

    def reduced(self, theta: np.ndarray, rest: np.ndarray | None = None
                ) -> tuple[MixedProblem, RankReduction]:
        """The reduced problem at the loadings in ``theta`` (start φ: ``rest`` or θ's)."""
        theta = np.asarray(theta, dtype=float)
        by_j = {t.j: t for t in self.terms}
        random, maps = [], []
        for j, b in enumerate(self.problem.random):
            t = by_j.get(j)
            if t is None:
                random.append(RandomBlock(b.name, b.Z, b.template))
                continue
            m = _m_matrix(t, theta[t.lam_idx])
            z = sp.csc_matrix(sp.csr_matrix(b.Z) @ m)
            z.eliminate_zeros()
            random.append(RandomBlock(b.name, z, self._tmpl[j]))
            maps.append(_BlockMap(j, m))
        prob = self.problem
        th0 = theta[self.keep] if rest is None else np.asarray(rest, dtype=float)
        red = dataclasses.replace(
            prob, random=random, theta0=th0,
            constraints=[prob.constraints[i] for i in self.keep],
            names=[prob.names[i] for i in self.keep], param_map=None)
        return red, RankReduction(prob, maps, [])


def loading_gradient(red: MixedProblem, rest: np.ndarray, terms: list[_RRTerm],
                     zs: list, solver: str = "auto") -> tuple[float, list[np.ndarray]]:
    """(ℓ, [∂ℓ/∂λ per rr term, n·k in asreml's order]) at the reduced problem's φ = ``rest``;
    ``zs``: the original problem's Z per random term (see the module docstring)."""
    from asr_py.reml.centering import centre_response
    from asr_py.reml.mme import MME

    mme = MME(centre_response(red)[0], solver=solver)
    st = mme.evaluate(np.asarray(rest, dtype=float))
    e = mme.residuals(st)
    re = mme.rinv_times(st, e)
    out = []
    for t in terms:
        off = mme.u_offsets[t.j]
        n, k = t.tmpl.n, t.tmpl.order  # type: ignore[attr-defined]
        nb, na = t.before, t.after
        vhat = st.sol[off:off + nb * k * na]
        z0 = sp.csc_matrix(zs[t.j])
        h = np.asarray(z0.T @ re).ravel()
        # h v̂' summed over the other factors' levels: Σ_ba h[b,i,a] v̂[b,j,a]
        glam = np.einsum("bia,bja->ij", h.reshape(nb, n, na), vhat.reshape(nb, k, na))
        ba = (np.arange(nb)[:, None] * na + np.arange(na)[None, :]).ravel()  # (b, a) pairs
        b_of, a_of = np.divmod(ba, na)
        z_i = [z0[:, (b_of * n + i) * na + a_of] for i in range(n)]
        for j in range(k):  # Z'R⁻¹W C⁻¹[:, v_j], one factor's columns at a time
            cols = off + (b_of * k + j) * na + a_of
            eye = np.zeros((mme.N, cols.size))
            eye[cols, np.arange(cols.size)] = 1.0
            bj = mme.rinv_times(st, np.asarray(mme.W @ st.factor.solve(eye)))
            for i in range(n):
                glam[i, j] -= float(z_i[i].multiply(bj).sum())
        out.append(glam.T.ravel())  # column by column (asreml's order)
    return st.loglik, out


def fit_latent(problem: MixedProblem, fit: Callable[[MixedProblem], RemlResult], *,
               maxit: int = 200, solver: str = "auto") -> RemlResult:
    """REML fit of a problem with ``rr(f, k)`` terms (see the module docstring); ``fit``
    fits a problem without them (the engine's route). The result is in the original
    coordinates and θ layout (Ψ = 0 held, 'F')."""
    terms = rr_terms(problem)
    lp = LatentProblem(problem, terms)
    theta = np.asarray(problem.theta0, dtype=float).copy()
    for t in terms:
        theta[t.psi_idx] = 0.0
    zs = [b.Z for b in problem.random]
    free_pos = np.concatenate([t.lam_idx[t.free] for t in terms])
    start_rest = theta[lp.keep].copy()
    state: dict[str, np.ndarray] = {"rest": start_rest.copy()}
    hist: list[dict] = []
    cache: dict[bytes, tuple[float, np.ndarray, RemlResult, MixedProblem, RankReduction]] = {}

    def evaluate(x: np.ndarray) -> tuple[float, np.ndarray, RemlResult, MixedProblem,
                                          RankReduction]:
        key = np.asarray(x, dtype=float).tobytes()
        if key in cache:
            return cache[key]
        th = theta.copy()
        th[free_pos] = x
        red, back = lp.reduced(th, rest=state["rest"])
        try:
            r = fit(red)
        except (ModelError, np.linalg.LinAlgError):
            # the warm start (a variance held at its bound by the last fit) may leave C
            # singular: start the other parameters from their own start values again
            red, back = lp.reduced(th, rest=start_rest)
            r = fit(red)
        _, grads = loading_gradient(red, r.theta, terms, zs, solver)
        g = np.concatenate([gr[t.free] for gr, t in zip(grads, terms)])
        state["rest"] = r.theta.copy()
        full = th.copy()
        full[lp.keep] = r.theta
        hist.append({"iteration": len(hist), "loglik": float(r.loglik), "theta": full,
                     "step": 1.0, "seconds": 0.0, "method": "rr-latent"})
        out = (float(r.loglik), g, r, red, back)
        cache.clear()
        cache[key] = out
        return out

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        try:
            ll, g, *_ = evaluate(x)
        except (ModelError, np.linalg.LinAlgError):
            if not hist:  # the start itself: the engine's named error
                raise
            return np.inf, np.zeros_like(x)  # a trial step of the line search: too far
        return -ll, -g

    x0 = theta[free_pos].copy()
    # the search runs on Λ / s (s: the start loadings' size, which carries the data's units)
    # so that its path and stopping rule do not depend on the units of y: BFGS starts from
    # the identity as the Hessian, a step of the wrong size for loadings of 1000 (y x 1000
    # stopped after 2 steps, 15 units of ℓ below the optimum)
    s = float(np.abs(x0).max()) or 1.0

    def fun_scaled(z: np.ndarray) -> tuple[float, np.ndarray]:
        f, gr = fun(z * s)
        return f, gr * s

    opt = so.minimize(fun_scaled, x0 / s, jac=True, method="BFGS",
                      options={"maxiter": max(maxit, STEPS_PER_LOADING * x0.size),
                               "gtol": GTOL})
    opt.x = opt.x * s
    ll, g, r, red, back = evaluate(opt.x)
    th = theta.copy()
    th[free_pos] = opt.x
    th[lp.keep] = r.theta
    mapped = back.result(r)
    if not np.array_equal(hist[-1]["theta"], th):
        hist.append({**hist[-1], "iteration": len(hist), "loglik": float(r.loglik), "theta": th})
    r = dataclasses.replace(r, history=hist)
    return _assemble(problem, lp, terms, th, mapped, r, g, free_pos, opt, solver, zs)


def _full_score(lp: LatentProblem, terms: list[_RRTerm], th: np.ndarray, solver: str,
                zs: list) -> np.ndarray:
    """The score over every θ (rr loadings and the other parameters) at θ."""
    from asr_py.reml.ai import score_ai_at

    red, _ = lp.reduced(th)
    _, s_rest, _ = score_ai_at(red, th[lp.keep], solver=solver)
    _, grads = loading_gradient(red, th[lp.keep], terms, zs, solver)
    s = np.zeros(th.size)
    s[lp.keep] = s_rest
    for t, gr in zip(terms, grads):
        s[t.lam_idx] = np.where(t.free, gr, 0.0)
    return s


def _assemble(problem: MixedProblem, lp: LatentProblem, terms: list[_RRTerm],
              th: np.ndarray, mapped: RemlResult, r: RemlResult, g: np.ndarray,
              free_pos: np.ndarray, opt: so.OptimizeResult, solver: str,
              zs: list) -> RemlResult:
    nt = problem.n_theta
    bound = np.zeros(nt, dtype=bool)
    bound[lp.keep] = r.boundary
    cons = list(problem.constraints)
    for i, c in zip(lp.keep, r.constraints):  # the engine's final codes ('B': held at a bound)
        cons[int(i)] = c
    for t in terms:
        for i in t.psi_idx:
            cons[i] = "F"
    est = np.array([c != "F" for c in cons]) & ~bound
    for t in terms:
        est[t.lam_idx] = t.free
    idx = np.flatnonzero(est)
    score = _full_score(lp, terms, th, solver, zs)
    hess = np.zeros((idx.size, idx.size))
    for a, i in enumerate(idx):
        h = FD_REL * max(1.0, abs(th[i]))
        tp, tm = th.copy(), th.copy()
        tp[i] += h
        tm[i] -= h
        try:
            hess[:, a] = (_full_score(lp, terms, tp, solver, zs)[idx]
                          - _full_score(lp, terms, tm, solver, zs)[idx]) / (2 * h)
        except (np.linalg.LinAlgError, ModelError):
            hess[:, a] = np.nan
    info = -0.5 * (hess + hess.T)
    ai = np.zeros((nt, nt))
    ai[np.ix_(idx, idx)] = info
    vc = np.full((nt, nt), np.nan)
    try:
        if np.all(np.isfinite(info)):
            vc[np.ix_(idx, idx)] = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        pass
    converged = bool(opt.success) and bool(r.converged)
    note = (f"rr(): fitted through its latent factors (u = (Λ ⊗ I) f), the loadings by "
            f"quasi-Newton on the profile log-likelihood ({opt.nit} steps"
            + ("" if opt.success else f", not converged: {opt.message}") + "); standard "
            "errors from the observed information (central differences of the score)")
    return dataclasses.replace(
        mapped, theta=th, names=list(problem.names), constraints=cons,
        converged=converged, n_iter=int(opt.nit) + int(r.n_iter), score=score, ai=ai,
        vcov_theta=vc, boundary=bound, history=list(r.history),
        diagnostics=[note, *mapped.diagnostics], free_map=None,
        face_idx=np.zeros(0, dtype=int), face_dims=[])


def has_rr(problem: MixedProblem) -> bool:
    """Whether a random term of the problem has a reduced-rank ``rr(f, k)`` part."""
    return any(p.latent_identity() is not None for b in problem.random
               for p in _parts(b.template)[1])


__all__ = ["LatentProblem", "fit_latent", "has_rr", "loading_gradient", "rr_terms"]
