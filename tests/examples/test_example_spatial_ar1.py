"""examples/spatial_ar1.py: ρ recovered on a 30 x 20 grid; log-likelihood and score checked
with an independent numpy REML likelihood built from V = σ²_g ZZ' + σ² Σ_row ⊗ Σ_col."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def run(tmp_path_factory, load_example):
    mod = load_example("spatial_ar1")
    out = tmp_path_factory.mktemp("spatial")
    return mod, mod.main(out, n_row=30, n_col=20), out


def _reml_loglik(theta, plots):
    """lme4-convention full REML log-likelihood; plots sorted by Row then Col."""
    s2g, s2, rr, rc = theta
    nr, nc = plots["Row"].nunique(), plots["Col"].nunique()
    i, j = np.arange(nr), np.arange(nc)
    R = s2 * np.kron(rr ** np.abs(i[:, None] - i[None, :]), rc ** np.abs(j[:, None] - j[None, :]))
    Z = (plots["Geno"].to_numpy()[:, None] == np.unique(plots["Geno"])[None, :]).astype(float)
    V = s2g * Z @ Z.T + R
    y = plots["y"].to_numpy()
    X = np.ones((len(y), 1))
    L = np.linalg.cholesky(V)
    Xs, ys = np.linalg.solve(L, X), np.linalg.solve(L, y)
    xtvx = Xs.T @ Xs
    b = np.linalg.solve(xtvx, Xs.T @ ys)
    r = ys - Xs @ b
    n, p = X.shape
    return -0.5 * ((n - p) * np.log(2 * np.pi) + 2 * np.log(np.diag(L)).sum()
                   + np.linalg.slogdet(xtvx)[1] + r @ r)


def test_rho_recovered(run):
    mod, res, out = run
    m = res["spatial"]
    assert m.converged
    vc = m.varcomp
    est, se = vc["component"].to_numpy(), vc["std.error"].to_numpy()
    true = [mod.TRUE["sigma2_geno"], mod.TRUE["sigma2"], mod.TRUE["rho_row"], mod.TRUE["rho_col"]]
    assert abs(est[2] - true[2]) < 0.1 and abs(est[3] - true[3]) < 0.1
    assert np.all(np.abs(est - true) < 3.5 * se)
    # the spatial model fits far better and ranks genotypes better than independent plots
    cmp = res["comparison"]
    assert cmp["AIC"].iloc[1] < cmp["AIC"].iloc[0] - 50
    assert cmp["r(BLUP, true genotype)"].iloc[1] > cmp["r(BLUP, true genotype)"].iloc[0]
    assert (out / "spatial_ar1.png").stat().st_size > 1000


def test_loglik_and_score_against_numpy(run):
    _, res, _ = run
    plots = res["plots"]
    assert list(plots["Row"]) == sorted(plots["Row"])  # the order _reml_loglik assumes
    m = res["spatial"]
    th = m.varcomp["component"].to_numpy()
    assert m.loglik == pytest.approx(_reml_loglik(th, plots), abs=1e-6)
    # the two correlations: zero score by central differences
    for k in (2, 3):
        h = np.zeros(4)
        h[k] = 1e-4
        d = (_reml_loglik(th + h, plots) - _reml_loglik(th - h, plots)) / 2e-4
        assert abs(d) < 1e-2
    # the plotted residuals belong to their plots: y - mu - u_Geno
    blup = m.coef_random["solution"].rename(lambda s: s.removeprefix("Geno_"))
    mu = m.coef_fixed["solution"].iloc[0]
    expected = plots["y"] - mu - blup.reindex(plots["Geno"]).to_numpy()
    np.testing.assert_allclose(m.residuals.reindex(plots.index), expected, atol=1e-9)
