"""Benchmark: AI-REML on V (asr_py/reml/v_form.py) against the dense mixed model equations
(asr_py/reml/dense_mme.py) for a genomic model with fewer records than equations, both
measured in this run, each fit in its own child process.

    OMP_NUM_THREADS=1 python3 benchmarks/bench_v_form.py [--lines 400,800] [--maxit 30]

Case: ``vm(geno, G):corh(env) + ide(geno)``, L lines x 6 environments with 70 % of the lines
in each (n = 4.2 L records, N = 7 L + 6 equations; the sweetpotato second stage has
L = 1120), genomic G from 600 SNPs (bench_dense_mme's 'corh' data). 'mme' is
``solver='dense'``, 'v' is ``solver='auto'`` (which picks V here: reml/form_choice.py).
Prints per size: CPU and wall seconds, iterations, peak RSS, ℓ of each; the CPU ratio
mme/v and the relative differences of ℓ and θ̂ (the same fit: ℓ and iterations equal).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from child_pair import run_modes, same_fit  # noqa: E402


def _child(n_g: int, mode: str, maxit: int) -> None:
    from bench_dense_mme import _data

    import asr_py as asr

    d, G, kw = _data("corh", n_g)
    t0, c0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml(data=d, maxit=maxit, G=G, solver="dense" if mode == "mme" else "auto",
                       **kw)
    print(json.dumps({
        "wall_s": round(time.perf_counter() - t0, 2), "cpu_s": round(time.process_time() - c0, 2),
        "iterations": m.result.n_iter, "converged": bool(m.converged),
        "solver": m.result.solver, "records": len(d),
        "loglik": float(m.loglik), "theta": [float(x) for x in m.result.theta],
        "pev_mean": float(np.mean(m.result.pev[0])),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "equations": int(sum(len(u) for u in m.result.u) + len(m.result.beta))}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", default="400")
    ap.add_argument("--maxit", type=int, default=30)
    ap.add_argument("--timeout", type=float, default=7200)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        _child(int(a.child[0]), a.child[1], a.maxit)
        return
    for n_g in a.lines.split(","):
        res = run_modes({mode: [sys.executable, __file__, "--maxit", str(a.maxit), "--child",
                                n_g, mode] for mode in ("mme", "v")},
                        a.timeout, f"{n_g} lines")
        o, n = res["mme"], res["v"]
        if (cmp := same_fit(o, n)) is not None:
            print(f"== {n_g} lines ({n['records']} records, {n['equations']} equations): MME "
                  f"{o['cpu_s']} s CPU / {o['wall_s']} s wall, {o['iterations']} it, "
                  f"{o['peak_rss_mib']} MiB; V ({n['solver']}) {n['cpu_s']} s CPU / "
                  f"{n['wall_s']} s wall, {n['iterations']} it, {n['peak_rss_mib']} MiB; {cmp}, "
                  f"rel d mean PEV "
                  f"{abs(n['pev_mean'] - o['pev_mean']) / o['pev_mean']:.1e}", flush=True)

if __name__ == "__main__":
    main()
