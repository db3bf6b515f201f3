"""R's ``solve(a)`` for translated scripts: the inverse keeps R's dimnames.

R names the rows of ``solve(a)`` by the columns of ``a`` and its columns by the rows of ``a``;
a relationship matrix inverted this way (``Ginv <- solve(K)``) is then matched to the data
by those names (``vm(gid, Ginv)``, ``rownames(Ginv)``). ``np.linalg.inv`` drops them.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError

__all__ = ["r_solve"]


def r_solve(a: Any) -> Any:
    """``solve(a)``: the inverse of a square matrix; a DataFrame (R's matrix with dimnames)
    gives a DataFrame indexed by a's columns, with a's rows as columns. An object with its
    own ``r_solve()`` (CVXR's Problem: rcvxr.py) is solved by it."""
    if hasattr(a, "r_solve"):
        return a.r_solve()
    m = np.asarray(a, dtype=float)
    if m.ndim == 0 or m.size == 1 and m.ndim <= 1:
        return 1.0 / float(m.reshape(-1)[0])
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise AsrError(f"solve(a): 'a' ({m.shape[0]} x {m.shape[1] if m.ndim == 2 else 1}) "
                       "must be square", hint="solve(a) inverts a square matrix")
    try:
        inv = np.linalg.inv(m)
    except np.linalg.LinAlgError as exc:
        raise AsrError("solve(a): the matrix is exactly singular",
                       hint="add a small value to its diagonal (as the script may intend) "
                            "or use MASS::ginv()") from exc
    if isinstance(a, pd.DataFrame):
        return pd.DataFrame(inv, index=a.columns, columns=a.index)
    return inv
