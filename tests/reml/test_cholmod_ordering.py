"""CHOLMOD orderings: the permutation found by the first analysis is reused (given, not
recomputed) by every later one and gives the same factor; METIS ('sparse-nd') gives the same
numbers as AMD and as dense linear algebra."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from cvxopt import cholmod

from asr_py.reml.backends import ordering, supernodal
from asr_py.reml.backends.cholmod import CholmodFactor
from asr_py.reml.solver import available_backends, factorize

DATA = Path(__file__).resolve().parents[1] / "data"

needs_metis = pytest.mark.skipif(not ordering.metis_available(), reason="pymetis not installed")


def _mixed_mme(seed: int) -> sp.csc_matrix:
    """An animal-model-like C: 3 fixed levels, a random pedigree A⁻¹ (Henderson's rules) and
    a second grouping factor."""
    rng = np.random.default_rng(seed)
    na, nm, nrec = 300, 40, 240
    rows, cols, vals = [], [], []
    for i in range(na):
        par = [] if i < 30 else list({int(rng.integers(0, i)), int(rng.integers(0, i))})
        d = {0: 1.0, 1: 4.0 / 3.0, 2: 2.0}[len(par)]
        idx, coef = [i, *par], [1.0] + [-0.5] * len(par)
        for a, ca in zip(idx, coef):
            for b, cb in zip(idx, coef):
                rows.append(a)
                cols.append(b)
                vals.append(d * ca * cb)
    ainv = sp.csc_matrix((vals, (rows, cols)), shape=(na, na))
    rec = np.arange(nrec)
    w = sp.hstack([sp.csc_matrix((np.ones(nrec), (rec, rng.integers(0, 3, nrec))), (nrec, 3)),
                   sp.csc_matrix((np.ones(nrec), (rec, rng.choice(na, nrec, replace=False))),
                                 (nrec, na)),
                   sp.csc_matrix((np.ones(nrec), (rec, rng.integers(0, nm, nrec))), (nrec, nm))],
                  format="csc")
    g = sp.block_diag([sp.csc_matrix((3, 3)), ainv / 0.7, sp.identity(nm) / 0.3], format="csc")
    return sp.csc_matrix(w.T @ w + g)


def _dense_refs(c: sp.csc_matrix) -> tuple[float, np.ndarray]:
    d = c.toarray()
    return float(np.linalg.slogdet(d)[1]), np.linalg.inv(d)


def test_later_analyses_take_the_first_permutation_and_give_the_same_factor(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the getfactor path (taken when CHOLMOD's supernodal factor cannot be read in place)
    monkeypatch.setattr(supernodal, "view", lambda f, n: None)
    c = _mixed_mme(3)
    f1 = CholmodFactor(c)
    perm1 = f1._an.perm.copy()
    z1 = f1.inverse_on(c).toarray()  # getfactor consumes the symbolic object
    assert f1._an.symbolic is None
    calls = []
    real = cholmod.symbolic

    def spy(a, p=None, **kw):  # noqa: ANN001, ANN202
        calls.append((p is not None, dict(cholmod.options)))
        return real(a, p=p, **kw) if p is not None else real(a, **kw)

    cholmod.symbolic = spy
    try:
        f2 = f1.refactor(c.copy())
    finally:
        cholmod.symbolic = real
    assert len(calls) == 1 and calls[0][0], "the second analysis must be given the permutation"
    assert calls[0][1]["nmethods"] == 1 and calls[0][1]["postorder"] is False
    assert "nmethods" not in cholmod.options  # the global options are restored
    assert np.array_equal(f2._an.perm, perm1)
    np.testing.assert_array_equal(f2.inverse_on(c).toarray(), z1)  # bit for bit
    assert f2.logdet() == f1.logdet()
    ld, inv = _dense_refs(c)
    np.testing.assert_allclose(f2.logdet(), ld, rtol=1e-12)
    mask = c.toarray() != 0
    np.testing.assert_allclose(z1[mask], inv[mask], rtol=1e-9, atol=1e-12)


def test_auto_ordering_is_amd() -> None:
    assert ordering.resolve("auto", 10**7) == "amd"
    assert ordering.resolve("metis", 10) == "metis"
    with pytest.raises(ValueError, match="ordering must be one of"):
        ordering.resolve("colamd", 10)


@needs_metis
def test_metis_factor_matches_dense_and_amd() -> None:
    assert "sparse-nd" in available_backends()
    c = _mixed_mme(5)
    fa, fm = factorize(c, "sparse"), factorize(c, "sparse-nd")
    assert fm._an.ordering == "metis" and fa._an.ordering == "amd"
    assert not np.array_equal(fm._an.perm, fa._an.perm)
    assert np.array_equal(np.sort(fm._an.perm), np.arange(c.shape[0]))
    ld, inv = _dense_refs(c)
    np.testing.assert_allclose(fm.logdet(), ld, rtol=1e-12)
    b = np.arange(c.shape[0], dtype=float)
    np.testing.assert_allclose(fm.solve(b), inv @ b, rtol=1e-9, atol=1e-9)
    mask = c.toarray() != 0
    np.testing.assert_allclose(fm.inverse_on(c).toarray()[mask], inv[mask], rtol=1e-9,
                               atol=1e-12)
    # a later analysis reuses METIS's (postordered) permutation
    p1 = fm._an.perm.copy()
    fm2 = fm.refactor(c * 2.0)
    assert np.array_equal(fm2._an.perm, p1)
    np.testing.assert_allclose(fm2.logdet(), ld + c.shape[0] * np.log(2.0), rtol=1e-12)


@needs_metis
def test_fit_with_metis_equals_fit_with_amd() -> None:
    import pandas as pd

    import asr_py as asr

    df = pd.read_csv(DATA / "DT_gryphon.csv", dtype={"ANIMAL": str, "MOTHER": str, "SEX": str})
    ped = pd.read_csv(DATA / "P_gryphon.csv", dtype=str, keep_default_na=False)
    kw = dict(fixed="BWT ~ SEX", random="~ vm(ANIMAL, ainv) + MOTHER", data=df,
              ainv=asr.ainverse(ped))
    a = asr.asreml(**kw, solver="sparse").result
    m = asr.asreml(**kw, solver="sparse-nd").result
    assert m.solver == "sparse-nd"
    np.testing.assert_allclose(m.loglik, a.loglik, rtol=0, atol=1e-8)
    np.testing.assert_allclose(m.theta, a.theta, rtol=1e-7)
