"""examples/sire_model.py against Henderson's mixed model equations built here with numpy."""

import contextlib
import io

import numpy as np
import pytest


@pytest.fixture(scope="module")
def run(tmp_path_factory, load_example):
    mod = load_example("sire_model")
    out = tmp_path_factory.mktemp("sire")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        res = mod.main(out)
    res["printed"] = buf.getvalue()
    return mod, res, out


def _design(df):
    """X with R's treatment contrasts (first level of herd and sex as reference), Z, y."""
    herds = sorted(df["herd"].unique())
    sexes = sorted(df["sex"].unique())
    sires = sorted(df["sire"].unique())
    cols = [np.ones(len(df))]
    cols += [(df["herd"] == h).to_numpy(float) for h in herds[1:]]
    cols += [(df["sex"] == s).to_numpy(float) for s in sexes[1:]]
    X = np.column_stack(cols)
    Z = np.column_stack([(df["sire"] == s).to_numpy(float) for s in sires])
    return X, Z, df["gain"].to_numpy(float), sires


def test_blues_blups_pev_match_hand_built_mme(run):
    mod, res, out = run
    df = res["data"]
    X, Z, y, sires = _design(df)
    p, q = X.shape[1], Z.shape[1]
    lam = mod.SIGMA2_E / mod.SIGMA2_S
    # Henderson's MME scaled by sigma2_E: [X'X X'Z; Z'X Z'Z + lam I] [b; s] = [X'y; Z'y]
    C = np.block([[X.T @ X, X.T @ Z], [Z.T @ X, Z.T @ Z + lam * np.eye(q)]])
    sol = np.linalg.solve(C, np.concatenate([X.T @ y, Z.T @ y]))
    Cinv = np.linalg.inv(C) * mod.SIGMA2_E
    known = res["known"]
    assert known.converged
    np.testing.assert_allclose(known.varcomp["component"], [2.0, 6.0])
    np.testing.assert_allclose(known.coef_fixed["solution"], sol[:p], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(known.coef_fixed["std.error"], np.sqrt(np.diag(Cinv)[:p]),
                               rtol=1e-9)
    blups = res["blups"]
    assert list(blups.index) == sires
    np.testing.assert_allclose(blups["solution"], sol[p:], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(blups["PEV"], np.diag(Cinv)[p:], rtol=1e-9)
    np.testing.assert_allclose(blups["accuracy"], np.sqrt(1 - np.diag(Cinv)[p:] / 2.0),
                               rtol=1e-9)
    # second block of the MME: Z'(y - Xb - Zs) = lam s (shrinkage of each progeny mean)
    e = y - X @ sol[:p] - Z @ sol[p:]
    np.testing.assert_allclose(Z.T @ e, lam * sol[p:], atol=1e-9)
    assert (out / "sire_model.png").stat().st_size > 1000


def _reml_loglik(theta, X, Z, y):
    """Full REML log-likelihood (lme4's logLik(REML=TRUE)) from V = s2s ZZ' + s2e I."""
    s2s, s2e = theta
    n, p = X.shape
    V = s2s * Z @ Z.T + s2e * np.eye(n)
    Vi = np.linalg.inv(V)
    XtViX = X.T @ Vi @ X
    P = Vi - Vi @ X @ np.linalg.solve(XtViX, X.T @ Vi)
    return -0.5 * ((n - p) * np.log(2 * np.pi) + np.linalg.slogdet(V)[1]
                   + np.linalg.slogdet(XtViX)[1] + y @ P @ y)


def test_free_fit_maximises_an_independent_reml_likelihood(run):
    _, res, _ = run
    X, Z, y, _ = _design(res["data"])
    free = res["free"]
    assert free.converged
    est = free.varcomp["component"].to_numpy()
    assert free.loglik == pytest.approx(_reml_loglik(est, X, Z, y), abs=1e-7)
    # the REML score (central differences of the independent likelihood) vanishes there
    for k in range(2):
        h = np.zeros(2)
        h[k] = 1e-5 * est[k]
        grad = (_reml_loglik(est + h, X, Z, y) - _reml_loglik(est - h, X, Z, y)) / (2 * h[k])
        assert abs(grad * est[k]) < 1e-5
    # the fixed-variance fit's log-likelihood is the same function at (2, 6)
    assert res["known"].loglik == pytest.approx(_reml_loglik([2.0, 6.0], X, Z, y), abs=1e-7)
    # vpredict: t and h2 = 4t by the delta method, recomputed from the AI inverse
    t = est[0] / est.sum()
    g = np.array([est[1], -est[0]]) / est.sum() ** 2
    se = np.sqrt(g @ free.result.vcov_theta @ g)
    np.testing.assert_allclose(res["h2"]["Estimate"], [t, 4 * t], rtol=1e-10)
    np.testing.assert_allclose(res["h2"]["SE"], [se, 4 * se], rtol=1e-8)


def test_example_prints_the_tables(run):
    text = run[1]["printed"]
    for piece in ("BLUEs", "BLUPs of the sires", "PEV", "accuracy", "Wald", "REML estimates"):
        assert piece in text
