"""Fill-reducing orderings of C handed to CHOLMOD.

* 'amd': CHOLMOD's own approximate minimum degree (its default analysis; postordered);
* 'metis': METIS multilevel nested dissection (``pymetis``) of the graph of C, postordered
  by CHOLMOD's first analysis.

Measured on the pedigree MMEs of ``benchmarks/problems.py`` (``goal_animal1_*``, 10
generations, one record per animal; benchmarks/README.md "Orderings"), nnz(L):

=========== ============ ============= ======================================
animals     AMD          METIS         METIS, dense rows removed, ordered last
=========== ============ ============= ======================================
100 000     4.53 M       5.74 M        8.28 M
200 000     12.6 M       18.0 M        28.3 M
=========== ============ ============= ======================================

and the numeric factorization follows the fill (200 000: AMD 2.2 s, METIS 8 s, loaded
machine). A pedigree's graph is nearly a tree plus the fixed effects' rows, on which
minimum degree is close to optimal. So 'auto' is AMD at every size
(:data:`METIS_MIN_EQUATIONS` = None) and METIS is selectable (``solver='sparse-nd'``) for
C of other structure (spatial, genomic, ...).

A permutation ``perm`` is "new -> old": (P C P')[a, b] = C[perm[a], perm[b]].
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

#: orderings a CholmodAnalysis accepts
ORDERINGS = ("auto", "amd", "metis")
#: 'auto' uses METIS from this many equations on (None: never; AMD wins on the measured sizes)
METIS_MIN_EQUATIONS: int | None = None


def resolve(ordering: str, n: int) -> str:
    """'amd' or 'metis' for a C of ``n`` equations under the option ``ordering``."""
    if ordering not in ORDERINGS:
        raise ValueError(f"ordering must be one of {ORDERINGS}, not {ordering!r}")
    if ordering != "auto":
        return ordering
    return "metis" if METIS_MIN_EQUATIONS is not None and n >= METIS_MIN_EQUATIONS else "amd"


def metis_available() -> bool:
    try:
        import pymetis  # noqa: F401
    except ImportError:
        return False
    return True


def metis_permutation(low: sp.csc_matrix) -> np.ndarray:
    """Nested-dissection permutation (new -> old) of the symmetric matrix whose lower
    triangle is ``low``. Raises ImportError without ``pymetis``."""
    import pymetis

    g = sp.csr_matrix(low + low.T)
    g.setdiag(0)
    g.eliminate_zeros()
    g.sort_indices()
    perm, _ = pymetis.nested_dissection(adjacency=pymetis.CSRAdjacency(g.indptr, g.indices))
    return np.asarray(perm, dtype=np.int64)
