"""What a multi-trait user reads from a fit, against an independent dense computation.

A 3-trait model with traits on very different scales (a yield near 3000, a ratio near 0.25)
and about 20 % of the trait records missing::

    cbind(y1, y2, y3) ~ trait + at(trait):env, random = ~ us(trait):gen,
    residual = ~ units:us(trait)

The dense side (numpy only, records stacked trait within row, missing ones dropped) builds
V = Z (G_t ⊗ I) Z' + R, R block-diagonal with each row's Σ_e restricted to its observed
traits, from the fit's estimates, and checks:

* the REML log-likelihood and a zero score (central differences of the dense ℓ);
* varcomp names and order as asreml prints them (``trait:gen!trait_y2:y1`` ...), and the
  standard errors sqrt(diag AI⁻¹) with AI_ij = ½ y'P V_i P V_j P y (the average information);
* vpredict's heritabilities and genetic correlations, their delta-method standard errors
  sqrt(g' AI⁻¹ g) with the gradient g by central differences of the formula, and the same
  correlations from ``covariance(correlation=True)``;
* predict(classify='trait:gen'): values L[β̂; û] and standard errors sqrt(diag L C⁻¹ L') from
  the dense mixed-model equations, rows gen slowest and trait fastest (asreml's order; the
  same table for classify='gen:trait');
* wald(): the incremental Wald statistic of each fixed term, from the sequential Cholesky
  decomposition of X'V⁻¹X.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from _dense_reml import reml_loglik

import asr_py as asr

TRAITS = ["y1", "y2", "y3"]
NG, ENVS = 30, ["E1", "E2", "E3"]


def _data(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    corr_g = np.array([[1.0, 0.5, -0.3], [0.5, 1.0, 0.2], [-0.3, 0.2, 1.0]])
    corr_e = np.array([[1.0, 0.3, 0.1], [0.3, 1.0, 0.4], [0.1, 0.4, 1.0]])
    sd_g, sd_e = np.array([0.5, 40.0, 0.02]), np.array([0.8, 60.0, 0.03])
    u = rng.multivariate_normal(np.zeros(3), corr_g * np.outer(sd_g, sd_g), size=NG)
    rows = []
    for e in ENVS:
        eff = rng.normal(size=3) * sd_e
        for g in range(NG):
            for _ in range(2):
                y = ([5.0, 3000.0, 0.25] + eff + u[g]
                     + rng.multivariate_normal(np.zeros(3), corr_e * np.outer(sd_e, sd_e)))
                rows.append((e, f"G{g + 1:02d}", *y))
    d = pd.DataFrame(rows, columns=["env", "gen", *TRAITS])
    miss = rng.random((len(d), 3)) < 0.2
    for j, c in enumerate(TRAITS):
        d.loc[miss[:, j], c] = np.nan
    return d


class Dense:
    """The stacked records and dense matrices of the model (module docstring)."""

    def __init__(self, d: pd.DataFrame) -> None:
        Y = d[TRAITS].to_numpy(float)
        rows, tr = np.nonzero(~np.isnan(Y))             # row-major: trait within row
        self.rows, self.tr, self.y = rows, tr, Y[rows, tr]
        n = rows.size
        env = d["env"].map({e: i for i, e in enumerate(ENVS)}).to_numpy()[rows]
        gen = d["gen"].str[1:].astype(int).to_numpy()[rows] - 1
        T = np.zeros((n, 3))
        T[np.arange(n), tr] = 1.0
        # trait means, then per trait the env contrasts E2, E3 (the terms' columns in order)
        self.X = np.column_stack([T] + [T[:, [t]] * (env == k)[:, None]
                                        for t in range(3) for k in (1, 2)])
        self.terms = {"trait": [0, 1, 2]} | {
            f"at(trait, '{t}'):env": [3 + 2 * j, 4 + 2 * j] for j, t in enumerate(TRAITS)}
        self.Z = np.zeros((n, 3 * NG))
        self.Z[np.arange(n), tr * NG + gen] = 1.0
        self.n = n

    @staticmethod
    def sym(v: np.ndarray) -> np.ndarray:
        """3 x 3 symmetric matrix from asreml's lower-triangle order 11, 21, 22, 31, 32, 33."""
        S = np.zeros((3, 3))
        for (i, j), x in zip([(0, 0), (1, 0), (1, 1), (2, 0), (2, 1), (2, 2)], v):
            S[i, j] = S[j, i] = x
        return S

    def G(self, theta: np.ndarray) -> np.ndarray:
        return np.kron(self.sym(theta[:6]), np.eye(NG))

    def R(self, theta: np.ndarray) -> np.ndarray:
        Se = self.sym(theta[6:])
        same = self.rows[:, None] == self.rows[None, :]
        return np.where(same, Se[self.tr[:, None], self.tr[None, :]], 0.0)

    def V(self, theta: np.ndarray) -> np.ndarray:
        return self.Z @ self.G(theta) @ self.Z.T + self.R(theta)

    def loglik(self, theta: np.ndarray) -> float:
        return reml_loglik(self.y, self.X, self.V(theta))

    def ai(self, theta: np.ndarray) -> np.ndarray:
        """½ y'P V_i P V_j P y over the 12 parameters (V linear in θ: V_i = V(e_i))."""
        Vi = np.linalg.inv(self.V(theta))
        VX = Vi @ self.X
        P = Vi - VX @ np.linalg.solve(self.X.T @ VX, VX.T)
        Py = P @ self.y
        W = np.column_stack([self.V(np.eye(12)[k]) @ Py for k in range(12)])
        return 0.5 * W.T @ P @ W

    def mme(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """([β̂; û], C⁻¹) of the mixed-model equations."""
        Ri = np.linalg.inv(self.R(theta))
        W = np.hstack([self.X, self.Z])
        C = W.T @ Ri @ W
        p = self.X.shape[1]
        C[p:, p:] += np.linalg.inv(self.G(theta))
        Ci = np.linalg.inv(C)
        return Ci @ (W.T @ Ri @ self.y), Ci


@pytest.fixture(scope="module")
def fitted() -> tuple[asr.AsremlFit, Dense, np.ndarray]:
    d = _data()
    m = asr.asreml("cbind(y1, y2, y3) ~ trait + at(trait):env", random="~ us(trait):gen",
                   residual="~ units:us(trait)", data=d)
    assert m.converged
    names = [f"trait:gen!trait_{a}:{b}" for a, b in _lower()] + \
            [f"units:trait!trait_{a}:{b}" for a, b in _lower()]
    assert list(m.varcomp.index) == names            # asreml's names and order
    theta = m.varcomp["component"].to_numpy(float)
    return m, Dense(d), theta


def _lower() -> list[tuple[str, str]]:
    return [(TRAITS[i], TRAITS[j]) for i in range(3) for j in range(i + 1)]


def test_loglik_score_and_standard_errors(fitted: tuple) -> None:
    m, dn, theta = fitted
    assert m.loglik == pytest.approx(dn.loglik(theta), abs=1e-6)
    for k in range(12):
        h = 1e-4 * abs(theta[k]) + 1e-12
        e = np.eye(12)[k] * h
        score = (dn.loglik(theta + e) - dn.loglik(theta - e)) / (2 * h)
        assert abs(score * theta[k]) < 2e-3, (k, score)
    se = np.sqrt(np.diag(np.linalg.inv(dn.ai(theta))))
    np.testing.assert_allclose(m.varcomp["std.error"].to_numpy(float), se, rtol=1e-4)


def test_vpredict_heritabilities_and_correlations(fitted: tuple) -> None:
    """V1..V6 the genetic (co)variances, V7 asreml's fixed residual scale units:trait!R,
    V8..V13 the residual ones: h²_t = G_tt / (G_tt + R_tt), r_g = G_ij / sqrt(G_ii G_jj)."""
    m, dn, theta = fitted
    Vt = np.linalg.inv(dn.ai(theta))
    diag = {0: 0, 1: 2, 2: 5}                          # position of G_tt in θ

    def check(formula: str, f, want_value: float) -> None:
        grad = np.zeros(12)
        for k in range(12):
            h = 1e-6 * abs(theta[k]) + 1e-15
            e = np.eye(12)[k] * h
            grad[k] = (f(theta + e) - f(theta - e)) / (2 * h)
        got = m.vpredict(formula)
        assert got.iloc[0, 0] == pytest.approx(want_value, rel=1e-10)
        assert got.iloc[0, 1] == pytest.approx(np.sqrt(grad @ Vt @ grad), rel=1e-4)

    for i in diag.values():
        v = f"V{i + 1}/(V{i + 1}+V{i + 8})"
        h2 = theta[i] / (theta[i] + theta[i + 6])
        check(f"h2 ~ {v}", lambda th, i=i: th[i] / (th[i] + th[i + 6]), h2)
    cor = m.covariance("trait:gen", correlation=True)
    # the formula's spelling of the term finds the same structure
    pd.testing.assert_frame_equal(m.covariance("us(trait):gen", correlation=True), cor)
    np.testing.assert_allclose(m.covariance("units:us(trait)").to_numpy(),
                               Dense.sym(theta[6:]), rtol=1e-12)
    for (a, i), (b, j) in itertools.combinations(diag.items(), 2):
        off = {(0, 1): 1, (0, 2): 3, (1, 2): 4}[(a, b)]
        rg = theta[off] / np.sqrt(theta[i] * theta[j])
        check(f"rg ~ V{off + 1}/sqrt(V{i + 1}*V{j + 1})",
              lambda th, o=off, i=i, j=j: th[o] / np.sqrt(th[i] * th[j]), rg)
        assert cor.iloc[b, a] == pytest.approx(rg, rel=1e-10)
        assert cor.attrs["se"].iloc[b, a] == pytest.approx(
            m.vpredict(f"rg ~ V{off + 1}/sqrt(V{i + 1}*V{j + 1})").iloc[0, 1], rel=1e-4)


def test_predict_trait_by_gen_against_dense_mme(fitted: tuple) -> None:
    m, dn, theta = fitted
    sol, Ci = dn.mme(theta)
    p = dn.X.shape[1]
    gens = [f"G{g + 1:02d}" for g in range(NG)]
    L = np.zeros((3 * NG, p + 3 * NG))
    for r, (g, t) in enumerate(itertools.product(range(NG), range(3))):
        L[r, t] = 1.0                                 # trait mean
        L[r, 3 + 2 * t: 5 + 2 * t] = 1 / 3            # env averaged (E1 the baseline)
        L[r, p + t * NG + g] = 1.0                    # the BLUP of (trait t, gen g)
    want, se = L @ sol, np.sqrt(np.diag(L @ Ci @ L.T))
    for classify in ("trait:gen", "gen:trait"):
        pr = m.predict(classify=classify)
        assert list(pr.columns[:2]) == ["gen", "trait"]
        assert list(pr["gen"]) == [g for g in gens for _ in TRAITS]
        assert list(pr["trait"]) == TRAITS * NG
        np.testing.assert_allclose(pr["predicted.value"], want, rtol=1e-7)
        np.testing.assert_allclose(pr["std.error"], se, rtol=1e-6)


def test_wald_per_term_against_sequential_gls(fitted: tuple) -> None:
    m, dn, theta = fitted
    Vi = np.linalg.inv(dn.V(theta))
    U = np.linalg.cholesky(dn.X.T @ Vi @ dn.X).T       # X'V⁻¹X = U'U
    z = np.linalg.solve(U.T, dn.X.T @ Vi @ dn.y)
    w = m.wald()
    assert list(w.index) == list(dn.terms)
    for term, cols in dn.terms.items():
        assert w.loc[term, "Df"] == len(cols)
        assert float(w.loc[term, "Wald statistic"]) == pytest.approx(
            float(np.sum(z[cols] ** 2)), rel=1e-7)
