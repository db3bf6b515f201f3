"""Constructs session 25 translates so real scripts use no untranslated value, each checked
against the R package's documented behaviour or a value computed here independently:

* dplyr's ``?summarise_at`` (Naming): "if there is only one unnamed function ... the names
  of the input variables are used"; "if there is only one unnamed variable ... the names of
  the functions are used"; "otherwise ... the names of the input variables and the names of
  the functions, separated with an underscore"; the ``...`` go to each function
  (lbmunaro/wheat_big6_GS Step2: ``summarise_at(vars(year, location, trial), ~unique(.x))``;
  cculma's ``summarise_at(vars(resp), list(min = min, ..., cv = cv), na.rm = TRUE)``).
* nadiv's ``?makeA``: "Returns A, or the numerator relationship matrix", pedigree columns
  "ordered ID, Dam, Sire", missing parents "NA, '0', or '*'" (RaissaKrupek's LIZARD and
  Salmon animal-model scripts). Checked against Mrode (2005, Example 2.1) and a
  plain-Python tabular method written here.
* Also: ``is.element`` (= %in%), ``group_by()`` with no variable, ``nrow()`` of a list
  (NULL), ``merge(y =)`` after a pipe, ``M[L]`` of a logical matrix, ``&`` of two matrix
  comparisons by position, a variable ``na.rm``, asremlPlus's ``pickLSDstatistics``,
  ``validAsrtests``, ``isCompoundSymmetric`` and predictions.frame checks, nlme's
  ``corSymm`` in gls() (dense-V REML and covardat's printed vignette), the G.param size of
  a str() rr term, update() under asreml.options(Csparse), and untranslated expectations
  counted unchecked. Each test names its source.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.errors import AsrError


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"g": ["b", "a", "b", "a", "b"],
                         "y": [1.0, 2.0, np.nan, 4.0, 5.0],
                         "z": [10.0, 20.0, 30.0, 40.0, 50.0]})


def test_summarise_at_one_column_named_functions_take_the_functions_names() -> None:
    ns = run_r("library(dplyr)\n"
               "k <- d %>% group_by(g) %>% summarise_at(vars(y), list(lo = min, hi = max, "
               "s = sd), na.rm = TRUE)\n", d=_frame(), complete=True)
    k = ns["k"]
    assert list(k.columns) == ["g", "lo", "hi", "s"]
    assert list(k["g"]) == ["a", "b"]                     # groups sorted
    np.testing.assert_allclose(k["lo"], [2.0, 1.0])
    np.testing.assert_allclose(k["hi"], [4.0, 5.0])
    # sd of (2, 4) and of (1, 5) with the NA removed: sqrt(2), sqrt(8)
    np.testing.assert_allclose(k["s"], [np.sqrt(2.0), np.sqrt(8.0)])


def test_summarise_at_one_unnamed_function_keeps_the_column_names() -> None:
    ns = run_r("library(dplyr)\n"
               "h <- d %>% group_by(g) %>% summarise_at(vars(y, z), mean)\n"
               "u <- d %>% group_by(g) %>% summarise_at(vars(z), ~ max(.x) - min(.x))\n",
               d=_frame(), complete=True)
    h = ns["h"]
    assert list(h.columns) == ["g", "y", "z"]
    # mean() without na.rm: group b's y holds an NA, so its mean is NA
    assert h["y"].iloc[0] == 3.0 and np.isnan(h["y"].iloc[1])
    np.testing.assert_allclose(h["z"], [30.0, 30.0])
    np.testing.assert_allclose(ns["u"]["z"], [20.0, 40.0])


def test_summarise_at_several_columns_and_functions_column_underscore_function() -> None:
    ns = run_r("library(dplyr)\n"
               "m <- d %>% group_by(g) %>% summarise_at(c('y', 'z'), list(lo = min, hi = max),"
               " na.rm = TRUE)\n", d=_frame(), complete=True)
    m = ns["m"]
    # dplyr's order: every column for the first function, then for the next
    assert list(m.columns) == ["g", "y_lo", "z_lo", "y_hi", "z_hi"]
    np.testing.assert_allclose(m.loc[m["g"] == "b", ["y_lo", "z_lo", "y_hi", "z_hi"]]
                               .to_numpy(float)[0], [1.0, 10.0, 5.0, 50.0])


def test_summarise_at_passes_na_rm_to_a_scripts_own_function() -> None:
    code = ("library(dplyr)\n"
            "rng <- function(x, na.rm = FALSE) max(x, na.rm = na.rm) - min(x, na.rm = na.rm)\n"
            "r <- d %>% summarise_at(vars(y), list(r = rng), na.rm = TRUE)\n")
    ns = run_r(code, d=_frame(), complete=True)
    assert list(ns["r"].columns) == ["r"]
    assert float(ns["r"]["r"].iloc[0]) == 4.0           # 5 - 1, the NA removed


def test_na_rm_given_by_a_variable_is_kept() -> None:
    # R: sd(x, na.rm = na.rm) in a function reads its argument (it was dropped: NA always)
    ns = run_r("cv <- function(x, na.rm = FALSE) sd(x, na.rm = na.rm) / mean(x, na.rm = na.rm)\n"
               "a <- cv(c(1, NA, 3), na.rm = TRUE)\nb <- cv(c(1, NA, 3))\n", complete=True)
    assert ns["a"] == pytest.approx(np.sqrt(2.0) / 2.0)     # sd(1, 3) / mean(1, 3)
    assert np.isnan(ns["b"])


def test_summarise_at_unnamed_function_list_is_left_as_a_todo() -> None:
    # dplyr names list(min, max) "fn1", "fn2": not guessed, kept as a TODO; a grouping
    # column in the selection is dplyr's error ("?summarise_at": "always an error")
    from asr_py.translate import translate

    py = translate("m <- d %>% summarise_at(vars(y), list(min, max))\n"
                   "k <- d %>% group_by(g) %>% summarise_at(vars(g, y), mean)\n")
    assert py.count("untranslated('summarise_at()'") == 2


def test_summarise_across_a_function_by_name() -> None:
    # summarise(across(cols, mean)) printed a bare Python name `mean` (a NameError)
    ns = run_r("library(dplyr)\nh <- d %>% group_by(g) %>% summarise(across(c(y, z), max))\n",
               d=_frame(), complete=True)
    np.testing.assert_allclose(ns["h"]["z"], [40.0, 50.0])


# ----- nadiv's makeA ---------------------------------------------------------------------------

def _tabular_a(ids: list[str], dam: list[str | None], sire: list[str | None]) -> np.ndarray:
    """Henderson's tabular method, one animal at a time (parents listed first)."""
    n = len(ids)
    pos = {k: j for j, k in enumerate(ids)}
    A = np.zeros((n, n))
    for i in range(n):
        s, d = pos.get(sire[i]), pos.get(dam[i])
        for j in range(i):
            A[i, j] = A[j, i] = 0.5 * ((A[j, s] if s is not None else 0.0) +
                                       (A[j, d] if d is not None else 0.0))
        A[i, i] = 1.0 + (0.5 * A[s, d] if s is not None and d is not None else 0.0)
    return A


def test_make_a_is_mrodes_example_2_1() -> None:
    # Mrode (2005) Example 2.1: calves 3 (1 x 2), 4 (1 x ?), 5 (4 x 3), 6 (5 x 2)
    ped = pd.DataFrame({"ID": [1, 2, 3, 4, 5, 6],
                        "Dam": [np.nan, np.nan, 2, np.nan, 3, 2],
                        "Sire": [np.nan, np.nan, 1, 1, 4, 5]})
    ns = run_r("library(nadiv)\nA <- makeA(ped)\na55 <- A[5, 5]\na36 <- A[3, 6]\n",
               ped=ped, complete=True)
    A = ns["A"]
    assert list(A.index) == list(A.columns) == ["1", "2", "3", "4", "5", "6"]
    assert ns["a55"] == 1.125 and ns["a36"] == 0.5625    # Mrode's 1.125 and 0.563
    np.testing.assert_allclose(A.to_numpy(), _tabular_a(
        ["1", "2", "3", "4", "5", "6"], [None, None, "2", None, "3", "2"],
        [None, None, "1", "1", "4", "5"]), atol=1e-14)


def test_make_a_keeps_the_pedigree_order_and_reads_zero_as_unknown() -> None:
    # ids as text, out of the alphabetical order; "0" parents unknown (nadiv's warning)
    ped = pd.DataFrame({"id": ["z", "m", "k", "b", "q"],
                        "dam": ["0", "0", "m", "k", "k"],
                        "sire": ["0", "0", "z", "z", "b"]})
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        ns = run_r("A <- nadiv::makeA(ped)\n", ped=ped, complete=True)
    assert any("interpreted as a missing parent" in str(w.message) for w in got)
    A = ns["A"]
    assert list(A.index) == ["z", "m", "k", "b", "q"]
    want = _tabular_a(["z", "m", "k", "b", "q"], [None, None, "m", "k", "k"],
                      [None, None, "z", "z", "b"])
    np.testing.assert_allclose(A.to_numpy(), want, atol=1e-14)
    # q's parents b and k are parent and offspring: F_q = A_bk / 2 = 0.375
    assert A.loc["q", "q"] == pytest.approx(1.375)


@pytest.mark.parametrize("ped, said", [
    (pd.DataFrame({"id": [1, 2, 3], "dam": [np.nan, np.nan, 9], "sire": [np.nan, np.nan, 1]}),
     "appearing as dams but not in the pedigree"),
    (pd.DataFrame({"id": [3, 1, 2], "dam": [2, np.nan, np.nan], "sire": [1, np.nan, np.nan]}),
     "appears before one of its dams"),
    (pd.DataFrame({"id": [1, 2], "dam": [np.nan, np.nan], "sire": [np.nan, np.nan]}),
     "all dams and sires are missing"),
    (pd.DataFrame({"id": [1, 2, 3], "dam": [np.nan, np.nan, 2]}),
     "three columns"),
])
def test_make_a_refuses_what_nadiv_refuses(ped: pd.DataFrame, said: str) -> None:
    with pytest.raises(AsrError, match=said):
        run_r("A <- makeA(ped)\n", ped=ped, complete=True)


# ----- is.element(), group_by() -----------------------------------------------------------------

def test_is_element_is_in() -> None:
    # ?is.element: "is.element(x, y) is identical to x %in% y" (agridat's minnesota.barley:
    # subset(dat, !is.element(gen, c(...))))
    d = pd.DataFrame({"gen": ["a", "b", "c", "b"], "y": [1.0, 2.0, 3.0, 4.0]})
    ns = run_r("s <- subset(d, !is.element(gen, c('b', 'x')))\n"
               "one <- is.element(3, 1:5)\n"
               "v <- is.element(set = c(1, 2), el = c(2, 5))\n"
               "w <- d[is.element(d$gen, c('c', 'a')), ]\n", d=d, complete=True)
    assert list(ns["s"]["gen"]) == ["a", "c"]
    assert bool(ns["one"]) is True
    assert list(np.asarray(ns["v"])) == [True, False]
    assert list(ns["w"]["y"]) == [1.0, 3.0]


def test_group_by_without_variables_ungroups() -> None:
    # dplyr ?group_by: .add = FALSE "will override existing groups"; with no variable the
    # data is no longer grouped, so mean(y) is the grand mean (agridat's fisher.barley)
    d = pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, 3.0, 8.0]})
    ns = run_r("library(dplyr)\n"
               "e <- d %>% group_by(g) %>% mutate(gm = mean(y))\n"
               "e <- e %>% group_by() %>% mutate(all = mean(y))\n", d=d, complete=True)
    np.testing.assert_allclose(ns["e"]["gm"], [2.0, 2.0, 8.0])
    np.testing.assert_allclose(ns["e"]["all"], [4.0, 4.0, 4.0])


# ----- asremlPlus's pickLSDstatistics ------------------------------------------------------------

_STATS = ["min", "quant10", "quant25", "mean", "median", "quant75", "quant90", "max"]


def _errors(rows: list[list[float]]) -> pd.DataFrame:
    return pd.DataFrame([[6.0, *r] for r in rows], columns=["c", *_STATS])


def test_pick_lsd_statistics_rules_of_asremlplus() -> None:
    # ?pickLSDstatistics: "the LSD value(s) with the lowest number of false positives are
    # identified and, from these, the smallest value with the lowest number of false
    # negatives"; a statistic with no error at all wins first; all NA (one prediction): min
    from asr_py.compat.lsdpick import pick_from_errors

    nan = float("nan")
    fp = _errors([[3, 2, 1, 0, 0, 0, 0, 0],      # fewest fp: mean.. max; of these fn 2,1,1,3
                  [0, 0, 0, 0, 0, 0, 0, 0],      # median has no error at all
                  [nan] * 8])
    fn = _errors([[0, 0, 0, 2, 1, 1, 3, 4],
                  [4, 3, 2, 1, 0, 0, 1, 2],
                  [nan] * 8])
    assert list(pick_from_errors(fp, fn)) == ["median", "median", "min"]
    # false.pos.wt w: the smallest w p + n (ties: the fewest p, then the first); w = 1, row
    # 1: 3, 2, 1, 2, 1, 1, 3, 4 -> minimum 1 at quant25, median, quant75; of these the
    # fewest p (0) first: median
    assert pick_from_errors(fp, fn, false_pos_wt=1.0)[0] == "median"
    # w = 0.2: 0.6, 0.4, 0.2, 2, 1, 1, 3, 4 -> quant25, written q25
    assert pick_from_errors(fp, fn, false_pos_wt=0.2)[0] == "q25"


def test_pick_lsd_statistics_is_translated() -> None:
    from asr_py.translate import translate

    py = translate("s <- pickLSDstatistics(d.diffs, LSDtype = 'factor.combinations', "
                   "LSDby = 'A', false.pos.wt = 2)\n")
    assert "asr.plus.pickLSDstatistics(d_diffs, LSDtype='factor.combinations', " \
        "LSDby='A', false_pos_wt=2)" in py.replace("\n", "").replace("    ", "")


def test_merge_with_y_named_after_a_pipe() -> None:
    # ?merge: merge(x, y, by): the rows whose key is in both, sorted on the key, key column
    # first (AparicioJohan's Code_1.R: ... %>% merge(y = ..., by = c("trait", "level")))
    x = pd.DataFrame({"k": [2, 1, 3], "a": ["two", "one", "three"]})
    z = pd.DataFrame({"b": [10.0, 20.0, 40.0], "k": [1, 2, 4]})
    ns = run_r("library(dplyr)\nm <- x %>% merge(y = z, by = 'k')\n"
               "n <- merge(y = z, x, by = 'k', all.x = TRUE)\n", x=x, z=z, complete=True)
    m = ns["m"]
    assert list(m.columns) == ["k", "a", "b"]
    assert list(m["k"]) == [1, 2] and list(m["a"]) == ["one", "two"]
    assert list(m["b"]) == [10.0, 20.0]
    n = ns["n"]
    assert list(n["k"]) == [1, 2, 3] and np.isnan(n["b"].iloc[2])


def test_nrow_of_a_list_is_null() -> None:
    # ?nrow: "nrow and ncol return the number of rows or columns present in x" and are
    # dim(x)[1L], dim(x)[2L]: NULL for a list (no dim); NROW treats it as one column
    # (asremlPlus's plotPvalues returns list(pvalues, plots): nrow() of it is NULL in R)
    d = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    ns = run_r("l <- list(p = d, q = 2)\nn <- nrow(l)\nu <- is.null(nrow(l))\n"
               "m <- nrow(d)\nk <- NROW(l)\nz <- nrow(as.matrix(d))\n", d=d, complete=True)
    assert ns["n"] is None and bool(ns["u"]) is True
    assert ns["m"] == 3 and ns["k"] == 2 and ns["z"] == 3


# ----- G.param size of a str() rr term ---------------------------------------------------------

def test_gparam_size_of_a_str_rr_term_counts_the_score_placeholders() -> None:
    # asreml 4's str(~ mbf(Co):G, ~ rr(n, k):id(G)) takes n + k covariates, the last k zero
    # placeholders for the factor scores; m-hrachov's C_inv script recovers the number of G
    # levels as G.param[[term]]$variance$size / (n + k), so the size is (n + k) x levels
    # (asr_py drops the placeholders' zero columns from its model: the size was n x levels)
    import asr_py as asr
    from asr_py.translate.rgparam import r_gparam

    rng = np.random.default_rng(1)
    env = [f"E{i}" for i in range(8)]
    gen = [f"G{i}" for i in range(6)]
    cov = pd.DataFrame({"ENV": env, "c1": rng.normal(size=8), "c2": rng.normal(size=8),
                        "x0": 0.0})
    d = pd.DataFrame([(e, g) for e in env for g in gen], columns=["ENV", "G"])
    d["y"] = rng.normal(size=len(d))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("y ~ 1", random="~ str(~mbf(Co):G, ~rr(2, 1):id(G)) + ENV",
                       mbf={"Co": {"key": ("ENV", "ENV"), "cov": "cov"}}, cov=cov, data=d)
    gp = r_gparam(m)
    assert gp["mbf(Co):G"]["variance"]["size"] == (2 + 1) * 6
    assert gp["mbf(Co):G"]["variance"]["size"] / 3 == len(gen)
    assert gp["ENV"]["variance"]["size"] == 8


def test_matrix_indexed_by_a_logical_matrix_gives_its_elements_column_by_column() -> None:
    # ?Extract: "x[i] ... i a logical matrix": the elements where it is TRUE, in R's
    # column-major order (m-hrachov's C_inv script: Cm[mask] / C[mask])
    ns = run_r("M <- matrix(1:6, nrow = 2)\nN <- matrix(c(0, 1, 1, 0, 1, 1), nrow = 2)\n"
               "dimnames(M) <- list(c('a', 'b'), c('x', 'y', 'z'))\n"
               "mask <- (M > 2) & (N != 0)\nv <- M[mask]\nw <- M[N > 0]\n"
               "r <- 1 - (M[mask] / M[mask])\n", complete=True)
    # M = [1 3 5; 2 4 6], N = [0 1 1; 1 0 1]
    np.testing.assert_array_equal(np.asarray(ns["v"], dtype=float), [3, 5, 6])
    np.testing.assert_array_equal(np.asarray(ns["w"], dtype=float), [2, 3, 5, 6])
    np.testing.assert_array_equal(np.asarray(ns["r"], dtype=float), [0, 0, 0])


# ----- nlme's gls(correlation = corSymm()) --------------------------------------------------

def _repeated(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(12):
        e = rng.multivariate_normal(np.zeros(3), [[1, .6, .3], [.6, 1, .5], [.3, .5, 1]])
        for t in range(3):
            rows.append((f"s{s:02d}", t + 1, ["a", "b"][s % 2], 1 + t + e[t]))
    return pd.DataFrame(rows, columns=["g", "time", "trt", "y"])


def test_gls_corsymm_is_the_dense_reml_optimum() -> None:
    # nlme ?corSymm: "general correlation matrix, with no additional structure", the
    # correlation between the k-th and l-th observations of a group; one variance (gls
    # without weights). Reference: REML over sigma^2 and the 3 correlations by a dense V
    # (tests/_dense_reml), y ~ trt.
    import _dense_reml as dr

    d = _repeated()
    ns = run_r("library(nlme)\nm <- gls(y ~ trt, data = d, correlation = corSymm(form = ~ 1 | g))\n"
               "ll <- logLik(m)\nb <- coef(m)\ncs <- m$modelStruct$corStruct\n",
               d=d, complete=True)
    X = np.column_stack([np.ones(len(d)), (d["trt"] == "b").to_numpy(float)])
    y = d["y"].to_numpy(float)

    def build(v: np.ndarray) -> np.ndarray | None:
        s2, r12, r13, r23 = v
        C = np.array([[1, r12, r13], [r12, 1, r23], [r13, r23, 1]])
        if s2 <= 0 or np.linalg.eigvalsh(C).min() <= 1e-9:
            return None
        return s2 * np.kron(np.eye(12), C)

    x, best = dr.fit_dense(y, X, build, [np.array([1.0, 0.3, 0.3, 0.3]),
                                          np.array([1.5, 0.7, 0.1, 0.6])])
    assert float(ns["ll"]) == pytest.approx(best, abs=1e-5)
    got = ns["cs"].describe()
    np.testing.assert_allclose(got[["cor(1,2)", "cor(1,3)", "cor(2,3)"]], x[1:], atol=2e-3)
    V = build(x)
    beta, _ = dr.gls(y, X, V)
    np.testing.assert_allclose(np.asarray(ns["b"], float), beta, atol=1e-3)


def test_gls_corsymm_does_not_depend_on_the_row_order() -> None:
    d = _repeated(5)
    code = ("library(nlme)\nm <- gls(y ~ trt, data = d, correlation = corSymm(form = ~ time | g))\n"
            "ll <- logLik(m)\n")
    a = run_r(code, d=d, complete=True)["ll"]
    b = run_r(code, d=d.sample(frac=1.0, random_state=2).reset_index(drop=True),
              complete=True)["ll"]
    assert float(a) == pytest.approx(float(b), abs=1e-6)


def test_untranslated_detail_names_each_placeholder_and_its_uses() -> None:
    # ASR_PY_UNTRANSLATED_DETAIL: the exit report lists each placeholder's uses, most used
    # first (benchmarks/translate_corpus.py keeps these lines out of a run's error)
    import os
    import subprocess
    import sys

    code = ("from asr_py.translate.checks import untranslated\n"
            "a = untranslated('f()', 'a')\nb = untranslated('g()', 'b')\n"
            "x = a + 1\ny = a['k']\nz = b.c\n")
    env = dict(os.environ, ASR_PY_UNTRANSLATED_DETAIL="1")
    err = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stderr
    lines = [ln for ln in err.splitlines() if ln.startswith("asr_py.translate untranslated")]
    assert lines == ["asr_py.translate untranslated values used: 3",
                     "asr_py.translate untranslated: 2 x f()",
                     "asr_py.translate untranslated: 1 x g()"]
    env.pop("ASR_PY_UNTRANSLATED_DETAIL")
    err = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stderr
    assert "untranslated: 2 x" not in err and "values used: 3" in err


def test_and_of_two_matrix_comparisons_is_by_position_not_by_dimnames() -> None:
    # R's & of two logical matrices is element by element (?Logic); pandas would align
    # two frames by their (different) dimnames, giving a larger frame of NaN
    ns = run_r("A <- matrix(c(1, 0, 3, 4), 2)\nB <- matrix(c(0, 1, 1, 1), 2)\n"
               "dimnames(A) <- list(c('a', 'b'), c('x', 'y'))\n"
               "dimnames(B) <- list(c('c', 'd'), c('u', 'v'))\n"
               "mask <- (A != 0) & (B != 0)\nany1 <- (A > 2) | (B > 0)\nv <- A[mask]\n",
               complete=True)
    np.testing.assert_array_equal(np.asarray(ns["mask"], dtype=bool),
                                  [[False, True], [False, True]])
    np.testing.assert_array_equal(np.asarray(ns["any1"], dtype=bool),
                                  [[False, True], [True, True]])
    np.testing.assert_array_equal(np.asarray(ns["v"], dtype=float), [3.0, 4.0])


def test_update_keeps_the_csparse_option_in_force() -> None:
    # asreml.options(Csparse = ~ t) holds for every later fit, update() refits included
    # (m-hrachov: RR_m3 <- update(RR_m3); nrow(RR_m3[["Csparse"]]))
    rng = np.random.default_rng(7)
    d = pd.DataFrame({"G": [f"g{i % 6}" for i in range(36)], "y": rng.normal(size=36)})
    ns = run_r("asreml.options(Csparse = ~ G)\n"
               "m <- asreml(y ~ 1, random = ~ G, data = d)\n"
               "n0 <- nrow(m[['Csparse']])\nm <- update(m)\nn1 <- nrow(m[['Csparse']])\n",
               d=d, complete=True, quiet=True)
    # the lower triangle of C^-1 within G's 6 effects: 6 * 7 / 2 cells
    assert ns["n0"] == ns["n1"] == 21


def test_gls_corsymm_prints_what_the_covardat_vignette_prints() -> None:
    # kwstat/covardat's rendered vignette docs/articles/r-side.html (commit 08f62c1) prints
    # for un1 <- gls(score ~ trt * month, data = datg, correlation = corSymm(form = ~ 1 |
    # patient), na.action = na.omit): logLik(un1) * 2 = -2657.776 (df = 34); anova(un1):
    # F 1560.5016, 0.9554, 23.3903, 2.1315 (denominator df 436); the correlations of
    # rcor(un1) to two digits (first row 1 0.9 0.79 0.8 0.79 0.75). The positions are the
    # records' order within a patient after na.omit, as nlme's.
    from _fetched import fetched

    alz = pd.read_csv(fetched("covardat_alzheimers.csv"))
    ns = run_r("library(nlme)\n"
               "dat <- transform(alz, patient = factor(patient), month = factor(month))\n"
               "un1 <- gls(score ~ trt * month, data = dat,\n"
               "           correlation = corSymm(form = ~ 1 | patient), na.action = na.omit)\n"
               "ll2 <- logLik(un1) * 2\nav <- anova(un1)\ncs <- un1$modelStruct$corStruct\n",
               alz=alz, complete=True, quiet=True)
    assert float(ns["ll2"]) == pytest.approx(-2657.776, abs=1e-3)
    av = ns["av"]
    np.testing.assert_allclose(av["F-value"], [1560.5016, 0.9554, 23.3903, 2.1315], rtol=1e-4)
    assert av.attrs["denDF"] == 436
    cor = ns["cs"].describe()
    np.testing.assert_allclose(cor[["cor(1,2)", "cor(1,3)", "cor(1,4)", "cor(1,5)",
                                    "cor(1,6)", "cor(5,6)"]],
                               [0.9, 0.79, 0.8, 0.79, 0.75, 0.91], atol=0.006)


def test_gls_corsymm_with_a_time_covariate_numbers_its_distinct_times() -> None:
    # corSymm(form = ~ month | g) with months 2, 4, 6: the same fit as positions 1, 2, 3
    # (every group has all three), the correlations named cor(1,2), cor(1,3), cor(2,3)
    d = _repeated()
    d["month"] = d["time"] * 2
    code = ("library(nlme)\nm <- gls(y ~ trt, data = d, correlation = corSymm(form = ~ {} | g))"
            "\nll <- logLik(m)\ncs <- m$modelStruct$corStruct\n")
    a = run_r(code.format("month"), d=d, complete=True)
    b = run_r(code.format("1"), d=d, complete=True)
    assert float(a["ll"]) == pytest.approx(float(b["ll"]), abs=1e-8)
    ca, cb = a["cs"].describe(), b["cs"].describe()
    assert list(ca.index) == ["cor(1,2)", "cor(1,3)", "cor(2,3)"] == list(cb.index)
    np.testing.assert_allclose(ca, cb, atol=1e-8)


# ----- expectations of untranslated values; asremlPlus's validity checks ----------------------

def test_an_untranslated_expectation_is_counted_unchecked_not_dropped() -> None:
    # testthat::expect_true(f(x)) with f not translated was a bare TODO comment: the check
    # vanished from the counts; it is now recorded as unchecked, naming what is missing
    from asr_py.translate import translate
    from asr_py.translate.checks import OUTCOMES

    py = translate("testthat::expect_true(someUnknownCheck(x))\n"
                   "testthat::expect_equal(otherUnknown(x), 3)\n")
    assert "expect_true(lambda: untranslated('someUnknownCheck()'" in py
    assert "expect_equal(lambda: untranslated('otherUnknown()'" in py
    before = OUTCOMES["unchecked"]
    run_r("testthat::expect_true(someUnknownCheck(x))\n"
          "testthat::expect_equal(otherUnknown(x), 3)\n", x=1)
    assert OUTCOMES["unchecked"] == before + 2


def test_valid_asrtests_and_is_compound_symmetric() -> None:
    # asremlPlus R/asremlPlusObjUtils.r validAsrtests: TRUE for an asrtests list, else a
    # character vector of reasons; isCompoundSymmetric.matrix: symmetric, equal diagonal,
    # equal off-diagonal elements (1e-8)
    import asr_py as asr
    from asr_py.translate.rplusvalid import r_is_compound_symmetric, r_valid_asrtests

    rng = np.random.default_rng(2)
    d = pd.DataFrame({"g": [f"g{i % 5}" for i in range(30)], "y": rng.normal(size=30)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = asr.asreml("y ~ 1", random="~ g", data=d)
    assert r_valid_asrtests(asr.plus.as_asrtests(fit)) is True
    bad = r_valid_asrtests({"asreml.obj": fit})
    assert bad[0] == "Error in validAsrtests : " and len(bad) == 3
    cs = pd.DataFrame([[2.0, 0.5, 0.5], [0.5, 2.0, 0.5], [0.5, 0.5, 2.0]],
                      index=list("abc"), columns=list("abc"))
    assert r_is_compound_symmetric(cs) is True
    un = cs.copy()
    un.iloc[0, 1] = un.iloc[1, 0] = 0.6
    assert r_is_compound_symmetric(un) is False
    assert r_is_compound_symmetric(cs.set_axis(list("xyz"), axis=1)) is False  # dimnames
    ns = run_r("m <- matrix(c(2, 1, 1, 2), 2)\nok <- isCompoundSymmetric(m)\n",
               complete=True)
    assert bool(ns["ok"]) is True


def test_as_predictions_frame_and_its_checks() -> None:
    # asremlPlus R/alldiffs.v5.r: as.predictions.frame renames se/est.status/predictions to
    # standard.error/est.status/predicted.value, sets est.status "Estimable" ("Aliased" for
    # an NA prediction) when missing, and classes it predictions.frame; validPredictionsFrame
    # needs predicted.value (or backtransformed.predictions), standard.error and est.status
    p = pd.DataFrame({"A": ["b", "a", "c"], "pv": [1.0, np.nan, 3.0],
                      "std.error": [0.1, np.nan, 0.3], "status": ["Estimable"] * 3})
    ns = run_r("v0 <- validPredictionsFrame(p)\n"
               "f <- as.predictions.frame(p, classify = 'A', predictions = 'pv', "
               "se = 'std.error', est.status = 'status')\n"
               "ok <- is.predictions.frame(f)\nv1 <- validPredictionsFrame(f)\n"
               "g <- as.predictions.frame(p[, c('A', 'pv', 'std.error')], predictions = 'pv',"
               " se = 'std.error')\nno <- is.predictions.frame(p)\n", p=p, complete=True)
    assert ns["v0"][0] == "Error in validPredictionsFrame : "
    f = ns["f"]
    assert list(f.columns) == ["A", "predicted.value", "standard.error", "est.status"]
    assert list(f["A"].cat.categories) == ["b", "a", "c"]      # order of appearance
    assert bool(ns["ok"]) is True and ns["v1"] is True and bool(ns["no"]) is False
    assert list(ns["g"]["est.status"]) == ["Estimable", "Aliased", "Estimable"]


def test_as_character_ignores_extra_arguments_as_r() -> None:
    # ?as.character: "...: further arguments passed to or from other methods" - the default
    # method uses none (asremlPlus's test42alldiffsasr.r:2385 rep(as.character(1:10,
    # times = 2)) is "1".."10": the times belong to no rep())
    ns = run_r("x <- rep(as.character(1:3, times = 2))\ny <- as.numeric('2.5', foo = 1)\n",
               complete=True)
    assert list(ns["x"]) == ["1", "2", "3"]
    assert float(ns["y"]) == 2.5


def test_summarise_at_unique_of_a_factor_is_one_factor_value_per_group() -> None:
    """``summarise_at(vars(yr), ~unique(.x))`` of a factor (wheat_big6_GS Step2's year,
    location, trial; s33speed): one value per group, a factor with the column's levels, as
    R 4.2 / dplyr print for this snippet (tibble: s <chr> a b, yr <fct> 2023 2024, levels
    2023 2024 2025). Each cell was a one-value pd.Categorical, and saveRDS wrote its repr
    "['2024']\\nCategories (2, str): ..." as the text."""
    d = pd.DataFrame({"s": ["b", "a", "b", "a"],
                      "yr": pd.Categorical(["2024", "2023", "2024", "2023"],
                                           categories=["2023", "2024", "2025"]),
                      "z": [1, 2, 3, 4]})
    ns = run_r("library(dplyr)\n"
               "k <- d %>% group_by(s) %>% summarise_at(vars(yr), ~unique(.x))\n"
               "m <- d %>% summarise(yr = unique(yr))\n", d=d.iloc[[0, 2]], complete=True)
    k = run_r("library(dplyr)\n"
              "k <- d %>% group_by(s) %>% summarise_at(vars(yr), ~unique(.x))\n",
              d=d, complete=True)["k"]
    assert list(k["s"]) == ["a", "b"]
    assert isinstance(k["yr"].dtype, pd.CategoricalDtype)
    assert list(k["yr"]) == ["2023", "2024"]
    assert list(k["yr"].cat.categories) == ["2023", "2024", "2025"]
    assert list(ns["m"]["yr"]) == ["2024"] and isinstance(ns["m"]["yr"].dtype,
                                                          pd.CategoricalDtype)
    with pytest.raises(AsrError, match="2 values for a group"):
        run_r("library(dplyr)\nm <- d %>% summarise(yr = unique(yr))\n", d=d, complete=True)
