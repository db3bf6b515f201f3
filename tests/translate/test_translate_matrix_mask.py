"""``m[cond]`` of a matrix reads R's column-major order (numpy's boolean indexing is
row-major: ``m[m > 3]`` came out 9 4 7 8 instead of R's 9 7 4 8, silently).

Expected values printed by R 4.2.2 (Rscript -e, the snippets below)."""

from __future__ import annotations

import numpy as np
from _translate_fixtures import run_r


def test_matrix_mask_is_column_major() -> None:
    ns = run_r("m <- matrix(c(2.5, 9, 1, 7, 4, 8), 2)\n"
               "v <- m[m > 3]\n"
               "w <- m[m > 3 & m < 9]\n")
    np.testing.assert_array_equal(np.asarray(ns["v"], dtype=float), [9, 7, 4, 8])
    np.testing.assert_array_equal(np.asarray(ns["w"], dtype=float), [7, 4, 8])


def test_matrix_with_dimnames_mask_is_column_major() -> None:
    ns = run_r('a <- matrix(1:12, 3, dimnames = list(NULL, c("a", "b", "c", "d")))\n'
               "e <- a[a %% 2 == 0]\n")
    np.testing.assert_array_equal(np.asarray(ns["e"], dtype=float), [2, 4, 6, 8, 10, 12])


def test_vector_mask_unchanged() -> None:
    ns = run_r("x <- c(5, 1, 7, NA, 3)\ny <- x[x > 2]\n")
    got = np.asarray(ns["y"], dtype=float)
    np.testing.assert_array_equal(got[[0, 1, 3]], [5, 7, 3])   # R: 5 7 NA 3
    assert np.isnan(got[2])
