"""``fit$design`` in asreml 4.1's layout (asr_py.results.design).

Recorded evidence: asremlPlus's test41Orange.r (asreml 4.1) indexes ``fit$design`` by
position: for ``circ ~ x + Season`` (Season with 2 levels) the random columns start at 5
(line 62: (Intercept), x and a column per season), and for ``random = ~ Tree + Tree:x +
spl(x) + dev(x)`` Tree is 3:7, Tree:x 8:12 and dev(x) 18:24 (lines 77-82: the terms in the
order written, not main effects first). Checked here on a small simulated trial: the columns
equal indicators and products built by hand from the data, in that layout.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.translate.runtime import r_design


@pytest.fixture(scope="module")
def trial() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n_tree, times = 5, np.array([118.0, 484, 664, 1004, 1231, 1372, 1582])
    d = pd.DataFrame({"Tree": np.repeat([str(i) for i in range(1, n_tree + 1)], times.size),
                      "x": np.tile(times, n_tree)})
    d["Season"] = np.where(np.tile(np.arange(times.size) % 2 == 0, n_tree), "Spring", "Autumn")
    u = rng.normal(0, 8, n_tree)
    d["circ"] = 30 + 0.1 * d["x"] + np.repeat(u, times.size) + rng.normal(0, 3, len(d))
    d["Tree"] = d["Tree"].astype("category")
    d["Season"] = pd.Categorical(d["Season"], categories=["Autumn", "Spring"])
    return d


def test_fixed_factor_has_a_column_per_level(trial) -> None:
    m = asr.asreml("circ ~ x + Season", random="~ Tree", data=trial)
    D = r_design(m)
    assert list(D.columns[:4]) == ["(Intercept)", "x", "Season_Autumn", "Season_Spring"]
    np.testing.assert_array_equal(D["Season_Autumn"], (trial["Season"] == "Autumn").astype(float))
    np.testing.assert_array_equal(D["Season_Spring"], (trial["Season"] == "Spring").astype(float))
    np.testing.assert_array_equal(D["x"], trial["x"])
    tree = D.iloc[:, 4:9].to_numpy()            # random columns start at 5 (R's 1-based)
    np.testing.assert_array_equal(tree, pd.get_dummies(trial["Tree"]).to_numpy(float))


def test_fixed_interaction_has_every_level_combination(trial) -> None:
    m = asr.asreml("circ ~ Season + Season:x", random="~ Tree", data=trial)
    D = r_design(m)
    assert list(D.columns[:5]) == ["(Intercept)", "Season_Autumn", "Season_Spring",
                                   "Season_Autumn:x", "Season_Spring:x"]
    for s in ("Autumn", "Spring"):
        np.testing.assert_allclose(D[f"Season_{s}:x"], (trial["Season"] == s) * trial["x"])


def test_random_terms_in_the_order_written(trial) -> None:
    m = asr.asreml("circ ~ x", random="~ Tree + Tree:x + spl(x) + dev(x)",
                   knot_points={"x": [118, 484, 664, 1004, 1231, 1372, 1582]}, data=trial)
    D = r_design(m).to_numpy(dtype=float)
    dummies = pd.get_dummies(trial["Tree"]).to_numpy(float)
    np.testing.assert_array_equal(D[:, 2:7], dummies)                          # Tree 3:7
    np.testing.assert_allclose(D[:, 7:12], dummies * trial["x"].to_numpy()[:, None])  # 8:12
    dev = pd.get_dummies(trial["x"]).to_numpy(float)
    np.testing.assert_array_equal(D[:, 17:24], dev)                            # dev(x) 18:24
    assert D.shape[1] == 24


def test_random_columns_are_found_by_asreml_42_names(trial) -> None:
    """asremlPlus's test42Orange.r (asreml 4.2) finds the columns by name:
    ``match(c(paste0("Tree_", 1:5), paste0("Tree_", 1:5, ":x")), colnames(design))`` for
    str(~ Tree/x, ...), ``match(outer(paste0("spl(x)_", 1:5), paste0(":Tree_", 1:5),
    paste0), ...)`` (a matrix: its elements column-major) for spl(x):Tree; asreml 4.1's
    scripts grep the term label (``grepl("spl(x):Tree", ..., fixed = TRUE)``,
    test41EstimateV.r). Both find the columns, which equal indicators and products built
    by hand from the data."""
    from asr_py.translate.runtime import r_match

    m = asr.asreml("circ ~ x", random="~ str(~ Tree/x, ~ diag(2):id(5)) + spl(x):Tree + "
                   "dev(x)", knot_points={"x": [118, 484, 664, 1004, 1231, 1372, 1582]},
                   data=trial, maxit=5)
    D = r_design(m)
    names = list(D.columns)
    cols = r_match([f"Tree_{i}" for i in range(1, 6)] + [f"Tree_{i}:x" for i in range(1, 6)],
                   names)
    assert None not in cols
    dummies = pd.get_dummies(trial["Tree"]).to_numpy(float)
    block = D.iloc[:, [c - 1 for c in cols]].to_numpy(float)
    np.testing.assert_array_equal(block[:, :5], dummies)
    np.testing.assert_allclose(block[:, 5:], dummies * trial["x"].to_numpy()[:, None])
    outer = np.array([[f"spl(x)_{i}:Tree_{j}" for j in range(1, 6)] for i in range(1, 6)])
    spl = r_match(outer, names)
    assert None not in spl and len(set(spl)) == 25
    by41 = [k + 1 for k, c in enumerate(names) if "spl(x):Tree" in c]
    assert sorted(spl) == by41                    # the same 25 columns either way
    for i in range(1, 6):                         # spl(x)_i:Tree_j is zero outside tree j
        for j in range(1, 6):
            k = r_match(f"spl(x)_{i}:Tree_{j}", names)
            col = D.iloc[:, k - 1].to_numpy(float)
            assert np.all(col[trial["Tree"].astype(str).to_numpy() != str(j)] == 0)
    assert r_match("no such column", names) is None
    assert sum("dev(x)" in c for c in names) == 7
