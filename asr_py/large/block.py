"""Record-level products of the univariate animal model for a *block* of m right-hand sides
(the data and K simulated data sets of Monte Carlo REML), one chunk of records at a time.

A chunk holds its records' incidence matrices X_c (records x fixed equations: intercept and
treatment-coded levels, as :mod:`asr_py.large.chunks` codes them) and Z_c (records x
animals), its records y_c and K standard-normal residual draws E_c (records
x K, the common random numbers of the simulated data sets). Every data block is affine in
these pieces,

    D_c = y_c a' + X_c B + Z_c U[animals of c] + E_c S,      (``Affine(a, B, U, S)``)

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
    """One chunk: X_c (n x p) and Z_c (n x all animals) in CSR, with their transposes in CSR
    (sums over records as row-wise sparse products), y_c (n,), E_c (n, K)."""

    x: sp.csr_matrix
    z: sp.csr_matrix
    xt: sp.csr_matrix
    zt: sp.csr_matrix
    y: np.ndarray
    e: np.ndarray


@dataclass
class Affine:
    """D = y a' + X B + Z U + E S (any part None: absent). a (m,), B (p, m), U (n_animals, m),
    S (K, m)."""

    a: np.ndarray | None = None
    B: np.ndarray | None = None
    U: np.ndarray | None = None
    S: np.ndarray | None = None

    def width(self) -> int:
        for v in (self.a, self.B, self.U, self.S):
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
    x = sp.csr_matrix((np.ones(int(keep.sum())), (rows[keep], cols[keep])),
                      shape=(n, n_fixed))
    z = sp.csr_matrix((np.ones(n), (np.arange(n), ch.uniq[ch.inv])), shape=(n, n_animals))
    return BlockChunk(x, z, x.T.tocsr(), z.T.tocsr(), ch.y[:, 0].copy(),
                      rng.standard_normal((n, n_samples)))


def _data(bc: BlockChunk, d: Affine) -> np.ndarray:
    out = np.zeros((bc.y.size, d.width()))
    if d.a is not None:
        out += np.outer(bc.y, d.a)
    if d.B is not None:
        out += bc.x @ d.B
    if d.U is not None:
        out += bc.z @ d.U
    if d.S is not None:
        out += bc.e @ d.S
    return out


def block_products(bc: BlockChunk, d: Affine) -> tuple[np.ndarray, np.ndarray]:
    """W_c'D_c = (X_c'D_c (p, m), Z_c'D_c (all animals, m))."""
    dat = _data(bc, d)
    return bc.xt @ dat, bc.zt @ dat


def block_cross(bc: BlockChunk, d1: Affine, d2: Affine, diag: bool = False) -> np.ndarray:
    """D1_c'D2_c (m1, m2), or only its diagonal (m,) when ``diag``."""
    a, b = _data(bc, d1), _data(bc, d2)
    return np.einsum("ij,ij->j", a, b) if diag else a.T @ b


def block_diag(bc: BlockChunk) -> tuple[np.ndarray, np.ndarray]:
    """Diagonals of X_c'X_c and Z_c'Z_c (record counts by level and by animal)."""
    return np.asarray(bc.x.sum(axis=0)).ravel(), np.asarray(bc.z.sum(axis=0)).ravel()


def block_count(bc: BlockChunk) -> int:
    return int(bc.y.size)
