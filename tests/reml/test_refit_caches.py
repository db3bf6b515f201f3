"""Refits of one layout reuse structures kept across fits (the complement path's, s23speed;
the selected-inverse plan's, s16speed). A refit must be the fit of a fresh process: a
changed response, rows in another order, relabelled factor levels or other missing plots
(same counts) give, digit for digit, the fit with every cross-fit cache emptied first."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.reml.backends import cholmod
from asr_py.vcov import complement_plan

NR, NC = 18, 12
KW = dict(fixed="y ~ Entry", random="~ Rep", residual="~ ar1(Row):ar1(Col)")


def _field(seed: int = 5, missing_seed: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(r + 1, c + 1) for r in range(NR) for c in range(NC)],
                     columns=["Row", "Col"])
    d["Rep"] = "R" + (d.index // (NR * NC // 3) + 1).astype(str)
    d["Entry"] = [f"E{e}" for e in rng.integers(0, 24, NR * NC)]
    d["y"] = rng.normal(size=NR * NC) + 0.3 * d.Entry.str[1:].astype(int) + d.Row * 0.05
    miss = np.random.default_rng(missing_seed).choice(NR * NC, 14, replace=False)
    d.loc[miss, "y"] = np.nan
    for c in ("Row", "Col", "Rep", "Entry"):
        d[c] = pd.Categorical(d[c].astype(str), categories=list(dict.fromkeys(d[c].astype(str))))
    return d


def _clear() -> None:
    complement_plan._recent.items = []
    cholmod._recent.plans = []


def _numbers(m: asr.AsremlFit) -> dict[str, np.ndarray]:
    return {"loglik": np.array([m.loglik]), "n_iter": np.array([m.result.n_iter]),
            "theta": m.varcomp["component"].to_numpy(),
            "beta": m.coef_fixed["solution"].to_numpy(),
            "se": m.coef_fixed["std.error"].to_numpy(),
            "u": m.coef_random["solution"].to_numpy()}


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def _relabel(d: pd.DataFrame) -> pd.DataFrame:
    """Row and Col levels renamed and listed in reverse order (another field numbering)."""
    out = d.copy()
    for c, n in (("Row", NR), ("Col", NC)):
        labels = [f"{c[0]}{n - int(v) + 1:02d}" for v in out[c].astype(int)]
        out[c] = pd.Categorical(labels, categories=sorted(set(labels)))
    return out


@pytest.mark.parametrize("change", ["response", "row order", "relabel", "missing plots"])
def test_refit_equals_fit_with_caches_emptied(change: str) -> None:
    d = _field()
    _clear()
    first = asr.asreml(**KW, data=d)  # fills the caches with this layout
    assert first.converged
    if change == "response":
        d2 = d.copy()
        d2["y"] = d2["y"] * 1.7 + np.random.default_rng(9).normal(0, 0.4, len(d2))
    elif change == "row order":
        d2 = d.sample(frac=1, random_state=3).reset_index(drop=True)
    elif change == "relabel":
        d2 = _relabel(d)
    else:
        d2 = _field(missing_seed=7)
    before = d2.copy(deep=True)
    refit = _numbers(asr.asreml(**KW, data=d2))
    pd.testing.assert_frame_equal(d2, before)  # the data are not changed
    _clear()
    fresh = _numbers(asr.asreml(**KW, data=d2))
    _same(refit, fresh)
    if change in ("row order", "relabel"):  # the same records (AR1 reads either way):
        assert refit["loglik"][0] == pytest.approx(first.loglik, rel=1e-9)  # the same ℓ
        np.testing.assert_allclose(refit["theta"], first.varcomp["component"].to_numpy(),
                                   rtol=1e-5, atol=1e-8)
