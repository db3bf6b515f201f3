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


def test_dsum_section_names_as_asreml() -> None:
    """``dsum(~ units | site)``: asreml names each section's variance ``site_S1!R`` (agridat's
    damesa.maize.Rd printout; lfelipe-ferrao.github.io week10_2022.html ``year_2008!R``) and an
    ar1 section's correlation ``site_S1!Row!cor`` (``Experiment_<lev>!Row!cor`` in a recorded
    NVT varcomp); the values stay asr_py's. With ``y ~ site`` and no random term each
    section's REML variance is the site's sample variance (closed form)."""
    from asr_py.translate.runtime import r_varcomp

    rng = np.random.default_rng(11)
    rows = [(s, str(r), str(c), rng.normal(0, sd))
            for s, sd in (("S1", 1.0), ("S2", 2.0), ("S3", 0.5))
            for r in range(1, 7) for c in range(1, 5)]
    d = pd.DataFrame(rows, columns=["site", "Row", "Col", "y"])
    m = asr.asreml(fixed="y ~ site", residual="~ dsum(~ units | site)", data=d)
    vc = r_varcomp(m)
    assert list(vc.index) == ["site_S1!R", "site_S2!R", "site_S3!R"]
    want = d.groupby("site")["y"].var(ddof=1)
    np.testing.assert_allclose(vc["component"].to_numpy(), want.to_numpy(), rtol=1e-5)
    assert list(r_vparameters(m).index) == list(vc.index)
    m2 = asr.asreml(fixed="y ~ site", residual="~ dsum(~ id(Col):ar1(Row) | site)", data=d)
    vc2 = r_varcomp(m2)
    assert list(vc2.index) == [f"site_{s}!{x}" for s in ("S1", "S2", "S3")
                               for x in ("R", "Row!cor")]
    np.testing.assert_allclose(vc2["component"].to_numpy(),
                               m2.varcomp["component"].to_numpy(), rtol=0, atol=0)
    assert asreml_param_names(m2.model, ["site_S2!Col:Row!Row!cor"]) == ["site_S2!Row!cor"]
