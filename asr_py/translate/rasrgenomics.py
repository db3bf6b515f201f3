"""ASRgenomics' ``full2sparse(K, drop.zero = TRUE)`` and ``sparse2full(K)``: asreml's sparse
form of a symmetric matrix - three columns Row, Col, Value holding the lower triangle row by
row (columns within row), 1-based, with the ids in the attributes ``rowNames``/``colNames``
(and ``INVERSE`` when set). vm(id, K) reads that form (asr_py.model.blocks)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_full2sparse", "r_sparse2full"]

#: R function -> (runtime function, formals, packages) for asreml_rules' _TMM_FUNCS
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "full2sparse": ("r_full2sparse", ("K", "drop.zero"), ("ASRgenomics",)),
    "sparse2full": ("r_sparse2full", ("K",), ("ASRgenomics",)),
}


def r_full2sparse(K: Any = None, drop_zero: bool = True) -> Any:
    """The sparse form of the square matrix K (module docstring); zeros dropped unless
    ``drop.zero = FALSE``. Ids: K's row names (1..n without)."""
    if isinstance(K, Untranslated):
        return K._use()
    if isinstance(K, pd.DataFrame):
        M = K.to_numpy(dtype=float)
        rows = [str(i) for i in K.index]
        cols = [str(c) for c in K.columns]
    else:
        M = np.asarray(K, dtype=float)
        rows = cols = [str(i + 1) for i in range(M.shape[0])] if M.ndim == 2 else []
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise AsrError(f"full2sparse(K): K must be a square matrix, not shape {M.shape}")
    r, c = np.tril_indices(M.shape[0])           # row by row, columns within row
    v = M[r, c]
    keep = v != 0 if drop_zero else np.ones(v.size, dtype=bool)
    out = pd.DataFrame({"Row": r[keep] + 1, "Col": c[keep] + 1, "Value": v[keep]})
    out.attrs["rowNames"] = rows
    out.attrs["colNames"] = cols
    if isinstance(K, pd.DataFrame) and "inverse" in K.attrs:
        out.attrs["inverse"] = K.attrs["inverse"]
    return out


def r_sparse2full(K: Any = None) -> Any:
    """The full symmetric matrix of a sparse form (names from attr rowNames, else 1..n;
    INVERSE carried over)."""
    if isinstance(K, Untranslated):
        return K._use()
    if not isinstance(K, pd.DataFrame) or K.shape[1] != 3:
        raise AsrError("sparse2full(K): K must be a sparse form (3 columns Row, Col, Value)",
                       hint="full2sparse() and asreml's ainverse() give one")
    r = K.iloc[:, 0].to_numpy(dtype=int) - 1
    c = K.iloc[:, 1].to_numpy(dtype=int) - 1
    names = K.attrs.get("rowNames")
    n = len(names) if names is not None else int(max(r.max(), c.max()) + 1)
    M = np.zeros((n, n))
    M[r, c] = K.iloc[:, 2].to_numpy(dtype=float)
    M[c, r] = K.iloc[:, 2].to_numpy(dtype=float)
    ids = [str(i) for i in names] if names is not None else [str(i + 1) for i in range(n)]
    out = pd.DataFrame(M, index=ids, columns=ids)
    if "inverse" in K.attrs:
        out.attrs["inverse"] = K.attrs["inverse"]
    return out
