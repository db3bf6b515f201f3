"""Goal 2 of issue 16 by Monte Carlo REML: the univariate 10^6-animal animal model.

    python3 benchmarks/bench_reml_mc.py [--sizes 100,1000] [--samples 20] [--mem-gb 10]
                                        [--timeout 1800] [--exact-max 100]

For each size (thousands of animals) a child process (address space limited to ``--mem-gb``
by RLIMIT_AS) builds the goal problem of problems.py (``goal_animal1_<n>k``: simulate_pedigree
(n, 10 generations), simulate_animal_data, ``y1 ~ sex``, ``~ vm(id, Ainv)``) and runs

1. ``asr.reml_mc`` (K = ``--samples`` simulated data sets, seed 1, default start values);
2. the baseline in the same child: one ``asr.blup_pcg`` solve of the same model with the
   estimated variance components (PCG tol 1e-9, the tolerance of reml_mc's solves);
3. up to ``--exact-max`` thousand animals, ``asr.asreml``'s exact REML of the same model.

Prints time (wall, and the CPU seconds of reml_mc: on a shared machine the closer measure
of a quiet box's wall time), REML iterations, PCG iterations, peak memory (the child's
ru_maxrss, and its VmHWM when reml_mc returned), the estimates with their Monte Carlo s.e.,
the ratio of the reml_mc time to the baseline solve, and the difference to exact REML in
MC s.e.
Not run in CI (minutes at 10^6).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _hwm_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def worker(n: int, k: int, exact: bool, out: Path) -> None:
    import numpy as np
    from problems import simulate_animal_data, simulate_pedigree

    import asr_py as asr

    rec: dict[str, Any] = {"animals": n, "samples": k}
    t = time.perf_counter()
    ped = simulate_pedigree(n, 10, seed=11)
    df = simulate_animal_data(ped, seed=12)
    pp = ped[["id", "sire", "dam"]]
    ainv = asr.ainverse(pp)
    rec["build_s"] = time.perf_counter() - t
    cpu = time.process_time()
    res = asr.reml_mc(df, traits="y1", animal="id", fixed=["sex"], ainv=ainv, pedigree=pp,
                      n_samples=k, seed=1, verbose=True)
    rec["mc_cpu_s"] = time.process_time() - cpu
    rec["mc_hwm_mib"] = _hwm_mib()
    print(res.summary(), flush=True)
    h = res.history
    rec.update(mc_s=res.seconds, iterations=res.iterations, converged=res.converged,
               pcg_iterations=int(h["pcg_iterations"].sum()),
               pcg_iterations_ai=int(h["pcg_iterations_ai"].sum()),
               estimates=res.estimates.tolist(), mc_se=res.mc_se.tolist(),
               se=res.se.tolist())
    base = asr.blup_pcg(df, traits=["y1"], animal="id", fixed=["sex"], ainv=ainv,
                        G=[[res.estimates.iloc[0]]], R=[[res.estimates.iloc[1]]], tol=1e-9)
    rec.update(base_s=base.seconds, base_pcg=base.info.iterations)
    if exact:
        t = time.perf_counter()
        fit = asr.asreml(fixed="y1 ~ sex", random="~ vm(id, Ainv)", data=df, Ainv=ainv)
        rec["exact_s"] = time.perf_counter() - t
        vc = fit.varcomp["component"].to_numpy()
        rec["exact"] = vc.tolist()
        rec["exact_se"] = fit.varcomp["std.error"].tolist()
        rec["diff_in_mc_se"] = ((res.estimates.to_numpy() - vc) / res.mc_se.to_numpy()).tolist()
    rec["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    rec["np"] = np.__version__
    out.write_text(json.dumps(rec))


def _limit(nbytes: int) -> Any:
    def set_limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (nbytes, nbytes))
    return set_limit


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000", help="thousands of animals")
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--mem-gb", type=float, default=10.0)
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--exact-max", type=int, default=100, help="thousands of animals")
    ap.add_argument("--worker", type=int, default=0)
    ap.add_argument("--exact", action="store_true")
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    if a.worker:
        worker(a.worker, a.samples, a.exact, Path(a.out))
        return
    print(f"load average {os.getloadavg()}", flush=True)
    for size in [int(s) for s in a.sizes.split(",")]:
        n = size * 1000
        out = Path(f"/tmp/bench_reml_mc_{os.getpid()}_{n}.json")
        cmd = [sys.executable, __file__, "--worker", str(n), "--samples", str(a.samples),
               "--out", str(out)] + (["--exact"] if size <= a.exact_max else [])
        t = time.perf_counter()
        try:
            rc = subprocess.run(cmd, preexec_fn=_limit(int(a.mem_gb * 2**30)),
                                timeout=a.timeout).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
        wall = time.perf_counter() - t
        if not out.exists():
            print(f"{size}k animals: child failed ({rc}) after {wall:.0f} s", flush=True)
            continue
        r = json.loads(out.read_text())
        out.unlink()
        est = ", ".join(f"{v:.5g} (MC s.e. {s:.2g})" for v, s in zip(r["estimates"],
                                                                     r["mc_se"]))
        print(f"\n== {size}k animals, K = {r['samples']}: child wall {wall:.0f} s, "
              f"load {os.getloadavg()[0]:.1f}")
        print(f"  build (simulate + A-inverse) {r['build_s']:.1f} s")
        print(f"  reml_mc {r['mc_s']:.1f} s ({r['mc_cpu_s']:.1f} s of CPU), {r['iterations']} "
              f"iterations "
              f"({'converged' if r['converged'] else 'NOT converged'}), PCG iterations "
              f"{r['pcg_iterations']} + {r['pcg_iterations_ai']} (AI)")
        print(f"  sigma2_a, sigma2_e = {est}")
        print(f"  peak memory: child ru_maxrss {r['maxrss_mib']:.0f} MiB, VmHWM at the end of "
              f"reml_mc {r['mc_hwm_mib']:.0f} MiB")
        print(f"  baseline: one blup_pcg solve {r['base_s']:.1f} s ({r['base_pcg']} PCG "
              f"iterations); ratio reml_mc / baseline {r['mc_s'] / r['base_s']:.1f}")
        if "exact" in r:
            print(f"  exact REML (asr.asreml) {r['exact_s']:.1f} s: "
                  + ", ".join(f"{v:.5g} (s.e. {s:.2g})" for v, s in zip(r["exact"],
                                                                      r["exact_se"]))
                  + "; MC - exact in MC s.e.: "
                  + ", ".join(f"{d:+.2f}" for d in r["diff_in_mc_se"]), flush=True)


if __name__ == "__main__":
    main()
