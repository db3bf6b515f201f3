"""M-BLUP with many markers: grp() over the marker columns makes a dense Z (n x m), whose
Z'Z is m x m. The MME size check estimated nnz(Z'Z) as Σ_rows nnz_row² = n m² and refused
a 362-record, 1 100-marker fit (seed 003's M-BLUP on sommer's cpdata) as 5.8 GiB; the bound
is min(n m², m²). The fit then equals G-BLUP with G = WW'/m (seed 003: same REML
log-likelihood, σ²_g = m σ²_b, ĝ = W b̂), checked here on simulated markers against the
dense-V REML of tests/_dense_reml.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense

import asr_py as asr
from asr_py.errors import ModelError
from asr_py.model.size import MAX_MME_NNZ, check_mme_size


def _markers(n: int = 100, m: int = 800, seed: int = 2) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.1, 0.9, m)
    M = rng.binomial(2, p, size=(n, m)).astype(float)
    W = (M - M.mean(0)) / M.std(0)
    b = rng.normal(0, np.sqrt(0.6 / m), m)
    ids = [f"L{i:03d}" for i in range(n)]
    df = pd.DataFrame(W, columns=[f"m{j}" for j in range(m)]).assign(
        id=ids, y=10 + W @ b + rng.normal(0, 0.8, n))
    return df, W


def test_dense_marker_design_within_the_bound() -> None:
    import scipy.sparse as sp

    n, m = 100, 800
    assert n * m * m > MAX_MME_NNZ > m * m   # refused before, by the old estimate
    check_mme_size(["grp(mk)"], [sp.csc_matrix(np.ones((n, m)))], n)
    with pytest.raises(ModelError, match="non-zeros"):   # a really large one is still refused
        check_mme_size(["grp(mk)"], [sp.csc_matrix(np.ones((20, 8000)))], 20)


def test_mblup_equals_gblup_and_dense_reml() -> None:
    df, W = _markers()
    m = W.shape[1]
    mk = [c for c in df.columns if c.startswith("m")]
    mb = asr.asreml(fixed="y ~ 1", random="~ grp(mk)", data=df, group={"mk": mk})
    G = pd.DataFrame(W @ W.T / m, index=df.id, columns=df.id)
    gb = asr.asreml(fixed="y ~ 1", random="~ vm(id, G, singG = 'PSD')", data=df, G=G)
    y, X = df.y.to_numpy(), np.ones((len(df), 1))
    th, ll = fit_dense(y, X, lambda t: t[0] * G.to_numpy() + t[1] * np.eye(len(y)),
                       [np.array([0.5, 0.5])], bounds=[(1e-8, None), (1e-8, None)])
    assert mb.loglik == pytest.approx(ll, abs=1e-5)
    assert gb.loglik == pytest.approx(ll, abs=1e-5)
    sb, se = mb.varcomp.component.to_numpy()
    np.testing.assert_allclose([m * sb, se], th, rtol=1e-3)       # σ²_g = m σ²_b
    b = mb.coef_random.solution.to_numpy()
    cr = gb.coef_random.solution
    g = cr.set_axis([s.rsplit("_", 1)[1] for s in cr.index]).reindex(df.id).to_numpy()
    np.testing.assert_allclose(W @ b, g, atol=1e-5)
