"""ASReml's metric structures over points in a plane and ARMA(1, 1) (session 20):
iexp, igau, ieuc, aexp, agau, sph, cir, arma and their 'v'/'h' variants.

Checked against independent sources:

* the matrices against their definitions written here (ASReml User Guide, Table 7.3:
  φ^(|Δx| + |Δy|), φ^(Δx² + Δy²), φ^√(Δx² + Δy²), φ1^|Δx| φ2^|Δy|, φ1^(Δx²) φ2^(Δy²);
  the spherical and circular models over the range φ as in Cressie 1993 §2.3.1, with the
  spherical model's values at t = d/φ = 0, 1/2, 1 and beyond: 1, 5/16, 0, 0 and the
  circular's: 1, 1 − (2/π)(√3/4 + π/6), 0, 0; ARMA(1, 1)'s autocorrelations from Box,
  Jenkins & Reinsel §3.4.3, which reduce to ar1's ρ^k at θ = 0 and ma1's −θ/(1 + θ²) at
  φ = 0);
* the derivatives against central finite differences (vcov_helpers.check_template);
* every fit's log-likelihood against a dense-V REML (tests/_dense_reml.py) with V built here
  from the definition, and a dense optimiser started at the estimates finds no higher ℓ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, reml_loglik
from _scattered_points import point_design, scattered_field
from vcov_helpers import check_template

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.vcov import get_structure

PTS = np.array([[0.0, 0.0], [1.5, 0.0], [0.0, 2.0], [3.0, 1.0], [2.2, 2.5], [4.0, 0.5]])


def _dx_dy(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.abs(np.subtract.outer(p[:, 0], p[:, 0])), np.abs(np.subtract.outer(p[:, 1],
                                                                                 p[:, 1]))


def _make(name: str, pts: np.ndarray = PTS):
    labels = [f"{a}:{b}" for a, b in pts]
    return get_structure(name)(labels, name="xy", coords=pts)


# ------------------------------------------------------------------ the matrices
def test_power_models_follow_their_definitions() -> None:
    dx, dy = _dx_dy(PTS)
    phi = 0.7
    np.testing.assert_allclose(_make("iexp").matrix(np.array([phi])), phi ** (dx + dy))
    np.testing.assert_allclose(_make("igau").matrix(np.array([phi])), phi ** (dx**2 + dy**2))
    np.testing.assert_allclose(_make("ieuc").matrix(np.array([phi])),
                               phi ** np.sqrt(dx**2 + dy**2))
    np.testing.assert_allclose(_make("aexp").matrix(np.array([0.6, 0.8])), 0.6**dx * 0.8**dy)
    np.testing.assert_allclose(_make("agau").matrix(np.array([0.6, 0.8])),
                               0.6 ** dx**2 * 0.8 ** dy**2)


def test_labels_give_the_coordinates_when_none_are_passed() -> None:
    labels = [f"{a}:{b}" for a, b in PTS]
    t = get_structure("ieuc")(labels, name="xy")
    dx, dy = _dx_dy(PTS)
    np.testing.assert_allclose(t.matrix(np.array([0.5])), 0.5 ** np.sqrt(dx**2 + dy**2))


def test_range_models_at_known_points() -> None:
    pts = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0], [0.0, 12.0]])  # d = 5, 10, 12, ...
    phi = 10.0
    s = _make("sph", pts).matrix(np.array([phi]))
    c = _make("cir", pts).matrix(np.array([phi]))
    assert s[0, 1] == pytest.approx(5 / 16) and s[0, 2] == 0.0 and s[0, 3] == 0.0
    assert c[0, 1] == pytest.approx(1 - (2 / np.pi) * (np.sqrt(3) / 4 + np.pi / 6))
    assert c[0, 2] == 0.0 and c[0, 3] == 0.0
    np.testing.assert_allclose(np.diag(s), 1.0)
    np.testing.assert_allclose(np.diag(c), 1.0)


def test_arma_reduces_to_ar1_and_ma1() -> None:
    lev = [str(i) for i in range(6)]
    lag = np.abs(np.subtract.outer(range(6), range(6)))
    arma = get_structure("arma")(lev, name="t")
    np.testing.assert_allclose(arma.matrix(np.array([0.6, 0.0])), 0.6**lag)
    ma = np.where(lag == 0, 1.0, np.where(lag == 1, -0.4 / 1.16, 0.0))
    np.testing.assert_allclose(arma.matrix(np.array([0.0, 0.4])), ma, atol=1e-15)
    phi, th = 0.5, -0.3
    r1 = (1 - phi * th) * (phi - th) / (1 + th * th - 2 * phi * th)
    ref = np.where(lag == 0, 1.0, r1 * phi ** np.maximum(lag - 1, 0))
    np.testing.assert_allclose(arma.matrix(np.array([phi, th])), ref)


@pytest.mark.parametrize("name,theta", [
    ("iexp", [0.6]), ("igau", [0.8]), ("ieuc", [0.5]), ("aexp", [0.5, 0.7]),
    ("agau", [0.8, 0.6]), ("sph", [3.3]), ("cir", [2.9]),
    ("iexpv", [0.6, 2.0]), ("sphv", [3.1, 1.5]), ("aexph", [0.5, 0.7, 1, 2, 3, 1.5, 2.5, 0.5]),
    ("cirh", [2.7, 1, 2, 3, 1.5, 2.5, 0.5])])
def test_derivatives_and_algebra(name: str, theta: list[float]) -> None:
    check_template(_make(name), np.array(theta, dtype=float))


@pytest.mark.parametrize("theta", [[0.6, 0.3], [-0.5, 0.4], [0.9, -0.7]])
def test_arma_derivatives(theta: list[float]) -> None:
    check_template(get_structure("arma")([str(i) for i in range(7)], name="t"),
                   np.array(theta))
    check_template(get_structure("armah")([str(i) for i in range(4)], name="t"),
                   np.array(theta + [1.0, 2.0, 0.5, 3.0]))


def test_wrong_coordinates_are_refused() -> None:
    with pytest.raises(AsrError, match="1-d coordinates, the structure takes 2-d"):
        get_structure("aexp")(["1", "2"], name="x", coords=[1.0, 2.0])
    with pytest.raises(AsrError, match="not numbers"):
        get_structure("iexp")(["a:1", "b:2"], name="xy")
    with pytest.raises(AsrError, match="coordinates for 3 levels"):
        get_structure("sph")(["1", "2", "3"], name="x", coords=[[0, 1], [1, 1]])


# ------------------------------------------------------------------ fits against dense V
@pytest.fixture(scope="module")
def field() -> pd.DataFrame:
    """30 scattered points, two records at most of them, an exponential spatial process
    (range about 2 units) plus noise and two treatments."""
    return scattered_field(20, 30, 6.0, lambda d2: 2.0 * np.exp(-np.sqrt(d2) / 2.0),
                           single_every=7, noise=0.7)


_design = point_design


def _corr(name: str, p: np.ndarray, par: np.ndarray) -> np.ndarray | None:
    dx, dy = _dx_dy(p)
    d = np.sqrt(dx**2 + dy**2)
    if name in ("iexp", "igau", "ieuc"):
        if not 0 < par[0] < 1:
            return None
        e = {"iexp": dx + dy, "igau": dx**2 + dy**2, "ieuc": d}[name]
        return par[0] ** e
    if name in ("aexp", "agau"):
        if not (0 < par[0] < 1 and 0 < par[1] < 1):
            return None
        k = 1 if name == "aexp" else 2
        return par[0] ** dx**k * par[1] ** dy**k
    if par[0] <= 0:
        return None
    t = np.minimum(d / par[0], 1.0)
    if name == "sph":
        return 1 - 1.5 * t + 0.5 * t**3
    return 1 - (2 / np.pi) * (t * np.sqrt(1 - t * t) + np.arcsin(t))


@pytest.mark.parametrize("name,ncor", [("iexp", 1), ("igau", 1), ("ieuc", 1), ("aexp", 2),
                                       ("sph", 1), ("cir", 1)])
def test_fit_agrees_with_dense_reml(field: pd.DataFrame, name: str, ncor: int) -> None:
    fit = asr.asreml("z ~ trt", random=f"~ {name}(x, y)", data=field)
    y, X, Z, pts = _design(field)
    x = fit.varcomp["component"].to_numpy()
    names = list(fit.varcomp.index)
    assert names[0] == "x:y" and names[-1] == "units!R" and len(names) == ncor + 2

    def build(v: np.ndarray) -> np.ndarray | None:
        C = _corr(name, pts, v[1:1 + ncor])
        if C is None or v[0] < 0 or v[-1] <= 0:
            return None
        return v[0] * Z @ C @ Z.T + v[-1] * np.eye(len(y))

    assert reml_loglik(y, X, build(x)) == pytest.approx(fit.loglik, abs=1e-6)
    if fit.converged:
        lo = 1e-6
        bounds = [(0, None)] + [(lo, 1 - 1e-9) if name not in ("sph", "cir") else (lo, None)
                                ] * ncor + [(lo, None)]
        _, best = fit_dense(y, X, build, [x], bounds, scale=np.maximum(np.abs(x), 0.1),
                            polish=False)
        assert best <= fit.loglik + 2e-4


def test_ieucv_is_ieuc_with_the_scale_inside(field: pd.DataFrame) -> None:
    a = asr.asreml("z ~ trt", random="~ ieuc(x, y)", data=field)
    b = asr.asreml("z ~ trt", random="~ ieucv(x, y)", data=field)
    assert b.loglik == pytest.approx(a.loglik, abs=1e-4)
    va, vb = a.varcomp["component"], b.varcomp["component"]
    assert vb["x:y!x:y!var"] == pytest.approx(va["x:y"], rel=1e-3)


def test_arma_fit_agrees_with_dense_reml() -> None:
    rng = np.random.default_rng(5)
    T, S = 8, 12
    lag = np.abs(np.subtract.outer(range(T), range(T)))
    r1 = (1 - 0.6 * 0.3) * (0.6 - 0.3) / (1 + 0.09 - 2 * 0.6 * 0.3)
    C = np.where(lag == 0, 1.0, r1 * 0.6 ** np.maximum(lag - 1, 0))
    rows = []
    for s in range(S):
        e = rng.multivariate_normal(np.zeros(T), 1.5 * C)
        for t in range(T):
            rows.append(dict(subj=f"s{s}", time=t + 1, z=10 + 0.3 * t + e[t]))
    df = pd.DataFrame(rows)
    df["time"] = df.time.astype(str).astype("category")
    fit = asr.asreml("z ~ 1", random="~ subj", residual="~ id(subj):arma(time)", data=df)
    x = fit.varcomp["component"].to_numpy()
    assert list(fit.varcomp.index)[1:] == ["subj:time!R", "subj:time!time!phi",
                                           "subj:time!time!theta"]
    y = df.z.to_numpy()
    X = np.ones((len(y), 1))
    Zs = np.kron(np.eye(S), np.ones((T, 1)))

    def build(v: np.ndarray) -> np.ndarray | None:
        g, s2, phi, th = v
        if g < 0 or s2 <= 0 or abs(phi) >= 1 or abs(th) >= 1:
            return None
        q = (1 - phi * th) * (phi - th) / (1 + th * th - 2 * phi * th)
        R = np.where(lag == 0, 1.0, q * phi ** np.maximum(lag - 1, 0))
        return g * Zs @ Zs.T + s2 * np.kron(np.eye(S), R)

    assert reml_loglik(y, X, build(x)) == pytest.approx(fit.loglik, abs=1e-6)
    assert fit.converged
    _, best = fit_dense(y, X, build, [x], [(0, None), (1e-6, None), (-0.99, 0.99),
                                           (-0.999, 0.999)], polish=False)
    assert best <= fit.loglik + 2e-4


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("random,match", [
    ("~ exp(x, y)", "takes 1 coordinate column, got 2"),
    ("~ gauv(x, y)", "takes 1 coordinate column, got 2"),
    ("~ exp(x, dist = 2)", "the argument 'dist' is not supported"),
    ("~ aexp(x)", "takes 2 coordinate columns, got 1"),
    ("~ iexp(x, trt)", "column 'trt' is not numeric"),
])
def test_bad_coordinates_give_a_caret_error(field: pd.DataFrame, random: str,
                                            match: str) -> None:
    with pytest.raises(AsrError, match=match) as e:
        asr.asreml("z ~ trt", random=random, data=field)
    assert "^" in str(e.value)


def test_fac_of_two_columns_is_the_factor_of_their_pairs(field: pd.DataFrame) -> None:
    """fac(x, y) (ASReml's two-argument fac): one level per distinct (x, y) pair — it used
    x alone before session 20; ieuc(fac(x, y)) reads the points from its labels."""
    d = field.assign(xy=field.x.astype(str) + "_" + field.y.astype(str),
                     ab=np.where(field.x > 3, "p", "q"))
    a = asr.asreml("z ~ trt", random="~ fac(x, y)", data=d)
    b = asr.asreml("z ~ trt", random="~ xy", data=d)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-8)
    c = asr.asreml("z ~ trt", random="~ fac(ab, trt)", data=d)
    e = asr.asreml("z ~ trt", random="~ ab:trt", data=d)
    assert c.loglik == pytest.approx(e.loglik, abs=1e-8)
    f = asr.asreml("z ~ trt", random="~ ieuc(fac(x, y))", data=d)
    g = asr.asreml("z ~ trt", random="~ ieuc(x, y)", data=d)
    assert f.loglik == pytest.approx(g.loglik, abs=1e-8)
