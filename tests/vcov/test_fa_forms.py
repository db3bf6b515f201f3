"""ASReml's other spellings of the factor-analytic model, ``xfa(f, k)`` and ``sfa(f, k)``, fit
the model of ``fa(f, k)``: Σ = ΛΛ' + Ψ (ASReml 3 User Guide, "Factor Analysis models": FAk,
FACVk and XFAk "are different parameterizations of the factor analytic model in which
S = GG' + P"; asreml-R's fa() is already the extended form, parameters c(diag(Ψ), vec(Γ)),
ψ = 0 allowed).

* On a MET whose optimum is inside the region (every ψ > 0), the three spellings give the same
  ℓ (to 1e-6), the same θ and the same varcomp names and predictions;
* that ℓ is the independent dense-V REML's (tests/_dense_reml.py) at the engine's estimates,
  and BFGS on the dense ℓ from there finds nothing higher;
* explain and translate carry the spelling (no 'not available' refusal).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import bfgs_max, drop_aliased, indicator, reml_loglik

import asr_py as asr
from asr_py.vcov.factor_analytic import FactorAnalytic


def _met(n_env: int, n_gen: int, k: int, seed: int) -> pd.DataFrame:
    """Two reps of every genotype in every environment; genotype effects from a rank-k Λ plus
    a Ψ well away from zero (an interior optimum)."""
    rng = np.random.default_rng(seed)
    lam = rng.normal(1.0, 0.5, size=(n_env, k)) * 10
    psi = rng.uniform(30, 60, n_env)
    g = rng.normal(size=(n_gen, k)) @ lam.T + rng.normal(size=(n_gen, n_env)) * np.sqrt(psi)
    rows = [(f"E{e}", f"G{i:02d}", 100 + 5 * e + g[i, e] + rng.normal() * 8)
            for e in range(n_env) for _ in range(2) for i in range(n_gen)]
    d = pd.DataFrame(rows, columns=["env", "gen", "y"])
    return d.assign(env=pd.Categorical(d.env), gen=pd.Categorical(d.gen))


def _fit(d: pd.DataFrame, form: str, k: int) -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("y ~ env", random=f"~ {form}(env, {k}):gen", data=d)


def _dense_ll(d: pd.DataFrame, k: int):
    """ℓ(ψ, free loadings, σ²) on V = (Z_e Σ Z_e') ∘ (Z_g Z_g') + σ²I, Σ = ΛΛ' + diag(ψ)."""
    y = d.y.to_numpy(float)
    X = drop_aliased(indicator(d.env))
    ze, zg = indicator(d.env), indicator(d.gen)
    gg = zg @ zg.T
    n = ze.shape[1]
    free = ~FactorAnalytic(list(d.env.cat.categories), order=k).fixed_mask()[n:]

    def ll(x: np.ndarray) -> float:
        if np.any(x[:n] < 0) or x[-1] <= 0:
            return -np.inf
        lam = np.zeros(n * k)
        lam[free] = x[n:-1]
        big = lam.reshape(k, n).T
        v = gg * (ze @ (big @ big.T + np.diag(x[:n])) @ ze.T) + x[-1] * np.eye(y.size)
        return reml_loglik(y, X, v)

    return ll, free


@pytest.mark.parametrize("k, n_env, n_gen, seed", [(1, 4, 30, 3), (2, 6, 40, 2)])
def test_xfa_and_sfa_fit_fa_model_at_the_dense_reml_optimum(k: int, n_env: int, n_gen: int,
                                                            seed: int) -> None:
    d = _met(n_env, n_gen, k, seed)
    fa = _fit(d, "fa", k)
    assert fa.converged
    th = fa.result.theta
    assert np.all(th[:n_env] > 1.0)  # every ψ inside the region: the model is fa's everywhere
    for form in ("xfa", "sfa"):
        other = _fit(d, form, k)
        assert other.converged
        assert other.loglik == pytest.approx(fa.loglik, abs=1e-6)
        np.testing.assert_allclose(other.result.theta, th, rtol=1e-4, atol=1e-6)
        assert list(other.varcomp.index) == list(fa.varcomp.index)
        np.testing.assert_allclose(other.fa().loadings.to_numpy(), fa.fa().loadings.to_numpy(),
                                   rtol=1e-4, atol=1e-6)
    ll, free = _dense_ll(d, k)
    x = np.concatenate([th[:n_env], th[n_env:n_env + n_env * k][free], th[-1:]])
    assert ll(x) == pytest.approx(fa.loglik, abs=1e-7)
    assert bfgs_max(ll, x) - fa.loglik <= 1e-5


def test_xfa_predictions_and_sigma_are_fa_s() -> None:
    d = _met(4, 30, 1, 3)
    fa, xfa = _fit(d, "fa", 1), _fit(d, "xfa", 1)
    pa = fa.predict("env")
    pb = xfa.predict("env")
    np.testing.assert_allclose(pb["predicted.value"], pa["predicted.value"], rtol=1e-8)
    np.testing.assert_allclose(pb["std.error"], pa["std.error"], rtol=1e-5)
    # the units of y: Σ scales by c² (an invariance of the model, not of one spelling)
    du = d.assign(y=d.y * 10.0)
    s1 = FactorAnalytic(list(d.env.cat.categories), order=1)
    sig = s1.matrix(xfa.result.theta[:s1.n_params])
    sig_u = s1.matrix(_fit(du, "sfa", 1).result.theta[:s1.n_params])
    np.testing.assert_allclose(sig_u, 100.0 * sig, rtol=1e-4)


def test_explain_and_translate_carry_xfa_and_sfa() -> None:
    d = _met(4, 10, 1, 3)
    for form in ("xfa", "sfa"):
        text = str(asr.explain(f"~ {form}(env, 1):gen", data=d, fixed="y ~ env"))
        assert "not available" not in text and "factor analytic" in text
        py = asr.translate(f"m <- asreml(y ~ env, random = ~ {form}(env, 1):gen, data = d)")
        assert f"{form}(env, 1):gen" in py and "# TODO" not in py
        ns: dict = {"d": d}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(py, "<translated>", "exec"), ns)  # noqa: S102 - our own output
        assert ns["m"].loglik == pytest.approx(_fit(d, "fa", 1).loglik, abs=1e-6)
