"""Base R / stats / utils functions session 22 translates (one module each), checked
against R's documented results:

* ``?tabulate`` examples (R 4): ``tabulate(c(2,3,5))`` is 0 1 1 0 1; ``tabulate(c(2,3,3,5),
  nbins = 10)`` is 0 1 2 0 1 0 0 0 0 0; ``tabulate(c(-2,0,2,3,3,5))`` is 0 1 2 0 1 ("-2 and
  0 are ignored"); with ``nbins = 3`` 0 1 2; ``tabulate(factor(letters[1:10]))`` ten 1s;
* ``?sequence``: "sequence(c(3, 2)) # the concatenated sequences 1:3 and 1:2" and the
  definition seq(from[i], by = by[i], length.out = nvec[i]) concatenated;
* ``?combn``: "combinations of the elements of seq(x)" for an integer x, one column each, in
  lexicographic order; ``combn(letters[1:4], 2)``; ``combn(10, 5, min)`` "minimum value in
  each combination" (its count of 1s is choose(9, 4));
* ``?sweep``: the result is FUN(x[i, j], STATS[i or j]) (``sweep(m, 2, colMeans(m))`` has
  zero column means);
* ``prcomp(USArrests, scale. = TRUE)``: R prints "Standard deviations (1, .., p=4): [1]
  1.5748783 0.9948694 0.5971291 0.4164494" and PC1 loadings Murder -0.5358995, Assault
  -0.5831836, UrbanPop -0.2781909, Rape -0.5434321 (ISLR's lab and R's ?prcomp data set;
  the sign of a component is the SVD's, compared up to sign);
* ``?help`` / ``?View``: ``?topic`` and ``View(x)`` show a page or a viewer, nothing a
  script computes: a comment, never a TODO.
"""

import numpy as np
import pandas as pd
import pytest

from asr_py.errors import AsrError
from asr_py.translate import translate
from asr_py.translate.runtime import r_combn, r_prcomp, r_sequence, r_sweep, r_tabulate

#: R's datasets::USArrests (McNeil 1977): Murder, Assault, UrbanPop, Rape of the 50 states
_MURDER = [13.2, 10, 8.1, 8.8, 9, 7.9, 3.3, 5.9, 15.4, 17.4, 5.3, 2.6, 10.4, 7.2, 2.2, 6, 9.7,
           15.4, 2.1, 11.3, 4.4, 12.1, 2.7, 16.1, 9, 6, 4.3, 12.2, 2.1, 7.4, 11.4, 11.1, 13,
           0.8, 7.3, 6.6, 4.9, 6.3, 3.4, 14.4, 3.8, 13.2, 12.7, 3.2, 2.2, 8.5, 4, 5.7, 2.6,
           6.8]
_ASSAULT = [236, 263, 294, 190, 276, 204, 110, 238, 335, 211, 46, 120, 249, 113, 56, 115, 109,
            249, 83, 300, 149, 255, 72, 259, 178, 109, 102, 252, 57, 159, 285, 254, 337, 45,
            120, 151, 159, 106, 174, 279, 86, 188, 201, 120, 48, 156, 145, 81, 53, 161]
_URBANPOP = [58, 48, 80, 50, 91, 78, 77, 72, 80, 60, 83, 54, 83, 65, 57, 66, 52, 66, 51, 67,
             85, 74, 66, 44, 70, 53, 62, 81, 56, 89, 70, 86, 45, 44, 75, 68, 67, 72, 87, 48,
             45, 59, 80, 80, 32, 63, 73, 39, 66, 60]
_RAPE = [21.2, 44.5, 31, 19.5, 40.6, 38.7, 11.1, 15.8, 31.9, 25.8, 20.2, 14.2, 24, 21, 11.3,
         18, 16.3, 22.2, 7.8, 27.8, 16.3, 35.1, 14.9, 17.1, 28.2, 16.4, 16.5, 46, 9.5, 18.8,
         32.1, 26.1, 16.1, 7.3, 21.4, 20, 29.3, 14.9, 8.3, 22.5, 12.8, 26.9, 25.5, 22.9, 11.2,
         20.7, 26.2, 9.3, 10.8, 15.6]


def test_tabulate_documented_examples() -> None:
    assert list(r_tabulate([2, 3, 5])) == [0, 1, 1, 0, 1]
    assert list(r_tabulate([2, 3, 3, 5], nbins=10)) == [0, 1, 2, 0, 1, 0, 0, 0, 0, 0]
    assert list(r_tabulate([-2, 0, 2, 3, 3, 5])) == [0, 1, 2, 0, 1]
    assert list(r_tabulate([-2, 0, 2, 3, 3, 5], nbins=3)) == [0, 1, 2]
    letters = pd.Series(pd.Categorical(list("abcdefghij")))
    assert list(r_tabulate(letters)) == [1] * 10
    assert list(r_tabulate([1.7, np.nan, 2.2, 1])) == [2, 1]        # truncated, NA ignored
    with pytest.raises(AsrError, match="numeric or a factor"):
        r_tabulate(["a", "b"])


def test_tabulate_mode_idiom_translates_and_runs() -> None:
    py = translate('x <- c(4, 7, 7, 1, 7, 4)\nux <- unique(x)\n'
                   'm <- ux[which.max(tabulate(match(x, ux)))]\n')
    assert "# TODO(asr_py)" not in py
    env: dict = {}
    exec(compile(py, "<mode>", "exec"), env)
    assert env["m"] == 7


def test_sequence_definition() -> None:
    assert list(r_sequence([3, 2])) == [1, 2, 3, 1, 2]
    assert list(r_sequence(range(1, 4))) == [1, 1, 2, 1, 2, 3]
    assert list(r_sequence([3, 2], from_=2)) == [2, 3, 4, 2, 3]
    assert list(r_sequence([3, 2], by=-1)) == [1, 0, -1, 1, 0]
    assert list(r_sequence([3, 2], from_=[2, 5], by=[2, -1])) == [2, 4, 6, 5, 4]
    assert list(r_sequence([0, 2])) == [1, 2]
    with pytest.raises(AsrError, match="non-negative"):
        r_sequence([-1])
    py = translate("j <- sequence(1:3, from = 0)\n")
    assert "from_=0" in py and "# TODO(asr_py)" not in py


def test_combn_order_shape_and_fun() -> None:
    m = r_combn(4, 2)
    assert m.shape == (2, 6)
    assert [tuple(c) for c in m.T] == [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4)]
    let = r_combn(list("abcd"), 2)
    assert let[0].tolist() == ["a", "a", "a", "b", "b", "c"]
    assert let[1].tolist() == ["b", "c", "d", "c", "d", "d"]
    mins = r_combn(10, 5, min)
    assert mins.shape == (252,) and int((mins == 1).sum()) == 126       # choose(9, 4)
    assert r_combn([5.5, 7.0, 9.0], 2, np.diff).tolist() == [1.5, 3.5, 2.0]
    assert r_combn(4, 3, lambda c: c[:2]).shape == (2, 4)               # a matrix
    with pytest.raises(AsrError, match="n < m"):
        r_combn([1, 2], 3)
    py = translate("cn <- t(combn(c(3, 8, 9), 2))\n")
    env: dict = {}
    exec(compile(py, "<combn>", "exec"), env)
    assert np.asarray(env["cn"]).tolist() == [[3, 8], [3, 9], [8, 9]]


def test_sweep_rows_columns_operators_and_frames() -> None:
    a = np.array([[1.0, 4.0, 9.0], [3.0, 8.0, 12.0]])
    assert np.allclose(r_sweep(a, 2, a.mean(axis=0)).mean(axis=0), 0)
    assert np.allclose(r_sweep(a, 1, [1, 2], "/"), a / np.array([[1.0], [2.0]]))
    assert np.allclose(r_sweep(a, 2, [1, 2, 3], lambda x, s: x * s), a * [1, 2, 3])
    d = pd.DataFrame(a, columns=["p", "q", "r"], index=["u", "v"])
    got = r_sweep(d, 2, d.sum(axis=0), "/")
    assert list(got.columns) == ["p", "q", "r"] and list(got.index) == ["u", "v"]
    assert np.allclose(got.sum(axis=0), 1)
    with pytest.raises(AsrError, match="STATS has 2 values for 3 columns"):
        r_sweep(a, 2, [1, 2])
    py = translate("m <- matrix(1:6, 2)\nz <- 100*sweep(m, 2, colSums(m), `/`)\n")
    assert "'/'" in py and "# TODO(asr_py)" not in py
    env: dict = {}
    exec(compile(py, "<sweep>", "exec"), env)
    assert np.allclose(np.asarray(env["z"]).sum(axis=0), 100)


def test_prcomp_usarrests_recorded_result() -> None:
    d = pd.DataFrame({"Murder": _MURDER, "Assault": _ASSAULT, "UrbanPop": _URBANPOP,
                      "Rape": _RAPE})
    pc = r_prcomp(d, scale_=True)
    assert np.allclose(pc["sdev"], [1.5748783, 0.9948694, 0.5971291, 0.4164494], atol=5e-8)
    pc1 = pc["rotation"]["PC1"]
    assert np.allclose(np.abs(pc1[["Murder", "Assault", "UrbanPop", "Rape"]]),
                       [0.5358995, 0.5831836, 0.2781909, 0.5434321], atol=5e-8)
    # the scores are the scaled data rotated; their standard deviations are sdev
    assert np.allclose(pc["x"].std(axis=0, ddof=1), pc["sdev"])
    assert np.allclose(pc["center"], d.mean()) and np.allclose(pc["scale"], d.std())
    # without scaling: sdev^2 are the eigenvalues of cov(d) (an independent route)
    raw = r_prcomp(d)
    assert np.allclose(np.sort(raw["sdev"] ** 2)[::-1],
                       np.sort(np.linalg.eigvalsh(np.cov(d.to_numpy().T)))[::-1])
    assert raw["scale"] is False
    two = r_prcomp(d, scale_=True, rank_=2)
    assert list(two["rotation"].columns) == ["PC1", "PC2"] and len(two["sdev"]) == 4


def test_prcomp_errors_and_translation() -> None:
    with pytest.raises(AsrError, match="constant/zero column"):
        r_prcomp(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [5.0, 5.0, 5.0]}), scale_=True)
    with pytest.raises(AsrError, match="missing values"):
        r_prcomp(np.array([[1.0, np.nan], [2.0, 3.0]]))
    py = translate("PCs <- prcomp(P00, scale = TRUE)\nv <- PCs$sdev^2\n")
    assert "r_prcomp(x=P00, scale_=True)" in py and "# TODO(asr_py)" not in py


def test_help_and_view_are_comments_not_todos() -> None:
    py = translate("? ginv\n??asreml\nhelp(asreml)\nView(d)\nutils::View(d$x)\nx <- 1\n")
    assert "# TODO(asr_py)" not in py
    assert "# ? ginv: nothing to do in Python" in py and "# View(d): nothing" in py
    env: dict = {}
    exec(compile(py, "<help>", "exec"), env)
    assert env["x"] == 1


def test_fit_trace_is_the_iteration_history_on_asremls_scale() -> None:
    """``fit$trace`` (rtrace.py): one column an iteration, LogLik on asreml's scale (the full
    REML ℓ + ½(n − p) log 2π), the parameters as the varcomp table. Each column's LogLik is
    checked against an independent dense-V REML at that column's parameters (V = σ²_g ZZ' +
    σ²_e I), and the last column against the fit's loglik."""
    from _dense_reml import LOG2PI, indicator, reml_loglik

    import asr_py as asr
    from asr_py.translate.runtime import r_loglik, r_trace

    rng = np.random.default_rng(7)
    g = np.repeat([f"g{i}" for i in range(12)], 3)
    d = pd.DataFrame({"g": g, "y": rng.normal(size=36) + np.repeat(rng.normal(size=12), 3)})
    fit = asr.asreml(fixed="y ~ 1", random="~ g", data=d)
    tr = r_trace(fit)
    assert tr.index[0] == "LogLik" and list(tr.index[1:]) == list(fit.varcomp.index)
    assert list(tr.columns) == [str(k) for k in range(1, tr.shape[1] + 1)]
    assert tr.shape[1] >= 2
    assert np.isclose(tr.loc["LogLik"].iloc[-1], r_loglik(fit))
    y, X, Z = d["y"].to_numpy(), np.ones((36, 1)), indicator(d["g"])
    for col in tr.columns:
        sg, se = tr.loc["g", col], tr.loc["units!R", col]
        dense = reml_loglik(y, X, sg * Z @ Z.T + se * np.eye(36))
        assert np.isclose(tr.loc["LogLik", col], dense + 0.5 * 35 * LOG2PI, atol=1e-7)
    py = translate('m <- asreml(y ~ 1, random = ~ g, data = d)\n'
                   'll <- m$trace["LogLik", ]\n')
    assert "r_trace(m)" in py and "# TODO(asr_py)" not in py


def test_anova_of_an_asreml_fit_is_its_wald_table() -> None:
    """asreml 3's ``anova.asreml <- function(x, ...) UseMethod("wald")``: ``anova(m, denDF =
    "default")`` is ``wald(m, denDF = "default")`` (the ASReml-R short course's scripts call
    it). Run on a balanced RCBD with random blocks: the treatment's F equals the classical
    ANOVA's MS_trt / MS_error on (t − 1, (b − 1)(t − 1)) df (closed form)."""
    code = ('library(asreml)\nm <- asreml(y ~ trt, random = ~ blk, data = d)\n'
            'a <- anova(m, denDF = "default")\nw <- wald(m, denDF = "default")\n'
            'l <- lm(y ~ trt, data = d)\nal <- anova(l)\n')
    py = translate(code)
    lines = {ln.split(" = ", 1)[0]: ln.split(" = ", 1)[1] for ln in py.splitlines()
             if " = " in ln and not ln.startswith(("#", " "))}
    assert lines["a"] == lines["w"] and "r_anova(l)" in lines["al"]
    rng = np.random.default_rng(3)
    t, b = 4, 5
    d = pd.DataFrame({"trt": np.tile([f"T{i}" for i in range(t)], b),
                      "blk": np.repeat([f"B{j}" for j in range(b)], t)})
    d["y"] = (rng.normal(size=t)[np.tile(range(t), b)] + rng.normal(size=b)[
        np.repeat(range(b), t)] + rng.normal(scale=0.7, size=t * b))
    env: dict = {"d": d}
    exec(compile(py.replace("al = r_anova(l)", "pass"), "<anova>", "exec"), env)
    tab = env["a"]
    row = tab.loc["trt"]
    y = d["y"].to_numpy()
    m_t = d.groupby("trt")["y"].mean().to_numpy()
    m_b = d.groupby("blk")["y"].mean().to_numpy()
    ss_t = b * ((m_t - y.mean()) ** 2).sum()
    ss_b = t * ((m_b - y.mean()) ** 2).sum()
    ss_e = ((y - y.mean()) ** 2).sum() - ss_t - ss_b
    f_cl = (ss_t / (t - 1)) / (ss_e / ((b - 1) * (t - 1)))
    assert np.isclose(row["F.inc"], f_cl, rtol=1e-5)
    assert np.isclose(row["denDF"], (b - 1) * (t - 1), atol=0.05)


def test_fct_relevel_documented_examples() -> None:
    """forcats' ``?fct_relevel``: f <- factor(c("a", "b", "c", "d"), levels = c("b", "c",
    "d", "a")); fct_relevel(f, "a") is a b c d; fct_relevel(f, "b", "a") b a c d;
    fct_relevel(f, "a", after = 2) b c a d; after = Inf b c d a; an unknown level warns."""
    from asr_py.translate.runtime import r_factor, r_fct_relevel

    f = r_factor(list("abcd"), levels=["b", "c", "d", "a"])
    lv = lambda s: list(s.cat.categories)  # noqa: E731
    assert lv(r_fct_relevel(f, [])) == ["b", "c", "d", "a"]
    assert lv(r_fct_relevel(f, ["a"])) == ["a", "b", "c", "d"]
    assert lv(r_fct_relevel(f, ["b", "a"])) == ["b", "a", "c", "d"]
    assert lv(r_fct_relevel(f, ["a"], after=2)) == ["b", "c", "a", "d"]
    assert lv(r_fct_relevel(f, ["a"], after=float("inf"))) == ["b", "c", "d", "a"]
    with pytest.warns(UserWarning, match="unknown levels"):
        assert lv(r_fct_relevel(f, ["e"])) == ["b", "c", "d", "a"]
    assert list(r_fct_relevel(f, ["a"])) == list("abcd")           # values unchanged
    py = translate('library(forcats)\nobs <- data.frame(m = c("jul", "jun", "may", "aug"))\n'
                   'obs$m <- fct_relevel(obs$m, c("may", "jun"))\n')
    assert "r_fct_relevel(obs['m'], [['may', 'jun']])" in py and "# TODO(asr_py)" not in py
    env: dict = {}
    exec(compile(py, "<relevel>", "exec"), env)
    assert lv(env["obs"]["m"]) == ["may", "jun", "aug", "jul"]   # the rest sorted, as R's


def test_signif_documented_example() -> None:
    """R's ``?Round``: x2 <- pi * 100^(-1:3); signif(x2, 3) is 3.14e-02 3.14e+00 3.14e+02
    3.14e+04 3.14e+06."""
    from asr_py.translate.runtime import r_signif

    x2 = np.pi * 100.0 ** np.arange(-1, 4)
    assert np.allclose(r_signif(x2, 3), [0.0314, 3.14, 314, 31400, 3140000], rtol=1e-12)
    assert r_signif(123456, 2) == 120000 and r_signif(0.0012345, 3) == 0.00123
    assert r_signif(0.0, 2) == 0 and np.isnan(r_signif(float("nan"), 2))
    assert r_signif(2 / 3, 0) == 0.7                                  # digits < 1 is 1
    s = r_signif(pd.Series([1.2345, 98.765], index=["a", "b"]), 2)
    assert s.to_dict() == {"a": 1.2, "b": 99.0}
    assert "r_signif(x=h2, digits=2)" in translate("s <- signif(h2, 2)\n")


def test_mutate_if_with_extra_arguments_or_a_lambda() -> None:
    """dplyr's ``mutate_if(.tbl, .predicate, .funs, ...)``: ``...`` are "additional arguments
    for the function calls in .funs": mutate_if(d, is.numeric, round, 3) rounds every
    numeric column to 3 decimals, text columns untouched."""
    code = ('library(dplyr)\nd <- data.frame(g = c("b", "a"), x = c(1.23456, 2.34567), '
            'y = c(10.5, 11.25))\n'
            'a <- d |> mutate_if(is.numeric, round, 3)\n'
            'b <- d |> mutate_if(is.numeric, ~round(., 1))\n'
            'u <- mutate_if(d, is.character, ~toupper(.))\n')
    py = translate(code)
    assert "# TODO(asr_py)" not in py
    env: dict = {}
    exec(compile(py, "<mutate_if>", "exec"), env)
    assert env["a"]["x"].tolist() == [1.235, 2.346] and env["a"]["g"].tolist() == ["b", "a"]
    assert env["b"]["y"].tolist() == [10.5, 11.2]                   # R rounds half to even
    assert env["u"]["g"].tolist() == ["B", "A"] and env["u"]["x"].tolist() == [1.23456,
                                                                                2.34567]


def test_cbind_data_frame_is_data_frame_without_name_checks() -> None:
    """R's ``?cbind``: "The cbind data frame method is just a wrapper for data.frame(...,
    check.names = FALSE)"."""
    py = translate('g <- c("G1", "G2")\nv <- c(0.5, -0.5)\n'
                   'p <- cbind.data.frame(Genotype = g, `my blup` = v)\n')
    assert "# TODO(asr_py)" not in py
    env: dict = {}
    exec(compile(py, "<cbind>", "exec"), env)
    assert list(env["p"].columns) == ["Genotype", "my blup"]         # not my.blup
    assert env["p"]["my blup"].tolist() == [0.5, -0.5]


def test_acast_is_dcast_as_a_named_matrix() -> None:
    """reshape2's ``acast()``: dcast()'s cells as a matrix, rows named by the left-hand
    combinations (joined by "_"), columns by the right-hand ones; ``fun.aggregate`` of a
    cell's records (here their mean, by hand), NA for a combination with none."""
    code = ('library(reshape2)\n'
            'dat <- data.frame(site = c("A", "A", "B", "B", "B", "A"), yr = c(1, 2, 1, 1, 2, 1),'
            ' gen = c("g1", "g1", "g1", "g2", "g2", "g2"), y = c(1, 2, 3, 4, 6, 10))\n'
            'm <- acast(dat, site + yr ~ gen, value.var = "y", fun.aggregate = mean)\n'
            'n <- acast(dat, gen ~ site, value.var = "y")\n')
    py = translate(code)
    assert "# TODO(asr_py)" not in py
    env: dict = {}
    exec(compile(py, "<acast>", "exec"), env)
    m = env["m"]
    assert list(m.index) == ["A_1", "A_2", "B_1", "B_2"] and list(m.columns) == ["g1", "g2"]
    assert m.loc["A_1", "g1"] == 1 and m.loc["A_1", "g2"] == 10 and m.loc["B_1", "g2"] == 4
    assert np.isnan(m.loc["A_2", "g2"]) and m.loc["B_2", "g2"] == 6
    n = env["n"]                        # two records in g1/A, g2/B: R counts them (length)
    assert n.loc["g1", "A"] == 2 and n.loc["g2", "A"] == 1 and n.loc["g2", "B"] == 2


def test_arrange_by_computed_expressions() -> None:
    """dplyr's ``arrange(.data, ...)``: "Variables, or functions of variables" (``?arrange``);
    ``desc()`` sorts descending; the sort is stable. Row text "10" < "2" as text, 2 < 10 as
    numbers: as.numeric(row) orders numerically."""
    code = ('library(dplyr)\nd <- data.frame(trial = c("b", "a", "a", "a"), '
            'row = c("10", "2", "10", "1"), y = c(1, 2, 3, 4))\n'
            'o <- d |> arrange(trial, as.numeric(row))\no2 <- arrange(d, desc(y * 2))\n')
    py = translate(code)
    assert "# TODO(asr_py)" not in py
    env: dict = {}
    exec(compile(py, "<arrange>", "exec"), env)
    assert env["o"]["y"].tolist() == [4, 2, 3, 1] and list(env["o"].columns) == [
        "trial", "row", "y"]
    assert env["o2"]["y"].tolist() == [4, 3, 2, 1]


def test_assigning_a_row_past_the_end_grows_a_data_frame() -> None:
    """R's ``[<-.data.frame``: ``df[nrow(df) + 1, ] <- df[nrow(df), ]`` appends a row (the
    UIUC trial scripts' addRows() adds MEAN/SE/LSD rows so); a row further on leaves NA
    rows between; a matrix keeps R's "subscript out of bounds"."""
    code = ('df <- data.frame(g = c("a", "b"), y = c(1, 2))\n'
            'df[nrow(df) + 1, ] <- df[nrow(df), ]\ndf[nrow(df), 1] <- "MEAN"\n'
            'df[5, 2] <- 9\n')
    py = translate(code)
    env: dict = {}
    exec(compile(py, "<grow>", "exec"), env)
    d = env["df"]
    assert d["g"].tolist()[:3] == ["a", "b", "MEAN"] and d["y"].tolist()[:3] == [1, 2, 2]
    assert len(d) == 5 and pd.isna(d["g"].iloc[3]) and d["y"].iloc[4] == 9
    from asr_py.translate.runtime import r_ij_assign
    with pytest.raises(AsrError, match="beyond"):
        r_ij_assign(np.zeros((2, 2)), 3, 1, 1.0)


def test_growing_a_frame_whose_row_labels_repeat() -> None:
    """d[match(a, b), ] with repeated matches repeats row labels; appending a row still works
    (R makes the names unique; the values are what matter here)."""
    from asr_py.translate.runtime import r_ij, r_ij_assign

    d = pd.DataFrame({"g": ["a", "b"], "y": [1.0, 2.0]}, index=["r1", "r1"])
    d = r_ij_assign(d, 3, None, r_ij(d, 2, None))
    assert d["g"].tolist() == ["a", "b", "b"] and d["y"].tolist() == [1.0, 2.0, 2.0]
