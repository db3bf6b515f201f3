"""Record-level products of the univariate animal model for a *block* of m right-hand sides
(the data and K simulated data sets of Monte Carlo REML), one chunk of records at a time.

A chunk holds its records' incidence matrices X_c (records x fixed equations: intercept and
treatment-coded levels, as :mod:`asr_py.large.chunks` codes them) and Z_c (records x
animals), its records y_c and K standard-normal residual draws E_c (records
x K, the common random numbers of the simulated data sets). Every data block is affine in
these pieces,

    D_c = y_c a' + X_c B + Z_c U + E_c S = y_c a' + W_c [B; U] + E_c S,   (``Affine``)

so simulated records y* = Z u* + sigma_e e*, working variates and residuals y - X b - Z u are
all formed where the records are, and only sums over records leave a chunk: W_c'D_c (the
right-hand sides, and C x in PCG with a = 0, S = 0) and column cross-products D1_c'D2_c.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from asr_py.large.chunks import Chunk

__all__ = ["Affine", "BlockChunk", "block_chunk", "block_cross", "block_diag",
           "block_products"]


@dataclass
class BlockChunk:
    """One chunk: W_c = [X_c Z_c] (n x (p + all animals)) and W_c' in CSR (sums over records
    as row-wise sparse products), y_c (n,), E_c (n, K)."""

    w: sp.csr_matrix
    wt: sp.csr_matrix
    y: np.ndarray
    e: np.ndarray


@dataclass
class Affine:
    """D = y a' + W V + E S (any part None: absent): a (m,), V = [B; U] (p + animals, m),
    S (K, m)."""

    a: np.ndarray | None = None
    V: np.ndarray | None = None
    S: np.ndarray | None = None

    def width(self) -> int:
        for v in (self.a, self.V, self.S):
            if v is not None:
                return int(v.shape[-1])
        raise ValueError("empty Affine")


def block_chunk(ch: Chunk, n_fixed: int, n_animals: int, n_samples: int,
                rng: np.random.Generator) -> BlockChunk:
    """Incidence matrices of a coded (univariate) chunk, and its K residual draws."""
    n = ch.n
    rows = np.repeat(np.arange(n), len(ch.cols) + 1)
    cols = np.column_stack([np.zeros(n, dtype=np.int64), ch.cols.T]).ravel()
    keep = cols < n_fixed                               # n_fixed: the baseline level
    r = np.concatenate([rows[keep], np.arange(n)])
    c = np.concatenate([cols[keep], n_fixed + ch.uniq[ch.inv]])
    w = sp.csr_matrix((np.ones(r.size), (r, c)), shape=(n, n_fixed + n_animals))
    return BlockChunk(w, w.T.tocsr(), ch.y[:, 0].copy(), rng.standard_normal((n, n_samples)))


def _data(bc: BlockChunk, d: Affine) -> np.ndarray:
    out = bc.w @ d.V if d.V is not None else np.zeros((bc.y.size, d.width()))
    if d.a is not None:
        out += np.outer(bc.y, d.a)
    if d.S is not None:
        out += bc.e @ d.S
    return out


def block_products(bc: BlockChunk, d: Affine) -> np.ndarray:
    """W_c'D_c (p + all animals, m)."""
    return bc.wt @ _data(bc, d)


def block_cross(bc: BlockChunk, d1: Affine, d2: Affine, diag: bool = False) -> np.ndarray:
    """D1_c'D2_c (m1, m2), or only its diagonal (m,) when ``diag``."""
    a, b = _data(bc, d1), _data(bc, d2)
    return np.einsum("ij,ij->j", a, b) if diag else a.T @ b


def block_diag(bc: BlockChunk) -> np.ndarray:
    """Diagonal of W_c'W_c (record counts by fixed level and by animal)."""
    return np.asarray(bc.w.sum(axis=0)).ravel()


def block_count(bc: BlockChunk) -> int:
    return int(bc.y.size)
