"""predict(present=, ignore=, average=, aliased=, parallel=, newdata=) as asreml's predict.

Reference: the mixed-model equations of y ~ Env + Gen + x, random Blk built here in numpy from
the data at the fitted variances (own design matrices, own parameterisation: sum-to-zero
contrasts, unlike asr_py's treatment contrasts, so only estimable functions can agree); every
prediction is l'b̂ with l written by hand (emmeans-style averages over the cells), its
standard error sqrt(l' C⁻¹ l).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError, DataError

ENVS = ["E1", "E2", "E3"]
GENS = ["G1", "G2", "G3", "G4", "G5"]
BLKS = [f"E{e}b{b}" for e in (1, 2, 3) for b in (1, 2)]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    """3 environments x 2 blocks x 5 genotypes x 2 reps; G5 is absent from E3."""
    rng = np.random.default_rng(3)
    rows = [(f"E{e}", f"E{e}b{b}", f"G{g}") for e in (1, 2, 3) for b in (1, 2)
            for g in range(1, 6) for _ in range(2) if not (e == 3 and g == 5)]
    d = pd.DataFrame(rows, columns=["Env", "Blk", "Gen"])
    d["x"] = rng.normal(size=len(d))
    blk = dict(zip(BLKS, rng.normal(scale=1.0, size=6)))
    d["y"] = (5 + d["Env"].map({"E1": 0.0, "E2": 1.0, "E3": -1.0}) + 0.3 * d["Gen"].str[1]
              .astype(int) + 0.5 * d["x"] + d["Blk"].map(blk) + rng.normal(size=len(d)))
    return d


@pytest.fixture(scope="module")
def fit(data):
    return asr.asreml("y ~ Env + Gen + x", random="~ Blk", data=data)


class Dense:
    """b̂ = [μ, env (2, sum-to-zero), gen (4, sum-to-zero), x; u_Blk] and C⁻¹ by hand."""

    def __init__(self, d: pd.DataFrame, s2b: float, s2e: float) -> None:
        def contr(col: pd.Series, levels: list[str]) -> np.ndarray:
            D = np.column_stack([(col == lv).to_numpy(float) for lv in levels])
            return D[:, :-1] - D[:, [-1]]  # sum-to-zero: effect of the last = -sum of others

        X = np.column_stack([np.ones(len(d)), contr(d["Env"], ENVS), contr(d["Gen"], GENS),
                             d["x"].to_numpy()])
        Z = np.column_stack([(d["Blk"] == b).to_numpy(float) for b in BLKS])
        W = np.hstack([X, Z])
        C = W.T @ W / s2e
        C[X.shape[1]:, X.shape[1]:] += np.eye(6) / s2b
        self.cinv = np.linalg.inv(C)
        self.b = self.cinv @ (W.T @ d["y"].to_numpy() / s2e)
        self.xbar = float(d["x"].mean())
        self.p = X.shape[1]

    def row(self, env: dict[str, float], gen: dict[str, float], x: float | None = None,
            blk: dict[str, float] | None = None) -> np.ndarray:
        """l for Σ_e w_e Σ_g w_g (μ + env_e + gen_g) + β_x x + Σ_b w_b u_b."""
        l_ = np.zeros(self.p + 6)
        l_[0] = 1.0
        for e, w in env.items():
            i = ENVS.index(e)
            l_[1:3] += w * (np.eye(3)[i, :2] - (i == 2))
        for g, w in gen.items():
            i = GENS.index(g)
            l_[3:7] += w * (np.eye(5)[i, :4] - (i == 4))
        l_[7] = self.xbar if x is None else x
        for b, w in (blk or {}).items():
            l_[self.p + BLKS.index(b)] = w
        return l_

    def pred(self, l_: np.ndarray) -> tuple[float, float]:
        return float(l_ @ self.b), float(np.sqrt(l_ @ self.cinv @ l_))


@pytest.fixture(scope="module")
def dense(fit, data) -> Dense:
    vc = fit.varcomp["component"]
    return Dense(data, vc["Blk"], vc["units!R"])


def _eq(w: list[str]) -> dict[str, float]:
    return {k: 1.0 / len(w) for k in w}


def _check(p: pd.DataFrame, refs: list[tuple[float, float]]) -> None:
    np.testing.assert_allclose(p["predicted.value"], [r[0] for r in refs], rtol=1e-6)
    np.testing.assert_allclose(p["std.error"], [r[1] for r in refs], rtol=1e-5)


def test_default_is_the_equal_weight_average(fit, dense):
    p = fit.predict("Gen")
    _check(p, [dense.pred(dense.row(_eq(ENVS), {g: 1.0})) for g in GENS])


def test_average_with_weights(fit, dense):
    w = {"E1": 0.5, "E2": 0.3, "E3": 0.2}
    p = fit.predict("Gen", average={"Env": w})
    _check(p, [dense.pred(dense.row(w, {g: 1.0})) for g in GENS])
    # one weight per level, in level order, unnormalised: the same
    q = fit.predict("Gen", average={"Env": [5, 3, 2]})
    np.testing.assert_allclose(q["predicted.value"], p["predicted.value"], rtol=1e-12)


def test_average_over_a_random_factor_brings_its_blups_in(fit, dense):
    """Blocks are nested in Env, so their BLUPs sum to 0 within each environment (the Env
    indicators are in the span of X): the values agree with leaving Blk out, the standard
    errors (prediction errors of the u_b) do not."""
    p = fit.predict("Env", average="Blk")
    _check(p, [dense.pred(dense.row({e: 1.0}, _eq(GENS), blk=_eq(BLKS))) for e in ENVS])
    p = fit.predict("Env", average="Blk", present=["Env", "Blk"])
    refs = [dense.pred(dense.row({e: 1.0}, _eq(GENS), blk=_eq([f"{e}b1", f"{e}b2"])))
            for e in ENVS]
    _check(p, refs)
    q = fit.predict("Env")  # Blk left out by default
    _check(q, [dense.pred(dense.row({e: 1.0}, _eq(GENS))) for e in ENVS])
    np.testing.assert_allclose(p["predicted.value"], q["predicted.value"], rtol=1e-9)
    assert np.abs(p["std.error"] - q["std.error"]).min() > 1e-3


def test_present_averages_over_cells_seen_in_the_data(fit, dense):
    p = fit.predict("Gen", present=["Env", "Gen"])
    refs = [dense.pred(dense.row(_eq(ENVS if g != "G5" else ["E1", "E2"]), {g: 1.0}))
            for g in GENS]
    _check(p, refs)


def test_present_drops_classify_cells_not_in_the_data(fit, dense):
    p = fit.predict("Env:Gen", present=["Env", "Gen"])
    assert len(p) == 14
    assert not ((p["Env"] == "E3") & (p["Gen"] == "G5")).any()
    _check(p, [dense.pred(dense.row({e: 1.0}, {g: 1.0})) for e, g in zip(p["Env"], p["Gen"])])


def test_ignore_a_covariate_is_predicting_at_zero(fit, dense):
    p = fit.predict("Env", ignore="x")
    _check(p, [dense.pred(dense.row({e: 1.0}, _eq(GENS), x=0.0)) for e in ENVS])


def test_ignore_a_random_term(fit, dense):
    """classify Blk: Env (not in classify) is averaged over all its levels, as asreml does."""
    p = fit.predict("Blk", ignore=["Blk"])
    _check(p, [dense.pred(dense.row(_eq(ENVS), _eq(GENS)))] * 6)
    q = fit.predict("Blk")
    _check(q, [dense.pred(dense.row(_eq(ENVS), _eq(GENS), blk={b: 1.0})) for b in BLKS])


def test_ignore_a_fixed_factor_drops_its_effects(fit, dense):
    """Ignoring Env drops its effects in asr_py's (and asreml's) parameterisation, where the
    first level's effect is 0: the predictions are those at Env = E1."""
    p = fit.predict("Gen", ignore="Env")
    _check(p, [dense.pred(dense.row({"E1": 1.0}, {g: 1.0})) for g in GENS])


def test_aliased_cells_hidden_unless_asked(data):
    m = asr.asreml("y ~ Env*Gen", random="~ Blk", data=data)
    p = m.predict("Env:Gen")
    cell = (p["Env"] == "E3") & (p["Gen"] == "G5")
    assert p.loc[cell, "status"].item() == "Aliased"
    assert np.isnan(p.loc[cell, "predicted.value"].item())
    assert (p.loc[~cell, "status"] == "Estimable").all()
    q = m.predict("Env:Gen", aliased=True)
    b = m.coef_fixed["solution"]
    # the aliased-to-zero solution: μ + Env_E3 + Gen_G5 (the E3:G5 interaction column is gone)
    assert q.loc[cell, "predicted.value"].item() == pytest.approx(
        b["(Intercept)"] + b["Env_E3"] + b["Gen_G5"], rel=1e-10)
    assert q.loc[cell, "status"].item() == "Aliased"
    pd.testing.assert_frame_equal(q[~cell], p[~cell])


def test_parallel_pairs_levels(fit, dense):
    p = fit.predict("Env:x", levels={"Env": ["E1", "E3", "E3"], "x": [0.0, 1.0, -2.0]},
                    parallel=True)
    assert len(p) == 3
    refs = [dense.pred(dense.row({e: 1.0}, _eq(GENS), x=x))
            for e, x in [("E1", 0.0), ("E3", 1.0), ("E3", -2.0)]]
    _check(p, refs)
    with pytest.raises(AsrError, match="same number of levels"):
        fit.predict("Env:x", levels={"Env": ["E1", "E3"], "x": [0.0]}, parallel=True)


def test_newdata_rows(fit, dense):
    new = pd.DataFrame({"Gen": ["G2", "G5", "G2"], "x": [1.5, 0.0, 1.5], "Env": "E2",
                        "notes": ["a", "b", "c"]}, index=[7, 3, 9])
    before = new.copy()
    p = fit.predict(newdata=new)
    pd.testing.assert_frame_equal(new, before)
    assert list(p.index) == [7, 3, 9] and list(p.columns[:3]) == ["Gen", "x", "Env"]
    refs = [dense.pred(dense.row({"E2": 1.0}, {g: 1.0}, x=x))
            for g, x in [("G2", 1.5), ("G5", 0.0), ("G2", 1.5)]]
    _check(p, refs)


def test_newdata_errors(fit):
    with pytest.raises(AsrError, match="not among the levels of 'Gen'"):
        fit.predict(newdata=pd.DataFrame({"Gen": ["G9"]}))
    with pytest.raises(DataError, match="missing values"):
        fit.predict(newdata=pd.DataFrame({"Gen": ["G1", None]}))
    with pytest.raises(DataError, match="no column of newdata"):
        fit.predict(newdata=pd.DataFrame({"z": [1]}))
    with pytest.raises(DataError, match="DataFrame"):
        fit.predict(newdata={"Gen": ["G1"]})
    with pytest.raises(AsrError, match="not both"):
        fit.predict("Gen", newdata=pd.DataFrame({"Gen": ["G1"]}))


def test_option_errors(fit):
    with pytest.raises(AsrError, match="not a term"):
        fit.predict("Gen", ignore="Site")
    with pytest.raises(AsrError, match="3 levels"):
        fit.predict("Gen", average={"Env": [1, 2]})
    with pytest.raises(AsrError, match=">= 0"):
        fit.predict("Gen", average={"Env": [1, -1, 1]})
    with pytest.raises(AsrError, match="unknown levels"):
        fit.predict("Gen", average={"Env": {"E7": 1.0}})
    with pytest.raises(AsrError, match="in classify"):
        fit.predict("Gen", average="Gen")
    with pytest.raises(AsrError, match="present names 'x'"):
        fit.predict("Gen", present=["x"])
    with pytest.raises(AsrError, match="classify= is missing"):
        fit.predict()


def test_row_order_and_units_invariance(fit, data):
    """Shuffled records give the same predictions; y in other units scales them."""
    d2 = data.sample(frac=1.0, random_state=5).assign(y=lambda d: 10.0 * d["y"])
    m2 = asr.asreml("y ~ Env + Gen + x", random="~ Blk", data=d2)
    w = {"E1": 0.2, "E2": 0.2, "E3": 0.6}
    p1 = fit.predict("Gen", average={"Env": w}, present=["Env", "Gen"])
    p2 = m2.predict("Gen", average={"Env": w}, present=["Env", "Gen"])
    np.testing.assert_allclose(p2["predicted.value"], 10 * p1["predicted.value"], rtol=1e-5)
    np.testing.assert_allclose(p2["std.error"], 10 * p1["std.error"], rtol=1e-4)


def test_factor_label_invariance(fit, data):
    """Renaming the levels (in another sort order) renames the predictions, nothing else."""
    ren = {"G1": "zeta", "G2": "alpha", "G3": "mu", "G4": "beta", "G5": "omega"}
    envs = {"E1": "north", "E2": "east", "E3": "west"}
    d2 = data.assign(Gen=data["Gen"].map(ren), Env=data["Env"].map(envs))
    m2 = asr.asreml("y ~ Env + Gen + x", random="~ Blk", data=d2)
    w = {"E1": 0.5, "E2": 0.3, "E3": 0.2}
    p1 = fit.predict("Gen", average={"Env": w}, present=["Env", "Gen"]).set_index("Gen")
    p2 = m2.predict("Gen", average={"Env": {envs[k]: v for k, v in w.items()}},
                    present=["Env", "Gen"]).set_index("Gen")
    np.testing.assert_allclose(p2.loc[[ren[g] for g in GENS], "predicted.value"],
                               p1.loc[GENS, "predicted.value"], rtol=1e-6)
    np.testing.assert_allclose(p2.loc[[ren[g] for g in GENS], "std.error"],
                               p1.loc[GENS, "std.error"], rtol=1e-5)
