"""aov() with and without Error() strata and summary() of it (stats::aov, summary.aov,
summary.aovlist) in translated scripts: the asremlPlus testthat files fit
``aov(Loss ~ Nozzle * Pressure * Speed + Error(Test))`` and
``aov(logitP ~ Host*Cadavers*Ladybird + Error(Run/Plant))`` beside asreml, biometryassist's
``aov(yield ~ Variety * Nitrogen + Error(Blocks / Wplots))``.

Independent sources: the published ANOVA tables of R's npk example (MASS::npk help page,
Venables & Ripley 2002) and of Yates' (1935) oats split plot (Venables & Ripley, MASS 4th
ed. section 6.7; Yates 1937 table), closed forms for confounded contrasts, and the
intra-block identity (a term's Within-stratum SS = its SS after the whole-plot factors
fitted as fixed in an ordinary lm)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.errors import AsrError
from asr_py.translate.raov import RAovList, r_aov
from asr_py.translate.runtime import r_anova, r_lm

_DATA = Path(__file__).resolve().parents[1] / "data"

#: R's datasets::npk (Venables & Ripley p. 165): 6 blocks of 4 plots, a half 2^3
#: factorial in each, N:P:K confounded with blocks
_N = [0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0]
_P = [1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0]
_K = [1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0]
_Y = [49.5, 62.8, 46.8, 57.0, 59.8, 58.5, 55.5, 56.0, 62.8, 55.8, 69.5, 55.0, 62.0, 48.8,
      45.5, 44.2, 52.0, 51.5, 49.8, 48.8, 57.2, 59.0, 53.2, 56.0]


def _npk() -> pd.DataFrame:
    f = lambda v: pd.Categorical([str(x) for x in v])  # noqa: E731
    return pd.DataFrame({"block": f([i // 4 + 1 for i in range(24)]), "N": f(_N),
                         "P": f(_P), "K": f(_K), "yld": _Y})


def _oats() -> pd.DataFrame:
    """Yates' oats (sommer's DT_yatesoats: B blocks, V varieties on whole plots, N
    nitrogen on subplots, Y yield)."""
    d = pd.read_csv(_DATA / "DT_yatesoats.csv")
    for c in ("B", "V", "N"):
        d[c] = pd.Categorical(d[c].astype(str))
    return d


def _table(summary: dict | list, key: str) -> pd.DataFrame:
    t = (summary[0] if key == "" else summary[key][0]).copy()
    t.index = [str(i).strip() for i in t.index]
    return t


def test_single_stratum_aov_is_the_published_npk_table() -> None:
    """MASS's npk example, ``aov(yield ~ block + N*P*K, npk)``: Sum of Squares 343.2950
    189.2817 8.4017 95.2017 21.2817 33.1350 0.4817, Residuals 185.2867 on 12 df; N's F
    12.259, p 0.00437 (N:P:K is aliased with block: '1 out of 13 effects not
    estimable')."""
    s = r_aov("yld ~ block + N*P*K", _npk()).describe()
    t = _table(s, "")
    assert list(t.index) == ["block", "N", "P", "K", "N:P", "N:K", "P:K", "Residuals"]
    np.testing.assert_allclose(t["Sum Sq"], [343.2950, 189.2817, 8.4017, 95.2017, 21.2817,
                                             33.1350, 0.4817, 185.2867], atol=6e-5)
    np.testing.assert_array_equal(t["Df"], [5, 1, 1, 1, 1, 1, 1, 12])
    assert t.loc["N", "F value"] == pytest.approx(12.259, abs=5e-4)
    assert t.loc["N", "Pr(>F)"] == pytest.approx(0.00437, abs=5e-6)
    # summary.aov pads its row names as R's format() does
    assert list(s[0].index)[-1] == "Residuals" and len({len(i) for i in s[0].index}) == 1


def test_error_block_strata_of_npk() -> None:
    """``aov(yield ~ N*P*K + Error(block), npk)`` (R's ?npk example): the block stratum
    holds the confounded N:P:K with SS (sum of +-y)^2 / 24 (closed form of a 1-df contrast
    of a 2^3 factorial) and the block residual 343.295 - that on 4 df (F 0.483, p 0.525);
    the Within stratum is the intra-block analysis: the rows of the single-stratum table
    above."""
    d = _npk()
    m = r_aov("yld ~ N*P*K + Error(block)", d)
    assert isinstance(m, RAovList)
    assert list(m) == ["(Intercept)", "block", "Within"]
    s = m.describe()
    assert list(s) == ["Error: block", "Error: Within"]      # intercept stratum left out
    b = _table(s, "Error: block")
    sign = np.array([(-1) ** (1 + n + p + k) for n, p, k in zip(_N, _P, _K, strict=True)])
    ss_npk = float(sign @ np.array(_Y)) ** 2 / 24
    assert list(b.index) == ["N:P:K", "Residuals"]
    np.testing.assert_allclose(b["Sum Sq"], [ss_npk, 343.2950 - ss_npk], atol=6e-5)
    np.testing.assert_array_equal(b["Df"], [1, 4])
    assert b.loc["N:P:K", "F value"] == pytest.approx(0.483, abs=5e-4)
    assert b.loc["N:P:K", "Pr(>F)"] == pytest.approx(0.525, abs=5e-4)
    w = _table(s, "Error: Within")
    assert list(w.index) == ["N", "P", "K", "N:P", "N:K", "P:K", "Residuals"]
    np.testing.assert_allclose(w["Sum Sq"], [189.2817, 8.4017, 95.2017, 21.2817, 33.1350,
                                             0.4817, 185.2867], atol=6e-5)
    assert w.loc["K", "F value"] == pytest.approx(6.166, abs=5e-4)
    assert w.loc["K", "Pr(>F)"] == pytest.approx(0.028795, abs=5e-6)


def test_split_plot_oats_is_yates_table() -> None:
    """Yates' oats, ``aov(Y ~ N*V + Error(B/V))`` (Venables & Ripley 6.7): blocks 5 df
    15875.3; whole plots V 2 df 1786.4 and error (a) 10 df 6013.3 (F 1.485, p 0.272);
    subplots N 3 df 20020.5, N:V 6 df 321.7 (321.75), error (b) 45 df 7968.8 (N's F
    37.69)."""
    s = r_aov("Y ~ N*V + Error(B/V)", _oats()).describe()
    assert list(s) == ["Error: B", "Error: B:V", "Error: Within"]
    b, wp, sp = (_table(s, k) for k in s)
    assert list(b.index) == ["Residuals"] and b.loc["Residuals", "Df"] == 5
    assert b.loc["Residuals", "Sum Sq"] == pytest.approx(15875.3, abs=0.05)
    assert list(wp.index) == ["V", "Residuals"]
    np.testing.assert_allclose(wp["Sum Sq"], [1786.4, 6013.3], atol=0.05)
    np.testing.assert_array_equal(wp["Df"], [2, 10])
    assert wp.loc["V", "F value"] == pytest.approx(1.485, abs=5e-4)
    assert wp.loc["V", "Pr(>F)"] == pytest.approx(0.272, abs=5e-4)
    np.testing.assert_allclose(sp["Sum Sq"], [20020.5, 321.75, 7968.8], atol=0.05)
    np.testing.assert_array_equal(sp["Df"], [3, 6, 45])
    assert sp.loc["N", "F value"] == pytest.approx(37.686, abs=5e-4)


def test_unbalanced_within_stratum_is_the_intra_plot_analysis() -> None:
    """Two subplots missing: the Within stratum is the orthogonal complement of the whole
    plots, so its sequential SS of N and N:V and its residual equal those of an ordinary
    lm with the whole plots (B:V) fitted first as fixed effects; the strata's SS add up to
    the total corrected SS."""
    d = _oats().drop(index=[3, 40]).reset_index(drop=True)
    s = r_aov("Y ~ N*V + Error(B/V)", d).describe()
    sp = _table(s, "Error: Within")
    d["WP"] = pd.Categorical(d["B"].astype(str) + "_" + d["V"].astype(str))
    ref = r_anova(r_lm("Y ~ WP + N + N:V", data=d))      # whole plots fixed, first
    np.testing.assert_allclose(sp.loc["N", "Sum Sq"], ref.loc["N", "Sum Sq"], rtol=1e-9)
    np.testing.assert_allclose(sp.loc["N:V", "Sum Sq"], ref.loc["N:V", "Sum Sq"], rtol=1e-9)
    np.testing.assert_allclose(sp.loc["Residuals", ["Df", "Sum Sq"]].to_numpy(float),
                               ref.loc["Residuals", ["Df", "Sum Sq"]].to_numpy(float),
                               rtol=1e-9)
    total = sum(float(_table(s, k)["Sum Sq"].sum()) for k in s)
    y = d["Y"].to_numpy(float)
    assert total == pytest.approx(float(((y - y.mean()) ** 2).sum()), rel=1e-10)
    df = sum(float(_table(s, k)["Df"].sum()) for k in s)
    assert df == len(d) - 1


def test_aov_translated_and_run_as_r_reads_it() -> None:
    """The R code a script writes: aov() with Error(), summary() and R's indexing of it
    (``summary(m)[["Error: Within"]][[1]]``), and aov() without Error() with anova()."""
    ns = run_r("""
m <- aov(Y ~ N * V + Error(B / V), data = oats)
s <- summary(m)
w <- s[["Error: Within"]][[1]]
p <- w[["Pr(>F)"]][1]
m1 <- aov(Y ~ B + V, oats)
a <- anova(m1)
f1 <- summary(m1)[[1]][["F value"]][2]
""", complete=True, oats=_oats())
    assert ns["p"] == pytest.approx(_table(ns["s"], "Error: Within").loc["N", "Pr(>F)"])
    assert ns["p"] < 1e-10
    a = ns["a"]
    assert a.loc["B", "Sum Sq"] == pytest.approx(15875.3, abs=0.05)     # blocks, as above
    assert "Error: B:V" in repr(ns["s"])
    assert ns["f1"] == pytest.approx(a.loc["V", "F value"])      # summary(aov)[[1]]


def test_aov_bad_input_says_what() -> None:
    d = _oats()
    with pytest.raises(AsrError, match="no data"):
        r_aov("Y ~ N + Error(B)")
    with pytest.raises(AsrError, match="more than one Error"):
        r_aov("Y ~ N + Error(B) + Error(V)", d)
    with pytest.raises(AsrError, match="not a model formula"):
        r_aov("Y", d)
    with pytest.raises(AsrError, match="data frame"):
        r_aov("Y ~ N + Error(B)", [1, 2])
    d["Y2"] = d["Y"] * 2
    with pytest.raises(AsrError, match="one response|cannot build the design matrix"):
        r_aov("cbind(Y, Y2) ~ N + Error(B)", d)
