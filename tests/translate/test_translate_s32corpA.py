"""Session 32, corpus scripts (owners A-L) that failed when run as translated: one test per
cause, each on a snippet written here, the expected values by closed form.

- R's lazy data (``?data``: "Data sets in attached packages with LazyData are available by
  name"): a never-defined name a pipe starts from (``besag.met |> mutate(...)``) is that
  data set, read as ``data(name)`` would be (a file next to the script), or a clear error
  naming it - not Python's NameError.
- ``?formula``: "variables in the formula may be any syntactic name", and a call such as
  ``log(Petal.Width)`` is evaluated with the data's columns in scope; a dotted column name
  inside a call is the column, not Python's attribute access (lm/aov/model.matrix).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r


def test_lm_log_of_a_dotted_column_is_that_column() -> None:
    # lm(log(y) ~ group): coefficients are the group means of log(y) (treatment contrasts)
    r = ('d <- data.frame(Petal.Width = c(0.2, 0.4, 1.3, 1.5, 2.1, 2.3),\n'
         '                Sp.grp = factor(rep(c("a", "b", "c"), each = 2)),\n'
         '                x.cov = c(1, 2, 3, 4, 5, 7))\n'
         'm <- aov(log(Petal.Width) ~ Sp.grp, data = d)\n'
         'b <- coef(m)\n'
         'X <- model.matrix(~ factor(Sp.grp):I(x.cov^2), data = d)\n')
    ns = run_r(r, complete=True)
    ly = np.log([0.2, 0.4, 1.3, 1.5, 2.1, 2.3]).reshape(3, 2).mean(axis=1)
    b = pd.Series(ns["b"])
    assert b["(Intercept)"] == pytest.approx(ly[0])
    assert b["Sp.grpb"] == pytest.approx(ly[1] - ly[0])
    assert b["Sp.grpc"] == pytest.approx(ly[2] - ly[0])
    x = ns["X"]                                       # R's names, no backticks
    assert list(x.columns) == ["(Intercept)", "factor(Sp.grp)a:I(x.cov^2)",
                               "factor(Sp.grp)b:I(x.cov^2)", "factor(Sp.grp)c:I(x.cov^2)"]
    assert x["factor(Sp.grp)c:I(x.cov^2)"].tolist() == [0, 0, 0, 0, 25, 49]   # power, not xor


def test_lm_power_inside_a_call_is_the_power_and_crossing_outside() -> None:
    # anova of lm(y ~ x + I(x^2)): sequential SS; closed form by projections
    r = ('d <- data.frame(y = c(0.2, 0.4, 1.3, 1.5, 2.1, 2.3), x = c(1, 2, 3, 4, 5, 7),\n'
         '                a = factor(c(1, 1, 2, 2, 1, 2)), b = factor(c(1, 2, 1, 2, 1, 2)))\n'
         'm <- lm(y ~ x + I(x^2), data = d)\n'
         'tab <- anova(m)\n'
         'X2 <- model.matrix(~ (a + b)^2, data = d)\n')
    ns = run_r(r, complete=True)
    y = np.array([0.2, 0.4, 1.3, 1.5, 2.1, 2.3])
    x = np.array([1.0, 2, 3, 4, 5, 7])

    def rss(*cols: np.ndarray) -> float:
        a = np.column_stack([np.ones(6), *cols])
        return float(np.sum((y - a @ np.linalg.lstsq(a, y, rcond=None)[0]) ** 2))
    ss = ns["tab"]["Sum Sq"].to_numpy()
    assert ss[0] == pytest.approx(rss() - rss(x))
    assert ss[1] == pytest.approx(rss(x) - rss(x, x ** 2))
    assert list(ns["tab"].index)[:2] == ["x", "I(x^2)"]
    assert list(ns["X2"].columns) == ["(Intercept)", "a2", "b2", "a2:b2"]


# biometryassist ?pairwise_comparisons: "contrasts: An optional named list of general linear
# contrasts to test"; "The contrast variance is c' V c"; estimate c' tau, t on the model's
# df, p adjusted within the group's family; a level absent from a `by` group skips that
# contrast there with a warning; coefficients not summing to zero warn.
_PW = ('d <- data.frame(y = c(4.1, 5.0, 4.6, 6.2, 5.9, 6.8, 7.7, 8.1, 7.0, 7.5),\n'
       '                g = factor(c("a", "a", "a", "b", "b", "b", "c", "c", "c", "c")))\n'
       'm <- aov(y ~ g, data = d)\n')


def _oneway() -> tuple[np.ndarray, np.ndarray, float, int]:
    y = np.array([4.1, 5.0, 4.6, 6.2, 5.9, 6.8, 7.7, 8.1, 7.0, 7.5])
    grp = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    n = np.bincount(grp)
    mu = np.bincount(grp, y) / n
    s2 = float(np.sum((y - mu[grp]) ** 2) / (10 - 3))
    return mu, n, s2, 7


def test_pairwise_comparisons_general_contrast_by_closed_form() -> None:
    from scipy import stats

    r = _PW + ('ct <- pairwise_comparisons(m, classify = "g", adjust = "none",\n'
               '  contrasts = list("a vs rest" = c(a = 1, b = -0.5, c = -0.5),\n'
               '                   "b vs c" = c(b = 1, c = -1)))\n'
               'pc <- pairwise_comparisons(m, classify = "g", pairs = "b - c", adjust = "none")\n')
    ns = run_r(r, complete=True)
    ct, pc = ns["ct"], ns["pc"]
    mu, n, s2, df = _oneway()
    c = np.array([1, -0.5, -0.5])
    est, se = c @ mu, np.sqrt(s2 * np.sum(c ** 2 / n))
    assert list(ct.columns) == ["comparison", "estimate", "std.error", "statistic", "df",
                                "p.value", "conf.low", "conf.high"]
    assert ct["comparison"].tolist() == ["a vs rest", "b vs c"]
    assert ct["estimate"].iloc[0] == pytest.approx(est)
    assert ct["std.error"].iloc[0] == pytest.approx(se)
    assert ct["df"].iloc[0] == pytest.approx(df)
    assert ct["p.value"].iloc[0] == pytest.approx(2 * stats.t.sf(abs(est / se), df))
    assert ct["conf.low"].iloc[0] == pytest.approx(est - stats.t.isf(0.025, df) * se)
    for col in ("estimate", "std.error", "p.value"):      # a two-level contrast is the pair
        assert ct[col].iloc[1] == pytest.approx(pc[col].iloc[0])
    assert ct.attrs["comparison_type"] == "contrasts" and pc.attrs["comparison_type"] == "pairs"


def test_pairwise_comparisons_contrasts_holm_within_by_groups_and_checks() -> None:
    r = ('d <- expand.grid(t = factor(c("A", "B", "C")), s = factor(c("X", "Y")), rep = 1:3)\n'
         'd$y <- c(1.2, 2.3, 3.1, 5.2, 6.1, 7.4, 1.0, 2.6, 2.9, 5.5, 6.4, 7.1,\n'
         '         1.4, 2.1, 3.3, 5.0, 6.0, 7.6)\n'
         'm <- aov(y ~ t * s, data = d)\n'
         'out <- pairwise_comparisons(m, classify = "t:s", by = "s",\n'
         '  contrasts = list("A vs B&C" = c(A = 1, B = -0.5, C = -0.5),\n'
         '                   "B vs C" = c(B = 1, C = -1)))\n')
    ns = run_r(r, complete=True)
    out = ns["out"]
    assert list(out.columns)[:2] == ["s", "comparison"]
    assert out["s"].astype(str).tolist() == ["X", "X", "Y", "Y"]
    y = np.array([1.2, 2.3, 3.1, 5.2, 6.1, 7.4, 1.0, 2.6, 2.9, 5.5, 6.4, 7.1,
                  1.4, 2.1, 3.3, 5.0, 6.0, 7.6]).reshape(3, 2, 3)   # rep, s, t
    cell = y.mean(axis=0)
    assert out["estimate"].iloc[2] == pytest.approx(cell[1, 0] - cell[1, 1:].mean())
    # holm over the group's 2 contrasts: the smaller raw p doubled
    from scipy import stats
    s2 = float(np.sum((y - cell) ** 2) / (18 - 6))
    se = np.sqrt(s2 / 3 * np.array([1.5, 2.0]))
    est = np.array([cell[0, 0] - cell[0, 1:].mean(), cell[0, 1] - cell[0, 2]])
    p = 2 * stats.t.sf(np.abs(est / se), 12)
    lo = int(np.argmin(p))
    assert out["p.value"].iloc[lo] == pytest.approx(min(1.0, 2 * p[lo]))
    with pytest.raises(Exception, match="Unknown level"):
        run_r(_PW + 'pairwise_comparisons(m, classify = "g",\n'
              '  contrasts = list(x = c(a = 1, z = -1)))\n')
    with pytest.raises(Exception, match="only one of"):
        run_r(_PW + 'pairwise_comparisons(m, classify = "g", pairs = "a - b",\n'
              '  contrasts = list(x = c(a = 1, b = -1)))\n')
    with pytest.warns(UserWarning, match="sum to zero"):
        run_r(_PW + 'o <- pairwise_comparisons(m, classify = "g",\n'
              '  contrasts = list(x = c(a = 1, b = 1)))\n')


def test_pairwise_comparisons_pairs_distinct_deduplicated_and_skipped_per_group() -> None:
    # ?pairwise_comparisons: a pair names two distinct levels; "Duplicate or reversed"
    # pairs are removed with a warning; a pair absent from a `by` group is skipped there
    with pytest.raises(Exception, match="two distinct levels"):
        run_r(_PW + 'pairwise_comparisons(m, classify = "g", pairs = "a-a")\n')
    with pytest.warns(UserWarning, match="Duplicate or reversed"):
        ns = run_r(_PW + 'o <- pairwise_comparisons(m, classify = "g",\n'
                   '  pairs = c("a-b", "b-a", "a-c"))\n')
    assert ns["o"]["comparison"].tolist() == ["a - b", "a - c"]
    r = ('d <- expand.grid(t = factor(c("A", "B", "C")), s = factor(c("X", "Y")), rep = 1:2)\n'
         'd <- d[!(d$t == "C" & d$s == "Y"), ]\n'
         'd$y <- c(1.1, 2.3, 3.2, 2.0, 3.1, 1.3, 2.2, 3.0, 2.4, 3.3)\n'
         'm <- aov(y ~ t * s, data = d)\n'
         'o <- pairwise_comparisons(m, classify = "t:s", by = "s", pairs = "A-C")\n')
    with pytest.warns(UserWarning, match="skipped comparison"):
        ns = run_r(r)
    o = ns["o"]
    assert o["s"].astype(str).tolist() == ["X"] and o["comparison"].tolist() == ["A - C"]
    assert o["estimate"].iloc[0] == pytest.approx((1.1 + 1.3) / 2 - (3.2 + 3.0) / 2)  # A:X - C:X


def test_pairwise_comparisons_of_an_lmer_fit_balanced_rcbd_closed_form() -> None:
    # balanced RCBD, y ~ trt + (1 | block): a treatment difference has se sqrt(2 MSE / b)
    # and Kenward-Roger df (b - 1)(t - 1), the intra-block ANOVA's (MSE its residual MS
    # when the block variance is positive)
    from scipy import stats

    y = np.array([[5.1, 6.3, 7.2], [4.2, 5.8, 6.1], [6.0, 6.9, 8.4], [5.5, 5.9, 7.7]])
    r = ('d <- expand.grid(trt = factor(c("A", "B", "C")), block = factor(1:4))\n'
         'd$y <- c(' + ", ".join(str(v) for v in y.ravel()) + ')\n'
         'm <- lme4::lmer(y ~ trt + (1 | block), data = d)\n'
         'o <- pairwise_comparisons(m, classify = "trt", adjust = "none")\n'
         'ct <- pairwise_comparisons(m, classify = "trt", adjust = "none",\n'
         '  contrasts = list(x = c(A = 1, B = -0.5, C = -0.5)))\n')
    ns = run_r(r, complete=True)
    o, ct = ns["o"], ns["ct"]
    b, t = y.shape
    res = y - y.mean(axis=1, keepdims=True) - y.mean(axis=0) + y.mean()
    mse = float(np.sum(res ** 2) / ((b - 1) * (t - 1)))
    mu = y.mean(axis=0)
    assert o["comparison"].tolist() == ["A - B", "A - C", "B - C"]
    assert o["estimate"].to_numpy() == pytest.approx([mu[0] - mu[1], mu[0] - mu[2],
                                                      mu[1] - mu[2]])
    assert o["std.error"].to_numpy() == pytest.approx(np.full(3, np.sqrt(2 * mse / b)),
                                                      rel=1e-4)
    assert o["df"].to_numpy() == pytest.approx(np.full(3, 6.0), rel=1e-4)
    se_c = np.sqrt(mse * 1.5 / b)
    est_c = mu[0] - mu[1:].mean()
    assert ct["std.error"].iloc[0] == pytest.approx(se_c, rel=1e-4)
    assert ct["df"].iloc[0] == pytest.approx(6.0, rel=1e-4)
    assert ct["p.value"].iloc[0] == pytest.approx(2 * stats.t.sf(abs(est_c / se_c), 6),
                                                  rel=1e-3)


def test_pipe_from_a_lazy_data_set_reads_it_or_says_which(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = ('library(agridat)\nlibrary(dplyr)\n'
         'd2 <- trial.dat %>% filter(x > 1)\n'
         'm <- lm(y ~ z, data = trial.dat |> mutate(z = 2 * x))\n')
    with pytest.raises(Exception, match=r"data\(trial\.dat\): no file trial\.dat\.csv"):
        run_r(r)
    (tmp_path / "trial.dat.csv").write_text("x,y\n1,2.0\n2,3.1\n3,3.9\n4,5.2\n")
    ns = run_r(r, complete=True)
    assert ns["d2"]["x"].tolist() == [2, 3, 4]
    b = pd.Series(ns["m"]["coefficients"])
    x, y = np.array([1.0, 2, 3, 4]), np.array([2.0, 3.1, 3.9, 5.2])
    slope = np.polyfit(2 * x, y, 1)[0]
    assert b["z"] == pytest.approx(slope)


def test_pipe_head_left_alone_when_load_may_bind_it() -> None:
    from asr_py import translate

    py = translate('library(agridat)\nload("x.RData")\nd2 <- pheno %>% filter(x > 1)\n')
    assert "r_lazy" not in py


def test_unreadable_rds_is_a_placeholder_and_unreadable_rdata_a_clear_error(
        tmp_path, monkeypatch) -> None:
    # a saved asreml fit (BiometryTraining's complex_model.rds) holds R_UnboundValue, which
    # the rdata parser refuses ("252 is not a valid RObjectType"): readRDS gives a value
    # that stops the script clearly when used; load() says which file and why
    from asr_py.errors import AsrError
    from asr_py.translate import rds, runtime
    from asr_py.translate.checks import Untranslated

    class _NoFrames:
        @staticmethod
        def read_r(path: str) -> dict:
            return {}

    def refuse(path: str, is_rds: bool) -> None:
        raise ValueError("252 is not a valid RObjectType")

    monkeypatch.setattr(runtime, "_pyreadr", lambda: _NoFrames)
    monkeypatch.setattr(rds, "available", lambda: True)
    monkeypatch.setattr(rds, "read", refuse)
    f = tmp_path / "fit.rds"
    f.write_bytes(b"X\n" + bytes(200))
    got = runtime.read_rds(str(f))
    assert isinstance(got, Untranslated) and "252 is not a valid RObjectType" in got.what
    g = tmp_path / "fit.RData"
    g.write_bytes(b"RDX3\n" + bytes(200))
    with pytest.raises(AsrError, match="cannot read .*fit.RData.*no Python counterpart"):
        runtime.load_rdata(str(g))
