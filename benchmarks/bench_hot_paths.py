"""Session 25 (s25speed) hot paths, old against new in the same run (CPU, one BLAS thread):

* ``schur``: X = B'K_c of the complement path (vcov/complement_plan.py) at test42Parallel.r's
  section shapes (32 x 174 and 46 x 224, ~7 stored entries a dropped row): the term-by-term
  loop over dropped rows against the rounds over B's stored entries;
* ``mirror``: P's upper triangle in the V form (reml/v_form.py) at the sweetpotato
  cross-validation's n = 2 288 records: the ``tril_indices`` scatter against the blocked copy;
* ``block``: a 1 911² G⁻¹ pattern (genomic-FA-METs predFA.R's corh(envs):vm(geno, Ginv))
  scattered into the dense C and C^{uu} gathered on it (reml/dense_mme.py): (row, col)
  fancy indexing against flat keys.

Every pair must give the same digits (checked: the script exits 1 otherwise).

    python benchmarks/bench_hot_paths.py [--reps 20]

Whole fits: ``python benchmarks/bench_small_fits.py --old-ref 4b24dba --workloads chickpea``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.linalg as sla  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from asr_py.reml.dense_mme import DenseAssembly  # noqa: E402
from asr_py.reml.solver import _mirror_lower  # noqa: E402
from asr_py.vcov.complement_plan import (  # noqa: E402
    dense_columns,
    schur_update,
    schur_update_dense,
    stored_rounds,
)


def _cpu(fn: Callable[[], object], reps: int) -> tuple[float, object]:
    out = fn()
    t0 = time.process_time()
    for _ in range(reps):
        out = fn()
    return (time.process_time() - t0) / reps, out


def schur(reps: int) -> list[tuple[str, float, float, bool]]:
    rng = np.random.default_rng(1)
    rows = []
    for m, c in ((32, 174), (46, 224)):
        dense = np.zeros((m, c))
        for r in range(m):
            dense[r, rng.choice(c, 7, replace=False)] = rng.normal(size=7)
        q_mo = sp.csc_matrix(dense)
        cols = np.flatnonzero(np.diff(q_mo.indptr))
        b = dense_columns(q_mo, cols)
        kd = rng.normal(size=(m, cols.size))
        rounds = stored_rounds(q_mo, cols)
        t_old, x_old = _cpu(lambda b=b, kd=kd: schur_update_dense(b, kd), reps)
        t_new, x_new = _cpu(lambda b=b, kd=kd, r=rounds: schur_update(b, kd, r), reps)
        rows.append((f"schur {m}x{c}", t_old, t_new, np.array_equal(x_old, x_new)))
    return rows


def mirror(reps: int, n: int = 2288) -> list[tuple[str, float, float, bool]]:
    rng = np.random.default_rng(2)
    a = rng.normal(size=(n, n))
    low, _ = sla.lapack.dpotrf(a @ a.T + n * np.eye(n), lower=1)
    inv, _ = sla.lapack.dpotri(low, lower=1)

    def old() -> np.ndarray:
        x = inv.copy()
        il = np.tril_indices(n, -1)
        x[il[1], il[0]] = x[il]
        return x

    def new() -> np.ndarray:
        x = inv.copy()
        _mirror_lower(x)
        return x

    t_old, x_old = _cpu(old, reps)  # both with the n x n copy
    t_new, x_new = _cpu(new, reps)
    return [(f"mirror n={n} (+copy)", t_old, t_new, np.array_equal(x_old, x_new))]


def block(reps: int, q: int = 1911, off: int = 13) -> list[tuple[str, float, float, bool]]:
    rng = np.random.default_rng(3)
    n = q + off
    rows, cols = np.divmod(np.arange(q * q), q)
    g = rng.normal(size=rows.size)
    base = rng.normal(size=(n, n))
    asm = DenseAssembly(n)

    def old() -> np.ndarray:
        c = base.copy()
        c[off:off + q, off:off + q][rows, cols] += g
        return c[off:off + q, off:off + q][rows, cols]

    def new() -> np.ndarray:
        c = base.copy()
        flat = c.reshape(-1)
        keys = asm.block_keys(rows, cols, off)
        flat[keys] += g
        return flat[keys]

    t_old, x_old = _cpu(old, reps)  # both with the N x N copy
    t_new, x_new = _cpu(new, reps)
    return [(f"block q={q} (+copy)", t_old, t_new, np.array_equal(x_old, x_new))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=20)
    a = ap.parse_args()
    rows = schur(a.reps * 10) + mirror(max(2, a.reps // 4)) + block(max(2, a.reps // 4))
    print(f"{'path':22s} {'old ms':>9s} {'new ms':>9s} {'old/new':>8s}  same digits")
    ok = True
    for name, t_old, t_new, same in rows:
        ok &= same
        print(f"{name:22s} {1e3 * t_old:9.3f} {1e3 * t_new:9.3f} "
              f"{t_old / max(t_new, 1e-12):8.2f}  {same}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
