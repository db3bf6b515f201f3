"""Twelfth pass H (held-out genetics scripts): R's ``read.table()`` deciding ``header`` from
the file (rreadtable.py), ``solve()`` keeping dimnames (rsolve.py), ``dist()`` (rdist.py),
``merge()`` with R's sort/all.x/all.y (rmerge.py), ``select(d, key$col)``,
``x[!names(x) %in% v]``, rrBLUP's ``A.mat(impute.method = "EM")`` without missing values,
and ``scale(cbind(y1, y2)) ~ trait`` / ``scale(y)`` responses (asr_py/model).

Expected values: R's documented semantics written out by hand (?read.table: "header is set
to TRUE if and only if the first row contains one fewer field than the number of columns";
?merge: "sort: logical. Should the result be sorted on the by columns?"; ?solve; ?dist;
?scale), scipy's distances, numpy's inverse, and fits of columns scaled here by numpy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r
from scipy.spatial.distance import cdist

import asr_py as asr
from asr_py import translate
from asr_py.errors import AsrError
from asr_py.translate.rdist import r_dist_matrix
from asr_py.translate.rmerge import r_merge
from asr_py.translate.rreadtable import r_read_table
from asr_py.translate.rsolve import r_solve


# ----- read.table(): header from the file, row names ---------------------------------------
def test_read_table_header_one_field_short_gives_row_names(tmp_path) -> None:
    # write.table(K) of a matrix: the header has one field fewer than the rows
    f = tmp_path / "kinship.txt"
    f.write_text('"g1" "g2" "g3"\n"g1" 1 0.5 0\n"g2" 0.5 1 0.25\n"g3" 0 0.25 1\n')
    ns = run_r(f'K <- read.table("{f}")\nn <- colnames(K)\nr <- rownames(K)\n',
               complete=True)
    assert list(ns["K"].columns) == ["g1", "g2", "g3"]
    assert list(ns["K"].index) == ["g1", "g2", "g3"]
    np.testing.assert_allclose(ns["K"].to_numpy(float),
                               [[1, .5, 0], [.5, 1, .25], [0, .25, 1]])


def test_read_table_without_header_names_columns_v1_and_row_names_1(tmp_path) -> None:
    f = tmp_path / "dosage.txt"
    f.write_text("A 0 1 2\nB 2 NA 1\n")        # every line the same length: no header
    d = r_read_table(str(f))
    assert list(d.columns) == ["V1", "V2", "V3", "V4"] and d.shape == (2, 4)
    d2 = r_read_table(str(f), row_names=1)    # row.names = 1: V1 gives the row names
    assert list(d2.columns) == ["V2", "V3", "V4"] and list(d2.index) == ["A", "B"]
    assert np.isnan(d2.loc["B", "V3"])
    d3 = r_read_table(str(f), header=True)    # an explicit header is kept
    assert list(d3.columns) == ["A", "X0", "X1", "X2"]


def test_read_table_colclasses_character_keeps_text(tmp_path) -> None:
    f = tmp_path / "geno.txt"
    f.write_text("id m1 m2\nL1 AA 01\nL2 AG 10\n")
    ns = run_r(f'g <- read.table("{f}", colClasses = "character", header = TRUE, '
               'row.names = 1)\n', complete=True)
    assert list(ns["g"].index) == ["L1", "L2"]
    assert list(ns["g"]["m2"]) == ["01", "10"]                   # not read as numbers
    with pytest.raises(AsrError, match="colClasses"):
        r_read_table(str(f), col_classes="numeric")


def test_read_table_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(AsrError, match="no file"):
        r_read_table(str(tmp_path / "absent.txt"))


# ----- solve(): dimnames kept ----------------------------------------------------------------
def test_solve_keeps_dimnames_swapped() -> None:
    K = pd.DataFrame([[2.0, 0.5], [0.3, 1.0]], index=["r1", "r2"], columns=["c1", "c2"])
    inv = r_solve(K)
    np.testing.assert_allclose(inv.to_numpy(), np.linalg.inv(K.to_numpy()))
    assert list(inv.index) == ["c1", "c2"] and list(inv.columns) == ["r1", "r2"]
    ns = run_r("K <- matrix(c(4, 1, 1, 3), 2, 2)\nGi <- solve(K)\n", complete=True)
    np.testing.assert_allclose(np.asarray(ns["Gi"]), np.linalg.inv([[4, 1], [1, 3]]))
    with pytest.raises(AsrError, match="square"):
        r_solve(np.ones((2, 3)))
    with pytest.raises(AsrError, match="singular"):
        r_solve(np.ones((2, 2)))


# ----- dist() --------------------------------------------------------------------------------
def test_dist_matches_scipy_and_names_rows() -> None:
    rng = np.random.default_rng(1)
    W = rng.normal(size=(6, 4))
    for method, metric in (("euclidean", "euclidean"), ("manhattan", "cityblock"),
                           ("maximum", "chebyshev"), ("canberra", "canberra")):
        got = r_dist_matrix(W, method=method)
        np.testing.assert_allclose(got.to_numpy(), cdist(W, W, metric), atol=1e-12)
        assert list(got.index) == [str(i) for i in range(1, 7)]
    np.testing.assert_allclose(r_dist_matrix(W, "minkowski", p=3).to_numpy(),
                               cdist(W, W, "minkowski", p=3), atol=1e-12)
    named = pd.DataFrame(W, index=list("abcdef"))
    assert list(r_dist_matrix(named, "euc").columns) == list("abcdef")   # partial method name
    # NA: R skips the pair and scales the sum up by k / (pairs present)
    x = np.array([[0.0, 0.0, np.nan], [3.0, 4.0, 1.0]])
    assert r_dist_matrix(x).iloc[0, 1] == pytest.approx(np.sqrt(25 * 3 / 2))
    with pytest.raises(AsrError, match="method"):
        r_dist_matrix(W, method="cosine")


def test_dist_kernel_in_translated_script() -> None:
    ns = run_r("W <- matrix(c(0, 3, 0, 0, 0, 4), 3, 2)\n"
               "G <- as.matrix(dist(W, method = 'euclidean', diag = TRUE, upper = TRUE))\n"
               "K <- 1 - G / max(G, na.rm = TRUE)\n", complete=True)
    np.testing.assert_allclose(np.asarray(ns["G"], float),
                               [[0, 3, 4], [3, 0, 5], [4, 5, 0]])
    np.testing.assert_allclose(np.asarray(ns["K"], float)[1, 2], 0.0)


# ----- merge(): R's order and all.x/all.y -----------------------------------------------------
def test_merge_sorts_on_the_key_and_puts_it_first() -> None:
    x = pd.DataFrame({"v": [1, 2, 3, 4], "id": ["b", "A", "a", "c"]})
    y = pd.DataFrame({"id": ["a", "b", "d"], "w": [10, 20, 30]})
    inner = r_merge(x, y, by="id")
    assert list(inner.columns) == ["id", "v", "w"]
    assert list(inner["id"]) == ["a", "b"] and list(inner["v"]) == [3, 1]
    left = r_merge(x, y, by="id", **{"all.x": True})
    # English-locale order: a < A < b < c (lower case first on a tie)
    assert list(left["id"]) == ["a", "A", "b", "c"]
    assert left["w"].isna().tolist() == [False, True, False, True]
    full = r_merge(x, y, all=True)
    assert list(full["id"]) == ["a", "A", "b", "c", "d"]
    unsorted = r_merge(x, y, by="id", sort=False)
    assert list(unsorted["id"]) == ["b", "a"]                    # x's order
    byxy = r_merge(x, y.rename(columns={"id": "key"}), **{"by.x": "id", "by.y": "key"})
    assert list(byxy["id"]) == ["a", "b"]
    with pytest.raises(AsrError, match="not in y"):
        r_merge(x, y, by="v")


def test_merge_then_positions_in_a_translated_script() -> None:
    # the metabolomic-selection pattern: merge, filter, pick names by position
    ns = run_r("key <- data.frame(Metabolite = c('z1', 'b2', 'a3'), grp = c('S', 'S', 'S'))\n"
               "idx <- data.frame(Metabolite = c('b2', 'a3', 'z1')) %>% merge(., key, "
               "by = 'Metabolite')\n"
               "pick <- idx$Metabolite[c(1, 3)]\n"
               "m <- merge(idx, data.frame(Metabolite = 'a3', x = 1), all.x = TRUE)\n",
               complete=True)
    assert list(ns["pick"]) == ["a3", "z1"]
    assert list(ns["m"]["x"].isna()) == [False, True, True]


# ----- select(d, key$col), x[!names(x) %in% v] ------------------------------------------------
def test_select_by_a_vector_of_names_and_negated_in_mask() -> None:
    ns = run_r("d <- data.frame(a = 1:2, b = 3:4, c = 5:6, id = c('x', 'y'))\n"
               "k <- data.frame(Metabolite = c('c', 'a'))\n"
               "W <- d %>% select(k$Metabolite)\n"
               "W2 <- d %>% select(k$Metabolite[c(2)])\n"
               "mets <- colnames(d)[!colnames(d) %in% c('b', 'id')]\n", complete=True)
    assert list(ns["W"].columns) == ["c", "a"]
    assert list(ns["W2"].columns) == ["a"]
    assert list(ns["mets"]) == ["a", "c"]


# ----- A.mat(impute.method = "EM") ------------------------------------------------------------
def test_amat_em_without_missing_values_equals_the_default() -> None:
    X = pd.DataFrame([[-1, 0, 1, 1], [1, 1, -1, 0], [0, -1, 1, -1]],
                     index=["i1", "i2", "i3"], dtype=float)
    ns = run_r("A1 <- A.mat(X, impute.method = 'EM')\nA2 <- A.mat(X)\n", X=X)
    np.testing.assert_allclose(np.asarray(ns["A1"]), np.asarray(ns["A2"]))
    # VanRaden, written out: W = X + 1 - 2p, A = WW'/(2 sum p(1-p))
    p = (X.to_numpy() + 1).mean(axis=0) / 2
    W = X.to_numpy() + 1 - 2 * p
    np.testing.assert_allclose(np.asarray(ns["A1"]), W @ W.T / (2 * np.sum(p * (1 - p))))
    # with a missing value (s19runA: rrBLUP's EM, tests/translate/test_translate_s19runa.py)
    # and fewer markers than lines, rrBLUP imputes by the mean: NA -> 0 in W
    Xna = X.iloc[:, :2].copy()
    Xna.iloc[0, 0] = np.nan
    with pytest.warns(UserWarning, match="mean instead"):
        ns = run_r("A <- A.mat(X, impute.method = 'EM')\n", X=Xna)
    M = Xna.to_numpy()
    p = np.nanmean(M + 1, axis=0) / 2
    W = np.nan_to_num(M + 1 - 2 * p)
    np.testing.assert_allclose(np.asarray(ns["A"]), W @ W.T / (2 * np.sum(p * (1 - p))))


# ----- scale() responses ----------------------------------------------------------------------
def _bivariate() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n, g = 60, 12
    gid = np.repeat([f"g{i}" for i in range(g)], n // g)
    u = rng.normal(size=(g, 2)) @ np.array([[1.0, 0.4], [0.0, 0.8]])
    e = rng.normal(size=(n, 2)) * [0.7, 0.5]
    gi = np.repeat(np.arange(g), n // g)
    y = 10 + 3 * (u[gi] + e) * [1, 4]
    d = pd.DataFrame({"gid": pd.Categorical(gid), "y1": y[:, 0], "y2": y[:, 1]})
    d.loc[3, "y2"] = np.nan
    return d


def test_scale_cbind_response_equals_fit_of_columns_scaled_by_numpy() -> None:
    d = _bivariate()
    z = d.copy()
    for c in ("y1", "y2"):
        v = z[c].to_numpy(float)
        z[c] = (v - np.nanmean(v)) / np.nanstd(v, ddof=1)   # R's scale(): NA skipped
    kw = dict(random="~ us(trait):gid", residual="~ units:us(trait)")
    a = asr.asreml(fixed="scale(cbind(y1, y2)) ~ trait", data=d, **kw)
    b = asr.asreml(fixed="cbind(y1, y2) ~ trait", data=z, **kw)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-6)
    np.testing.assert_allclose(a.varcomp["component"].to_numpy(),
                               b.varcomp["component"].to_numpy(), rtol=1e-5, atol=1e-8)
    assert list(a.varcomp.index) == list(b.varcomp.index)       # traits named y1, y2
    u = asr.asreml(fixed="scale(y1) ~ 1", random="~ gid", data=d)
    w = asr.asreml(fixed="y1 ~ 1", random="~ gid", data=z)
    assert u.loglik == pytest.approx(w.loglik, abs=1e-6)


def test_scale_of_a_constant_response_is_a_clear_error() -> None:
    d = _bivariate().assign(k=1.0)
    with pytest.raises(Exception, match="scale"):
        asr.asreml(fixed="scale(k) ~ 1", random="~ gid", data=d)


def test_translated_gs_round_pattern_runs() -> None:
    # ch728/squash-gs GS rounds: kinship read with R's header rule, bent, solve()d and
    # given as ginverse to asreml 3's ped(gid), scaled multi-trait response
    code = translate("K <- read.table('k.txt')\nGinv <- solve(K + diag(1e-9, 3, 3))\n"
                     "fit <- asreml(scale(cbind(a, b)) ~ trait, random = ~us(trait):ped(gid),"
                     " rcov = ~units:us(trait), data = d, ginverse = list(gid = Ginv))\n")
    assert "r_read_table('k.txt')" in code and "r_solve(" in code
    assert "scale(cbind(a, b)) ~ trait" in code


def test_write_table_is_r_format_and_reads_back(tmp_path) -> None:
    # R: write.table(K, f) -> '"a" "b"' then '"r1" 1 0.5' (header one field short, quoted)
    f = tmp_path / "k.txt"
    ns = run_r(f'K <- matrix(c(1, 0.5, 0.5, 1), 2, 2, dimnames = list(c("r1", "r2"), '
               f'c("a", "b")))\nwrite.table(K, "{f}")\nK2 <- read.table("{f}")\n',
               complete=True)
    assert f.read_text().splitlines() == ['"a" "b"', '"r1" 1 0.5', '"r2" 0.5 1']
    assert list(ns["K2"].index) == ["r1", "r2"] and list(ns["K2"].columns) == ["a", "b"]
    run_r(f'd <- data.frame(x = c("u", NA), y = 1:2)\nwrite.table(d, "{f}", sep = "\\t", '
          'quote = FALSE, row.names = FALSE)\n', complete=True)
    assert f.read_text().splitlines() == ["x\ty", "u\t1", "NA\t2"]


# ----- fit$coefficients$random under asreml's names ----------------------------------------------
def test_random_coefficients_named_factor_by_factor_as_asreml() -> None:
    from asr_py.translate.rcoefrandom import asreml_random_names

    assert asreml_random_names("trait:vm(gid, gid_ginv)", ["Brix:GS1_10", "a:GS2.1_3"],
                               {"vm(gid, gid_ginv)": "ped(gid)"}) == [
        "trait_Brix:ped(gid)_GS1_10", "trait_a:ped(gid)_GS2.1_3"]
    assert asreml_random_names("Name", ["G1"]) == ["Name_G1"]
    # a level holding ':' itself stays whole in the last factor
    assert asreml_random_names("Env:Name", ["E1:a:b"]) == ["Env_E1:Name_a:b"]
    d = _bivariate()
    code = ("K <- diag(12)\nrownames(K) <- colnames(K) <- levels(d$gid)\nGinv <- solve(K)\n"
            "fit <- asreml(cbind(y1, y2) ~ trait, random = ~us(trait):ped(gid),"
            " rcov = ~units:us(trait), data = d, ginverse = list(gid = Ginv))\n"
            "pred <- fit$coefficients$random\n"
            "b <- pred[grep('trait_y1', names(pred))]\n"
            "ids <- gsub('trait_y1:ped\\\\(gid\\\\)_', '', names(b))\n")
    ns = run_r(code, d=d)
    assert list(ns["ids"]) == sorted(f"g{i}" for i in range(12))    # R: levels sorted as text
    direct = ns["fit"].coef_random["solution"]          # asr_py's own labels, same values
    np.testing.assert_allclose(np.asarray(ns["b"]), direct.iloc[:12].to_numpy())


def test_rows_by_names_with_an_empty_column_index() -> None:
    # R: x[c("r3", "r1"), ] and x[rownames(y), ] pick ROWS by name (they were read as columns)
    ns = run_r("x <- data.frame(a = 1:3, b = 4:6)\nrownames(x) <- c('r1', 'r2', 'r3')\n"
               "y <- x[c('r3', 'r1'), ]\nz <- x[rownames(y), ]\nw <- x['r2', ]\n",
               complete=True)
    assert list(ns["y"]["a"]) == [3, 1] and list(ns["y"].index) == ["r3", "r1"]
    assert list(ns["z"]["b"]) == [6, 4]
    assert list(ns["w"]["b"]) == [5]


def test_rows_ordered_by_an_expression() -> None:
    # R: x[order(-x[, 1]), ] and x[order(nchar(x$b), decreasing = TRUE), ]
    ns = run_r("x <- data.frame(a = c(2, 9, 5), b = c('uu', 'v', 'www'))\n"
               "y <- x[order(-x[, 1]), ]\nz <- x[order(nchar(x$b), decreasing = TRUE), ]\n",
               complete=True)
    assert list(ns["y"]["a"]) == [9, 5, 2]
    assert list(ns["z"]["b"]) == ["www", "uu", "v"]


def test_data_frame_of_a_named_vector_takes_its_names_as_row_names() -> None:
    # R: data.frame(v) of a named vector: row.names are names(v)
    # (a named numeric vector as the runtime holds one: a fit's coefficients, a Series)
    v = pd.Series([1.5, -2.0], index=["g1", "g2"])
    ns = run_r("d <- data.frame(v[grep('g', names(v))])\nr <- rownames(d)\n"
               "e <- data.frame(x = 1:2)\n", v=v)
    assert list(ns["r"]) == ["g1", "g2"] and list(ns["d"].iloc[:, 0]) == [1.5, -2]
    assert list(ns["e"].index) == [0, 1]                 # no names: R's 1, 2
