"""Per-fit CPU of single-trial spatial fits with a dense R⁻¹ (ar2 / ar3 / sar2 plot errors),
this checkout against an older commit in the same run (s21mv).

    OMP_NUM_THREADS=1 python benchmarks/bench_spatial_dense_r.py [--old-ref f4c6123]
                                                   [--workloads ar2,ar3,sar2] [--reps 2]

The shape of the UIUC single-trial scripts (smallgrains-uiuc/Wheat-Selection-Decisions-2023
"single trial analysis 2023.R": each trait of each trial fitted with ar1, ar2, ar3 and sar2
plot errors to pick the most reliable): one trial of 26 rows x 26 columns (676 plots, 20
y's missing, as there), 500 entries (176 of them twice), 2 blocks, ``y ~ 1``,
``random = ~ geno + block``, ``residual = ~ <s>(Col):<s>(Row)`` (simulated, fixed seed).
Each fit runs in a child process (BLAS on one thread) with this checkout's asr_py and with
``--old-ref``'s (``git archive``, first on PYTHONPATH). Printed per workload: CPU seconds
per fit (min over ``--reps`` fits after one warm-up fit), iterations, ℓ, old / new, and the
relative differences of ℓ and θ̂ between the two.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

WORKLOADS = ("ar2", "ar3", "sar2")


def trial(seed: int = 21) -> pd.DataFrame:
    """26 x 26 plots with an AR field trend, 500 entries (176 twice), 2 blocks."""
    rng = np.random.default_rng(seed)
    nr = nc = 26
    n = nr * nc
    geno = np.concatenate([np.repeat(np.arange(176), 2), 176 + np.arange(n - 352)])
    geno = rng.permutation(geno)
    row, col = np.repeat(np.arange(nr), nc), np.tile(np.arange(nc), nr)
    trend = np.zeros((nr, nc))
    e = rng.standard_normal((nr, nc))
    for i in range(nr):  # a smooth, autocorrelated field
        for j in range(nc):
            trend[i, j] = e[i, j] + 0.5 * (trend[i - 1, j] if i else 0) \
                + 0.3 * (trend[i, j - 1] if j else 0)
    y = 60 + rng.standard_normal(geno.max() + 1)[geno] * 3 + 2 * trend.ravel() \
        + rng.standard_normal(n)
    d = pd.DataFrame({"Row": [str(r + 1) for r in row], "Col": [str(c + 1) for c in col],
                      "geno": [f"G{g:03d}" for g in geno], "block": [f"B{r // 13}" for r in row],
                      "y": y})
    for c, lev in (("Row", [str(i + 1) for i in range(nr)]),
                   ("Col", [str(i + 1) for i in range(nc)])):
        d[c] = pd.Categorical(d[c], categories=lev)
    for c in ("geno", "block"):
        d[c] = pd.Categorical(d[c])
    return d


def _child(name: str, reps: int) -> dict:
    import asr_py as asr

    d = trial()
    kw = dict(fixed="y ~ 1", random="~ geno + block", residual=f"~ {name}(Col):{name}(Row)",
              data=d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        asr.asreml(**kw)  # warm-up: imports, the parser
        best = np.inf
        for _ in range(reps):
            t0 = time.process_time()
            m = asr.asreml(**kw)
            best = min(best, time.process_time() - t0)
    return {"cpu": best, "loglik": float(m.loglik), "iterations": len(m.iterations),
            "theta": [float(x) for x in m.result.theta], "asr_py": asr.__file__}


def _run(name: str, reps: int, pythonpath: str | None) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath, env.get("PYTHONPATH")) if p)
    out = subprocess.run([sys.executable, __file__, "--child", name, "--reps", str(reps)],
                         env=env, capture_output=True, text=True, cwd="/")
    if out.returncode:
        raise SystemExit(f"{name}: the child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=2, help="timed fits per workload")
    ap.add_argument("--old-ref", default="f4c6123", help="the commit to compare with")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(_child(a.child, a.reps)))
        return
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_many_fits import old_tree

    print("OMP_NUM_THREADS=1; CPU seconds per fit, min of --reps (a loaded machine inflates "
          "both columns alike)")
    print(f"{'workload':9s} {'iter':>9s} {'new s/fit':>10s} {'old s/fit':>10s} {'old/new':>8s} "
          f"{'rel Δℓ':>8s} {'rel Δθ':>8s}")
    with tempfile.TemporaryDirectory(prefix="bench_spatial_dense_r_") as tmp:
        old_path = old_tree(a.old_ref, tmp)
        for w in a.workloads.split(","):
            new = _run(w, a.reps, str(root))
            old = _run(w, a.reps, old_path)
            assert old["asr_py"].startswith(old_path), old["asr_py"]
            dll = abs(new["loglik"] - old["loglik"]) / max(abs(old["loglik"]), 1.0)
            th_n, th_o = np.asarray(new["theta"]), np.asarray(old["theta"])
            dth = float(np.max(np.abs(th_n - th_o) / np.maximum(np.abs(th_o), 1e-12))) \
                if th_n.shape == th_o.shape else float("nan")
            print(f"{w:9s} {new['iterations']:>4d}/{old['iterations']:<4d} {new['cpu']:10.3f} "
                  f"{old['cpu']:10.3f} {old['cpu'] / new['cpu']:8.2f} {dll:8.1e} {dth:8.1e}",
                  flush=True)


if __name__ == "__main__":
    main()
