"""CHOLMOD backend and the supernodal Takahashi selected inverse against dense numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from asr_py.reml.backends.cholmod import CholmodFactor
from asr_py.reml.selinv import SelInvPlan, supernode_starts
from asr_py.reml.solver import NotPositiveDefinite, factorize

DATA = Path(__file__).resolve().parents[1] / "data"


def _spd(n: int, density: float, seed: int) -> sp.csc_matrix:
    rng = np.random.default_rng(seed)
    a = sp.random(n, n, density=density, random_state=seed, format="csc")
    return (a @ a.T + sp.diags(rng.uniform(0.5, 2.0, n))).tocsc()


def _rel_err(got: np.ndarray, ref: np.ndarray) -> float:
    return float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))


@pytest.mark.parametrize("n,density,seed", [(1, 1.0, 0), (60, 0.05, 1), (400, 0.01, 2),
                                            (300, 0.2, 3)])
def test_selected_inverse_and_logdet_match_dense(n: int, density: float, seed: int) -> None:
    c = _spd(n, density, seed)
    cd = c.toarray()
    inv = np.linalg.inv(cd)
    f = CholmodFactor(c)
    assert f.logdet() == pytest.approx(np.linalg.slogdet(cd)[1], rel=1e-10, abs=1e-10)
    sel = f.inverse_on(c)
    r, k = c.nonzero()
    assert _rel_err(np.asarray(sel[r, k]).ravel(), inv[r, k]) < 1e-10
    # the diagonal alone (PEVs)
    dg = f.inverse_on(sp.identity(n, format="csc")).diagonal()
    np.testing.assert_allclose(dg, np.diag(inv), rtol=1e-10)
    b = np.random.default_rng(seed).normal(size=(n, 3))
    np.testing.assert_allclose(f.solve(b), inv @ b, rtol=1e-8, atol=1e-10 * np.abs(inv).max())
    np.testing.assert_allclose(f.solve(b[:, 0]), inv @ b[:, 0], rtol=1e-8,
                               atol=1e-10 * np.abs(inv).max())
    rows = np.arange(min(n, 4))
    np.testing.assert_allclose(f.inverse_block(rows), inv[np.ix_(rows, rows)], rtol=1e-9)


def test_entries_outside_the_filled_pattern_are_solved_for() -> None:
    c = sp.csc_matrix(np.diag([2.0, 4.0, 5.0]))  # L diagonal: off-diagonal C⁻¹ entries are 0
    f = CholmodFactor(c)
    full = f.inverse_on(np.ones((3, 3)))
    np.testing.assert_allclose(full.toarray(), np.diag([0.5, 0.25, 0.2]), atol=1e-15)


def test_refactor_shares_analysis_and_old_factors_stay_valid() -> None:
    c = _spd(200, 0.03, 5)
    f1 = CholmodFactor(c)
    f2 = f1.refactor(c * 3.0)
    assert f2._an is f1._an
    # f2's numeric values now sit in the shared CHOLMOD object; f1 must still be right
    b = np.arange(200.0)
    np.testing.assert_allclose(f1.solve(b), np.linalg.solve(c.toarray(), b), rtol=1e-9)
    np.testing.assert_allclose(f2.solve(b), np.linalg.solve(3.0 * c.toarray(), b), rtol=1e-9)
    assert f2.logdet() == pytest.approx(f1.logdet() + 200 * np.log(3.0), rel=1e-12)
    s1, s2 = f1.inverse_on(c), f2.inverse_on(c)
    np.testing.assert_allclose(s2.toarray(), s1.toarray() / 3.0, rtol=1e-10, atol=1e-15)
    # a different pattern gets its own analysis
    f3 = f1.refactor(sp.identity(200, format="csc") * 2.0)
    assert f3._an is not f1._an
    assert f3.logdet() == pytest.approx(200 * np.log(2.0), rel=1e-12)
    np.testing.assert_allclose(f1.solve(b), np.linalg.solve(c.toarray(), b), rtol=1e-9)


def test_not_positive_definite() -> None:
    c = sp.csc_matrix(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(NotPositiveDefinite):
        factorize(c, "sparse")


def test_mme_of_the_gryphon_animal_model() -> None:
    """C = W'W/σ²_e + blockdiag(0, A⁻¹/σ²_a, I/σ²_m) built by hand from the bundled data."""
    import pandas as pd

    from asr_py.genetics import ainverse

    d = pd.read_csv(DATA / "DT_gryphon.csv", dtype=str)
    ped = pd.read_csv(DATA / "P_gryphon.csv", dtype=str, keep_default_na=False)
    ai = ainverse(ped)
    ids = list(ai.ids)
    n = len(d)
    za = sp.csc_matrix((np.ones(n), (np.arange(n), [ids.index(a) for a in d["ANIMAL"]])),
                       shape=(n, len(ids)))
    mothers, mcode = np.unique(d["MOTHER"], return_inverse=True)
    zm = sp.csc_matrix((np.ones(n), (np.arange(n), mcode)), shape=(n, mothers.size))
    x = sp.csc_matrix(np.c_[np.ones(n), (d["SEX"] == d["SEX"].iloc[0]).to_numpy(float)])
    w = sp.hstack([x, za, zm], format="csc")
    c = (w.T @ w / 2.26 + sp.block_diag([sp.csc_matrix((2, 2)), ai.matrix / 2.70,
                                         sp.identity(mothers.size) / 1.08])).tocsc()
    cd = c.toarray()
    inv = np.linalg.inv(cd)
    f = CholmodFactor(c)
    assert f.logdet() == pytest.approx(np.linalg.slogdet(cd)[1], rel=1e-10)
    sel = f.inverse_on(c)
    r, k = c.nonzero()
    assert _rel_err(np.asarray(sel[r, k]).ravel(), inv[r, k]) < 1e-10
    np.testing.assert_allclose(f.inverse_block(np.arange(2)), inv[:2, :2], rtol=1e-9)


def test_plan_on_a_hand_made_pattern() -> None:
    # a 4 x 4 arrow matrix: columns 0, 1, 2 all connect to 3 -> supernodes {0}, {1}, {2, 3}
    c = np.array([[4.0, 0, 0, 1], [0, 5.0, 0, 1], [0, 0, 6.0, 1], [1, 1, 1, 7.0]])
    lo = np.linalg.cholesky(c)
    ls = sp.csc_matrix(np.where(np.tril(np.ones((4, 4))) * (lo != 0), lo, 0.0))
    ls.sort_indices()
    np.testing.assert_array_equal(supernode_starts(ls.indptr, ls.indices), [0, 1, 2])
    z = SelInvPlan(ls.indptr, ls.indices).run(ls.data)
    rr, kk = ls.nonzero()
    order = np.lexsort((rr, kk))
    np.testing.assert_allclose(z, np.linalg.inv(c)[rr[order], kk[order]], rtol=1e-13)
    with pytest.raises(ValueError, match="diagonal"):
        SelInvPlan(np.array([0, 1, 1]), np.array([0]))


def test_inverse_block_from_the_selected_inverse_without_a_new_factorization(monkeypatch
                                                                              ) -> None:
    """Once a factor has its selected inverse, a block inside L's filled pattern (the dense
    rows of C, ordered last) is read from it: the dense inverse, and no CHOLMOD numeric
    factorization (solves after ``getfactor`` would need one); a block reaching outside the
    pattern is solved for, also equal to the dense inverse."""
    from asr_py.reml.backends import cholmod as cm

    rng = np.random.default_rng(7)
    n, p = 400, 5
    a = _spd(n, 0.004, 7).tolil()
    dense = rng.uniform(0.1, 1.0, (p, n))  # p dense rows and columns (fixed effects)
    a[:p, :] = dense
    a[:, :p] = dense.T
    c = sp.csc_matrix(a)
    c = 0.5 * (c + c.T)
    c = sp.csc_matrix(c + sp.diags(np.abs(c).sum(axis=1).A1 + 1.0))  # diagonally dominant
    inv = np.linalg.inv(c.toarray())
    f = CholmodFactor(c)
    f.inverse_on(sp.identity(n, format="csc"))  # the selected inverse (consumes the factor)
    calls = []
    real = cm.cholmod.numeric
    monkeypatch.setattr(cm.cholmod, "numeric", lambda *x: calls.append(1) or real(*x))
    rows = np.arange(p)
    np.testing.assert_allclose(f.inverse_block(rows), inv[np.ix_(rows, rows)], rtol=1e-10)
    assert calls == []
    far = np.array([p + 1, n - 1])  # two sparse rows: (far[0], far[1]) not in L's pattern
    assert np.any(f._l_positions(np.repeat(far, 2), np.tile(far, 2)) < 0)
    np.testing.assert_allclose(f.inverse_block(far), inv[np.ix_(far, far)], rtol=1e-9)
    assert calls  # solved for: a numeric factorization again
