"""Benchmark: solver='auto' against every backend that applies, on pedigree, GBLUP, crossed
and small models.

Run: ``python3 benchmarks/bench_auto.py [--quick]``. For each problem it fits the model with
solver='auto' and each explicit solver ('eigen' where it applies, 'sparse', 'dense'), all in
this run and under the same BLAS setting (best of two fits, each with an empty eigen
cache, after a warm-up fit), and prints the wall time of each, the path 'auto'
took and why, and the ratio auto / best (the goal: <= 1.5). Dense fits of more than
``DENSE_CAP`` equations are skipped (minutes; shown as '-').

Problems (benchmarks/problems.py's simulators):
* pedigree: univariate animal model, one record per animal, vm(id, A⁻¹) (the case 'auto'
  used to send to the dense eigendecomposition);
* gblup: one vm(id, G) with a dense genomic G, one record per line;
* crossed: two crossed random factors (y ~ 1, ~ a + b);
* small: the bundled DT_example, ~ Name (185 records).
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from problems import (  # noqa: E402
    simulate_animal_data,
    simulate_crossed,
    simulate_gblup_data,
    simulate_markers,
    simulate_pedigree,
)

import asr_py as asr  # noqa: E402

#: dense fits above this many equations are not run (they take minutes)
DENSE_CAP = 4000


def _pedigree(n: int) -> tuple[dict, int]:
    ped = simulate_pedigree(n, 8, seed=11)
    df = simulate_animal_data(ped, missing=0.0, seed=12)
    kw = dict(fixed="y1 ~ sex", random="~ vm(id, A)", data=df,
              A=asr.ainverse(ped[["id", "sire", "dam"]]))
    return kw, n + 2


def _gblup(n: int) -> tuple[dict, int]:
    mk = simulate_markers(n, 800, seed=21)
    df = simulate_gblup_data(mk, n_traits=1, seed=22)
    kw = dict(fixed="y1 ~ 1", random="~ vm(id, G)", data=df,
              G=asr.gmatrix(mk, coding="012", ridge=0.01))
    return kw, n + 1


def _crossed(n: int) -> tuple[dict, int]:
    df = simulate_crossed(n, 100, 500, seed=31)
    return dict(fixed="y ~ 1", random="~ a + b", data=df), 601


def _small() -> tuple[dict, int]:
    from asr_py.cli import demo_data

    return dict(fixed="Yield ~ Env", random="~ Name", data=demo_data()), 44


def _time(kw: dict, solver: str, repeat: int = 2) -> tuple[float, object]:
    """Best of ``repeat`` fits, each compiling its model anew (K is decomposed once per
    compiled model, so no fit finds K's eigendecomposition cached)."""

    best, m = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = asr.asreml(**kw, solver=solver)
        best = min(best, time.perf_counter() - t)
    return best, m


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    problems = [("pedigree", *_pedigree(1000 if quick else 3000)),
                ("gblup", *_gblup(400 if quick else 1500)),
                ("crossed", *_crossed(3000 if quick else 20000)),
                ("small", *_small())]
    _time(_small()[0], "auto", 1)  # warm-up: first-call imports are not any solver's cost
    print(f"{'problem':10} {'eq':>6} {'auto':>8} {'eigen':>8} {'sparse':>8} {'dense':>8} "
          f"{'auto/best':>9}  auto's path")
    worst = 0.0
    for name, kw, n_eq in problems:
        times: dict[str, float] = {}
        lls = {}
        for solver in ("auto", "eigen", "sparse", "dense"):
            if solver == "dense" and n_eq > DENSE_CAP:
                continue
            try:
                times[solver], m = _time(kw, solver)
            except asr.AsrError:  # 'eigen' does not apply to this model
                continue
            lls[solver] = m.loglik  # type: ignore[attr-defined]
            if solver == "auto":
                path = m.result.solver  # type: ignore[attr-defined]
                why = getattr(m.result, "path_reason", "")  # type: ignore[attr-defined]
        best = min(v for k, v in times.items() if k != "auto")
        ratio = times["auto"] / best
        worst = max(worst, ratio)
        spread = max(lls.values()) - min(lls.values())
        cells = " ".join(f"{times[s]:8.2f}" if s in times else f"{'-':>8}"
                         for s in ("auto", "eigen", "sparse", "dense"))
        print(f"{name:10} {n_eq:6d} {cells} {ratio:9.2f}  {path}: {why}"
              + (f"  (loglik spread {spread:.2g})" if spread > 1e-4 else ""), flush=True)
    print(f"worst auto/best ratio: {worst:.2f} (goal <= 1.5)")
    return 0 if worst <= 1.5 else 1


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main(sys.argv))
