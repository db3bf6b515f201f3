"""The scale goals of issue 16, each measured against a baseline in the same process tree.

    python3 benchmarks/bench_goals.py [--only GLOB[,GLOB]] [--timeout S] [--quick]
                                      [--no-lme4] [--json OUT] [--big-timeout S]
                                      [--big-mem-gb G] [--lme4-timeout S]

Every problem (``GOAL_PROBLEMS`` in problems.py) is fitted in its own child process by
run_all.py's worker (peak memory = the child's ``ru_maxrss``); the baseline is one
factorization of the final C in that child (``fit/fact``: the fit's cost in factorizations),
and for the crossed designs lme4::lmer timed right after in its own child (time and memory).
Then each goal is judged, and the scaling exponents d log(cost) / d log(animals) of the
univariate series are printed (fit time, one factorization, peak memory), with the 10^6
animals' time and memory extrapolated from the two largest fitted sizes when that fit did
not finish. The big univariate fits (500k, 10^6 animals) get ``--big-timeout`` seconds and an
address-space limit of ``--big-mem-gb`` (the machine is shared: a MemoryError, not the
kernel's OOM killer taking another process).

Goal 2 (10^6 animals) is fitted by Monte Carlo REML (``asr.reml_mc``, bench_reml_mc.py's
worker in a child: K = ``--mc-samples`` simulated data sets; its baseline one ``asr.blup_pcg``
solve) unless ``--goal2 direct`` asks for the direct Cholesky fit (which does not finish at
10^6: benchmarks/README.md "Goal 2's floor"). With the default ``--only`` every goal runs, so
one invocation measures them all, each with its baseline.

Goals (issue 16, item 1):
  1. bivariate animal model, 100 000 animals: converged, < 60 s, < 1.2 GB per 100k equations
  2. univariate animal model, 1 000 000 animals: < 10 min, < 16 GB
  3. a whole fit <= 15 factorizations of its final C, from 10 000 animals up
  4. crossed 1e6 records: >= 3x faster than lme4, with no more memory than lme4 (judged on
     a + b and on the issue's a + b + c, ``goal_crossed_abc_1e6``)
  5. us(env) on 20 environments: converged within 30 iterations (default maxit)
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import problems  # noqa: E402
import run_all  # noqa: E402

SERIES1 = [10, 25, 50, 100, 200]  # thousands of animals, univariate (scaling, goal 3)
SERIES2 = [10, 25, 50, 100]       # bivariate (goal 1 at 100k, goal 3)


BIG = ("goal_animal1_500k", "goal_animal1_1000k")


def run_one(name: str, tmp: Path, timeout: float, quick: bool, use_r: bool,
            mem_gb: float | None = None, lme4_timeout: float | None = None,
            stochastic: str = "auto") -> dict[str, Any]:
    out, csv, log = tmp / f"{name}.json", tmp / f"{name}.csv", tmp / f"{name}.log"
    cmd = [sys.executable, str(HERE / "bench_goals.py"), "--worker", name, "--out", str(out),
           "--lme4-csv", str(csv), "--stochastic", stochastic] + (["--quick"] if quick else [])
    if mem_gb:  # RLIMIT_AS of the child (exec keeps the pid, so ru_maxrss is the fit's)
        cmd = ["bash", "-c", f"ulimit -v {int(mem_gb * 2**20)} && exec \"$0\" \"$@\"", *cmd]
    state, mib, secs = run_child(cmd, timeout, log)
    part = json.loads(out.read_text()) if out.exists() else {}
    if state == "ok" and part.get("stage") == "done":
        rec = dict(part, mib=mib)
    else:
        rec = {"name": name, "size": part.get("size", ""), "status": state, "mib": mib,
               "note": run_all.failure_note(state, part, log, timeout, mib)}
    if rec.get("status") == "ok" and rec.get("lme4_formula") and csv.exists() and use_r:
        rec["lme4"] = run_lme4(rec, csv, tmp, lme4_timeout or timeout)
    if csv.exists():
        csv.unlink()
    print(f"  {name}: " + summary(rec), flush=True)
    return rec


def run_mc(n_animals: int, tmp: Path, timeout: float, samples: int,
           mem_gb: float | None) -> dict[str, Any]:
    """Goal 2 by Monte Carlo REML: bench_reml_mc.py's worker in a child (RLIMIT_AS
    ``mem_gb``); fit = ``reml_mc``'s wall time, build = simulation + A-inverse, baseline = one
    ``blup_pcg`` solve in the same child, peak = the child's ``ru_maxrss``."""
    name = f"goal_animal1_{n_animals // 1000}k"
    out, log = tmp / f"{name}.mc.json", tmp / f"{name}.mc.log"
    cmd = [sys.executable, str(HERE / "bench_reml_mc.py"), "--worker", str(n_animals),
           "--samples", str(samples), "--out", str(out)]
    if mem_gb:
        cmd = ["bash", "-c", f"ulimit -v {int(mem_gb * 2**20)} && exec \"$0\" \"$@\"", *cmd]
    state, mib, wall = run_child(cmd, timeout, log)
    if state == "ok" and out.exists():
        r = json.loads(out.read_text())
        rec = {"name": name, "status": "ok", "method": "reml_mc", "size":
               f"{n_animals} animals, Monte Carlo REML K = {samples}", "fit_s": r["mc_s"],
               "fit_cpu_s": r["mc_cpu_s"], "build_s": r["build_s"], "n_iter": r["iterations"],
               "converged": r["converged"], "mib": mib, "fit_mib": r["mc_hwm_mib"],
               "base_s": r["base_s"], "estimates": r["estimates"], "mc_se": r["mc_se"],
               "n_eq": n_animals + 2}
    else:
        rec = {"name": name, "status": state, "method": "reml_mc", "mib": mib,
               "note": run_all.failure_note(state, {}, log, timeout, mib)}
    print(f"  {name} (reml_mc): " + mc_summary(rec), flush=True)
    return rec


def mc_summary(rec: dict[str, Any]) -> str:
    if rec.get("status") != "ok":
        return f"{rec.get('status')}: {rec.get('note', '')}"
    est = ", ".join(f"{v:.4g} (MC s.e. {s:.2g})" for v, s in zip(rec["estimates"],
                                                                  rec["mc_se"]))
    return (f"{rec['size']}: build {rec['build_s']:.1f} s, fit {rec['fit_s']:.1f} s "
            f"({rec['fit_cpu_s']:.1f} s of CPU), {rec['n_iter']} iterations"
            f"{'' if rec['converged'] else ' (NOT converged)'}, {rec['mib']:.0f} MiB; "
            f"sigma2_a, sigma2_e = {est}; baseline one blup_pcg solve {rec['base_s']:.1f} s, "
            f"fit/baseline {rec['fit_s'] / rec['base_s']:.1f}")


def run_child(cmd: list[str], timeout: float, log: Path) -> tuple[str, float, float]:
    return run_all.run_child(cmd, timeout, log)


def _hwm_mib() -> float:
    """This process's peak resident set so far (VmHWM; ru_maxrss where /proc is absent)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _counting_fits() -> tuple[dict[str, int], list[int]]:
    """Wrap ``asr.asreml`` to count its calls; (counters at the start, [calls])."""
    import asr_py as asr
    from asr_py.reml import counters

    calls = [0]
    real = asr.asreml

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real(*args, **kwargs)

    counted.__wrapped__ = real  # type: ignore[attr-defined]
    asr.asreml = counted
    return counters.snapshot(), calls


def _per_fit(start: dict[str, int], calls: list[int]) -> dict[str, float]:
    """Sparse numeric factorizations and selected inverses per fit since ``start``."""
    import asr_py as asr
    from asr_py.reml import counters

    now, n = counters.snapshot(), max(calls[0], 1)
    asr.asreml = getattr(asr.asreml, "__wrapped__", asr.asreml)
    return {f"n_{k}": (now[k] - start.get(k, 0)) / n for k in now}


def worker(name: str, quick: bool, out: Path, lme4_csv: Path | None,
           stochastic: str = "auto") -> None:
    """run_all.py's worker (build, fit, then the baseline: a second compile and one
    factorization of the final C) with the fit's own peak recorded before the baseline runs:
    ``fit_mib`` = the child's VmHWM when the fit returned (simulation, lme4's CSV and the fit;
    what a user's process holds), beside the child's whole-life peak the parent reads."""
    rec: dict[str, Any] = {"name": name, "status": "ok", "stage": "build"}
    try:
        out.write_text(json.dumps(rec))
        t0 = time.perf_counter()
        inst = problems.get(name).build(quick)
        rec.update(size=inst.size, build_s=time.perf_counter() - t0, stage="fit")
        out.write_text(json.dumps(rec))
        if inst.lme4_formula and inst.lme4_data is not None and lme4_csv is not None:
            inst.lme4_data.to_csv(lme4_csv, index=False)
            rec.update(lme4_formula=inst.lme4_formula, lme4_factors=inst.lme4_factors)
        from asr_py.reml import stochastic as _stochastic

        _stochastic.DEFAULT = {"auto": None, "on": True, "off": False}[stochastic]
        start, calls = _counting_fits()
        fit, t = run_all._timed_fit(inst.kwargs, quick)
        rec["fit_mib"] = _hwm_mib()
        rec.update(_per_fit(start, calls), stochastic=stochastic)
        res = fit.result
        rec.update(stage="done", fit_s=t, n_iter=int(res.n_iter), converged=bool(res.converged),
                   loglik=float(res.loglik), solver=str(res.solver))
        rec["compile_s"] = run_all.compile_time(inst.kwargs)
        rec["n_eq"], rec["factor_s"], fb = run_all.factor_time(fit)
        if fb != rec["solver"]:
            rec["solver"] += f" (fact: {fb})"
    except Exception as e:  # noqa: BLE001 - a record, not a traceback, for the parent
        import traceback

        traceback.print_exc()
        rec.update(status="error", note=f"{type(e).__name__}: {e}"[:200])
    finally:
        out.write_text(json.dumps(rec))


def run_lme4(rec: dict[str, Any], csv: Path, tmp: Path, timeout: float) -> dict[str, Any]:
    """lme4::lmer on the problem's data in its own child, measured as our fit is: peak memory
    = the child's ``ru_maxrss`` through ``os.wait4`` (Rscript execs R in the same process, so
    R, the CSV read and the factors are included). {'s', 'loglik', 'mib', 'wall_s'}, or
    {'state', 'mib', 'wall_s'} when it failed or timed out (the peak reached by then)."""
    script = tmp / "lme4.R"
    script.write_text(run_all.R_SCRIPT)
    log = tmp / f"{rec['name']}.lme4.log"
    cmd = ["Rscript", str(script), str(csv), ",".join(rec.get("lme4_factors", [])),
           rec["lme4_formula"]]
    state, mib, wall = run_child(cmd, timeout, log)
    if state == "ok":
        for line in log.read_text().splitlines():
            if line.startswith("LME4 "):
                _, s, _n, ll = line.split()
                return {"s": float(s), "loglik": float(ll), "mib": mib, "wall_s": wall}
        state = "no output"
    return {"state": state, "mib": mib, "wall_s": wall}


def lme4_only(names: list[str], quick: bool, timeout: float, out: str | None) -> int:
    """lme4 alone on each problem that has an lme4 formula (the data built here, written as
    the CSV the fit's child would write): its time, log-likelihood and peak (or the peak by
    ``timeout``), for the memory goal when lme4 outlasts the usual timeout."""
    recs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="asr_lme4_") as td:
        for name in names:
            inst = problems.get(name).build(quick)
            if not (inst.lme4_formula and inst.lme4_data is not None):
                continue
            csv = Path(td) / f"{name}.csv"
            inst.lme4_data.to_csv(csv, index=False)
            rec: dict[str, Any] = {"name": name, "size": inst.size,
                                   "lme4_formula": inst.lme4_formula,
                                   "lme4_factors": inst.lme4_factors}
            del inst
            rec["lme4"] = run_lme4(rec, csv, Path(td), timeout)
            csv.unlink()
            recs[name] = rec
            print(f"  {name} ({rec['size']}): lme4 {rec['lme4']}", flush=True)
    if out:
        Path(out).write_text(json.dumps(recs, indent=1, default=str))
    return 0


def _mem(rec: dict[str, Any]) -> float:
    """The fit's peak (MiB) for the memory goals: ``fit_mib`` when recorded (before the
    baseline's second compile and factorization ran in the same child), else the child's."""
    return float(rec.get("fit_mib") or rec["mib"])


def summary(rec: dict[str, Any]) -> str:
    if rec.get("status") != "ok":
        return f"{rec.get('status')}: {rec.get('note', '')}"
    ff = rec["fit_s"] / rec["factor_s"] if rec.get("factor_s") else float("nan")
    s = (f"{rec['size']}: fit {rec['fit_s']:.1f} s, {rec['n_iter']} iterations"
         f"{'' if rec['converged'] else ' (NOT converged)'}, {rec['mib']:.0f} MiB"
         + (f" (the fit's peak {rec['fit_mib']:.0f})" if rec.get("fit_mib") else "")
         + f", N {rec.get('n_eq')}, one factorization {rec.get('factor_s', float('nan')):.3f} s "
         f"({rec.get('solver')}), fit/fact {ff:.1f}"
         + (f"; per fit {rec['n_factorizations']:.0f} factorizations, "
            f"{rec['n_selected_inverses']:.0f} selected inverses (traces: "
            f"{rec.get('stochastic')})" if "n_factorizations" in rec else ""))
    lm = rec.get("lme4")
    if lm and "s" in lm:
        s += (f"; lme4 {lm['s']:.1f} s, {lm['mib']:.0f} MiB: {lm['s'] / rec['fit_s']:.2f}x "
              f"faster, memory ratio {_mem(rec) / lm['mib']:.2f}")
    elif lm:
        s += (f"; lme4 {lm.get('state')} after {lm.get('wall_s', float('nan')):.0f} s, "
              f"peak {lm.get('mib', float('nan')):.0f} MiB")
    return s


def exponent(recs: list[dict[str, Any]], key: str) -> str:
    """Slopes of log(key) against log(animals) between successive sizes."""
    pts = [(int(r["n_animals"]), r[key]) for r in recs if r.get("status") == "ok"
           and r.get(key)]
    return ", ".join(f"{a // 1000}k->{b // 1000}k {math.log(y / x) / math.log(b / a):.2f}"
                     for (a, x), (b, y) in zip(pts, pts[1:])) or "-"


def fitted_exponent(recs: list[dict[str, Any]], key: str, lo: int) -> float | None:
    """Least-squares slope of log(key) on log(animals) over the fitted sizes >= ``lo``."""
    import numpy as np

    pts = [(int(r["n_animals"]), r[key]) for r in recs if r.get("status") == "ok"
           and r.get(key) and int(r["n_animals"]) >= lo]
    if len(pts) < 2:
        return None
    x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    return float(np.polyfit(x, y, 1)[0])


def extrapolate(recs: list[dict[str, Any]], n: int = 1_000_000) -> str:
    """Fit time and peak memory at ``n`` animals from the two largest fitted sizes."""
    ok = sorted((r for r in recs if r.get("status") == "ok"), key=lambda r: r["n_animals"])
    if len(ok) < 2 or ok[-1]["n_animals"] >= n:
        return ""
    a, b = ok[-2], ok[-1]
    k = math.log(n / b["n_animals"])
    d = math.log(b["n_animals"] / a["n_animals"])
    et = math.log(b["fit_s"] / a["fit_s"]) / d
    em = math.log(b["mib"] / a["mib"]) / d
    return (f"extrapolated to {n // 1000}k animals from {a['n_animals'] // 1000}k and "
            f"{b['n_animals'] // 1000}k: fit {b['fit_s'] * math.exp(et * k):.0f} s "
            f"(exponent {et:.2f}), peak {b['mib'] * math.exp(em * k) * 2**20 / 1e9:.1f} GB "
            f"(exponent {em:.2f})")


def judge(recs: dict[str, dict[str, Any]]) -> list[str]:
    out = []
    r = recs.get("goal_animal2_100k")
    if r:
        if r.get("status") == "ok":
            per = r["mib"] * 2**20 / 1e9 / (r["n_eq"] / 1e5)  # GB per 100k equations
            ok = r["converged"] and r["fit_s"] < 60 and per < 1.2
            out.append(f"1 bivariate 100k: {'MET' if ok else 'NOT MET'}: {r['fit_s']:.1f} s "
                       f"(goal 60), {per:.2f} GB per 100k equations (goal 1.2), "
                       f"converged {r['converged']}")
        else:
            out.append(f"1 bivariate 100k: NOT MET: {r.get('status')} ({r.get('note')})")
    r = recs.get("goal_animal1_1000k")
    if r:
        if r.get("status") == "ok":
            gb = r["mib"] * 2**20 / 1e9
            ok = r["fit_s"] < 600 and gb < 16 and r["converged"]
            how = (f" by Monte Carlo REML (build {r['build_s']:.0f} s more)"
                   if r.get("method") == "reml_mc" else "")
            out.append(f"2 univariate 1e6: {'MET' if ok else 'NOT MET'}{how}: "
                       f"{r['fit_s']:.0f} s (goal 600), {gb:.1f} GB (goal 16), "
                       f"converged {r['converged']}")
        else:
            out.append(f"2 univariate 1e6: NOT MET: {r.get('status')} ({r.get('note')})")
    ffs = [(n, rr["fit_s"] / rr["factor_s"]) for n, rr in recs.items()
           if n.startswith("goal_animal") and rr.get("status") == "ok" and rr.get("factor_s")]
    if ffs:
        worst = max(f for _, f in ffs)
        out.append(f"3 fit <= 15 factorizations: {'MET' if worst <= 15 else 'NOT MET'}: "
                   + ", ".join(f"{n.removeprefix('goal_')} {f:.0f}" for n, f in ffs))
    for name in ("goal_crossed_1e6", "goal_crossed_abc_1e6"):
        r = recs.get(name)
        if not r:
            continue
        lm = r.get("lme4") or {}
        tag = f"4 crossed 1e6 {'a+b+c' if 'abc' in name else 'a+b'} vs lme4"
        if r.get("status") == "ok" and "s" in lm:
            x, m = lm["s"] / r["fit_s"], _mem(r) / lm["mib"]
            out.append(f"{tag}: {'MET' if x >= 3 and m <= 1 else 'NOT MET'}: "
                       f"{x:.2f}x faster (goal 3), memory {_mem(r):.0f} / {lm['mib']:.0f} MiB "
                       f"= {m:.2f} (goal <= 1)")
        elif r.get("status") == "ok" and lm.get("state") == "timeout":
            out.append(f"{tag}: speed at least {lm['wall_s'] / r['fit_s']:.2f}x (lme4 not "
                       f"finished in {lm['wall_s']:.0f} s, peak by then {lm['mib']:.0f} MiB; "
                       f"ours {_mem(r):.0f} MiB)")
        else:
            out.append(f"{tag}: not measured ({r.get('status')}, "
                       f"lme4 {lm.get('state', 'not run')})")
    r = recs.get("goal_us_env20")
    if r:
        if r.get("status") == "ok":
            ok = r["converged"] and r["n_iter"] <= 30
            out.append(f"5 us(env) 20 environments: {'MET' if ok else 'NOT MET'}: "
                       f"{r['n_iter']} iterations, converged {r['converged']}")
        else:
            out.append(f"5 us(env) 20 environments: NOT MET: {r.get('status')}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="comma-separated names or glob patterns")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-lme4", action="store_true")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--lme4-csv", help=argparse.SUPPRESS)
    ap.add_argument("--lme4-timeout", type=float, default=None,
                    help="seconds for one lme4 run (default: --timeout)")
    ap.add_argument("--lme4-only", action="store_true",
                    help="build each crossed problem's data and time lme4 alone (its peak at "
                         "convergence, with a long --lme4-timeout), no asr_py fit")
    ap.add_argument("--json", help="write the records here")
    ap.add_argument("--stochastic", choices=("auto", "on", "off"), default="auto",
                    help="stochastic-trace phase of the REML fits (asr_py.reml.stochastic): "
                         "'auto' (from 50 000 equations, sparse backend), forced on or off")
    ap.add_argument("--big-timeout", type=float, default=1800.0,
                    help=f"seconds for {', '.join(BIG)}")
    ap.add_argument("--big-mem-gb", type=float, default=16.0,
                    help="address-space limit of the big fits (GB; 0: none)")
    ap.add_argument("--goal2", choices=("mc", "direct"), default="mc",
                    help="goal_animal1_1000k by Monte Carlo REML (default) or the direct fit")
    ap.add_argument("--mc-samples", type=int, default=10,
                    help="simulated data sets per iteration of the Monte Carlo REML")
    a = ap.parse_args(argv)
    if a.worker:
        worker(a.worker, a.quick, Path(a.out), Path(a.lme4_csv) if a.lme4_csv else None,
               a.stochastic)
        return 0
    names = [p.name for p in problems.GOAL_PROBLEMS]
    if a.only:
        pats = a.only.split(",")
        names = [n for n in names if any(fnmatch.fnmatch(n, p) for p in pats)]
    use_r = not a.no_lme4 and run_all.lme4_available()
    print(f"issue-16 goals ({'quick' if a.quick else 'full'}), timeout {a.timeout:.0f} s, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} cores, lme4 {'timed' if use_r else 'not timed'}", flush=True)
    recs: dict[str, dict[str, Any]] = {}
    if a.lme4_only:
        return lme4_only(names, a.quick, a.lme4_timeout or a.timeout, a.json)
    with tempfile.TemporaryDirectory(prefix="asr_goals_") as td:
        for name in names:
            big = name in BIG and not a.quick
            if name == "goal_animal1_1000k" and a.goal2 == "mc" and not a.quick:
                recs[name] = run_mc(1_000_000, Path(td), a.big_timeout, a.mc_samples,
                                    a.big_mem_gb or None)
                continue
            rec = run_one(name, Path(td), a.big_timeout if big else a.timeout, a.quick, use_r,
                          a.big_mem_gb if big else None, a.lme4_timeout, a.stochastic)
            if name.startswith("goal_animal"):
                rec["n_animals"] = int(name.split("_")[-1].removesuffix("k")) * 1000
            recs[name] = rec
    print("\nscaling exponents d log(cost) / d log(animals):")
    for tag, series in (("univariate", "goal_animal1_"), ("bivariate", "goal_animal2_")):
        rs = [r for n, r in recs.items() if n.startswith(series)
              and r.get("method") != "reml_mc"]
        if rs:
            print(f"  {tag}: fit time {exponent(rs, 'fit_s')}; one factorization "
                  f"{exponent(rs, 'factor_s')}; peak memory {exponent(rs, 'mib')}")
            fits = {k: fitted_exponent(rs, k, 100_000) for k in ("fit_s", "factor_s", "mib")}
            if all(v is not None for v in fits.values()):
                print(f"  {tag}, least squares from 100k up: fit time {fits['fit_s']:.2f}, "
                      f"one factorization {fits['factor_s']:.2f}, peak memory "
                      f"{fits['mib']:.2f}")
            if tag == "univariate" and extrapolate(rs):
                print("  univariate " + extrapolate(rs))
    print(f"load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("\ngoals:")
    for line in judge(recs):
        print("  " + line)
    if a.json:
        Path(a.json).write_text(json.dumps(recs, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
