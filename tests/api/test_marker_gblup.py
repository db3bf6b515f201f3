"""Marker-effects model and G-BLUP are the same model (the seed notes' equivalence).

y = 1μ + W a + e with a ~ N(0, σ²_b I) implies g = W a ~ N(0, σ²_b W W'); with
G = W W'/m this is g ~ N(0, σ²_g G) with σ²_g = m σ²_b. Both fits must reach the same REML
log-likelihood, σ²_g = m σ²_b, and the same genetic values W â = ĝ.
"""

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


@pytest.fixture(scope="module")
def sim():
    rng = np.random.default_rng(7)
    n, m = 80, 150
    W = rng.integers(0, 3, size=(n, m)).astype(float) - 1.0  # -1/0/1, not centred: W W' PD
    a = rng.normal(scale=0.15, size=m)
    y = 10 + W @ a + rng.normal(scale=1.0, size=n)
    ids = [f"L{i:03d}" for i in range(n)]
    cols = [f"m{j}" for j in range(m)]
    df = pd.concat([pd.DataFrame({"id": ids, "y": y}), pd.DataFrame(W, columns=cols)], axis=1)
    G = pd.DataFrame(W @ W.T / m, index=ids, columns=ids)
    return df, G, cols, m


def test_marker_model_equals_gblup(sim):
    df, G, cols, m = sim
    mk = asr.asreml("y ~ 1", "~ grp(mk)", data=df, group={"mk": cols})
    gb = asr.asreml("y ~ 1", "~ vm(id, G)", data=df, G=G)
    assert mk.converged and gb.converged
    assert mk.loglik == pytest.approx(gb.loglik, abs=1e-6)
    s2b = mk.varcomp["component"].iloc[0]
    s2g = gb.varcomp["component"].iloc[0]
    assert s2g == pytest.approx(m * s2b, rel=1e-4)
    W = df[cols].to_numpy()
    g_markers = W @ mk.result.u[0]
    np.testing.assert_allclose(g_markers, gb.result.u[0], rtol=1e-4, atol=1e-6)
