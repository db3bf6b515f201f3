"""Residual sections with different structures (asreml 4.2's dsum with several terms):
``dsum(~ ar1(Row):ar1(Col) + Row:ar1(Col) | Site, levels = list('A', 'B'))`` and the same as a
sum of two dsum() terms (asremlPlus test41EstimateV.r fits both), checked against an
independent dense-V REML (``tests/_dense_reml.py``) maximised by scipy.

At this optimum I − AI⁻¹H has an eigenvalue −1.15: full AI steps overshoot and drifted by
−1e-9 in ℓ per step (within the line search's slack) until maxit; such non-contracting full
AI steps now switch to Newton steps with a differenced Hessian (reml/slow_ai.py), so the
fits converge (17 iterations, was 30 with a ConvergenceWarning) and no warning is filtered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import maximise, reml_loglik

import asr_py as asr
from asr_py.errors import FormulaError

ROWS, COLS = 8, 6


def _ar1(n: int, r: float) -> np.ndarray:
    i = np.arange(n)
    return r ** np.abs(i[:, None] - i[None, :])


@pytest.fixture(scope="module")
def sites() -> pd.DataFrame:
    rng = np.random.default_rng(42)
    rows = []
    for s in ("A", "B"):
        gens = rng.permutation(np.repeat(np.arange(12), 4))
        for k in range(ROWS * COLS):
            rows.append({"Site": s, "Row": k // COLS + 1, "Col": k % COLS + 1,
                         "Gen": f"G{gens[k] + 1:02d}"})
    d = pd.DataFrame(rows)
    ra = 3.0 * np.kron(_ar1(ROWS, 0.6), _ar1(COLS, 0.4))
    rb = 1.5 * np.kron(np.eye(ROWS), _ar1(COLS, 0.5))
    e = np.concatenate([np.linalg.cholesky(r) @ rng.normal(size=ROWS * COLS) for r in (ra, rb)])
    srow = rng.normal(0, 0.8, 2 * ROWS)[(d.Site == "B") * ROWS + d.Row - 1]
    d["y"] = 5 + (d.Site == "B") + rng.normal(0, 1, 12)[d.Gen.str[1:].astype(int) - 1] \
        + srow + e
    for c in ("Site", "Gen"):
        d[c] = d[c].astype("category")
    for c in ("Row", "Col"):
        d[c] = pd.Categorical(d[c], categories=sorted(d[c].unique()))
    return d


FIXED, RANDOM = "y ~ Site + Gen", "~ Site:Row"
ONE = "~ dsum(~ ar1(Row):ar1(Col) + Row:ar1(Col) | Site, levels = list('A', 'B'))"
TWO = ("~ dsum(~ ar1(Row):ar1(Col) | Site, levels = c(1))"
       " + dsum(~ Row:ar1(Col) | Site, levels = c(2))")


@pytest.mark.filterwarnings("error::asr_py.ConvergenceWarning")
def test_two_structures_match_dense_reml(sites: pd.DataFrame) -> None:
    fit = asr.asreml(FIXED, random=RANDOM, residual=ONE, data=sites)
    assert fit.converged
    assert list(fit.varcomp.index) == [
        "Site:Row", "Site_A!Row:Col!R", "Site_A!Row:Col!Row!cor", "Site_A!Row:Col!Col!cor",
        "Site_B!Row:Col!R", "Site_B!Row:Col!Col!cor"]
    y = sites.y.to_numpy()
    X = np.column_stack([np.ones(len(y)), pd.get_dummies(sites[["Site", "Gen"]],
                                                         drop_first=True).to_numpy(float)])
    sr = (sites.Site.astype(str) + sites.Row.astype(str)).to_numpy()
    zz = (sr[:, None] == sr[None, :]).astype(float)
    n = ROWS * COLS  # site A's records first, each in Row-major grid order

    def ll(x: np.ndarray) -> float:
        g, sa, ra, ca, sb, cb = x
        if g < 0 or sa <= 0 or sb <= 0 or max(abs(ra), abs(ca), abs(cb)) >= 1:
            return -np.inf
        V = g * zz
        V[:n, :n] += sa * np.kron(_ar1(ROWS, ra), _ar1(COLS, ca))
        V[n:, n:] += sb * np.kron(np.eye(ROWS), _ar1(COLS, cb))
        return reml_loglik(y, X, V)

    x, best = maximise(ll, [np.array([0.5, 2.0, 0.3, 0.3, 1.0, 0.3])],
                       bounds=[(0, None), (1e-6, None), (-.99, .99), (-.99, .99), (1e-6, None),
                               (-.99, .99)])
    assert fit.loglik == pytest.approx(best, abs=1e-5)
    np.testing.assert_allclose(fit.varcomp["component"].to_numpy(), x, rtol=5e-3, atol=5e-4)


@pytest.mark.filterwarnings("error::asr_py.ConvergenceWarning")
def test_sum_of_dsums_is_the_same_model(sites: pd.DataFrame) -> None:
    a = asr.asreml(FIXED, random=RANDOM, residual=ONE, data=sites)
    b = asr.asreml(FIXED, random=RANDOM, residual=TWO, data=sites)
    assert a.converged and b.converged
    assert a.loglik == pytest.approx(b.loglik, abs=1e-9)
    assert list(a.varcomp.index) == list(b.varcomp.index)
    np.testing.assert_allclose(a.varcomp["component"], b.varcomp["component"], rtol=1e-8)


@pytest.mark.parametrize("residual, match", [
    ("~ dsum(~ ar1(Row):ar1(Col) + Row:ar1(Col) | Site)", "2 terms need levels"),
    ("~ dsum(~ ar1(Row):ar1(Col) + Row:ar1(Col) | Site, levels = c('A', 'B', 'A'))",
     "2 terms but 3 sets of levels"),
    ("~ dsum(~ units | Site, levels = 'A') + dsum(~ Row:ar1(Col) | Site, levels = 'A')",
     "level A of Site is in two sections"),
    ("~ dsum(~ units | Site, levels = 'A')", "48 records are in no residual section"),
    ("~ dsum(~ units | Site, levels = 'A') + dsum(~ units | Gen, levels = 'G01')",
     "the sections are by Site and by Gen"),
])
def test_bad_sections_are_named(sites: pd.DataFrame, residual: str, match: str) -> None:
    with pytest.raises(FormulaError, match=match):
        asr.asreml(FIXED, residual=residual, data=sites)
