"""asr.plus.pickLSDstatistics on the Oats alldiffs whose exploreLSDs errors asremlPlus's
testthat file records (test42alldiffsasr.r "exploreLSDOatsr4", b936278; see
test_compat_explorelsds.py): false.pos 3 3 3 0 0 0 0 0 and false.neg 0 0 0 3 4 4 4 4 over
min, q10, q25, mean, median, q75, q90, max. asremlPlus's rule (?pickLSDstatistics): the
fewest false positives, then the fewest false negatives -> "mean"; with false.pos.wt w the
smallest w p + n, then the fewest p."""

from __future__ import annotations

import asr_py as asr


def _diffs(fit):  # type: ignore[no-untyped-def]
    w = asr.plus.as_asrtests(fit)["wald.tab"]
    p = fit.predict(classify="Nitrogen:Variety", vcov=True)
    return asr.plus.allDifferences(p, "Nitrogen:Variety", vcov=p.attrs["vcov"],
                                   tdf=w.loc["Variety", "denDF"])


def test_pick_lsd_statistics_oats(plus_oats_fit) -> None:  # type: ignore[no-untyped-def]
    diffs = _diffs(plus_oats_fit)
    assert list(asr.plus.pickLSDstatistics(diffs)) == ["mean"]
    # w = 1: 3, 3, 3, 3, 4, ... -> min, q10, q25, mean tie; the fewest p (0): mean
    assert list(asr.plus.pickLSDstatistics(diffs, false_pos_wt=1)) == ["mean"]
    # w = 0.5: 1.5, 1.5, 1.5, 3, 4, ... -> min, q10, q25 tie with p = 3 each: the first
    assert list(asr.plus.pickLSDstatistics(diffs, false_pos_wt=0.5)) == ["min"]
