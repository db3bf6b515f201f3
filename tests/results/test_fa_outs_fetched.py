"""The widely shared ``fa.outs()`` (saulo-chaves/May_b_useful fa_outs.R, ``source()``d by
Kaio-Olimpio/GIS-FA, mauricioaraujj/GIS-FA_Mallawi and Pan_African_Trials_Network) run as
translated on a simulated MET fit, its outputs against a dense computation in numpy.

fa.outs() reads the loadings and specific variances from ``summary(m)$varcomp``
(``grep('fa\\\\d+')``, ``grep('var')``), the scores from the ``Comp`` rows of
``summary(m, coef = T)$coef.random``, rotates both by the SVD Λ = U S V' (``rot.scores`` =
f̂ V S per genotype, "marginal" BLUPs (U ⊗ I)(S V' ⊗ I) f̂ = (Λ ⊗ I) f̂), and builds
G = U S² U' + Ψ and the per-environment generalised heritabilities 1 − mean SED²/(2 G_ii)
from ``predict(classify = "gen:env", sed = T)``. The reference: f̂ = Cov(f, y) P y,
û = G Z'P y, β̂ by GLS and C_uu = G − G Z'P Z G with V = Z(Σ ⊗ I)Z' + σ²I written out
at the fit's Λ, Ψ, σ². The script is not committed (workplace rule): the test reads it
through tests/_fetched.py and skips without it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from _dense_reml import gls, indicator
from _fetched import fetched
from test_fa_scores import ENVS, GENS, _fit, _met

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "translate"))
from _translate_fixtures import run_r  # noqa: E402

SCRIPT = """
library(asreml)
source("fa_outs.R")
dat <- read.csv("met.csv")
dat$env <- as.factor(dat$env)
dat$gen <- as.factor(dat$gen)
m <- asreml(y ~ env, random = ~ gen:fa(env, 2), data = dat, maxit = 100)
res <- fa.outs(m, name.env = "env", name.gen = "gen")
"""


def _dense(fit, d):
    """(G = Σ, f̂ genotypes x k, û envs x gens, β̂, C_uu) at the fit's parameters."""
    s = fit.fa()
    lam = s.loadings.loc[ENVS].to_numpy()
    Sig = s.covariance.loc[ENVS, ENVS].to_numpy()
    s2 = float(fit.varcomp.loc["units!R", "component"])
    ng = len(GENS)
    Z = indicator(d["env"] + ":" + d["gen"], [f"{e}:{g}" for e in ENVS for g in GENS])
    X = np.column_stack([np.ones(len(d)), indicator(d["env"], ENVS)[:, 1:]])
    G = np.kron(Sig, np.eye(ng))
    V = Z @ G @ Z.T + s2 * np.eye(len(d))
    y = d["y"].to_numpy()
    vi = np.linalg.inv(V)
    P = vi - vi @ X @ np.linalg.solve(X.T @ vi @ X, X.T @ vi)
    u = G @ Z.T @ P @ y
    f = np.kron(lam.T, np.eye(ng)) @ Z.T @ P @ y                  # Cov(f, y) = (Λ' ⊗ I)Z'
    Cuu = G - G @ Z.T @ P @ Z @ G
    beta, _ = gls(y, X, V)
    return lam, Sig, f.reshape(2, ng).T, u.reshape(len(ENVS), ng), beta, Cuu


def test_fa_outs_runs_and_its_outputs_equal_a_dense_computation(tmp_path, monkeypatch) -> None:
    src = fetched("saulo_fa_outs.R")
    monkeypatch.chdir(tmp_path)
    shutil.copy(src, tmp_path / "fa_outs.R")
    d = _met(seed=3)
    d.to_csv(tmp_path / "met.csv", index=False)
    res = run_r(SCRIPT, quiet=True)["res"]
    fit = _fit(d, "~ gen:fa(env, 2)")
    lam, Sig, f, u, beta, Cuu = _dense(fit, d)
    ng = len(GENS)

    np.testing.assert_allclose(res["Gvcov"].loc[ENVS, ENVS].to_numpy(), Sig, rtol=1e-10)
    ll = lam @ lam.T
    assert res["diagnostics"]["expvar"] == pytest.approx(
        round(100 * np.trace(ll) / np.trace(Sig), 3), abs=1e-9)

    _, sv, vt = np.linalg.svd(lam, full_matrices=False)
    want = f @ vt.T * sv                                       # f̂ V S, genotypes x k
    got = res["rot.scores"].loc[GENS].to_numpy()
    sign = np.sign(np.sum(got * want, axis=0))                 # the SVD's sign per column
    np.testing.assert_allclose(got * sign, want, rtol=1e-6, atol=1e-8)

    b = res["blups"].set_index(["env", "gen"])
    marg = np.array([[b.loc[(e, g), "marginal"] for g in GENS] for e in ENVS])
    np.testing.assert_allclose(marg, lam @ f.T, rtol=1e-6, atol=1e-8)    # (Λ ⊗ I) f̂
    fixed = beta[0] + np.concatenate([[0.0], beta[1:]])
    cond = np.array([[b.loc[(e, g), "conditional"] for g in GENS] for e in ENVS])
    np.testing.assert_allclose(cond, fixed[:, None] + u, rtol=1e-6, atol=1e-8)

    for i, e in enumerate(ENVS):
        blk = Cuu[i * ng:(i + 1) * ng, i * ng:(i + 1) * ng]
        sed2 = np.diag(blk)[:, None] + np.diag(blk)[None, :] - 2 * blk
        h2 = 1 - sed2[np.triu_indices(ng, 1)].mean() / (2 * Sig[i, i])
        assert float(res["H2"][e]) == pytest.approx(h2, rel=1e-6)
