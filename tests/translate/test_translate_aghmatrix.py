"""AGHmatrix's Gmatrix()/Amatrix() as translated (raghmatrix.py). Expected values: the
recorded result in AGHmatrix's tests/testthat/test_gmatrix.R, VanRaden's formulas computed
here with numpy, and closed forms of polyploid inbreeding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.errors import AsrError
from asr_py.translate.raghmatrix import r_Amatrix, r_Gmatrix


def test_gmatrix_vanraden_matches_aghmatrix_recorded_values() -> None:
    # AGHmatrix tests/testthat/test_gmatrix.R: M = rbind(c(0,1,2), c(1,0,2)) gives
    # G[1:2, 1:2] = [[0.6666667, -0.6666667], [-0.6666667, 0.6666667]]
    ns = run_r("M <- matrix(c(0, 1, 2, 1, 0, 2), nrow = 2, byrow = TRUE)\n"
               "G <- Gmatrix(M, method = \"VanRaden\", ploidy = 2)\n")
    np.testing.assert_allclose(np.asarray(ns["G"], dtype=float),
                               [[2 / 3, -2 / 3], [-2 / 3, 2 / 3]], atol=1e-7)


def test_gmatrix_diploid_missing_and_filters() -> None:
    # -9 is NA; marker m4 (3 of 4 missing > thresh.missing 0.5) is dropped; m3 has MAF
    # 1/8 < maf = 0.2 and is dropped; the NA of m2 is imputed by its mean (2/3) and, as
    # AGHmatrix counts only 0/1/2 values for p, adds to n_obs only: p2 = (2*0 + 2)/(2*4)
    X = pd.DataFrame({"m1": [0, 1, 2, 2], "m2": [0, 2, -9, 0], "m3": [0, 0, 0, 1],
                      "m4": [-9, -9, -9, 1]}, index=["a", "b", "c", "d"])
    G = r_Gmatrix(X, maf=0.2)
    M = np.array([[0, 1, 2, 2], [0, 2, 2 / 3, 0]], dtype=float).T
    p2 = np.array([(2 * 2 + 1) / 8, (2 * 1 + 0) / 8])
    p0 = np.array([(2 * 1 + 1) / 8, (2 * 2 + 0) / 8])
    Z = M - 2 * p2
    want = Z @ Z.T / (2 * p0 @ p2)
    assert list(G.index) == ["a", "b", "c", "d"]
    np.testing.assert_allclose(G.to_numpy(), want)


def test_gmatrix_hexaploid_is_zz_over_summed_variances() -> None:
    rng = np.random.default_rng(7)
    X = rng.integers(0, 7, size=(6, 15)).astype(float)
    X[:, 3] = 6                                   # monomorphic: kept (rmv.mono = FALSE)
    df = pd.DataFrame(X, index=[f"g{i}" for i in range(6)],
                      columns=[f"s{j}" for j in range(15)])
    G = r_Gmatrix(df, method="VanRaden", ploidy=6)
    Z = X - X.mean(axis=0)
    np.testing.assert_allclose(G.to_numpy(), Z @ Z.T / X.var(axis=0, ddof=1).sum())
    # ASV: K / (trace(K) / (n - 1))
    Ga = r_Gmatrix(df, ploidy=6, ASV=True)
    np.testing.assert_allclose(np.trace(Ga.to_numpy()), 5.0)


def test_gmatrix_bad_input_says_what() -> None:
    with pytest.raises(AsrError, match="dosages 0..4"):
        r_Gmatrix(np.array([[0, 5], [1, 2]]), ploidy=4)
    with pytest.raises(AsrError, match="only method \"VanRaden\""):
        r_Gmatrix(np.array([[0, 1], [1, 2]]), method="Yang")


def test_amatrix_hexaploid_from_r_code() -> None:
    # a hexaploid selfed once (F = 1/10, A_ii = 1 + 5F) and crossed with a founder;
    # unknown parents are "0"; rows in the input order, named by id
    ns = run_r("ped <- data.frame(id = c(\"c\", \"a\", \"s\", \"b\"),\n"
               "  p1 = c(\"s\", \"0\", \"a\", \"0\"), p2 = c(\"b\", \"0\", \"a\", \"0\"),\n"
               "  extra = 1:4)\n"
               "A <- Amatrix(data = ped[, -4], ploidy = 6, dominance = FALSE)\n")
    A = ns["A"]
    assert list(A.index) == ["c", "a", "s", "b"]
    assert A.loc["s", "s"] == pytest.approx(1.5)
    assert A.loc["s", "a"] == pytest.approx(1.0)
    # c = s x b: A(c, s) = (A(s, s) + A(b, s)) / 2. b is unrelated, but unlike a
    # diploid, s's gamete carries 3 of its alleles: its 3 pairs (of c's 15) are IBD with
    # probability F_s = 1/10, so F_c = 3/15 * 1/10 and A(c, c) = 1 + 5 F_c = 1.1
    assert A.loc["c", "s"] == pytest.approx(0.75)
    assert A.loc["c", "c"] == pytest.approx(1.1)


def test_amatrix_parent_not_listed_is_an_error() -> None:
    ped = pd.DataFrame({"id": ["a", "b"], "p1": ["0", "z"], "p2": ["0", "a"]})
    with pytest.raises(AsrError, match="'z'.*not listed"):
        r_Amatrix(ped, ploidy=4)
