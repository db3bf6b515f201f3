"""asreml's extended design of fa/rr terms (asr_py/results/rr_design.py): the block of C⁻¹
over (u, f) against a dense joint BLUP, and the two routes against each other.

The reference is written out in numpy from the fit's own Λ, Ψ, σ²: s = [u; f] with
Var(s) = [[Σ ⊗ K, Λ ⊗ K], [Λ' ⊗ K, I ⊗ K]] and design [Z, 0] (ASReml's XFA: "the design
matrix for f augmented with k columns of zeros"), V = Z(Σ ⊗ K)Z' + σ²I, P the REML projector,
ŝ = Var(s)[Z, 0]'Py and Var(s − ŝ) = Var(s) − Var(s)[Z, 0]'P[Z, 0]Var(s). asr_py's design
route reads f's rows from the latent equations an rr fit solves (u = (Λ ⊗ I) f), its
back-transform from û and C⁻¹_uu (results/fa_scores.py's algebra): three computations.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import indicator

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.results.rr_design import extended_cinv, extended_terms
from asr_py.translate.rdesign import r_design

ENVS = [f"E{i + 1}" for i in range(6)]
GENS = [f"G{j + 1:02d}" for j in range(24)]
LAM = np.array([[3.0, 0.0], [2.5, -1.2], [2.0, 0.8], [3.5, 0.4], [1.5, 1.5], [2.8, -0.6]])


def _met(seed: int, reps: int = 2, psi: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((len(GENS), 2))
    u = f @ LAM.T + psi * rng.standard_normal((len(GENS), len(ENVS)))
    rows = [(e, g, 10.0 + i + u[j, i] + rng.standard_normal())
            for i, e in enumerate(ENVS) for j, g in enumerate(GENS) for _ in range(reps)]
    return pd.DataFrame(rows, columns=["env", "gen", "y"])


def _fit(d: pd.DataFrame, random: str, **kw: object) -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("y ~ env", random=random, data=d, maxit=100, **kw)


def _joint(y: np.ndarray, X: np.ndarray, Z: np.ndarray, lam: np.ndarray, psi: np.ndarray,
           K: np.ndarray, s2: float) -> tuple[np.ndarray, np.ndarray]:
    """ŝ and Var(s − ŝ) of s = [u; f] (u's and f's rows: the fa factor slowest)."""
    sig = lam @ lam.T + np.diag(psi)
    k = lam.shape[1]
    gs = np.block([[np.kron(sig, K), np.kron(lam, K)],
                   [np.kron(lam.T, K), np.kron(np.eye(k), K)]])
    zs = np.hstack([Z, np.zeros((Z.shape[0], k * K.shape[0]))])
    V = Z @ np.kron(sig, K) @ Z.T + s2 * np.eye(Z.shape[0])
    vi = np.linalg.inv(V)
    vx = vi @ X
    P = vi - vx @ np.linalg.solve(X.T @ vx, vx.T)
    gz = gs @ zs.T
    return gz @ P @ y, gs - gz @ P @ gz.T


def _met_reference(fit: asr.AsremlFit, d: pd.DataFrame, K: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    s = fit.fa()
    lam = s.loadings.loc[ENVS].to_numpy()
    psi = s.specific.loc[ENVS].to_numpy() if hasattr(s.specific, "loc") else \
        np.asarray(s.specific, dtype=float)
    s2 = float(fit.varcomp.loc["units!R", "component"])
    Z = indicator(d["env"] + ":" + d["gen"], [f"{e}:{g}" for e in ENVS for g in GENS])
    X = np.column_stack([np.ones(len(d)), indicator(d["env"], ENVS)[:, 1:]])
    K = np.eye(len(GENS)) if K is None else K
    return _joint(d["y"].to_numpy(), X, Z, lam, np.clip(psi, 0, None), K, s2)


def _relationship() -> np.ndarray:
    rng = np.random.default_rng(11)
    m = rng.standard_normal((len(GENS), 40))
    return m @ m.T / 40 + 0.1 * np.eye(len(GENS))


def _close(a: np.ndarray, b: np.ndarray, rel: float) -> None:
    np.testing.assert_allclose(a, b, rtol=0, atol=rel * np.abs(b).max())


@pytest.mark.parametrize("relationship", [False, True])
def test_rr_design_route_equals_back_transform_and_dense_blup(relationship: bool) -> None:
    d = _met(seed=7, psi=0.3)
    K = _relationship() if relationship else None
    kw = {"K": pd.DataFrame(K, index=GENS, columns=GENS)} if relationship else {}
    fit = _fit(d, "~ rr(env, 2):vm(gen, K)" if relationship else "~ rr(env, 2):gen", **kw)
    et = extended_terms(fit)[0]
    assert (et.shape, et.k, et.axis) == ((len(ENVS), len(GENS)), 2, 0)
    design = extended_cinv(fit, 0, route="design")
    back = extended_cinv(fit, 0, route="back")
    shat, pev = _met_reference(fit, d, K)
    assert design.shape == (8 * len(GENS),) * 2
    _close(design, pev, 1e-8)
    _close(back, pev, 1e-8)
    _close(design, back, 1e-10)
    # the BLUPs: coef random's u rows then its Comp rows are ŝ in the same layout
    sol = fit.coef_random["solution"].to_numpy()[:shat.size]
    _close(sol, shat, 1e-7)
    # a direct term's design and Csparse are u's alone, as asreml 4.1's design (test41MET.r)
    nu = len(ENVS) * len(GENS)
    cs = fit.csparse([fit.model.random[0].label])
    assert cs["row"].max() == nu
    i, j = cs["row"].to_numpy() - 1, cs["column"].to_numpy() - 1
    _close(cs["Cij"].to_numpy(), pev[i, j], 1e-8)
    assert sum(c.startswith("rr(env, 2):") for c in r_design(fit).columns) == nu


def test_fa_back_transform_equals_dense_blup_and_has_no_design_route() -> None:
    d = _met(seed=3, psi=1.5)
    fit = _fit(d, "~ fa(env, 2):gen")
    assert fit.converged and (fit.fa().specific > 0.5).sum() >= 3      # Ψ ≠ 0: not an rr
    _, pev = _met_reference(fit, d)
    _close(extended_cinv(fit, 0), pev, 1e-8)
    with pytest.raises(AsrError, match="latent factors"):
        extended_cinv(fit, 0, route="design")


# ------------------------------------------------------------ str() with score placeholders
NCOV = 3


def _regression_data(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Factorial regression on environment covariates: y = μ_env + Σ_c x_env,c u_gen,c + e,
    u_gen ~ N(0, ΛΛ') over NCOV covariates, and asreml's table with two zero placeholders."""
    rng = np.random.default_rng(seed)
    envs = [f"E{i + 1}" for i in range(10)]
    cov = pd.DataFrame(rng.standard_normal((len(envs), NCOV)), columns=["c1", "c2", "c3"])
    lam = np.array([[1.5, 0.0], [1.0, 0.8], [-0.7, 1.1]])
    u = rng.standard_normal((len(GENS), 2)) @ lam.T
    rows = []
    for i, e in enumerate(envs):
        for j, g in enumerate(GENS):
            rows.append((e, g, 5.0 + 0.5 * i + cov.iloc[i].to_numpy() @ u[j]
                         + 0.7 * rng.standard_normal()))
    d = pd.DataFrame(rows, columns=["env", "gen", "y"])
    table = cov.assign(env=envs, x0=0.0, x00=0.0)[["env", "c1", "c2", "c3", "x0", "x00"]]
    return d, table


def _str_fit(d: pd.DataFrame, table: pd.DataFrame) -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("y ~ env", random="~ str(~ mbf(Co):gen, ~ rr(3, 2):id(gen))",
                          mbf={"Co": {"key": ("env", "env"), "cov": "C"}}, C=table, data=d,
                          maxit=100)


def test_str_placeholders_are_the_scores_columns_and_rows() -> None:
    """m-hrachov's script: the design has the 3 covariates' and the 2 placeholders' columns
    per genotype (asreml 4.2's names ``mbf(Co)_x0:gen_G01``, zero), Csparse (3 + 2) x 24 rows,
    and its u block is the dense PEV of the rr model written with the covariates."""
    d, table = _regression_data(5)
    fit = _str_fit(d, table)
    term = fit.model.random[0]
    assert term.score_labels == ("x0", "x00")
    assert term.levels[:2] == ["c1:G01", "c1:G02"]
    des = r_design(fit)
    cols = [c for c in des.columns if c.startswith("mbf(Co)")]
    assert len(cols) == (NCOV + 2) * len(GENS)
    assert cols[:2] == ["mbf(Co)_c1:gen_G01", "mbf(Co)_c1:gen_G02"]
    assert cols[NCOV * len(GENS)] == "mbf(Co)_x0:gen_G01" and cols[-1] == "mbf(Co)_x00:gen_G24"
    assert not des[cols[NCOV * len(GENS):]].to_numpy().any()
    # the dense reference in the covariates' layout (covariate slowest, genotype fastest)
    vc = fit.varcomp
    lam = vc.loc[vc.index.str.contains("!fa"), "component"].to_numpy().reshape(2, NCOV).T
    s2 = float(vc.loc["units!R", "component"])
    X = np.column_stack([np.ones(len(d)), indicator(d["env"], table["env"])[:, 1:]])
    G = indicator(d["gen"], GENS)
    xc = table.set_index("env").loc[d["env"], ["c1", "c2", "c3"]].to_numpy()
    Z = np.hstack([G * xc[:, [c]] for c in range(NCOV)])
    shat, pev = _joint(d["y"].to_numpy(), X, Z, lam, np.zeros(NCOV), np.eye(len(GENS)), s2)
    cs = fit.csparse("~ mbf(Co):gen")
    n = (NCOV + 2) * len(GENS)
    assert cs["row"].max() == n
    full = np.zeros((n, n))
    full[cs["row"] - 1, cs["column"] - 1] = cs["Cij"]
    full = full + np.tril(full, -1).T
    _close(full, pev, 1e-7)
    _close(fit.coef_random["solution"].to_numpy()[:n], shat, 1e-6)


def test_score_block_invariances() -> None:
    """Rows reversed: the same block; y x 1000: u's block x 1e6, the scores' block unchanged
    (f is unit-free), their covariance x 1e3."""
    d, table = _regression_data(8)
    a = extended_cinv(_str_fit(d, table), 0)
    b = extended_cinv(_str_fit(d.iloc[::-1].reset_index(drop=True), table), 0)
    c = extended_cinv(_str_fit(d.assign(y=d["y"] * 1000), table), 0)
    _close(b, a, 1e-6)
    nu = NCOV * len(GENS)
    _close(c[:nu, :nu] / 1e6, a[:nu, :nu], 1e-5)
    _close(c[nu:, nu:], a[nu:, nu:], 1e-5)
    _close(c[nu:, :nu] / 1e3, a[nu:, :nu], 1e-5)


def test_str_over_one_mbf_term_is_named_by_its_covariates() -> None:
    """``str(~ mbf(Co):gen, ~ us(3):id(gen))`` (no placeholders): effects ``c1:G01``, design
    columns asreml 4.2's ``mbf(Co)_c1:gen_G01`` (m-hrachov's script indexes C⁻¹ so), the
    data's Z otherwise unchanged."""
    d, table = _regression_data(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = asr.asreml("y ~ env", random="~ str(~ mbf(Co):gen, ~ us(3):id(gen))",
                         mbf={"Co": {"key": ("env", "env"), "cov": "C"}},
                         C=table.drop(columns=["x0", "x00"]), data=d, maxit=5)
    term = fit.model.random[0]
    assert term.score_labels == ()
    assert term.levels[:2] == ["c1:G01", "c1:G02"] and term.levels[-1] == "c3:G24"
    des = r_design(fit)
    cols = [c for c in des.columns if c.startswith("mbf(Co)")]
    assert cols[0] == "mbf(Co)_c1:gen_G01" and cols[-1] == "mbf(Co)_c3:gen_G24"
    xc = table.set_index("env").loc[d["env"], ["c1", "c2", "c3"]].to_numpy()
    Z = np.hstack([indicator(d["gen"], GENS) * xc[:, [c]] for c in range(NCOV)])
    np.testing.assert_array_equal(des[cols].to_numpy(), Z)
