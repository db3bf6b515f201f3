"""solver='auto': the eigendecomposition path or the mixed model equations, by estimated cost.

With one known matrix K (n levels, t traits, N = n t + p equations) and one record per level
the eigen path (:mod:`asr_py.reml.eigen`) applies. It costs one dense eigendecomposition of K
(or of K⁻¹ when that is what was given),

    cost_eigen ≈ E n³  flops,   E = :data:`EIGEN_FLOPS` (LAPACK syevd with vectors),

and nothing when K's decomposition is already cached (an earlier fit with the same K). The
mixed model equations cost a few factorizations and selected inverses of C per iteration:

    cost_mme ≈ I · 3 · N³/3 · min(1, F ρ),

I = :data:`TYPICAL_ITERATIONS`, ρ = the density of K⁻¹ as it enters C (nnz/n² of a given
sparse inverse, e.g. a pedigree A⁻¹ with about 7 entries per row; 1 for a dense K or G, whose
inverse is dense) and F = :data:`FILL` the fill-in of a sparse Cholesky relative to C's
density. A pedigree A⁻¹ (ρ ≈ 7/n) thus goes to the sparse path from a few hundred animals on
(2 000 / 5 000 / 8 000 animals: 22.8 / 75.9 / 469.9 s eigen against 1.0 / 1.5 / 4.4 s sparse),
a dense genomic G to the eigen path. :func:`choose_path` returns the path with the reason the
trace prints.
"""

from __future__ import annotations

from dataclasses import dataclass

import scipy.sparse as sp

from asr_py.reml.problem import MixedProblem

#: flops of a symmetric eigendecomposition with eigenvectors, per n³
EIGEN_FLOPS = 4.0
#: AI-REML iterations assumed for the mixed-model-equation path
TYPICAL_ITERATIONS = 8
#: sparse Cholesky fill-in relative to the density of the known inverse
FILL = 20.0


@dataclass(frozen=True)
class PathChoice:
    """'eigen' or 'mme' (the mixed model equations, backend by :func:`choose_backend`), why,
    and the two cost estimates in flops (None where a path does not apply)."""

    path: str
    reason: str
    cost_eigen: float | None = None
    cost_mme: float | None = None


def _density(m: object) -> float:
    if sp.issparse(m):
        n = m.shape[0]  # type: ignore[attr-defined]
        return float(m.nnz) / float(n * n) if n else 1.0  # type: ignore[attr-defined]
    return 1.0


def choose_path(problem: MixedProblem) -> PathChoice:
    """The cheaper of the eigen path and the mixed model equations for ``problem``."""
    from asr_py.reml.eigen import _analyse, _NotApplicable

    try:
        form = _analyse(problem)
    except _NotApplicable as exc:
        return PathChoice("mme", f"the eigen path does not apply ({exc})")
    km, n, t, p = form.km, form.n, form.t, form.p
    name = km.name or "K"
    if km.has_spectrum:
        return PathChoice("eigen", f"the eigendecomposition of {name} is cached from an "
                          "earlier fit", 0.0, None)
    n_eq = n * t + p
    if km.given_inverse:
        rho = _density(km.inverse())
        form = f"{name} is given as its inverse, {100 * rho:.2g} % nonzero"
    elif sp.issparse(km.matrix()):
        rho = _density(km.matrix())
        form = f"{name} is given as a sparse matrix, {100 * rho:.2g} % nonzero"
    else:
        rho = 1.0
        form = f"{name} is given as a dense {n} x {n} matrix (its inverse is dense)"
    eig = EIGEN_FLOPS * float(n) ** 3
    mme = TYPICAL_ITERATIONS * float(n_eq) ** 3 * min(1.0, FILL * rho)
    if eig <= mme:
        return PathChoice("eigen", f"{form}: one dense eigendecomposition of {name} "
                          f"(n = {n}, ~{eig:.2g} flops) costs less than ~{TYPICAL_ITERATIONS} "
                          f"iterations of factorizations of C ({n_eq} equations, "
                          f"~{mme:.2g} flops)", eig, mme)
    return PathChoice("mme", f"{form}: ~{TYPICAL_ITERATIONS} iterations of sparse "
                      f"factorizations of C ({n_eq} equations, ~{mme:.2g} flops) cost less "
                      f"than the dense eigendecomposition of {name} (n = {n}, ~{eig:.2g} "
                      "flops)", eig, mme)


def eigendecompose(problem: MixedProblem) -> None:
    """Decompose the eigen path's K now (cached for :func:`fit_reml_eigen`), announced as a
    phase (:func:`asr_py.reml.progress.phase`); a problem or K the path cannot use is left
    for :func:`fit_reml_eigen` to report."""
    from asr_py.errors import MatrixError
    from asr_py.reml.eigen import _analyse, _NotApplicable, known_eigen
    from asr_py.reml.progress import phase
    from asr_py.threads import blas_threads

    try:
        km = _analyse(problem).km
    except _NotApplicable:
        return
    if not km.has_spectrum:
        phase(f"eigendecomposition of {km.name or 'K'} ({km.n} x {km.n}, "
              f"{blas_threads(km.n)} BLAS thread(s))", km.n)
        try:
            known_eigen(km)
        except (_NotApplicable, MatrixError):
            return
