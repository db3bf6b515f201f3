"""vcm= constraints among variance parameters (asr_py.model.vcm, asr_py.reml.constraints):
equal variances across terms against the closed equivalence (one term with Z = [Z1 Z2]) and
a dense-V REML maximised with scipy over φ (tests/_dense_reml.py); a fixed ratio against the
dense-V REML; the vcm_lm helper, invariances and errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _dense_reml import maximise, reml_loglik

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.reml import MixedProblem, RandomBlock, fit_reml
from asr_py.vcov.identity import IdentityV

DATA = Path(__file__).resolve().parents[1] / "data"
FIXED, RANDOM = "Yield ~ Env", "~ Name + Env:Name"


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return pd.read_csv(DATA / "DT_example.csv")


def _dense_parts(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """y, X (intercept + Env treatment columns), Z1 (Name), Z2 (Env:Name) built by pandas."""
    y = df["Yield"].to_numpy(dtype=float)
    env = pd.get_dummies(df["Env"]).to_numpy(dtype=float)
    X = np.column_stack([np.ones(len(df)), env[:, 1:]])
    Z1 = pd.get_dummies(df["Name"]).to_numpy(dtype=float)
    Z2 = pd.get_dummies(df["Env"] + ":" + df["Name"]).to_numpy(dtype=float)
    return y, X, Z1, Z2


def test_equal_variances_match_one_term_and_dense_reml(df: pd.DataFrame) -> None:
    m = asr.asreml(FIXED, random=RANDOM, data=df, vcm={"g": ["Name", "Env:Name"]})
    assert m.converged
    vc = m.varcomp["component"]
    assert vc["Name"] == vc["Env:Name"]
    assert list(m.varcomp["bound"]) == ["P", "C", "P"]
    assert m.n_estimated == 2 and m.aic == pytest.approx(-2 * m.loglik + 4)
    # closed equivalence: one random term whose design is [Z1 Z2] with one variance
    prob = asr.compile_model(FIXED, RANDOM, None, df).problem()
    z = sp.hstack([b.Z for b in prob.random], format="csc")
    one = MixedProblem(y=prob.y, X=prob.X,
                       random=[RandomBlock("g", z, IdentityV([str(i) for i in
                                                              range(z.shape[1])], name="g"))],
                       residual=prob.residual, theta0=np.array([1.0, 1.0]),
                       constraints=["P", "P"], names=["g", "units!R"])
    r = fit_reml(one)
    assert m.loglik == pytest.approx(r.loglik, abs=1e-7)
    np.testing.assert_allclose([vc["Name"], vc["units!R"]], r.theta, rtol=1e-5)
    # dense-V REML over φ = (σ²_g, σ²_e) by scipy
    y, X, Z1, Z2 = _dense_parts(df)
    K = Z1 @ Z1.T + Z2 @ Z2.T
    x, ll = maximise(lambda t: reml_loglik(y, X, t[0] * K + t[1] * np.eye(y.size)),
                     [np.array([3.0, 3.0])], bounds=[(1e-8, None), (1e-8, None)])
    assert m.loglik == pytest.approx(ll, abs=1e-6)
    np.testing.assert_allclose([vc["Name"], vc["units!R"]], x, rtol=1e-4)
    # the SE of a tied parameter is its φ's
    se = m.varcomp["std.error"]
    assert se["Name"] == pytest.approx(se["Env:Name"], rel=1e-12)


def test_fixed_ratio_matches_dense_reml(df: pd.DataFrame) -> None:
    m = asr.asreml(FIXED, random=RANDOM, data=df,
                   vcm={"r": {"Name": 1.0, "Env:Name": 0.5}})
    vc = m.varcomp["component"]
    assert vc["Env:Name"] == pytest.approx(0.5 * vc["Name"], rel=1e-12)
    y, X, Z1, Z2 = _dense_parts(df)
    K = Z1 @ Z1.T + 0.5 * Z2 @ Z2.T
    x, ll = maximise(lambda t: reml_loglik(y, X, t[0] * K + t[1] * np.eye(y.size)),
                     [np.array([3.0, 3.0])], bounds=[(1e-8, None), (1e-8, None)])
    assert m.loglik == pytest.approx(ll, abs=1e-6)
    np.testing.assert_allclose([vc["Name"], vc["units!R"]], x, rtol=1e-4)
    # the constrained optimum is below the unconstrained one
    free = asr.asreml(FIXED, random=RANDOM, data=df)
    assert m.loglik < free.loglik


def test_vcm_forms_agree(df: pd.DataFrame) -> None:
    """dict, DataFrame (vcm_lm on the start-values table) and a plain matrix: same fit."""
    a = asr.asreml(FIXED, random=RANDOM, data=df, vcm={"r": {"Name": 1.0, "Env:Name": 0.5}})
    sv = asr.asreml(FIXED, random=RANDOM, data=df, start_values=True)
    sv["grp"] = ["g", "g", None]
    sv["ratio"] = [1.0, 0.5, np.nan]
    table = asr.vcm_lm("~ grp:ratio", sv)
    assert list(table.index) == ["Name", "Env:Name"] and list(table.columns) == ["g"]
    b = asr.asreml(FIXED, random=RANDOM, data=df, vcm=table)
    c = asr.asreml(FIXED, random=RANDOM, data=df,
                   vcm=np.array([[1.0, 0.0], [0.5, 0.0], [0.0, 1.0]]))
    for other in (b, c):
        assert other.loglik == pytest.approx(a.loglik, abs=1e-9)
        np.testing.assert_allclose(other.varcomp["component"], a.varcomp["component"],
                                   rtol=1e-8)
    eq = asr.vcm_lm("~ grp", sv)
    assert eq.loc["Env:Name", "g"] == 1.0


def test_vcm_units_and_row_order(df: pd.DataFrame) -> None:
    vcm = {"g": ["Name", "Env:Name"]}
    m = asr.asreml(FIXED, random=RANDOM, data=df, vcm=vcm)
    ms = asr.asreml(FIXED, random=RANDOM, data=df.assign(Yield=df["Yield"] * 100.0), vcm=vcm)
    np.testing.assert_allclose(ms.varcomp["component"], m.varcomp["component"] * 1e4,
                               rtol=1e-6)
    mp = asr.asreml(FIXED, random=RANDOM, data=df.sample(frac=1.0, random_state=4), vcm=vcm)
    assert mp.loglik == pytest.approx(m.loglik, abs=1e-8)
    before = dict(vcm)
    assert vcm == before  # not mutated


def test_vcm_errors(df: pd.DataFrame) -> None:
    with pytest.raises(AsrError, match="no variance parameter named 'Nmae'") as e:
        asr.asreml(FIXED, random=RANDOM, data=df, vcm={"g": ["Nmae", "Env:Name"]})
    assert "Name" in str(e.value.hint)
    sv = asr.asreml(FIXED, random=RANDOM, data=df, start_values=True)
    sv.loc[sv["Component"] == "Name", ["Value", "Constraint"]] = [2.0, "F"]
    with pytest.raises(AsrError, match="fixed"):
        asr.asreml(FIXED, random=RANDOM, data=df, params=sv, vcm={"g": ["Name", "Env:Name"]})
    with pytest.raises(AsrError, match="appears in both"):
        asr.asreml(FIXED, random=RANDOM, data=df, vcm={"a": ["Name"], "b": ["Name"]})
    with pytest.raises(AsrError, match="one row per variance parameter"):
        asr.asreml(FIXED, random=RANDOM, data=df, vcm=np.ones((2, 1)))
    with pytest.raises(AsrError, match="Gaussian REML fits only"):
        asr.asreml(FIXED, random=RANDOM, data=df, method="ML", vcm={"g": ["Name", "Env:Name"]})
    m = asr.asreml(FIXED, random=RANDOM, data=df, vcm={"g": ["Name", "Env:Name"]})
    with pytest.raises(AsrError, match="vcm"):
        m.confint()


def test_vcm_near_boundary_and_non_convergence() -> None:
    """Two random factors with no variance in the data, tied equal: the constrained optimum
    (near zero) is the dense-V REML one; maxit=1 is reported as not converged."""
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"a": rng.integers(0, 8, 120).astype(str),
                      "b": rng.integers(0, 9, 120).astype(str)})
    d["y"] = rng.normal(size=120)
    m = asr.asreml("y ~ 1", random="~ a + b", data=d, vcm={"g": ["a", "b"]})
    assert m.converged
    Z1 = pd.get_dummies(d["a"]).to_numpy(dtype=float)
    Z2 = pd.get_dummies(d["b"]).to_numpy(dtype=float)
    K = Z1 @ Z1.T + Z2 @ Z2.T
    y, X = d["y"].to_numpy(), np.ones((120, 1))
    x, ll = maximise(lambda t: reml_loglik(y, X, t[0] * K + t[1] * np.eye(120)),
                     [np.array([0.1, 1.0]), np.array([1e-6, 1.0])],
                     bounds=[(0.0, None), (1e-8, None)])
    assert m.loglik == pytest.approx(ll, abs=1e-7)
    assert m.varcomp["component"]["a"] == pytest.approx(x[0], abs=2e-4)
    with pytest.warns(asr.ConvergenceWarning):
        bad = asr.asreml("Yield ~ Env", random="~ Name + Env:Name", maxit=1,
                         data=pd.read_csv(DATA / "DT_example.csv"),
                         vcm={"g": ["Name", "Env:Name"]})
    assert not bad.converged
    assert any("did not converge" in x for x in bad.diagnostics)


def test_vcm_parameter_held_at_its_boundary() -> None:
    """Group means removed from y: the tied variance's optimum is 0 (held, 'B', no SE) and
    ℓ is that of the model without the two terms (closed equivalence at the boundary)."""
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"a": np.repeat(np.arange(6), 10).astype(str),
                      "b": np.tile(np.arange(10), 6).astype(str), "y": rng.normal(size=60)})
    d["y"] = (d["y"] - d.groupby("a")["y"].transform("mean")
              - d.groupby("b")["y"].transform("mean"))
    m = asr.asreml("y ~ 1", random="~ a + b", data=d, vcm={"g": ["a", "b"]})
    assert m.converged
    assert list(m.varcomp["bound"]) == ["B", "C", "P"]
    assert np.isnan(m.varcomp["std.error"].iloc[0])
    assert any("held at its boundary" in x for x in m.diagnostics)
    none = asr.asreml("y ~ 1", data=d)
    assert m.loglik == pytest.approx(none.loglik, abs=1e-6)
    assert m.varcomp["component"]["units!R"] == pytest.approx(
        none.varcomp["component"].iloc[0], rel=1e-6)


def test_lrt_of_an_equality_constraint(df: pd.DataFrame) -> None:
    """H0: σ²(Name) = σ²(Env:Name) against the free model: df 1, LR from the two ℓ, no
    boundary halving (the tested parameter is not on a boundary)."""
    from scipy import stats

    tied = asr.asreml(FIXED, random=RANDOM, data=df, vcm={"g": ["Name", "Env:Name"]})
    free = asr.asreml(FIXED, random=RANDOM, data=df)
    tab = asr.lrt(tied, free)
    lr = 2 * (free.loglik - tied.loglik)
    assert tab["df"].iloc[0] == 1 and tab["note"].iloc[0] == ""
    assert tab["LR-statistic"].iloc[0] == pytest.approx(lr, rel=1e-12)
    assert tab["Pr(Chisq)"].iloc[0] == pytest.approx(stats.chi2.sf(lr, 1), rel=1e-12)
