"""translate: multcomp::cld() of emmeans results (emmeans' cld.emmGrid, rcld.py), as in
AparicioJohan/HW "QG/Report 1/pheno/Code_1.R":
``model %>% emmeans(pairwise ~ "Loc", adjust = "tukey") %>% pluck("emmeans") %>%
multcomp::cld(details = TRUE, Letters = letters)``.

Independent sources: scipy.stats.tukey_hsd (Tukey-Kramer p-values of a one-way design), the
studentized range in closed form for by-groups, and the stated semantics of a compact letter
display (two means share a letter exactly when they were not shown to differ; Piepho 2004's
staircase example)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r
from scipy import stats

from asr_py.errors import AsrError
from asr_py.translate.rcld import compact_letters, letter_matrix, r_cld

_EMM_COLS = ["g", "emmean", "SE", "df", "lower.CL", "upper.CL", ".group"]
_CMP_COLS = ["contrast", "estimate", "SE", "df", "t.ratio", "p.value"]


def _one_way(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    true = {"A": 13.0, "B": 10.0, "C": 14.2, "D": 11.0, "E": 12.1}   # not in level order
    n = {"A": 5, "B": 6, "C": 5, "D": 4, "E": 5}                     # unbalanced
    rows = [(g, m + rng.normal(0, 1)) for g, m in true.items() for _ in range(n[g])]
    return pd.DataFrame(rows, columns=["g", "y"])


def _shares(groups: list[str]) -> np.ndarray:
    sets = [set(s.strip()) for s in groups]
    return np.array([[bool(a & b) for b in sets] for a in sets])


def test_staircase_letters() -> None:
    """Sorted means 1 < 2 < 3 < 4 with 1-3, 1-4, 2-4 different: the textbook display
    a, ab, bc, c (Piepho 2004, overlapping groups), monospaced per letter."""
    got = compact_letters(4, [(0, 2), (0, 3), (1, 3)], list("abcd"))
    assert got == ["a  ", "ab ", " bc", "  c"]
    assert compact_letters(4, [], list("xyz")) == ["x"] * 4       # no difference: one letter
    # only means 2 and 3 differ: two letters both held first by mean 1, ordered by the next
    # mean holding them (multcompView's sortCols): 'a' = {1, 2, 4}, 'b' = {1, 3, 4}
    assert compact_letters(4, [(1, 2)], list("abcd")) == ["ab", "a ", " b", "ab"]


def test_letters_past_the_end_follow_multcompview() -> None:
    """More letters needed than given: the last one prefixes the others (multcompView's
    makeLtrs: with a, b, c the third letter is 'ca')."""
    got = compact_letters(3, [(0, 1), (0, 2), (1, 2)], list("abc"))
    assert got == ["a   ", " b  ", "  ca"]


@pytest.mark.parametrize("seed", range(30))
def test_display_represents_every_comparison(seed: int) -> None:
    """Any pattern of differences: two means share a letter iff they do not differ, and no
    letter is redundant (its means all holding another one)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 9))
    pairs = [(i, j) for j in range(1, n) for i in range(j)]
    differ = [p for p in pairs if rng.random() < 0.5]
    m = letter_matrix(n, differ)
    share = (m.astype(int) @ m.T.astype(int)) > 0
    for i, j in pairs:
        assert share[i, j] == ((i, j) not in differ)
    for a, b in itertools.permutations(range(m.shape[1]), 2):
        assert not (m[:, a] <= m[:, b]).all()


def test_one_way_cld_against_scipy_tukey() -> None:
    """The script's chain on a one-way lm: sorted means, Tukey p-values (scipy), letters."""
    d = _one_way()
    ns = run_r("""
library(emmeans)
model <- lm(y ~ g, data = d)
mean_comparisons <- model %>%
  emmeans(pairwise ~ "g", adjust = "tukey") %>%
  pluck("emmeans") %>%
  multcomp::cld(details = TRUE, Letters = letters)
blues <- mean_comparisons$emmeans %>% data.frame() %>% mutate(exp = "E1", .before = g)
plain <- multcomp::cld(emmeans(model, ~ g))
""", complete=True, d=d)
    emm, cmp = ns["mean_comparisons"]["emmeans"], ns["mean_comparisons"]["comparisons"]
    assert list(emm.columns) == _EMM_COLS
    assert list(cmp.columns) == _CMP_COLS
    raw = d.groupby("g")["y"].mean()
    order = list(raw.sort_values().index)                       # ascending estimate
    assert list(emm["g"]) == order
    np.testing.assert_allclose(emm["emmean"], raw[order], rtol=1e-12)
    assert list(ns["blues"].columns) == ["exp", *_EMM_COLS]
    # revpairwise order of the sorted means: 2-1, 3-1, 3-2, 4-1, ...
    pairs = [(i, j) for j in range(1, 5) for i in range(j)]
    assert list(cmp["contrast"]) == [f"{order[j]} - {order[i]}" for i, j in pairs]
    np.testing.assert_allclose(cmp["estimate"], [raw[order[j]] - raw[order[i]]
                                                 for i, j in pairs], rtol=1e-10)
    tk = stats.tukey_hsd(*[d.loc[d.g == g, "y"].to_numpy() for g in order]).pvalue
    np.testing.assert_allclose(cmp["p.value"], [tk[i, j] for i, j in pairs], rtol=1e-4,
                               atol=1e-8)
    assert (cmp["df"] == len(d) - 5).all()
    share = _shares(list(emm[".group"]))
    for i, j in pairs:
        assert share[i, j] == (tk[i, j] >= 0.05)
    assert all(g.startswith(" ") and set(g.strip()) <= set("abcdefghijklmnopqrstuvwxyz")
               for g in emm[".group"])
    assert emm[".group"].iloc[0].strip() == "a"                # letters follow the sort
    # default Letters start at "1"; without details a table
    assert isinstance(ns["plain"], pd.DataFrame)
    assert ns["plain"][".group"].iloc[0].strip() == "1"


def test_decreasing_reverses_rows_and_letters() -> None:
    d = _one_way()
    ns = run_r("library(emmeans)\nm <- lm(y ~ g, data = d)\n"
               "up <- multcomp::cld(emmeans(m, ~ g), Letters = letters)\n"
               "down <- multcomp::cld(emmeans(m, ~ g), Letters = letters, decreasing = TRUE)\n",
               complete=True, d=d)
    up, down = ns["up"], ns["down"]
    assert list(down["g"]) == list(up["g"])[::-1]
    assert down["emmean"].is_monotonic_decreasing
    assert down[".group"].iloc[0].strip() == "a"                # the largest mean gets 'a'
    np.testing.assert_array_equal(_shares(list(down[".group"])),
                                  _shares(list(up[".group"]))[::-1, ::-1])


def test_by_groups_sort_and_compare_within_each() -> None:
    """``pairwise ~ g | b``: sorted within each b, Tukey over the k means of that b (closed
    form: studentized range at the pooled residual df)."""
    rng = np.random.default_rng(7)
    cells = {("A", "x"): 5., ("B", "x"): 9., ("C", "x"): 7., ("A", "z"): 3., ("B", "z"): 2.,
             ("C", "z"): 8.}
    n = 4
    d = pd.DataFrame([(g, b, m + rng.normal(0, 1)) for (g, b), m in cells.items()
                      for _ in range(n)], columns=["g", "b", "y"])
    ns = run_r("library(emmeans)\nm <- lm(y ~ g * b, data = d)\n"
               "r <- multcomp::cld(emmeans(m, ~ g | b), details = TRUE, Letters = letters)\n",
               complete=True, d=d)
    emm, cmp = ns["r"]["emmeans"], ns["r"]["comparisons"]
    assert list(cmp.columns) == ["contrast", "b", *_CMP_COLS[1:]]
    cm = d.groupby(["b", "g"])["y"].mean()
    resid = d["y"] - d.groupby(["b", "g"])["y"].transform("mean")
    dfe = len(d) - 6
    s = np.sqrt((resid ** 2).sum() / dfe)
    for b in ("x", "z"):
        sub = emm[emm["b"] == b]
        assert list(sub["g"]) == list(cm[b].sort_values().index)
        c = cmp[cmp["b"] == b]
        q = np.abs(c["estimate"].to_numpy()) / (s * np.sqrt(1 / n))
        np.testing.assert_allclose(c["p.value"], stats.studentized_range.sf(q, 3, dfe),
                                   rtol=1e-6)


def test_errors_and_placeholders() -> None:
    from asr_py.translate.checks import Untranslated

    with pytest.raises(AsrError, match="only emmeans results"):
        r_cld(pd.DataFrame({"a": [1]}))
    ph = Untranslated("emmeans()", "e")
    assert isinstance(r_cld(ph, details=True), Untranslated)


def test_revpairwise_order_is_emmeans() -> None:
    """emmeans' revpairwise.emmc order: for i = 2..k, j = 1..i-1, 'i - j' (the order cld's
    comparisons follow); pairwise: 1-2, 1-3, ..., 2-3, ..."""
    d = _one_way()
    ns = run_r("library(emmeans)\nm <- lm(y ~ g, data = d)\n"
               "rp <- pairs(emmeans(m, ~ g), reverse = TRUE)\npp <- pairs(emmeans(m, ~ g))\n",
               complete=True, d=d)
    lv = sorted(d["g"].unique())
    k = len(lv)
    assert list(ns["rp"]["contrast"]) == [f"{lv[i]} - {lv[j]}" for i in range(1, k)
                                          for j in range(i)]
    assert list(ns["pp"]["contrast"]) == [f"{lv[i]} - {lv[j]}" for i in range(k)
                                          for j in range(i + 1, k)]


def test_lmer_rcbd_kenward_roger_df_and_tukey() -> None:
    """A balanced RCBD with random blocks (lmer, emmeans' Kenward-Roger df): a treatment
    difference has SE sqrt(2 MSE / b) and df (b-1)(t-1), the two-way ANOVA's residual
    (closed form when the block variance is positive); Tukey p from the studentized range."""
    rng = np.random.default_rng(11)
    t, b = 4, 6
    eff = np.array([0.0, 0.4, 2.5, 3.0])
    blk = rng.normal(0, 1.5, b)
    d = pd.DataFrame([(f"T{i}", f"B{j}", 20 + eff[i] + blk[j] + rng.normal(0, 0.6))
                      for j in range(b) for i in range(t)], columns=["g", "blk", "y"])
    before = d.copy()
    ns = run_r("library(lme4)\nlibrary(emmeans)\nm <- lmer(y ~ g + (1 | blk), data = d)\n"
               "r <- multcomp::cld(emmeans(m, ~ g), details = TRUE, Letters = letters)\n",
               complete=True, d=d)
    pd.testing.assert_frame_equal(d, before)
    y = d.pivot(index="blk", columns="g", values="y").to_numpy()
    res = y - y.mean(0) - y.mean(1)[:, None] + y.mean()
    dfe = (b - 1) * (t - 1)
    mse = (res ** 2).sum() / dfe
    cmp = ns["r"]["comparisons"]
    np.testing.assert_allclose(cmp["SE"], np.sqrt(2 * mse / b), rtol=1e-5)
    np.testing.assert_allclose(cmp["df"], dfe, rtol=1e-6)
    q = np.abs(cmp["estimate"].to_numpy()) / np.sqrt(mse / b)
    np.testing.assert_allclose(cmp["p.value"], stats.studentized_range.sf(q, t, dfe),
                               rtol=1e-4)
    share = _shares(list(ns["r"]["emmeans"][".group"]))
    pv = dict(zip(cmp["contrast"], cmp["p.value"]))
    lv = list(ns["r"]["emmeans"]["g"])
    for j in range(1, t):
        for i in range(j):
            assert share[i, j] == (pv[f"{lv[j]} - {lv[i]}"] >= 0.05)


def test_signif_sets_mark_differences_and_input_kept() -> None:
    """signif.sets = TRUE: means sharing a symbol differ (column .signif.set); the emmGrid
    passed in is not changed."""
    d = _one_way()
    ns = run_r("library(emmeans)\nm <- lm(y ~ g, data = d)\ne <- emmeans(m, ~ g)\n"
               "s <- multcomp::cld(e, details = TRUE, signif.sets = TRUE)\n", complete=True,
               d=d)
    e_before = pd.DataFrame(ns["e"]).copy()
    tab, cmp = ns["s"]["emmeans"], ns["s"]["comparisons"]
    assert ".signif.set" in tab.columns and ".group" not in tab.columns
    share = _shares(list(tab[".signif.set"]))
    k = len(tab)
    p = iter(cmp["p.value"])
    for j in range(1, k):
        for i in range(j):
            assert share[i, j] == (next(p) < 0.05)
    r_cld(ns["e"], Letters="xyz", adjust="sidak")
    pd.testing.assert_frame_equal(pd.DataFrame(ns["e"]), e_before)


def test_adjust_given_to_cld_adjusts_the_means_limits() -> None:
    """emmeans' summary (R/summary.R): 'tukey' on means becomes Sidak, each of the k
    intervals at level 0.95^(1/k); 'bonferroni' at 1 - 0.05/k."""
    d = _one_way()
    ns = run_r("library(emmeans)\nm <- lm(y ~ g, data = d)\ne <- emmeans(m, ~ g)\n"
               "a <- multcomp::cld(e, adjust = 'tukey')\nb <- multcomp::cld(e, adjust = "
               "'bonferroni')\nn <- multcomp::cld(e)\n", complete=True, d=d)
    k = 5
    for key, lev in (("a", 0.95 ** (1 / k)), ("b", 1 - 0.05 / k), ("n", 0.95)):
        t = ns[key]
        q = stats.t.ppf((1 + lev) / 2, t["df"].to_numpy(dtype=float))
        np.testing.assert_allclose(t["lower.CL"], t["emmean"] - q * t["SE"], rtol=1e-10)
        np.testing.assert_allclose(t["upper.CL"], t["emmean"] + q * t["SE"], rtol=1e-10)
