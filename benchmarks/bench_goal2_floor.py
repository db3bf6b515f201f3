"""Goal 2's floor: what a direct sparse Cholesky costs on the 10^6-animal C, without the fit.

    python3 benchmarks/bench_goal2_floor.py [--sizes 100,200,500,1000] [--selinv-max 200]
                                            [--mem-gb 9] [--evaluations 7] [--timeout S]

For each size (thousands of animals; ``problems.GOAL_PROBLEMS``' univariate animal model
``y1 ~ sex, ~ vm(id, Ainv)``: ``simulate_pedigree`` with 10 generations) a child process with an
address-space limit (``--mem-gb``: the machine is shared, a MemoryError rather than the OOM
killer) builds C = W'W/σ² + blockdiag(0, A⁻¹/σ²_a) at the start values and measures

* CHOLMOD's symbolic analysis (AMD ordering, supernodal analysis) and one supernodal numeric
  factorization of C, timed;
* from the factor L (``getfactor``): nnz(L) as CHOLMOD stores it (with the explicit zeros of
  its relaxed supernodal amalgamation), the flops of the factorization Σ_j c_j² (c_j =
  nnz of column j of L: each column updates the c_j(c_j+1)/2 entries it touches, times two
  for a multiply-add, minus lower-order terms), the fundamental supernodes and the largest
  (its columns: a separator of the pedigree's graph, factored densely) with its share of the
  flops;
* up to ``--selinv-max`` thousand animals, the selected inverse (Takahashi on L's pattern,
  what every REML evaluation needs for its traces): the one-off plan and a run;
* the child's peak memory (``ru_maxrss`` through ``os.wait4``).

It prints each size, the exponents d log(cost) / d log(animals) between sizes, and the
projected fit time at each size = evaluations x (factorization + selected inverse run) +
plan, with the selected inverse's cost where it was not run taken as its ratio to the
factorization at the largest size where it was; and a floor that does not depend on this
implementation's selected inverse: evaluations x 3 factorizations (Takahashi's flops are
about twice the Cholesky's). ``--evaluations`` (default 7: the 6 AI iterations and
the final pass of the univariate 100k-200k goal fits) is the number of factorization + selected
inverse pairs of a fit.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (ROOT, HERE):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))


# ---------------------------------------------------------------------------------------
# child: one size
# ---------------------------------------------------------------------------------------
def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def build_c(n_animals: int) -> tuple[Any, dict[str, float]]:
    """C of the univariate goal problem at its start values (scipy CSC) and build times."""
    import problems

    import asr_py as asr
    from asr_py.reml.mme import MME

    t = {}
    t0 = time.perf_counter()
    inst = problems.get(f"goal_animal1_{n_animals // 1000}k").build(False)
    t["simulate_and_ainverse_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    kw = {k: v for k, v in inst.kwargs.items()}
    model = asr.compile_model(**kw)
    mme = MME(model.problem())
    c = mme.assemble(model.problem().theta0)[0]
    t["compile_and_assemble_s"] = time.perf_counter() - t0
    return c, t


def factor_stats(c: Any, supernodal: bool = True) -> dict[str, Any]:
    """CHOLMOD on C (scipy sparse, SPD): analysis and numeric times, nnz(L) as CHOLMOD stores
    it (supernodal: with the zeros of its relaxed amalgamation; ``supernodal=False``: the
    exact symbolic fill), the flops Σ c_j², the fundamental supernodes."""
    import numpy as np
    import scipy.sparse as sp
    from cvxopt import cholmod, matrix, spmatrix

    from asr_py.reml.selinv import supernode_starts

    low = sp.tril(c, format="csc")
    low.sort_indices()
    col = np.repeat(np.arange(low.shape[0]), np.diff(low.indptr))
    a = spmatrix(matrix(low.data), matrix(col.astype(int)), matrix(low.indices.astype(int)),
                 low.shape).T  # lower triangle (see reml/backends/cholmod.py)
    rec: dict[str, Any] = {"after_build_mib": _peak_mib()}
    saved = dict(cholmod.options)
    cholmod.options["supernodal"] = 2 if supernodal else 0
    try:
        t0 = time.perf_counter()
        f = cholmod.symbolic(a)
        rec["symbolic_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        cholmod.numeric(a, f)
        rec["numeric_s"] = time.perf_counter() - t0
    finally:
        cholmod.options.clear()
        cholmod.options.update(saved)
    rec["after_factor_mib"] = _peak_mib()
    x = matrix(np.arange(low.shape[0], dtype=float))
    cholmod.solve(f, x, sys=8)  # P applied to 0..n-1: the ordering
    rec["perm"] = np.argsort(np.asarray(x).ravel().astype(np.int64))
    lm = cholmod.getfactor(f)
    del f
    cp, ri, _ = lm.CCS
    indptr = np.asarray(cp, dtype=np.int64).ravel()
    indices = np.asarray(ri, dtype=np.int64).ravel()
    del lm, cp, ri
    cnt = np.diff(indptr).astype(np.float64)
    rec["nnz_l"] = int(indptr[-1])
    rec["flops"] = float((cnt * cnt).sum())  # Σ c_j² (multiply-adds x 2, leading term)
    starts = supernode_starts(indptr, indices)
    width = np.diff(np.r_[starts, indptr.size - 1])
    big = int(np.argmax(width))
    sb = slice(int(starts[big]), int(starts[big] + width[big]))
    rec.update(n_supernodes=int(starts.size), largest_supernode=int(width[big]),
               largest_supernode_rows=int(cnt[starts[big]]),
               largest_supernode_flops=float((cnt[sb] * cnt[sb]).sum()),
               root_supernode=int(width[-1]))
    return rec


def measure(n_animals: int, selinv: bool) -> dict[str, Any]:
    """The figures of one size (see the module docstring)."""
    import scipy.sparse as sp

    from asr_py.reml.backends.cholmod import CholmodFactor

    c, rec = build_c(n_animals)
    rec.update(n_animals=n_animals, n_eq=int(c.shape[0]), nnz_c_lower=int(sp.tril(c).nnz))
    st = factor_stats(c)
    del st["perm"]
    rec.update(st)
    if selinv:
        import numpy as np

        fac = CholmodFactor(c)
        low = sp.tril(c, format="csc")
        low.sort_indices()
        rows = low.indices
        cols = np.repeat(np.arange(low.shape[0]), np.diff(low.indptr))
        t0 = time.perf_counter()
        fac.inverse_entries(rows, cols)  # plan (once per fit) + a run
        rec["selinv_first_s"] = time.perf_counter() - t0
        fac2 = fac.refactor(c)  # a numeric factorization on the kept analysis (not timed)
        t0 = time.perf_counter()
        fac2.inverse_entries(rows, cols)  # getfactor + a run on the plan: each evaluation's
        rec["selinv_run_s"] = time.perf_counter() - t0
        rec["selinv_plan_s"] = max(rec["selinv_first_s"] - rec["selinv_run_s"], 0.0)
    rec["peak_mib"] = _peak_mib()
    return rec


# ---------------------------------------------------------------------------------------
# parent
# ---------------------------------------------------------------------------------------
def run_size(k: int, selinv: bool, mem_gb: float, timeout: float, tmp: Path) -> dict[str, Any]:
    """One size in a child with RLIMIT_AS = ``mem_gb``; its record (peak from os.wait4)."""
    out, log = tmp / f"{k}k.json", tmp / f"{k}k.log"
    cmd = [sys.executable, __file__, "--child", str(k * 1000), "--out", str(out)]
    cmd += ["--selinv-max", "1000000000" if selinv else "0"]
    lim = int(mem_gb * 2**30)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))

    t0 = time.perf_counter()
    with open(log, "w") as fh:
        p = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, preexec_fn=limit,
                             start_new_session=True)
    state = "ok"
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - t0 > timeout:
            os.killpg(p.pid, signal.SIGKILL)
            _, status, ru = os.wait4(p.pid, 0)
            state = "timeout"
            break
        time.sleep(0.5)
    code = os.waitstatus_to_exitcode(status)
    rec = json.loads(out.read_text()) if out.exists() else {"n_animals": k * 1000}
    rec["child_peak_mib"] = ru.ru_maxrss / 1024.0
    rec["wall_s"] = time.perf_counter() - t0
    if state != "ok" or code != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
        rec["status"] = f"{state} (exit {code}): {tail[0][:160] if tail else ''}"
    else:
        rec["status"] = "ok"
    return rec


def project(recs: list[dict[str, Any]], evaluations: int) -> list[str]:
    """Projected fit time per size (see the module docstring)."""
    ok = [r for r in recs if "numeric_s" in r]
    with_si = [r for r in ok if "selinv_run_s" in r]
    if not with_si:
        return ["no selected inverse measured: no projection"]
    ref = max(with_si, key=lambda r: r["n_animals"])
    run_ratio = ref["selinv_run_s"] / ref["numeric_s"]
    plan_ratio = ref["selinv_plan_s"] / ref["numeric_s"]
    lines = []
    for r in ok:  # the floor: Takahashi's flops are about twice the factorization's
        fl = evaluations * 3 * r["numeric_s"] + r.get("symbolic_s", 0.0)
        lines.append(f"{r['n_animals'] // 1000}k floor (selected inverse = 2 factorizations, "
                     f"its flop count): {evaluations} x 3 x {r['numeric_s']:.1f} + ordering = "
                     f"{fl:.0f} s ({fl / 60:.1f} min)")
    for r in ok:
        measured = "selinv_run_s" in r
        run = r["selinv_run_s"] if measured else run_ratio * r["numeric_s"]
        plan = r["selinv_plan_s"] if measured else plan_ratio * r["numeric_s"]
        fit = evaluations * (r["numeric_s"] + run) + plan + r.get("symbolic_s", 0.0)
        lines.append(f"{r['n_animals'] // 1000}k: {evaluations} x ({r['numeric_s']:.1f} + "
                     f"{run:.1f}) + plan {plan:.1f} + ordering {r['symbolic_s']:.1f} = "
                     f"{fit:.0f} s ({fit / 60:.1f} min)"
                     + ("" if measured else f"; selected inverse at {run_ratio:.2f} and plan "
                        f"at {plan_ratio:.2f} factorizations (the ratios at "
                        f"{ref['n_animals'] // 1000}k)"))
    return lines


def exponents(recs: list[dict[str, Any]], key: str) -> str:
    pts = [(r["n_animals"], r[key]) for r in recs if r.get(key)]
    return ", ".join(f"{a // 1000}k->{b // 1000}k {math.log(y / x) / math.log(b / a):.2f}"
                     for (a, x), (b, y) in zip(pts, pts[1:])) or "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100,200,500,1000", help="thousands of animals")
    ap.add_argument("--selinv-max", type=int, default=200,
                    help="run the selected inverse up to this many thousand animals")
    ap.add_argument("--mem-gb", type=float, default=9.0, help="address-space limit per child")
    ap.add_argument("--evaluations", type=int, default=7)
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per size")
    ap.add_argument("--json", help="write the records here")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=None):
            rec = measure(a.child, a.child <= a.selinv_max * 1000)
        Path(a.out).write_text(json.dumps(rec))
        return 0
    print(f"goal 2 floor: load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} cores; address-space limit {a.mem_gb:g} GB per size", flush=True)
    recs = []
    with tempfile.TemporaryDirectory(prefix="asr_floor_") as td:
        for k in (int(s) for s in a.sizes.split(",")):
            r = run_size(k, k <= a.selinv_max, a.mem_gb, a.timeout, Path(td))
            recs.append(r)
            if r["status"] != "ok":
                print(f"  {k}k: {r['status']}, peak {r['child_peak_mib']:.0f} MiB", flush=True)
                continue
            si = (f"; selected inverse: plan {r['selinv_plan_s']:.1f} s, run "
                  f"{r['selinv_run_s']:.1f} s ({r['selinv_run_s'] / r['numeric_s']:.1f} "
                  f"factorizations)" if "selinv_run_s" in r else "")
            print(f"  {k}k: N {r['n_eq']}, nnz(tril C) {r['nnz_c_lower']:,}; build "
                  f"{r['simulate_and_ainverse_s']:.0f} + {r['compile_and_assemble_s']:.0f} s; "
                  f"AMD + symbolic {r['symbolic_s']:.1f} s, numeric {r['numeric_s']:.1f} s; "
                  f"nnz(L) {r['nnz_l']:,} ({r['nnz_l'] / r['nnz_c_lower']:.0f}x C), flops "
                  f"{r['flops']:.3g}, {r['n_supernodes']:,} supernodes, largest "
                  f"{r['largest_supernode']} columns x {r['largest_supernode_rows']} rows "
                  f"(root {r['root_supernode']}; its share of the flops "
                  f"{r['largest_supernode_flops'] / r['flops']:.0%}){si}; peak "
                  f"{r['child_peak_mib']:.0f} MiB",
                  flush=True)
    ok = [r for r in recs if r["status"] == "ok"]
    print("\nexponents d log / d log(animals):")
    for key in ("nnz_l", "flops", "numeric_s", "largest_supernode", "child_peak_mib"):
        print(f"  {key}: {exponents(ok, key)}")
    print(f"\nprojected fit = evaluations x (factorization + selected inverse) + plan + "
          f"ordering (load average now {os.getloadavg()[0]:.1f}):")
    for line in project(ok, a.evaluations):
        print("  " + line)
    if a.json:
        Path(a.json).write_text(json.dumps(recs, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
