"""Time wald(denDF='numeric') (Kenward-Roger) on a fit with many fixed effects (issue 14).

    python benchmarks/bench_kenward_roger.py [--lines 240]

The shape of asremlPlus's Selection scripts (test41/42Selection.r: ``Genotype*Salinity`` and
more, about 600 fixed effects, 1045 plants, 10 variance parameters), simulated with
:func:`bench_spatial_missing.simulate` (``Lines * TRT``, ``Smarthouse:ar1(Lane):ar1(Position)``).
asremlPlus's model-selection functions call wald() after every fit, so its cost adds up.

Printed: CPU seconds of the fit and of ``wald(denDF='numeric')``, the number of fixed effects
p and of estimated variance parameters k. Kenward-Roger's Φ_A needs Σ_ij W_ij (A_i'B_j −
P_iΦP_j): k² products of p x n by n x p before, k after; each F test's traces were taken on
p x p products, now on ℓ x ℓ ones. On the real Selection fit (p = 594, k = 10, 2 cores, BLAS
on one thread) wald() took 6.9 s CPU before and 2.3 s after (same tables).
"""

from __future__ import annotations

import argparse
import time
import warnings

from bench_spatial_missing import simulate
from threadpoolctl import threadpool_limits

import asr_py as asr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=240)
    a = ap.parse_args()
    d = simulate(lines=a.lines)
    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.process_time()
        m = asr.asreml("Biomass ~ Lines * TRT + Smarthouse", random="~ Smarthouse:Zone",
                       residual="~ Smarthouse:ar1(Lane):ar1(Position)", data=d)
        fit = time.process_time() - t
        t = time.process_time()
        m.wald(denDF="numeric")
        kr = time.process_time() - t
    print(f"p = {m.model.problem().X.shape[1]}, k = {len(m.result.theta)}: fit {fit:.2f} s CPU, "
          f"wald(denDF='numeric') {kr:.2f} s CPU")


if __name__ == "__main__":
    main()
