"""Time a factor-analytic MET fit at a breeder's scale, before and after s23fa's changes.

    OMP_NUM_THREADS=1 python benchmarks/bench_fa_met.py [--size full|quick] [--k 1] [--maxit 4]
    OMP_NUM_THREADS=1 python benchmarks/bench_fa_met.py --gis data_soy.csv --k 2 --maxit 100

The shape of Kaio-Olimpio/GIS-FA FA_spatmod_soybean.R (soybean VCU trials: 49 environments,
182 genotypes, 20-64 genotypes x 3 blocks per trial laid out as rows x 3 columns, 6 456
plots, some without a yield), simulated:

    yield ~ env + block:env,  random = ~ gen:fa(env, k),
    residual = ~ dsum(~ id(row):id(col) + ar1(row):ar1(col) | env, levels = list(12 trials,
    the other 37))

Two paths of the same fit are timed in one process, ``maxit`` iterations each:

* ``before``: fa(env, k) over more than 40 environments on the general TermInverse (one
  sparse n x n Kronecker product G⁻¹Ġ_kG⁻¹ per parameter per iteration), and a trial's
  dense R_s⁻¹Ṙ_kR_s⁻¹ (a trial with under half its grid observed, or a small grid) turned
  into W_s'MW_s through an N x N dense product;
* ``after``: fa's closed forms (``dense_inverse`` parts in reml/ginverse._ProductIndex) and
  W_s'MW_s formed on the equations the trial touches (reml/mme._dense_section_gram).

Printed: CPU and wall seconds, iterations and ℓ of each path (equal: the change is exact),
and the ratio before / after. On the real GIS-FA data (s23fa, loaded 2-core machine, one BLAS
thread) the FA1 fit took 161 s CPU before and 22 s after (17 s with fa's counted n_params),
21 iterations each, the same ℓ; this benchmark at ``--size full --maxit 3``: 87.8 s before,
5.5 s after (15.9x), |Δℓ| 7e-12.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

import asr_py as asr
import asr_py.reml.ginverse as ginverse
import asr_py.reml.mme as mme

SIZES = {"full": (49, 182, (20, 64)), "quick": (12, 60, (10, 24))}


def simulate(n_env: int, n_gen: int, per_env: tuple[int, int], k: int = 2,
             seed: int = 23) -> tuple[pd.DataFrame, list[list[int]]]:
    """Trials of g genotypes x 3 blocks on g rows x 3 columns (one block a column), AR1 x
    AR1 errors in three trials of four, yields missing at random (0-20 % of a trial's plots,
    half of one trial's). Returns the data and dsum's two lists of trial numbers (1-based)."""
    rng = np.random.default_rng(seed)
    lam = np.abs(rng.normal(300.0, 150.0, size=(n_env, k)))
    psi = rng.uniform(100.0, 300.0, n_env) ** 2
    f = rng.normal(size=(n_gen, k))
    g_eff = f @ lam.T + rng.normal(size=(n_gen, n_env)) * np.sqrt(psi)
    spatial = set(rng.choice(n_env, size=(3 * n_env) // 4, replace=False).tolist())
    frames = []
    for e in range(n_env):
        g = int(rng.integers(per_env[0], per_env[1] + 1))
        gens = rng.choice(n_gen, g, replace=False)
        rows, cols, gen = [], [], []
        for b in range(3):
            order = rng.permutation(gens)
            rows += list(range(1, g + 1))
            cols += [b + 1] * g
            gen += order.tolist()
        gen = np.asarray(gen)
        i = np.arange(g)
        if e in spatial:
            a = np.kron(0.4 ** np.abs(i[:, None] - i[None, :]), 0.2 ** np.abs(
                np.arange(3)[:, None] - np.arange(3)[None, :]))
            err = np.linalg.cholesky(a) @ rng.normal(size=3 * g) * 400.0
        else:
            err = rng.normal(size=3 * g) * 400.0
        # records in row-major order (row, col) as the script sorts them
        fr = pd.DataFrame({"env": f"E{e + 1:02d}", "row": rows, "col": cols,
                           "block": cols, "gen": [f"G{x + 1:03d}" for x in gen],
                           "yield": 3000.0 + 150.0 * e % 7 + g_eff[gen, e] + err})
        share = 0.5 if e == n_env // 2 else rng.uniform(0.0, 0.2)
        fr.loc[rng.random(len(fr)) < share, "yield"] = np.nan
        frames.append(fr.sort_values(["row", "col"]))
    d = pd.concat(frames, ignore_index=True)
    for c in ("env", "gen", "block", "row", "col"):
        lv = sorted(d[c].unique())
        d[c] = pd.Categorical(d[c].astype(str), categories=[str(x) for x in lv])
    iid = sorted(set(range(1, n_env + 1)) - {e + 1 for e in spatial})
    return d, [iid, sorted(e + 1 for e in spatial)]


def _legacy_dense_section_gram(ws: sp.csc_matrix, m: np.ndarray) -> sp.coo_matrix:
    """W_s'MW_s as before s23fa: the N x N dense product, then its nonzeros."""
    return sp.coo_matrix(np.asarray((ws.T @ m) @ ws))


@contextmanager
def before_s23fa() -> Iterator[None]:
    """fa on the general TermInverse past 40 levels; dense sections through N x N."""
    saved = ginverse.PRODUCT_DENSE_PART_ENTRIES, mme._dense_section_gram
    ginverse.PRODUCT_DENSE_PART_ENTRIES = 0
    mme._dense_section_gram = _legacy_dense_section_gram
    try:
        yield
    finally:
        ginverse.PRODUCT_DENSE_PART_ENTRIES, mme._dense_section_gram = saved


def fit(d: pd.DataFrame, levels: list[list[int]], k: int, maxit: int) -> dict[str, float]:
    lv = "list(c(" + ",".join(map(str, levels[0])) + "), c(" + ",".join(map(str, levels[1])) + "))"
    c0, w0 = time.process_time(), time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("yield ~ env + block:env", random=f"~ gen:fa(env, {k})",
                       residual=f"~ dsum(~ id(row):id(col) + ar1(row):ar1(col) | env, "
                                f"levels = {lv})",
                       data=d, maxit=maxit, na_action={"x": "include", "y": "include"})
    return {"cpu": time.process_time() - c0, "wall": time.perf_counter() - w0,
            "iterations": len(m.iterations), "loglik": float(m.loglik)}


def converge(csv: str, k: int, maxit: int) -> None:
    """s24fa: GIS-FA's Pipeline.Rmd fit ``yield ~ block:env + env, ~ gen:fa(env, k)`` on its
    data/data_soy.csv (fetch github:Kaio-Olimpio/GIS-FA) to convergence: iterations, CPU,
    ℓ (and asreml's scale), converged. Measured on a loaded 2-core machine (one BLAS thread),
    maxit 100, main 4b24dba -> s25fa (reml/floor_raise.py, the EM step's Marquardt damping):
    fa1 23 it 10.6 s ℓ -44256.697631 -> 25 it 18.4 s -44256.697658 (both converged);
    fa2 93 it 48.7 s -44145.042563 -> 36 it 29.5 s -44145.042824 (both converged; ψ on their
    floors cost 2.6e-4); fa3 100 (maxit) 71.1 s -44069.537892 -> 72 it 57.0 s -44069.532656
    converged; fa4 stopped at iteration 24 (neither AI nor EM gained) 75.2 s -44353.454940 ->
    100 (maxit) 77.0 s -44014.273377, ℓ flat to 1e-6 from iteration 71 while loadings near
    0 move 1-13 % a step (a ridge: more factors than the data hold). 0b780df: fa4 -44014.293
    at maxit. s24fa's data-based start (not on main) converged fa3 to -44079.61, another
    local optimum."""
    from asr_py.translate.runtime import r_loglik

    d = pd.read_csv(csv)
    for c in ("gen", "block", "env"):
        d[c] = pd.Categorical(d[c].astype(str))
    d = d.sort_values(["env", "row", "col"]).reset_index(drop=True)
    c0 = time.process_time()
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("yield ~ block:env + env", random=f"~ gen:fa(env, {k})", data=d,
                       maxit=maxit, na_action={"x": "include", "y": "include"})
    print(f"fa(env, {k}): {len(m.iterations) - 1} iterations, CPU {time.process_time() - c0:.1f}"
          f" s, loglik {m.loglik:.6f} (asreml's scale {r_loglik(m):.4f}), "
          f"converged {m.converged}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="full")
    ap.add_argument("--k", type=int, default=1, help="factors of fa(env, k)")
    ap.add_argument("--maxit", type=int, default=4, help="iterations per path")
    ap.add_argument("--gis", metavar="CSV", help="s24fa: fit GIS-FA's data_soy.csv to "
                    "convergence instead (maxit: --maxit)")
    a = ap.parse_args()
    if a.gis:
        converge(a.gis, a.k, a.maxit)
        return
    d, levels = simulate(*SIZES[a.size], k=max(a.k, 2))
    print(f"{a.size}: {d.env.nunique()} environments, {d.gen.nunique()} genotypes, {len(d)} "
          f"plots ({int(d['yield'].isna().sum())} without yield), fa(env, {a.k}), "
          f"{a.maxit} iterations per path; timings on a loaded machine are indicative")
    with threadpool_limits(1):
        after = fit(d, levels, a.k, a.maxit)
        with before_s23fa():
            before = fit(d, levels, a.k, a.maxit)
    for name, r in (("before", before), ("after", after)):
        print(f"  {name:<7} CPU {r['cpu']:8.2f} s  wall {r['wall']:8.2f} s  "
              f"iterations {r['iterations']:3d}  loglik {r['loglik']:.6f}")
    print(f"  ratio before/after: CPU {before['cpu'] / after['cpu']:.1f}x, "
          f"wall {before['wall'] / after['wall']:.1f}x; "
          f"|Δloglik| {abs(before['loglik'] - after['loglik']):.2e}")


if __name__ == "__main__":
    main()
