"""Genomic and spatial MET fits: where a fit's CPU goes after the first optimum (the post-pass
chain of ``reml/ai.fit_reml``), this tree against a base checkout measured in the same run.

    OMP_NUM_THREADS=1 python benchmarks/bench_met_postpass.py [--base /work/main]
        [--only sp_cv,pf_corh,pf_fa2,fa_spat] [--seeds 1] [--skip-base]

Workloads (simulated at the shapes of three corpus scripts that stop at its 300 s CPU
limit; benchmarks/README.md "Whole workflows over the 300 s limit"):

* ``sp_cv``: schaves_sweetpotato_two_stage Cross-validations.R's fold: weighted BLUEs of
  600 genotypes x 5 environments, a fifth missing (n ~ 2 400), ``y ~ env``,
  ``random = ~ vm(geno, G):corh(env) + ide(geno)``, ``family = asr_gaussian(dispersion =
  1)`` (the V form);
* ``pf_corh`` / ``pf_fa2``: genomic-FA-METs predFA.R: 13 environments x 147 lines,
  ``eblue ~ envs``, ``random = ~ corh(envs):vm(geno, G)`` or ``fa(envs, 2):vm(geno, G)``,
  weights, dispersion 1 (dense MME, N ~ 1 925);
* ``fa_spat``: GIS-FA FA_spatmod_soybean.R's fa1 (bench_fa_met.simulate's full shape: 49
  environments, dsum of id x id and ar1 x ar1 trial residuals).

Each fit runs in its own process (``OMP_NUM_THREADS=1``, ``PYTHONPATH`` the checkout
measured; the data come from this tree's benchmarks in both). Printed per fit and checkout:
CPU, iterations, ℓ, converged, ℓ and score/AI evaluations, and the CPU of each post-pass of
``fit_reml`` (the escape, ladder, revisit, corner, fold, ... polish) and of the differenced
Hessians (``fd_information``, inside the main fit and the post-passes alike).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORKLOADS = ("sp_cv", "pf_corh", "pf_fa2", "fa_spat")

#: the post-passes of reml/ai.fit_reml timed (module-level functions, wrapped by name)
PASSES = ("_check_singular_corr", "_escape_boundary", "_climb_ladder", "_revisit_bound",
          "_corner_faces", "_fold_faces", "_distance_other_end", "_mirror_ar1",
          "_heywood_swaps", "_fix_at_ar_limit", "_polish_floor", "_face_polish")

CHILD = r"""
import json, sys, time, warnings
from collections import defaultdict
sys.path[:0] = [{bench!r}]
import numpy as np
import pandas as pd
import asr_py as asr
import asr_py.reml.ai as ai
import asr_py.reml.mme as mme
n = defaultdict(int)
cpu = defaultdict(float)
def counted(f, key):
    def g(*a, **k):
        n[key] += 1
        return f(*a, **k)
    return g
def timed(f, key):
    def g(*a, **k):
        t = time.process_time()
        try:
            return f(*a, **k)
        finally:
            cpu[key] += time.process_time() - t
    return g
mme.MME.evaluate = counted(mme.MME.evaluate, "evaluate")
mme.MME.score_ai = counted(mme.MME.score_ai, "score_ai")
for name in {passes!r}:
    if hasattr(ai, name):
        setattr(ai, name, timed(getattr(ai, name), name))
ai.fd_information = timed(ai.fd_information, "fd_information")
ai._fit_reml = counted(ai._fit_reml, "fits")
name, seed = {args!r}
kw = dict(maxit=50)
if name == "sp_cv" or name.startswith("pf_"):
    from bench_small_fits import sweetpotato_data
    genos, envs = (600, 5) if name == "sp_cv" else (147, 13)
    d, g = sweetpotato_data(seed=seed, genos=genos, envs=envs, markers=600)
    rand = {{"sp_cv": "~ vm(geno, G):corh(env) + ide(geno)",
             "pf_corh": "~ corh(env):vm(geno, G)",
             "pf_fa2": "~ fa(env, 2):vm(geno, G)"}}[name]
    kw.update(fixed="y ~ env", random=rand, family=asr.asr_gaussian(dispersion=1),
              weights="w", G=g, data=d)
else:
    from bench_fa_met import SIZES, simulate
    d, lv = simulate(*SIZES["full"], k=1, seed=23 + seed)
    levels = "list(c(" + ",".join(map(str, lv[0])) + "), c(" + ",".join(map(str, lv[1])) + "))"
    kw.update(fixed="yield ~ env + block:env", random="~ gen:fa(env, 1)",
              residual=f"~ dsum(~ id(row):id(col) + ar1(row):ar1(col) | env, levels = {{levels}})",
              data=d, na_action={{"x": "include", "y": "include"}})
t = time.process_time()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    f = asr.asreml(**kw)
total = time.process_time() - t
r = f.result
print(json.dumps(dict(it=r.n_iter, ll=float(r.loglik), conv=bool(r.converged), cpu=total,
                      n=dict(n), passes=dict(cpu), theta=[float(x) for x in r.theta])))
"""


def run(checkout: Path, name: str, seed: int) -> dict:
    code = CHILD.format(bench=str(ROOT / "benchmarks"), passes=PASSES, args=(name, seed))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1:] or ["?"]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def describe(tag: str, r: dict) -> str:
    if "error" in r:
        return f"  {tag}: ERROR {r['error']}"
    shares = ", ".join(f"{k.lstrip('_')} {v:.1f}" for k, v in sorted(
        r["passes"].items(), key=lambda kv: -kv[1]) if v >= 0.05)
    return (f"  {tag}: {r['cpu']:.1f} s CPU, {r['it']} it, ℓ {r['ll']:.9f}, "
            f"conv {r['conv']}, fits {r['n'].get('fits', 0)}, evaluate "
            f"{r['n'].get('evaluate', 0)}, score_ai {r['n'].get('score_ai', 0)}; s: {shares}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="/work/main")
    ap.add_argument("--only", default=",".join(WORKLOADS))
    ap.add_argument("--seeds", default="1", help="comma-separated seeds")
    ap.add_argument("--skip-base", action="store_true")
    a = ap.parse_args()
    totals = {"base": 0.0, "tree": 0.0}
    for name in a.only.split(","):
        for seed in (int(s) for s in a.seeds.split(",")):
            print(f"{name} seed {seed}", flush=True)
            rows = {}
            if not a.skip_base:
                rows["base"] = run(Path(a.base), name, seed)
                print(describe("base", rows["base"]), flush=True)
            rows["tree"] = run(ROOT, name, seed)
            print(describe("tree", rows["tree"]), flush=True)
            if all("error" not in r for r in rows.values()):
                for k, r in rows.items():
                    totals[k] += r["cpu"]
                if "base" in rows:
                    b, t = rows["base"], rows["tree"]
                    print(f"  base/tree CPU {b['cpu'] / t['cpu']:.2f}x, "
                          f"ℓ(tree) − ℓ(base) {t['ll'] - b['ll']:+.3e}", flush=True)
    print(f"total CPU: base {totals['base']:.1f} s, tree {totals['tree']:.1f} s")


if __name__ == "__main__":
    main()
