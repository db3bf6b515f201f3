"""Benchmark: the single-step H-inverse for a pedigree of 20 000 animals, 2 000 genotyped.

Run: ``python3 benchmarks/bench_hinverse.py [n_animals] [n_genotyped] [m]``. The pedigree is
:func:`problems.simulate_pedigree` (10 generations); the youngest animals are genotyped
(0/1/2 markers, allele frequencies ~ U(0.05, 0.95)). Reports the seconds of A⁻¹, of G and of
hinverse (A22 by sparse solves, the inverses of G_w and A22) and the non-zeros of H⁻¹.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from asr_py.genetics import ainverse, gmatrix, hinverse

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from problems import simulate_pedigree  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    ng = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    m = int(sys.argv[3]) if len(sys.argv) > 3 else 3_000
    ped = simulate_pedigree(n, 10, seed=3)
    rng = np.random.default_rng(5)
    t = time.perf_counter()
    Ainv = ainverse(ped[["id", "sire", "dam"]])
    print(f"ainverse: {time.perf_counter() - t:.2f} s ({Ainv.n} animals, nnz {Ainv.matrix.nnz})")
    ids = list(Ainv.ids[-ng:])
    p = rng.uniform(0.05, 0.95, m)
    t = time.perf_counter()
    G = gmatrix(rng.binomial(2, p, size=(ng, m)).astype(float), ids=ids)
    print(f"gmatrix: {time.perf_counter() - t:.2f} s ({ng} x {m})")
    t = time.perf_counter()
    H = hinverse(Ainv, G, blend=0.05, tune=True)
    print(f"hinverse(blend=0.05, tune=True): {time.perf_counter() - t:.2f} s "
          f"(nnz {H.matrix.nnz}, log|H| {H.logdet:.1f})")


if __name__ == "__main__":
    main()
