"""Held-out pass L (s18newL): the reshape package's ``cast()`` and ``melt()`` of its result
(rcast.py), reshape2's guess of a melt's id columns (runtime.r_melt), base R's ``append()``
(rappend.py) and ``droplevels.data.frame()``.

Expected values are R's documented semantics written out by hand:
- reshape 0.8 ``?cast``: "value: name of value column"; its default is the column named
  ``value``, else the last column; rows are the unique combinations of the row variables
  and columns the values of the column variable, sorted; "If the combination of variables
  you supply does not uniquely identify one row in the original data set, you will need to
  supply an aggregating function": without it ``length`` is used (with a message) and an
  empty cell is then ``length(numeric(0))`` = 0; otherwise an empty cell is NA.
- reshape's ``melt.cast_df``: the row variables, ``value`` and the column variables under
  their own names, NAs kept, the cells taken column by column.
- reshape2 ``?melt.data.frame``: "If you don't supply id.vars or measure.vars, melt will
  assume factor and character variables are id variables, and all others are measured."
- base ``?append``: ``append(x, values, after = length(x))``, "after: a subscript, after
  which the values are to be appended"; ``after = 0`` puts them first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py import translate
from asr_py.errors import AsrError
from asr_py.translate.rappend import r_append
from asr_py.translate.rcast import melt_cast, r_cast
from asr_py.translate.runtime import r_melt

_BLUES = """
d <- data.frame(name = c("b", "a", "a", "c", "c"),
                study = c("s1", "s1", "s1", "s2", "s2"),
                trait = c("yld", "yld", "ht", "yld", "ht"),
                predicted.value = c(3, 1, 2, 4, 5),
                standard.error = c(0.3, 0.1, 0.2, 0.4, 0.5))
"""


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"name": ["b", "a", "a", "c", "c"],
                         "study": ["s1", "s1", "s1", "s2", "s2"],
                         "trait": ["yld", "yld", "ht", "yld", "ht"],
                         "pv": [3.0, 1.0, 2.0, 4.0, 5.0]})


def test_cast_is_a_sorted_wide_table_with_na_for_a_missing_cell() -> None:
    wide = r_cast(_frame(), ["name", "study"], ["trait"], value="pv")
    assert list(wide.columns) == ["name", "study", "ht", "yld"]
    assert wide["name"].tolist() == ["a", "b", "c"]           # rows sorted
    assert wide["ht"].tolist()[0] == 2.0 and np.isnan(wide["ht"].tolist()[1])
    assert wide["yld"].tolist() == [1.0, 3.0, 4.0]


def test_cast_value_defaults_to_the_value_column_else_the_last() -> None:
    d = _frame().rename(columns={"pv": "value"})
    d["other"] = 9.0
    assert r_cast(d, ["name"], ["trait"])["yld"].tolist() == [1.0, 3.0, 4.0]
    assert r_cast(_frame(), ["name"], ["trait"])["ht"].tolist()[2] == 5.0   # last: pv


def test_cast_without_fun_counts_duplicates_and_fills_zero() -> None:
    # name ~ study: a has two records in s1 -> length() used, c has none in s1 -> 0
    counts = r_cast(_frame(), ["name"], ["study"], value="pv")
    assert counts["s1"].tolist() == [2, 1, 0] and counts["s2"].tolist() == [0, 0, 2]


def test_melt_of_cast_adds_the_missing_rows() -> None:
    wide = r_cast(_frame(), ["name", "study"], ["trait"], value="pv")
    long = r_melt(wide)
    assert list(long.columns) == ["name", "study", "value", "trait"]
    assert len(long) == 6                               # 3 rows x 2 traits, NA kept
    assert long["trait"].tolist() == ["ht"] * 3 + ["yld"] * 3   # column by column
    assert long["name"].tolist() == ["a", "b", "c"] * 2
    got = long.set_index(["name", "trait"])["value"]
    assert got[("a", "ht")] == 2.0 and np.isnan(got[("b", "ht")]) and got[("c", "yld")] == 4.0


def test_melt_of_a_reshaped_cast_result_is_an_ordinary_melt() -> None:
    wide = r_cast(_frame(), ["name", "study"], ["trait"], value="pv")
    assert melt_cast(wide[["name", "yld"]]) is None     # no longer in its cast shape
    long = r_melt(wide[["name", "yld"]])
    assert list(long.columns) == ["name", "variable", "value"]


def test_melt_guesses_discrete_columns_as_ids() -> None:
    d = pd.DataFrame({"g": ["x", "y"], "ok": [True, False], "a": [1.0, 2.0], "b": [3, 4]})
    long = r_melt(d)
    assert list(long.columns) == ["g", "ok", "variable", "value"]
    assert long["variable"].tolist() == ["a", "a", "b", "b"]
    assert long["value"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_cast_melt_weights_as_the_selection_scripts_use_them() -> None:
    # UIUC wheat pipelines: add rows for missing cells, weight 1/se^2, missing weight 0
    env = run_r(_BLUES + """
library(reshape)
a <- cast(d, name + study ~ trait, value = 'predicted.value')
b <- cast(d, name + study ~ trait, value = 'standard.error')
mta <- melt(a)
mtb <- melt(b)
wt <- 1/(mtb$value^2)
wt[which(is.na(wt))] <- 0
df <- data.frame(mta, wt)
wide <- cast(d, name ~ trait, value = 'predicted.value', fun.aggregate = 'mean')
""", complete=True)
    df = env["df"]
    assert list(df.columns) == ["name", "study", "value", "trait", "wt"]
    w = df.set_index(["name", "trait"])["wt"]
    assert w[("b", "ht")] == 0 and w[("a", "ht")] == pytest.approx(1 / 0.2 ** 2)
    assert w[("c", "yld")] == pytest.approx(1 / 0.4 ** 2)
    wide = env["wide"]
    assert wide["yld"].tolist() == [1.0, 3.0, 4.0] and np.isnan(wide["ht"].tolist()[1])


def test_cast_with_other_arguments_is_left_untranslated() -> None:
    py = translate("library(reshape)\nw <- cast(d, a ~ b, margins = TRUE)\n")
    assert "untranslated(" in py and "r_cast" not in py


def test_append_follows_r() -> None:
    assert r_append([1, 2, 3], [8, 9]) == [1, 2, 3, 8, 9]
    assert r_append([1, 2, 3], 8, after=1) == [1, 8, 2, 3]
    assert r_append([1, 2, 3], 8, after=0) == [8, 1, 2, 3]
    assert r_append([1, 2, 3], 8, after=7) == [1, 2, 3, 8]
    assert r_append(None, "a") == ["a"]                  # c() is NULL
    with pytest.raises(AsrError, match="negative"):
        r_append([1], 2, after=-1)


def test_append_grows_a_vector_in_a_loop() -> None:
    env = run_r("""
ppres <- c()
for (j in 1:3) {
  ppres <- append(ppres, j / 2)
}
nodata <- append(c("x", "z"), "y", after = 1)
""", complete=True)
    assert list(env["ppres"]) == [0.5, 1.0, 1.5]
    assert list(env["nodata"]) == ["x", "y", "z"]


def test_droplevels_data_frame_is_droplevels() -> None:
    py = translate("d <- data.frame(a = c(1, 2))\ne <- droplevels.data.frame(d)\n")
    assert "untranslated(" not in py


def test_rows_held_in_a_variable_then_one_column() -> None:
    # R: d[i, "col"] selects rows by names (character i), positions (numeric) or a mask
    # (logical), then drops to a vector; one cell is a value
    env = run_r("""
d <- data.frame(component = c(1.5, 2.5, 3.5), row.names = c("g", "units", "r"))
rn <- c("units", "g")
v <- d[rn, 'component']
w <- d[paste0("u", "nits"), 'component']
k <- d[which(d$component > 2), 'component']
big <- d$component > 2
m <- d[big, 'component']
""", complete=True)
    assert list(env["v"]) == [2.5, 1.5]
    assert env["w"] == 2.5
    assert list(env["k"]) == [2.5, 3.5]
    assert list(env["m"]) == [2.5, 3.5]


def test_formula_picked_from_a_vector_is_its_one_string() -> None:
    # R: formula.character parses one string; resids[k] is a length-1 character vector
    from asr_py.translate.rasformula import r_as_formula

    code = """
resids <- c('~ar1(col):ar1(row)', '~ar2(col):ar2(row)')
picked <- c()
for (k in 1:length(resids)) {
  picked <- append(picked, as.formula(resids[k]))
}
"""
    assert "r_as_formula(" in translate(code)
    env = run_r(code, complete=True)
    assert list(env["picked"]) == ["~ar1(col):ar1(row)", "~ar2(col):ar2(row)"]
    assert r_as_formula(env["resids"][1:2]) == "~ar2(col):ar2(row)"
    assert r_as_formula("y ~ x") == "y ~ x"
    with pytest.raises(AsrError, match="2 values"):
        r_as_formula(["y ~ a", "y ~ b"])


def test_vector_indexed_by_a_loop_position() -> None:
    # for (i in 1:length(u)) u[i]: the i-th element (the loop variable is one number)
    env = run_r("""
ustud <- unique(c("b", "a", "b", "c"))
got <- c()
for (i in 1:length(ustud)) {
  got <- append(got, ustud[i])
}
""", complete=True)
    assert list(env["got"]) == ["b", "a", "c"]


def test_merge_matches_a_number_key_to_a_factor_key_by_text() -> None:
    # R's merge.data.frame pastes the rbind of both sides' keys and matches the text, so
    # the complete row-column grid (numbers) finds the trial's plots (factor levels)
    env = run_r("""
plots <- data.frame(colNumber = as.factor(c("1", "2", "2")), rowNumber = c(1, 1, 2),
                    y = c(5, 6, 7))
colNumber <- c(1, 1, 2, 2)
rowNumber <- c(1, 2, 1, 2)
crdf <- data.frame(colNumber, rowNumber)
full <- merge(crdf, plots, all.x = TRUE)
""", complete=True)
    full = env["full"]
    assert len(full) == 4
    got = {(int(c), int(r)): y for c, r, y in zip(full["colNumber"], full["rowNumber"],
                                                  full["y"])}
    assert got[(1, 1)] == 5 and got[(2, 1)] == 6 and got[(2, 2)] == 7
    assert np.isnan(got[(1, 2)])                            # the empty plot: NA


def test_predict_ignore_names_an_at_term_as_asreml_does() -> None:
    # asreml labels at(site, "s1"):blk as at(site, s1):blk; scripts pass that spelling
    import asr_py as asr

    rng = np.random.default_rng(3)
    d = pd.DataFrame({"site": np.repeat(["s1", "s2"], 24),
                      "blk": np.tile(np.repeat(["b1", "b2", "b3", "b4"], 6), 2),
                      "g": np.tile([f"g{k}" for k in range(6)], 8)})
    d["y"] = rng.normal(size=len(d)) + (d["site"] == "s2") * 2.0
    fit = asr.asreml(fixed="y ~ site", random='~ g + at(site, "s1"):blk', data=d)
    quoted = fit.predict(classify="g", ignore=['at(site, "s1"):blk'])
    bare = fit.predict(classify="g", ignore=["at(site, s1):blk"])
    assert np.allclose(bare["predicted.value"], quoted["predicted.value"])
    with pytest.raises(AsrError, match="not a term"):
        fit.predict(classify="g", ignore=["at(site, s3):blk"])


def test_data_frame_rows_by_partial_name_as_r_pmatches_them() -> None:
    # R's `[.data.frame` pmatch()es character row subscripts: a unique prefix selects its
    # row (a varcomp row named by its start), a name matching no row gives NA
    env = run_r("""
vc <- data.frame(component = c(1.5, 2.5, 3.5), bound = c("P", "P", "P"),
                 row.names = c("g!trait_a:a", "g!trait_b:a", "units"))
rnm <- c("units", "g!trait_a", "g!trait")
x <- vc[rnm[c(2, 1)], 'component']
y <- vc[rnm[c(3, 1)], 'component']
""", complete=True)
    assert list(env["x"]) == [1.5, 3.5]
    y = list(env["y"])
    assert np.isnan(y[0]) and y[1] == 3.5           # "g!trait" is a prefix of two rows


def test_coefficients_is_coef() -> None:
    # stats: coefficients <- coef; the balanced one-way model's GLS intercept is the mean
    g = np.repeat([f"g{k}" for k in range(5)], 4)
    y = np.array([4.1, 5.0, 4.4, 4.8, 6.2, 5.9, 6.6, 6.1, 3.2, 3.9, 3.5, 3.0,
                  5.5, 5.1, 5.8, 5.3, 4.9, 4.2, 4.6, 4.4])
    env = run_r("""
m <- asreml(y ~ 1, random = ~ g, data = d)
a <- coefficients(m)$fixed
b <- coef(m)$fixed
""", complete=True, d=pd.DataFrame({"g": g, "y": y}))
    assert np.allclose(np.asarray(env["a"], dtype=float), np.asarray(env["b"], dtype=float))
    assert float(np.asarray(env["a"], dtype=float).ravel()[0]) == pytest.approx(y.mean(),
                                                                               rel=1e-6)


def test_na_in_is_whether_any_value_is_missing() -> None:
    # R: match() matches NA to NA, so NA %in% x is any(is.na(x)); one logical
    env = run_r("""
w <- data.frame(a = c(1, NA, 3), b = c("x", "y", "z"))
has <- c()
for (i in 1:2) {
  if (NA %in% w[, i]) has <- append(has, i)
}
none <- NA %in% c(1, 2)
""", complete=True)
    assert list(env["has"]) == [1]
    assert env["none"] is False


def test_level_structure_in_the_fixed_formula_is_its_factor() -> None:
    # ASReml-R reads us(trait):g in the fixed formula as trait:g (its recorded BLUEs of
    # smallgrains-uiuc/Wheat-Selection-Decisions-2022, Adv_Scb_21blues.csv, are reproduced
    # to 1e-5 by trait:g; see asr_py/formula/fixedvariance.py)
    import asr_py as asr

    assert str(asr.parse_model("cbind(a, b) ~ trait + us(trait):g").fixed) == \
        "cbind(a, b) ~ trait + trait:g"
    assert str(asr.parse_model("y ~ diag(site)").fixed) == "y ~ site"
    with pytest.raises(AsrError, match="variance structure"):
        asr.parse_model("y ~ ar1(row)")                  # not a level structure: an error
    with pytest.raises(AsrError, match="variance structure"):
        asr.parse_model("y ~ us(a, init = 1)")           # not one bare factor
    rng = np.random.default_rng(7)
    d = pd.DataFrame({"g": np.repeat([f"g{k}" for k in range(8)], 3),
                      "b": np.tile(["b1", "b2", "b3"], 8)})
    d["y1"] = rng.normal(size=24) + np.repeat(rng.normal(size=8), 3)
    d["y2"] = 0.5 * d["y1"] + rng.normal(size=24)
    kw = dict(random="~ at(trait):b", residual="~ id(units):us(trait)", data=d)
    a = asr.asreml(fixed="cbind(y1, y2) ~ trait + us(trait):g", **kw)
    b = asr.asreml(fixed="cbind(y1, y2) ~ trait + trait:g", **kw)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-8)
    pa = a.predict(classify="trait:g")
    pb = b.predict(classify="trait:g")
    assert np.allclose(pa["predicted.value"], pb["predicted.value"])
    assert np.allclose(pa["std.error"], pb["std.error"])


def test_column_assignment_by_a_position_held_in_a_loop_variable() -> None:
    # R: x[, i] <- v with i a number sets the i-th column (scale() centres it, NA kept);
    # with i holding a name it sets (or adds) that column
    env = run_r("""
w <- data.frame(name = c("a", "b", "c"), y = c(1, 2, 6), h = c(NA, 4, 8))
for (i in 2:ncol(w)) {
  w[, i] <- scale(w[, i], scale = FALSE)
}
k <- "z"
w[, k] <- 1
""", complete=True)
    w = env["w"]
    assert list(w.columns) == ["name", "y", "h", "z"]
    assert list(w["y"]) == [-2, -1, 3]
    assert np.isnan(w["h"][0]) and list(w["h"][1:]) == [-2, 2]
    assert list(w["z"]) == [1, 1, 1]


def test_melt_of_cast_with_reshape_arguments() -> None:
    # reshape 0.8: melt(data, id.vars, variable_name = "variable", na.rm = !preserve.na);
    # melt() of a cast result is melt.cast_df whatever the other arguments
    env = run_r(_BLUES + """
library(reshape)
q <- melt(cast(d, name + study ~ trait, value = 'predicted.value'),
          variable_name = 'trait', id.vars = c('name', 'study'), na.rm = FALSE)
r <- melt(cast(d, name + study ~ trait, value = 'predicted.value'), na.rm = TRUE)
""", complete=True)
    assert list(env["q"].columns) == ["name", "study", "value", "trait"]
    assert len(env["q"]) == 6 and env["q"]["value"].isna().sum() == 1
    assert len(env["r"]) == 5 and not env["r"]["value"].isna().any()


def test_rank_follows_r() -> None:
    # R: rank(c(10, 20, 10, NA, 5)) is 2.5 4 2.5 5 1 (NA last); ties.method and na.last
    from asr_py.translate.rrank import r_rank

    x = [10, 20, 10, None, 5]
    assert list(r_rank(x)) == [2.5, 4.0, 2.5, 5.0, 1.0]
    assert list(r_rank(x, ties_method="min")) == [2, 4, 2, 5, 1]
    assert list(r_rank(x, ties_method="max")) == [3, 4, 3, 5, 1]
    assert list(r_rank(x, ties_method="first")) == [2, 4, 3, 5, 1]
    assert list(r_rank(x, ties_method="last")) == [3, 4, 2, 5, 1]
    assert list(r_rank(x, na_last=False)) == [3.5, 5.0, 3.5, 1.0, 2.0]
    kept = r_rank(x, na_last="keep")
    assert np.isnan(kept[3]) and list(kept[[0, 1, 2, 4]]) == [2.5, 4.0, 2.5, 1.0]
    with pytest.raises(AsrError, match="random"):
        r_rank(x, ties_method="random")
    env = run_r("""
d <- data.frame(ix = c(3.2, 1.5, 4.8))
d2 <- data.frame(d, ranking = rank(-d$ix))
m <- rank(c(2, 2, 1), ties.method = 'min')
""", complete=True)
    assert list(env["d2"]["ranking"]) == [2, 3, 1]
    assert list(env["m"]) == [2, 2, 1]


def test_colnames_from_a_header_row_read_as_data(tmp_path, monkeypatch) -> None:
    # R: colnames(df) <- read.csv(f, skip = k, header = FALSE)[1, ]; a one-row data frame
    # is a list whose as.character() is its values (the UIUC trial export's header row)
    (tmp_path / "t.csv").write_text("title line\nname,FHB grain - %|CO:1,yield\n"
                                    "a,3,10\nb,-1,12\n")
    monkeypatch.chdir(tmp_path)
    env = run_r("""
headers <- read.csv('t.csv', skip = 1, header = F)[1, ]
df <- read.csv('t.csv', skip = 2, header = F)
colnames(df) <- headers
bad <- df[which(df$`FHB grain - %|CO:1` < 0), 'name']
""", complete=True)
    assert list(env["df"].columns) == ["name", "FHB grain - %|CO:1", "yield"]
    assert env["bad"] == "b"


def test_univariate_model_with_a_trait_column_reads_the_column() -> None:
    # long-format data (value ~ trait + ..., us(trait):name) with a univariate response:
    # asreml reads the data column 'trait', and so does asr_py (asr_py.model.trait_factor)
    import asr_py as asr

    d = pd.DataFrame({"trait": np.repeat(["h", "y"], 6), "value": np.arange(12.0)})
    p = asr.asreml(fixed="value ~ trait", data=d).predict(classify="trait")
    assert list(p["trait"]) == ["h", "y"]
    assert list(p["predicted.value"]) == pytest.approx([2.5, 8.5])   # the two means
