"""corh/corgh corners (reml/corr_corner.py): a level's variance at zero frees the other
levels' correlations beyond C's positive-definite region; cor's limit −1/(n − 1) is a bound.

The reference is the dense-V REML of tests/_dense_reml.py over the closed set
{σ² >= 0, ρ ∈ [−1, 1], Σ = D C(ρ) D positive semi-definite}, on the face σ²_E2 = 0 (where
Σ's E2 row is zero whatever ρ) and over the whole set; no asr_py code builds its V.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dense_reml import corgh, fit_dense, indicator, reml_loglik
from _sweep_cases import cases, check_corh_held_at_one, fit_asr

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data" / "corh_corner_seed1.csv"
LEVELS = ["E0", "E1", "E2"]


@pytest.fixture(scope="module")
def met() -> pd.DataFrame:
    d = pd.read_csv(DATA)
    d["env"] = pd.Categorical(d["env"], categories=LEVELS)
    d["gen"] = pd.Categorical(d["gen"], categories=sorted(d["gen"].unique()))
    return d


def _fit(d: pd.DataFrame, random: str = "~ corh(env):gen") -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(fixed="y ~ env", random=random, data=d)


def _dense_parts(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """y, X (intercept + env contrasts), Z of env:gen (env outer, gen inner), q."""
    y = d["y"].to_numpy(float)
    E = indicator(d["env"].cat.codes.to_numpy(), range(3))
    X = np.column_stack([np.ones(len(d)), E[:, 1:]])
    G = indicator(d["gen"].cat.codes.to_numpy(), range(len(d["gen"].cat.categories)))
    q = G.shape[1]
    Z = np.einsum("ie,ig->ieg", E, G).reshape(len(d), 3 * q)
    return y, X, Z, q


def _dense_corh(d: pd.DataFrame, face: bool) -> tuple[np.ndarray, float]:
    """Dense REML optimum of corh(env):gen + units: x = (ρ, σ²_E0, σ²_E1, σ²_E2, σ²_e);
    ``face``: σ²_E2 = 0 held (x[3] fixed at 0 by a zero-width bound)."""
    y, X, Z, q = _dense_parts(d)
    s = np.array([np.var(y[d["env"] == lv]) for lv in LEVELS])

    def vfun(x: np.ndarray) -> np.ndarray | None:
        if not np.all(np.isfinite(x)) or abs(x[0]) > 1 or np.any(x[1:4] < 0) or x[4] <= 0:
            return None
        S = corgh([x[0]] * 3, x[1:4])
        if np.linalg.eigvalsh(S)[0] < -1e-10 * np.trace(S):
            return None
        return Z @ np.kron(S, np.eye(q)) @ Z.T + x[4] * np.eye(len(y))

    ub = 0.0 if face else None
    starts = [np.array([r, 0.3 * s[0], 0.3 * s[1], 0.0 if face else 0.3 * s[2], 0.5 * s.mean()])
              for r in (-0.9, -0.3, 0.5)]
    bounds = [(-1.0, 1.0), (0, None), (0, None), (0, ub), (1e-9 * s.mean(), None)]
    scale = np.array([1.0, *s, s.mean()])
    return fit_dense(y, X, vfun, starts, bounds, scale=scale)


def test_corh_corner_is_the_closed_set_optimum(met: pd.DataFrame) -> None:
    """The fit reaches the corner σ²_E2 = 0, ρ = −1 (the dense-V optimum on that face and
    over the whole closed set), converged, both coded 'B', with a note. Before: crawling on
    ρ → −½ (EM steps), unconverged at maxit 30, ℓ −786.9434, 2.1 below."""
    m = _fit(met)
    assert m.converged, m.diagnostics
    x_face, l_face = _dense_corh(met, face=True)
    _, l_all = _dense_corh(met, face=False)
    assert l_all - l_face <= 1e-9 * abs(l_face)           # the face holds the optimum
    assert abs(m.loglik - l_face) <= 1e-8 * abs(l_face), (m.loglik, l_face)
    vc = m.varcomp
    assert vc.loc["env:gen!env_E2", "component"] == 0.0
    assert list(vc["bound"]) == ["B", "P", "P", "B", "P"]
    assert vc.loc["env:gen!env!cor", "component"] == pytest.approx(-1.0, abs=1e-6)
    np.testing.assert_allclose(vc["component"].to_numpy(float)[[1, 2, 4]], x_face[[1, 2, 4]],
                               rtol=5e-3)
    assert any("env:gen!env_E2 is zero at the optimum" in n for n in m.diagnostics)
    # the reported Σ at the estimates is the dense model's V: ℓ there is the fit's
    y, X, Z, q = _dense_parts(met)
    x = vc["component"].to_numpy(float)
    V = Z @ np.kron(corgh([x[0]] * 3, x[1:4]), np.eye(q)) @ Z.T + x[4] * np.eye(len(y))
    assert abs(reml_loglik(y, X, V) - m.loglik) <= 1e-8 * abs(m.loglik)


def test_corh_corner_units_and_row_order(met: pd.DataFrame) -> None:
    """y x 1000 (variances x 1e6, ℓ − (n − p) log 1000) and the rows reversed: the same
    corner, converged."""
    m = _fit(met)
    d2 = met.copy()
    d2["y"] = d2["y"] * 1000.0
    m2 = _fit(d2)
    m3 = _fit(met.iloc[::-1].reset_index(drop=True))
    n_p = len(met) - 3
    assert m2.converged and m3.converged
    tol = 1e-8 * abs(m.loglik)  # the engine's stopping tolerance: paths differ in rounding
    assert m2.loglik + n_p * np.log(1000.0) == pytest.approx(m.loglik, abs=tol)
    assert m3.loglik == pytest.approx(m.loglik, abs=tol)
    c, c2, c3 = (f.varcomp["component"].to_numpy(float) for f in (m, m2, m3))
    scale = np.array([1.0, 1e6, 1e6, 1e6, 1e6])
    for other in (c2 / scale, c3):  # ρ absolutely, variances relative to the largest
        assert abs(other[0] - c[0]) <= 1e-6
        assert np.abs(other[1:] - c[1:]).max() <= 1e-3 * c[1:].max()
    for f in (m2, m3):
        assert list(f.varcomp["bound"]) == ["B", "P", "P", "B", "P"]


def test_corv_converges_on_its_positive_definite_limit(met: pd.DataFrame) -> None:
    """corv (one variance: no level can drop out): the optimum is on C's limit ρ = −½
    (a dense-V optimisation over ρ ∈ [−½, 1]); converged there, ρ coded 'B'."""
    m = _fit(met, "~ corv(env):gen")
    assert m.converged, m.diagnostics
    y, X, Z, q = _dense_parts(met)
    s = float(np.var(y))

    def vfun(x: np.ndarray) -> np.ndarray | None:
        if not (-0.5 <= x[0] <= 1 and x[1] >= 0 and x[2] > 0):
            return None
        C = corgh([x[0]] * 3, [1.0] * 3)
        return Z @ np.kron(x[1] * C, np.eye(q)) @ Z.T + x[2] * np.eye(len(y))

    xd, ld = fit_dense(y, X, vfun, [np.array([r, 0.2 * s, 0.5 * s]) for r in (-0.4, 0.3)],
                       [(-0.5, 1.0), (0, None), (1e-9 * s, None)], scale=[1.0, s, s])
    assert xd[0] == pytest.approx(-0.5, abs=1e-6)   # the reference's optimum is on the limit
    assert abs(m.loglik - ld) <= 1e-8 * abs(ld), (m.loglik, ld)
    vc = m.varcomp
    assert vc["bound"].iloc[0] == "B"
    assert vc["component"].iloc[0] == pytest.approx(-0.5, abs=1e-6)


def test_interior_corh_optimum_is_unchanged(met: pd.DataFrame) -> None:
    """Positive genetic correlation (E1's genotype effects added to E0 and E2): the optimum
    is inside, no face is tried, no note; ℓ the dense-V optimum."""
    d = met.copy()
    g = d.groupby("gen", observed=True)["y"].transform("mean") - d["y"].mean()
    d["y"] = d["y"] + 1.5 * g
    m = _fit(d)
    assert m.converged
    assert not any("is zero at the optimum" in n for n in m.diagnostics)
    vc = m.varcomp
    assert list(vc["bound"]) == ["P"] * 5 or vc["bound"].iloc[0] == "U"
    assert -0.5 < vc["component"].iloc[0] < 1
    _, ld = _dense_corh(d, face=False)
    assert abs(m.loglik - ld) <= 1e-8 * abs(ld), (m.loglik, ld)


def test_zero_variance_face_template() -> None:
    """The face template: Σ with the level's row and column zero but its own variance, the
    derivatives by central differences, the wider correlation range; None where there is
    no such face (a correlation parameter, ar1h, two levels)."""
    from asr_py.vcov.base import get_structure

    t = get_structure("corh")(LEVELS, name="env")
    f = t.zero_variance_face(3)
    th = np.array([-0.8, 2.0, 3.0, 0.5])
    assert not t.is_valid(th) and f.is_valid(th)
    want = corgh([-0.8] * 3, th[1:])
    want[2, :2] = want[:2, 2] = 0.0
    np.testing.assert_allclose(f.matrix(th), want, atol=1e-15)
    for k, dk in enumerate(f.derivatives(th)):
        h = np.zeros(4)
        h[k] = 1e-6
        np.testing.assert_allclose(dk, (f.matrix(th + h) - f.matrix(th - h)) / 2e-6,
                                   atol=1e-7)
    assert f.lower()[0] == -1.0 and t.lower()[0] == -0.5
    assert t.zero_variance_face(0) is None
    assert f.zero_variance_face(1) is None             # one coupled level would be left
    assert get_structure("ar1h")(LEVELS, name="env").zero_variance_face(2) is None
    # corg's pairs are free: a PD C over two levels completes to three; no face
    assert get_structure("corgh")(LEVELS, name="env").zero_variance_face(4) is None
    b = get_structure("corbh")(["a", "b", "c", "d"], name="x").zero_variance_face(2)  # b
    np.testing.assert_allclose(b.matrix(np.array([0.6, 1.0, 1.0, 1.0, 1.0]))[1],
                               [0.0, 1.0, 0.0, 0.0])


def _four_env(seed: int) -> pd.DataFrame:
    """30 genotypes x 4 environments x 2 reps: genotype effects 3a in E0, −2a in E1 (a
    genetic correlation of −1), none in E2 and E3; residual sd 1.5."""
    rng = np.random.default_rng(seed)
    envs = ["E0", "E1", "E2", "E3"]
    a = rng.normal(0.0, 1.0, 30)
    eff = {"E0": 3.0 * a, "E1": -2.0 * a, "E2": 0.0 * a, "E3": 0.0 * a}
    rows = [(f"G{g:02d}", e, 10.0 + k + eff[e][g] + rng.normal(0.0, 1.5))
            for g in range(30) for k, e in enumerate(envs) for _ in range(2)]
    d = pd.DataFrame(rows, columns=["gen", "env", "y"])
    d["gen"] = pd.Categorical(d["gen"])
    d["env"] = pd.Categorical(d["env"], categories=envs)
    return d


def test_corh_two_levels_zero_in_turn() -> None:
    """corh over 4 levels: ρ > −⅓ inside, > −½ with one variance zero, [−1, 1] with two.
    The fit finds both faces in turn (E2 and E3 zero, 'B'); ℓ is the dense-V optimum on
    that face (ρ, σ²_E0, σ²_E1, σ²_e free, ρ ∈ [−1, 1]); a dense search over the whole set
    from inside stops on −⅓ far below (8.7)."""
    d = _four_env(0)
    m = _fit(d)
    assert m.converged, m.diagnostics
    vc = m.varcomp
    assert list(vc["bound"].iloc[3:5]) == ["B", "B"]
    assert list(vc["component"].iloc[3:5]) == [0.0, 0.0]
    y = d["y"].to_numpy(float)
    E = indicator(d["env"].cat.codes.to_numpy(), range(4))
    X = np.column_stack([np.ones(len(y)), E[:, 1:]])
    G = indicator(d["gen"].cat.codes.to_numpy(), range(30))
    Z = np.einsum("ie,ig->ieg", E, G).reshape(len(y), 120)

    def vfun(x: np.ndarray) -> np.ndarray | None:
        if abs(x[0]) > 1 or x[1] < 0 or x[2] < 0 or x[3] <= 0:
            return None
        S = corgh([x[0]] * 6, [x[1], x[2], 0.0, 0.0])
        return Z @ np.kron(S, np.eye(30)) @ Z.T + x[3] * np.eye(len(y))

    xd, ld = fit_dense(y, X, vfun, [np.array([r, 5.0, 2.0, 2.0]) for r in (-0.9, 0.5)],
                       [(-1.0, 1.0), (0, None), (0, None), (1e-9, None)],
                       scale=[1.0, 5.0, 2.0, 2.0])
    assert abs(m.loglik - ld) <= 1e-8 * abs(ld), (m.loglik, ld)
    x = vc["component"].to_numpy(float)
    assert abs(x[0] - xd[0]) <= 1e-4
    assert reml_loglik(y, X, vfun(np.array([max(x[0], -1.0), x[1], x[2], x[5]]))) \
        == pytest.approx(m.loglik, abs=1e-8 * abs(m.loglik))


def test_flat_at_rho_one_converges_by_a_final_differenced_score() -> None:
    """Sweep corh(env):gen seed 9 (size 150): ρ held at 1 beside two small variances; the
    fit used its six differenced scores on the way (each step gaining ~1e-5) and stopped at
    iteration 30, "neither an AI nor an EM step increased", unconverged, with ℓ flat to
    1e-8 at the dense-V optimum. A differenced score at that stop (FD_FINAL) reads the
    convergence from ℓ itself: converged, ρ 'B' at 1, ℓ not below the dense optimum, and ℓ
    falls when ρ is moved off 1 (the KKT condition from ℓ)."""
    check_corh_held_at_one(9, 1e-9)


def test_escape_fit_that_crept_is_continued() -> None:
    """Sweep corh(env):gen seed 14 (size 150): the first fit ends on cor's limit ρ = −½
    with σ²_E2 at 0; reml/corr_escape.py's second fit (soft bounds) climbs 1.05 to ρ = 1
    but σ²_E0 creeps to 1e-17 without being held and the fit ends unconverged at maxit,
    ℓ flat to 1e-8. Continued from there with that variance at 1e-6 x the largest (the
    bounds held as usual): converged, σ²_E0 and ρ 'B', ℓ the dense-V optimum."""
    case = {c.name: c for c in cases(150)}["corh(env):gen"]
    d = case.data(np.random.default_rng(14), 150)
    m = fit_asr(case, d)
    assert m.converged, m.diagnostics
    assert list(m.varcomp["bound"].iloc[:2]) == ["B", "B"]
    dn = case.dense(d)
    _, ld = fit_dense(dn.y, dn.X, dn.vfun, dn.starts, dn.bounds, scale=dn.scale)
    assert ld - m.loglik <= 1e-9 * abs(m.loglik), (ld, m.loglik)
