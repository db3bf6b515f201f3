"""Units invariance of the whole fit across the model families users fit (s22spl).

y -> c·y maps a model onto itself: variances and covariances x c², loadings x c,
correlations unchanged, β x c, SE(β) x c, and the full REML ℓ shifted by the Jacobian
−(n − p)·log c (REML's likelihood is that of the n − p error contrasts). A bivariate fit
with one trait rescaled: that trait's variances x c², its covariances x c, its β x c,
ℓ − (n_t − p_t)·log c. A single term's covariate design Z_k multiplied by c: that term's
variance x c⁻², nothing else changes (ℓ shifts only where the covariate is also in X).

* **exact**: with c a power of two (2⁻¹⁴ ≈ 6e-5, 2¹⁴ ≈ 1.6e4) every floating-point
  product and quotient is exactly c times its value at c = 1, so an engine whose every
  decision is relative (to the parameter's standard error, its own value, the ℓ tolerance
  per REML degree of freedom) takes the identical path: the same steps, iterations,
  boundary codes, and estimates equal to ~1e-12. Any difference comes from a rule that
  compares a variance (or its score/AI, or |ℓ|) with an absolute number.
* **decimal**: c = 1e-4 and 1e4 (rounding of y·c differs in the last bit, which
  near-singular fits amplify): estimates within 2 % of a standard error, ℓ within the
  fit's tolerance, the same boundary codes.
* **dense**: at c = 1 the engine's ℓ equals the independent dense-V REML
  (tests/_dense_reml.py) at its estimates and no better point exists there.

The sweep's fa(env, 1):gen and fa(env, 2):gen, and a stage-2 MET's fa(env, 1) and
fa(env, 2), are in tests/reml/test_units_fa.py (s24floor: the EM step's eigenvalue floor
on the scaled I_c, the line search's slack and ℓ's noise on a units-free size of |ℓ|, no
lift in the polish fit); fa(env, 2) climbs its last iterations on differences of ℓ, whose
rounding differs with |ℓ|, so its paths part at ~1e-10 and it is checked to a tenth of the
ℓ tolerance there.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from _dense_reml import ar1, fit_dense, gs_q_r, indicator, reml_loglik
from _sweep_cases import Case, Dense, _mv_dense, cases, compare

import asr_py as asr

SIZE, SEED = 48, 5
POW2 = [2.0 ** -14, 2.0 ** 14]
DECIMAL = [1e-4, 1e4]
SWEEP = {c.name: c for c in cases(SIZE)}


@dataclass
class Family:
    """A model family: data, the asreml call, and which column carries the units."""

    name: str
    data: Callable[[], pd.DataFrame]
    kwargs: dict
    col: str = "y"  # the response column rescaled
    trait: str | None = None  # bivariate: the trait whose units change


def _sweep(name: str, col: str = "y", trait: str | None = None) -> Family:
    case = SWEEP[name]
    return Family(name, lambda: case.data(np.random.default_rng(SEED), SIZE),
                  {**case.kwargs, **case.extra}, col, trait)


def _tiny_data() -> pd.DataFrame:
    """30 genotypes x 4 reps, genotype variance 1 % of the residual's (kg/ha scale): its
    REML optimum is small but positive."""
    rng = np.random.default_rng(12)
    g = np.repeat(np.arange(30), 4)
    y = 5000.0 + rng.normal(0, 60.0, 30)[g] + rng.normal(0, 500.0, g.size)
    return pd.DataFrame({"gen": pd.Categorical([f"G{i:02d}" for i in g]), "y": y})


def _spl_data() -> pd.DataFrame:
    """A growth curve: 14 ages (days), 2 records each, a smooth departure from the line."""
    rng = np.random.default_rng(4)
    x = np.repeat(np.linspace(20.0, 150.0, 14), 2)
    y = 30 + 0.8 * x + 12 * np.sin(x / 25.0) + rng.normal(0, 3.0, x.size)
    return pd.DataFrame({"x": x, "y": y})


def _slope_data() -> pd.DataFrame:
    """Random regression: 15 genotypes, 6 times each, genotype intercepts and slopes."""
    rng = np.random.default_rng(1)
    g = np.repeat(np.arange(15), 6)
    x = np.tile(np.linspace(0.0, 50.0, 6), 15)
    y = (10 + 0.3 * x + rng.normal(0, 2, 15)[g] + rng.normal(0, 0.05, 15)[g] * x
         + rng.normal(0, 1.5, g.size))
    return pd.DataFrame({"gen": pd.Categorical([f"G{i:02d}" for i in g]), "x": x, "y": y})


FAMILIES = [
    _sweep("idv kg/ha"),
    _sweep("idv counts, zero var"),
    _sweep("diag(env):gen one zero"),
    _sweep("at(env):gen"),
    _sweep("gen + dsum(units|env)"),
    _sweep("us(env):gen"),
    _sweep("corgh(env):gen"),
    _sweep("ar1(Row):ar1(Col)"),
    _sweep("vm(gen, K) K singular"),
    _sweep("us(trait) kg + g, missing", col="gw", trait="gw"),
    Family("idv tiny positive", _tiny_data, dict(fixed="y ~ 1", random="~ idv(gen)")),
    Family("spl(x)", _spl_data, dict(fixed="y ~ x", random="~ spl(x)")),
    Family("gen + gen:x", _slope_data, dict(fixed="y ~ x", random="~ gen + gen:x")),
]
BY_NAME = {f.name: f for f in FAMILIES}


def _fit(fam: Family, d: pd.DataFrame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(data=d, **fam.kwargs)


def _scaled(fam: Family, d: pd.DataFrame, c: float) -> pd.DataFrame:
    out = d.copy()
    out[fam.col] = out[fam.col] * c
    return out


def _jacobians(fam: Family, d: pd.DataFrame, m, c: float
               ) -> tuple[np.ndarray, np.ndarray, float]:
    """(factor on each varcomp row, factor on each coef_fixed row, ℓ shift) of y -> c y."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sv = asr.asreml(data=d, start_values=True, **fam.kwargs)
    kinds = sv["Kind"].to_numpy()
    if fam.trait is None:
        jv = np.select([np.isin(kinds, ["variance", "covariance"]), kinds == "loading"],
                       [c ** 2, c], 1.0)
        jb = np.full(len(m.coef_fixed), c)
        n = int(d[fam.col].notna().sum())
        return jv, jb, -(n - len(m.coef_fixed)) * np.log(c)
    # bivariate: the power of c is how often the trait appears in the component's levels
    jv = np.array([c ** str(s).split("!")[-1].split("_", 1)[-1].split(":").count(fam.trait)
                   for s in sv["Component"]])
    jb = np.array([c if str(s).endswith(fam.trait) else 1.0 for s in m.coef_fixed.index])
    n = int(d[fam.col].notna().sum())
    return jv, jb, -(n - int((jb != 1.0).sum())) * np.log(c)


def _summary(m) -> dict:
    vc, cf = m.varcomp, m.coef_fixed
    return dict(ll=float(m.loglik), theta=vc["component"].to_numpy(float),
                se=vc["std.error"].to_numpy(float), codes=list(vc["bound"]),
                beta=cf["solution"].to_numpy(float), se_b=cf["std.error"].to_numpy(float),
                steps=[(h["method"], float(h["step"])) for h in m.result.history],
                converged=bool(m.converged))


_BASE: dict[str, tuple[pd.DataFrame, object, dict]] = {}


def _base(name: str) -> tuple[pd.DataFrame, object, dict]:
    if name not in _BASE:
        fam = BY_NAME[name]
        d = fam.data()
        m = _fit(fam, d)
        _BASE[name] = (d, m, _summary(m))
    return _BASE[name]


@pytest.mark.parametrize("c", POW2, ids=["2^-14", "2^14"])
@pytest.mark.parametrize("name", list(BY_NAME))
def test_power_of_two_units_take_the_identical_path(name: str, c: float) -> None:
    fam = BY_NAME[name]
    d, m1, a = _base(name)
    b = _summary(_fit(fam, _scaled(fam, d, c)))
    jv, jb, dl = _jacobians(fam, d, m1, c)
    assert b["steps"] == a["steps"]
    assert b["converged"] == a["converged"]
    assert b["codes"] == a["codes"]
    np.testing.assert_allclose(b["theta"] / jv, a["theta"], rtol=1e-9, atol=0)
    np.testing.assert_allclose(b["beta"] / jb, a["beta"], rtol=1e-9, atol=0)
    np.testing.assert_allclose(b["se_b"] / jb, a["se_b"], rtol=1e-9, atol=0)
    ok = np.isfinite(a["se"])
    assert np.array_equal(np.isfinite(b["se"]), ok)
    np.testing.assert_allclose(b["se"][ok] / jv[ok], a["se"][ok], rtol=1e-7, atol=0)
    assert b["ll"] == pytest.approx(a["ll"] + dl, abs=1e-9 * abs(a["ll"] + dl) + 1e-9)


@pytest.mark.parametrize("c", DECIMAL, ids=["1e-4", "1e4"])
@pytest.mark.parametrize("name", list(BY_NAME))
def test_decimal_units_give_the_same_fit(name: str, c: float) -> None:
    fam = BY_NAME[name]
    d, m1, a = _base(name)
    b = _summary(_fit(fam, _scaled(fam, d, c)))
    jv, jb, dl = _jacobians(fam, d, m1, c)
    assert b["converged"] == a["converged"]
    assert b["codes"] == a["codes"]
    free = np.array([k == "P" or k == "U" for k in a["codes"]]) & np.isfinite(a["se"])
    z = np.abs(b["theta"] / jv - a["theta"])[free] / a["se"][free]
    assert z.max(initial=0.0) <= 0.02, z
    held = np.array([k == "B" for k in a["codes"]])  # on the boundary: ~0 on θ's scale
    ref = np.abs(a["theta"][~held]).max()
    assert np.all(np.abs(b["theta"] / jv - a["theta"])[held] <= 1e-6 * ref)
    assert np.all(np.abs(b["beta"] / jb - a["beta"]) <= 0.02 * a["se_b"])
    np.testing.assert_allclose(b["se_b"] / jb, a["se_b"], rtol=1e-2)
    n_p = int(m1.result.n_minus_p)
    assert b["ll"] == pytest.approx(a["ll"] + dl, abs=3e-8 * n_p * 10)


# ---------------------------------------------------------------- one term's own scale
def _slope_dense(d: pd.DataFrame) -> Callable[[np.ndarray], float]:
    """ℓ(σ²_gen, σ²_slope, σ²_e) of V = σ²_g ZZ' + σ²_s Z_x Z_x' + σ²_e I, Z_x = diag(x) Z."""
    y = d["y"].to_numpy(float)
    x = d["x"].to_numpy(float)
    X = np.column_stack([np.ones(len(d)), x])
    Z = indicator(d["gen"])
    zz, zx = Z @ Z.T, (Z * x[:, None]) @ (Z * x[:, None]).T

    def ll(t: np.ndarray) -> float:
        if np.any(t[:2] < 0) or t[2] <= 0:
            return -np.inf
        return reml_loglik(y, X, t[0] * zz + t[1] * zx + t[2] * np.eye(len(y)))

    return ll


@pytest.mark.parametrize("c", POW2 + DECIMAL)
def test_a_covariate_design_scaled_alone_scales_its_variance_alone(c: float) -> None:
    """gen:x with x -> c x: Z_slope x c, so σ²_slope -> σ²_slope / c²; σ²_gen and σ²_e
    unchanged; x is also a fixed covariate, so log|X'V⁻¹X| moves by 2 log c and ℓ by
    −log c. The start values do not follow Z's scale, so the path differs: agreement in
    standard errors, and ℓ to the fit's tolerance."""
    fam = BY_NAME["gen + gen:x"]
    d, m1, a = _base(fam.name)
    b = _summary(_fit(fam, d.assign(x=d["x"] * c)))
    jv = np.array([1.0, c ** -2, 1.0])
    assert b["converged"] and a["converged"]
    assert b["codes"] == a["codes"]
    assert np.abs(b["theta"] / jv - a["theta"]).max() <= 0.02 * a["se"].min()
    assert b["ll"] == pytest.approx(a["ll"] - np.log(c), abs=1e-6)
    # the independent check at c = 1
    ll = _slope_dense(d)
    assert ll(a["theta"]) == pytest.approx(a["ll"], abs=1e-8 * abs(a["ll"]))


@pytest.mark.parametrize("name", ["idv kg/ha", "idv counts, zero var", "diag(env):gen one zero",
                                  "at(env):gen", "gen + dsum(units|env)", "us(env):gen",
                                  "corgh(env):gen", "ar1(Row):ar1(Col)",
                                  "vm(gen, K) K singular", "us(trait) kg + g, missing"])
def test_the_fit_at_unit_scale_is_the_dense_reml_optimum(name: str) -> None:
    """c = 1: ℓ at the engine's estimates equals the dense-V REML's, and the dense optimum
    from its own starts is no higher (the invariance tests compare against this fit)."""
    d, m, _ = _base(name)
    r = compare(SWEEP[name], d, m)
    assert r["ll_at"] <= 1e-8
    assert r["ll_gap"] <= 1e-7


def test_tiny_positive_variance_is_the_dense_optimum() -> None:
    d, m, a = _base("idv tiny positive")
    assert a["codes"] == ["P", "P"]
    assert 0 < a["theta"][0] < 0.05 * a["theta"][1]
    y = d["y"].to_numpy(float)
    Z = indicator(d["gen"])
    X = np.ones((len(y), 1))

    def vfun(t: np.ndarray) -> np.ndarray | None:
        return None if t[0] < 0 or t[1] <= 0 else t[0] * Z @ Z.T + t[1] * np.eye(len(y))

    ll_at = reml_loglik(y, X, vfun(a["theta"]))
    assert ll_at == pytest.approx(a["ll"], abs=1e-8 * abs(a["ll"]))
    s = float(np.var(y))
    _, best = fit_dense(y, X, vfun, [np.array([0.1, 0.9]) * s, np.array([0.01, 1.0]) * s],
                        [(0, None), (1e-6 * s, None)], scale=[s, s])
    assert best <= a["ll"] + 1e-7 * abs(a["ll"])



def test_spl_is_the_dense_reml_optimum() -> None:
    """spl(x) with knots at the 14 ages: V = σ²_s N Z R Z'N' / c³ + σ²_e I with Z = Q(Q'Q)⁻¹
    and Q, R of the knots on x's own scale, built here from Green & Silverman's formulas;
    σ²_s is on asreml's standardised scale (x/c, c = (t_r − t_1)/9: Z/c, R/c), so c³ times
    the own-scale variance; ℓ at our estimates is the dense ℓ and no better point exists."""
    d, m, a = _base("spl(x)")
    x, y = d["x"].to_numpy(float), d["y"].to_numpy(float)
    t = np.unique(x)
    Q, R = gs_q_r(t)
    N = (x[:, None] == t[None, :]).astype(float)
    Z = N @ Q @ np.linalg.inv(Q.T @ Q)
    K = Z @ R @ Z.T / ((t[-1] - t[0]) / 9) ** 3
    X = np.column_stack([np.ones_like(x), x])

    def vfun(th: np.ndarray) -> np.ndarray | None:
        return None if th[0] < 0 or th[1] <= 0 else th[0] * K + th[1] * np.eye(len(y))

    assert reml_loglik(y, X, vfun(a["theta"])) == pytest.approx(a["ll"], abs=1e-8 * abs(a["ll"]))
    _, best = fit_dense(y, X, vfun, [a["theta"] * 3, a["theta"] / 3], [(0, None), (1e-6, None)],
                        scale=np.abs(a["theta"]) + 1e-3)
    assert best <= a["ll"] + 1e-7 * abs(a["ll"])


# ------------------------------------------------- boundaries at any units (s23held)
# y -> c·y at decimal and power-of-two c around 1: the fit must reach the dense-REML optimum
# (tests/_dense_reml.py, several starts, at c = 1) after the Jacobian, with the same boundary
# codes, and claim convergence only there. Before s23held, units beside ar1 x ar1 (no
# spatial signal) stopped with 'units' held at 0 at c = 10 and 1024, 0.0106 below, and
# reported convergence: its analytic score at the held value had lost its digits.
HELD_C = [1.0, 10.0, 1024.0, 1e-3, 1 / 1024, 100.0]


def _plots(seed: int, rho: tuple[float, float], sd_units: float, sd_blk: float = 0.0,
           nr: int = 12, nc: int = 10) -> pd.DataFrame:
    """nr x nc plots: 5 + blocks of 3 rows (sd_blk) + σ·ar1 x ar1 (σ = 2) + nugget."""
    rng = np.random.default_rng(seed)
    r, c = np.meshgrid(np.arange(nr), np.arange(nc), indexing="ij")
    R = np.kron(ar1(nr, rho[0]), ar1(nc, rho[1]))
    blk = r.ravel() // 3
    y = (5.0 + rng.normal(0.0, sd_blk, blk.max() + 1)[blk]
         + np.linalg.cholesky(R) @ rng.normal(size=nr * nc) * 2.0
         + rng.normal(0.0, sd_units, nr * nc))
    return pd.DataFrame({"r": pd.Categorical(r.ravel()), "c": pd.Categorical(c.ravel()),
                         "blk": pd.Categorical(blk), "y": y})


def _resid_held_data() -> pd.DataFrame:
    """tests/reml/test_resid_held.py's data: 12 x 10 plots, y = 5 + N(0, 2²), no spatial
    part (the optimum: units 3.16, σ² 0.61 beside ρ's near 0)."""
    rng = np.random.default_rng(14)
    r, c = np.meshgrid(np.arange(12), np.arange(10), indexing="ij")
    df = pd.DataFrame({"r": pd.Categorical(r.ravel()), "c": pd.Categorical(c.ravel())})
    df["y"] = 5.0 + rng.normal(0.0, 2.0, 120)
    return df


def _plots_dense(term: str) -> Callable[[pd.DataFrame], Dense]:
    """V = σ²_t Z_t Z_t' + σ² ar1(ρ_r) ⊗ ar1(ρ_c), x = (σ²_t, σ², ρ_r, ρ_c); |ρ| <= 0.99
    (asreml's !ARLIMIT, asr_py/vcov/autoregressive.py)."""
    def make(d: pd.DataFrame) -> Dense:
        y = d["y"].to_numpy(float)
        X = np.ones((len(y), 1))
        Z = np.eye(len(y)) if term == "units" else indicator(d[term])
        zz = Z @ Z.T
        r, c = d["r"].cat.codes.to_numpy(), d["c"].cat.codes.to_numpy()
        dr, dc = np.abs(r[:, None] - r[None, :]), np.abs(c[:, None] - c[None, :])
        s = float(np.var(y))

        def vfun(x: np.ndarray) -> np.ndarray | None:
            if x[0] < 0 or x[1] <= 0 or max(abs(x[2]), abs(x[3])) > 0.99:
                return None
            return x[0] * zz + x[1] * x[2] ** dr * x[3] ** dc

        return Dense(y, X, vfun, [np.array([0.3 * s, 0.7 * s, 0.3, 0.3]),
                                  np.array([0.02 * s, s, 0.5, 0.2]),
                                  np.array([0.8 * s, 0.2 * s, 0.0, 0.0])],
                     [(0, None), (1e-9 * s, None), (-0.99, 0.99), (-0.99, 0.99)],
                     np.array([s, s, 1.0, 1.0]), lambda v: v[:4], lambda x: [np.diag(x)])
    return make


def _mv_near_one(seed: int, rg: float) -> Callable[[np.random.Generator, int], pd.DataFrame]:
    """Yield (kg/ha) and grain weight (g) on 16 families x 6, genetic correlation ``rg``
    (the REML optimum's at ±1: Σ_g on its PD boundary), 10 % of grain weights missing."""
    def make(_rng: np.random.Generator, _size: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        fam = np.repeat(np.arange(16), 6)
        G = np.array([[300.0 ** 2, rg * 300 * 0.004], [rg * 300 * 0.004, 0.004 ** 2]])
        R = np.array([[500.0 ** 2, 0.2 * 500 * 0.006], [0.2 * 500 * 0.006, 0.006 ** 2]])
        y = (np.array([5000.0, 0.04]) + (rng.normal(size=(16, 2)) @ np.linalg.cholesky(G).T)[fam]
             + rng.normal(size=(fam.size, 2)) @ np.linalg.cholesky(R).T)
        y[rng.uniform(size=fam.size) < 0.1, 1] = np.nan
        d = pd.DataFrame({"fam": [f"F{i:02d}" for i in fam], "yld": y[:, 0], "gw": y[:, 1]})
        d["fam"] = pd.Categorical(d["fam"], categories=sorted(d["fam"].unique()))
        return d
    return make


_MV = dict(fixed="cbind(yld, gw) ~ trait", random="~ us(trait):fam",
           residual="~ units:us(trait)")
HELD_CASES = {
    "units + ar1 x ar1, no spatial signal": (
        Case("units + ar1 x ar1", lambda _r, _s: _resid_held_data(),
             dict(fixed="y ~ 1", random="~ units", residual="~ ar1(r):ar1(c)"),
             _plots_dense("units")), "y", None),
    "blk variance 0 beside ar1 x ar1": (
        Case("blk 0 + ar1 x ar1", lambda _r, _s: _plots(2, (0.5, 0.3), 0.0),
             dict(fixed="y ~ 1", random="~ blk", residual="~ ar1(r):ar1(c)"),
             _plots_dense("blk"), "σ²_blk = 0"), "y", None),
    "diag(env):gen one zero": (SWEEP["diag(env):gen one zero"], "y", None),
    "us(trait) r_g -> +1, g rescaled": (
        Case("us(trait) +1", _mv_near_one(1, 0.97), _MV, _mv_dense, "r_g = 1"), "gw", "gw"),
    "us(trait) r_g -> -1, g rescaled": (
        Case("us(trait) -1", _mv_near_one(2, -0.98), _MV, _mv_dense, "r_g = -1"), "gw", "gw"),
}
_HELD_BASE: dict[str, tuple[pd.DataFrame, Family, Dense, np.ndarray, float, list[str]]] = {}


def _held_base(name: str) -> tuple[pd.DataFrame, Family, Dense, np.ndarray, float, list[str]]:
    """The data, its Family, the dense model, the dense optimum (x*, ℓ*) and our boundary
    codes, at c = 1."""
    if name not in _HELD_BASE:
        case, col, trait = HELD_CASES[name]
        d = case.data(np.random.default_rng(SEED), SIZE)
        fam = Family(name, lambda: d, {**case.kwargs, **case.extra}, col, trait)
        dn = case.dense(d)
        xd, ld = fit_dense(dn.y, dn.X, dn.vfun, dn.starts, dn.bounds, scale=dn.scale)
        codes = list(_fit(fam, d).varcomp["bound"])
        _HELD_BASE[name] = (d, fam, dn, xd, ld, codes)
    return _HELD_BASE[name]


def test_the_boundary_families_have_their_optimum_on_the_boundary() -> None:
    """What the families claim, from the dense optimum alone: σ²_blk = 0 (and ℓ falls off
    it), one environment's variance 0, the genetic correlation at +1 and at −1."""
    _, _, dn, x, ld, _ = _held_base("blk variance 0 beside ar1 x ar1")
    h = 1e-4 * x[1]
    assert x[0] <= 1e-6 * x[1]
    assert dn.vfun(np.r_[h, x[1:]]) is not None
    assert reml_loglik(dn.y, dn.X, dn.vfun(np.r_[h, x[1:]])) < ld
    _, _, dn, x, _, _ = _held_base("diag(env):gen one zero")
    assert np.sort(x[:3])[0] <= 1e-6 * x[:3].max()
    for name, sign in [("us(trait) r_g -> +1, g rescaled", 1.0),
                       ("us(trait) r_g -> -1, g rescaled", -1.0)]:
        _, _, dn, x, _, _ = _held_base(name)
        G = dn.covs(x)[0]
        assert sign * G[0, 1] / np.sqrt(G[0, 0] * G[1, 1]) >= 1 - 1e-4


@pytest.mark.parametrize("c", HELD_C, ids=[f"{c:g}" for c in HELD_C])
@pytest.mark.parametrize("name", list(HELD_CASES))
def test_boundary_fit_reaches_the_dense_optimum_in_any_units(name: str, c: float) -> None:
    d, fam, dn, _, ld, codes = _held_base(name)
    m = _fit(fam, _scaled(fam, d, c))
    jv, _, dl = _jacobians(fam, d, m, c)
    assert m.converged, m.diagnostics
    theta = m.varcomp["component"].to_numpy(float) / jv
    V = dn.vfun(dn.from_asr(theta))
    assert V is not None
    # our ℓ is the dense ℓ at our estimates (after the Jacobian) ...
    ll_at = reml_loglik(dn.y, dn.X, V)
    assert float(m.loglik) - dl == pytest.approx(ll_at, abs=1e-7 * abs(ll_at))
    # ... and the dense optimum from its own starts is no higher (the fit's tolerance)
    assert ld - ll_at <= 3e-8 * len(dn.y) * 10, (ld, ll_at, list(m.varcomp["bound"]))
    # the boundary codes are those of the fit at c = 1
    assert list(m.varcomp["bound"]) == codes
