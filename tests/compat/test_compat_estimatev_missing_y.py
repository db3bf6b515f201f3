"""estimateV (and translate's ``fit$design``) keep the records whose response is missing, as
asreml does by default (``na.method(y = "include")``): V has one row per data row. asremlPlus's
test41EstimateV.r builds V for the chickpea data (1056 plants, 25 missing responses) from
``fit$design`` and ``fac.vcmat`` over all 1056 rows and compares it with estimateV's. Checked
here against V = Σ Z_k G_k Z_k' + R built by hand over every data row from the fit's
components (indicator matrices from pandas, the ar1 x ar1 residual from row and column
distances), and with ``na_action={"y": "omit"}`` against the records fitted only."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _plus_data import wheat_data

import asr_py as asr
from asr_py.translate.rdesign import r_design


@pytest.fixture(scope="module")
def wheat_missing() -> pd.DataFrame:
    d = wheat_data()
    d.loc[[3, 40, 41, 100], "yield"] = np.nan
    return d


def _fit(d: pd.DataFrame, **kw: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("yield ~ Rep + Variety", random="~ Row",
                          residual="~ ar1(Row):ar1(Column)", data=d, **kw)


def _by_hand(d: pd.DataFrame, vc: pd.Series) -> np.ndarray:
    r = d["Row"].astype(int).to_numpy()
    c = d["Column"].astype(int).to_numpy()
    R = (vc["Row:Column!R"] * vc["Row:Column!Row!cor"] ** np.abs(r[:, None] - r[None, :])
         * vc["Row:Column!Column!cor"] ** np.abs(c[:, None] - c[None, :]))
    Z = pd.get_dummies(d["Row"]).to_numpy(dtype=float)
    return vc["Row"] * Z @ Z.T + R


def test_v_has_every_data_row(wheat_missing: pd.DataFrame) -> None:
    before = wheat_missing.copy()
    m = _fit(wheat_missing)
    V = asr.plus.estimateV(m)
    assert V.shape == (len(wheat_missing), len(wheat_missing))
    np.testing.assert_allclose(V, _by_hand(wheat_missing, m.varcomp["component"]), rtol=1e-10)
    pd.testing.assert_frame_equal(wheat_missing, before)        # the data are not touched
    des = r_design(m)
    assert des.shape[0] == len(wheat_missing)
    Zrow = des[[c for c in des.columns if c.startswith("Row_")]].to_numpy()
    Zd = pd.get_dummies(wheat_missing["Row"]).to_numpy(float)     # same columns, any order
    np.testing.assert_array_equal(Zrow @ Zrow.T, Zd @ Zd.T)


def test_omit_keeps_the_records_fitted(wheat_missing: pd.DataFrame) -> None:
    m = _fit(wheat_missing, na_action={"y": "omit"})
    kept = wheat_missing[wheat_missing["yield"].notna()]
    V = asr.plus.estimateV(m)
    np.testing.assert_allclose(V, _by_hand(kept, m.varcomp["component"]), rtol=1e-10)
