"""CPU time of ``rr(Site, k):Geno`` fits (reml/rr_latent.py): the profile-Newton phase on
the loadings (s15eng: AI-based profile information, a handful of inner REML fits) against
the old path (quasi-Newton on the profile ℓ from the start: one inner REML fit per BFGS
evaluation), measured in the same run, in this process, on simulated METs (fixed seeds).

    python benchmarks/bench_rr_latent.py [--repeat 1]

Printed per workload: CPU seconds and inner REML fits (new, old), old / new CPU, ℓ (new − old)
and the largest difference of ΛΛ' between the two (same optimum: ΛΛ' is identified, Λ up
to the signs of its columns).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import asr_py as asr
from asr_py.reml import rr_latent


def met(seed: int, sites: int, genos: int, k: int, reps: int = 2) -> pd.DataFrame:
    """sites x genos x reps; genotype effects from k factors, unit residual variance."""
    rng = np.random.default_rng(seed)
    lam = rng.normal(1.0, 0.6, (sites, k))
    u = rng.normal(size=(genos, k)) @ lam.T
    rows = [{"Site": f"S{s + 1:02d}", "Geno": f"G{g:03d}", "y": 5.0 + s + u[g, s] + rng.normal()}
            for g in range(genos) for s in range(sites) for _ in range(reps)]
    d = pd.DataFrame(rows)
    for c in ("Site", "Geno"):
        d[c] = pd.Categorical(d[c])
    return d


WORKLOADS = {
    "rr2 6x40": (dict(seed=1, sites=6, genos=40, k=2), 2),
    "rr2 10x60": (dict(seed=2, sites=10, genos=60, k=2), 2),
    "rr3 8x50": (dict(seed=3, sites=8, genos=50, k=3), 3),
}


def run(d: pd.DataFrame, k: int) -> tuple[float, int, float, np.ndarray]:
    t = time.process_time()
    m = asr.asreml("y ~ Site", f"~ rr(Site, {k}):Geno", data=d)
    cpu = time.process_time() - t
    vc = m.varcomp["component"]
    sites = list(d["Site"].cat.categories)
    lam = np.array([[vc[f"Site:Geno!Site_{s}!fa{j + 1}"] for j in range(k)] for s in sites])
    return cpu, len(m.result.history), float(m.loglik), lam @ lam.T


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    print(f"{'workload':12s} {'new s':>7s} {'fits':>5s} {'old s':>7s} {'fits':>5s} "
          f"{'old/new':>7s} {'dℓ':>9s} {'max|dΛΛ|':>9s}")
    keep = rr_latent.NEWTON_MAXIT, rr_latent.SCALED_BFGS
    for name, (kw, k) in WORKLOADS.items():
        d = met(**kw)
        res = {}
        for label, (nmax, scaled) in (("new", keep), ("old", (0, False))):
            rr_latent.NEWTON_MAXIT, rr_latent.SCALED_BFGS = nmax, scaled
            best = None
            for _ in range(args.repeat):
                out = run(d, k)
                best = out if best is None or out[0] < best[0] else best
            res[label] = best
        rr_latent.NEWTON_MAXIT, rr_latent.SCALED_BFGS = keep
        (cn, fn, ln, gn), (co, fo, lo, go) = res["new"], res["old"]
        print(f"{name:12s} {cn:7.2f} {fn:5d} {co:7.2f} {fo:5d} {co / cn:7.2f} "
              f"{ln - lo:9.2e} {np.abs(gn - go).max():9.2e}", flush=True)


if __name__ == "__main__":
    main()
