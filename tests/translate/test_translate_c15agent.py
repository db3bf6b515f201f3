"""AGENTproject genebank notebooks (tenth pass E, tests/translate/corpus/SOURCES.md):
asreml 4's ``fit$mf`` (the model frame) and Bioconductor multtest's ``mt.rawp2adjp()``.

Expected values: the adjusted p-values from R's ``p.adjust`` definitions written here as
vectorised closed forms (cumulative max/min over the ordered p-values, ``?p.adjust``), plus a
four-value example worked by hand; the model frame from the data frame itself (the rows the
fit keeps under asreml's na.method rules, the columns the formulas name, in the data's order)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.errors import AsrError
from asr_py.translate.rmulttest import r_mt_rawp2adjp

# ----- mt.rawp2adjp ------------------------------------------------------------------------


def _p_adjust(p: np.ndarray, method: str) -> np.ndarray:
    """R's p.adjust(p, method) (stats 4.x definitions), no NA."""
    n = len(p)
    if method == "bonferroni":
        return np.minimum(1, n * p)
    i = np.arange(1, n + 1)
    if method == "holm":
        o = np.argsort(p, kind="stable")
        out = np.minimum(1, np.maximum.accumulate((n - i + 1) * p[o]))
    else:
        o = np.argsort(-p, kind="stable")
        i = i[::-1]
        q = np.sum(1 / np.arange(1, n + 1)) if method == "BY" else 1.0
        factor = {"hochberg": n - i + 1, "BH": n / i, "BY": q * n / i}[method]
        out = np.minimum(1, np.minimum.accumulate(factor * p[o]))
    res = np.empty(n)
    res[o] = out
    return res


def test_rawp2adjp_by_hand() -> None:
    # p = (.01, .04, .03, .005): ordered .005 .01 .03 .04 (index 4 1 3 2)
    # Holm: 4*.005 = .02, 3*.01 = .03, 2*.03 = .06, max(.06, .04) = .06
    # BH: min from the top of (.02, .02, .04, .04) -> .02 .02 .04 .04
    got = r_mt_rawp2adjp([0.01, 0.04, 0.03, 0.005], proc=["Holm", "BH"])
    assert list(got["index"]) == [4, 1, 3, 2]
    adjp = got["adjp"]
    assert list(adjp.columns) == ["rawp", "Holm", "BH"]
    np.testing.assert_allclose(adjp["rawp"], [0.005, 0.01, 0.03, 0.04])
    np.testing.assert_allclose(adjp["Holm"], [0.02, 0.03, 0.06, 0.06])
    np.testing.assert_allclose(adjp["BH"], [0.02, 0.02, 0.04, 0.04])
    assert got["h0.ABH"] is None and got["h0.TSBH"] is None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rawp2adjp_matches_p_adjust(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(0, 0.02, 5), rng.uniform(0, 1, 25)])
    got = r_mt_rawp2adjp(p, proc=["Bonferroni", "Holm", "Hochberg", "BH", "BY", "SidakSS"])
    back = got["adjp"].iloc[np.argsort(got["index"])].reset_index(drop=True)  # original order
    np.testing.assert_allclose(back["rawp"], p)
    for proc, method in (("Bonferroni", "bonferroni"), ("Holm", "holm"),
                         ("Hochberg", "hochberg"), ("BH", "BH"), ("BY", "BY")):
        np.testing.assert_allclose(back[proc], _p_adjust(p, method), rtol=1e-12,
                                   err_msg=proc)
    np.testing.assert_allclose(back["SidakSS"], 1 - (1 - p) ** len(p))


def test_rawp2adjp_na_and_tsbh() -> None:
    p = np.array([0.001, np.nan, 0.02, 0.5, 0.004])
    got = r_mt_rawp2adjp(p, proc="BH", na_rm=True)
    assert list(got["index"]) == [1, 5, 3, 4, 2]            # NA last, as R's order()
    bh = got["adjp"]["BH"].to_numpy()
    np.testing.assert_allclose(bh[:4], _p_adjust(p[[0, 4, 2, 3]], "BH"))   # m = 4 present
    assert np.isnan(bh[4])
    ts = r_mt_rawp2adjp(p[[0, 2, 3, 4]], proc=["TSBH"], alpha=[0.05, 0.1])
    # BH: .004 .008 .02667 .5 -> below .05/1.05: 3 -> h0 = 1; below .1/1.1: 3 -> h0 = 1
    assert list(ts["adjp"].columns) == ["rawp", "TSBH_0.05", "TSBH_0.1"]
    np.testing.assert_allclose(ts["h0.TSBH"].to_numpy(), [1, 1])
    np.testing.assert_allclose(ts["adjp"]["TSBH_0.05"],
                               np.sort(_p_adjust(p[[0, 2, 3, 4]], "BH")) / 4)


def test_rawp2adjp_bad_input() -> None:
    with pytest.raises(AsrError, match="not a multtest procedure"):
        r_mt_rawp2adjp([0.1], proc="Bonf")
    with pytest.raises(AsrError, match="outside"):
        r_mt_rawp2adjp([1.5])


# ----- fit$mf and the notebook's make_BH_multtest() ------------------------------------------

def _genebank(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    camp = np.repeat([f"c{k}" for k in range(5)], 12)
    acc = np.tile([f"a{k}" for k in range(6)], 10)
    y = 100 + rng.normal(0, 3, 5)[np.repeat(range(5), 12)] + rng.normal(0, 2, 60)
    d = pd.DataFrame({"accenumb": acc, "campaign": camp, "days_to_heading": y,
                      "note": "x"})
    d.loc[[7, 30], "days_to_heading"] = np.nan
    return d


R_BH = '''
library(multtest)
library(asreml)
make_BH <- function(asreml_res){
  trait <- colnames(asreml_res$mf)[3]
  residual <- asreml_res$residuals
  MAD <- 1.4826*median(abs(residual-median(residual)))
  rawp <- 2 * (1 - pnorm(abs(residual/MAD)))
  test <- mt.rawp2adjp(rawp, proc=c("Holm"))
  result_df <- tibble(adjp=test[[1]][,1], bholm=test[[1]][,2], index=test[[2]]) |>
    arrange(index)
  return(list(trait = trait, df = as.data.frame(result_df), n = nrow(asreml_res$mf)))
}
d$accenumb <- factor(d$accenumb)
d$campaign <- factor(d$campaign)
fit <- asreml(fixed = days_to_heading ~ accenumb, random = ~ campaign,
              na.action = na.method(x="omit", y="omit"),
              residual = ~dsum(~id(units) | campaign), data = d)
out <- make_BH(fit)
mf <- fit$mf
'''


def test_fit_mf_and_make_bh_multtest() -> None:
    d = _genebank()
    env = run_r(R_BH, complete=True, d=d)
    fit, mf, out = env["fit"], env["mf"], env["out"]
    kept = d[d["days_to_heading"].notna()]
    # the data's column order, the column the model does not use left out, rows of the fit
    assert list(mf.columns) == ["accenumb", "campaign", "days_to_heading"]
    assert list(mf.index) == list(kept.index)
    np.testing.assert_allclose(mf["days_to_heading"], kept["days_to_heading"])
    assert out["trait"] == "days_to_heading" and out["n"] == len(kept)
    res = np.asarray(fit.residuals, dtype=float)
    mad = 1.4826 * np.median(np.abs(res - np.median(res)))
    from scipy.stats import norm
    rawp = 2 * (1 - norm.cdf(np.abs(res / mad)))
    df = out["df"]
    np.testing.assert_allclose(df["adjp"].to_numpy(), rawp)   # arranged back by index
    np.testing.assert_allclose(df["bholm"].to_numpy(), _p_adjust(rawp, "holm"))


def test_model_frame_na_include_keeps_missing_response_rows() -> None:
    import asr_py as asr

    d = _genebank()
    d.loc[11, "campaign"] = None
    with pytest.warns(Warning):
        fit = asr.asreml("days_to_heading ~ accenumb", random="~ campaign", data=d)
    mf = fit.model_frame()
    # y include (asreml's default): rows 7 and 30 (missing response) kept, row 11 dropped
    assert list(mf.index) == [i for i in d.index if i != 11]
    assert len(mf) == len(fit.residuals)
    assert list(mf.columns) == ["accenumb", "campaign", "days_to_heading"]


# ----- across(cols, ~ expr): purrr lambdas -------------------------------------------------

def test_across_purrr_lambda() -> None:
    d = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 4.0, 9.0], "g": ["x", "y", "z"]})
    env = run_r('v <- c("a", "b")\n'
                'd2 <- d %>% mutate(across(all_of(v), ~scale(.)[,1]))\n'
                'd3 <- d |> mutate(across(c(a, b), ~ .x * 2 + 1))\n', complete=True, d=d)
    d2, d3 = env["d2"], env["d3"]
    for c in ("a", "b"):           # scale(): (x - mean) / sd with n - 1
        x = d[c].to_numpy()
        np.testing.assert_allclose(d2[c], (x - x.mean()) / x.std(ddof=1))
        np.testing.assert_allclose(d3[c], 2 * x + 1)
    assert list(d2["g"]) == ["x", "y", "z"] and list(d3.columns) == ["a", "b", "g"]


# ----- x[cond]: a logical vector by position ------------------------------------------------

def test_vector_mask_by_position_not_row_label() -> None:
    # d's rows are 2, 3, 4 after the filter; d[, tr] has no row names, d$a keeps them:
    # R picks by position -> a = 3, 4 where t is not NA (t = NA, 3, 4)
    d = pd.DataFrame({"a": [1, 2, 3, 4], "t": [1.0, np.nan, 3.0, 4.0]})
    env = run_r('d <- d[d$a > 1, ]\ntr <- "t"\ny <- d$a[!is.na(d[, tr])]\n'
                'n <- mean(table(d$a[!is.na(d[, tr])]))\n', complete=True, d=d)
    assert list(np.asarray(env["y"])) == [3, 4]
    assert env["n"] == 1.0


def test_base_functions_after_source(tmp_path) -> None:
    # after source(): round()/mean() are base R (were looked up in the sourced file and
    # became placeholders); a function the sourced file defines is still found there
    (tmp_path / "f.r").write_text("twice <- function(x) 2 * x\n")
    import os
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        env = run_r('source("f.r")\nd <- data.frame(g = c("a", "b"), v = c(1.23456, 2.5))\n'
                    'q <- d |> mutate(across(-1, \\(x) round(x, 3)))\n'
                    'm <- mean(d$v)\nt2 <- twice(3)\n', complete=True)
    finally:
        os.chdir(old)
    np.testing.assert_allclose(env["q"]["v"], [1.235, 2.5])
    assert env["m"] == pytest.approx((1.23456 + 2.5) / 2) and env["t2"] == 6


def test_rename_with_lambda_and_function() -> None:
    d = pd.DataFrame({"genotype": ["a"], "BLUE": [2.0], "x": [1]})
    env = run_r('trait <- "ht"\nb <- d |> rename_with(~paste(trait, .x, sep="_"), 2)\n'
                'c <- rename_with(d, \\(n) paste0(n, "_1"), c(genotype, x))\n'
                'e <- d |> rename_with(toupper)\n', complete=True, d=d)
    assert list(env["b"].columns) == ["genotype", "ht_BLUE", "x"]
    assert list(env["c"].columns) == ["genotype_1", "BLUE", "x_1"]
    assert list(env["e"].columns) == ["GENOTYPE", "BLUE", "X"]


def test_tibble_of_scalars_in_a_function_is_one_row() -> None:
    # tibble(trait, h) of scalars: one row (was none: r_cbind's empty first frame set n = 0)
    env = run_r('f <- function(d) {\n trait <- "a"\n h <- 0.5\n return(tibble(trait, h))}\n'
                'q <- bind_rows(f(1), f(2))\n', complete=True)
    assert env["q"].to_dict("list") == {"trait": ["a", "a"], "h": [0.5, 0.5]}
