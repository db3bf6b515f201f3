"""emmeans() / pairs() / contrast() (asr_py.compat.emmeans) for lm and lmer fits.

Sources: tests/data/kr_reference.json (emmeans 1.8.4-1 on lme4 1.1-31 fits with
``lmer.df = "asymptotic"``, written by tests/data/kr_reference.R); the emmeans output that
AparicioJohan/trainingMM's rendered page docs/pages/04_covariates_LM.html records for its
example_1 RCBD (linfct, rounded V, the means and SEs); closed forms of a balanced design."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from asr_py.compat import emmeans as em
from asr_py.compat import lme4
from asr_py.errors import AsrError
from asr_py.translate.rlm import r_lm

DATA = Path(__file__).resolve().parents[1] / "data"
KR = json.loads((DATA / "kr_reference.json").read_text())
ASYM = {"lmer.df": "asymptotic"}

#: AparicioJohan/trainingMM data/example_1.csv (an RCBD: 4 genotypes in 3 blocks), 12 rows
EX1 = pd.DataFrame({
    "block": [1, 2, 3] * 4,
    "gen": [g for g in ("g1", "g2", "g3", "g4") for _ in range(3)],
    "yield": [7.4, 6.5, 5.6, 9.8, 6.8, 6.2, 7.3, 6.1, 6.4, 9.5, 8.0, 7.4]})


def test_lmer_asymptotic_means_and_pairs_match_emmeans() -> None:
    ref = KR["dt_example"]
    m = lme4.lmer("Yield ~ Env + (1 | Name)", pd.read_csv(DATA / "DT_example.csv"))
    g = em.emmeans(m, "~ Env", **ASYM)
    np.testing.assert_allclose(g["emmean"], ref["emmean"], rtol=1e-8)
    np.testing.assert_allclose(g["SE"], ref["asym_emmean_se"], rtol=1e-6)
    np.testing.assert_allclose(g.vcov(), ref["asym_emm_vcov"], rtol=1e-6)
    assert np.isinf(g["df"]).all() and "asymp.LCL" in g.columns
    p = em.pairs(g, adjust="none")
    assert list(p["contrast"]) == ref["pairs"]
    np.testing.assert_allclose(p["SE"], ref["asym_pairs_se"], rtol=1e-6)
    # emmeans(fit, pairwise ~ Env): the means and their contrasts
    both = em.emmeans(m, "pairwise ~ Env", **ASYM)
    np.testing.assert_allclose(both["contrasts"]["SE"], ref["asym_pairs_se"], rtol=1e-6)
    np.testing.assert_allclose(both["emmeans"]["emmean"], ref["emmean"], rtol=1e-8)


def test_lmer_default_is_kenward_roger_as_emmeans() -> None:
    """emmeans' default for lmer fits (pbkrtest installed): the KR-adjusted covariance and
    KR df, per mean and per contrast (kr_reference.json, dt_example and oats)."""
    ref = KR["dt_example"]
    m = lme4.lmer("Yield ~ Env + (1 | Name)", pd.read_csv(DATA / "DT_example.csv"))
    g = em.emmeans(m, "~ Env")
    np.testing.assert_allclose(g["SE"], ref["emmean_se"], rtol=1e-6)
    np.testing.assert_allclose(g["df"], ref["emmean_df"], rtol=1e-6)
    np.testing.assert_allclose(g.vcov(), ref["emm_vcov"], rtol=1e-6)
    assert "lower.CL" in g.columns
    p = em.pairs(g, adjust="none")
    np.testing.assert_allclose(p["SE"], ref["pairs_se"], rtol=1e-6)
    np.testing.assert_allclose(p["df"], ref["pairs_df"], rtol=1e-6)
    assert "t.ratio" in p.columns
    o = pd.read_csv(DATA / "DT_yatesoats.csv", dtype={"N": str})
    m3 = lme4.lmer("Y ~ V * N + (1 | B) + (1 | B:MP)", o)
    pv = em.pairs(em.emmeans(m3, "~ V"), adjust="none")
    np.testing.assert_allclose(pv["SE"], KR["oats"]["pairs_V_se"], rtol=1e-5)
    np.testing.assert_allclose(pv["df"], KR["oats"]["pairs_V_df"], rtol=1e-5)
    pvn = em.pairs(em.emmeans(m3, "~ V:N"), adjust="none")
    np.testing.assert_allclose(pvn["df"], KR["oats"]["pairs_VN_df"], rtol=1e-5)
    np.testing.assert_allclose(pvn["SE"], KR["oats"]["pairs_VN_se"], rtol=1e-5)


def test_two_factor_means_of_a_split_plot() -> None:
    """Yates' oats: V:N means (12 cells, a full model: the cell means) and their SEs."""
    ref = KR["oats"]
    o = pd.read_csv(DATA / "DT_yatesoats.csv", dtype={"N": str})
    m = lme4.lmer("Y ~ V * N + (1 | B) + (1 | B:MP)", o)
    g = em.emmeans(m, "~ V:N", **ASYM)
    assert list(g.columns[:2]) == ["V", "N"]
    np.testing.assert_allclose(g["emmean"], ref["asym_emm_VN"], rtol=1e-8)
    np.testing.assert_allclose(g["SE"], ref["asym_emm_VN_se"], rtol=1e-5)
    np.testing.assert_allclose(em.pairs(g, adjust="none")["SE"],
                               json.loads(json.dumps(ref["asym_pairs_VN_se"])), rtol=1e-5)
    np.testing.assert_allclose(em.pairs(em.emmeans(m, "V", **ASYM), adjust="none")["SE"],
                               ref["asym_pairs_V_se"], rtol=1e-5)


def test_lm_means_match_the_recorded_trainingmm_output() -> None:
    """lm(yield ~ 1 + covariate + gen), covariate = as.numeric(block): emmeans' linfct puts
    the covariate at its mean (2); V = vcov(lm); means 6.5 7.6 6.6 8.3, SE 0.4."""
    d = EX1.copy()
    d["covariate"] = d["block"].astype(float)
    g = em.emmeans(r_lm("yield ~ 1 + covariate + gen", data=d), "~gen")
    np.testing.assert_allclose(g["linfct"], [[1, 2, 0, 0, 0], [1, 2, 1, 0, 0],
                                             [1, 2, 0, 1, 0], [1, 2, 0, 0, 1]])
    np.testing.assert_allclose(np.round(g["V"], 2),
                               [[0.40, -0.12, -0.16, -0.16, -0.16],
                                [-0.12, 0.06, 0, 0, 0], [-0.16, 0, 0.32, 0.16, 0.16],
                                [-0.16, 0, 0.16, 0.32, 0.16], [-0.16, 0, 0.16, 0.16, 0.32]])
    np.testing.assert_allclose(g["linfct"] @ g["bhat"], [6.5, 7.6, 6.6, 8.3], atol=1e-12)
    np.testing.assert_allclose(g["SE"], 0.4, rtol=1e-12)
    assert (g["df"] == 7).all()


def test_lm_means_closed_form_balanced_rcbd() -> None:
    """lm(yield ~ block + gen) on a balanced RCBD: the gen means are the raw means, SE =
    sigma / sqrt(blocks), pairs SE = sigma sqrt(2 / blocks), df = residual df; the block
    means average over gen with equal weights (the raw block means)."""
    d = EX1.assign(block=EX1["block"].astype(str))
    fit = r_lm("yield ~ block + gen", data=d)
    g = em.emmeans(fit, "gen")
    raw = d.groupby("gen")["yield"].mean()
    np.testing.assert_allclose(g["emmean"], raw.to_numpy(), atol=1e-12)
    np.testing.assert_allclose(g["SE"], fit.sigma / np.sqrt(3), rtol=1e-12)
    p = em.pairs(g, adjust="none")
    np.testing.assert_allclose(p["SE"], fit.sigma * np.sqrt(2 / 3), rtol=1e-12)
    assert list(p["contrast"])[:2] == ["g1 - g2", "g1 - g3"]
    np.testing.assert_allclose(em.emmeans(fit, "~ block")["emmean"],
                               d.groupby("block")["yield"].mean().to_numpy(), atol=1e-12)
    # Tukey's adjustment of two means is the unadjusted t test
    two = em.emmeans(r_lm("yield ~ gen", data=d[d["gen"].isin(["g1", "g2"])]), "gen")
    np.testing.assert_allclose(em.pairs(two)["p.value"],
                               em.pairs(two, adjust="none")["p.value"], rtol=1e-6)


def test_by_groups_and_contrast_methods() -> None:
    o = pd.read_csv(DATA / "DT_yatesoats.csv", dtype={"N": str})
    fit = r_lm("Y ~ V * N", data=o)
    g = em.emmeans(fit, "~ N | V")
    c = em.contrast(g, "trt.vs.ctrl", adjust="none")
    assert len(c) == 9 and list(c.columns[:2]) == ["contrast", "V"]
    means = o.groupby(["V", "N"])["Y"].mean()
    first = c.iloc[0]
    assert first["estimate"] == pytest.approx(
        means[(first["V"], first["contrast"].split(" - ")[0])] -
        means[(first["V"], first["contrast"].split(" - ")[1])], abs=1e-10)
    eff = em.contrast(em.emmeans(fit, "V"), "eff")
    assert eff["estimate"].sum() == pytest.approx(0, abs=1e-10)
    own = em.contrast(em.emmeans(fit, "V"), {"a-b": [1, -1, 0]}, adjust="none")
    assert own["estimate"].iloc[0] == pytest.approx(
        o.groupby("V")["Y"].mean().iloc[0] - o.groupby("V")["Y"].mean().iloc[1], abs=1e-10)


def test_errors_say_what() -> None:
    fit = r_lm("yield ~ gen", data=EX1)
    with pytest.raises(AsrError, match="not a factor"):
        em.emmeans(fit, "~ block")
    with pytest.raises(AsrError, match="not supported"):
        em.emmeans(pd.DataFrame(), "~ x")
    with pytest.raises(AsrError, match="coefficients"):
        em.contrast(em.emmeans(fit, "gen"), {"x": [1, -1]})


def test_asreml_fit_means_are_the_lmer_asymptotic_means() -> None:
    """emmeans of an asreml fit of Yield ~ Env, random Name: its predictions, which equal
    emmeans' asymptotic means of the same lmer fit (kr_reference.json)."""
    import asr_py as asr

    ref = KR["dt_example"]
    fit = asr.asreml("Yield ~ Env", "~ Name", data=pd.read_csv(DATA / "DT_example.csv"))
    g = em.emmeans(fit, "~ Env")
    np.testing.assert_allclose(g["emmean"], ref["emmean"], rtol=1e-6)
    np.testing.assert_allclose(g["SE"], ref["asym_emmean_se"], rtol=1e-5)
    np.testing.assert_allclose(em.pairs(g, adjust="none")["SE"], ref["asym_pairs_se"],
                               rtol=1e-5)
