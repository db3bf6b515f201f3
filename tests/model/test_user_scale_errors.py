"""Bad inputs at a breeder's scale end in a clear error that says what to fix, fast:
a covariate read as text into a 10^5-level fixed factor (the design-size estimate names the
number-like factor and the conversion), and a G built without ids next to data with real ids
(the error shows the matrix's ids and says they are row numbers); a loop in a 20 000-animal
pedigree and animals missing from it (named, fast)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def test_numeric_text_factor_refused_with_conversion_hint() -> None:
    rng = np.random.default_rng(0)
    n = 100_000
    df = pd.DataFrame({"dose": rng.standard_normal(n).round(6).astype(str),
                       "y": rng.standard_normal(n)})
    before = df.copy()
    t0 = time.perf_counter()
    with pytest.raises(asr.ModelError) as e:
        asr.asreml(fixed="y ~ dose", data=df)
    assert time.perf_counter() - t0 < 30  # refused from the estimate, not by building X
    assert "pd.to_numeric(df['dose'])" in e.value.hint
    pd.testing.assert_frame_equal(df, before)  # nothing the user passed is changed


def test_text_factor_with_many_levels_gets_no_numeric_hint() -> None:
    n = 20_000
    df = pd.DataFrame({"plot": [f"P{i}" for i in range(n)], "y": np.arange(n, dtype=float)})
    with pytest.raises(asr.ModelError) as e:
        asr.asreml(fixed="y ~ plot", data=df)
    assert "to_numeric" not in e.value.hint
    assert "random terms" in e.value.hint


def test_matrix_without_ids_named_in_the_hint() -> None:
    rng = np.random.default_rng(1)
    M = rng.binomial(2, 0.3, size=(60, 200)).astype(float)
    G = asr.gmatrix(M, ridge=0.01)  # no ids given: '1'..'60'
    df = pd.DataFrame({"id": [f"L{i}" for i in range(60)], "y": rng.standard_normal(60)})
    with pytest.raises(asr.MatrixError) as e:
        asr.asreml(fixed="y ~ 1", random="~ vm(id, G)", data=df, G=G)
    assert "'1', '2', '3'" in e.value.hint
    assert "row numbers" in e.value.hint and "ids=" in e.value.hint


def test_partial_id_mismatch_shows_matrix_ids_only() -> None:
    rng = np.random.default_rng(2)
    ids = [f"L{i}" for i in range(60)]
    M = pd.DataFrame(rng.binomial(2, 0.3, size=(60, 200)).astype(float))
    M.insert(0, "id", ids)
    G = asr.gmatrix(M, ridge=0.01)
    df = pd.DataFrame({"id": ids[:-1] + ["l59"], "y": rng.standard_normal(60)})
    with pytest.raises(asr.MatrixError, match="l59") as e:
        asr.asreml(fixed="y ~ 1", random="~ vm(id, G)", data=df, G=G)
    assert "'L0', 'L1', 'L2'" in e.value.hint
    assert "row numbers" not in e.value.hint


def _big_pedigree() -> pd.DataFrame:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from user_sim import pedigree

    return pedigree(20_000, 6, seed=3)[["animal", "sire", "dam"]]


def test_loop_in_a_large_pedigree_found_fast() -> None:
    ped = _big_pedigree()
    young = ped["animal"].iloc[-1]
    anc = ped.loc[ped["animal"] == ped["dam"].iloc[-1], "dam"].iloc[0]  # a grand-dam
    loop = ped.copy()
    loop.loc[loop["animal"] == anc, "sire"] = young  # the grand-dam's sire is her grandchild
    t0 = time.perf_counter()
    with pytest.raises(asr.PedigreeError, match="own ancestor") as e:
        asr.ainverse(loop, check_roles=False)
    assert time.perf_counter() - t0 < 30
    assert young in str(e.value) and anc in str(e.value)


def test_animal_missing_from_a_large_pedigree_named() -> None:
    ped = _big_pedigree()
    ainv = asr.ainverse(ped, check_roles=False)
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"animal": ped["animal"].iloc[-3000:].to_numpy(),
                       "y": rng.standard_normal(3000)})
    df.loc[df.index[[5, 17]], "animal"] = ["T5_99998", "T5_99999"]
    with pytest.raises(asr.MatrixError, match="2 levels of 'animal'.*T5_99998") as e:
        asr.asreml(fixed="y ~ 1", random="~ vm(animal, Ainv)", data=df, Ainv=ainv)
    assert "'T0_00000'" in e.value.hint  # the matrix's own ids, to compare spellings
