"""Benchmark: A-inverse and inbreeding for a simulated 100 000-animal, 10-generation pedigree.

Run: ``python3 benchmarks/bench_pedigree.py [n_per_generation generations [n_sires]]``;
without arguments it runs 10 000 x 10 and a deep one, 1 000 x 100. Prints times
and sizes. Simulation: generation 0 is founders; each later generation draws its sires from
``n_sires`` males and its dams from the females of the previous one or two generations
(overlapping), with a few unknown sires and dams, so inbreeding accumulates. Rows are shuffled
so that prepare_pedigree has to sort them.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from asr_py.genetics import ainverse, inbreeding, prepare_pedigree


def simulate(n_per_gen: int = 10_000, n_gen: int = 10, n_sires: int = 200, seed: int = 1):
    rng = np.random.default_rng(seed)
    n = n_per_gen * n_gen
    ids = np.arange(1, n + 1)
    gen = np.repeat(np.arange(n_gen), n_per_gen)
    male = rng.random(n) < 0.5
    sire = np.zeros(n, dtype=np.int64)
    dam = np.zeros(n, dtype=np.int64)
    for g in range(1, n_gen):
        pool = (gen == g - 1) | ((gen == g - 2) & (rng.random(n) < 0.3))
        males = rng.choice(ids[pool & male], size=n_sires, replace=False)
        females = ids[pool & ~male]
        kids = gen == g
        sire[kids] = rng.choice(males, size=kids.sum())
        dam[kids] = rng.choice(females, size=kids.sum())
    sire[(gen > 0) & (rng.random(n) < 0.05)] = 0
    dam[(gen > 0) & (rng.random(n) < 0.03)] = 0
    ped = pd.DataFrame({"id": ids.astype(str), "sire": sire.astype(str), "dam": dam.astype(str)})
    return ped.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def run(n_per: int, n_gen: int, n_sires: int) -> None:
    ped = simulate(n_per, n_gen, n_sires)
    print(f"pedigree: {len(ped)} animals, {n_gen} generations, {n_sires} sires per generation "
          "(rows shuffled)")
    t = time.perf_counter()
    prep = prepare_pedigree(ped)
    print(f"prepare_pedigree: {time.perf_counter() - t:.2f} s "
          f"(max generation {prep['generation'].max()})")
    t = time.perf_counter()
    F = inbreeding(ped)
    print(f"inbreeding:       {time.perf_counter() - t:.2f} s "
          f"(mean F {F.mean():.4f}, max F {F.max():.4f}, inbred {int((F > 0).sum())})")
    t = time.perf_counter()
    Ai = ainverse(ped)
    print(f"ainverse:         {time.perf_counter() - t:.2f} s "
          f"(nnz {Ai.matrix.nnz}, log|A| {Ai.logdet:.2f})")


def main() -> None:
    if len(sys.argv) > 1:
        run(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 200)
        return
    run(10_000, 10, 200)  # wide: the benchmark
    print()
    run(1_000, 100, 20)  # deep and narrow (closed population)


if __name__ == "__main__":
    main()
