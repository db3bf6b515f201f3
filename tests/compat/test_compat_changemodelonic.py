"""asremlPlus's changeModelOnIC (asr.plus.changeModelOnIC) against the asreml 4.1 numbers
asremlPlus's own testthat file records: briencj/asremlPlus tests/testthat/test41Selection.r,
test "changeModelOnIC_Example_asreml41" (lines 779-822 at commit b936278): Wheat.dat
(fetched asremlplus_wheat.csv), full-likelihood AIC; starting DF 31, denDF 5; dropping
Row + Column changes denDF by -1; the residual Row:ar1(Column) changes denDF by -2 and AIC
by 21.709898 (tolerance 1e-2)."""

from __future__ import annotations

import warnings

import pytest

import asr_py as asr
from asr_py.errors import AsrError


@pytest.fixture(scope="module")
def start(wheat_fit):
    return asr.plus.as_asrtests(wheat_fit, None, None, label="Maximal model",
                                IClikelihood="full")


def test_changeModelOnIC_as_asremlplus_records(start) -> None:
    ts = start["test.summary"]
    assert (ts["DF"].iloc[0], ts["denDF"].iloc[0]) == (31, 5)
    with pytest.warns(UserWarning, match="bound terms were discounted: Column"):
        old_ic = asr.plus.infoCriteria(start["asreml.obj"], IClikelihood="full")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t1 = asr.plus.changeModelOnIC(start, dropRandom="Row + Column",
                                      label="Drop Row + Column", checkboundaryonly=True,
                                      which_IC="AIC", IClikelihood="full")
        t2 = asr.plus.changeModelOnIC(t1, newResidual="Row:ar1(Column)",
                                      label="Row autocorrelation", IClikelihood="full")
    row1 = asr.plus.getTestEntry(t1, "Drop Row + Column")
    assert float(row1["denDF"].iloc[0]) == -1
    # the row holds new - old information criteria; the change is kept when AIC falls
    new_ic = asr.plus.infoCriteria(t1["asreml.obj"], IClikelihood="full")
    dAIC = float(new_ic["AIC"].iloc[0] - old_ic["AIC"].iloc[0])
    assert float(row1["AIC"].iloc[0]) == pytest.approx(dAIC, abs=1e-8)
    assert row1["action"].iloc[0] == ("Swapped" if dAIC < 0 else "Unswapped")
    assert "Row" not in t1["asreml.obj"].call["random"]
    row2 = asr.plus.getTestEntry(t2, "Row autocorrelation")
    assert float(row2["denDF"].iloc[0]) == -2
    assert abs(float(row2["AIC"].iloc[0]) - 21.709898) < 1e-2
    assert row2["action"].iloc[0] == "Unswapped"
    assert t2["asreml.obj"] is t1["asreml.obj"]          # the old model is kept
    assert len(start["test.summary"]) == 1                # nothing passed is changed


def test_changeModelOnIC_absent_term_and_bad_options(start) -> None:
    t = asr.plus.changeModelOnIC(start, dropRandom="Block", label="Drop Block")
    row = asr.plus.getTestEntry(t, "Drop Block")
    assert row["action"].iloc[0] == "Absent"
    assert t["asreml.obj"] is start["asreml.obj"]
    with pytest.raises(AsrError, match="IClikelihood"):
        asr.plus.changeModelOnIC(start, dropRandom="units", IClikelihood="none")
    with pytest.raises(AsrError, match="which.IC"):
        asr.plus.changeModelOnIC(start, dropRandom="units", which_IC="DIC")


def test_changeModelOnIC_reproduces_asreml3_records_with_absent_terms_dropped(wheat_fit) -> None:
    """test3Selection.r lines 513-538 (written 2020-02-17, asreml 3): after update() and
    rmboundary() (which removes the bound Column variance), dropping 'Row + Column' changes
    denDF by -1 and the residual Row:ar1(Column) by -2 with AIC change 24.158777 (REML).
    asremlPlus of that time dropped whatever of the terms was present; the check that makes
    an absent term give an 'Absent' row came in asremlPlus commit 656cb9e (2021-09-23) and is
    switched off by allow.absentDropTerms = TRUE (commit a106f76), which reproduces the
    recorded numbers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = asr.plus.as_asrtests(wheat_fit.update(), None, None, label="Maximal model",
                                     IClikelihood="REML")
        start = asr.plus.rmboundary(start)
        assert "Column" not in start["asreml.obj"].call["random"]
        assert float(start["test.summary"]["denDF"].iloc[0]) == 5      # line 520
        absent = asr.plus.changeModelOnIC(start, dropRandom="Row + Column",
                                          label="Drop Row + Column", checkboundaryonly=True,
                                          which_IC="AIC", IClikelihood="REML")
        t1 = asr.plus.changeModelOnIC(start, dropRandom="Row + Column",
                                      label="Drop Row + Column", checkboundaryonly=True,
                                      which_IC="AIC", IClikelihood="REML",
                                      allow_absentDropTerms=True)
        t2 = asr.plus.changeModelOnIC(t1, newResidual="Row:ar1(Column)",
                                      label="Row autocorrelation", IClikelihood="REML")
    # today's asremlPlus: Column is absent, so nothing changes
    assert asr.plus.getTestEntry(absent, "Drop Row + Column")["action"].iloc[0] == "Absent"
    assert absent["asreml.obj"] is start["asreml.obj"]
    row1 = asr.plus.getTestEntry(t1, "Drop Row + Column")
    assert float(row1["denDF"].iloc[0]) == -1                          # line 529
    row2 = asr.plus.getTestEntry(t2, "Row autocorrelation")
    assert float(row2["denDF"].iloc[0]) == -2                          # line 537
    assert abs(float(row2["AIC"].iloc[0]) - 24.158777) < 1e-3          # line 538
