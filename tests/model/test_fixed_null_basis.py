"""The null space of the full fixed design (predict's estimability checks) is computed on
first use, not at every compile (an SVD of X: asremlPlus's model-selection loops compile
hundreds-column designs dozens of times). Checked: X N = 0, N'N = I, and its dimension is the
number of aliased columns (closed form for a design with a known aliasing)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import asr_py as asr


def test_null_basis_spans_the_aliasing_and_is_lazy() -> None:
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"A": np.repeat(["a1", "a2", "a3"], 8), "B": np.tile(["b1", "b2"], 12)})
    d["C"] = d["A"]                                        # C duplicates A: 2 aliased columns
    d["y"] = rng.normal(size=len(d))
    m = asr.compile_model("y ~ A + B + C", data=d)
    fx = m.fixed
    assert fx._null is None                                # not computed by the compile
    N = fx.null_basis
    assert N.shape == (len(fx.all_names), len(fx.aliased)) == (6, 2)
    np.testing.assert_allclose(fx.all_X @ N, 0.0, atol=1e-10)
    np.testing.assert_allclose(N.T @ N, np.eye(2), atol=1e-12)


def test_no_aliasing_keeps_no_copy_of_x() -> None:
    d = pd.DataFrame({"A": np.repeat(["a1", "a2"], 5), "y": np.arange(10.0)})
    fx = asr.compile_model("y ~ A", data=d).fixed
    assert fx.all_X is None and fx.null_basis.shape == (2, 0)
