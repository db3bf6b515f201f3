"""asreml's multivariate forms in translated scripts: ``asmv = trait`` with a correlated
residual or none (rasmv.py), ``vcc`` (rvcc.py) and a response matrix written as R code
(rmvresponse.py). Each fit is checked against a dense-V REML written here
(tests/_dense_reml.py) or against the fit of the model it equals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import chol_entries, chol_from, fit_dense, reml_loglik
from _translate_fixtures import run_r

import asr_py as asr
from asr_py import translate
from asr_py.errors import DataError
from asr_py.translate.rvcc import r_vcc


def _long(seed: int = 5, ng: int = 8, nr: int = 3) -> pd.DataFrame:
    """Stage-two style long data: traits within units, weights 1/SE² per row."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(ng), nr)
    sg = np.array([[1.0, 0.7], [0.7, 1.5]])
    sr = np.array([[0.8, 0.4], [0.4, 1.2]])
    y = np.array([5.0, 9.0]) + rng.multivariate_normal([0, 0], sg, ng)[g] + \
        rng.multivariate_normal([0, 0], sr, g.size)
    rows = [{"gen": f"G{g[u]}", "trait": t, "blue": y[u, k], "wt": float(rng.uniform(1, 3))}
            for u in range(g.size) for k, t in enumerate(("hgt", "yld"))]
    return pd.DataFrame(rows)


def _dense_ll(d: pd.DataFrame, sg: np.ndarray, sr: np.ndarray | None) -> tuple[float, object]:
    """ℓ of the asmv model at (Σ_g, Σ_r) and the V builder (θ: Cholesky entries)."""
    y = d["blue"].to_numpy()
    t = (d["trait"] == "yld").to_numpy().astype(int)
    gen = pd.Categorical(d["gen"]).codes
    unit = np.arange(len(d)) // 2
    s = 1 / np.sqrt(d["wt"].to_numpy())
    X = np.column_stack([np.ones(y.size), t])
    Z = np.zeros((y.size, 2 * (gen.max() + 1)))
    Z[np.arange(y.size), 2 * gen + t] = 1.0
    same = unit[:, None] == unit[None, :]

    def build(theta: np.ndarray) -> np.ndarray:
        lg, lr = chol_from(theta[:3], 2), chol_from(theta[3:], 2)
        R = np.where(same, (lr @ lr.T)[t][:, t], 0.0) * np.outer(s, s)
        return Z @ np.kron(np.eye(gen.max() + 1), lg @ lg.T) @ Z.T + R

    theta = np.concatenate([chol_entries(sg), chol_entries(sr)])
    return reml_loglik(y, X, build(theta)), (y, X, build, theta)


def _sigmas(fit: object) -> tuple[np.ndarray, np.ndarray]:
    vc = fit.varcomp["component"].to_numpy()      # type: ignore[attr-defined]
    return (np.array([[vc[0], vc[1]], [vc[1], vc[2]]]),
            np.array([[vc[3], vc[4]], [vc[4], vc[5]]]))


_CALL = ("fit <- asreml(fixed = blue ~ trait, random = ~ us(trait):gen,{res}\n"
         "              family = asr_gaussian(dispersion = 1),\n"
         "              na.action = na.method(y = 'include', x = 'include'),\n"
         "              asmv = {trait}, weights = wt, data = d)\n")


def test_asmv_with_a_correlated_residual_is_translated_and_fits() -> None:
    d = _long()
    r = _CALL.format(res="\n              residual = ~ id(units):us(trait),", trait="'trait'")
    py = translate(r)
    assert "asmv='trait'" in py and "TODO(asr_py): asreml(asmv" not in py
    fit = run_r(r, quiet=True, d=d)["fit"]
    sg, sr = _sigmas(fit)
    ll, (y, X, build, theta) = _dense_ll(d, sg, sr)
    assert ll == pytest.approx(float(fit.loglik), abs=1e-7)
    _, best = fit_dense(y, X, build, [theta])
    assert best == pytest.approx(float(fit.loglik), abs=1e-5)


def test_asmv_without_a_residual_is_units_us_trait() -> None:
    """asreml's residual for asmv data (the standalone's !ASMV: IDENTITY(units) ⊗ US(trait))."""
    d = _long(seed=6)
    py = translate(_CALL.format(res="", trait="trait"))
    assert "asmv='trait'" in py and "TODO(asr_py): asreml(asmv" not in py
    fit = run_r(_CALL.format(res="", trait="trait"), quiet=True, d=d)["fit"]
    sg, sr = _sigmas(fit)
    ll, (y, X, build, theta) = _dense_ll(d, sg, sr)
    assert ll == pytest.approx(float(fit.loglik), abs=1e-7)
    _, best = fit_dense(y, X, build, [theta])
    assert best == pytest.approx(float(fit.loglik), abs=1e-5)


def test_asmv_on_rows_out_of_unit_order_stops() -> None:
    d = _long(seed=7).sort_values("trait", kind="stable").reset_index(drop=True)
    with pytest.raises(DataError, match="does not hold each of the 2 traits once"):
        run_r(_CALL.format(res="", trait="trait"), quiet=True, d=d)


# ----- vcc -------------------------------------------------------------------------------

def _two_factors(seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 60
    a = rng.integers(0, 6, n)
    b = rng.integers(0, 5, n)
    y = 3 + rng.normal(0, 1.0, 6)[a] + rng.normal(0, 0.8, 5)[b] + rng.normal(0, 1, n)
    return pd.DataFrame({"a": pd.Categorical([f"a{i}" for i in a]),
                         "b": pd.Categorical([f"b{i}" for i in b]), "y": y})


@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_vcc_constrains_components_as_asreml(scale: float) -> None:
    """``vcc``: row names the components, column 1 the group, column 2 the scale:
    θ_b = scale · θ_a. Against the dense-V REML of V = σ²(Z_a Z_a' + scale Z_b Z_b') + σ_e² I."""
    d = _two_factors()
    r = (f"vcc <- cbind(c(1, 1), c(1, {scale}))\n"
         "rownames(vcc) <- c('a', 'b')\n"
         "fit <- asreml(y ~ 1, random = ~ a + b, vcc = vcc, data = d)\n")
    py = translate(r)
    assert "vcm=r_vcc(vcc)" in py and "# TODO" not in py
    fit = run_r(r, quiet=True, d=d)["fit"]
    y = d["y"].to_numpy()
    X = np.ones((y.size, 1))
    za = pd.get_dummies(d["a"]).to_numpy(float)
    zb = pd.get_dummies(d["b"]).to_numpy(float)

    def build(x: np.ndarray) -> np.ndarray:
        return x[0] * (za @ za.T + scale * zb @ zb.T) + x[1] * np.eye(y.size)

    x, best = fit_dense(y, X, build, [np.array([1.0, 1.0])], [(1e-8, None), (1e-8, None)])
    assert float(fit.loglik) == pytest.approx(best, abs=1e-5)
    vc = fit.varcomp["component"]
    assert vc["b"] == pytest.approx(scale * vc["a"], rel=1e-10)
    assert vc["a"] == pytest.approx(x[0], rel=1e-3)


def test_vcc_matrix_checks() -> None:
    m = pd.DataFrame([[1, 1.0], [2, 1.0], [1, 2.0], [np.nan, 1.0]], index=["p", "q", "r", "s"])
    got = r_vcc(m)
    assert list(got.columns) == ["vcc1", "vcc2"] and list(got.index) == ["p", "q", "r"]
    assert got.loc["r", "vcc1"] == 2.0 and got.loc["q", "vcc2"] == 1.0
    with pytest.raises(asr.AsrError, match="row names"):
        r_vcc(np.ones((2, 2)))
    with pytest.raises(asr.AsrError, match="named twice"):
        r_vcc(pd.DataFrame([[1, 1.0], [1, 1.0]], index=["p", "p"]))


# ----- a response matrix written as R code -------------------------------------------------

def _wide(seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(10), 3)
    y = np.array([1.0, 2.0]) + rng.multivariate_normal([0, 0], [[1, .5], [.5, 2]], 10)[g] + \
        rng.multivariate_normal([0, 0], [[1, .3], [.3, 1]], g.size)
    d = pd.DataFrame({"gen": [f"g{i}" for i in g], "a": y[:, 0], "b": y[:, 1]})
    d.loc[4, "b"] = np.nan
    return d


@pytest.mark.parametrize("lhs,traits", [
    ("d[, 2:3]", ["a", "b"]),
    ('as.matrix(d[, c("a", "b")])', ["a", "b"]),
    ("cbind(d$a, d$b)", ["d$a", "d$b"]),
    ("Y", ["a", "b"]),
])
def test_matrix_response_is_the_cbind_model(lhs: str, traits: list[str]) -> None:
    d = _wide()
    r = ('Y <- as.matrix(d[, c("a", "b")])\n'
         f"fit <- asreml({lhs} ~ trait, random = ~ us(trait):gen,\n"
         "              residual = ~ units:us(trait), data = d)\n"
         "p <- predict(fit, classify = 'trait')$pvals\n")
    py = translate(r)
    assert "# TODO" not in py and ("r_mv_fixed" in py or "r_env_columns(d, ['Y'])" in py)
    ns = run_r(r, quiet=True, d=d)
    fit = ns["fit"]
    assert list(fit.model.records.traits) == traits
    ref = asr.asreml("cbind(a, b) ~ trait", random="~ us(trait):gen",
                     residual="~ units:us(trait)", data=d)
    assert float(fit.loglik) == pytest.approx(ref.loglik, abs=1e-8)
    np.testing.assert_allclose(ns["p"]["predicted.value"].to_numpy(),
                               ref.predict(classify="trait")["predicted.value"].to_numpy(),
                               rtol=1e-8)


def test_a_script_vector_response_stays_univariate() -> None:
    d = _wide().dropna()
    r = "z <- d$a * 2\nfit <- asreml(z ~ 1, random = ~ gen, data = d)\n"
    fit = run_r(r, quiet=True, d=d)["fit"]
    ref = asr.asreml("z ~ 1", random="~ gen", data=d.assign(z=d["a"] * 2))
    assert float(fit.loglik) == pytest.approx(ref.loglik, abs=1e-8)
    assert not fit.model.records.multivariate


def test_asreml3_mv_term_is_dropped_with_a_note() -> None:
    """asreml 3's ``mv`` (an effect per missing response) leaves the REML fit of the observed
    records unchanged: the translation drops it; the fit equals the cbind fit without it and
    the sum of the two univariate fits when the traits separate."""
    d = _wide()
    r = ("fit <- asreml(cbind(a, b) ~ trait + mv, random = ~ diag(trait):gen + mv,\n"
         "              rcov = ~ units:diag(trait), data = d)\n")
    py = translate(r)
    assert "missing-value term mv dropped" in py and "+ mv" not in py
    fit = run_r(r, quiet=True, d=d)["fit"]
    ua = asr.asreml("a ~ 1", random="~ gen", data=d)
    ub = asr.asreml("b ~ 1", random="~ gen", data=d)
    assert float(fit.loglik) == pytest.approx(ua.loglik + ub.loglik, abs=1e-6)


def test_a_response_column_beats_a_later_script_variable() -> None:
    """R's formula reads ``a`` from data= first; a variable ``a`` the script makes after the
    call (unset when the call runs) is not looked up."""
    d = _wide().dropna()
    r = "fit <- asreml(a ~ 1, random = ~ gen, data = d)\na <- 3\n"
    fit = run_r(r, quiet=True, d=d)["fit"]
    ref = asr.asreml("a ~ 1", random="~ gen", data=d)
    assert float(fit.loglik) == pytest.approx(ref.loglik, abs=1e-10)


def test_asreml3_as_multivariate_is_asmv() -> None:
    """ASReml-S 3's name of the argument (reference manual 3.15.1: ``as.multivariate =
    trait``): the same fit as ``asmv``."""
    d = _long(seed=9)
    r = ("fit <- asreml(blue ~ trait, random = ~ us(trait):gen, weights = wt,\n"
         "              rcov = ~ units:us(trait), as.multivariate = trait, data = d)\n")
    py = translate(r)
    assert "asmv='trait'" in py and "# TODO" not in py
    fit = run_r(r, quiet=True, d=d)["fit"]
    ref = asr.asreml("blue ~ trait", random="~ us(trait):gen", residual="~ units:us(trait)",
                     weights="wt", data=d, asmv="trait")
    assert float(fit.loglik) == pytest.approx(ref.loglik, abs=1e-10)
