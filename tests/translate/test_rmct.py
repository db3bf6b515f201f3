"""biometryassist's ``multiple_comparisons()`` of asreml fits (asr_py.translate.rmct).

Reference numbers: cran/biometryassist 1.3.1 (c6efad4, MIT), tests/testthat/_snaps/all-w2.md,
the tables ``expect_snapshot_output(multiple_comparisons(fit, classify = ...))`` printed
from asreml 4.2 fits of tests/testthat/test-all-w2.r (the model calls are that file's; data
tests/testthat/data/w2_data.Rdata written out with pyreadr, tests/data/README.md). Printed to
``decimals = 2``: predicted.value, std.error, groups (multcompView's letters), ci (t
quantile × se with asreml's conditional-Wald denominator df), low, up, in the printed row
order. asreml's variance parameters differ from ours in their 4th digit (converged to its
tolerance), so the numbers are compared to the printed 2 decimals within one unit in the last
place (0.01) and the letters exactly.

Independent checks besides: for two means Tukey's q(1 − α; 2, ν)/√2 is Student's
t(1 − α/2, ν) (closed form), so the HSD equals t·SED; the letters of a small difference
pattern against its maximal non-differing sets found by brute force; units of the trait
(× 1000), row order and level labels leave the table unchanged.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from _fetched import fetched
from scipy import stats

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.translate.rmct import mct_letters, r_multiple_comparisons

AR1 = "~ id(Column):ar1(Row)"


def _data(name: str, y: str) -> pd.DataFrame:
    d = pd.read_csv(fetched(f"biometryassist_w2_{name}.csv"), dtype=str)
    d[y] = d[y].astype(float)
    for c in d.columns:          # factors; numeric labels in numeric order (as w2_data's)
        if c != y:
            lv = d[c].unique()
            num = pd.to_numeric(pd.Series(lv), errors="coerce")
            key = (lambda s: float(s)) if num.notna().all() else str
            d[c] = pd.Categorical(d[c], categories=sorted(lv, key=key))
    return d


#: (fixed, random, residual, data, response, classify, present) -> printed table rows
#: (levels..., predicted.value, std.error, groups, ci, low, up)
CASES = {
    "example3": (("Yield ~ Variety", "~ Block", "~ id(Plot)", "example3", "Yield", "Variety",
                  None), [
        ("Parafield", 1.68, 0.81, "a", 1.77, -0.09, 3.45),
        ("Kaspa", 2.68, 0.81, "ab", 1.77, 0.91, 4.45),
        ("Yarrum", 4.72, 0.81, "b", 1.77, 2.95, 6.49),
        ("Excell", 4.85, 0.81, "b", 1.77, 3.08, 6.62)]),
    # letters out of step with the order of the means: HSD_ij differs with SED_ij
    "example6": (("Yield ~ Treatment", "~ Block", AR1, "example7", "Yield", "Treatment",
                  None), [
        ("Hoegrass_0.75L", 0.92, 0.20, "a", 0.42, 0.50, 1.34),
        ("Wildcat_300mL", 0.94, 0.20, "a", 0.42, 0.52, 1.35),
        ("Atlantis_300mL", 0.94, 0.21, "ab", 0.43, 0.51, 1.37),
        ("Wildcat_350mL", 0.94, 0.20, "a", 0.42, 0.52, 1.36),
        ("Topik_50mL", 0.95, 0.20, "a", 0.42, 0.53, 1.36),
        ("Achieve_300g", 0.96, 0.21, "ab", 0.43, 0.54, 1.39),
        ("Control_0", 0.98, 0.21, "a", 0.43, 0.56, 1.41),
        ("Hoegrass_1.0L", 1.06, 0.20, "ab", 0.42, 0.65, 1.48),
        ("Tristar_1.0L", 1.07, 0.20, "ab", 0.42, 0.65, 1.48),
        ("Achieve_380g", 1.08, 0.20, "ab", 0.42, 0.67, 1.50),
        ("Atlantis_330mL", 1.18, 0.20, "ab", 0.42, 0.77, 1.60),
        ("Topik_85mL", 1.22, 0.21, "ab", 0.42, 0.80, 1.64),
        ("MatavenL_2.25L", 1.23, 0.21, "ab", 0.42, 0.81, 1.65),
        ("Hoegrass_1.2L", 1.30, 0.21, "ab", 0.42, 0.87, 1.72),
        ("Topik_65mL", 1.37, 0.20, "ab", 0.42, 0.95, 1.78),
        ("Wildcat_250mL", 1.53, 0.20, "ab", 0.42, 1.11, 1.95),
        ("MatavenL_3.0L", 1.59, 0.21, "ab", 0.43, 1.16, 2.01),
        ("Hussar_200g", 1.66, 0.20, "ab", 0.42, 1.24, 2.07),
        ("Achieve_250g", 1.68, 0.21, "ab", 0.43, 1.25, 2.11),
        ("Tristar_1.5L", 1.90, 0.21, "ab", 0.43, 1.48, 2.33),
        ("Hussar_150g", 2.01, 0.21, "b", 0.42, 1.59, 2.43)]),
    "exercise11_Nitrogen": (("Yield ~ Genotype + Nitrogen + Genotype:Nitrogen",
                             "~ Block + Block:WholePlot", "~ units", "exercise11", "Yield",
                             "Nitrogen", None), [
        ("0", 79.39, 7.37, "a", 14.87, 64.52, 94.26),
        ("0.2", 98.89, 7.37, "b", 14.87, 84.02, 113.76),
        ("0.4", 114.22, 7.37, "c", 14.87, 99.35, 129.09),
        ("0.6", 123.39, 7.37, "c", 14.87, 108.52, 138.26)]),
    "exercise11_Genotype": (("Yield ~ Genotype + Nitrogen + Genotype:Nitrogen",
                             "~ Block + Block:WholePlot", "~ units", "exercise11", "Yield",
                             "Genotype", None), [
        ("Victory", 97.68, 7.15, "a", 14.34, 83.34, 112.02),
        ("GoldenRain", 104.89, 7.15, "ab", 14.34, 90.55, 119.23),
        ("Marvellous", 109.35, 7.16, "b", 14.35, 95.00, 123.70)]),
    "exercise12": (("Yield ~ Variety * Irrigation", "~ Block + Block:WholePlot", "~ units",
                    "exercise12", "Yield", "Variety:Irrigation", None), [
        ("Thumper", "Rainfed", 4.61, 0.99, "a", 2.1, 2.51, 6.71),
        ("Cobbler", "Rainfed", 5.47, 0.99, "ab", 2.1, 3.37, 7.57),
        ("Bravo", "Rainfed", 5.91, 0.99, "b", 2.1, 3.81, 8.01),
        ("Hyola", "Rainfed", 6.19, 0.99, "bc", 2.1, 4.09, 8.29),
        ("Victory", "Rainfed", 6.43, 0.99, "bc", 2.1, 4.33, 8.53),
        ("Thumper", "Irrigated", 6.92, 0.99, "bc", 2.1, 4.82, 9.02),
        ("Victory", "Irrigated", 7.02, 0.99, "bc", 2.1, 4.92, 9.12),
        ("Bravo", "Irrigated", 7.68, 0.99, "c", 2.1, 5.58, 9.78),
        ("Hyola", "Irrigated", 7.70, 0.99, "c", 2.1, 5.60, 9.80),
        ("Cobbler", "Irrigated", 7.75, 0.99, "c", 2.1, 5.65, 9.85)]),
    "exercise15_Rate": (("loginf ~ Control + Season + Rate + Season:Rate", None,
                         "~ ar1(col):id(row)", "exercise15", "loginf", "Rate",
                         ["Control", "Rate", "Season"]), [
        ("12", 1.99, 0.17, "a", 0.36, 1.64, 2.35),
        ("3", 2.48, 0.17, "ab", 0.36, 2.12, 2.83),
        ("6", 2.62, 0.17, "bc", 0.36, 2.26, 2.98),
        ("0", 3.06, 0.17, "c", 0.37, 2.69, 3.43)]),
}


def _fit(fixed: str, random: str | None, residual: str, data: pd.DataFrame) -> asr.Fit:
    kw = {"random": random} if random else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(fixed, residual=residual, data=data, **kw)


def _mct(fit: asr.Fit, classify: str, present: list[str] | None, **kw: object
         ) -> pd.DataFrame:
    if present is not None:
        kw["present"] = present
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return r_multiple_comparisons(fit, classify=classify, **kw)


@pytest.mark.parametrize("case", sorted(CASES))
def test_tables_as_biometryassist_printed_them(case: str) -> None:
    (fixed, random, residual, data, y, classify, present), rows = CASES[case]
    fit = _fit(fixed, random, residual, _data(data, y))
    out = _mct(fit, classify, present)
    nv = len(classify.split(":"))
    assert list(out.columns) == [*classify.split(":"), "predicted.value", "std.error",
                                 "groups", "ci", "low", "up"]
    assert len(out) == len(rows)
    for v in range(nv):
        assert list(out.iloc[:, v].astype(str)) == [r[v] for r in rows]
    assert list(out["groups"]) == [r[nv + 2] for r in rows]
    for k, col in enumerate(("predicted.value", "std.error"), start=nv):
        np.testing.assert_allclose(out[col], [r[k] for r in rows], atol=0.0100001)
    for k, col in enumerate(("ci", "low", "up"), start=nv + 3):
        np.testing.assert_allclose(out[col], [r[k] for r in rows], atol=0.0100001)
    assert out.attrs["ylab"] == y


def test_aliased_cells_removed_with_warning() -> None:
    """example 7: 15 empty Herbicide:Rate cells are aliased; biometryassist warns "Some
    levels of Herbicide:Rate are aliased..." (test-all-w2.r's expect_warning) and prints the
    same 21 predictions as example 6 (snapshot: Hoegrass Low 0.92 a ... Hussar Low 2.01 b)."""
    fit = _fit("Yield ~ Control + Herbicide + Rate + Herbicide:Rate", "~ Block", AR1,
               _data("example7", "Yield"))
    with pytest.warns(UserWarning, match="Some levels of Herbicide:Rate are aliased"):
        out = r_multiple_comparisons(fit, classify="Herbicide:Rate",
                                     present=["Control", "Herbicide", "Rate"])
    assert len(out) == 21 and len(out.attrs["aliased"]) == 15
    assert "Achieve:Control" in out.attrs["aliased"]
    assert list(out["groups"][:7]) == ["a", "a", "ab", "a", "a", "ab", "a"]
    assert list(out["groups"][-2:]) == ["ab", "b"]
    np.testing.assert_allclose(out["predicted.value"][[0, 20]], [0.92, 2.01], atol=0.0100001)


def test_two_means_hsd_is_t_times_sed() -> None:
    """k = 2: q(1 − α; 2, ν)/√2 = t(1 − α/2, ν), so the HSD attribute is t·SED (closed form
    from the predictions' SED)."""
    fit = _fit("loginf ~ Control + Season + Rate + Season:Rate", None, "~ ar1(col):id(row)",
               _data("exercise15", "loginf"))
    out = _mct(fit, "Control", ["Control", "Rate", "Season"], decimals=6)
    p = fit.predict(classify="Control", present=["Control", "Rate", "Season"], sed=True)
    sed = np.asarray(p.attrs["sed"], dtype=float)[0, 1]
    w = fit.wald(denDF="default", ssType="conditional")
    nu = round(float(w.loc["Control", "denDF.con"]), 1)
    assert out.attrs["HSD"] == pytest.approx(stats.t.isf(0.025, nu) * sed, rel=1e-6)
    np.testing.assert_allclose(out["ci"], stats.t.isf(0.025, nu) * out["std.error"],
                               atol=2e-6)


def _brute_letters(n: int, differ: np.ndarray) -> set[frozenset[int]]:
    """The maximal sets of means no two of which differ (what the letters display)."""
    sets = [frozenset(s) for r in range(1, n + 1) for s in itertools.combinations(range(n), r)
            if not any(differ[i, j] for i, j in itertools.combinations(s, 2))]
    return {s for s in sets if not any(s < t for t in sets)}


@pytest.mark.parametrize("seed", range(6))
def test_letters_are_the_maximal_nondiffering_sets(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 7
    means = np.sort(rng.normal(size=n))
    differ = np.abs(means[:, None] - means[None, :]) > rng.uniform(0.3, 1.2)
    letters = mct_letters([f"T{i}" for i in range(n)], means, differ)
    got = {frozenset(i for i in range(n) if ch in letters[i])
           for ch in set("".join(letters))}
    assert got == _brute_letters(n, differ)
    assert "a" in letters[int(np.argmin(means))]        # ascending: the smallest mean holds a
    down = mct_letters([f"T{i}" for i in range(n)], means, differ, descending=True)
    assert "a" in down[int(np.argmax(means))]


def test_units_rows_and_labels_leave_the_table_unchanged() -> None:
    d = _data("exercise11", "Yield")
    model = ("Yield ~ Genotype + Nitrogen + Genotype:Nitrogen", "~ Block + Block:WholePlot",
             "~ units")
    base = _mct(_fit(*model, d), "Nitrogen", None, decimals=6)
    big = d.assign(Yield=d["Yield"] * 1000)
    scaled = _mct(_fit(*model, big), "Nitrogen", None, decimals=6)
    np.testing.assert_allclose(scaled["predicted.value"], base["predicted.value"] * 1000,
                               rtol=1e-6)
    assert list(scaled["groups"]) == list(base["groups"])
    rev = d.iloc[::-1].reset_index(drop=True)
    flipped = _mct(_fit(*model, rev), "Nitrogen", None, decimals=6)
    pd.testing.assert_frame_equal(flipped, base, check_categorical=False, rtol=1e-6)
    relab = d.assign(Nitrogen=d["Nitrogen"].cat.rename_categories(
        lambda s: "N" + str(100 - round(float(s) * 100))))
    out = _mct(_fit(*model, relab), "Nitrogen", None, decimals=6)
    assert list(out["groups"]) == list(base["groups"])
    np.testing.assert_allclose(out["predicted.value"], base["predicted.value"], rtol=1e-6)


def test_back_transformation_columns() -> None:
    """trans = 'log': PredictedValue = exp(μ) − offset, ApproxSE = se·exp(μ), low/up =
    exp(μ ∓ ci) − offset (biometryassist's apply_transformation), columns after ci."""
    fit = _fit("loginf ~ Control + Season + Rate + Season:Rate", None, "~ ar1(col):id(row)",
               _data("exercise15", "loginf"))
    raw = _mct(fit, "Season", ["Control", "Rate", "Season"], decimals=8)
    out = _mct(fit, "Season", ["Control", "Rate", "Season"], decimals=8, trans="log",
               offset=1)
    assert list(out.columns) == ["Season", "predicted.value", "std.error", "groups", "ci",
                                 "PredictedValue", "ApproxSE", "low", "up"]
    mu, se, ci = raw["predicted.value"], raw["std.error"], raw["ci"]
    np.testing.assert_allclose(out["PredictedValue"], np.exp(mu) - 1, rtol=1e-7)
    np.testing.assert_allclose(out["ApproxSE"], se * (np.exp(mu) - 1), rtol=1e-6)
    np.testing.assert_allclose(out["low"], np.exp(mu - ci) - 1, rtol=1e-7)
    np.testing.assert_allclose(out["up"], np.exp(mu + ci) - 1, rtol=1e-7)


def test_bad_input_is_named() -> None:
    fit = _fit("Yield ~ Variety", "~ Block", "~ id(Plot)", _data("example3", "Yield"))
    with pytest.raises(AsrError, match="Perhaps you meant 0.05"):
        r_multiple_comparisons(fit, classify="Variety", sig=5)
    with pytest.raises(AsrError, match="Nitrogen is not a term in the model"):
        r_multiple_comparisons(fit, classify="Nitrogen")
    with pytest.raises(AsrError, match="Invalid int.type"):
        _mct(fit, "Variety", None, int_type="bogus")


def test_translation_of_calls() -> None:
    src = ('p <- multiple_comparisons(m, classify = "A:B", sig = 0.01, present = c("A", "B"))\n'
           'q <- biometryassist::multiple_comparisons(m, "A", decimals = 4)\n'
           'r <- mct.out(m, pred.obj = pr, classify = "A", order = "descending")\n'
           's <- pairwise_comparisons(m, "A:B", by = "B", adjust = "bonferroni")\n')
    out = asr.translate(src)
    assert not [ln for ln in out.splitlines() if "TODO(asr_py):" in ln]
    assert "r_multiple_comparisons(m, classify='A:B', sig=0.01, present=['A', 'B'])" in out
    assert "r_multiple_comparisons(m, classify='A', decimals=4)" in out
    assert "r_mct_out(m, pred_obj=pr, classify='A', order='descending')" in out
    assert "r_pairwise_comparisons(m, classify='A:B', adjust='bonferroni', by='B')" in out


def _oats() -> asr.Fit:
    """biometryassist's model.asr (tests/testthat/data/asreml_model.Rdata; its call as in
    tests/translate/test_translate_snippets.py) on asreml::oats (tests/data)."""
    d = pd.read_csv(fetched("biometryassist_oats.csv"), dtype=str)
    d["yield"] = d["yield"].astype(float)
    d = d.sort_values(["Row", "Column"], key=lambda c: c.astype(int))
    return _fit("yield ~ Nitrogen + Variety + Nitrogen:Variety", "~ Blocks + Blocks:Wplots",
                "~ ar1(Row):ar1(Column)", d)


def test_oats_tables_and_mct_out_order() -> None:
    """biometryassist's tests/testthat (asreml 4.2): _snaps/mct.md "Testing asreml
    predictions" (Nitrogen: 77.76 6.93 a 14.02 63.74 91.79, ...) and test-mct.R's
    "Interaction terms work" (sorted Nitrogen:Variety predictions); BiometryTraining
    (5f5f36d) tests/testthat/test-mct.R: mct.out(model.asr, pred.asr, classify =
    "Nitrogen:Variety") in its default order - the treatment names in ICU collation, '0_cwt'
    before '0.2_cwt'."""
    from asr_py.translate.rmctout import r_mct_out

    fit = _oats()
    out = _mct(fit, "Nitrogen", None)
    assert list(out["Nitrogen"].astype(str)) == ["0_cwt", "0.2_cwt", "0.4_cwt", "0.6_cwt"]
    assert list(out["groups"]) == ["a", "b", "c", "c"]
    np.testing.assert_allclose(out["predicted.value"], [77.76, 100.15, 114.41, 123.23],
                               atol=0.0100001)
    np.testing.assert_allclose(out["std.error"], [6.93, 6.90, 6.89, 6.91], atol=0.0100001)
    np.testing.assert_allclose(out["ci"], [14.02, 13.96, 13.94, 13.99], atol=0.0100001)
    inter = _mct(fit, "Nitrogen:Variety", None, pvals=True)
    np.testing.assert_allclose(inter["predicted.value"],
                               [70.85, 76.58, 85.86, 92.22, 99.91, 108.32, 113.1, 113.5,
                                116.63, 118.4, 123.75, 127.53], atol=0.0100001)
    p = fit.predict(classify="Nitrogen:Variety", sed=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        legacy = r_mct_out(fit, p, classify="Nitrogen:Variety")
        down = r_mct_out(fit, p, classify="Nitrogen:Variety", order="desc", decimals=6)
    np.testing.assert_allclose(legacy["predicted.value"],
                               [76.58, 85.86, 70.85, 99.91, 108.32, 92.22, 116.63, 113.50,
                                113.10, 123.75, 127.53, 118.40], atol=0.0100001)
    assert list(down["predicted.value"]) == sorted(down["predicted.value"], reverse=True)
    # mct.out's interval: the one-sided t quantile qt(sig, df, lower.tail = FALSE)
    nu = float(r_wald_df(fit, "Nitrogen:Variety"))
    np.testing.assert_allclose(down["ci"], stats.t.isf(0.05, nu) * down["std.error"],
                               atol=2e-6)
    with pytest.raises(AsrError, match="order must be one of"):
        r_mct_out(fit, p, classify="Nitrogen:Variety", order="xyz")
    with pytest.raises(AsrError, match="supply an offset"):
        r_mct_out(fit, p, classify="Nitrogen:Variety", trans="log")


def r_wald_df(fit: asr.Fit, term: str) -> float:
    """The conditional Wald denDF of a term as asreml reports it (one decimal)."""
    w = fit.wald(denDF="default", ssType="conditional")
    return round(float(w.loc[term, "denDF.con"]), 1)


#: aov fits of test-all-w2.r (examples 1 and 4): the printed tables (df column included)
AOV = {
    "example1": ("RL ~ trt", "RL", [
        ("20", 9.96, 0.4, 16, "a", 0.86, 9.11, 10.82),
        ("1", 12.26, 0.4, 16, "b", 0.86, 11.40, 13.12),
        ("5", 16.14, 0.4, 16, "c", 0.86, 15.29, 17.00),
        ("10", 17.77, 0.4, 16, "c", 0.86, 16.92, 18.63)]),
    # 2200.08: R's round of its mean 2200.085 (a double just below the tie); ours carries
    # 2e-12 of solver round-off above it and shows 2200.09 (within the last place)
    "example4": ("DM ~ row + col + trt", "DM", [
        ("S4", 1707.94, 61.98, 6, "a", 151.65, 1556.29, 1859.59),
        ("S2", 1802.70, 61.98, 6, "ab", 151.65, 1651.05, 1954.35),
        ("S1", 2053.73, 61.98, 6, "bc", 151.65, 1902.08, 2205.38),
        ("S3", 2200.08, 61.98, 6, "c", 151.65, 2048.44, 2351.73)]),
}


@pytest.mark.parametrize("case", sorted(AOV))
def test_aov_tables_as_printed(case: str) -> None:
    """aov: emmeans' means, SED = σ√(1/n_i + 1/n_j), residual df; an exact fit (no
    iteration): the printed 2 decimals within one unit of the last place (at a tie the
    solver's round-off decides), letters and df exactly."""
    from asr_py.translate.raov import r_aov

    formula, y, rows = AOV[case]
    fit = r_aov(formula, data=_data(case, y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = r_multiple_comparisons(fit, classify="trt")
    assert list(out.columns) == ["trt", "predicted.value", "std.error", "df", "groups", "ci",
                                 "low", "up"]
    assert list(out["trt"].astype(str)) == [r[0] for r in rows]
    assert list(out["groups"]) == [r[4] for r in rows]
    for k, col in ((1, "predicted.value"), (2, "std.error"), (3, "df"), (5, "ci"), (6, "low"),
                   (7, "up")):
        np.testing.assert_allclose(out[col], [r[k] for r in rows], atol=0.0100001,
                                   err_msg=col)
    assert list(out["df"]) == [r[3] for r in rows]


def test_r_round() -> None:
    """R ≥ 4.0's round(): the representable neighbour nearer to the double (R's NEWS for
    4.0.0: round(0.15, 1) = 0.1, round(2.675, 2) = 2.67), ties of exact halves to even."""
    from asr_py.translate.rmct import _r_round

    got = _r_round(np.array([0.15, 2.675, 2.5, 3.5, -2.5, 1.0049999, 2200.085]), 0)
    np.testing.assert_array_equal(got[2:5], [2.0, 4.0, -2.0])
    np.testing.assert_array_equal(_r_round(np.array([0.15]), 1), [0.1])
    np.testing.assert_array_equal(_r_round(np.array([2.675, 2200.085]), 2), [2.67, 2200.08])


#: exercise 14 (150 plots, 50 genotypes, ar1 rows): the printed genotype order, predicted
#: values and letters (up to 8 per genotype) of _snaps/all-w2.md
EX14_NAMES = [f"G{k:02d}" for k in (36, 28, 30, 46, 23, 29, 7, 21, 45, 33, 49, 6, 38, 27,
    43, 19, 15, 31, 24, 48, 34, 5, 18, 37, 47, 8, 25, 26, 13, 35, 44, 39, 14, 41, 1, 10, 3,
    16, 32, 22, 20, 2, 40, 11, 42, 9, 50, 17, 12, 4)]
EX14_PV = [3.68, 3.79, 3.90, 3.91, 3.92, 3.96, 3.96, 3.98, 3.98, 4.02, 4.03, 4.04, 4.06,
    4.06, 4.06, 4.07, 4.12, 4.13, 4.13, 4.15, 4.15, 4.15, 4.16, 4.16, 4.18, 4.18, 4.19,
    4.19, 4.20, 4.21, 4.22, 4.23, 4.26, 4.27, 4.31, 4.31, 4.33, 4.33, 4.33, 4.34, 4.36,
    4.36, 4.38, 4.38, 4.41, 4.42, 4.43, 4.43, 4.49, 4.52]
EX14_GROUPS = ["a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdef", "abcdefg", "abcdefg",
    "abcdefgh", "abcdefgh", "abcdefgh", "abcdefgh", "abcdefgh", "abcdefgh", "abcdefgh",
    "abcdefgh", "abcdefgh", "abcdefgh", "abcdefgh", "abcdefgh", "abcdefgh", "abcdefgh",
    "bcdefgh", "abcdefgh", "abcdefgh", "bcdefgh", "abcdefgh", "bcdefgh", "bcdefgh",
    "bcdefgh", "bcdefgh", "bcdefgh", "bcdefgh", "bcdefgh", "cdefgh", "cdefgh", "cdefgh",
    "cdefgh", "cdefgh", "cdefgh", "cdefgh", "cdefgh", "cdefgh", "defgh", "efgh", "efgh",
    "fgh", "gh", "h"]


def test_fifty_genotypes_letters_as_printed() -> None:
    """test-all-w2.r's exercise 14: asreml 4.2 printed 50 rows with 8 overlapping letter
    groups; the genotype order and the letters agree exactly, the means to 0.01."""
    d = _data("exercise14", "Yield")
    fit = _fit("Yield ~ Genotype", "~ Block", AR1, d)
    out = _mct(fit, "Genotype", None)
    assert list(out["Genotype"].astype(str)) == EX14_NAMES
    assert list(out["groups"]) == EX14_GROUPS
    np.testing.assert_allclose(out["predicted.value"], EX14_PV, atol=0.0100001)


def test_list_elements_of_biometryassist_1_5() -> None:
    """biometryassist 1.5.0 returns list(predictions, pairwise_pvalues, hsd, sig_level, ...):
    the same table answers those names. Tukey p-values from scipy's studentized range,
    checked against the letters' rule: p < sig exactly where |μ_i − μ_j| > HSD_ij, and for
    a balanced one-way aov the closed form q = |Δ| / (σ √(1/n)) (n = 5 records a mean)."""
    from asr_py.translate.raov import r_aov

    d = _data("example1", "RL")
    fit = r_aov("RL ~ trt", data=d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = r_multiple_comparisons(fit, classify="trt", decimals=8)
    assert out["predictions"].shape == (4, 8) and out["sig_level"] == 0.05
    pv = out["pairwise_pvalues"]
    assert list(pv.index) == ["1", "5", "10", "20"]
    assert np.allclose(np.diag(pv), 1) and np.allclose(pv, pv.T)
    means = d.groupby("trt", observed=True)["RL"].mean()
    sigma = float(fit.sigma)
    for a, b in itertools.combinations(pv.index, 2):
        q = abs(means[a] - means[b]) / (sigma * np.sqrt(1 / 5))
        assert pv.loc[a, b] == pytest.approx(stats.studentized_range.sf(q, 4, 16), rel=1e-6)
        assert (pv.loc[a, b] < 0.05) == (abs(means[a] - means[b]) > out["hsd"])


def test_pairwise_comparisons_against_closed_form() -> None:
    """biometryassist 1.5.0's pairwise_comparisons() of a balanced one-way aov: estimate =
    difference of the treatment means, SE = σ√(2/n) (n = 5), t on the residual df 16,
    p-values Holm-adjusted (computed here: sorted p_(k)·(m − k + 1), running maximum, capped
    at 1), unadjusted 95% limits; rows in R's combn() order of the levels."""
    from asr_py.translate.raov import r_aov
    from asr_py.translate.rpairwise import r_pairwise_comparisons

    d = _data("example1", "RL")
    fit = r_aov("RL ~ trt", data=d)
    out = r_pairwise_comparisons(fit, classify="trt")
    levels = ["1", "5", "10", "20"]
    pairs = list(itertools.combinations(levels, 2))
    assert list(out["comparison"]) == [f"{a} - {b}" for a, b in pairs]
    means = d.groupby("trt", observed=True)["RL"].mean()
    se = float(fit.sigma) * np.sqrt(2 / 5)
    est = np.array([means[a] - means[b] for a, b in pairs])
    np.testing.assert_allclose(out["estimate"], est, rtol=1e-10)
    np.testing.assert_allclose(out["std.error"], se, rtol=1e-8)
    raw = 2 * stats.t.sf(np.abs(est / se), 16)
    order = np.argsort(raw)
    holm = np.minimum(1, np.maximum.accumulate(raw[order] * (len(raw) - np.arange(len(raw)))))
    adj = np.empty_like(raw)
    adj[order] = holm
    np.testing.assert_allclose(out["p.value"], adj, rtol=1e-7)
    np.testing.assert_allclose(out["conf.high"] - out["estimate"], stats.t.isf(0.025, 16) * se,
                               rtol=1e-8)
    assert list(out.columns) == ["level1", "level2", "comparison", "estimate", "level1.mean",
                                 "level2.mean", "std.error", "statistic", "df", "p.value",
                                 "conf.low", "conf.high"]
    one = r_pairwise_comparisons(fit, classify="trt", pairs=["20 - 1"], adjust="none")
    assert list(one["comparison"]) == ["20 - 1"]
    assert one["p.value"][0] == pytest.approx(2 * stats.t.sf(abs(means["20"] - means["1"]) / se,
                                                             16), rel=1e-7)
    with pytest.raises(AsrError, match="Unknown level"):
        r_pairwise_comparisons(fit, classify="trt", pairs=["20 - 7"])
    with pytest.raises(AsrError, match="not valid for pairwise_comparisons"):
        r_pairwise_comparisons(fit, classify="trt", adjust="tukey")



def test_pairwise_pairs_repeated_reversed_or_of_one_level() -> None:
    """biometryassist 1.5.0's parse_pairs(): a reversed or repeated pair is dropped with a
    warning (first one kept with its direction), so Holm's family has 2 members here, not 3:
    p_adj = min(1, max-accumulated sorted p_(k)·(2 − k + 1)); "A-A" is an error. Own data:
    one-way layout, 3 levels x 4 records; means and σ̂ by hand."""
    from asr_py.translate.raov import r_aov
    from asr_py.translate.rpairwise import r_pairwise_comparisons

    y = [4.1, 5.0, 4.6, 4.3, 6.2, 5.8, 6.9, 6.1, 5.1, 4.4, 5.6, 4.9]
    d = pd.DataFrame({"trt": pd.Categorical(list("AAAABBBBCCCC")), "y": y})
    fit = r_aov("y ~ trt", data=d)
    with pytest.warns(UserWarning, match="Duplicate or reversed pair.*B-A"):
        out = r_pairwise_comparisons(fit, classify="trt", pairs=["A-B", "B-A", "C-A", "A-B"])
    assert list(out["comparison"]) == ["A - B", "C - A"]
    m = d.groupby("trt", observed=True)["y"].mean()
    s2 = float(((d["y"] - d["trt"].map(m).astype(float)) ** 2).sum()) / 9
    se = np.sqrt(s2 * 2 / 4)
    est = np.array([m["A"] - m["B"], m["C"] - m["A"]])
    np.testing.assert_allclose(out["estimate"], est, rtol=1e-12)
    raw = 2 * stats.t.sf(np.abs(est / se), 9)
    order = np.argsort(raw)
    adj = np.empty(2)
    adj[order] = np.minimum(1, np.maximum.accumulate(raw[order] * np.array([2, 1])))
    np.testing.assert_allclose(out["p.value"], adj, rtol=1e-8)
    with pytest.raises(AsrError, match="two distinct levels"):
        r_pairwise_comparisons(fit, classify="trt", pairs="A-A")


def test_pairwise_pair_naming_an_aliased_level_says_aliased() -> None:
    """biometryassist 1.5.0's stop_unknown_levels(): a level dropped as aliased (an empty
    cell of Trt*Site) is named as aliased, not unknown; a level that never existed as
    unknown; a pair with no '-' split into two parts cannot be parsed. Own data."""
    from asr_py.translate.raov import r_aov
    from asr_py.translate.rpairwise import r_pairwise_comparisons

    d = pd.DataFrame({"Trt": list("AABBBB"), "Site": list("XXXXYY"),
                      "y": [1.0, 1.4, 2.2, 2.0, 3.1, 3.5]})
    fit = r_aov("y ~ Trt * Site", data=d.astype({"Trt": "category", "Site": "category"}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(AsrError, match="Aliased .*A:Y") as err:
            r_pairwise_comparisons(fit, classify="Trt:Site", pairs="A:Y-B:Y")
        assert "Unknown level" not in str(err.value)
        with pytest.raises(AsrError, match="Unknown level.*C:X"):
            r_pairwise_comparisons(fit, classify="Trt:Site", pairs="A:X-C:X")
        with pytest.raises(AsrError, match="Could not unambiguously parse"):
            r_pairwise_comparisons(fit, classify="Trt:Site", pairs="A:X-B:X-B:Y")
        ok = r_pairwise_comparisons(fit, classify="Trt:Site", pairs="A:X-B:X")
    assert ok["estimate"].iloc[0] == pytest.approx(1.2 - 2.1)


def test_pairwise_by_group_of_an_asreml_fit() -> None:
    """by = 'Irrigation': the comparisons within each irrigation level, the SE from the
    predictions' covariance V (√(V_ii + V_jj − 2V_ij), read here from predict(vcov=TRUE)),
    ν the Wald denDF of the interaction term."""
    from asr_py.translate.rpairwise import r_pairwise_comparisons

    fit = _fit("Yield ~ Variety * Irrigation", "~ Block + Block:WholePlot", "~ units",
               _data("exercise12", "Yield"))
    out = r_pairwise_comparisons(fit, classify="Variety:Irrigation", by="Irrigation")
    assert list(out.columns[:3]) == ["Irrigation", "level1", "level2"]
    assert len(out) == 2 * 10                                  # choose(5, 2) per group
    p = fit.predict(classify="Variety:Irrigation", vcov=True)
    v = np.asarray(p.attrs["vcov"], dtype=float)
    lab = {(str(a), str(b)): k for k, (a, b) in enumerate(zip(p["Variety"], p["Irrigation"],
                                                               strict=True))}
    for _, r in out.iterrows():
        i, j = lab[(r["level1"], r["Irrigation"])], lab[(r["level2"], r["Irrigation"])]
        assert r["std.error"] == pytest.approx(np.sqrt(v[i, i] + v[j, j] - 2 * v[i, j]))
    assert set(out["df"]) == {r_wald_df(fit, "Variety:Irrigation")}


def test_dashes_in_levels_become_underscores() -> None:
    """biometryassist replaces '-' in level names by '_' with a warning (multcompView splits
    comparison names at '-'); the table is otherwise that of the undashed levels."""
    d = _data("example3", "Yield")
    base = _mct(_fit("Yield ~ Variety", "~ Block", "~ id(Plot)", d), "Variety", None)
    dashed = d.assign(Variety=d["Variety"].cat.rename_categories(
        lambda s: "Kas-pa" if s == "Kaspa" else s))
    fit = _fit("Yield ~ Variety", "~ Block", "~ id(Plot)", dashed)
    with pytest.warns(UserWarning, match="The treatment level Kas-pa contained '-'"):
        out = r_multiple_comparisons(fit, classify="Variety")
    assert list(out["Variety"].astype(str)) == [
        "Kas_pa" if s == "Kaspa" else s for s in base["Variety"].astype(str)]
    assert list(out["groups"]) == list(base["groups"])
