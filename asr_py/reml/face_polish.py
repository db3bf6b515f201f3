"""s32face: the optimum of a fit that ended with a covariance matrix on (or near) its
positive-definite face, checked in the Cholesky parametrisation.

The AI iteration reaches a singular M (us, and the us parts of Kronecker products; pd_face.py)
through its face steps and stopping rules, which judge the face by the analytic score, and
that score loses its digits as M approaches its face (G⁻¹ has eigenvalues ~ 1/(c v)). Three
rules then stop short of the face's optimum: the stall rule (3 iterations whose failed face
steps change nothing), the collapse to M = 0 (face_fd.zero_confirmed: ℓ read a thousandth of
the way back, along M's own direction and each variance alone, while ℓ rises along a mixed
rank-1 direction), and a face step converged where its wrong gradient predicts no gain
(session-32 fuzz, benchmarks/face_fuzz.py: 13 of 240 fits "converged" up to 0.0065 below
lme4 and the dense-V optimum).

Here ℓ itself is maximised (BFGS; gradient J'(∂ℓ/∂θ), J = ∂θ/∂z, from the analytic score
away from the face, where it keeps its digits; first inverse Hessian (J'AIJ)⁻¹) over

    M = S (LL' + c Diag(LL')) S,   L lower triangular n x n,   S = diag(s),
    s_i² = max(M_ii, se(M_ii)),   se from the fit's AI matrix (units-free),

in which the face is an interior point (lme4's parametrisation), with every other 'P'
parameter as θ_k e^{z_k} and the rest held. L starts at the Cholesky factor of
S⁻¹MS⁻¹ + NUDGE I (in L, a zero column is a stationary point: the normal directions of the
face must start off it). When ℓ ends more than the fit's tolerance above the fit's, the fit
is redone from there, the blocks' correlation eigenvalues lifted to the iteration's floor
PD_EPS (ai._face_polish), and kept when it is that much higher.

s33polish: (ℓ, score) come from the form the fit's iteration evaluated (RemlResult.form: no
second symbolic analysis) and its score alone (``score``: no AI matrix); where BFGS stops on
a loss of precision within the tolerance above the fit's ℓ, it is run again on V
(form_choice.precise_form: no G⁻¹). Which stops need the polish (benchmarks/face_fuzz.py,
two fuzzes of 240): improvements followed the stall rule, the collapse to zero, maxit and
(once) the on-face Newton stop, so it stays on after every singular ending.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import OptimizeResult, minimize

from asr_py.reml.pd_blocks import PDBlock, pd_blocks
from asr_py.reml.pd_face import FINAL_RIDGE, RANK_TOL
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult
from asr_py.reml.tuning import PD_EPS

#: BFGS iterations of the polish
POLISH_MAXITER = 60
#: ... and after this many evaluations of (ℓ, score) (the fuzz's gains took <= 53)
MAX_EVALS = 100
#: ... stopped below the fit's ℓ when the pace of the last STALL_ITERS iterations would
#: not reach it in PACE_ITERS more
STALL_ITERS = 4
PACE_ITERS = 10
#: the correlation-scale eigenvalues of a singular block's start lifted by this
NUDGE = 1e-3
#: scipy's BFGS status: "Desired error not necessarily achieved due to precision loss"
PRECISION_LOSS = 2
NOTE = ("the fit ended with a singular covariance matrix {gap:.3g} below the optimum that ℓ, "
        "maximised over its Cholesky factor, reached; refitted from there")

ValueScore = Callable[[np.ndarray], "tuple[float, np.ndarray] | None"]


def singular(b: PDBlock, theta: np.ndarray) -> bool:
    """A covariance block whose correlation matrix has an eigenvalue below RANK_TOL or
    with a variance at (or below) zero."""
    m = b.matrix(theta)
    d = np.diag(m)
    if not np.all(np.isfinite(m)):
        return False
    if np.any(d <= 0):
        return True
    sd = np.sqrt(d)
    return bool(np.linalg.eigvalsh(m / np.outer(sd, sd))[0] < RANK_TOL)


class _Coords:
    """θ(z): the blocks' S (LL' + c Diag(LL')) S from their L entries, exp-scaled 'P'
    parameters, the rest at θ₀."""

    def __init__(self, theta: np.ndarray, blocks: list[PDBlock], scales: list[np.ndarray],
                 pos: np.ndarray) -> None:
        self.theta0, self.blocks, self.scales, self.pos = theta, blocks, scales, pos
        self.tri = [np.tril_indices(b.E.shape[1]) for b in blocks]
        self.pinv = [np.linalg.pinv(b.basis) for b in blocks]  # J's map vec(Ṁ) -> θ̇_b

    def start(self) -> np.ndarray:
        z = []
        for b, s, tri in zip(self.blocks, self.scales, self.tri):
            c = b.matrix(self.theta0) / np.outer(s, s)
            c = 0.5 * (c + c.T)
            w, v = np.linalg.eigh(c)
            c = (v * np.maximum(w, 0.0)) @ v.T + NUDGE * np.eye(c.shape[0])
            z.append(np.linalg.cholesky(c)[tri])
        z.append(np.zeros(self.pos.size))
        return np.concatenate(z)

    def theta(self, z: np.ndarray) -> np.ndarray:
        th = self.theta0.copy()
        o = 0
        for b, s, tri in zip(self.blocks, self.scales, self.tri):
            n = b.E.shape[1]
            L = np.zeros((n, n))
            L[tri] = z[o:o + len(tri[0])]
            o += len(tri[0])
            m = L @ L.T
            m = (m + FINAL_RIDGE * np.diag(np.diag(m))) * np.outer(s, s)
            th[b.idx] = b.params_of(m)
        th[self.pos] = self.theta0[self.pos] * np.exp(z[o:])
        return th

    def jacobian(self, z: np.ndarray, th: np.ndarray) -> np.ndarray:
        """J = ∂θ/∂z: dM/dL_ij = S(e_i l_j' + l_j e_i')S (+ c Diag), l_j column j of L."""
        J = np.zeros((th.size, z.size))
        o = 0
        for b, s, tri, P in zip(self.blocks, self.scales, self.tri, self.pinv):
            n = b.E.shape[1]
            L = np.zeros((n, n))
            L[tri] = z[o:o + len(tri[0])]
            for i, j in zip(*tri):
                dm = np.zeros((n, n))
                dm[i, :] += L[:, j]
                dm[:, i] += L[:, j]
                dm += FINAL_RIDGE * np.diag(np.diag(dm))
                J[b.idx, o] = P @ (dm * np.outer(s, s)).ravel()
                o += 1
        J[self.pos, o + np.arange(self.pos.size)] = th[self.pos]
        return J


def _scales(b: PDBlock, theta: np.ndarray, ai: np.ndarray) -> np.ndarray:
    """s_i = sqrt(max(M_ii, se(M_ii))): se from the AI matrix's diagonal of the parameter
    that is M_ii (M's own size where the data inform it, else its standard error)."""
    m = b.matrix(theta)
    n = m.shape[0]
    s = np.empty(n)
    for i in range(n):
        k = int(np.argmax(np.abs(b.E[:, i, i])))
        a = float(ai[b.idx[k], b.idx[k]]) if ai.shape[0] > b.idx[k] else 0.0
        se = 1.0 / np.sqrt(a) if np.isfinite(a) and a > 0 else abs(m[i, i])
        s[i] = np.sqrt(max(m[i, i], se, 1e-300))
    return s


def _spans(b: PDBlock) -> bool:
    """The block's parameters represent every symmetric n x n matrix (us does; LL' must
    map back to θ_b exactly)."""
    n = b.E.shape[1]
    return int(np.linalg.matrix_rank(b.basis)) == n * (n + 1) // 2


def _fisher_inverse(J: np.ndarray, ai: np.ndarray) -> np.ndarray | None:
    """(J'AIJ)⁻¹, BFGS's first inverse Hessian (the fit's AI matrix carried to z), or None
    when it is not positive definite."""
    h = J.T @ ai @ J
    h = 0.5 * (h + h.T)
    d = np.diag(h)
    if not np.all(np.isfinite(h)) or np.any(d <= 0):
        return None
    r = 1.0 / np.sqrt(d)
    try:
        c = np.linalg.cholesky(h * np.outer(r, r) + 1e-10 * np.eye(d.size))
    except np.linalg.LinAlgError:
        return None
    ci = np.linalg.inv(c)
    return (ci.T @ ci) * np.outer(r, r)


def candidates(problem: MixedProblem, theta: np.ndarray, constraints: list[str]
               ) -> list[PDBlock]:
    """The blocks the polish works on at θ: covariance matrices whose parameters span the
    symmetric matrices (us) and that are singular there."""
    theta = np.asarray(theta, dtype=float)
    return [b for b in pd_blocks(problem, list(constraints))
            if not b.corr and _spans(b) and singular(b, theta)]


def polish(problem: MixedProblem, res: RemlResult, value_score: ValueScore, tol: float,
           precise: Callable[[], ValueScore | None] | None = None
           ) -> tuple[np.ndarray, float] | None:
    """(θ, ℓ) of the polish when it ends more than ``tol`` above the fit's ℓ, else None
    (no singular covariance block, or nothing gained). ``value_score(θ)``: (ℓ, ∂ℓ/∂θ) or
    None where θ cannot be evaluated; the gradient in z is J'(∂ℓ/∂θ), J = ∂θ/∂z (off the
    face the analytic score keeps its digits). s33polish: when BFGS stops on a loss of
    precision above the fit's ℓ but within ``tol`` of it, it is run again (from its start) on
    ``precise()``'s (ℓ, score) if that gives one (V: no G⁻¹, whose eigenvalues ~ 1/(c v)
    take the digits of the MME's ℓ and score near the face; fuzz d197 stopped 2.7e-6 short
    of the dense-V optimum on the MME, reached it on V)."""
    theta = np.asarray(res.theta, dtype=float)
    cons = list(res.constraints)
    blocks = candidates(problem, theta, cons)
    if not blocks:
        return None
    ai = np.asarray(res.ai, dtype=float)
    if ai.shape != (theta.size, theta.size):
        return None
    in_b = np.zeros(theta.size, dtype=bool)
    for b in blocks:
        in_b[b.idx] = True
    pos = np.flatnonzero(~in_b & (np.asarray(cons) == "P") & (theta > 0))
    co = _Coords(theta, blocks, [_scales(b, theta, ai) for b in blocks], pos)

    evals = [0]

    def negative(vs: ValueScore) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
        def neg(z: np.ndarray) -> tuple[float, np.ndarray]:
            evals[0] += 1
            th = co.theta(z)
            got = vs(th) if np.all(np.isfinite(th)) else None
            if got is None or not np.isfinite(got[0]) or not np.all(np.isfinite(got[1])):
                return np.inf, np.zeros(z.size)
            return -got[0], -(co.jacobian(z, th).T @ got[1])

        return neg

    neg = negative(value_score)
    z0 = co.start()
    if not np.isfinite(neg(z0)[0]):
        return None
    seen: list[float] = []

    def flat(intermediate_result: OptimizeResult) -> None:
        """Stop below the fit's ℓ + tol when the last STALL_ITERS iterations' pace would
        not reach it in PACE_ITERS more (or gained < tol / 10)."""
        seen.append(-float(intermediate_result.fun))
        if evals[0] >= MAX_EVALS:
            raise StopIteration
        if len(seen) <= STALL_ITERS or seen[-1] > res.loglik + tol:
            return
        pace = (seen[-1] - seen[-1 - STALL_ITERS]) / STALL_ITERS
        if pace * STALL_ITERS < 0.1 * tol or pace * PACE_ITERS < res.loglik + tol - seen[-1]:
            raise StopIteration

    opts: dict = {"maxiter": POLISH_MAXITER, "gtol": 1e-6}
    h0 = _fisher_inverse(co.jacobian(z0, co.theta(z0)), ai)
    if h0 is not None:
        opts["hess_inv0"] = h0
    r = minimize(neg, z0, jac=True, method="BFGS", callback=flat, options=opts)
    best = -float(r.fun)
    if precise is not None and r.status == PRECISION_LOSS and res.loglik < best <= res.loglik + tol:
        vs = precise()
        if vs is not None:
            evals[0] = 0
            seen.clear()
            r2 = minimize(negative(vs), z0, jac=True, method="BFGS", callback=flat,
                          options=opts)  # (from r.x its curvature is lost: d197 crawled)
            if np.isfinite(r2.fun) and -float(r2.fun) > best:
                r, best = r2, -float(r2.fun)
    if not np.isfinite(best) or best <= res.loglik + tol:
        return None
    th = co.theta(r.x)
    for b in blocks:  # the refit's start: eigenvalues lifted to the iteration's floor
        lifted = b.project(th, PD_EPS)
        if lifted is not None:
            th = lifted
    return th, best
