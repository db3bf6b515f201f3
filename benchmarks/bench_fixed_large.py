"""Benchmark: genotype BLUEs with thousands of fixed levels, sparse X against the old path.

Run: ``python3 benchmarks/bench_fixed_large.py [--levels 3000 6000] [--records 10]``.
BLAS is limited to one thread. For each size a trial of ``levels`` genotypes (``records``
plots each on average) in 8 environments with 4 random blocks each is simulated and
``y ~ env + gen, random = ~ env:blk`` is fitted

* new: X kept sparse, aliasing from X's null space (asr_py/model/alias_sparse.py), the C⁻¹
  block of the fixed effects by the blocked backend's formulas;
* old: the path before session 14 in the same process: X dense and the column-by-column
  aliasing check (one triangular solve per column, copied below as it was), no size limit.

It prints CPU seconds of the design (compile_model) and of the whole fit for both, their
ratio, and the largest differences of ℓ, β and SE(β) between the two fits. ``--skip-old``
times the new path alone (the old one takes minutes at 6 000 levels).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.linalg import solve_triangular  # noqa: E402

import asr_py as asr  # noqa: E402
from asr_py.model import fixed, size  # noqa: E402
from asr_py.model.spec import compile_model  # noqa: E402
from asr_py.reml import sparse_x  # noqa: E402


def old_independent_columns(X: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """The aliasing check before session 14: one triangular solve per column."""
    X = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
    p = X.shape[1]
    keep = np.zeros(p, dtype=bool)
    G = X.T @ X
    L = np.zeros((p, p))
    kept: list[int] = []
    for j in range(p):
        d = G[j, j]
        if d <= 0:
            continue
        if kept:
            v = solve_triangular(L[: len(kept), : len(kept)], G[kept, j], lower=True)
            r = d - v @ v
        else:
            v, r = np.empty(0), d
        if r > tol * d:
            m = len(kept)
            L[m, :m] = v
            L[m, m] = np.sqrt(r)
            kept.append(j)
            keep[j] = True
    return keep


@contextmanager
def old_path() -> Iterator[None]:
    """Dense X, the old aliasing check, no refusal by size."""
    saved = (sparse_x.SPARSE_X_MIN_COLUMNS, fixed.independent_columns,
             size.MAX_FIXED_COLUMNS, size.MAX_DENSE_BYTES)
    sparse_x.SPARSE_X_MIN_COLUMNS = 10**12
    fixed.independent_columns = old_independent_columns  # type: ignore[assignment]
    size.MAX_FIXED_COLUMNS, size.MAX_DENSE_BYTES = 10**9, 2**62
    try:
        yield
    finally:
        (sparse_x.SPARSE_X_MIN_COLUMNS, fixed.independent_columns,
         size.MAX_FIXED_COLUMNS, size.MAX_DENSE_BYTES) = saved


def trial(levels: int, per: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = levels * per
    gen = rng.integers(0, levels, n)
    env = rng.integers(0, 8, n)
    blk = rng.integers(0, 4, n)
    y = (10 + rng.normal(0, 2, levels)[gen] + rng.normal(0, 3, 8)[env]
         + rng.normal(0, 1, 32)[env * 4 + blk] + rng.normal(0, 1.5, n))
    return pd.DataFrame({"y": y, "gen": [f"G{g:05d}" for g in gen],
                         "env": [f"E{e}" for e in env], "blk": [f"B{b}" for b in blk]})


def run(df: pd.DataFrame) -> tuple[float, float, asr.AsremlFit]:
    t0 = time.process_time()
    compile_model("y ~ env + gen", random="~ env:blk", data=df)
    t1 = time.process_time()
    fit = asr.asreml("y ~ env + gen", random="~ env:blk", data=df)
    return t1 - t0, time.process_time() - t1, fit


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--levels", type=int, nargs="+", default=[3000, 6000])
    ap.add_argument("--records", type=int, default=10, help="records per genotype")
    ap.add_argument("--skip-old", action="store_true")
    args = ap.parse_args()
    print(f"{'levels':>7} {'records':>8} {'p':>6} {'path':>4} {'design s':>9} {'fit s':>7}")
    for lv in args.levels:
        df = trial(lv, args.records)
        d_new, f_new, fit_new = run(df)
        p = fit_new.model.fixed.X.shape[1]
        print(f"{lv:>7} {len(df):>8} {p:>6} {'new':>4} {d_new:>9.2f} {f_new:>7.2f}", flush=True)
        if args.skip_old:
            continue
        with old_path():
            d_old, f_old, fit_old = run(df)
        print(f"{lv:>7} {len(df):>8} {p:>6} {'old':>4} {d_old:>9.2f} {f_old:>7.2f}   "
              f"ratio old/new: design {d_old / max(d_new, 1e-9):.1f}x, "
              f"fit {f_old / max(f_new, 1e-9):.1f}x", flush=True)
        rn, ro = fit_new.result, fit_old.result
        se_n, se_o = (np.sqrt(np.diag(r.vcov_beta)) for r in (rn, ro))
        print(f"{'':>7} |Δℓ| {abs(rn.loglik - ro.loglik):.2e}  max|Δβ| "
              f"{np.max(np.abs(rn.beta - ro.beta)):.2e}  max|ΔSE| "
              f"{np.max(np.abs(se_n - se_o)):.2e}  aliased equal: "
              f"{fit_new.model.fixed.aliased == fit_old.model.fixed.aliased}")


if __name__ == "__main__":
    main()
