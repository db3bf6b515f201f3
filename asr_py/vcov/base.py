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

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

Matrix = np.ndarray | sp.spmatrix | sp.sparray

KINDS = ("variance", "covariance", "correlation", "loading", "scale", "other")


def to_dense(m: Matrix) -> np.ndarray:
    """Return ``m`` as a dense ndarray."""
    return m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)


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


def label(name: str, suffix: str, sep: str = "_") -> str:
    """ASReml-style parameter name: ``f"{name}{sep}{suffix}"`` (just ``suffix`` if no name)."""
    return f"{name}{sep}{suffix}" if name else suffix


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

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        """[Σ⁻¹ (∂Σ/∂θ_k) Σ⁻¹ for each k]; Kronecker products override this cheaply."""
        si = self.inverse(theta)
        out = []
        for d in self.derivatives(theta):
            out.append(si @ d @ si)
        return out

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

    def is_valid(self, theta: np.ndarray) -> bool:
        """θ inside the bounds (correlations strictly) and Σ(θ) positive definite."""
        theta = np.asarray(theta, dtype=float)
        kinds = self.param_kinds
        lo, hi = self.lower(), self.upper()
        for t, k, a, b in zip(theta, kinds, lo, hi):
            if not np.isfinite(t):
                return False
            if k == "correlation" and not (a < t < b):
                return False
            if t < a or t > b:
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

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={self.n}, params={self.param_names})"


class Structure(CovTemplate):
    """A variance structure applied to one factor (a ``:``-separated part of a term).

    Constructed as ``cls(levels, name=factor_name, **options)`` where ``levels`` are the
    factor's level labels (strings) and options are structure-specific (``order`` for fa/rr,
    ``ar2`` order, ``coords`` for distance-based structures...).
    """

    #: registry names this class answers to (set by :func:`register`)
    names: tuple[str, ...] = ()

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        self.levels = tuple(str(x) for x in levels)
        self.n = len(self.levels)
        self.name = name
        self.options = dict(options)


_REGISTRY: dict[str, Callable[..., Structure]] = {}


def register(*names: str) -> Callable[[type], type]:
    """Class decorator: register a :class:`Structure` under each of ``names``.

    A name may map to a factory (e.g. the 'v'/'h' variants of a correlation family) by
    calling :func:`register_factory` instead.
    """

    def deco(cls: type) -> type:
        for nm in names:
            _REGISTRY[nm] = cls
        cls.names = tuple(getattr(cls, "names", ())) + tuple(names)
        return cls

    return deco


def register_factory(name: str, factory: Callable[..., Structure]) -> None:
    """Register a callable ``factory(levels, name=..., **options) -> Structure`` under name."""
    _REGISTRY[name] = factory


def get_structure(name: str) -> Callable[..., Structure]:
    """Look up a registered structure by its ASReml name (``us``, ``diag``, ``ar1v``...)."""
    _ensure_loaded()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(name) from None


def registered_names() -> list[str]:
    """All registered structure names, sorted."""
    _ensure_loaded()
    return sorted(_REGISTRY)


def _ensure_loaded() -> None:
    # importing the package registers every family
    import asr_py.vcov  # noqa: F401
