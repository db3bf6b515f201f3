"""A breeder's day at user scale: four workflows on simulated data at realistic sizes and
units, each in its own child process (peak RSS = that workflow's alone), timed against a
baseline measured in the same child (one dense 2000 x 2000 Cholesky in numpy), so the
ratios stay comparable across machines and loads.

    python3 benchmarks/bench_user_workflows.py [--reduced] [--only a,b,c,d] [--met-full]

a. animal: 20 000-individual pedigree over 6 generations (10 % selfs, 15 % unknown sires,
   inbreeding), 1-3 records on generations 2-5 of weight (kg) and length (mm), 30 % of each
   missing; ``us(trait):vm(animal, Ainv) + us(trait):ide(animal)``, ``units:us(trait)``;
   h², r_g by vpredict, BLUP accuracies from PEV; the same fit with weight in grams (ℓ must
   shift by −(n_w − 2) log 1000).
b. gblup: 1 500 lines x 5 000 SNPs, 50 lines genotyped twice (G singular): vm(id, G) with G
   as is (PSD), ridged (G + 0.01 I) and blended (0.95 G + 0.05 I); one record per line, so
   all three give the same ℓ (the ridge moves into the residual). Then a MET
   ``fa(env, 2):vm(id, G)`` over 8 environments (300 lines; all 1 500 with --met-full).
c. met: 40 trials of 120 of 300 genotypes in four units (t/ha, kg/plot, bu/ac, g/m²), every
   5th with one rep, AR1 x AR1 plot errors: stage 1 per trial (``y ~ geno [+ rep]``,
   ``ar1(Row):ar1(Col)``), BLUEs and weights 1/se²; stage 2 ``fa(trial, 2):geno`` with the
   weights and the residual dispersion fixed at 1.
d. cv: GBLUP of 1 500 lines, 5-fold cross-validation repeated 10 times (50 refits by
   ``update(data=masked)``), accuracy cor(ĝ, g) of the masked lines; seconds per refit.

--reduced runs each at about a tenth of the size (a minute or two in all).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import user_sim as sim  # noqa: E402


def _baseline() -> float:
    """Wall seconds for one dense 2000 x 2000 Cholesky (median of 3)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2000, 2000))
    a = a @ a.T + 2000 * np.eye(2000)
    ts = []
    for _ in range(3):
        t0 = time.perf_counter()
        np.linalg.cholesky(a)
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def _timed(out: dict[str, Any], key: str, fn: Any) -> Any:
    """Runs ``fn``, recording wall seconds (key_s) and this process's CPU seconds (key_cpu_s:
    on a shared machine the wall time includes waiting for a core)."""
    t0, c0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings(record=True) as wl:
        warnings.simplefilter("always")
        res = fn()
    out[key + "_s"] = round(time.perf_counter() - t0, 3)
    out[key + "_cpu_s"] = round(time.process_time() - c0, 3)
    if wl:
        out.setdefault("warnings", []).extend(f"{key}: {str(w.message)[:160]}" for w in wl)
    return res


def run_animal(reduced: bool) -> dict[str, Any]:
    import asr_py as asr

    out: dict[str, Any] = {}
    n = 2_000 if reduced else 20_000
    ped = sim.pedigree(n, 6, seed=1)
    ainv = _timed(out, "ainverse", lambda: asr.ainverse(ped[["animal", "sire", "dam"]],
                                                        check_roles=False))
    F = ainv.inbreeding.reindex(ped["animal"]).to_numpy()
    out.update(animals=n, F_mean=round(float(F.mean()), 4), F_max=round(float(F.max()), 4))
    a = sim.breeding_values(ped, sim.G0, F)
    df = sim.repeated_records(ped, a)
    out["records"] = len(df)
    kw = dict(fixed="cbind(wt_kg, len_mm) ~ trait + trait:sex",
              random="~ us(trait):vm(animal, Ainv) + us(trait):ide(animal)",
              residual="~ units:us(trait)", Ainv=ainv)
    m = _timed(out, "fit", lambda: asr.asreml(data=df, **kw))
    out.update(converged=m.converged, iterations=len(m.result.history), loglik=m.loglik)
    h2 = m.vpredict("h2 ~ V1/(V1+V4+V8)")
    rg = m.vpredict("rg ~ V2/sqrt(V1*V3)")
    out.update(h2_wt=[round(float(h2.iloc[0, 0]), 3), round(float(h2.iloc[0, 1]), 3)],
               h2_true=round(sim.G0[0, 0] / (sim.G0[0, 0] + sim.P0[0, 0] + sim.R0[0, 0]), 3),
               rg=[round(float(rg.iloc[0, 0]), 3), round(float(rg.iloc[0, 1]), 3)],
               rg_true=round(sim.G0[0, 1] / np.sqrt(sim.G0[0, 0] * sim.G0[1, 1]), 3))
    cr = _timed(out, "coef_random", lambda: m.coef_random)
    va = float(m.varcomp["component"].iloc[0])
    se = cr.loc[[f"trait:vm(animal, Ainv)_wt_kg:{k}" for k in ped["animal"]], "std.error"]
    acc = np.sqrt(np.clip(1 - se.to_numpy() ** 2 / (va * (1 + F)), 0, None))
    u = cr.loc[[f"trait:vm(animal, Ainv)_wt_kg:{k}" for k in ped["animal"]], "solution"]
    rec = ped["gen"].to_numpy() >= 2
    out.update(accuracy_mean_recorded=round(float(acc[rec].mean()), 3),
               accuracy_mean_ancestors=round(float(acc[~rec].mean()), 3),
               cor_bv_recorded=round(float(np.corrcoef(u.to_numpy()[rec], a[rec, 0])[0, 1]), 3))
    g = df.assign(wt_kg=df["wt_kg"] * 1000.0)
    m2 = _timed(out, "fit_grams", lambda: asr.asreml(data=g, **kw))
    n_w = int(df["wt_kg"].notna().sum())
    out["jacobian_error"] = float(m2.loglik - (m.loglik - (n_w - 2) * np.log(1000.0)))
    return out


def run_gblup(reduced: bool, met_full: bool) -> dict[str, Any]:
    import asr_py as asr

    out: dict[str, Any] = {}
    n, m_snp = (300, 1_000) if reduced else (1_500, 5_000)
    mk = sim.markers_with_duplicates(n, m_snp)
    G = _timed(out, "gmatrix", lambda: asr.gmatrix(mk))
    ids = mk["id"].tolist()
    eye = pd.DataFrame(np.eye(n), index=ids, columns=ids)
    Gb = _timed(out, "gmatrix_blend", lambda: asr.gmatrix(mk, blend=0.05, a_matrix=eye))
    g = sim.genomic_values(mk, np.array([[30.0]]))[:, 0]
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"id": ids, "yld": 80 + g + rng.standard_normal(n) * np.sqrt(30.0)})
    out.update(lines=n, snps=m_snp)
    fits = {}
    for key, K in (("psd", G), ("ridge", asr.gmatrix(mk, ridge=0.01)), ("blend", Gb)):
        extra = ", singG = 'PSD'" if key == "psd" else ""
        fits[key] = _timed(out, f"fit_{key}", lambda K=K, extra=extra: asr.asreml(
            fixed="yld ~ 1", random=f"~ vm(id, K{extra})", data=df, K=K))
        out[f"loglik_{key}"] = fits[key].loglik
    n_met = n if (met_full or reduced) else 300
    sub = mk.iloc[:n_met]
    G2 = asr.gmatrix(sub, ridge=0.01)
    n_env = 8
    lam = np.random.default_rng(9).uniform(2, 4, (n_env, 2)) * np.array([1.0, 0.5])
    gm = sim.genomic_values(sub, lam @ lam.T + 3 * np.eye(n_env), seed=10)
    rows = []
    for e in range(n_env):
        lines = rng.choice(n_met, size=int(0.6 * n_met), replace=False)
        for r in range(2):
            y = 50 + 10 * e + gm[lines, e] + rng.standard_normal(lines.size) * np.sqrt(20)
            rows.append(pd.DataFrame({"env": f"E{e}", "rep": f"R{r}",
                                      "id": np.asarray(sub["id"])[lines], "y": y}))
    met = pd.concat(rows, ignore_index=True)
    out.update(met_lines=n_met, met_envs=n_env, met_records=len(met))
    mm = _timed(out, "fit_met_fa2", lambda: asr.asreml(
        fixed="y ~ env", random="~ fa(env, 2):vm(id, G)",
        residual="~ dsum(~ units | env)", data=met, G=G2))
    out.update(met_converged=mm.converged, met_iterations=len(mm.result.history),
               met_s_per_iter=round(out["fit_met_fa2_s"] / max(1, len(mm.result.history)), 2))
    return out


def run_met(reduced: bool) -> dict[str, Any]:
    import asr_py as asr

    out: dict[str, Any] = {}
    n_trials, n_geno = (8, 100) if reduced else (40, 300)
    per = 40 if reduced else 120
    d = sim.met_trials(n_trials, n_geno, per_trial=per)
    out.update(trials=n_trials, genotypes=n_geno, plots=len(d))
    blues = []
    t0, c0 = time.perf_counter(), time.process_time()
    n_conv = 0
    for trial, dt in d.groupby("trial", sort=True):
        fixed = "y ~ geno + rep" if dt["rep"].nunique() > 1 else "y ~ geno"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = asr.asreml(fixed=fixed, residual="~ ar1(Row):ar1(Col)", data=dt)
        n_conv += bool(m.converged)
        pv = m.predict(classify="geno")
        blues.append(pd.DataFrame({"trial": trial, "geno": pv["geno"],
                                   "blue": pv["predicted.value"],
                                   "w": 1.0 / pv["std.error"] ** 2}))
    out["stage1_s"] = round(time.perf_counter() - t0, 3)
    out["stage1_cpu_s"] = round(time.process_time() - c0, 3)
    out["stage1_s_per_trial"] = round(out["stage1_s"] / n_trials, 3)
    out["stage1_converged"] = f"{n_conv}/{n_trials}"
    st2 = pd.concat(blues, ignore_index=True)
    out["stage2_means"] = len(st2)
    m2 = _timed(out, "stage2_fa2", lambda: asr.asreml(
        fixed="blue ~ trial", random="~ fa(trial, 2):geno", weights="w",
        family=asr.asr_gaussian(dispersion=1.0), data=st2, maxit=60))
    out.update(stage2_converged=m2.converged, stage2_iterations=len(m2.result.history),
               stage2_loglik=m2.loglik)
    return out


def run_cv(reduced: bool) -> dict[str, Any]:
    import asr_py as asr

    out: dict[str, Any] = {}
    n, m_snp = (300, 1_000) if reduced else (1_500, 5_000)
    mk = sim.markers_with_duplicates(n, m_snp, n_dup=0)
    G = asr.gmatrix(mk, ridge=0.01)
    g = sim.genomic_values(mk, np.array([[1.0]]))[:, 0]
    rng = np.random.default_rng(11)
    df = pd.DataFrame({"id": mk["id"], "y": 5 + g + rng.standard_normal(n)})
    full = _timed(out, "fit_full", lambda: asr.asreml(fixed="y ~ 1", random="~ vm(id, G)",
                                                      data=df, G=G))
    accs, times, cpus = [], [], []
    for rep in range(10):
        folds = np.random.default_rng(100 + rep).permutation(n) % 5
        for k in range(5):
            masked = df.assign(y=df["y"].where(folds != k))
            t0, c0 = time.perf_counter(), time.process_time()
            m = full.update(data=masked)
            pv = m.predict(classify="id", only="vm(id, G)").set_index("id")
            times.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            test = folds == k
            accs.append(np.corrcoef(pv.loc[df["id"][test], "predicted.value"], g[test])[0, 1])
    out.update(lines=n, refits=len(times), s_per_refit=round(float(np.mean(times)), 3),
               s_per_refit_max=round(float(np.max(times)), 3),
               cpu_s_per_refit=round(float(np.mean(cpus)), 3),
               cv_accuracy=[round(float(np.mean(accs)), 3), round(float(np.std(accs)), 3)],
               # Daetwyler et al. (2008): r = sqrt(N h² / (N h² + M)), N = 4n/5 training
               # lines, h² = 1/2, M = the SNPs (independent in the simulation: no LD)
               daetwyler_expected=round(float(np.sqrt(0.4 * n / (0.4 * n + m_snp))), 3))
    return out


def _child(name: str, reduced: bool, met_full: bool) -> None:
    base = _baseline()
    t0 = time.perf_counter()
    if name == "a":
        out = run_animal(reduced)
    elif name == "b":
        out = run_gblup(reduced, met_full)
    elif name == "c":
        out = run_met(reduced)
    else:
        out = run_cv(reduced)
    out["total_s"] = round(time.perf_counter() - t0, 3)
    out["total_cpu_s"] = round(time.process_time(), 3)
    out["baseline_s"] = round(base, 4)
    out["total_x_baseline"] = round(out["total_s"] / base, 1)
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out, default=str))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reduced", action="store_true")
    ap.add_argument("--only", default="a,b,c,d")
    ap.add_argument("--met-full", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--timeout", type=float, default=3600)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.reduced, args.met_full)
        return
    names = {"a": "animal", "b": "gblup", "c": "met two-stage", "d": "cv loop"}
    for key in args.only.split(","):
        cmd = [sys.executable, __file__, "--child", key] + ["--reduced"] * args.reduced \
            + ["--met-full"] * args.met_full
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            print(f"== {key}. {names[key]}: timeout after {args.timeout:g} s", flush=True)
            continue
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
        if p.returncode or not lines:
            print(f"== {key}. {names[key]}: FAILED\n{p.stderr[-3000:]}", flush=True)
            continue
        print(f"== {key}. {names[key]}", flush=True)
        for k, v in json.loads(lines[-1]).items():
            print(f"  {k}: {v}", flush=True)


if __name__ == "__main__":
    main()
