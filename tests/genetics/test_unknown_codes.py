"""Unknown parents written as text codes (s34user audit). A pedigree read with
``keep_default_na=False`` (or written by a tool that quotes NA) has the text 'NA' for unknown
parents, and SAS-style files use '.': both were read as a parent id, added as one founder,
and every animal with an unknown parent became a half-sib of the others — A wrong without a
word. 'NA' is now unknown by default (asreml's ``mv``), and a founder id that looks like a
code is named in a warning with the ``unknown=`` that fixes it. Reference: the tabular A of
tests/_dense_reml.py."""

import io
import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import tabular_a

import asr_py as asr

IDS = ["a", "b", "c", "d", "e", "f", "g"]
SIRE = [None, None, 0, 0, None, 2, 4]   # positions of earlier animals
DAM = [None, None, 1, None, 3, None, 5]


def _csv(code: str) -> str:
    rows = [f"{i},{IDS[s] if s is not None else code},{IDS[d] if d is not None else code}"
            for i, s, d in zip(IDS, SIRE, DAM)]
    return "id,sire,dam\n" + "\n".join(reversed(rows)) + "\n"   # offspring first


def _a(rel: asr.RelMatrix) -> np.ndarray:
    return np.linalg.inv(rel.to_frame().loc[IDS, IDS].to_numpy())


def test_na_text_is_unknown_by_default():
    ped = pd.read_csv(io.StringIO(_csv("NA")), keep_default_na=False)
    assert (ped.sire == "NA").sum() == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rel = asr.ainverse(ped)
    assert len(rel.ids) == len(IDS)
    np.testing.assert_allclose(_a(rel), tabular_a(SIRE, DAM), atol=1e-12)


def test_a_code_like_founder_is_named_and_unknown_fixes_it():
    """Plants (check_roles=False): the code becomes a founder; the warning names it."""
    ped = pd.read_csv(io.StringIO(_csv(".")))
    with pytest.warns(asr.AsrWarning, match=r"'\.' \(7 offspring\).*unknown="):
        rel = asr.ainverse(ped, check_roles=False)
    assert "." in rel.ids                                   # what the warning is about
    assert not np.allclose(_a(rel), tabular_a(SIRE, DAM))
    fixed = asr.ainverse(ped, unknown=("0", "."))
    assert "." not in fixed.ids
    np.testing.assert_allclose(_a(fixed), tabular_a(SIRE, DAM), atol=1e-12)


def test_a_code_both_sire_and_dam_is_named_in_the_roles_error():
    ped = pd.read_csv(io.StringIO(_csv("-")))
    with pytest.raises(asr.PedigreeError, match=r"'-' looks like a missing-value code: pass "
                                                 r"unknown=\(0, '0', '', '\*', 'NA', '-'\)"):
        asr.ainverse(ped)


def test_ordinary_founder_ids_do_not_warn():
    ped = pd.DataFrame({"id": ["c", "d"], "sire": ["A1", "A1"], "dam": ["B2", "0"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rel = asr.ainverse(ped)
    assert set(rel.ids) == {"A1", "B2", "c", "d"}
