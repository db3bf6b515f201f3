"""lme4's lmer() and lme4breeding's lmebreed() (asr_py.compat.lme4) against lme4's recorded
results and an independent dense-V REML computed here.

Recorded results: tests/data/lme4_ml_reference.json (ML fits, anova() LRTs) and
tests/data/lme4_scales_reference.json (REML fits, the unscaled entries), both written by the
R scripts beside them (R 4.2.2, lme4 from Debian bookworm; see tests/data/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.compat import lme4
from asr_py.errors import AsrError

DATA = Path(__file__).resolve().parents[1] / "data"
ML = json.loads((DATA / "lme4_ml_reference.json").read_text())
REML = [r for r in json.loads((DATA / "lme4_scales_reference.json").read_text())
        if r["scale"] == 1 and r["shift"] == 0]
NUMERIC = {"Reaction", "diameter", "Yield", "Days", "strength", "angle", "BWT", "Y"}
# the R formulas of lme4_scales_reference.R; pastes written with lme4's nesting bar g/h,
# which lme4 expands to (1|batch) + (1|batch:cask) as the recorded fit has it
SCALES = {"dyestuff": ("Dyestuff.csv", "Yield ~ 1 + (1|Batch)"),
          "penicillin": ("Penicillin.csv", "diameter ~ 1 + (1|plate) + (1|sample)"),
          "pastes": ("Pastes.csv", "strength ~ 1 + (1|batch/cask)"),
          "cake": ("cake.csv", "angle ~ recipe*temperature + (1|recipe:replicate)"),
          "sleep_us": ("sleepstudy.csv", "Reaction ~ Days + (Days|Subject)"),
          "dt_example": ("DT_example.csv", "Yield ~ Env + (1|Name) + (1|Env:Name)"),
          "gryphon": ("DT_gryphon.csv", "BWT ~ SEX + (1|MOTHER) + (1|BYEAR)"),
          "oats": ("DT_yatesoats.csv", "Y ~ N*V + (1|B) + (1|B:MP)")}


def _read(name: str) -> pd.DataFrame:
    """Read as the R scripts do: every column text, the response and Days numbers."""
    d = pd.read_csv(DATA / name, dtype=str)
    for c in d.columns:
        if c in NUMERIC:
            d[c] = d[c].astype(float)
    return d


@pytest.mark.parametrize("key", sorted(ML["fits"]))
def test_ml_fits_match_lme4(key: str) -> None:
    ref = ML["fits"][key]
    m = lme4.lmer(ref["formula"], _read(ref["data"]), REML=False)
    vc = lme4.VarCorr(m)
    assert list(vc["grp"]) == ref["grp"]
    np.testing.assert_allclose(vc["vcov"], ref["vcov"], rtol=1e-6)
    assert m.loglik == pytest.approx(ref["loglik"], abs=1e-6)
    assert m.npar == ref["df"]
    assert m.aic == pytest.approx(ref["AIC"], abs=1e-6)
    assert m.bic == pytest.approx(ref["BIC"], abs=1e-6)
    fe = lme4.fixef(m)
    assert list(fe.index) == list(np.atleast_1d(ref["fixef_names"]))
    np.testing.assert_allclose(fe, np.atleast_1d(ref["fixef"]), rtol=1e-8)
    np.testing.assert_allclose(np.sqrt(np.diag(lme4.vcov(m))), np.atleast_1d(ref["se_fixef"]),
                               rtol=1e-6)
    assert lme4.nobs(m) == ref["nobs"]


@pytest.mark.parametrize(("pair", "null", "full"), [("sleep", "sleep_null", "sleep_days"),
                                                    ("dtex", "dtex_null", "dtex_env")])
def test_anova_refits_by_ml_and_matches_lme4(pair: str, null: str, full: str) -> None:
    """lme4's anova() refits REML fits by ML: fitted here by REML, the LRT is lme4's."""
    fits = [lme4.lmer(ML["fits"][k]["formula"], _read(ML["fits"][k]["data"]))
            for k in (full, null)]
    tab = lme4.anova(*fits, names=["full", "null"])
    assert list(tab.index) == ["null", "full"]         # sorted by number of parameters
    ref = ML["anova"][pair]
    assert tab["Chisq"].iloc[1] == pytest.approx(ref["chisq"], rel=1e-7)
    assert tab["Df"].iloc[1] == ref["df"]
    assert tab["Pr(>Chisq)"].iloc[1] == pytest.approx(ref["p"], rel=1e-5)
    assert tab["logLik"].iloc[1] == pytest.approx(ML["fits"][full]["loglik"], abs=1e-6)


@pytest.mark.parametrize("ref", REML, ids=[r["model"] for r in REML])
def test_reml_fits_match_lme4(ref: dict) -> None:
    data, formula = SCALES[ref["model"]]
    m = lme4.lmer(formula, _read(data))
    vc = lme4.VarCorr(m)
    assert list(vc["grp"]) == ref["grp"]
    assert [v if isinstance(v, str) else None for v in vc["var1"]] == ref["var1"]
    assert [v if isinstance(v, str) else None for v in vc["var2"]] == ref["var2"]
    np.testing.assert_allclose(vc["vcov"], ref["vcov"], rtol=2e-6)
    assert m.loglik == pytest.approx(ref["loglik"], abs=1e-6)
    assert m.REMLcrit == pytest.approx(-2 * ref["loglik"], abs=2e-6)


def test_double_bar_is_uncorrelated_terms() -> None:
    """(Days || Subject) is lme4's (1 | Subject) + (0 + Days | Subject): the recorded ML
    fit sleep_slope, whose grp names are Subject and Subject.1."""
    ref = ML["fits"]["sleep_slope"]
    m = lme4.lmer("Reaction ~ Days + (Days || Subject)", _read("sleepstudy.csv"), REML=False)
    vc = lme4.VarCorr(m)
    assert list(vc["grp"]) == ref["grp"]
    np.testing.assert_allclose(vc["vcov"], ref["vcov"], rtol=1e-6)
    r = lme4.ranef(m)
    assert list(r) == ["Subject"] and list(r["Subject"].columns) == ["(Intercept)", "Days"]


def _dense(m: lme4.LmerFit, G: np.ndarray) -> dict[str, object]:
    """REML log-likelihood, GLS beta, BLUPs and conditional variances (given beta) from
    V = Z G Z' + s2 I formed densely."""
    X, Z, y = m.X.to_numpy(), m.Z, m.y
    n, p = X.shape
    s2 = m.sigma ** 2
    V = Z @ G @ Z.T + s2 * np.eye(n)
    Vi = np.linalg.inv(V)
    XtViX = X.T @ Vi @ X
    beta = np.linalg.solve(XtViX, X.T @ Vi @ y)
    r = y - X @ beta
    ll = -0.5 * ((n - p) * np.log(2 * np.pi) + np.linalg.slogdet(V)[1]
                 + np.linalg.slogdet(XtViX)[1] + r @ Vi @ r)
    return {"ll": ll, "beta": beta, "u": G @ Z.T @ Vi @ r,
            "condvar": G - G @ Z.T @ Vi @ Z @ G, "vcov": np.linalg.inv(XtViX)}


def test_correlated_slopes_against_dense_reml() -> None:
    """(Days | Subject): G = I_subjects (x) Sigma (subject-major, lme4's Z layout)."""
    m = lme4.lmer("Reaction ~ Days + (Days | Subject)", _read("sleepstudy.csv"))
    vc = lme4.VarCorr(m)
    sig = np.array([[vc["vcov"][0], vc["vcov"][2]], [vc["vcov"][2], vc["vcov"][1]]])
    nl = len(lme4.ranef(m)["Subject"])
    d = _dense(m, np.kron(np.eye(nl), sig))
    assert m.loglik == pytest.approx(d["ll"], abs=1e-8)
    np.testing.assert_allclose(lme4.fixef(m), d["beta"], rtol=1e-9)
    np.testing.assert_allclose(lme4.vcov(m), d["vcov"], rtol=1e-8)
    re = lme4.ranef(m, condVar=True)
    np.testing.assert_allclose(re["Subject"].to_numpy().ravel(), d["u"], atol=1e-8)
    long = re.to_frame()
    assert list(long.columns) == ["grpvar", "term", "grp", "condval", "condsd"]
    sd = np.sqrt(np.diag(d["condvar"])).reshape(nl, 2)
    np.testing.assert_allclose(long["condsd"], np.concatenate([sd[:, 0], sd[:, 1]]),
                               rtol=1e-7)
    # theta: the relative covariance factor's lower triangle by column (lme4's getME)
    t = np.linalg.cholesky(sig) / m.sigma
    np.testing.assert_allclose(lme4.getME(m, "theta"), [t[0, 0], t[1, 0], t[1, 1]],
                               rtol=1e-10)
    np.testing.assert_allclose(m.fitted + m.residuals, m.y, atol=1e-9)
    np.testing.assert_allclose(
        m.predict(re_form="NA"), m.X.to_numpy() @ lme4.fixef(m).to_numpy(), atol=1e-9)


def test_lmebreed_relmat_matches_vm_and_dense_reml() -> None:
    """lmebreed(relmat = list(Name = K)) fits vm(Name, K): the same REML fit as
    asr.asreml with vm(); BLUPs u = s2_g K Z' V^-1 (y - X b) from a dense V. K is a
    genomic-like matrix of rank below its size (singular), built from random markers."""
    d = _read("DT_example.csv")
    names = sorted(d["Name"].unique())
    rng = np.random.default_rng(7)
    M = rng.integers(0, 3, size=(len(names), 30)).astype(float)
    M -= M.mean(axis=0)
    K = pd.DataFrame(M @ M.T / 30 + 0.05 * np.eye(len(names)), index=names, columns=names)
    m = lme4.lmebreed("Yield ~ Env + (1 | Name)", d, relmat={"Name": K})
    ref = asr.asreml("Yield ~ Env", "~ vm(Name, K)", data=d, K=K)
    assert m.loglik == pytest.approx(ref.loglik, abs=1e-6)
    vc = lme4.VarCorr(m)
    np.testing.assert_allclose(vc["vcov"], ref.varcomp["component"], rtol=1e-5)
    dense = _dense(m, vc["vcov"][0] * K.loc[names, names].to_numpy())
    assert m.loglik == pytest.approx(dense["ll"], abs=1e-8)
    np.testing.assert_allclose(lme4.ranef(m)["Name"]["(Intercept)"], dense["u"], atol=1e-8)
    cvm = lme4.ranef(m).attrs["condVarMat"]
    np.testing.assert_allclose(cvm.to_numpy(), dense["condvar"], atol=1e-8)


def test_unsupported_calls_say_what() -> None:
    d = _read("sleepstudy.csv")
    with pytest.raises(AsrError, match="glmer"):
        lme4.glmer("y ~ (1 | g)", d)
    with pytest.raises(AsrError, match="no random term"):
        lme4.lmer("Reaction ~ Days", d)
    with pytest.raises(AsrError, match="not numeric"):
        lme4.lmer("Reaction ~ Days + (Subject | Days)", d)
    with pytest.raises(AsrError, match="weights"):
        lme4.lmer("Reaction ~ Days + (1 | Subject)", d, weights=d["Days"])
    with pytest.raises(AsrError, match="not in the matrix"):
        K = pd.DataFrame(np.eye(2), index=["308", "309"], columns=["308", "309"])
        lme4.lmebreed("Reaction ~ Days + (1 | Subject)", d, relmat={"Subject": K})
    with pytest.raises(AsrError, match="not an lmer fit"):
        lme4.VarCorr(d)


def test_anova_of_one_fit_is_the_sequential_wald_f() -> None:
    """lme4's anova(m): sequential F = Wald statistic / npar. Yates' oats: with F.scaling 1
    these are the incremental F statistics pbkrtest recorded (tests/data/kr_reference.json,
    oats: V, N, V:N)."""
    ref = json.loads((DATA / "kr_reference.json").read_text())["oats"]["incremental"]
    o = pd.read_csv(DATA / "DT_yatesoats.csv", dtype={"N": str})
    m = lme4.lmer("Y ~ V * N + (1 | B) + (1 | B:MP)", o)
    tab = lme4.anova(m)
    assert list(tab.index) == ["V", "N", "V:N"]
    assert list(tab["npar"]) == [r["ndf"] for r in ref[1:]]
    np.testing.assert_allclose(tab["F value"], [r["F"] for r in ref[1:]], rtol=1e-5)
    np.testing.assert_allclose(tab["Sum Sq"], tab["F value"] * tab["npar"] * m.sigma ** 2)
    assert not lme4.isSingular(m)
    # every group holds the same values: equal group means, the group variance at 0
    rng = np.random.default_rng(1)
    e = rng.normal(size=5)
    d = pd.DataFrame({"g": np.repeat(list("abcd"), 5),
                      "y": np.concatenate([rng.permutation(e) for _ in range(4)])})
    sing = lme4.lmer("y ~ 1 + (1 | g)", d)
    assert lme4.VarCorr(sing)["vcov"].iloc[0] < 1e-8
    assert lme4.isSingular(sing)
    # lme4's estimate at the boundary is the model without the term: s2 = var(y)
    assert lme4.sigma(sing) ** 2 == pytest.approx(np.var(d["y"], ddof=1), rel=1e-10)


def test_factor_slope_is_unstructured_across_levels() -> None:
    """(0 + Env | Name) is us(Env):Name: lme4's VarCorr layout (variances, then the
    covariances with their correlations) of the fit recorded in
    tests/api/test_reference_fits.py (c_example_us: best ll -462.16260921499)."""
    m = lme4.lmer("Yield ~ Env + (0 + Env | Name)", _read("DT_example.csv"))
    assert m.loglik == pytest.approx(-462.16260921499, abs=1e-6)
    vc = lme4.VarCorr(m)
    assert list(vc["var1"][:3]) == ["EnvCA.2011", "EnvCA.2012", "EnvCA.2013"]
    np.testing.assert_allclose(vc["vcov"], [15.9936761363793, 5.27432796414104,
                                            7.68961900268604, 6.17271864542879,
                                            6.36604925347063, 0.374546343528896,
                                            4.38617395238674], rtol=1e-4)
    np.testing.assert_allclose(vc["sdcor"][3], vc["vcov"][3] / np.sqrt(
        vc["vcov"][0] * vc["vcov"][1]))
    sig = vc["Name"].to_numpy()
    nl = len(lme4.ranef(m)["Name"])
    d = _dense(m, np.kron(np.eye(nl), sig))
    assert m.loglik == pytest.approx(d["ll"], abs=1e-8)
    np.testing.assert_allclose(lme4.ranef(m)["Name"].to_numpy().ravel(), d["u"], atol=1e-8)
