"""A residual Subset of a Kronecker product whose parts have levels no record reaches
(s33speed): one trial of a field whose ``row``/``col`` factors keep the whole field's levels
(asreml: an R factor's unused levels are positions too). The Subset wraps the product of the
reached levels only (vcov/composite.py ``_restrict_levels``; the same Σ[index][:, index]),
so a nearly complete trial keeps the sparse complement / permutation path instead of a
dense n x n residual over a grid of mostly dropped cells (wheat_big6_GS Step2: 81 x 48
levels, 460 plots of a 14 x 33 trial; one trial's fits 99 s -> 1.5 s CPU).

Independent checks: numpy's dense algebra on the whole grid (Σ = σ² A_row ⊗ A_col with
ρ^|a−b| over level positions, its rows ``index``), finite differences, and the dense-V REML
of tests/_dense_reml.py against fits.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _dense_reml import ar1, fit_dense, indicator

import asr_py as asr
from asr_py.vcov.autoregressive import AR1
from asr_py.vcov.base import to_dense
from asr_py.vcov.composite import Subset
from asr_py.vcov.identity import Identity
from asr_py.vcov.kronecker import Kronecker

NR, NC = 40, 30


def _labels(n: int) -> list[str]:
    return [str(i) for i in range(n)]


def _cells(rows: list[int], cols: list[int], drop: int, seed: int) -> np.ndarray:
    """Cells (row-major on the NR x NC grid) of rows x cols, ``drop`` of them removed."""
    rng = np.random.default_rng(seed)
    cells = np.array([r * NC + c for r in rows for c in cols], dtype=np.int64)
    keep = np.sort(rng.choice(cells.size, cells.size - drop, replace=False))
    return rng.permutation(cells[keep])  # records in any order


def _sigma(theta: np.ndarray, cells: np.ndarray) -> np.ndarray:
    s2, rr, rc = theta
    return s2 * np.kron(ar1(NR, rr), ar1(NC, rc))[np.ix_(cells, cells)]


TH = np.array([1.7, 0.55, -0.35])
CASES = {  # rows, cols, dropped cells: a block inside, a gap row (17 unused), a full block
    "inside": (list(range(5, 25)), list(range(3, 18)), 7),
    "gap": ([r for r in range(8, 28) if r != 17], list(range(0, 16)), 2),
    "complete": (list(range(20, 40)), list(range(15, 30)), 0),
}


@pytest.mark.parametrize("case", CASES)
def test_values_equal_the_whole_grid_rows(case: str) -> None:
    rows, cols, drop = CASES[case]
    cells = _cells(rows, cols, drop, seed=len(case))
    s = Subset(Kronecker([AR1(_labels(NR)), AR1(_labels(NC))], scale=True), cells)
    # the wrapped product is the reached levels' grid, not the 15 x 12 field
    assert s.template.n == len(rows) * len(cols)
    want = _sigma(TH, cells)
    np.testing.assert_allclose(to_dense(s.matrix(TH)), want, rtol=1e-14, atol=0)
    inv = s.inverse(TH)
    assert s.mode == ("permutation" if drop == 0 else "complement") and sp.issparse(inv)
    wi = np.linalg.inv(want)
    np.testing.assert_allclose(inv.toarray(), wi, rtol=1e-9, atol=1e-9 * np.abs(wi).max())
    assert s.logdet(TH) == pytest.approx(np.linalg.slogdet(want)[1], rel=1e-11)
    # derivatives against central differences of numpy's Σ; R⁻¹ṘR⁻¹ and tr(R⁻¹Ṙ) from them
    ders = [to_dense(d) for d in s.derivatives(TH)]
    idis = [to_dense(m) for m in s.inv_deriv_inv(TH)]
    tr = np.asarray(s.inv_deriv_trace(TH), dtype=float)
    for k in range(3):
        h = np.zeros(3)
        h[k] = 1e-6
        fd = (_sigma(TH + h, cells) - _sigma(TH - h, cells)) / 2e-6
        np.testing.assert_allclose(ders[k], fd, rtol=1e-7, atol=1e-8)
        np.testing.assert_allclose(idis[k], wi @ fd @ wi, rtol=1e-6,
                                   atol=1e-7 * np.abs(wi @ fd @ wi).max())
        assert tr[k] == pytest.approx(float(np.sum(wi * fd)), rel=1e-6)


def test_block_part_kept_whole_and_no_restriction_when_all_levels_are_reached() -> None:
    """id(...) parts keep their levels (the block path needs their block size); a grid
    whose every level is reached is wrapped as it is."""
    t = Kronecker([Identity(_labels(4)), AR1(_labels(NR)), AR1(_labels(NC))], scale=True)
    cells = np.array([u * NR * NC + r * NC + c for u in range(4) for r in (2, 3, 4)
                      for c in (5, 6, 7, 8)], dtype=np.int64)[:-1]
    s = Subset(t, cells)
    assert s.template.n == 4 * 3 * 4
    parts = s.template.kronecker_factors()[1]
    assert parts[0] is t.parts[0] and [p.n for p in parts] == [4, 3, 4]
    assert s.mode == "block"
    th = np.array([0.9, 0.3, 0.6])
    want = th[0] * np.kron(np.eye(4), np.kron(ar1(NR, th[1]), ar1(NC, th[2])))
    want = want[np.ix_(cells, cells)]
    np.testing.assert_allclose(to_dense(s.matrix(th)), want, rtol=1e-14, atol=0)
    np.testing.assert_allclose(to_dense(s.inverse(th)), np.linalg.inv(want), rtol=1e-9,
                               atol=1e-9 * np.abs(np.linalg.inv(want)).max())
    full = Kronecker([AR1(_labels(5)), AR1(_labels(4))], scale=True)
    s = Subset(full, np.arange(19))
    assert s.template is full


def test_matrix_at_is_the_rows_of_the_whole_product_bit_for_bit() -> None:
    """Kronecker.matrix_at / derivatives_at: the same entries as take() of the whole product
    (each a product of the same parts' entries), in the same (sparse above 1000) format."""
    t = Kronecker([AR1(_labels(40)), AR1(_labels(30))], scale=True)
    cells = np.array([r * 30 + c for r in range(10, 20) for c in range(4, 16)])[::-1]
    th = np.array([2.5, 0.7, 0.4])
    from asr_py.vcov.base import take

    got, want = t.matrix_at(th, cells), take(t.matrix(th), cells)
    assert sp.issparse(got) and sp.issparse(want)
    assert (got != want).nnz == 0
    for a, b in zip(t.derivatives_at(th, cells), [take(d, cells) for d in t.derivatives(th)]):
        assert (a != b).nnz == 0


# ----- fits: a trial whose factors keep the field's levels -------------------------------

FR, FC = 40, 30                      # the field's levels
TR, TC = range(11, 25), range(3, 18)  # the trial: 14 rows x 15 columns


def _trial(seed: int = 3, gap: int | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [r for r in TR if r != gap]
    d = pd.DataFrame([(r, c) for r in rows for c in TC], columns=["row", "col"])
    d["gen"] = rng.choice([f"g{i}" for i in range(16)], len(d))
    d["block"] = (d["col"] >= 8).map({True: "b2", False: "b1"})
    pos_r, pos_c = d["row"].to_numpy(), d["col"].to_numpy()
    V = 2.0 * ar1(FR, 0.6)[np.ix_(pos_r, pos_r)] * ar1(FC, 0.4)[np.ix_(pos_c, pos_c)]
    gen = dict(zip([f"g{i}" for i in range(16)], rng.normal(0, 1.0, 16)))
    d["y"] = 10 + d["gen"].map(gen) + np.linalg.cholesky(V) @ rng.normal(size=len(d))
    d.loc[[5, 40], "y"] = np.nan
    for f, n in (("row", FR), ("col", FC)):   # Categoricals with the whole field's levels
        d[f] = pd.Categorical(d[f].astype(str), categories=[str(i) for i in range(n)])
    return d


def _fit(d: pd.DataFrame) -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(fixed="y ~ 1 + block", random="~ gen",
                          residual="~ ar1v(row):ar1(col)", data=d)


def _dense(d: pd.DataFrame) -> float:
    """Dense-V REML optimum: R = σ² [ρ_r^|Δrow| ρ_c^|Δcol|] over level positions."""
    obs = d["y"].notna().to_numpy()
    y = d["y"].to_numpy(float)[obs]
    X = np.column_stack([np.ones(y.size), (d["block"].to_numpy()[obs] == "b2")])
    Z = indicator(d["gen"].to_numpy()[obs])
    r = d["row"].cat.codes.to_numpy()[obs]
    c = d["col"].cat.codes.to_numpy()[obs]
    s = float(np.std(y))

    def build(t: np.ndarray) -> np.ndarray | None:
        sg, se, rr, rc = t
        if sg < 0 or se <= 0 or abs(rr) >= 1 or abs(rc) >= 1:
            return None
        Rf = se * ar1(FR, rr)[np.ix_(r, r)] * ar1(FC, rc)[np.ix_(c, c)]
        return sg * Z @ Z.T + Rf

    starts = [np.array([0.3 * s * s, s * s, 0.5, 0.2]), np.array([0.1 * s * s, s * s, 0.1, 0.1])]
    _, f = fit_dense(y, X, build, starts, [(0, None), (1e-9 * s * s, None), (-0.99, 0.99),
                                           (-0.99, 0.99)], scale=[s * s, s * s, 1, 1])
    return f


@pytest.mark.parametrize("gap", [None, 17])
def test_trial_in_a_field_fit_equals_dense_reml(gap: int | None) -> None:
    d = _trial(gap=gap)
    m = _fit(d)
    res = m.model.residual.template
    assert isinstance(res, Subset) and res.mode == "complement"
    assert res.template.n == (len(TR) - (gap is not None)) * len(TC)  # reached levels only
    assert m.loglik == pytest.approx(_dense(d), abs=1e-5)
    # the unused levels keep their places: a gap row is a lag of two (asreml's levels(f))
    closed = d.copy()
    for f in ("row", "col"):
        closed[f] = closed[f].cat.remove_unused_categories()
    mc = _fit(closed)
    if gap is None:   # a contiguous block: the same model on the trial's own levels
        assert mc.loglik == pytest.approx(m.loglik, abs=1e-8)
        np.testing.assert_allclose(mc.varcomp["component"], m.varcomp["component"],
                                   rtol=1e-6)
    else:
        assert abs(mc.loglik - m.loglik) > 1e-4


def test_trial_in_a_field_invariances() -> None:
    d = _trial()
    m = _fit(d)
    shuffled = d.sample(frac=1.0, random_state=7)
    assert _fit(shuffled).loglik == pytest.approx(m.loglik, abs=1e-8)
    scaled = d.assign(y=d["y"] * 1000.0)
    ms = _fit(scaled)
    assert ms.loglik - m.loglik == pytest.approx(-(d["y"].notna().sum() - 2) * np.log(1000.0),
                                                 abs=1e-6)
