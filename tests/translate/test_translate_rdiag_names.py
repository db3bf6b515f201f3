"""R's ``diag`` of a matrix keeps names (session 28, s28fa; GIS-FA_Mallawi's fa_outs.R
step 23 reads ``diag(Gvcov)[i]`` by environment name).

R's ``?diag``: "names: (when x is a matrix) logical indicating if the resulting vector, the
diagonal of x, should inherit names from dimnames(x) if available"; default TRUE. base R's
``diag`` gives the names only when both dimnames are present and the first m = min(dim)
row names are ``identical`` to the first m column names. A data frame's automatic row
names are not dimnames (``as.matrix`` gives NULL row names). Expected values written out by
hand from those rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _translate_fixtures import run_r


def test_diag_of_a_matrix_with_equal_dimnames_is_named() -> None:
    r = ('G <- matrix(c(2, 1, 1, 3), 2, 2, dimnames = list(c("a", "b"), c("a", "b")))\n'
         'd <- diag(G)\n'
         'db <- diag(G)["b"]\n'
         'h <- 1 - 0.5 / (2 * diag(G)["b"])\n'
         'n <- names(diag(G))\n')
    ns = run_r(r, complete=True)
    assert isinstance(ns["d"], pd.Series)
    assert list(ns["d"].index) == ["a", "b"]
    np.testing.assert_allclose(np.asarray(ns["d"], dtype=float), [2.0, 3.0])
    np.testing.assert_allclose(np.asarray(ns["db"], dtype=float).ravel(), [3.0])
    np.testing.assert_allclose(np.asarray(ns["h"], dtype=float).ravel(), [1 - 0.5 / 6])
    assert list(ns["n"]) == ["a", "b"]


def test_diag_names_false_or_unequal_dimnames_is_unnamed() -> None:
    r = ('G <- matrix(c(2, 1, 1, 3), 2, 2, dimnames = list(c("a", "b"), c("a", "b")))\n'
         'u <- diag(G, names = FALSE)\n'
         'H <- matrix(c(2, 1, 1, 3), 2, 2, dimnames = list(c("a", "b"), c("x", "y")))\n'
         'v <- diag(H)\n'
         'M <- matrix(c(4, 5, 6, 7), 2, 2)\n'
         'w <- diag(M)\n')
    ns = run_r(r, complete=True)
    for k, want in (("u", [2.0, 3.0]), ("v", [2.0, 3.0]), ("w", [4.0, 7.0])):
        assert not isinstance(ns[k], pd.Series), k
        np.testing.assert_allclose(np.asarray(ns[k], dtype=float), want)


def test_diag_of_a_rectangular_matrix_compares_the_first_m_names() -> None:
    # 2 x 3: m = 2; rownames a, b; colnames a, b, c -> the first two agree -> named a, b
    r = ('R <- matrix(1:6, 2, 3, dimnames = list(c("a", "b"), c("a", "b", "c")))\n'
         'd <- diag(R)\n'
         'S <- matrix(1:6, 2, 3, dimnames = list(c("a", "b"), c("b", "a", "c")))\n'
         'e <- diag(S)\n')
    ns = run_r(r, complete=True)
    assert isinstance(ns["d"], pd.Series)
    assert list(ns["d"].index) == ["a", "b"]
    np.testing.assert_allclose(np.asarray(ns["d"], dtype=float), [1.0, 4.0])
    assert not isinstance(ns["e"], pd.Series)
    np.testing.assert_allclose(np.asarray(ns["e"], dtype=float), [1.0, 4.0])


def test_diagonals_with_different_names_combine_by_position() -> None:
    # R's ?Arithmetic: vectors pair element by element; the result takes the first
    # operand's names (pandas would align a/b against x/y into four NaNs)
    r = ('A <- matrix(c(2, 0, 0, 4), 2, 2, dimnames = list(c("a", "b"), c("a", "b")))\n'
         'B <- matrix(c(8, 0, 0, 5), 2, 2, dimnames = list(c("x", "y"), c("x", "y")))\n'
         'q <- diag(A) / diag(B)\n'
         's <- 1 - diag(A) * diag(B)\n')
    ns = run_r(r, complete=True)
    np.testing.assert_allclose(np.asarray(ns["q"], dtype=float), [2 / 8, 4 / 5])
    assert list(ns["q"].index) == ["a", "b"]
    np.testing.assert_allclose(np.asarray(ns["s"], dtype=float), [1 - 16, 1 - 20])
