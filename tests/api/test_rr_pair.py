"""asreml's MET idiom ``rr(f, k):g + diag(f):g`` is fitted as one fa(f, k):g term
(asr_py/model/rr_pair.py): the sum of two independent effects with the same design has
covariance (ΛΛ' + Ψ) ⊗ I. Checked against fa(f, k):g and a dense-V numpy REML."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _small_met import K, P, dense_reml, met_design, small_met

import asr_py as asr
from asr_py.formula.expand import expand
from asr_py.formula.model import parse_model
from asr_py.model.rr_pair import merge_rr_diag


def site_cov(m: asr.AsremlFit) -> tuple[np.ndarray, np.ndarray, float]:
    """ΛΛ' + Ψ and Ψ of the fitted fa term (names of fa(Site, 2):Geno), and σ²."""
    vc = m.varcomp["component"]
    two_terms = "Site:Geno!Site_S1" in vc.index  # rr + diag: Ψ is the diag term's rows
    psi = np.array([vc[f"Site:Geno!Site_S{i + 1}" + ("" if two_terms else "!var")]
                    for i in range(P)])
    lam = np.array([[vc[f"Site:Geno!Site_S{i + 1}!fa{j + 1}"] for j in range(K)]
                    for i in range(P)])
    return lam @ lam.T + np.diag(psi), np.diag(psi), float(vc["units!R"])


@pytest.fixture(scope="module")
def met() -> pd.DataFrame:
    return small_met()


@pytest.fixture(scope="module")
def fa_fit(met: pd.DataFrame) -> asr.AsremlFit:
    m = asr.asreml("y ~ Site", "~ fa(Site, 2):Geno", data=met)
    assert m.converged
    return m


@pytest.fixture(scope="module")
def pair_fit(met: pd.DataFrame) -> asr.AsremlFit:
    m = asr.asreml("y ~ Site", "~ rr(Site, 2):Geno + diag(Site):Geno", data=met)
    assert m.converged
    return m


def test_pair_is_the_fa_fit(fa_fit: asr.AsremlFit, pair_fit: asr.AsremlFit) -> None:
    assert pair_fit.loglik == pytest.approx(fa_fit.loglik, abs=1e-6)
    g_fa, _, s2_fa = site_cov(fa_fit)
    g_pair, _, s2_pair = site_cov(pair_fit)
    np.testing.assert_allclose(g_pair, g_fa, atol=1e-4)
    assert s2_pair == pytest.approx(s2_fa, rel=1e-5)
    np.testing.assert_allclose(pair_fit.coef_random["solution"].to_numpy(),
                               fa_fit.coef_random["solution"].to_numpy(), atol=1e-5)
    assert any("rr(Site, 2):Geno + diag(Site):Geno" in w for w in pair_fit.model.warnings)


def test_pair_loglik_is_the_dense_reml(met: pd.DataFrame, pair_fit: asr.AsremlFit) -> None:
    g, _, s2 = site_cov(pair_fit)
    assert pair_fit.loglik == pytest.approx(dense_reml(met, g, s2), abs=1e-6)


def test_order_of_terms_and_rows_does_not_change_the_fit(met: pd.DataFrame,
                                                        pair_fit: asr.AsremlFit) -> None:
    shuffled = met.sample(frac=1.0, random_state=3).reset_index(drop=True)
    m = asr.asreml("y ~ Site", "~ diag(Site):Geno + rr(Site, 2):Geno", data=shuffled)
    assert m.loglik == pytest.approx(pair_fit.loglik, abs=1e-6)
    np.testing.assert_allclose(site_cov(m)[0], site_cov(pair_fit)[0], atol=1e-4)


def test_blup_parts_sum_and_match_their_closed_forms(met: pd.DataFrame,
                                                     pair_fit: asr.AsremlFit) -> None:
    """û_rr = (ΛΛ'⊗I) G⁻¹ û and û_diag = (Ψ⊗I) G⁻¹ û, with û = G Z'P y from a dense V."""
    from asr_py.model.rr_pair import split_pair_blups

    g, psi, s2 = site_cov(pair_fit)
    X, Z, sites, genos = met_design(met)
    Gfull = np.kron(g, np.eye(len(genos)))
    V = Z @ Gfull @ Z.T + s2 * np.eye(len(met))
    Vi = np.linalg.inv(V)
    Py = Vi @ met["y"].to_numpy() - Vi @ X @ np.linalg.solve(X.T @ Vi @ X,
                                                               X.T @ Vi @ met["y"].to_numpy())
    u = Gfull @ Z.T @ Py
    u_diag = np.kron(psi, np.eye(len(genos))) @ Z.T @ Py
    parts = split_pair_blups(pair_fit)
    (rr_label, rr), (diag_label, dg) = parts
    assert rr_label == "rr(Site, 2):Geno" and diag_label == "diag(Site):Geno"
    idx = [f"{s}:{q}" for s in sites for q in genos]
    np.testing.assert_allclose(dg.loc[idx].to_numpy(), u_diag, atol=1e-4)
    np.testing.assert_allclose(rr.loc[idx].to_numpy(), u - u_diag, atol=1e-4)
    effects = pair_fit.coef_random[~pair_fit.coef_random.index.str.contains("Comp")]
    np.testing.assert_allclose((rr + dg).to_numpy(), effects["solution"].to_numpy(), atol=1e-8)


def test_lone_rr_and_unmatched_diag_are_left_alone() -> None:
    mf = parse_model(fixed="y ~ Site", random="~ rr(Site, 2):Geno + diag(Site):Env")
    terms = expand(mf.random, "random")
    same, pairs = merge_rr_diag(terms)
    assert pairs == [] and same is terms
    mf = parse_model(fixed="y ~ Site",
                     random="~ Block + rr(Site, 2):vm(Geno, A) + diag(Site):vm(Geno, A)")
    merged, pairs = merge_rr_diag(expand(mf.random, "random"))
    assert [str(t) for t in merged.terms] == ["Block", "fa(Site, 2):vm(Geno, A)"]
    assert len(pairs) == 1


def test_pair_over_vm_is_the_fa_fit_over_vm(met: pd.DataFrame) -> None:
    """rr(f, k):vm(g, K) + diag(f):vm(g, K) = fa(f, k):vm(g, K); the BLUP parts sum to û."""
    from asr_py.model.rr_pair import split_pair_blups

    genos = sorted(met["Geno"].unique())
    idx = np.arange(len(genos))
    kmat = pd.DataFrame(0.3 ** np.abs(idx[:, None] - idx[None, :]), index=genos, columns=genos)
    fa = asr.asreml("y ~ Site", "~ fa(Site, 2):vm(Geno, K)", data=met, K=kmat)
    pair = asr.asreml("y ~ Site", "~ rr(Site, 2):vm(Geno, K) + diag(Site):vm(Geno, K)",
                      data=met, K=kmat)
    assert pair.loglik == pytest.approx(fa.loglik, abs=1e-6)
    u = pair.coef_random["solution"].to_numpy()
    np.testing.assert_allclose(u, fa.coef_random["solution"].to_numpy(), atol=1e-5)
    u = u[~pair.coef_random.index.str.contains("Comp")]     # the effects, not the scores
    (_, rr), (_, dg) = split_pair_blups(pair)
    np.testing.assert_allclose((rr + dg).to_numpy(), u, atol=1e-8)


def test_pair_varcomp_lists_the_two_written_terms(fa_fit: asr.AsremlFit,
                                                  pair_fit: asr.AsremlFit) -> None:
    from asr_py.model.rr_pair import pair_varcomp

    vc = pair_varcomp(pair_fit)
    var = [f"Site:Geno!Site_S{i + 1}!var" for i in range(P)]
    diag = [f"Site:Geno!Site_S{i + 1}" for i in range(P)]
    assert (vc.loc[var, "component"] == 0).all() and (vc.loc[var, "bound"] == "F").all()
    psi = fa_fit.varcomp.loc[var, "component"].to_numpy()
    np.testing.assert_allclose(vc.loc[diag, "component"].to_numpy(), psi, rtol=1e-4)
    names = list(vc.index)
    assert names.index(diag[0]) == names.index(f"Site:Geno!Site_S{P}!fa{K}") + 1
    assert len(vc) == len(pair_fit.result.theta) + P
    assert vc is not None and list(vc.index) == list(pair_fit.varcomp.index)


def test_pair_varcomp_keeps_the_written_order(met: pd.DataFrame) -> None:
    from asr_py.model.rr_pair import pair_varcomp

    m = asr.asreml("y ~ Site", "~ diag(Site):Geno + rr(Site, 2):Geno", data=met)
    names = list(pair_varcomp(m).index)
    assert names.index(f"Site:Geno!Site_S{P}") + 1 == names.index("Site:Geno!Site_S1!var")


def test_vpredict_numbers_follow_the_two_written_terms(fa_fit: asr.AsremlFit,
                                                       pair_fit: asr.AsremlFit) -> None:
    """V1..V5: the rr term's '!var' (0, fixed), V6..V15 its loadings, V16..V20 the diag
    term's variances (= the fa fit's Ψ, with its standard errors), V21 units!R."""
    n_rr = P + P * K
    vc = pair_fit.varcomp
    assert list(vc.index[n_rr:n_rr + P]) == [f"Site:Geno!Site_S{i + 1}" for i in range(P)]
    v1 = pair_fit.vpredict("a ~ V1")
    assert v1.loc["a", "Estimate"] == 0.0 and v1.loc["a", "SE"] == 0.0
    var = [f"Site:Geno!Site_S{i + 1}!var" for i in range(P)]
    for i in range(P):
        got = pair_fit.vpredict(f"p ~ V{n_rr + i + 1}")
        assert got.loc["p", "Estimate"] == pytest.approx(
            fa_fit.varcomp.loc[var[i], "component"], rel=1e-4)
        assert got.loc["p", "SE"] == pytest.approx(
            fa_fit.varcomp.loc[var[i], "std.error"], rel=1e-3)
    lam = pair_fit.vpredict(f"l ~ V{P + 2}")  # the second level's fa1 loading
    assert lam.loc["l", "Estimate"] == pytest.approx(vc.iloc[P + 1]["component"], rel=1e-12)
    s2 = pair_fit.vpredict(f"s ~ V{n_rr + P + 1}")
    assert s2.loc["s", "Estimate"] == pytest.approx(vc.loc["units!R", "component"], rel=1e-12)


def test_translated_vparameters_and_varcomp_list_the_two_terms(pair_fit: asr.AsremlFit) -> None:
    """fit$vparameters / summary(fit)$varcomp of translated scripts: the rr term named
    ``rr(Site, 2):Geno!S1!fa1`` (asreml 4's label; Tolhurst et al. 2022's script greps
    "rr.*fa" in names(fit$vparameters)), its '!var' at 0, the diag term's variances on the
    ratio scale ψ/σ² (asreml's vparameters), loadings λ/σ."""
    from asr_py.translate.runtime import r_varcomp, r_vparameters

    vp = r_vparameters(pair_fit)
    vc = pair_fit.varcomp["component"]
    s2 = float(vc["units!R"])
    assert all(vp[f"rr(Site, 2):Geno!S{i + 1}!var"] == 0.0 for i in range(P))
    for i in range(P):
        assert vp[f"Site:Geno!Site_S{i + 1}"] == pytest.approx(vc[f"Site:Geno!Site_S{i + 1}"] / s2)
        assert vp[f"rr(Site, 2):Geno!S{i + 1}!fa1"] == pytest.approx(
            vc[f"Site:Geno!Site_S{i + 1}!fa1"] / np.sqrt(s2))
    assert len([n for n in vp.index if n.startswith("rr(") and "fa" in n]) == P * K
    rv = r_varcomp(pair_fit)
    assert list(rv.index[:P]) == [f"rr(Site, 2):Geno!S{i + 1}!var" for i in range(P)]
    assert list(rv.index[P + P * K:2 * P + P * K]) == [f"Site:Geno!Site_S{i + 1}"
                                                         for i in range(P)]
