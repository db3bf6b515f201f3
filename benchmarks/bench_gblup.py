"""Benchmark: G-BLUP by AI-REML, general path vs the eigendecomposition path.

Run: ``python3 benchmarks/bench_gblup.py [n] [m] [--no-general]``. Simulates n lines x m
SNPs (0/1/2, allele frequencies ~ U(0.05, 0.95)), G = gmatrix(markers, ridge=0.01) (VanRaden;
the ridge because m < n leaves G singular), two correlated traits with h² ~ 0.5, fixed
effects intercept + covariate + a 4-level environment factor. Fits

* one trait:  ``y1 ~ x + env``, random ``~ vm(id, G)``
* two traits: ``cbind(y1, y2) ~ trait + trait:x + trait:env``, random
  ``~ us(trait):vm(id, G)``, residual ``~ units:us(trait)``

with ``fit_reml`` (general path, solver 'auto') and ``fit_reml_eigen``. BLAS is single-threaded
(OPENBLAS_NUM_THREADS=1 and friends are set before numpy loads). The eigen time is split into
the eigendecomposition + rotation (first call, not cached) and the REML iterations.
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from asr_py.genetics import gmatrix  # noqa: E402
from asr_py.model.spec import compile_model  # noqa: E402
from asr_py.reml import fit_reml  # noqa: E402
from asr_py.reml.eigen import fit_reml_eigen, rotate_problem  # noqa: E402


def simulate(n: int, m: int, seed: int = 7) -> tuple[pd.DataFrame, object, float]:
    rng = np.random.default_rng(seed)
    freq = rng.uniform(0.05, 0.95, m)
    markers = rng.binomial(2, freq, size=(n, m)).astype(float)
    ids = [f"L{i:05d}" for i in range(n)]
    t = time.perf_counter()
    G = gmatrix(markers, ids=ids, ridge=0.01)
    t_g = time.perf_counter() - t
    w = markers - 2 * freq
    b1 = rng.normal(size=m)
    b2 = 0.5 * b1 + rng.normal(size=m)
    g1, g2 = w @ b1, w @ b2
    g1, g2 = g1 / g1.std(), g2 / g2.std()
    x = rng.normal(size=n)
    env = rng.choice(["e1", "e2", "e3", "e4"], n)
    eff = pd.Series({"e1": 0.0, "e2": 0.5, "e3": -0.3, "e4": 1.0})
    y1 = 5 + 0.3 * x + eff[env].to_numpy() + g1 + rng.normal(size=n)
    y2 = 2 - 0.2 * x + g2 + rng.normal(size=n)
    df = pd.DataFrame({"id": ids, "x": x, "env": env, "y1": y1, "y2": y2})
    return df.iloc[rng.permutation(n)].reset_index(drop=True), G, t_g


def run(label: str, spec: dict, df: pd.DataFrame, G: object, general: bool) -> None:
    t = time.perf_counter()
    model = compile_model(data=df, G=G, **spec)
    prob = model.problem()
    t_c = time.perf_counter() - t
    print(f"\n{label}: {prob.y.size} records, {prob.X.shape[1]} fixed effects, "
          f"{prob.n_theta} variance parameters (compile {t_c:.2f} s)")
    t = time.perf_counter()
    rot = rotate_problem(prob)  # eigendecomposition (cached on K's template) + rotation
    t_rot = time.perf_counter() - t
    assert rot is not None
    t = time.perf_counter()
    eig = fit_reml_eigen(prob)  # reuses the cached decomposition; rotates again
    t_fit = time.perf_counter() - t
    assert eig is not None
    print(f"  eigen   : {t_rot + t_fit:7.2f} s  (eigendecomposition {rot[1].seconds_eigen:.2f} s"
          f" + rotation {t_rot - rot[1].seconds_eigen:.2f} s, REML {t_fit:.2f} s, "
          f"{eig.n_iter} iterations)  loglik {eig.loglik:.6f}")
    if not general:
        return
    t = time.perf_counter()
    gen = fit_reml(prob)
    t_gen = time.perf_counter() - t
    print(f"  general : {t_gen:7.2f} s  ({gen.n_iter} iterations, solver {gen.solver})  "
          f"loglik {gen.loglik:.6f}")
    rel = np.max(np.abs(eig.theta - gen.theta) / np.abs(gen.theta))
    dll = abs(eig.loglik - gen.loglik)
    du = np.max(np.abs(eig.u[0] - gen.u[0]))
    print(f"  speed-up {t_gen / (t_rot + t_fit):.1f}x; |Δloglik| {dll:.2e}, "
          f"max rel Δθ {rel:.2e}, max |Δu| {du:.2e}")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 2_000
    m = int(args[1]) if len(args) > 1 else 1_000
    general = "--no-general" not in sys.argv
    df, G, t_g = simulate(n, m)
    print(f"{n} lines x {m} SNPs; gmatrix {t_g:.2f} s (not part of the fits)")
    run("one trait", dict(fixed="y1 ~ x + env", random="~ vm(id, G)"), df, G, general)
    run("two traits", dict(fixed="cbind(y1, y2) ~ trait + trait:x + trait:env",
                           random="~ us(trait):vm(id, G)", residual="~ units:us(trait)"),
        df, G, general)


if __name__ == "__main__":
    main()
