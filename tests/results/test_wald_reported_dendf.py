"""asreml reports a Wald table's denominator df to one decimal place, and asremlPlus's LSDs
use that value (:func:`asr_py.results.wald.as_asreml_reports`; the translation's
``r_wald``).

Recorded asreml values: asremlPlus's test41/42PredictionsPresentation.r (test3's with
asreml 3) fit Montgomery's syrup-loss factorial with ``rcov = ~ idh(SpeedPress):WSpeedPress``,
take ``wald.asreml(m1, denDF = "numeric")$Wald`` and expect, for the LSDs of the
Nozzle:Pressure:Speed predictions, minLSD 11.92550 (LSDby Speed, Pressure) and minLSD
11.92550, meanLSD 41.13342, maxLSD 67.62672 (LSDby Pressure), to 1e-5.

Independent check: the fixed model is saturated, so a prediction is its cell mean (2
records) and two nozzles' predictions within one SpeedPress level differ with SED
sqrt(σ²) (σ² that level's within-cell variance, SS/3: 27.5 for (100, 10)); the LSD is
t(0.975, denDF) · SED. With denDF 8.7 that is asreml's 11.92550; with the unrounded
Kenward-Roger 8.747 it is 11.9154.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _syrup_montgomery import _syrup
from scipy import stats

import asr_py as asr
from asr_py.results.wald import as_asreml_reports
from asr_py.translate import translate
from asr_py.translate.runtime import r_wald

TERM = "Nozzle:Pressure:Speed"


def _fit() -> asr.AsremlFit:
    return asr.asreml("Loss ~ Nozzle*Pressure*Speed",
                      residual="~idh(SpeedPress):WSpeedPress", data=_syrup())


def test_reported_dendf_is_rounded_to_one_decimal() -> None:
    m = _fit()
    full = m.wald(denDF="numeric")
    shown = r_wald(m, denDF="numeric")
    assert 8.70 < full.loc[TERM, "denDF"] < 8.80          # Kenward-Roger, unrounded
    np.testing.assert_array_equal(shown["denDF"].to_numpy(),
                                  np.round(full["denDF"].to_numpy(dtype=float), 1))
    assert shown.loc[TERM, "denDF"] == 8.7
    # asreml's wald() keeps Pr of the unrounded df (biometryassist's printed tables,
    # test_wald_asreml_printed.py); asremlPlus's table recomputes it from the reported df
    # (test42alldiffsasr.r line 2064: a 1-df term's Wald Pr equals 2·pt(t, reported denDF)
    # to 1e-5); asreml's columns: its F.inc is the API's λ-scaled F.adj, Pr its Pr(F)
    assert list(shown.columns) == ["Df", "denDF", "F.inc", "Pr"]
    np.testing.assert_allclose(shown["F.inc"].to_numpy(float), full["F.adj"].to_numpy(float),
                               rtol=1e-12)
    np.testing.assert_allclose(shown["Pr"].to_numpy(float), full["Pr(F)"].to_numpy(float),
                               rtol=1e-12)
    plus = as_asreml_reports(full)
    np.testing.assert_allclose(plus["Pr(F)"].to_numpy(dtype=float), stats.f.sf(
        full["F.adj"].to_numpy(dtype=float), full["Df"].to_numpy(dtype=float),
        plus["denDF"].to_numpy(dtype=float)), rtol=1e-12)
    assert not np.allclose(plus["Pr(F)"].to_numpy(dtype=float),
                           full["Pr(F)"].to_numpy(dtype=float), rtol=1e-6, atol=0)
    pd.testing.assert_frame_equal(plus.drop(columns=["denDF", "Pr(F)"]),
                                  full.drop(columns=["denDF", "Pr(F)"]))
    assert full.loc[TERM, "denDF"] != 8.7
    assert as_asreml_reports(m.wald()).equals(m.wald())     # no denDF column: unchanged


def test_asremls_recorded_lsd_follows_from_the_rounded_df() -> None:
    sed = np.sqrt(27.5)                       # closed form: SS/3 of level (100, 10)
    assert abs(stats.t.ppf(0.975, 8.7) * sed - 11.92550) < 1e-5
    assert abs(stats.t.ppf(0.975, 8.747) * sed - 11.92550) > 1e-3
    m = _fit()
    diffs = asr.plus.predictPlus(m, classify=TERM, wald_tab=r_wald(m, denDF="numeric"),
                                 tables="none")
    by_sp = asr.plus.recalcLSD(diffs, LSDtype="factor", LSDby=["Speed", "Pressure"])
    assert abs(by_sp["LSD"]["minLSD"].iloc[0] - 11.92550) < 1e-5
    by_p = asr.plus.recalcLSD(diffs, LSDtype="factor", LSDby="Pressure")
    got = by_p["LSD"][["minLSD", "meanLSD", "maxLSD"]].iloc[0].to_numpy(dtype=float)
    np.testing.assert_allclose(got, [11.92550, 41.13342, 67.62672], atol=1e-5)


def test_translated_wald_with_dendf_reports_asremls_table() -> None:
    py = translate('wt <- wald.asreml(m1, denDF = "numeric")$Wald\nw0 <- wald(m1)\n')
    assert "wt = r_wald(m1, denDF='numeric')" in py
    assert "w0 = m1.wald()" in py                   # no denominator df: nothing to round
