"""An independent dense PQL (Breslow & Clayton 1993) in numpy/scipy for the tests.

Written from the formulas, sharing no code with asr_py: the working variate and weights
z = η + (y − μ)/μ'(η), W = w μ'(η)² / V(μ); the working model z ~ N(Xβ, Σ_k σ²_k Z_k K_k Z_k'
+ φ W⁻¹) is fitted by maximising its REML log-likelihood over log-variances with scipy;
β = GLS, u_k = σ²_k K_k Z_k' P z ... (BLUP), η = Xβ + Σ Z_k u_k; repeat until η is stable.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg, optimize, stats
from threadpoolctl import threadpool_limits


def link_fns(family: str, link: str):
    """(linkinv, dmu/deta, variance) written out by hand."""
    if link == "logit":
        inv = lambda e: 1 / (1 + np.exp(-e))  # noqa: E731
        d = lambda e: np.exp(-e) / (1 + np.exp(-e)) ** 2  # noqa: E731
    elif link == "probit":
        inv, d = stats.norm.cdf, stats.norm.pdf
    elif link == "log":
        inv, d = np.exp, np.exp
    else:
        raise ValueError(link)
    var = {"binomial": lambda m: m * (1 - m), "poisson": lambda m: m,
           "Gamma": lambda m: m * m, "negbin2": lambda m: m + m * m / 2,
           "inverse.gaussian": lambda m: m ** 3}[family]
    return inv, d, var


def reml_loglik(z, X, ZKZ, sig, phi, winv, full=False):
    """REML log-likelihood of z ~ N(Xβ, Σ σ²_k Z_k K_k Z_k' + φ diag(winv))."""
    n, p = X.shape
    V = phi * np.diag(winv)
    for M, s in zip(ZKZ, sig):
        V = V + s * M
    cf = linalg.cho_factor(V, lower=True)
    ViX = linalg.cho_solve(cf, X)
    Viz = linalg.cho_solve(cf, z)
    XtVX = X.T @ ViX
    b = np.linalg.solve(XtVX, X.T @ Viz)
    Pz = Viz - ViX @ b
    ld = 2 * np.log(np.diag(cf[0])).sum() + np.linalg.slogdet(XtVX)[1]
    ll = -0.5 * ((n - p) * np.log(2 * np.pi) + ld + z @ Pz)
    return (ll, b, Pz) if full else ll


def dense_pql(y, w, X, Zs, Ks, family, link, *, dispersion=1.0, iters=100, tol=1e-8):
    """Returns dict(sig, phi, beta, u, eta) (single-threaded BLAS: small matrices)."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _dense_pql(y, w, X, Zs, Ks, family, link, dispersion=dispersion, iters=iters,
                          tol=tol)


def _dense_pql(y, w, X, Zs, Ks, family, link, *, dispersion, iters, tol):
    inv, dmu, var = link_fns(family, link)
    mu = {"binomial": (w * y + 0.5) / (w + 1), "poisson": y + 0.1, "Gamma": y.copy(),
          "negbin2": y + (y == 0) / 6, "inverse.gaussian": y.copy()}[family]
    eta = np.log(mu / (1 - mu)) if link == "logit" else (
        stats.norm.ppf(mu) if link == "probit" else np.log(mu))
    x0 = np.zeros(len(Zs) + (dispersion is None))
    ZKZ = [Z @ K @ Z.T for Z, K in zip(Zs, Ks)]
    for _ in range(iters):
        d = dmu(eta)
        z = eta + (y - inv(eta)) / d
        W = w * d ** 2 / var(inv(eta))

        def neg(lv, z=z, W=W):
            sig = np.exp(lv[:len(Zs)])
            phi = np.exp(lv[-1]) if dispersion is None else dispersion
            return -reml_loglik(z, X, ZKZ, sig, phi, 1 / W)

        opt = optimize.minimize(neg, x0, method="BFGS", options={"gtol": 1e-9})
        x0 = opt.x
        sig = np.exp(x0[:len(Zs)])
        phi = np.exp(x0[-1]) if dispersion is None else dispersion
        _, beta, Pz = reml_loglik(z, X, ZKZ, sig, phi, 1 / W, full=True)
        us = [s * K @ Z.T @ Pz for Z, K, s in zip(Zs, Ks, sig)]
        new = X @ beta + sum(Z @ u for Z, u in zip(Zs, us))
        change = np.max(np.abs(new - eta))
        eta = new
        if change < tol:
            break
    else:
        raise RuntimeError(f"dense PQL did not converge (last change {change:.2e})")
    return {"sig": sig, "phi": phi, "beta": beta, "u": us, "eta": eta}
