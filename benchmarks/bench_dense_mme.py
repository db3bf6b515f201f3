"""Benchmark: the dense MME path (asr_py/reml/dense_mme.py, dense_kron.py) against the old
sparse-pattern assembly of a dense C, both measured in this run, each fit in its own child
process (peak RSS is that fit's alone).

    OMP_NUM_THREADS=1 python3 benchmarks/bench_dense_mme.py [--cases corh:500,met:300] [--maxit 30]

Cases (simulated, benchmarks/user_sim.py):
  corh:G  ``vm(geno, G):corh(env) + ide(geno)``, G lines x 6 environments (70 % of the lines
          in each), genomic G (600 SNPs, ridge 0.01); above 20·10⁶ entries of G⁻¹ the term is
          a DenseKronInverse (the old path: GeneralInverse's sparse products).
  met:G   ``fa(env, 2):vm(id, G)``, G lines x 8 environments, ``dsum(~ units | env)``.
  field:G one trial of G lines in two replicates on a 2G-plot grid, ``~ geno + rep``,
          ``ar2(Row):ar2(Col)`` plot errors (a dense R⁻¹; the UIUC single-trial scripts).
Prints per case: seconds (wall and CPU), iterations, peak RSS, ℓ; the ratio old/new and the
relative differences of ℓ and θ̂.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import user_sim as sim  # noqa: E402
from child_pair import run_modes, same_fit  # noqa: E402


def _data(case: str, n_g: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    import asr_py as asr

    rng = np.random.default_rng(8)
    mk = sim.markers_with_duplicates(n_g, 600, n_dup=0)
    G = asr.gmatrix(mk, ridge=0.01)
    ids = np.asarray(mk["id"])
    rows = []
    if case == "field":
        nc = 20
        nr = 2 * n_g // nc
        geno = np.concatenate([rng.permutation(n_g), rng.permutation(n_g)])
        gv = rng.standard_normal(n_g)
        field = np.add.outer(np.sin(np.arange(nr) / 3), np.cos(np.arange(nc) / 4)).ravel()
        d = pd.DataFrame({"Row": pd.Categorical(np.repeat(np.arange(1, nr + 1), nc)),
                          "Col": pd.Categorical(np.tile(np.arange(1, nc + 1), nr)),
                          "rep": np.where(np.arange(nr * nc) < n_g, "R1", "R2"),
                          "geno": ids[geno]})
        d["y"] = 5 + gv[geno] + field + 0.7 * rng.standard_normal(len(d))
        return d, G, dict(fixed="y ~ rep", random="~ geno", residual="~ ar2(Row):ar2(Col)")
    if case == "met":
        n_env = 8
        lam = np.random.default_rng(9).uniform(2, 4, (n_env, 2)) * np.array([1.0, 0.5])
        gm = sim.genomic_values(mk, lam @ lam.T + 3 * np.eye(n_env), seed=10)
        for e in range(n_env):
            lines = rng.choice(n_g, size=int(0.6 * n_g), replace=False)
            for _ in range(2):
                y = 50 + 10 * e + gm[lines, e] + rng.standard_normal(lines.size) * np.sqrt(20)
                rows.append(pd.DataFrame({"env": f"E{e}", "id": ids[lines], "y": y}))
        kw = dict(fixed="y ~ env", random="~ fa(env, 2):vm(id, G)",
                  residual="~ dsum(~ units | env)")
    else:
        n_env = 6
        cor = 0.6 * np.ones((n_env, n_env)) + 0.4 * np.eye(n_env)
        gm = sim.genomic_values(mk, 4 * cor, seed=10)
        pe = rng.standard_normal(n_g)
        for e in range(n_env):
            lines = rng.choice(n_g, size=int(0.7 * n_g), replace=False)
            y = 20 + e + gm[lines, e] + pe[lines] + rng.standard_normal(lines.size) * 1.5
            rows.append(pd.DataFrame({"env": f"E{e}", "geno": ids[lines], "y": y}))
        kw = dict(fixed="y ~ env", random="~ vm(geno, G):corh(env) + ide(geno)")
    return pd.concat(rows, ignore_index=True), G, kw


def _old_path() -> None:
    """The assembly before the dense MME: C's sparse pattern, terms without dense forms."""
    import asr_py.reml.mme as mm
    from asr_py.reml import dense_mme
    from asr_py.reml.ginverse import term_inverse

    dense_mme.DENSE_MME_MIN_EQUATIONS = 1 << 62
    mm.term_inverse = lambda t, c=True, *, dense_ok=False: term_inverse(t, c, dense_ok=False)


def _child(case: str, n_g: int, mode: str, maxit: int) -> None:
    import asr_py as asr

    if mode == "old":
        _old_path()
    d, G, kw = _data(case, n_g)
    t0, c0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extra = {"G": G} if case != "field" else {}
        m = asr.asreml(data=d, maxit=maxit, **extra, **kw)
    print(json.dumps({
        "wall_s": round(time.perf_counter() - t0, 2), "cpu_s": round(time.process_time() - c0, 2),
        "iterations": len(m.result.history), "converged": bool(m.converged),
        "loglik": float(m.loglik), "theta": [float(x) for x in m.result.theta],
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "equations": int(sum(len(u) for u in m.result.u) + len(m.result.beta))}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="corh:300,met:300")
    ap.add_argument("--maxit", type=int, default=30)
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        _child(a.child[0], int(a.child[1]), a.child[2], a.maxit)
        return
    for spec in a.cases.split(","):
        case, n_g = spec.split(":")
        res = run_modes({mode: [sys.executable, __file__, "--maxit", str(a.maxit), "--child",
                                case, n_g, mode] for mode in ("old", "new")},
                        a.timeout, f"{case}:{n_g}")
        o, n = res["old"], res["new"]
        if (cmp := same_fit(o, n)) is not None:
            print(f"== {case}:{n_g} ({n['equations']} equations): old {o['wall_s']} s wall / "
                  f"{o['cpu_s']} s CPU, {o['peak_rss_mib']} MiB; new {n['wall_s']} s / "
                  f"{n['cpu_s']} s CPU, {n['peak_rss_mib']} MiB; {cmp}", flush=True)

if __name__ == "__main__":
    main()
