"""ASReml's !ARLIMIT: every autoregressive parameter (ar1's ρ, each φ_j of ar2/ar3) is kept
within [−0.99, 0.99]; a parameter the likelihood pushes beyond is held on the limit and
reported 'B' (vcov/autoregressive.py, reml/bounds.py).

Checked against an independent dense-V REML (``tests/_dense_reml.py``, scipy) whose AR(3)
autocorrelations come from dae's closed form (ρ_1, ρ_2 from φ, then the recursion), not from
asr_py's Yule-Walker solve:

* asremlPlus test42GeneticCane.R (local851, fetched ``asremlplus_local851.csv``):
  ``random = ~ New + ar1(Col):ar3(Row)``. Without the limit the fit went to φ = (1.21, −1.08,
  0.58), stationary but outside the range ASReml allows and dae's ``mat.ar3`` accepts; held,
  φ_1 = 0.99 ('B') and the rest maximise the dense ℓ with φ_1 fixed there.
* a random walk fitted with an ar1 residual: ρ's optimum is beyond 0.99, held there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import lbfgsb_max, reml_loglik
from _fetched import fetched

import asr_py as asr
from asr_py.vcov import get_structure


def make(name: str, levels: list[str]):  # noqa: ANN201
    return get_structure(name)(levels, name="Row")


def test_ar_templates_limit_estimation_not_validity() -> None:
    for f, k in (("ar1", 1), ("ar2", 2), ("ar3", 3)):
        t = make(f, [str(i) for i in range(6)])
        np.testing.assert_array_equal(t.lower(), np.full(k, -0.99))
        np.testing.assert_array_equal(t.upper(), np.full(k, 0.99))
    # a value the user fixes beyond the limit is still a valid correlation matrix
    assert make("ar1", list("abcd")).is_valid(np.array([0.995]))
    assert make("ar2", list("abcd")).is_valid(np.array([1.5, -0.6]))  # stationary
    assert not make("ar2", list("abcd")).is_valid(np.array([1.5, 0.6]))  # not stationary


def _cane() -> pd.DataFrame:
    d = pd.read_csv(fetched("asremlplus_local851.csv"))
    for c in ("Row", "Col"):
        d[c] = pd.Categorical(d[c].astype(str),
                              categories=[str(v) for v in sorted(d[c].unique())])
    for c in ("Control", "Check", "New"):
        d[c] = d[c].astype(str).astype("category")
    return d


def _ar3_acf(phi: np.ndarray, n: int) -> np.ndarray:
    """dae's mat.ar3 closed form: ρ_1, ρ_2 from φ, then ρ_k = Σ φ_j ρ_(k−j)."""
    p1, p2, p3 = phi
    om = 1 - p2 - p3 * (p1 + p3)
    r = [1.0, (p1 + p2 * p3) / om, (p1 * (p1 + p3) + p2 * (1 - p2)) / om]
    while len(r) < n:
        r.append(p1 * r[-1] + p2 * r[-2] + p3 * r[-3])
    return np.array(r[:n])


def _dense_cane_ar3(d: pd.DataFrame):
    """ℓ(σ²_New, σ²_g, ρ_Col, φ1, φ2, φ3, σ²) for G = σ²_g ar1(Col) ⊗ ar3(Row) on the plots,
    units residual."""
    y = d["tch"].to_numpy(float)
    X = pd.get_dummies(d["Check"]).to_numpy(float)  # the 5 cells of Control/Check
    zn = pd.get_dummies(d["New"]).drop(columns=[c for c in d["New"].cat.categories
                                                if d["New"].isna().all()]).to_numpy(float)
    zzn = zn @ zn.T
    c = d["Col"].cat.codes.to_numpy()
    r = d["Row"].cat.codes.to_numpy()
    dc = np.abs(c[:, None] - c[None, :])
    dr = np.abs(r[:, None] - r[None, :])
    nr = len(d["Row"].cat.categories)

    def ll(x: np.ndarray) -> float:
        sn, sg, rc, p1, p2, p3, s2 = x
        if min(sn, sg) < 0 or s2 <= 0 or abs(rc) >= 1:
            return -np.inf
        if np.any(np.abs(np.roots([1.0, -p1, -p2, -p3])) >= 1):
            return -np.inf
        acf = _ar3_acf(np.array([p1, p2, p3]), nr)
        V = sn * zzn + sg * rc ** dc * acf[dr] + s2 * np.eye(len(y))
        return reml_loglik(y, X, V)
    return ll


def test_cane_ar3_phi_held_at_the_limit_matches_dense_reml() -> None:
    d = _cane()
    m = asr.asreml("tch ~ Control/Check", random="~ New + ar1(Col):ar3(Row)", data=d,
                   maxit=30, na_action={"y": "include", "x": "include"})
    assert m.converged
    vc = m.varcomp
    names = list(vc.index)
    est = vc["component"].to_numpy()
    k1 = names.index("Col:Row!Row!phi1")
    assert est[k1] == 0.99  # held exactly on the limit (a closed bound)
    assert vc["bound"].iloc[k1] == "B" and np.isnan(vc["std.error"].iloc[k1])
    assert np.all(np.abs(est[k1:k1 + 3]) <= 0.99 + 1e-12)
    assert any("Col:Row!Row!phi1" in s and "upper bound" in s for s in m.diagnostics)
    # the dense optimum with φ1 fixed at 0.99, the other six free
    ll = _dense_cane_ar3(d)
    order = [names.index(n) for n in ("New", "Col:Row", "Col:Row!Col!cor", "Col:Row!Row!phi2",
                                      "Col:Row!Row!phi3", "units!R")]

    def ll6(z: np.ndarray) -> float:
        return ll(np.array([z[0], z[1], z[2], 0.99, z[3], z[4], z[5]]))
    x, best = lbfgsb_max(ll6, np.array([200.0, 150.0, 0.8, -0.5, 0.2, 200.0]),
                         [100.0, 100.0, 1.0, 1.0, 1.0, 100.0],
                         [(0, None), (0, None), (-0.99, 0.99), (-0.99, 0.99), (-0.99, 0.99),
                          (1.0, None)])
    assert m.loglik == pytest.approx(best, abs=2e-4)
    np.testing.assert_allclose(est[order], x, rtol=5e-3, atol=5e-3)
    # the limit binds: the dense ℓ still increases with φ1 at 0.99
    full = np.array([x[0], x[1], x[2], 0.99, x[3], x[4], x[5]])
    up = full.copy()
    up[3] += 1e-4
    assert ll(up) > ll(full)


@pytest.mark.parametrize("seed", [0, 3])
def test_ar1_residual_of_an_integrated_walk_held_at_the_limit(seed: int) -> None:
    """y = 5 + twice-integrated noise: ρ's optimum is beyond 0.99. Seed 3: an AI step from
    0.982 jumped to 0.9956 and stayed there until iteration validity checked the limit.
    Held on the limit, ρ is then fixed at 0.98 ('F') as asreml does (reml/ar_limit_fix.py)
    and σ² is its REML estimate given ρ = 0.98."""
    rng = np.random.default_rng(seed)
    n = 40
    y = 5 + np.cumsum(np.cumsum(rng.normal(size=n)))
    d = pd.DataFrame({"y": y, "t": pd.Categorical([str(i) for i in range(n)],
                                                  categories=[str(i) for i in range(n)])})
    m = asr.asreml("y ~ 1", residual="~ ar1(t)", data=d)
    vc = m.varcomp
    assert m.converged
    assert vc.loc["t!t!cor", "component"] == 0.98  # asreml's value for ρ on its limit
    assert vc.loc["t!t!cor", "bound"] == "F"
    lag = np.abs(np.arange(n)[:, None] - np.arange(n)[None, :])
    X = np.ones((n, 1))

    def profile(rho: float) -> tuple[float, float]:
        """(σ̂², ℓ) at ρ: σ̂² = y'P₀y / (n − p) in closed form, P₀ from C(ρ)."""
        ci = np.linalg.inv(rho ** lag)
        p0 = ci - ci @ X @ np.linalg.solve(X.T @ ci @ X, X.T @ ci)
        s2 = float(y @ p0 @ y) / (n - 1)
        return s2, reml_loglik(y, X, s2 * rho ** lag)
    s2, at98 = profile(0.98)
    assert vc.loc["t!R", "component"] == pytest.approx(s2, rel=1e-4)
    assert m.loglik == pytest.approx(at98, abs=1e-5)
    best = profile(0.99)[1]
    assert profile(0.995)[1] > best > at98  # the limit binds
    # a start value beyond the limit: a clear error; fixed ('F') there, the model is fitted
    sv = asr.asreml("y ~ 1", residual="~ ar1(t)", data=d, start_values=True)
    sv.loc[sv.Component == "t!t!cor", "Value"] = 0.995
    with pytest.raises(asr.ModelError, match=r"t!t!cor' is 0.995, outside the range "
                                             r"\[-0.99, 0.99\].*constraint 'F'"):
        asr.asreml("y ~ 1", residual="~ ar1(t)", data=d, params=sv)
    sv.loc[sv.Component == "t!t!cor", "Constraint"] = "F"
    mf = asr.asreml("y ~ 1", residual="~ ar1(t)", data=d, params=sv)
    assert mf.varcomp.loc["t!t!cor", "component"] == 0.995
    s2f, llf = profile(0.995)
    assert mf.varcomp.loc["t!R", "component"] == pytest.approx(s2f, rel=1e-4)
    assert mf.loglik == pytest.approx(llf, abs=1e-5)
