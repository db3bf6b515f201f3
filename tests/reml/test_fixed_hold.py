"""Fixed ('F') variance parameters are not carried through the fit (reml/fixed_hold.py,
vcov/frozen.py): structures whose parameters are all fixed are known covariances, a
structure with many fixed parameters exposes its free ones only.

Independent references: a dense-V REML in numpy (tests/_dense_reml.py) with the fixed
parameters held, maximised over the free ones by L-BFGS-B, and central differences of that
dense ℓ for the score; and the same model with the fixed covariance given as a known matrix
(vm(Gen, K), its scale estimated: at its optimum ŝ, the model with us(Gen) fixed at ŝK has
the same optimum, ℓ, BLUEs and BLUPs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import gls, lbfgsb_max, reml_loglik

import asr_py as asr
from asr_py.model.spec import compile_model
from asr_py.reml import MME, score_ai_at
from asr_py.reml.fixed_hold import hold_fixed
from asr_py.vcov.frozen import Frozen, PartlyFrozen

E, G, REPS = 5, 8, 2
COV = 0.1  # the fixed covariances of us(Env)
RES_FIXED = {"e0": 0.6, "e1": 1.4}  # fixed residual variances of two environments


@pytest.fixture(scope="module")
def met() -> pd.DataFrame:
    """A multi-environment trial simulated from us(Env) x id(Gen) genetic effects and one
    residual variance per environment."""
    rng = np.random.default_rng(7)
    S = np.full((E, E), COV) + np.diag([0.8, 1.5, 1.0, 2.0, 1.2]) - COV * np.eye(E)
    g = rng.multivariate_normal(np.zeros(E), S, size=G)  # G x E
    rows = []
    for e in range(E):
        for k in range(G):
            for _ in range(REPS):
                rows.append((f"e{e}", f"g{k}", 10 + e + g[k, e] + rng.normal(0, 0.5 + 0.3 * e)))
    df = pd.DataFrame(rows, columns=["Env", "Gen", "y"])
    for c in ("Env", "Gen"):
        df[c] = df[c].astype("category")
    return df


KW = dict(random="~ us(Env):Gen", residual="~ dsum(~ units | Env)")


def _table(df: pd.DataFrame) -> pd.DataFrame:
    """Start values with the 10 covariances of us(Env) fixed at COV and two environments'
    residual variances fixed."""
    tab = asr.asreml("y ~ Env", data=df, start_values=True, **KW)
    assert isinstance(tab, pd.DataFrame)
    cov = tab["Kind"] == "covariance"
    assert int(cov.sum()) == E * (E - 1) // 2
    tab.loc[cov, "Value"] = COV
    tab.loc[cov, "Constraint"] = "F"
    for env, v in RES_FIXED.items():
        r = tab["Component"].str.startswith(f"Env_{env}!")
        assert int(r.sum()) == 1
        tab.loc[r, "Value"] = v
        tab.loc[r, "Constraint"] = "F"
    return tab


def _dense(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, object]:
    """y, X and V(x) for x = (5 genetic variances, residual variances of e2, e3, e4)."""
    y = df["y"].to_numpy(float)
    env = df["Env"].cat.codes.to_numpy()
    gen = df["Gen"].cat.codes.to_numpy()
    X = np.column_stack([np.ones(len(y)), (env[:, None] == np.arange(1, E)[None, :])])
    same_gen = (gen[:, None] == gen[None, :]).astype(float)
    r_fixed = np.array([RES_FIXED["e0"], RES_FIXED["e1"]])

    def V(x: np.ndarray) -> np.ndarray:
        S = np.full((E, E), COV)
        S[np.diag_indices(E)] = x[:E]
        r = np.concatenate([r_fixed, x[E:]])
        return S[env][:, env] * same_gen + np.diag(r[env])

    return y, X, V


def test_fit_with_fixed_parameters_matches_dense_reml(met: pd.DataFrame) -> None:
    tab = _table(met)
    m = asr.asreml("y ~ Env", data=met, params=tab, **KW)
    assert m.converged
    vc = m.varcomp
    fixed = tab.loc[tab["Constraint"] == "F", "Component"]
    assert (vc.loc[fixed, "bound"] == "F").all()
    assert vc.loc[fixed, "std.error"].isna().all()
    np.testing.assert_array_equal(vc.loc[fixed, "component"],
                                  tab.set_index("Component").loc[fixed, "Value"])
    y, X, V = _dense(met)
    free = tab.loc[tab["Constraint"] != "F", "Component"].tolist()
    x_asr = vc.loc[free, "component"].to_numpy(float)
    x, ll = lbfgsb_max(lambda z: reml_loglik(y, X, V(z)), x_asr * 1.3, x_asr,
                       [(1e-6, None)] * len(free))
    assert m.loglik == pytest.approx(ll, abs=1e-6)
    assert reml_loglik(y, X, V(x_asr)) == pytest.approx(ll, abs=1e-6)
    np.testing.assert_allclose(x_asr, x, rtol=2e-3)
    beta, cov = gls(y, X, V(x_asr))
    np.testing.assert_allclose(m.coef_fixed["solution"], beta, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(m.coef_fixed["std.error"], np.sqrt(np.diag(cov)), rtol=1e-6)


def _problem(df: pd.DataFrame):  # type: ignore[no-untyped-def]
    model = compile_model("y ~ Env", KW["random"], KW["residual"], df)
    model.apply_params(_table(df))
    return model.problem()


def test_reduced_problem_exposes_only_the_free_parameters(met: pd.DataFrame) -> None:
    prob = _problem(met)
    theta0, offsets = prob.theta0.copy(), [b.offset for b in prob.random]
    held = hold_fixed(prob)
    assert held is not None
    red, back = held
    assert red.n_theta == E + 3  # 5 genetic variances, 3 residual variances
    parts = red.random[0].template.kronecker_factors()  # us(Env) x id(Gen)
    assert parts is not None and isinstance(parts[1][0], PartlyFrozen)
    sections = red.residual.templates  # type: ignore[attr-defined]
    assert [isinstance(s, Frozen) for s in sections] == [True, True, False, False, False]
    np.testing.assert_array_equal(prob.theta0, theta0)  # the caller's problem is unchanged
    assert [b.offset for b in prob.random] == offsets
    assert hold_fixed(red) is None  # nothing more to hold


def test_score_of_the_free_parameters_is_the_dense_gradient(met: pd.DataFrame) -> None:
    """The score of the reduced problem at a point away from the optimum equals central
    differences of the dense ℓ with the fixed parameters held."""
    prob = _problem(met)
    red, back = hold_fixed(prob)  # type: ignore[misc]
    x = np.array([0.7, 1.2, 0.9, 1.6, 1.1, 0.5, 0.8, 1.3])
    ll, s, ai = score_ai_at(red, x)
    y, X, V = _dense(met)
    assert ll == pytest.approx(reml_loglik(y, X, V(x)), abs=1e-8)
    fd = np.empty(x.size)
    for k in range(x.size):
        h = 1e-5 * x[k]
        xp, xm = x.copy(), x.copy()
        xp[k] += h
        xm[k] -= h
        fd[k] = (reml_loglik(y, X, V(xp)) - reml_loglik(y, X, V(xm))) / (2 * h)
    np.testing.assert_allclose(s, fd, rtol=1e-5, atol=1e-7)
    assert ai.shape == (x.size, x.size)
    # the same entries as the score over every parameter of the original problem
    _, s_full, _ = score_ai_at(prob, back.theta(x))
    np.testing.assert_allclose(s, s_full[back.keep], rtol=1e-10, atol=1e-12)


def test_the_engine_works_on_the_free_parameters_only(met: pd.DataFrame,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Every score and AI matrix of the fit is formed over the 8 free parameters, not 25."""
    sizes: list[int] = []
    orig = MME.score_ai

    def spy(self, st):  # type: ignore[no-untyped-def]
        out = orig(self, st)
        sizes.append(out[1].shape[0])
        return out

    monkeypatch.setattr(MME, "score_ai", spy)
    seen: list[int] = []
    m = asr.asreml("y ~ Env", data=met, params=_table(met), **KW)
    assert sizes and set(sizes) == {E + 3}
    r = asr.reml.fit_reml(_problem(met), callback=lambda h: seen.append(h["theta"].size))
    assert set(seen) == {r.theta.size} and r.theta.size == len(_table(met))
    assert len(m.iterations.columns) == 5 + len(_table(met))  # every parameter's history
    assert np.isnan(m.result.score[[c == "F" for c in m.result.constraints]]).all()


def test_fully_fixed_structure_equals_the_known_covariance(met: pd.DataFrame) -> None:
    """us(Gen) with every parameter fixed at ŝK is the known matrix K with its scale at ŝ."""
    rng = np.random.default_rng(3)
    A = rng.normal(size=(G, G))
    K = A @ A.T / G + 0.5 * np.eye(G)
    levels = list(met["Gen"].cat.categories)
    Kdf = pd.DataFrame(K, index=levels, columns=levels)
    known = asr.asreml("y ~ Env", random="~ vm(Gen, K)", data=met, K=Kdf)
    assert known.converged
    s = float(known.varcomp.loc["vm(Gen, K)", "component"])
    tab = asr.asreml("y ~ Env", random="~ us(Gen)", data=met, start_values=True)
    g = tab["Component"].str.startswith("Gen!")
    assert int(g.sum()) == G * (G + 1) // 2
    tab.loc[g, "Value"] = [s * K[i, j] for i in range(G) for j in range(i + 1)]
    tab.loc[g, "Constraint"] = "F"
    held = asr.asreml("y ~ Env", random="~ us(Gen)", data=met, params=tab)
    assert held.converged
    assert held.loglik == pytest.approx(known.loglik, abs=1e-7)
    assert held.varcomp.loc["units!R", "component"] == pytest.approx(
        known.varcomp.loc["units!R", "component"], rel=1e-6)
    np.testing.assert_allclose(held.coef_fixed["solution"], known.coef_fixed["solution"],
                               rtol=1e-7)
    np.testing.assert_allclose(held.result.u[0], known.result.u[0], rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(held.result.pev[0], known.result.pev[0], rtol=1e-5)


def test_every_parameter_fixed_gives_the_dense_loglik(met: pd.DataFrame) -> None:
    tab = _table(met)
    tab["Constraint"] = "F"
    m = asr.asreml("y ~ Env", data=met, params=tab, **KW)
    y, X, V = _dense(met)
    x = tab.loc[tab["Kind"] == "variance", "Value"].to_numpy(float)
    x = np.concatenate([x[:E], x[E + 2:]])  # the free-in-the-other-tests variances
    assert m.loglik == pytest.approx(reml_loglik(y, X, V(x)), abs=1e-8)
    assert (m.varcomp["bound"] == "F").all()


def test_vcm_beside_fixed_structures_matches_dense_reml(met: pd.DataFrame) -> None:
    """vcm= ties the free residual variances of e2, e3, e4 (one φ) beside the fixed
    covariances and residual variances: the dense optimum over (5 variances, φ)."""
    tab = _table(met)
    res = [c for c in tab["Component"] if c.startswith(("Env_e2!", "Env_e3!", "Env_e4!"))]
    assert len(res) == 3
    m = asr.asreml("y ~ Env", data=met, params=tab, vcm={"r": res}, **KW)
    assert m.converged
    y, X, V = _dense(met)

    def V6(z: np.ndarray) -> np.ndarray:
        return V(np.concatenate([z[:E], np.repeat(z[E], 3)]))

    vc = m.varcomp
    gen = [c for c in tab.loc[tab["Constraint"] != "F", "Component"] if c not in res]
    assert len(gen) == E  # the genetic variances, in θ order (e0 ... e4)
    z_asr = np.append(vc.loc[gen, "component"].to_numpy(float), vc.loc[res[0], "component"])
    np.testing.assert_allclose(vc.loc[res, "component"], z_asr[E], rtol=1e-12)
    z, ll = lbfgsb_max(lambda x: reml_loglik(y, X, V6(x)), z_asr * 1.3, z_asr,
                       [(1e-6, None)] * (E + 1))
    assert m.loglik == pytest.approx(ll, abs=1e-6)
    np.testing.assert_allclose(z_asr, z, rtol=2e-3)
    fixed = tab.loc[tab["Constraint"] == "F", "Component"]
    assert (vc.loc[fixed, "bound"] == "F").all()


def test_fixed_kronecker_part_of_a_bivariate_residual_matches_dense_reml() -> None:
    """units:us(trait) with its three parameters fixed (a known 2 x 2 error matrix, a
    Kronecker part held as known) beside a free us(trait):Gen: the dense optimum over the
    genetic (co)variances."""
    rng = np.random.default_rng(5)
    n_gen, reps = 30, 3
    g = rng.multivariate_normal([0, 0], [[1, .5], [.5, 2]], size=n_gen)
    rows = [(f"g{k}", 10 + g[k, 0] + rng.normal(), 5 + g[k, 1] + rng.normal(0, 1.5))
            for k in range(n_gen) for _ in range(reps)]
    df = pd.DataFrame(rows, columns=["Gen", "y1", "y2"])
    df["Gen"] = df["Gen"].astype("category")
    kw = dict(random="~ us(trait):Gen", residual="~ units:us(trait)", data=df)
    tab = asr.asreml("cbind(y1, y2) ~ trait", start_values=True, **kw)
    r_fixed = np.array([[1.0, 0.5], [0.5, 2.0]])
    sel = tab["Component"].str.startswith("units:trait!")
    tab.loc[sel, "Value"] = [1.0, 0.5, 2.0]
    tab.loc[sel, "Constraint"] = "F"
    m = asr.asreml("cbind(y1, y2) ~ trait", params=tab, **kw)
    assert m.converged
    assert (m.varcomp.loc[tab.loc[sel, "Component"], "bound"] == "F").all()
    y = df[["y1", "y2"]].to_numpy().ravel()  # unit by unit, traits within
    gen = np.repeat(df["Gen"].cat.codes.to_numpy(), 2)
    trait = np.tile([0, 1], len(df))
    unit = np.repeat(np.arange(len(df)), 2)
    X = (trait[:, None] == np.arange(2)[None, :]).astype(float)
    same_gen = (gen[:, None] == gen[None, :]).astype(float)
    same_unit = (unit[:, None] == unit[None, :]).astype(float)

    def V(x: np.ndarray) -> np.ndarray:
        S = np.array([[x[0], x[1]], [x[1], x[2]]])
        return S[trait][:, trait] * same_gen + r_fixed[trait][:, trait] * same_unit

    free = tab.loc[~sel, "Component"]
    x_asr = m.varcomp.loc[free, "component"].to_numpy(float)
    x, ll = lbfgsb_max(lambda z: reml_loglik(y, X, V(z)), x_asr * 1.2, np.abs(x_asr),
                       [(1e-6, None), (None, None), (1e-6, None)])
    assert m.loglik == pytest.approx(ll, abs=1e-6)
    np.testing.assert_allclose(x_asr, x, rtol=2e-3, atol=2e-3 * abs(x_asr).max())
