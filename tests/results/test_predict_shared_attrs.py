"""Prediction tables' SED / vcov / avsed attrs (asr_py.results.shared_attrs).

pandas deep-copies ``attrs`` into every object derived from a table and, in ``pd.concat``,
asks ``bool(a.attrs == b.attrs)``, which raises for DataFrame values: concatenating two
``predict(sed=True)`` tables was an error, and ``df.head()`` of a table with n predictions
copied its n × n SED. Checked here: concat works (attrs kept only when the tables carry the
same matrix), derived objects share the matrix instead of copying it (tracemalloc), and the
values are those of the table (SED_ij = sqrt(v_ii + v_jj − 2 v_ij) from its own vcov).
"""

from __future__ import annotations

import copy
import tracemalloc

import numpy as np
import pandas as pd

import asr_py as asr


def _data(n_gen: int = 12, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    gen = np.repeat([f"G{i:03d}" for i in range(n_gen)], 3)
    block = np.tile(["b1", "b2", "b3"], n_gen)
    y = 10 + rng.normal(size=n_gen).repeat(3) + rng.normal(size=3)[np.tile([0, 1, 2], n_gen)] \
        + rng.normal(size=3 * n_gen)
    return pd.DataFrame({"y": y, "gen": gen, "block": block})


def _pred(df: pd.DataFrame) -> pd.DataFrame:
    m = asr.asreml("y ~ gen", random="~ block", data=df)
    return m.predict(classify="gen", sed=True, vcov=True)


def test_concat_of_two_prediction_tables_with_sed() -> None:
    a = _pred(_data(seed=1))
    b = _pred(_data(seed=2))
    both = pd.concat([a, b], ignore_index=True)
    assert both.shape == (len(a) + len(b), a.shape[1])
    np.testing.assert_array_equal(both["predicted.value"].to_numpy(),
                                  np.r_[a["predicted.value"], b["predicted.value"]])
    assert "sed" not in both.attrs  # different matrices: pandas drops attrs
    same = pd.concat([a, a])
    assert same.attrs["sed"] is a.attrs["sed"]
    merged = a.merge(b, on="gen", suffixes=("_a", "_b"))
    assert len(merged) == len(a)


def test_derived_tables_share_the_matrix() -> None:
    p = _pred(_data(n_gen=300))
    sed = p.attrs["sed"]
    size = np.asarray(sed).nbytes
    tracemalloc.start()
    derived = [p.head(), p["predicted.value"], p.sort_values("predicted.value"),
               p[p["predicted.value"] > 0], p.copy(), copy.deepcopy(p)]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < size  # six deep copies would be 6 × size
    assert all(d.attrs["sed"] is sed for d in derived)
    own = sed.copy()
    own.iloc[0, 1] = -1.0
    assert sed.iloc[0, 1] != -1.0 and type(own) is pd.DataFrame


def test_sed_values_from_the_tables_own_vcov() -> None:
    p = _pred(_data())
    V = np.asarray(p.attrs["vcov"], dtype=float)
    d = np.diag(V)
    want = np.sqrt(np.clip(d[:, None] + d[None, :] - 2 * V, 0, None))
    np.fill_diagonal(want, 0.0)
    np.testing.assert_allclose(np.asarray(p.attrs["sed"]), want, rtol=1e-12, atol=1e-14)
    iu = np.triu_indices(len(p), 1)
    assert p.attrs["avsed"]["mean"] == want[iu].mean()
    assert list(p.attrs["sed"].index) == list(p["gen"])
    # element-wise comparison is unchanged
    eq = p.attrs["sed"] == p.attrs["sed"]
    assert eq.shape == want.shape and bool(eq)
