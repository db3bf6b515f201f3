"""AI-REML on V = Σ_j Z_j G_j Z_j' + R (n x n): the engine's form when records n are fewer
than the equations N and C would be dense (a genomic vm(geno, G) over environments).

With V = LL', K = (X'V⁻¹X)⁻¹, P = V⁻¹ − V⁻¹X K X'V⁻¹ and V̇_k = Z_j Ġ_k Z_j' (or Ṙ_k):

    ℓ     = −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + y'Py]
    s_k   = −½ tr(P V̇_k) + ½ q_k'Py,   q_k = V̇_k Py          (score)
    AI_kl = ½ q_k'P q_l                                        (average information)
    β̂ = K X'V⁻¹y,   û_j = G_j Z_j'Py,
    C⁻¹ = [[K, −K X'V⁻¹ZG], [−GZ'V⁻¹X K, G − GZ'PZG]]            (Henderson 1975)

No G⁻¹ is formed: a singular genomic G is fitted as it is. Per point the cost is one
Cholesky of V (n³/3) and, for the score, P from it (LAPACK potri, 2n³/3) against N³/3 + 2N³/3
for the dense mixed model equations (:mod:`asr_py.reml.dense_mme`): :func:`prefer_v` picks
this form from those counts before anything is built.

A term whose Z has at most one entry per row (a factor, an interaction of factors) and whose
G is a product s Σ_1 ⊗ ... ⊗ Σ_m gives V_j in record space by gathers,

    (V_j)_ii' = s z_i z_i' Π_l (Σ_l)[c_li, c_li'],

and tr(P V̇_k) for a parameter of Σ_l as ⟨S_l'(H_l)S_l, Σ̇_lk⟩, H_l = s (zz') ∘ P ∘
Π_{l'≠l} (Σ_l')[c_l', c_l'] and S_l the n x n_l incidence of the levels c_l: O(n²) per factor,
never a q x q matrix. Other terms use Z G Z' and Z'PZ (q x q).

The prediction error variances diag(G − GZ'PZG) are column sums of squares of L⁻¹(Z_jG_j)
(a triangular solve, no inverse) less the X part: :meth:`VFactor.diagonal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.reml.memory import check_dense
from asr_py.reml.problem import MixedProblem
from asr_py.reml.solver import Factor, NotPositiveDefinite, _mirror_lower
from asr_py.vcov.base import CovTemplate, Matrix, to_dense

LOG2PI = float(np.log(2.0 * np.pi))

#: dense n x n arrays the V form holds at its peak besides one per gathered term (V's
#: factor, P, a gather, a product)
V_COPIES = 4.0
#: the V form is chosen when its flops per point are below this fraction of the dense
#: mixed model equations' (its O(n²) gathers and the final PEV solve are not counted)
V_FLOP_RATIO = 0.8
#: ... and C has at least this many equations (below, the MME path is fast and exact)
V_MIN_EQUATIONS = 2000
#: a term without a record-space gather uses Z'PZ (q x q): at most this many levels
GENERAL_MAX_LEVELS = 4000
#: columns of Z_jG_j solved at a time for the prediction error variances
PEV_BLOCK = 512


# ------------------------------------------------------------------------------ terms
#: a factor of at most this many levels is gathered as E Σ E' (E the n x n_l incidence, BLAS)
GATHER_GEMM_MAX = 64


def _gather(m: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Σ[c_i, c_j] (n x n): E Σ E' for a small Σ (exact: one nonzero term per entry), else
    row then column takes (numpy's fancy ix_ indexing was the V form's hot spot)."""
    if m.shape[0] <= GATHER_GEMM_MAX:
        e = np.zeros((c.size, m.shape[0]))
        e[np.arange(c.size), c] = 1.0
        return (e @ m) @ e.T
    return np.take(np.take(m, c, axis=0), c, axis=1)


def _indicator(z: sp.csc_matrix) -> tuple[np.ndarray, np.ndarray] | None:
    """(column c_i, value z_i) of each row when Z has at most one stored entry per row (an
    empty row: column 0, value 0); None otherwise."""
    r = sp.csr_matrix(z)
    r.sum_duplicates()
    k = np.diff(r.indptr)
    if np.any(k > 1):
        return None
    cols = np.zeros(r.shape[0], dtype=np.int64)
    vals = np.zeros(r.shape[0])
    has = k == 1
    cols[has] = r.indices
    vals[has] = r.data
    return cols, vals


@dataclass
class _Term:
    """A random term in record space: Z, its template and, for a gather, the level of each
    record in every Kronecker factor (module docstring)."""

    z: sp.csc_matrix
    template: CovTemplate
    offset: int
    #: gather form: (z_i, [c_l per factor], scale?, [factor templates]); None: general
    zval: np.ndarray | None = None
    codes: list[np.ndarray] = field(default_factory=list)
    scale: bool = False
    parts: list[CovTemplate] = field(default_factory=list)
    incid: list[sp.csr_matrix] = field(default_factory=list)
    _fixed: np.ndarray | None = None

    @property
    def gather(self) -> bool:
        return self.zval is not None

    def fixed(self) -> np.ndarray:
        """(zz') ∘ Π (Σ_l)[c_l, c_l] over the factors without parameters (a known K, an
        identity): the same at every θ, formed once (n x n)."""
        if self._fixed is None:
            out = np.multiply.outer(self.zval, self.zval)
            for p, c in zip(self.parts, self.codes):
                if p.n_params == 0:
                    out *= _gather(to_dense(p.matrix(np.zeros(0))), c)
            self._fixed = out
        return self._fixed

    def mats(self, th: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """(s, [Σ_l as dense arrays]) at the term's θ."""
        s, ths = self.template.split(th) if self.template.kronecker_factors() else (1.0, [th])
        return float(s), [to_dense(p.matrix(t)) for p, t in zip(self.parts, ths)]

    def g_times(self, th: np.ndarray, v: np.ndarray) -> np.ndarray:
        """G_j v (v: q or q x k) without forming G_j for a product."""
        if not self.gather:
            return to_dense(self.template.matrix(th)) @ v
        s, mats = self.mats(th)
        sizes = [m.shape[0] for m in mats]
        v2 = v.reshape(v.shape[0], -1)
        out = np.empty_like(v2, dtype=float)
        for c in range(v2.shape[1]):
            t = v2[:, c].reshape(sizes)
            for ax, m in enumerate(mats):
                t = np.moveaxis(np.tensordot(m, t, axes=([1], [ax])), 0, ax)
            out[:, c] = s * t.ravel()
        return out.reshape(v.shape)

    def g_columns(self, th: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """G_j[:, cols] (q x len(cols))."""
        if not self.gather:
            return to_dense(self.template.matrix(th))[:, cols]
        s, mats = self.mats(th)
        idx = np.unravel_index(cols, [m.shape[0] for m in mats])
        out = np.ones((1, cols.size))
        for m, i in zip(mats, idx):
            out = (out[:, None, :] * m[:, i][None, :, :]).reshape(-1, cols.size)
        return s * out

    def v_part(self, th: np.ndarray) -> np.ndarray:
        """Z_j G_j Z_j' (n x n)."""
        if not self.gather:
            g = to_dense(self.template.matrix(th))
            zg = np.asarray(self.z @ g)
            return np.asarray(self.z @ zg.T).T
        s, mats = self.mats(th)
        free = [(m, c) for p, m, c in zip(self.parts, mats, self.codes) if p.n_params]
        if s == 1.0 and free:  # s27speed: f ∘ g₁ as g₁ ∘ f (the same digits), no s·f copy
            out = _gather(*free[0])
            out *= self.fixed()
            free = free[1:]
        else:
            out = s * self.fixed()
        for m, c in free:
            out *= _gather(m, c)
        return out


def _terms(problem: MixedProblem) -> list[_Term]:
    out = []
    for b in problem.random:
        z = sp.csc_matrix(b.Z, dtype=float)
        t = _Term(z, b.template, b.offset)
        ind = _indicator(z)
        if ind is not None:
            kf = b.template.kronecker_factors()
            scale, parts = kf if kf is not None else (False, [b.template])
            sizes = [p.n for p in parts]
            t.zval, t.scale, t.parts = ind[1], bool(scale), list(parts)
            t.codes = [np.ascontiguousarray(c) for c in np.unravel_index(ind[0], sizes)]
            n = z.shape[0]
            t.incid = [sp.csr_matrix((np.ones(n), (np.arange(n), c)), shape=(n, m))
                       for c, m in zip(t.codes, sizes)]
        out.append(t)
    return out


def feasible(problem: MixedProblem) -> bool:
    """True when every term can be put on V: a gather, or a general term of at most
    GENERAL_MAX_LEVELS levels."""
    return all(t.gather or t.template.n <= GENERAL_MAX_LEVELS for t in _terms(problem))


# ------------------------------------------------------------------------------ choice
def mme_flops(n_equations: int) -> float:
    """Flops of a point of the dense mixed model equations: Cholesky N³/3 and the inverse
    (potri) 2N³/3."""
    return float(n_equations) ** 3


def v_flops(n_records: int) -> float:
    """Flops of a point of the V form: Cholesky n³/3 and P (potri) 2n³/3."""
    return float(n_records) ** 3


def prefer_v(n_records: int, n_equations: int, dense_c: bool) -> bool:
    """Fit on V when C would be dense (the MME's cost is then N³ per point), C has at least
    V_MIN_EQUATIONS equations, and V's flops are below V_FLOP_RATIO of the MME's."""
    return (dense_c and n_equations >= V_MIN_EQUATIONS
            and v_flops(n_records) < V_FLOP_RATIO * mme_flops(n_equations))


# ------------------------------------------------------------------------------ state
@dataclass
class VState:
    """Everything computed at one θ on V (what :class:`~asr_py.reml.mme.MMEState` offers
    the iteration: θ, ℓ, the solution ŝ = [β̂; û] and a factor of C)."""

    theta: np.ndarray
    loglik: float
    sol: np.ndarray
    factor: VFactor
    py: np.ndarray


class VForm:
    """ℓ, score and AI of a :class:`MixedProblem` on V (module docstring); the interface of
    :class:`~asr_py.reml.mme.MME` that the AI-REML iteration and the result use."""

    backend = "v"
    signed = None
    scaled = False

    def __init__(self, problem: MixedProblem) -> None:
        self.problem = problem
        y = np.asarray(problem.y, dtype=float).ravel()
        if not np.all(np.isfinite(y)):
            raise ModelError("the response contains non-finite values",
                             hint="drop records with missing responses before fitting")
        self.y, self.n = y, y.size
        self.terms = _terms(problem)
        check_dense(self.n, copies=V_COPIES + sum(t.gather for t in self.terms),
                    what="V = ZGZ' + R",
                    hint="use solver='dense' or solver='sparse' (the mixed model equations)")
        x = problem.X
        self.X = np.asarray(to_dense(x), dtype=float).reshape(self.n, -1)
        self.p = self.X.shape[1]
        from asr_py.reml.mme import MME  # the same rank check and message as the MME's

        MME._check_x_rank(SimpleNamespace(  # type: ignore[arg-type]
            X=sp.csc_matrix(self.X), p=self.p, n=self.n, problem=problem))
        self.u_offsets: list[int] = []
        off = self.p
        for t in self.terms:
            self.u_offsets.append(off)
            off += t.template.n
        self.N = off
        #: per template (index in prob.slices()): what em_information's blocks come from
        self._em_terms: dict[int, Any] = {}

    @property
    def W(self) -> sp.csc_matrix:
        """W = [X Z_1 ... Z_k] (CSC)."""
        return sp.hstack([sp.csc_matrix(self.X), *(t.z for t in self.terms)], format="csc")

    # --------------------------------------------------------------------------------
    def _theta(self, theta: np.ndarray, t: _Term) -> np.ndarray:
        return theta[t.offset:t.offset + t.template.n_params]

    def w_times(self, s: np.ndarray) -> np.ndarray:
        """W s = Xβ + Σ Z_j u_j."""
        out = self.X @ s[:self.p]
        for t, o in zip(self.terms, self.u_offsets):
            out = out + np.asarray(t.z @ s[o:o + t.template.n]).ravel()
        return out

    def residuals(self, st: VState) -> np.ndarray:
        return self.y - self.w_times(st.sol)

    def evaluate(self, theta: np.ndarray) -> VState:
        """Factor V at θ; β̂, û and ℓ. Raises LinAlgError where V or X'V⁻¹X is not PD."""
        theta = np.asarray(theta, dtype=float).copy()
        prob = self.problem
        tr = theta[prob.residual_offset:]
        r = prob.residual.matrix(tr)
        terms = self.terms
        if sp.issparse(r) and _is_diag(r):
            if terms and terms[0].gather:  # s27speed: V_1 (fresh, C order) holds V, no zeros
                v = terms[0].v_part(self._theta(theta, terms[0]))
                v[np.diag_indices(self.n)] += r.diagonal()  # V_1 + R = R + V_1 exactly
                terms = terms[1:]
            else:
                v = np.zeros((self.n, self.n))
                v[np.diag_indices(self.n)] = r.diagonal()
        else:
            v = np.array(to_dense(r), dtype=float)
        for t in terms:
            v += t.v_part(self._theta(theta, t))
        try:
            low = sla.cholesky(v, lower=True, overwrite_a=True, check_finite=False)
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise NotPositiveDefinite(f"V is not positive definite: {exc}") from None
        d = np.diag(low)
        if not np.all(d > 0) or not np.all(np.isfinite(d)):
            raise NotPositiveDefinite("V is not positive definite")
        fac = VFactor(self, theta, low)
        py = fac.py
        beta = fac.beta
        sol = [beta]
        for t in self.terms:
            sol.append(t.g_times(self._theta(theta, t), np.asarray(t.z.T @ py).ravel()))
        ypy = float(self.y @ py)
        ll = -0.5 * ((self.n - self.p) * LOG2PI + fac.logdet_v + fac.logdet_k + ypy)
        if not np.isfinite(ll):
            raise np.linalg.LinAlgError("non-finite log-likelihood")
        return VState(theta, float(ll), np.concatenate(sol), fac, py)

    def score(self, st: VState) -> np.ndarray:
        """The exact score at ``st`` alone (:meth:`score_ai` without AI's product PQ)."""
        return self._score_q(st)[0]

    def score_ai(self, st: VState) -> tuple[np.ndarray, np.ndarray]:
        """Exact score and AI at ``st`` (module docstring): P formed once from V's factor."""
        score, q = self._score_q(st)
        pq = st.factor.p_matrix() @ q
        ai = 0.5 * (q.T @ pq)
        return score, 0.5 * (ai + ai.T)

    def _score_q(self, st: VState) -> tuple[np.ndarray, np.ndarray]:
        """(the score, the working variates Q = [Z_jĠ_kZ_j'Py, Ṙ_kPy]) at ``st``."""
        prob = self.problem
        theta, py = st.theta, st.py
        nt = prob.n_theta
        q = np.zeros((self.n, nt))
        for t in self.terms:
            th = self._theta(theta, t)
            k = t.template.n_params
            if k:
                ztpy = np.asarray(t.z.T @ py).ravel()
                q[:, t.offset:t.offset + k] = np.asarray(
                    t.z @ t.template.deriv_times(th, ztpy)).reshape(self.n, k)
        ro = prob.residual_offset
        tr = theta[ro:]
        if prob.residual.n_params:
            q[:, ro:] = prob.residual.deriv_times(tr, py)
        pm = st.factor.p_matrix()
        score = np.zeros(nt)
        for t in self.terms:
            th = self._theta(theta, t)
            if t.template.n_params:
                score[t.offset:t.offset + t.template.n_params] = -0.5 * _term_traces(t, th, pm)
        if prob.residual.n_params:
            for k, rd in enumerate(prob.residual.derivatives(tr)):
                score[ro + k] = -0.5 * _trace_with(pm, rd)
        score += 0.5 * (q.T @ py)
        return score, q

    def em_information(self, theta: np.ndarray) -> np.ndarray:
        """Complete-data (EM) information, block diagonal by template (as
        :meth:`MME.em_information`): ½ tr(Σ⁻¹Σ̇_kΣ⁻¹Σ̇_l) within each G_j and R."""
        prob = self.problem
        out = np.zeros((prob.n_theta, prob.n_theta))
        temps = [b.template for b in prob.random] + [prob.residual]
        for j, (tmpl, sl) in enumerate(zip(temps, prob.slices())):
            if sl.stop > sl.start:
                try:
                    if j not in self._em_terms:
                        self._em_terms[j] = _em_term(tmpl)
                    out[sl, sl] = self._em_terms[j].em_block(theta[sl])
                except (np.linalg.LinAlgError, ValueError, ModelError):  # no Σ⁻¹ (a
                    th = np.abs(theta[sl])  # singular known part): a positive diagonal,
                    out[sl, sl] = np.diag(1.0 / np.maximum(th, 1e-12) ** 2)  # still ascent
        return out


def _em_term(tmpl: CovTemplate) -> Any:
    """What gives ½ tr(Σ⁻¹Σ̇_kΣ⁻¹Σ̇_l) for ``tmpl`` (``.em_block(θ)``): the closed forms of
    term_inverse(tmpl, dense_ok=True) with the same arithmetic. s27speed: for a product
    (ProductInverse, DenseKronInverse) only its index-free :class:`_ProductIndex`, whose
    em_block both call: the index maps of G⁻¹'s pattern (L² n_env² entries for vm(geno, K)
    x corh(env)) were built at every call, 1.3 s each at 600 lines, for nothing."""
    from asr_py.reml.dense_kron import dense_kron_fits
    from asr_py.reml.ginverse import PRODUCT_MAX_ENTRIES, _NotAProduct, _ProductIndex, term_inverse

    try:
        pl = _ProductIndex(tmpl, index=False)
    except _NotAProduct:
        return term_inverse(tmpl, True, dense_ok=True)
    if pl.nnz <= PRODUCT_MAX_ENTRIES or dense_kron_fits(tmpl):
        return pl
    return term_inverse(tmpl, True, dense_ok=True)


def _c_order(sym: np.ndarray) -> np.ndarray:
    """An exactly symmetric n x n array in C order without a copy when it is
    Fortran-ordered (its transpose: the same entries)."""
    if sym.flags.c_contiguous or not sym.flags.f_contiguous:
        return sym
    return sym.T


def _subtract_low_rank(inv: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """inv −= a b' in place (n x n, a and b n x p): one BLAS dgemm with β = 1 on inv's
    Fortran view (s29slow: no n x n product, no second pass; 3.5x on the step at n = 2310,
    p = 6, benchmarks/bench_p_update.py). Entry (i, j) is inv_ij − Σ_l a_il b_jl, the same
    products as ``inv -= a @ b.T`` (for C-ordered inv, whose Fortran view is inv', the dgemm
    forms b a': (b a')_ji = Σ_l b_jl a_il); the same digits at the V form's sizes measured,
    else an ulp of the operands where the BLAS tiles the two calls differently."""
    if inv.flags.c_contiguous:
        c, x, y = inv.T, b, a  # c = inv' (Fortran): c_ji −= Σ_l b_jl a_il
    elif inv.flags.f_contiguous:
        c, x, y = inv, a, b
    else:
        inv -= a @ b.T
        return
    out = sla.blas.dgemm(-1.0, x, y, beta=1.0, c=c, trans_b=True, overwrite_c=True)
    if not np.shares_memory(out, inv):  # the BLAS wrapper copied: write the result back
        c[...] = out


def _is_diag(m: Matrix) -> bool:
    c = sp.coo_matrix(m)
    return bool(np.all(c.row == c.col))


def _trace_with(pm: np.ndarray, m: Matrix) -> float:
    """Σ_ij P_ij M_ij (= tr(PM), both symmetric)."""
    if sp.issparse(m):
        c = sp.coo_matrix(m)
        return float(pm[c.row, c.col] @ c.data)
    return float(np.vdot(pm, np.asarray(m, dtype=float)))


def _term_traces(t: _Term, th: np.ndarray, pm: np.ndarray) -> np.ndarray:
    """[tr(P V̇_k)] over the term's parameters (module docstring)."""
    if not t.gather:  # ⟨Z'PZ, Ġ_k⟩
        zpz = np.asarray(t.z.T @ np.asarray(t.z.T @ pm).T)
        return np.array([_trace_with(zpz, d) for d in t.template.derivatives(th)])
    s, mats = t.mats(th)
    s_th = t.template.split(th)[1] if t.template.kronecker_factors() else [th]
    out = []
    base = pm * t.fixed()
    free = [lv for lv, part in enumerate(t.parts) if part.n_params]
    if t.scale:  # ∂/∂s: V_j / s
        full = base.copy() if free else base
        for lv in free:
            full *= _gather(mats[lv], t.codes[lv])
        out.append(float(full.sum()))
        del full
    for lv in free:
        part, tl = t.parts[lv], s_th[lv]
        # s27speed: base itself when nothing scales or multiplies it (base · 1 = base)
        h = base * s if s != 1.0 or len(free) > 1 else base
        for l2 in free:
            if l2 != lv:
                h *= _gather(mats[l2], t.codes[l2])
        inc = t.incid[lv]
        blk = np.asarray(inc.T @ np.asarray(inc.T @ h).T)  # S'HS (n_l x n_l)
        del h
        out += [_trace_with(blk, d) for d in part.derivatives(tl)]
    return np.array(out, dtype=float)


def _pev_gather(t: _Term, th: np.ndarray, pm: np.ndarray) -> np.ndarray:
    """diag(G − GZ'PZG) of a gathered term, G = s ⊗_l Σ_l. With b the largest factor and,
    for each level combination κ of the others, w_i = z_i Π_{l≠b} (Σ_l)[κ_l, c_li]:

        diag(GZ'PZG)[κ, ·] = s² diag(Σ_b B_κ Σ_b),   B_κ = S_b'(P ∘ ww')S_b   (n_b x n_b),

    O(n² + n_b³) per κ instead of a triangular solve of all q columns of ZG."""
    s, mats = t.mats(th)
    sizes = [m.shape[0] for m in mats]
    b = int(np.argmax(sizes))
    others = [lv for lv in range(len(mats)) if lv != b]
    sb, inc = mats[b], t.incid[b]
    quad = np.empty(sizes)
    for kappa in np.ndindex(*[sizes[lv] for lv in others]):
        w = t.zval.copy()
        for lv, kl in zip(others, kappa):
            w *= mats[lv][kl, t.codes[lv]]
        blk = np.asarray(inc.T @ np.asarray(inc.T @ (pm * np.multiply.outer(w, w))).T)
        at: list[object] = list(kappa)
        at.insert(b, slice(None))
        quad[tuple(at)] = np.einsum("ij,ji->i", sb, blk @ sb)
    diag_g = np.ones(1)
    for m in mats:
        diag_g = np.kron(diag_g, np.diag(m))
    return s * diag_g - s * s * quad.ravel()


# ------------------------------------------------------------------------------ C⁻¹
class VFactor(Factor):
    """C⁻¹ without C (module docstring): solves, selected entries and the diagonal from V's
    Cholesky factor L; log|C| is not formed (NaN: G may be singular)."""

    name = "v"

    def __init__(self, form: VForm, theta: np.ndarray, low: np.ndarray) -> None:
        self.form, self.theta, self.low = form, theta, low
        self.n = form.N
        x, y = form.X, form.y
        self.vx = self._vsolve(x)
        vy = self._vsolve(y)
        self.logdet_v = 2.0 * float(np.log(np.diag(low)).sum())
        p = x.shape[1]
        if p:
            try:
                self.lk = sla.cholesky(x.T @ self.vx, lower=True)
            except np.linalg.LinAlgError:
                raise NotPositiveDefinite("X'V⁻¹X is not positive definite") from None
            self.k = sla.cho_solve((self.lk, True), np.eye(p))
            self.logdet_k = 2.0 * float(np.log(np.diag(self.lk)).sum())
        else:
            self.lk, self.k, self.logdet_k = np.zeros((0, 0)), np.zeros((0, 0)), 0.0
        self.beta = self.k @ (x.T @ vy)
        self.py = vy - self.vx @ self.beta
        self._p: np.ndarray | None = None
        self._diag: np.ndarray | None = None

    def _vsolve(self, b: np.ndarray) -> np.ndarray:
        return sla.cho_solve((self.low, True), b, check_finite=False)

    def p_matrix(self) -> np.ndarray:
        """P = V⁻¹ − V⁻¹X K X'V⁻¹ (n x n, formed once: potri on L), C-contiguous.

        s27speed: potri's inverse is Fortran-ordered; V⁻¹ is symmetric, so its transposed
        view holds the same entries in C order, the order of every other n x n array of the
        form (gathers, products): elementwise products, sums and S'HS between arrays of
        opposite orders traverse one of them across rows (3-18x slower at n = 2520)."""
        if self._p is None:
            inv, info = sla.lapack.dpotri(self.low, lower=1)
            if info != 0:
                inv = self._vsolve(np.eye(self.low.shape[0]))
            else:  # s25speed: blocked copy (the index pairs of n(n-1)/2 entries took 4x)
                _mirror_lower(inv)
                inv = _c_order(inv)
            if self.vx.shape[1]:
                _subtract_low_rank(inv, self.vx @ self.k, self.vx)
            self._p = inv
        return self._p

    # -------------------------------------------------------------------- solves
    def solve(self, b: np.ndarray) -> np.ndarray:
        """C⁻¹b: top = K(b₁ − (V⁻¹X)'ZGb₂), a = V⁻¹ZGb₂ + V⁻¹X·top, bottom = G(b₂ − Z'a)."""
        form = self.form
        b = np.asarray(b, dtype=float)
        vec = b.ndim == 1
        b2 = b.reshape(b.shape[0], -1)
        p = form.p
        zg = np.zeros((form.n, b2.shape[1]))
        for t, o in zip(form.terms, form.u_offsets):
            zg += np.asarray(t.z @ t.g_times(form._theta(self.theta, t), b2[o:o + t.template.n]))
        top = self.k @ (b2[:p] - self.vx.T @ zg)
        a = self._vsolve(zg) + self.vx @ top
        out = [top]
        for t, o in zip(form.terms, form.u_offsets):
            out.append(t.g_times(form._theta(self.theta, t),
                                 b2[o:o + t.template.n] - np.asarray(t.z.T @ a)))
        res = np.vstack(out)
        return res.ravel() if vec else res

    def logdet(self) -> float:
        return float("nan")

    def diagonal(self) -> np.ndarray:
        """diag C⁻¹: diag K, then per term diag G_j − diag(G_jZ_j'PZ_jG_j): from P by
        :func:`_pev_gather` for a gathered term (O(n²) per level of its small factors), else
        diag G_j − Σ_i (L⁻¹F_j)_ic² + Σ (L_K⁻¹X'V⁻¹F_j)² with F_j = Z_jG_j (triangular solves,
        PEV_BLOCK columns at a time). Asked for by the result (once, at the end): P and the
        terms' gathers are released then (formed again if needed)."""
        if self._diag is not None:
            return self._diag
        form = self.form
        out = [np.diag(self.k).copy()]
        for t in form.terms:
            th = form._theta(self.theta, t)
            if t.gather:
                out.append(_pev_gather(t, th, self.p_matrix()))
                continue
            q = t.template.n
            d = np.empty(q)
            for s0 in range(0, q, PEV_BLOCK):
                cols = np.arange(s0, min(q, s0 + PEV_BLOCK))
                g = t.g_columns(th, cols)
                f = np.asarray(t.z @ g)
                w = sla.solve_triangular(self.low, f, lower=True, check_finite=False)
                dd = g[cols, np.arange(cols.size)] - np.einsum("ij,ij->j", w, w)
                if form.p:
                    xw = sla.solve_triangular(self.lk, self.vx.T @ f, lower=True)
                    dd += np.einsum("ij,ij->j", xw, xw)
                d[cols] = dd
            out.append(d)
        self._p = None
        for t in form.terms:
            t._fixed = None
        self._diag = np.concatenate(out)
        return self._diag

    def inverse_on(self, pattern: Matrix) -> sp.csc_matrix:
        pat = sp.coo_matrix(pattern)
        rows, cols = pat.row.astype(np.int64), pat.col.astype(np.int64)
        vals = self.inverse_entries(rows, cols)
        return sp.csc_matrix((vals, (rows, cols)), shape=(self.n, self.n))

    def inverse_entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        if np.array_equal(rows, cols):
            return self.diagonal()[rows]
        need = np.unique(cols)
        e = np.zeros((self.n, need.size))
        e[need, np.arange(need.size)] = 1.0
        colv = self.solve(e)
        return colv[rows, np.searchsorted(need, cols)]

    def inverse_block(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        e = np.zeros((self.n, rows.size))
        e[rows, np.arange(rows.size)] = 1.0
        out = self.solve(e)[rows]
        return 0.5 * (out + out.T)

    def refactor(self, c_new: Matrix) -> Factor:
        raise NotImplementedError("a V-form factor holds no C to refactor")


__all__ = ["VFactor", "VForm", "VState", "feasible", "prefer_v"]
