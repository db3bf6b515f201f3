"""fa/rr factor scores (asreml's ``Comp`` rows of coef random) vs an independent dense BLUP.

The reference is the factor representation y = Xβ + Z(Λ ⊗ I)f + Zδ + e written out in numpy
(tests/_dense_reml.py's ``blup``: f is a random term with design Z_f = Z(Λ ⊗ I) and
G_f = I_k ⊗ K, V = Z(Σ ⊗ K)Z' + σ²I; f̂ = G_f Z_f'Py, PEV = G_f − G_f Z_f'PZ_f G_f) at the fit's
own Λ, Ψ and σ²: asr_py's scores come from û instead (results/fa_scores.py), so the two
meet only if the algebra is right. Names and order are asreml's (``fa(env, 2)_Comp1:gen_G01``,
the fa factor's levels extended by Comp1..Compk).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import blup, indicator

import asr_py as asr
from asr_py.translate.rcoefrandom import r_coef_random

ENVS = [f"E{i + 1}" for i in range(6)]
GENS = [f"G{j + 1:02d}" for j in range(30)]
NU = len(ENVS) * len(GENS)
LAM = np.array([[3.0, 0.0], [2.5, -1.2], [2.0, 0.8], [3.5, 0.4], [1.5, 1.5], [2.8, -0.6]])
PSI = np.array([1.2, 0.8, 1.8, 1.0, 1.4, 0.6])


def _met(seed: int = 3, reps: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((len(GENS), 2))
    u = f @ LAM.T + rng.standard_normal((len(GENS), len(ENVS))) * np.sqrt(PSI)
    rows = [(e, g, 10.0 + i + u[j, i] + rng.standard_normal())
            for i, e in enumerate(ENVS) for j, g in enumerate(GENS) for _ in range(reps)]
    return pd.DataFrame(rows, columns=["env", "gen", "y"])


def _fit(d: pd.DataFrame, random: str = "~ fa(env, 2):gen", **kw: object) -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("y ~ env", random=random, data=d, maxit=100, **kw)


def _dense_scores(fit: asr.AsremlFit, d: pd.DataFrame, K: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """f̂ and PEV(f) (factor-major: Comp1 of every genotype, then Comp2) at the fit's Λ, Ψ, σ²."""
    s = fit.fa()
    lam = s.loadings.loc[ENVS].to_numpy()
    Sig = s.covariance.loc[ENVS, ENVS].to_numpy()
    s2 = float(fit.varcomp.loc["units!R", "component"])
    K = np.eye(len(GENS)) if K is None else K
    Z = indicator(d["env"] + ":" + d["gen"], [f"{e}:{g}" for e in ENVS for g in GENS])
    X = np.column_stack([np.ones(len(d)), indicator(d["env"], ENVS)[:, 1:]])
    V = Z @ np.kron(Sig, K) @ Z.T + s2 * np.eye(len(d))
    Zf = Z @ np.kron(lam, np.eye(len(GENS)))
    fhat, pev = blup(d["y"].to_numpy(), X, V, Zf, np.kron(np.eye(lam.shape[1]), K))
    return fhat, pev


def _comp_rows(tab: pd.DataFrame, k: int = 2) -> pd.DataFrame:
    return tab[tab.index.str.contains("Comp")].iloc[:k * len(GENS)]


def test_scores_and_their_pev_equal_the_dense_blup_of_f() -> None:
    d = _met()
    fit = _fit(d)
    assert fit.converged
    assert (fit.fa().specific > 1e-3).all()          # an interior fit: Ψ > 0
    fhat, pev = _dense_scores(fit, d)
    tab = fit.coef_random
    comp = tab.loc[[f"env:gen_Comp{r}:{g}" for r in (1, 2) for g in GENS]]
    np.testing.assert_allclose(comp["solution"], fhat, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(comp["std.error"] ** 2, pev, rtol=1e-6, atol=1e-10)
    # asreml's layout: the env:gen effects, then Comp1 of every genotype, then Comp2
    assert list(tab.index[:NU]) == [f"env:gen_{e}:{g}" for e in ENVS for g in GENS]
    assert list(tab.index[NU:]) == [f"env:gen_Comp{r}:{g}" for r in (1, 2) for g in GENS]
    np.testing.assert_allclose(comp["z.ratio"], comp["solution"] / comp["std.error"])


def test_scores_with_a_relationship_matrix_equal_the_dense_blup() -> None:
    d = _met(seed=5)
    rng = np.random.default_rng(11)
    m = rng.standard_normal((len(GENS), 40))
    K = m @ m.T / 40 + 0.1 * np.eye(len(GENS))
    Kdf = pd.DataFrame(K, index=GENS, columns=GENS)
    fit = _fit(d, "~ fa(env, 2):vm(gen, K)", K=Kdf)
    assert fit.converged
    fhat, pev = _dense_scores(fit, d, K)
    comp = _comp_rows(fit.coef_random)
    np.testing.assert_allclose(comp["solution"], fhat, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(comp["std.error"] ** 2, pev, rtol=1e-6, atol=1e-10)


def test_rr_scores_reproduce_the_effects_and_the_dense_blup() -> None:
    """rr (Ψ = 0): u = (Λ ⊗ I) f exactly, so Λ f̂ is the rr term's effects (the check
    lbmunaro/MTME_ILWheat's script plots: ``Lamf`` against the non-Comp rows)."""
    d = _met(seed=7)
    fit = _fit(d, "~ rr(env, 2):gen")
    lam = fit.fa().loadings.loc[ENVS].to_numpy()
    tab = fit.coef_random
    f = _comp_rows(tab)["solution"].to_numpy().reshape(2, len(GENS)).T     # gens x k
    u = tab.iloc[:NU]["solution"].to_numpy().reshape(len(ENVS), len(GENS)).T
    np.testing.assert_allclose(f @ lam.T, u, rtol=1e-7, atol=1e-9 * np.abs(u).max())
    fhat, pev = _dense_scores(fit, d)
    np.testing.assert_allclose(f.T.ravel(), fhat, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(_comp_rows(tab)["std.error"] ** 2, pev, rtol=1e-5, atol=1e-9)


def test_gen_outer_term_interleaves_the_scores_as_asreml() -> None:
    """``gen:fa(env, 2)``: per genotype its env effects then Comp1, Comp2 (agridat's
    besag.met.Rd greps ``_Comp1$``); the same model, so the same scores."""
    d = _met()
    a, b = _fit(d), _fit(d, "~ gen:fa(env, 2)")
    tb = b.coef_random
    assert list(tb.index[:8]) == [f"gen:env_G01:{e}" for e in ENVS] + [
        "gen:env_G01:Comp1", "gen:env_G01:Comp2"]
    sa = a.coef_random
    for r in (1, 2):
        x = sa.loc[[f"env:gen_Comp{r}:{g}" for g in GENS], "solution"].to_numpy()
        y = tb.loc[[f"gen:env_{g}:Comp{r}" for g in GENS], "solution"].to_numpy()
        np.testing.assert_allclose(x, y, rtol=2e-4, atol=1e-5)
    names = list(r_coef_random(b).index)
    assert names[6:8] == ["gen_G01:fa(env, 2)_Comp1", "gen_G01:fa(env, 2)_Comp2"]


def test_scores_do_not_depend_on_row_order_or_genotype_labels() -> None:
    d = _met()
    base = _fit(d).coef_random
    rng = np.random.default_rng(0)
    new = {g: f"X{int(h):03d}" for g, h in zip(GENS, rng.permutation(900)[:len(GENS)])}
    d2 = d.assign(gen=d["gen"].map(new)).sample(frac=1.0, random_state=4)
    other = _fit(d2).coef_random
    for r in (1, 2):
        x = base.loc[[f"env:gen_Comp{r}:{g}" for g in GENS]].to_numpy()
        y = other.loc[[f"env:gen_Comp{r}:{new[g]}" for g in GENS]].to_numpy()
        np.testing.assert_allclose(y, x, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("c", [1e-3, 1e3])
def test_units_law_scores_are_unit_free(c: float) -> None:
    """y -> c y: Λ -> c Λ, û -> c û and f̂ (Var f = I) unchanged, its standard errors too."""
    d = _met()
    a, b = _fit(d), _fit(d.assign(y=d["y"] * c))
    np.testing.assert_allclose(b.fa().loadings.to_numpy(), c * a.fa().loadings.to_numpy(),
                               rtol=1e-5, atol=1e-6 * c)
    ca, cb = _comp_rows(a.coef_random), _comp_rows(b.coef_random)
    np.testing.assert_allclose(cb["solution"], ca["solution"], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(cb["std.error"], ca["std.error"], rtol=1e-5)
    ua, ub = a.coef_random.iloc[:NU], b.coef_random.iloc[:NU]
    np.testing.assert_allclose(ub["solution"], c * ua["solution"], rtol=1e-5, atol=1e-7 * c)


def test_asreml_names_of_the_comp_rows() -> None:
    """``fit$coefficients$random``'s names, as agriutilities' R/fa.R strips them:
    ``sub("fa(env, 2)_Comp1:gen_", "", ...)`` leaves the genotype."""
    fit = _fit(_met())
    tab = r_coef_random(fit)
    assert tab.index[0] == "fa(env, 2)_E1:gen_G01"
    comp1 = tab[tab.index.str.contains("Comp1:gen", regex=False)]
    assert [n.replace("fa(env, 2)_Comp1:gen_", "") for n in comp1.index] == GENS
    np.testing.assert_array_equal(tab.to_numpy(), fit.coef_random.to_numpy())


def test_rr_diag_pair_lists_asreml_two_terms_with_dense_blups() -> None:
    """``rr(env, 2):gen + diag(env):gen`` (fitted as one fa term): asreml lists the rr term's
    common effects (Λ ⊗ I)f and its scores, then the diag term's specific effects δ
    (lbmunaro/MTME_ILWheat's Functions_MTME.R adds ``Lamf + delta``); each BLUP and PEV is
    the dense one of that part (G = ΛΛ' ⊗ I, Ψ ⊗ I, I_k)."""
    d = _met()
    fit = _fit(d, "~ rr(env, 2):gen + diag(env):gen")
    s = fit.fa()
    lam = s.loadings.loc[ENVS].to_numpy()
    psi = s.specific.loc[ENVS].to_numpy()
    s2 = float(fit.varcomp.loc["units!R", "component"])
    Z = indicator(d["env"] + ":" + d["gen"], [f"{e}:{g}" for e in ENVS for g in GENS])
    X = np.column_stack([np.ones(len(d)), indicator(d["env"], ENVS)[:, 1:]])
    eye = np.eye(len(GENS))
    V = Z @ np.kron(lam @ lam.T + np.diag(psi), eye) @ Z.T + s2 * np.eye(len(d))
    y = d["y"].to_numpy()
    tab = r_coef_random(fit)
    common = tab.loc[[f"rr(env, 2)_{e}:gen_{g}" for e in ENVS for g in GENS]]
    spec = tab.loc[[f"env_{e}:gen_{g}" for e in ENVS for g in GENS]]
    comp = tab.loc[[f"rr(env, 2)_Comp{r}:gen_{g}" for r in (1, 2) for g in GENS]]
    assert len(tab) == 2 * NU + 2 * len(GENS)
    for got, G, Zx in ((common, np.kron(lam @ lam.T, eye), Z),
                       (spec, np.kron(np.diag(psi), eye), Z),
                       (comp, np.eye(2 * len(GENS)), Z @ np.kron(lam, eye))):
        u, pev = blup(y, X, V, Zx, G)
        np.testing.assert_allclose(got["solution"], u, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(got["std.error"] ** 2, pev, rtol=1e-6, atol=1e-10)
    total = fit.coef_random.iloc[:NU]["solution"].to_numpy()
    np.testing.assert_allclose(common["solution"].to_numpy() + spec["solution"].to_numpy(), total,
                               rtol=1e-10, atol=1e-12)
