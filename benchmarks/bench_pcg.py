"""BLUP by PCG iterating on the data (asr.blup_pcg) at national-evaluation sizes.

    python3 benchmarks/bench_pcg.py [--animals 1000000] [--traits 2] [--workers 2]
                                    [--threads] [--no-local]

Simulates ``--animals`` animals (benchmarks/problems.py: 10 generations, 20 % of y2 missing),
writes the records as Parquet (4 files, row groups of 100 000), builds A^{-1}, then solves
the MME with G0, R0 of the simulation (tol 1e-9) twice in this process tree:

* baseline: the same records in this process (no Dask, in-memory frame);
* Dask: a LocalCluster with ``--workers`` worker processes (``--threads``: threads in this
  process), the chunks read from Parquet and kept on the workers.

Prints wall time, PCG iterations and peak resident memory (this process's; each worker's
VmHWM from ``client.run``) and the ratio Dask / baseline. Not run in CI (minutes at 10^6).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from problems import simulate_animal_data, simulate_pedigree  # noqa: E402

import asr_py as asr  # noqa: E402
from asr_py.large.runner import write_parquet  # noqa: E402
from asr_py.reml.memory import peak_bytes  # noqa: E402

G0 = np.array([[1.0, 0.5], [0.5, 2.0]])
R0 = np.array([[2.0, 0.6], [0.6, 3.0]])


def _maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--animals", type=int, default=1_000_000)
    ap.add_argument("--traits", type=int, default=2, choices=[1, 2])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", action="store_true", help="processes=False")
    ap.add_argument("--no-local", action="store_true", help="skip the in-process baseline")
    ap.add_argument("--tol", type=float, default=1e-9)
    a = ap.parse_args()
    traits = ["y1", "y2"][:a.traits]
    g0, r0 = G0[:a.traits, :a.traits], R0[:a.traits, :a.traits]
    t = time.perf_counter()
    ped = simulate_pedigree(a.animals, 10, seed=11)
    df = simulate_animal_data(ped, seed=12)
    df["hys"] = (np.arange(len(df)) // 50 % 2000).astype(str)   # 2 000 contemporary groups
    ainv = asr.ainverse(ped[["id", "sire", "dam"]])
    print(f"simulated {len(ped)} animals, A-inverse nnz {ainv.matrix.nnz}: "
          f"{time.perf_counter() - t:.1f} s, peak {_maxrss() / 2**30:.2f} GiB", flush=True)
    kw = dict(traits=traits, animal="id", fixed=["sex", "hys"], ainv=ainv, G=g0, R=r0,
              tol=a.tol)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        write_parquet(df, os.path.join(tmp, "rec"), files=4, row_group_size=100_000)
        print(f"wrote Parquet: {time.perf_counter() - t:.1f} s", flush=True)
        base = None
        if not a.no_local:
            base = asr.blup_pcg(df, **kw)
            print("baseline (in process)\n" + base.summary(), flush=True)
        from dask.distributed import Client, LocalCluster

        with LocalCluster(n_workers=a.workers, threads_per_worker=1,
                          processes=not a.threads, dashboard_address=None,
                          memory_limit=0) as cluster, Client(cluster) as client:
            res = asr.blup_pcg(os.path.join(tmp, "rec"), client=client, **kw)
            workers = client.run(peak_bytes)  # VmHWM: a worker's ru_maxrss starts at its parent's
        print(f"Dask LocalCluster ({a.workers} workers, "
              f"{'threads' if a.threads else 'processes'}), data from Parquet\n" + res.summary())
        if not a.threads:
            print("  worker peak memory: " + ", ".join(
                f"{v / 2**20:.0f} MiB" for v in workers.values()))
        if base is not None:
            diff = float(np.abs(res.blup.to_numpy() - base.blup.to_numpy()).max())
            print(f"ratio Dask / baseline: time {res.seconds / base.seconds:.2f}, max |BLUP "
                  f"difference| {diff:.2e}")


if __name__ == "__main__":
    main()
