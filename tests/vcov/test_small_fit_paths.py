"""The per-θ shortcuts of many small fits (s16speed): the planned sparse Kronecker product
(:mod:`asr_py.vcov.kron_plan`) against ``scipy.sparse.kron``, the scaled-identity Subset
(``dsum(~ units | site)`` sections) against dense algebra and against the block path it
replaces, and a direct sum's assembly against a dense scatter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _dense_reml import reml_loglik
from test_fast_products import _ar1_grid, _dense_checks

import asr_py as asr
import asr_py.vcov.composite as composite
from asr_py.vcov import DirectSum, Kronecker, Subset, get_structure, to_dense
from asr_py.vcov.kron_plan import KronCache


def _same(a: sp.spmatrix, b: sp.spmatrix) -> None:
    a, b = sp.csc_matrix(a), sp.csc_matrix(b)
    assert a.shape == b.shape
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("seed", range(6))
def test_kron_plan_is_scipy_kron(seed: int) -> None:
    """Same structure, entry order and values as sp.kron, on a new pair and on a planned
    pair with new values (and an unsorted part, which goes to scipy)."""
    rng = np.random.default_rng(seed)
    cache = KronCache(size=2)
    for _ in range(4):
        a = sp.random(int(rng.integers(1, 9)), int(rng.integers(1, 9)),
                      density=float(rng.uniform(0.05, 1)), format="csc", random_state=rng)
        b = sp.random(int(rng.integers(1, 9)), int(rng.integers(1, 9)),
                      density=float(rng.uniform(0.05, 1)), format="csc", random_state=rng)
        for _ in range(3):
            _same(cache.kron(a, b), sp.kron(a, b, format="csc"))
            a = a.copy()
            a.data = rng.normal(size=a.nnz)
    u = sp.csc_matrix((np.array([1.0, 2.0]), np.array([1, 0]), np.array([0, 2])),
                      shape=(2, 1))  # unsorted rows
    assert not u.has_sorted_indices
    got = cache.kron(u, sp.identity(2, format="csc"))
    np.testing.assert_array_equal(got.toarray(), np.kron(u.toarray(), np.eye(2)))


def test_kronecker_template_reuses_plans() -> None:
    """ar1 x ar1: the inverse and Σ⁻¹Σ̇Σ⁻¹ at a second θ (plans reused) are sp.kron's."""
    k = _ar1_grid(7, 5)
    for th in (np.array([1.2, 0.5, -0.2]), np.array([0.7, -0.3, 0.6])):
        s, (t1, t2) = 1.0 / th[0], (th[1:2], th[2:3])
        p1, p2 = k.parts
        _same(k.inverse(th), sp.kron(p1.inverse(t1), p2.inverse(t2), format="csc") * s)
        idi = k.inv_deriv_inv(th)
        _same(idi[1], sp.kron(p1.inv_deriv_inv(t1)[0], p2.inverse(t2), format="csc") * s)


def _units_subset(n_all: int, keep: np.ndarray) -> Subset:
    return Subset(Kronecker([get_structure("id")([str(i) for i in range(n_all)])],
                            scale=True), keep)


@pytest.mark.parametrize("s2", [0.37, 4.1])
def test_scaled_identity_subset(s2: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """σ²I restricted to some rows: dense algebra, the closed forms, and the same values
    (to the last digit) as the block path it replaces."""
    rng = np.random.default_rng(4)
    keep = np.sort(rng.choice(40, 13, replace=False))
    sub = _units_subset(40, keep)
    assert sub.mode == "scaled_identity"
    th = np.array([s2])
    _dense_checks(sub, th, rng)
    np.testing.assert_allclose(to_dense(sub.inverse(th)), np.eye(13) / s2, rtol=1e-15)
    assert sub.logdet(th) == pytest.approx(13 * np.log(s2), rel=1e-13, abs=1e-13)
    monkeypatch.setattr(composite, "_scaled_identity", lambda t: False)
    blk = _units_subset(40, keep)
    assert blk.mode == "block"
    assert sub.logdet(th) == blk.logdet(th)
    _same(sub.inverse(th), blk.inverse(th))
    _same(sub.matrix(th), blk.matrix(th))
    for a, b in zip(sub.inv_deriv_inv(th), blk.inv_deriv_inv(th)):
        _same(a, b)
    np.testing.assert_array_equal(sub.inv_deriv_trace(th), blk.inv_deriv_trace(th))
    np.testing.assert_array_equal(sub.em_block(th), blk.em_block(th))
    v = rng.normal(size=13)
    np.testing.assert_array_equal(sub.deriv_times(th, v), blk.deriv_times(th, v))
    with pytest.raises(np.linalg.LinAlgError):
        _units_subset(40, keep).inverse(np.array([-1.0]))


def test_direct_sum_assembly() -> None:
    """dsum(~ units | site) and a mixed direct sum, sections interleaved: Σ, Σ⁻¹ against
    the dense sections scattered by hand, and the products against dense algebra."""
    rng = np.random.default_rng(8)
    n_sec = [9, 6, 11]
    n = sum(n_sec)
    order = rng.permutation(n)
    idx = np.split(order, np.cumsum(n_sec)[:-1])
    idx = [np.sort(i) for i in idx]
    secs = [_units_subset(n, i) for i in idx[:2]] + [_ar1_grid(11, 1)]
    ds = DirectSum(secs, idx, n)
    th = np.array([0.8, 2.5, 1.3, 0.4, 0.0])
    want = np.zeros((n, n))
    want_inv = np.zeros((n, n))
    for t, i, x in zip(secs, idx, (th[0:1], th[1:2], th[2:])):
        want[np.ix_(i, i)] = to_dense(t.matrix(x))
        want_inv[np.ix_(i, i)] = np.linalg.inv(to_dense(t.matrix(x)))
    np.testing.assert_allclose(to_dense(ds.matrix(th)), want, rtol=1e-14, atol=0)
    np.testing.assert_allclose(to_dense(ds.inverse(th)), want_inv, rtol=1e-10, atol=1e-12)
    assert ds.inverse(th).nnz == np.count_nonzero(np.abs(want_inv) > 1e-12)  # tridiagonal
    _dense_checks(ds, th, rng)


def _met(seed: int = 5, sites: int = 4, genos: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.normal(0, 1, (genos, sites)) * np.linspace(0.5, 1.5, sites)
    rows = [(f"S{s}", f"G{i}", f"R{r}", 3 + s + g[i, s] + rng.normal(0, 0.4 + 0.3 * s))
            for s in range(sites) for i in range(genos) for r in range(2)]
    d = pd.DataFrame(rows, columns=["Site", "Geno", "Rep", "y"])
    for c in ("Site", "Geno", "Rep"):
        d[c] = pd.Categorical(d[c], categories=list(dict.fromkeys(d[c])))
    return d


def test_site_residuals_fit_matches_dense_reml_and_block_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """diag(Site):Geno with dsum(~ units | Site): ℓ at the estimates equals the dense-V REML
    (tests/_dense_reml.py), which no 1% move of a parameter improves; the fit through the
    block path (the code before s16speed) gives the same ℓ, variance components, effects
    and predictions to round-off."""
    d = _met()
    kw = dict(fixed="y ~ Site", random="~ diag(Site):Geno",
              residual="~ dsum(~ units | Site)", data=d)
    fit = asr.asreml(**kw)
    assert fit.converged
    vc = fit.varcomp["component"].to_numpy()
    assert len(vc) == 8
    y = d.y.to_numpy()
    X = np.column_stack([np.ones(len(y)),
                         pd.get_dummies(d.Site, drop_first=True).to_numpy(float)])
    s = d.Site.cat.codes.to_numpy()
    same_g = (d.Geno.to_numpy()[:, None] == d.Geno.to_numpy()[None, :]) & (s[:, None] == s[None, :])

    def ll(x: np.ndarray) -> float:
        V = np.where(same_g, x[:4][s][:, None], 0.0) + np.diag(x[4:][s])
        return reml_loglik(y, X, V)

    assert ll(vc) == pytest.approx(fit.loglik, abs=1e-8)
    for k in range(8):
        for f in (0.99, 1.01):
            x = vc.copy()
            x[k] *= f
            assert ll(x) < fit.loglik + 1e-9
    pv = fit.predict(classify="Site")
    monkeypatch.setattr(composite, "_scaled_identity", lambda t: False)
    old = asr.asreml(**kw)
    assert old.loglik == pytest.approx(fit.loglik, rel=1e-12)
    np.testing.assert_allclose(old.varcomp["component"], vc, rtol=1e-9)
    np.testing.assert_allclose(old.coef["solution"], fit.coef["solution"], rtol=1e-9,
                               atol=1e-10)
    po = old.predict(classify="Site")
    np.testing.assert_allclose(po["predicted.value"], pv["predicted.value"], rtol=1e-10)
    np.testing.assert_allclose(po["std.error"], pv["std.error"], rtol=1e-9)


def _field(seed: int = 9, nr: int = 30, nc: int = 14, missing: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(r + 1, c + 1) for r in range(nr) for c in range(nc)],
                     columns=["Row", "Col"])
    d["Rep"] = "R" + (d.Row.to_numpy() > nr // 2).astype(int).astype(str)
    d["RepRow"] = (d.Row - 1) % (nr // 2) + 1  # the row within its replicate
    d["Entry"] = [f"E{e}" for e in np.concatenate([rng.permutation(nr * nc // 2)] * 2)]
    i = np.arange(nr)
    j = np.arange(nc)
    cov = np.kron(0.6 ** np.abs(i[:, None] - i), 0.4 ** np.abs(j[:, None] - j))
    d["y"] = (5 + rng.normal(0, 0.7, nr * nc // 2)[d.Entry.str[1:].astype(int)]
              + np.linalg.cholesky(cov) @ rng.normal(size=nr * nc))
    d.loc[rng.choice(nr * nc, missing, replace=False), "y"] = np.nan
    for c in ("Row", "Col", "Rep", "RepRow", "Entry"):
        d[c] = pd.Categorical(d[c].astype(str), categories=list(dict.fromkeys(d[c].astype(str))))
    return d


@pytest.mark.parametrize("fixed, random, residual", [
    ("y ~ Entry", "~ Rep", "~ ar1(Row):ar1(Col)"),
    ("y ~ Rep + Entry", None, "~ dsum(~ ar1(RepRow):ar1(Col) | Rep)")])
def test_spatial_fit_same_digits_as_scipy_paths(fixed: str, random: str | None, residual: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """ar1 x ar1 with missing plots (the complement path), whole and by section: the fit
    with the planned Kronecker products and position-mapped blocks has the same ℓ, variance
    components, effects and predictions (to the last digit) as with scipy's sp.kron and
    slicing, the code before s16speed."""
    d = _field()
    kw = dict(fixed=fixed, random=random, residual=residual, data=d)
    new = asr.asreml(**kw)
    res = asr.compile_model(fixed, random, residual, d).problem().residual
    subs = res.templates if isinstance(res, DirectSum) else [res]
    for t in subs:
        t.inverse(t.initial(1.0))
        assert isinstance(t, Subset) and t.mode == "complement"
    from asr_py.vcov import kron_plan

    monkeypatch.setattr(kron_plan.KronCache, "kron",
                        lambda self, a, b: sp.kron(a, b, format="csc"))
    monkeypatch.setattr(Subset, "_blocks", lambda self, q: (
        composite.take(q, self._dropped),
        sp.csc_matrix(q[self._dropped, :])[:, self.index], composite.take(q, self.index)))
    old = asr.asreml(**kw)
    # (the by-section fit is a knife edge whose path and end point change with BLAS
    # round-off, e.g. the thread count; both paths must still take the same one)
    assert new.converged == old.converged and new.result.n_iter == old.result.n_iter
    assert new.loglik == old.loglik
    np.testing.assert_array_equal(new.varcomp["component"], old.varcomp["component"])
    np.testing.assert_array_equal(new.coef["solution"], old.coef["solution"])
    pn, po = new.predict(classify="Entry"), old.predict(classify="Entry")
    np.testing.assert_array_equal(pn["predicted.value"], po["predicted.value"])
    np.testing.assert_array_equal(pn["std.error"], po["std.error"])


def test_large_products_are_not_planned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above PLAN_MAX_NNZ entries the product is scipy's and no plan is kept."""
    from asr_py.vcov import kron_plan

    monkeypatch.setattr(kron_plan, "PLAN_MAX_NNZ", 10)
    cache = KronCache()
    a = sp.random(6, 6, density=0.5, format="csc", random_state=1)
    b = sp.random(5, 5, density=0.5, format="csc", random_state=2)
    _same(cache.kron(a, b), sp.kron(a, b, format="csc"))
    assert cache._plans == []
