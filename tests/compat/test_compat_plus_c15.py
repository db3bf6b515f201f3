"""asremlPlus/dae emulations added for the briencj/asremlPlus test scripts:
renewClassify(newclassify = c("A:B")), addBacktransforms with a link transform.function,
dae's mat.ginv and addSpatialModel(spatial.model = "corr").

Independent sources: scipy's inverse links, numpy's pinv and the Penrose conditions, the
closed form σ² (AR1(ρ_r) ⊗ AR1(ρ_c)) of an ar1(row):ar1(col) term's G and asremlPlus's
recorded value plogis(-3.473155) = 0.03008577 (test41alldiffs.asr.r, line 2309).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import asr_py as asr
from asr_py.errors import AsrError

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def diffs() -> asr.plus.Alldiffs:
    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})
    d["WP"] = d["B"] + "_" + d["V"]
    fit = asr.asreml("Y ~ N*V", random="~ B + B:WP", data=d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.plus.predictPlus(fit, "N:V", wald_tab=fit.wald(denDF="numeric"))


def test_renewClassify_takes_a_length_one_vector(diffs) -> None:
    a = asr.plus.renewClassify(diffs, "V:N")
    b = asr.plus.renewClassify(diffs, ["V:N"])         # R's c("V:N")
    pd.testing.assert_frame_equal(a["predictions"], b["predictions"])
    assert list(b["predictions"].columns[:2]) == ["V", "N"]
    with pytest.raises(AsrError, match="newclassify must be one character string"):
        asr.plus.renewClassify(diffs, ["V:N", "N:V"])


@pytest.mark.parametrize("func, inv", [
    ("logit", lambda v: stats.logistic.cdf(v)),
    ("probit", lambda v: stats.norm.cdf(v)),
    ("cloglog", lambda v: 1 - np.exp(-np.exp(v))),
    ("inverse", lambda v: 1 / v),
    ("sqrt", lambda v: v ** 2),
])
def test_link_backtransforms_are_the_inverse_link(diffs, func, inv) -> None:
    scaled = diffs.copy()
    pred = scaled["predictions"].copy()
    pred["predicted.value"] = pred["predicted.value"] / 200.0     # a probability-like scale
    for c in pred.columns:
        if c.startswith(("lower.", "upper.")):
            pred[c] = pred[c] / 200.0
    scaled["predictions"] = pred
    out = asr.plus.addBacktransforms(scaled, transform_function=func)
    bt = out["backtransforms"]
    z = pred["predicted.value"].to_numpy(float)
    np.testing.assert_allclose(bt["backtransformed.predictions"], inv(z), rtol=1e-12)
    np.testing.assert_allclose(bt["upper.Confidence.limit"],
                               inv(pred["upper.Confidence.limit"].to_numpy(float)), rtol=1e-12)
    assert bt["standard.error"].isna().all()       # no approx.se column: NA, as asremlPlus
    assert out.attrs["transform.function"] == func


def test_logit_backtransform_matches_asremlplus_record(diffs) -> None:
    one = diffs.copy()
    pred = one["predictions"].iloc[:1].copy()
    pred["predicted.value"] = -3.473155
    pred["approx.se"] = 0.01103991
    one["predictions"] = pred
    bt = asr.plus.addBacktransforms(one, transform_function="logit")["backtransforms"]
    assert abs(bt["backtransformed.predictions"].iloc[0] - 0.03008577) < 1e-05
    assert bt["standard.error"].iloc[0] == pytest.approx(0.01103991)   # approx.se kept
    assert "approx.se" not in bt.columns


def test_link_and_power_together_is_an_error(diffs) -> None:
    with pytest.raises(AsrError, match="not both"):
        asr.plus.addBacktransforms(diffs, transform_power=0.5, transform_function="logit")
    with pytest.raises(AsrError, match="not one of"):
        asr.plus.addBacktransforms(diffs, transform_function="loglog")


def test_mat_ginv_is_the_moore_penrose_inverse() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 3)) @ rng.normal(size=(3, 5))          # rank 3, 6 x 5
    g = asr.dae.mat_ginv(x)
    np.testing.assert_allclose(g, np.linalg.pinv(x), atol=1e-10)
    np.testing.assert_allclose(x @ g @ x, x, atol=1e-10)           # Penrose conditions
    np.testing.assert_allclose(g @ x @ g, g, atol=1e-10)
    np.testing.assert_allclose((x @ g).T, x @ g, atol=1e-10)
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(asr.dae.mat_ginv(a), np.linalg.inv(a), rtol=1e-12)
    with pytest.raises(AsrError, match="must be a matrix"):
        asr.dae.mat_ginv(np.ones(3))


def test_mat_ginv_translates() -> None:
    py = asr.translate("W <- mat.ginv(V)\n")
    assert "asr.dae.mat_ginv(V)" in py


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    """A 12 x 10 field simulated with AR1 x AR1 plot effects (ρ 0.6, 0.5) and a nugget."""
    rng = np.random.default_rng(11)
    nr, nc = 12, 10
    d = pd.DataFrame([(r, c) for r in range(1, nr + 1) for c in range(1, nc + 1)],
                     columns=["r", "c"])
    d["row"] = d["r"].astype(str)
    d["col"] = d["c"].astype(str)
    d["gen"] = [f"G{(i * 7) % 24 + 1}" for i in range(nr * nc)]
    ar = asr.dae.mat_ar1
    L = np.linalg.cholesky(np.kron(ar(0.6, nr), ar(0.5, nc)))
    d["y"] = 10 + L @ rng.normal(size=nr * nc) * 1.5 + rng.normal(size=nr * nc) * 0.5
    return d


def test_addSpatialModel_corr_fits_ar1_by_ar1(grid: pd.DataFrame) -> None:
    fit = asr.asreml("y ~ gen", random="~ row", data=grid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = asr.plus.as_asrtests(fit, label="Start", IClikelihood="full")
        out = asr.plus.addSpatialModel(t, spatial_model="corr", row_factor="row",
                                       col_factor="col")
    summ = out["test.summary"]
    assert list(summ["terms"][:3]) == ["Start", "Try ar1(row)", "Try ar1(col)"]
    m = out["asreml.obj"]
    vp = m.varcomp
    cor = vp.index[vp.index.str.endswith("!cor")]
    assert len(cor) == 2                              # ar1(row):ar1(col) was fitted
    term = cor[0].split("!")[0]
    s2, rr, rc = (vp.loc[term, "component"], vp.loc[f"{term}!row!cor", "component"],
                  vp.loc[f"{term}!col!cor", "component"])
    # G of the term is σ² AR1(ρ_r) ⊗ AR1(ρ_c) (closed form), rows/cols in the data's order
    G = asr.plus.estimateV(m, which_matrix="G")
    ar = asr.dae.mat_ar1
    expect = s2 * np.kron(ar(rr, 12), ar(rc, 10))
    if "row" in [str(x) for x in vp.index]:           # the row variance kept: its Z Z'
        z = pd.get_dummies(grid["row"]).to_numpy(float)
        expect = expect + vp.loc["row", "component"] * z @ z.T
    np.testing.assert_allclose(np.asarray(G, float), expect, rtol=1e-6, atol=1e-8)


def test_addSpatialModel_refuses_what_it_does_not_emulate(grid: pd.DataFrame) -> None:
    fit = asr.asreml("y ~ gen", data=grid)
    t = asr.plus.as_asrtests(fit)
    with pytest.raises(AsrError, match="spatial.model = 'TPPS' is not emulated"):
        asr.plus.addSpatialModel(t)
    with pytest.raises(AsrError, match="not columns of the fit's data"):
        asr.plus.addSpatialModel(t, spatial_model="corr")       # Row/Col by default
    with pytest.raises(AsrError, match="sections"):
        asr.plus.addSpatialModel(t, spatial_model="corr", sections="block",
                                 row_factor="row", col_factor="col")


def test_wald_tab_is_computed_when_read_and_equals_the_eager_table() -> None:
    from asr_py.compat.asremlplus import _LazyWald, plus_wald_tab
    from asr_py.results.wald import as_asreml_reports

    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})
    m = asr.asreml("Y ~ N*V", random="~ B + B:MP", data=d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = asr.plus.as_asrtests(m)
        assert isinstance(t.raw("wald.tab"), _LazyWald)       # not computed yet
        t2 = asr.plus.changeTerms(t, dropRandom="B:MP", checkboundaryonly=True)
        assert isinstance(t2.raw("wald.tab"), _LazyWald)
        eager = plus_wald_tab(as_asreml_reports(t2["asreml.obj"].wald(denDF="numeric")))
    pd.testing.assert_frame_equal(t2["wald.tab"], eager)
    assert isinstance(dict(t)["wald.tab"], pd.DataFrame)      # copies read the value
    assert isinstance({**t}["wald.tab"], pd.DataFrame)


@pytest.fixture(scope="module")
def lanes() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    d = pd.DataFrame([(lane, pos) for lane in range(1, 5) for pos in range(1, 16)],
                     columns=["lane", "pos"])
    d["Lane"] = d["lane"].astype(str)
    d["Position"] = d["pos"].astype(str)
    d["xPosn"] = d["pos"] - d["pos"].mean()
    bump = rng.normal(0, 1.0, 15)
    d["y"] = (5 + 0.2 * d["xPosn"] + bump[d["pos"] - 1] + 0.5 * d["lane"]
              + rng.normal(0, 0.5, len(d)))
    return d


def test_reparamSigDevn_moves_the_deviations_to_the_fixed_model(lanes) -> None:
    fit = asr.asreml("y ~ Lane + xPosn", random="~ spl(xPosn) + Position", data=lanes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = asr.plus.as_asrtests(fit, label="Start")
        out = asr.plus.reparamSigDevn(t, terms="Position", trend_num="xPosn",
                                      devn_fac="Position")
    m = out["asreml.obj"]
    assert out["test.summary"]["action"].iloc[-1] == "Changed fixed, random"
    assert "Position" in str(m.call["fixed"]) and not m.call.get("random")
    direct = asr.asreml("y ~ Lane + xPosn + Position", data=lanes)
    assert m.loglik == pytest.approx(direct.loglik, abs=1e-6)
    with pytest.raises(AsrError, match="not a random term"):
        asr.plus.reparamSigDevn(t, terms="Lane:Position", trend_num="xPosn",
                                devn_fac="Position")


def test_newfit_is_the_refit_with_the_update_formula(lanes) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # units and the residual are not separable here
        fit = asr.asreml("y ~ Lane", random="~ Position + units", data=lanes)
        new = asr.plus.newfit(fit, random_="~ . - units")
    direct = asr.asreml("y ~ Lane", random="~ Position", data=lanes)
    assert new.loglik == pytest.approx(direct.loglik, abs=1e-6)
    assert "units" not in str(new.call["random"])
    py = asr.translate("m1 <- newfit(m, random. = ~ . - units)\n")
    assert "asr.plus.newfit(m, random_='~ . - units')" in py


def test_fixed_correlation_is_not_kept_when_not_allowed(lanes) -> None:
    """asremlPlus's allow.fixedcorrelation = FALSE (test41Selection.r, Fixedcorrelations):
    a new fit whose ar1 correlation is fixed ('F') is not kept: "Unchanged - fixed
    correlation"; with TRUE the change is made."""
    fit = asr.asreml("y ~ Lane", random="~ Position", residual="~ ar1(Lane):Position",
                     data=lanes)
    p = fit.params.copy()
    cor = [i for i, c in enumerate(p["Component"].astype(str)) if c.endswith("!cor")]
    assert cor
    p.loc[p.index[cor[0]], "Constraint"] = "F"
    fixed = asr.asreml("y ~ Lane", random="~ Position", residual="~ ar1(Lane):Position",
                       data=lanes, params=p)
    assert (fixed.varcomp["bound"] == "F").any()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = asr.plus.as_asrtests(fixed)
        no = asr.plus.changeTerms(t, addRandom="units", label="Add units",
                                  allow_fixedcorrelation=False)
        yes = asr.plus.changeTerms(t, addRandom="units", label="Add units",
                                   allow_fixedcorrelation=True)
        ic = asr.plus.changeModelOnIC(t, addRandom="units", label="units",
                                      allow_fixedcorrelation=False, IClikelihood="full")
    assert no["test.summary"]["action"].iloc[-1] == "Unchanged - fixed correlation"
    assert no["asreml.obj"] is fixed
    assert yes["test.summary"]["action"].iloc[0].startswith("Changed random")
    # with the correlation fixed near 0, units and the residual lie on a ridge of equal ℓ:
    # units is either kept or, on its bound, removed by changeTerms' boundary rule
    acts = list(yes["test.summary"]["action"])
    assert "units" in str(yes["asreml.obj"].call["random"]) or acts[1:] == ["Boundary"]
    assert ic["test.summary"]["action"].iloc[-1] == "Unchanged - fixed correlation"
    assert ic["asreml.obj"] is fixed


def test_algebraic_denDF_is_asremls_numeric_denDF() -> None:
    """asreml's wald(denDF = "algebraic") computes the same denominator df as "numeric"
    (asremlPlus scripts pass it: test41Selection.r reparamSigDevn/chooseModel)."""
    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})
    m = asr.asreml("Y ~ N*V", random="~ B + B:MP", data=d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = asr.plus.as_asrtests(m, denDF="algebraic")["wald.tab"]
        b = asr.plus.as_asrtests(m, denDF="numeric")["wald.tab"]
    pd.testing.assert_frame_equal(a, b)
    assert "denDF" in a.columns
