"""A sparse diagonal known matrix (ide(id)'s identity, a user's diagonal K) is inverted,
ranked and log-determined elementwise at any size: D⁻¹ = diag(1/d), log|D| = Σ log d_j.

Before, ide(animal) beside vm(animal, Ainv) over a 20 000-animal pedigree (a permanent
environment term, the standard repeatability animal model) was refused ("refusing to invert a
19998 x 19998 known matrix densely"), and below 12 000 ids its identity was inverted densely
(n² floats)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import asr_py as asr
from asr_py.errors import MatrixError
from asr_py.vcov.known import DENSE_LIMIT, KnownMatrix


def test_large_identity_inverse_is_sparse_identity() -> None:
    n = DENSE_LIMIT + 500
    k = KnownMatrix(sp.identity(n, format="csc"), levels=[str(i) for i in range(n)])
    inv = k.inverse()
    assert sp.issparse(inv) and inv.nnz == n
    assert np.array_equal(inv.diagonal(), np.ones(n))
    assert k.logdet() == 0.0
    assert not k.rank().singular


def test_diagonal_closed_forms() -> None:
    d = np.linspace(0.5, 4.0, 50)
    k = KnownMatrix(sp.diags(d, format="csr"))
    assert np.allclose(k.inverse().toarray(), np.diag(1 / d), rtol=1e-15)
    assert k.logdet() == pytest.approx(np.log(d).sum(), rel=1e-14)
    # dense K: the same numbers by Cholesky (the unchanged path)
    assert KnownMatrix(np.diag(d)).logdet() == pytest.approx(np.log(d).sum(), rel=1e-12)


def test_nonpositive_diagonal_refused() -> None:
    k = KnownMatrix(sp.diags([1.0, -2.0, 3.0], format="csc"))
    with pytest.raises(MatrixError, match="positive semi-definite"):
        k.rank()


def test_ide_beside_vm_over_a_large_pedigree_fits() -> None:
    """The repeatability model y = Xb + Z a + Z p + e, a ~ N(0, σ²_a A), p ~ N(0, σ²_p I):
    ide(animal) (identity over all pedigree ids) gives the same REML fit as a plain factor
    over the animals with records (unobserved levels of an identity term add nothing)."""
    rng = np.random.default_rng(5)
    n = DENSE_LIMIT + 1000
    ids = np.array([f"A{i}" for i in range(n)], dtype=object)
    sire = np.full(n, "0", dtype=object)
    dam = sire.copy()
    kids = np.arange(n - 400, n)  # the last 400 animals have parents among 200 founders
    sire[kids] = rng.choice(ids[:100], kids.size)
    dam[kids] = rng.choice(ids[100:200], kids.size)
    ainv = asr.ainverse(pd.DataFrame({"id": ids, "sire": sire, "dam": dam}))
    an = np.repeat(ids[kids], 2)
    df = pd.DataFrame({"animal": an, "pe": an, "y": rng.standard_normal(an.size) * 3 + 10})
    a = asr.asreml(fixed="y ~ 1", random="~ vm(animal, Ainv) + ide(animal)", data=df,
                   Ainv=ainv)
    b = asr.asreml(fixed="y ~ 1", random="~ vm(animal, Ainv) + pe", data=df, Ainv=ainv)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-6)
    va, vb = a.varcomp["component"], b.varcomp["component"]
    assert va["ide(animal)"] == pytest.approx(vb["pe"], rel=1e-4)
    assert va["vm(animal, Ainv)"] == pytest.approx(vb["vm(animal, Ainv)"], rel=1e-4)
    assert va["units!R"] == pytest.approx(vb["units!R"], rel=1e-4)
