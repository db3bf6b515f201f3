"""Constraint 'U' on a variance (issue 11, item 5): the estimate may go below zero while
V = ZGZ' + R stays positive definite (ASReml's unconstrained variance).

Data: records within a block negatively correlated (compound symmetry with ρ < 0), i.e. a
block variance below zero. Checked against (a) the balanced one-way ANOVA estimators, which
are the unconstrained REML estimates in closed form (σ²_e = MSW, σ²_b = (MSB − MSW)/m,
Searle, Casella & McCulloch 1992, §3.7), and (b) a dense-V REML maximised by scipy over the
unconstrained variance (tests/_dense_reml.py, numpy/scipy only).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _dense_reml import maximise, reml_loglik

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.reml.auto import choose_path
from asr_py.reml.indefinite import SignedModel, VNotPositiveDefinite
from asr_py.reml.mme import MME


def _cs_data(sizes: list[int], rho: float = -0.15, s2: float = 2.0, seed: int = 7
             ) -> pd.DataFrame:
    """y = 10 + 0.5 x + e, e ~ N(0, s2 [(1 − ρ)I + ρJ]) within each block."""
    rng = np.random.default_rng(seed)
    ys, blocks = [], []
    for b, m in enumerate(sizes):
        v = s2 * ((1 - rho) * np.eye(m) + rho * np.ones((m, m)))
        ys.append(np.linalg.cholesky(v) @ rng.standard_normal(m))
        blocks += [f"b{b:03d}"] * m
    x = rng.uniform(0, 4, sum(sizes))
    return pd.DataFrame({"y": np.concatenate(ys) + 10 + 0.5 * x, "x": x,
                         "block": pd.Categorical(blocks)})


def _unconstrained(df: pd.DataFrame, fixed: str, start: float | None = None) -> pd.DataFrame:
    sv = asr.asreml(fixed, random="~ block", data=df, start_values=True)
    sv.loc[sv.Component == "block", "Constraint"] = "U"
    if start is not None:
        sv.loc[sv.Component == "block", "Value"] = start
    return sv


def _fit_u(df: pd.DataFrame, fixed: str = "y ~ 1 + x", start: float | None = -0.05):
    return asr.asreml(fixed, random="~ block", data=df, params=_unconstrained(df, fixed, start))


def _design(df: pd.DataFrame, with_x: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = df["y"].to_numpy(float)
    X = np.column_stack([np.ones(len(df)), df["x"].to_numpy(float)]) if with_x else \
        np.ones((len(df), 1))
    Z = pd.get_dummies(df["block"]).to_numpy(float)
    return y, X, Z


def _dense_optimum(df: pd.DataFrame, with_x: bool = True) -> tuple[np.ndarray, float]:
    """argmax over (σ²_b unconstrained, σ²_e > 0) of the dense-V REML log-likelihood."""
    y, X, Z = _design(df, with_x)
    zz = Z @ Z.T
    eye = np.eye(len(y))

    def ll(t: np.ndarray) -> float:
        return reml_loglik(y, X, t[0] * zz + t[1] * eye) if t[1] > 0 else -np.inf

    v = float(np.var(y))
    return maximise(ll, [np.array([-0.05 * v, v])])


UNBAL = [3, 4, 5, 6, 4, 5, 3, 6] * 4  # 32 blocks, 144 records


@pytest.fixture(scope="module")
def unbalanced() -> pd.DataFrame:
    return _cs_data(UNBAL)


@pytest.fixture(scope="module")
def fit_u(unbalanced: pd.DataFrame):
    return _fit_u(unbalanced)


def test_balanced_matches_the_anova_closed_form() -> None:
    m, nb = 4, 60
    df = _cs_data([m] * nb, rho=-0.2, seed=3)
    fit = _fit_u(df, "y ~ 1")
    y = df["y"].to_numpy().reshape(nb, m)
    msb = m * float(((y.mean(1) - y.mean()) ** 2).sum()) / (nb - 1)
    msw = float(((y - y.mean(1, keepdims=True)) ** 2).sum()) / (nb * (m - 1))
    assert msb < msw  # the closed-form optimum is below zero
    vc = fit.varcomp["component"]
    assert vc["block"] == pytest.approx((msb - msw) / m, rel=1e-6)
    assert vc["units!R"] == pytest.approx(msw, rel=1e-6)


def test_matches_dense_reml_with_the_variance_unconstrained(unbalanced, fit_u) -> None:
    x, ll = _dense_optimum(unbalanced)
    assert x[0] < 0
    assert fit_u.converged
    assert fit_u.loglik == pytest.approx(ll, abs=1e-6)
    vc = fit_u.varcomp["component"]
    assert vc["block"] == pytest.approx(x[0], abs=1e-4)
    assert vc["units!R"] == pytest.approx(x[1], abs=1e-4)


def test_reported_as_an_unconstrained_estimate(fit_u) -> None:
    row = fit_u.varcomp.loc["block"]
    assert row["component"] < 0 and row["bound"] == "U"
    assert np.isfinite(row["std.error"]) and row["std.error"] > 0
    assert not fit_u.result.boundary.any()
    diags = fit_u.result.diagnostics
    assert not any("boundary" in d or "value of zero" in d for d in diags)
    # G is negative definite: no prediction error variances for its "random effects"
    assert any("BLUPs are given without prediction error variances" in d for d in diags)
    assert np.isnan(fit_u.result.pev[0]).all()
    assert np.isnan(fit_u.coef_random["std.error"]).all()


def test_standard_error_is_the_inverse_observed_information(unbalanced, fit_u) -> None:
    """AI ≈ observed information at the optimum: the SE of σ²_b from a finite-difference
    Hessian of the dense log-likelihood agrees to a few per cent."""
    y, X, Z = _design(unbalanced)
    zz, eye = Z @ Z.T, np.eye(len(y))
    t = fit_u.varcomp["component"].to_numpy()
    h = 1e-3 * np.abs(t)

    def f(a: np.ndarray) -> float:
        return reml_loglik(y, X, a[0] * zz + a[1] * eye)

    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h[i], np.eye(2)[j] * h[j]
            hess[i, j] = (f(t + ei + ej) - f(t + ei - ej) - f(t - ei + ej) + f(t - ei - ej)) / (
                4 * h[i] * h[j])
    se = np.sqrt(np.diag(np.linalg.inv(-hess)))
    assert fit_u.varcomp["std.error"].to_numpy() == pytest.approx(se, rel=0.05)


def test_v_is_positive_definite_at_the_optimum(unbalanced, fit_u) -> None:
    _, _, Z = _design(unbalanced)
    sb, se = fit_u.varcomp["component"]
    lam = np.linalg.eigvalsh(sb * Z @ Z.T + se * np.eye(Z.shape[0]))
    assert lam[0] > 0
    # ... while G itself is negative definite: the estimate is honestly below zero
    assert sb < 0 and se + max(UNBAL) * sb > 0


def test_constraint_p_stays_at_zero_with_a_lower_loglik(unbalanced, fit_u) -> None:
    fit_p = asr.asreml("y ~ 1 + x", random="~ block", data=unbalanced)
    assert fit_p.varcomp["component"]["block"] <= 1e-6 * fit_p.varcomp["component"]["units!R"]
    assert fit_p.varcomp.loc["block", "bound"] == "B"
    y, X, _ = _design(unbalanced)
    s2 = float(y @ y - y @ X @ np.linalg.solve(X.T @ X, X.T @ y)) / (len(y) - 2)
    ll0 = reml_loglik(y, X, s2 * np.eye(len(y)))  # the REML optimum with σ²_b = 0
    assert fit_p.loglik == pytest.approx(ll0, abs=1e-5)
    assert fit_u.loglik > fit_p.loglik + 1.0


def test_start_value_with_v_not_positive_definite_is_a_clear_error(unbalanced) -> None:
    sv = _unconstrained(unbalanced, "y ~ 1 + x")
    se = float(sv.loc[sv.Component == "units!R", "Value"].iloc[0])
    sv.loc[sv.Component == "block", "Value"] = -1.3 * se / max(UNBAL)  # V indefinite
    before = sv.copy()
    with pytest.raises(AsrError, match="not positive definite") as e:
        asr.asreml("y ~ 1 + x", random="~ block", data=unbalanced, params=sv)
    assert "'U'" in (e.value.hint or "")
    pd.testing.assert_frame_equal(sv, before)  # nothing the user passed is mutated


def test_negative_start_value_accepted_when_v_is_pd(unbalanced, fit_u) -> None:
    sv = _unconstrained(unbalanced, "y ~ 1 + x")
    se = float(sv.loc[sv.Component == "units!R", "Value"].iloc[0])
    fit = _fit_u(unbalanced, start=-0.9 * se / max(UNBAL))  # V PD, close to its boundary
    assert fit.loglik == pytest.approx(fit_u.loglik, abs=1e-7)


def test_units_invariance(unbalanced, fit_u) -> None:
    c = 1000.0
    fit_c = _fit_u(unbalanced.assign(y=unbalanced["y"] * c), start=-0.05 * c**2)
    assert fit_c.varcomp["component"].to_numpy() == pytest.approx(
        fit_u.varcomp["component"].to_numpy() * c**2, rel=1e-6)
    # REML of n − p error contrasts: ℓ(c²θ; cy) = ℓ(θ; y) − (n − p) log c
    n_p = len(unbalanced) - 2
    assert fit_c.loglik == pytest.approx(fit_u.loglik - n_p * np.log(c), abs=1e-6)


def test_row_order_invariance(unbalanced, fit_u) -> None:
    perm = np.random.default_rng(0).permutation(len(unbalanced))
    fit = _fit_u(unbalanced.iloc[perm].reset_index(drop=True))
    assert fit.loglik == pytest.approx(fit_u.loglik, abs=1e-7)
    assert fit.varcomp["component"].to_numpy() == pytest.approx(
        fit_u.varcomp["component"].to_numpy(), rel=1e-6)


def test_no_warning_for_a_converged_negative_estimate(unbalanced) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _fit_u(unbalanced)


# ---- the engine: the inertia test and ℓ at an indefinite G --------------------------------

def _problem(df: pd.DataFrame, theta0: list[float]):
    sv = _unconstrained(df, "y ~ 1 + x")
    assert list(sv.Component) == ["block", "units!R"]
    sv["Value"] = theta0
    from asr_py.model.spec import compile_model

    model = compile_model("y ~ 1 + x", "~ block", None, df)
    model.apply_params(sv)
    return model.problem()


@pytest.mark.parametrize("frac", [-1.3, -1.01, -0.99, -0.7, -0.2, 0.4])
def test_inertia_test_is_v_positive_definite(unbalanced, frac: float) -> None:
    """σ²_b = frac · σ²_e / max block size: V is PD iff frac > −1 (the largest block)."""
    se = 1.7
    sb = frac * se / max(UNBAL)
    prob = _problem(unbalanced, [sb, se])
    y, X, Z = _design(unbalanced)
    V = sb * Z @ Z.T + se * np.eye(len(y))
    pd_v = np.linalg.eigvalsh(V)[0] > 0
    assert pd_v == (frac > -1)
    mme = MME(prob)
    if not pd_v:
        with pytest.raises(VNotPositiveDefinite):
            mme.evaluate(np.array([sb, se]))
        return
    st = mme.evaluate(np.array([sb, se]))
    assert st.loglik == pytest.approx(reml_loglik(y, X, V), abs=1e-8)
    # the score at an indefinite G: central differences of the dense log-likelihood
    s, _ = mme.score_ai(st)
    for k, d in enumerate([Z @ Z.T, np.eye(len(y))]):
        h = 1e-5 * abs([sb, se][k])
        fd = (reml_loglik(y, X, V + h * d) - reml_loglik(y, X, V - h * d)) / (2 * h)
        assert s[k] == pytest.approx(fd, rel=1e-5, abs=1e-6)


def test_test_is_on_the_random_block_not_on_c() -> None:
    """neg(C) can equal neg(G) with V indefinite (X'V⁻¹X indefinite too): one block of 2
    records, σ²_b = −0.6, σ²_e = 1 gives V with eigenvalues −0.2 and 1, and with X = the
    eigenvector of −0.2, X'V⁻¹X < 0; C has one negative eigenvalue, as G has."""
    from asr_py.reml.problem import MixedProblem, RandomBlock
    from asr_py.vcov.identity import IdentityV

    x = np.array([[1.0], [1.0]])
    z = sp.csc_matrix(np.ones((2, 1)))
    prob = MixedProblem(y=np.array([0.3, -0.1]), X=x,
                        random=[RandomBlock("b", z, IdentityV(["b1"], name="b"))],
                        residual=IdentityV(["1", "2"], name="units"),
                        theta0=np.array([-0.6, 1.0]), constraints=["U", "P"],
                        names=["b", "units!R"])
    c = np.array([[2.0, 2.0], [2.0, 2.0 - 1 / 0.6]])  # W'W + blockdiag(0, G⁻¹)
    assert int(np.sum(np.linalg.eigvalsh(c) < 0)) == 1  # = neg(G): the test on C would pass
    with pytest.raises(VNotPositiveDefinite):
        SignedModel(prob).factor(c, np.array([-0.6, 1.0]), 1)


def test_signed_known_matrix_term_matches_dense_reml() -> None:
    """σ²K with σ² < 0 (the Kronecker sign flip in SignedTemplate)."""
    rng = np.random.default_rng(5)
    n = 60
    ids = [f"i{k}" for k in range(n)]
    fam = np.repeat(np.arange(15), 4)
    K = 0.5 * (fam[:, None] == fam[None, :]) + 0.5 * np.eye(n)
    K = pd.DataFrame(K, index=ids, columns=ids)
    y = rng.standard_normal(n) + 3
    df = pd.DataFrame({"y": y, "id": pd.Categorical(ids, categories=ids)})
    sv = asr.asreml("y ~ 1", random="~ vm(id, K)", data=df, K=K, start_values=True)
    sv.loc[0, "Constraint"] = "U"
    sv["Value"] = [-0.3, 1.5]
    from asr_py.model.spec import compile_model

    model = compile_model("y ~ 1", "~ vm(id, K)", None, df, K=K)
    model.apply_params(sv)
    prob = model.problem()
    assert choose_path(prob).path == "mme" and "'U'" in choose_path(prob).reason
    mme = MME(prob)
    V = -0.3 * K.to_numpy() + 1.5 * np.eye(n)
    assert np.linalg.eigvalsh(V)[0] > 0
    st = mme.evaluate(np.array([-0.3, 1.5]))
    assert st.loglik == pytest.approx(reml_loglik(y, np.ones((n, 1)), V), abs=1e-8)


def test_from_the_default_positive_start_it_crosses_zero(unbalanced, fit_u) -> None:
    sv = _unconstrained(unbalanced, "y ~ 1 + x")
    assert float(sv.loc[sv.Component == "block", "Value"].iloc[0]) > 0
    fit = asr.asreml("y ~ 1 + x", random="~ block", data=unbalanced, params=sv)
    assert fit.converged
    assert fit.loglik == pytest.approx(fit_u.loglik, abs=1e-7)
    assert fit.varcomp["component"]["block"] == pytest.approx(
        fit_u.varcomp["component"]["block"], rel=1e-5)


def test_ml_fit_matches_dense_ml(unbalanced) -> None:
    """method='ML' (its GLS pass fixes θ at the negative estimate) against the dense ML
    log-likelihood −½[n log 2π + log|V| + (y − Xβ̂)'V⁻¹(y − Xβ̂)] maximised by scipy."""
    y, X, Z = _design(unbalanced)
    zz, eye, n = Z @ Z.T, np.eye(len(y)), len(y)

    def ll(t: np.ndarray) -> float:
        V = t[0] * zz + t[1] * eye
        if t[1] <= 0 or np.linalg.eigvalsh(V)[0] <= 0:
            return -np.inf
        vi_x, vi_y = np.linalg.solve(V, X), np.linalg.solve(V, y)
        beta = np.linalg.solve(X.T @ vi_x, X.T @ vi_y)
        e = y - X @ beta
        return -0.5 * (n * np.log(2 * np.pi) + np.linalg.slogdet(V)[1]
                       + float(e @ np.linalg.solve(V, e)))

    x, best = maximise(ll, [np.array([-0.1, 1.5])])
    assert x[0] < 0
    fit = asr.asreml("y ~ 1 + x", random="~ block", data=unbalanced, method="ML",
                     params=_unconstrained(unbalanced, "y ~ 1 + x", -0.05))
    assert fit.loglik == pytest.approx(best, abs=1e-6)
    assert fit.varcomp["component"].to_numpy() == pytest.approx(x, abs=1e-4)


def test_a_u_variance_starting_at_zero_is_a_clear_error(unbalanced) -> None:
    with pytest.raises(AsrError, match="outside the parameter space") as e:
        _fit_u(unbalanced, start=0.0)
    assert "exactly 0" in (e.value.hint or "")


def test_a_negative_residual_variance_is_refused_with_a_hint(unbalanced) -> None:
    sv = _unconstrained(unbalanced, "y ~ 1 + x")
    sv.loc[sv.Component == "units!R", ["Value", "Constraint"]] = [-1.0, "U"]
    with pytest.raises(AsrError, match="units!R") as e:
        asr.asreml("y ~ 1 + x", random="~ block", data=unbalanced, params=sv)
    assert "residual" in (e.value.hint or "")


def test_the_eigen_path_says_it_does_not_apply(unbalanced) -> None:
    with pytest.raises(AsrError, match="'U'"):
        asr.asreml("y ~ 1 + x", random="~ block", data=unbalanced,
                   params=_unconstrained(unbalanced, "y ~ 1 + x", -0.05), solver="eigen")


def test_signed_template_of_an_indefinite_us_matrix() -> None:
    """The dense branch of SignedTemplate: Σ⁻¹, log|det Σ| and the negative eigenvalues of
    an indefinite us() matrix against numpy; a singular one is invalid."""
    from asr_py.reml.indefinite import SignedTemplate
    from asr_py.vcov.unstructured import Unstructured

    t = SignedTemplate(Unstructured(["a", "b", "c"], name="g"), np.array([0, 2, 5]))
    theta = np.array([-1.0, 0.3, 2.0, 0.1, -0.4, 1.5])
    s = np.array([[-1.0, 0.3, 0.1], [0.3, 2.0, -0.4], [0.1, -0.4, 1.5]])
    assert np.asarray(t.inverse(theta)) == pytest.approx(np.linalg.inv(s), abs=1e-12)
    assert t.logdet(theta) == pytest.approx(np.linalg.slogdet(s)[1], abs=1e-12)
    assert t.negatives(theta) == int(np.sum(np.linalg.eigvalsh(s) < 0)) == 1
    assert t.is_valid(theta) and not t.inner.is_valid(theta)
    t1 = SignedTemplate(Unstructured(["a", "b"], name="h"), np.array([0, 2]))
    assert not t1.is_valid(np.array([-1.0, 1.0, -1.0]))  # [[-1, 1], [1, -1]] is singular
    assert t1.is_valid(np.array([-1.0, 1.0, 2.0]))


def _two_sites(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for site, sb in (("A", -0.3), ("B", 1.0)):
        for b in range(16):
            m = [3, 4, 5, 6][b % 4]
            V = sb * np.ones((m, m)) + 2.3 * np.eye(m)
            y = np.linalg.cholesky(V) @ rng.standard_normal(m) + (5 if site == "A" else 7)
            rows += [(site, f"{site}{b}", v) for v in y]
    df = pd.DataFrame(rows, columns=["site", "block", "y"])
    return df.assign(site=pd.Categorical(df.site), block=pd.Categorical(df.block))


def test_one_negative_variance_of_a_diag_term_matches_dense_reml() -> None:
    """random = ~ diag(site):block with site A's variance 'U' (below zero) and site B's 'P'."""
    df = _two_sites()
    sv = asr.asreml("y ~ site", random="~ diag(site):block", data=df, start_values=True)
    assert list(sv.Component) == ["site:block!site_A", "site:block!site_B", "units!R"]
    sv.loc[0, "Constraint"] = "U"
    fit = asr.asreml("y ~ site", random="~ diag(site):block", data=df, params=sv)
    y = df["y"].to_numpy(float)
    X = np.column_stack([np.ones(len(y)), (df["site"] == "B").to_numpy(float)])
    same = df["block"].to_numpy()[:, None] == df["block"].to_numpy()[None, :]
    za = same * (df["site"] == "A").to_numpy()[:, None]
    zb = same * (df["site"] == "B").to_numpy()[:, None]

    def ll(t: np.ndarray) -> float:
        if t[1] < 0 or t[2] <= 0:
            return -np.inf
        return reml_loglik(y, X, t[0] * za + t[1] * zb + t[2] * np.eye(len(y)))

    x, best = maximise(ll, [np.array([-0.1, 0.5, 2.0])])
    assert x[0] < 0 < x[1]
    assert fit.converged and fit.loglik == pytest.approx(best, abs=1e-6)
    assert fit.varcomp["component"].to_numpy() == pytest.approx(x, abs=1e-4)
    assert list(fit.varcomp["bound"]) == ["U", "P", "P"]
