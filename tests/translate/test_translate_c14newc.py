"""Ninth pass C (held-out genetics scripts, tests/translate/corpus/SOURCES.md): ``x[[i]]`` and
``x[[i]] <- v`` with a key known only at run time (R's 1-based positions on an unnamed list),
replacement functions on an indexed object (``colnames(l[[1]])[2:4] <- v``), ``head()`` of an
``ainverse()`` result (asreml's sparse triplets), ``data.frame(summary(m)$varcomp)`` and
predict's ``levels = list(f = "a")``.

Expected values: R's documented semantics (``?Extract``, ``?data.frame``) worked by hand and
noted at each test; the A-inverse from an A built by the tabular method in numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _fetched import fetched
from _translate_fixtures import run_r

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.translate.rlist import r_get2, r_set2
from asr_py.translate.rvector import r_head, relmatrix_triplets


def _run(code: str, **env: object) -> dict:
    return run_r(code, complete=False, **env)

# ----- x[[i]] and x[[i]] <- v -----------------------------------------------------------------

def test_double_bracket_by_variable_is_r_position_on_an_unnamed_list() -> None:
    # R: L <- list(10, 20, 30); for (i in 1:3) s <- c(s, L[[i]]) gives 10 20 30;
    # L[[k]] <- 5 with k = 2 replaces the second element; L[[4]] <- 1 appends
    env = _run("L <- list(10, 20, 30)\ns <- c()\nfor (i in 1:3) s <- c(s, L[[i]])\n"
               "k <- 2\nL[[k]] <- 5\nL[[k + 2]] <- 1\nn <- length(L)\nsecond <- L[[2]]\n")
    assert list(env["s"]) == [10, 20, 30]
    assert env["second"] == 5
    assert env["n"] == 4
    assert env["L"] == [10, 5, 30, 1]


def test_double_bracket_literal_assignment_is_not_off_by_one() -> None:
    # R: L <- list(10, 20); L[[1]] <- 5 gives list(5, 20) (was L[1] = 5: the 2nd element)
    env = _run("L <- list(10, 20)\nL[[1]] <- 5\n")
    assert env["L"] == [5, 20]


def test_list_filled_in_a_loop_and_by_names() -> None:
    # R: res <- list(); for (i in 1:3) res[[i]] <- i * 2; res[[2]] is 4;
    # out[[n]] <- toupper(n) over c("a", "b"): out[["b"]] and out[[2]] are both "B"
    env = _run("res <- list()\nfor (i in 1:3) { res[[i]] <- i * 2 }\nr2 <- res[[2]]\n"
               "out <- list()\nfor (n in c('a', 'b')) out[[n]] <- toupper(n)\n"
               "b1 <- out[['b']]\nb2 <- out[[2]]\nj <- 2\nb3 <- out[[j]]\n")
    assert env["r2"] == 4
    assert env["b1"] == env["b2"] == env["b3"] == "B"


def test_r_set2_and_r_get2_semantics() -> None:
    # x[[k]] <- NULL removes the element; beyond length + 1 R pads with NULL
    x = r_set2([1, 2, 3], 2, None)
    assert x == [1, 3]
    assert r_set2([1], 3, 9) == [1, None, 9]
    # a named list: position k is its k-th element; an absent name reads NULL
    d = r_set2({"a": 1, "b": 2}, 2, 7)
    assert d == {"a": 1, "b": 7}
    assert r_get2({"a": 1}, "zz") is None
    # a data frame: [[k]] is its k-th column
    f = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    assert list(r_get2(f, 2)) == [3, 4]
    assert list(r_get2(f, np.array([1]))) == [1, 2]
    with pytest.raises(AsrError, match="out of bounds"):
        r_get2([1, 2], 3)
    with pytest.raises(AsrError, match="length 2"):
        r_get2([1, 2], [1, 2])
    with pytest.raises(AsrError, match="without names"):
        r_set2([1, 2], "a", 3)


def test_colnames_of_a_list_element_is_written_back() -> None:
    # R: colnames(L[[1]])[2:3] <- c("x", "y") renames columns 2-3 of the first frame
    # (before: an assignment to a function call, invalid Python)
    env = _run("L <- list(data.frame(a = 1, b = 2, c = 3), data.frame(a = 1, b = 2, c = 3))\n"
               "colnames(L[[1]])[2:3] <- c('x', 'y')\ncolnames(L[[2]]) <- c('p', 'q', 'r')\n"
               "n1 <- names(L[[1]])\nn2 <- names(L[[2]])\n")
    assert list(env["n1"]) == ["a", "x", "y"]
    assert list(env["n2"]) == ["p", "q", "r"]


# ----- head(ainverse(ped)) ----------------------------------------------------------------------

def _tabular_a(ped: pd.DataFrame) -> np.ndarray:
    """A by the tabular method (parents before offspring), independently of asr_py."""
    ids = list(ped["id"])
    pos = {k: i for i, k in enumerate(ids)}
    n = len(ids)
    a = np.zeros((n, n))
    for i, (s, d) in enumerate(zip(ped["sire"], ped["dam"])):
        si, di = pos.get(s), pos.get(d)
        for j in range(i):
            a[i, j] = a[j, i] = 0.5 * ((a[j, si] if si is not None else 0.0) +
                                       (a[j, di] if di is not None else 0.0))
        a[i, i] = 1.0 + (0.5 * a[si, di] if si is not None and di is not None else 0.0)
    return a


def test_head_of_ainverse_gives_asreml_triplets() -> None:
    ped = pd.DataFrame({"id": ["a", "b", "c", "d", "e"],
                        "sire": [None, None, "a", "a", None],
                        "dam": [None, None, "b", "c", "d"]})
    ainv = asr.ainverse(ped)
    expect = np.linalg.inv(_tabular_a(ped))
    trip = relmatrix_triplets(ainv)
    assert list(trip.columns) == ["Row", "Column", "Ainverse"]
    assert (trip["Row"] >= trip["Column"]).all()
    # every non-zero of the lower triangle, 1-based, by row then column
    rows, cols = np.nonzero(np.tril(np.abs(expect) > 1e-12))
    assert list(zip(trip["Row"], trip["Column"])) == sorted(zip(rows + 1, cols + 1))
    np.testing.assert_allclose(trip["Ainverse"], expect[trip["Row"] - 1, trip["Column"] - 1],
                               atol=1e-10)
    h = r_head(ainv)
    assert len(h) == 6 and h.equals(trip.head(6))
    env = _run("ainv <- ainverse(ped)\nh <- head(ainv)\n", ped=ped)
    assert env["h"].equals(trip.head(6))


# ----- data.frame(x$y) --------------------------------------------------------------------------

def test_data_frame_of_a_dollar_data_frame_keeps_its_columns() -> None:
    # R: data.frame(l$v) of a data frame l$v has l$v's columns (a and b), not one column
    env = _run("vc <- data.frame(l$v)\nvc$p <- 100 * vc$a / sum(vc$a)\nx <- data.frame(l$w)\n",
               l={"v": pd.DataFrame({"a": [1.0, 3.0], "b": [2.0, 4.0]}), "w": [5, 6]})
    assert list(env["vc"].columns) == ["a", "b", "p"]
    np.testing.assert_allclose(env["vc"]["p"], [25.0, 75.0])
    assert list(env["x"].iloc[:, 0]) == [5, 6]


# ----- predict(levels = list(f = "a")) ----------------------------------------------------------

def test_predict_levels_given_as_one_string() -> None:
    # asreml: levels = list(TYPE = "Test") is the one level "Test" (R's length-1 vector),
    # not the letters of "Test"
    rng = np.random.default_rng(4)
    d = pd.DataFrame({"T": np.repeat(["Ctl", "Test"], 12), "F": np.tile(list("abcdef"), 4)})
    d["y"] = rng.normal(size=len(d)) + (d["T"] == "Test") * 2.0
    m = asr.asreml(fixed="y ~ T", random="~ F", data=d)
    full = m.predict(classify="T")
    one = m.predict(classify="T", levels={"T": "Test"})
    assert list(one["T"]) == ["Test"]
    np.testing.assert_allclose(one["predicted.value"],
                               full.loc[full["T"] == "Test", "predicted.value"])


def test_data_frame_column_of_na_is_missing_values_not_dropped() -> None:
    # R: data.frame(id = c("a", "b"), sire = NA, dam = NA) has three columns, sire/dam all NA
    env = _run("ped <- data.frame(id = c('a', 'b'), sire = NA, dam = NA)\n"
               "A <- ainverse(ped)\n")
    assert list(env["ped"].columns) == ["id", "sire", "dam"]
    assert env["ped"]["sire"].isna().all()
    np.testing.assert_allclose(env["A"].toarray(), np.eye(2))


# ----- a held-out animal model: LIZARD (RaissaKrupek/Mixed_Models, VSNi course) -------------



def _dense_reml(y: np.ndarray, x: np.ndarray, k: np.ndarray) -> tuple[float, float]:
    """(σ²_a, σ²_e) maximising the REML log-likelihood of y ~ N(Xβ, σ²_a K + σ²_e I) by
    Nelder-Mead on the log variances: a dense computation independent of asr_py (K = UΛU'
    once, so V = U(σ²_a Λ + σ²_e)U')."""
    from scipy.optimize import minimize

    lam, u = np.linalg.eigh(k)
    ux, uy = u.T @ x, u.T @ y

    def nll(t: np.ndarray) -> float:
        dv = np.exp(t[0]) * lam + np.exp(t[1])
        xvx = ux.T @ (ux / dv[:, None])
        beta = np.linalg.solve(xvx, ux.T @ (uy / dv))
        r = uy - ux @ beta
        return 0.5 * (np.log(dv).sum() + np.linalg.slogdet(xvx)[1] + r @ (r / dv))

    best = minimize(nll, np.log([np.var(y) / 2] * 2), method="Nelder-Mead",
                    options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000})
    return float(np.exp(best.x[0])), float(np.exp(best.x[1]))


def test_lizard_pedigree_ids_in_a_float_column_match_the_animals() -> None:
    """LIZARD.TXT (98 lizards, Katrina et al. 2016, BMC Evol. Biol. 16:179, as shipped by the
    VSNi course in RaissaKrupek/Mixed_Models at 89ea064; copied to
    fetched lizard_vsni_course.txt): the DAM column holds 206.1 (an animal's id)
    besides whole numbers, so R reads it as numbers and writes them 203, 206.1. Before, every
    parent became '203.0' and never matched the animal '203' (38 phantom founders, '0.0' an
    animal): A was wrong, h2 0.13 instead of 0.62."""
    raw = pd.read_csv(fetched("lizard_vsni_course.txt"), sep=r"\s+", dtype=str)
    ped_txt = raw[["INDIV", "DAM", "SIRE"]].replace("0", None)
    expect = np.linalg.inv(_tabular_a(ped_txt.rename(columns={"INDIV": "id", "DAM": "dam",
                                                              "SIRE": "sire"})))
    num = pd.read_csv(fetched("lizard_vsni_course.txt"), sep=r"\s+")
    assert num["DAM"].dtype == float
    ainv = asr.ainverse(num[["INDIV", "DAM", "SIRE"]].astype({"INDIV": str}),
                        check_roles=False)
    assert ainv.n == 98 and set(ainv.ids) == set(raw["INDIV"])
    pos = [list(raw["INDIV"]).index(i) for i in ainv.ids]
    np.testing.assert_allclose(ainv.toarray(), expect[np.ix_(pos, pos)], atol=1e-10)


def test_lizard_course_script_fit_agrees_with_dense_reml() -> None:
    # the course script's steps (read.table, as.factor, ainverse(LIZARD[, 2:4]), asreml
    # with vm(INDIV, ainv) and residual = ~idv(units)), translated and run
    code = ("LIZARD <- read.table(PATH, h = TRUE, na.strings = 'NA')\n"
            "LIZARD$INDIV <- as.factor(LIZARD$INDIV)\n"
            "LIZARD$COHORT <- as.factor(LIZARD$COHORT)\nLIZARD$SEX <- as.factor(LIZARD$SEX)\n"
            "pedind <- LIZARD[, c(2:4)]\nainv <- ainverse(pedind)\n"
            "LIZARD$logitPY <- log((LIZARD$P_YELLOW + 1) / (100 - LIZARD$P_YELLOW + 1))\n"
            "m <- asreml(fixed = logitPY ~ COHORT + SEX, random = ~vm(INDIV, ainv),\n"
            "            residual = ~idv(units), data = LIZARD)\n"
            "vc <- summary(m)$varcomp\nh2 <- vpredict(m, h2 ~ V1/(V1+V2))\n")
    env = _run(code, PATH=str(fetched("lizard_vsni_course.txt")))
    d = pd.read_csv(fetched("lizard_vsni_course.txt"), sep=r"\s+", dtype={"INDIV": str,
                                                                         "DAM": str,
                                                                         "SIRE": str})
    y = np.log((d["P_YELLOW"] + 1) / (100 - d["P_YELLOW"] + 1)).to_numpy()
    x = pd.get_dummies(d[["COHORT", "SEX"]].astype(str), drop_first=True).to_numpy(float)
    x = np.column_stack([np.ones(len(y)), x])
    ped = d[["INDIV", "SIRE", "DAM"]].replace("0", None)
    k = _tabular_a(ped.rename(columns={"INDIV": "id", "SIRE": "sire", "DAM": "dam"}))
    va, ve = _dense_reml(y, x, k)
    comp = env["vc"]["component"].to_numpy()
    np.testing.assert_allclose(comp[:2], [va, ve], rtol=2e-3)
    h2 = float(np.asarray(env["h2"]["Estimate"])[0])
    assert h2 == pytest.approx(va / (va + ve), rel=2e-3)


# ----- joins, spread(), rbindlist() -------------------------------------------------------------

def test_dplyr_joins_as_dplyr_orders_and_names_them() -> None:
    # dplyr 1.1: inner_join keeps x's row order; clashing columns get .x/.y; left_join keeps
    # every x row (NA where y has none); full_join adds y's unmatched rows after x's;
    # semi/anti_join filter x; by = c("g" = "G") keeps x's column name
    env = _run("a <- data.frame(g = c('b', 'a', 'c'), v = 1:3)\n"
               "b <- data.frame(G = c('a', 'b', 'd'), w = c(10, 20, 30))\n"
               "b2 <- data.frame(g = c('a', 'b', 'd'), v = c(7, 8, 9))\n"
               "i <- a %>% inner_join(b2, by = 'g')\nl <- left_join(a, b2, by = 'g')\n"
               "f <- dplyr::full_join(a, b2, by = 'g')\nn <- inner_join(a, b2)\n"
               "r <- inner_join(a, b, by = c('g' = 'G'))\ns <- semi_join(a, b2, by = 'g')\n"
               "t <- anti_join(a, b2, by = 'g')\n")
    assert list(env["i"]["g"]) == ["b", "a"] and list(env["i"]["v.y"]) == [8, 7]
    assert list(env["i"].columns) == ["g", "v.x", "v.y"]
    assert list(env["l"]["g"]) == ["b", "a", "c"] and np.isnan(env["l"]["v.y"].iloc[2])
    assert list(env["f"]["g"]) == ["b", "a", "c", "d"]
    assert env["f"]["v.y"].iloc[3] == 9 and np.isnan(env["f"]["v.x"].iloc[3])
    assert list(env["n"].columns) == ["g", "v"] and env["n"].empty   # natural join on g, v
    assert list(env["r"].columns) == ["g", "v", "w"] and list(env["r"]["w"]) == [20, 10]
    assert list(env["s"]["g"]) == ["b", "a"] and list(env["t"]["g"]) == ["c"]


def test_rbindlist_idcol_and_spread() -> None:
    # data.table: rbindlist(list(e1 = d1, e2 = d2), idcol = "env") puts the names first;
    # an unnamed list gives 1, 2; fill = TRUE fills absent columns with NA.
    # tidyr: spread(key = env, value = p) one column per env (sorted), rows sorted by gen
    env = _run("L <- list(e2 = data.frame(gen = c('g2', 'g1'), p = c(1, 2)),\n"
               "          e1 = data.frame(gen = c('g1', 'g2'), p = c(3, 4), q = 1))\n"
               "z <- rbindlist(L, use.names = TRUE, fill = TRUE, idcol = 'env')\n"
               "U <- list(data.frame(a = 1), data.frame(a = 2))\n"
               "u <- rbindlist(U, idcol = TRUE)\n"
               "w <- spread(z[, c('env', 'gen', 'p')], key = env, value = p)\n"
               "v <- pivot_wider(z[, c('env', 'gen', 'p')], names_from = env, values_from = p)\n")
    z = env["z"]
    assert list(z.columns) == ["env", "gen", "p", "q"]
    assert list(z["env"]) == ["e2", "e2", "e1", "e1"] and z["q"].isna().sum() == 2
    assert list(env["u"][".id"]) == [1, 2]
    w = env["w"]
    assert list(w.columns) == ["gen", "e1", "e2"] and list(w["gen"]) == ["g1", "g2"]
    assert list(w["e1"]) == [3, 4] and list(w["e2"]) == [2, 1]
    assert list(env["v"].columns) == ["gen", "e2", "e1"]     # order of appearance
    with pytest.raises(AsrError, match="different columns"):
        _run("z <- rbindlist(list(data.frame(a = 1), data.frame(b = 2)))\n")


def test_tidyr_separate_unite_gather() -> None:
    # tidyr 1.3: separate(1, into, sep = "_", remove = FALSE, extra = "merge") keeps col and
    # puts loc/year/cut after it, the last piece keeping the rest ("3_x"); convert = TRUE
    # makes "2018" a number; fill pads NA on the right. unite(remove = FALSE) puts the new
    # column where the first united one is. gather(key =, value =, Yi:FD) stacks Yi, then FD.
    env = _run("d <- data.frame(env = c('ID_2018_1', 'WA_2020_3_x', 'OR'), Yi = c(1, 2, 3),\n"
               "                FD = c(4, 5, NA), gen = c('a', 'b', 'c'))\n"
               "s1 <- d %>% separate(1, c('loc', 'year', 'cut'), sep = '_', remove = F,\n"
               "                     extra = 'merge')\n"
               "s2 <- separate(d, env, c('loc', 'year'), sep = '_', convert = TRUE)\n"
               "u <- d %>% unite('id', c(Yi, gen), sep = ':', remove = FALSE)\n"
               "u2 <- unite(d, id, env:Yi)\n"
               "g <- d %>% gather(key = 'trait', value = 'y', Yi:FD)\n"
               "g2 <- gather(d, trait, y, -env, -gen)\n")
    s1 = env["s1"]
    assert list(s1.columns) == ["env", "loc", "year", "cut", "Yi", "FD", "gen"]
    assert list(s1["cut"])[:2] == ["1", "3_x"] and pd.isna(s1["year"].iloc[2])
    s2 = env["s2"]
    assert list(s2.columns) == ["loc", "year", "Yi", "FD", "gen"]
    assert s2["year"].iloc[0] == 2018 and np.isnan(s2["year"].iloc[2])
    assert list(env["u"].columns) == ["env", "id", "Yi", "FD", "gen"]
    assert list(env["u"]["id"]) == ["1:a", "2:b", "3:c"]
    assert list(env["u2"]["id"]) == ["ID_2018_1_1", "WA_2020_3_x_2", "OR_3"]
    assert list(env["u2"].columns) == ["id", "FD", "gen"]
    g = env["g"]
    assert list(g.columns) == ["env", "gen", "trait", "y"]
    assert list(g["trait"]) == ["Yi"] * 3 + ["FD"] * 3
    assert list(g["y"][:5]) == [1, 2, 3, 4, 5] and np.isnan(g["y"].iloc[5])
    assert env["g2"].equals(g)


def test_ifelse_statement_used_for_its_assignments() -> None:
    # R: ifelse(test, yes, no) evaluates yes only when the test is TRUE, no only when FALSE,
    # neither when NA (cculma/Norberg_2020 picks a model's predictions this way)
    env = _run("a <- 1\nb <- 2\n"
               "ifelse(a < b && a > 0, blue <- 'first', ifelse(b < a, blue <- 'second',\n"
               "       ifelse(a == b, blue <- 'third')))\n"
               "ifelse(a > b, z <- 1, z <- 2)\nw <- 0\nifelse(NA, w <- 1, w <- 2)\n"
               "x <- ifelse(c(TRUE, FALSE), 1, 2)\n")
    assert env["blue"] == "first" and env["z"] == 2 and env["w"] == 0
    assert list(env["x"]) == [1, 2]
    with pytest.raises(AsrError, match="argument 'no' is missing"):
        _run("a <- 3\nb <- 2\nifelse(a < b, blue <- 'first', ifelse(a == b, blue <- 's'))\n")
    with pytest.raises(AsrError, match="test of 2 values"):
        _run("d <- data.frame(v = c(1, 5))\nifelse(d$v > 2, k <- 1, k <- 2)\n")


def test_data_frame_of_dollar_values_scalars_and_columns() -> None:
    # R: data.frame(AIC = s$aic) of one number is one row; data.frame(g = d$g, y = d$y) keeps
    # the rows by position (whatever d's row names) and a column's type
    d = pd.DataFrame({"g": pd.Categorical(["b", "a"]), "y": [1.0, 2.0]}, index=[7, 3])
    env = _run("i <- data.frame(AIC = s$aic, BIC = s$bic)\nf <- data.frame(g = d$g, y = d$y)\n",
               s={"aic": 10.5, "bic": 12.0}, d=d)
    assert env["i"].shape == (1, 2) and env["i"]["AIC"].iloc[0] == 10.5
    assert list(env["f"]["y"]) == [1.0, 2.0] and list(env["f"].index) == [0, 1]
    assert isinstance(env["f"]["g"].dtype, pd.CategoricalDtype)


def test_ifelse_statement_with_one_row_data_frame_tests() -> None:
    # info1$AIC < info2$AIC && ... on one-row data frames: each side's one value (R's &&)
    env = _run("i1 <- data.frame(AIC = 10)\ni2 <- data.frame(AIC = 12)\ni3 <- data.frame(AIC = 9)\n"
               "ifelse(i1$AIC < i2$AIC && i1$AIC < i3$AIC, best <- 1,\n"
               "       ifelse(i3$AIC < i1$AIC && i3$AIC < i2$AIC, best <- 3, best <- 2))\n")
    assert env["best"] == 3


def test_double_bracket_of_a_matrix_is_column_major() -> None:
    # R: m <- matrix(1:6, 2); m[[3]] is 3 (column-major); m[[k]] <- 0 with k = 4 sets m[2, 2]
    m = np.array([[1, 3, 5], [2, 4, 6]])
    assert r_get2(m, 3) == 3
    r_set2(m, 4, 0)
    assert m[1, 1] == 0 and m.sum() == 17


def test_salmon_parental_model_and_equate_levels_agrees_with_dense_reml() -> None:
    """SALMON_UK.txt (534 salmon, sea-lice counts; VSNi course data as shipped in
    RaissaKrupek/Mixed_Models at 89ea064, Material/Session03; copied to
    fetched salmon_uk_vsni_course.txt). The course's parental model
    ``random = ~SIRE + and(DAM), equate.levels = c('SIRE', 'DAM')``: one parent effect whose
    design is Z_sire + Z_dam over the union of parents, checked against a dense numpy REML."""
    code = ("FISH <- read.table(PATH, h = TRUE, na.strings = 'NA')\n"
            "FISH$SIRE <- as.factor(FISH$SIRE)\nFISH$DAM <- as.factor(FISH$DAM)\n"
            "FISH$SEX <- as.factor(FISH$SEX)\nFISH$LNLICE <- 100 * log(FISH$LICE + 10)\n"
            "progo <- asreml(fixed = LNLICE ~ SEX, random = ~SIRE + and(DAM),\n"
            "                residual = ~idv(units), equate.levels = c('SIRE', 'DAM'),\n"
            "                data = FISH)\n"
            "vc <- summary(progo)$varcomp\nh2 <- vpredict(progo, h2 ~ 4 * V1/(V1 + V2))\n")
    env = _run(code, PATH=str(fetched("salmon_uk_vsni_course.txt")))
    d = pd.read_csv(fetched("salmon_uk_vsni_course.txt"), sep=r"\s+", dtype={"SEX": str})
    y = (100 * np.log(d["LICE"] + 10)).to_numpy(float)
    x = np.column_stack([np.ones(len(y)), (d["SEX"] == "1").to_numpy(float)])
    parents = sorted(set(d["SIRE"]) | set(d["DAM"]))
    z = np.zeros((len(y), len(parents)))
    pos = {p: i for i, p in enumerate(parents)}
    z[np.arange(len(y)), d["SIRE"].map(pos)] += 1.0
    z[np.arange(len(y)), d["DAM"].map(pos)] += 1.0
    vp, ve = _dense_reml(y, x, z @ z.T)
    comp = env["vc"]["component"].to_numpy()
    np.testing.assert_allclose(comp[:2], [vp, ve], rtol=2e-3)
    h2 = float(np.asarray(env["h2"]["Estimate"])[0])
    assert h2 == pytest.approx(4 * vp / (vp + ve), rel=2e-3)


def test_cov2cor_as_r() -> None:
    # R: cov2cor(matrix(c(4, 2, 2, 9), 2)) is [1, 1/3; 1/3, 1]; names kept; a zero variance
    # gives NaN in its row and column
    env = _run("V <- matrix(c(4, 2, 2, 9), 2, 2)\nC <- cov2cor(V)\n")
    np.testing.assert_allclose(env["C"], [[1.0, 1 / 3], [1 / 3, 1.0]])
    from asr_py.translate.rstats import r_cov2cor

    f = pd.DataFrame([[4.0, -1.0, 0.0], [-1.0, 1.0, 0.0], [0.0, 0.0, 0.0]],
                     index=list("abc"), columns=list("abc"))
    c = r_cov2cor(f)
    assert list(c.index) == list("abc") and c.loc["a", "b"] == pytest.approx(-0.5)
    assert np.isnan(c.loc["c", "c"]) and np.isnan(c.loc["a", "c"])
    with pytest.raises(AsrError, match="square"):
        r_cov2cor(np.ones((2, 3)))


def test_data_table_sd_which_min_by_group() -> None:
    # data.table: M[, .SD[which.min(AIC)], by = trait] is, per trait in order of first
    # appearance, the first row with the smallest AIC (NA left out); trait first
    env = _run("M <- data.frame(model = c('m1', 'm2', 'm1', 'm2', 'm3'),\n"
               "                trait = c('b', 'b', 'a', 'a', 'b'), AIC = c(10, 8, NA, 5, 8))\n"
               "lo <- M[ , .SD[which.min(AIC)], by = trait]\n"
               "hi <- M[, .SD[which.max(AIC)], by = 'trait']\n")
    lo, hi = env["lo"], env["hi"]
    assert list(lo.columns) == ["trait", "model", "AIC"]
    assert list(lo["trait"]) == ["b", "a"] and list(lo["model"]) == ["m2", "m2"]
    assert list(hi["model"]) == ["m1", "m2"] and list(hi["AIC"]) == [10, 5]
