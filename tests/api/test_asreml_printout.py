"""Fits against asreml 4.1's own printout of the same models on the same data.

The WAM gryphon tutorial (JulienGAMartin/wam_tuto, rendered docs/02_01-univ_asreml.html at
commit f03ee28f1f2acb118d59723f60899e1c5e7fdf8b; the corpus script 02_01-univ_asreml.Rmd)
prints ``summary(model)$varcomp``, ``vpredict`` and ``loglik`` of animal models on the gryphon
data (tests/data/DT_gryphon.csv, P_gryphon.csv; ``na.method(x = "omit", y = "omit")``). The
printouts fix the row order (random terms by number of effects, smallest first: byear (34
levels), mother, vm(animal, ainv) (1309), whatever the formula order), the residual's names
(``units!units`` then ``units!R``) and the V-numbers vpredict uses (``h2 ~ V2 / (V1 + V2 + V3)``
with byear first).
"""

from __future__ import annotations

import numpy as np
import pytest

import asr_py as asr
from asr_py.translate.runtime import r_loglik, r_varcomp, r_vparameters

KW = dict(residual="~ idv(units)", na_action={"x": "omit", "y": "omit"})


@pytest.fixture(scope="module")
def ainv(gryphon_ped):  # noqa: ANN001, ANN201
    return asr.ainverse(gryphon_ped)


def test_model3_animal_and_birth_year(gryphon, ainv) -> None:  # noqa: ANN001
    m = asr.asreml("BWT ~ 1 + SEX", random="~ vm(ANIMAL, ainv) + BYEAR", data=gryphon,
                   ainv=ainv, **KW)
    vc = r_varcomp(m)
    assert list(vc.index) == ["BYEAR", "vm(ANIMAL, ainv)", "units!units", "units!R"]
    np.testing.assert_allclose(vc["component"], [0.8862604, 2.7068665, 2.3092415, 1.0],
                               rtol=2e-5)
    np.testing.assert_allclose(vc["std.error"].iloc[:3], [0.2695918, 0.4422140, 0.3451025],
                               rtol=2e-3)
    assert list(r_vparameters(m).index) == list(vc.index)
    h2 = m.vpredict("h2.bwt ~ V2 / (V1 + V2 + V3)")
    assert h2.loc["h2.bwt", "Estimate"] == pytest.approx(0.4586068, abs=2e-6)
    assert h2.loc["h2.bwt", "SE"] == pytest.approx(0.06740364, rel=2e-3)
    assert r_loglik(m) == pytest.approx(-1113.772, abs=1e-3)


def test_model4_adds_mother_between_them(gryphon, ainv) -> None:  # noqa: ANN001
    m = asr.asreml("BWT ~ 1 + SEX", random="~ vm(ANIMAL, ainv) + BYEAR + MOTHER",
                   data=gryphon, ainv=ainv, **KW)
    vc = r_varcomp(m)
    assert list(vc.index) == ["BYEAR", "MOTHER", "vm(ANIMAL, ainv)", "units!units",
                              "units!R"]
    np.testing.assert_allclose(vc["component"],
                               [0.8820313, 1.1184698, 2.2985320, 1.6290034, 1.0], rtol=2e-5)
    share = m.vpredict("h2.bwt ~ V1 / (V1 + V2 + V3 + V4)")   # as printed: byear's share
    assert share.loc["h2.bwt", "Estimate"] == pytest.approx(0.1487898, abs=2e-6)
    assert share.loc["h2.bwt", "SE"] == pytest.approx(0.03861552, rel=2e-3)
    assert r_loglik(m) == pytest.approx(-1094.815, abs=1e-3)
