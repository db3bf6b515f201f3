"""asreml 4's ``summary(fit)$varcomp`` lists a residual with its own variances with its fixed
scale ``<term>!R`` (component 1, bound F) first, as its ``vparameters`` do
(:func:`asr_py.results.vnumbers.asreml_varcomp`; the translation's ``r_varcomp``).

Recorded asreml value: asremlPlus's test41/42PredictionsPresentation.r (and test3's, asreml 3)
fit Montgomery's example 9-1 syrup-loss factorial (5th edn) with
``rcov = ~ idh(SpeedPress):WSpeedPress`` and no random term, and expect
``summary(m1)$varcomp$component[2]`` = 27.5: the first SpeedPress level's residual variance,
after the fixed ``!R`` row. Independent check: the fixed model is saturated in the 27 cells, so
each level's REML variance is its within-cell sum of squares over its 3 degrees of freedom.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _syrup_montgomery import _syrup

import asr_py as asr
from asr_py.results.vnumbers import asreml_varcomp
from asr_py.translate import translate
from asr_py.translate.runtime import r_varcomp


def _closed_form(d: pd.DataFrame) -> pd.Series:
    cell = d.groupby(["Nozzle", "Pressure", "Speed"])["Loss"]
    ss = (d["Loss"] - cell.transform("mean")) ** 2
    return ss.groupby(d["SpeedPress"]).sum() / 3


def test_idh_residual_varcomp_has_asremls_scale_row_first() -> None:
    d = _syrup()
    m = asr.asreml("Loss ~ Nozzle*Pressure*Speed", residual="~idh(SpeedPress):WSpeedPress",
                   data=d)
    vc = r_varcomp(m)
    assert list(vc.index[:2]) == ["SpeedPress:WSpeedPress!R",
                                  "SpeedPress:WSpeedPress!SpeedPress_100,10"]
    assert vc["component"].iloc[0] == 1.0 and vc["bound"].iloc[0] == "F"
    assert np.isnan(vc["std.error"].iloc[0])
    assert len(vc) == len(m.varcomp) + 1
    want = _closed_form(d)
    assert abs(want["100,10"] - 27.5) < 1e-12            # the script's recorded asreml value
    np.testing.assert_allclose(vc["component"].iloc[1:].to_numpy(),
                               want.sort_index().to_numpy(), rtol=1e-6)
    # the rows asr_py lists are unchanged and in the same order
    pd.testing.assert_frame_equal(vc.iloc[1:], m.varcomp)


def test_default_residual_varcomp_is_unchanged() -> None:
    d = _syrup()
    m = asr.asreml("Loss ~ Nozzle", random="~ SpeedPress", data=d)
    vc = m.varcomp
    assert asreml_varcomp(vc, m.model.residual) is vc
    assert list(r_varcomp(m).index) == ["SpeedPress", "units!R"]


def test_translated_summary_varcomp_reads_asremls_rows(tmp_path) -> None:  # noqa: ANN001
    d = _syrup()
    d.to_csv(tmp_path / "syrup.csv", index=False)
    r = ('d <- read.csv("syrup.csv")\n'
         'for (f in c("Nozzle", "Pressure", "Speed", "SpeedPress", "WSpeedPress")) '
         'd[[f]] <- factor(d[[f]])\n'
         'm1 <- asreml(Loss ~ Nozzle * Pressure * Speed, '
         'rcov = ~idh(SpeedPress):WSpeedPress, data = d)\n'
         'v2 <- summary(m1)$varcomp$component[2]\n'
         'nvc <- nrow(summary(m1)$varcomp)\n')
    py = translate(r)
    # rcov= marks an asreml 3 script: its varcomp table (rvarcomp3.py) wraps r_varcomp
    assert "r_varcomp(m1)" in py or "r_varcomp3(m1)" in py
    ns: dict[str, object] = {}
    import os
    here = os.getcwd()
    try:
        os.chdir(tmp_path)
        exec(compile(py, "t.py", "exec"), ns)
    finally:
        os.chdir(here)
    assert abs(float(ns["v2"]) - 27.5) < 1e-5           # asreml's, via the closed form
    assert int(ns["nvc"]) == 10                          # 9 variances + the !R row
