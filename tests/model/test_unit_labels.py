"""units' labels made on demand (asr_py.model.unit_labels) and the compiled model's memory of
per-record data (issue 16): the residual template's units levels are the tuple '1'..'n', a
one-part random term's block shares its Z."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.model.unit_labels import UnitLabels


def test_unit_labels_behave_as_the_tuple() -> None:
    ref = tuple(str(i + 1) for i in range(12))
    u = UnitLabels(12)
    assert len(u) == 12 and tuple(u) == ref and list(u) == list(ref)
    assert u == ref and ref == u and u == list(ref) and u == UnitLabels(12)
    assert u != ref[:-1] and u != UnitLabels(11)
    assert hash(u) == hash(ref)
    assert u[0] == "1" and u[-1] == "12" and u[3:7] == ref[3:7] and u[::-5] == ref[::-5]
    assert "12" in u and "13" not in u and "0" not in u and "01" not in u and 1 not in u
    assert "²" not in u  # a unicode digit that int() refuses
    with pytest.raises(IndexError, match="out of range"):
        u[12]
    assert u.index("5") == 4 and u.count("5") == 1


def _data(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(8)
    a = rng.integers(0, 15, n)
    b = rng.integers(0, 20, n)
    y = 1.0 + rng.normal(size=15)[a] + rng.normal(size=20)[b] + rng.normal(size=n)
    return pd.DataFrame({"a": [f"a{i}" for i in a], "b": [f"b{i}" for i in b], "y": y})


def test_compiled_model_keeps_one_copy_per_record() -> None:
    df = _data()
    m = asr.compile_model("y ~ 1", random="~ a + b", data=df)
    res = m.residual
    blocks = [b for _, bl in res.sections for b in bl]
    assert [b.name for b in blocks] == ["units"]
    assert isinstance(blocks[0].labels, UnitLabels)
    leaf = res.template.parts[0]  # units (scaled: Kronecker with the σ² parameter)
    assert isinstance(leaf.levels, UnitLabels)
    assert leaf.levels == tuple(str(i + 1) for i in range(len(df)))
    for t in m.random:
        assert len(t.blocks) == 1 and t.blocks[0].mat is t.Z  # one matrix, shared
        codes = t.Z.tocsr().indices  # record i's column is its level's position
        assert [t.levels[c] for c in codes] == [v for v in df[t.label]]


def test_fit_does_not_depend_on_label_storage() -> None:
    """The same data as object strings and as a categorical: the same fit (invariance of
    the factor coding, which now goes through the distinct values only)."""
    df = _data()
    f1 = asr.asreml("y ~ 1", random="~ a + b", data=df)
    cat = df.assign(a=df["a"].astype("category"), b=df["b"].astype(object))
    f2 = asr.asreml("y ~ 1", random="~ a + b", data=cat)
    assert f2.result.loglik == pytest.approx(f1.result.loglik, abs=1e-9)
    np.testing.assert_allclose(f2.result.theta, f1.result.theta, rtol=1e-8)
    pd.testing.assert_frame_equal(df, _data())  # nothing the user passed was mutated


def test_records_frame_does_not_follow_later_edits_of_the_users_data() -> None:
    df = _data()
    m = asr.compile_model("y ~ 1", random="~ a + b", data=df)
    before = m.records.frame["y"].to_numpy().copy()
    df.loc[df.index[0], "y"] = 1e9  # the user edits their frame after compiling
    np.testing.assert_array_equal(m.records.frame["y"].to_numpy(), before)
