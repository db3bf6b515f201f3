"""A separable residual section whose records do not have one cell each but whose count is
the grid's size: asreml checks only that count and takes the records, sorted on the
residual factors, as the grid's cells in order (ASReml User Guide, 'R structures':
'assuming the residuals are in an appropriate order'; the data are sorted on the row and
column factors). Kaio-Olimpio/GIS-FA's soybean data have such a section (E10: 53 records
at row 1, col 1 in a 53 x 3 grid of 159 records) and the authors' saved asreml fit
(saves/FA4.RDA: 371 parameters, 37 ar1 x ar1 sections) shows asreml fitted it.

Checked against the dense REML log-likelihood of tests/_dense_reml.py with V built here
from the sorted order (record k of the sort in cell k of the row-major grid)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import ar1, reml_loglik

import asr_py as asr
from asr_py.errors import FormulaError

NR, NC = 5, 4


def _data(missing: int | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = np.repeat(np.arange(1, NR + 1), NC)
    cols = np.tile(np.arange(1, NC + 1), NR)
    d = pd.DataFrame({"row": rows, "col": cols, "y": rng.normal(10, 2, NR * NC)})
    d = d.sample(frac=1.0, random_state=3).reset_index(drop=True)    # any data order
    # three records' coordinates written as (1, 1): 3 records share that cell; the count is
    # still NR * NC and every level is present
    bad = d.index[((d["row"] == 2) & (d["col"] == 1)) | ((d["row"] == 4) & (d["col"] == 3))]
    d.loc[bad, ["row", "col"]] = 1
    if missing is not None:
        d.loc[missing, "y"] = np.nan
    d["row"] = pd.Categorical(d["row"].astype(str))
    d["col"] = pd.Categorical(d["col"].astype(str))
    return d


def _dense(d: pd.DataFrame, s2: float, rr: float, rc: float) -> float:
    """REML log-likelihood with record k of the sort on (row, col, data order) in cell k."""
    order = np.lexsort((np.arange(len(d)), d["col"].cat.codes, d["row"].cat.codes))
    cell = np.empty(len(d), dtype=int)
    cell[order] = np.arange(len(d))
    full = s2 * np.kron(ar1(NR, rr), ar1(NC, rc))
    obs = d["y"].notna().to_numpy()
    V = full[np.ix_(cell[obs], cell[obs])]
    y = d["y"].to_numpy()[obs]
    return reml_loglik(y, np.ones((y.size, 1)), V)


@pytest.mark.parametrize("missing", [None, 5])
def test_records_sharing_a_cell_take_the_grid_in_sorted_order(missing: int | None) -> None:
    d = _data(missing)
    before = d.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("y ~ 1", residual="~ ar1(row):ar1(col)", data=d)
    pd.testing.assert_frame_equal(d, before)                   # the data are not changed
    vc = m.varcomp["component"]
    s2, rr, rc = vc["row:col!R"], vc["row:col!row!cor"], vc["row:col!col!cor"]
    assert m.loglik == pytest.approx(_dense(d, s2, rr, rc), abs=1e-6)
    # a maximum: the dense likelihood is not higher nearby
    for dr, dc in ((0.05, 0), (-0.05, 0), (0, 0.05), (0, -0.05)):
        assert _dense(d, s2, rr + dr, rc + dc) <= m.loglik + 1e-6
    assert any("several records share a cell" in w and "as asreml does" in w
               for w in m.model.warnings)


def test_records_sharing_a_cell_with_a_count_off_the_grid_stop() -> None:
    """One record fewer than the grid (and no missing response to count): no grid, the
    error says which cell is crowded."""
    d = _data().iloc[1:].copy()
    with pytest.raises(FormulaError, match=r"several records share a cell .*at row=1, col=1"):
        asr.asreml("y ~ 1", residual="~ ar1(row):ar1(col)", data=d,
                   na_action={"y": "omit"})


def test_dsum_section_with_crowded_cells_and_a_missing_response() -> None:
    """dsum(~ id(row):id(col) + ar1(row):ar1(col) | site, levels = list('A', 'B')), as
    the GIS-FA script: site B's records share cells, its missing response counted in the
    grid; V = blockdiag(s2_A I, s2_B (AR1_r x AR1_c)[sorted order of B]) on the observed
    records (tests/_dense_reml.py)."""
    b = _data(missing=7)
    a = _data().assign(y=lambda f: f["y"] + 3.0)
    a["row"] = pd.Categorical(np.repeat(np.arange(1, NR + 1), NC).astype(str))
    a["col"] = pd.Categorical(np.tile(np.arange(1, NC + 1), NR).astype(str))
    d = pd.concat([a.assign(site="A"), b.assign(site="B")], ignore_index=True)
    d["site"] = pd.Categorical(d["site"])
    for c in ("row", "col"):
        d[c] = pd.Categorical(d[c].astype(str), categories=[str(i) for i in range(1, 6)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("y ~ site", data=d, residual="~ dsum(~ id(row):id(col) + "
                       "ar1(row):ar1(col) | site, levels = list('A', 'B'))")
    vc = m.varcomp["component"]
    s2a = vc["site_A!row:col!R"]
    s2b, rr, rc = (vc["site_B!row:col!R"], vc["site_B!row:col!row!cor"],
                   vc["site_B!row:col!col!cor"])
    bb = d[d["site"] == "B"].reset_index(drop=True)
    order = np.lexsort((np.arange(len(bb)), bb["col"].cat.codes, bb["row"].cat.codes))
    cell = np.empty(len(bb), dtype=int)
    cell[order] = np.arange(len(bb))
    obs_b = bb["y"].notna().to_numpy()
    vb = (s2b * np.kron(ar1(NR, rr), ar1(NC, rc)))[np.ix_(cell[obs_b], cell[obs_b])]
    na = int((d["site"] == "A").sum())
    V = np.zeros((na + vb.shape[0],) * 2)
    V[:na, :na] = s2a * np.eye(na)
    V[na:, na:] = vb
    y = np.concatenate([d.loc[d["site"] == "A", "y"].to_numpy(), bb["y"].to_numpy()[obs_b]])
    X = np.zeros((y.size, 2))
    X[:, 0] = 1
    X[na:, 1] = 1
    assert m.loglik == pytest.approx(reml_loglik(y, X, V), abs=1e-6)
