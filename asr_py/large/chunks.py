"""Record-level products of the mixed model equations, one chunk of records at a time.

Model (multivariate animal model, T traits): record r of animal a_r has the T-vector

    y_r = sum_f b_f[level_f(r)] + u[a_r] + e_r,   Var(e_r) = R0,   Var(u) = A (x) G0,

with a per-trait intercept (row 0 of b) and, for every fixed factor, one row per level but
the first (treatment coding: the first level is absorbed by the intercept). Traits missing in
a record are dropped from it: R_r^{-1} is the inverse of R0 restricted to the observed traits,
padded with zeros (one matrix per missing-value pattern, the patterns of ``rinv_patterns``).

For a chunk the products W'R^{-1}(W x) of C x = [X Z]'R^{-1}[X Z] x, the right-hand side
W'R^{-1}y and the diagonal T x T blocks of W'R^{-1}W are sums over its records, so chunks can be
processed anywhere and the partial sums added (``reduce_*`` in :mod:`asr_py.large.blup`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from asr_py.errors import DataError

__all__ = ["Chunk", "Coding", "code_chunk", "chunk_levels", "chunk_matvec", "chunk_rhs",
           "chunk_diag", "rinv_patterns", "right_multiply"]


@dataclass
class Coding:
    """How records are coded (identical on every worker)."""

    traits: tuple[str, ...]
    animal: str
    factors: tuple[str, ...]
    levels: dict[str, np.ndarray]   # factor -> its levels (strings), first = baseline
    offsets: dict[str, int]         # factor -> row of b of its second level
    ids: pd.Index                   # animal ids in the order of A^{-1}

    @property
    def n_fixed(self) -> int:
        """Rows of b: 1 (intercept) + sum_f (levels_f - 1)."""
        return 1 + sum(len(v) - 1 for v in self.levels.values())


@dataclass
class Chunk:
    """One coded chunk. ``cols``: (n_factors, n) rows of b (n_fixed = baseline, a zero row);
    ``uniq``: the chunk's distinct animals (rows of u), ``inv``: record -> index in ``uniq``;
    ``y``: (n, T), 0 where missing; ``runs``: (pattern, start, stop) - the records are sorted
    by missing pattern (bit t set = trait t observed), each pattern a contiguous run."""

    cols: np.ndarray
    uniq: np.ndarray
    inv: np.ndarray
    y: np.ndarray
    runs: list[tuple[int, int, int]]

    @property
    def n(self) -> int:
        return int(self.y.shape[0])


def rinv_patterns(r0: np.ndarray) -> np.ndarray:
    """R_p^{-1} for every pattern p in 0..2^T-1: inverse of R0 on the observed traits of p,
    zero elsewhere (pattern 0, nothing observed, is all zeros)."""
    t = r0.shape[0]
    out = np.zeros((2 ** t, t, t))
    for p in range(1, 2 ** t):
        obs = np.array([(p >> k) & 1 for k in range(t)], dtype=bool)
        out[p][np.ix_(obs, obs)] = np.linalg.inv(r0[np.ix_(obs, obs)])
    return out


def _text(col: pd.Series) -> np.ndarray:
    return col.astype(str).to_numpy()


def _observed(frame: pd.DataFrame, traits: tuple[str, ...]) -> np.ndarray:
    return np.column_stack([frame[t].notna().to_numpy() for t in traits])


def chunk_levels(frame: pd.DataFrame, traits: tuple[str, ...],
                 factors: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The levels of each fixed factor among this chunk's records with any trait observed."""
    keep = _observed(frame, traits).any(axis=1)
    return {f: np.unique(_text(frame[f])[keep]) for f in factors}


def code_chunk(frame: pd.DataFrame, coding: Coding, where: str = "") -> Chunk:
    """Code a frame of records (records with every trait missing are dropped)."""
    obs = _observed(frame, coding.traits)
    keep = obs.any(axis=1)
    frame, obs = frame.loc[keep], obs[keep]
    pat = (obs * (1 << np.arange(len(coding.traits)))).sum(axis=1)
    order = np.argsort(pat, kind="stable")
    frame, obs, pat = frame.iloc[order], obs[order], pat[order]
    cut = np.flatnonzero(np.diff(pat)) + 1
    starts, stops = np.r_[0, cut], np.r_[cut, pat.size]
    runs = [(int(pat[a]), int(a), int(b)) for a, b in zip(starts, stops) if b > a]
    idx = coding.ids.get_indexer(_text(frame[coding.animal]))
    if (idx < 0).any():
        bad = pd.unique(_text(frame[coding.animal])[idx < 0])[:5]
        raise DataError(
            f"{int((idx < 0).sum())} record(s){where} have an animal id in column "
            f"'{coding.animal}' that is not in the pedigree of A-inverse, e.g. {list(bad)}",
            hint="build A-inverse from a pedigree that lists every recorded animal")
    p = coding.n_fixed
    cols = np.empty((len(coding.factors), len(frame)), dtype=np.int64)
    for k, f in enumerate(coding.factors):
        lev = coding.levels[f]
        code = pd.Index(lev).get_indexer(_text(frame[f]))
        cols[k] = np.where(code <= 0, p, coding.offsets[f] + code - 1)
    uniq, inv = np.unique(idx, return_inverse=True)
    y = np.column_stack([frame[t].to_numpy(dtype=float) for t in coding.traits])
    y = np.where(obs, y, 0.0)
    return Chunk(cols, uniq, inv.ravel(), y, runs)


def right_multiply(a: np.ndarray, m: np.ndarray) -> np.ndarray:
    """a @ m for a tall (k, T) and a small (T, T): T axpy passes (a BLAS gemm of this shape
    is slower, and threaded it thrashes on a busy machine)."""
    out = a[:, 0:1] * m[0]
    for j in range(1, m.shape[0]):
        out += a[:, j:j + 1] * m[j]
    return out


def _weights(ch: Chunk, eta: np.ndarray, rinv: np.ndarray) -> np.ndarray:
    """w_r = R_r^{-1} eta_r, one pattern run at a time."""
    w = np.zeros_like(eta)
    for pat, a, b in ch.runs:
        w[a:b] = right_multiply(eta[a:b], rinv[pat])
    return w


def _transpose(ch: Chunk, w: np.ndarray, n_fixed: int) -> tuple[np.ndarray, np.ndarray]:
    """(X'w, Z'w) for record weights w (n, T): X'w is (n_fixed + 1, T) (last row: the
    baseline dump), Z'w is (len(uniq), T) over the chunk's animals."""
    t = w.shape[1]
    fx = np.zeros((n_fixed + 1, t))
    fx[0] = w.sum(axis=0)
    zw = np.empty((ch.uniq.size, t))
    for j in range(t):
        for col in ch.cols:
            fx[:, j] += np.bincount(col, weights=w[:, j], minlength=n_fixed + 1)
        zw[:, j] = np.bincount(ch.inv, weights=w[:, j], minlength=ch.uniq.size)
    return fx, zw


def chunk_matvec(ch: Chunk, b: np.ndarray, u: np.ndarray, rinv: np.ndarray,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """[X Z]'R^{-1}(X b + Z u) over the chunk: (fixed sums, animals, animal sums).
    ``b`` is (n_fixed + 1, T) with a zero last row."""
    eta = u[ch.uniq[ch.inv]] + b[0]
    for col in ch.cols:
        eta = eta + b[col]
    fx, zw = _transpose(ch, _weights(ch, eta, rinv), b.shape[0] - 1)
    return fx, ch.uniq, zw


def chunk_rhs(ch: Chunk, n_fixed: int, rinv: np.ndarray,
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """[X Z]'R^{-1} y over the chunk."""
    fx, zw = _transpose(ch, _weights(ch, ch.y, rinv), n_fixed)
    return fx, ch.uniq, zw


def chunk_diag(ch: Chunk, n_fixed: int, rinv: np.ndarray,
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Diagonal T x T blocks of [X Z]'R^{-1}[X Z] over the chunk: sums of R_r^{-1} by fixed
    level (n_fixed + 1, T, T) and by animal (len(uniq), T, T)."""
    t = rinv.shape[1]
    per = np.empty((ch.n, t * t))
    for pat, a, b in ch.runs:
        per[a:b] = rinv[pat].ravel()
    fx, zw = _transpose(ch, per, n_fixed)
    return fx.reshape(-1, t, t), ch.uniq, zw.reshape(-1, t, t)
