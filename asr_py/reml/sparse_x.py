"""A large fixed design X kept sparse: X'X solves, its rank check and X's null space.

Genotype BLUEs fit thousands of factor levels as fixed effects (``y ~ env + gen`` with
6 000 genotypes, 30 000 records): X is then mostly zeros and X'X (p x p) is sparse, but its
dense forms cost O(n p) and O(p²) memory and O(p³) time (a 6 307-column X and X'X: 1.6 GiB;
an eigen-decomposition of X'X: about a minute). Here X'X is factored sparsely (SuperLU with a
fill-reducing column order) and only what is needed is formed: solves with X'X, its extreme
eigenvalues (the rank check of the MME), and a basis of X's null space built from the
aliased columns (predict's estimability checks).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

#: a fixed design with at least this many columns and at most this fraction of non-zeros is
#: kept sparse (below, dense BLAS on X'X is as fast and every consumer gets an array)
SPARSE_X_MIN_COLUMNS = 400
SPARSE_X_MAX_DENSITY = 0.05


def prefer_sparse_x(x: np.ndarray | sp.spmatrix) -> bool:
    """True when X (n x p) is large and sparse enough to be kept as a scipy.sparse matrix."""
    n, p = x.shape
    if p < SPARSE_X_MIN_COLUMNS or n == 0:
        return False
    nnz = x.nnz if sp.issparse(x) else int(np.count_nonzero(x))
    return nnz <= SPARSE_X_MAX_DENSITY * n * p


def as_dense(x: np.ndarray | sp.spmatrix) -> np.ndarray:
    """X as a float ndarray (a sparse X densified)."""
    return x.toarray() if sp.issparse(x) else np.asarray(x, dtype=float)


def gram_solver(a: sp.spmatrix) -> Callable[[np.ndarray], np.ndarray]:
    """``b -> A⁻¹b`` for a sparse symmetric positive definite A (SuperLU, COLAMD order).
    Raises np.linalg.LinAlgError when A is (exactly) singular."""
    try:
        lu = spla.splu(sp.csc_matrix(a, dtype=float), permc_spec="MMD_AT_PLUS_A",
                       options={"SymmetricMode": True})
    except RuntimeError as exc:  # 'Factor is exactly singular'
        raise np.linalg.LinAlgError(str(exc)) from None

    def solve(b: np.ndarray) -> np.ndarray:
        return lu.solve(np.asarray(b, dtype=float))

    return solve


def extreme_eigen(a: sp.spmatrix) -> tuple[float, float, np.ndarray]:
    """(λ_min, λ_max, eigenvector of λ_min) of a sparse symmetric PSD A: λ_max by Lanczos on
    A, λ_min by Lanczos on A⁻¹ (λ_min = 0 and its vector from A's null space when A is
    singular)."""
    a = sp.csc_matrix(a, dtype=float)
    p = a.shape[0]
    rng = np.random.default_rng(0)  # a fixed start: the same answer at every call
    # the rank check compares λ_min / λ_max with 1e-10: two digits are plenty (EIG_TOL)
    lmax = float(_largest(a, rng.standard_normal(p))[0][0])
    try:
        solve = gram_solver(a)
    except np.linalg.LinAlgError:
        return 0.0, lmax, _null_vector(a)
    op = spla.LinearOperator((p, p), matvec=solve, dtype=float)
    mu, vec = _largest(op, rng.standard_normal(p), "LM")  # a roundoff pivot may be < 0
    if not np.isfinite(mu[0]) or mu[0] <= 0:
        return 0.0, lmax, _null_vector(a)
    return float(1.0 / mu[0]), lmax, vec[:, 0]


#: relative accuracy of the Lanczos eigenvalues of :func:`extreme_eigen`
EIG_TOL = 1e-4


def _largest(op: sp.spmatrix | spla.LinearOperator, v0: np.ndarray, which: str = "LA"
             ) -> tuple[np.ndarray, np.ndarray]:
    """The largest (``which``: algebraic 'LA' or in magnitude 'LM') eigenvalue (array of one)
    and its vector; the best Ritz pair found when Lanczos stops early."""
    try:
        return spla.eigsh(op, k=1, which=which, v0=v0, tol=EIG_TOL)
    except spla.ArpackNoConvergence as exc:
        if exc.eigenvalues.size:
            return exc.eigenvalues[:1], exc.eigenvectors[:, :1]
        raise


def _null_vector(a: sp.csc_matrix) -> np.ndarray:
    """A unit vector v with A v ≈ 0 for a singular sparse A (a dense decomposition: only when
    the rank check fails, where the message names the columns involved)."""
    _, vec = np.linalg.eigh(a.toarray())
    return vec[:, 0]


def null_basis_from_aliasing(x_all: sp.spmatrix, keep: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the null space of X (n x P, sparse) given the flags ``keep`` of a
    maximal independent set of its columns: each aliased column a gives the null vector
    e_a − K(K'K)⁻¹K'x_a (K the kept columns); those P − rank vectors span the null space."""
    x_all = sp.csc_matrix(x_all, dtype=float)
    keep = np.asarray(keep, dtype=bool)
    P = x_all.shape[1]
    alias = np.nonzero(~keep)[0]
    if alias.size == 0:
        return np.zeros((P, 0))
    kept = np.nonzero(keep)[0]
    v = np.zeros((P, alias.size))
    v[alias, np.arange(alias.size)] = 1.0
    if kept.size:
        xk = x_all[:, kept]
        solve = gram_solver((xk.T @ xk).tocsc())
        rhs = np.asarray((xk.T @ x_all[:, alias]).toarray())
        v[kept] = -np.asarray(solve(rhs)).reshape(kept.size, alias.size)
    q, _ = np.linalg.qr(v)
    return q


__all__ = ["SPARSE_X_MIN_COLUMNS", "SPARSE_X_MAX_DENSITY", "as_dense", "extreme_eigen",
           "gram_solver", "null_basis_from_aliasing", "prefer_sparse_x"]
