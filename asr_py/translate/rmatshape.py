"""R's matrix shapes that numpy's 1-D results lose (R 4.2, ``?matmult``, ``?Extract``).

* ``A %*% v`` of an n x k matrix and a vector of length k is an n x 1 matrix in R. numpy's
  ``@`` gives a 1-D vector, which behaves the same in arithmetic, but ``rbind()`` of two
  such results must stack them (a (p + q) x 1 column, as the right-hand side of mixed
  model equations is built), not make them two rows. :class:`RColumn` is that 1-D result
  marked as R's one-column matrix; :func:`as_column` turns it into the (n, 1) array
  ``rbind`` stacks.
* ``v %*% A`` of a vector of length n and an n x k matrix is a 1 x k matrix in R (the
  vector is read as a row). numpy's 1-D result is the same in arithmetic, but ``t()`` of it
  is R's k x 1 column (``t(lambda %*% t(X))``: one value per row of X), where ``t()`` of a
  plain vector is a 1 x k row. :class:`RRow` marks that result; ``t()`` of it is an
  :class:`RColumn`.
* ``m[i]`` of a matrix indexes its elements column by column (a matrix is a vector with
  dimensions); a matrix with dimnames is held as a labelled DataFrame, where ``d[i]`` of a
  data frame selects columns. A position beyond the frame's columns cannot be a data frame
  column (R: "undefined columns selected"), so such a numeric frame is read as the matrix
  it holds: :func:`matrix_elements`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["RColumn", "RRow", "as_column", "column_result", "conformable", "is_square_dimnamed",
           "matrix_elements", "reads_as_matrix"]


class RColumn(np.ndarray):
    """A 1-D array that R holds as an n x 1 matrix (the result of ``matrix %*% vector``)."""


class RRow(np.ndarray):
    """A 1-D array that R holds as a 1 x k matrix (the result of ``vector %*% matrix``)."""


def conformable(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The operands of R's ``a %*% b`` when one is a vector (or one value) and the other a
    matrix (R 4.2 ``?matmult``): the vector is a column or a row, whichever conforms; a
    vector that does not conform as numpy's 1-D operand (length = the matrix's column
    count) is read as the other one — a one-column matrix times a vector is their outer
    product, ``L %*% C[1, 1]`` a scaling. Two vectors, or two matrices, are left as they
    are (numpy's rules are R's there)."""
    if a.ndim == 2 and b.ndim <= 1:
        v = np.atleast_1d(b)
        if v.size != a.shape[1] and a.shape[1] == 1:
            return a, v.reshape(1, -1)            # n x 1 times a row
        return a, v
    if a.ndim <= 1 and b.ndim == 2:
        v = np.atleast_1d(a)
        if v.size != b.shape[0] and b.shape[0] == 1:
            return v.reshape(-1, 1), b            # a column times 1 x p
        return v, b
    return a, b


def column_result(out: Any, x: Any, y: Any) -> Any:
    """``out = x @ y`` marked as R's n x 1 matrix when x is a matrix and y a vector (R
    treats the vector as a column when its length is x's column count), as R's 1 x k
    matrix when x is a vector and y a matrix (the vector is then a row)."""
    if isinstance(out, np.ndarray) and out.ndim == 1 and np.ndim(x) == 2 and np.ndim(y) == 1:
        return out.view(RColumn)
    if isinstance(out, np.ndarray) and out.ndim == 1 and np.ndim(x) <= 1 and np.ndim(y) == 2:
        return out.view(RRow)           # vector %*% matrix: R's 1 x k row
    return out


def as_column(x: Any) -> Any:
    """An :class:`RColumn` as the (n, 1) array it stands for; anything else unchanged."""
    if isinstance(x, RColumn):
        return np.asarray(x).reshape(-1, 1)
    return x


def reads_as_matrix(x: pd.DataFrame, idx: list[int]) -> bool:
    """Whether ``x[idx]`` (0-based positions) of a DataFrame is R's element indexing of the
    matrix it holds: every column numeric and a position beyond the columns."""
    return bool(idx) and max(idx) >= x.shape[1] and \
        all(pd.api.types.is_numeric_dtype(t) for t in x.dtypes)


def matrix_elements(x: Any, idx: list[int]) -> np.ndarray:
    """``m[i]`` of a matrix (ndarray or labelled DataFrame): its elements at the 0-based
    positions ``idx``, counted column by column; beyond the end, NA (R's rule)."""
    flat = np.asarray(x, dtype=float).ravel(order="F")
    return np.array([flat[i] if i < flat.size else np.nan for i in idx])


def is_square_dimnamed(x: pd.DataFrame) -> bool:
    """A numeric frame whose row names are its column names (a relationship or covariance
    matrix, ``A * s2``): only a matrix is labelled so, never a data frame of records."""
    return x.shape[0] == x.shape[1] and x.shape[0] > 0 and \
        [str(v) for v in x.index] == [str(v) for v in x.columns] and \
        all(pd.api.types.is_numeric_dtype(t) for t in x.dtypes)
