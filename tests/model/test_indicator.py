"""model.blocks.indicator (n x k incidence of integer codes, −1 an empty row), built in CSR
form directly: the same matrix, arrays and dtypes as scipy's COO-to-CSR construction it
replaces, and the dense indicator Z[i, codes[i]] = 1 of its definition."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from asr_py.model.blocks import indicator


def _coo(codes: np.ndarray, k: int) -> sp.csr_matrix:
    rows = np.nonzero(codes >= 0)[0]
    return sp.csr_matrix((np.ones(rows.size), (rows, codes[codes >= 0])),
                         shape=(codes.size, k))


@pytest.mark.parametrize("codes,k", [
    (np.random.default_rng(1).integers(-1, 25, 300), 25),
    (np.random.default_rng(2).integers(0, 3, 10).astype(np.int8), 3),     # categorical codes
    (np.full(7, -1), 4),                                                     # all missing
    (np.zeros(0, dtype=np.int64), 5),                                        # no records
    (np.array([4, 0, 4, -1, 2]), 6),                                         # unused levels
])
def test_same_matrix_as_the_coo_construction(codes: np.ndarray, k: int) -> None:
    got, want = indicator(codes, k), _coo(codes, k)
    assert got.shape == want.shape == (codes.size, k)
    for a in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(got, a), getattr(want, a))
        assert getattr(got, a).dtype == getattr(want, a).dtype
    dense = np.zeros((codes.size, k))
    ok = codes >= 0
    dense[np.nonzero(ok)[0], codes[ok]] = 1.0
    assert np.array_equal(got.toarray(), dense)
    assert got.has_canonical_format
