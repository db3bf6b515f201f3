"""Peak memory of one fit, stage by stage (issue 16, goal 4's memory).

    python3 benchmarks/profile_memory.py goal_crossed_1e6 [--quick] [--mem-gb G] [--solver S]

Builds a ``GOAL_PROBLEMS`` instance (benchmarks/problems.py) and fits it with the stages of
the pipeline wrapped: at every entry and exit of a wrapped call the process's peak resident
set since the last reset (VmHWM) is folded into every stage still open, then reset (writing
'5' to /proc/self/clear_refs), so each stage gets the true peak over its own duration
(nested calls included) and the resident set (VmRSS) it leaves. Memory figures are
deterministic on a loaded machine; times are not, so none are printed. Linux only.
"""

from __future__ import annotations

import argparse
import functools
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import problems  # noqa: E402

MIB = 1024.0  # /proc/self/status gives kB


def _status(key: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) / MIB
    raise RuntimeError(f"{key} not in /proc/self/status")


def _reset() -> None:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


class Profile:
    """Open stages (a stack) and, per stage name, [calls, peak MiB, RSS at first entry,
    RSS after the last exit]."""

    def __init__(self) -> None:
        self.open: list[str] = []
        self.rows: dict[str, list[float]] = {}
        self.calls: list[list[Any]] = []  # [name, RSS before, peak, RSS after] per call
        self.open_calls: list[int] = []  # indices into calls of the open ones (a stack)
        self.total = 0.0

    def _fold(self) -> None:
        hwm = _status("VmHWM:")
        self.total = max(self.total, hwm)
        for name in self.open:
            self.rows[name][1] = max(self.rows[name][1], hwm)
        for k in self.open_calls:  # the calls still open (not earlier ones of the same name)
            self.calls[k][2] = max(self.calls[k][2], hwm)
        _reset()

    def enter(self, name: str) -> None:
        self._fold()
        row = self.rows.setdefault(name, [0, 0.0, _status("VmRSS:"), 0.0])
        row[0] += 1
        self.open.append(name)
        self.open_calls.append(len(self.calls))
        self.calls.append([name, row_rss := _status("VmRSS:"), row_rss, 0.0])

    def leave(self, name: str) -> None:
        self._fold()
        self.open.remove(name)
        self.rows[name][3] = _status("VmRSS:")
        for i in reversed(range(len(self.open_calls))):
            k = self.open_calls[i]
            if self.calls[k][0] == name:
                self.calls[k][3] = self.rows[name][3]
                del self.open_calls[i]
                break

    def checkpoint(self, name: str) -> None:
        self.enter(name)
        self.leave(name)

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        fn: Callable[..., Any] = getattr(owner, attr)

        @functools.wraps(fn)
        def inner(*a: Any, **k: Any) -> Any:
            self.enter(name)
            try:
                return fn(*a, **k)
            finally:
                self.leave(name)

        setattr(owner, attr, inner)


def install(prof: Profile) -> None:
    """Wrap the stages of the crossed fit's pipeline (module attributes, as called)."""
    import asr_py.api as api
    import asr_py.reml.backends.blocked as bb
    import asr_py.reml.backends.cholmod as bc
    import asr_py.reml.cpattern as cpat
    import asr_py.reml.mme as mme
    import asr_py.reml.selinv as selinv

    prof.wrap(api, "compile_model", "compile_model (coding, Z)")
    prof.wrap(mme.MME, "__init__", "MME (W, W'W)")
    prof.wrap(cpat._CPattern, "__init__", "C pattern (cpattern)")
    prof.wrap(mme.MME, "_assemble", "C values (assemble)")
    prof.wrap(bc.CholmodAnalysis, "__init__", "CHOLMOD analysis object")
    prof.wrap(bc.CholmodAnalysis, "_analyse", "CHOLMOD symbolic")
    prof.wrap(bc.cholmod, "numeric", "CHOLMOD numeric factor")
    prof.wrap(bc.cholmod, "getfactor", "getfactor (L out)")
    prof.wrap(selinv.SelInvPlan, "__init__", "selected-inverse plan")
    prof.wrap(selinv.SelInvPlan, "run", "selected inverse (run)")
    prof.wrap(bb, "prefer_blocked", "auto: blocked? (independent set)")
    prof.wrap(bb.BlockedAnalysis, "__init__", "blocked: partition")
    prof.wrap(bb.BlockedFactor, "_factor_schur", "blocked: S formed + dpotrf")
    prof.wrap(bb.BlockedFactor, "_invert", "blocked: dpotri (S⁻¹)")
    prof.wrap(bb.BlockedFactor, "_row_products", "blocked: B S⁻¹ on B's pattern")
    prof.wrap(mme.MME, "score_ai", "score + AI")
    prof.wrap(api, "AsremlFit", "results (AsremlFit)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("problem")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--calls", action="store_true", help="print every wrapped call")
    ap.add_argument("--mem-gb", type=float, default=8.0, help="address-space limit (GB)")
    ap.add_argument("--solver", default="auto", help="asreml(solver=...): auto, sparse, ...")
    a = ap.parse_args(argv)
    lim = int(a.mem_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    prof = Profile()
    prof.checkpoint("start")
    import asr_py as asr

    prof.checkpoint("imports")
    install(prof)
    prof.enter("data (problems.py)")
    inst = problems.get(a.problem).build(a.quick)
    prof.leave("data (problems.py)")
    inst.kwargs.pop("maxit", None)
    prof.enter("whole fit")
    fit = asr.asreml(**inst.kwargs, solver=a.solver)
    prof.leave("whole fit")
    res = fit.result
    print(f"{a.problem} ({inst.size}): loglik {res.loglik:.10f}, {res.n_iter} iterations, "
          f"converged {res.converged}, solver {res.solver}")
    print("| stage | calls | peak during the stage (MiB) | RSS before (MiB) | RSS after (MiB) |")
    print("|---|---|---|---|---|")
    for name, (calls, peak, before, after) in prof.rows.items():
        print(f"| {name} | {int(calls)} | {peak:.0f} | {before:.0f} | {after:.0f} |")
    print(f"process peak {prof.total:.0f} MiB")
    if a.calls:
        for name, before, peak, after in prof.calls:
            print(f"  {name}: {before:.0f} -> peak {peak:.0f} -> {after:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
