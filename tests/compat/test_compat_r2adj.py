"""asremlPlus's R2adj.asreml (asr_py.compat.r2adj).

Independent references: for a fixed-effects-only model the statistic is the classical
adjusted R², 100 (1 − (1 − R²)(n − 1)/(n − p)), R² from the residual and total sums of
squares of the cell-means fit (closed form, asremlPlus's own check in
tests/testthat/test42REMLRTIC.r lines 383-390); for the orthogonal Oats factorial the
fixed terms' parts add up to the whole; asremlPlus's recorded values for the Oats split plot
(test42REMLRTIC.r lines 417-431: 37.18736, 38.62742, 75.81478, 61.94141, 51.06073).
"""

from __future__ import annotations

import numpy as np
import pytest
from _plus_data import OATS_SPLIT_PLOT, oats_data

import asr_py as asr
from asr_py.errors import AsrError


@pytest.fixture(scope="module")
def m0() -> asr.AsremlFit:
    return asr.asreml("Yield ~ Nitrogen*Variety", data=oats_data())


def test_fixed_only_model_gives_the_classical_adjusted_r2(m0) -> None:
    d = oats_data()
    y = d["Yield"].to_numpy()
    cell = d.groupby(["Nitrogen", "Variety"])["Yield"].transform("mean").to_numpy()
    r2 = 1 - ((y - cell) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    n, p = len(y), 12
    assert asr.plus.R2adj(m0) == pytest.approx(100 * (1 - (1 - r2) * (n - 1) / (n - p)),
                                               rel=1e-8)


def test_orthogonal_fixed_terms_add_up_and_formulae_update_the_fitted_terms(m0) -> None:
    whole = asr.plus.R2adj(m0)
    parts = [asr.plus.R2adj(m0, include_which_fixed=f)
             for f in ("~ Nitrogen", "~ Variety", "~ Nitrogen:Variety")]
    assert sum(parts) == pytest.approx(whole, abs=1e-8)
    inter = asr.plus.R2adj(m0, include_which_fixed="~ . -(Nitrogen + Variety)")
    assert inter == pytest.approx(parts[2], abs=1e-8)
    assert inter.attrs["fixed"] == "~Nitrogen:Variety"
    main = asr.plus.R2adj(m0, include_which_fixed="~ . - (Nitrogen:Variety)")
    assert main == pytest.approx(parts[0] + parts[1], abs=1e-8)
    assert asr.plus.attr(main, "fixed") == "~Nitrogen + Variety"


def test_split_plot_agrees_with_asremlPlus_recorded_values() -> None:
    m1 = asr.asreml(**OATS_SPLIT_PLOT, data=oats_data())
    fix = asr.plus.R2adj(m1)
    ran = asr.plus.R2adj(m1, include_which_fixed=None, include_which_random="~ .")
    both = asr.plus.R2adj(m1, include_which_random="~ .")
    assert abs(fix - 37.18736) < 1e-3 and abs(ran - 38.62742) < 1e-3
    assert abs(both - 75.81478) < 1e-3 and both == pytest.approx(fix + ran, abs=1e-8)
    block = asr.plus.R2adj(m1, include_which_random="~ . - Blocks:Wplots")
    assert abs(block - 61.94141) < 1e-3 and block.attrs["random"] == "~Blocks"
    wplots = asr.plus.R2adj(m1, include_which_random="~ . - Blocks")
    assert abs(wplots - 51.06073) < 1e-3 and wplots.attrs["random"] == "~Blocks:Wplots"


def test_bad_arguments_are_clear_errors(m0) -> None:
    with pytest.raises(AsrError, match="both include.which.random and include.which.fixed"):
        asr.plus.R2adj(m0, include_which_fixed=None)
    with pytest.raises(AsrError, match="must be a formula"):
        asr.plus.R2adj(m0, include_which_fixed="Nitrogen")
    with pytest.warns(Warning, match="not amongst the fitted terms"):
        r = asr.plus.R2adj(m0, include_which_fixed="~ Nitrogen + Blocks")
    assert r == pytest.approx(asr.plus.R2adj(m0, include_which_fixed="~ Nitrogen"))
    assert np.isfinite(r)


def test_included_terms_are_spelt_as_R_terms_writes_them() -> None:
    """R's update.formula/terms: an interaction's factors in the order the variables first
    appear in the formula (asremlPlus's test42MET.r lines 59-64 record
    ``~ at(expt, 'mtnue10'):rep + rep:at(expt, 'pnnue10')`` for the formula typed
    ``at(expt, 'mtnue10'):rep + at(expt, 'pnnue10'):rep``)."""
    from asr_py.compat.r2adj import _included

    fitted = ["at(expt, 'mtnue10'):rep", "at(expt, 'pnnue10'):rep", "Genotype"]
    keep, text = _included("~ at(expt, 'mtnue10'):rep + at(expt, 'pnnue10'):rep", fitted, "f")
    assert keep == fitted[:2]
    assert text == '~at(expt, "mtnue10"):rep + rep:at(expt, "pnnue10")'
    assert text.r_character() == ["~", 'at(expt, "mtnue10"):rep + rep:at(expt, "pnnue10")']
    assert _included("~ . - Genotype", fitted, "f")[0] == fitted[:2]
