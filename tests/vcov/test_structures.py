"""Closed forms, naming, bounds and starting values of the registered structures."""

from __future__ import annotations

import time

import numpy as np
import pytest
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.vcov import Kronecker, Subset, get_structure, to_dense

LV4 = ["1", "2", "3", "4"]


def make(name: str, levels: list[str] = LV4, label: str = "Row", **opts: object):
    return get_structure(name)(levels, name=label, **opts)


def acf_from_psi(psi: np.ndarray, nlags: int) -> np.ndarray:
    """Autocorrelations of x_t = Σ_j ψ_j e_{t-j} (a truncated MA(∞) expansion)."""
    psi = np.concatenate([psi, np.zeros(nlags)])
    g = np.array([psi[: psi.size - k] @ psi[k:] for k in range(nlags)])
    return g / g[0]


def ar_psi(phi: np.ndarray, m: int = 4000) -> np.ndarray:
    """ψ weights of an AR(p): ψ_0 = 1, ψ_k = Σ_j φ_j ψ_{k-j}."""
    psi = np.zeros(m)
    psi[0] = 1.0
    for k in range(1, m):
        psi[k] = sum(phi[j] * psi[k - 1 - j] for j in range(phi.size) if k - 1 - j >= 0)
    return psi


def test_ar1_closed_form_inverse_and_logdet() -> None:
    t = make("ar1")
    r = 0.6
    c = t.matrix(np.array([r]))
    i, j = np.indices((4, 4))
    np.testing.assert_allclose(c, r ** np.abs(i - j))
    # the AR(1) precision matrix is tridiagonal: (1/(1-r²)) [1, -r; -r, 1+r², -r; ...]
    q = np.diag([1, 1 + r * r, 1 + r * r, 1]) - r * (np.eye(4, k=1) + np.eye(4, k=-1))
    np.testing.assert_allclose(to_dense(t.inverse(np.array([r]))), q / (1 - r * r), atol=1e-12)
    np.testing.assert_allclose(t.logdet(np.array([r])), 3 * np.log(1 - r * r))
    assert t.param_names == ["Row!cor"] and not t.has_variance


@pytest.mark.parametrize("phi", [[0.5, 0.3], [1.2, -0.5], [-0.4, 0.2]])
def test_ar2_yule_walker_against_ma_expansion(phi: list[float]) -> None:
    phi_a = np.array(phi)
    t = make("ar2", [str(k) for k in range(6)])
    c = t.matrix(phi_a)
    ref = acf_from_psi(ar_psi(phi_a), 6)
    np.testing.assert_allclose(c[0], ref, atol=1e-10)
    np.testing.assert_allclose(c[0, 1], phi[0] / (1 - phi[1]))
    np.testing.assert_allclose(c[0, 2], phi[0] * c[0, 1] + phi[1])


def test_ar3_against_ma_expansion() -> None:
    phi = np.array([0.4, 0.2, -0.3])
    t = make("ar3", [str(k) for k in range(7)])
    np.testing.assert_allclose(t.matrix(phi)[0], acf_from_psi(ar_psi(phi), 7), atol=1e-10)


def test_sar_against_dae_recursion_and_ma_expansion() -> None:
    """dae's mat.sar: ρ_1 = γ/(1 + γ²/4), ρ_k = γ ρ_{k-1} − (γ²/4) ρ_{k-2}; the AR(2) with
    φ = (γ, −γ²/4) through its MA(∞) weights."""
    g = -0.4
    t = make("sar", [str(k) for k in range(7)])
    assert t.param_names == ["Row!cor"]
    r = [1.0, g / (1 + g * g / 4)]
    for _ in range(5):
        r.append(g * r[-1] - g * g / 4 * r[-2])
    np.testing.assert_allclose(t.matrix(np.array([g]))[0], r, atol=1e-14)
    np.testing.assert_allclose(t.matrix(np.array([1.2]))[0],
                               acf_from_psi(ar_psi(np.array([1.2, -0.36])), 7), atol=1e-10)
    assert t.is_valid(np.array([1.9])) and not t.is_valid(np.array([2.0]))


def test_ma1_ma2_against_definition() -> None:
    th = 0.4
    c = make("ma1").matrix(np.array([th]))
    np.testing.assert_allclose(c[0], acf_from_psi(np.array([1.0, -th]), 4))
    t1, t2 = 0.5, -0.3
    c2 = make("ma2", [str(k) for k in range(5)]).matrix(np.array([t1, t2]))
    np.testing.assert_allclose(c2[0], acf_from_psi(np.array([1.0, -t1, -t2]), 5), atol=1e-14)


def test_stationarity_bounds() -> None:
    ar2 = make("ar2")
    assert ar2.is_valid(np.array([0.5, 0.3]))
    assert not ar2.is_valid(np.array([0.6, 0.5]))   # φ1 + φ2 > 1: not stationary
    assert not ar2.is_valid(np.array([0.1, -1.0]))  # |φ2| = 1
    ma2 = make("ma2")
    assert not ma2.is_valid(np.array([0.6, 0.5]))


def test_ar1_variants_and_bounds() -> None:
    v = make("ar1v")
    assert v.param_names == ["Row!cor", "Row!var"]
    assert v.param_kinds == ["correlation", "variance"] and v.has_variance
    np.testing.assert_allclose(v.matrix(np.array([0.5, 3.0])), 3.0 * make("ar1").matrix([0.5]))
    assert v.is_valid(np.array([0.999, 1.0]))
    assert not v.is_valid(np.array([1.0, 1.0]))
    assert not v.is_valid(np.array([-1.0, 1.0]))
    assert not v.is_valid(np.array([0.5, 0.0]))
    assert not v.is_valid(np.array([0.5, -1.0]))
    np.testing.assert_allclose(v.initial(7.0), [0.1, 7.0])
    h = make("ar1h", ["a", "b", "c"])
    assert h.param_names == ["Row!cor", "Row_a", "Row_b", "Row_c"]
    np.testing.assert_allclose(h.initial(2.0), [0.1, 2.0, 2.0, 2.0])


def test_corgh_closed_form() -> None:
    t = make("corgh", ["y1", "y2", "y3"], label="trait")
    assert t.param_names == ["trait_y2:y1!cor", "trait_y3:y1!cor", "trait_y3:y2!cor",
                             "trait_y1", "trait_y2", "trait_y3"]
    r21, r31, r32, v1, v2, v3 = 0.3, -0.2, 0.5, 4.0, 9.0, 1.0
    s = t.matrix(np.array([r21, r31, r32, v1, v2, v3]))
    ref = np.array([[4.0, 0.3 * 2 * 3, -0.2 * 2 * 1],
                    [0.3 * 2 * 3, 9.0, 0.5 * 3 * 1],
                    [-0.2 * 2 * 1, 0.5 * 3 * 1, 1.0]])
    np.testing.assert_allclose(s, ref)
    assert not t.is_valid(np.array([0.9, 0.9, -0.9, 1, 1, 1]))  # correlations not PD
    np.testing.assert_allclose(t.initial(5.0), [0.1, 0.1, 0.1, 5.0, 5.0, 5.0])
    assert make("corgv", ["a", "b"], label="t").param_names == ["t_b:a!cor", "t!var"]


def test_cor_compound_symmetry() -> None:
    t = make("cor")
    r = 0.25
    ev = np.sort(np.linalg.eigvalsh(t.matrix(np.array([r]))))
    np.testing.assert_allclose(ev, [1 - r, 1 - r, 1 - r, 1 + 3 * r])
    assert not t.is_valid(np.array([-1 / 3]))  # smallest eigenvalue 1 + 3ρ = 0
    assert t.is_valid(np.array([-1 / 3 + 1e-3]))
    h = make("corh", ["a", "b"], label="E")
    np.testing.assert_allclose(h.matrix(np.array([0.5, 4.0, 1.0])), [[4.0, 1.0], [1.0, 1.0]])


def test_corb_banded() -> None:
    t = make("corb", [str(k) for k in range(5)], order=2)
    c = t.matrix(np.array([0.4, 0.1]))
    assert c[0, 1] == 0.4 and c[0, 2] == 0.1 and c[0, 3] == 0.0 and c[1, 4] == 0.0
    assert t.param_names == ["Row!cor1", "Row!cor2"]
    with pytest.raises(ModelError, match="order"):
        make("corb", order=0)


def test_exp_gau_coordinates() -> None:
    x = [0.0, 1.5, 4.0]
    t = make("exp", ["a", "b", "c"], coords=x)
    d = np.abs(np.subtract.outer(x, x))
    np.testing.assert_allclose(t.matrix(np.array([0.7])), 0.7**d)
    g = make("gau", ["0", "1.5", "4"])
    np.testing.assert_allclose(g.matrix(np.array([0.7])), 0.7 ** (d**2))
    assert not g.is_valid(np.array([0.0])) and not g.is_valid(np.array([1.0]))
    with pytest.raises(ModelError, match="not numbers"):
        make("exp", ["a", "b"])
    with pytest.raises(ModelError, match="coordinates"):
        make("exp", ["a", "b"], coords=[1.0])


def test_fa_closed_form_and_names() -> None:
    """asreml-R 4's layout: n '!var' then all n·k loadings column by column, the structural
    zero (level 1's fa2) listed and held ('F'); as printed by asreml 4.1.0 for fa(site, 2)
    (lfelipe-ferrao.github.io class/quantGenetic/week11_2022b.html: ``...!101!fa2 0 NA NA F``)."""
    t = make("fa", ["A", "B", "C", "D"], label="Site", order=2)
    assert t.n_params == 4 + 4 * 2
    assert t.param_names == [f"Site_{lv}!{s}" for s in ("var", "fa1", "fa2")
                             for lv in "ABCD"]
    assert t.fixed_mask().tolist() == [False] * 8 + [True, False, False, False]
    psi = np.array([0.5, 0.6, 0.7, 0.8])
    lam = np.array([[1.0, 0.0], [0.5, 0.9], [-0.4, 0.3], [0.2, -0.6]])
    th = np.concatenate([psi, lam[:, 0], lam[:, 1]])
    np.testing.assert_allclose(t.matrix(th), lam @ lam.T + np.diag(psi))
    np.testing.assert_allclose(t.loadings(th[4:]), lam)
    init = t.initial(4.0)
    np.testing.assert_allclose(init[:4], 2.0)
    np.testing.assert_allclose(init[4:], [1.0] * 4 + [0.0, 1.0, 1.0, 1.0])  # sqrt(4/(2*2))
    assert np.all(np.diag(t.matrix(init)) <= 4.0 + 1e-12)
    assert get_structure("facv") is get_structure("fa")
    with pytest.raises(ModelError, match="at most 4"):
        make("fa", order=5)
    with pytest.raises(ModelError, match="7 loadings given, 8 expected"):
        t.loadings(np.ones(7))


def test_fixed_mask_of_a_product_finds_the_fa_zeros() -> None:
    fa3 = make("fa", ["A", "B", "C"], label="Site", order=3)
    assert np.flatnonzero(fa3.fixed_mask()).tolist() == [3 + 3 + 0, 3 + 6 + 0, 3 + 6 + 1]
    k = Kronecker([make("ar1", ["1", "2"]), fa3])
    assert np.flatnonzero(k.fixed_mask()).tolist() == [1 + 6, 1 + 9, 1 + 10]
    assert not make("us", ["y1", "y2"]).fixed_mask().any()


def test_rr_is_psd_and_singular() -> None:
    """asreml-R lists rr as fa with Ψ = 0: n '!var' (held, 'F') then n·k loadings
    (asremlPlus R/estimateV.v3.R, G.rr: ``nlevs*(k+1) == length(est)``)."""
    t = make("rr", ["A", "B", "C"], label="Site", order=1)
    lam = np.array([1.0, -2.0, 0.5])
    th = np.concatenate([np.zeros(3), lam])
    np.testing.assert_allclose(t.matrix(th), np.outer(lam, lam))
    assert t.param_names == ["Site_A!var", "Site_B!var", "Site_C!var",
                             "Site_A!fa1", "Site_B!fa1", "Site_C!fa1"]
    assert t.fixed_mask().tolist() == [True] * 3 + [False] * 3
    np.testing.assert_allclose(t.initial(4.0), [0.0] * 3 + [2.0] * 3)
    assert make("rr", ["A", "B", "C"], label="Site", order=2).fixed_mask().tolist() == [
        True] * 3 + [False] * 3 + [True, False, False]
    assert t.is_valid(th) and not t.is_valid(np.concatenate([[-1.0, 0, 0], lam]))
    with pytest.raises(np.linalg.LinAlgError):
        t.inverse(th)


def test_us_pd_checks() -> None:
    t = make("us", ["y1", "y2"], label="trait")
    assert t.is_valid(np.array([1.0, 0.99, 1.0]))
    assert not t.is_valid(np.array([1.0, 1.0, 1.0]))  # singular
    assert not t.is_valid(np.array([1.0, 0.0, -1.0]))  # negative variance


def test_kronecker_ordering_matches_scipy() -> None:
    a = make("us", ["1", "2"])
    b = make("ar1", ["1", "2", "3"])
    ta, tb = np.array([2.0, 0.5, 1.0]), np.array([0.3])
    k = Kronecker([a, b])
    m = to_dense(k.matrix(np.concatenate([ta, tb])))
    sa, sb = a.matrix(ta), b.matrix(tb)
    np.testing.assert_allclose(m, sp.kron(sp.csr_matrix(sa), sp.csr_matrix(sb)).toarray())
    assert m[1 * 3 + 2, 0 * 3 + 1] == pytest.approx(sa[1, 0] * sb[2, 1])
    # starting values: the first part with its own variance gets the scale
    np.testing.assert_allclose(k.initial(8.0), np.concatenate([a.initial(8.0), [0.1]]))
    ks = Kronecker([b, b], scale=True)
    np.testing.assert_allclose(ks.initial(8.0), [8.0, 0.1, 0.1])
    assert ks.param_names == ["var", "Row!cor", "Row!cor"]


def test_large_residual_with_missing_is_sparse_and_fast() -> None:
    """100 000 units x 2 traits, 10% of records missing: R_s⁻¹ block-wise, sparse."""
    m = 100_000
    rng = np.random.default_rng(0)
    units = get_structure("id")(np.arange(m).astype(str), name="units")
    us = get_structure("us")(["y1", "y2"], name="trait")
    r = Kronecker([units, us])
    keep = np.flatnonzero(rng.random(2 * m) > 0.1)
    th = np.array([2.0, 0.6, 1.5])
    t0 = time.perf_counter()
    sub = Subset(r, keep)
    inv = sub.inverse(th)
    ld = sub.logdet(th)
    idi = sub.inv_deriv_inv(th)
    elapsed = time.perf_counter() - t0
    assert sp.issparse(inv) and inv.nnz <= 4 * m
    assert all(sp.issparse(x) for x in idi)
    assert elapsed < 20.0
    # log|R_s| from counts: units with both traits contribute log|Σ|, the others log σ²_i
    both = np.bincount(keep // 2, minlength=m) == 2
    only = np.bincount(keep // 2, minlength=m) == 1
    first = np.zeros(m, dtype=bool)
    first[keep[keep % 2 == 0] // 2] = True
    n1 = np.sum(only & first)
    n2 = np.sum(only & ~first)
    ref = both.sum() * np.log(2.0 * 1.5 - 0.36) + n1 * np.log(2.0) + n2 * np.log(1.5)
    np.testing.assert_allclose(ld, ref, rtol=1e-10)
    # the 5 000-level identity ⊗ us stays sparse
    g = Kronecker([us, get_structure("id")(np.arange(5000).astype(str))])
    assert sp.issparse(g.inverse(th)) and g.inverse(th).nnz == 4 * 5000


@pytest.mark.parametrize("n", [1, 2, 5])
def test_ar1_closed_forms_small_sizes(n: int) -> None:
    for name, th in [("ar1", [0.4]), ("ar1v", [-0.3, 2.0]), ("ar1h", [0.5] + [1.5] * n)]:
        t = make(name, [str(k) for k in range(n)])
        th = np.array(th)
        m = to_dense(t.matrix(th))
        np.testing.assert_allclose(to_dense(t.inverse(th)), np.linalg.inv(m), atol=1e-12)
        np.testing.assert_allclose(t.logdet(th), np.linalg.slogdet(m)[1], atol=1e-12)


def test_spatial_ar1_by_ar1_stays_sparse() -> None:
    """ar1(Row) ⊗ ar1(Col), 40 x 50 plots: Σ⁻¹ and Σ⁻¹ Σ̇ Σ⁻¹ are sparse (9 bands)."""
    k = Kronecker([make("ar1", [str(i) for i in range(40)]),
                   make("ar1", [str(j) for j in range(50)])], scale=True)
    th = np.array([2.0, 0.6, 0.4])
    inv = k.inverse(th)
    assert sp.issparse(inv) and inv.nnz <= 9 * 2000
    assert all(sp.issparse(x) and x.nnz <= 9 * 2000 for x in k.inv_deriv_inv(th))
    np.testing.assert_allclose(k.logdet(th), 2000 * np.log(2.0) + 50 * 39 * np.log(1 - 0.36)
                               + 40 * 49 * np.log(1 - 0.16))


@pytest.mark.parametrize("name, k", [("sar", 1), ("ma2", 2)])
def test_sar_and_ma2_are_estimated_within_the_ar_limit(name: str, k: int) -> None:
    """sar's γ and ma2's θ_j are estimated within ±0.99 (held on it, as ar1's ρ), the range
    dae's mat.sar / mat.ma2 accept (|γ| < 1, |θ_j| < 1); values beyond it that are still a
    valid correlation (|γ| < 2, an invertible MA) stay valid for a user's fixed value."""
    from asr_py.vcov.autoregressive import AR_LIMIT

    t = make(name, [str(i) for i in range(6)])
    np.testing.assert_allclose(t.lower(), -AR_LIMIT)
    np.testing.assert_allclose(t.upper(), AR_LIMIT)
    assert all(t.closed_bound(j) for j in range(k))
    assert t.is_valid(np.full(k, AR_LIMIT if name == "sar" else -0.5))
    wide = np.array([1.5]) if name == "sar" else np.array([-1.4, -0.45])
    assert t.is_valid(wide) and not t.within_bounds(wide)
