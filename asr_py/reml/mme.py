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

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse._sparsetools import csc_matvec  # W v accumulated in place, block by block

from asr_py.errors import ModelError
from asr_py.reml import dense_mme, root_form
from asr_py.reml.cpattern import _CPattern, _pattern_of
from asr_py.reml.ginverse import (  # noqa: F401 - _kron_deriv_ginv: tests reach it here
    TermInverse,
    TermValues,
    _kron_deriv_ginv,
    _sum_prod,
    term_inverse,
)
from asr_py.reml.indefinite import signed_model  # issue 11 'U'
from asr_py.reml.memory import map_large_arrays, release_free_memory
from asr_py.reml.problem import MixedProblem
from asr_py.reml.section_traces import SectionPlan
from asr_py.reml.solver import (
    DenseFactor,
    Factor,
    available_backends,
    choose_backend,
    factorize,
)
from asr_py.reml.sparse_x import extreme_eigen, prefer_sparse_x
from asr_py.reml.stiff_rows import rotated_section_traces, stiff_mask, stiff_solve
from asr_py.vcov.base import Congruence, Matrix, materialise

#: id(problem.X) -> a weak reference to it, for the X whose full column rank was checked
#: (second fits and post-passes build new MMEs of the same X; a dead or different object
#: under the id is checked again)
_X_RANK_OK: dict[int, weakref.ref] = {}

LOG2PI = float(np.log(2.0 * np.pi))


def _as_sparse(m: Matrix) -> sp.csc_matrix:
    return sp.csc_matrix(m) if sp.issparse(m) else sp.csc_matrix(np.asarray(m, dtype=float))


#: W'ΛW is formed densely (BLAS) when W has at least this fraction of nonzeros (a Z L from
#: a singular K is dense: a sparse-sparse product of a dense 1000 x 1000 block took 7.6 s)
DENSE_GRAM_DENSITY = 0.25


#: give freed heap memory back to the system after building large models and patterns
TRIM_MIN_RECORDS = 100_000


def _gram(w: sp.csc_matrix, lw: sp.csc_matrix) -> sp.csc_matrix:
    """W'(ΛW) as CSC; through dense BLAS when W is dense enough."""
    n, m = w.shape
    if n * m and w.nnz >= DENSE_GRAM_DENSITY * n * m:
        return sp.csc_matrix(w.toarray().T @ lw.toarray())
    return (w.T @ lw).tocsc()


#: structural patterns of W'R⁻¹W of the last few layouts (per thread; patterns only, no
#: values): refits of one design (test42Parallel.r's 1 000 fits, model-selection chains)
#: find theirs instead of forming |W|'|P||W| again (s28perf: 8 ms of a 0.3 s chickpea fit)
RECENT_GRAMS = 2
#: layouts whose pattern has more entries than this are not kept (memory)
RECENT_GRAM_MAX_NNZ = 2_000_000
_recent_grams = threading.local()


def _structure(m: sp.spmatrix) -> tuple:
    """A compressed matrix's stored structure (shape, format, indptr, indices; copies)."""
    return (m.shape, m.format, m.indptr.copy(), m.indices.copy())


def _same_structure(kept: tuple, m: sp.spmatrix) -> bool:
    return (kept[0] == m.shape and kept[1] == m.format and np.array_equal(kept[2], m.indptr)
            and np.array_equal(kept[3], m.indices))


def _structural_gram(w: sp.csc_matrix, rinv: Matrix) -> sp.coo_matrix:
    """The pattern of W'R⁻¹W from |W|'|P||W|, P the residual's inverse pattern (nonnegative
    terms cannot cancel: an entry that is zero at one θ by cancellation is in the pattern
    from the start, and C's pattern does not grow, with a new symbolic analysis, from
    iteration to iteration). A pattern depends on the structures of W and P only: the
    last :data:`RECENT_GRAMS` of this thread are kept and a copy returned."""
    if not (sp.issparse(w) and sp.issparse(rinv) and w.format in ("csc", "csr")
            and rinv.format in ("csc", "csr") and np.all(w.data != 0)
            and np.all(rinv.data != 0)):  # a stored zero drops out of the product
        return _gram_pattern(w, rinv)
    for hw, hp, gram in getattr(_recent_grams, "items", []):
        if _same_structure(hw, w) and _same_structure(hp, rinv):
            return gram.copy()
    gram = _gram_pattern(w, rinv)
    if gram.nnz <= RECENT_GRAM_MAX_NNZ:
        _recent_grams.items = [*getattr(_recent_grams, "items", [])[1 - RECENT_GRAMS:],
                               (_structure(w), _structure(rinv), gram.copy())]
    return gram


def _gram_pattern(w: sp.csc_matrix, rinv: Matrix) -> sp.coo_matrix:
    """|W|'|P||W|'s distinct entries (:func:`_structural_gram`)."""
    aw = abs(w)
    ar = abs(sp.csc_matrix(rinv)) if sp.issparse(rinv) else sp.csc_matrix(np.abs(rinv))
    m = sp.coo_matrix(aw.T @ (ar @ aw))
    return _pattern_of(m.row, m.col, w.shape[1])


def _scaled_diagonal(problem: MixedProblem) -> np.ndarray | None:
    """Weights w if the residual is R = θ·diag(1/w) with its single parameter θ (σ²I: w = 1;
    ``Weighted`` around a scaled identity: the prior weights), else None (the residual
    template answers, :meth:`~asr_py.vcov.base.CovTemplate.scaled_diagonal`)."""
    res = problem.residual
    if res.n_params != 1 or res.n != problem.y.size:
        return None
    return res.scaled_diagonal(np.asarray(problem.theta0[problem.residual_offset:], dtype=float))


def _is_scaled_identity(problem: MixedProblem) -> bool:
    """True if the residual is R = θ·I_n with its single parameter θ."""
    w = _scaled_diagonal(problem)
    return w is not None and bool(np.all(w == 1.0))


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
    rinv: Matrix | None  # None when R = σ² diag(1/w) (scaled residual)
    r_scale: float | None
    #: each random term's G⁻¹ on its pattern (and what its score needs)
    terms: list[TermValues]
    #: the pattern C was assembled on (None: C assembled densely, asr_py.reml.dense_mme)
    pattern: _CPattern | None


class MME:
    """Assembles and factors C for a :class:`MixedProblem`; computes ℓ, score and AI.

    One path: C's values are written into a fixed pattern (:class:`_CPattern`: W'R⁻¹W and
    every term's G⁻¹ pattern), each term's G⁻¹ produced by its :class:`TermInverse`
    (``closed_forms=False`` — or ``fast=False`` — makes every term use the general one)."""

    def __init__(self, problem: MixedProblem, solver: str = "auto", *,
                 exploit_scaled_identity: bool = True, fast: bool = True) -> None:
        if solver != "auto" and solver not in available_backends():
            raise ModelError(f"unknown solver {solver!r}",
                             hint=f"use 'auto' or one of {sorted(available_backends())}")
        self.problem = problem
        if np.size(problem.y) >= TRIM_MIN_RECORDS:
            map_large_arrays()  # freed large arrays leave the resident set at once
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
        self._W: sp.csc_matrix | None = sp.hstack([x, *zs], format="csc") if zs else x.copy()
        if problem.residual.n != self.n:
            raise ModelError(f"the residual template is {problem.residual.n} x "
                             f"{problem.residual.n} but there are {self.n} records")
        # R = σ² diag(1/w) (σ²I: w = 1, no weights kept): W'ΛW, W'Λy, y'Λy once, Λ = diag(w)
        wts = _scaled_diagonal(problem) if exploit_scaled_identity else None
        self.scaled = wts is not None
        self.rw: np.ndarray | None = None
        self.sum_log_w = 0.0
        wtw: sp.csc_matrix | None = None  # [s16big] W'ΛW is kept once, as the coo _base below
        if self.scaled:
            if not np.all(wts == 1.0):
                self.rw = wts
                self.sum_log_w = float(np.log(wts).sum())
            lw = self.W if self.rw is None else sp.diags(self.rw, 0, format="csc") @ self.W
            ly = y if self.rw is None else self.rw * y
            wtw = _gram(self.W, lw)
            self.Wty = np.asarray(self.W.T @ ly).ravel()
            self.yty = float(y @ ly)
        self.solver = solver
        self.backend: str | None = None
        self._last_factor: Factor | None = None
        self._check_x_rank()
        # --- issue 11 'U' hook: variances below zero, V PD by inertia (reml/indefinite.py) ---
        self.signed = signed_model(problem)
        if self.signed is not None:
            problem, fast, self.backend = self.signed.problem, False, "ldl"
            self.problem = problem
        # --- end issue 11 'U' hook ---
        # how each term's G⁻¹ is produced (per term: closed forms or the general default)
        self._closed_forms = fast
        # C assembled as one dense array (reml/dense_mme.py): decided at the first θ (None),
        # at once when a term's G⁻¹ is a dense Kronecker product without a pattern
        dense_ok = self.signed is None and solver in ("auto", "dense")
        self.terms = [term_inverse(b.template, fast, dense_ok=dense_ok) for b in problem.random]
        self._dense: dense_mme.DenseAssembly | None = None
        self._dense_ok = dense_ok
        if any(getattr(t, "dense_only", False) for t in self.terms):
            dense_mme.check_memory(self.N)
            self._dense = dense_mme.DenseAssembly(self.N)
        self._cpat: _CPattern | None = None
        # the pattern of W'R⁻¹W seen so far (non-scaled residual: it only grows)
        self._base: sp.coo_matrix | None = sp.coo_matrix(wtw) if self.scaled else None
        self._em_terms: dict[int, TermInverse] = {}
        if self.scaled and self.n >= TRIM_MIN_RECORDS:
            self._W = None  # W'ΛW, W'Λy are formed: W's products from X and the Z's (issue 16)
        if self.n >= TRIM_MIN_RECORDS:
            release_free_memory()  # the model's and W'ΛW's temporaries

    @property
    def W(self) -> sp.csc_matrix:
        """W = [X Z_1 ... Z_k] (CSC); formed again on each use once freed (large scaled fits:
        use :meth:`w_times` / :meth:`wt_times`)."""
        if self._W is not None:
            return self._W
        return sp.hstack([self.X, *self.Z], format="csc") if self.Z else self.X.copy()

    def w_times(self, v: np.ndarray) -> np.ndarray:
        """W v, accumulated column by column in W's order as W's own CSC product (the same
        digits), without forming W."""
        if self._W is not None:
            return np.asarray(self._W @ v).ravel()
        out = np.zeros(self.n)
        off = 0
        for m in (self.X, *self.Z):
            k = m.shape[1]
            csc_matvec(self.n, k, m.indptr, m.indices, m.data,
                       np.ascontiguousarray(v[off:off + k], dtype=float), out)
            off += k
        return out

    def wt_times(self, q: np.ndarray) -> np.ndarray:
        """W'q (q: n or n x k), block by block: each row of W' is one column of W."""
        if self._W is not None:
            return np.asarray(self._W.T @ q)
        return np.concatenate([np.asarray(m.T @ q) for m in (self.X, *self.Z)], axis=0)

    @property
    def fast(self) -> bool:
        """True when every random term's G⁻¹, score and AI come from closed forms."""
        return all(t.closed_form for t in self.terms)

    # ------------------------------------------------------------------------------------
    def _check_x_rank(self) -> None:
        if self.p == 0:
            return
        key = self.problem.X
        seen = _X_RANK_OK.get(id(key))
        if seen is not None and seen() is key:
            return  # s33small: this X passed already (a refit of the same problem)
        MME._check_x_rank_of(self)
        if len(_X_RANK_OK) > 64:
            for k in [k for k, r in _X_RANK_OK.items() if r() is None]:
                _X_RANK_OK.pop(k, None)
        try:
            _X_RANK_OK[id(key)] = weakref.ref(key)
        except TypeError:
            pass

    def _check_x_rank_of(self) -> None:
        xtx = (self.X.T @ self.X).tocsc()
        # on unit-length columns: the rank does not depend on a covariate's units (x * 1e6)
        d = np.sqrt(np.clip(xtx.diagonal(), 1e-300, None))
        scaled = sp.diags(1.0 / d) @ xtx @ sp.diags(1.0 / d)
        if prefer_sparse_x(self.X):  # thousands of factor columns: Lanczos, not eigh
            lo, hi, v0 = extreme_eigen(scaled)
        else:
            ev, vec = np.linalg.eigh(scaled.toarray())
            lo, hi, v0 = ev[0], ev[-1], vec[:, 0]
        if lo <= 1e-10 * max(hi, 1e-300):
            names = list(self.problem.x_names or [f"column {j + 1}" for j in range(self.p)])
            load = np.abs(v0)
            involved = [names[j] for j in np.argsort(-load) if load[j] > 0.1 * load.max()]
            raise ModelError(
                f"the fixed-effects design X ({self.n} x {self.p}) is not of full column "
                f"rank: {', '.join(involved[:6])}{' ...' if len(involved) > 6 else ''} are "
                "(nearly) linearly dependent",
                hint="drop one of them, or centre and scale covariates (scale(x)) so that "
                     "they are not nearly collinear")

    def theta_of(self, theta: np.ndarray, j: int) -> np.ndarray:
        return theta[self.problem.slices()[j]]

    def assemble(self, theta: np.ndarray) -> tuple[sp.csc_matrix, np.ndarray, float, float,
                                                   list[float], list[Matrix], Matrix | None,
                                                   float | None]:
        """C, r, y'R⁻¹y, log|R|, [log|G_j|], [G_j⁻¹], R⁻¹ (or None), σ² (scaled residual)."""
        data, pat, r, yry, ldr, ldg, tvals, rinv, s2 = self._assemble(
            np.asarray(theta, dtype=float))
        c = dense_mme.as_sparse(data) if pat is None else pat.csc(data)
        c.eliminate_zeros()
        ginv: list[Matrix] = [tv.matrix(t.template.n) for tv, t in zip(tvals, self.terms)]
        return c, r, yry, ldr, ldg, ginv, rinv, s2

    def _residual_terms(self, theta: np.ndarray) -> tuple:
        """(σ² or None, r = W'R⁻¹y, y'R⁻¹y, log|R|, R⁻¹ or None, R⁻¹W or None). Scaled
        residual (R = σ² diag(1/w)): from the precomputed W'ΛW, W'Λy, y'Λy; otherwise from
        R⁻¹."""
        tr = theta[self.problem.residual_offset:]
        if self.scaled:
            s2 = float(tr[0])
            if not s2 > 0:
                raise np.linalg.LinAlgError("residual variance not positive")
            return (s2, self.Wty / s2, self.yty / s2,
                    self.n * float(np.log(s2)) - self.sum_log_w, None, None)
        rinv = self.problem.residual.inverse(tr)
        rinv = _as_sparse(rinv) if sp.issparse(rinv) else np.asarray(rinv)
        riw = rinv @ self.W
        riw = sp.csc_matrix(riw) if sp.issparse(riw) else np.asarray(riw)
        riy = np.asarray(rinv @ self.y).ravel()
        r = np.asarray(self.W.T @ riy).ravel()
        return (None, r, float(self.y @ riy), float(self.problem.residual.logdet(tr)),
                rinv, riw)

    def _pattern(self, tvals: list[TermValues], rebuild: bool = False) -> _CPattern:
        """C's pattern for these term patterns and the W'R⁻¹W entries seen so far (built
        once; again only when a pattern grew)."""
        pat = self._cpat
        if rebuild or pat is None or not pat.serves(tvals):
            if self._base is None and pat is not None:  # scaled: W'ΛW from the old pattern
                self._base = pat.base()
            assert self._base is not None
            pat = self._cpat = _CPattern(self.N, self._base, [(tv.rows, tv.cols) for tv in tvals],
                                         self.u_offsets)
            if self.scaled:  # W'ΛW's rows and columns live on in the pattern (issue 16)
                self._base = None
            if pat.nnz >= TRIM_MIN_RECORDS:
                release_free_memory()  # its temporaries (issue 16: large crossed designs)
        return pat

    def _assemble(self, theta: np.ndarray) -> tuple:
        """C's values on the pattern, the pattern, r, y'R⁻¹y, log|R|, [log|G_j|], [term
        values], R⁻¹ (or None), σ² (scaled residual)."""
        tvals = [t.values(self.theta_of(theta, j)) for j, t in enumerate(self.terms)]
        ldg = [tv.logdet for tv in tvals]
        s2, r, yry, ldr, rinv, riw = self._residual_terms(theta)
        base = None if s2 is not None else self.W.T @ riw  # an array for a dense R⁻¹
        if self._cpat is None and self._dense_ok:
            self._decide_dense(tvals, base)
        if self._dense is not None:  # C as one dense array (reml/dense_mme.py)
            if s2 is not None:
                rows, cols, vals = self._dense_base
                c = self._dense.matrix(self, tvals, rows, cols, vals / s2)
            else:
                c = self._dense.matrix(self, tvals, None, None, base)
            return c, None, r, yry, ldr, ldg, tvals, rinv, s2
        base = None if base is None else sp.coo_matrix(base)
        if s2 is not None:
            pat = self._pattern(tvals)
            data = np.zeros(pat.nnz)
            data[pat.base_pos] = pat.base_vals / s2
        else:
            if self._base is None and sp.issparse(rinv):  # |W|'P|W|: no entry lost to an
                self._base = _structural_gram(  # exact cancellation (sparse R⁻¹ only)
                    self.W, self.problem.residual.inverse_pattern(
                        theta[self.problem.residual_offset:]))
            elif self._base is None:
                self._base = _pattern_of(base.row, base.col, self.N)
            pat = self._pattern(tvals)
            pos = pat.positions(base.row, base.col, "base")
            if np.any(pos < 0):  # a new entry: the pattern grows (keeps the old ones)
                old = self._base
                self._base = _pattern_of(np.concatenate([old.row, base.row]),
                                         np.concatenate([old.col, base.col]), self.N)
                pat = self._pattern(tvals, rebuild=True)
                pos = pat.positions(base.row, base.col, "base")
            data = np.bincount(pos, weights=base.data, minlength=pat.nnz)
        for tv, gp in zip(tvals, pat.g_pos):
            data[gp] += tv.g
        return data, pat, r, yry, ldr, ldg, tvals, rinv, s2

    def _decide_dense(self, tvals: list[TermValues], base: Matrix | None) -> None:
        """Assemble C densely from now on (:mod:`asr_py.reml.dense_mme`) when it has at
        least DENSE_MME_MIN_EQUATIONS equations (DENSE_MME_MIN_EQUATIONS_DENSE_R when R⁻¹
        is dense: W'R⁻¹W comes as an array) and a dense factorization would be chosen
        (solver='dense', or C's estimated fill at least DENSE_MME_MIN_FILL)."""
        if self._dense is None:
            dense_r = isinstance(base, np.ndarray)
            if self.N < (dense_mme.DENSE_MME_MIN_EQUATIONS_DENSE_R if dense_r
                         else dense_mme.DENSE_MME_MIN_EQUATIONS):
                return
            base_nnz = self._base.nnz if self._base is not None else \
                int(np.count_nonzero(base)) if dense_r else base.nnz
            fill = dense_mme.estimated_fill(self.N, base_nnz, [tv.g.size for tv in tvals])
            if self.solver != "dense" and fill < dense_mme.DENSE_MME_MIN_FILL:
                return
            dense_mme.check_memory(self.N)
            self._dense = dense_mme.DenseAssembly(self.N)
        self.backend = "dense"
        if self.scaled and not hasattr(self, "_dense_base"):
            b = self._base
            self._dense_base = (b.row, b.col, np.asarray(b.data, dtype=float))

    def _factor(self, data: np.ndarray, pat: _CPattern | None) -> Factor:
        """Factor C from its values on the pattern. C's pattern is the same at every θ:
        refactoring lets a backend keep its symbolic analysis (ordering, supernodes,
        selected-inverse plan) across evaluations."""
        if pat is None:  # dense C (reml/dense_mme.py), factored in place
            return DenseFactor(data, overwrite=True)
        last = self._last_factor
        if self.backend is None:
            self.backend = choose_backend(pat.csc(data), self.solver)
        if self.backend == "dense":
            c = np.zeros(self.N * self.N)
            c[pat.keys] = data  # key = col·N + row: C[col, row] = C[row, col]
            return DenseFactor(c.reshape(self.N, self.N))
        if last is not None and hasattr(last, "refactor_lower") and last.n == self.N:
            return last.refactor_lower(pat.low_indptr, pat.low_indices, data[pat.low])
        if last is None and self.backend == "blocked":  # from the lower triangle: no copy of C
            from asr_py.reml.backends.blocked import BlockedFactor

            return BlockedFactor(None, lower=(pat.low_indptr, pat.low_indices, data[pat.low]))
        c = pat.csc(data)
        return last.refactor(c) if last is not None else factorize(c, self.backend)

    def evaluate(self, theta: np.ndarray) -> MMEState:
        """Factor C at θ and compute ŝ and ℓ. Raises LinAlgError if C or a G/R is not PD."""
        theta = np.asarray(theta, dtype=float).copy()
        data, pat, r, yry, ldr, ldg, tvals, rinv, s2 = self._assemble(theta)
        if self.signed is not None:  # issue 11 'U' hook: LU + inertia test (indefinite.py)
            fac = self.signed.factor(pat.csc(data), theta, self.p)
        else:
            fac = self._factor(data, pat)
        self._last_factor = fac
        sol, ypy, ldc, ll = self._solve_loglik(fac, r, yry, ldr, ldg)
        if rinv is not None and self.signed is None:  # s18eng/s19floor: reml/stiff_rows.py
            sol, ypy, ldc, ll, fac = self._stiff(rinv, tvals, ldr, ldg,
                                                 (sol, ypy, ldc, ll, fac))
        if self.signed is None and fac is self._last_factor:  # s31noise: reml/root_form.py
            roots = root_form.rooted_terms(self, theta)
            out = roots and root_form.evaluate(self, roots, self._wrw(s2, rinv, pat), tvals,
                                               r, yry, ldr, ldg)
            if out:  # ŝ, ℓ and (C's factor a dense one) C⁻¹ = T C*⁻¹T' for score and AI
                if isinstance(out[4], root_form.RootFactor) and type(fac) is DenseFactor:
                    sol, ypy, ldc, ll, fac = out
                else:  # ℓ only: ŝ stays consistent with the C⁻¹ the score reads
                    ypy, ldc, ll = out[1:4]
        return MMEState(theta, fac, sol, float(ll), ypy, ldc, ldr, ldg, rinv, s2, tvals, pat)

    def _wrw(self, s2: float | None, rinv: Matrix | None, pat: _CPattern | None
             ) -> sp.spmatrix:
        """W'R⁻¹W alone (C without the G⁻¹ blocks)."""
        if s2 is None:
            return sp.csc_matrix(self.W.T @ (rinv @ self.W))
        if pat is not None:
            return pat.base() / s2
        rows, cols, vals = self._dense_base
        return sp.coo_matrix((vals / s2, (rows, cols)), shape=(self.N, self.N))

    def _solve_loglik(self, fac: Factor, r: np.ndarray, yry: float, ldr: float,
                      ldg: list[float]) -> tuple[np.ndarray, float, float, float]:
        """ŝ = C⁻¹r, y'Py = y'R⁻¹y − ŝ'r, log|C| and
        ℓ = −½[(n − p) log 2π + log|R| + Σ log|G_j| + log|C| + y'Py]."""
        sol = fac.solve(r)
        ypy = yry - float(sol @ r)
        ldc = fac.logdet()
        ll = -0.5 * ((self.n - self.p) * LOG2PI + ldr + sum(ldg) + ldc + ypy)
        if not np.isfinite(ll):
            raise np.linalg.LinAlgError("non-finite log-likelihood")
        return sol, ypy, ldc, ll

    def _stiff(self, rinv: Matrix, tvals: list[TermValues], ldr: float, ldg: list[float],
               plain: tuple[np.ndarray, float, float, float, Factor]
               ) -> tuple[np.ndarray, float, float, float, Factor]:
        """(ŝ, y'Py, log|C|, ℓ, C⁻¹ for the score and AI) by the change of basis of
        :mod:`asr_py.reml.stiff_rows` when some residual variances are orders of magnitude
        below the others; ``plain`` (those of :meth:`_solve_loglik`, C's factor)
        otherwise."""
        stiff = stiff_mask(rinv, self.N)
        if stiff is None:
            return plain
        gstar = np.zeros((self.N, self.N))
        for tv, t, off in zip(tvals, self.terms, self.u_offsets):
            q = t.template.n
            gstar[off:off + q, off:off + q] = tv.matrix(q).toarray()
        d = rinv.diagonal() if sp.issparse(rinv) else np.diag(np.asarray(rinv))
        out = stiff_solve(self.W, self.y, d, gstar, stiff)
        if out is None:
            return plain
        sol, ldc, ypy, cinv = out
        ll = -0.5 * ((self.n - self.p) * LOG2PI + ldr + sum(ldg) + ldc + ypy)
        return (sol, ypy, ldc, ll, cinv) if np.isfinite(ll) else plain

    # ------------------------------------------------------------------------------------
    def residuals(self, st: MMEState) -> np.ndarray:
        return self.y - self.w_times(st.sol)

    def rinv_times(self, st: MMEState, a: np.ndarray) -> np.ndarray:
        if st.rinv is None:  # R⁻¹ = diag(w)/σ²
            if self.rw is None:
                return a / st.r_scale
            w = self.rw if a.ndim == 1 else self.rw[:, None]
            return a * w / st.r_scale
        return np.asarray(st.rinv @ a)

    def score_ai(self, st: MMEState) -> tuple[np.ndarray, np.ndarray]:
        """Exact REML score and the average-information matrix over all θ at ``st``; C⁻¹ is
        needed only on C's pattern.

        The working variates Q and the AI solve C⁻¹W'R⁻¹Q come first: the selected inverse
        may consume the factor's numeric values (CHOLMOD), so a solve after it would cost a
        new factorization. (The stochastic phase's score is
        :mod:`asr_py.reml.probe_traces`'.)"""
        parts, ai = self.ai_parts(st)
        return self.score_from(st, parts), ai

    def score(self, st: MMEState) -> np.ndarray:
        """The exact REML score at ``st`` alone: :meth:`score_ai`'s traces without the
        working variates Q's solve C⁻¹W'R⁻¹Q and the AI matrix (a caller that needs ℓ and
        its gradient only: reml/face_polish.py's BFGS)."""
        return self.score_from(st, self._parts(st, None))

    def _parts(self, st: MMEState, q: np.ndarray | None) -> tuple:
        """What :meth:`score_from` needs at ``st`` (ê, the û_j, the terms' trace
        preparations, tr(R⁻¹Ṙ_k), a cache); the working variates Q = [Ṙ_kR⁻¹ê, Z_jĠ_kG⁻¹û]
        written into ``q`` (n x n_θ) when given."""
        prob = self.problem
        e = self.residuals(st)
        us, preps = [], []
        for j, (b, term, tv) in enumerate(zip(prob.random, self.terms, st.terms)):
            o = self.u_offsets[j]
            uj = st.sol[o:o + b.template.n]
            cols, prep = term.deriv_cols(tv, uj)
            if q is not None:
                k = cols.shape[1]
                q[:, b.offset:b.offset + k] = np.asarray(self.Z[j] @ cols).reshape(self.n, k)
            us.append(uj)
            preps.append(prep)
        rcache: dict = {}
        if isinstance(st.factor, root_form.RootFactor):  # G⁻¹û = Z_j'R⁻¹ê: no G⁻¹
            rie = self.rinv_times(st, e)
            rcache["root_g"] = {j: np.asarray(self.Z[j].T @ rie).ravel() for j in st.factor.roots}
            for j, g in rcache["root_g"].items() if q is not None else ():
                b = prob.random[j]
                cols = root_form.working_columns(self, j, self.theta_of(st.theta, j), g)
                q[:, b.offset:b.offset + cols.shape[1]] = np.asarray(self.Z[j] @ cols)
        ro = prob.residual_offset
        tr = st.theta[ro:]
        r_t1 = np.zeros(0)
        if self.scaled:
            if q is not None:
                q[:, ro] = e / st.r_scale  # Ṙ R⁻¹ê = diag(1/w) (diag(w)/σ²) ê
        else:
            # Ṙ_k Py and tr(R⁻¹Ṙ_k) from the template (Kronecker products, direct sums and
            # subsets answer without forming an n x n Ṙ_k)
            if q is not None:
                q[:, ro:] = prob.residual.deriv_times(tr, self.rinv_times(st, e))
            r_t1 = np.asarray(prob.residual.inv_deriv_trace(tr), dtype=float)
        return e, us, preps, r_t1, rcache

    def ai_parts(self, st: MMEState) -> tuple[tuple, np.ndarray]:
        """(what :meth:`score_from` needs, AI) at ``st``: solves only, no selected inverse."""
        q = np.zeros((self.n, self.problem.n_theta))
        parts = self._parts(st, q)
        # ---- AI = ½ [Q'R⁻¹Q − (W'R⁻¹Q)' C⁻¹ (W'R⁻¹Q)] --------------------------------
        if self.scaled and self.rw is None and self.n >= TRIM_MIN_RECORDS:
            # R⁻¹ = I/σ²: no n x n_θ copy R⁻¹Q (issue 16; small fits keep Q'(Q/σ²)'s digits)
            bq = self.wt_times(q) / st.r_scale
            qrq = (q.T @ q) / st.r_scale
        else:
            riq = self.rinv_times(st, q)
            bq = self.wt_times(riq)
            qrq = q.T @ riq
            del riq
        del q
        cbq = st.factor.solve(bq)
        ai = 0.5 * (qrq - bq.T @ cbq)
        ai = 0.5 * (ai + ai.T)
        return parts, ai

    def score_from(self, st: MMEState, parts: tuple) -> np.ndarray:
        """The score at ``st`` from :meth:`ai_parts`' ``parts``: traces with C⁻¹ on C's
        pattern from the selected inverse of ``st.factor`` (a term in the root form:
        :func:`asr_py.reml.root_form.term_scores`)."""
        score = self._score_from(st, parts)
        if isinstance(st.factor, root_form.RootFactor):
            for j, g in parts[4].get("root_g", {}).items():
                b = self.problem.random[j]
                t = root_form.term_scores(self, st.factor, j, self.theta_of(st.theta, j), g)
                score[b.offset:b.offset + t.size] = -0.5 * t
        return score

    def _score_from(self, st: MMEState, parts: tuple) -> np.ndarray:
        if st.pattern is None:  # C assembled densely: traces on the dense C⁻¹
            return dense_mme.score(self, st, parts)
        prob = self.problem
        pat = st.pattern
        nt = prob.n_theta
        ro = prob.residual_offset
        tr = st.theta[ro:]
        e, us, preps, r_t1, rcache = parts
        inv = st.factor
        # C⁻¹ on C's lower triangle only; an entry's value is its lower mirror's (issue 16:
        # no nnz(C)-long copy over both triangles)
        z_low = inv.inverse_entries(pat.low_rows, pat.low_cols)
        score = np.zeros(nt)
        for j, (b, term, tv) in enumerate(zip(prob.random, self.terms, st.terms)):
            t = term.trace_terms(tv, preps[j], pat.on_full(z_low, pat.g_pos[j]), us[j],
                                 _cinv_at(inv, self.N, self.u_offsets[j]))
            score[b.offset:b.offset + t.size] = -0.5 * t
        if self.scaled:
            s2 = st.r_scale
            t2 = pat.dot_full(pat.base_vals, pat.base_pos, z_low) / s2**2  # tr(C⁻¹W'ΛW)/σ⁴
            t3 = float(e @ self.rinv_times(st, e)) / s2  # ê'Λê/σ⁴
            score[ro] = -0.5 * (self.n / s2 - t2 - t3)
            return score
        # [i14b] R⁻¹ṘR⁻¹ from the template (sparse for ar1 x ar1, with or without missing
        # plots) rather than the product R⁻¹ Ṙ R⁻¹ with a dense Ṙ
        rot = rotated_section_traces(inv, self.W, prob.residual, tr)  # stiff rows (else None)
        # sections given as congruences T'D_kT: planned traces (reml/section_traces.py)
        planned = (None if rot is not None else
                   self._planned_traces(tr, e, r_t1, z_low, pat, rcache))
        skip = set() if planned is None else {k for k, x in enumerate(planned) if x is not None}
        if "r" not in rcache:  # what does not depend on C⁻¹: once per point (issue 16)
            rcache["r"] = [(m, None if m is None else pat.positions(m.row, m.col, f"r{k}"),
                            t1, t3) for k, (m, t1, t3)
                           in enumerate(self._residual_sections(tr, e, r_t1, rcache, skip))]
        for k, (m, pos, t1, t3) in enumerate(rcache["r"]):
            if k in skip:
                t1, t2, t3 = planned[k]  # type: ignore[index, misc]
            elif rot is not None and rot[k] is not None:
                t2 = rot[k]
            elif np.all(pos >= 0):
                t2 = pat.dot_full(m.data, pos, z_low)
            else:
                m = sp.coo_matrix((m.data, (m.row, m.col)), shape=(self.N, self.N))
                t2 = _sum_prod(m.tocsc(), inv.inverse_on(m))
            score[ro + k] = -0.5 * (t1 - t2 - t3)
        return score

    def _planned_traces(self, tr: np.ndarray, e: np.ndarray, r_t1: np.ndarray,
                        z_low: np.ndarray, pat: _CPattern, rcache: dict | None = None
                        ) -> list[tuple[float, float, float] | None] | None:
        """Per R parameter k whose section's M_k is a congruence T'D_kT: (tr(R⁻¹Ṙ_k),
        tr(C⁻¹W'M_kW), ê'M_kê), the trace from :class:`SectionPlan`'s H = UZU' on D's
        pattern (one H per section and point, shared by its derivatives), ê'M_kê =
        (Tê_s)'D_k(Tê_s); None for the other parameters (the product path's). None
        altogether when no section is a congruence or a plan cannot be built. The sections
        are kept in ``rcache`` for :meth:`_residual_sections`."""
        if self.__dict__.get("_no_section_plans"):
            return None
        secs = self.problem.residual.inv_deriv_inv_sections(tr)
        if rcache is not None:
            rcache["secs"] = secs
        if not any(isinstance(r, Congruence) for _, r in secs):
            self._no_section_plans = True
            return None
        plans = self.__dict__.setdefault("_section_plans", {})
        # keyed by ids, holding the objects themselves: a plan evicted from ``kept`` while
        # this loop runs must not be freed and its id taken by a new plan (a stale H of
        # another length: asremlPlus test3Selection's at() residual sections)
        hs: dict[tuple[int, int], tuple[sp.spmatrix, SectionPlan, np.ndarray]] = {}
        vs: dict[int, tuple[sp.spmatrix, np.ndarray]] = {}
        out: list[tuple[float, float, float] | None] = []
        # one plan per D_k pattern: the derivatives of one section (ar1h's variances) share
        # its rows but not D's pattern, so a key keeps as many plans as it has sections
        per_key: dict[int, int] = {}
        for rows, _ in secs:
            k = -1 if rows is None else id(rows)
            per_key[k] = per_key.get(k, 0) + 1
        for t1, (rows, rdr) in zip(r_t1, secs):
            if not isinstance(rdr, Congruence):
                out.append(None)
                continue
            ws = self.W if rows is None else self._w_rows(rows)
            kept = plans.setdefault(-1 if rows is None else id(rows), [])
            plan = next((q for q in kept if q.serves(rdr.t, ws, rdr.d, pat)), None)
            if plan is None:
                plan = SectionPlan.build(rdr.t, ws, rdr.d, pat)
                if plan is None:
                    self._no_section_plans = True
                    return None
                keep = max(4, per_key[-1 if rows is None else id(rows)])
                kept[:] = [*kept[-(keep - 1):], plan]
            hit = hs.get((id(rdr.t), id(plan)))
            if hit is None or hit[0] is not rdr.t or hit[1] is not plan:
                hit = hs[(id(rdr.t), id(plan))] = (rdr.t, plan, plan.h(rdr.t, z_low))
            vt = vs.get(id(rdr.t))
            if vt is None or vt[0] is not rdr.t:
                es = e if rows is None else e[rows]
                vt = vs[id(rdr.t)] = (rdr.t, np.asarray(rdr.t @ es).ravel())
            v = vt[1]
            out.append((float(t1), plan.trace(rdr.d, hit[2]),
                        float(v @ np.asarray(rdr.d @ v).ravel())))
        return out

    def _residual_sections(self, tr: np.ndarray, e: np.ndarray, r_t1: np.ndarray,
                           rcache: dict, skip: set[int] | None = None
                           ) -> list[tuple[sp.coo_matrix | Entries | None, float, float]]:
        """Per R parameter k: (W'MW, tr(R⁻¹Ṙ_k), ê'Mê) with M = R⁻¹Ṙ_kR⁻¹ (what the score
        needs besides C⁻¹); (None, tr(R⁻¹Ṙ_k), 0) for the parameters in ``skip`` (their
        traces planned, :meth:`_planned_traces`)."""
        secs = rcache.get("secs") or self.problem.residual.inv_deriv_inv_sections(tr)
        skip = skip or set()
        got: list[tuple[sp.coo_matrix | Entries | None, float] | None] = [None] * len(secs)
        k = 0
        while k < len(secs):
            rows, rdr = secs[k]
            if k in skip:
                got[k] = (None, 0.0)
                k += 1
                continue
            if isinstance(rdr, Congruence):  # M = T'DT: from TW, a section's Ds together
                run = k + 1
                while (run < len(secs) and run not in skip
                       and isinstance(secs[run][1], Congruence)
                       and secs[run][1].t is rdr.t and secs[run][0] is rows):
                    run += 1
                got[k:run] = self._w_cong_w_all(rows, [s[1] for s in secs[k:run]], e, rcache)
                k = run
                continue
            got[k] = self._w_rdr_w(rows, materialise(rdr), e)
            k += 1
        return [(m, float(t1), t3) for t1, (m, t3) in zip(r_t1, got)]  # type: ignore[misc]

    def _w_rdr_w(self, rows: np.ndarray | None, rdr: Matrix, e: np.ndarray
                 ) -> tuple[sp.coo_matrix | Entries, float]:
        """(W'MW, ê'Mê) for M = R⁻¹Ṙ_kR⁻¹ given as ``rdr`` at ``rows`` x ``rows`` (None: all
        n). A section's product uses W's rows there only: W_s'(M_s W_s) has the entries,
        and the same sums in the same order, as W'(MW) (the other rows of MW are empty);
        ê'Mê is formed on all n as for a whole M."""
        if not sp.issparse(rdr):  # a dense M (ar2, ar3 inverses): BLAS, no n x n CSC copy
            rdr = np.asarray(rdr, dtype=float)
            ws = self.W if rows is None else self._w_rows(rows)
            es = e if rows is None else e[rows]
            if self._dense is not None:
                return np.asarray((ws.T @ rdr) @ ws), float(es @ (rdr @ es))
            return _dense_section_gram(sp.csc_matrix(ws), rdr), float(es @ (rdr @ es))
        rdr = sp.csc_matrix(rdr)
        if rows is None:
            return (sp.coo_matrix(self.W.T @ (rdr @ self.W)),
                    float(e @ np.asarray(rdr @ e).ravel()))
        me = np.zeros(self.n)
        if _is_diagonal(rdr):  # M_s = diag(d): W_s'diag(d)W_s from a fixed plan
            d = rdr.data
            me[rows] = d * e[rows]
            return self._diag_gram(rows).gram(d), float(e @ me)
        ws = self._w_rows(rows)
        me[rows] = np.asarray(rdr @ e[rows]).ravel()
        return sp.coo_matrix(ws.T @ (rdr @ ws)), float(e @ me)

    def _w_cong_w(self, rows: np.ndarray | None, rdr: Congruence, e: np.ndarray,
                  rcache: dict) -> tuple[Entries, float]:
        """(W'MW, ê'Mê) for M = T'DT at ``rows`` (None: all n) from U = TW_s, formed once
        per T (a section's derivatives share it): W'MW = U'(DU), ê'Mê = (Tê_s)'D(Tê_s);
        neither M nor T'D is formed (two sparse products per derivative instead of four)."""
        return self._w_cong_w_all(rows, [rdr], e, rcache)[0]

    def _w_cong_w_all(self, rows: np.ndarray | None, rdrs: list[Congruence], e: np.ndarray,
                      rcache: dict) -> list[tuple[Entries, float]]:
        """:meth:`_w_cong_w` for the derivatives M_k = T'D_kT of one section (one T): every
        U'(D_kU) from one product U'[D_1U … D_KU] (s28perf). Each entry of block k is the
        same sum, in the same order, as in U'(D_kU), and sparsetools lists a row's columns
        in reverse order of first appearance, so block k's entries come in U'(D_kU)'s own
        order: the same digits, K − 1 fewer products."""
        t = rdrs[0].t
        ut = rcache.setdefault("u", {})
        hit = ut.get(id(t))
        if hit is None or hit[0] is not t:
            ws = self.W if rows is None else self._w_rows(rows)
            es = e if rows is None else e[rows]
            u = sp.csr_matrix(t @ ws)
            hit = ut[id(t)] = (t, u, sp.csr_matrix(u.T), np.asarray(t @ es).ravel())
        _, u, u_t, v = hit
        t3 = [float(v @ np.asarray(r.d @ v).ravel()) for r in rdrs]
        if len(rdrs) == 1:
            return [(_csr_entries(u_t @ (rdrs[0].d @ u)), t3[0])]
        n_col = u.shape[1]
        big = u_t @ sp.hstack([sp.csr_matrix(r.d @ u) for r in rdrs], format="csr")
        big = big if type(big) is sp.csr_matrix else sp.csr_matrix(big)
        ent = _csr_entries(big)
        block = ent.col // n_col
        out = []
        for k in range(len(rdrs)):
            sel = np.flatnonzero(block == k)
            out.append((Entries(ent.row[sel], ent.col[sel] - k * n_col, ent.data[sel]), t3[k]))
        return out

    def _diag_gram(self, rows: np.ndarray) -> DiagGram:
        """The :class:`DiagGram` plan of W's ``rows``, kept per rows array."""
        cache = self.__dict__.setdefault("_diag_gram_cache", {})
        hit = cache.get(id(rows))
        if hit is not None and hit[0] is rows:
            return hit[1]
        plan = DiagGram(self._w_rows(rows))
        cache[id(rows)] = (rows, plan)
        return plan

    def _w_rows(self, rows: np.ndarray) -> sp.csc_matrix:
        """W[rows, :] (CSC), kept per rows array (a direct sum's sections are fixed)."""
        cache = self.__dict__.setdefault("_w_rows_cache", {})
        hit = cache.get(id(rows))
        if hit is not None and hit[0] is rows:
            return hit[1]
        if "_w_csr" not in self.__dict__:
            self._w_csr = self.W.tocsr()
        ws = sp.csc_matrix(self._w_csr[rows])
        cache[id(rows)] = (rows, ws)
        return ws

    def em_information(self, theta: np.ndarray) -> np.ndarray:
        """Complete-data (EM) information I_c, block diagonal by template:
        ``I_c[k, l] = ½ tr(Σ⁻¹Σ̇_kΣ⁻¹Σ̇_l)`` for k, l parameters of the same Σ (a G_j or R).
        For Σ = σ²K it is m/(2σ⁴), so θ + I_c⁻¹s is the EM-REML update."""
        prob = self.problem
        out = np.zeros((prob.n_theta, prob.n_theta))
        terms = self.terms + [self._em_terms.get(0) or self._residual_term()]
        for term, sl in zip(terms, prob.slices()):
            if sl.stop > sl.start:
                out[sl, sl] = term.em_block(theta[sl])
        return out

    def _residual_term(self) -> TermInverse:
        t = self._em_terms[0] = term_inverse(self.problem.residual, self._closed_forms)
        return t


def _dense_section_gram(ws: sp.csc_matrix, m: np.ndarray) -> sp.coo_matrix:
    """W_s'MW_s for a dense M over a section's rows, as COO over W's N columns: formed on
    the columns W_s uses only (a section of a few hundred records touches a few hundred of
    C's equations; the N x N dense product and its scan for nonzeros cost O(N²) each)."""
    used = np.flatnonzero(np.diff(ws.indptr))
    wc = ws[:, used].toarray()
    block = wc.T @ (m @ wc)
    r, c = np.nonzero(block)
    return sp.coo_matrix((block[r, c], (used[r], used[c])), shape=(ws.shape[1],) * 2)


def _is_diagonal(m: sp.csc_matrix) -> bool:
    """True if the square CSC ``m`` stores exactly its diagonal, one entry per column."""
    n = m.shape[0]
    if m.shape[1] != n or m.indptr[-1] != n:
        return False
    ar = np.arange(n + 1)
    return np.array_equal(m.indptr, ar) and np.array_equal(m.indices, ar[:-1])


class DiagGram:
    """W_s'diag(d)W_s for a fixed W_s and varying d, with scipy's digits and entry order.

    Entry (a, b) is Σ_i W[i,a]·(d_i·W[i,b]) over the rows i where both are stored, summed
    in increasing i from 0 as the sparse product W_s'(diag(d)W_s) sums it; the terms
    (i, a, b) and each one's entry are found once, the entries in the order that product
    gives them (its structure from |W_s|, no cancellation). Returned as COO."""

    def __init__(self, ws: sp.csc_matrix) -> None:
        a = abs(ws)
        ref = sp.coo_matrix(a.T @ (sp.identity(ws.shape[0], format="csc") @ a))
        self.shape = ref.shape
        self.row, self.col = ref.row, ref.col
        wr = sp.csr_matrix(ws)
        wr.sort_indices()
        k = np.diff(wr.indptr)
        row_of = np.repeat(np.arange(k.size), k)  # each stored entry's row
        rep = k[row_of]
        ea = np.repeat(np.arange(wr.nnz), rep)  # term t: entries ea[t] (a) and eb[t] (b)
        first = np.repeat(np.cumsum(rep) - rep, rep)
        eb = wr.indptr[row_of[ea]] + (np.arange(ea.size) - first)
        n_col = self.shape[1]
        keys = self.col.astype(np.int64) * n_col + self.row
        order = np.argsort(keys, kind="stable")
        tk = wr.indices[eb].astype(np.int64) * n_col + wr.indices[ea]
        at = np.minimum(np.searchsorted(keys[order], tk), keys.size - 1)
        keep = keys[order][at] == tk  # a term of stored zeros only: no entry
        self.slot = order[at[keep]]
        self.i = row_of[ea[keep]]
        self.wa, self.wb = wr.data[ea[keep]], wr.data[eb[keep]]

    def gram(self, d: np.ndarray) -> Entries:
        vals = np.bincount(self.slot, weights=self.wa * (d[self.i] * self.wb),
                           minlength=self.row.size)
        return Entries(self.row, self.col, vals)


@dataclass
class Entries:
    """A sparse matrix's entries (row, col, data: a COO without scipy's checks)."""

    row: np.ndarray
    col: np.ndarray
    data: np.ndarray


def _csr_entries(m: sp.csr_matrix) -> Entries:
    """A CSR matrix's entries in its stored order (as its ``tocoo()``, without a COO's
    construction and checks: the score only reads them)."""
    m = m if type(m) is sp.csr_matrix else sp.csr_matrix(m)
    rows = np.repeat(np.arange(m.shape[0], dtype=m.indices.dtype), np.diff(m.indptr))
    return Entries(rows, m.indices, m.data)


def _cinv_at(factor: Factor | object, n: int, offset: int
             ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """rows, cols ↦ C⁻¹[offset + rows, offset + cols] (a selected inverse on those entries)."""
    def cinv(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        r, c = rows.astype(np.int64) + offset, cols.astype(np.int64) + offset
        sel = factor.inverse_on(sp.coo_matrix((np.ones(r.size), (r, c)), shape=(n, n)))
        return np.asarray(sel[r, c]).ravel()
    return cinv
