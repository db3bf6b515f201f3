"""Prediction standard errors through the selected inverse of C (results/cinv_diag.py) against
the dense-V identities of the MME inverse (Henderson 1975; no MME factor involved):

    C⁻¹_ββ = (X'V⁻¹X)⁻¹,   C⁻¹_βu = −C⁻¹_ββ X'V⁻¹ZG,   C⁻¹_uu = G − GZ'PZG,

V = ZGZ' + R at the fitted variance components, P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹. Each row
of predict(classify='id') for ``vm(id, K) + ide(id)`` carries two random entries (the
genetic and the permanent effect of one id); ids without records make pairs in different
components of C's graph (C⁻¹ = 0 there, no solve)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import indicator

import asr_py as asr
from asr_py.results import cinv_diag as cd


def _data(n_id: int = 90, n_rec: int = 70, seed: int = 4) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"g{i:03d}" for i in range(n_id)]
    b = rng.standard_normal((n_id, 30))
    K = b @ b.T / 30 + 0.2 * np.eye(n_id)
    g = np.linalg.cholesky(K) @ rng.standard_normal(n_id) * 2.0
    pe = rng.standard_normal(n_id)
    rec = rng.choice(n_id, size=n_rec, replace=False)  # the others have no records
    reps = rng.integers(1, 4, size=n_rec)
    who = np.repeat(rec, reps)
    y = 10 + g[who] + pe[who] + rng.standard_normal(who.size) * 1.5
    df = pd.DataFrame({"id": pd.Categorical(np.asarray(ids)[who], categories=ids), "y": y})
    return df, pd.DataFrame(K, index=ids, columns=ids)


def _dense_se(df: pd.DataFrame, K: pd.DataFrame, sg: float, sp_: float, se: float
              ) -> np.ndarray:
    """SE of μ + g_i + p_i for every id from the dense identities above."""
    ids = list(K.index)
    Z1 = indicator(df["id"].astype(str), ids)
    Z = np.hstack([Z1, Z1])
    G = np.zeros((2 * len(ids),) * 2)
    G[:len(ids), :len(ids)] = sg * K.to_numpy()
    G[len(ids):, len(ids):] = sp_ * np.eye(len(ids))
    X = np.ones((len(df), 1))
    V = Z @ G @ Z.T + se * np.eye(len(df))
    vi = np.linalg.inv(V)
    cbb = np.linalg.inv(X.T @ vi @ X)
    P = vi - vi @ X @ cbb @ X.T @ vi
    cbu = -cbb @ X.T @ vi @ Z @ G
    cuu = G - G @ Z.T @ P @ Z @ G
    cinv = np.block([[cbb, cbu], [cbu.T, cuu]])
    L = np.hstack([np.ones((len(ids), 1)), np.eye(len(ids)), np.eye(len(ids))])
    return np.sqrt(np.einsum("ij,jk,ik->i", L, cinv, L))


@pytest.mark.parametrize("solver", ["sparse", "dense"])
def test_two_entry_rows_match_dense_identities(solver: str, monkeypatch) -> None:
    df, K = _data()
    m = asr.asreml(fixed="y ~ 1", random="~ vm(id, K) + ide(id)", data=df, K=K,
                   solver=solver)
    assert m.result.solver == solver
    calls = []
    orig = cd._selected_quad
    monkeypatch.setattr(cd, "_selected_quad",
                        lambda *a: calls.append(1) or orig(*a))
    p = m.predict(classify="id")
    assert calls, "the selected-inverse path was not taken"
    vc = m.varcomp["component"].to_numpy()
    want = _dense_se(df, K, vc[0], vc[1], vc[2])
    got = p.set_index("id").loc[list(K.index), "std.error"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-8)


def test_few_rows_keep_solves(monkeypatch) -> None:
    """Fewer rows than SELECTED_MIN_ROWS: solved per row, the same numbers."""
    df, K = _data(n_id=40, n_rec=30)
    m = asr.asreml(fixed="y ~ 1", random="~ vm(id, K) + ide(id)", data=df, K=K,
                   solver="sparse")
    monkeypatch.setattr(cd, "_selected_quad", lambda *a: pytest.fail("selected path taken"))
    p = m.predict(classify="id")
    vc = m.varcomp["component"].to_numpy()
    want = _dense_se(df, K, vc[0], vc[1], vc[2])
    got = p.set_index("id").loc[list(K.index), "std.error"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-8)
