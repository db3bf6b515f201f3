"""fit.covariance() and fit.fa(): estimated Σ of each structure, correlations, delta-method SEs.

Every number is checked against an independent source: Σ rebuilt from the varcomp table by
each structure's closed form (us: fill the lower triangle; corgh: r_ij sqrt(σ²_i σ²_j);
fa: ΛΛ' + Ψ; cor: σ² (1 on the diagonal, ρ elsewhere)), correlations against vpredict, and
standard errors against sqrt(g' Var(θ̂) g) with g a central finite-difference gradient of the
element written as a function of the whole θ in the test.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError

BIV = dict(fixed="cbind(Yield, Weight) ~ trait + trait:Env", random="~ us(trait):Name",
           residual="~ units:us(trait)")


@pytest.fixture(scope="module")
def biv(dt_example: pd.DataFrame) -> asr.AsremlFit:
    return asr.asreml(data=dt_example, **BIV)


@pytest.fixture(scope="module")
def corgh_fit(dt_example: pd.DataFrame) -> asr.AsremlFit:
    return asr.asreml("Yield ~ Env", "~ corgh(Env):Name", data=dt_example)


def simulate_met(seed: int = 2, n_geno: int = 100, n_site: int = 5, k: int = 2
                 ) -> pd.DataFrame:
    """A MET with a rank-k genotype-by-site covariance plus specific variances, 2 reps."""
    rng = np.random.default_rng(seed)
    lam = rng.normal(1.5, 0.8, (n_site, k))
    lam[0, 1:] = 0.0
    psi = rng.uniform(1, 2, n_site)
    u = rng.normal(size=(n_geno, k)) @ lam.T + rng.normal(size=(n_geno, n_site)) * np.sqrt(psi)
    rows = [{"Site": f"S{s + 1}", "Geno": f"G{g + 1:03d}", "y": 10 + s + u[g, s] + rng.normal()}
            for g in range(n_geno) for s in range(n_site) for _ in range(2)]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def fa2() -> asr.AsremlFit:
    m = asr.asreml("y ~ Site", "~ fa(Site, 2):Geno", data=simulate_met())
    vc = m.varcomp
    assert m.converged and set(vc["bound"]) <= {"P", "U", "F"}  # no boundary: plain delta
    assert list(vc.index[vc["bound"] == "F"]) == ["Site:Geno!Site_S1!fa2"]  # structural zero
    return m


def vc(m: asr.AsremlFit, name: str) -> float:
    return float(m.varcomp.loc[name, "component"])


def delta_se(m: asr.AsremlFit, f: Callable[[np.ndarray], float]) -> float:
    """sqrt(g' V g), g by central differences of f at θ̂ (step 1e-5 relative)."""
    th = np.asarray(m.result.theta, dtype=float)
    g = np.zeros(th.size)
    for i in range(th.size):
        h = 1e-5 * max(abs(th[i]), 1e-2)
        up, dn = th.copy(), th.copy()
        up[i] += h
        dn[i] -= h
        g[i] = (f(up) - f(dn)) / (2 * h)
    used = np.abs(g) > 1e-9
    V = m.result.vcov_theta[np.ix_(used, used)]
    return float(np.sqrt(g[used] @ V @ g[used]))


def positions(m: asr.AsremlFit, prefix: str) -> list[int]:
    return [i for i, n in enumerate(m.result.names) if n.startswith(prefix)]


# ----- us: closed form, correlations = vpredict ----------------------------------------------

@pytest.mark.parametrize("term, prefix", [("trait:Name", "trait:Name!trait_"),
                                          ("units:trait", "units:trait!trait_")])
def test_us_equals_lower_triangle_of_varcomp(biv: asr.AsremlFit, term: str, prefix: str
                                             ) -> None:
    traits = ["Yield", "Weight"]
    want = np.zeros((2, 2))
    for i in range(2):
        for j in range(i + 1):
            want[i, j] = want[j, i] = vc(biv, f"{prefix}{traits[i]}:{traits[j]}")
    got = biv.covariance(term)
    assert isinstance(got, pd.DataFrame)
    assert list(got.index) == traits and list(got.columns) == traits
    np.testing.assert_allclose(got.to_numpy(), want, rtol=1e-12)
    # us elements are parameters: their SEs are varcomp's
    se = biv.varcomp["std.error"]
    np.testing.assert_allclose(got.attrs["se"].to_numpy(),
                               [[se[f"{prefix}Yield:Yield"], se[f"{prefix}Weight:Yield"]],
                                [se[f"{prefix}Weight:Yield"], se[f"{prefix}Weight:Weight"]]],
                               rtol=1e-10)


def test_residual_alias_and_dict_of_all_terms(biv: asr.AsremlFit) -> None:
    every = biv.covariance()
    assert isinstance(every, dict) and list(every) == ["trait:Name", "units:trait"]
    res = biv.covariance("residual")
    assert isinstance(res, pd.DataFrame)
    pd.testing.assert_frame_equal(res, every["units:trait"])
    assert res.loc["Weight", "Yield"] == pytest.approx(vc(biv, "units:trait!trait_Weight:Yield"))


# V-numbers as asreml's: the residual's fixed scale units:trait!R is V4 (asr_py.results.vnumbers)
@pytest.mark.parametrize("term, v", [("trait:Name", (1, 2, 3)), ("units:trait", (5, 6, 7))])
def test_correlation_equals_vpredict(biv: asr.AsremlFit, term: str, v: tuple[int, ...]) -> None:
    ref = biv.vpredict(f"r ~ V{v[1]}/sqrt(V{v[0]}*V{v[2]})")
    got = biv.covariance(term, correlation=True)
    assert isinstance(got, pd.DataFrame)
    assert got.loc["Weight", "Yield"] == pytest.approx(ref.loc["r", "Estimate"], rel=1e-10)
    assert got.loc["Yield", "Weight"] == pytest.approx(ref.loc["r", "Estimate"], rel=1e-10)
    assert got.attrs["se"].loc["Weight", "Yield"] == pytest.approx(ref.loc["r", "SE"], rel=1e-4)
    np.testing.assert_array_equal(np.diag(got.to_numpy()), [1.0, 1.0])
    np.testing.assert_array_equal(np.diag(got.attrs["se"].to_numpy()), [0.0, 0.0])


# ----- corgh, diag, cor (a term scale): closed forms and finite-difference SEs ----------------

def test_corgh_full_matrix_and_se(corgh_fit: asr.AsremlFit) -> None:
    m = corgh_fit
    envs = ["CA.2011", "CA.2012", "CA.2013"]
    sd = np.sqrt([vc(m, f"Env:Name!Env_{e}") for e in envs])
    R = np.eye(3)
    for i in range(3):
        for j in range(i):
            R[i, j] = R[j, i] = vc(m, f"Env:Name!Env_{envs[i]}:{envs[j]}!cor")
    got = m.covariance("Env:Name")
    np.testing.assert_allclose(got.to_numpy(), R * np.outer(sd, sd), rtol=1e-12)
    cor = m.covariance("Env:Name", correlation=True)
    np.testing.assert_allclose(cor.to_numpy(), R, rtol=1e-10)

    names = list(m.result.names)
    iv = {e: names.index(f"Env:Name!Env_{e}") for e in envs}
    ic = names.index("Env:Name!Env_CA.2013:CA.2011!cor")
    cov31 = m.covariance("Env:Name").attrs["se"].loc["CA.2013", "CA.2011"]
    ref = delta_se(m, lambda th: th[ic] * np.sqrt(th[iv["CA.2013"]] * th[iv["CA.2011"]]))
    assert cov31 == pytest.approx(ref, rel=1e-5)
    # the correlation of corgh is a parameter: its SE is varcomp's
    assert cor.attrs["se"].loc["CA.2013", "CA.2011"] == pytest.approx(
        m.varcomp.loc["Env:Name!Env_CA.2013:CA.2011!cor", "std.error"], rel=1e-5)


def test_diag_is_diagonal(dt_example: pd.DataFrame) -> None:
    m = asr.asreml("Yield ~ Env", "~ diag(Env):Name", data=dt_example)
    envs = ["CA.2011", "CA.2012", "CA.2013"]
    got = m.covariance("Env:Name")
    np.testing.assert_allclose(got.to_numpy(),
                               np.diag([vc(m, f"Env:Name!Env_{e}") for e in envs]), rtol=1e-12)
    se = got.attrs["se"].to_numpy()
    np.testing.assert_allclose(np.diag(se), [m.varcomp.loc[f"Env:Name!Env_{e}", "std.error"]
                                             for e in envs], rtol=1e-10)
    assert se[0, 1] == 0.0 and se[2, 0] == 0.0


def test_term_scale_multiplies_correlation_part(dt_example: pd.DataFrame) -> None:
    m = asr.asreml("Yield ~ Env", "~ cor(Env):Name", data=dt_example)
    s2, rho = vc(m, "Env:Name"), vc(m, "Env:Name!Env!cor")
    got = m.covariance("Env:Name")
    np.testing.assert_allclose(got.to_numpy(), s2 * (rho + (1 - rho) * np.eye(3)), rtol=1e-12)
    i_s, i_r = m.result.names.index("Env:Name"), m.result.names.index("Env:Name!Env!cor")
    assert got.attrs["se"].iloc[1, 0] == pytest.approx(
        delta_se(m, lambda th: th[i_s] * th[i_r]), rel=1e-5)
    assert got.attrs["se"].iloc[1, 1] == pytest.approx(
        m.varcomp.loc["Env:Name", "std.error"], rel=1e-10)
    cor = m.covariance("Env:Name", correlation=True)  # free of the scale: SE of ρ itself
    assert cor.iloc[2, 0] == pytest.approx(rho, rel=1e-10)
    assert cor.attrs["se"].iloc[2, 0] == pytest.approx(
        m.varcomp.loc["Env:Name!Env!cor", "std.error"], rel=1e-5)


# ----- fa: ΛΛ' + Ψ, rotation, finite-difference SEs -------------------------------------------

def fa_matrix(th: np.ndarray, m: asr.AsremlFit, n: int = 5, k: int = 2) -> np.ndarray:
    """ΛΛ' + Ψ from θ by the varcomp names (independent of the template)."""
    names = list(m.result.names)
    lam = np.zeros((n, k))
    psi = np.zeros(n)
    for i in range(n):
        psi[i] = th[names.index(f"Site:Geno!Site_S{i + 1}!var")]
        for j in range(k):
            nm = f"Site:Geno!Site_S{i + 1}!fa{j + 1}"
            if nm in names:
                lam[i, j] = th[names.index(nm)]
    return lam @ lam.T + np.diag(psi)


def test_fa_covariance_is_loadings_plus_specific(fa2: asr.AsremlFit) -> None:
    th = np.asarray(fa2.result.theta)
    got = fa2.covariance("Site:Geno")
    np.testing.assert_allclose(got.to_numpy(), fa_matrix(th, fa2), rtol=1e-12)
    s = fa2.fa()
    np.testing.assert_allclose(s.covariance.to_numpy(), got.to_numpy(), rtol=1e-12)
    lam = s.loadings.to_numpy()
    assert lam[0, 1] == 0.0  # ASReml's constraint, unrotated
    np.testing.assert_allclose(lam @ lam.T + np.diag(s.specific.to_numpy()), got.to_numpy(),
                               rtol=1e-12)
    assert s.specific["S3"] == pytest.approx(vc(fa2, "Site:Geno!Site_S3!var"))
    assert s.loadings.loc["S4", "fa2"] == pytest.approx(vc(fa2, "Site:Geno!Site_S4!fa2"))
    np.testing.assert_allclose(s.variance_explained.to_numpy(),
                               100 * (lam ** 2).sum(axis=0) / np.trace(got.to_numpy()))


def test_fa_rotation_keeps_lambda_lambda_t(fa2: asr.AsremlFit) -> None:
    plain, rot = fa2.fa(), fa2.fa("Site:Geno", rotate=True)
    L, Lr = plain.loadings.to_numpy(), rot.loadings.to_numpy()
    np.testing.assert_allclose(Lr @ Lr.T, L @ L.T, rtol=1e-10, atol=1e-12)
    V = rot.rotation
    np.testing.assert_allclose(V.T @ V, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(L @ V, Lr, atol=1e-12)
    gram = Lr.T @ Lr  # principal axes: orthogonal columns by decreasing variance
    assert abs(gram[0, 1]) < 1e-10 * gram[0, 0] and gram[0, 0] >= gram[1, 1]
    assert (Lr.sum(axis=0) >= 0).all()
    np.testing.assert_allclose(np.linalg.svd(L, compute_uv=False), np.sqrt(np.diag(gram)))
    assert rot.variance_explained.sum() == pytest.approx(plain.variance_explained.sum())


@pytest.mark.parametrize("i, j", [(0, 0), (2, 1), (4, 3), (3, 3)])
def test_fa_element_se_is_delta_method(fa2: asr.AsremlFit, i: int, j: int) -> None:
    se = fa2.covariance("Site:Geno").attrs["se"].iloc[i, j]
    assert se == pytest.approx(delta_se(fa2, lambda th: fa_matrix(th, fa2)[i, j]), rel=1e-5)
    cse = fa2.covariance("Site:Geno", correlation=True).attrs["se"].iloc[i, j]

    def r(th: np.ndarray) -> float:
        s = fa_matrix(th, fa2)
        return s[i, j] / np.sqrt(s[i, i] * s[j, j])

    if i == j:
        assert cse == 0.0
    else:
        assert cse == pytest.approx(delta_se(fa2, r), rel=1e-5)


def test_boundary_parameter_counts_as_known(dt_example: pd.DataFrame) -> None:
    m = asr.asreml("Weight ~ Env", "~ fa(Env, 1):Name", data=dt_example)
    assert m.varcomp.loc["Env:Name!Env_CA.2011!var", "bound"] == "B"
    se = m.covariance("Env:Name").attrs["se"]
    names = list(m.result.names)
    lam = [names.index(f"Env:Name!Env_{e}!fa1") for e in ("CA.2011", "CA.2012", "CA.2013")]
    # Σ_11 = ψ_1 + λ_1²: ψ_1 held at 0, so the SE is that of λ_1² alone
    assert se.iloc[0, 0] == pytest.approx(
        2 * abs(m.result.theta[lam[0]]) * m.varcomp.iloc[lam[0]]["std.error"], rel=1e-6)
    assert se.iloc[1, 0] == pytest.approx(
        delta_se(m, lambda th: th[lam[1]] * th[lam[0]]), rel=1e-5)
    # vpredict follows the same rule: Σ_11 = V1 + V4² has the SE of λ_1² alone
    assert m.vpredict("s ~ V1 + V4^2").loc["s", "SE"] == pytest.approx(se.iloc[0, 0], rel=1e-5)


# ----- several structured parts, errors, no mutation -------------------------------------------

def test_term_with_two_structures_needs_part(dt_example: pd.DataFrame) -> None:
    m = asr.asreml("Yield ~ Env", "~ diag(Env):idv(Block)", data=dt_example)
    both = m.covariance("Env:Block")
    assert isinstance(both, dict) and set(both) == {"Env:Block!Env", "Env:Block!Block"}
    blk = m.covariance("Env:Block", part="Block")
    blocks = sorted(dt_example["Block"].unique())
    assert isinstance(blk, pd.DataFrame) and sorted(blk.index) == blocks
    np.testing.assert_allclose(blk.to_numpy(),
                               vc(m, "Env:Block!Block!var") * np.eye(len(blocks)))
    with pytest.raises(AsrError, match="did you mean 'Block'"):
        m.covariance("Env:Block", part="Blok")


def test_dsum_sections_are_named_like_their_components(dt_example: pd.DataFrame) -> None:
    m = asr.asreml(BIV["fixed"], BIV["random"], "~ dsum(~ units:us(trait) | Env)",
                   data=dt_example)
    res = m.covariance("residual")
    keys = [f"Env_{e}!units:trait" for e in ("CA.2011", "CA.2012", "CA.2013")]
    assert isinstance(res, dict) and list(res) == keys
    for k in keys:
        got = m.covariance(k)
        assert isinstance(got, pd.DataFrame)
        pd.testing.assert_frame_equal(got, res[k])
        for a, b in (("Yield", "Yield"), ("Weight", "Yield"), ("Weight", "Weight")):
            assert got.loc[a, b] == got.loc[b, a] == vc(m, f"{k}!trait_{a}:{b}")
            assert got.attrs["se"].loc[a, b] == pytest.approx(
                m.varcomp.loc[f"{k}!trait_{a}:{b}", "std.error"], rel=1e-10)


def test_errors_name_the_terms(biv: asr.AsremlFit, dt_example: pd.DataFrame) -> None:
    with pytest.raises(AsrError, match="did you mean 'trait:Name'"):
        biv.covariance("trait:Nme")
    with pytest.raises(AsrError, match="no factor-analytic"):
        biv.fa()
    plain = asr.asreml("Yield ~ Env", "~ Name", data=dt_example)
    with pytest.raises(AsrError, match="no variance structure with parameters"):
        plain.covariance()


def test_does_not_change_the_fit(biv: asr.AsremlFit) -> None:
    theta = biv.result.theta.copy()
    V = biv.result.vcov_theta.copy()
    out = biv.covariance("trait:Name")
    assert isinstance(out, pd.DataFrame)
    out.iloc[0, 0] = -1.0
    np.testing.assert_array_equal(biv.result.theta, theta)
    np.testing.assert_array_equal(biv.result.vcov_theta, V)
    again = biv.covariance("trait:Name")
    assert isinstance(again, pd.DataFrame) and again.iloc[0, 0] == theta[0]


# ----- the numbers shown in docs/getting-started.md -------------------------------------------

def test_getting_started_section_numbers(biv: asr.AsremlFit, dt_example: pd.DataFrame) -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "getting-started.md").read_text(
        encoding="utf-8")
    sec = doc.split("## Covariance and correlation matrices")[1].split("\n## ")[0]

    def shown(x: float, digits: int = 6) -> bool:
        return f"{x:.{digits}f}" in sec

    g = biv.covariance("trait:Name")
    assert isinstance(g, pd.DataFrame)
    assert all(shown(v) for v in g.to_numpy().ravel())
    assert all(shown(v) for v in g.attrs["se"].to_numpy().ravel())
    r = biv.covariance("trait:Name", correlation=True)
    assert isinstance(r, pd.DataFrame)
    assert shown(r.loc["Weight", "Yield"]) and shown(r.attrs["se"].loc["Weight", "Yield"])
    e = biv.covariance("residual", correlation=True)
    assert isinstance(e, pd.DataFrame) and shown(e.loc["Weight", "Yield"])
    mf = asr.asreml("Yield ~ Env", random="~ fa(Env, 1):Name", data=dt_example)
    assert shown(mf.fa().variance_explained["fa1"])
    c = mf.covariance("Env:Name", correlation=True)
    assert isinstance(c, pd.DataFrame)
    assert all(shown(v, 4) for v in c.to_numpy()[np.tril_indices(3, -1)])
