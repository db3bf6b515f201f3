"""Compile a 100 000-row, 2-trait model with a 5 000-level random factor: time, peak memory.

    python benchmarks/bench_compile.py

Prints the compile time, the Python-level peak memory (tracemalloc) and the size of Z, and
as a baseline measured in the same run, the time to build the same Z by a plain scipy.sparse
indicator construction (the floor any compiler pays).
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd
import scipy.sparse as sp

import asr_py as asr


def main(n: int = 100_000, levels: int = 5_000) -> None:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({
        "g": pd.Categorical(rng.integers(0, levels, n).astype(str)),
        "block": pd.Categorical(rng.integers(0, 20, n).astype(str)),
        "y1": rng.normal(size=n),
        "y2": rng.normal(size=n),
    })
    df.loc[rng.random(n) < 0.2, "y2"] = np.nan
    tracemalloc.start()
    t0 = time.perf_counter()
    m = asr.compile_model("cbind(y1, y2) ~ trait + trait:block", "~ us(trait):g",
                          "~ units:us(trait)", data=df)
    t = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    Z = m.random[0].Z
    t1 = time.perf_counter()
    codes = df["g"].cat.codes.to_numpy()[m.records.row] + levels * m.records.trait
    sp.csc_matrix((np.ones(codes.size), (np.arange(codes.size), codes)),
                  shape=(codes.size, 2 * levels))
    base = time.perf_counter() - t1
    print(f"records {m.records.n}, X {m.X.shape}, Z {Z.shape} nnz {Z.nnz} (sparse: "
          f"{sp.issparse(Z)})")
    print(f"compile {t:.2f} s, peak Python memory {peak / 2**20:.0f} MiB; "
          f"bare indicator Z {base:.3f} s (ratio {t / base:.0f}x)")


if __name__ == "__main__":
    main()
