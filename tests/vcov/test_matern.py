"""mtrn(x, y, phi, nu, lambda): the Matérn correlation (session 20).

Checked against: the half-integer closed forms of the Matérn function (Stein 1999, §2.7:
ν = 1/2: e^(−t); ν = 3/2: (1 + t) e^(−t); ν = 5/2: (1 + t + t²/3) e^(−t)); ASReml's
reduction to ieuc/iexp at ν = 1/2 (the same log-likelihood, φ_ieuc = exp(−1/φ)); a dense-V
REML with the ν = 3/2 closed form; central finite differences of every derivative."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, reml_loglik
from vcov_helpers import check_template

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.vcov import get_structure
from asr_py.vcov.matern import matern


def test_half_integer_closed_forms() -> None:
    t = np.array([0.0, 1e-14, 0.3, 1.0, 2.5, 40.0, 800.0])
    np.testing.assert_allclose(matern(t, 0.5), np.exp(-t), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(matern(t, 1.5), (1 + t) * np.exp(-t), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(matern(t, 2.5), (1 + t + t * t / 3) * np.exp(-t), rtol=1e-11,
                               atol=1e-300)


@pytest.mark.parametrize("opts,theta", [({}, [1.3]), ({"nu": 1.5, "nu_fixed": False},
                                                     [0.9, 1.5]),
                                        ({"lam": 1, "nu": 0.8, "nu_fixed": False}, [2.0, 0.8])])
def test_derivatives(opts: dict, theta: list[float]) -> None:
    pts = np.array([[0.0, 0.0], [1.0, 0.5], [0.3, 2.0], [2.5, 1.0], [1.7, 1.9]])
    t = get_structure("mtrn")([f"{a}:{b}" for a, b in pts], name="xy", coords=pts, **opts)
    check_template(t, np.array(theta))


def _field(nu: float) -> pd.DataFrame:
    """30 scattered points (two records each), a Matérn(ν) process of range 1.2 + noise."""
    rng = np.random.default_rng(20)
    pts = rng.uniform(0, 6, size=(30, 2)).round(2)
    d = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    u = rng.multivariate_normal(np.zeros(30), 2 * matern(d / 1.2, nu))
    df = pd.DataFrame({"x": np.repeat(pts[:, 0], 2), "y": np.repeat(pts[:, 1], 2)})
    df["z"] = 5 + np.repeat(u, 2) + rng.normal(0, 0.7, 60)
    return df


@pytest.fixture(scope="module")
def field() -> pd.DataFrame:
    return _field(1.5)


def test_nu_half_is_ieuc_and_city_block_is_iexp() -> None:
    field = _field(0.5)
    for mt, other in (("mtrn(x, y)", "ieuc(x, y)"), ("mtrn(x, y, lambda = 1)", "iexp(x, y)")):
        a = asr.asreml("z ~ 1", random=f"~ {mt}", data=field)
        b = asr.asreml("z ~ 1", random=f"~ {other}", data=field)
        assert a.converged and b.converged
        assert a.loglik == pytest.approx(b.loglik, abs=1e-5)
        phi = a.varcomp["component"]["x:y!x:y!phi"]
        assert np.exp(-1 / phi) == pytest.approx(b.varcomp["component"]["x:y!x:y!cor"],
                                                 rel=1e-3)


def test_fixed_nu_three_halves_against_dense_reml(field: pd.DataFrame) -> None:
    fit = asr.asreml("z ~ 1", random='~ mtrn(x, y, nu = "1.5F")', data=field)
    assert list(fit.varcomp.index) == ["x:y", "x:y!x:y!phi", "units!R"]
    pts, inv = np.unique(field[["x", "y"]].to_numpy(), axis=0, return_inverse=True)
    Z = np.eye(len(pts))[np.asarray(inv).ravel()]
    d = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    y, X = field.z.to_numpy(), np.ones((len(field), 1))

    def build(v: np.ndarray) -> np.ndarray | None:
        s, phi, e = v
        if s < 0 or phi <= 0 or e <= 0:
            return None
        t = d / phi
        return s * Z @ ((1 + t) * np.exp(-t)) @ Z.T + e * np.eye(len(y))

    x = fit.varcomp["component"].to_numpy()
    assert reml_loglik(y, X, build(x)) == pytest.approx(fit.loglik, abs=1e-6)
    assert fit.converged
    _, best = fit_dense(y, X, build, [x], [(0, None), (1e-6, None), (1e-6, None)],
                        polish=False)
    assert best <= fit.loglik + 2e-4


@pytest.mark.parametrize("random,match", [
    ("~ mtrn(x, y, delta = 2)", "geometric anisotropy"),
    ("~ mtrn(x, y, alpha = 0.3)", "geometric anisotropy"),
    ("~ mtrn(x, y, lambda = 3)", "lambda is the metric"),
    ("~ mtrn(x, y, nu = -1)", "nu .the smoothness. must be positive"),
    ("~ mtrn(x, y, nu = 'abc')", "must be a number or a string"),
])
def test_bad_matern_arguments(field: pd.DataFrame, random: str, match: str) -> None:
    with pytest.raises(AsrError, match=match) as e:
        asr.asreml("z ~ 1", random=random, data=field)
    assert "^" in str(e.value)
