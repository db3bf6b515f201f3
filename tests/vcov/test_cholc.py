"""``cholc(f, k)``: ASReml's CHOLkC, Σ = L D L' with L unit lower triangular whose entries
below the diagonal are free in the first k columns only ("k is the number of non-zero sub
diagonal columns in L", ASReml 3 User Guide, variance models CHOLk, CHOLkC).

* ℓ at the engine's optimum equals the independent dense-V REML (tests/_dense_reml.py) with
  Σ built here from (d, L), and maximising that dense ℓ from two starts finds no higher value;
* k = n − 1 is us(f) (every positive-definite Σ): the same ℓ;
* cholc(f, 1) is fa(f, 1) with ψ_1 = 0 (Σ = d_1 l l' + diag(0, d_2, ...)): its ℓ is not above
  fa's; the units of y scale Σ by c².
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import bfgs_max, drop_aliased, fit_dense, indicator, reml_loglik

import asr_py as asr
from asr_py.vcov.chol import CholeskyColumns


@pytest.fixture(scope="module")
def d() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    ne, ng = 4, 40
    low = np.eye(ne)
    low[1:, 0] = [0.8, -0.5, 0.6]
    sig = (low * np.array([30.0, 20.0, 25.0, 15.0])) @ low.T
    g = rng.multivariate_normal(np.zeros(ne), sig, size=ng)
    rows = [(f"E{e}", f"G{i:02d}", 10 + e + g[i, e] + rng.normal() * 4)
            for e in range(ne) for _ in range(2) for i in range(ng)]
    return pd.DataFrame(rows, columns=["env", "gen", "y"])


def _fit(d: pd.DataFrame, random: str, y: str = "y") -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(f"{y} ~ env", random=random, data=d)


def test_cholc_1_is_the_dense_reml_optimum(d: pd.DataFrame) -> None:
    m = _fit(d, "~ cholc(env, 1):gen")
    assert m.converged
    y = d.y.to_numpy()
    X = drop_aliased(indicator(d.env))
    ze, zg = indicator(d.env), indicator(d.gen)
    gg = zg @ zg.T

    def build_v(x: np.ndarray) -> np.ndarray | None:   # x = d_1..d_4, l_21, l_31, l_41, σ²
        if np.any(x[:4] <= 0) or x[-1] <= 0:
            return None
        low = np.eye(4)
        low[1:, 0] = x[4:7]
        sig = (low * x[:4]) @ low.T
        return gg * (ze @ sig @ ze.T) + x[-1] * np.eye(y.size)

    def ll(x: np.ndarray) -> float:
        v = build_v(x)
        return -np.inf if v is None else reml_loglik(y, X, v)

    s = CholeskyColumns(sorted(d.env.unique()), order=1)
    th = m.result.theta
    dd = th[:s.n_params][[p for p, (r, c) in enumerate(s._pos) if r == c]]
    ll_ = th[:s.n_params][[p for p, (r, c) in enumerate(s._pos) if r != c]]
    x = np.concatenate([dd, ll_, th[-1:]])
    assert ll(x) == pytest.approx(m.loglik, abs=1e-7)
    assert bfgs_max(ll, x) - m.loglik <= 1e-5
    v = float(d.y.var())
    starts = [np.array([v / 3] * 4 + [0.5, 0.0, 0.0, v / 3]),
              np.array([v / 5] * 4 + [-0.5, 0.5, 0.5, v / 2])]
    _, best = fit_dense(y, X, build_v, starts)
    assert best - m.loglik <= 1e-5


def test_cholc_full_is_us_and_cholc_1_is_nested_in_fa_1(d: pd.DataFrame) -> None:
    us = _fit(d, "~ us(env):gen")
    assert _fit(d, "~ cholc(env, 3):gen").loglik == pytest.approx(us.loglik, abs=1e-6)
    c1 = _fit(d, "~ cholc(env, 1):gen")
    assert c1.loglik <= _fit(d, "~ fa(env, 1):gen").loglik + 1e-8
    s = CholeskyColumns(sorted(d.env.unique()), order=1)
    sig = s.matrix(c1.result.theta[:s.n_params])
    du = d.assign(y10=d.y * 10)
    sig10 = s.matrix(_fit(du, "~ cholc(env, 1):gen", "y10").result.theta[:s.n_params])
    np.testing.assert_allclose(sig10, 100 * sig, rtol=1e-4)


def test_cholc_parameters_and_bad_order() -> None:
    s = CholeskyColumns(["a", "b", "c", "d"], order=2)
    assert s.param_names == ["a!d", "b:a!l", "b!d", "c:a!l", "c:b!l", "c!d", "d:a!l", "d:b!l",
                             "d!d"]
    with pytest.raises(asr.ModelError, match="too large"):
        CholeskyColumns(["a", "b"], order=2)
