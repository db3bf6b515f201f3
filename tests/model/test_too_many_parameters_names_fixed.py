"""A covariate read as text (numbers with '.' for missing, as R's read.csv can leave it)
becomes a factor with a level per value: when that leaves fewer residual degrees of freedom
than variance parameters, the error names the fixed term that took the records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def test_error_names_the_fixed_term_with_a_level_per_value() -> None:
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"gen": np.repeat([f"G{k}" for k in range(6)], 4),
                      "y": rng.normal(10, 1, 24)})
    x = rng.uniform(0, 10, 24).round(3).astype(object)
    x[5] = "."
    x[7] = x[6]                                  # 23 distinct texts in 24 records
    d["x"] = x
    with pytest.raises(asr.ModelError) as e:
        asr.asreml("y ~ x", random="~ gen", data=d)
    msg = str(e.value)
    assert "x (22 columns)" in msg              # 23 levels, one taken by the intercept
    # the same column as numbers fits
    d["x"] = pd.to_numeric(d["x"], errors="coerce")
    fit = asr.asreml("y ~ x", random="~ gen", data=d, na_action={"x": "omit"})
    assert np.isfinite(fit.loglik)
