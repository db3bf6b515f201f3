"""Which levels predict() lists, as asreml decides them.

asreml builds its model from the data rows it keeps: under ``na.method(y = "include")`` (the
default) a row with a missing response stays in the model, so a factor level seen only on
such rows is a level of the model and is predicted (Aliased for a fixed factor, BLUP 0 with
its prior variance as PEV for a random one); under ``y = "omit"``, or outside ``subset=``,
that row is gone and so is the level. Evidence:

* asremlPlus (briencj/asremlPlus b936278) tests/testthat/test42Variofaces.r, default
  na.method: ``nrow(predict(current.asr, classify = "Lines")$pvals) == 247`` for chkpeadat,
  whose 247 Lines include 3 with every Biomass.plant missing
  (fetched asremlplus_chkpea_biomass.csv).
* Breeding-Insight/alfalfa_BLUE (f88c708) scripts/estimate_blue.r: the phase-2 fit
  ``predicted.value ~ geno_id_Meng + year``, ``na.method(y = "omit", x = "omit")``, on the
  phase-1 predictions of 652 genotypes, NA for genotypes without a 2022 (2023) record;
  asreml's recorded data/processed/blue_2phase_results.csv lists 634 genotypes, exactly
  those with a record in some year, and blue_2phase_by_year_results.csv 634 x 2 rows, all
  Estimable (fetched alfalfa_blue_geno_records.csv).

The prediction error variance of a random level without records is checked against a dense
mixed model (tests/results/_dense_mme.py) whose Z has a column for that level (all zero).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_mme import DenseMME, Design, average_rows, equal, sed_of
from _fetched import fetched

import asr_py as asr


@pytest.fixture(scope="module")
def alfalfa() -> pd.DataFrame:
    """Phase-2 data of alfalfa_BLUE's estimate_blue.r: one row per genotype and year, the
    response NA where the genotype has no record that year (asreml's phase-1 prediction of
    it is Aliased, NA); values: the genotype's mean spread that year (any values would do:
    the rule concerns which levels are listed)."""
    g = pd.read_csv(fetched("alfalfa_blue_geno_records.csv"))
    rows = []
    for yr in ("22", "23"):
        v = g[f"mean{yr}"].where(g[f"n{yr}"] > 0)
        rows.append(pd.DataFrame({"geno_id_Meng": g["geno_id_Meng"], "year": yr,
                                  "predicted.value": v}))
    d = pd.concat(rows, ignore_index=True)
    d["geno_id_Meng"] = pd.Categorical(d["geno_id_Meng"])
    return d


def test_omit_leaves_out_levels_without_records_alfalfa(alfalfa: pd.DataFrame) -> None:
    g = pd.read_csv(fetched("alfalfa_blue_geno_records.csv"))
    recorded = set(g.loc[g["in_asreml_pvals"] == 1, "geno_id_Meng"])
    before = alfalfa.copy()
    m = asr.asreml("predicted.value ~ geno_id_Meng + year", data=alfalfa,
                   na_action={"y": "omit", "x": "omit"})
    p = m.predict("geno_id_Meng")
    assert len(p) == 634 and set(p["geno_id_Meng"]) == recorded
    assert (p["status"] == "Estimable").all() and p["predicted.value"].notna().all()
    py = m.predict("geno_id_Meng:year")
    assert len(py) == 1268 and (py["status"] == "Estimable").all()
    pd.testing.assert_frame_equal(alfalfa, before)


def test_include_lists_levels_without_records_alfalfa(alfalfa: pd.DataFrame) -> None:
    """The same data under the default y = 'include': the 18 genotypes without any record
    are in the model, not estimable (a fixed factor)."""
    g = pd.read_csv(fetched("alfalfa_blue_geno_records.csv"))
    p = asr.asreml("predicted.value ~ geno_id_Meng + year", data=alfalfa).predict(
        "geno_id_Meng")
    assert len(p) == 652
    none = set(g.loc[(g["n22"] == 0) & (g["n23"] == 0), "geno_id_Meng"])
    assert set(p.loc[p["status"] == "Aliased", "geno_id_Meng"]) == none and len(none) == 18
    assert p.loc[p["status"] == "Aliased", "predicted.value"].isna().all()


def test_include_lists_levels_without_records_chkpea() -> None:
    """asremlPlus test42Variofaces.r: 247 Lines predicted, 3 of them without a response."""
    d = pd.read_csv(fetched("asremlplus_chkpea_biomass.csv"))
    empty = d.groupby("Lines")["Biomass.plant"].count()
    empty = set(empty.index[empty == 0])
    assert len(empty) == 3
    p = asr.asreml("Biomass.plant ~ Smarthouse + Lines + TRT", data=d).predict("Lines")
    assert len(p) == 247
    assert set(p.loc[p["status"] == "Aliased", "Lines"]) == empty
    q = asr.asreml("Biomass.plant ~ Smarthouse + Lines + TRT", data=d,
                   na_action={"y": "omit"}).predict("Lines")
    assert len(q) == 244 and not set(q["Lines"]) & empty


def _blocks(seed: int = 3) -> pd.DataFrame:
    """Varieties in 6 blocks (unbalanced), a covariate; block B5's responses all missing."""
    rng = np.random.default_rng(seed)
    rows = [(v, b) for b in range(6) for v in range(5) if rng.random() > 0.15]
    d = pd.DataFrame(rows, columns=["V", "Blk"]).astype(str)
    d["V"] = "v" + d["V"]
    d["Blk"] = "B" + d["Blk"]
    d["x"] = rng.normal(40, 6, len(d)).round(1)
    blk = dict(zip([f"B{k}" for k in range(6)], rng.normal(0, 250, 6)))
    d["y"] = (4000 + 8 * (d["x"] - 40) + d["Blk"].map(blk) + rng.normal(0, 300, len(d)))
    d.loc[d["Blk"] == "B5", "y"] = np.nan
    d.loc[d.index[[1, 7]], "y"] = np.nan
    return d


def test_random_level_without_records_pev_is_its_variance() -> None:
    """A random factor's level seen only on rows with a missing response (include): its
    BLUP is 0 and its PEV σ²_Blk; the dense MME with a zero Z column for B5 agrees on the
    values, standard errors, SEDs and V."""
    d = _blocks()
    before = d.copy()
    m = asr.asreml("y ~ V + x", random="~ Blk", data=d)
    pd.testing.assert_frame_equal(d, before)
    s2b, s2e = m.result.theta
    tab = m.predict("Blk", sed=True, vcov=True)
    blks = [f"B{k}" for k in range(6)]
    assert list(tab["Blk"]) == blks and (tab["status"] == "Estimable").all()
    fit = d.dropna(subset=["y"]).reset_index(drop=True)
    lev = {"V": sorted(d["V"].unique()), "Blk": blks}
    fx, rz = Design([(), ("V",), ("x",)], lev), Design([("Blk",)], lev)
    mme = DenseMME(fx.rows(fit), rz.rows(fit), s2b * np.eye(6), s2e * np.eye(len(fit)),
                   fit["y"].to_numpy(float))
    xbar = {"x": float(d["x"].mean())}  # over every row, missing responses too (asreml)
    L = np.array([np.concatenate([average_rows(fx, {"Blk": b}, {"V": equal(lev["V"])}, xbar),
                                  average_rows(rz, {"Blk": b}, {})]) for b in blks])
    pv, V = mme.predict(L)
    np.testing.assert_allclose(tab["predicted.value"], pv, rtol=1e-8)
    np.testing.assert_allclose(tab["std.error"], np.sqrt(np.diag(V)), rtol=1e-6)
    np.testing.assert_allclose(tab.attrs["vcov"].to_numpy(float), V, rtol=1e-6,
                               atol=1e-9 * np.abs(V).max())
    np.testing.assert_allclose(tab.attrs["sed"].to_numpy(float), sed_of(V), rtol=1e-6,
                               atol=1e-9 * np.abs(V).max())
    # B5's variance: the fixed part's plus σ²_Blk (û_B5 = 0 is uncorrelated with the data)
    Lf = L[5].copy()
    Lf[fx.ncol:] = 0.0
    assert tab["std.error"].iloc[5] ** 2 == pytest.approx(mme.predict(Lf)[1][0, 0] + s2b,
                                                          rel=1e-6)


def test_omit_and_subset_drop_the_level() -> None:
    """Under y = 'omit' block B5 is not a level of the model; nor is a level outside
    subset= (even under include)."""
    d = _blocks()
    p = asr.asreml("y ~ V + x", random="~ Blk", data=d,
                   na_action={"y": "omit"}).predict("Blk")
    assert list(p["Blk"]) == [f"B{k}" for k in range(5)]
    q = asr.asreml("y ~ V + x", random="~ Blk", data=d.assign(y=d["y"].fillna(1.0)),
                   subset=d["Blk"] != "B5").predict("Blk")
    assert list(q["Blk"]) == [f"B{k}" for k in range(5)]
    # a fixed factor's level outside the subset: not listed (was listed as Aliased)
    r = asr.asreml("y ~ Blk + x", random="~ V", data=d.assign(y=d["y"].fillna(1.0)),
                   subset=d["Blk"] != "B5").predict("Blk")
    assert list(r["Blk"]) == [f"B{k}" for k in range(5)]


def test_structured_random_level_without_records_has_no_se() -> None:
    """A level without records of a term whose levels are not exchangeable (its own
    variance in idh()): the covariance is not known, the standard error is NaN."""
    d = _blocks()
    m = asr.asreml("y ~ V + x", random="~ idh(Blk)", data=d)
    tab = m.predict("Blk")
    assert len(tab) == 6
    assert np.isnan(tab["std.error"].iloc[5]) and np.isfinite(tab["std.error"].iloc[:5]).all()


def test_levels_may_name_a_level_without_records() -> None:
    """levels= can ask for the unfitted level alone (include): the same row as in the full
    table."""
    d = _blocks()
    m = asr.asreml("y ~ V + x", random="~ Blk", data=d)
    one = m.predict("Blk", levels={"Blk": ["B5"]})
    full = m.predict("Blk").set_index("Blk").loc["B5"]
    assert len(one) == 1
    assert one["predicted.value"].iloc[0] == pytest.approx(full["predicted.value"], rel=1e-12)
    assert one["std.error"].iloc[0] == pytest.approx(full["std.error"], rel=1e-12)


def test_random_interaction_with_level_without_records_matches_dense_mme() -> None:
    """Blk + V:Blk random, B5 without a response: predicting Blk averages V (fixed) and
    V:Blk enters with each (v, B5) effect iid N(0, σ²_V:Blk), none in the fit; the dense
    MME with zero Z columns for B5 and its V:Blk cells gives the same values, SEs and V."""
    d = _blocks(seed=8)
    m = asr.asreml("y ~ V + x", random="~ Blk + V:Blk", data=d)
    names = list(m.result.names)
    s2b, s2vb, s2e = (m.result.theta[names.index(k)] for k in ("Blk", "V:Blk", "units!R"))
    tab = m.predict("Blk", vcov=True)
    blks = [f"B{k}" for k in range(6)]
    assert list(tab["Blk"]) == blks
    fit = d.dropna(subset=["y"]).reset_index(drop=True)
    lev = {"V": sorted(d["V"].unique()), "Blk": blks}
    fx = Design([(), ("V",), ("x",)], lev)
    rz = Design([("Blk",), ("V", "Blk")], lev)
    G = np.diag(np.r_[np.full(6, s2b), np.full(5 * 6, s2vb)])
    mme = DenseMME(fx.rows(fit), rz.rows(fit), G, s2e * np.eye(len(fit)),
                   fit["y"].to_numpy(float))
    xbar = {"x": float(d["x"].mean())}  # over every row, missing responses too (asreml)
    vs = {"V": equal(lev["V"])}
    L = np.array([np.concatenate([average_rows(fx, {"Blk": b}, vs, xbar),
                                  average_rows(rz, {"Blk": b}, vs)]) for b in blks])
    pv, V = mme.predict(L)
    np.testing.assert_allclose(tab["predicted.value"], pv, rtol=1e-8)
    np.testing.assert_allclose(tab["std.error"], np.sqrt(np.diag(V)), rtol=1e-6)
    np.testing.assert_allclose(tab.attrs["vcov"].to_numpy(float), V, rtol=1e-6,
                               atol=1e-9 * np.abs(V).max())
