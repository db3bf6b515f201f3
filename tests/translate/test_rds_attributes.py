"""R attributes of data frames inside an .rda (asr_py.translate.rds): asremlPlus's
testDiffs.rda (briencj/asremlPlus inst/extdata/testDiffs.rda, commit b936278, MIT licence,
copied as data/asremlplus_testDiffs.rda): alldiffs objects saved by an older asremlPlus
whose frames carry asreml 4.1's heading lines, the transformation on the backtransforms
and the old ``meanLSD`` attribute (dropped without ``LSDtype``, as asremlPlus's
renameDiffsAttr does, R/alldiffs.v5.r 340-356)."""

from __future__ import annotations

import numpy as np
import pytest
from _fetched import fetched

import asr_py as asr
from asr_py.compat.rattrs import attributes

pytest.importorskip("rdata")
from asr_py.translate import rds  # noqa: E402


@pytest.fixture(scope="module")
def diffs():
    return rds.read(str(fetched("asremlplus_testDiffs.rda")), rds=False)["diffs.ClUp"]


def test_frame_attributes_are_read(diffs) -> None:
    pa = attributes(diffs["predictions"])
    assert pa["class"] == ["predictions.frame", "asreml.predict", "data.frame"]
    assert "meanLSD" not in pa and "LSDvalues" not in pa      # renameDiffsAttr
    ba = attributes(diffs["backtransforms"])
    assert ba["transform.power"] == 0 and ba["offset"] == 0 and ba["scale"] == 1
    hd = ba["heading"]                                 # asreml 4.1's notes, one per line
    assert len(hd) == 6 and hd[0].startswith("- The predictions are obtained by averaging")
    assert attributes(diffs)["LSDby"] == ["Temperature", "Genotype"]


def test_redo_backtransforms_with_the_saved_transformation(diffs) -> None:
    # redoErrorIntervals reads transform.power from the backtransforms (alldiffs.v5.r
    # 1759-1770): power 0 is the log, so the backtransforms are exp of the predictions
    new = asr.plus.redoErrorIntervals(diffs, error_intervals="half", LSDtype="factor",
                                      LSDby=asr.plus.attr(diffs, "LSDby"))
    np.testing.assert_allclose(new["backtransforms"]["backtransformed.predictions"],
                               np.exp(new["predictions"]["predicted.value"]), rtol=1e-12)
    lv = asr.plus.attr(new["predictions"], "LSDvalues")
    assert len(lv) == 20 and list(lv.index) == list(new["LSD"].index)
    assert "LSDvalues" not in attributes(new["backtransforms"])
    assert asr.plus.attr(new["backtransforms"], "LSDby") == ["Temperature", "Genotype"]
