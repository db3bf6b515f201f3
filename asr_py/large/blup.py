"""BLUP with given variance components by PCG iterating on the data (never forming C).

The mixed model equations of the (multivariate) animal model of :mod:`asr_py.large.chunks`,

    [X'R^{-1}X      X'R^{-1}Z              ] [b]   [X'R^{-1}y]
    [Z'R^{-1}X      Z'R^{-1}Z + A^{-1} (x) G0^{-1}] [u] = [Z'R^{-1}y],

are solved by preconditioned conjugate gradients (:mod:`asr_py.large.pcg`) as BLUPF90 and
MiX99 do: each iteration computes C x as the record sums [X Z]'R^{-1}(X b + Z u), chunk by
chunk (in this process or on Dask workers), plus (A^{-1} (x) G0^{-1}) u = A^{-1} U G0^{-1}
with U the n x T matrix of u (A^{-1} sparse, on the driver). The preconditioner is
block-Jacobi: the T x T diagonal blocks of C (one per fixed level, one per animal), inverted.
Fixed-effect equations with no observed record (a level never seen with a trait) are fixed at
zero and reported as not estimable.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from asr_py.errors import DataError, MatrixError, ModelError
from asr_py.genetics.relmatrix import RelMatrix
from asr_py.large.chunks import (
    Coding,
    chunk_diag,
    chunk_levels,
    chunk_matvec,
    chunk_rhs,
    code_chunk,
    right_multiply,
    rinv_patterns,
)
from asr_py.large.pcg import PcgInfo, pcg
from asr_py.large.runner import (
    DaskRunner,
    LocalRunner,
    frame_pieces,
    parquet_pieces,
    read_piece,
)
from asr_py.reml.memory import peak_bytes
from asr_py.warning_classes import ConvergenceWarning

__all__ = ["PcgBlup", "blup_pcg"]

#: Most traits: R^{-1} is precomputed for each of the 2^T missing-value patterns.
MAX_TRAITS = 10


@dataclass
class PcgBlup:
    """Solutions of :func:`blup_pcg`.

    Attributes:
        fixed: one row per fixed effect and trait (term, level, trait, effect); the first
            level of each factor is absorbed by the intercept; ``effect`` is NaN where not
            estimable (no record of that trait at that level).
        blup: predicted breeding values, animals (index: ids of A^{-1}) x traits.
        info: PCG iterations, convergence flag and ||r||/||b|| per iteration.
        n_records, n_equations: records used (with at least one trait) and equations of C.
        seconds: wall time of the whole run; peak_memory: peak resident memory of this
            process in bytes (VmHWM, else ``ru_maxrss``; Dask workers in other processes
            not included).
    """

    fixed: pd.DataFrame
    blup: pd.DataFrame
    info: PcgInfo
    n_records: int
    n_equations: int
    seconds: float
    peak_memory: int
    G: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))
    R: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))

    @property
    def converged(self) -> bool:
        return self.info.converged

    def summary(self) -> str:
        state = "converged" if self.converged else "NOT converged"
        return "\n".join([
            "BLUP by PCG iterating on the data (variance components given)",
            f"  records {self.n_records}, animals {len(self.blup)}, traits "
            f"{self.blup.shape[1]}, equations {self.n_equations}",
            f"  {state} in {self.info.iterations} iterations, ||r||/||b|| = "
            f"{self.info.relative_residual:.3g}",
            f"  time {self.seconds:.1f} s, peak memory {self.peak_memory / 2**20:.0f} MiB",
        ])


def _matrix(m: Any, name: str, traits: tuple[str, ...]) -> np.ndarray:
    """G0 / R0 as a T x T SPD array; a labelled DataFrame (``fit.covariance(...)``) is
    reordered to ``traits``."""
    t = len(traits)
    if isinstance(m, pd.DataFrame):
        lab = [str(c) for c in m.columns]
        if set(lab) == set(traits):
            m = m.loc[list(traits), list(traits)] if list(m.index) == list(m.columns) else m
        m = m.to_numpy(dtype=float)
    a = np.atleast_2d(np.asarray(m, dtype=float))
    if a.shape != (t, t):
        raise ModelError(f"{name} must be {t} x {t} (one row per trait {list(traits)}), "
                         f"got shape {a.shape}")
    if not np.all(np.isfinite(a)) or not np.allclose(a, a.T, rtol=1e-10, atol=1e-12):
        raise ModelError(f"{name} must be a finite symmetric matrix, got\n{a}")
    if np.linalg.eigvalsh(a).min() <= 0:
        raise ModelError(f"{name} is not positive definite (eigenvalues "
                         f"{np.round(np.linalg.eigvalsh(a), 6).tolist()})",
                         hint="variance components from a converged fit are positive "
                              "definite; bend or re-estimate them")
    return a


def _ainv(ainv: Any) -> tuple[sp.csr_matrix, pd.Index]:
    if not isinstance(ainv, RelMatrix):
        raise MatrixError(f"ainv must be a RelMatrix (asr.ainverse(pedigree)), got "
                          f"{type(ainv).__name__}")
    if not ainv.inverse:
        raise MatrixError(f"ainv is '{ainv.kind}', not an inverse relationship matrix",
                          hint="pass asr.ainverse(pedigree) (or a G-inverse)")
    m = sp.csr_matrix(ainv.matrix) if sp.issparse(ainv.matrix) else np.asarray(ainv.matrix)
    return m, pd.Index(ainv.ids)


def _pieces(data: Any, columns: list[str], rows: int) -> list[Any]:
    if isinstance(data, pd.DataFrame):
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise DataError(f"data has no column(s) {missing}",
                            hint=f"columns present: {list(data.columns)[:20]}")
        return frame_pieces(data[columns], rows)
    if isinstance(data, (str, os.PathLike)) or (
            isinstance(data, Sequence) and all(isinstance(d, (str, os.PathLike)) for d in data)):
        pieces = parquet_pieces(data)
        import pyarrow.parquet as pq

        for f in dict.fromkeys(p.path for p in pieces):
            names = pq.ParquetFile(f).schema_arrow.names
            missing = [c for c in columns if c not in names]
            if missing:
                raise DataError(f"Parquet file '{f}' has no column(s) {missing}",
                                hint=f"columns present: {names[:20]}")
        return pieces
    raise DataError(f"data must be a pandas DataFrame or Parquet path(s), got "
                    f"{type(data).__name__}")


def _levels_task(piece: Any, cols: list[str], traits: tuple[str, ...],
                 factors: tuple[str, ...]) -> dict[str, np.ndarray]:
    return chunk_levels(read_piece(piece, cols), traits, factors)


def _load_task(piece: Any, cols: list[str], coding: Coding) -> Any:
    where = "" if isinstance(piece, pd.DataFrame) else f" in {piece}"
    return code_chunk(read_piece(piece, cols), coding, where)


def _reduce(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], p: int,
            n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum of chunk results: fixed (p, ...) and animals (n, ...)."""
    fx = sum(f for f, _, _ in parts)[:p]
    out = np.zeros((n, *parts[0][2].shape[1:]))
    for _, uniq, zw in parts:
        out[uniq] += zw
    return fx, out


def _block_inverse(blocks: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Inverse of each T x T block on its active traits (zero elsewhere)."""
    b = blocks * (active[:, :, None] & active[:, None, :])
    idx = np.arange(blocks.shape[1])
    b[:, idx, idx] = np.where(active, b[:, idx, idx], 1.0)
    inv = np.linalg.inv(b)
    return inv * (active[:, :, None] & active[:, None, :])


def blup_pcg(data: pd.DataFrame | str | os.PathLike | Sequence[str], *,
             traits: str | Sequence[str], animal: str, ainv: RelMatrix,
             G: Any, R: Any, fixed: Sequence[str] = (), client: Any = None,
             chunk_rows: int = 100_000, tol: float = 1e-10, maxit: int = 5000,
             verbose: bool = False) -> PcgBlup:
    """BLUP of the (multivariate) animal model with *given* variance components, by PCG
    iterating on the data (see the module docstring).

    The model is ``cbind(traits) ~ trait + trait:f1 + ...``, ``~ us(trait):vm(animal, ainv)``,
    ``~ units:us(trait)`` with G0 = ``G`` and R0 = ``R`` fixed (T x T arrays, or the labelled
    frames of ``fit.covariance(...)`` from an ``asr.asreml`` fit on a subset of the data).
    Missing traits (NaN) are allowed; records with every trait missing are dropped.

    Args:
        data: a DataFrame, or a Parquet file, directory of ``*.parquet`` files or list of
            files (each row group is one chunk, read where it is processed).
        traits: trait column(s); animal: the id column (ids of ``ainv``); fixed: factor
            columns, one effect per level and trait (first level absorbed by the intercept).
        ainv: ``asr.ainverse(pedigree)`` (or another inverse relationship matrix).
        client: a ``dask.distributed.Client``: chunks are coded and kept on its workers and
            the record products computed there; None: in this process.
        chunk_rows: records per chunk of an in-memory frame.
        tol: stop when ||b - Cx|| / ||b|| <= tol; maxit: most iterations (a
            :class:`~asr_py.ConvergenceWarning` when reached).
    """
    t0 = time.perf_counter()
    traits = (traits,) if isinstance(traits, str) else tuple(traits)
    factors = tuple(fixed)
    if not traits:
        raise ModelError("blup_pcg needs at least one trait")
    if len(traits) > MAX_TRAITS:
        raise ModelError(f"blup_pcg takes at most {MAX_TRAITS} traits, got {len(traits)}")
    if len(set((*traits, animal, *factors))) != len(traits) + 1 + len(factors):
        raise ModelError("traits, animal and fixed name the same column twice")
    if chunk_rows < 1 or tol <= 0 or maxit < 1:
        raise ModelError("chunk_rows and maxit must be >= 1 and tol > 0")
    g0 = _matrix(G, "G", traits)
    r0 = _matrix(R, "R", traits)
    ainv_m, ids = _ainv(ainv)
    cols = [animal, *factors, *traits]
    pieces = _pieces(data, cols, chunk_rows)
    runner: LocalRunner | DaskRunner = LocalRunner() if client is None else DaskRunner(client)
    pieces = runner.prepare(pieces)
    try:
        seen = runner.map_pieces(pieces, _levels_task, cols, traits, factors)
        levels, offsets, row = {}, {}, 1
        for f in factors:
            levels[f] = np.unique(np.concatenate([s[f] for s in seen]))
            offsets[f] = row
            row += max(len(levels[f]) - 1, 0)
        coding = Coding(traits, animal, factors, levels, offsets, ids)
        runner.load(pieces, _load_task, cols, coding)
        # vector operations: memory-bound, one BLAS thread (threads thrash on a busy machine)
        with threadpool_limits(1):
            return _solve(runner, coding, ainv_m, g0, r0, tol, maxit, verbose, t0)
    finally:
        runner.close()


def _solve(runner: LocalRunner | DaskRunner, coding: Coding, ainv: Any, g0: np.ndarray,
           r0: np.ndarray, tol: float, maxit: int, verbose: bool, t0: float) -> PcgBlup:
    t, p, n = len(coding.traits), coding.n_fixed, len(coding.ids)
    rinv = rinv_patterns(r0)
    g0inv = np.linalg.inv(g0)
    rhs_f, rhs_u = _reduce(runner.map(chunk_rhs, p, rinv), p, n)
    d_f, d_u = _reduce(runner.map(chunk_diag, p, rinv), p, n)
    n_records = int(sum(runner.map(_count)))
    if n_records == 0:
        raise DataError("no record has any trait observed")
    d_u += np.asarray(ainv.diagonal()).ravel()[:, None, None] * g0inv
    active = d_f[:, np.arange(t), np.arange(t)] > 0
    inv_f = _block_inverse(d_f, active)
    inv_u = np.linalg.inv(d_u)
    mask = np.concatenate([active.ravel().astype(float), np.ones(n * t)])
    split = p * t

    def matvec(x: np.ndarray) -> np.ndarray:
        b = np.vstack([(x[:split] * mask[:split]).reshape(p, t), np.zeros((1, t))])
        u = x[split:].reshape(n, t)
        f, z = _reduce(runner.map(chunk_matvec, b, u, rinv), p, n)
        z += right_multiply(np.asarray(ainv @ u), g0inv)
        return np.concatenate([f.ravel(), z.ravel()]) * mask

    def precond(r: np.ndarray) -> np.ndarray:
        zf = np.einsum("kij,kj->ki", inv_f, r[:split].reshape(p, t))
        zu = np.einsum("kij,kj->ki", inv_u, r[split:].reshape(n, t))
        return np.concatenate([zf.ravel(), zu.ravel()])

    def show(k: int, rel: float) -> None:
        if verbose and (k % 10 == 0 or rel <= tol):
            print(f"pcg {k:5d}  ||r||/||b|| = {rel:.3e}", flush=True)

    rhs = np.concatenate([rhs_f.ravel(), rhs_u.ravel()]) * mask
    x, info = pcg(matvec, rhs, precond, tol=tol, maxit=maxit, callback=show)
    if not info.converged:
        warnings.warn(
            f"blup_pcg did not converge in {maxit} iterations: ||r||/||b|| = "
            f"{info.relative_residual:.3g} > tol = {tol:g}; the solutions are approximate. "
            "Raise maxit, or check G and R (a near-singular G0 slows PCG)",
            ConvergenceWarning, stacklevel=3)
    return PcgBlup(_fixed_frame(coding, x[:split].reshape(p, t), active),
                   pd.DataFrame(x[split:].reshape(n, t), index=coding.ids,
                                columns=list(coding.traits)),
                   info, n_records, int(active.sum()) + n * t,
                   time.perf_counter() - t0,
                   peak_bytes(), g0, r0)


def _count(ch: Any) -> int:
    return ch.n


def _fixed_frame(coding: Coding, b: np.ndarray, active: np.ndarray) -> pd.DataFrame:
    rows = [("(Intercept)", "")]
    for f in coding.factors:
        rows += [(f, str(lev)) for lev in coding.levels[f][1:]]
    out = []
    for k, (term, level) in enumerate(rows):
        for j, tr in enumerate(coding.traits):
            out.append((term, level, tr, b[k, j] if active[k, j] else np.nan))
    return pd.DataFrame(out, columns=["term", "level", "trait", "effect"])
