"""A residual grid keeps the levels of data rows whose response is missing.

Under asreml's default ``na.method(y = "include")`` the rows with a missing response are
records: a field row whose plots all lack a yield keeps its place, so ``ar1(row)`` over
rows 1..12 with rows 5-7 empty correlates rows 4 and 8 as ρ⁴ (before: they were made
neighbours, ρ, a silently different model). Independent check: the dense-V REML optimum of
R = σ² [AR1_12(ρ_r) ⊗ AR1_6(ρ_c)][obs, obs] + a random genotype effect, built here in
numpy (tests/_dense_reml.py), against the fit; and the fit differs from the model that
drops those rows (the data discriminate).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import ar1, fit_dense, indicator

import asr_py as asr

R, C = 12, 6
EMPTY = [5, 6, 7]


def _field(seed: int = 1, scale: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(r, c) for r in range(1, R + 1) for c in range(1, C + 1)],
                     columns=["row", "col"])
    d["gen"] = rng.choice([f"g{i}" for i in range(10)], len(d))
    L = np.linalg.cholesky(np.kron(ar1(R, 0.6), ar1(C, 0.3)))
    gen = dict(zip([f"g{i}" for i in range(10)], rng.normal(0, 0.7, 10)))
    d["y"] = scale * (5 + d["gen"].map(gen) + L @ rng.normal(size=R * C))
    d.loc[d["row"].isin(EMPTY), "y"] = np.nan
    d["row"] = d["row"].astype(str)
    d["col"] = d["col"].astype(str)
    return d


def _fit(d: pd.DataFrame, **kw: object) -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(fixed="y ~ 1", random="~ gen", residual="~ ar1(row):ar1(col)",
                          data=d, **kw)


def _dense(d: pd.DataFrame) -> float:
    obs = d["y"].notna().to_numpy()
    y = d["y"].to_numpy(float)[obs]
    X = np.ones((y.size, 1))
    Z = indicator(d["gen"].to_numpy()[obs])
    s = float(np.std(y))

    def build(t: np.ndarray) -> np.ndarray | None:
        sg, se, rr, rc = t
        if sg < 0 or se <= 0 or abs(rr) >= 1 or abs(rc) >= 1:
            return None
        Rf = se * np.kron(ar1(R, rr), ar1(C, rc))[np.ix_(obs, obs)]
        return sg * Z @ Z.T + Rf

    starts = [np.array([0.3 * s * s, s * s, 0.5, 0.2]), np.array([0.1 * s * s, s * s, 0.1, 0.1])]
    _, f = fit_dense(y, X, build, starts, [(0, None), (1e-9 * s * s, None), (-0.99, 0.99),
                                           (-0.99, 0.99)], scale=[s * s, s * s, 1, 1])
    return f


def test_empty_rows_keep_their_place_in_the_grid() -> None:
    d = _field()
    m = _fit(d)
    assert "AR1(n=12" in str(m.model.residual.template)
    assert m.loglik == pytest.approx(_dense(d), abs=1e-5)
    # the model that closes the gap (the rows dropped) is another model, another optimum
    closed = _fit(d[d["y"].notna()].reset_index(drop=True))
    assert "AR1(n=9" in str(closed.model.residual.template)
    assert abs(closed.loglik - m.loglik) > 1e-3


def test_units_and_row_order() -> None:
    d = _field()
    m = _fit(d)
    d2 = _field(scale=1000.0).iloc[::-1].reset_index(drop=True)
    m2 = _fit(d2)
    assert m2.loglik == pytest.approx(m.loglik - np.sum(d["y"].notna()) * np.log(1000)
                                      + np.log(1000), abs=1e-5)
    vc1, vc2 = m.varcomp["component"], m2.varcomp["component"]
    assert vc2["row:col!row!cor"] == pytest.approx(vc1["row:col!row!cor"], abs=1e-5)
    assert vc2["row:col!R"] == pytest.approx(1e6 * vc1["row:col!R"], rel=1e-5)



def test_random_spatial_term_keeps_the_empty_rows() -> None:
    # random = ~ ar1(row):id(col): the same rule as the residual's; dense-V REML with the
    # full 12-row AR1 (Z maps each record to its cell of the whole grid)
    d = _field(seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml(fixed="y ~ 1", random="~ ar1(row):id(col)", data=d)
    assert "AR1(n=12" in str(m.model.random[0].template)
    obs = d["y"].notna().to_numpy()
    y = d["y"].to_numpy(float)[obs]
    X = np.ones((y.size, 1))
    Z = np.eye(R * C)[obs]                    # the rows of _field are the grid, row-major
    s = float(np.var(y))

    def build(t: np.ndarray) -> np.ndarray | None:
        sa, se, rr = t
        if sa < 0 or se <= 0 or abs(rr) >= 1:
            return None
        return sa * Z @ np.kron(ar1(R, rr), np.eye(C)) @ Z.T + se * np.eye(y.size)

    _, f = fit_dense(y, X, build, [np.array([0.5 * s, 0.5 * s, 0.5]),
                                   np.array([0.2 * s, 0.8 * s, 0.1])],
                     [(0, None), (1e-9 * s, None), (-0.99, 0.99)], scale=[s, s, 1])
    assert m.loglik == pytest.approx(f, abs=1e-5)


@pytest.mark.parametrize("residual", ["~ idh(env):units", "~ units:diag(env)"])
def test_a_variance_per_level_gets_none_for_a_level_without_records(residual: str) -> None:
    # only spatial factors keep the empty levels: idh(env) with env E3 all missing fits E1,
    # E2 only - the same fit as without E3's rows (no unidentifiable variance for E3)
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"env": np.repeat(["E1", "E2", "E3"], 40),
                      "gen": np.tile([f"g{i}" for i in range(20)], 6)})
    d["y"] = rng.normal(size=len(d)) * np.repeat([1.0, 2.0, 3.0], 40) + 10
    d.loc[d["env"] == "E3", "y"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error", asr.IdentifiabilityWarning)
        m = asr.asreml(fixed="y ~ env", random="~ gen", residual=residual, data=d)
        m2 = asr.asreml(fixed="y ~ env", random="~ gen", residual=residual,
                        data=d[d["env"] != "E3"].reset_index(drop=True))
    assert len(m.varcomp) == 3
    assert m.loglik == pytest.approx(m2.loglik, abs=1e-8)
