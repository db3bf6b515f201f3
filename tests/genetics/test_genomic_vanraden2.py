"""gmatrix(method='vanraden2') and freq=: the seed notes' W and G (shared/seeds/003, eq.
11b-14) by direct loops over markers."""

from __future__ import annotations

import numpy as np
import pytest

import asr_py as asr
from asr_py.errors import DataError


@pytest.fixture(scope="module")
def M() -> np.ndarray:
    rng = np.random.default_rng(21)
    return rng.integers(0, 3, size=(7, 25)).astype(float)


def _loop_g(M: np.ndarray, p: np.ndarray, per_marker: bool) -> np.ndarray:
    n, m = M.shape
    G = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            tot = 0.0
            for k in range(m):
                w = 2 * p[k] * (1 - p[k])
                prod = (M[i, k] - 2 * p[k]) * (M[j, k] - 2 * p[k])
                tot += prod / w if per_marker else prod
            G[i, j] = tot / m if per_marker else tot / sum(2 * q * (1 - q) for q in p)
    return G


def test_vanraden2_is_the_seed_notes_w(M):
    p = M.mean(axis=0) / 2
    G = asr.gmatrix(M, method="vanraden2")
    np.testing.assert_allclose(G.toarray(), _loop_g(M, p, per_marker=True), rtol=1e-12)
    # the seed's two forms: same G when every marker has the same 2p(1-p) (here p = 0.5)
    P = np.full(M.shape[1], 0.5)
    G1 = asr.gmatrix(M, method="vanraden", freq=P).toarray()
    G2 = asr.gmatrix(M, method="vanraden2", freq=P).toarray()
    np.testing.assert_allclose(G1, G2, rtol=1e-12, atol=1e-14)


def test_base_frequencies(M):
    rng = np.random.default_rng(3)
    P = rng.uniform(0.1, 0.9, size=M.shape[1])
    for method, per in (("vanraden", False), ("vanraden2", True)):
        G = asr.gmatrix(M, method=method, freq=P)
        np.testing.assert_allclose(G.toarray(), _loop_g(M, P, per_marker=per), rtol=1e-12)
        assert G.info["freq_given"]
    # observed frequencies as freq= reproduce the default
    obs = M.mean(axis=0) / 2
    np.testing.assert_allclose(asr.gmatrix(M, freq=obs).toarray(), asr.gmatrix(M).toarray(),
                               rtol=1e-12)


def test_allele_coding_invariance(M):
    """-1/0/1 coding gives the same vanraden2 G as 0/1/2."""
    np.testing.assert_allclose(asr.gmatrix(M - 1, method="vanraden2").toarray(),
                               asr.gmatrix(M, method="vanraden2").toarray(), rtol=1e-12)


def test_freq_errors(M):
    with pytest.raises(DataError, match="24 values but the markers have 25"):
        asr.gmatrix(M, freq=np.full(24, 0.5))
    bad = np.full(M.shape[1], 0.5)
    bad[3] = 1.0
    with pytest.raises(DataError, match="must be in \\(0, 1\\).*marker 4"):
        asr.gmatrix(M, freq=bad)
    with pytest.raises(DataError, match="not 'scaled'"):
        asr.gmatrix(M, method="scaled", freq=np.full(M.shape[1], 0.5))
    with pytest.raises(DataError, match="vanraden2"):
        asr.gmatrix(M, method="vanraden3")
