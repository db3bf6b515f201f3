"""Benchmark: predict(classify='trait:animal') of ``us(trait):vm(animal, Ainv) +
us(trait):ide(animal)`` (every prediction row has two random entries: the breeding value and
the permanent environment of one animal and trait), through the selected inverse of
:mod:`asr_py.results.cinv_diag` against the old path (``_CHUNK`` rows of C⁻¹ solved at a time),
both in this run on the same fit.

    OMP_NUM_THREADS=1 python3 benchmarks/bench_predict_selinv.py [n_animals]

Prints seconds of both, their ratio, peak RSS and max |Δse|/se (must be ~1e-12).
"""

from __future__ import annotations

import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np

import asr_py as asr
from asr_py.results import cinv_diag as cd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import user_sim as sim  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    ped = sim.pedigree(n, 6, seed=1)
    ainv = asr.ainverse(ped[["animal", "sire", "dam"]], check_roles=False)
    F = ainv.inbreeding.reindex(ped["animal"]).to_numpy()
    df = sim.repeated_records(ped, sim.breeding_values(ped, sim.G0, F))
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml(fixed="cbind(wt_kg, len_mm) ~ trait + trait:sex",
                       random="~ us(trait):vm(animal, Ainv) + us(trait):ide(animal)",
                       residual="~ units:us(trait)", Ainv=ainv, data=df)
    print(f"fit: {time.perf_counter() - t0:.1f} s, {n} animals, {len(df)} records, "
          f"solver {m.result.solver}")
    old_min = cd.SELECTED_MIN_ROWS
    try:
        cd.SELECTED_MIN_ROWS = 1 << 62  # the old path: solves only
        t0 = time.perf_counter()
        p_old = m.predict(classify="trait:animal")
        t_old = time.perf_counter() - t0
    finally:
        cd.SELECTED_MIN_ROWS = old_min
    t0 = time.perf_counter()
    p_new = m.predict(classify="trait:animal")
    t_new = time.perf_counter() - t0
    se_o, se_n = p_old["std.error"].to_numpy(), p_new["std.error"].to_numpy()
    ok = np.isfinite(se_o)
    rel = float(np.max(np.abs(se_n[ok] - se_o[ok]) / np.abs(se_o[ok])))
    print(f"predict trait:animal ({len(p_new)} rows): old {t_old:.2f} s, selected inverse "
          f"{t_new:.2f} s, ratio {t_old / t_new:.1f}x; max rel |Δse| {rel:.2e}; peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
