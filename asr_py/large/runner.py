"""Where the chunks live and how a function is mapped over them: in this process
(:class:`LocalRunner`) or on a Dask cluster (:class:`DaskRunner`, chunks held on the workers as
futures, so the records never come back to the driver).

A *piece* is where a chunk's records come from: a slice of an in-memory DataFrame or one row
group of a Parquet file (read with pyarrow by whoever codes the chunk).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from asr_py.errors import DataError

__all__ = ["ParquetPiece", "LocalRunner", "DaskRunner", "parquet_pieces", "frame_pieces",
           "read_piece", "write_parquet"]


@dataclass(frozen=True)
class ParquetPiece:
    """Row group ``row_group`` of the Parquet file ``path``."""

    path: str
    row_group: int

    def __str__(self) -> str:
        return f"{self.path} (row group {self.row_group})"


def _pyarrow() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise DataError("reading Parquet needs pyarrow, which is not installed",
                        hint="pip install 'asr_py[large]'") from e
    return pq


def parquet_pieces(source: str | os.PathLike | Sequence[str | os.PathLike]) -> list[ParquetPiece]:
    """Every row group of a Parquet file, of the ``*.parquet`` files of a directory, or of a
    list of files."""
    pq = _pyarrow()
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if os.path.isdir(path):
            files = sorted(os.path.join(path, f) for f in os.listdir(path)
                           if f.endswith(".parquet"))
            if not files:
                raise DataError(f"directory '{path}' holds no *.parquet file")
        else:
            files = [path]
    else:
        files = [os.fspath(f) for f in source]
    pieces = []
    for f in files:
        if not os.path.exists(f):
            raise DataError(f"Parquet file '{f}' does not exist")
        n = pq.ParquetFile(f).metadata.num_row_groups
        pieces += [ParquetPiece(f, g) for g in range(n)]
    return pieces


def read_piece(piece: ParquetPiece | pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The records of a piece (only ``columns``)."""
    if isinstance(piece, pd.DataFrame):
        return piece
    pq = _pyarrow()
    table = pq.ParquetFile(piece.path).read_row_group(piece.row_group, columns=columns)
    return table.to_pandas()


def frame_pieces(frame: pd.DataFrame, rows: int) -> list[pd.DataFrame]:
    """``frame`` cut into slices of ``rows`` records."""
    return [frame.iloc[i:i + rows] for i in range(0, max(len(frame), 1), rows)]


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike, *, files: int = 1,
                  row_group_size: int = 100_000) -> list[str]:
    """Write ``frame`` as ``files`` Parquet files ``part-<k>.parquet`` in directory ``path``
    (row groups of ``row_group_size`` records); returns the file names."""
    import pyarrow as pa

    pq = _pyarrow()
    os.makedirs(path, exist_ok=True)
    step = -(-len(frame) // files)
    out = []
    for k in range(files):
        part = frame.iloc[k * step:(k + 1) * step]
        name = os.path.join(os.fspath(path), f"part-{k:05d}.parquet")
        pq.write_table(pa.Table.from_pandas(part, preserve_index=False), name,
                       row_group_size=row_group_size)
        out.append(name)
    return out


class LocalRunner:
    """Chunks as objects in this process; ``map`` is a loop."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def prepare(self, pieces: list[Any]) -> list[Any]:
        return pieces

    def load(self, pieces: list[Any], fn: Callable[..., Any], *args: Any) -> None:
        self.items = [fn(p, *args) for p in pieces]

    def map_pieces(self, pieces: list[Any], fn: Callable[..., Any], *args: Any) -> list[Any]:
        return [fn(p, *args) for p in pieces]

    def map(self, fn: Callable[..., Any], *args: Any) -> list[Any]:
        return [fn(c, *args) for c in self.items]

    def close(self) -> None:
        self.items = []


class DaskRunner:
    """Chunks as futures on the workers of a ``dask.distributed.Client``; the arguments of a
    ``map`` (the current solution) are broadcast to every worker once per call."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.items: list[Any] = []

    def _scatter(self, args: tuple[Any, ...]) -> list[Any]:
        """Large arrays and objects (the solution, the coding with its id index) go to every
        worker once; small arrays and plain values travel inside the tasks."""
        return [a if isinstance(a, (int, float, str, bool, tuple, list)) or (
                hasattr(a, "nbytes") and a.nbytes <= 100_000)
                else self.client.scatter(a, broadcast=True) for a in args]

    def prepare(self, pieces: list[Any]) -> list[Any]:
        """In-memory frames are sent to the workers once; Parquet pieces are read there."""
        return [self.client.scatter(p) if isinstance(p, pd.DataFrame) else p for p in pieces]

    def load(self, pieces: list[Any], fn: Callable[..., Any], *args: Any) -> None:
        args = tuple(self._scatter(args))
        self.items = [self.client.submit(fn, p, *args, pure=False) for p in pieces]
        self.client.gather([self.client.submit(_ok, c) for c in self.items])  # raise errors now

    def map_pieces(self, pieces: list[Any], fn: Callable[..., Any], *args: Any) -> list[Any]:
        args = tuple(self._scatter(args))
        futs = [self.client.submit(fn, p, *args, pure=False) for p in pieces]
        return self.client.gather(futs)

    def map(self, fn: Callable[..., Any], *args: Any) -> list[Any]:
        args = tuple(self._scatter(args))
        futs = [self.client.submit(fn, c, *args, pure=False) for c in self.items]
        return self.client.gather(futs)

    def close(self) -> None:
        self.client.cancel(self.items)
        self.items = []


def _ok(_: Any) -> bool:
    return True
