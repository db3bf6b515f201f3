"""The complement path's fixed structures (asr_py/vcov/complement_plan.py, s23speed): R_s⁻¹,
log|R_s| and T built once per fit and refilled per θ equal dense algebra (inverse of the kept
rows' block of Σ = σ² A_row ⊗ A_col) at every θ, equal a fresh Subset's, and a Subset with
other missing plots (same sizes) never reads another one's structure."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from _dense_reml import ar1

from asr_py.vcov import complement_plan
from asr_py.vcov.autoregressive import AR1
from asr_py.vcov.composite import Subset
from asr_py.vcov.kronecker import Kronecker

NR, NC = 20, 14  # Σ⁻¹ sparse enough for the complement path (nnz ≤ 5% of n²)


def _subset(seed: int, missing: int = 15) -> Subset:
    rng = np.random.default_rng(seed)
    kept = np.sort(rng.choice(NR * NC, NR * NC - missing, replace=False))
    return Subset(Kronecker([AR1([str(i) for i in range(NR)]), AR1([str(i) for i in range(NC)])],
                                 scale=True), kept)


def _dense(theta: np.ndarray, kept: np.ndarray) -> tuple[np.ndarray, float]:
    s2, r1, r2 = theta
    sig = s2 * np.kron(ar1(NR, r1), ar1(NC, r2))[np.ix_(kept, kept)]
    return np.linalg.inv(sig), float(np.linalg.slogdet(sig)[1])


THETAS = [(1.3, 0.45, -0.2), (0.7, 0.05, 0.8), (2.1, -0.6, 0.3)]


@pytest.mark.parametrize("seed", range(3))
def test_refilled_inverse_equals_dense_at_each_theta(seed: int) -> None:
    s = _subset(seed)
    for th in map(np.asarray, THETAS):  # one object: the structures built once, refilled
        inv, ld = s._factor(th)
        assert s.mode == "complement" and sp.issparse(inv)
        assert s._structures.spat is not None  # the planned path answered
        want, ld_want = _dense(th, s.index)
        np.testing.assert_allclose(inv.toarray(), want, rtol=1e-10,
                                   atol=1e-10 * np.abs(want).max())
        assert ld == pytest.approx(ld_want, rel=1e-12, abs=1e-10)
        assert (inv != inv.T).nnz == 0  # exactly symmetric
        # T = [I; −K]: T'QT = Q_oo − Q_om K = R_s⁻¹ (Q = Σ⁻¹ on all rows)
        t = s._k[1]
        q = np.linalg.inv(th[0] * np.kron(ar1(NR, th[1]), ar1(NC, th[2])))
        np.testing.assert_allclose((t.T @ q @ t), want, rtol=1e-9, atol=1e-9 * np.abs(want).max())


@pytest.mark.parametrize("seed", range(3))
def test_refilled_equals_fresh_build(seed: int) -> None:
    used = _subset(seed)
    for th in map(np.asarray, THETAS[:2]):
        used._factor(th)
    th = np.asarray(THETAS[2])
    complement_plan._recent.items = []  # no structures from the fit above
    fresh = _subset(seed)
    a, la = used._factor(th)
    b, lb = fresh._factor(th)
    assert la == lb
    for x, y in ((a, b), (used._k[1], fresh._k[1])):
        np.testing.assert_array_equal(x.indptr, y.indptr)
        np.testing.assert_array_equal(x.indices, y.indices)
        np.testing.assert_array_equal(x.data, y.data)


def test_other_missing_plots_do_not_share_structures() -> None:
    """Two subsets of the same template with different missing plots (same counts): each
    answers its own dense inverse, whatever order they are evaluated in."""
    a, b = _subset(10), _subset(11)
    assert not np.array_equal(a.index, b.index)
    for th in map(np.asarray, THETAS):
        for s in (a, b, a):
            want, _ = _dense(th, s.index)
            np.testing.assert_allclose(s._factor(th)[0].toarray(), want, rtol=1e-10,
                                       atol=1e-10 * np.abs(want).max())
            s._cache = None  # evaluate again at the same θ (no value cache)


def test_csc_and_csr_q_give_the_same_blocks() -> None:
    """_blocks's position plan follows Q's own format (a CSC Q is not read as CSR)."""
    s = _subset(3)
    th = np.asarray(THETAS[0])
    s._factor(th)
    q = sp.csc_matrix(s.template.inverse(th))
    q.data = q.data + np.arange(q.nnz) * 1e-3  # not symmetric: a transpose would show
    qr = sp.csr_matrix(q)
    for x, y in zip(s._blocks(q), s._blocks(qr)):
        np.testing.assert_array_equal(x.toarray(), y.toarray())
    dense = q.toarray()
    o, m = s.index, s._dropped
    np.testing.assert_array_equal(s._blocks(q)[1].toarray(), dense[np.ix_(m, o)])


def test_refits_share_structures_only_for_the_same_layout() -> None:
    """A second Subset of the same layout (a refit) takes the first one's structures; one
    with its kept rows in another order or other missing plots builds its own. Each answers
    its own dense inverse."""
    complement_plan._recent.items = []
    th = np.asarray(THETAS[1])
    a, b = _subset(20), _subset(20)
    a._factor(th)
    b._factor(th)
    assert b._structures is a._structures
    perm = _subset(20)
    perm.__init__(perm.template, perm.index[::-1])  # the same rows, another order
    other = _subset(21)
    for s in (perm, other):
        inv, _ = s._factor(th)
        assert s._structures is not a._structures
        want, _ = _dense(th, s.index)
        np.testing.assert_allclose(inv.toarray(), want, rtol=1e-10,
                                   atol=1e-10 * np.abs(want).max())
    np.testing.assert_array_equal(b._factor(th)[0].toarray(), a._factor(th)[0].toarray())


@pytest.mark.parametrize("seed", range(3))
def test_planned_path_has_the_sparse_paths_digits(seed: int) -> None:
    """R_s⁻¹ and T from the refilled structures equal, digit for digit, the sparse algebra
    they replace (K by _solve_k, T by _t_matrix, Q_oo − Q_mo'K and ½(A + A') in scipy)."""
    import scipy.sparse.linalg as spla

    s = _subset(seed)
    for th in map(np.asarray, THETAS):
        inv, _ = s._factor(th)
        q = s.template.inverse(th)
        q_mm, q_mo, q_oo = s._blocks(q)
        k = s._solve_k(spla.splu(sp.csc_matrix(q_mm)), q_mo)
        a = q_oo - sp.csc_matrix(q_mo.T @ k)
        old = sp.csc_matrix((a + a.T) * 0.5)
        old_t = s._t_matrix(k)
        for x, y in ((inv, old), (s._k[1], old_t)):
            x, y = sp.csc_matrix(x), sp.csc_matrix(y)
            x.eliminate_zeros()  # T keeps K's structural zeros as stored zeros
            y.eliminate_zeros()
            np.testing.assert_array_equal(x.indptr, y.indptr)
            np.testing.assert_array_equal(x.indices, y.indices)
            np.testing.assert_array_equal(x.data, y.data)


def test_dense_path_derivatives_kept_per_theta(monkeypatch: pytest.MonkeyPatch) -> None:
    """The dense path's S Σ̇_k S' (kept for the last θ) equal a fresh subset's at every θ,
    and changing a returned matrix in place does not change the next answer; an
    ``ar2(Col):ar2(Row)`` fit with missing plots has the same digits with the kept
    derivatives as without."""
    import pandas as pd

    import asr_py as asr
    from asr_py.vcov import composite
    from asr_py.vcov.autoregressive import AR2

    kept = np.sort(np.random.default_rng(4).choice(NR * NC, NR * NC - 9, replace=False))
    levels = ([str(i) for i in range(NR)], [str(i) for i in range(NC)])
    s = Subset(Kronecker([AR2(levels[0]), AR2(levels[1])], scale=True), kept)
    thetas = [np.array([1.2, 0.3, 0.1, 0.2, -0.1]), np.array([0.8, 0.5, -0.2, 0.1, 0.3])]
    for th in (*thetas, thetas[0]):
        s._factor(th)
        assert s.mode == "dense"
        got = s.derivatives(th)
        got[0][:] = 99.0  # in place: must not reach the kept matrices
        fresh = Subset(s.template, kept).derivatives(th)
        for a, b in zip(s.derivatives(th), fresh):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    rng = np.random.default_rng(2)
    d = pd.DataFrame([(r, c) for r in range(12) for c in range(10)], columns=["Row", "Col"])
    d["y"] = rng.normal(size=len(d)) + 0.1 * d.Row
    d.loc[rng.choice(len(d), 8, replace=False), "y"] = np.nan
    for c in ("Row", "Col"):
        d[c] = pd.Categorical(d[c].astype(str), categories=list(dict.fromkeys(d[c].astype(str))))
    kw = dict(fixed="y ~ 1", residual="~ ar2(Col):ar2(Row)", data=d)
    kept_fit = asr.asreml(**kw)
    monkeypatch.setattr(composite, "DERIV_CACHE_MAX", 0)
    plain = asr.asreml(**kw)
    assert kept_fit.loglik == plain.loglik and kept_fit.result.n_iter == plain.result.n_iter
    np.testing.assert_array_equal(kept_fit.varcomp["component"], plain.varcomp["component"])


@pytest.mark.parametrize("seed", range(4))
def test_schur_update_rounds_keep_every_digit(seed: int) -> None:
    """s25speed: X = B'K_c summed in rounds over B's stored entries equals the term-by-term
    sum over every dropped row bit for bit (zero rows and columns of B, signed zeros in K_c,
    columns of B with one to many terms), and B'K_c by BLAS to round-off."""
    rng = np.random.default_rng(seed)
    m, c = 20 + 7 * seed, 40 + 11 * seed
    b = rng.normal(size=(m, c)) * (rng.random((m, c)) < 0.08 + 0.1 * seed)
    b[3] = 0.0
    b[:, 5] = 0.0
    kd = rng.normal(size=(m, c))
    kd[rng.random((m, c)) < 0.1] = -0.0
    got = complement_plan.schur_update(b, kd)
    ref = complement_plan.schur_update_dense(b, kd)
    np.testing.assert_array_equal(got, ref)
    assert not np.signbit(got[got == 0]).any() and not np.signbit(ref[ref == 0]).any()
    np.testing.assert_allclose(got, b.T @ kd, rtol=1e-12, atol=1e-12)
    assert np.all(complement_plan.schur_update(np.zeros((m, c)), kd) == 0)


def test_schur_update_on_stored_pattern_keeps_every_digit() -> None:
    """Rounds planned from Q_mo's stored pattern (kept with Q's structure) give the
    term-by-term digits also when stored entries are exact zeros at this θ (ρ = 0)."""
    rng = np.random.default_rng(7)
    m, n_o = 25, 90
    dense = rng.normal(size=(m, n_o)) * (rng.random((m, n_o)) < 0.1)
    dense[dense != 0][::3] = 0.0
    q_mo = sp.csc_matrix(dense)
    q_mo.data[::4] = 0.0  # stored, but zero at this θ
    cols = np.flatnonzero(np.diff(q_mo.indptr))
    b = complement_plan.dense_columns(q_mo, cols)
    kd = rng.normal(size=(m, cols.size))
    rounds = complement_plan.stored_rounds(q_mo, cols)
    assert sum(r.size for r, _ in rounds) == q_mo.nnz
    got = complement_plan.schur_update(b, kd, rounds)
    np.testing.assert_array_equal(got, complement_plan.schur_update_dense(b, kd))
    np.testing.assert_array_equal(got, complement_plan.schur_update(b, kd))


def _clustered() -> Subset:
    """Missing plots in blocks (a 3 x 3 patch, a run along a row) and alone: Q_mm has
    connected components of several rows, so K_c and X = B'K_c have structural zeros."""
    miss = {r * NC + c for r in (5, 6, 7) for c in (3, 4, 5)} | {12 * NC + c for c in range(6)}
    miss |= {2 * NC + 9, 17 * NC + 1, 19 * NC + 13}
    kept = np.array([i for i in range(NR * NC) if i not in miss])
    return Subset(Kronecker([AR1([str(i) for i in range(NR)]), AR1([str(i) for i in range(NC)])],
                            scale=True), kept)


def test_schur_block_on_x_structure_has_the_full_blocks_digits() -> None:
    """s28perf: R_s⁻¹ with X = B'K_c formed on its structure only (schur_pairs) equals, digit
    for digit, the c x c block path (schur_update, SchurPattern without pairs), and the
    dense inverse; the structure is a small part of c x c here."""
    import scipy.sparse.linalg as spla

    s = _clustered()
    for th in map(np.asarray, THETAS):
        inv, _ = s._factor(th)
        st = s._structures
        pairs = st.spat.x_pairs
        assert pairs is not None and 0 < pairs[0].size < st.spat.cols.size ** 2 / 4
        q_mm, q_mo, q_oo = s._blocks(s.template.inverse(th))
        cols = np.flatnonzero(np.diff(q_mo.indptr))
        b = complement_plan.dense_columns(q_mo, cols)
        kd = spla.splu(sp.csc_matrix(q_mm)).solve(b)
        full = complement_plan.SchurPattern(q_oo, cols).inverse(
            q_oo.data, complement_plan.schur_update(b, kd, st.rounds[1]))
        for a in ("indptr", "indices", "data"):
            np.testing.assert_array_equal(getattr(inv, a), getattr(full, a))
        want, _ = _dense(th, s.index)
        np.testing.assert_allclose(inv.toarray(), want, rtol=1e-10,
                                   atol=1e-10 * np.abs(want).max())


def test_inverse_pattern_kept_across_refits() -> None:
    """s28perf: a refit's Subset (same layout) reads the first one's inverse pattern from
    the layout's structures; it equals a fresh computation and covers R_s⁻¹ and every
    R_s⁻¹Ṙ_kR_s⁻¹ at other θ."""
    complement_plan._recent.items = []
    a, b = _clustered(), _clustered()
    pa = a.inverse_pattern(np.asarray(THETAS[0]))
    th = np.asarray(THETAS[2])
    pb = b.inverse_pattern(th)
    assert b._structures is a._structures and a._structures.ipat is not None
    fresh = b._complement_pattern(sp.csr_matrix(b.template.inverse_pattern(th)))
    for x in (pa, pb):
        assert (abs(x - fresh)).nnz == 0
    inv = b._factor(th)[0]
    for m in [inv, *b.inv_deriv_inv(th)]:
        outside = sp.csc_matrix(abs(m)) - sp.csc_matrix(abs(m)).multiply(pb)
        assert outside.count_nonzero() == 0
