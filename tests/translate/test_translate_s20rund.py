"""Session 20 run D: asreml's R.param list of a start-values call edited and fitted again
(rparamlist.py), data.table's ``X[Y, on = , nomatch = ]`` (rdtjoin.py), R's ``x[[i, j]]``
(rlist.py) and the complete message of a residual with two records in one cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, indicator
from _fetched import fetched
from _translate_fixtures import run_r

import asr_py as asr
from asr_py.errors import AsrError, FormulaError
from asr_py.translate.rdtjoin import r_dt_join
from asr_py.translate.rlist import r_get2_ij
from asr_py.translate.rparamlist import r_param_list, r_params_table

LOG2PI = float(np.log(2 * np.pi))


def _two_stage_data(seed: int = 3) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Stage-II means: one record per (section s, genotype g); each section's 4 x 4 error
    variance matrix known (stage I's), as Buntaran2020's Two_Stage_Fully_Efficient.R."""
    rng = np.random.default_rng(seed)
    gens = ["g1", "g2", "g3", "g4"]
    rows, sig = [], {}
    for s in ("A", "B", "C"):
        L = rng.normal(size=(4, 4)) * 0.4 + np.eye(4)
        sig[s] = L @ L.T + 0.5 * np.eye(4)
        e = np.linalg.cholesky(sig[s]) @ rng.normal(size=4)
        for k, g in enumerate(gens):
            rows.append({"s": s, "g": g, "y": 10 + {"A": 0, "B": 1, "C": -1}[s]
                         + [0.8, -0.5, 0.3, -0.6][k] + e[k]})
    return pd.DataFrame(rows).astype({"s": "category", "g": "category"}), sig


def _named(sig: dict[str, np.ndarray], levels: list[str]) -> dict[str, pd.Series]:
    """Each section's variances named as asreml names them (the script's paste0)."""
    out = {}
    for s, S in sig.items():
        out[s] = pd.Series({f"s_{s}!g_{a}:{b}": S[i, j] for i, a in enumerate(levels)
                            for j, b in enumerate(levels)})
    return out


def _dense_optimum(d: pd.DataFrame, sig: dict[str, np.ndarray]) -> tuple[float, float]:
    """REML of σ²_g with V = σ²_g ZZ' + R, R = diag_s Σ_s fixed (numpy only)."""
    y = d["y"].to_numpy(float)
    X = np.column_stack([np.ones(len(d)), indicator(d["s"])[:, 1:]])
    Z = indicator(d["g"])
    R = np.zeros((len(d), len(d)))
    for s, S in sig.items():
        ix = np.nonzero((d["s"] == s).to_numpy())[0]
        R[np.ix_(ix, ix)] = S
    x, f = fit_dense(y, X, lambda t: t[0] * Z @ Z.T + R if t[0] >= 0 else None,
                     [np.array([0.5]), np.array([2.0])], [(0.0, None)])
    return float(x[0]), f


def test_r_param_list_names_sections_by_level_and_parameters_as_asreml() -> None:
    d, _ = _two_stage_data()
    sv = asr.asreml("y ~ s", random="~ g", residual="~ dsum(~ us(g) | s)", data=d,
                    start_values=True)
    rp = r_param_list(sv, residual=True)
    # asreml: R.param[[level]] of a dsum section, its us(g) parameters named
    # "<f>_<level>!g_<a>:<b>" (the names Two_Stage_Fully_Efficient.R builds to match them)
    assert list(rp) == ["A", "B", "C"]
    names = list(rp["A"]["g"]["initial"].index)
    assert len(names) == 10 and "s_A!g_g1:g1" in names and "s_A!g_g2:g1" in names
    gp = r_param_list(sv)
    assert list(gp) == ["g"] and list(gp["g"]) == ["variance"]


def test_edited_r_param_fixes_stage_one_variances_and_fits_the_rest() -> None:
    d, sig = _two_stage_data()
    levels = ["g1", "g2", "g3", "g4"]
    vals = _named(sig, levels)
    sv = asr.asreml("y ~ s", random="~ g", residual="~ dsum(~ us(g) | s)", data=d,
                    start_values=True)
    before = sv.copy()
    rp = r_param_list(sv, residual=True)
    for s in rp:
        nm = list(rp[s]["g"]["initial"].index)
        rp[s]["g"]["initial"] = vals[s][nm]               # a named vector, as the script's
        rp[s]["g"]["con"] = np.array(["F"] * len(nm), dtype=object)
    table = r_params_table(rp)
    pd.testing.assert_frame_equal(sv, before)             # the user's table is not changed
    assert set(table["Constraint"]) == {"F"} and len(table) == 30
    fit = asr.asreml("y ~ s", random="~ g", residual="~ dsum(~ us(g) | s)", data=d,
                     params=table)
    s2, ll = _dense_optimum(d, sig)
    assert fit.varcomp.loc["g", "component"] == pytest.approx(s2, rel=1e-4, abs=1e-6)
    assert fit.loglik == pytest.approx(ll, abs=1e-5)
    vc = fit.varcomp
    assert vc.loc["s_B!g!g_g3:g2", "component"] == pytest.approx(sig["B"][2, 1])


def test_translated_r_param_round_trip_runs_complete() -> None:
    d, sig = _two_stage_data()
    vals = _named(sig, ["g1", "g2", "g3", "g4"])
    r = ('sv <- asreml(y ~ s, random = ~ g, residual = ~ dsum(~ us(g) | s), data = d,\n'
         '             start.values = TRUE)\n'
         'rp <- sv$R.param\n'
         'for (i in levels(d$s)) {\n'
         '  nm <- names(rp[[i]]$g$initial)\n'
         '  rp[[i]]$g$initial <- vals[[i]][nm]\n'
         '  rp[[i]]$g$con <- rep("F", length(nm))\n'
         '}\n'
         'm <- asreml(y ~ s, random = ~ g, residual = ~ dsum(~ us(g) | s), data = d,\n'
         '            R.param = rp)\n')
    ns = run_r(r, d=d, vals=vals, complete=True)
    s2, ll = _dense_optimum(d, sig)
    assert ns["m"].varcomp.loc["g", "component"] == pytest.approx(s2, rel=1e-4, abs=1e-6)
    assert ns["m"].loglik == pytest.approx(ll, abs=1e-5)


def test_r_param_unknown_name_is_a_clear_error() -> None:
    d, _ = _two_stage_data()
    sv = asr.asreml("y ~ s", random="~ g", residual="~ dsum(~ us(g) | s)", data=d,
                    start_values=True)
    rp = r_param_list(sv, residual=True)
    rp["A"]["g"]["initial"] = pd.Series({"s_A!g_g9:g1": 1.0})
    with pytest.raises(AsrError, match="not parameters of the term"):
        r_params_table(rp)


def test_dt_join_inner_and_right() -> None:
    # data.table: X[Y, on = "k"] keeps Y's order, all matches of each Y row; X's columns
    # then Y's other columns (a clash prefixed "i."); nomatch = 0 drops Y rows without a match
    X = pd.DataFrame({"k": ["a", "b", "b", "c"], "v": [1, 2, 3, 4], "w": [9, 8, 7, 6]})
    Y = pd.DataFrame({"k": ["b", "z", "a"], "w": [0, 0, 1]})
    inner = r_dt_join(X, Y, on="k", nomatch=0)
    assert list(inner.columns) == ["k", "v", "w", "i.w"]
    assert inner["k"].tolist() == ["b", "b", "a"] and inner["v"].tolist() == [2, 3, 1]
    assert inner["i.w"].tolist() == [0, 0, 1]
    right = r_dt_join(X, Y, on="k")
    assert right["k"].tolist() == ["b", "b", "z", "a"] and np.isnan(right["v"].iloc[2])
    with pytest.raises(AsrError, match="X has no column 'q'"):
        r_dt_join(X, Y, on="q")


def test_dt_join_and_list_matrix_cell_translate() -> None:
    r = ('L <- matrix(data = list(), nrow = 2, ncol = 1, dimnames = list(c("p", "q"), "R"))\n'
         'L[["q", "R"]] <- data.frame(name = c("x", "y", "z"), value = c(1, 2, 3))\n'
         'K <- data.frame(name = c("z", "w", "x"))\n'
         'J <- L[["q", "R"]][K, on = "name", nomatch = 0]\n'
         'first <- L[[2, 1]]\n')
    ns = run_r(r, complete=True)
    assert ns["J"]["name"].tolist() == ["z", "x"] and ns["J"]["value"].tolist() == [3, 1]
    assert ns["first"]["value"].tolist() == [1, 2, 3]


def test_get2_ij_by_position_and_name() -> None:
    m = np.arange(6).reshape(2, 3)            # R: matrix(0:5, 2, byrow = TRUE)
    assert r_get2_ij(m, 2, 3) == 5
    d = pd.DataFrame({"a": [1, 2], "b": [3, 4]}, index=["r1", "r2"])
    assert r_get2_ij(d, "r2", "a") == 2 and r_get2_ij(d, 1, "b") == 3
    with pytest.raises(AsrError, match="no row named 'r9'"):
        r_get2_ij(d, "r9", "a")


def test_residual_cell_shared_names_section_and_cell() -> None:
    # ar1(row):ar1(col) gives every record one cell; two plots in one cell make R singular.
    # E2 has 5 records for its 2 x 2 grid (with exactly 4 they would fill it in sorted order,
    # with a warning: tests/model/test_residual_grid_by_order.py)
    d = pd.DataFrame({"env": ["E1"] * 4 + ["E2"] * 5,
                      "row": ["1", "1", "2", "2", "1", "1", "1", "2", "1"],
                      "col": ["1", "2", "1", "2", "1", "1", "1", "2", "1"],
                      "y": np.arange(9.0)})
    with pytest.raises(FormulaError) as exc:
        asr.asreml("y ~ env", residual="~ dsum(~ ar1(row):ar1(col) | env)", data=d)
    msg = str(exc.value).splitlines()[0]
    assert "in section env_E2" in msg and "4 at row=1, col=1" in msg
    assert "1 cells hold 4 of its 5 records" in msg


# ------------------------------------------------------------ mvngGrAd's movingGrid()
def test_moving_grid_means_and_adjustment_by_hand() -> None:
    from asr_py.translate.rmvnggrad import r_moving_grid

    # a 3 x 3 field, values 1..9 by row; the cross one cell each way, centre excluded
    rows = np.repeat([1, 2, 3], 3)
    cols = np.tile([1, 2, 3], 3)
    y = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9])
    y[8] = 10.0                                   # break the symmetry
    g = r_moving_grid(rows, cols, y, [1, 1, 1, 1], None, True)
    # centre (2, 2): its 4 neighbours 2, 4, 6, 8; corner (1, 1): 2 and 4
    assert g.movingMean[4] == pytest.approx((2 + 4 + 6 + 8) / 4)
    assert g.movingMean[0] == pytest.approx(3.0) and g.nValues[0] == 2
    b = np.polyfit(g.movingMean, y, 1)[0]          # lm(p ~ x)'s slope
    np.testing.assert_allclose(g.adjustedPhe, y - b * (g.movingMean - g.movingMean.mean()))
    # layer 1: the four diagonal cells; the centre of the field sees 1, 3, 7, 10
    d = r_moving_grid(rows, cols, y, [None, None, None, None], [1], True)
    assert d.movingMean[4] == pytest.approx((1 + 3 + 7 + 10) / 4) and d.maxValues == 4
    # an NA value is left out of its neighbours' means and gets no adjusted value
    y2 = y.copy()
    y2[1] = np.nan
    n = r_moving_grid(rows, cols, y2, [1, 1, 1, 1], None, True)
    assert n.movingMean[0] == pytest.approx(4.0) and np.isnan(n.adjustedPhe[1])


def test_moving_grid_bad_input_says_what_is_wrong() -> None:
    from asr_py.translate.rmvnggrad import r_moving_grid

    with pytest.raises(AsrError, match="two entries in row 1, column 1"):
        r_moving_grid([1, 1, 2], [1, 1, 2], [1.0, 2.0, 3.0], [1, 1, 1, 1])
    with pytest.raises(AsrError, match="not 4"):
        r_moving_grid([1, 2], [1, 2], [1.0, 2.0], [1, 1])
    with pytest.raises(AsrError, match="distinct positive whole numbers"):
        r_moving_grid([1, 2], [1, 2], [1.0, 2.0], [0, 1, 1, 1])


#: crWerner/fieldsimr 7335473 code-papers/FieldSimR_frontiers/pheno_df.RData (tests/data)


@pytest.mark.parametrize(("layers", "residual", "deviance", "tol"), [
    (None, "~ idv(col):id(row)", -103.76, 0.03),     # Model 6
    (1, "~ idv(units)", -94.22, 0.01),                # Model 7
])
def test_moving_grid_reproduces_fieldsimr_s11_recorded_fits(layers, residual, deviance,
                                                            tol) -> None:
    """SupplementaryScriptS11.R (Werner, Gemenet & Tolhurst 2024) records asreml's residual
    deviance of its models 6 and 7, fitted to movingGrid()'s adjusted phenotypes (the
    vignette's cross: one cell up and down, four left and right; model 7 adds layer 1)."""
    from asr_py.translate.rmvnggrad import r_moving_grid
    from asr_py.translate.runtime import load_rdata

    pheno = load_rdata(str(fetched("fieldsimr_s11_pheno_df.RData")))["pheno_df"]
    df = pheno[pheno["env"].astype(str).str.strip() == "1"].copy()
    for c in ("block", "col", "row", "id"):
        df[c] = df[c].astype(str).str.strip().astype(int)
    adj = r_moving_grid(df["row"], df["col"], df["y.Trait1"],
                        {"down": 1, "up": 1, "left": range(1, 5), "right": range(1, 5)},
                        layers, True)
    df["y.adj"] = adj.adjustedPhe
    for c in ("block", "col", "row", "id"):
        df[c] = pd.Categorical(df[c])
    fit = asr.asreml("y.adj ~ 1", random="~ id + block", residual=residual, data=df)
    # asreml's loglik leaves out the constant -(n - p)/2 log 2π (n = 200, p = 1)
    asreml_loglik = fit.loglik + 0.5 * (200 - 1) * np.log(2 * np.pi)
    assert -2 * asreml_loglik == pytest.approx(deviance, abs=tol)


# ------------------------------------------------------------ dplyr: coalesce, across()
def test_coalesce_takes_the_first_present_value() -> None:
    from asr_py.translate.rcoalesce import r_coalesce

    # dplyr: coalesce(c(1, NA, NA), c(5, 6, NA), 0) is 1 6 0
    got = r_coalesce(pd.Series([1.0, np.nan, np.nan]), np.array([5.0, 6.0, np.nan]), 0)
    assert got.tolist() == [1.0, 6.0, 0.0]
    with pytest.raises(AsrError, match="argument 2 has 2 values, not 3"):
        r_coalesce(pd.Series([1.0, np.nan, np.nan]), [1.0, 2.0])


def test_across_with_cur_column_get_and_glue_names() -> None:
    # the C_inv proof script's idiom: fill each x column's gaps from its y twin, the result
    # named by the glue spec (dplyr: new columns after the others)
    d = pd.DataFrame({"a.xtab": [1.0, np.nan, 3.0], "a.ytab": [9.0, 8.0, 7.0],
                      "b.xtab": [np.nan, np.nan, 1.0], "b.ytab": [5.0, 6.0, 7.0]})
    r = ('p <- d %>% mutate(across(ends_with(".xtab"), .fns = ~ coalesce(., '
         'get(sub(".xtab", ".ytab", cur_column()))), .names = "{sub(\'.xtab\', \'\', .col)}"))\n'
         'q <- mutate(d, across(c(a.ytab, b.ytab), ~ . * 2, .names = "{.col}_x2"))\n')
    ns = run_r(r, d=d, complete=True)
    p, q = ns["p"], ns["q"]
    assert list(p.columns) == [*d.columns, "a", "b"]
    assert p["a"].tolist() == [1.0, 8.0, 3.0] and p["b"].tolist() == [5.0, 6.0, 1.0]
    assert list(q.columns)[-2:] == ["a.ytab_x2", "b.ytab_x2"]
    assert q["b.ytab_x2"].tolist() == [10.0, 12.0, 14.0]
    pd.testing.assert_frame_equal(d, ns["d"])              # the user's data is not changed
    from asr_py.translate.rcoalesce import r_cur_column
    with pytest.raises(AsrError, match="inside across"):
        r_cur_column()


def test_summarise_across_per_group() -> None:
    # dplyr: summarise(across(-Y, ~ mean(., na.rm = TRUE))) of data grouped by L: one
    # summary per column but the grouping one, named as the column (or by .names)
    d = pd.DataFrame({"L": ["x", "x", "y"], "Y": [1, 2, 3], "a": [1.0, np.nan, 3.0],
                      "b": [4.0, 5.0, 6.0]})
    r = ("p <- d %>% group_by(L) %>% summarise(across(-Y, ~mean(., na.rm = T)))\n"
         "q <- d %>% group_by(L) %>% summarise(n = n(), across(c(a, b), ~max(.), "
         '.names = "max_{.col}"))\n')
    ns = run_r(r, d=d, complete=True)
    p, q = ns["p"], ns["q"]
    assert list(p.columns) == ["L", "a", "b"]
    assert p["a"].tolist() == [1.0, 3.0] and p["b"].tolist() == [4.5, 6.0]
    assert list(q.columns) == ["L", "n", "max_a", "max_b"]
    assert np.isnan(q["max_a"].iloc[0]) and q["max_b"].tolist() == [5.0, 6.0]   # R: max(NA)


def test_break_call_and_fit_alias_in_a_loop() -> None:
    # R: break() and next() are break and next; h1 <- mod1 in a loop makes h1 a fit, read
    # (h1$loglik) before that line on the next pass (the C_inv proof's convergence loop)
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"g": np.repeat(["a", "b", "c", "d"], 3), "y": rng.normal(size=12)})
    r = ("mod1 <- asreml(y ~ 1, random = ~ g, data = d)\n"
         "k <- 0\n"
         "while (TRUE) {\n"
         "  k <- k + 1\n"
         "  if (k > 5) break()\n"
         "  if (exists('h1') && h1$loglik == mod1$loglik) {\n"
         "    break()\n"
         "  }\n"
         "  h1 <- mod1\n"
         "}\n"
         "s <- 0\n"
         "for (i in 1:4) {\n"
         "  if (i == 2) next()\n"
         "  s <- s + i\n"
         "}\n")
    ns = run_r(r, d=d, complete=True)
    assert ns["k"] == 2 and ns["s"] == 1 + 3 + 4


def test_data_frame_of_matrices_names_their_columns_as_r() -> None:
    # R: data.frame(z1 = matrix(2, 3, 1), m = matrix(0:5, 3, byrow = TRUE)) has columns
    # z1, m.1, m.2 (a one-column matrix is one column; several are numbered)
    from asr_py.translate.rbase import r_data_frame

    d = r_data_frame({"z1": np.full((3, 1), 2.0), "m": np.arange(6).reshape(3, 2)})
    assert list(d.columns) == ["z1", "m.1", "m.2"]
    assert d["z1"].tolist() == [2.0, 2.0, 2.0] and d["m.2"].tolist() == [1, 3, 5]
