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

Not in the sweep: the sweep's fa(env, 1):gen and fa(env, 2):gen, whose EM steps depend on
the units (reml/em.py floors I_c's eigenvalues at 1e-12 x its largest on the unscaled
matrix, where a kg/ha variance's information falls under a loading's): fa(env, 2) at
c = 2¹⁴ ends unconverged 20 below the Jacobian-shifted ℓ; fa(env, 1) at 1e-4 holds its ψ's
at other values (ℓ 3.8e-6 lower). The scaled floor (s21's 40bc15d) fixes both but sends
test_resid_held's units + ar1 x ar1 fit to a wrong boundary; fa(env, 1) at 2⁻¹⁴ also
parts in its polish through the line search's slack 1e-10 x |ℓ| (|ℓ| moves with the
units; a per-d.f. slack breaks test_corr_escape seed 5): s22spl report.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, indicator, reml_loglik
from _sweep_cases import cases, compare

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


def _gs_q_r(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Green & Silverman's Q (r x (r − 2)) and R ((r − 2) x (r − 2)) of the knots t."""
    h = np.diff(t)
    r = t.size
    Q = np.zeros((r, r - 2))
    R = np.zeros((r - 2, r - 2))
    for j in range(1, r - 1):
        Q[j - 1, j - 1], Q[j + 1, j - 1] = 1 / h[j - 1], 1 / h[j]
        Q[j, j - 1] = -1 / h[j - 1] - 1 / h[j]
        R[j - 1, j - 1] = (h[j - 1] + h[j]) / 3
        if j < r - 2:
            R[j - 1, j] = R[j, j - 1] = h[j] / 6
    return Q, R


def test_spl_is_the_dense_reml_optimum() -> None:
    """spl(x) with knots at the 14 ages: V = σ²_s N Z R Z'N' + σ²_e I with Z = Q(Q'Q)⁻¹ and
    Q, R of the knots on x's own scale (asr_py's spl(); asreml's standardised scale, x/c with
    c = (t_r − t_1)/9, would report σ²_s x c³), built here from Green & Silverman's
    formulas; ℓ at our estimates is the dense ℓ and no better point exists."""
    d, m, a = _base("spl(x)")
    x, y = d["x"].to_numpy(float), d["y"].to_numpy(float)
    t = np.unique(x)
    Q, R = _gs_q_r(t)
    N = (x[:, None] == t[None, :]).astype(float)
    Z = N @ Q @ np.linalg.inv(Q.T @ Q)
    K = Z @ R @ Z.T
    X = np.column_stack([np.ones_like(x), x])

    def vfun(th: np.ndarray) -> np.ndarray | None:
        return None if th[0] < 0 or th[1] <= 0 else th[0] * K + th[1] * np.eye(len(y))

    assert reml_loglik(y, X, vfun(a["theta"])) == pytest.approx(a["ll"], abs=1e-8 * abs(a["ll"]))
    _, best = fit_dense(y, X, vfun, [a["theta"] * 3, a["theta"] / 3], [(0, None), (1e-6, None)],
                        scale=np.abs(a["theta"]) + 1e-3)
    assert best <= a["ll"] + 1e-7 * abs(a["ll"])
