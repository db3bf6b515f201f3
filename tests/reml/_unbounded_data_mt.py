"""Simulated T-trait genomic data with a singular null of any dimension (s33unb).

T traits (yield in kg/ha ~ 5000 ± 500, grain weight in g ~ 0.04 ± 0.006, height in cm
~ 100 ± 30, a fourth in 1e-3 units), ids with one record each, a genomic K from markers
(VanRaden's W W' / 2Σp(1 − p), 300 markers: full rank for 40 ids), 15 % of each trait
missing. ``clones``: pairs of ids given identical marker rows (K singular along e_a − e_b),
``reps``: ids given a second record; both kept complete. Each gives one T-vector δ of
record contrasts free of the fixed and random effects (δ = y_a − y_b): with c such vectors
spanning a c-dimensional trait space, c < T, ℓ rises without bound as a residual
``units:us(trait)`` turns singular along the T − c trait combinations orthogonal to them.

:func:`profile` is the independent dense-V REML profile (numpy/scipy only): on the traits
scaled by their SDs, ℓ maximised over G = L L' (Cholesky) and R = F F' + λ I (F: T x (T − k)
lower trapezoidal): every R with k eigenvalues equal to λ and the others above. As λ → 0 it
converges (or falls) when ℓ is bounded and rises as (d/2)·ln(1/λ) when V turns singular
along d record contrasts.
ℓ on the data's own scale is ℓ_std − Σ_t (n_t − 1) ln sd_t (each trait: n_t records, one
mean).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from _dense_reml import chol_entries, chol_from, maximise, reml_loglik

SCALE = np.array([500.0, 0.006, 30.0, 0.002])
MEAN = np.array([5000.0, 0.04, 100.0, 0.01])
NAMES = ("y1", "y2", "y3", "y4")


def g_true(T: int, rank: int | None = None) -> np.ndarray:
    """Genetic covariance (correlation scale): 0.4 between traits; ``rank`` < T: a singular
    one (its first ``rank`` principal components)."""
    G = 0.6 * np.eye(T) + 0.4
    if rank is None or rank >= T:
        return G
    w, U = np.linalg.eigh(G)
    return (U[:, -rank:] * w[-rank:]) @ U[:, -rank:].T


def r_true(T: int) -> np.ndarray:
    """Residual correlation −0.3 between traits (1.3 for T = 4 keeps it PD: −0.25)."""
    c = -0.3 if T <= 3 else -0.25
    return (1 - c) * np.eye(T) + c


def grm(rng: np.random.Generator, n: int, m: int, clones: Sequence[tuple[int, int]]
        ) -> np.ndarray:
    p = rng.uniform(0.1, 0.9, m)
    M = rng.binomial(2, p, size=(n, m)).astype(float)
    for a, b in clones:
        M[b] = M[a]
    W = M - 2 * p
    return W @ W.T / (2 * (p * (1 - p)).sum())


def data(seed: int, T: int = 3, clones: Sequence[tuple[int, int]] = ((0, 1),),
         reps: Sequence[int] = (), n: int = 40, miss: float = 0.15,
         g_rank: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(records: id, y1..yT; K with the ids as index and columns)."""
    rng = np.random.default_rng(seed)
    K = grm(rng, n, 300, clones)
    ids = [f"L{i:03d}" for i in range(n)]
    w, U = np.linalg.eigh(K)
    G = g_true(T, g_rank)
    wg, Ug = np.linalg.eigh(G)
    g = (U * np.sqrt(np.clip(w, 0, None))) @ rng.normal(size=(n, T)) @ (
        Ug * np.sqrt(np.clip(wg, 0, None))).T
    rid = list(range(n)) + list(reps)
    e = rng.normal(size=(len(rid), T)) @ np.linalg.cholesky(r_true(T)).T
    Y = MEAN[:T] + (g[rid] + e) * SCALE[:T]
    keep = {i for pair in clones for i in pair} | set(reps)
    for j in range(T):
        drop = rng.uniform(size=len(rid)) < miss
        drop[[i for i, r in enumerate(rid) if r in keep]] = False
        Y[drop, j] = np.nan
    cols = list(NAMES[:T])
    d = pd.DataFrame({"id": pd.Categorical([ids[i] for i in rid], categories=ids),
                      **{c: Y[:, j] for j, c in enumerate(cols)}})
    d = d[d[cols].notna().any(axis=1)].reset_index(drop=True)
    return d, pd.DataFrame(K, index=ids, columns=ids)


@dataclass
class Long:
    """The records stacked trait within record, on the traits' SD scale."""

    y: np.ndarray
    X: np.ndarray
    tr: np.ndarray
    Kr: np.ndarray
    same: np.ndarray
    jac: float
    T: int


def long(d: pd.DataFrame, K: pd.DataFrame) -> Long:
    cols = [c for c in NAMES if c in d.columns]
    T = len(cols)
    Y = d[cols].to_numpy(float)
    ok = ~np.isnan(Y)
    rec, tr = np.nonzero(ok)
    sd = np.nanstd(Y, axis=0)
    y = Y[ok] / sd[tr]
    X = (tr[:, None] == np.arange(T)[None, :]).astype(float)
    idc = d["id"].cat.codes.to_numpy()[rec]
    Kr = K.to_numpy()[np.ix_(idc, idc)]
    same = (rec[:, None] == rec[None, :]).astype(float)
    jac = -float(sum((ok[:, t].sum() - 1) * np.log(sd[t]) for t in range(T)))
    return Long(y, X, tr, Kr, same, jac, T)


def _v(lg: Long, x: np.ndarray, lam: float, k: int = 0) -> np.ndarray:
    T, m = lg.T, lg.T * (lg.T + 1) // 2
    Lg = chol_from(x[:m], T)
    F = np.zeros((T, T - k))
    F[np.tril_indices(T, 0, T - k)] = x[m:]
    Gm, Rm = Lg @ Lg.T, F @ F.T + lam * np.eye(T)
    return Gm[lg.tr][:, lg.tr] * lg.Kr + Rm[lg.tr][:, lg.tr] * lg.same


def contrasts(d: pd.DataFrame, K: pd.DataFrame) -> np.ndarray:
    """The pure-error contrasts of the complete records on the traits' SD scale (T x c):
    y_a − y_b for two records of one id or of two ids with identical rows of K."""
    cols = [c for c in NAMES if c in d.columns]
    Y = d[cols].to_numpy(float) / np.nanstd(d[cols].to_numpy(float), axis=0)
    Kv = K.to_numpy()
    key = [tuple(np.round(Kv[i], 12)) for i in d["id"].cat.codes]
    out, first = [], {}
    for r, kk in enumerate(key):
        if np.isnan(Y[r]).any():
            continue
        if kk in first:
            out.append(Y[r] - Y[first[kk]])
        else:
            first[kk] = r
    return np.array(out).T.reshape(len(cols), -1)


def profile(d: pd.DataFrame, K: pd.DataFrame, lams: Sequence[float], k: int = 1,
            null: np.ndarray | None = None) -> tuple[list[float], list[np.ndarray]]:
    """(max ℓ on the data's scale with R_std = F F' + λ I, F: T x (T − k) (at least k
    eigenvalues equal to λ, the others above), for each λ of ``lams``; R_std's eigenvalues
    at each maximum). ``null`` (T x k, SD scale): a start with R's null there (the
    directions orthogonal to the pure-error contrasts: the unbounded branch, which a start
    at 0.5 I can miss for a local maximum inside)."""
    lg = long(d, K)
    T = lg.T
    idx = np.tril_indices(T, 0, T - k)
    g0 = chol_entries(0.5 * np.eye(T))
    starts = [np.r_[g0, (0.7 * np.eye(T)[:, :T - k])[idx]]]
    if null is not None:
        Q = np.linalg.svd(np.asarray(null, float).reshape(T, -1), full_matrices=True)[0]
        comp = Q[:, null.reshape(T, -1).shape[1]:]  # T x (T - k): R's range
        Fc = np.linalg.qr(comp.T)[1].T  # lower-trapezoidal F with F F' = comp comp'
        starts.append(np.r_[g0, 0.8 * Fc[idx]])
    out, eig, warm = [], [], None
    for lam in lams:
        x, ll = maximise(lambda z, lam=lam: reml_loglik(lg.y, lg.X, _v(lg, z, lam, k)),
                         starts if warm is None else [warm], polish=False)
        warm = x
        F = np.zeros((T, T - k))
        F[idx] = x[T * (T + 1) // 2:]
        eig.append(np.linalg.eigvalsh(F @ F.T + lam * np.eye(T)))
        out.append(ll + lg.jac)
    return out, eig
