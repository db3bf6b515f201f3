"""asreml-R's labels of ar2/ar3/ma1/ma2/exp/gau parameters in ``fit$vparameters`` (asreml
4's names, as asremlPlus's R/estimateV.v3.R builds them: ``f!cor1``.. for ar2, ar3, ma2,
``f!cor`` for ma1, ``f!pow`` for exp/gau); the values are asr_py's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.compat.vpnames import asreml_param_names
from asr_py.translate.runtime import r_vparameters


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"Col": np.repeat(np.arange(1, 5), 8), "Row": np.tile(np.arange(1, 9), 4)})
    d["y"] = rng.normal(size=len(d)) + 0.3 * d["Row"]
    d["ColF"] = d["Col"].astype(str)
    d["RowF"] = d["Row"].astype(str)
    return d


@pytest.mark.parametrize("struct, ours, theirs", [
    ("ar2", ["phi1", "phi2"], ["cor1", "cor2"]),
    ("ma1", ["theta1"], ["cor"]),
    ("ma2", ["theta1", "theta2"], ["cor1", "cor2"]),
])
def test_autoregressive_and_moving_average_names(grid: pd.DataFrame, struct: str,
                                                 ours: list[str], theirs: list[str]) -> None:
    m = asr.asreml(fixed="y ~ 1", residual=f"~ id(ColF):{struct}(RowF)", data=grid, maxit=4)
    vp = r_vparameters(m)
    p = m.params.set_index("Component")["Value"]
    for o, t in zip(ours, theirs):
        assert vp[f"ColF:RowF!RowF!{t}"] == p[f"ColF:RowF!RowF!{o}"]
    assert not any("phi" in n or "theta" in n for n in vp.index)


def test_exp_is_pow_and_others_unchanged(grid: pd.DataFrame) -> None:
    m = asr.asreml(fixed="y ~ 1", random="~ ColF", residual="~ ar1(ColF):exp(Row)",
                   data=grid, maxit=4)
    names = list(m.params["Component"])
    got = asreml_param_names(m.model, names)
    want = [n.replace("Row!cor", "Row!pow") if n.endswith("Row!cor") else n for n in names]
    assert got == want and "ColF:Row!ColF!cor" in got
