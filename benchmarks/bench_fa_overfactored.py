"""Over-factored fa(k) METs: per-fit CPU and evaluations of this tree against a base checkout
measured in the same run.

    OMP_NUM_THREADS=1 python benchmarks/bench_fa_overfactored.py [--base DIR] [--only I,J]
                                                                  [--maxit 100]

The set (tests/reml/test_fa_met_convergence._met: two reps of 80 % of 30 genotypes per
environment, genotype effects from a rank-r Λ plus Ψ, seeded): ``y ~ env``,
``random = ~ gen:fa(env, k)`` with k = 3..6 factors over 20-50 environments and a rank-1..3
truth, so k exceeds what the data hold (the fits end with most ψ on their floors, the
situation of GIS-FA_Mallawi's FA6). Each fit runs in its own process (``OMP_NUM_THREADS=1``)
with ``PYTHONPATH`` set to the checkout measured; the data come from this tree's tests in
both, so only asr_py differs. Printed per fit and checkout: iterations, ℓ, converged, CPU
seconds, ℓ evaluations (``MME.evaluate``), score/AI evaluations (``MME.score_ai``) and the
AI-step QP's equality solves (``reml.qp._eqp``); then the CPU ratio base / tree and
ℓ(tree) − ℓ(base).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (environments, genotypes, true rank, fitted k, seed)
CASES = [(20, 30, 1, 3, 1), (24, 30, 2, 5, 2), (30, 30, 2, 4, 3), (30, 30, 1, 6, 4),
         (40, 30, 2, 6, 5), (50, 30, 3, 6, 6)]

CHILD = r"""
import json, sys, time, warnings
sys.path[:0] = [{tests!r}, {tests_reml!r}]
import asr_py as asr
import asr_py.reml.mme as mme
import asr_py.reml.qp as qp
from test_fa_met_convergence import _met
n = {{"evaluate": 0, "score_ai": 0, "qp_solves": 0}}
def counted(f, key):
    def g(*a, **k):
        n[key] += 1
        return f(*a, **k)
    return g
mme.MME.evaluate = counted(mme.MME.evaluate, "evaluate")
mme.MME.score_ai = counted(mme.MME.score_ai, "score_ai")
qp._eqp = counted(qp._eqp, "qp_solves")
env, gen, rank, k, seed, maxit = {args!r}
d = _met(env, gen, rank, 0, seed)
t = time.process_time()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    f = asr.asreml("y ~ env", random=f"~ gen:fa(env, {{k}})", data=d, maxit=maxit)
cpu = time.process_time() - t
r = f.result
print(json.dumps(dict(it=r.n_iter, ll=r.loglik, conv=bool(r.converged), cpu=cpu, **n)))
"""


def run(tree: Path, case: tuple[int, ...], maxit: int) -> dict:
    code = CHILD.format(tests=str(ROOT / "tests"), tests_reml=str(ROOT / "tests" / "reml"),
                        args=(*case, maxit))
    env = dict(os.environ, PYTHONPATH=str(tree), OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, cwd=str(tree))
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def fmt(r: dict) -> str:
    if "error" in r:
        return f"error: {r['error'][:60]}"
    return (f"{r['it']:>3} it {r['ll']:.9f}{'' if r['conv'] else '*'} {r['cpu']:6.1f} s "
            f"{r['evaluate']:>4} ev {r['score_ai']:>4} sc {r['qp_solves']:>6} qp")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", type=Path, default=None,
                    help="a checkout to compare with (e.g. a worktree of main)")
    ap.add_argument("--only", default="", help="case numbers, comma separated (0-based)")
    ap.add_argument("--maxit", type=int, default=100)
    a = ap.parse_args()
    pick = [int(i) for i in a.only.split(",") if i] or range(len(CASES))
    print("case (env, gen, rank, k, seed) | checkout: iterations, ℓ (* unconverged), CPU, "
          "ℓ evaluations, score/AI evaluations, QP solves")
    tot = {"base": 0.0, "tree": 0.0}
    for i in pick:
        case = CASES[i]
        tree = run(ROOT, case, a.maxit)
        line = f"{i} {case}  tree: {fmt(tree)}"
        if a.base is not None:
            base = run(a.base, case, a.maxit)
            line += f"\n{' ' * len(f'{i} {case}')}  base: {fmt(base)}"
            if "error" not in base and "error" not in tree:
                tot["base"] += base["cpu"]
                tot["tree"] += tree["cpu"]
                line += (f"\n{' ' * len(f'{i} {case}')}  CPU base/tree "
                         f"{base['cpu'] / max(tree['cpu'], 1e-9):.2f}x, "
                         f"Δℓ {tree['ll'] - base['ll']:+.3g}")
        print(line, flush=True)
    if a.base is not None and tot["tree"] > 0:
        print(f"total CPU base {tot['base']:.1f} s, tree {tot['tree']:.1f} s: "
              f"{tot['base'] / tot['tree']:.2f}x")


if __name__ == "__main__":
    main()
