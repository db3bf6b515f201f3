"""Eigendecomposition fast path for one dense known relationship matrix (GBLUP; GEMMA/MTG2).

The model (n individuals, t traits, complete records stacked trait within individual, the
compiler's order):

    y = Xβ + Z u + e,   u ~ N(0, Σ_g ⊗ K) or N(0, K ⊗ Σ_g),   e ~ N(0, I_n ⊗ Σ_e),

with Z = Π ⊗ I_t (Π an n x n permutation: exactly one record per level of K and trait).
With K = U D U' and U_r = Π U (orthogonal), rotate the records by Q = U_r' ⊗ I_t:

    y* = Q y,  X* = Q X,  u* = (U' ⊗ I_t) ũ ~ N(0, D ⊗ Σ_g),  e* = Q e ~ N(0, I_n ⊗ Σ_e),

(ũ: u with level outer, trait inner), so y* = X*β + u* + e*: Z* = I, G* = D ⊗ Σ_g is block
diagonal (blocks d_j Σ_g) and R is unchanged. The coefficient matrix

    C* = [[X*'R⁻¹X*, X*'R⁻¹], [R⁻¹X*, R⁻¹ + G*⁻¹]]

is a dense border of p rows around n blocks of size t; :class:`BlockBorderFactor` factors it
in O(n t³ + n t p²) by the Schur complement S = A − B'D⁻¹B. Q and M (u* -> u) are orthogonal,
so |C| = |C*|, |G| = |G*|, y'Py is unchanged and the REML log-likelihood is invariant; with
T = blockdiag(I_p, M): ŝ = T ŝ* and C⁻¹ = T C*⁻¹ T' (:class:`RotatedFactor`).

A positive semi-definite K of rank r < n (:meth:`KnownMatrix.rank`) keeps only the r
components with d_j > 0: u* has r·t entries, Z* = S ⊗ I_t selects their records (the n − r
rotated records along K's null space carry no random effect), G* = D_r ⊗ Σ_g stays positive
definite, and u = M u* with M = U_r ⊗ I_t (n t x r t): û has no component along the null space,
exactly as u ~ N(0, Σ_g ⊗ K) does. The likelihood is still that of V = Z G Z' + R, since
V* = Z* G* Z*' + R = Q V Q'.

Use :func:`fit_reml_eigen` (None when the problem does not have this form; ``why`` collects
the reason), or :func:`rotate_problem` / :func:`eigen_reason` for the pieces.
"""

from __future__ import annotations

import contextvars
import dataclasses
import time
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.reml.ai import fit_reml
from asr_py.reml.memory import check_dense
from asr_py.reml.problem import MixedProblem, RandomBlock
from asr_py.reml.psd import psd_note, warn_undeclared
from asr_py.reml.result import RemlResult
from asr_py.reml.solver import Factor, NotPositiveDefinite, on_pattern, register_backend
from asr_py.vcov.base import CovTemplate, Matrix, rank_tolerance, to_dense

#: largest K (levels) the path eigendecomposes densely
EIGEN_MAX_LEVELS = 12000
#: largest dense border (records x fixed effects) the path accepts
EIGEN_MAX_BORDER = 50_000_000
#: entries of C* outside the bordered block-diagonal pattern may be this large (relative)
OFF_PATTERN_TOL = 1e-8
#: entries per chunk when forming entries of U diag(.) U'
_CHUNK = 2048

#: (p, t) of the rotated problem being fitted; read by the registered 'eigen' backend
_SHAPE: contextvars.ContextVar[tuple[int, int] | None] = contextvars.ContextVar(
    "asr_py_eigen_shape", default=None)


class _NotApplicable(Exception):
    """The problem does not have the form the eigen path needs (message: why)."""


# ---------------------------------------------------------------------------------------------
# the diagonal known matrix D
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# applicability and the rotation
# ---------------------------------------------------------------------------------------------


@dataclass
class _EigenForm:
    km: CovTemplate  # the known matrix K (``is_known``)
    other: CovTemplate | None  # the t x t part of G (None: univariate σ²K)
    k_outer: bool  # original u index: K outer (level*t + a) or Σ_g outer (a*n + level)
    scale: bool
    n: int
    t: int
    p: int
    perm: np.ndarray  # unit i -> level of K


def _analyse(problem: MixedProblem) -> _EigenForm:
    """Check the form the eigen path needs; raise _NotApplicable(reason) if it is not met."""
    from asr_py.reml.indefinite import unconstrained_variances  # issue 11 'U'

    if unconstrained_variances(problem).size:
        raise _NotApplicable("a random-term variance has constraint 'U' (it may go below "
                             "zero; the eigen path needs a positive definite G)")
    if len(problem.random) != 1:
        raise _NotApplicable(f"the eigen path needs exactly one random term, the model has "
                             f"{len(problem.random)}")
    blk = problem.random[0]
    tm = blk.template
    other: CovTemplate | None = None
    k_outer, scale = True, False
    factors = tm.kronecker_factors()
    if tm.is_known:
        km = tm
    elif factors is not None:
        scale, parts = factors
        pos = [i for i, part in enumerate(parts) if part.is_known]
        if len(pos) != 1 or len(parts) > 2:
            raise _NotApplicable(f"the random term {blk.name!r} is not σ²K, Σ ⊗ K or K ⊗ Σ with "
                                 "one known matrix K")
        km = parts[pos[0]]
        if len(parts) == 2:
            other = parts[1 - pos[0]]
            k_outer = pos[0] == 0
    else:
        raise _NotApplicable(f"the random term {blk.name!r} has no known matrix (vm/giv)")
    t_g = other.n if other is not None else 1
    res = problem.residual
    rfac = res.kronecker_factors()
    if rfac is None and res.diagonal == "common":  # σ²I
        n_units, t_r = res.n, 1
    elif (rfac is not None and rfac[1][0].diagonal == "identity"
          and len(rfac[1]) <= 2 and (len(rfac[1]) == 2 or rfac[0])):  # I ⊗ Σ_e, σ² I
        n_units = rfac[1][0].n
        t_r = rfac[1][1].n if len(rfac[1]) == 2 else 1
    else:
        raise _NotApplicable("the residual is not σ²I or I ⊗ Σ_e over complete records "
                             "(missing trait records, several sections or a structured "
                             "residual)")
    if t_g != t_r:
        raise _NotApplicable(f"the random term has {t_g} trait(s) but the residual {t_r}")
    t, n = t_r, km.n
    y = np.asarray(problem.y)
    if n_units * t != y.size:
        raise _NotApplicable("the residual does not cover every record once")
    if n_units != n:
        raise _NotApplicable(f"K has {n} levels but there are {n_units} records per trait: "
                             "the eigen path needs exactly one record per level (and trait)")
    if n > EIGEN_MAX_LEVELS:
        raise _NotApplicable(f"K has {n} levels, more than the {EIGEN_MAX_LEVELS} the eigen path "
                             "decomposes densely")
    p = int(problem.X.shape[1])
    if p * y.size > EIGEN_MAX_BORDER:
        raise _NotApplicable(f"{p} fixed effects x {y.size} records is too large a dense border")
    z = sp.csr_matrix(blk.Z)
    z.sum_duplicates()
    z.eliminate_zeros()
    q = n * t
    if z.shape != (q, q) or not np.all(np.diff(z.indptr) == 1) or not np.all(z.data == 1.0):
        raise _NotApplicable(f"Z of {blk.name!r} is not one 0/1 entry per record (a "
                             "permutation): replicated or missing records, or a scaled design")
    cols = z.indices.astype(np.int64)
    r = np.arange(q)
    if k_outer:
        lev, a = cols // t, cols % t
    else:
        a, lev = cols // n, cols % n
    lev2 = lev.reshape(n, t)
    if not np.array_equal(a, r % t) or not np.all(lev2 == lev2[:, :1]):
        raise _NotApplicable("the records of an individual do not map to the same level of K "
                             "trait by trait")
    perm = lev2[:, 0].copy()
    if not np.all(np.bincount(perm, minlength=n) == 1):
        raise _NotApplicable("several individuals map to the same level of K")
    return _EigenForm(km, other, k_outer, scale, n, t, p, perm)


def eigen_reason(problem: MixedProblem) -> str | None:
    """Why :func:`fit_reml_eigen` cannot be used for ``problem`` (None if it can; the check is
    structural: a K that is not positive definite is found only by the decomposition)."""
    try:
        _analyse(problem)
    except _NotApplicable as exc:
        return str(exc)
    return None


def known_eigen(km: CovTemplate) -> tuple[np.ndarray, np.ndarray]:
    """(d, U) with K = U diag(d) U' (LAPACK syevd, cached on the template: ``km.spectrum()``).

    Given K⁻¹ (giv, G-inverse), decomposes K⁻¹ = U Λ U' and returns d = 1/λ. A singular
    (PSD) K is returned as it is (its rank: ``km.rank()``); an indefinite K raises
    :class:`asr_py.errors.MatrixError`.
    """
    if not km.has_spectrum:  # K, its eigenvectors and LAPACK's syevd workspace (~2 n²)
        check_dense(km.n, copies=4, what=f"the eigendecomposition of {km.name or 'K'}",
                    hint="the eigen path decomposes K densely: use fewer genotyped lines, "
                         "a machine with more memory, or asr.blup_pcg for BLUP at given "
                         "variance components (docs/large.md). ASR_PY_MEMORY_LIMIT overrides "
                         "the estimate of the memory available")
    out = km.spectrum()
    if not km.given_inverse:
        km.rank()  # MatrixError when K is indefinite
    return out


@dataclass
class EigenRotation:
    """How the rotated problem maps back: u = M u*, records y = Q'y*.

    ``U``: the eigenvectors of K kept (levels x r: those with d_j > 0), ``d``: their
    eigenvalues, ``perm``: unit i -> level, ``k_outer``: original u index is level·t + a (else
    a·n + level); rotated u* is j·t + a over the kept j.
    """

    n: int
    t: int
    p: int
    U: np.ndarray
    d: np.ndarray
    perm: np.ndarray
    k_outer: bool
    seconds_eigen: float = 0.0
    #: a with y* = Q(y − Xa): the rotated β is β − a (see :func:`_variance_shift`)
    beta_shift: np.ndarray | None = None
    #: the known matrix K that was decomposed
    km: CovTemplate | None = None

    @property
    def q(self) -> int:
        """Entries of u (original coordinates): n t."""
        return self.n * self.t

    @property
    def r(self) -> int:
        """The rank of K kept: components of u*."""
        return int(self.U.shape[1])

    @property
    def q_rot(self) -> int:
        """Entries of u*: r t."""
        return self.r * self.t

    def u_from_rot(self, v: np.ndarray) -> np.ndarray:
        """M v: rotated u* coordinates (r t or r t x k) -> original u coordinates (n t)."""
        v = np.asarray(v, dtype=float)
        k = 1 if v.ndim == 1 else v.shape[1]
        w = (self.U @ v.reshape(self.r, self.t * k)).reshape(self.n, self.t, k)
        if not self.k_outer:
            w = w.transpose(1, 0, 2)
        return w.reshape((self.q,) + v.shape[1:])

    def u_to_rot(self, v: np.ndarray) -> np.ndarray:
        """M' v: original u coordinates (n t) -> rotated u* coordinates (r t)."""
        v = np.asarray(v, dtype=float)
        k = 1 if v.ndim == 1 else v.shape[1]
        if self.k_outer:
            w = v.reshape(self.n, self.t * k)
        else:
            w = v.reshape(self.t, self.n, k).transpose(1, 0, 2).reshape(self.n, self.t * k)
        return (self.U.T @ w).reshape((self.q_rot,) + v.shape[1:])

    def level_trait(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(level, trait) of original u indices."""
        if self.k_outer:
            return idx // self.t, idx % self.t
        return idx % self.n, idx // self.n


def rotate_problem(problem: MixedProblem, *, why: list[str] | None = None,
                   eig: tuple[np.ndarray, np.ndarray] | None = None
                   ) -> tuple[MixedProblem, EigenRotation] | None:
    """The rotated problem (y*, X*, Z* = I (or S ⊗ I_t for a K of rank r < n), G* = D ⊗ Σ_g,
    same R and θ layout) and the map back, or None (reason appended to ``why``) when
    ``problem`` lacks the form. ``eig``: a precomputed (d, U) of K. The input problem is not
    modified; an indefinite K raises MatrixError."""
    try:
        form = _analyse(problem)
        t0 = time.perf_counter()
        d, U = eig if eig is not None else known_eigen(form.km)
        secs = time.perf_counter() - t0
    except _NotApplicable as exc:
        if why is not None:
            why.append(str(exc))
        return None
    n, t, p = form.n, form.t, form.p
    d = np.asarray(d, dtype=float)
    U = np.asarray(U, dtype=float)
    if U.shape != (n, n) or d.shape != (n,):
        raise ModelError(f"eig=: expected d of length {n} and an {n} x {n} U")
    if form.km.given_inverse:
        keep = d > 0
    elif eig is not None:
        tol = rank_tolerance(d)
        if d.min() < -tol:
            raise ModelError(f"eig=: K has a negative eigenvalue {d.min():.3g}")
        keep = d > tol
    else:
        keep = d > form.km.rank().tol
    ur = U[form.perm]  # row i: eigenvectors at the level of unit i (Π U)
    y = np.asarray(problem.y, dtype=float).reshape(n, t)
    ystar = (ur.T @ y).ravel()
    x = to_dense(problem.X).reshape(n, t * p)
    xstar = (ur.T @ x).reshape(n * t, p)
    shift = _variance_shift(ystar, xstar, float(np.var(problem.y)))
    if shift is not None:
        ystar = ystar - xstar @ shift
    dk = form.km.eigen_diagonal(d[keep])
    blk = problem.random[0]
    if keep.all():
        zstar = sp.identity(n * t, format="csc")
    else:  # record j·t + a of a kept component j -> u* entry pos(j)·t + a
        rows = (np.flatnonzero(keep)[:, None] * t + np.arange(t)).ravel()
        zstar = sp.csc_matrix((np.ones(rows.size), (rows, np.arange(rows.size))),
                              shape=(n * t, rows.size))
    if blk.template.is_known:
        tmpl: CovTemplate = dk
    else:  # the same product (same scale), K's eigenvalues outermost
        parts: list[CovTemplate] = [dk] + ([form.other] if form.other is not None else [])
        tmpl = blk.template.with_factors(parts)
    rp = MixedProblem(
        y=ystar, X=xstar,
        random=[RandomBlock(blk.name, zstar, tmpl)],
        residual=problem.residual, theta0=np.array(problem.theta0, dtype=float),
        constraints=list(problem.constraints), names=list(problem.names),
        x_names=list(problem.x_names))
    return rp, EigenRotation(n, t, p, U[:, keep], d[keep], form.perm, form.k_outer, secs,
                             shift, form.km)


def _variance_shift(ystar: np.ndarray, xstar: np.ndarray, v0: float) -> np.ndarray | None:
    """a with var(y* − X*a) = var(y) (population variances), or None if none is needed/found.

    The REML likelihood, θ̂, û and C are invariant under y -> y − Xa (only β̂ moves by −a),
    but fit_reml holds a parameter at its boundary at 1e-9 x var(response); the rotation
    changes the variance (it keeps Σy², not the mean), so the response is shifted along the
    fixed effects to give the rotated problem the original variance and the same boundary
    value. Along a = λd: var(r)λ² − 2 cov(y*, r)λ + var(y*) − v0 = 0 with r = X*d, d the
    least-squares direction (largest variance reduction); the smaller root is taken.
    """
    v1 = float(np.var(ystar))
    if xstar.shape[1] == 0 or abs(v1 - v0) <= 1e-14 * max(v0, 1e-300):
        return None
    xc = xstar - xstar.mean(axis=0)
    d = np.linalg.lstsq(xc, ystar - ystar.mean(), rcond=None)[0]
    r = xstar @ d
    rc = r - r.mean()
    vr = float(rc @ rc) / r.size
    cov = float(rc @ (ystar - ystar.mean())) / r.size
    disc = cov * cov - vr * (v1 - v0)
    if vr <= 0 or disc < 0:
        return None
    roots = [(cov - np.sqrt(disc)) / vr, (cov + np.sqrt(disc)) / vr]
    lam = min(roots, key=abs)
    return lam * d


# ---------------------------------------------------------------------------------------------
# factors
# ---------------------------------------------------------------------------------------------


class _EntryFactor(Factor):
    """Selected inverse and blocks from an entry function ``_entries(rows, cols)``."""

    @abstractmethod
    def _entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """C⁻¹[rows[k], cols[k]] for every k."""

    def inverse_on(self, pattern: Matrix) -> sp.csc_matrix:
        return on_pattern(pattern, self._entries)

    def inverse_block(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        rr, cc = np.meshgrid(rows, rows, indexing="ij")
        out = self._entries(rr.ravel(), cc.ravel()).reshape(len(rows), len(rows))
        return 0.5 * (out + out.T)


class BlockBorderFactor(_EntryFactor):
    """Factor of C = [[A, B'], [B, D]]: A p x p dense, D block diagonal with t x t blocks.

    D_i = L_i L_i' (batched Cholesky), F = D⁻¹B, S = A − B'F (Schur complement, Cholesky):

        log|C| = Σ_i log|D_i| + log|S|
        C⁻¹ = [[S⁻¹, −S⁻¹F'], [−FS⁻¹, D⁻¹ + FS⁻¹F']]

    Cost O(m t³ + m t p² + p³) for m blocks; solves O(m t² k + m t p k) for k right-hand sides.
    Entries of C outside the pattern must be negligible (``OFF_PATTERN_TOL``, relative).
    """

    name = "eigen"

    def __init__(self, c: Matrix, p: int, t: int) -> None:
        n = c.shape[0]
        if c.shape != (n, n) or p < 0 or t < 1 or (n - p) % t:
            raise ValueError(f"C of shape {c.shape} is not a border of {p} rows around "
                             f"blocks of {t}")
        self.n, self.p, self.t = n, p, t
        q = n - p
        m = q // t
        self.m = m
        scale = 0.0
        blocks = np.zeros((m, t, t))
        if sp.issparse(c):
            cs = sp.csr_matrix(c, dtype=float)
            cs.sum_duplicates()
            a = cs[:p, :p].toarray()
            b = cs[p:, :p].toarray()
            cu = cs[p:, p:].tocoo()
            same = (cu.row // t) == (cu.col // t)
            blocks[cu.row[same] // t, cu.row[same] % t, cu.col[same] % t] = cu.data[same]
            off = np.abs(cu.data[~same]).max() if (~same).any() else 0.0
            scale = float(np.abs(cs.data).max()) if cs.nnz else 0.0
        else:
            cd = np.asarray(c, dtype=float)
            a, b = cd[:p, :p].copy(), cd[p:, :p].copy()
            cu4 = cd[p:, p:].reshape(m, t, m, t)
            idx = np.arange(m)
            blocks = cu4[idx, :, idx, :].copy()
            rest = cu4.copy()
            rest[idx, :, idx, :] = 0.0
            off = float(np.abs(rest).max()) if rest.size else 0.0
            scale = float(np.abs(cd).max()) if cd.size else 0.0
        if off > OFF_PATTERN_TOL * max(scale, 1e-300):
            raise ValueError(f"C has entries {off:.3g} outside the bordered block-diagonal "
                             f"pattern (blocks of {t} after {p} border rows)")
        blocks = 0.5 * (blocks + blocks.transpose(0, 2, 1))
        if t == 1:
            dg = blocks[:, 0, 0]
            if not np.all(np.isfinite(dg)) or np.any(dg <= 0):
                raise NotPositiveDefinite("non-positive pivot in a diagonal block")
            ld = float(np.log(dg).sum())
            binv = (1.0 / dg)[:, None, None]
        else:
            try:
                chol = np.linalg.cholesky(blocks)
            except np.linalg.LinAlgError as exc:
                raise NotPositiveDefinite(f"a {t} x {t} block is not positive definite: "
                                          f"{exc}") from None
            dl = np.diagonal(chol, axis1=1, axis2=2)
            if not np.all(np.isfinite(dl)) or np.any(dl <= 0):
                raise NotPositiveDefinite("non-positive pivot in a block")
            ld = float(2.0 * np.log(dl).sum())
            li = np.linalg.inv(chol)
            binv = li.transpose(0, 2, 1) @ li
        self._binv = binv
        self._f = self._dinv(b)
        s = a - b.T @ self._f
        s = 0.5 * (s + s.T)
        if p:
            try:
                sc = sla.cho_factor(s, lower=True, check_finite=True)
            except (np.linalg.LinAlgError, ValueError) as exc:
                raise NotPositiveDefinite(f"Schur complement: {exc}") from None
            ds = np.diag(sc[0])
            if not np.all(ds > 0):
                raise NotPositiveDefinite("non-positive pivot in the Schur complement")
            ld += float(2.0 * np.log(ds).sum())
            self._sinv = sla.cho_solve(sc, np.eye(p))
            self._sinv = 0.5 * (self._sinv + self._sinv.T)
        else:
            self._sinv = np.zeros((0, 0))
        self._h = self._f @ self._sinv  # F S⁻¹ (q x p)
        self._b = b
        self._logdet = ld

    def _dinv(self, v: np.ndarray) -> np.ndarray:
        """D⁻¹ v for v of shape (q, k)."""
        if self.t == 1:
            return self._binv[:, 0, 0][:, None] * v
        k = v.shape[1]
        return (self._binv @ v.reshape(self.m, self.t, k)).reshape(v.shape)

    def solve(self, b: np.ndarray) -> np.ndarray:
        """x = C⁻¹b by block elimination: x_u' = D⁻¹b_u, x_β = S⁻¹(b_β − B'x_u'),
        x_u = x_u' − F x_β."""
        b = np.asarray(b, dtype=float)
        b2 = b.reshape(self.n, -1)
        p = self.p
        xu = self._dinv(b2[p:])
        xb = self._sinv @ (b2[:p] - self._b.T @ xu)
        xu = xu - self._f @ xb
        return np.vstack([xb, xu]).reshape(b.shape)

    def logdet(self) -> float:
        return self._logdet

    @property
    def sinv(self) -> np.ndarray:
        """S⁻¹ = the β block of C⁻¹."""
        return self._sinv

    def block_inverse(self) -> np.ndarray:
        """The D⁻¹ blocks (m x t x t)."""
        return self._binv

    def _entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        p, t = self.p, self.t
        out = np.zeros(rows.size)
        rb, cb = rows < p, cols < p
        k = rb & cb
        out[k] = self._sinv[rows[k], cols[k]]
        k = rb & ~cb
        out[k] = -self._h[cols[k] - p, rows[k]]
        k = ~rb & cb
        out[k] = -self._h[rows[k] - p, cols[k]]
        k = np.flatnonzero(~rb & ~cb)
        ru, cu = rows[k] - p, cols[k] - p
        val = np.einsum("ij,ij->i", self._h[ru], self._f[cu]) if p else np.zeros(k.size)
        same = (ru // t) == (cu // t)
        val[same] += self._binv[ru[same] // t, ru[same] % t, cu[same] % t]
        out[k] = val
        return out

    def refactor(self, c_new: Matrix) -> BlockBorderFactor:
        return BlockBorderFactor(c_new, self.p, self.t)


class RotatedFactor(_EntryFactor):
    """C of the original problem through the factor of the rotated C*: C = T C* T',
    C⁻¹ = T C*⁻¹ T' with T = blockdiag(I_p, M), so log|C| = log|C*| and, with G = MF,
    H = M F S⁻¹: C⁻¹ = [[S⁻¹, −H'], [−H, M D⁻¹ M' + H G']]."""

    name = "eigen"

    def __init__(self, inner: BlockBorderFactor, rot: EigenRotation) -> None:
        if inner.n != rot.p + rot.q_rot or inner.p != rot.p or inner.t != rot.t:
            raise ValueError("the factor and the rotation do not match")
        self.inner, self.rot = inner, rot
        self.n = rot.p + rot.q
        self._g: np.ndarray | None = None
        self._h: np.ndarray | None = None
        self._pdiag: np.ndarray | None = None

    def _gh(self) -> tuple[np.ndarray, np.ndarray]:
        if self._g is None or self._h is None:
            self._g = self.rot.u_from_rot(self.inner._f)
            self._h = self.rot.u_from_rot(self.inner._h)
        return self._g, self._h

    def _to_rot(self, b2: np.ndarray) -> np.ndarray:
        p = self.rot.p
        return np.vstack([b2[:p], self.rot.u_to_rot(b2[p:])])

    def _from_rot(self, x2: np.ndarray) -> np.ndarray:
        p = self.rot.p
        return np.vstack([x2[:p], self.rot.u_from_rot(x2[p:])])

    def solve(self, b: np.ndarray) -> np.ndarray:
        b = np.asarray(b, dtype=float)
        b2 = b.reshape(self.n, -1)
        return self._from_rot(self.inner.solve(self._to_rot(b2))).reshape(b.shape)

    def logdet(self) -> float:
        """log|C*| (= log|C| when K has full rank; for a singular K, C does not exist and
        this is the log-determinant of the reduced system the likelihood uses)."""
        return self.inner.logdet()

    def _mdm_diag(self) -> np.ndarray:
        """diag(M D⁻¹ M') as (levels x t): Σ_j U_lj² (D_j⁻¹)_aa."""
        if self._pdiag is None:
            bd = np.diagonal(self.inner.block_inverse(), axis1=1, axis2=2)  # (n, t)
            self._pdiag = (self.rot.U ** 2) @ bd
        return self._pdiag

    def _entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        p = self.rot.p
        sinv = self.inner.sinv
        out = np.zeros(rows.size)
        rb, cb = rows < p, cols < p
        k = rb & cb
        out[k] = sinv[rows[k], cols[k]]
        if not (~rb | ~cb).any():
            return out
        g, h = self._gh()
        k = rb & ~cb
        out[k] = -h[cols[k] - p, rows[k]]
        k = ~rb & cb
        out[k] = -h[rows[k] - p, cols[k]]
        k = np.flatnonzero(~rb & ~cb)
        ru, cu = rows[k] - p, cols[k] - p
        val = np.einsum("ij,ij->i", h[ru], g[cu]) if p else np.zeros(k.size)
        lr, ar = self.rot.level_trait(ru)
        lc, ac = self.rot.level_trait(cu)
        dia = ru == cu
        val[dia] += self._mdm_diag()[lr[dia], ar[dia]]
        rest = np.flatnonzero(~dia)
        binv = self.inner.block_inverse()
        U = self.rot.U
        for s in range(0, rest.size, _CHUNK):
            e = rest[s:s + _CHUNK]
            # Σ_j U[l, j] U[l', j] (D_j⁻¹)[a, b]
            val[e] += np.einsum("ej,ej,je->e", U[lr[e]], U[lc[e]], binv[:, ar[e], ac[e]])
        out[k] = val
        return out

    def refactor(self, c_new: Matrix) -> RotatedFactor:
        """Factor a new C of the original problem: C* = T'CT (dense, O(N² n)); not for a
        singular K (whose C, with K⁻¹, does not exist)."""
        if self.rot.r < self.rot.n:
            raise ModelError("a singular K has no mixed-model coefficient matrix with K⁻¹ to "
                             "refactor")
        cd = to_dense(c_new)
        c_rot = self._to_rot(self._to_rot(cd).T).T
        return RotatedFactor(BlockBorderFactor(c_rot, self.rot.p, self.rot.t), self.rot)


def _eigen_backend(c: Matrix) -> Factor:
    shape = _SHAPE.get()
    if shape is None:
        raise ModelError("the 'eigen' solver factors the rotated problem of fit_reml_eigen; it "
                         "cannot factor a general C",
                         hint="call asr_py.reml.eigen.fit_reml_eigen(problem), or "
                              "BlockBorderFactor(C, p, t) directly")
    return BlockBorderFactor(c, *shape)


register_backend("eigen", _eigen_backend)


# ---------------------------------------------------------------------------------------------
# the fit
# ---------------------------------------------------------------------------------------------


def fit_reml_eigen(problem: MixedProblem, *, why: list[str] | None = None,
                   eig: tuple[np.ndarray, np.ndarray] | None = None,
                   **kwargs: Any) -> RemlResult | None:
    """AI-REML on the eigen-rotated problem, results back in the original coordinates.

    Returns None when the problem lacks the form of the module docstring (the reason is
    appended to ``why``). ``kwargs`` go to :func:`asr_py.reml.fit_reml` (maxit, tol_loglik,
    tol_param, trace, callback; not solver). θ, ℓ, score, AI, β̂ and vcov_beta are those of the
    rotated fit (invariant); û = Mû*, PEV = diag(M C*⁻¹_uu M'), fitted = Xβ̂ + Zû; the result's
    factor answers solve_c / cinv_quad in the original coordinates.
    """
    if "solver" in kwargs:
        raise TypeError("fit_reml_eigen() takes no solver argument (it uses the 'eigen' backend)")
    rotated = rotate_problem(problem, why=why, eig=eig)
    if rotated is None:
        return None
    rp, rot = rotated
    notes = []
    if rot.r < rot.n and rot.km is not None:
        notes.append(psd_note(rot.km, "exactly in the eigen rotation (the zero-eigenvalue "
                                      "components of u are 0)"))
        warn_undeclared(rot.km)
    token = _SHAPE.set((rot.p, rot.t))
    try:
        r = fit_reml(rp, solver="eigen", **kwargs)
    finally:
        _SHAPE.reset(token)
    inner = r.factor
    assert isinstance(inner, BlockBorderFactor)
    fac = RotatedFactor(inner, rot)
    u = rot.u_from_rot(r.u[0])
    p = rot.p
    lr, ar = rot.level_trait(np.arange(rot.q))
    pev = fac._mdm_diag()[lr, ar]
    if p:
        g, h = fac._gh()
        pev = pev + np.einsum("ij,ij->i", h, g)  # diag(H G') = diag(M F S⁻¹ F' M')
    beta = r.beta if rot.beta_shift is None else r.beta + rot.beta_shift
    fitted = (np.asarray(problem.X @ beta).ravel()
              + np.asarray(problem.random[0].Z @ u).ravel())
    return dataclasses.replace(
        r, beta=beta, u=[u], pev=[np.asarray(pev)], fitted=fitted,
        residuals=np.asarray(problem.y, dtype=float) - fitted, solver="eigen", factor=fac,
        u_offsets=[p], diagnostics=[*notes, *r.diagnostics])


__all__ = ["BlockBorderFactor", "EigenRotation", "RotatedFactor",
           "eigen_reason", "fit_reml_eigen", "known_eigen", "rotate_problem"]
