"""A fit must not change with the units of a level, the order of the rows or the labels of
the levels: its estimates, ℓ, convergence flag, boundary codes and (nearly) its iteration
count (s18inv).

MET designs with sites in t/ha and kg/ha (one site's records multiplied by c_k): a
``diag(env):gen`` or ``fa(env, 1):gen`` random term and a ``dsum(~ units | env)`` residual.
y -> C y with C = diag(c_env(i)) maps the model onto itself (G_kl -> c_k c_l G_kl,
R_k -> c_k² R_k), and since the fixed effects are per site (env + env:rep, so C X = X B
with |B| = Π_k c_k^{p_k}) the full REML ℓ shifts by the Jacobian
−log|C| + log|B| = −Σ_k (n_k − p_k) log c_k (n_k records and p_k fixed-effect columns of
site k). Checked against the dense-V REML of tests/_dense_reml.py: ℓ at our estimates, and
no better point from L-BFGS-B started there.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dense_reml import indicator, lbfgsb_max, reml_loglik

import asr_py as asr

ENVS = 5


def _met(seed: int, n_gen: int = 20) -> pd.DataFrame:
    """ENVS sites x n_gen genotypes x 2 reps (about 8 % missing), site means 4-8, genotype
    effects with site-specific variances, residual s.d. 0.4-0.9 by site."""
    rng = np.random.default_rng(seed)
    lam = rng.normal(1.0, 0.3, ENVS)
    f = rng.normal(size=n_gen)
    sd = rng.uniform(0.4, 0.9, ENVS)
    rows = []
    for e in range(ENVS):
        for g in range(n_gen):
            for r in range(2):
                if rng.random() < 0.08:
                    continue
                v = 4 + e + lam[e] * f[g] + 0.5 * rng.normal() + rng.normal(0, sd[e])
                rows.append((f"E{e}", f"G{g:02d}", f"R{r}", v))
    return pd.DataFrame(rows, columns=["env", "gen", "rep", "y"])


def _scaled(d: pd.DataFrame, c: dict[str, float]) -> pd.DataFrame:
    out = d.copy()
    out["y"] = out["y"] * out["env"].map(c).fillna(1.0)
    return out


def _jacobian(d: pd.DataFrame, c: dict[str, float]) -> float:
    """ℓ(C y) − ℓ(y) = −Σ_k (n_k − p_k) log c_k; p_k = 2 (the site mean and its rep effect)."""
    n = d["env"].value_counts()
    return -float(sum((n[e] - 2) * np.log(v) for e, v in c.items()))


def _fit(d: pd.DataFrame, random: str) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("y ~ env + env:rep", random=random,
                          residual="~ dsum(~ units | env)", data=d)


def _by_env(vc: pd.DataFrame, prefix: str, envs: list[str]) -> np.ndarray:
    return np.array([vc.loc[prefix.format(e), "component"] for e in envs], dtype=float)


def _dense_diag(d: pd.DataFrame):
    """ℓ(θ) of V = Z_g diag-by-site G Z_g' + diag(r_site), θ = (g_E0.., r_E0..)."""
    y = d["y"].to_numpy(float)
    ze = indicator(d["env"])
    zr = indicator(d["env"] + d["rep"])
    X = np.column_stack([ze, zr[:, [j for j in range(zr.shape[1]) if j % 2 == 1]]])
    same = indicator(d["gen"]) @ indicator(d["gen"]).T

    def ll(t: np.ndarray) -> float:
        if np.any(t < 0):
            return -np.inf
        g, r = ze @ t[:ENVS], ze @ t[ENVS:]
        return reml_loglik(y, X, same * np.sqrt(np.outer(g, g)) * (ze @ ze.T)
                           + np.diag(r))

    return ll


UNITS = [{}, {"E1": 1e3, "E3": 1e3}, {"E0": 1e-3, "E4": 1e3}, {"E2": 1e-3}]


@pytest.mark.parametrize("seed", [3, 8])
def test_diag_met_is_invariant_to_the_units_of_each_site(seed: int) -> None:
    d = _met(seed)
    envs = sorted(d["env"].unique())
    base = _fit(d, "~ diag(env):gen")
    assert base.converged
    g0 = _by_env(base.varcomp, "env:gen!env_{}", envs)
    r0 = _by_env(base.varcomp, "env_{}!units!R", envs)
    codes0 = list(base.varcomp["bound"])
    it0 = len(base.iterations)
    for c in UNITS[1:]:
        ds = _scaled(d, c)
        m = _fit(ds, "~ diag(env):gen")
        cc = np.array([c.get(e, 1.0) for e in envs]) ** 2
        assert m.converged == base.converged
        assert list(m.varcomp["bound"]) == codes0
        assert abs(len(m.iterations) - it0) <= 2, (len(m.iterations), it0)
        assert m.loglik == pytest.approx(base.loglik + _jacobian(d, c), rel=1e-9)
        free = np.array([b == "P" for b in codes0[:ENVS]])
        np.testing.assert_allclose(_by_env(m.varcomp, "env:gen!env_{}", envs)[free],
                                   (cc * g0)[free], rtol=1e-5)
        np.testing.assert_allclose(_by_env(m.varcomp, "env_{}!units!R", envs), cc * r0,
                                   rtol=1e-5)
    ll = _dense_diag(d)
    th = np.r_[g0, r0]
    assert ll(th) == pytest.approx(base.loglik, abs=1e-7 * abs(base.loglik))
    x, f = lbfgsb_max(ll, th, np.maximum(th, 1e-2), [(0.0, None)] * th.size)
    assert f <= base.loglik + 1e-6  # no better point than ours


def test_shuffled_rows_and_relabelled_levels_give_the_same_fit() -> None:
    d = _met(5)
    a = _fit(d, "~ diag(env):gen")
    d2 = d.sample(frac=1.0, random_state=7).reset_index(drop=True)
    d2["gen"] = "line_" + d2["gen"].str[::-1]  # other labels, another sort order
    d2["env"] = d2["env"].map({f"E{k}": f"site{ENVS - k}" for k in range(ENVS)})
    b = _fit(d2, "~ diag(env):gen")
    assert a.converged and b.converged
    assert b.loglik == pytest.approx(a.loglik, rel=1e-8)
    # the same sites under their new names: site5 is E0, ..., site1 is E4
    envs_a = [f"E{k}" for k in range(ENVS)]
    envs_b = [f"site{ENVS - k}" for k in range(ENVS)]
    for pa, pb in [("env:gen!env_{}", "env:gen!env_{}"), ("env_{}!units!R", "env_{}!units!R")]:
        np.testing.assert_allclose(_by_env(b.varcomp, pb, envs_b),
                                   _by_env(a.varcomp, pa, envs_a), rtol=1e-5)
        assert [b.varcomp.loc[pb.format(e), "bound"] for e in envs_b] == \
            [a.varcomp.loc[pa.format(e), "bound"] for e in envs_a]


def test_fa_met_mixing_t_and_kg_per_ha_converges_in_any_units() -> None:
    """The user check uc17's shape (fa(env, 1):gen): the same converged flag, ℓ shifted by
    the Jacobian, the loadings scaled by c_k and the specific and residual variances by
    c_k², iteration counts within 2, whatever the units of each site or the row order."""
    d = _met(11, n_gen=25)
    envs = sorted(d["env"].unique())
    runs = [({}, d), ({"E1": 1e3, "E2": 1e3, "E4": 1e3}, None), ({"E0": 1e-3}, None)]
    fits = []
    for c, dd in runs:
        fits.append((c, _fit(_scaled(d, c) if dd is None else dd, "~ fa(env, 1):gen")))
    shuffled = _scaled(d, runs[1][0]).sample(frac=1.0, random_state=3)
    shuffled["gen"] = "g" + shuffled["gen"].str[1:].astype(int).map(lambda k: f"{99 - k}")
    fits.append((runs[1][0], _fit(shuffled, "~ fa(env, 1):gen")))
    c0, m0 = fits[0]
    assert m0.converged
    lam0 = np.abs(_by_env(m0.varcomp, "env:gen!env_{}!fa1", envs))
    r0 = _by_env(m0.varcomp, "env_{}!units!R", envs)
    for c, m in fits[1:]:
        ck = np.array([c.get(e, 1.0) for e in envs])
        assert m.converged
        assert abs(len(m.iterations) - len(m0.iterations)) <= 2
        assert list(m.varcomp["bound"]) == list(m0.varcomp["bound"])
        assert m.loglik == pytest.approx(m0.loglik + _jacobian(d, c), rel=1e-8)
        np.testing.assert_allclose(np.abs(_by_env(m.varcomp, "env:gen!env_{}!fa1", envs)),
                                   ck * lam0, rtol=1e-4)
        np.testing.assert_allclose(_by_env(m.varcomp, "env_{}!units!R", envs), ck ** 2 * r0,
                                   rtol=1e-4)




def _steps(m: object) -> list[tuple[str, float]]:
    return [(h["method"], float(h["step"])) for h in m.result.history]


@pytest.mark.parametrize("c", [1e3, 1e-3, 1e5])
def test_fit_takes_the_same_steps_in_other_units(c: float) -> None:
    """s19sel: ante(Env):Name with dsum(~ units | Env) residuals (DT_example; AI, secant and
    differenced-Hessian steps) with the yield in other units takes the same iterations: the
    same method and step length at each, the same count and flag. y -> c y maps the model
    onto itself (ante's precisions d x c⁻², its u's unchanged, residual variances x c²) and
    shifts the full REML ℓ by −(n − p) log c (the Jacobian of y -> c y for the n − p error
    contrasts)."""
    d = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "DT_example.csv",
                    dtype={k: str for k in ("Name", "Env", "Loc", "Year", "Block")})

    def fit(frame: pd.DataFrame) -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return asr.asreml("Yield ~ Env", random="~ ante(Env):Name",
                              residual="~ dsum(~ units | Env)", data=frame)

    base = fit(d)
    ds = d.copy()
    ds["Yield"] = ds["Yield"] * c
    m = fit(ds)
    assert base.converged and m.converged
    assert _steps(m) == _steps(base)
    nu = base.result.n_minus_p
    assert m.loglik == pytest.approx(base.loglik - nu * np.log(c), abs=1e-7 * nu)
    # asreml's ante: Σ⁻¹ = U D U' (d: precisions, x c⁻²; u: unit-free); residuals x c²
    power = np.array([-2.0 if n.endswith("!d") else 0.0 if n.endswith("!u") else 2.0
                      for n in base.result.names])
    np.testing.assert_allclose(m.result.theta, c ** power * base.result.theta, rtol=1e-6)
