"""Bounded parameters other than 'P' variances held on their bound by the active-set AI step
(reml/bounds.py): an exp()/gau() correlation in (0, 1) whose optimum is its bound 0, checked
against an independent dense-V REML (``tests/_dense_reml.py``) maximised by scipy.

* asremlPlus test41GeneticCane.R (local851, fetched ``asremlplus_local851.csv``):
  ``tch ~ Control/Check, random = ~ Col + Row + New, residual = ~ ar1(Col):exp(Row)`` (and
  gau). Before: the first AI step put the Row correlation at 3.4e-4 and σ²_Col at 1e-10, EM
  could not move them, and the fit stopped at maxit at ℓ = −1076.47; the dense optimum is
  −1075.52 with the correlation at 0 (asreml 4.1 stops near it: V[2,1] = 10.94).
* a simulated exp() residual whose optimum is interior but near the bound, and fits started
  on the bounds (correlation at its held value, a variance at 1e-10 of its scale): they are
  released, not frozen.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import lbfgsb_max, maximise, reml_loglik
from _fetched import fetched

import asr_py as asr


def _cane() -> pd.DataFrame:
    d = pd.read_csv(fetched("asremlplus_local851.csv"))
    for c in ("Row", "Col"):
        d[c] = pd.Categorical(d[c].astype(str),
                              categories=[str(v) for v in sorted(d[c].unique())])
    for c in ("Control", "Check", "New"):
        d[c] = d[c].astype(str).astype("category")
    return d


def _dense_cane(d: pd.DataFrame, power: int):
    """ℓ(σ²_Col, σ²_Row, σ²_New, σ², ρ_Col, ρ_Row) for residual σ² ar1(Col) ⊗ f(Row),
    f_ij = ρ^(|r_i − r_j|^power) (exp: 1, gau: 2), V built record by record."""
    y = d["tch"].to_numpy(float)
    X = pd.get_dummies(d["Check"]).to_numpy(float)  # the 5 cells of Control/Check
    zz = [(lambda z: z @ z.T)(pd.get_dummies(d[f]).to_numpy(float)) for f in ("Col", "Row", "New")]
    c = d["Col"].astype(int).to_numpy()
    r = d["Row"].astype(int).to_numpy()
    dc = np.abs(c[:, None] - c[None, :])
    dr = np.abs(r[:, None] - r[None, :]) ** power

    def ll(x: np.ndarray) -> float:
        sc, sr, sn, s2, rc, rr = x
        if min(sc, sr, sn, rr) < 0 or s2 <= 0 or abs(rc) >= 1 or rr >= 1:
            return -np.inf
        V = sc * zz[0] + sr * zz[1] + sn * zz[2] + s2 * rc ** dc * rr ** dr
        return reml_loglik(y, X, V)
    return ll


def _fit_quiet(**kw: object) -> tuple[asr.AsremlFit, list[str]]:  # type: ignore[name-defined]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = asr.asreml(**kw)  # type: ignore[arg-type]
    return m, [str(x.message) for x in w if issubclass(x.category, asr.ConvergenceWarning)]


@pytest.mark.parametrize("f, power", [("exp", 1), ("gau", 2), ("ar1", 1)])
def test_cane_correlation_held_at_zero_matches_dense_reml(f: str, power: int) -> None:
    """exp/gau: (0, 1) by the structure; ar1 with its Row correlation constrained 'P' (the
    same model as exp on integer rows; before, 'P' on a correlation also hit maxit)."""
    d = _cane()
    kw = dict(fixed="tch ~ Control/Check", random="~ Col + Row + New",
              residual=f"~ ar1(Col):{f}(Row)", data=d)
    if f == "ar1":
        sv = asr.asreml(**kw, start_values=True)  # type: ignore[arg-type]
        sv.loc[sv.Component == "Col:Row!Row!cor", "Constraint"] = "P"
        kw["params"] = sv
    m, conv = _fit_quiet(**kw)
    assert m.converged and not conv
    x, best = lbfgsb_max(_dense_cane(d, power), np.array([10.0, 100.0, 250.0, 220.0, 0.1, 0.1]),
                      [100.0] * 4 + [1.0] * 2,
                      [(0, None), (0, None), (0, None), (1.0, None), (-0.99, 0.99), (0.0, 0.99)])
    assert x[5] < 1e-4  # the dense optimum is on the bound
    assert m.loglik == pytest.approx(best, abs=1e-5)
    vc = m.varcomp
    est = vc["component"].to_numpy()
    np.testing.assert_allclose(est[:5], x[:5], rtol=2e-3, atol=2e-3)
    assert est[5] < 1e-6
    # held on the bound and reported so, with no standard error; the rest estimated
    assert list(vc["bound"]) == ["P", "P", "P", "P", "U", "B"]
    assert np.isnan(vc["std.error"].iloc[5]) and np.all(np.isfinite(vc["std.error"].iloc[:5]))
    note = [s for s in m.diagnostics if "Col:Row!Row!cor" in s]
    assert len(note) == 1 and "lower bound" in note[0] and "value of zero" in note[0]
    assert not any("Col'" in s and "held" in s for s in m.diagnostics)  # σ²_Col is free


def _line(seed: int, rho: float, n: int = 120) -> pd.DataFrame:
    """y = μ + block effect + e on n equally spaced plots, e ~ σ² exp(x) with correlation
    rho at distance 1 (8 blocks of consecutive plots)."""
    rng = np.random.default_rng(seed)
    x = np.arange(n)
    blk = x // (n // 8)
    e = np.linalg.cholesky(rho ** np.abs(x[:, None] - x[None, :])) @ rng.normal(size=n)
    y = 10 + rng.normal(0, 0.6, 8)[blk] + 1.5 * e
    return pd.DataFrame({"y": y, "x": pd.Categorical(x.astype(str),
                                                     categories=[str(v) for v in x]),
                         "blk": pd.Categorical(blk.astype(str))})


def _dense_line(d: pd.DataFrame):
    y = d["y"].to_numpy(float)
    X = np.ones((len(y), 1))
    b = d["blk"].cat.codes.to_numpy()
    zz = (b[:, None] == b[None, :]).astype(float)
    x = d["x"].astype(int).to_numpy()
    dx = np.abs(x[:, None] - x[None, :])

    def ll(t: np.ndarray) -> float:
        sb, s2, r = t
        if sb < 0 or s2 <= 0 or not 0 <= r < 1:
            return -np.inf
        return reml_loglik(y, X, sb * zz + s2 * r ** dx)
    return ll


def _start(d: pd.DataFrame, values: dict[str, float]) -> pd.DataFrame:
    sv = asr.asreml("y ~ 1", random="~ blk", residual="~ exp(x)", data=d, start_values=True)
    for k, v in values.items():
        sv.loc[sv.Component == k, "Value"] = v
    return sv


@pytest.fixture(scope="module")
def near_bound() -> tuple[pd.DataFrame, np.ndarray, float]:
    d = _line(11, 0.06)
    x, best = maximise(_dense_line(d), [np.array([0.5, 2.0, 0.2])],
                       bounds=[(0, None), (1e-3, None), (0.0, 0.99)])
    return d, x, best


def test_interior_optimum_near_the_bound(near_bound: tuple[pd.DataFrame, np.ndarray, float]
                                         ) -> None:
    d, x, best = near_bound
    assert 1e-3 < x[2] < 0.2  # interior, near the bound 0 (not a fit property: the data's)
    m, conv = _fit_quiet(fixed="y ~ 1", random="~ blk", residual="~ exp(x)", data=d)
    assert m.converged and not conv
    assert m.loglik == pytest.approx(best, abs=1e-6)
    np.testing.assert_allclose(m.varcomp["component"].to_numpy(), x, rtol=2e-3, atol=1e-4)
    assert "B" not in set(m.varcomp["bound"])


@pytest.mark.parametrize("values", [
    {"x!x!cor": 1e-8},  # the correlation on its held value
    {"blk": 1e-10},  # the block variance at 1e-10 of its scale
    {"x!x!cor": 1e-8, "blk": 1e-10},
])
def test_started_on_the_bounds_is_released(
        near_bound: tuple[pd.DataFrame, np.ndarray, float], values: dict[str, float]) -> None:
    """Parameters that start on their bound, with the optimum inside, move off it."""
    d, x, best = near_bound
    sv = _start(d, values)
    assert set(values) <= set(sv.Component)
    m, conv = _fit_quiet(fixed="y ~ 1", random="~ blk", residual="~ exp(x)", data=d,
                         params=sv)
    assert m.converged and not conv
    assert m.loglik == pytest.approx(best, abs=1e-6)
    np.testing.assert_allclose(m.varcomp["component"].to_numpy(), x, rtol=2e-3, atol=1e-4)
    assert "B" not in set(m.varcomp["bound"])


def test_units_of_the_trait_do_not_change_the_bound() -> None:
    """y x 1000: variances x 10⁶, the correlation and its held bound unchanged."""
    d = _cane()
    kw = dict(fixed="tch ~ Control/Check", random="~ Col + Row + New",
              residual="~ ar1(Col):exp(Row)")
    a, _ = _fit_quiet(data=d, **kw)
    d2 = d.assign(tch=d["tch"] * 1000.0)
    b, conv = _fit_quiet(data=d2, **kw)
    assert b.converged and not conv
    assert list(a.varcomp["bound"]) == list(b.varcomp["bound"])
    ca, cb = a.varcomp["component"].to_numpy(), b.varcomp["component"].to_numpy()
    np.testing.assert_allclose(cb[:4], ca[:4] * 1e6, rtol=1e-5)
    np.testing.assert_allclose(cb[4:], ca[4:], rtol=1e-4, atol=1e-7)


def _repeated(seed: int) -> pd.DataFrame:
    """30 ids x 4 times, y = μ + u_id + e: the id effect is the same at every time, so the
    exp(t) correlation of ``~ exp(t):id`` wants its upper bound 1."""
    rng = np.random.default_rng(seed)
    idv = np.repeat(np.arange(30), 4)
    t = np.tile(np.arange(4), 30)
    y = 5 + rng.normal(0, 1.0, 30)[idv] + rng.normal(0, 0.7, idv.size)
    return pd.DataFrame({"y": y, "id": pd.Categorical(idv.astype(str)),
                         "t": pd.Categorical(t.astype(str), categories=list("0123"))})


@pytest.mark.parametrize("seed", [0, 2, 7])
def test_correlation_held_at_its_upper_bound(seed: int) -> None:
    """Before: these fits stopped at maxit with ρ creeping towards 1 (seed 2: ℓ 1.3e-3 below
    the supremum). The exp matrix is singular at ρ = 1, so ρ is held where its correlation
    matrix keeps an eigenvalue >= 1e-7 (reml/bounds.py); ℓ is then within 5e-5 of the dense
    REML's supremum, which is attained at ρ = 1 (V = σ²_u ZZ' + σ²I stays PD there)."""
    d = _repeated(seed)
    y = d["y"].to_numpy(float)
    idv = d["id"].cat.codes.to_numpy()
    t = d["t"].astype(int).to_numpy()
    same = (idv[:, None] == idv[None, :]).astype(float)
    dt = np.abs(t[:, None] - t[None, :])

    def ll(x: np.ndarray) -> float:
        su, r, se = x
        if su < 0 or se <= 0 or not 0 <= r <= 1:
            return -np.inf
        return reml_loglik(y, np.ones((y.size, 1)), su * same * r ** dt + se * np.eye(y.size))

    x, best = lbfgsb_max(ll, np.array([0.5, 0.5, 0.5]), [1.0] * 3,
                      [(0, None), (0.0, 1.0), (1e-3, None)])
    assert x[1] > 1 - 1e-6  # the supremum is at the bound
    m, conv = _fit_quiet(fixed="y ~ 1", random="~ exp(t):id", data=d)
    assert m.converged and not conv
    assert best - 5e-5 <= m.loglik <= best + 1e-8
    vc = m.varcomp
    assert list(vc["bound"]) == ["P", "B", "P"]
    assert 1 - 1e-4 < vc["component"].iloc[1] < 1
    np.testing.assert_allclose(vc["component"].to_numpy()[[0, 2]], x[[0, 2]], rtol=1e-4)
    note = [s for s in m.diagnostics if "t:id!t!cor" in s]
    assert len(note) == 1 and "upper bound" in note[0] and "value of 1" in note[0]


def test_params_table_of_a_held_correlation_restarts() -> None:
    """fit.params gives a held correlation back its model constraint ('U', not 'P' as for a
    held variance) and a refit from it stays at the same optimum."""
    d = _repeated(7)
    m, _ = _fit_quiet(fixed="y ~ 1", random="~ exp(t):id", data=d)
    assert list(m.varcomp["bound"]) == ["P", "B", "P"]
    assert list(m.params["Constraint"]) == ["P", "U", "P"]
    again, conv = _fit_quiet(fixed="y ~ 1", random="~ exp(t):id", data=d, params=m.params)
    assert again.converged and not conv
    assert again.loglik == pytest.approx(m.loglik, abs=1e-8)
