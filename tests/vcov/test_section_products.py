"""A direct sum's residual products section by section (s17speed): Σ⁻¹Σ̇_kΣ⁻¹ given on its
section's rows, the score's W'(Σ⁻¹Σ̇_kΣ⁻¹)W from those rows of W only, and a scaled-identity
section's tr(R⁻¹Ṙ) — against dense algebra (finite differences of Σ) and, digit for digit,
against the whole-matrix products they replace; and fits through both paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from test_fast_products import _ar1_grid
from test_small_fit_paths import _met, _units_subset

import asr_py as asr
from asr_py.reml.mme import MME
from asr_py.vcov import CovTemplate, DirectSum, Subset, to_dense
from asr_py.vcov.composite import _scatter


def _sum_of_sections(rng: np.random.Generator) -> tuple[DirectSum, np.ndarray, list]:
    n_sec = [9, 6, 12, 1]
    n = sum(n_sec)
    idx = [np.sort(i) for i in np.split(rng.permutation(n), np.cumsum(n_sec)[:-1])]
    secs = [_units_subset(n, idx[0]), _units_subset(n, idx[1]), _ar1_grid(12, 1),
            _units_subset(n, idx[3])]
    th = np.array([0.8, 2.5, 1.3, 0.4, 0.0, 1.7])
    return DirectSum(secs, idx, n), th, idx


def _dense_idi(t: CovTemplate, th: np.ndarray, h: float = 1e-6) -> list[np.ndarray]:
    """Σ⁻¹ (∂Σ/∂θ_k) Σ⁻¹ with ∂Σ/∂θ_k by central differences of Σ(θ) (dense)."""
    si = np.linalg.inv(to_dense(t.matrix(th)))
    out = []
    for k in range(th.size):
        e = np.zeros(th.size)
        e[k] = h
        d = (to_dense(t.matrix(th + e)) - to_dense(t.matrix(th - e))) / (2 * h)
        out.append(si @ d @ si)
    return out


def test_sections_are_the_scattered_products() -> None:
    """Each (rows, M_k) placed at rows x rows is Σ⁻¹Σ̇_kΣ⁻¹ (finite differences of Σ) and,
    to the last digit, the direct sum's own n x n inv_deriv_inv."""
    rng = np.random.default_rng(3)
    ds, th, idx = _sum_of_sections(rng)
    secs = ds.inv_deriv_inv_sections(th)
    whole = ds.inv_deriv_inv(th)
    want = _dense_idi(ds, th)
    assert len(secs) == len(whole) == len(want) == th.size
    for (rows, m), w, dn in zip(secs, whole, want):
        assert rows is not None and np.all(np.diff(rows) > 0)
        full = _scatter(m, rows, ds.n)
        np.testing.assert_allclose(full.toarray(), dn, rtol=1e-6, atol=1e-7)
        np.testing.assert_array_equal(full.toarray(), to_dense(w))
    # a section whose rows are not increasing comes back whole (scattered)
    perm = [idx[0][::-1], idx[1], idx[2], idx[3]]
    ds2 = DirectSum(ds.templates, perm, ds.n)
    rows0, m0 = ds2.inv_deriv_inv_sections(th)[0]
    assert rows0 is None and m0.shape == (ds.n, ds.n)
    np.testing.assert_array_equal(to_dense(m0), to_dense(ds2.inv_deriv_inv(th)[0]))


def test_section_gram_is_the_whole_product() -> None:
    """MME._w_rdr_w from a section's rows of W: W'MW and ê'Mê as dense algebra gives them
    and, digit for digit, as the whole n x n product gives them."""
    rng = np.random.default_rng(5)
    ds, th, _ = _sum_of_sections(rng)
    n = ds.n
    w = sp.random(n, 7, density=0.4, format="csc", random_state=rng)
    e = rng.normal(size=n)
    mme = MME.__new__(MME)  # only W and n are used
    mme._W, mme.n = w, n
    for (rows, m), whole in zip(ds.inv_deriv_inv_sections(th), ds.inv_deriv_inv(th)):
        got, t3 = mme._w_rdr_w(rows, m, e)
        ref, t3_ref = mme._w_rdr_w(None, whole, e)
        dense = to_dense(whole)
        got_m = sp.coo_matrix((got.data, (got.row, got.col)), shape=(7, 7)).toarray()
        np.testing.assert_allclose(got_m, w.toarray().T @ dense @ w.toarray(),
                                   rtol=1e-12, atol=1e-12)
        assert t3 == pytest.approx(float(e @ dense @ e), rel=1e-12, abs=1e-12)
        np.testing.assert_array_equal(got.row, ref.row)
        np.testing.assert_array_equal(got.col, ref.col)
        np.testing.assert_array_equal(got.data, ref.data)
        assert t3 == t3_ref


@pytest.mark.parametrize("s2", [0.3, 7.0])
def test_scaled_identity_trace(s2: float) -> None:
    """tr(R⁻¹Ṙ) of σ²I on m rows is m/σ²; the same digits as the entry-by-entry sum."""
    keep = np.array([1, 4, 5, 9, 17, 30])
    sub = _units_subset(40, keep)
    assert sub.mode == "scaled_identity"
    got = sub.inv_deriv_trace(np.array([s2]))
    assert got.shape == (1,)
    assert got[0] == pytest.approx(keep.size / s2, rel=1e-14)
    c = sp.coo_matrix(sub.inverse(np.array([s2])))
    assert got[0] == (sub.deriv_entries(np.array([s2]), c.row, c.col) @ c.data)[0]


def _many_sites(seed: int = 21, sites: int = 9, genos: int = 15) -> pd.DataFrame:
    """Unbalanced sites (some genotypes missing at some sites), rows in random order."""
    rng = np.random.default_rng(seed)
    g = rng.normal(0, 1, genos)
    rows = [(f"S{s}", f"G{i}", 10 + s + g[i] + rng.normal(0, 0.3 + 0.25 * s))
            for s in range(sites) for i in range(genos) if rng.uniform() < 0.8]
    d = pd.DataFrame(rows, columns=["Site", "Geno", "y"]).sample(frac=1, random_state=seed)
    for c in ("Site", "Geno"):
        d[c] = pd.Categorical(d[c], categories=sorted(set(d[c]), key=lambda v: int(v[1:])))
    return d.reset_index(drop=True)


@pytest.mark.parametrize("data, fixed, random", [
    (_many_sites, "y ~ Site", "~ Geno"),
    (_met, "y ~ Site + Site:Rep", "~ diag(Site):Geno")])
def test_fit_same_digits_as_whole_products(data, fixed: str, random: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """dsum(~ units | Site) fits by section and with the whole n x n products (the code
    before s17speed): the same iterations, ℓ, components, effects and predictions."""
    kw = dict(fixed=fixed, random=random, residual="~ dsum(~ units | Site)", data=data())
    new = asr.asreml(**kw)
    monkeypatch.setattr(DirectSum, "inv_deriv_inv_sections",
                        CovTemplate.inv_deriv_inv_sections)
    trace = Subset.inv_deriv_trace

    def entrywise_trace(self: Subset, th: np.ndarray) -> np.ndarray:
        if self.mode != "scaled_identity":
            return trace(self, th)
        c = sp.coo_matrix(self.inverse(th))
        return self.deriv_entries(th, c.row, c.col) @ c.data

    monkeypatch.setattr(Subset, "inv_deriv_trace", entrywise_trace)
    old = asr.asreml(**kw)
    assert new.result.n_iter == old.result.n_iter
    assert new.loglik == old.loglik
    np.testing.assert_array_equal(new.varcomp["component"], old.varcomp["component"])
    np.testing.assert_array_equal(new.coef["solution"], old.coef["solution"])
    pn, po = new.predict(classify="Site"), old.predict(classify="Site")
    np.testing.assert_array_equal(pn["predicted.value"], po["predicted.value"])
    np.testing.assert_array_equal(pn["std.error"], po["std.error"])


@pytest.mark.parametrize("seed", range(4))
def test_complement_k_one_block(seed: int) -> None:
    """K = Q_mm⁻¹Q_mo (complement path) in one block: dense algebra's K, and the same
    structure and digits as the block's CSC stacked and converted to CSR (the code before
    s17speed)."""
    import scipy.sparse.linalg as spla

    rng = np.random.default_rng(seed)
    m, n_o = int(rng.integers(2, 30)), int(rng.integers(5, 200))
    a = sp.random(m, m, density=0.2, random_state=rng)
    q_mm = sp.csc_matrix(a + a.T + 6 * sp.identity(m))
    q_mo = sp.random(m, n_o, density=0.05, format="csc", random_state=rng)
    lu = spla.splu(q_mm)
    one = Subset._solve_k(None, lu, q_mo)  # type: ignore[arg-type]
    np.testing.assert_allclose(one.toarray(), np.linalg.solve(q_mm.toarray(), q_mo.toarray()),
                               rtol=1e-10, atol=1e-12)
    cols = np.flatnonzero(np.diff(q_mo.indptr))
    kb = sp.coo_matrix(sp.hstack([sp.csc_matrix(lu.solve(q_mo[:, cols].toarray()))]))
    old = sp.csr_matrix((kb.data, (kb.row, cols[kb.col])), shape=(m, n_o))
    np.testing.assert_array_equal(one.indptr, old.indptr)
    np.testing.assert_array_equal(one.indices, old.indices)
    np.testing.assert_array_equal(one.data, old.data)
