"""Independent reference for tests/large: the mixed model equations of the multivariate
animal model built explicitly as scipy.sparse matrices (one row per observed record x trait)
and solved directly (sparse Cholesky: CHOLMOD called through cvxopt here, not through
asr_py), for comparison with the PCG solutions of asr.blup_pcg."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from cvxopt import cholmod, matrix, spmatrix


def direct_mme(df: pd.DataFrame, traits: list[str], animal: str, fixed: list[str],
               ainv: sp.spmatrix, ids: list[str], g0: np.ndarray,
               r0: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(b (p, T) with NaN where not estimable, u (n, T), column labels of b's rows).

    b's rows: intercept, then for each factor its sorted levels but the first."""
    t = len(traits)
    y = df[traits].to_numpy(dtype=float)
    obs = ~np.isnan(y)
    keep = obs.any(axis=1)
    df, y, obs = df.loc[keep], y[keep], obs[keep]
    nrec = len(df)
    # fixed design per record: intercept + treatment-coded indicators
    blocks = [np.ones((nrec, 1))]
    for f in fixed:
        cat = pd.Categorical(df[f].astype(str))
        d = np.zeros((nrec, len(cat.categories)))
        d[np.arange(nrec), cat.codes] = 1.0
        blocks.append(d[:, 1:])
    xr = np.hstack(blocks)                            # (nrec, p)
    p = xr.shape[1]
    aidx = pd.Index(ids).get_indexer(df[animal].astype(str))
    n = len(ids)
    rows_r, rows_t = np.nonzero(obs)                  # observations in record-major order
    m = rows_r.size
    # W over observations: columns (k, j) -> k*t + j ; animals after p*t
    xs = sp.csr_matrix(xr)[rows_r]
    xs = xs.tocoo()
    xw = sp.csr_matrix((xs.data, (xs.row, xs.col * t + rows_t[xs.row])), shape=(m, p * t))
    zw = sp.csr_matrix((np.ones(m), (np.arange(m), aidx[rows_r] * t + rows_t)),
                       shape=(m, n * t))
    w = sp.hstack([xw, zw]).tocsc()
    # R^-1 block diagonal over records
    ri, rj, rv = [], [], []
    start = np.concatenate([[0], np.cumsum(obs.sum(axis=1))])[:-1]
    for pattern in np.unique(obs, axis=0):
        recs = np.flatnonzero((obs == pattern).all(axis=1))
        o = np.flatnonzero(pattern)
        inv = np.linalg.inv(r0[np.ix_(o, o)])
        for a in range(o.size):
            for c in range(o.size):
                ri.append(start[recs] + a)
                rj.append(start[recs] + c)
                rv.append(np.full(recs.size, inv[a, c]))
    ri, rj, rv = np.concatenate(ri), np.concatenate(rj), np.concatenate(rv)
    rinv = sp.csr_matrix((rv, (ri, rj)), shape=(m, m))
    yv = y[rows_r, rows_t]
    c = (w.T @ rinv @ w).tocsc()
    c = c + sp.block_diag([sp.csc_matrix((p * t, p * t)),
                           sp.kron(ainv, np.linalg.inv(g0))]).tocsc()
    rhs = w.T @ (rinv @ yv)
    live = np.asarray(abs(c).sum(axis=0)).ravel() > 0
    sol = np.full(c.shape[0], np.nan)
    sol[live] = _cholesky_solve(c[live][:, live].tocsc(), rhs[live])
    return sol[:p * t].reshape(p, t), sol[p * t:].reshape(n, t), xr


def _cholesky_solve(c: sp.csc_matrix, rhs: np.ndarray) -> np.ndarray:
    """C^{-1} rhs by CHOLMOD's sparse Cholesky (C symmetric positive definite)."""
    # the upper triangle given column by column (cvxopt's triplet constructor is slow on
    # long columns, and the fixed-effect columns of the lower triangle are dense)
    up = sp.triu(c).tocsc().tocoo()
    a = spmatrix(matrix(up.data.astype(float)), matrix(up.row.astype(int)),
                 matrix(up.col.astype(int)), size=c.shape)
    x = matrix(np.asarray(rhs, dtype=float).reshape(-1, 1))
    cholmod.linsolve(a, x, uplo='U')
    return np.array(x).ravel()
