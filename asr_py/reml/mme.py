"""Henderson's mixed model equations, the REML log-likelihood, its score and the AI matrix.

Model ``y = Xβ + Zu + e``, ``u ~ N(0, G)``, ``G = blockdiag(G_1(θ), ..., G_m(θ))``,
``e ~ N(0, R(θ))``; ``W = [X Z]`` (n x N, N = p + q). The mixed model equations are

    C ŝ = r,   C = W'R⁻¹W + blockdiag(0_p, G⁻¹),   r = W'R⁻¹y,   ŝ = [β̂; û].

The n x n ``V = ZGZ' + R`` is never formed. With ``y'Py = y'R⁻¹y − ŝ'r`` the full REML
log-likelihood (lme4's ``logLik(REML = TRUE)``) is

    ℓ = −½[(n − p) log 2π + log|R| + Σ_j log|G_j| + log|C| + y'Py]
      = −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + y'Py].

Score (exact; ê = y − Wŝ, so R⁻¹ê = Py):

* G parameter θ_k of block j:
  ``s_k = −½[tr(G⁻¹Ġ_k) − tr(G⁻¹Ġ_kG⁻¹ C^{uu}_j) − û_j'G⁻¹Ġ_kG⁻¹û_j]``
* R parameter: ``s_k = −½[tr(R⁻¹Ṙ_k) − tr(C⁻¹ W'R⁻¹Ṙ_kR⁻¹W) − ê'R⁻¹Ṙ_kR⁻¹ê]``

The traces use C⁻¹ only on the pattern of the matrix it multiplies (a selected inverse).
Average information ``AI_kl = ½ q_k'Pq_l`` from working variates ``q_k = V̇_k Py``
(``Z_j Ġ_k G_j⁻¹ û_j`` or ``Ṙ_k R⁻¹ê``), with ``PQ = R⁻¹Q − R⁻¹W C⁻¹ W'R⁻¹Q`` solved for
all k at once through the same factor of C.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.reml.problem import MixedProblem
from asr_py.reml.solver import Factor, available_backends, choose_backend, factorize
from asr_py.vcov.base import Matrix
from asr_py.vcov.kronecker import Kronecker

LOG2PI = float(np.log(2.0 * np.pi))


def _as_sparse(m: Matrix) -> sp.csc_matrix:
    return sp.csc_matrix(m) if sp.issparse(m) else sp.csc_matrix(np.asarray(m, dtype=float))


def _embed(a: Matrix, offset: int, size: int) -> sp.coo_matrix:
    """Place the square ``a`` at ``[offset:, offset:]`` of a ``size x size`` sparse matrix."""
    if sp.issparse(a):
        c = sp.coo_matrix(a)
        return sp.coo_matrix((c.data, (c.row + offset, c.col + offset)), shape=(size, size))
    d = np.asarray(a, dtype=float)
    r, c = np.nonzero(d)
    return sp.coo_matrix((d[r, c], (r + offset, c + offset)), shape=(size, size))


def _sum_prod(a: Matrix, b: Matrix) -> float:
    """Σ_ij a_ij b_ij (= tr(AB) for symmetric A, B)."""
    if sp.issparse(a):
        return float(a.multiply(b).sum())
    if sp.issparse(b):
        return float(b.multiply(a).sum())
    return float(np.sum(np.asarray(a) * np.asarray(b)))


def _is_scaled_identity(problem: MixedProblem) -> bool:
    """True if the residual is R = θ·I_n with its single parameter θ."""
    res = problem.residual
    if res.n_params != 1 or res.n != problem.y.size:
        return False
    th = problem.theta0[problem.residual_offset:]
    probe = np.array([2.5]) if th[0] <= 0 else th
    try:
        d = res.derivatives(probe)[0]
        m = res.matrix(probe)
    except Exception:  # noqa: BLE001 - a template that cannot be probed is not special
        return False
    n = problem.y.size
    eye = sp.identity(n, format="csc")
    dd = _as_sparse(d) - eye
    mm = _as_sparse(m) - probe[0] * eye
    tol = 1e-12 * max(1.0, abs(probe[0]))
    return (abs(dd).max() if dd.nnz else 0.0) <= 1e-12 and (abs(mm).max() if mm.nnz else 0.0) <= tol


#: parts of a Kronecker G up to this size have their Σ̇_i Σ_i⁻¹ formed densely
KRON_PART_DENSE_MAX = 2000


def _kron_deriv_ginv(template: object, theta: np.ndarray
                     ) -> list[tuple[float, Callable[[np.ndarray], np.ndarray]]] | None:
    """For G = [σ²] Σ_1 ⊗ ... ⊗ Σ_p: per parameter k, (tr(G⁻¹Ġ_k), v ↦ Ġ_k G⁻¹ v) without
    forming Ġ_k (which would need K itself for a known part given as K⁻¹, e.g. A⁻¹):

        Ġ G⁻¹ = I/σ² (scale),   Ġ_ik G⁻¹ = I ⊗ ... ⊗ Σ̇_ik Σ_i⁻¹ ⊗ ... ⊗ I,
        tr(G⁻¹Ġ_ik) = (n / n_i) tr(Σ̇_ik Σ_i⁻¹).

    None when G is not such a product or a part with parameters is large (general path)."""
    if not isinstance(template, Kronecker):
        return None
    s, ths = template.split(theta)
    dims = [p.n for p in template.parts]
    n = template.n
    out: list[tuple[float, Callable[[np.ndarray], np.ndarray]]] = []
    if template.scale:
        out.append((n / s, lambda v, s=s: np.asarray(v, dtype=float) / s))
    for i, (p, t) in enumerate(zip(template.parts, ths)):
        if p.n_params == 0:
            continue
        if p.n > KRON_PART_DENSE_MAX:
            return None
        pinv = p.inverse(t)
        pinv = pinv.toarray() if sp.issparse(pinv) else np.asarray(pinv, dtype=float)
        for d in p.derivatives(t):
            m = (d.toarray() if sp.issparse(d) else np.asarray(d, dtype=float)) @ pinv

            def op(v: np.ndarray, m: np.ndarray = m, i: int = i) -> np.ndarray:
                x = np.asarray(v, dtype=float).reshape(dims)
                return np.moveaxis(np.tensordot(m, x, axes=(1, i)), 0, i).reshape(-1)

            out.append((float(np.trace(m)) * (n // p.n), op))
    return out


@dataclass
class MMEState:
    """Everything computed at one θ: C's factor, the solution and the log-likelihood."""

    theta: np.ndarray
    factor: Factor
    sol: np.ndarray
    loglik: float
    ypy: float
    logdet_c: float
    logdet_r: float
    logdet_g: list[float]
    ginv: list[Matrix]
    rinv: Matrix | None  # None when R = σ²I (scaled path)
    r_scale: float | None
    extra: dict = field(default_factory=dict)


class MME:
    """Assembles and factors C for a :class:`MixedProblem`; computes ℓ, score and AI."""

    def __init__(self, problem: MixedProblem, solver: str = "auto", *,
                 exploit_scaled_identity: bool = True) -> None:
        if solver != "auto" and solver not in available_backends():
            raise ModelError(f"unknown solver {solver!r}",
                             hint=f"use 'auto' or one of {sorted(available_backends())}")
        self.problem = problem
        y = np.asarray(problem.y, dtype=float).ravel()
        if not np.all(np.isfinite(y)):
            raise ModelError("the response contains non-finite values",
                             hint="drop records with missing responses before fitting")
        self.y = y
        self.n = y.size
        x = _as_sparse(problem.X)
        if x.shape[0] != self.n:
            raise ModelError(f"X has {x.shape[0]} rows but y has {self.n} values")
        self.X = x
        self.p = x.shape[1]
        zs = []
        self.u_offsets: list[int] = []
        off = self.p
        for b in problem.random:
            z = _as_sparse(b.Z)
            if z.shape[0] != self.n:
                raise ModelError(
                    f"Z of random term {b.name!r} has {z.shape[0]} rows, y has {self.n}")
            if z.shape[1] != b.template.n:
                raise ModelError(
                    f"random term {b.name!r}: Z has {z.shape[1]} columns but its covariance "
                    f"template is {b.template.n} x {b.template.n}")
            zs.append(z)
            self.u_offsets.append(off)
            off += z.shape[1]
        self.Z = zs
        self.N = off
        self.W = sp.hstack([x, *zs], format="csc") if zs else x.copy()
        if problem.residual.n != self.n:
            raise ModelError(f"the residual template is {problem.residual.n} x "
                             f"{problem.residual.n} but there are {self.n} records")
        self.scaled = exploit_scaled_identity and _is_scaled_identity(problem)
        if self.scaled:
            self.WtW = (self.W.T @ self.W).tocsc()
            self.Wty = np.asarray(self.W.T @ y).ravel()
            self.yty = float(y @ y)
        self.solver = solver
        self.backend: str | None = None
        self._last_factor: Factor | None = None
        self._check_x_rank()

    # ------------------------------------------------------------------------------------
    def _check_x_rank(self) -> None:
        if self.p == 0:
            return
        xtx = (self.X.T @ self.X).toarray()
        ev = np.linalg.eigvalsh(xtx)
        if ev[0] <= 1e-10 * max(ev[-1], 1e-300):
            raise ModelError(
                f"the fixed-effects design X ({self.n} x {self.p}) is not of full column rank",
                hint="drop aliased fixed-effect columns before building the MixedProblem")

    def theta_block(self, theta: np.ndarray, j: int) -> np.ndarray:
        return theta[self.problem.slices()[j]]

    def assemble(self, theta: np.ndarray) -> tuple[sp.csc_matrix, np.ndarray, float, float,
                                                   list[float], list[Matrix], Matrix | None,
                                                   float | None]:
        """C, r, y'R⁻¹y, log|R|, [log|G_j|], [G_j⁻¹], R⁻¹ (or None), σ² (scaled path)."""
        prob = self.problem
        ginv, ldg = [], []
        for j, b in enumerate(prob.random):
            tj = self.theta_block(theta, j)
            ginv.append(b.template.inverse(tj))
            ldg.append(float(b.template.logdet(tj)))
        tr = theta[prob.residual_offset:]
        if self.scaled:
            s2 = float(tr[0])
            if not s2 > 0:
                raise np.linalg.LinAlgError("residual variance not positive")
            c = self.WtW / s2
            r = self.Wty / s2
            yry = self.yty / s2
            ldr = self.n * float(np.log(s2))
            rinv = None
        else:
            s2 = None
            rinv = prob.residual.inverse(tr)
            rinv = _as_sparse(rinv) if sp.issparse(rinv) else np.asarray(rinv)
            riw = rinv @ self.W
            riw = sp.csc_matrix(riw) if sp.issparse(riw) else np.asarray(riw)
            c = sp.csc_matrix(self.W.T @ riw)
            riy = np.asarray(rinv @ self.y).ravel()
            r = np.asarray(self.W.T @ riy).ravel()
            yry = float(self.y @ riy)
            ldr = float(prob.residual.logdet(tr))
        if prob.random:
            gblocks = [_embed(g, o, self.N) for g, o in zip(ginv, self.u_offsets)]
            c = (c + sum(gblocks[1:], gblocks[0])).tocsc()
        return c, r, yry, ldr, ldg, ginv, rinv, s2

    def evaluate(self, theta: np.ndarray) -> MMEState:
        """Factor C at θ and compute ŝ and ℓ. Raises LinAlgError if C or a G/R is not PD."""
        theta = np.asarray(theta, dtype=float).copy()
        c, r, yry, ldr, ldg, ginv, rinv, s2 = self.assemble(theta)
        if self.backend is None:
            self.backend = choose_backend(c, self.solver)
        # C's pattern is the same at every θ: refactor() lets a backend keep its symbolic
        # analysis (ordering, supernodes, selected-inverse plan) across evaluations
        last = self._last_factor
        fac = last.refactor(c) if last is not None else factorize(c, self.backend)
        self._last_factor = fac
        sol = fac.solve(r)
        ypy = yry - float(sol @ r)
        ldc = fac.logdet()
        ll = -0.5 * ((self.n - self.p) * LOG2PI + ldr + sum(ldg) + ldc + ypy)
        if not np.isfinite(ll):
            raise np.linalg.LinAlgError("non-finite log-likelihood")
        return MMEState(theta, fac, sol, float(ll), ypy, ldc, ldr, ldg, ginv, rinv, s2)

    # ------------------------------------------------------------------------------------
    def residuals(self, st: MMEState) -> np.ndarray:
        return self.y - np.asarray(self.W @ st.sol).ravel()

    def rinv_times(self, st: MMEState, a: np.ndarray) -> np.ndarray:
        if st.rinv is None:
            return a / st.r_scale
        return np.asarray(st.rinv @ a)

    def score_ai(self, st: MMEState) -> tuple[np.ndarray, np.ndarray]:
        """Exact REML score and the average-information matrix over all θ at ``st``."""
        prob = self.problem
        theta = st.theta
        nt = prob.n_theta
        e = self.residuals(st)
        py = self.rinv_times(st, e)  # P y = R⁻¹ ê
        # ---- collect the matrices whose traces with C⁻¹ are needed -------------------
        pats = []
        g_derivs, idi_all = [], []
        for j, b in enumerate(prob.random):
            tj = self.theta_block(theta, j)
            idis = b.template.inv_deriv_inv(tj)
            fast = _kron_deriv_ginv(b.template, tj)
            g_derivs.append(fast if fast is not None else b.template.derivatives(tj))
            idi_all.append(idis)
            for a in idis:
                pats.append(_embed(a, self.u_offsets[j], self.N))
        tr = theta[prob.residual_offset:]
        r_ders: list[Matrix] = []
        m_mats: list[Matrix] = []
        if self.scaled:
            pats.append(sp.coo_matrix(self.WtW))
        else:
            r_ders = prob.residual.derivatives(tr)
            for d in r_ders:
                rdr = st.rinv @ _as_sparse(d) @ st.rinv if sp.issparse(st.rinv) \
                    else st.rinv @ (d.toarray() if sp.issparse(d) else d) @ st.rinv
                m = self.W.T @ (sp.csc_matrix(rdr) @ self.W) if sp.issparse(rdr) \
                    else self.W.T @ (self.W.T @ rdr).T
                m_mats.append((m, rdr))
                pats.append(sp.coo_matrix(m))
        if pats:
            pat = sum(abs(sp.csc_matrix(p_)) for p_ in pats)
            pat = (pat != 0).astype(float).tocsc()
            csel = st.factor.inverse_on(pat)
        else:
            csel = sp.csc_matrix((self.N, self.N))
        score = np.zeros(nt)
        q = np.zeros((self.n, nt))
        for j, b in enumerate(prob.random):
            o = self.u_offsets[j]
            qj = b.template.n
            uj = st.sol[o:o + qj]
            gu = np.asarray(st.ginv[j] @ uj).ravel()
            csub = csel[o:o + qj, o:o + qj]
            for k, (d, idi) in enumerate(zip(g_derivs[j], idi_all[j])):
                t2 = _sum_prod(idi, csub)
                t3 = float(uj @ np.asarray(idi @ uj).ravel())
                if isinstance(d, tuple):  # (tr(G⁻¹Ġ_k), v -> Ġ_k G⁻¹ v) of a Kronecker G
                    t1, dgu = d[0], d[1](uj)
                else:
                    t1, dgu = _sum_prod(st.ginv[j], d), np.asarray(d @ gu).ravel()
                score[b.offset + k] = -0.5 * (t1 - t2 - t3)
                q[:, b.offset + k] = np.asarray(self.Z[j] @ dgu).ravel()
        ro = prob.residual_offset
        if self.scaled:
            s2 = st.r_scale
            t1 = self.n / s2
            t2 = _sum_prod(self.WtW, csel) / s2**2
            t3 = float(e @ e) / s2**2
            score[ro] = -0.5 * (t1 - t2 - t3)
            q[:, ro] = e / s2
        else:
            for k, (d, (m, rdr)) in enumerate(zip(r_ders, m_mats)):
                t1 = _sum_prod(st.rinv, d)
                t2 = _sum_prod(m, csel)
                t3 = float(e @ np.asarray(rdr @ e).ravel())
                score[ro + k] = -0.5 * (t1 - t2 - t3)
                q[:, ro + k] = np.asarray(d @ py).ravel()
        # ---- AI = ½ [Q'R⁻¹Q − (W'R⁻¹Q)' C⁻¹ (W'R⁻¹Q)] --------------------------------
        riq = self.rinv_times(st, q)
        bq = np.asarray(self.W.T @ riq)
        cbq = st.factor.solve(bq)
        ai = 0.5 * (q.T @ riq - bq.T @ cbq)
        ai = 0.5 * (ai + ai.T)
        return score, ai

    def em_information(self, theta: np.ndarray) -> np.ndarray:
        """Complete-data (EM) information I_c, block diagonal by template:
        ``I_c[k, l] = ½ tr(Σ⁻¹Σ̇_kΣ⁻¹Σ̇_l)`` for k, l parameters of the same Σ (a G_j or R).
        For Σ = σ²K it is m/(2σ⁴), so θ + I_c⁻¹s is the EM-REML update."""
        prob = self.problem
        out = np.zeros((prob.n_theta, prob.n_theta))
        temps = [b.template for b in prob.random] + [prob.residual]
        for t, sl in zip(temps, prob.slices()):
            if sl.stop == sl.start:
                continue
            th = theta[sl]
            ders = t.derivatives(th)
            idis = t.inv_deriv_inv(th)
            k = len(ders)
            blk = np.empty((k, k))
            for a in range(k):
                for b in range(a, k):
                    blk[a, b] = blk[b, a] = 0.5 * _sum_prod(idis[a], ders[b])
            out[sl, sl] = blk
        return out
