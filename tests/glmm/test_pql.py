"""GLMMs by PQL (family=) against an independent dense PQL (tests/glmm/_dense_pql.py), the
logistic-regression MLE (no random effects), and the binomial aggregation identity."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_pql import dense_pql
from scipy import optimize

import asr_py as asr
from asr_py.errors import AsrError, DataError, ModelError


def _binary(n_groups: int = 30, per: int = 12, seed: int = 1, sd: float = 0.9,
            link: str = "logit") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_groups), per)
    x = rng.normal(size=g.size)
    eta = -0.4 + 0.6 * x + rng.normal(0, sd, n_groups)[g]
    p = 1 / (1 + np.exp(-eta)) if link == "logit" else __import__("scipy").stats.norm.cdf(eta)
    return pd.DataFrame({"y": rng.binomial(1, p).astype(float), "x": x,
                         "g": [f"G{i:02d}" for i in g]})


def _design(df: pd.DataFrame, factor: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    X = np.column_stack([np.ones(len(df)), df["x"].to_numpy()])
    levels = sorted(df[factor].unique())
    Z = (df[factor].to_numpy()[:, None] == np.array(levels)[None, :]).astype(float)
    return X, Z, levels


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_binary_random_intercept_matches_dense_pql(link: str) -> None:
    df = _binary(link=link)
    m = asr.asreml("y ~ x", random="~ g", data=df, family=asr.asr_binomial(link=link))
    assert m.converged
    X, Z, levels = _design(df, "g")
    ref = dense_pql(df["y"].to_numpy(), np.ones(len(df)), X, [Z], [np.eye(len(levels))],
                    "binomial", link)
    assert m.varcomp.loc["g", "component"] == pytest.approx(ref["sig"][0], rel=1e-5)
    assert m.varcomp.loc["units!R", "component"] == 1.0
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(), ref["beta"], atol=1e-6)
    blup = m.coef_random["solution"].to_numpy()
    np.testing.assert_allclose(blup, ref["u"][0], atol=1e-6)
    np.testing.assert_allclose(m.linear_predictor.to_numpy(), ref["eta"], atol=1e-6)


def test_poisson_with_estimated_dispersion_matches_dense_pql() -> None:
    rng = np.random.default_rng(7)
    g = np.repeat(np.arange(25), 8)
    x = rng.normal(size=g.size)
    lam = np.exp(1.0 + 0.3 * x + rng.normal(0, 0.5, 25)[g])
    df = pd.DataFrame({"y": rng.poisson(lam * rng.gamma(4, 0.25, g.size)).astype(float),
                       "x": x, "g": [f"G{i}" for i in g]})
    m = asr.asreml("y ~ x", random="~ g", data=df,
                   family=asr.asr_poisson(dispersion=None))
    assert m.converged
    X, Z, _ = _design(df, "g")
    ref = dense_pql(df["y"].to_numpy(), np.ones(len(df)), X, [Z], [np.eye(Z.shape[1])],
                    "poisson", "log", dispersion=None)
    assert m.varcomp.loc["g", "component"] == pytest.approx(ref["sig"][0], rel=1e-5)
    assert m.varcomp.loc["units!R", "component"] == pytest.approx(ref["phi"], rel=1e-5)
    assert ref["phi"] > 1.05  # the simulated counts are over-dispersed
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(), ref["beta"], atol=1e-6)


def _tabular_a(sire: list[int], dam: list[int]) -> np.ndarray:
    """Numerator relationship matrix by the tabular method (parents precede offspring,
    0 = unknown, animals numbered 1..n)."""
    n = len(sire)
    A = np.zeros((n, n))
    for i in range(n):
        s, d = sire[i] - 1, dam[i] - 1
        for j in range(i):
            A[i, j] = A[j, i] = 0.5 * ((A[j, s] if s >= 0 else 0) + (A[j, d] if d >= 0 else 0))
        A[i, i] = 1 + (0.5 * A[s, d] if s >= 0 and d >= 0 else 0)
    return A


def test_binary_animal_model_matches_dense_pql() -> None:
    rng = np.random.default_rng(3)
    n0, n1 = 40, 160
    sire = [0] * n0 + list(rng.integers(1, 11, n1))
    dam = [0] * n0 + list(rng.integers(11, n0 + 1, n1))
    A = _tabular_a(sire, dam)
    a = np.linalg.cholesky(A) @ rng.normal(0, 1.0, n0 + n1)
    eta = -0.5 + a
    y = rng.binomial(1, 1 / (1 + np.exp(-eta))).astype(float)
    ped = pd.DataFrame({"id": np.arange(1, n0 + n1 + 1), "sire": sire, "dam": dam})
    df = pd.DataFrame({"id": ped["id"], "y": y}).iloc[n0:]  # founders have no record
    m = asr.asreml("y ~ 1", random="~ vm(id, Ainv)", data=df, Ainv=asr.ainverse(ped),
                   family=asr.asr_binomial())
    assert m.converged
    Z = np.zeros((len(df), n0 + n1))
    Z[np.arange(len(df)), df["id"].to_numpy() - 1] = 1
    ref = dense_pql(y[n0:], np.ones(len(df)), np.ones((len(df), 1)), [Z], [A],
                    "binomial", "logit")
    comp = m.varcomp["component"].to_numpy()
    assert comp[0] == pytest.approx(ref["sig"][0], rel=1e-4)
    assert m.coef_fixed["solution"].iloc[0] == pytest.approx(ref["beta"][0], abs=1e-6)
    np.testing.assert_allclose(m.linear_predictor.to_numpy(), ref["eta"], atol=1e-5)


def test_no_random_terms_is_the_logistic_regression_mle() -> None:
    df = _binary(seed=5)
    m = asr.asreml("y ~ x", data=df, family=asr.asr_binomial())
    X = np.column_stack([np.ones(len(df)), df["x"].to_numpy()])
    y = df["y"].to_numpy()

    def nll(b: np.ndarray) -> float:
        e = X @ b
        return float(np.sum(np.logaddexp(0, e) - y * e))

    mle = optimize.minimize(nll, np.zeros(2), method="BFGS", options={"gtol": 1e-10}).x
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(), mle, atol=1e-6)
    # Var(β̂) is the inverse Fisher information X'WX at the MLE
    p = 1 / (1 + np.exp(-X @ mle))
    info = X.T @ (X * (p * (1 - p))[:, None])
    np.testing.assert_allclose(m.vcov_fixed.to_numpy(), np.linalg.inv(info), rtol=1e-5)
    # the deviance of a binary GLM is −2 log L
    assert m.deviance == pytest.approx(2 * nll(mle), rel=1e-8)


def test_aggregated_binomial_equals_binary_records() -> None:
    """Binomial counts out of totals (total=), proportions with prior weights (asreml 3) and
    the expanded 0/1 records are the same data: same estimates with the dispersion at 1."""
    rng = np.random.default_rng(11)
    rows = []
    for gi in range(20):
        ug = rng.normal(0, 0.8)
        for trt in ("a", "b"):
            n = int(rng.integers(3, 15))
            p = 1 / (1 + np.exp(-(-0.2 + (0.7 if trt == "b" else 0) + ug)))
            rows.append((f"G{gi}", trt, n, int(rng.binomial(n, p))))
    agg = pd.DataFrame(rows, columns=["g", "trt", "n", "k"])
    agg["prop"] = agg["k"] / agg["n"]
    long = pd.DataFrame([(g, t, float(j < k)) for g, t, n, k in rows for j in range(n)],
                        columns=["g", "trt", "y"])
    m_tot = asr.asreml("k ~ trt", random="~ g", data=agg,
                       family=asr.asr_binomial(total="n"))
    m_w = asr.asreml("prop ~ trt", random="~ g", data=agg, weights="n",
                     family=asr.asr_binomial())
    m_long = asr.asreml("y ~ trt", random="~ g", data=long, family=asr.asr_binomial())
    for m in (m_tot, m_w):
        assert m.varcomp.loc["g", "component"] == pytest.approx(
            m_long.varcomp.loc["g", "component"], rel=1e-5)
        np.testing.assert_allclose(m.coef_fixed["solution"], m_long.coef_fixed["solution"],
                                   atol=1e-6)
        np.testing.assert_allclose(m.coef_random["solution"], m_long.coef_random["solution"],
                                   atol=1e-6)
    np.testing.assert_allclose(m_tot.fitted.to_numpy(), m_w.fitted.to_numpy(), atol=1e-9)
    # fitted values are proportions: inverse logit of the linear predictor
    eta = m_tot.linear_predictor.to_numpy()
    np.testing.assert_allclose(m_tot.fitted.to_numpy(), 1 / (1 + np.exp(-eta)), atol=1e-12)


def test_residual_types_and_deviance() -> None:
    df = _binary(seed=2)
    m = asr.asreml("y ~ x", random="~ g", data=df, family="binomial")
    y, mu = df["y"].to_numpy(), m.fitted.to_numpy()
    dev_i = -2 * (y * np.log(mu) + (1 - y) * np.log(1 - mu))
    assert m.deviance == pytest.approx(dev_i.sum(), rel=1e-10)
    np.testing.assert_allclose(m.residuals.to_numpy(), np.sign(y - mu) * np.sqrt(dev_i))
    np.testing.assert_allclose(m.resid("pearson").to_numpy(),
                               (y - mu) / np.sqrt(mu * (1 - mu)))
    np.testing.assert_allclose(m.resid("response").to_numpy(), y - mu)
    assert np.isnan(m.aic) and np.isnan(m.bic)
    assert "binomial" in m.summary() and "deviance" in m.summary()
    with pytest.raises(AsrError, match="resid"):
        m.resid("raw")


def test_row_order_and_labels_do_not_change_the_fit() -> None:
    df = _binary(seed=4)
    m = asr.asreml("y ~ x", random="~ g", data=df, family=asr.asr_binomial())
    perm = np.random.default_rng(0).permutation(len(df))
    df2 = df.iloc[perm].copy()
    df2["g"] = df2["g"].map(lambda s: "z" + s[::-1])
    m2 = asr.asreml("y ~ x", random="~ g", data=df2, family=asr.asr_binomial())
    assert m2.varcomp.loc["g", "component"] == pytest.approx(
        m.varcomp.loc["g", "component"], rel=1e-7)
    np.testing.assert_allclose(m2.coef_fixed["solution"], m.coef_fixed["solution"], atol=1e-8)
    assert m2.deviance == pytest.approx(m.deviance, rel=1e-9)


def test_bad_input_gets_clear_errors() -> None:
    df = _binary()
    bad = df.assign(y=df["y"] * 2)
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        asr.asreml("y ~ x", random="~ g", data=bad, family=asr.asr_binomial())
    with pytest.raises(DataError, match="column 'n' is not in the data"):
        asr.asreml("y ~ x", data=df, family=asr.asr_binomial(total="n"))
    with pytest.raises(AsrError, match="link 'log' is not available"):
        asr.asr_binomial(link="log")
    with pytest.raises(AsrError, match="family="):
        asr.asreml("y ~ x", data=df, family="negbin")
    with pytest.raises(DataError, match="Poisson counts"):
        asr.asreml("x ~ 1", data=df, family=asr.asr_poisson())
    two = df.assign(y2=df["y"])
    with pytest.raises(ModelError, match="one family per trait"):
        asr.asreml("cbind(y, y2) ~ trait", random="~ g", residual="~ units:us(trait)",
                   data=two, family=asr.asr_binomial())
    # nothing the user passed is mutated
    assert df.equals(_binary())


def test_gamma_log_link_matches_dense_pql() -> None:
    rng = np.random.default_rng(21)
    g = np.repeat(np.arange(20), 10)
    x = rng.normal(size=g.size)
    mu = np.exp(2.0 + 0.4 * x + rng.normal(0, 0.4, 20)[g])
    df = pd.DataFrame({"y": rng.gamma(5.0, mu / 5.0), "x": x, "g": [f"G{i}" for i in g]})
    m = asr.asreml("y ~ x", random="~ g", data=df,
                   family=asr.asr_Gamma(link="log", dispersion=None))
    X, Z, _ = _design(df, "g")
    ref = dense_pql(df["y"].to_numpy(), np.ones(len(df)), X, [Z], [np.eye(Z.shape[1])],
                    "Gamma", "log", dispersion=None)
    assert m.varcomp.loc["g", "component"] == pytest.approx(ref["sig"][0], rel=1e-5)
    # the dispersion of a Gamma with shape 5 is about 1/5
    assert m.varcomp.loc["units!R", "component"] == pytest.approx(ref["phi"], rel=1e-5)
    assert 0.1 < ref["phi"] < 0.4
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(), ref["beta"], atol=1e-6)


def test_predictions_on_both_scales_and_liability_heritability() -> None:
    df = _binary(seed=8)
    m = asr.asreml("y ~ x", random="~ g", data=df, family=asr.asr_binomial())
    p = m.predict(classify="x")
    eta, se = p["predicted.value"].to_numpy(), p["std.error"].to_numpy()
    np.testing.assert_allclose(p["transformed.value"], 1 / (1 + np.exp(-eta)))
    np.testing.assert_allclose(p["approx.se"],
                               1 / (1 + np.exp(-eta)) - 1 / (1 + np.exp(se - eta)))
    assert m.link_variance == pytest.approx(np.pi ** 2 / 3)
    s2 = m.varcomp.loc["g", "component"]
    h2 = m.vpredict(f"h2 ~ V1/(V1 + {m.link_variance!r})")
    assert h2["Estimate"].iloc[0] == pytest.approx(s2 / (s2 + np.pi ** 2 / 3), rel=1e-10)
    assert asr.asr_binomial(link="probit").latent_residual_variance == 1.0
    assert asr.asr_poisson().latent_residual_variance is None


def test_simulated_binary_data_follow_the_fitted_model() -> None:
    """Marginal mean of simulated 0/1 data per record = E over u of g⁻¹(x'β + u), u ~ N(0,
    σ²): computed here by Gauss-Hermite quadrature."""
    df = _binary(seed=9)
    m = asr.asreml("y ~ x", random="~ g", data=df, family=asr.asr_binomial())
    sims = m.simulate(3000, seed=1).to_numpy()
    assert set(np.unique(sims)) <= {0.0, 1.0}
    s2 = m.varcomp.loc["g", "component"]
    xb = np.column_stack([np.ones(len(df)), df["x"]]) @ m.coef_fixed["solution"].to_numpy()
    t, wq = np.polynomial.hermite_e.hermegauss(40)
    p = (1 / (1 + np.exp(-(xb[:, None] + np.sqrt(s2) * t[None, :])))) @ wq / wq.sum()
    se = np.sqrt(p * (1 - p) / 3000)
    assert np.all(np.abs(sims.mean(axis=1) - p) < 5 * se)


def test_binary_gblup_with_a_singular_relationship_matrix() -> None:
    """A centred genomic G of rank < n (30 markers, 80 lines): the fit uses K = LL' and
    matches the dense PQL, whose V holds K itself (no inverse, no ridge)."""
    rng = np.random.default_rng(12)
    n, m = 80, 30
    M = rng.binomial(2, 0.4, size=(n, m)).astype(float)
    W = M - M.mean(axis=0)
    K = W @ W.T / (2 * 0.4 * 0.6 * m)
    assert np.linalg.matrix_rank(K) < n
    ids = [f"L{i}" for i in range(n)]
    g = np.linalg.eigh(K)[1] @ (np.sqrt(np.clip(np.linalg.eigvalsh(K), 0, None))
                                * rng.normal(size=n))
    reps = 3
    df = pd.DataFrame({"id": np.repeat(ids, reps)})
    eta = -0.2 + np.repeat(g, reps)
    df["y"] = rng.binomial(1, 1 / (1 + np.exp(-eta))).astype(float)
    kdf = pd.DataFrame(K, index=ids, columns=ids)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m_ = asr.asreml("y ~ 1", random="~ vm(id, K, singG = 'PSD')", data=df, K=kdf,
                        family=asr.asr_binomial())
    Z = np.kron(np.eye(n), np.ones((reps, 1)))
    ref = dense_pql(df["y"].to_numpy(), np.ones(len(df)), np.ones((len(df), 1)), [Z], [K],
                    "binomial", "logit")
    assert m_.varcomp["component"].iloc[0] == pytest.approx(ref["sig"][0], rel=1e-4)
    np.testing.assert_allclose(m_.linear_predictor.to_numpy(), ref["eta"], atol=1e-5)
