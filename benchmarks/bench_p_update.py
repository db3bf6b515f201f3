"""Benchmark (s29slow): the V form's P = V⁻¹ − (V⁻¹X K)(V⁻¹X)' with the rank-p correction
subtracted in place by one BLAS dgemm (β = 1, ``reml/v_form._subtract_low_rank``) against the
old ``inv -= (V⁻¹X K) @ (V⁻¹X)'`` (an n x n product, then a second pass), both measured in
this run, one BLAS thread.

    OMP_NUM_THREADS=1 python benchmarks/bench_p_update.py [--lines 550] [--reps 5] [--fit]

Case: bench_dense_mme's ``vm(geno, G):corh(env) + ide(geno)`` on V (L lines x 6
environments; the sweetpotato cross-validation folds have L = 550, n = 2 288 records).
Prints the CPU seconds of the correction step alone and of one score point (V's Cholesky, P,
traces, AI: what every iteration and differenced-Hessian evaluation pays), best of
``reps``, old and new alternated, their ratios; with ``--fit`` a whole fit per path (CPU,
iterations, ℓ). Exits 1 unless P is the same array to the last digit (and the fits' ℓ,
θ̂ and iterations are identical).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from bench_dense_mme import _data  # noqa: E402

import asr_py as asr  # noqa: E402
from asr_py.reml import v_form  # noqa: E402

_NEW = v_form._subtract_low_rank


def _old(inv: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Before s29slow: the n x n product formed, then subtracted."""
    inv -= a @ b.T


def _set(old: bool) -> None:
    v_form._subtract_low_rank = _old if old else _NEW


def _best(fn: Callable[[], object], reps: int) -> float:
    best = np.inf
    for _ in range(reps):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return float(best)


def _fit(d: object, G: object, kw: dict, maxit: int) -> asr.AsremlModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(data=d, maxit=maxit, G=G, solver="v", **kw)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=550)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--fit", action="store_true", help="also a whole fit per path")
    a = ap.parse_args()
    d, G, kw = _data("corh", a.lines)
    cap: dict = {}
    orig = v_form.VForm.__init__

    def init(self: v_form.VForm, problem: object) -> None:
        orig(self, problem)  # type: ignore[arg-type]
        cap["form"] = self

    v_form.VForm.__init__ = init  # type: ignore[method-assign]
    m = _fit(d, G, kw, 2)
    v_form.VForm.__init__ = orig  # type: ignore[method-assign]
    form, theta = cap["form"], np.asarray(m.result.theta, dtype=float)
    st = form.evaluate(theta)
    fac = st.factor
    base = fac.p_matrix().copy()
    vxk = fac.vx @ fac.k
    inv0 = base + vxk @ fac.vx.T  # any symmetric C-ordered n x n start: the step's cost
    step, point, ps = {}, {}, {}
    for _ in range(a.reps):
        for old in (True, False):
            _set(old)
            work = inv0.copy()
            t0 = time.process_time()
            v_form._subtract_low_rank(work, vxk, fac.vx)
            step[old] = min(step.get(old, np.inf), time.process_time() - t0)

            def score(old: bool = old) -> None:
                s = form.evaluate(theta)
                ps[old] = (s.factor.p_matrix(), *form.score_ai(s))

            point[old] = min(point.get(old, np.inf), _best(score, 1))
    _set(False)
    (po, so, ao), (pn, sn, an) = ps[True], ps[False]
    same = bool(np.array_equal(po, pn) and np.array_equal(so, sn) and np.array_equal(ao, an))
    print(f"n = {form.n} records, p = {fac.vx.shape[1]}: correction step old "
          f"{step[True]:.4f} s / new {step[False]:.4f} s CPU (x{step[True] / step[False]:.1f});"
          f" score point old {point[True]:.3f} / new {point[False]:.3f} s "
          f"(x{point[True] / point[False]:.3f}); P, score, AI the same digits: {same}",
          flush=True)
    ok = same
    if a.fit:
        fits = {}
        for old in (True, False):
            _set(old)
            t0 = time.process_time()
            r = _fit(d, G, kw, 30).result
            fits[old] = (time.process_time() - t0, r)
        _set(False)
        (co, ro), (cn, rn) = fits[True], fits[False]
        print(f"fit: old {co:.2f} s / new {cn:.2f} s CPU (x{co / cn:.2f}), iterations "
              f"{ro.n_iter}/{rn.n_iter}, ℓ {ro.loglik!r} / {rn.loglik!r}")
        ok = ok and ro.n_iter == rn.n_iter and ro.loglik == rn.loglik and bool(
            np.array_equal(ro.theta, rn.theta))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
