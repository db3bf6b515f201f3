"""A fit with as many records as fixed effects (n = rank X): asreml fits it, and so do we.

isabellajchiara/BLUPs_and_GGE (c840be8) BLUPs.R fits, per location, ``yield ~ name:rep`` with
``random = ~ year + name:year`` and ``sparse = ~ year + name:year + name:rep``; at GART (one
year, one record per name:rep cell) that is 462 records and 462 fixed effects. asreml fitted
it and its stage-2 fit on those predictions is recorded in BLUPsTwoStep.xlsx
(fetched blups_gge_gart_asreml.csv). Closed forms: with X square and invertible,
β̂ = X⁻¹y (the predictions of the cells are the records), P = 0 so û = 0, and the REML
likelihood does not depend on θ; standard errors need θ and are NaN.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _fetched import fetched

import asr_py as asr


def _cells(seed: int = 5) -> pd.DataFrame:
    """One record per (G, R) cell: 8 genotypes x 3 reps, a block factor."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(f"g{i}", f"r{j}") for i in range(8) for j in range(3)],
                     columns=["G", "R"])
    d["Blk"] = np.where(d.index % 2 == 0, "b1", "b2")
    d["y"] = rng.normal(5000, 400, len(d)).round(1)
    return d


def test_saturated_fit_reproduces_the_records() -> None:
    d = _cells()
    before = d.copy()
    with pytest.warns(asr.IdentifiabilityWarning, match="no residual degrees of freedom"):
        m = asr.asreml("y ~ G:R", random="~ Blk", data=d)
    pd.testing.assert_frame_equal(d, before)
    assert list(m.varcomp["bound"]) == ["F", "F"]     # held, not estimated
    assert m.varcomp["std.error"].isna().all()
    p = m.predict("G:R")
    want = d.set_index(["G", "R"])["y"]
    got = p.set_index(["G", "R"])["predicted.value"]
    np.testing.assert_allclose(got.to_numpy(), want.reindex(got.index).to_numpy(), rtol=1e-10)
    assert p["std.error"].isna().all() and (p["status"] == "Estimable").all()
    np.testing.assert_allclose(np.concatenate(m.result.u), 0.0, atol=1e-8 * 5000)
    assert any("no residual degrees of freedom" in w for w in m.diagnostics)


def test_fewer_records_than_fixed_effects_still_refused() -> None:
    """n = 1 (one record, the intercept alone) has nothing to fit: a clear error."""
    d = _cells().iloc[:1]
    with pytest.raises(asr.AsrError, match="no residual degrees of freedom"):
        asr.asreml("y ~ 1", data=d)


def test_blups_and_gge_gart_two_stage_matches_asreml() -> None:
    """Stage 1 at GART is saturated (its predictions are the records); stage 2,
    ``yield ~ loc`` with ``random = ~ name + name:loc`` and ``sparse = ~ name + name:loc``
    (sparse terms are fixed effects, so name is fixed and its random effects confounded),
    gives asreml's recorded predictions and standard errors."""
    g = pd.read_csv(fetched("blups_gge_gart.csv"), dtype={"name": str, "year": str, "rep": str})
    g["yield"] = g["yield"].astype(float)
    g["loc"] = "GART"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m1 = asr.asreml("yield ~ name:rep", random="~ year + name:year",
                        sparse="~ year + name:year + name:rep", data=g, maxit=500)
    assert m1.model.saturated
    b = m1.predict("name:rep", vcov=True, aliased=True)
    cell = g.set_index(["name", "rep"])["yield"]
    np.testing.assert_allclose(b["predicted.value"].to_numpy(),
                               cell.reindex(pd.MultiIndex.from_frame(b[["name", "rep"]]))
                               .to_numpy(), rtol=1e-10)
    s2 = b[["name", "rep", "predicted.value"]].rename(columns={"predicted.value": "yield"})
    s2["loc"] = "GART"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m2 = asr.asreml("yield ~ loc", random="~ name + name:loc", sparse="~ name + name:loc",
                        data=s2, maxit=500)
    p = m2.predict("name").set_index("name")
    rec = pd.read_csv(fetched("blups_gge_gart_asreml.csv"), dtype={"name": str}).set_index("name")
    assert set(p.index) == set(rec.index)
    p = p.reindex(rec.index)
    np.testing.assert_allclose(p["predicted.value"], rec["yield"], rtol=1e-8)
    np.testing.assert_allclose(p["std.error"], rec["se"], rtol=1e-8)
