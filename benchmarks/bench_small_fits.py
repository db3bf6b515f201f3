"""Per-fit CPU of typical small models, split by phase, against an older commit in the same run
(s16speed: many-fit workloads such as asremlPlus's test42Parallel.r, 1 000 refits).

    python benchmarks/bench_small_fits.py [--old-ref 2298fa3] [--skip-old] [--phases]
                                          [--workloads rcbd,met_diag,...] [--reps 5]

Workloads (simulated data, fixed seeds):

* ``plain``: 100 records, ``y ~ x``, ``random = ~ g`` (10 groups) (s33small);
* ``us2``: 2 sites x 60 genotypes x 2 replicates (240 records), ``y ~ Site + Site:Rep``,
  ``random = ~ us(Site):Geno``, residual ``dsum(~ units | Site)`` (s33small);
* ``rcbd``: 25 treatments x 4 blocks (100 records), ``y ~ Trt``, ``random = ~ Block``;
* ``met_diag`` / ``met_us`` / ``met_fa``: 6 sites x 40 genotypes x 2 replicates (480
  records), ``y ~ Site + Site:Rep``, random ``diag(Site):Geno`` / ``us(Site):Geno`` /
  ``fa(Site, 1):Geno``, residual ``dsum(~ units | Site)``;
* ``field``: one trial of 20 rows x 15 columns (300 plots, 12 missing), 3 replicates of 100
  plots with each of 50 entries twice, ``y ~ Entry``, ``random = ~ Rep``, residual
  ``ar1(Row):ar1(Col)``;
* ``met_sites``: the AGENTproject historic-trial notebooks' shape (s17speed): 24 sites
  (campaigns) x 80 accessions, each accession at about half the sites, one record each,
  rows in random order, ``y ~ Site``, ``random = ~ Geno``, residual
  ``dsum(~ units | Site)`` (24 sections);
* ``chickpea``: test42Parallel.r's model shape (2 houses x 24 x 22 plots, 46 missing,
  Geno * Trt, ``random = ~ House:(Lane + Position)``,
  ``residual = ~ dsum(~ ar1(Lane):ar1(Position) | House)``; benchmarks/bench_many_fits.py's
  ``spatial`` data);
* ``sweetpotato``: schaves_sweetpotato_two_stage's second stage / cross-validation shape
  (s23speed): BLUEs of 150 genotypes x 4 environments with weights, a fifth of them set
  missing (one fold), ``y ~ env``, ``random = ~ vm(geno, G):corh(env) + ide(geno)`` with a
  VanRaden G of 600 simulated hexaploid markers, ``family = asr_gaussian(dispersion = 1)``.

``--rounds R`` alternates the old and the new checkout R times and keeps each one's fastest
round: on a loaded machine the load changes between children, and the minimum is the
measurement least disturbed by it.

Each workload runs in a child process (CPU time, BLAS on one thread), with this checkout's
asr_py and (unless ``--skip-old``) with ``--old-ref``'s (``git archive`` into a temporary
directory, first on PYTHONPATH). Printed per workload: CPU seconds per fit (the whole
``asr.asreml()`` call plus varcomp, coef and one predict), old / new, and the largest
differences between the two of ℓ, the variance components and their SEs, the fixed and
random effects, the predictions and their SEs (relative to the quantity's scale; the changes
must be exact to round-off).

``--phases`` prints, for this checkout only, the split of one fit's CPU: model compilation
(formula parsing, X, Z, templates), ``model.problem()``, the REML fit (its MME evaluations,
AI/score passes, the final result) and the results (varcomp, coef, predict).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

WORKLOADS = ("plain", "us2", "rcbd", "met_diag", "met_us", "met_fa", "field", "chickpea",
             "met_sites", "sweetpotato")


def rcbd_data(seed: int = 11) -> pd.DataFrame:
    """25 treatments x 4 blocks."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(f"T{t}", f"B{b}") for b in range(4) for t in range(25)],
                     columns=["Trt", "Block"])
    d["y"] = (10 + rng.normal(0, 1, 25)[d.Trt.str[1:].astype(int)]
              + rng.normal(0, 0.8, 4)[d.Block.str[1:].astype(int)] + rng.normal(0, 1, 100))
    return _factors(d, ("Trt", "Block"))


def plain_data(seed: int = 16) -> pd.DataFrame:
    """100 records, a covariate x and 10 groups g (s33small: the smallest fit)."""
    rng = np.random.default_rng(seed)
    g = np.arange(100) % 10
    d = pd.DataFrame({"g": [f"g{i}" for i in g], "x": rng.normal(size=100)})
    d["y"] = 1 + 0.5 * d.x + rng.normal(0, 1, 10)[g] + rng.normal(size=100)
    return _factors(d, ("g",))


def us2_data(seed: int = 17, genos: int = 60) -> pd.DataFrame:
    """Two sites x ``genos`` genotypes x 2 replicates (240 records), correlated sites."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(f"S{s}", f"R{r}", f"G{g}") for s in range(2) for r in range(2)
                      for g in range(genos)], columns=["Site", "Rep", "Geno"])
    u = rng.multivariate_normal([0, 0], [[1.0, 0.6], [0.6, 1.5]], genos)
    d["y"] = (np.where(d.Site == "S0", 10.0, 12.0) + u[d.Geno.str[1:].astype(int),
                                                      d.Site.str[1:].astype(int)]
              + rng.normal(0, 1, len(d)))
    return _factors(d, ("Site", "Rep", "Geno"))


def met_small_data(seed: int = 12, sites: int = 6, genos: int = 40) -> pd.DataFrame:
    """sites x genos x 2 replicates, one-factor genotype effects plus specific variances."""
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.5, 1.5, sites)
    g = rng.normal(size=(genos, 1)) * lam[None, :] + rng.normal(0, 0.4, (genos, sites))
    rows = [(f"S{s}", f"G{i}", f"R{r}", 5 + s + g[i, s] + rng.normal(0, 0.5 + 0.1 * s))
            for s in range(sites) for i in range(genos) for r in range(2)]
    d = pd.DataFrame(rows, columns=["Site", "Geno", "Rep", "y"])
    return _factors(d, ("Site", "Geno", "Rep"))


def met_sites_data(seed: int = 14, sites: int = 24, genos: int = 80) -> pd.DataFrame:
    """Unbalanced sites x genotypes (about half present), site-specific error variances."""
    rng = np.random.default_rng(seed)
    g = rng.normal(0, 2, genos)
    sd = rng.uniform(0.5, 4, sites)
    rows = [(f"S{s}", f"G{i}", 100 + 3 * s + g[i] + rng.normal(0, sd[s]))
            for s in range(sites) for i in range(genos) if rng.uniform() < 0.5]
    d = pd.DataFrame(rows, columns=["Site", "Geno", "y"])
    d = d.sample(frac=1, random_state=seed).reset_index(drop=True)
    return _factors(d, ("Site", "Geno"))


def field_data(seed: int = 13) -> pd.DataFrame:
    """20 rows x 15 columns; replicates of 100 plots in field order, each with every one of
    50 entries twice; 12 plots missing; ar1 x ar1 errors."""
    from bench_many_fits import _ar1

    rng = np.random.default_rng(seed)
    nr, nc = 20, 15
    d = pd.DataFrame([(r + 1, c + 1) for r in range(nr) for c in range(nc)],
                     columns=["Row", "Col"])
    d["Rep"] = "R" + (d.index // 100 + 1).astype(str)
    d["Entry"] = [f"E{e}" for k in range(3) for e in rng.permutation(50).tolist() * 2][:300]
    e = np.linalg.cholesky(np.kron(_ar1(nr, 0.6), _ar1(nc, 0.4))) @ rng.normal(size=nr * nc)
    d["y"] = (5 + rng.normal(0, 0.7, 50)[d.Entry.str[1:].astype(int)]
              + rng.normal(0, 0.5, 3)[d.index // 100] + e)
    d.loc[rng.choice(300, 12, replace=False), "y"] = np.nan
    return _factors(d, ("Row", "Col", "Rep", "Entry"))


def sweetpotato_data(seed: int = 15, genos: int = 150, envs: int = 4,
                     markers: int = 600) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weighted BLUEs of genotypes x environments, genetic effects correlated through a
    VanRaden G (hexaploid dosages 0..6), a fifth of the records missing; (data, G)."""
    rng = np.random.default_rng(seed)
    m = rng.binomial(6, rng.uniform(0.1, 0.9, markers), size=(genos, markers)).astype(float)
    p = m.mean(0) / 6
    z = m - 6 * p
    g = z @ z.T / (6 * np.sum(p * (1 - p))) + 1e-3 * np.eye(genos)
    names = [f"G{i}" for i in range(genos)]
    u = np.linalg.cholesky(g) @ rng.normal(size=(genos, envs)) * 0.8
    rows = [(f"E{e}", names[i], 10 + e + u[i, e] + rng.normal(0, 0.5), rng.uniform(1, 4))
            for e in range(envs) for i in range(genos)]
    d = pd.DataFrame(rows, columns=["env", "geno", "y", "w"])
    d.loc[rng.choice(len(d), len(d) // 5, replace=False), "y"] = np.nan
    return _factors(d, ("env", "geno")), pd.DataFrame(g, index=names, columns=names)


def _factors(d: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    for c in cols:
        d[c] = pd.Categorical(d[c].astype(str), categories=list(dict.fromkeys(d[c].astype(str))))
    return d


def workload(name: str) -> tuple[pd.DataFrame, dict[str, Any], str]:
    """(data, asreml() arguments, the classify of the predict); a ``family`` is given as
    (name, arguments) and made with the checkout's own asr_py."""
    if name == "sweetpotato":
        d, g = sweetpotato_data()
        return (d, dict(fixed="y ~ env", random="~ vm(geno, G):corh(env) + ide(geno)",
                        family=("asr_gaussian", {"dispersion": 1}), weights="w", G=g,
                        maxit=50), "env")
    if name == "rcbd":
        return rcbd_data(), dict(fixed="y ~ Trt", random="~ Block"), "Trt"
    if name == "plain":
        return plain_data(), dict(fixed="y ~ x", random="~ g"), "g"
    if name == "us2":
        return (us2_data(), dict(fixed="y ~ Site + Site:Rep", random="~ us(Site):Geno",
                                 residual="~ dsum(~ units | Site)"), "Site")
    if name == "met_sites":
        return (met_sites_data(), dict(fixed="y ~ Site", random="~ Geno",
                                       residual="~ dsum(~ units | Site)"), "Site")
    if name.startswith("met_"):
        g = {"met_diag": "diag(Site):Geno", "met_us": "us(Site):Geno",
             "met_fa": "fa(Site, 1):Geno"}[name]
        return (met_small_data(), dict(fixed="y ~ Site + Site:Rep", random=f"~ {g}",
                                       residual="~ dsum(~ units | Site)"), "Site")
    if name == "field":
        return (field_data(), dict(fixed="y ~ Entry", random="~ Rep",
                                   residual="~ ar1(Row):ar1(Col)"), "Entry")
    if name == "chickpea":
        from bench_many_fits import spatial_data

        return (spatial_data(), dict(fixed="y ~ House + Geno * Trt",
                                     random="~ House:(Lane + Position)",
                                     residual="~ dsum(~ ar1(Lane):ar1(Position) | House)"),
                "Trt")
    raise SystemExit(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}")


def _one_fit(asr: Any, d: pd.DataFrame, kw: dict[str, Any], classify: str) -> dict:
    if isinstance(kw.get("family"), tuple):
        name, args = kw["family"]
        kw = dict(kw, family=getattr(asr, name)(**args))
    m = asr.asreml(**kw, data=d)
    vc = m.varcomp
    cf = m.coef
    pv = m.predict(classify=classify)
    return {"m": m, "vc": vc, "coef": cf, "pvals": pv}


def _child(name: str, reps: int) -> dict:
    """Run one workload ``reps`` times in this process: CPU per fit, the last fit's numbers."""
    from threadpoolctl import threadpool_limits

    import asr_py as asr

    d, kw, classify = workload(name)
    with threadpool_limits(1):
        out = _one_fit(asr, d, kw, classify)  # warm-up: imports, first-call caches
        t0 = time.process_time()
        for _ in range(reps):
            out = _one_fit(asr, d, kw, classify)
        cpu = (time.process_time() - t0) / reps
    m, pv = out["m"], out["pvals"]
    return {"cpu": cpu, "n": reps, "iterations": int(len(m.iterations)),
            "loglik": float(m.loglik),
            "theta": [float(x) for x in out["vc"]["component"].to_numpy()],
            "vc_se": [float(x) for x in out["vc"]["std.error"].to_numpy()],
            "coef": [float(x) for x in np.asarray(out["coef"].iloc[:, 0], dtype=float)],
            "pred": [float(x) for x in pv["predicted.value"].to_numpy()],
            "se": [float(x) for x in pv["std.error"].to_numpy()],
            "asr_py": str(Path(asr.__file__).parent)}


def _timed(acc: dict[str, float], key: str, fn: Callable) -> Callable:
    def wrap(*a: Any, **k: Any) -> Any:
        t = time.process_time()
        try:
            return fn(*a, **k)
        finally:
            acc[key] += time.process_time() - t
    return wrap


def _phases(name: str, reps: int) -> dict:
    """CPU per fit by phase (this checkout): the functions are wrapped with timers."""
    from threadpoolctl import threadpool_limits

    import asr_py as asr
    import asr_py.api as api
    import asr_py.reml.ai as ai
    import asr_py.reml.mme as mme
    from asr_py.formula import parser

    acc: dict[str, float] = defaultdict(float)
    api.compile_model = _timed(acc, "compile", api.compile_model)
    parser.parse_formula_uncached = _timed(acc, "compile: parse (uncached)",
                                           parser.parse_formula_uncached)
    api._fit_general = _timed(acc, "fit", api._fit_general)
    ai.build_result = _timed(acc, "fit: final result", ai.build_result)
    ai.em_step = _timed(acc, "fit: EM steps", ai.em_step)
    for meth, key in (("evaluate", "fit: evaluate (assemble, factor)"),
                      ("_residual_terms", "fit: evaluate: residual R⁻¹, W'R⁻¹"),
                      ("_factor", "fit: evaluate: factor C"),
                      ("ai_parts", "fit: AI matrix"), ("score_from", "fit: score traces")):
        setattr(mme.MME, meth, _timed(acc, key, getattr(mme.MME, meth)))
    d, kw, classify = workload(name)
    with threadpool_limits(1):
        _one_fit(asr, d, kw, classify)
        acc.clear()
        t0 = time.process_time()
        if isinstance(kw.get("family"), tuple):
            name_f, args = kw["family"]
            kw = dict(kw, family=getattr(asr, name_f)(**args))
        for _ in range(reps):
            m = asr.asreml(**kw, data=d)
            t = time.process_time()
            _ = (m.varcomp, m.coef, m.predict(classify=classify))
            acc["results (varcomp, coef, predict)"] += time.process_time() - t
        total = time.process_time() - t0
    out = {k: v / reps for k, v in acc.items()}
    out["total"] = total / reps
    out["iterations"] = len(m.iterations)
    return out


def _run(mode: str, name: str, reps: int, pythonpath: str | None) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(
        [p for p in (pythonpath, str(Path(__file__).resolve().parent), env.get("PYTHONPATH"))
         if p])
    out = subprocess.run([sys.executable, __file__, mode, name, "--reps", str(reps)],
                         env=env, capture_output=True, text=True, cwd="/")
    if out.returncode:
        raise SystemExit(f"{name}: the child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fastest(runs: list[dict]) -> dict:
    """The run with the least CPU per fit (the numbers of every run are the same fit's)."""
    return min(runs, key=lambda r: r["cpu"])


def _rel(a: list[float], b: list[float]) -> float:
    """max |a − b| / max(max |b|, 1) (nan if the lengths differ)."""
    a_, b_ = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a_.shape != b_.shape:
        return float("nan")
    na, nb = np.isnan(a_), np.isnan(b_)
    if np.any(na != nb):
        return float("inf")  # missing in one only
    a_, b_ = a_[~na], b_[~nb]
    if not a_.size:
        return 0.0
    return float(np.max(np.abs(a_ - b_)) / max(float(np.max(np.abs(b_))), 1.0))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5, help="timed fits per workload")
    ap.add_argument("--old-ref", default="2298fa3", help="the commit to compare with")
    ap.add_argument("--skip-old", action="store_true", help="time this checkout only")
    ap.add_argument("--phases", action="store_true", help="print the phase split")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--rounds", type=int, default=1,
                    help="alternate old and new this many times; keep each one's fastest")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--phase-child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(_child(a.child, a.reps)))
        return
    if a.phase_child:
        print(json.dumps(_phases(a.phase_child, a.reps)))
        return
    names = a.workloads.split(",")
    if a.phases:
        for w in names:
            ph = _run("--phase-child", w, a.reps, str(ROOT))
            tot = ph.pop("total")
            print(f"{w}: {tot:.4f} s CPU per fit, {ph.pop('iterations')} iterations")
            for k in sorted(ph):
                print(f"    {k:42s} {ph[k]:8.4f} s  {100 * ph[k] / tot:5.1f}%")
        return
    with tempfile.TemporaryDirectory(prefix="bench_small_fits_") as tmp:
        old_path = None
        if not a.skip_old:
            from bench_many_fits import old_tree

            old_path = old_tree(a.old_ref, tmp)
        print(f"{'workload':9s} {'iter':>4s} {'new s/fit':>10s} {'old s/fit':>10s} "
              f"{'old/new':>8s} {'Δℓ':>8s} {'Δθ':>8s} {'ΔSE(θ)':>8s} {'Δcoef':>8s} {'Δpred':>8s} "
              f"{'Δse':>8s}")
        for w in names:
            new = _run("--child", w, a.reps, str(ROOT))
            if old_path is None:
                for _ in range(a.rounds - 1):
                    new = _fastest([new, _run("--child", w, a.reps, str(ROOT))])
                print(f"{w:9s} {new['iterations']:4d} {new['cpu']:10.4f}", flush=True)
                continue
            old = _run("--child", w, a.reps, old_path)
            for _ in range(a.rounds - 1):  # alternate: both see the same spread of load
                new = _fastest([new, _run("--child", w, a.reps, str(ROOT))])
                old = _fastest([old, _run("--child", w, a.reps, old_path)])
            assert old["asr_py"].startswith(old_path), old["asr_py"]
            dll = abs(new["loglik"] - old["loglik"]) / max(abs(old["loglik"]), 1.0)
            diffs = [_rel(new[k], old[k]) for k in ("theta", "vc_se", "coef", "pred", "se")
                     if k in new and k in old]
            print(f"{w:9s} {new['iterations']:4d} {new['cpu']:10.4f} {old['cpu']:10.4f} "
                  f"{old['cpu'] / new['cpu']:8.2f} {dll:8.1e} "
                  + " ".join(f"{x:8.1e}" for x in diffs), flush=True)


if __name__ == "__main__":
    main()
