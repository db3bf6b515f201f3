"""The engine sweep against dense-V REML: simulated user-like data sets, one per covariance
structure, fitted by ``asr.asreml`` and by the independent dense REML of tests/_dense_reml.py.

Each :class:`Case` simulates a data frame (traits at user scales: yields in kg/ha ~ 5e3, grain
weights in g ~ 4e-2, counts, negative means; unbalanced: records dropped at random) and
states the dense model: V(x) in its own parameters x, starts and bounds for scipy, and the
map from asr_py's ``varcomp`` components to x. :func:`compare` fits both and returns the gaps
(ℓ at asr_py's estimates, ℓ of the dense optimum, covariance matrices, β and SE(β), BLUPs and
PEVs). Used by tests/reml/test_sweep_dense.py (small n) and benchmarks/sweep_dense_reml.py.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from _dense_reml import (
    ar1,
    blup,
    chol_entries,
    chol_from,
    corgh,
    fit_dense,
    gls,
    indicator,
    reml_loglik,
)

import asr_py as asr

Vec = np.ndarray


@dataclass
class Dense:
    """A dense model: y, X (asr_py's fixed columns, same order), V(x) (None outside the
    parameter space), starts/bounds/scale for the optimiser, ``from_asr`` (varcomp
    components -> x), ``covs`` (x -> the identifiable covariance matrices compared), and
    optionally one random term's (Z, G(x)) for BLUPs in ``coef_random``'s order."""

    y: Vec
    X: np.ndarray
    vfun: Callable[[Vec], np.ndarray | None]
    starts: list[Vec]
    bounds: list[tuple[float | None, float | None]] | None
    scale: Vec
    from_asr: Callable[[Vec], Vec]
    covs: Callable[[Vec], list[np.ndarray]]
    blup_term: tuple[np.ndarray, Callable[[Vec], np.ndarray]] | None = None


@dataclass
class Case:
    """A simulated data set, the asr_py call and its dense model. ``boundary``: the optimum
    is on the boundary of the parameter space (what, in words), '' if inside."""

    name: str
    data: Callable[[np.random.Generator, int], pd.DataFrame]
    kwargs: dict
    dense: Callable[[pd.DataFrame], Dense]
    boundary: str = ""
    extra: dict = field(default_factory=dict)  # keyword data passed to asreml (K=...)


# ------------------------------------------------------------------------------ data
def _met(rng: np.random.Generator, n_g: int, n_e: int, G: np.ndarray, mean: Vec,
         sd_e: Vec, reps: int = 2, drop: float = 0.25) -> pd.DataFrame:
    """Genotype x environment trial: g ~ N(0, G) per genotype across environments, ``reps``
    records per cell, a fraction ``drop`` of records removed (unbalanced)."""
    w, u = np.linalg.eigh(G)
    eff = rng.normal(size=(n_g, n_e)) @ (u * np.sqrt(np.clip(w, 0, None))).T
    g = np.repeat(np.arange(n_g), n_e * reps)
    e = np.tile(np.repeat(np.arange(n_e), reps), n_g)
    y = mean[e] + eff[g, e] + rng.normal(size=g.size) * sd_e[e]
    keep = rng.uniform(size=g.size) >= drop
    d = pd.DataFrame({"gen": [f"G{i:02d}" for i in g[keep]], "env": [f"E{j}" for j in e[keep]],
                      "y": y[keep]})
    for c in ("gen", "env"):
        d[c] = pd.Categorical(d[c], categories=sorted(d[c].unique()))
    return d


def _design(d: pd.DataFrame) -> tuple[Vec, np.ndarray, np.ndarray, np.ndarray]:
    """y, X = [1, env dummies (first level baseline)], Z_gen, Z_env:gen (env-major blocks
    matching asr_py's e:g ordering: env outer, gen inner)."""
    y = d["y"].to_numpy(float)
    E = indicator(d["env"], d["env"].cat.categories)
    X = np.column_stack([np.ones(len(d)), E[:, 1:]])
    Zg = indicator(d["gen"], d["gen"].cat.categories)
    Zeg = np.hstack([E[:, [j]] * Zg for j in range(E.shape[1])])
    return y, X, Zg, Zeg


def _cov_kron(S: np.ndarray, q: int) -> np.ndarray:
    """S ⊗ I_q: env-major (env outer, gen inner)."""
    return np.kron(S, np.eye(q))


# ------------------------------------------------------------------------------ cases
def _idv_dense(d: pd.DataFrame) -> Dense:
    y, X, Zg, _ = _design(d)
    zz, n = Zg @ Zg.T, len(y)
    s = float(np.var(y))

    def vfun(x: Vec) -> np.ndarray | None:
        return None if x[1] <= 0 or x[0] < 0 else x[0] * zz + x[1] * np.eye(n)

    return Dense(y, X, vfun, [np.array([0.3, 0.7]) * s, np.array([0.05, 0.9]) * s],
                 [(0, None), (1e-12 * s, None)], np.array([s, s]), lambda c: c[:2],
                 lambda x: [np.diag(x)], (Zg, lambda x: x[0] * np.eye(Zg.shape[1])))


def _diag_like(k: int, off: int = 0) -> Callable[[pd.DataFrame], Dense]:
    """diag(env):gen, at(env):gen (k variances then σ²) or dsum(~units|env) (``off``=1:
    σ²_gen first, then k residual variances)."""
    def make(d: pd.DataFrame) -> Dense:
        y, X, Zg, Zeg = _design(d)
        n, q = len(y), Zg.shape[1]
        E = indicator(d["env"], d["env"].cat.categories)
        s = np.array([np.var(y[E[:, j] > 0]) for j in range(k)])
        if off:  # gen + dsum residual
            zz = Zg @ Zg.T

            def vfun(x: Vec) -> np.ndarray | None:
                if x[0] < 0 or np.any(x[1:] <= 0):
                    return None
                return x[0] * zz + np.diag(E @ x[1:])

            sc = np.concatenate([[s.mean()], s])
            return Dense(y, X, vfun, [np.concatenate([[0.3 * s.mean()], 0.7 * s]),
                                      np.concatenate([[0.05 * s.mean()], 0.9 * s])],
                         [(0, None)] + [(1e-12 * v, None) for v in s], sc,
                         lambda c: c[:k + 1], lambda x: [np.diag(x)],
                         (Zg, lambda x: x[0] * np.eye(q)))

        def vfun2(x: Vec) -> np.ndarray | None:
            if np.any(x[:k] < 0) or x[k] <= 0:
                return None
            return Zeg @ _cov_kron(np.diag(x[:k]), q) @ Zeg.T + x[k] * np.eye(n)

        sc = np.concatenate([s, [s.mean()]])
        return Dense(y, X, vfun2, [np.concatenate([0.3 * s, [0.5 * s.mean()]]),
                                   np.concatenate([0.05 * s, [0.9 * s.mean()]])],
                     [(0, None)] * k + [(1e-12 * s.mean(), None)], sc,
                     lambda c: c[:k + 1], lambda x: [np.diag(x)],
                     (Zeg, lambda x: _cov_kron(np.diag(x[:k]), q)))
    return make


def _us_like(k: int, kind: str) -> Callable[[pd.DataFrame], Dense]:
    """us / corgh / corh / fa1 / fa2 / fa3 of env in env:gen, + units. Dense parameters: the
    Cholesky factor of Σ_env (any of these is a Σ; fa/corh are restricted families, so
    their dense models use their own parameters) then σ²."""
    def make(d: pd.DataFrame) -> Dense:
        y, X, Zg, Zeg = _design(d)
        n, q = len(y), Zg.shape[1]
        E = indicator(d["env"], d["env"].cat.categories)
        s = np.array([np.var(y[E[:, j] > 0]) for j in range(k)])
        sd = np.sqrt(s)
        m = k * (k - 1) // 2
        if kind == "us":
            npar = k * (k + 1) // 2

            def sig(x: Vec) -> np.ndarray:
                L = chol_from(x[:npar], k)
                return L @ L.T

            def from_asr(c: Vec) -> Vec:
                S = np.zeros((k, k))
                S[np.tril_indices(k)] = c[:npar]
                S = np.tril(S) + np.tril(S, -1).T
                return np.concatenate([chol_entries(S), [c[npar]]])

            L0 = np.diag(np.sqrt(0.4 * s))
            starts = [np.concatenate([L0[np.tril_indices(k)], [0.5 * s.mean()]]),
                      np.concatenate([chol_entries(0.2 * np.outer(sd, sd) + np.diag(0.1 * s)),
                                      [0.7 * s.mean()]])]
            scale = np.concatenate([np.full(npar, sd.mean()), [s.mean()]])
            bounds = [(None, None)] * npar + [(1e-12 * s.mean(), None)]
        elif kind in ("corgh", "corh"):
            nc = m if kind == "corgh" else 1
            npar = nc + k

            def sig(x: Vec) -> np.ndarray:
                r = x[:nc] if kind == "corgh" else np.full(m, x[0])
                return corgh(r, x[nc:npar])

            def from_asr(c: Vec) -> Vec:
                return c[:npar + 1].copy()

            starts = [np.concatenate([np.full(nc, 0.5), 0.4 * s, [0.5 * s.mean()]]),
                      np.concatenate([np.full(nc, 0.1), 0.1 * s, [0.8 * s.mean()]]),
                      np.concatenate([np.full(nc, 0.95), 0.2 * s, [0.7 * s.mean()]])]
            scale = np.concatenate([np.ones(nc), s, [s.mean()]])
            bounds = [(-1.0, 1.0)] * nc + [(0, None)] * k + [(1e-12 * s.mean(), None)]
        else:  # fa1 / fa2: ψ (k), then loadings column by column (asr_py's order)
            f = int(kind[2])
            npar = k + k * f

            def sig(x: Vec) -> np.ndarray:
                lam = x[k:npar].reshape(f, k).T
                return lam @ lam.T + np.diag(x[:k])

            def from_asr(c: Vec) -> Vec:
                return c[:npar + 1].copy()

            lam0 = np.column_stack([0.6 * sd] + [0.2 * sd * (-1) ** np.arange(k)] * (f - 1))
            lam0 = lam0.copy()
            zeros = [(i, j) for j in range(f) for i in range(j)]
            for i, j in zeros:
                lam0[i, j] = 0.0  # asr_py fixes the upper triangle of Λ at 0
            starts = [np.concatenate([0.2 * s, lam0.T.ravel(), [0.5 * s.mean()]]),
                      np.concatenate([0.5 * s, 0.5 * lam0.T.ravel(), [0.8 * s.mean()]])]
            scale = np.concatenate([s, np.tile(sd, f), [s.mean()]])
            bounds = [(0, None)] * k + [(None, None)] * (k * f) + [(1e-12 * s.mean(), None)]
            for i, j in zeros:  # asr_py's fixed loadings: held by zero-width bounds
                bounds[k + j * k + i] = (0.0, 0.0)

        def vfun(x: Vec) -> np.ndarray | None:
            if not np.all(np.isfinite(x)) or x[npar] <= 0:
                return None
            if kind in ("corgh", "corh") and (np.any(np.abs(x[:npar - k]) > 1)
                                              or np.any(x[npar - k:npar] < 0)):
                return None
            if kind.startswith("fa") and np.any(x[:k] < 0):
                return None
            S = sig(x)
            if np.linalg.eigvalsh(S)[0] < -1e-10 * np.trace(S):
                return None
            return Zeg @ _cov_kron(S, q) @ Zeg.T + x[npar] * np.eye(n)

        return Dense(y, X, vfun, starts, bounds, scale, from_asr,
                     lambda x: [sig(x), np.array([[x[npar]]])],
                     (Zeg, lambda x: _cov_kron(sig(x), q)))
    return make


def _vm_dense(K: np.ndarray) -> Callable[[pd.DataFrame], Dense]:
    def make(d: pd.DataFrame) -> Dense:
        y, X, Zg, _ = _design(d)
        n = len(y)
        zkz = Zg @ K @ Zg.T
        s = float(np.var(y))

        def vfun(x: Vec) -> np.ndarray | None:
            return None if x[0] < 0 or x[1] <= 0 else x[0] * zkz + x[1] * np.eye(n)

        return Dense(y, X, vfun, [np.array([0.3, 0.7]) * s, np.array([0.05, 0.9]) * s],
                     [(0, None), (1e-12 * s, None)], np.array([s, s]), lambda c: c[:2],
                     lambda x: [np.diag(x)], (Zg, lambda x: x[0] * K))
    return make


def _field(rng: np.random.Generator, nr: int, nc: int, rho: tuple[float, float],
           mean: float, sd: float, n_var: int = 6, miss: float = 0.1) -> pd.DataFrame:
    r, c = np.repeat(np.arange(1, nr + 1), nc), np.tile(np.arange(1, nc + 1), nr)
    R = np.kron(ar1(nr, rho[0]), ar1(nc, rho[1]))
    e = np.linalg.cholesky(R) @ rng.normal(size=nr * nc) * sd
    var = rng.integers(0, n_var, nr * nc)
    y = mean + 0.3 * sd * var + e
    y[rng.uniform(size=y.size) < miss] = np.nan
    d = pd.DataFrame({"Row": r, "Col": c, "Var": [f"V{v}" for v in var], "y": y})
    for k in ("Row", "Col"):
        d[k] = pd.Categorical(d[k].astype(str), categories=[str(i) for i in range(1, 100)
                                                            if i <= d[k].max()])
    d["Var"] = pd.Categorical(d["Var"], categories=sorted(d["Var"].unique()))
    return d


def _ar1_dense(d: pd.DataFrame) -> Dense:
    ok = d["y"].notna().to_numpy()
    y = d["y"].to_numpy(float)[ok]
    V_ = indicator(d["Var"], d["Var"].cat.categories)[ok]
    X = np.column_stack([np.ones(ok.sum()), V_[:, 1:]])
    r = d["Row"].astype(int).to_numpy()[ok]
    c = d["Col"].astype(int).to_numpy()[ok]
    dr, dc = np.abs(r[:, None] - r[None, :]), np.abs(c[:, None] - c[None, :])
    s = float(np.var(y))

    def vfun(x: Vec) -> np.ndarray | None:
        if x[0] <= 0 or max(abs(x[1]), abs(x[2])) >= 1:
            return None
        return x[0] * x[1] ** dr * x[2] ** dc

    return Dense(y, X, vfun, [np.array([s, 0.3, 0.3]), np.array([0.5 * s, -0.2, 0.6])],
                 [(1e-12 * s, None), (-0.999, 0.999), (-0.999, 0.999)], np.array([s, 1, 1]),
                 lambda c: c[:3], lambda x: [np.diag(x)])


def _mv_data(scale2: float, miss: float) -> Callable[[np.random.Generator, int], pd.DataFrame]:
    """Two traits on families: yield (kg/ha, mean 5000) and grain weight (g, mean 0.04),
    genetic and residual correlations; a fraction ``miss`` of each trait missing."""
    def make(rng: np.random.Generator, size: int) -> pd.DataFrame:
        n_f = max(8, size // 8)
        fam = np.repeat(np.arange(n_f), 8)
        G = np.array([[300.0 ** 2, 0.5 * 300 * 0.004], [0.5 * 300 * 0.004, 0.004 ** 2]])
        R = np.array([[500.0 ** 2, -0.3 * 500 * 0.006], [-0.3 * 500 * 0.006, 0.006 ** 2]])
        g = rng.normal(size=(n_f, 2)) @ np.linalg.cholesky(G).T
        e = rng.normal(size=(fam.size, 2)) @ np.linalg.cholesky(R).T
        y = np.array([5000.0, 0.04]) + g[fam] + e
        y[:, 1] *= scale2
        for j in range(2):
            y[rng.uniform(size=fam.size) < miss, j] = np.nan
        keep = ~np.isnan(y).all(axis=1)
        y, fam = y[keep], fam[keep]
        d = pd.DataFrame({"fam": [f"F{i:02d}" for i in fam], "yld": y[:, 0], "gw": y[:, 1]})
        d["fam"] = pd.Categorical(d["fam"], categories=sorted(d["fam"].unique()))
        return d
    return make


def _mv_dense(d: pd.DataFrame) -> Dense:
    Y = d[["yld", "gw"]].to_numpy(float)
    ok = ~np.isnan(Y)
    tr = np.nonzero(ok)[1]
    rec = np.nonzero(ok)[0]
    y = Y[ok]
    order = np.lexsort((tr, rec))
    y, tr, rec = y[order], tr[order], rec[order]
    X = indicator(tr, [0, 1])
    F = indicator(d["fam"].to_numpy()[rec], d["fam"].cat.categories)
    same_f, same_r = F @ F.T, (rec[:, None] == rec[None, :]).astype(float)
    s = np.array([np.nanvar(Y[:, 0]), np.nanvar(Y[:, 1])])
    sd = np.sqrt(s)

    def vfun(x: Vec) -> np.ndarray | None:
        Lg, Lr = chol_from(x[:3], 2), chol_from(x[3:], 2)
        G, R = Lg @ Lg.T, Lr @ Lr.T
        if np.linalg.eigvalsh(R)[0] <= 0:
            return None
        return same_f * G[tr][:, tr] + same_r * R[tr][:, tr]

    def from_asr(c: Vec) -> Vec:
        def m(v: Vec) -> np.ndarray:
            return np.array([[v[0], v[1]], [v[1], v[2]]])
        return np.concatenate([chol_entries(m(c[:3])), chol_entries(m(c[3:6]))])

    sc = np.array([sd[0], sd.mean(), sd[1], sd[0], sd.mean(), sd[1]])
    starts = [np.concatenate([chol_entries(np.diag(0.2 * s)), chol_entries(np.diag(0.7 * s))]),
              np.concatenate([chol_entries(np.diag(0.05 * s)), chol_entries(np.diag(0.9 * s))])]

    def covs(x: Vec) -> list[np.ndarray]:
        Lg, Lr = chol_from(x[:3], 2), chol_from(x[3:], 2)
        return [Lg @ Lg.T, Lr @ Lr.T]

    return Dense(y, X, vfun, starts, None, sc, from_asr, covs)


def _weights_dense(d: pd.DataFrame) -> Dense:
    y, X, Zg, _ = _design(d)
    zz, w = Zg @ Zg.T, d["w"].to_numpy(float)
    s = float(np.var(y))

    def vfun(x: Vec) -> np.ndarray | None:
        return None if x[0] < 0 or x[1] <= 0 else x[0] * zz + x[1] * np.diag(1 / w)

    return Dense(y, X, vfun, [np.array([0.3, 0.7]) * s, np.array([0.05, 0.9]) * s],
                 [(0, None), (1e-12 * s, None)], np.array([s, s]), lambda c: c[:2],
                 lambda x: [np.diag(x)], (Zg, lambda x: x[0] * np.eye(Zg.shape[1])))


def _with_weights(make: Callable[[np.random.Generator, int], pd.DataFrame]
                  ) -> Callable[[np.random.Generator, int], pd.DataFrame]:
    def f(rng: np.random.Generator, size: int) -> pd.DataFrame:
        d = make(rng, size)
        d["w"] = rng.uniform(0.2, 5.0, len(d))
        return d
    return f


def _uni(n_e: int, G: np.ndarray, mean: Vec, sd_e: Vec
         ) -> Callable[[np.random.Generator, int], pd.DataFrame]:
    def make(rng: np.random.Generator, size: int) -> pd.DataFrame:
        return _met(rng, max(6, size // (2 * n_e)), n_e, G, mean, sd_e)
    return make


def _grm(n: int, m: int, seed: int, ridge: float = 0.0) -> np.ndarray:
    """Centred VanRaden G of n ids from m markers (rank ≤ min(n − 1, m)), + ridge·I."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.1, 0.9, m)
    M = rng.binomial(2, p, size=(n, m)).astype(float)
    W = M - M.mean(axis=0)
    return W @ W.T / (2 * (p * (1 - p)).sum()) + ridge * np.eye(n)


def cases(size: int = 80) -> list[Case]:
    """The sweep's cases (``size`` ~ records per data set)."""
    kg = np.array([5200.0, 6100.0, 4300.0, 7000.0, 3900.0])
    sd_kg = np.array([500.0, 650.0, 420.0, 800.0, 380.0])
    cov3 = np.array([[1.0, 0.7, 0.4], [0.7, 1.0, 0.5], [0.4, 0.5, 1.0]])
    rank1 = np.outer([1.0, 0.8, -0.5], [1.0, 0.8, -0.5])
    v3 = np.array([350.0, 420.0, 300.0])
    n_id = max(12, size // 4)
    K_sing = _grm(n_id, 6, 11)            # rank 6 < n_id: singular
    K_near = _grm(n_id, 4 * n_id, 12, ridge=1e-7)  # rank n_id − 1 + 1e-7 ridge
    lv = [f"G{i:02d}" for i in range(n_id)]
    out = [
        Case("idv kg/ha", _uni(3, np.eye(3) * 0 + 300.0 ** 2, kg[:3], sd_kg[:3]),
             dict(fixed="y ~ env", random="~ idv(gen)"), _idv_dense),
        Case("idv counts, zero var", _counts, dict(fixed="y ~ env", random="~ idv(gen)"),
             _idv_dense, "σ²_gen = 0 (no genetic signal)"),
        Case("idv negative mean g", _uni(3, np.full((3, 3), 0.004 ** 2),
                                         np.array([-0.05, -0.04, -0.06]),
                                         np.full(3, 0.006)),
             dict(fixed="y ~ env", random="~ idv(gen)"), _idv_dense),
        Case("diag(env):gen", _uni(3, np.diag(v3 ** 2 * [1, 0.3, 2]), kg[:3], sd_kg[:3]),
             dict(fixed="y ~ env", random="~ diag(env):gen"), _diag_like(3)),
        Case("diag(env):gen one zero", _uni(3, np.diag(v3 ** 2 * [1, 0, 2]), kg[:3], sd_kg[:3]),
             dict(fixed="y ~ env", random="~ diag(env):gen"), _diag_like(3),
             "one environment's genetic variance 0"),
        Case("at(env):gen", _uni(3, np.diag(v3 ** 2 * [1, 0.3, 2]), kg[:3], sd_kg[:3]),
             dict(fixed="y ~ env", random="~ at(env):gen"), _diag_like(3)),
        Case("gen + dsum(units|env)", _uni(3, np.full((3, 3), 300.0 ** 2), kg[:3],
                                           sd_kg[:3] * [1, 2, 0.5]),
             dict(fixed="y ~ env", random="~ gen", residual="~ dsum(~ units | env)"),
             _diag_like(3, off=1)),
        Case("us(env):gen", _uni(3, cov3 * np.outer(v3, v3), kg[:3], sd_kg[:3]),
             dict(fixed="y ~ env", random="~ us(env):gen"), _us_like(3, "us")),
        Case("us(env):gen rank 1", _uni(3, rank1 * np.outer(v3, v3), kg[:3], sd_kg[:3]),
             dict(fixed="y ~ env", random="~ us(env):gen"), _us_like(3, "us"),
             "Σ_env of rank 1 (genetic correlations ±1)"),
        Case("corgh(env):gen", _uni(3, cov3 * np.outer(v3, v3), kg[:3], sd_kg[:3]),
             dict(fixed="y ~ env", random="~ corgh(env):gen"), _us_like(3, "corgh")),
        Case("corh(env):gen", _uni(3, (0.5 + 0.5 * np.eye(3)) * np.outer(v3, v3), kg[:3],
                                   sd_kg[:3]),
             dict(fixed="y ~ env", random="~ corh(env):gen"), _us_like(3, "corh")),
        Case("fa(env,1):gen", _uni(4, np.outer([1, .8, .6, .9], [1, .8, .6, .9]) * 350.0 ** 2
                                   + np.diag([3e4, 2e4, 4e4, 1e4]), kg[:4], sd_kg[:4]),
             dict(fixed="y ~ env", random="~ fa(env, 1):gen"), _us_like(4, "fa1")),
        Case("fa(env,2):gen", _uni(5, _fa2_g(), kg, sd_kg),
             # maxit=60: with most ψ at zero the engine climbs slowly (30 iterations end
             # ~6e-5 relative below the optimum); it converges at iteration 38, by the
             # differenced score of reml/fd_score.py (s17fa)
             dict(fixed="y ~ env", random="~ fa(env, 2):gen", maxit=60), _us_like(5, "fa2")),
        Case("ar1(Row):ar1(Col)", lambda rng, size: _field(rng, 8, max(6, size // 8),
                                                           (0.6, 0.3), 4800.0, 600.0),
             dict(fixed="y ~ Var", residual="~ ar1(Row):ar1(Col)"), _ar1_dense),
        Case("ar1 x ar1 negative rho", lambda rng, size: _field(rng, 8, max(6, size // 8),
                                                                (-0.4, 0.7), -20.0, 3.0),
             dict(fixed="y ~ Var", residual="~ ar1(Row):ar1(Col)"), _ar1_dense),
        Case("vm(gen, K) K singular", _vm_data(K_sing, lv),
             dict(fixed="y ~ env", random="~ vm(gen, K)"), _vm_dense(K_sing),
             extra={"K": pd.DataFrame(K_sing, index=lv, columns=lv)}),
        Case("vm(gen, K) K near-singular", _vm_data(K_near, lv),
             dict(fixed="y ~ env", random="~ vm(gen, K)"), _vm_dense(K_near),
             extra={"K": pd.DataFrame(K_near, index=lv, columns=lv)}),
        Case("us(trait) kg + g, missing", _mv_data(1.0, 0.15),
             dict(fixed="cbind(yld, gw) ~ trait", random="~ us(trait):fam",
                  residual="~ units:us(trait)"), _mv_dense),
        Case("gen weights", _with_weights(_uni(3, np.full((3, 3), 300.0 ** 2), kg[:3],
                                               sd_kg[:3])),
             dict(fixed="y ~ env", random="~ gen", weights="w"), _weights_dense),
    ]
    return out


def _fa2_g() -> np.ndarray:
    lam = np.array([[1.0, 0.0], [0.8, 0.5], [0.6, -0.4], [0.9, 0.2], [0.5, 0.7]]) * 350.0
    return lam @ lam.T + np.diag([2e4, 3e4, 1e4, 2.5e4, 1.5e4])


def _counts(rng: np.random.Generator, size: int) -> pd.DataFrame:
    """Counts (Poisson, mean ~ 12) with no genotype effect: σ²_gen's optimum at 0 in most
    draws."""
    d = _met(rng, max(6, size // 6), 3, np.zeros((3, 3)), np.zeros(3), np.zeros(3))
    d["y"] = rng.poisson(12.0, len(d)).astype(float)
    return d


def _vm_data(K: np.ndarray, lv: list[str]) -> Callable[[np.random.Generator, int], pd.DataFrame]:
    """Records on ids with genetic values ~ N(0, 2.5 K) (t/ha scale), 1-3 records per id,
    two environments."""
    def make(rng: np.random.Generator, size: int) -> pd.DataFrame:
        w, u = np.linalg.eigh(K)
        g = (u * np.sqrt(np.clip(w, 0, None))) @ rng.normal(size=len(lv)) * np.sqrt(2.5)
        ids = np.concatenate([np.repeat(i, rng.integers(1, 4)) for i in range(len(lv))])
        env = rng.integers(0, 2, ids.size)
        y = 6.0 + 0.8 * env + g[ids] + rng.normal(size=ids.size) * 1.2
        d = pd.DataFrame({"gen": [lv[i] for i in ids], "env": [f"E{e}" for e in env], "y": y})
        d["gen"] = pd.Categorical(d["gen"], categories=lv)
        d["env"] = pd.Categorical(d["env"], categories=["E0", "E1"])
        return d
    return make


# ------------------------------------------------------------------------------ compare
def fit_asr(case: Case, d: pd.DataFrame) -> asr.AsremlFit:  # type: ignore[name-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(data=d, **case.kwargs, **case.extra)


def compare(case: Case, d: pd.DataFrame, m: object | None = None, *, polish: bool = True
            ) -> dict[str, float]:
    """Fit ``case`` on ``d`` by asr_py and by the dense REML; the gaps.

    ll_at: |ℓ_asr − ℓ_dense(θ_asr)| / |ℓ| (the engine's ℓ at its own estimates);
    ll_gap: (ℓ_dense* − ℓ_asr) / |ℓ| (> 0: asr_py below the dense optimum);
    cov: max relative gap of the covariance matrices at the two optima;
    beta/se: max relative gap of β̂ / SE(β̂) (GLS at asr_py's θ); blup/pev likewise."""
    m = fit_asr(case, d) if m is None else m
    dn = case.dense(d)
    comp = m.varcomp["component"].to_numpy(float)  # type: ignore[attr-defined]
    xa = dn.from_asr(comp)
    Va = dn.vfun(xa)
    la = reml_loglik(dn.y, dn.X, Va) if Va is not None else -np.inf
    xd, ld = fit_dense(dn.y, dn.X, dn.vfun, dn.starts, dn.bounds, scale=dn.scale,
                       polish=polish)
    ll = float(m.loglik)  # type: ignore[attr-defined]
    out = {"ll": ll, "ll_dense": ld, "ll_at": abs(ll - la) / abs(ll),
           "ll_gap": (ld - ll) / abs(ll), "converged": float(bool(m.converged))}  # type: ignore
    ca, cd = dn.covs(xa), dn.covs(xd)
    out["cov"] = max(float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))
                     for a, b in zip(ca, cd))
    if Va is not None:
        beta, cov = gls(dn.y, dn.X, Va)
        cf = m.coef_fixed  # type: ignore[attr-defined]
        out["beta"] = _rel(cf["solution"].to_numpy(float), beta)
        out["se"] = _rel(cf["std.error"].to_numpy(float), np.sqrt(np.diag(cov)))
        if dn.blup_term is not None:
            Z, Gf = dn.blup_term
            u, pev = blup(dn.y, dn.X, Va, Z, Gf(xa))
            cr = m.coef_random  # type: ignore[attr-defined]
            # the term's effects (fa's factor scores, asreml's "_Comp" rows, are not in Z)
            cr = cr[~cr.index.astype(str).str.contains("_Comp")]
            out["blup"] = _rel(cr["solution"].to_numpy(float), u)
            out["pev"] = _rel(cr["std.error"].to_numpy(float) ** 2, pev)
    return out


def _rel(a: Vec, b: Vec) -> float:
    """max |a − b| relative to max |b| (shapes must agree)."""
    if a.shape != b.shape:
        return float("inf")
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


def check_corh_held_at_one(seed: int, gap_rel: float) -> None:
    """Sweep ``corh(env):gen`` (size 150) at ``seed``: the fit converges with ρ held at 1
    ('B'), its ℓ is not more than ``gap_rel`` (relative) below the dense-V optimum, and ℓ
    falls when ρ is moved off 1 to 0.99 (the KKT condition read from ℓ itself)."""
    from _dense_reml import fit_dense, reml_loglik

    case = {c.name: c for c in cases(150)}["corh(env):gen"]
    d = case.data(np.random.default_rng(seed), 150)
    m = fit_asr(case, d)
    assert m.converged, m.diagnostics
    vc = m.varcomp
    assert vc.loc["env:gen!env!cor", "bound"] == "B"
    dn = case.dense(d)
    _, ld = fit_dense(dn.y, dn.X, dn.vfun, dn.starts, dn.bounds, scale=dn.scale)
    assert ld - m.loglik <= gap_rel * abs(m.loglik), (ld, m.loglik)
    inside = dn.from_asr(vc["component"].to_numpy(float)).copy()
    inside[0] = 0.99
    assert reml_loglik(dn.y, dn.X, dn.vfun(inside)) < m.loglik
