"""An independent dense bivariate PQL (numpy/scipy, no asr_py): trait 1 Gaussian (identity),
trait 2 binary with a probit link, records stacked trait-within-row.

Working model: z = [y1; η2 + (y2 − Φ(η2))/φ(η2)], weights w = [1; φ(η2)²/(Φ(η2)(1 − Φ(η2)))],
V = Σ_g ⊗ (group incidence) + W^{-½}(R ⊗ I)W^{-½} with Σ_g unstructured 2 x 2 and
R = [[r11, r12], [r12, 1]] (the binary trait's residual variance held at 1). Each round
maximises the REML log-likelihood of z over (chol Σ_g, r12, log(r11 − r12²)) with scipy's
BFGS (warm-started from the previous round; the last round restarted from its optimum) and
sets η = Xβ̂ + (V − R_w)V⁻¹(z − Xβ̂) (the BLUP part); repeat until η is stable.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg, optimize, stats
from threadpoolctl import threadpool_limits


def _build(par: np.ndarray, same: np.ndarray, trait: np.ndarray, w: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    L = np.array([[par[0], 0.0], [par[1], par[2]]])
    sg = L @ L.T
    r12 = par[3]
    r11 = np.exp(par[4]) + r12 ** 2
    R = np.array([[r11, r12], [r12, 1.0]])
    s = 1.0 / np.sqrt(w)
    rw = np.zeros((trait.size, trait.size))
    rows = np.flatnonzero(trait == 0)  # row i's records are 2i (trait 0) and 2i + 1
    for a in (0, 1):
        for b in (0, 1):
            rw[rows + a, rows + b] = R[a, b] * s[rows + a] * s[rows + b]
    G = sg[np.ix_(trait, trait)] * same
    return G + rw, rw, sg, R


def _reml(z, X, V):
    cf = linalg.cho_factor(V, lower=True)
    vx, vz = linalg.cho_solve(cf, X), linalg.cho_solve(cf, z)
    xvx = X.T @ vx
    b = np.linalg.solve(xvx, X.T @ vz)
    pz = vz - vx @ b
    ld = 2 * np.log(np.diag(cf[0])).sum() + np.linalg.slogdet(xvx)[1]
    return -0.5 * (ld + z @ pz), b, vz - vx @ b


def dense_bivariate_pql(y: np.ndarray, trait: np.ndarray, group: np.ndarray, X: np.ndarray,
                        rounds: int = 60, tol: float = 1e-9) -> dict:
    with threadpool_limits(limits=1, user_api="blas"):
        return _fit(y, trait, group, X, rounds, tol)


def _fit(y, trait, group, X, rounds, tol):
    same = (group[:, None] == group[None, :]).astype(float)
    bin_ = trait == 1
    mu = np.where(bin_, (y + 0.5) / 2.0, y)
    eta = np.where(bin_, stats.norm.ppf(np.clip(mu, 1e-12, 1 - 1e-12)), y)
    par = np.array([1.0, 0.0, 0.5, 0.0, 0.0])
    last = False
    for _ in range(rounds):
        d = stats.norm.pdf(eta)
        p = stats.norm.cdf(eta)
        z = np.where(bin_, eta + (y - p) / d, y)
        w = np.where(bin_, d * d / np.clip(p * (1 - p), 1e-300, None), 1.0)

        def neg(q, z=z, w=w):
            try:
                return -_reml(z, X, _build(q, same, trait, w)[0])[0]
            except (np.linalg.LinAlgError, ValueError):
                return 1e300

        r = optimize.minimize(neg, par, method="BFGS", options={"gtol": 1e-9})
        if last:  # polish: BFGS restarted from its optimum
            r = optimize.minimize(neg, r.x, method="BFGS", options={"gtol": 1e-10})
        par = r.x
        V, rw, sg, R = _build(par, same, trait, w)
        _, b, pz = _reml(z, X, V)
        new = X @ b + (V - rw) @ pz
        change = np.max(np.abs(new - eta)) / (1 + np.max(np.abs(eta)))
        eta = new
        if last:
            break
        last = change < tol  # one more, polished, round once η is stable
    return {"sigma_g": sg, "R": R, "beta": b, "eta": eta}
