"""ℓ next to a singular covariance matrix: the mixed model equations in the root (Λ) form.

With ``G_j`` nearly singular (a correlation near ±1, a ``us`` matrix of lower rank) the
equations hold ``G_j⁻¹`` with entries of order 1/λ_min, and

    ℓ = −½[(n − p) log 2π + log|R| + Σ_j log|G_j| + log|C| + y'Py]

adds two log-determinants of order log λ_min that cancel, each with an error of order
ε·κ(G_j) (1e-5 at κ ≈ 1e10, 1e-3 at 1e12, either sign). With a root ``G_j = Λ_jΛ_j'``
(``u_j = Λ_j b_j``, ``b_j ~ N(0, I)``; Bates et al.'s lme4 / MixedModels.jl form) and
``T = blockdiag(I_p, Λ_j or I)``:

    C* = T'CT = T'(W'R⁻¹W)T + blockdiag(0, I or G_j⁻¹),     r* = T'r,
    log|C*| = log|C| + Σ_root log|G_j|,   y'Py = y'R⁻¹y − r*'C*⁻¹r*,   ŝ = T C*⁻¹r*,

so the rooted terms' log|G_j| and ``G_j⁻¹`` never appear and every matrix is as well
conditioned as V. A term takes this form when a leaf of its template (a Kronecker factor,
a section) with parameters has a correlation matrix ``D^-½ΣD^-½`` with condition number
above :data:`KAPPA_ROOT` (a small variance alone scales a diagonal: the Cholesky factor of
C is unaffected). The root is ``√σ² ⊗_f Λ_f`` over the template's Kronecker factors (an
identity factor stays the identity), each ``Λ_f = U diag(√max(d, 0))`` from the
eigendecomposition ``Σ_f = U diag(d) U'`` (backward stable: ``Λ_fΛ_f' = Σ_f`` to ε‖Σ_f‖,
where ℓ is a smooth function of Σ_f), or of the whole ``G_j`` when it is not a product.

In a fit only ℓ (y'Py, log|C|) is taken from C*: ŝ, the score and the AI matrix stay on
C's own factor, consistent with each other. With :data:`ROOT_SCORE` they come from C* too
(C⁻¹ = T C*⁻¹T', G⁻¹û = Z'R⁻¹ê, tr(G⁻¹Ġ_k) − tr(G⁻¹Ġ_kG⁻¹C^{uu}) = tr(Ġ_k Z'PZ): exact to
1e-14 where the plain score is wrong in sign), but the paths of fits held on a PD face
change: the eigenvalue constraints of the AI step (reml/ai_step.py) then keep a correlation
at its floor that the plain score's noise released (test_ai_escape's corh fit ended at a
corner 0.21 lower) — off until that step is reworked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from asr_py.reml.solver import DenseFactor, Factor, NotPositiveDefinite
from asr_py.vcov.base import CovTemplate, to_dense

if TYPE_CHECKING:
    from asr_py.reml.ginverse import TermValues
    from asr_py.reml.mme import MME

#: a leaf correlation matrix with a condition number above this puts its term in the root
#: form: beyond the engine's own floors (a held correlation at 1 − ρ ≈ 1.5e-7, FINAL_RIDGE's
#: 1e-8 of a correlation matrix's eigenvalues: κ ≈ 1e7..7e8 for 4..6 levels), so fits held
#: on those floors keep their paths (at 1e4 a corh fit held at ρ = 1 stopped 1e-6 short by a
#: differenced score that the plain ℓ's noise had kept going); there the plain ℓ is within
#: ~1e-7 (corh: 8e-8 at 1 − ρ = 1e-8, 6e-6 at 1e-10, 1e-3 at 1e-12)
KAPPA_ROOT = 1e9
#: leaves of at most this order are examined (a parameter-free leaf never: a known matrix
#: is the same at every θ)
LEAF_MAX = 400
#: a root is formed for factors (or whole terms) of at most this order; larger: plain form
ROOT_MAX = 3000
#: C* is formed and factored densely up to this many equations (more: the plain form)
DENSE_MAX = 3000
#: ŝ, the score and the AI matrix from C* too (a dense C*, C's own factor a dense one; the
#: module docstring says why not by default)
ROOT_SCORE = False


def _kappa(m: np.ndarray) -> float:
    """κ₁ of the correlation matrix of the symmetric ``m`` over its positive diagonal (inf
    when not positive definite in double)."""
    d = np.diag(m).copy()
    keep = d > 0
    if keep.sum() < 2:
        return 1.0
    r = 1.0 / np.sqrt(d[keep])
    c = m[np.ix_(keep, keep)] * r[:, None] * r[None, :]
    factor, info = sla.lapack.dpotrf(c, lower=1)
    if info != 0:
        return np.inf
    rcond, info = sla.lapack.dpocon(factor, float(np.abs(c).sum(axis=0).max()), uplo="L")
    return float(1.0 / rcond) if info == 0 and rcond > 0 else np.inf


def ill_leaf(template: CovTemplate, theta: np.ndarray) -> bool:
    """True when a leaf of ``template`` with parameters (order 2..LEAF_MAX, not diagonal)
    has a correlation matrix with κ > KAPPA_ROOT at ``theta``."""
    for leaf, off in template.leaves():
        if leaf.n_params == 0 or leaf.diagonal is not None or not 1 < leaf.n <= LEAF_MAX:
            continue  # a diagonal Σ: its correlation matrix is I
        try:
            m = np.asarray(to_dense(leaf.matrix(theta[off:off + leaf.n_params])), dtype=float)
        except (np.linalg.LinAlgError, ValueError, ArithmeticError):
            continue
        if m.shape == (leaf.n, leaf.n) and np.all(np.isfinite(m)) and _kappa(m) > KAPPA_ROOT:
            return True
    return False


def _eig_root(m: np.ndarray) -> np.ndarray:
    """Λ with ΛΛ' = m (symmetric PSD) from its eigendecomposition, negative round-off
    eigenvalues clipped to zero."""
    d, u = np.linalg.eigh(0.5 * (m + m.T))
    return u * np.sqrt(np.clip(d, 0.0, None))[None, :]


class Root:
    """Λ = s ⊗_f Λ_f of one term (``parts[f]`` None: an identity factor of order
    ``dims[f]``), applied without forming it."""

    def __init__(self, scale: float, parts: list[np.ndarray | None], dims: list[int]) -> None:
        self.scale, self.parts, self.dims = scale, parts, dims
        self.q = int(np.prod(dims))

    def right(self, x: np.ndarray, transpose: bool = False) -> np.ndarray:
        """X Λ (``transpose``: X Λ') for X with q columns (m x q)."""
        m = x.shape[0]
        y = x.reshape(m, *self.dims)
        for f, lam in enumerate(self.parts):
            if lam is not None:  # Σ_a y[.., a, ..] Λ_f[a, b] along axis f + 1
                y = np.moveaxis(np.tensordot(y, lam.T if transpose else lam,
                                             axes=([f + 1], [0])), -1, f + 1)
        return self.scale * np.ascontiguousarray(y).reshape(m, self.q)

    def times(self, v: np.ndarray) -> np.ndarray:
        """Λ v for a q-vector v."""
        return self.right(v[None, :], transpose=True)[0]

    def left_t(self, x: np.ndarray) -> np.ndarray:
        """Λ' X for X with q rows (q x m, or a q-vector)."""
        if x.ndim == 1:
            return self.right(x[None, :])[0]
        return self.right(np.ascontiguousarray(x.T)).T

    def sparse(self) -> sp.csc_matrix:
        """Λ as a sparse matrix."""
        mats = [sp.identity(d, format="csc") if lam is None else sp.csc_matrix(lam)
                for lam, d in zip(self.parts, self.dims)]
        out = mats[0]
        for m in mats[1:]:
            out = sp.kron(out, m, format="csc")
        return sp.csc_matrix(out * self.scale)


def term_root(template: CovTemplate, theta: np.ndarray) -> Root | None:
    """Λ with ΛΛ' = G(θ): √σ² ⊗_f Λ_f over the Kronecker factors (identity factors kept as
    such), or the root of the whole G; None when a factor (or G) is larger than
    ROOT_MAX or cannot be formed."""
    theta = np.asarray(theta, dtype=float)
    kf = template.kronecker_factors()
    try:
        if kf is None:
            if template.n > ROOT_MAX:
                return None
            lam = _eig_root(np.asarray(to_dense(template.matrix(theta)), dtype=float))
            return Root(1.0, [lam], [template.n])
        scale, parts = template.split(theta)
        roots: list[np.ndarray | None] = []
        for part, th in zip(kf[1], parts):
            if part.n_params == 0 and part.diagonal == "identity":
                roots.append(None)
                continue
            if part.n > ROOT_MAX:
                return None
            roots.append(_eig_root(np.asarray(to_dense(part.matrix(th)), dtype=float)))
    except (np.linalg.LinAlgError, ValueError, ArithmeticError):
        return None
    if not scale > 0:
        return None
    return Root(float(np.sqrt(scale)), roots, [p.n for p in kf[1]])


def rooted_terms(mme: MME, theta: np.ndarray) -> dict[int, Root]:
    """{term j: Λ_j} for the random terms to be taken in the root form at θ (empty: none)."""
    out: dict[int, Root] = {}
    for j, b in enumerate(mme.problem.random):
        th = mme.theta_of(theta, j)
        if not ill_leaf(b.template, th):
            continue
        lam = term_root(b.template, th)
        if lam is not None and lam.q == b.template.n:
            out[j] = lam
    return out


class RootFactor(Factor):
    """C⁻¹ = T C*⁻¹ T' from C*'s dense factor (C's own factor loses ε·κ(G) of C⁻¹): the
    solves of the AI matrix and the traces of the score and of the prediction error
    variances. Keeps T, W'R⁻¹W and the rooted terms for :func:`term_scores`."""

    name = "root"

    def __init__(self, star: DenseFactor, t: sp.csc_matrix, wrw: sp.csc_matrix,
                 roots: dict[int, Root], logdet: float) -> None:
        self.star, self.t, self.wrw, self.roots = star, t, wrw, roots
        self.n = t.shape[0]
        self._logdet = logdet
        self._inv: np.ndarray | None = None

    def solve(self, b: np.ndarray) -> np.ndarray:
        b = np.asarray(b, dtype=float)
        return np.asarray(self.t @ self.star.solve(np.asarray(self.t.T @ b)))

    def logdet(self) -> float:
        return self._logdet

    def inverse(self) -> np.ndarray:
        """The full C⁻¹ = T C*⁻¹ T' (cached)."""
        if self._inv is None:
            a = np.asarray(self.t @ self.star.inverse())
            self._inv = np.asarray(self.t @ a.T)
            self._inv = 0.5 * (self._inv + self._inv.T)
        return self._inv

    def inverse_on(self, pattern: object) -> sp.csc_matrix:
        pat = sp.csc_matrix(pattern)
        pat.sum_duplicates()
        cols = np.repeat(np.arange(pat.shape[1]), np.diff(pat.indptr))
        rows = pat.indices
        return sp.csc_matrix((self.inverse()[rows, cols], (rows, cols)), shape=(self.n,) * 2)

    def inverse_block(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows)
        return self.inverse()[np.ix_(rows, rows)]

    def inverse_entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return self.inverse()[np.asarray(rows), np.asarray(cols)]

    def refactor(self, c_new: object) -> Factor:
        return DenseFactor(c_new)


def evaluate(mme: MME, roots: dict[int, Root], wrw: sp.spmatrix | np.ndarray,
             tvals: list[TermValues], r: np.ndarray, yry: float, ldr: float,
             ldg: list[float]) -> tuple[np.ndarray, float, float, float, Factor] | None:
    """(ŝ, y'Py, log|C| (= log|C*| − Σ_root log|G_j|), ℓ, C*'s factor) in the root form
    (module docstring) given W'R⁻¹W (``wrw``), the terms' G⁻¹ values ``tvals`` and
    r, y'R⁻¹y, log|R|, [log|G_j|] as the plain equations have them; None when C* is too
    large or cannot be factored. C* = T'(W'R⁻¹W)T is formed densely, Λ_j applied factor by
    factor to term j's rows and columns."""
    if mme.N > DENSE_MAX:
        return None
    c = wrw.toarray() if sp.issparse(wrw) else np.array(wrw, dtype=float)
    spans = []
    for j, b in enumerate(mme.problem.random):
        o, q = mme.u_offsets[j], b.template.n
        spans.append((o, q))
        if j in roots:
            c[:, o:o + q] = roots[j].right(c[:, o:o + q])
            c[o:o + q, :] = roots[j].left_t(c[o:o + q, :])
    for j, (tv, (o, q)) in enumerate(zip(tvals, spans)):
        if j in roots:
            c[np.arange(o, o + q), np.arange(o, o + q)] += 1.0
        else:
            np.add.at(c, (o + tv.rows, o + tv.cols), tv.g)
    c = 0.5 * (c + c.T)
    try:
        fac = DenseFactor(c, overwrite=True)
    except (NotPositiveDefinite, np.linalg.LinAlgError, ValueError):
        return None
    rs = np.array(r, dtype=float)
    for j, lam in roots.items():
        o, q = spans[j]
        rs[o:o + q] = lam.left_t(rs[o:o + q])
    sol = fac.solve(rs)
    ypy = yry - float(sol @ rs)
    ldc_s = fac.logdet()
    kept = sum(g for j, g in enumerate(ldg) if j not in roots)
    ll = -0.5 * ((mme.n - mme.p) * np.log(2.0 * np.pi) + ldr + kept + ldc_s + ypy)
    if not np.isfinite(ll):
        return None
    for j, lam in roots.items():
        o, q = spans[j]
        sol[o:o + q] = lam.times(sol[o:o + q])
    ldc = ldc_s - sum(ldg[j] for j in roots)
    if ROOT_SCORE:
        t = sp.block_diag([roots[j].sparse() if j in roots else sp.identity(q, format="csc")
                           for j, (o, q) in enumerate(spans)], format="csc")
        t = sp.block_diag([sp.identity(mme.p, format="csc"), t], format="csc")
        return sol, ypy, ldc, float(ll), RootFactor(fac, t, sp.csc_matrix(wrw), roots, ldc)
    return sol, ypy, ldc, float(ll), fac


def working_columns(mme: MME, j: int, theta_j: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Ġ_kG⁻¹û = Ġ_k g of rooted term j as columns (q x k), with g = G⁻¹û = Z_j'R⁻¹ê
    (the equations' u-rows: no G⁻¹)."""
    ders = mme.problem.random[j].template.derivatives(theta_j)
    return np.column_stack([np.asarray(dk @ g).ravel() for dk in ders]) if ders else \
        np.zeros((g.size, 0))


def term_scores(mme: MME, fac: RootFactor, j: int, theta_j: np.ndarray, g: np.ndarray
                ) -> np.ndarray:
    """t_k = tr(Ġ_k Z_j'PZ_j) − g'Ġ_k g of rooted term j (the score is −½t), with
    Z_j'PZ_j = Z_j'R⁻¹Z_j − (W'R⁻¹Z_j)'C⁻¹(W'R⁻¹Z_j) (= G⁻¹ − G⁻¹C^{uu}G⁻¹, whose two
    terms of order 1/λ_min(G) cancel) and g = Z_j'Py = G⁻¹û."""
    o = mme.u_offsets[j]
    q = mme.problem.random[j].template.n
    bj = fac.wrw[:, o:o + q].toarray()
    f = bj[o:o + q] - bj.T @ fac.solve(bj)
    f = 0.5 * (f + f.T)
    ders = mme.problem.random[j].template.derivatives(theta_j)
    out = np.empty(len(ders))
    for k, dk in enumerate(ders):
        dk = dk.toarray() if sp.issparse(dk) else np.asarray(dk, dtype=float)
        out[k] = float(np.vdot(dk, f)) - float(g @ (dk @ g))
    return out


__all__ = ["KAPPA_ROOT", "Root", "RootFactor", "evaluate", "ill_leaf", "rooted_terms", "term_root",
           "term_scores", "working_columns"]
