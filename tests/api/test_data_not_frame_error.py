"""data= that is not a DataFrame: the error shows the value, so a translated script's
placeholder for untranslated R code says which code it stands for."""

from __future__ import annotations

import pytest

import asr_py as asr
from asr_py.translate.checks import Untranslated


def test_list_data_is_shown():
    with pytest.raises(asr.DataError, match=r"not list \(\[1, 2, 3\]\)"):
        asr.asreml("y ~ 1", data=[1, 2, 3])


def test_untranslated_data_names_the_r_code():
    ph = Untranslated("statgenIBD::calcIBD(popType = 'F4DH')", "dat")
    with pytest.raises(asr.DataError, match=r"not translated: statgenIBD::calcIBD"):
        asr.asreml("y ~ 1", data=ph)
