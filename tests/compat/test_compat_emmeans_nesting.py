"""emmeans() over nested factors and cells without data (asr_py.compat.emmeans/emmnest).

emmeans' rules (its documentation: ``?ref_grid`` "nesting", vignette "messy-data" on nested
fixed effects and non-estimable means; its ``.find_nests`` / ``.nested_emm``): a factor with
no main effect that appears only within another (``Loc + Loc:Block``), or whose levels each
occur with one level of another (each genotype in one location), is nested; a mean averages a
nested factor over its levels with data within its nests only; a mean over a crossed cell
without data is not estimable (NA). Each number here is checked against a dense computation
stated in the test: least squares of the model's own cell-means parametrisation with
``numpy.linalg.lstsq`` / ``pinv`` (estimable functions do not depend on the solution
chosen), or closed forms of cell means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asr_py.compat import emmeans as em
from asr_py.compat.emmnest import find_nesting, term_codes
from asr_py.errors import AsrError
from asr_py.translate.rlm import r_lm


def _met(seed: int = 3) -> pd.DataFrame:
    """4 genotypes in every block; blocks "1".."3" in L1 and L2, "1".."2" in L3 (so block
    "3" of L3 does not exist); block effects differ by location."""
    rng = np.random.default_rng(seed)
    rows = []
    blocks = {"L1": ["1", "2", "3"], "L2": ["1", "2", "3"], "L3": ["1", "2"]}
    beff = {("L1", "1"): 0.0, ("L1", "2"): 2.0, ("L1", "3"): -1.0, ("L2", "1"): 0.0,
            ("L2", "2"): 1.5, ("L2", "3"): 4.0, ("L3", "1"): 0.0, ("L3", "2"): 6.0}
    for loc, bl in blocks.items():
        for b in bl:
            for i, g in enumerate(["g1", "g2", "g3", "g4"]):
                rows.append((loc, b, g, 10 + i + {"L1": 0, "L2": 3, "L3": -2}[loc]
                             + beff[(loc, b)] + rng.normal(0, 0.7)))
    return pd.DataFrame(rows, columns=["Loc", "Block", "Gen", "y"])


def _dense_fit(d: pd.DataFrame, cols: dict[str, np.ndarray]
               ) -> tuple[np.ndarray, np.ndarray, float]:
    """Least squares of y on the indicator columns ``cols``: (a solution b, (X'X)^+, s^2)."""
    X = np.column_stack(list(cols.values()))
    y = d["y"].to_numpy()
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    rank = np.linalg.matrix_rank(X)
    s2 = float(((y - X @ b) ** 2).sum() / (len(y) - rank))
    return b, np.linalg.pinv(X.T @ X), s2


def test_block_nested_in_location_averages_over_existing_blocks_only() -> None:
    """lm(y ~ Gen + Loc + Gen:Loc + Loc:Block) (AparicioJohan/HW Code_1.R's BLUEs_loc
    shape): the mean of a location averages its own blocks. Dense check: the model as
    mu(g, l) + beta(l, b) with indicators of every (Gen, Loc) and every existing (Loc, Block);
    mean(l) = avg_g avg_{b in l} [mu(g, l) + beta(l, b)], SE^2 = s^2 k' (X'X)^+ k."""
    d = _met()
    fit = r_lm("y ~ Gen + Loc + Gen:Loc + Loc:Block", data=d)
    g = em.emmeans(fit, "~ Loc")
    gl = sorted(set(zip(d["Gen"], d["Loc"])))
    lb = sorted(set(zip(d["Loc"], d["Block"])))
    cols = {("gl", *k): ((d["Gen"] == k[0]) & (d["Loc"] == k[1])).to_numpy(float) for k in gl}
    cols |= {("lb", *k): ((d["Loc"] == k[0]) & (d["Block"] == k[1])).to_numpy(float)
             for k in lb}
    b, xtx_pinv, s2 = _dense_fit(d, cols)
    names = list(cols)
    for loc, mean, se in zip(g["Loc"], g["emmean"], g["SE"]):
        k = np.zeros(len(names))
        gens = sorted(d["Gen"].unique())
        bl = [bb for (ll, bb) in lb if ll == loc]
        for gg in gens:
            k[names.index(("gl", gg, loc))] += 1 / len(gens)
        for bb in bl:
            k[names.index(("lb", loc, bb))] += 1 / len(bl)
        assert mean == pytest.approx(k @ b, abs=1e-9)
        assert se == pytest.approx(np.sqrt(s2 * k @ xtx_pinv @ k), rel=1e-9)
    assert list(g["Loc"]) == ["L1", "L2", "L3"]
    assert (g["df"] == fit.df_residual).all()
    # declared: the same; turned off (nesting = NULL): block "3" of L3 has no data, its
    # mean is not estimable (NA) while L1 and L2 (all three blocks) are unchanged
    same = em.emmeans(fit, "~ Loc", nesting="Block %in% Loc")
    np.testing.assert_allclose(same["emmean"], g["emmean"], rtol=1e-12)
    off = em.emmeans(fit, "~ Loc", nesting=None)
    assert np.isnan(off["emmean"].iloc[2]) and np.isnan(off["SE"].iloc[2])
    np.testing.assert_allclose(off["emmean"].iloc[:2], g["emmean"].iloc[:2], rtol=1e-12)


def test_means_of_a_nested_factor_are_within_its_nests() -> None:
    """emmeans(~ Block) of Block %in% Loc: one mean per existing (Block, Loc), the nesting
    factor added as a column; each is the genotype average of mu(g, l) + beta(l, b)."""
    d = _met(5)
    fit = r_lm("y ~ Gen + Loc + Gen:Loc + Loc:Block", data=d)
    g = em.emmeans(fit, "~ Block")
    assert list(g.columns[:2]) == ["Block", "Loc"] and len(g) == 8
    assert ("3", "L3") not in set(zip(g["Block"], g["Loc"]))
    for blk, loc, mean in zip(g["Block"], g["Loc"], g["emmean"]):
        cell = d[(d["Loc"] == loc)]
        # the model is saturated within each (Gen, Loc) x (Loc, Block) additive layout, so
        # the genotype average of the fitted values of that block's plots is the estimate
        fitted = pd.Series(fit.fitted_values.to_numpy(), index=d.index)
        assert mean == pytest.approx(fitted[cell.index[cell["Block"] == blk]].mean(),
                                     abs=1e-9)
    # a nested by factor: the groups are its blocks within their locations (emmeans
    # widens by to the nests), so pairs() compares genotypes within each existing block
    gb = em.emmeans(fit, "~ Gen | Block")
    assert gb.by == ["Loc", "Block"] and len(gb) == 8 * 4
    p = em.pairs(gb, adjust="none")
    assert len(p) == 8 * 6 and set(zip(p["Loc"], p["Block"])) == set(zip(g["Loc"], g["Block"]))
    with pytest.raises(AsrError, match="not 'A %in% B'"):
        em.emmeans(fit, "~ Loc", nesting="Block in Loc")


def test_genotypes_each_in_one_location_are_nested_structurally() -> None:
    """lm(y ~ Loc + Gen) where every genotype is tested in one location (unequal numbers):
    Gen %in% Loc from the data. The fitted value of a genotype is its raw mean (Gen
    determines Loc), so mean(l) = avg over l's genotypes of ybar_g and
    SE = s sqrt(sum_g 1/n_g) / k_l, s^2 = RSS / (n - #genotypes)."""
    rng = np.random.default_rng(11)
    plan = {"A": {"g1": 3, "g2": 2}, "B": {"g3": 4, "g4": 2, "g5": 3}}
    d = pd.DataFrame([(loc, gen, 5 + i + rng.normal()) for loc, gs in plan.items()
                      for i, (gen, n) in enumerate(gs.items()) for _ in range(n)],
                     columns=["Loc", "Gen", "y"])
    fit = r_lm("y ~ Loc + Gen", data=d)
    g = em.emmeans(fit, "Loc")
    means = d.groupby("Gen")["y"].mean()
    n = d.groupby("Gen").size()
    s = np.sqrt(((d["y"] - d["Gen"].map(means)) ** 2).sum() / (len(d) - len(means)))
    for loc, mean, se in zip(g["Loc"], g["emmean"], g["SE"]):
        gens = list(plan[loc])
        assert mean == pytest.approx(means[gens].mean(), abs=1e-9)
        assert se == pytest.approx(s * np.sqrt((1 / n[gens]).sum()) / len(gens), rel=1e-9)


def test_a_crossed_cell_without_data_makes_its_means_na() -> None:
    """lm(y ~ Gen * Loc) with genotype g3 missing in L2 only (g3 is crossed: no nesting):
    the L2 mean and the g3 mean average over that empty cell: not estimable, NA (emmeans'
    nonEst); the others are averages of cell means (the model is the cell-means model)."""
    d = _met(7)
    d = d[~((d["Gen"] == "g3") & (d["Loc"] == "L2"))].reset_index(drop=True)
    fit = r_lm("y ~ Gen * Loc", data=d)
    cm = d.groupby(["Loc", "Gen"])["y"].mean()
    by_loc = em.emmeans(fit, "~ Loc")
    assert np.isnan(by_loc["emmean"].iloc[1]) and np.isnan(by_loc["SE"].iloc[1])
    for i, loc in ((0, "L1"), (2, "L3")):
        assert by_loc["emmean"].iloc[i] == pytest.approx(cm[loc].mean(), abs=1e-9)
    by_gen = em.emmeans(fit, "~ Gen")
    assert list(np.isnan(by_gen["emmean"])) == [False, False, True, False]
    p = em.pairs(by_loc, adjust="none")
    assert np.isnan(p["estimate"]).tolist() == [True, False, True]


def test_cells_weights_give_the_raw_marginal_means_of_a_cell_means_model() -> None:
    """emmeans' documentation: "In a model where the predicted values are the cell means,
    cell weights will yield the raw averages of the data for the factors involved"."""
    d = _met(9).iloc[3:].reset_index(drop=True)          # unbalanced: a few plots dropped
    fit = r_lm("y ~ Gen * Loc", data=d)
    g = em.emmeans(fit, "~ Loc", weights="cells")
    np.testing.assert_allclose(g["emmean"], d.groupby("Loc")["y"].mean().to_numpy(),
                               atol=1e-9)
    with pytest.raises(AsrError, match="weights"):
        em.emmeans(fit, "~ Loc", weights="outer")


def test_nesting_detection_follows_r_terms_coding() -> None:
    """R's terms() codes Block in Loc:Block by contrasts (1: Loc is in the model) and Loc
    by full indicators (2: Block is not): Block %in% Loc; row %in% (Loc, Block) of
    Loc:Block:row; a model of A:B alone nests neither (each would be in itself)."""
    t = [frozenset({"Loc"}), frozenset({"Loc", "Block"}), frozenset({"Loc", "Block", "row"})]
    assert term_codes(t)[1] == {"Loc": 2, "Block": 1}
    cells = pd.DataFrame([(lo, b, r) for lo in "xy" for b in "12" for r in "pq"],
                         columns=["Loc", "Block", "row"])
    nest = find_nesting(cells, ["Loc", "Block", "row"], t)
    assert nest["Block"] == ["Loc"] and sorted(nest["row"]) == ["Block", "Loc"]
    assert find_nesting(cells, ["Loc", "Block"], [frozenset({"Loc", "Block"})]) == {}


def test_nuisance_factors_average_as_the_others() -> None:
    """ref_grid(nuisance = "Block"), wt.nuis = "equal" (emmeans' default): averaged out
    beforehand with equal weights, the same means as averaging Block with the others
    (emmeans' documentation of ``nuisance``); a named factor cannot be a nuisance."""
    d = _met(13)
    fit = r_lm("y ~ Gen + Loc + Loc:Block", data=d)
    plain = em.emmeans(fit, "~ Gen")
    nuis = em.emmeans(fit, "~ Gen", nuisance=["Block"], **{"rg.limit": 10})
    np.testing.assert_allclose(nuis["emmean"], plain["emmean"], rtol=1e-12)
    # every (Loc, Block) holds each genotype once: a genotype's mean is the average over
    # the locations of the average over each location's own blocks of its fitted values
    fv = d.assign(fit=fit.fitted_values.to_numpy())
    want = fv.groupby(["Gen", "Loc"])["fit"].mean().groupby("Gen").mean()
    np.testing.assert_allclose(plain["emmean"], want.to_numpy(), atol=1e-9)
    with pytest.raises(AsrError, match="nuisance"):
        em.emmeans(fit, "~ Gen", nuisance="Gen")
    with pytest.raises(AsrError, match="wt.nuis"):
        em.emmeans(fit, "~ Gen", nuisance="Block", **{"wt.nuis": "proportional"})
