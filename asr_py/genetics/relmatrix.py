"""A relationship matrix (A, A-inverse, G, G-inverse...) that carries its row/column ids.

The model compiler matches data ids to ``RelMatrix.ids`` by name, as asreml does with the
``rowNames`` attribute of an ``ainverse`` result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from asr_py.errors import MatrixError

__all__ = ["RelMatrix"]

#: Largest matrix that :meth:`RelMatrix.to_frame` densifies without being asked.
_DENSE_LIMIT = 20_000


@dataclass
class RelMatrix:
    """A symmetric relationship matrix with named rows/columns.

    Attributes:
        matrix: ``scipy.sparse.csc_matrix`` or dense ``np.ndarray`` (n x n, symmetric).
        ids: the row/column order, as strings.
        inverse: True if ``matrix`` is an inverse (A-inverse, G-inverse).
        logdet: log|K| of the NON-inverted matrix K (A or G) when cheaply known
            (from Henderson's D for A: log|A| = sum_i log D_ii; from the Cholesky factor for
            G), else None.
        inbreeding: inbreeding coefficients F by id (pedigree matrices), else None.
        kind: 'A', 'Ainv', 'G', 'Ginv', or another short label.
        info: extra facts from the builder (e.g. ``n_imputed``, markers kept, method).
    """

    matrix: sp.csc_matrix | np.ndarray
    ids: tuple[str, ...]
    inverse: bool = False
    logdet: float | None = None
    inbreeding: pd.Series | None = None
    kind: str = "K"
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ids = tuple(str(i) for i in self.ids)
        shape = self.matrix.shape
        if len(shape) != 2 or shape[0] != shape[1]:
            raise MatrixError(f"relationship matrix '{self.kind}' is not square: shape {shape}")
        if shape[0] != len(self.ids):
            raise MatrixError(
                f"relationship matrix '{self.kind}' has {shape[0]} rows but {len(self.ids)} ids"
            )
        if len(set(self.ids)) != len(self.ids):
            dup = pd.Index(self.ids)
            dups = list(dict.fromkeys(dup[dup.duplicated()]))[:5]
            raise MatrixError(
                f"relationship matrix '{self.kind}' has duplicated ids, e.g. {dups}"
            )

    # ------------------------------------------------------------------ basics
    @property
    def n(self) -> int:
        """Number of rows (= columns)."""
        return len(self.ids)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n, self.n)

    @property
    def is_sparse(self) -> bool:
        return sp.issparse(self.matrix)

    @property
    def attrs(self) -> dict[str, Any]:
        """R's attributes of the matrix as asreml's sparse form carries them (a fresh dict):
        ``rowNames`` (the ids in order), ``INVERSE`` (whether it is an inverse) and, for a
        pedigree's, ``inbreeding`` (the inbreeding coefficients in id order)."""
        out: dict[str, Any] = {"rowNames": list(self.ids), "INVERSE": self.inverse}
        if self.inbreeding is not None:
            f = self.inbreeding.reindex(pd.Index(self.ids, dtype=object))
            out["inbreeding"] = f.to_numpy(dtype=float)
        return out

    @property
    def n_imputed(self) -> int | None:
        """Number of missing marker values imputed (genomic matrices), else None."""
        return self.info.get("n_imputed")

    def toarray(self) -> np.ndarray:
        """The matrix as a dense ndarray (a copy for sparse matrices)."""
        return self.matrix.toarray() if self.is_sparse else np.asarray(self.matrix)

    def to_frame(self, *, max_size: int = _DENSE_LIMIT) -> pd.DataFrame:
        """Dense DataFrame with ``ids`` as index and columns (for small matrices)."""
        if self.n > max_size:
            raise MatrixError(
                f"'{self.kind}' has {self.n} rows; to_frame() would build a dense "
                f"{self.n} x {self.n} table",
                hint="use .matrix (sparse) directly, or pass a larger max_size=",
            )
        ids = pd.Index(self.ids, dtype=object)
        return pd.DataFrame(self.toarray(), index=ids, columns=ids)

    def positions(self, ids: Iterable[Any]) -> np.ndarray:
        """Row positions of ``ids`` (matched by name, as strings); MatrixError for unknown ids."""
        wanted = [str(i) for i in ids]
        index = pd.Index(self.ids, dtype=object)
        pos = index.get_indexer(pd.Index(wanted, dtype=object))
        if (pos < 0).any():
            missing = [w for w, p in zip(wanted, pos) if p < 0]
            raise MatrixError(
                f"{len(missing)} id(s) not in relationship matrix '{self.kind}', e.g. "
                f"{missing[:5]}",
                hint="check that the ids are spelled the same way (they are compared as text)",
            )
        return pos

    def subset(self, ids: Iterable[Any]) -> RelMatrix:
        """Rows/columns for ``ids`` in that order.

        For a non-inverse K this is K[ids, ids]. For an inverse, dropping rows is not the
        inverse of the sub-matrix, so only a reordering of all ids is allowed.
        """
        wanted = [str(i) for i in ids]
        if len(set(wanted)) != len(wanted):
            raise MatrixError("subset(): the requested ids contain duplicates")
        pos = self.positions(wanted)
        if self.inverse and len(pos) != self.n:
            raise MatrixError(
                f"cannot drop rows of the inverse matrix '{self.kind}' ({self.n} ids, "
                f"{len(pos)} requested): a sub-matrix of an inverse is not the inverse of a "
                "sub-matrix",
                hint="keep all ids (extra ids just get predictions), or subset the "
                "non-inverted matrix and invert it again",
            )
        if self.is_sparse:
            m = self.matrix.tocsc()[pos][:, pos].tocsc()
        else:
            m = np.asarray(self.matrix)[np.ix_(pos, pos)]
        same_set = len(pos) == self.n
        inb = None
        if self.inbreeding is not None:
            inb = self.inbreeding.reindex(pd.Index(wanted, dtype=object))
        return RelMatrix(
            matrix=m,
            ids=tuple(wanted),
            inverse=self.inverse,
            logdet=self.logdet if same_set else None,
            inbreeding=inb,
            kind=self.kind,
            info=dict(self.info),
        )

    def __repr__(self) -> str:
        store = "sparse" if self.is_sparse else "dense"
        nnz = self.matrix.nnz if self.is_sparse else int(np.count_nonzero(self.matrix))
        ld = "None" if self.logdet is None else f"{self.logdet:.6g}"
        return (
            f"RelMatrix(kind={self.kind!r}, n={self.n}, {store}, nnz={nnz}, "
            f"inverse={self.inverse}, logdet={ld})"
        )
