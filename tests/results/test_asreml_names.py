"""Row names of fit tables as asreml prints them.

asremlPlus's test41ChangeTerms.r reads the wald table row ``at(AMF, AMF_plus):per.col`` of a
term written ``at(AMF, "AMF_plus"):per.col``: asreml prints an at() level without quotes (as
asr_py's coefficient and random-term names already do, e.g. ``at(S, s1):x``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 80
    d = pd.DataFrame({"AMF": np.repeat(["minus", "plus"], n // 2),
                      "G": [f"g{i % 8}" for i in range(n)], "x": rng.normal(size=n)})
    d["y"] = 1 + (d["AMF"] == "plus") * (0.5 + 1.5 * d["x"]) + rng.normal(size=n)
    return d


def test_wald_rows_of_at_terms_have_no_quotes() -> None:
    d = _data()
    for q in ("'", '"'):
        m = asr.asreml(f"y ~ AMF + at(AMF, {q}plus{q}):x", random="~ G", data=d)
        rows = list(m.wald().index)
        assert rows == ["(Intercept)", "AMF", "at(AMF, plus):x"]
        assert "at(AMF, plus):x" in m.coef_fixed.index
        # the last (incremental) row's Wald statistic is its coefficient's squared z ratio
        z = m.coef_fixed.loc["at(AMF, plus):x", "z.ratio"]
        assert m.wald().loc["at(AMF, plus):x", "Wald statistic"] == pytest.approx(z ** 2,
                                                                                 rel=1e-8)
