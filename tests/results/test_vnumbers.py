"""vpredict's V-numbers follow asreml's: a residual with its own variances gets asreml's
fixed scale row ``<term>!R`` (value 1, constraint F) in the numbering.

Where asreml puts that row, from recorded asreml 4 outputs and the scripts written on them:
the bivariate animal model of the WAM tutorial (JulienGAMartin/wam_tuto, 03_01-biv_asreml.Rmd:
``residual = ~ id(units):us(trait)``; its printed varcomp has ``units:trait!R`` = 1 as V4 and
the residual (co)variances as V5-V7, ``r_res ~ V6 / sqrt(V5 * V7)``); the univariate one
(02_01-univ_asreml.Rmd: ``residual = ~ idv(units)``, ``h2 ~ V1 / (V1 + V2)`` with V2 the
residual variance ``units!units``, ``units!R`` after it); a spatial wheat trial
(lfdelgadom/genomic_prediction_asreml WHEAT.R: two random terms and ``~ ar1(col):ar1v(row)``,
``H2 ~ V2 / (V1 + V2 + V6)`` with V6 the row variance); a repeated-measures model
(ConradStack/ASReml-R-Short-Course RepMeas.R: ``~ Indiv:ar1h(Timef)`` over 4 times after two
random terms, the 4 variances are V5-V8); asremlPlus's test41EstimateV.r (``~ idv(Smarthouse):
ar1(Lane):ar1(Position)`` after two random terms: the variance is ``vparameters[4]``, so a
product residual's scale row comes first).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def _field(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"row": np.repeat(np.arange(1, 9), 6), "col": np.tile(np.arange(1, 7), 8)})
    d["rep"] = np.where(d["col"] <= 3, "r1", "r2")
    d["gen"] = rng.choice([f"g{k}" for k in range(12)], len(d))
    d["y"] = 5 + rng.normal(size=len(d)) + np.repeat(rng.normal(size=8), 6) * 0.5
    for c in ("row", "col"):
        d[c] = d[c].astype(str)
    return d


def _long(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_ind, times = 30, [1, 2, 3, 4]
    d = pd.DataFrame({"ind": np.repeat([f"i{k}" for k in range(n_ind)], 4),
                      "time": np.tile([str(t) for t in times], n_ind)})
    d["fam"] = d["ind"].map(lambda s: f"f{int(s[1:]) % 6}")
    ind_eff = np.repeat(rng.normal(size=n_ind), 4)
    d["y"] = ind_eff * np.tile([1.0, 1.5, 2.0, 2.5], n_ind) + rng.normal(size=len(d)) * \
        np.tile([1.0, 1.2, 1.5, 2.0], n_ind)
    return d


def test_bivariate_residual_covariances_are_v5_to_v7_after_the_fixed_scale() -> None:
    rng = np.random.default_rng(7)
    d = pd.DataFrame({"g": np.repeat([f"g{k}" for k in range(15)], 4)})
    d["y1"] = rng.normal(size=60) + np.repeat(rng.normal(size=15), 4)
    d["y2"] = 0.5 * d["y1"] + rng.normal(size=60)
    m = asr.asreml("cbind(y1, y2) ~ trait", random="~ us(trait):g",
                   residual="~ id(units):us(trait)", data=d)
    vc = m.varcomp["component"]
    scale = m.vpredict("s ~ V4")
    assert scale.loc["s", "Estimate"] == 1.0 and scale.loc["s", "SE"] == 0.0
    r = m.vpredict("r_res ~ V6 / sqrt(V5 * V7)")
    res = [n for n in vc.index if n.startswith("units:trait!")]
    assert r.loc["r_res", "Estimate"] == pytest.approx(
        vc[res[1]] / np.sqrt(vc[res[0]] * vc[res[2]]), rel=1e-12)
    # the same parameters by name give the same SE (the fixed row adds no variance)
    named = m.vpredict(f"r ~ `{res[1]}` / sqrt(`{res[0]}` * `{res[2]}`)")
    assert named.loc["r", "SE"] == pytest.approx(r.loc["r_res", "SE"], rel=1e-12)
    assert m.vpredict("g ~ V2").loc["g", "Estimate"] == pytest.approx(vc.iloc[1])
    with pytest.raises(asr.AsrError, match="V8 does not exist: the model has 7"):
        m.vpredict("x ~ V8")


def test_spatial_ar1v_row_variance_is_v6() -> None:
    m = asr.asreml("y ~ rep", random="~ rep:col + gen", residual="~ ar1(col):ar1v(row)",
                   data=_field())
    vc = m.varcomp["component"]
    h2 = m.vpredict("H2 ~ V2 / (V1 + V2 + V6)")
    assert h2.iloc[0, 0] == pytest.approx(vc.iloc[1] / (vc.iloc[0] + vc.iloc[1] +
                                                        vc["col:row!row!var"]), rel=1e-12)
    # a product residual: the scale row first (as idv(Smarthouse):ar1(Lane):ar1(Position)
    # in asremlPlus's test41EstimateV.r), then the column correlation
    assert m.vpredict("s ~ V3").iloc[0, 0] == 1.0
    assert m.vpredict("c ~ V4").iloc[0, 0] == pytest.approx(vc["col:row!col!cor"])


def test_ar1h_variances_are_v5_to_v8() -> None:
    m = asr.asreml("y ~ time", random="~ fam + fam:time", residual="~ ind:ar1h(time)",
                   data=_long())
    vc = m.varcomp["component"]
    var = [n for n in vc.index if n.startswith("ind:time!time_")]
    got = [m.vpredict(f"v ~ V{k}").iloc[0, 0] for k in (5, 6, 7, 8)]
    np.testing.assert_allclose(got, vc[var].to_numpy(), rtol=1e-12)
    assert m.vpredict("s ~ V3").iloc[0, 0] == 1.0
    assert m.vpredict("c ~ V4").iloc[0, 0] == pytest.approx(vc["ind:time!time!cor"])


def test_idv_units_scale_follows_the_residual_variance() -> None:
    d = _field()
    m = asr.asreml("y ~ 1", random="~ gen", residual="~ idv(units)", data=d)
    vc = m.varcomp["component"]
    h2 = m.vpredict("h2 ~ V1 / (V1 + V2)")
    assert h2.iloc[0, 0] == pytest.approx(vc.iloc[0] / (vc.iloc[0] + vc.iloc[1]), rel=1e-12)
    assert m.vpredict("s ~ V3").iloc[0, 0] == 1.0


def test_default_residual_numbering_is_unchanged() -> None:
    d = _field()
    m = asr.asreml("y ~ 1", random="~ gen", data=d)
    vc = m.varcomp["component"]
    assert m.vpredict("e ~ V2").iloc[0, 0] == pytest.approx(vc["units!R"])
    with pytest.raises(asr.AsrError, match="V3 does not exist"):
        m.vpredict("x ~ V3")


# ----- the order of the random terms ---------------------------------------------------------
# asreml lists the random terms by their number of effects, smallest first (ties in formula
# order), whatever the formula's order. Recorded: the WAM tutorial (02_01-univ_asreml.Rmd,
# ``vm(animal, ainv) + byear``: ``h2 ~ V2 / (V1 + V2 + V3)`` and "the variance explained by
# byear is varcomp[1, 1]"; its asreml 4.1 printout of ``vm(ANIMAL, ainv) + BYEAR + MOTHER``
# lists BYEAR, MOTHER, vm(ANIMAL, ainv)); devisatarkar/SocNet_ASRemL_herit-natal ``id +
# logger``: the logger repeatability is V1 (0.318, as its logger-only model's 0.292), and
# ``vm(id, ped_inv) + ide(id) + logger``: logger V1, h2 V2; agridat's barrero.maize printout
# (``gen + rep:loc:yearf + ...``: rep:loc:yearf, 428 effects, before gen, 847).

def _two_sizes(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 240
    d = pd.DataFrame({"big": [f"b{i}" for i in rng.integers(0, 40, n)],
                      "small": [f"s{i}" for i in rng.integers(0, 5, n)],
                      "twin": [f"t{i}" for i in rng.integers(0, 5, n)]})
    eff_b = dict(zip([f"b{i}" for i in range(40)], rng.normal(size=40)))
    eff_s = dict(zip([f"s{i}" for i in range(5)], 2 * rng.normal(size=5)))
    d["y"] = d["big"].map(eff_b) + d["small"].map(eff_s) + rng.normal(size=n)
    return d


def test_random_terms_are_listed_smallest_first() -> None:
    from asr_py.translate.runtime import r_varcomp, r_vparameters

    d = _two_sizes()
    m = asr.asreml("y ~ 1", random="~ big + small", data=d)
    assert list(m.varcomp.index) == ["small", "big", "units!R"]
    assert list(m.params["Component"]) == ["big", "small", "units!R"]   # θ order unchanged
    comp = dict(zip(m.result.names, m.result.theta))
    for k, name in enumerate(["small", "big", "units!R"], start=1):
        assert m.vpredict(f"v ~ V{k}").loc["v", "Estimate"] == pytest.approx(comp[name])
        assert m.varcomp["component"].iloc[k - 1] == pytest.approx(comp[name])
    h2 = m.vpredict("h2 ~ V2 / (V1 + V2 + V3)").loc["h2", "Estimate"]
    assert h2 == pytest.approx(comp["big"] / sum(comp.values()))
    assert list(r_vparameters(m).index) == ["small", "big", "units!R"]
    assert list(r_varcomp(m).index) == ["small", "big", "units!R"]
    # the same model written the other way round lists the same rows
    m2 = asr.asreml("y ~ 1", random="~ small + big", data=d)
    assert list(m2.varcomp.index) == list(m.varcomp.index)
    np.testing.assert_allclose(m2.varcomp["component"], m.varcomp["component"], rtol=1e-5)


def test_terms_of_equal_size_keep_formula_order_and_residual_stays_last() -> None:
    from asr_py.translate.runtime import r_varcomp

    d = _two_sizes()
    m = asr.asreml("y ~ 1", random="~ twin + big + small", residual="~ idv(units)", data=d)
    names = list(m.varcomp.index)
    assert names[:3] == ["twin", "small", "big"]          # twin and small: 5 levels each
    assert names[3].startswith("units")
    vc = r_varcomp(m)
    assert list(vc.index[:3]) == ["twin", "small", "big"] and vc.index[-1] == "units!R"
    comp = dict(zip(m.result.names, m.result.theta))
    assert m.vpredict("v ~ V4").loc["v", "Estimate"] == pytest.approx(comp[names[3]])


def test_a_str_term_counts_its_groups() -> None:
    """asremlPlus's test41Orange.r (asreml 4.1): ``str(~ Tree/x, ~ diag(2):id(5)) + spl(x) +
    spl(x):Tree`` has the str term's two variances as ``vparameters[1:2]``, ahead of spl(x)
    (5 effects) although the str term has 10: it counts its 5 groups (ties: formula order)."""
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"Tree": np.repeat([f"t{k}" for k in range(5)], 14),
                      "x": np.tile(np.linspace(-1, 1, 14), 5),
                      "blk": np.tile([f"b{k}" for k in range(7)], 10)})
    slope = dict(zip([f"t{k}" for k in range(5)], rng.normal(size=5)))
    d["y"] = d["x"] * d["Tree"].map(slope) + rng.normal(size=len(d)) + \
        d["blk"].map(dict(zip([f"b{k}" for k in range(7)], rng.normal(size=7))))
    m = asr.asreml("y ~ x", random="~ blk + str(~ Tree/x, ~ diag(2):id(5))", data=d)
    names = list(m.varcomp.index)
    assert names[0].startswith("Tree+Tree:x") and names[1].startswith("Tree+Tree:x")
    assert names[2] == "blk" and names[-1] == "units!R"
