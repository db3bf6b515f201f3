"""Fits with a large fixed factor kept sparse (genotype BLUEs: hundreds to thousands of
levels fixed, a random block effect): the same fit as the dense-X path, and on a small
problem the independent dense-V REML of ``tests/_dense_reml.py`` (numpy): its ℓ and GLS β at the
fitted variances, and a zero gradient of its ℓ there (central differences)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _dense_reml import reml_loglik

import asr_py as asr
from asr_py.reml import sparse_x


def _trial(n_gen: int, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    gen = rng.integers(0, n_gen, n)
    env = rng.integers(0, 5, n)
    blk = env * 3 + rng.integers(0, 3, n)
    y = (5 + rng.normal(0, 2, n_gen)[gen] + rng.normal(0, 1.5, 5)[env]
         + rng.normal(0, 1.0, 15)[blk] + rng.normal(0, 1.2, n))
    return pd.DataFrame({"y": y, "gen": [f"G{g:04d}" for g in gen],
                         "env": [f"E{e}" for e in env], "blk": [f"B{b:02d}" for b in blk]})


KW = dict(fixed="y ~ env + gen", random="~ blk")


def _se(fit: asr.AsremlFit) -> np.ndarray:
    return np.sqrt(np.diag(fit.result.vcov_beta))


def test_sparse_x_fit_equals_dense_x_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    df = _trial(600, 3000, 1)
    fs = asr.asreml(**KW, data=df)
    assert sp.issparse(fs.model.fixed.X) and fs.model.fixed.X.shape[1] > 590
    monkeypatch.setattr(sparse_x, "SPARSE_X_MIN_COLUMNS", 10**9)
    fd = asr.asreml(**KW, data=df)
    assert isinstance(fd.model.fixed.X, np.ndarray)
    assert fs.model.fixed.names == fd.model.fixed.names
    assert fs.model.fixed.aliased == fd.model.fixed.aliased
    rs, rd = fs.result, fd.result
    assert abs(rs.loglik - rd.loglik) <= 1e-9 * abs(rd.loglik)
    np.testing.assert_allclose(rs.theta, rd.theta, rtol=1e-7)
    np.testing.assert_allclose(rs.beta, rd.beta, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(_se(fs), _se(fd), rtol=1e-7)
    np.testing.assert_allclose(rs.u[0], rd.u[0], rtol=1e-6, atol=1e-9)


def test_sparse_x_fit_against_dense_v_reml() -> None:
    df = _trial(560, 1000, 3)
    fit = asr.asreml(**KW, data=df)
    X = fit.model.fixed.X
    assert sp.issparse(X)
    X = X.toarray()
    y = df["y"].to_numpy()
    Z = pd.get_dummies(df["blk"]).to_numpy(dtype=float)
    names = fit.result.names
    ib = next(i for i, nm in enumerate(names) if "blk" in nm)
    ie = 1 - ib
    theta = np.asarray(fit.result.theta, dtype=float)

    def loglik(t: np.ndarray) -> float:
        V = t[ib] * Z @ Z.T + t[ie] * np.eye(y.size)
        return reml_loglik(y, X, V)

    # ℓ at the fitted variances (an independent formula: log|V|, log|X'V⁻¹X|, y'Py)
    assert abs(loglik(theta) - fit.result.loglik) <= 1e-8 * abs(fit.result.loglik)
    # GLS β̂ at the fitted variances
    V = theta[ib] * Z @ Z.T + theta[ie] * np.eye(y.size)
    vi_x = np.linalg.solve(V, X)
    beta = np.linalg.solve(X.T @ vi_x, vi_x.T @ y)
    np.testing.assert_allclose(fit.result.beta, beta, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(np.diag(fit.result.vcov_beta),
                               np.diag(np.linalg.inv(X.T @ vi_x)), rtol=1e-7)
    # the fitted variances maximise the dense ℓ: central differences vanish
    for k in range(2):
        h = 1e-4 * theta[k]
        e = np.zeros(2)
        e[k] = h
        grad = (loglik(theta + e) - loglik(theta - e)) / (2 * h)
        assert abs(grad * theta[k]) < 1e-4, (k, grad)


def test_rank_check_of_a_large_sparse_x_names_the_columns() -> None:
    """The MME's rank check on a sparse X of 600 columns (Lanczos on the unit-diagonal
    X'X, not a dense eigh) refuses a dependent column and names the columns involved."""
    from asr_py.errors import ModelError
    from asr_py.reml import MixedProblem, fit_reml
    from asr_py.vcov.base import get_structure

    rng = np.random.default_rng(4)
    n, p = 3000, 600
    g = rng.permutation(np.arange(n) % (p - 1))  # every level present
    X = sp.hstack([sp.csc_matrix(np.ones((n, 1))),
                   sp.csc_matrix((np.ones(n), (np.arange(n), g)), shape=(n, p - 1))[:, 1:]])
    X = sp.hstack([X, X[:, [5]] + X[:, [9]]]).tocsc()  # the last, c599 = c5 + c9
    names = [f"c{j}" for j in range(X.shape[1])]
    res = get_structure("idv")(tuple(str(i) for i in range(n)), name="units")
    prob = MixedProblem(y=rng.normal(size=n), X=X, random=[], residual=res,
                        theta0=np.array([1.0]), constraints=["P"], names=["units!R"],
                        x_names=names)
    assert sparse_x.prefer_sparse_x(X)
    with pytest.raises(ModelError, match="not of full column rank") as e:
        fit_reml(prob)
    involved = str(e.value).split("rank: ")[1].split(" are")[0].split(", ")
    assert set(involved) == {"c5", "c9", "c599"}
