"""Convergence on the positive-definite face of a singular general correlation matrix
(corgh; issue 11, item 2a).

Simulated MET data (50 genotypes x 3 environments x 2 replicates) whose true genetic
correlation matrix has rank 2 (environments 1 and 2 correlated 1, the third 0.5 with both).
The fit is checked against an independent dense-V REML (``tests/_dense_reml.py``: numpy/scipy,
no asr_py) maximised by scipy over G = D^½ C D^½ with C = N N' (N: unit rows of a 3 x r
factor), for r = 2 (the face) and r = 3 (any rank: may not beat ours). The face map itself
(pd_face_corr.CorrFace) is checked against finite differences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import bfgs_max, reml_loglik

import asr_py as asr
from asr_py.reml.pd_blocks import PDBlock
from asr_py.reml.pd_face_corr import CorrFace


def _met(seed: int, n_g: int = 50, reps: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    C = np.array([[1.0, 1.0, 0.5], [1.0, 1.0, 0.5], [0.5, 0.5, 1.0]])
    sd = np.array([1.0, 1.5, 0.8])
    w, v = np.linalg.eigh(C * np.outer(sd, sd))
    g = rng.normal(size=(n_g, 3)) @ (v * np.sqrt(np.clip(w, 0, None))).T
    rows = [{"Name": f"g{i}", "Env": f"E{e}", "y": 10 + 3 * e + g[i, e] + rng.normal()}
            for i in range(n_g) for e in range(3) for _ in range(reps)]
    return pd.DataFrame(rows)


def _corr_block(n: int) -> PDBlock:
    pairs = [(i, j) for i in range(n) for j in range(i)]
    E = np.zeros((len(pairs), n, n))
    for k, (i, j) in enumerate(pairs):
        E[k, i, j] = E[k, j, i] = 1.0
    return PDBlock("C", np.arange(len(pairs)), E, E.reshape(len(pairs), -1).T, corr=True)


def _corr_of(theta: np.ndarray, n: int) -> np.ndarray:
    c = np.eye(n)
    c[np.tril_indices(n, -1)] = theta  # (2,1), (3,1), (3,2), ...: row by row
    return c + np.tril(c, -1).T


def test_corr_face_map_derivatives() -> None:
    """ρ(t) on the face of a 4 x 4 correlation matrix of rank 2: unit diagonal, rank 2 (up
    to the ridge), dimension n(r − 1) − r(r − 1)/2 = 3, and its Jacobian and the curvature
    term ⟨G, ∂²C/∂t∂t'⟩ equal central finite differences."""
    rng = np.random.default_rng(3)
    N = rng.normal(size=(4, 2))
    N /= np.linalg.norm(N, axis=1)[:, None]
    b = _corr_block(4)
    theta = (N @ N.T)[np.tril_indices(4, -1)]
    face = CorrFace.start(b, theta, 1e-3)
    assert face is not None and face.rank == 2 and face.n_free == 3
    ridge = 1e-6
    t0 = np.zeros(face.n_free)
    c0 = face.matrix(t0, ridge)
    assert np.allclose(np.diag(c0), 1.0)
    assert np.allclose(c0, (N @ N.T + ridge * np.eye(4)) / (1 + ridge), atol=1e-12)
    h = 1e-5
    J = face.jacobian(ridge)
    s_b = rng.normal(size=theta.size)
    T = face.second_order(s_b, ridge)
    for a in range(face.n_free):
        e = np.zeros(face.n_free)
        e[a] = h
        fd = (face.params(e, ridge) - face.params(-e, ridge)) / (2 * h)
        assert np.allclose(J[:, a], fd, atol=1e-8)
        for c in range(face.n_free):
            f = np.zeros(face.n_free)
            f[c] = h

            def sl(x: np.ndarray) -> float:
                return float(s_b @ face.params(x, ridge))

            fd2 = (sl(e + f) - sl(e - f) - sl(-e + f) + sl(-e - f)) / (4 * h * h)
            assert T[a, c] == pytest.approx(fd2, abs=1e-5)
    # on the face: every point keeps unit diagonal and rank 2
    c1 = face.matrix(rng.normal(size=3) * 0.3, 0.0)
    assert np.allclose(np.diag(c1), 1.0) and np.linalg.eigvalsh(c1)[1] < 1e-12


@pytest.fixture(scope="module")
def met_fit():
    df = _met(0)
    return df, asr.asreml("y ~ Env", random="~ corgh(Env):Name", data=df, maxit=30)


def test_corgh_converges_on_its_face(met_fit) -> None:
    _, m = met_fit
    r = m.result
    assert r.converged and m.converged and r.n_iter <= 15
    assert "EM" not in [h["method"] for h in r.history[-3:]]
    assert r.history[-1]["method"] == "face"
    c = _corr_of(r.theta[:3], 3)
    mu = np.linalg.eigvalsh(c)
    assert 0 < mu[0] < 1e-6 and mu[1] > 1e-2  # rank 2, positive definite
    msg = [d for d in m.diagnostics if "correlation matrix of Env:Name" in d]
    assert len(msg) == 1 and "rank 2 of 3" in msg[0]
    # only correlations truly at ±1 are named (the estimates: none is within 1e-3 of ±1)
    at1 = np.abs(c[np.tril_indices(3, -1)]) >= 1 - 1e-3
    assert ("no correlation at ±1" in msg[0]) == (not at1.any())
    # AIC/BIC count every parameter (as ASReml and lme4); the summary says the face of a
    # 3 x 3 correlation matrix of rank 2 has dimension n(r − 1) − r(r − 1)/2 = 2, not 3
    assert r.face_dims == [("Env:Name", 3, 2)]
    assert m.aic == pytest.approx(-2 * m.loglik + 2 * 7)
    assert "AIC/BIC count all 3 parameters of Env:Name" in m.summary()
    assert "has dimension 2" in m.summary()


def test_corgh_face_matches_dense_reml(met_fit) -> None:
    df, m = met_fit
    n = len(df)
    y = df["y"].to_numpy(float)
    env, levs = pd.factorize(df["Env"])
    X = np.zeros((n, 3))
    X[np.arange(n), env] = 1.0
    gen, glev = pd.factorize(df["Name"])
    # Z for Env:Name with the Name-by-Env covariance: u = vec over (Name, Env)
    Z = np.zeros((n, glev.size * 3))
    Z[np.arange(n), gen * 3 + env] = 1.0
    th = m.result.theta
    sd = np.sqrt(th[3:6])
    G = _corr_of(th[:3], 3) * np.outer(sd, sd)
    # the name -> position of each variance follows the level order of Env (E0, E1, E2)
    assert list(levs) == ["E0", "E1", "E2"]
    V = Z @ np.kron(np.eye(glev.size), G) @ Z.T + th[6] * np.eye(n)
    assert reml_loglik(y, X, V) == pytest.approx(m.loglik, abs=1e-6)

    def ll(x: np.ndarray, r: int) -> float:
        L = x[:3 * r].reshape(3, r)
        nrm = np.linalg.norm(L, axis=1)
        if np.any(nrm < 1e-8):
            return -np.inf
        Nr = L / nrm[:, None]
        s = np.exp(x[3 * r:3 * r + 3])
        Gx = (Nr @ Nr.T) * np.outer(s, s)
        Vx = Z @ np.kron(np.eye(glev.size), Gx) @ Z.T + np.exp(x[-1]) * np.eye(n)
        return reml_loglik(y, X, Vx)

    w, v = np.linalg.eigh(_corr_of(th[:3], 3))
    L2 = v[:, 1:] * np.sqrt(w[1:])
    logs = np.concatenate([np.log(sd), [np.log(th[6])]])
    # rank 2 from our estimates and from a generic start; any rank (3 x 3 factor)
    best2 = max(bfgs_max(lambda x: ll(x, 2), np.concatenate([L2.ravel(), logs])),
                bfgs_max(lambda x: ll(x, 2), np.concatenate([[1.0, 0.0, 0.9, 0.3, 0.4, 0.9],
                                                             np.zeros(4)])))
    assert m.loglik == pytest.approx(best2, abs=1e-4)
    L3 = np.hstack([L2, 0.05 * v[:, :1]])
    best3 = bfgs_max(lambda x: ll(x, 3), np.concatenate([L3.ravel(), logs]))
    assert best3 <= m.loglik + 1e-6
