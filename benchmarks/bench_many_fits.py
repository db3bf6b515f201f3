"""CPU time of many small fits and of a fa(site, 2) MET fit, against an older commit
(issue 14, c16speed: asremlPlus test42Parallel.r refits a small spatial model 1 000 times;
test41/42MET.r fit fa/rr MET models).

    python benchmarks/bench_many_fits.py [--fits 1000] [--old-ref 3e7d594] [--skip-old]

Workloads (simulated data, fixed seeds):

* ``small``: ``--fits`` fits of y ~ Site + Geno, random ~ Site:Block, residual
  ``dsum(~ ar1(Row):ar1(Col) | Site)`` on 2 sites of 6 x 8 plots (96 records), as the
  foreach loop of test42Parallel.r (there: the 1 056-plot chickpea data);
* ``spatial``: 5 fits of the test42Parallel.r model shape, 2 houses of 24 x 22 plots with 20
  and 26 missing, Geno * Trt (about 500 fixed effects), ``dsum(~ ar1:ar1 | House)``;
* ``met``: one fit of ``fa(Site, 2):Geno`` on 6 sites x 150 genotypes x 2 replicates
  (1 800 records, site-specific residual variances ``dsum(~ units | Site)``).

Each workload runs in a child process (its CPU time, BLAS on one thread) twice: with this
checkout's asr_py and with ``--old-ref``'s (``git archive`` into a temporary directory, put
first on PYTHONPATH). Printed per workload: CPU seconds per fit (new, old), old / new, and
the largest difference of ℓ and of the variance parameters between the two (they must agree
to 1e-8: the changes are exact).

Recorded on the shared 2-core machine (load ~15, so CPU seconds are inflated and noisy), at
c16speed's end against its start 3e7d594 (``python benchmarks/bench_many_fits.py --fits 200``):
see benchmarks/README.md "Many small fits".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def small_data(seed: int = 1) -> pd.DataFrame:
    """2 sites x 6 x 8 plots, 12 genotypes, 6 blocks, ar1 x ar1 errors."""
    rng = np.random.default_rng(seed)
    rows, cols = 6, 8
    d = pd.DataFrame([(s, r, c) for s in ("A", "B") for r in range(rows) for c in range(cols)],
                     columns=["Site", "Row", "Col"])
    d["Geno"] = [f"G{i % 12}" for i in range(len(d))]
    d["Block"] = d.Site + (d.Row // 2).astype(str)
    e = np.concatenate([np.linalg.cholesky(np.kron(_ar1(rows, 0.5), _ar1(cols, 0.3)))
                        @ rng.normal(size=rows * cols) for _ in range(2)])
    d["y"] = e + d.Geno.str[1:].astype(int) * 0.1 + rng.normal(0, 0.5, 6)[
        (d.Site == "B") * 3 + d.Row // 2]
    return _factors(d, ("Site", "Row", "Col", "Geno", "Block"))


def spatial_data(seed: int = 2) -> pd.DataFrame:
    """2 houses x 24 x 22 plots, 240 lines x 2 treatments (chickpea shape), 46 missing."""
    rng = np.random.default_rng(seed)
    lanes, pos = 24, 22
    rows = []
    for h in ("SW", "SE"):
        combos = [(g, t) for g in range(264) for t in range(2)]
        order = rng.permutation(len(combos))
        for k, i in enumerate(order):
            rows.append((h, k // pos + 1, k % pos + 1, f"L{combos[i][0]}", f"T{combos[i][1]}"))
    d = pd.DataFrame(rows, columns=["House", "Lane", "Position", "Geno", "Trt"])
    e = np.concatenate([np.linalg.cholesky(2.0 * np.kron(_ar1(lanes, 0.7), _ar1(pos, 0.5)))
                        @ rng.normal(size=lanes * pos) for _ in range(2)])
    d["y"] = 10 + rng.normal(0, 1, 264)[d.Geno.str[1:].astype(int)] + e
    d.loc[rng.choice(len(d) // 2, 20, replace=False), "y"] = np.nan
    d.loc[len(d) // 2 + rng.choice(len(d) // 2, 26, replace=False), "y"] = np.nan
    return _factors(d, ("House", "Lane", "Position", "Geno", "Trt"))


def met_data(seed: int = 3, sites: int = 6, genos: int = 150) -> pd.DataFrame:
    """sites x genos x 2 replicates; genotype effects from 2 factors plus specific variances."""
    rng = np.random.default_rng(seed)
    lam = rng.normal(0, 1, (sites, 2))
    g = rng.normal(size=(genos, 2)) @ lam.T + rng.normal(0, 0.4, (genos, sites))
    rows = [(f"S{s}", f"G{i}", f"R{r}", 5 + s + g[i, s] + rng.normal(0, 0.5 + 0.1 * s))
            for s in range(sites) for i in range(genos) for r in range(2)]
    d = pd.DataFrame(rows, columns=["Site", "Geno", "Rep", "y"])
    return _factors(d, ("Site", "Geno", "Rep"))


def _ar1(n: int, rho: float) -> np.ndarray:
    i = np.arange(n)
    return rho ** np.abs(i[:, None] - i[None, :])


def _factors(d: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    for c in cols:
        d[c] = pd.Categorical(d[c].astype(str), categories=list(dict.fromkeys(d[c].astype(str))))
    return d


def _child(workload: str, fits: int) -> dict:
    """Run one workload in this process; CPU seconds per fit and the last fit's numbers."""
    from threadpoolctl import threadpool_limits

    import asr_py as asr

    if workload == "small":
        d, n = small_data(), fits
        kw = dict(fixed="y ~ Site + Geno", random="~ Site:Block",
                  residual="~ dsum(~ ar1(Row):ar1(Col) | Site)")
    elif workload == "spatial":
        d, n = spatial_data(), 5
        kw = dict(fixed="y ~ House + Geno * Trt", random="~ House:(Lane + Position)",
                  residual="~ dsum(~ ar1(Lane):ar1(Position) | House)")
    else:
        d, n = met_data(), 1
        kw = dict(fixed="y ~ Site + Site:Rep", random="~ fa(Site, 2):Geno",
                  residual="~ dsum(~ units | Site)")
    with threadpool_limits(1):
        m = asr.asreml(**kw, data=d)  # warm-up (imports, caches of the first call)
        t0 = time.process_time()
        for _ in range(n):
            m = asr.asreml(**kw, data=d)
        cpu = (time.process_time() - t0) / n
    return {"cpu": cpu, "n": n, "iterations": int(len(m.iterations)),
            "loglik": float(m.loglik),
            "theta": [float(x) for x in m.varcomp["component"].to_numpy()],
            "asr_py": str(Path(asr.__file__).parent)}


def _run(workload: str, fits: int, pythonpath: str | None) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, __file__, "--child", workload, "--fits", str(fits)],
                         env=env, capture_output=True, text=True, check=True, cwd="/")
    return json.loads(out.stdout.strip().splitlines()[-1])


def old_tree(ref: str, dest: str) -> str:
    """The ``asr_py`` package of commit ``ref`` extracted under ``dest`` (a PYTHONPATH entry
    for the baseline run); returns ``dest``."""
    arch = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "asr_py"],
                          capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", dest], input=arch, check=True)
    return dest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fits", type=int, default=1000, help="fits of the small model")
    ap.add_argument("--old-ref", default="3e7d594", help="the commit to compare with")
    ap.add_argument("--skip-old", action="store_true", help="time this checkout only")
    ap.add_argument("--workloads", default="small,spatial,met")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(_child(a.child, a.fits)))
        return
    with tempfile.TemporaryDirectory(prefix="bench_many_fits_") as tmp:
        old_path = None
        if not a.skip_old:
            old_path = old_tree(a.old_ref, tmp)
        print(f"{'workload':9s} {'fits':>5s} {'iter':>4s} {'new s/fit':>10s} "
              f"{'old s/fit':>10s} {'old/new':>8s} {'max|Δℓ|':>9s} {'max|Δθ|':>9s}")
        for w in a.workloads.split(","):
            new = _run(w, a.fits, str(ROOT))
            if old_path is None:
                print(f"{w:9s} {new['n']:5d} {new['iterations']:4d} {new['cpu']:10.4f}")
                continue
            old = _run(w, a.fits, old_path)
            assert old["asr_py"].startswith(old_path), old["asr_py"]
            dll = abs(new["loglik"] - old["loglik"])
            dth = float(np.max(np.abs(np.subtract(new["theta"], old["theta"]))))
            print(f"{w:9s} {new['n']:5d} {new['iterations']:4d} {new['cpu']:10.4f} "
                  f"{old['cpu']:10.4f} {old['cpu'] / new['cpu']:8.2f} {dll:9.1e} {dth:9.1e}",
                  flush=True)


if __name__ == "__main__":
    main()
