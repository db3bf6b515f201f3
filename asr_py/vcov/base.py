"""The covariance-template interface and the structure registry.

A *template* is an n x n covariance (or correlation) matrix Σ(θ) filled from a parameter
vector θ. Everything the REML engine needs of a variance structure goes through this
interface: the matrix, its inverse and log-determinant, its derivatives ∂Σ/∂θ_k, bounds,
validity and starting values. One class per structure family, registered by name with
:func:`register`; the compiler looks names up with :func:`get_structure`.

Conventions
-----------
* Matrices are returned as ``numpy.ndarray`` (small structures) or any ``scipy.sparse``
  matrix/array (identity, known matrices, large Kronecker products). Consumers must accept
  both (``asr_py.vcov.base.to_sparse`` / ``to_dense`` help).
* ``param_kinds`` entries are one of ``KINDS``. Default bounds follow from the kind:
  variance [0, inf), correlation (-1, 1), everything else unbounded.
* ``has_variance`` says whether Σ carries its own scale (us, diag/idh, idv, ar1v, ar1h, corgh,
  fa, ...). For a term whose parts all lack one (id, ar1, cor, known matrices), the compiler
  adds a single scale variance to the term (ASReml's rule).
* ``param_names`` are ASReml-style suffixes relative to the factor ``name`` the structure is
  applied to: ``trait_y1:y1`` (us variance), ``trait_y2:y1`` (us covariance), ``Env_CA.2011``
  (diag variance), ``Row!cor`` (ar1 correlation), ``Row!var`` (a 'v' scale variance),
  ``Site_A!fa1`` (loading). Parameter order for us is the lower triangle row by row:
  (1,1), (2,1), (2,2), (3,1), (3,2), (3,3) - ASReml's order.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

Matrix = np.ndarray | sp.spmatrix | sp.sparray

KINDS = ("variance", "covariance", "correlation", "loading", "scale", "other")


@dataclass(frozen=True, eq=False)  # identity comparison: the fields are sparse matrices
class Congruence:
    """M = T'DT kept as its factors: ``t`` (m_all x m, CSC) and ``d`` (m_all x m_all,
    symmetric CSR). A subset of a template with a sparse inverse gives R⁻¹ṘR⁻¹ this way
    (T = [I; −K], D = QΣ̇Q: :class:`asr_py.vcov.composite.Subset`), so a consumer that
    needs W'MW only through sums can form them from TW and D (one product TW for all
    the derivatives) instead of materialising M."""

    t: sp.csc_matrix
    d: sp.csr_matrix

    def matrix(self) -> sp.csc_matrix:
        """M = T'DT as a CSC matrix, symmetrised: ½(M + M')."""
        r = sp.csr_matrix(self.t.T) @ (self.d @ self.t)
        return sp.csc_matrix((r + r.T) * 0.5)


def materialise(m: Matrix | Congruence) -> Matrix:
    """``m`` as a matrix (a :class:`Congruence` formed)."""
    return m.matrix() if isinstance(m, Congruence) else m


def to_dense(m: Matrix) -> np.ndarray:
    """Return ``m`` as a dense ndarray."""
    return m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)


def sum_prod(a: Matrix, b: Matrix) -> float:
    """Σ_ij a_ij b_ij (= tr(AB) for symmetric A, B); sparse operands stay sparse."""
    if sp.issparse(a):
        return float(a.multiply(b).sum())
    if sp.issparse(b):
        return float(b.multiply(a).sum())
    return float(np.sum(np.asarray(a) * np.asarray(b)))


def entries_at(m: Matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """m[rows[i], cols[i]] for each i (dense or sparse m)."""
    if sp.issparse(m):
        return np.asarray(sp.csr_matrix(m)[rows, cols]).ravel().astype(float)
    return np.asarray(m, dtype=float)[rows, cols]


def take(m: Matrix, index: np.ndarray) -> Matrix:
    """M[index][:, index], keeping sparse matrices sparse (CSC)."""
    if sp.issparse(m):
        m = sp.csr_matrix(m)[index, :]
        return sp.csc_matrix(m)[:, index]
    return np.asarray(m)[np.ix_(index, index)]


def to_sparse(m: Matrix) -> sp.csc_matrix:
    """Return ``m`` as a scipy.sparse CSC matrix."""
    return sp.csc_matrix(m)


def is_pd(m: Matrix, rtol: float = 1e-10) -> bool:
    """Dense check that a symmetric matrix is positive definite with some margin: positive
    diagonal and the smallest eigenvalue of its correlation matrix D^{-1/2} M D^{-1/2}
    (D = diag(M)) > ``rtol``. Judged on the correlation scale, so the check does not depend
    on the units of each row/column (variances 10⁸ apart are fine); rounding-safe, unlike a
    bare Cholesky, which can succeed on a matrix that is singular in exact arithmetic."""
    d = to_dense(m)
    if d.size == 0:
        return True
    if not np.all(np.isfinite(d)):
        return False
    dg = np.diag(d)
    if np.any(dg <= 0):
        return False
    r = 1.0 / np.sqrt(dg)
    return bool(np.linalg.eigvalsh(d * r[:, None] * r[None, :])[0] > rtol)


#: eigenvalues of K at most RANK_RTOL_FACTOR · n · ε · max eigenvalue count as zero
RANK_RTOL_FACTOR = 100.0


def rank_tolerance(eigenvalues: np.ndarray) -> float:
    """tol = RANK_RTOL_FACTOR · n · ε · max |λ|: eigenvalues at or below it count as zero."""
    w = np.asarray(eigenvalues, dtype=float)
    if w.size == 0:
        return 0.0
    return float(RANK_RTOL_FACTOR * w.size * np.finfo(float).eps * np.abs(w).max())


def label(name: str, suffix: str, sep: str = "_") -> str:
    """ASReml-style parameter name: ``f"{name}{sep}{suffix}"`` (just ``suffix`` if no name)."""
    return f"{name}{sep}{suffix}" if name else suffix


def frozen_levels(labels: Sequence[str]) -> Sequence[str]:
    """``labels`` as an immutable sequence without copying a lazy one: a tuple or a lazy label
    sequence (``lazy_labels``, model.unit_labels: units' '1'..'n') as is, else a tuple."""
    if isinstance(labels, tuple) or getattr(labels, "lazy_labels", False):
        return labels
    return tuple(labels)


class CovTemplate(ABC):
    """Σ(θ), an ``n x n`` covariance matrix filled from ``n_params`` parameters."""

    #: dimension of Σ
    n: int
    #: True if Σ carries its own scale (see module docstring)
    has_variance: bool = True
    #: if not None, Σ is block diagonal with contiguous square blocks of this size
    #: (id/idv/diag: 1; ``id(units) ⊗ us(trait)``: the number of traits). Used by
    #: :class:`asr_py.vcov.Subset` to invert unit by unit.
    block_size: int | None = None

    # ----- description -------------------------------------------------------------------
    @property
    @abstractmethod
    def param_names(self) -> list[str]:
        """ASReml-style name suffix of each parameter, in θ order."""

    @property
    @abstractmethod
    def param_kinds(self) -> list[str]:
        """Kind of each parameter (one of :data:`KINDS`)."""

    @property
    def n_params(self) -> int:
        return len(self.param_names)

    # ----- values ---------------------------------------------------------------------------
    @abstractmethod
    def matrix(self, theta: np.ndarray) -> Matrix:
        """Σ(θ)."""

    @abstractmethod
    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        """[∂Σ/∂θ_k for k in range(n_params)]."""

    def inverse(self, theta: np.ndarray) -> Matrix:
        """Σ(θ)⁻¹ (default: dense Cholesky inverse). Raises LinAlgError if not PD."""
        m = to_dense(self.matrix(theta))
        c = sla.cho_factor(m, lower=True)
        return sla.cho_solve(c, np.eye(m.shape[0]))

    def logdet(self, theta: np.ndarray) -> float:
        """log|Σ(θ)| (default: dense Cholesky). Raises LinAlgError if not PD."""
        m = to_dense(self.matrix(theta))
        c = np.linalg.cholesky(m)
        return float(2.0 * np.log(np.diag(c)).sum())

    def matrix_at(self, theta: np.ndarray, index: np.ndarray) -> Matrix:
        """Σ[index][:, index] (:func:`take` of :meth:`matrix`); a Kronecker product forms only
        the product of its parts' rows that ``index`` reaches."""
        return take(self.matrix(theta), index)

    def derivatives_at(self, theta: np.ndarray, index: np.ndarray) -> list[Matrix]:
        """[(∂Σ/∂θ_k)[index][:, index]] (:func:`take` of :meth:`derivatives`)."""
        return [take(d, index) for d in self.derivatives(theta)]

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        """[Σ⁻¹ (∂Σ/∂θ_k) Σ⁻¹ for each k]; Kronecker products override this cheaply."""
        si = self.inverse(theta)
        out = []
        for d in self.derivatives(theta):
            out.append(si @ d @ si)
        return out

    def inv_deriv_inv_parts(self, theta: np.ndarray) -> list[Matrix | Congruence]:
        """:meth:`inv_deriv_inv`, where a structure may give an M_k as a
        :class:`Congruence` (T'D_kT kept factored). Default: :meth:`inv_deriv_inv`."""
        return list(self.inv_deriv_inv(theta))

    def inv_deriv_inv_sections(self, theta: np.ndarray
                               ) -> list[tuple[np.ndarray | None, Matrix | Congruence]]:
        """[(rows, M_k)]: Σ⁻¹Σ̇_kΣ⁻¹ is M_k at ``rows`` x ``rows`` (increasing) and zero
        elsewhere; rows None: M_k is the whole n x n matrix. M_k may be a
        :class:`Congruence` (:meth:`inv_deriv_inv_parts`). Default: the whole
        :meth:`inv_deriv_inv_parts`; a direct sum answers section by section (the score's
        W'(Σ⁻¹Σ̇_kΣ⁻¹)W then needs only the section's rows of W)."""
        return [(None, m) for m in self.inv_deriv_inv_parts(theta)]

    def deriv_times(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        """n x n_params: column k is Σ̇_k v (v a vector of length n). Default: from
        :meth:`derivatives`; products and sums override it without forming n x n matrices."""
        ders = self.derivatives(theta)
        out = np.zeros((self.n, len(ders)))
        for k, d in enumerate(ders):
            out[:, k] = np.asarray(d @ v).ravel()
        return out

    def inv_deriv_trace(self, theta: np.ndarray) -> np.ndarray:
        """[tr(Σ⁻¹Σ̇_k) for each k] (the score's first term). Default: Σ_ij (Σ⁻¹)_ij (Σ̇_k)_ij
        from :meth:`inverse` and :meth:`derivatives`."""
        si = self.inverse(theta)
        return np.array([sum_prod(si, d) for d in self.derivatives(theta)], dtype=float)

    def em_block(self, theta: np.ndarray) -> np.ndarray:
        """½ tr(Σ⁻¹Σ̇_kΣ⁻¹Σ̇_l) over this template's parameters (the EM information block).
        Default: from :meth:`inv_deriv_inv` and :meth:`derivatives`."""
        ders = self.derivatives(theta)
        idis = self.inv_deriv_inv(theta)
        k = len(ders)
        blk = np.empty((k, k))
        for a in range(k):
            for b in range(a, k):
                blk[a, b] = blk[b, a] = 0.5 * sum_prod(idis[a], ders[b])
        return blk

    def deriv_entries(self, theta: np.ndarray, rows: np.ndarray,
                      cols: np.ndarray) -> np.ndarray:
        """(n_params, len(rows)): (Σ̇_k)[rows[i], cols[i]]. Default: indexed from
        :meth:`derivatives`; a Kronecker product answers from its parts."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        return np.array([entries_at(d, rows, cols) for d in self.derivatives(theta)],
                        dtype=float).reshape(self.n_params, rows.size)

    def inverse_pattern(self, theta: np.ndarray) -> sp.csc_matrix:
        """Where Σ⁻¹ may be nonzero, as a 0/1 sparse matrix: the entries the engine reserves
        for Σ⁻¹ in the mixed model equations. It must hold the nonzeros of Σ⁻¹ and of
        Σ⁻¹Σ̇_kΣ⁻¹ = −∂Σ⁻¹/∂θ_k. Default: those nonzeros at θ (an entry that appears at a
        later θ grows the engine's pattern); a product answers part by part."""
        pat = sp.csc_matrix((self.n, self.n))
        for m in [self.inverse(theta), *self.inv_deriv_inv(theta)]:
            pat = pat + abs(to_sparse(m))
        pat.data = np.ones(pat.data.size)
        pat.eliminate_zeros()
        return pat

    # ----- constraints and starting values ---------------------------------------------------
    def lower(self) -> np.ndarray:
        """Lower bound of each parameter (variance 0, correlation -1, else -inf)."""
        return np.array(
            [0.0 if k == "variance" else -1.0 if k == "correlation" else -np.inf
             for k in self.param_kinds]
        )

    def upper(self) -> np.ndarray:
        """Upper bound of each parameter (correlation 1, else +inf)."""
        return np.array([1.0 if k == "correlation" else np.inf for k in self.param_kinds])

    def within_bounds(self, theta: np.ndarray) -> bool:
        """θ finite and inside :meth:`lower`/:meth:`upper` (correlations strictly)."""
        theta = np.asarray(theta, dtype=float)
        for t, k, a, b in zip(theta, self.param_kinds, self.lower(), self.upper()):
            if not np.isfinite(t):
                return False
            if k == "correlation" and not (a < t < b):
                return False
            if t < a or t > b:
                return False
        return True

    def is_valid(self, theta: np.ndarray) -> bool:
        """θ inside the bounds (correlations strictly) and Σ(θ) positive definite."""
        theta = np.asarray(theta, dtype=float)
        if not self.within_bounds(theta):
            return False
        if self.n_params == 0:
            return True
        try:
            self.logdet(theta)
        except (np.linalg.LinAlgError, ValueError):
            return False
        return True

    @abstractmethod
    def initial(self, scale: float) -> np.ndarray:
        """Default starting θ given a variance ``scale`` for the whole term.

        ASReml-like: variances start at ``scale``, covariances at 0.1 x scale... (each family
        documents its own), correlations at 0.1, loadings so that the implied variance is
        ``scale``.
        """

    # ----- structure: the questions the engine asks (defaults: a plain leaf) ------------------
    #: True for a parameter-free known matrix K (vm/giv/ped/G): see :meth:`rank_reduction`
    is_known: bool = False
    #: Σ(θ) is diagonal of a fixed form: ``"identity"`` (I, no parameters), ``"common"``
    #: (θ_0 I, one variance: idv) or ``"each"`` (diag(θ), one variance per level: diag/idh);
    #: None otherwise. :meth:`diagonal_variances` gives the diagonal.
    diagonal: str | None = None
    #: Σ(θ) is linear in θ: True (declared: :meth:`linear_basis` is exact), False (declared
    #: not), None (unknown: :meth:`linear_basis` probes)
    linear: bool | None = None
    #: Σ(θ)⁻¹ is dense at a generic θ whatever n (fa: (ΛΛ' + Ψ)⁻¹ by Woodbury): a random
    #: term's closed forms over a full n x n pattern then cost no more entries than
    #: Σ⁻¹ itself (:class:`asr_py.reml.ginverse._ProductIndex` takes such parts beyond
    #: its size limit for sparse inverses such as ar1's)
    dense_inverse: bool = False

    def leaves(self, offset: int = 0) -> list[tuple[CovTemplate, int]]:
        """(leaf template, offset of its first parameter) of every structure this template is
        built from (Kronecker parts, a wrapped template, direct-sum sections); a leaf is
        itself at ``offset``."""
        return [(self, offset)]

    def fixed_mask(self) -> np.ndarray:
        """True for each parameter the structure itself holds at its start value (listed as
        asreml lists it, constraint 'F', never estimated: fa/rr's structural zero loadings);
        a composite template collects its leaves' masks. Default: none."""
        out = np.zeros(self.n_params, dtype=bool)
        for leaf, off in self.leaves():
            if leaf is not self:
                out[off:off + leaf.n_params] |= leaf.fixed_mask()
        return out

    def hold_fixed(self, theta: np.ndarray, fixed: np.ndarray
                   ) -> tuple[CovTemplate, np.ndarray]:
        """(this template with the structures whose parameters are all ``fixed`` at ``theta``
        held as known covariances, a mask of the parameters that remain): the engine then
        forms no derivative, score entry or AI row for the others. Default:
        :func:`asr_py.vcov.frozen.hold` (whole templates, direct-sum sections, Kronecker
        parts; many fixed parameters beside free ones)."""
        from asr_py.vcov.frozen import hold

        return hold(self, np.asarray(theta, dtype=float), np.asarray(fixed, dtype=bool))

    def kronecker_factors(self) -> tuple[bool, list[CovTemplate]] | None:
        """(has a leading scale σ², [Σ_1, ..., Σ_p]) if Σ = [σ²] Σ_1 ⊗ ... ⊗ Σ_p is a
        direct product the engine may use part by part; None (the default) otherwise."""
        return None

    def split(self, theta: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """(σ², [θ_1, ..., θ_p]) over :meth:`kronecker_factors` (a leaf: (1, [θ]))."""
        return 1.0, [np.asarray(theta, dtype=float)]

    def with_factors(self, parts: Sequence[CovTemplate]) -> CovTemplate:
        """The same product (same scale) over new ``parts`` (e.g. a known matrix replaced
        by its eigenvalues or by the identity of its root); a leaf takes its one part."""
        if len(parts) != 1:
            raise ValueError(f"{type(self).__name__} is not a product: one part expected")
        return parts[0]

    def rank_reduction(self) -> tuple[np.ndarray, CovTemplate] | None:
        """(L, I_r) with Σ = L I_r L' when Σ is a singular known matrix fitted as positive
        semi-definite (L its n x r root); None (the default) for every other template."""
        return None

    def zero_variance_face(self, j: int) -> CovTemplate | None:
        """This template on the face where its variance parameter θ_j is zero, when that
        zero widens what the other parameters may be: a template with the same θ layout whose
        Σ equals Σ(θ) with θ_j's level uncoupled from the others (a correlation family's 'h'
        variant: corh over 3 levels needs ρ > −½ while every σ²_i > 0, but with σ²_i = 0
        Σ = D C D is positive semi-definite for every ρ ∈ [−1, 1]); θ_j stays its diagonal
        entry, held near zero by the engine. None (the default) when there is no such face;
        a Kronecker product asks the part that holds θ_j."""
        factors = self.kronecker_factors()
        if factors is None:
            return None
        scale, parts = factors
        off = 1 if scale else 0
        for i, p in enumerate(parts):
            if off <= j < off + p.n_params:
                q = p.zero_variance_face(j - off)
                return None if q is None else self.with_factors([*parts[:i], q, *parts[i + 1:]])
            off += p.n_params
        return None

    def fold_faces(self) -> list[FoldFace]:
        """The folds of this template's parametrisation: faces θ_i = θ_j where ∂Σ/∂θ_j is a
        multiple of ∂Σ/∂θ_i, so the information is singular and ∂ℓ/∂(normal) = 0 for every
        likelihood (sar2's γ_1 = γ_2, a triple root of its AR(3) polynomial), each with a
        template of the same θ layout whose Σ(θ) is Σ at θ_j := θ_i and ∂Σ/∂θ_j = 0 (the
        engine holds θ_j). [] (the default) when there is none; a Kronecker product asks
        its parts."""
        factors = self.kronecker_factors()
        if factors is None:
            return []
        scale, parts = factors
        off = 1 if scale else 0
        out = []
        for k, p in enumerate(parts):
            for f in p.fold_faces():
                normal = np.zeros(self.n_params)
                normal[off:off + p.n_params] = f.normal
                out.append(FoldFace(off + f.i, off + f.j,
                                    self.with_factors([*parts[:k], f.template, *parts[k + 1:]]),
                                    normal, f.why))
            off += p.n_params
        return out

    def latent_identity(self) -> CovTemplate | None:
        """I_k of the latent factors f when Σ = ΛΛ' (n x n, Λ n x k from θ's loadings) is
        fitted as u = (Λ ⊗ I) f (``rr(f, k)``, :mod:`asr_py.reml.rr_latent`); None (the
        default) for every other template."""
        return None

    def diagonal_variances(self, theta: np.ndarray) -> np.ndarray:
        """The diagonal of Σ(θ) for a :attr:`diagonal` template."""
        raise NotImplementedError(f"{type(self).__name__} is not diagonal")

    def exchange_start(self, theta: np.ndarray, free: int, zero: int) -> np.ndarray | None:
        """A start θ' for another local REML optimum of a leaf whose variance parameters trade
        places at zero (fa's Heywood sets: which ψ_i are 0): variance θ_free (at its bound)
        raised, variance θ_zero (inside) lowered near zero, the diagonal of Σ kept (the
        engine's :mod:`asr_py.reml.heywood_swap`). None (the default): no such exchange."""
        return None

    def linear_basis(self, theta: np.ndarray) -> np.ndarray | None:
        """E (k x n x n) with Σ(θ) = Σ_k θ_k E_k for every θ (Σ linear in its parameters),
        else None. Default: ∂Σ/∂θ at θ, accepted when Σ(θ) = Σ θ_k E_k at θ and at
        1.3θ + 0.1 (relative 1e-10) unless :attr:`linear` declares the answer."""
        th = np.asarray(theta, dtype=float)
        if self.linear is False:
            return None
        if self.linear:
            E = np.array([to_dense(d) for d in self.derivatives(th)], dtype=float)
            return E.reshape(len(E), self.n, self.n)
        try:
            E = np.array([to_dense(d) for d in self.derivatives(th)], dtype=float)
            if E.size == 0:
                return None
            m0 = to_dense(self.matrix(th))
            th1 = th * 1.3 + 0.1
            m1 = to_dense(self.matrix(th1))
        except Exception:  # noqa: BLE001 - a template that cannot be probed is not linear
            return None
        E = E.reshape(th.size, self.n, self.n)
        sc = max(float(np.abs(m0).max()), 1.0)
        if (np.abs(np.tensordot(th, E, axes=1) - m0).max() > 1e-10 * sc
                or np.abs(np.tensordot(th1, E, axes=1) - m1).max() > 1e-10 * sc):
            return None
        return E

    def pd_geometry(self, theta: np.ndarray) -> PDGeometry | None:
        """How Σ's positive-definite boundary is described (see :class:`PDGeometry`), for the
        engine's boundary handling; None when the parameter bounds are the whole constraint.
        Default: a covariance matrix linear in its variance/covariance parameters (us and
        friends, at least one covariance) is ``"linear"``."""
        kinds = list(self.param_kinds)
        if len(kinds) < 2 or any(k not in ("variance", "covariance") for k in kinds):
            return None
        if "covariance" not in kinds:
            return None
        E = self.linear_basis(theta)
        return None if E is None else PDGeometry("linear", len(kinds), E)

    def scaled_diagonal(self, theta: np.ndarray) -> np.ndarray | None:
        """Weights w if Σ(θ) = θ·diag(1/w) with its single parameter θ (σ²I: w = 1; prior
        weights around a scaled identity), else None. Default: probed at θ (2.5 if θ <= 0)
        and 2θ: ∂Σ/∂θ diagonal, positive and constant, and Σ(θ) = θ ∂Σ/∂θ."""
        if self.n_params != 1:
            return None
        th = np.asarray(theta, dtype=float)
        probe = np.array([2.5]) if th[0] <= 0 else th
        try:
            d = sp.csc_matrix(self.derivatives(probe)[0])
            d2 = sp.csc_matrix(self.derivatives(2.0 * probe)[0])
            m = sp.csc_matrix(self.matrix(probe))
        except Exception:  # noqa: BLE001 - a template that cannot be probed is not special
            return None
        dg = d.diagonal()
        if not (np.all(np.isfinite(dg)) and np.all(dg > 0)):
            return None
        dd = sp.diags(dg, 0, format="csc")
        tol = 1e-12 * max(1.0, float(dg.max()))
        for a, b, t in ((d, dd, tol), (d2, dd, tol),
                        (m, probe[0] * dd, tol * max(1.0, probe[0]))):
            diff = a - b
            if diff.nnz and abs(diff).max() > t:
                return None
        return 1.0 / dg

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={self.n}, params={self.param_names})"


@dataclass(frozen=True, eq=False)
class FoldFace:
    """A fold θ_i = θ_j of a template's parametrisation (:meth:`CovTemplate.fold_faces`):
    ``template`` is Σ on the face (same θ layout, θ_j ignored), ``normal`` the direction in
    θ that leaves the face along which Σ changes only at second order (sar2: (−2, 1) on
    (γ_1, γ_2)), the line on which the engine checks that the face's optimum is a maximum;
    ``why`` says what the face is, for the fit's note."""

    i: int
    j: int
    template: CovTemplate
    normal: np.ndarray
    why: str = ""


class PDGeometry:
    """The positive-definite boundary of a template over its first ``k`` parameters:

    * ``"linear"``: Σ(θ) = Σ_k θ_k E_k (a covariance matrix, us);
    * ``"correlation"``: its correlation matrix C(ρ) = I + Σ_k ρ_k E_k (corg, corgv, corgh:
      the correlations come first).

    ``E`` is the (k, n, n) constant basis."""

    __slots__ = ("kind", "k", "E")

    def __init__(self, kind: str, k: int, E: np.ndarray) -> None:
        if kind not in ("linear", "correlation"):
            raise ValueError(f"PDGeometry: unknown kind {kind!r}")
        self.kind, self.k, self.E = kind, int(k), np.asarray(E, dtype=float)

    @property
    def correlation(self) -> bool:
        return self.kind == "correlation"


@dataclass(frozen=True)
class StructureSyntax:
    """How a structure is written in a formula and described: the one table per structure.

    ``f(factor[, k], name = value ...)``: ``max_args`` positional arguments (the factor, then
    the order k when ``order`` is set: the second positional argument, or one of
    ``order_names``), ``named`` the named arguments it accepts; ``coordinates``: the factor's
    levels are coordinates (numeric). ``doc`` is the one-line summary (function table, docs);
    ``words``, ``math`` (an n x n matrix over factor f: ``{n}``/``{f}`` substituted) and
    ``definition`` are what ``explain`` prints. The formula function table, the compiler,
    explain and the docs' structure table read this (:func:`structure_syntax`).
    """

    doc: str = ""
    max_args: int = 1
    named: tuple[str, ...] = ("init",)
    order: bool = False
    order_names: tuple[str, ...] = ("k",)
    coordinates: bool = False
    #: a correlation over ordered positions or coordinates (ar, ma, exp, gau, ...): what a
    #: spatial residual ``f(Row):g(Col)`` uses (:func:`asr_py.formula.functions.spatial_functions`)
    spatial: bool = False
    #: the number of coordinate arguments a metric structure takes (``exp(x)``: (1,);
    #: ``iexp(x, y)``: (1, 2); ``aexp(x, y)``: (2,)); the compiler pairs the columns
    dimensions: tuple[int, ...] = (1,)
    words: str = ""
    math: str = ""
    definition: str = ""

    def options(self, levels: Sequence[str], order: int | None) -> dict[str, object]:
        """The constructor options of a call: ``order`` (when given and the structure takes
        one) and ``coords`` (the levels as numbers; ValueError if one is not numeric)."""
        opts: dict[str, object] = {}
        if self.order and order is not None:
            opts["order"] = int(order)
        if self.coordinates:
            try:
                opts["coords"] = np.array([float(x) for x in levels])
            except ValueError:  # "x:y" labels (fac(x, y)): points in the plane
                if 2 not in self.dimensions:
                    raise
                opts["coords"] = np.array([[float(v) for v in str(x).split(":")]
                                           for x in levels]).reshape(len(levels), 2)
        return opts


class Structure(CovTemplate):
    """A variance structure applied to one factor (a ``:``-separated part of a term).

    Constructed as ``cls(levels, name=factor_name, **options)`` where ``levels`` are the
    factor's level labels (strings) and options are structure-specific (``order`` for fa/rr,
    ``ar2`` order, ``coords`` for distance-based structures...).
    """

    #: registry names this class answers to (set by :func:`register`)
    names: tuple[str, ...] = ()
    #: formula syntax and description (see :class:`StructureSyntax`)
    syntax: StructureSyntax = StructureSyntax()

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        # a lazy label sequence (model.unit_labels: units' '1'..'n') is kept as it is
        self.levels = levels if getattr(levels, "lazy_labels", False) else tuple(
            str(x) for x in levels)
        self.n = len(self.levels)
        self.name = name
        self.options = dict(options)


_REGISTRY: dict[str, Callable[..., Structure]] = {}
_SYNTAX: dict[str, StructureSyntax] = {}
_IN_TABLE: set[str] = set()  # the variance structures (not model functions such as vm)


def _publish(name: str, syntax: StructureSyntax, table: bool = True) -> None:
    """Record ``name``'s syntax and (``table``) write it into the formula function table as
    a variance structure (the parser, the compiler and explain then know the name)."""
    from asr_py.formula.functions import register_variance

    _SYNTAX[name] = syntax
    if table:
        _IN_TABLE.add(name)
        register_variance(name, 1, syntax.max_args, syntax.named, syntax.doc)


def register(*names: str, syntax: StructureSyntax | None = None) -> Callable[[type], type]:
    """Class decorator: register a :class:`Structure` under each of ``names`` with its
    ``syntax`` (default: the class's :attr:`Structure.syntax`).

    A name may map to a factory (e.g. the 'v'/'h' variants of a correlation family) by
    calling :func:`register_factory` instead.
    """

    def deco(cls: type) -> type:
        for nm in names:
            _REGISTRY[nm] = cls
            _publish(nm, syntax or getattr(cls, "syntax", StructureSyntax()))
        cls.names = tuple(getattr(cls, "names", ())) + tuple(names)
        return cls

    return deco


def register_factory(name: str, factory: Callable[..., Structure],
                     syntax: StructureSyntax | None = None, table: bool = True) -> None:
    """Register a callable ``factory(levels, name=..., **options) -> Structure`` under name
    (``table=False``: a model function such as ``vm``, not a variance structure of the
    formula function table)."""
    _REGISTRY[name] = factory
    _publish(name, syntax or StructureSyntax(), table)


def unregister(name: str) -> None:
    """Remove a registered structure (and its function-table entry): for tests and
    plug-ins that register one for a while."""
    from asr_py.formula.functions import unregister_variance

    _REGISTRY.pop(name, None)
    _IN_TABLE.discard(name)
    if _SYNTAX.pop(name, None) is not None:
        unregister_variance(name)


def structure_syntax(name: str) -> StructureSyntax | None:
    """The syntax and description of the registered structure ``name`` (None if none)."""
    _ensure_loaded()
    return _SYNTAX.get(name)


def get_structure(name: str) -> Callable[..., Structure]:
    """Look up a registered structure by its ASReml name (``us``, ``diag``, ``ar1v``...)."""
    _ensure_loaded()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(name) from None


def structure_table() -> str:
    """The markdown table of every registered structure, from its syntax: how it is written
    and what it is (docs/vcov.md holds this table; a test keeps it in step)."""
    _ensure_loaded()
    rows = ["| name | written | what it is |", "|---|---|---|"]
    for nm in sorted(_IN_TABLE):
        s = _SYNTAX[nm]
        args = "f" + (", k" if s.order else "") + "".join(
            f", {a} = ..." for a in s.named if not (s.order and a in s.order_names))
        what = s.words + (f" ({s.definition})" if s.definition else "")
        rows.append(f"| `{nm}` | `{nm}({args})` | {what.replace('|', chr(92) + '|')} |")
    return "\n".join(rows) + "\n"


def coverage_table() -> str:
    """The markdown table of ASReml's variance-structure families and asr_py's status for
    each: the registered ones fit (their 'v'/'h' variants beside them), the ASReml names
    asr_py does not implement are refused at compile time with an alternative
    (asr_py.formula.functions.UNAVAILABLE / ALTERNATIVES). docs/coverage.md holds it."""
    from asr_py.formula.functions import ALTERNATIVES, UNAVAILABLE, variance_base

    _ensure_loaded()
    families: dict[str, list[str]] = {}
    for nm in sorted(_IN_TABLE | set(UNAVAILABLE)):
        vb = variance_base(nm)
        families.setdefault(vb[0] if vb else nm, []).append(nm)
    rows = ["| family | written | asr_py |", "|---|---|---|"]
    for fam in sorted(families):
        names = sorted(families[fam], key=lambda n: (len(n), n))
        written = ", ".join(f"`{n}`" for n in names)
        if all(n in UNAVAILABLE for n in names):
            status = f"refused: not available (error with caret; hint: {ALTERNATIVES[fam]})"
        else:
            status = "fits: " + (_SYNTAX[names[0]].doc or _SYNTAX[names[0]].words)
        rows.append(f"| {fam} | {written} | {status.replace('|', chr(92) + '|')} |")
    return "\n".join(rows) + "\n"


def registered_names() -> list[str]:
    """All registered structure names, sorted."""
    _ensure_loaded()
    return sorted(_REGISTRY)


def _ensure_loaded() -> None:
    # importing the package registers every family
    import asr_py.vcov  # noqa: F401
