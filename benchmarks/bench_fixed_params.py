"""Benchmark: a two-stage (stage II) fit with thousands of fixed residual parameters.

Run: ``python3 benchmarks/bench_fixed_params.py [--envs 10] [--gens 20] [--skip-old]``.
BLAS is limited to one thread. Stage-1 error (co)variance matrices of the genotype means,
one ``us(Gen)`` per environment, are passed fixed ('F') in
``residual = ~ dsum(~ us(Gen) | Env)`` (Buntaran et al. 2020's fully efficient two-stage
analysis; envs x gens(gens + 1)/2 fixed parameters) beside two free variances
``random = ~ Gen + Gen:Env``:

* new: the fixed structures are known covariances (asr_py/reml/fixed_hold.py): score, AI
  and EM over the 2 free parameters;
* old: the same fit in the same process with the fixed parameters carried through the
  iteration (``hold_fixed`` switched off), as before session 21.

It prints CPU seconds of both fits, their ratio and the differences of ℓ, the free
estimates, β̂ and SE(β̂) between them.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import asr_py as asr  # noqa: E402
from asr_py.reml import fixed_hold  # noqa: E402


def simulate(envs: int, gens: int, seed: int = 1) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """Stage-1 means of every genotype in every environment and their error matrices."""
    rng = np.random.default_rng(seed)
    g = rng.normal(0, 3.0, gens)
    rows, mats = [], []
    for e in range(envs):
        a = rng.normal(size=(gens, gens))
        s = a @ a.T / gens + np.eye(gens)  # a stage-1 Var(BLUEs): correlated, PD
        mats.append(s)
        ge = rng.normal(0, 1.5, gens)
        err = np.linalg.cholesky(s) @ rng.normal(size=gens)
        for k in range(gens):
            rows.append((f"E{e:02d}", f"G{k:03d}", 50 + e + g[k] + ge[k] + err[k]))
    df = pd.DataFrame(rows, columns=["Env", "Gen", "mean"])
    for c in ("Env", "Gen"):
        df[c] = df[c].astype("category")
    return df, mats


KW = dict(random="~ Gen + Gen:Env", residual="~ dsum(~ us(Gen) | Env)")


def params_table(df: pd.DataFrame, mats: list[np.ndarray]) -> pd.DataFrame:
    """Start values with every residual parameter fixed at its stage-1 value."""
    tab = asr.asreml("mean ~ Env", data=df, start_values=True, **KW)
    assert isinstance(tab, pd.DataFrame)
    for e, s in enumerate(mats):
        sel = tab["Component"].str.startswith(f"Env_E{e:02d}!")
        n = s.shape[0]
        tab.loc[sel, "Value"] = [s[i, j] for i in range(n) for j in range(i + 1)]
        tab.loc[sel, "Constraint"] = "F"
    return tab


def fit(df: pd.DataFrame, tab: pd.DataFrame, old: bool) -> tuple[float, asr.AsremlFit]:
    keep = fixed_hold.hold_fixed
    if old:
        fixed_hold.hold_fixed = lambda problem: None  # type: ignore[assignment]
    try:
        t0 = time.process_time()
        m = asr.asreml("mean ~ Env", data=df, params=tab, maxit=50, **KW)
        return time.process_time() - t0, m
    finally:
        fixed_hold.hold_fixed = keep


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--envs", type=int, default=10)
    ap.add_argument("--gens", type=int, default=20)
    ap.add_argument("--skip-old", action="store_true")
    a = ap.parse_args()
    df, mats = simulate(a.envs, a.gens)
    tab = params_table(df, mats)
    n_f = int((tab["Constraint"] == "F").sum())
    print(f"{len(df)} stage-1 means, {len(tab) - n_f} free of {len(tab)} variance parameters "
          f"({n_f} fixed)")
    t_new, new = fit(df, tab, old=False)
    print(f"new: {t_new:8.2f} s CPU  loglik {new.loglik:.8f}  {new.result.n_iter} iterations "
          f"converged={new.converged}")
    if a.skip_old:
        return
    t_old, old = fit(df, tab, old=True)
    print(f"old: {t_old:8.2f} s CPU  loglik {old.loglik:.8f}  {old.result.n_iter} iterations "
          f"converged={old.converged}")
    free = tab.loc[tab["Constraint"] != "F", "Component"]
    d_theta = np.max(np.abs(new.varcomp.loc[free, "component"].to_numpy()
                            - old.varcomp.loc[free, "component"].to_numpy())
                     / np.abs(old.varcomp.loc[free, "component"].to_numpy()))
    d_beta = np.max(np.abs(new.coef_fixed.to_numpy()[:, :2] - old.coef_fixed.to_numpy()[:, :2]))
    print(f"old / new CPU: {t_old / t_new:.1f}x;  |Δℓ| {abs(new.loglik - old.loglik):.2e}  "
          f"max rel Δθ_free {d_theta:.2e}  max |Δβ̂|, |ΔSE| {d_beta:.2e}")


if __name__ == "__main__":
    main()
