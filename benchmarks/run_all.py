"""Run the whole benchmark suite: one table of fit times, iterations, memory and ratios.

    python3 benchmarks/run_all.py [--quick] [--only NAME[,NAME...]] [--timeout S]
                                  [--no-lme4] [--markdown] [--solver NAME]

Problems are defined in ``benchmarks/problems.py`` (reference models of ../shared/reference,
a pedigree animal model, GBLUP with one and two traits, a large crossed design, a weighted
two-stage model, the bivariate cpdata GBLUP). Each problem runs in its own subprocess
(``--worker``) with a time limit; the parent reads the child's peak resident memory from
``os.wait4`` (per-child ``ru_maxrss``).
Columns:

* ``fit s``     our whole ``asr.asreml`` call (compile + AI-REML), median of up to 3 runs
                when a run takes under a second, else one run; ``*`` = not converged;
* ``compile s`` ``asr.compile_model`` alone (part of ``fit s``);
* ``iter``, ``s/iter``  AI-REML iterations and fit time per iteration;
* ``MiB``       peak resident memory of the child process (Python, data, fit);
* ``C: N, solver, fact s``  size of the mixed model equations, the backend used, and the
                time of one factorization of C rebuilt at the final estimates
                (``asr_py.reml.solver.factorize``); ``fit/fact`` = fit s / fact s;
* ``lme4 now``  lme4::lmer timed in this run (Rscript, ``system.time`` around ``lmer``) for
                models lme4 can fit, ``x`` = lme4 s / ours s (> 1: we are faster), and
                ``dll`` = our REML log-likelihood minus lme4's ``logLik(REML = TRUE)``;
* ``recorded``  peers' recorded times (../shared/reference; sommer on cpdata from the lead),
                first setting of each peer, with the same ratio peer / ours.

``--quick`` scales the simulated problems down (seconds in all); ``--timeout`` bounds each
child (our fit or one lme4 run); a problem whose data are missing is skipped with a note.
Nothing here fails the run: errors and timeouts are printed in the table.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (ROOT, HERE):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import problems  # noqa: E402  (needs the path above)

#: a trace line of asr.asreml(trace=True): iteration number ... seconds
ITER_LINE = re.compile(r"^iteration\s+(\d+)\s.*\s([0-9.]+)s\s*$")

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(lme4))
facs <- if (nchar(args[2]) > 0) strsplit(args[2], ",")[[1]] else character(0)
cc <- setNames(rep("character", length(facs)), facs)
d <- read.csv(args[1], colClasses = cc)
for (f in facs) d[[f]] <- factor(d[[f]])
fml <- as.formula(args[3])
times <- c()
repeat {
  t <- system.time(m <- lmer(fml, data = d, REML = TRUE))[["elapsed"]]
  times <- c(times, t)
  if (t > 1 || length(times) >= 3) break
}
cat(sprintf("LME4 %.6f %d %.10f\n", median(times), length(times), as.numeric(logLik(m))))
"""


# ---------------------------------------------------------------------------------------
# child side
# ---------------------------------------------------------------------------------------
def _timed_fit(kwargs: dict[str, Any], quick: bool) -> tuple[Any, float]:
    """Fit (median of up to 3 runs when one run is under a second; 1 run in quick mode).
    ``trace=True`` writes one line per iteration to stderr (the child's log), which the
    parent reads when the fit times out."""
    import asr_py as asr

    times, fit = [], None
    for _ in range(1 if quick else 3):
        t0 = time.perf_counter()
        fit = asr.asreml(**kwargs, trace=True)
        times.append(time.perf_counter() - t0)
        if times[-1] > 1.0:
            break
    return fit, statistics.median(times)


def compile_time(kwargs: dict[str, Any]) -> float:
    """Seconds of ``asr.compile_model`` alone (formula, X, Z, templates; no fitting)."""
    import asr_py as asr

    keep = {k: v for k, v in kwargs.items() if k not in ("maxit", "trace", "solver")}
    t0 = time.perf_counter()
    asr.compile_model(**keep)
    return time.perf_counter() - t0


def factor_time(fit: Any) -> tuple[int, float, str]:
    """(N, seconds of one factorization of C at the fit's final estimates, backend), BLAS
    threads as asr.asreml uses them (single-threaded up to ``asr_py.api.SMALL_DENSE``
    equations). A backend that cannot factor a general C (the 'eigen' path factors a rotated
    problem) is replaced by the one 'auto' picks. A singular K is factored as the fit does,
    through K = L L' (asr_py.reml.psd)."""
    from threadpoolctl import threadpool_limits

    from asr_py.api import SMALL_DENSE
    from asr_py.reml.mme import MME
    from asr_py.reml.psd import reduce_rank
    from asr_py.reml.solver import choose_backend, factorize

    res = fit.result
    problem = fit.model.problem()
    reduced = reduce_rank(problem)
    mme = MME(problem if reduced is None else reduced[0])
    c = mme.assemble(res.theta)[0]
    limits = 1 if c.shape[0] <= SMALL_DENSE else None
    times: list[float] = []
    backend = res.solver
    with threadpool_limits(limits=limits, user_api="blas"):
        while len(times) < 3 and sum(times) < 1.0:
            t0 = time.perf_counter()
            try:
                factorize(c, backend)
            except Exception:
                if backend != res.solver:
                    raise
                backend = choose_backend(c, "auto")
                continue
            times.append(time.perf_counter() - t0)
    return int(c.shape[0]), statistics.median(times), backend


def worker(name: str, quick: bool, out: Path, lme4_csv: Path | None,
           solver: str | None = None) -> None:
    """Build and fit one problem (``solver=`` passed to asr.asreml when given); write a JSON
    record to ``out``."""
    rec: dict[str, Any] = {"name": name, "status": "ok", "stage": "build"}
    try:
        out.write_text(json.dumps(rec))
        t0 = time.perf_counter()
        try:
            inst = problems.get(name).build(quick)
        except problems.MissingData as e:
            rec.update(status="skip", note=str(e))
            return
        rec.update(size=inst.size, peers=inst.peers, build_s=time.perf_counter() - t0,
                   stage="fit")
        out.write_text(json.dumps(rec))  # what the parent reads if the fit times out
        if inst.lme4_formula and inst.lme4_data is not None and lme4_csv is not None:
            inst.lme4_data.to_csv(lme4_csv, index=False)
            rec.update(lme4_formula=inst.lme4_formula, lme4_factors=inst.lme4_factors)
        if solver:
            inst.kwargs["solver"] = solver
        fit, t = _timed_fit(inst.kwargs, quick)
        rec["compile_s"] = compile_time(inst.kwargs)
        res = fit.result
        rec.update(stage="done", fit_s=t, n_iter=int(res.n_iter), converged=bool(res.converged),
                   loglik=float(res.loglik), solver=str(res.solver))
        try:
            rec["n_eq"], rec["factor_s"], fb = factor_time(fit)
            if fb != rec["solver"]:
                rec["solver"] += f" (fact: {fb})"
        except Exception as e:  # noqa: BLE001 - report, do not fail the suite
            rec["factor_error"] = f"{type(e).__name__}: {e}"
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        rec.update(status="error", note=f"{type(e).__name__}: {e}"[:200])
    finally:
        out.write_text(json.dumps(rec))


# ---------------------------------------------------------------------------------------
# parent side
# ---------------------------------------------------------------------------------------
def run_child(cmd: list[str], timeout: float, log: Path) -> tuple[str, float, float]:
    """Run ``cmd`` with a time limit: ('ok' | 'timeout' | 'exit N', peak MiB, seconds)."""
    t0 = time.perf_counter()
    with open(log, "w") as f:
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, start_new_session=True,
                             cwd=ROOT)
    state, delay = "ok", 0.02
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - t0 > timeout:
            os.killpg(p.pid, signal.SIGKILL)  # the child's own process group only
            _, status, ru = os.wait4(p.pid, 0)
            state = "timeout"
            break
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)
    p.returncode = os.waitstatus_to_exitcode(status)
    if state == "ok" and p.returncode != 0:
        state = f"exit {p.returncode}"
    scale = 1.0 if sys.platform == "darwin" else 1024.0  # ru_maxrss: bytes on macOS, KiB
    return state, ru.ru_maxrss * scale / 2**20, time.perf_counter() - t0


def failure_note(state: str, part: dict[str, Any], log: Path, timeout: float,
                 mib: float) -> str:
    """What a child that timed out or died got done: its stage, iterations and their times."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    if state != "timeout":
        return (lines[-1] if lines else state)[:200]
    its = [m for m in (ITER_LINE.match(ln) for ln in lines) if m]
    txt = f"not finished in {timeout:.0f} s, peak {mib:.0f} MiB"
    if "build_s" in part:
        txt += f"; built in {part['build_s']:.1f} s"
    if its:
        secs = [float(m.group(2)) for m in its]
        txt += (f"; {len(its) - 1} iterations done (start {secs[0]:.1f} s, last "
                f"{secs[-1]:.1f} s)" if len(its) > 1 else f"; start evaluation {secs[0]:.1f} s")
    elif part.get("stage") == "fit":
        txt += "; no likelihood evaluated yet"
    return txt


def lme4_available() -> bool:
    """True if ``Rscript`` exists and loads lme4."""
    if shutil.which("Rscript") is None:
        return False
    try:
        r = subprocess.run(["Rscript", "-e", "suppressMessages(library(lme4))"],
                           capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def run_lme4(rec: dict[str, Any], csv: Path, tmp: Path, timeout: float) -> dict[str, Any]:
    """Time lmer on the problem's data; {'s', 'loglik'} or {'state'} on failure."""
    script = tmp / "lme4.R"
    script.write_text(R_SCRIPT)
    log = tmp / f"{rec['name']}.lme4.log"
    cmd = ["Rscript", str(script), str(csv), ",".join(rec.get("lme4_factors", [])),
           rec["lme4_formula"]]
    state, mib, _ = run_child(cmd, timeout, log)
    if state != "ok":
        return {"state": state}
    for line in log.read_text().splitlines():
        if line.startswith("LME4 "):
            _, s, _n, ll = line.split()
            return {"s": float(s), "loglik": float(ll), "mib": mib}
    return {"state": "no output"}


def _fmt(x: float | None, spec: str = ".3f") -> str:
    return "-" if x is None else format(x, spec)


def _recorded(rec: dict[str, Any]) -> str:
    """First recorded setting of each peer family, 'peer s (x ratio)'."""
    seen: dict[str, float] = {}
    for k, v in (rec.get("peers") or {}).items():
        seen.setdefault(k.split("::")[0], v)
    t = rec.get("fit_s")
    return ", ".join(f"{p} {v:.3f}" + (f" ({v / t:.1f}x)" if t else "") for p, v in seen.items())


COLS = ["problem", "size", "fit s", "compile s", "iter", "s/iter", "MiB", "N", "solver", "fact s",
        "fit/fact", "lme4 now s (x, dll)", "recorded peers s (x)"]


def row(rec: dict[str, Any]) -> list[str]:
    """Table cells for one problem record."""
    name = rec["name"]
    if rec["status"] != "ok":
        note = _one_line(rec.get("note"))
        return [name, rec.get("size", ""), rec["status"], *[""] * 9, note]
    t, it = rec["fit_s"], max(rec["n_iter"], 1)
    fs = rec.get("factor_s")
    lm = rec.get("lme4")
    if lm is None:
        lcell = "-"
    elif "s" in lm:
        lcell = f"{lm['s']:.3f} ({lm['s'] / t:.1f}x, {rec['loglik'] - lm['loglik']:+.2g})"
    else:
        lcell = lm["state"]
    return [name, rec.get("size", ""), f"{t:.3f}" + ("" if rec["converged"] else "*"),
            _fmt(rec.get("compile_s")), str(rec["n_iter"]), f"{t / it:.4f}",
            _fmt(rec.get("mib"), ".0f"),
            str(rec.get("n_eq", "-")), rec["solver"], _fmt(fs, ".4f"),
            _fmt(t / fs if fs else None, ".0f"), lcell,
            "; ".join(x for x in (_recorded(rec), _one_line(rec.get("factor_error"))) if x)]


def _one_line(text: str | None) -> str:
    return " ".join(str(text or "").split())[:160]


def print_table(rows: list[list[str]], markdown: bool) -> None:
    """Aligned text table, or a Markdown table."""
    if markdown:
        print("| " + " | ".join(COLS) + " |")
        print("|" + "|".join("---" for _ in COLS) + "|")
        for r in rows:
            print("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
        return
    w = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLS)]
    print("  ".join(c.ljust(w[i]) for i, c in enumerate(COLS)))
    for r in rows:
        print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)), flush=True)


def select(only: str | None) -> list[str]:
    """Problem names matching ``only`` (comma-separated names or glob patterns)."""
    names = [p.name for p in problems.PROBLEMS]
    if not only:
        return names
    pats = [s.strip() for s in only.split(",") if s.strip()]
    out = [n for n in names if any(fnmatch.fnmatch(n, p) for p in pats)]
    if not out:
        raise SystemExit(f"--only {only!r} matches no problem; known: {', '.join(names)}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small simulated sizes")
    ap.add_argument("--only", help="comma-separated problem names or glob patterns")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per child run")
    ap.add_argument("--no-lme4", action="store_true", help="do not time lme4")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--solver", help="solver= for every asr.asreml call (default: auto)")
    ap.add_argument("--list", action="store_true", help="list the problems and exit")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--lme4-csv", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        worker(a.worker, a.quick, Path(a.out), Path(a.lme4_csv) if a.lme4_csv else None,
               a.solver)
        return 0
    if a.list:
        for p in problems.PROBLEMS:
            print(f"{p.name:20} {p.description}")
        return 0
    names = select(a.only)
    use_r = not a.no_lme4 and lme4_available()
    print(f"asr_py benchmark suite ({'quick' if a.quick else 'full'} sizes, solver "
          f"{a.solver or 'auto'}, timeout "
          f"{a.timeout:.0f} s per run); lme4: "
          + ("installed, timed now" if use_r else "not timed (--no-lme4)" if a.no_lme4
             else "not installed"), flush=True)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} "
          "cores", flush=True)
    rows: list[list[str]] = []
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="asr_bench_") as td:
        tmp = Path(td)
        for name in names:
            out, csv = tmp / f"{name}.json", tmp / f"{name}.csv"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name,
                   "--out", str(out), "--lme4-csv", str(csv)] + (["--quick"] if a.quick else [])
            cmd += ["--solver", a.solver] if a.solver else []
            state, mib, _ = run_child(cmd, a.timeout, tmp / f"{name}.log")
            part = json.loads(out.read_text()) if out.exists() else {}
            if state == "ok" and part and (part["status"] != "ok" or part["stage"] == "done"):
                rec = dict(part, mib=mib)
            else:
                rec = {"name": name, "size": part.get("size", ""),
                       "status": state if state != "ok" else "error",
                       "note": failure_note(state, part, tmp / f"{name}.log", a.timeout, mib)}
            if rec["status"] == "ok" and rec.get("lme4_formula") and csv.exists():
                rec["lme4"] = run_lme4(rec, csv, tmp, a.timeout) if use_r else {
                    "state": "lme4: not installed" if not a.no_lme4 else "not run"}
            if rec.get("factor_error"):
                rec["note"] = rec["factor_error"]
            rows.append(row(rec))
            if not a.markdown:
                print(f"  [{name}: {rec['status']}"
                      + (f", {rec.get('note')}" if rec.get("note") else "") + "]", flush=True)
    print()
    print_table(rows, a.markdown)
    print(f"\n{len(rows)} problems in {time.perf_counter() - t_all:.1f} s. x = peer s / ours "
          "(> 1: we are faster); * = not converged; dll = our REML loglik - lme4's.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
