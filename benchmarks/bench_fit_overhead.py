"""The fixed cost of one small fit in a loop of many (s21small: per-trait, per-trial,
cross-validation and bootstrap loops; asremlPlus's test42Parallel.r refits one model 1 000
times), this checkout against a baseline commit in the same run.

    python benchmarks/bench_fit_overhead.py [--fits 50] [--old-ref f4c6123] [--skip-old]
                                            [--workloads rcbd,split,met,ar1] [--results]

Workloads (simulated data, fixed seeds, a few hundred records and 2-4 variance parameters):

* ``rcbd``: 25 treatments x 4 blocks, ``y ~ Trt``, ``random = ~ Block``;
* ``split``: split plot, 4 replicates x 3 main plots (A) x 4 subplots (B),
  ``y ~ A * B``, ``random = ~ Rep + Rep:A``;
* ``met``: 3 sites x 30 genotypes x 2 replicates, ``y ~ Site``,
  ``random = ~ Geno + Site:Geno``, ``residual = ~ dsum(~ units | Site)``;
* ``ar1``: one 12 x 10 trial, 2 replicates of 60 entries, ``y ~ Entry``,
  ``random = ~ Rep``, ``residual = ~ ar1(Row):ar1(Col)``.

Each workload runs in a child process (CPU time, BLAS on one thread): ``--fits`` calls of
``asr.asreml()`` after one warm-up call (with ``--results`` each also takes varcomp, coef and
one predict), once with this checkout's asr_py and once with ``--old-ref``'s (``git archive``
into a temporary directory, first on PYTHONPATH). Printed per workload: CPU ms per fit (new,
old), old / new, and the largest differences between the two of ℓ, the variance components,
the fixed effects and their standard errors: they must be 0 (the changes keep every digit).
The last columns check the new fit against the dense-V REML of tests/_dense_reml.py (numpy
only): |ℓ_dense(θ̂) − ℓ| at asreml's estimates, which must be round-off.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
WORKLOADS = ("rcbd", "split", "met", "ar1")


def _factors(d: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    for c in cols:
        d[c] = pd.Categorical(d[c].astype(str), categories=list(dict.fromkeys(d[c].astype(str))))
    return d


def _ar1(n: int, rho: float) -> np.ndarray:
    i = np.arange(n)
    return rho ** np.abs(i[:, None] - i[None, :])


def workload(name: str) -> tuple[pd.DataFrame, dict[str, str], str]:
    """(data, asreml() formulas, the classify of the predict)."""
    if name == "rcbd":
        rng = np.random.default_rng(21)
        d = pd.DataFrame([(f"T{t}", f"B{b}") for b in range(4) for t in range(25)],
                         columns=["Trt", "Block"])
        d["y"] = (10 + rng.normal(0, 1, 25)[np.tile(np.arange(25), 4)]
                  + rng.normal(0, 0.8, 4)[np.repeat(np.arange(4), 25)] + rng.normal(0, 1, 100))
        return _factors(d, ("Trt", "Block")), dict(fixed="y ~ Trt", random="~ Block"), "Trt"
    if name == "split":
        rng = np.random.default_rng(22)
        d = pd.DataFrame([(f"R{r}", f"A{a}", f"B{b}") for r in range(4) for a in range(3)
                          for b in range(4)], columns=["Rep", "A", "B"])
        rep = np.repeat(np.arange(4), 12)
        main = np.repeat(np.arange(12), 4)
        d["y"] = (20 + rng.normal(0, 1.0, 4)[rep] + rng.normal(0, 0.7, 12)[main]
                  + 0.5 * (main % 3) + 0.3 * np.tile(np.arange(4), 12) + rng.normal(0, 0.6, 48))
        d = pd.concat([d, d.assign(y=d.y + rng.normal(0, 0.6, 48))], ignore_index=True)
        return (_factors(d, ("Rep", "A", "B")),
                dict(fixed="y ~ A * B", random="~ Rep + Rep:A"), "A:B")
    if name == "met":
        rng = np.random.default_rng(23)
        g = rng.normal(0, 1, 30)
        ge = rng.normal(0, 0.5, (3, 30))
        sd = (0.5, 1.0, 1.5)
        d = pd.DataFrame([(f"S{s}", f"G{i}", 5 + s + g[i] + ge[s, i] + rng.normal(0, sd[s]))
                          for s in range(3) for i in range(30) for _ in range(2)],
                         columns=["Site", "Geno", "y"])
        return (_factors(d, ("Site", "Geno")),
                dict(fixed="y ~ Site", random="~ Geno + Site:Geno",
                     residual="~ dsum(~ units | Site)"), "Geno")
    if name == "ar1":
        rng = np.random.default_rng(24)
        nr, nc = 12, 10
        d = pd.DataFrame([(r + 1, c + 1) for r in range(nr) for c in range(nc)],
                         columns=["Row", "Col"])
        d["Rep"] = np.where(d.index < 60, "R1", "R2")
        d["Entry"] = [f"E{e}" for k in range(2) for e in rng.permutation(60).tolist()]
        e = np.linalg.cholesky(np.kron(_ar1(nr, 0.5), _ar1(nc, 0.3))) @ rng.normal(size=nr * nc)
        d["y"] = (5 + rng.normal(0, 0.6, 60)[d.Entry.str[1:].astype(int)]
                  + np.where(d.Rep == "R1", 0.3, -0.3) + e)
        return (_factors(d, ("Row", "Col", "Rep", "Entry")),
                dict(fixed="y ~ Entry", random="~ Rep", residual="~ ar1(Row):ar1(Col)"),
                "Entry")
    raise SystemExit(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}")


def _dense_v(name: str, d: pd.DataFrame, vc: pd.DataFrame) -> np.ndarray:
    """V = Σ Z_k G_k Z_k' + R at the fitted components, built with numpy alone."""
    comp = dict(zip(vc.index, vc["component"].to_numpy(dtype=float)))

    def z(*cols: str) -> np.ndarray:
        key = d[list(cols)].astype(str).agg(":".join, axis=1)
        return pd.get_dummies(key).to_numpy(dtype=float)

    def get(prefix: str) -> float:
        return float(next(v for k, v in comp.items() if k.startswith(prefix)))

    n = len(d)
    if name == "rcbd":
        Z = z("Block")
        return get("Block") * Z @ Z.T + get("units") * np.eye(n)
    if name == "split":
        Z1, Z2 = z("Rep"), z("Rep", "A")
        return (get("Rep") * Z1 @ Z1.T + get("Rep:A") * Z2 @ Z2.T
                + get("units") * np.eye(n))
    if name == "met":
        Z1, Z2 = z("Geno"), z("Site", "Geno")
        r = np.array([get(f"Site_S{s}") for s in d.Site.astype(str).str[1:].astype(int)])
        return get("Geno") * Z1 @ Z1.T + get("Site:Geno") * Z2 @ Z2.T + np.diag(r)
    if name == "ar1":
        Z = z("Rep")
        rows, cols = d.Row.astype(int).to_numpy() - 1, d.Col.astype(int).to_numpy() - 1
        R = np.kron(_ar1(12, get("Row:Col!Row!cor")), _ar1(10, get("Row:Col!Col!cor")))
        idx = rows * 10 + cols
        return get("Rep") * Z @ Z.T + get("Row:Col!R") * R[np.ix_(idx, idx)]
    raise ValueError(name)


def _child(name: str, fits: int, results: bool) -> dict[str, Any]:
    """Run ``fits`` fits of one workload in this process: CPU per fit, the last fit's
    numbers and (for the dense check) ℓ of tests/_dense_reml.py at its estimates."""
    from threadpoolctl import threadpool_limits

    import asr_py as asr

    d, kw, classify = workload(name)

    def one() -> Any:
        m = asr.asreml(data=d, **kw)
        if results:
            _ = (m.varcomp, m.coef, m.predict(classify=classify))
        return m

    with threadpool_limits(1):
        one()  # warm-up: imports, first-call caches
        t0 = time.process_time()
        for _ in range(fits):
            m = one()
        cpu = (time.process_time() - t0) / fits
    vc = m.varcomp
    cf = m.coef_fixed
    out = {"cpu": cpu, "iterations": int(len(m.iterations)), "loglik": float(m.loglik),
           "theta": [float(x) for x in vc["component"].to_numpy()],
           "coef": [float(x) for x in cf.iloc[:, 0].to_numpy(dtype=float)],
           "se": [float(x) for x in cf["std.error"].to_numpy(dtype=float)]
           if "std.error" in cf.columns else [],
           "asr_py": str(Path(asr.__file__).parent)}
    sys.path.insert(0, str(ROOT / "tests"))
    from _dense_reml import drop_aliased, reml_loglik

    fit_rows = d["y"].notna().to_numpy()
    dd = d[fit_rows].reset_index(drop=True)
    X = drop_aliased(m.model.fixed.X.toarray() if hasattr(m.model.fixed.X, "toarray")
                     else np.asarray(m.model.fixed.X))
    out["dense_loglik"] = reml_loglik(dd["y"].to_numpy(float), X, _dense_v(name, dd, vc))
    return out


def _run(name: str, fits: int, results: bool, pythonpath: str | None) -> dict[str, Any]:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath, env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, __file__, "--child", name, "--fits", str(fits)]
    out = subprocess.run(cmd + (["--results"] if results else []), env=env,
                         capture_output=True, text=True, cwd="/")
    if out.returncode:
        raise SystemExit(f"{name}: the child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _maxdiff(a: list[float], b: list[float]) -> float:
    if len(a) != len(b):
        return float("nan")
    if not a:
        return 0.0
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fits", type=int, default=50, help="timed fits per workload")
    ap.add_argument("--old-ref", default="f4c6123", help="the baseline commit")
    ap.add_argument("--skip-old", action="store_true", help="time this checkout only")
    ap.add_argument("--results", action="store_true",
                    help="each fit also takes varcomp, coef and one predict")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(_child(a.child, a.fits, a.results)))
        return
    print(f"{'workload':8s} {'iter':>4s} {'new ms/fit':>10s} {'old ms/fit':>10s} "
          f"{'old/new':>7s} {'Δℓ':>7s} {'Δθ':>7s} {'Δβ':>7s} {'Δse':>7s} {'|ℓ−dense|':>9s}")
    with tempfile.TemporaryDirectory(prefix="bench_fit_overhead_") as tmp:
        old_path = None
        if not a.skip_old:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from bench_many_fits import old_tree

            old_path = old_tree(a.old_ref, tmp)
        for w in a.workloads.split(","):
            new = _run(w, a.fits, a.results, str(ROOT))
            dense = abs(new["dense_loglik"] - new["loglik"])
            if old_path is None:
                print(f"{w:8s} {new['iterations']:4d} {1e3 * new['cpu']:10.2f} {'':>10s} "
                      f"{'':>7s} {'':>7s} {'':>7s} {'':>7s} {'':>7s} {dense:9.1e}", flush=True)
                continue
            old = _run(w, a.fits, a.results, old_path)
            assert old["asr_py"].startswith(old_path), old["asr_py"]
            diffs = [abs(new["loglik"] - old["loglik"])] + [
                _maxdiff(new[k], old[k]) for k in ("theta", "coef", "se")]
            print(f"{w:8s} {new['iterations']:4d} {1e3 * new['cpu']:10.2f} "
                  f"{1e3 * old['cpu']:10.2f} {old['cpu'] / new['cpu']:7.2f} "
                  + " ".join(f"{x:7.1e}" for x in diffs) + f" {dense:9.1e}", flush=True)


if __name__ == "__main__":
    main()
