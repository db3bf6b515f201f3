"""Benchmark: dense (LAPACK) vs sparse (CHOLMOD + Takahashi selected inverse) on real MMEs.

Run: ``python3 benchmarks/bench_solver.py [--quick] [--fit50k]``. BLAS is limited to one
thread. For each problem it prints the size of C, the factorization time (first = with the
symbolic analysis, then a refactor with the same pattern), the selected-inverse time on C's
pattern (first = with the plan), nnz(L), and for the dense backend Cholesky and full inverse.
Then the whole gryphon fit with each backend, and (``--fit50k``) the first AI iterations of
the 50 000-animal bivariate animal model.

Problems: the gryphon animal model C at its REML estimates (tests/data), and animal models
on simulated pedigrees: ``n_per_gen`` animals per generation, 10 generations, sires drawn
from 5 % of the males and dams from the females of the previous generation; one record per
animal (univariate) or two traits (bivariate: us(trait):vm(animal, A⁻¹), units:us(trait)).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import asr_py as asr  # noqa: E402
from asr_py.model.spec import compile_model  # noqa: E402
from asr_py.reml import fit_reml  # noqa: E402
from asr_py.reml.mme import MME  # noqa: E402
from asr_py.reml.solver import DenseFactor, factorize  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def simulate_pedigree(n_per_gen: int, n_gen: int = 10, seed: int = 1) -> pd.DataFrame:
    """Random-mating pedigree (benchmarks/problems.py's simulator): sires drawn from about
    5 % of the previous generation's animals, dams from its females."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from problems import simulate_pedigree as simulate

    return simulate(n_per_gen * n_gen, n_gen, n_sires=max(1, n_per_gen // 20),
                    seed=seed)[["id", "sire", "dam"]]


def animal_problem(n_per_gen: int, bivariate: bool, seed: int = 2):
    ped = simulate_pedigree(n_per_gen)
    ainv = asr.ainverse(ped)
    rng = np.random.default_rng(seed)
    n = len(ped)
    dat = pd.DataFrame({"animal": ped["id"], "sex": rng.choice(["M", "F"], n)})
    dat["y1"] = rng.normal(size=n)
    dat["y2"] = 0.5 * dat["y1"] + rng.normal(size=n)
    if bivariate:
        model = compile_model("cbind(y1, y2) ~ trait + trait:sex", "~ us(trait):vm(animal, ainv)",
                              "~ units:us(trait)", dat, ainv=ainv)
    else:
        model = compile_model("y1 ~ sex", "~ vm(animal, ainv)", None, dat, ainv=ainv)
    return model.problem()


def gryphon_problem():
    d = pd.read_csv(DATA / "DT_gryphon.csv", dtype=str).astype({"BWT": float, "TARSUS": float})
    p = pd.read_csv(DATA / "P_gryphon.csv", dtype=str, keep_default_na=False)
    return d, asr.ainverse(p)


def _t(f, *a):
    t = time.perf_counter()
    out = f(*a)
    return out, time.perf_counter() - t


def bench_c(label: str, c, dense_max: int = 8000) -> None:
    n = c.shape[0]
    print(f"\n{label}: C {n} x {n}, nnz {c.nnz}")
    f, t1 = _t(factorize, c, "sparse")
    g, t2 = _t(f.refactor, c * 1.01)
    _, t3 = _t(f.inverse_on, c)
    _, t4 = _t(g.inverse_on, c)
    nnz_l = f._an.plan.nnz
    print(f"  sparse: factor {t1:.4f} s (refactor {t2:.4f} s), selected inverse {t3:.4f} s "
          f"(again {t4:.4f} s), nnz(L) {nnz_l}, supernodes {f._an.plan.nsn}")
    if n <= dense_max:
        d, t5 = _t(DenseFactor, c)
        _, t6 = _t(d.inverse)
        print(f"  dense:  factor {t5:.4f} s, full inverse {t6:.4f} s")
        print(f"  |logdet diff| {abs(d.logdet() - f.logdet()):.2e}")


def fit_times(d, ainv) -> None:
    for solver in ("dense", "sparse"):
        ts = []
        for _ in range(3):
            t = time.perf_counter()
            m = asr.asreml("BWT ~ SEX", "~ vm(ANIMAL, ainv) + MOTHER", data=d, ainv=ainv,
                           solver=solver)
            ts.append(time.perf_counter() - t)
        print(f"gryphon whole fit, solver={solver}: best of 3 {min(ts):.3f} s "
              f"(loglik {m.loglik:.8f}, {m.result.n_iter} iterations)")


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    d, ainv = gryphon_problem()
    m = asr.asreml("BWT ~ SEX", "~ vm(ANIMAL, ainv) + MOTHER", data=d, ainv=ainv)
    prob = m.model.problem()
    bench_c("gryphon at the REML estimates", MME(prob).assemble(m.result.theta)[0])
    sizes = [(200, False), (500, False), (1000, False)] if quick else [
        (200, False), (500, False), (1000, False), (2000, False), (5000, False),
        (5000, True)]
    for npg, biv in sizes:
        p = animal_problem(npg, biv)
        c = MME(p).assemble(p.theta0)[0]
        bench_c(f"{'bivariate' if biv else 'univariate'} animal model, {10 * npg} animals", c)
    print()
    fit_times(d, ainv)
    if "--fit50k" in argv:
        p = animal_problem(5000, True)
        times: list[float] = []
        t = time.perf_counter()
        res = fit_reml(p, maxit=3, solver="sparse",
                       callback=lambda h: times.append(h["seconds"]))
        print(f"50k bivariate, 3 AI iterations: {time.perf_counter() - t:.1f} s in all; "
              f"per iteration {[round(x, 2) for x in times]} s; loglik {res.loglik:.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
