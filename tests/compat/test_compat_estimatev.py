"""asr.plus.estimateV against V = Σ Z_k G_k Z_k' + R built by hand from the fit's variance
components: indicator matrices from the data with pandas, the ar1 x ar1 residual from each
pair of plots' row and column distances (σ² ρ_r^|Δr| ρ_c^|Δc|), independent of how asr_py
orders or stores them."""

from __future__ import annotations

import warnings
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from _plus_data import wheat_data

import asr_py as asr
from asr_py.errors import AsrError


def _dummies(s: pd.Series) -> np.ndarray:
    return pd.get_dummies(s).to_numpy(dtype=float)


@pytest.fixture(scope="module")
def dt() -> pd.DataFrame:
    with resources.as_file(resources.files("asr_py.data").joinpath("DT_example.csv")) as p:
        return pd.read_csv(p, dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})


@pytest.fixture(scope="module")
def wheat(wheat_fit):
    return wheat_data(), wheat_fit


def test_variance_components_model(dt: pd.DataFrame) -> None:
    m = asr.asreml("Yield ~ Env", random="~ Name + Env:Name", data=dt)
    vc = m.varcomp["component"]
    Z1, Z2 = _dummies(dt["Name"]), _dummies(dt["Env"] + "|" + dt["Name"])
    G = vc["Name"] * Z1 @ Z1.T + vc["Env:Name"] * Z2 @ Z2.T
    R = vc["units!R"] * np.eye(len(dt))
    np.testing.assert_allclose(asr.plus.estimateV(m), G + R, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(asr.plus.estimateV(m, which_matrix="G"), G, atol=1e-12)
    np.testing.assert_allclose(asr.plus.estimateV(m, "R"), R, atol=1e-12)
    no_gxe = asr.plus.estimateV(m, ignore_terms="Name:Env")          # factor order ignored
    np.testing.assert_allclose(no_gxe, G + R - vc["Env:Name"] * Z2 @ Z2.T, atol=1e-12)
    E = np.eye(len(dt))
    np.testing.assert_allclose(asr.plus.estimateV(m, extra_matrix=E), G + R + E, atol=1e-12)


def test_rows_follow_the_data_order(dt: pd.DataFrame) -> None:
    perm = np.random.default_rng(3).permutation(len(dt))
    sh = dt.iloc[perm].reset_index(drop=True)
    m = asr.asreml("Yield ~ Env", random="~ Name", data=sh)
    vc = m.varcomp["component"]
    Z = _dummies(sh["Name"])
    V = vc["Name"] * Z @ Z.T + vc["units!R"] * np.eye(len(sh))
    np.testing.assert_allclose(asr.plus.estimateV(m), V, rtol=1e-12, atol=1e-12)


def test_spatial_residual_and_bound_term(wheat) -> None:
    d, m = wheat
    vc = m.varcomp["component"]
    assert m.varcomp.loc["Column", "bound"] == "B"
    r = d["Row"].astype(int).to_numpy()
    c = d["Column"].astype(int).to_numpy()
    R = (vc["Row:Column!R"] * vc["Row:Column!Row!cor"] ** np.abs(r[:, None] - r[None, :])
         * vc["Row:Column!Column!cor"] ** np.abs(c[:, None] - c[None, :]))
    Zr = _dummies(d["Row"])
    G = vc["Row"] * Zr @ Zr.T + vc["units"] * np.eye(len(d))
    with pytest.warns(Warning, match="Column not included in V because it is bound"):
        V = asr.plus.estimateV(m)
    np.testing.assert_allclose(V, G + R, rtol=1e-10)
    # with no exclusions the bound Column variance (~0) enters
    Zc = _dummies(d["Column"])
    V_all = asr.plus.estimateV(m, bound_exclusions=())
    np.testing.assert_allclose(V_all, G + R + vc["Column"] * Zc @ Zc.T, rtol=1e-10)
    # R's bound.exclusions = NULL (test42EstimateV.r) is the same as no exclusions
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(asr.plus.estimateV(m, bound_exclusions=None), V_all,
                                   rtol=1e-12)
    # one code as a string: "F" excludes nothing here (Column is 'B')
    np.testing.assert_allclose(asr.plus.estimateV(m, bound_exclusions="F"), V_all, rtol=1e-12)
    with pytest.raises(AsrError, match="not constraint codes"):
        asr.plus.estimateV(m, bound_exclusions=["b"])
    np.testing.assert_allclose(asr.plus.estimateV(m, "R"), R, rtol=1e-10)


def test_bad_input(dt: pd.DataFrame) -> None:
    m = asr.asreml("Yield ~ Env", random="~ Name", data=dt)
    with pytest.raises(AsrError, match="not a random term"):
        asr.plus.estimateV(m, fixed_spline_terms="spl(x)")
    with pytest.raises(AsrError, match="which_matrix"):
        asr.plus.estimateV(m, which_matrix="X")
    with pytest.raises(AsrError, match="extra_matrix"):
        asr.plus.estimateV(m, extra_matrix=np.eye(3))
    with pytest.raises(AsrError, match="needs an asr.asreml"):
        asr.plus.estimateV(dt)


def test_at_terms_are_named_as_in_r(dt: pd.DataFrame) -> None:
    """An at() term named with R's quotes, at(Env, 'CA.2011'):Name, is the fit's term."""
    m = asr.asreml("Yield ~ Env", random="~ at(Env, 'CA.2011'):Name + Name", data=dt)
    vc = m.varcomp["component"]
    Z = _dummies(dt["Name"])
    V = asr.plus.estimateV(m, ignore_terms="at(Env, 'CA.2011'):Name")
    np.testing.assert_allclose(V, vc["Name"] * Z @ Z.T + vc["units!R"] * np.eye(len(dt)),
                               atol=1e-10)
