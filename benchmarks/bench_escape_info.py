"""Benchmark: a stage-2 MET fit corh(env):vm(geno, K) with fixed weighted residuals, whose
boundary-escape refit (reml/corr_escape.py) takes Newton steps with a differenced Hessian
(reml/slow_ai.py), as genomic-FA-METs predFA.R's first fit does.

Run: ``python3 benchmarks/bench_escape_info.py [--envs 13 --gens 147 --seed 7]
[--pheno P --ginv G]``
(``--pheno``/``--ginv``: predFA.R's pheno.rds and Ginv.rds, e.g. from the corpus checkout,
or pandas pickles of them; else simulated data of that shape). BLAS is limited to one
thread. Both variants run in the same process, same data:

* old: central differences of the score (2 score evaluations a free parameter; the
  default, slow_ai.FD_CENTRAL);
* new: forward differences (FD_CENTRAL False; 1 a free parameter).

It prints CPU seconds of each fit, score evaluations, the ratio, and the differences of ℓ
and θ̂ between them.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import asr_py as asr  # noqa: E402
from asr_py.reml import mme as mme_mod  # noqa: E402
from asr_py.reml import slow_ai  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def simulate(envs: int, gens: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """tests/_stage2_met.py's data with predFA's column names and K's inverse."""
    from _stage2_met import stage2_met

    d, K = stage2_met(envs, gens, seed)
    d = d.rename(columns={"env": "envs", "y": "eblue", "w": "weights"})
    return d, pd.DataFrame(np.linalg.inv(K.to_numpy()), index=K.index, columns=K.columns)


def read_predfa(pheno: str, ginv: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    from asr_py.translate.runtime import read_rds

    d, g = (pd.read_pickle(f) if f.endswith(".pkl") else read_rds(f) for f in (pheno, ginv))
    d = d[d["geno"].isin(list(g.index))].copy()
    return d, g


def fit(d: pd.DataFrame, ginv: pd.DataFrame, *, old: bool) -> tuple[float, int, object]:
    """(CPU seconds, score evaluations, model) of the fit in the old or new variant."""
    default = slow_ai.FD_CENTRAL
    slow_ai.FD_CENTRAL = old
    calls = [0]
    orig = mme_mod.MME.score_ai

    def counted(self, st):  # noqa: ANN001, ANN202
        calls[0] += 1
        return orig(self, st)

    mme_mod.MME.score_ai = counted  # type: ignore[method-assign]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.process_time()
            m = asr.asreml(fixed="eblue ~ envs", random="~ corh(envs):vm(geno, Ginv)",
                           family=asr.asr_gaussian(dispersion=1), weights="weights",
                           maxit=100, data=d, Ginv=ginv)
            cpu = time.process_time() - t0
    finally:
        mme_mod.MME.score_ai = orig  # type: ignore[method-assign]
        slow_ai.FD_CENTRAL = default
    return cpu, calls[0], m


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--envs", type=int, default=13)
    ap.add_argument("--gens", type=int, default=147)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--pheno")
    ap.add_argument("--ginv")
    a = ap.parse_args()
    if a.pheno and a.ginv:
        d, g = read_predfa(a.pheno, a.ginv)
        what = "predFA.R pheno.rds/Ginv.rds"
    else:
        d, g = simulate(a.envs, a.gens, a.seed)
        what = f"simulated {a.envs} envs x {a.gens} genotypes (seed {a.seed})"
    print(f"{what}: {len(d)} records (one thread; the machine may be loaded)")
    fit(*simulate(3, 12), old=False)  # warm-up: imports, the parser
    out = {}
    for label in ("old", "new"):
        cpu, n, m = fit(d, g, old=label == "old")
        out[label] = (cpu, m)
        print(f"{label}: {cpu:7.2f} s CPU, {n:4d} score evaluations, loglik {m.loglik:.6f}, "
              f"converged {m.converged}")
    (c0, m0), (c1, m1) = out["old"], out["new"]
    t0 = m0.varcomp["component"].to_numpy(float)
    t1 = m1.varcomp["component"].to_numpy(float)
    dth = np.max(np.abs(t0 - t1) / np.maximum(np.abs(t0), 1e-3))
    print(f"old/new CPU ratio {c0 / c1:.2f}; |dloglik| {abs(m0.loglik - m1.loglik):.2e}; "
          f"max |dtheta|/max(|theta|, 1e-3) {dth:.2e}")


if __name__ == "__main__":
    main()
