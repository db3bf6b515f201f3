"""One single-trial analysis of a loop over trials, whose ``row``/``col`` factors keep the
whole field's levels, against an older commit in the same run (s33speed).

    python benchmarks/bench_trial_in_field.py [--old-ref 395e6a7] [--skip-old] [--reps 1]

The shape of lbmunaro/wheat_big6_GS Step2_Single_Trial_Analysis.R (55 trial x trait fits of
``YTpheno_l |> group_by(study, trait) |> nest() |> map(...)``; R's factors keep all their
levels after the filter, and asreml places the records on ``levels(row)`` x ``levels(col)``):
simulated data, a field of 81 rows x 48 columns of levels, one trial of 14 x 33 plots (rows
57-70, columns 1-33) with 2 missing responses, 150 entries, 4 blocks. Per trial, as the
script's two functions do:

* BLUP: ``value ~ 1 + block``, ``random = ~ germplasm``, ``residual = ~ ar1v(row):ar1(col)``,
  ``maxit = 20``, four ``update()``, ``predict(classify = 'germplasm', ignore = ...)``;
* BLUE: ``value ~ 1 + block + germplasm``, same residual, four updates, ``predict``.

Each checkout runs in a child process (CPU time, BLAS on one thread; ``--old-ref``'s asr_py
by ``git archive``). Printed per model: CPU seconds per trial new and old, old / new, and the
largest relative differences of ℓ, the variance components, the predictions and their SEs
(round-off only: the change must keep the numbers).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

FIELD_ROWS, FIELD_COLS = 81, 48
ROWS, COLS = range(57, 71), range(1, 34)
MODELS = {
    "blup": dict(fixed="value ~ 1 + block", random="~ germplasm"),
    "blue": dict(fixed="value ~ 1 + block + germplasm"),
}


def trial_data(seed: int = 23) -> pd.DataFrame:
    """One trial of the field: ρ_row 0.6, ρ_col 0.75 (level positions), entries N(0, 80),
    residual variance 86 (about the script's grain-yield trial)."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(r, c) for r in ROWS for c in COLS], columns=["row", "col"])
    n = len(d)
    d["block"] = pd.Categorical(((d["col"] - 1) * 4 // len(COLS) + 1).astype(str))
    ent = [f"G{i:03d}" for i in range(150)]
    d["germplasm"] = rng.choice(ent, n)
    r = np.arange(len(ROWS))
    c = np.arange(len(COLS))
    ar_r = 0.6 ** np.abs(r[:, None] - r[None, :])
    ar_c = 0.75 ** np.abs(c[:, None] - c[None, :])
    e = np.linalg.cholesky(86.0 * np.kron(ar_r, ar_c)) @ rng.normal(size=n)
    g = dict(zip(ent, rng.normal(0, np.sqrt(80.0), len(ent))))
    d["value"] = 100.0 + d["germplasm"].map(g).to_numpy() + e
    d.loc[rng.choice(n, 2, replace=False), "value"] = np.nan
    for f, k in (("row", FIELD_ROWS), ("col", FIELD_COLS)):  # the field's levels, as R keeps
        d[f] = pd.Categorical(d[f].astype(str), categories=[str(i) for i in range(1, k + 1)])
    return d


def _one(asr: Any, d: pd.DataFrame, model: str) -> Any:
    kw = dict(MODELS[model], residual="~ ar1v(row):ar1(col)",
              na_action={"y": "include", "x": "include"}, data=d, maxit=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml(**kw)
        for _ in range(4):
            m = m.update()
        ign = {"ignore": ["(Intercept)", "block"]} if model == "blup" else {}
        return m, m.predict(classify="germplasm", **ign)


def _child(model: str, reps: int) -> dict:
    from threadpoolctl import threadpool_limits

    import asr_py as asr

    d = trial_data()
    with threadpool_limits(1):
        t0 = time.process_time()
        for _ in range(reps):
            m, pv = _one(asr, d, model)
        cpu = (time.process_time() - t0) / reps
    return {"cpu": cpu, "loglik": float(m.loglik),
            "theta": [float(x) for x in m.varcomp["component"].to_numpy()],
            "pred": [float(x) for x in pv["predicted.value"].to_numpy()],
            "se": [float(x) for x in pv["std.error"].to_numpy()],
            "asr_py": str(Path(asr.__file__).parent)}


def _run(model: str, reps: int, pythonpath: str) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(
        [p for p in (pythonpath, str(Path(__file__).resolve().parent), env.get("PYTHONPATH"))
         if p])
    out = subprocess.run([sys.executable, __file__, "--child", model, "--reps", str(reps)],
                         env=env, capture_output=True, text=True, cwd="/")
    if out.returncode:
        raise SystemExit(f"{model}: the child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from bench_small_fits import _rel

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=1, help="timed trials per model")
    ap.add_argument("--old-ref", default="395e6a7", help="the commit to compare with")
    ap.add_argument("--skip-old", action="store_true", help="time this checkout only")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(_child(a.child, a.reps)))
        return
    with tempfile.TemporaryDirectory(prefix="bench_trial_in_field_") as tmp:
        old_path = None
        if not a.skip_old:
            from bench_many_fits import old_tree

            old_path = old_tree(a.old_ref, tmp)
        print(f"{'model':6s} {'new s':>8s} {'old s':>8s} {'old/new':>8s} {'Δℓ':>8s} "
              f"{'Δθ':>8s} {'Δpred':>8s} {'Δse':>8s}")
        for model in MODELS:
            new = _run(model, a.reps, str(ROOT))
            if old_path is None:
                print(f"{model:6s} {new['cpu']:8.3f}  ℓ = {new['loglik']:.10f}", flush=True)
                continue
            old = _run(model, a.reps, old_path)
            assert old["asr_py"].startswith(old_path), old["asr_py"]
            dll = abs(new["loglik"] - old["loglik"]) / max(abs(old["loglik"]), 1.0)
            diffs = [_rel(new[k], old[k]) for k in ("theta", "pred", "se")]
            print(f"{model:6s} {new['cpu']:8.3f} {old['cpu']:8.3f} "
                  f"{old['cpu'] / new['cpu']:8.1f} {dll:8.1e} "
                  + " ".join(f"{x:8.1e}" for x in diffs), flush=True)


if __name__ == "__main__":
    main()
