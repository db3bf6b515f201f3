"""How far the AI matrix is from −∇²ℓ on an over-factored fa MET, and whether the
score-weighted curvature of the loadings explains the gap (s31fa).

    OMP_NUM_THREADS=1 python benchmarks/diag_fa_hessian.py [--case I] [--maxit M]

A case of benchmarks/bench_fa_overfactored.py (``y ~ env``, ``random = ~ gen:fa(env, k)``) is
fitted for ``maxit`` iterations; at those estimates, over the free parameters off their
bounds (ψ above 1e-2 and the loadings that are not structural zeros, σ²):

* H: central differences of the engine's analytic score (FD_Z = 1e-4 standard errors);
* AI: the engine's average information;
* AI − S: AI less the loadings' score-weighted curvature S = Σ_ab G_ab ∂²Σ_ab/∂θ_k∂θ_l
  (fa: S[(i, j), (l, m)] = 2 G_il δ_jm), with G = ∂ℓ/∂Σ = Z_e'(M ∘ Z_g Z_g')Z_e,
  M = ½(Pyy'P − P), from a dense V in numpy (independent of the engine: its ψ score must
  equal diag(G) and its loading score 2GΛ; both printed);

and for each of the three the relative Frobenius distance to H (scaled by the standard
errors), its smallest scaled eigenvalue, and the gain ½ s'δ its Newton step δ = M⁻¹s predicts
against the gain ℓ(θ + δ) − ℓ(θ) it makes.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "reml"), str(ROOT / "benchmarks")]

from bench_fa_overfactored import CASES  # noqa: E402

import asr_py as asr  # noqa: E402
from asr_py.reml.ai import score_ai_at  # noqa: E402
from asr_py.vcov.factor_analytic import FactorAnalytic  # noqa: E402

FD_Z = 1e-4
PSI_HELD = 1e-2


def _gradient_matrix(d, theta: np.ndarray, fa: FactorAnalytic) -> np.ndarray:
    """G = ∂ℓ/∂Σ from a dense V = (Z_g Z_g') ∘ (Z_e Σ Z_e') + σ²I."""
    from _dense_reml import drop_aliased, indicator

    y = d.y.to_numpy(float)
    ze, zg = indicator(d.env), indicator(d.gen)
    x = drop_aliased(ze)
    gg = zg @ zg.T
    v = gg * (ze @ fa.matrix(theta[:fa.n_params]) @ ze.T) + theta[-1] * np.eye(y.size)
    vi = np.linalg.inv(v)
    p = vi - vi @ x @ np.linalg.solve(x.T @ vi @ x, x.T @ vi)
    py = p @ y
    return ze.T @ ((0.5 * (np.outer(py, py) - p)) * gg) @ ze


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", type=int, default=0)
    ap.add_argument("--maxit", type=int, default=25)
    a = ap.parse_args()
    from test_fa_met_convergence import _met

    n_env, n_gen, rank, k, seed = CASES[a.case]
    d = _met(n_env, n_gen, rank, 0, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = asr.asreml("y ~ env", random=f"~ gen:fa(env, {k})", data=d, maxit=a.maxit)
    prob = fit.model.problem()
    th = np.asarray(fit.result.theta, dtype=float)
    ll, s, ai = score_ai_at(prob, th)
    fa = FactorAnalytic(list(d.env.cat.categories), order=k)
    fixed = np.array([c.upper() == "F" for c in prob.constraints])
    held = np.zeros(th.size, dtype=bool)
    held[:n_env] = th[:n_env] < PSI_HELD
    free = np.flatnonzero(~fixed & ~held)
    se = np.sqrt(np.abs(np.diag(ai)))
    h = np.zeros((th.size, th.size))
    for j in free:
        e = np.zeros(th.size)
        e[j] = FD_Z / se[j]
        h[:, j] = -(score_ai_at(prob, th + e)[1] - score_ai_at(prob, th - e)[1]) / (2 * e[j])
    h = 0.5 * (h + h.T)
    g = _gradient_matrix(d, th, fa)
    lam = fa.loadings(th[n_env:fa.n_params])
    print(f"case {a.case} {CASES[a.case]} after {fit.result.n_iter} iterations: ℓ {ll:.6f}, "
          f"{free.size} free parameters, {int(held.sum())} ψ held")
    print(f"check: |score(ψ) − diag(G)| {np.abs(s[:n_env] - np.diag(g)).max():.2g} "
          f"(max |score(ψ)| {np.abs(s[:n_env]).max():.2g}), |score(λ) − 2GΛ| "
          f"{np.abs(s[n_env:fa.n_params] - (2 * g @ lam).T.ravel()).max():.2g}")
    curv = np.zeros_like(h)
    for p1, (i, j) in enumerate(fa._pos):
        for p2, (m, c) in enumerate(fa._pos):
            if j == c:
                curv[n_env + p1, n_env + p2] = 2 * g[i, m]
    blk = np.ix_(free, free)
    scl = np.outer(se[free], se[free])
    hs = h[blk] / scl
    for name, mat in (("AI", ai), ("AI - S", ai - curv), ("H (differenced)", h)):
        ms = mat[blk] / scl
        step = np.linalg.solve(mat[blk], s[free])
        t2 = th.copy()
        t2[free] += step
        try:
            got = score_ai_at(prob, t2)[0] - ll
        except (ValueError, np.linalg.LinAlgError, asr.AsrError):
            got = float("nan")
        print(f"{name:16s} |M − H|/|H| {np.linalg.norm(ms - hs) / np.linalg.norm(hs):.3f}  "
              f"min eig {np.linalg.eigvalsh(ms).min():+.3g}  Newton gain predicted "
              f"{0.5 * s[free] @ step:.3g}, made {got:.3g}")


if __name__ == "__main__":
    main()
