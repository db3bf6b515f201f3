"""Which R expressions are matrices, so that their arithmetic is positional (R 4.2
``?Arithmetic``: a matrix op a matrix / vector works element by element by position,
never by dimnames), and R's ``t()`` of a vector.

translate holds a matrix with dimnames as a labelled DataFrame; pandas' ``A - B`` aligns
two frames by label, which gives NaN where R gives numbers (``Gg - C22`` of two matrices
whose dimnames differ). The printer writes ``rmatrix.r_arith`` (positional, with R's
recycling) when an operand is a matrix: written as one (``%*%``, ``t()``, ``solve()``, ...)
or a name the script last assigned a matrix to (:func:`matrix_value` with the printer's
set of such names, kept by :func:`track`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R
from asr_py.translate.rmatshape import RColumn, RRow

__all__ = ["list_vector", "matrix_value", "r_t", "track", "track_vector"]

#: calls whose value is a matrix whatever their (numeric) arguments
_MATRIX_CALLS = frozenset({
    "t", "matrix", "as.matrix", "kronecker", "outer", "solve", "crossprod", "tcrossprod",
    "chol", "chol2inv", "ginv", "bdiag", "cov2cor", "A.mat", "Gmatrix", "Amatrix",
    "Hmatrix", "data.matrix", "model.matrix", "sweep", "scale", "diag<-",
})
#: calls that are a matrix when their first argument is one
_SAME_CALLS = ("abs", "sqrt", "exp", "log", "round", "signif", "Re", "Conj")
#: calls whose value is a (numeric) vector: diag() of one is a matrix
_VECTORS = frozenset({"c", "rep", "seq", "seq_len", "numeric", "rnorm", "runif", "rep_len"})


def matrix_value(e: R, known: set[str] | frozenset[str]) -> bool:
    """Whether ``e`` is surely an R matrix: a matrix call (``%*%``, ``t()``, ``solve()``,
    ``chol()``, ``ginv()``, ``bdiag()``, ``diag(<vector or n>)`` ...), a name in ``known``
    (the script last assigned it a matrix), arithmetic with a matrix operand, or
    ``m[i, j]`` of a matrix with no one-value index (R's ``drop`` would make a vector)."""
    k = e.kind
    if k == "paren" and e.right is not None:
        return matrix_value(e.right, known)
    if k == "name":
        return e.value in known
    if k == "unary" and e.value in ("-", "+") and e.right is not None:
        return matrix_value(e.right, known)
    if k == "bin" and e.value in ("%*%", "%x%"):
        return True
    if k == "bin" and e.value in ("+", "-", "*", "/", "^") and e.left is not None and \
            e.right is not None:
        return matrix_value(e.left, known) or matrix_value(e.right, known)
    ij = [a for n, a in e.args if n != "drop"]
    if k == "index" and e.value == "[" and e.left is not None and len(ij) == 2 and \
            matrix_value(e.left, known):
        if any(n == "drop" for n, _ in e.args):
            return True
        return not any(a.kind in ("num", "str") or a.kind == "unary" and a.right is not None
                       and a.right.kind == "num" for a in ij)
    if k == "call":
        pos = [a for n, a in e.args if n is None]
        if e.value in _MATRIX_CALLS:
            return True
        if e.value == "diag":
            # diag(n) / diag(v) / diag(x, nrow) make a matrix; diag(<matrix>) its diagonal
            return bool(pos) and not matrix_value(pos[0], known) and (
                any(n in ("nrow", "ncol") for n, _ in e.args) or len(pos) > 1 or
                _vector_value(pos[0], known))
        if e.value in _SAME_CALLS and pos:
            return matrix_value(pos[0], known)
    return False


def _vector_value(e: R, known: set[str] | frozenset[str]) -> bool:
    """Whether ``e`` is surely a numeric vector (not a matrix): a number, ``c()``, ``rep()``,
    ``seq()`` ..., ``diag(<matrix>)``, or an elementwise function of one of those."""
    if e.kind == "paren" and e.right is not None:
        return _vector_value(e.right, known)
    if e.kind == "num" or e.kind == "unary" and e.right is not None and e.right.kind == "num":
        return True
    if e.kind != "call":
        return False
    pos = [a for n, a in e.args if n is None]
    if e.value in _VECTORS:
        return True
    if e.value == "diag" and len(e.args) == 1 and pos:
        return matrix_value(pos[0], known)
    return e.value in _SAME_CALLS + ("as.numeric", "as.vector") and len(pos) == 1 and \
        _vector_value(pos[0], known)


def track(known: set[str], name: str, value: R) -> None:
    """``name <- value``: remember ``name`` as a matrix when ``value`` is one (read with the
    names known before this assignment), forget it otherwise."""
    if matrix_value(value, known):
        known.add(name)
    else:
        known.discard(name)


#: calls translate writes as a Python list or range (c(1, 2) -> [1, 2], a:b -> range)
_LIST_CALLS = frozenset({"c", "seq", "seq_len", "seq_along", "rep", "rev"})


def track_vector(known: set[str], name: str, value: R) -> None:
    """``name <- c(...)`` / ``a:b`` / ``seq()`` / ``rep()``: remember ``name`` as an R vector
    that Python holds as a list or range, whose ``+``/``*`` would concatenate/repeat it;
    forget it on any other assignment."""
    if value.kind == "call" and value.value in _LIST_CALLS or \
            value.kind == "bin" and value.value == ":":
        known.add(name)
    else:
        known.discard(name)


def list_vector(e: R, known: set[str] | frozenset[str]) -> bool:
    """Whether ``e`` is a name :func:`track_vector` remembers (a list/range in Python)."""
    return e.kind == "name" and e.value in known


def r_t(x: Any) -> Any:
    """R's ``t(x)``: a matrix (ndarray, labelled DataFrame, sparse) transposed; a vector
    (list, 1-D array, Series, named c()) is the 1 x n matrix (R ``?t``: "a vector is
    treated as a column"), its names the column names, so ``v %*% t(v)`` is the n x n outer
    product as in R (numpy's transpose of a 1-D array would leave it 1-D). The 1 x k
    result of ``v %*% A`` (:class:`~asr_py.translate.rmatshape.RRow`) transposes to R's
    k x 1 column."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame):
        return x.T
    if isinstance(x, pd.Series):
        return pd.DataFrame([x.to_numpy()], columns=x.index) \
            if not isinstance(x.index, pd.RangeIndex) else x.to_numpy().reshape(1, -1)
    if isinstance(x, dict):
        return pd.DataFrame([list(x.values())], columns=list(x.keys()))
    if hasattr(x, "toarray") and hasattr(x, "T"):      # a scipy sparse matrix
        return x.T
    if isinstance(x, RRow):
        # t(v %*% A): R's 1 x k matrix transposed is the k x 1 column (rmatshape)
        return np.asarray(x).view(RColumn)
    a = np.asarray(list(x) if isinstance(x, (list, tuple, range)) else x)
    if a.ndim <= 1:
        return np.atleast_1d(a).reshape(1, -1)
    return a.T
