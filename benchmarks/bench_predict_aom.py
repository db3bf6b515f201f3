"""Benchmark: predict(classify='id') and aom() on a 20 000-animal animal model.

Run: ``python3 benchmarks/bench_predict_aom.py [n_animals]``. The pedigree is
:func:`problems.simulate_pedigree` (10 generations) and trait y1 of
:func:`problems.simulate_animal_data`; the first generation has no records (their breeding
values are predicted from relatives). Reports the seconds of the fit (solver='sparse'), of
predict(classify='id') (every animal) and of aom() (statistics of every record).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

import asr_py as asr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from problems import simulate_animal_data, simulate_pedigree  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    ped = simulate_pedigree(n, 10, seed=3)
    d = simulate_animal_data(ped).iloc[n // 10:]
    t = time.perf_counter()
    m = asr.asreml("y1 ~ sex", random="~ ped(id)", data=d,
                   pedigree=ped[["id", "sire", "dam"]], solver="sparse")
    print(f"fit: {time.perf_counter() - t:.2f} s ({len(d)} records, {n} animals)")
    t = time.perf_counter()
    p = m.predict(classify="id")
    print(f"predict(classify='id'): {time.perf_counter() - t:.2f} s ({len(p)} animals, "
          f"mean SE {p['std.error'].mean():.4f})")
    t = time.perf_counter()
    a = m.aom()
    r = a["R"]["stdCond"].to_numpy()
    print(f"aom(): {time.perf_counter() - t:.2f} s ({r.size} records, "
          f"sd(stdCond) {np.nanstd(r):.3f}, |stdCond| > 3: {int(np.sum(np.abs(r) > 3))})")


if __name__ == "__main__":
    main()
