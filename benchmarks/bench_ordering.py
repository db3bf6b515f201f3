"""Fill and time of CHOLMOD's factorization of an animal-model C under the orderings tried.

    python3 benchmarks/bench_ordering.py [goal_animal1_100k] [...]

For each problem of ``problems.GOAL_PROBLEMS`` named: C at the start values, then CHOLMOD's
symbolic analysis and numeric factorization (twice) with AMD (its default), with the AMD
permutation given (what every evaluation after the first does), with METIS nested
dissection (``pymetis``; ``asr_py.reml.backends.ordering.metis_permutation``) and with
METIS on the graph without its dense rows, those ordered last. Prints nnz(L) and seconds.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import problems  # noqa: E402


def _factor(a: object, n: int, p: object | None) -> tuple[float, float, float, int, np.ndarray]:
    from cvxopt import cholmod, matrix

    saved = dict(cholmod.options)
    t = time.perf_counter()
    if p is None:
        f = cholmod.symbolic(a)
    else:
        cholmod.options.update(nmethods=1)
        try:
            f = cholmod.symbolic(a, p=p)
        finally:
            cholmod.options.clear()
            cholmod.options.update(saved)
    ts = time.perf_counter() - t
    t = time.perf_counter()
    cholmod.numeric(a, f)
    tn = time.perf_counter() - t
    t = time.perf_counter()
    cholmod.numeric(a, f)
    tn2 = time.perf_counter() - t
    x = matrix(np.arange(n, dtype=float))
    cholmod.solve(f, x, sys=8)
    perm = np.argsort(np.asarray(x).ravel().astype(np.int64))
    return ts, tn, tn2, len(cholmod.getfactor(f).V), perm


def main(names: list[str]) -> int:
    from cvxopt import cholmod, matrix, spmatrix

    import asr_py as asr
    from asr_py.reml.backends.ordering import metis_permutation
    from asr_py.reml.mme import MME

    cholmod.options["supernodal"] = 2
    for name in names or ["goal_animal1_100k"]:
        inst = problems.get(name).build(False)
        m = asr.compile_model(**inst.kwargs)
        c = MME(m.problem()).assemble(np.asarray(m.theta0, float))[0].tocsc()
        n = c.shape[0]
        low = sp.tril(c, format="csc")
        low.sort_indices()
        col = np.repeat(np.arange(n), np.diff(low.indptr))
        a = spmatrix(matrix(low.data), matrix(low.indices.astype(int)),
                     matrix(col.astype(int)), (n, n))
        print(f"{name}: N {n}, nnz(C) {c.nnz}, load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)

        def show(tag: str, p: object | None, a: object = a, n: int = n) -> np.ndarray:
            ts, tn, tn2, nnz, perm = _factor(a, n, p)
            print(f"  {tag:28s} nnz(L) {nnz:>12,}  symbolic {ts:6.2f} s  numeric "
                  f"{tn:6.2f} / {tn2:6.2f} s", flush=True)
            return perm

        perm = show("AMD", None)
        show("AMD permutation given", matrix(perm.tolist()))
        t = time.perf_counter()
        pm = metis_permutation(low)
        print(f"  METIS ordering {time.perf_counter() - t:.2f} s", flush=True)
        show("METIS", matrix(pm.tolist()))
        g = sp.csr_matrix(low + low.T)
        g.setdiag(0)
        g.eliminate_zeros()
        dense = np.diff(g.indptr) > max(16.0, 10.0 * np.sqrt(n))
        keep = np.flatnonzero(~dense)
        sub = metis_permutation(sp.tril(g[keep][:, keep], format="csc"))
        show("METIS, dense rows last", matrix(np.r_[keep[sub], np.flatnonzero(dense)].tolist()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
