"""Step-A templates: id, idv, diag, us, known matrices, Kronecker, Subset, DirectSum."""

from __future__ import annotations

import time

import numpy as np
import pytest
import scipy.sparse as sp
from vcov_helpers import check_template

from asr_py.errors import MatrixError, ModelError
from asr_py.vcov import (
    DirectSum,
    KnownMatrix,
    Kronecker,
    Subset,
    get_structure,
    registered_names,
    to_dense,
)


def random_spd(n: int, rng: np.random.Generator) -> np.ndarray:
    a = rng.normal(size=(n, n))
    return a @ a.T + n * np.eye(n)


def us_theta(s: np.ndarray) -> np.ndarray:
    r, c = np.tril_indices(s.shape[0])
    return s[r, c]


LV3 = ["a", "b", "c"]


def test_registered_step_a() -> None:
    names = registered_names()
    for nm in ["id", "idv", "diag", "idh", "us", "vm", "giv"]:
        assert nm in names


def test_id_idv_diag_closed_forms() -> None:
    idt = get_structure("id")(LV3, name="f")
    assert idt.n_params == 0 and not idt.has_variance
    assert sp.issparse(idt.matrix(np.zeros(0)))
    np.testing.assert_array_equal(to_dense(idt.matrix(np.zeros(0))), np.eye(3))
    assert idt.logdet(np.zeros(0)) == 0.0

    idv = get_structure("idv")(LV3, name="f")
    assert idv.param_names == ["f!var"] and idv.param_kinds == ["variance"]
    np.testing.assert_allclose(to_dense(idv.matrix(np.array([2.5]))), 2.5 * np.eye(3))
    check_template(idv, np.array([2.5]))

    dg = get_structure("diag")(LV3, name="Env")
    assert dg.param_names == ["Env_a", "Env_b", "Env_c"]
    assert get_structure("idh") is get_structure("diag")
    th = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(to_dense(dg.matrix(th)), np.diag(th))
    check_template(dg, th)
    assert dg.is_valid(th)
    assert not dg.is_valid(np.array([1.0, -2.0, 3.0]))
    assert not dg.is_valid(np.array([1.0, 0.0, 3.0]))  # singular


def test_us_names_order_and_values() -> None:
    us = get_structure("us")(["y1", "y2", "y3"], name="trait")
    assert us.param_names == ["trait_y1:y1", "trait_y2:y1", "trait_y2:y2", "trait_y3:y1",
                              "trait_y3:y2", "trait_y3:y3"]
    assert us.param_kinds == ["variance", "covariance", "variance", "covariance", "covariance",
                              "variance"]
    th = np.array([4.0, 1.0, 3.0, 0.5, -0.2, 2.0])
    ref = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, -0.2], [0.5, -0.2, 2.0]])
    np.testing.assert_array_equal(us.matrix(th), ref)
    check_template(us, th)
    assert us.is_valid(th)
    assert not us.is_valid(np.array([1.0, 2.0, 1.0, 0.0, 0.0, 1.0]))  # |r| > 1: not PD
    init = us.initial(10.0)
    np.testing.assert_allclose(us.matrix(init), [[10, 1, 1], [1, 10, 1], [1, 1, 10]])


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("inverse", [False, True])
def test_known_matrix(sparse: bool, inverse: bool) -> None:
    rng = np.random.default_rng(1)
    k = random_spd(6, rng)
    given = np.linalg.inv(k) if inverse else k
    given = (given + given.T) / 2
    km = KnownMatrix(sp.csr_matrix(given) if sparse else given, inverse=inverse, name="K")
    assert km.n_params == 0 and not km.has_variance
    np.testing.assert_allclose(to_dense(km.matrix()), k, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(to_dense(km.inverse()), np.linalg.inv(k), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(km.logdet(), np.linalg.slogdet(k)[1], rtol=1e-10)
    if inverse:
        assert sp.issparse(km.inverse())


def test_known_matrix_does_not_mutate_and_validates() -> None:
    k = np.array([[2.0, 1.0], [1.0, 2.0]])
    keep = k.copy()
    km = KnownMatrix(k)
    km.matrix()[0, 0] = 99.0  # even writing into the result leaves the user's matrix alone
    np.testing.assert_array_equal(k, keep)
    with pytest.raises(MatrixError, match="not square"):
        KnownMatrix(np.ones((2, 3)))
    with pytest.raises(MatrixError, match="not symmetric"):
        KnownMatrix(np.array([[1.0, 0.5], [0.2, 1.0]]), levels=["x", "y"])
    with pytest.raises(MatrixError, match="not symmetric"):
        KnownMatrix(sp.csr_matrix(np.array([[1.0, 0.5], [0.2, 1.0]])))
    # eigenvalues 3 and -1: indefinite, not a covariance matrix
    with pytest.raises(MatrixError, match=r"not positive semi-definite \(smallest eigenvalue -1"):
        KnownMatrix(np.array([[1.0, 2.0], [2.0, 1.0]])).logdet()
    with pytest.raises(MatrixError, match="not positive semi-definite"):
        KnownMatrix(sp.csc_matrix(np.array([[1.0, 2.0], [2.0, 1.0]]))).logdet()
    with pytest.raises(MatrixError, match="level labels"):
        KnownMatrix(k, levels=["a"])


def test_known_matrix_rank_of_a_psd_matrix() -> None:
    """[[1, 1], [1, 1]] has eigenvalues 2 and 0: rank 1, no inverse, no log-determinant; L L'
    gives K back."""
    km = KnownMatrix(np.array([[1.0, 1.0], [1.0, 1.0]]), name="K")
    rk = km.rank()
    assert (rk.n, rk.rank, rk.singular) == (2, 1, True)
    assert rk.max_eig == pytest.approx(2.0)
    np.testing.assert_allclose(km.root() @ km.root().T, [[1.0, 1.0], [1.0, 1.0]])
    for f in (km.logdet, km.inverse):
        with pytest.raises(MatrixError, match=r"singular \(K: 2 x 2, rank 1"):
            f()
    # condition 1e8: full rank, proven by the Cholesky rcond without an eigendecomposition;
    # condition 1e16: the eigenvalues decide (rank 49)
    q = np.linalg.qr(np.random.default_rng(1).normal(size=(50, 50)))[0]
    for smallest, rank in ((1e-8, 50), (1e-16, 49)):
        k = (q * np.r_[smallest, np.linspace(0.5, 1.0, 49)]) @ q.T
        km = KnownMatrix((k + k.T) / 2)
        assert km.rank().rank == rank
        assert (km._spectrum is None) == (rank == 50)
    full = KnownMatrix(np.array([[2.0, 1.0], [1.0, 2.0]]))
    assert not full.rank().singular and full.logdet() == pytest.approx(np.log(3.0))
    with pytest.raises(MatrixError, match="singG = 'NSD' is not supported"):
        KnownMatrix(np.eye(2), sing_g="NSD")


def test_vm_factory() -> None:
    k = random_spd(3, np.random.default_rng(0))
    t = get_structure("vm")(LV3, name="id", matrix=k)
    np.testing.assert_allclose(to_dense(t.matrix()), k)
    with pytest.raises(MatrixError):
        get_structure("vm")(["a", "b"], name="id", matrix=k)


def dense_kron(mats: list[np.ndarray]) -> np.ndarray:
    out = np.ones((1, 1))
    for m in mats:
        out = np.kron(out, m)
    return out


@pytest.mark.parametrize("scale", [False, True])
def test_kronecker_two_and_three_parts(scale: bool) -> None:
    rng = np.random.default_rng(3)
    us = get_structure("us")(["y1", "y2"], name="trait")
    dg = get_structure("diag")(LV3, name="env")
    km = KnownMatrix(random_spd(4, rng), name="K")
    s_us = random_spd(2, rng)
    th_us, th_dg = us_theta(s_us), np.array([1.5, 0.7, 2.0])
    pre = [1.7] if scale else []

    k2 = Kronecker([us, km], scale=scale)
    th2 = np.array(pre + list(th_us))
    ref = (1.7 if scale else 1.0) * np.kron(s_us, km.matrix())
    np.testing.assert_allclose(to_dense(k2.matrix(th2)), ref)
    check_template(k2, th2)

    k3 = Kronecker([dg, us, km], scale=scale)
    th3 = np.array(pre + list(th_dg) + list(th_us))
    ref = (1.7 if scale else 1.0) * dense_kron([np.diag(th_dg), s_us, km.matrix()])
    np.testing.assert_allclose(to_dense(k3.matrix(th3)), ref)
    check_template(k3, th3)
    assert k3.param_names == (["var"] if scale else []) + dg.param_names + us.param_names
    assert k3.has_variance


def test_kronecker_no_variance_and_block_size() -> None:
    ar = Kronecker([get_structure("id")(LV3), KnownMatrix(np.eye(2) + 0.5)])
    assert not ar.has_variance and ar.n_params == 0
    assert ar.block_size == 2
    units = Kronecker([get_structure("id")([str(i) for i in range(4)]),
                       get_structure("us")(["y1", "y2"])])
    assert units.block_size == 2
    assert Kronecker([get_structure("us")(["y1", "y2"]),
                      get_structure("id")(LV3)]).block_size is None


def test_kronecker_large_sparse_is_fast() -> None:
    """A 50 000-row sparse A-inverse ⊗ 2x2 us stays sparse; inverse/logdet/idi are quick."""
    n = 50000
    rng = np.random.default_rng(0)
    # a sparse SPD 'A-inverse'-like matrix: tridiagonal, diagonally dominant
    off = -0.3 * rng.random(n - 1)
    ainv = sp.diags([off, np.full(n, 1.0) + 0.7, off], [-1, 0, 1], format="csc")
    km = KnownMatrix(ainv, inverse=True, name="ped")
    us = get_structure("us")(["y1", "y2"], name="trait")
    k = Kronecker([us, km])
    th = np.array([2.0, 0.5, 1.0])
    t0 = time.perf_counter()
    inv = k.inverse(th)
    idi = k.inv_deriv_inv(th)
    ld = k.logdet(th)
    elapsed = time.perf_counter() - t0
    assert sp.issparse(inv) and all(sp.issparse(x) for x in idi)
    assert inv.nnz <= 4 * ainv.nnz
    assert elapsed < 10.0
    # log|Σ ⊗ K| = n log|Σ| + 2 log|K|, log|K| = -log|A⁻¹| (tridiagonal: exact recursion)
    d = np.full(n, 1.7)
    e = off
    # determinant of a symmetric tridiagonal matrix by the continuant recursion, in logs
    f_prev, f = 1.0, d[0]
    logscale = 0.0
    for i in range(1, n):
        f_prev, f = f, d[i] * f - e[i - 1] ** 2 * f_prev
        if abs(f) > 1e100:
            f_prev, f, logscale = f_prev / f, 1.0, logscale + np.log(abs(f))
    log_ainv = logscale + np.log(f)
    s = np.array([[2.0, 0.5], [0.5, 1.0]])
    np.testing.assert_allclose(ld, n * np.linalg.slogdet(s)[1] - 2 * log_ainv, rtol=1e-9)
    with pytest.raises(MatrixError, match="refusing"):
        km.matrix()


def test_subset_permutation_block_dense() -> None:
    rng = np.random.default_rng(5)
    m, t = 6, 3
    us = get_structure("us")(["y1", "y2", "y3"], name="trait")
    s = random_spd(t, rng)
    th = us_theta(s)
    full = Kronecker([get_structure("id")([str(i) for i in range(m)]), us])
    assert full.block_size == 3
    ref_full = np.kron(np.eye(m), s)
    # records missing: unit 1 misses trait 2, unit 3 misses traits 0 and 2, unit 4 all kept
    drop = {1 * t + 2, 3 * t + 0, 3 * t + 2}
    keep = np.array([i for i in range(m * t) if i not in drop])
    sub = Subset(full, keep)
    assert sub.mode == "block"
    np.testing.assert_allclose(to_dense(sub.matrix(th)), ref_full[np.ix_(keep, keep)])
    assert sp.issparse(sub.inverse(th))
    check_template(sub, th)
    # a shuffled order still works (block path places entries by position)
    shuffled = rng.permutation(keep)
    sub2 = Subset(full, shuffled)
    np.testing.assert_allclose(to_dense(sub2.matrix(th)), ref_full[np.ix_(shuffled, shuffled)])
    check_template(sub2, th)
    # a permutation of every row
    perm = rng.permutation(m * t)
    sub3 = Subset(full, perm)
    assert sub3.mode == "permutation"
    check_template(sub3, th)
    # not block diagonal: dense path (us ⊗ ar-like known matrix)
    km = KnownMatrix(random_spd(4, rng))
    full4 = Kronecker([us, km])
    sub4 = Subset(full4, np.array([0, 2, 3, 5, 7, 8, 11]))
    check_template(sub4, th)
    assert sub4.mode == "dense"  # decided at the first θ: Σ⁻¹ is not sparse
    with pytest.raises(ModelError, match="repeats"):
        Subset(full, [0, 0, 1])
    with pytest.raises(ModelError, match="0..17"):
        Subset(full, [0, 18])


def test_subset_complement_of_sparse_inverse() -> None:
    """Missing plots of an ar1 ⊗ ar1 field (Σ⁻¹ sparse, one block): the Schur-complement
    path gives a sparse R_s⁻¹ and agrees with the dense computation, in any record order."""
    rng = np.random.default_rng(11)
    ar1 = get_structure("ar1")
    rows, cols = 15, 14  # Σ⁻¹ has 3.9 % nonzeros
    full = Kronecker([ar1([str(i) for i in range(rows)], name="Row"),
                      ar1([str(i) for i in range(cols)], name="Col")], scale=True)
    th = np.array([2.5, 0.6, -0.35])
    # isolated plots, two neighbours (a connected pair) and a corner
    drop = {0, 30, 31, 100, 209}
    keep = np.array([i for i in range(rows * cols) if i not in drop])
    for index in (keep, rng.permutation(keep)):
        sub = Subset(full, index)
        check_template(sub, th)
        assert sub.mode == "complement"
        inv = sub.inverse(th)
        assert sp.issparse(inv) and inv.nnz < 0.5 * sub.n**2
        # a second θ after the first: the cached K follows θ
        th2 = np.array([1.1, -0.2, 0.45])
        check_template(sub, th2)
        np.testing.assert_allclose(to_dense(sub.inverse(th2)),
                                   np.linalg.inv(to_dense(sub.matrix(th2))), atol=1e-10)


def test_subset_block_with_diag_units() -> None:
    """Blocks that differ from unit to unit (diag(units) ⊗ us), b = 2."""
    rng = np.random.default_rng(8)
    dg = get_structure("diag")([str(i) for i in range(5)], name="u")
    us = get_structure("us")(["y1", "y2"])
    k = Kronecker([dg, us])
    th = np.concatenate([rng.uniform(0.5, 2, 5), us_theta(random_spd(2, rng))])
    keep = np.array([0, 1, 2, 5, 6, 7, 9])
    sub = Subset(k, keep)
    assert sub.mode == "block"
    check_template(sub, th)


def test_direct_sum() -> None:
    rng = np.random.default_rng(2)
    idv_a = get_structure("idv")(["1", "2", "3"], name="siteA")
    us_b = get_structure("us")(["1", "2"], name="siteB")
    idx = [np.array([0, 2, 4]), np.array([1, 3])]
    ds = DirectSum([idv_a, us_b], idx, 5)
    th = np.concatenate([[1.3], us_theta(random_spd(2, rng))])
    ref = np.zeros((5, 5))
    ref[np.ix_(idx[0], idx[0])] = 1.3 * np.eye(3)
    ref[np.ix_(idx[1], idx[1])] = us_b.matrix(th[1:])
    np.testing.assert_allclose(to_dense(ds.matrix(th)), ref)
    check_template(ds, th)
    assert ds.param_names == ["siteA!var", "siteB_1:1", "siteB_2:1", "siteB_2:2"]
    # sections listed out of row order (the scatter's general path) give the same matrices
    shuffled = [np.array([4, 0, 2]), np.array([3, 1])]
    ds2 = DirectSum([idv_a, us_b], shuffled, 5)
    check_template(ds2, th)
    ref2 = np.zeros((5, 5))
    ref2[np.ix_(shuffled[1], shuffled[1])] = to_dense(us_b.derivatives(th[1:])[0])
    np.testing.assert_allclose(to_dense(ds2.derivatives(th)[1]), ref2)
    with pytest.raises(ModelError, match="exactly once"):
        DirectSum([idv_a, us_b], [np.array([0, 2, 4]), np.array([1, 2])], 5)


def test_known_matrix_given_logdet_and_relmatrix_like() -> None:
    """A caller-supplied log|K| (pedigree: Σ log D_ii) is used instead of factorising."""

    class Rel:  # the attributes of asr_py.genetics.RelMatrix
        def __init__(self, m, ids, inverse, logdet):
            self.matrix, self.ids, self.inverse, self.logdet = m, ids, inverse, logdet

    # A for sire s, dam d, offspring o (unrelated parents): D = (1, 1, 1/2), log|A| = log 1/2
    a = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.5, 0.5, 1.0]])
    ainv = sp.csc_matrix(np.linalg.inv(a))
    km = KnownMatrix(Rel(ainv, ("s", "d", "o"), True, float(np.log(0.5))))
    assert km.given_inverse and km.levels == ("s", "d", "o")
    assert km.logdet() == pytest.approx(np.log(0.5))
    assert km.logdet() == pytest.approx(np.linalg.slogdet(a)[1])
    # the given value is trusted (not recomputed): a deliberately different number shows it
    assert KnownMatrix(ainv, inverse=True, logdet=1.25).logdet() == 1.25
    with pytest.raises(MatrixError, match="not finite"):
        KnownMatrix(ainv, inverse=True, logdet=float("nan"))
