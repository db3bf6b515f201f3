"""A first fit crawling by EM beside sar2's fold stops and fits the fold (reml/crawl.py).

sar2(Col):sar2(Row) errors with both axes' optima on or beside their folds (the simulated
12 x 10 fields of tests/reml/test_sar2_fold.py): before, the first fit took EM step after EM
step (each gaining a near-constant fraction of the one before) until it ended, and the fold
was fitted after it. Now the crawl is read after CRAWL_STEPS such steps and the fold fitted at
once: the same optimum, the dense-V REML maximum over the whole parameter set (tests/
_dense_reml.py, V from dae's sar2 formulas), in fewer iterations; where the fold fit is not
kept (a second fold not yet near at the stop) the first fit continues from where it stopped
and reaches what it reached without the stop. Invariant to y x 1000 and the row order.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import maximise
from test_sar2_fold import _field, _ll_field

import asr_py as asr
import asr_py.reml.crawl as crawl
from asr_py.reml.crawl import CRAWL_STEPS, crawling

NAMES = ["Col:Row!R", "Col:Row!Col!cor1", "Col:Row!Col!cor2", "Col:Row!Row!cor1",
         "Col:Row!Row!cor2"]


def _fit(d: pd.DataFrame) -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("y ~ 1", residual="~ sar2(Col):sar2(Row)", data=d)


def _first_fit_iterations(fit: asr.AsremlFit) -> int:
    """Iterations of the first fit: the records before the first fold fit's."""
    return sum(1 for h in fit.result.history[1:] if not str(h["method"]).startswith("fold"))


def _dense_max(d: pd.DataFrame) -> float:
    starts = [np.array(s) for s in ([2.0, 0.4, 0.03, 0.3, 0.03], [2.0, 0.4, -0.03, 0.3, -0.03],
                                     [1.0, 0.1, 0.1, 0.1, -0.1], [2, 0.4, 0.1, 0.3, 0.1])]
    return maximise(_ll_field(d), starts, polish=False)[1]


@pytest.fixture(scope="module")
def seed6() -> tuple[pd.DataFrame, asr.AsremlFit]:
    d = _field(6)
    return d, _fit(d)


def test_crawl_stops_early_and_reaches_the_dense_optimum(seed6) -> None:
    d, fit = seed6
    assert fit.converged
    assert _first_fit_iterations(fit) <= CRAWL_STEPS + 1   # was 10 (9 EM steps in a row)
    assert fit.loglik == pytest.approx(_dense_max(d), abs=1e-5)
    assert list(fit.varcomp.loc[NAMES, "bound"]) == ["P", "U", "B", "U", "U"]


def test_same_optimum_as_without_the_stop(seed6, monkeypatch) -> None:
    d, fit = seed6
    monkeypatch.setattr(crawl, "CRAWL_STEPS", 10**6)   # the stop never fires
    slow = _fit(d)
    assert slow.converged
    assert fit.loglik == pytest.approx(slow.loglik, abs=1e-8)
    np.testing.assert_allclose(fit.varcomp.loc[NAMES, "component"],
                               slow.varcomp.loc[NAMES, "component"], rtol=1e-4, atol=1e-5)
    assert fit.result.n_iter < slow.result.n_iter


def test_fold_not_kept_the_first_fit_continues(monkeypatch) -> None:
    """Seed 1: at the stop only Row's fold is near; its fold fit is not kept (Col's fold is
    needed too), the first fit continues and both folds are fitted at its end, as without
    the stop: the same ℓ, the dense maximum."""
    d = _field(1)
    fit = _fit(d)
    monkeypatch.setattr(crawl, "CRAWL_STEPS", 10**6)
    slow = _fit(d)
    assert fit.converged and slow.converged
    assert fit.loglik == pytest.approx(slow.loglik, abs=1e-8)
    assert fit.loglik == pytest.approx(_dense_max(d), abs=1e-5)


def test_units_and_row_order(seed6) -> None:
    d, fit = seed6
    rng = np.random.default_rng(3)
    e = d.iloc[rng.permutation(len(d))].reset_index(drop=True)
    e["y"] = e["y"] * 1000.0
    big = _fit(e)
    assert big.converged
    n_p = len(d) - 1
    assert big.loglik == pytest.approx(fit.loglik - n_p * np.log(1000.0), abs=1e-5)
    a = fit.varcomp.loc[NAMES, "component"].to_numpy(float)
    b = big.varcomp.loc[NAMES, "component"].to_numpy(float)
    assert b[0] == pytest.approx(a[0] * 1e6, rel=1e-4)
    np.testing.assert_allclose(b[1:], a[1:], atol=1e-4)
    assert _first_fit_iterations(big) == _first_fit_iterations(fit)


@pytest.mark.parametrize(("methods", "alphas", "gains", "want"), [
    (["EM"] * 4, [1.0] * 4, [8.0, 0.8, 0.2, 0.06, 0.02], True),        # geometric
    (["AI", "EM", "AI", "EM"], [0.5, 1.0, 0.25, 1.0], [1, 0.5, 0.3, 0.2, 0.1], True),
    (["EM"] * 4, [1.0] * 4, [8.0, 0.8, 0.2, 0.2, 0.02], False),        # one not shrinking
    (["AI"] * 4, [1.0] * 4, [8.0, 0.8, 0.2, 0.06, 0.02], False),       # full AI steps
    (["EM"] * 4, [1.0] * 4, [8.0, 0.8, 0.2, 0.06, 0.0], False),        # no gain: a stop
    (["EM"] * 3, [1.0] * 3, [0.8, 0.2, 0.06, 0.02], False),            # too few
])
def test_crawling_rule(methods, alphas, gains, want) -> None:
    assert crawling(["start", *methods][-len(methods):], alphas, gains) is want
