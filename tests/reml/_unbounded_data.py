"""Simulated two-trait genomic data for tests/reml/test_unbounded_residual.py (s32unb).

One record per id (yield in kg/ha ~ 5000 ± 500, grain weight in g ~ 0.04 ± 0.006), a
genomic K from markers (VanRaden's W W' / 2Σp(1 − p), W = M − 2p, 300 markers, 40 ids:
full rank), 15 % of each trait missing. ``clones``: pairs of ids given identical marker
rows (K singular: e_a − e_b in its null space), ``reps``: ids given a second record; both
kept complete. Each gives one record contrast free of the fixed and random effects.

:func:`profile` is the independent dense-V REML profile (numpy/scipy only): on the traits
scaled by their SDs, ℓ maximised over Σ_g (Cholesky) and the residual variances with the
residual correlation held at ±(1 − λ) (the smallest eigenvalue of its correlation matrix
λ). ℓ on the data's own scale is ℓ_std − Σ_t (n_t − 1) ln sd_t (each trait: n_t records,
one mean).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from _dense_reml import chol_entries, chol_from, maximise, reml_loglik

G_TRUE = np.array([[1.0, 0.4], [0.4, 1.0]])
R_TRUE = np.array([[1.0, -0.3], [-0.3, 1.0]])
SCALE = np.array([500.0, 0.006])
MEAN = np.array([5000.0, 0.04])


def grm(rng: np.random.Generator, n: int, m: int, clones: Sequence[tuple[int, int]]
        ) -> np.ndarray:
    p = rng.uniform(0.1, 0.9, m)
    M = rng.binomial(2, p, size=(n, m)).astype(float)
    for a, b in clones:
        M[b] = M[a]
    W = M - 2 * p
    return W @ W.T / (2 * (p * (1 - p)).sum())


def data(seed: int, clones: Sequence[tuple[int, int]] = ((0, 1),), reps: Sequence[int] = (),
         n: int = 40, miss: float = 0.15) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(records: id, y1, y2; K with the ids as index and columns)."""
    rng = np.random.default_rng(seed)
    K = grm(rng, n, 300, clones)
    ids = [f"L{i:03d}" for i in range(n)]
    w, U = np.linalg.eigh(K)
    g = (U * np.sqrt(np.clip(w, 0, None))) @ rng.normal(size=(n, 2)) @ np.linalg.cholesky(
        G_TRUE).T
    rid = list(range(n)) + list(reps)
    e = rng.normal(size=(len(rid), 2)) @ np.linalg.cholesky(R_TRUE).T
    Y = MEAN + (g[rid] + e) * SCALE
    keep = {i for pair in clones for i in pair}
    for j in range(2):
        drop = rng.uniform(size=len(rid)) < miss
        drop[[i for i, r in enumerate(rid) if r in keep]] = False
        Y[drop, j] = np.nan
    d = pd.DataFrame({"id": pd.Categorical([ids[i] for i in rid], categories=ids),
                      "y1": Y[:, 0], "y2": Y[:, 1]})
    d = d[d[["y1", "y2"]].notna().any(axis=1)].reset_index(drop=True)
    return d, pd.DataFrame(K, index=ids, columns=ids)


def _long(d: pd.DataFrame, K: pd.DataFrame
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    Y = d[["y1", "y2"]].to_numpy(float)
    ok = ~np.isnan(Y)
    rec, tr = np.nonzero(ok)
    sd = np.nanstd(Y, axis=0)
    y = Y[ok] / sd[tr]
    X = (tr[:, None] == np.arange(2)[None, :]).astype(float)
    idc = d["id"].cat.codes.to_numpy()[rec]
    Kr = K.to_numpy()[np.ix_(idc, idc)]
    same = (rec[:, None] == rec[None, :]).astype(float)
    jac = -float(sum((ok[:, t].sum() - 1) * np.log(sd[t]) for t in range(2)))
    return y, X, tr, Kr, same, jac


def profile(d: pd.DataFrame, K: pd.DataFrame, lams: Sequence[float]) -> list[float]:
    """max ℓ (on the data's scale) with the residual correlation's smallest eigenvalue held
    at each λ of ``lams`` (both signs of the correlation tried)."""
    y, X, tr, Kr, same, jac = _long(d, K)

    def build(x: np.ndarray, lam: float, sgn: int) -> np.ndarray:
        Lg = chol_from(x[:3], 2)
        Gm = Lg @ Lg.T
        D = np.sqrt(np.exp(x[3:5]))
        Rm = np.outer(D, D) * np.array([[1.0, sgn * (1 - lam)], [sgn * (1 - lam), 1.0]])
        return Gm[tr][:, tr] * Kr + Rm[tr][:, tr] * same

    out, warm = [], {1: None, -1: None}
    for lam in lams:
        best = -np.inf
        for sgn in (1, -1):
            starts = [np.r_[chol_entries(0.5 * np.eye(2)), np.log([0.5, 0.5])]]
            if warm[sgn] is not None:
                starts.append(warm[sgn])
            x, ll = maximise(lambda z, lam=lam, sgn=sgn: reml_loglik(y, X, build(z, lam, sgn)),
                             starts, polish=False)
            warm[sgn] = x
            best = max(best, ll)
        out.append(best + jac)
    return out
