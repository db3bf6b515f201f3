"""str()'s direct product against the nesting of its terms' effects.

asreml's ``str`` help: the structure's first factor must be the outer factor in the nesting of
the effects; asreml checks only the size. ``str(~ id:pol(time, 2), ~ us(3):id(id))`` (an
asreml 3 script, AaronRendahl/Jane-asreml-modeling asreml_msi_modeling2.R) nests the effects
id (outer) × pol (inner) while us(3):id(id) is 3 (outer) × id: each element of the 3 × 3
matrix couples effects by position only. asr_py fits it as written (as asreml does) and warns.
The fits are checked against an independent dense-V REML (tests/_dense_reml.py) with Z and
G = Σ ⊗ I built here from the data: the converged points found from different starts are
genuine local maxima (ℓ equal to the dense ℓ, zero central-difference gradient, negative
definite Hessian). With asreml's pol() columns (model/asreml_pol.py) both starts reach the
same maximum; with R's poly() columns (before session 27) they reached two, 26 apart.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _dense_reml import reml_loglik

import asr_py as asr
from asr_py.model.str_order import groups_nesting


def _data(n_id: int = 20, seed: int = 2) -> pd.DataFrame:
    """A quadratic random regression: 6 times per id, random intercept, slope and curvature."""
    rng = np.random.default_rng(seed)
    time = np.tile(np.array([0.0, 1, 2, 3, 4, 6]), n_id)
    idn = np.repeat(np.arange(n_id), 6)
    b = rng.normal(size=(n_id, 3)) * [3.0, 1.0, 0.15]
    y = (10 + b[idn, 0] + (2 + b[idn, 1]) * time + (-0.1 + b[idn, 2]) * time**2
         + rng.normal(scale=1.0, size=time.size))
    return pd.DataFrame({"id": pd.Categorical([f"h{j:02d}" for j in idn]), "time": time,
                         "y": y})


@pytest.mark.parametrize(("grid", "sizes", "ok"), [
    ([82, 3], [3, 82], False), ([82, 3], [82, 3], True), ([82, 3], [246], True),
    ([2, 82], [2, 82], True), ([2, 3, 5], [6, 5], True), ([2, 3, 5], [2, 15], True),
    ([2, 3, 5], [3, 10], False), ([2, 1, 5], [2, 5], True), ([4, 5], [2, 10], False)])
def test_groups_nesting(grid: list[int], sizes: list[int], ok: bool) -> None:
    """Closed form: the structure's sizes must be products of consecutive runs of the grid."""
    assert groups_nesting(grid, sizes) is ok


def _fit(d: pd.DataFrame, random: str) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        m = asr.asreml("y ~ pol(time, -2)", random=random, data=d, maxit=200)
    return m, [str(w.message) for w in rec if issubclass(w.category, asr.AsrWarning)]


@pytest.mark.parametrize("random", [
    "~ str(~ pol(time, 2):id, ~ us(3):id(id))",
    "~ str(~ id + id:time, ~ us(2):id(id))",
    "~ us(pol(time, 2)):id"])
def test_matched_order_does_not_warn(random: str) -> None:
    m, notes = _fit(_data(), random)
    assert m.converged
    assert not [n for n in notes if "nesting of the effects" in n]


# --------------------------------------------------------------------- the dense-V check
def _asreml_pol2(t: np.ndarray) -> np.ndarray:
    """asreml's pol(t, 2) columns built here: 1, t, t² orthogonalised (QR) on t's distinct
    values plus the points stepping (max − min)/20 up each gap, scaled to (−1)^j at min t."""
    u = np.unique(t)
    h = (u[-1] - u[0]) / 20
    pts = [u[0]]
    for lo, hi in zip(u[:-1], u[1:]):
        pts += [x for x in lo + h * np.arange(1, 30) if x < hi - 1e-9] + [hi]
    _, R = np.linalg.qr(np.vander(np.array(pts), 3, increasing=True))
    Ri = np.linalg.inv(R)
    P = np.vander(t, 3, increasing=True) @ Ri
    return P / (np.vander(u[:1], 3, increasing=True) @ Ri) * [1, -1, 1]


def _dense(d: pd.DataFrame, order: list[str]) -> Callable[[np.ndarray], float]:
    """ℓ(θ) of the mismatched model built here: effect 3i + j is id i (in ``order``), pol
    column j (asreml's pol(time, 2), ``_asreml_pol2``); G = Σ ⊗ I_q puts effect
    k = q·a + b in row a of Σ — the written structure, coupling effects by position."""
    t = d["time"].to_numpy()
    y = d["y"].to_numpy()
    n = t.size
    P = _asreml_pol2(t)
    q = len(order)
    hid = np.array([order.index(str(v)) for v in d["id"]])
    Z = np.zeros((n, 3 * q))
    for j in range(3):
        Z[np.arange(n), 3 * hid + j] = P[:, j]

    def ll(th: np.ndarray) -> float:
        S = np.zeros((3, 3))
        S[np.tril_indices(3)] = th[:6]
        S = S + np.tril(S, -1).T
        V = Z @ np.kron(S, np.eye(q)) @ Z.T + th[6] * np.eye(n)
        return reml_loglik(y, P, V)
    return ll


def _grad_hess(ll: Callable[[np.ndarray], float], th: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Central differences of ℓ in θ scaled by |θ| (units-free)."""
    s = np.abs(th)
    h = 1e-4
    E = np.eye(th.size)

    def f(z: np.ndarray) -> float:
        return ll(th + s * z)
    g = np.array([(f(h * E[i]) - f(-h * E[i])) / (2 * h) for i in range(th.size)])
    H = np.empty((th.size, th.size))
    for i in range(th.size):
        for j in range(i, th.size):
            H[i, j] = H[j, i] = (f(h * (E[i] + E[j])) - f(h * (E[i] - E[j]))
                                 - f(h * (E[j] - E[i])) + f(-h * (E[i] + E[j]))) / (4 * h * h)
    return g, H


RANDOM = "~ str(~ id:pol(time, 2), ~ us(3{init}):id(id))"


def test_mismatched_order_warns_and_converges_to_genuine_local_optima() -> None:
    """Two starts far apart: each converged point equals the dense ℓ at its θ, has zero
    gradient (relative to ℓ's curvature) and a negative definite Hessian with Σ positive
    definite — a genuine local maximum, the same one from both starts."""
    d = _data()
    ll = _dense(d, sorted(d["id"].astype(str).unique()))
    ends = []
    for init in (", init = c(8147.4, 2837.86, 1888.51, -28.3739, -21.0788, 1.79895)",
                 ", init = c(8.76589, 64.841, 721.425, -26.0666, -556.017, 743.592)"):
        m, notes = _fit(d, RANDOM.format(init=init))
        assert m.converged
        assert [n for n in notes if "does not follow the nesting of the effects (20 × 3" in n]
        assert any("nesting of the effects" in x for x in m.diagnostics)
        th = m.result.theta.copy()
        assert ll(th) == pytest.approx(m.loglik, abs=1e-6)
        S = np.zeros((3, 3))
        S[np.tril_indices(3)] = th[:6]
        assert np.linalg.eigvalsh(S + np.tril(S, -1).T).min() > 0  # interior point
        g, H = _grad_hess(ll, th)
        ev = np.linalg.eigvalsh(H)
        assert ev.max() < 0
        # the Newton step from there is tiny: |H⁻¹g| in relative units
        assert np.abs(np.linalg.solve(H, g)).max() < 1e-3
        ends.append(m.loglik)
    assert ends[0] == pytest.approx(ends[1], abs=1e-6)


def test_mismatched_order_fit_depends_on_the_level_order() -> None:
    """The written structure couples effects by position, so relabelling the ids (the same
    data) changes the likelihood at a fixed θ — checked on the dense ℓ built both ways and on
    asr_py's fits."""
    d = _data()
    m, _ = _fit(d, RANDOM.format(init=""))
    ids = sorted(d["id"].astype(str).unique())
    rev = d.assign(id=pd.Categorical(d["id"].astype(str), categories=ids[::-1]))
    m2, _ = _fit(rev, RANDOM.format(init=""))
    th = m.result.theta
    assert _dense(d, ids)(th) == pytest.approx(m.loglik, abs=1e-6)
    assert _dense(rev, ids[::-1])(m2.result.theta) == pytest.approx(m2.loglik, abs=1e-6)
    assert abs(_dense(d, ids[::-1])(th) - m.loglik) > 1e-3


def test_str_dimension_error_names_a_numeric_id_column() -> None:
    """A numeric id column is a covariate (one column, R's rule), so str(~ g + g:x, ~ us(2):id(g))
    has 2 columns where the structure has 2·n_g: the error says so and how to make g a factor;
    with g a factor the same call fits."""
    import numpy as np
    import pandas as pd
    import pytest

    import asr_py as asr
    from asr_py.errors import FormulaError

    rng = np.random.default_rng(3)
    g = np.repeat(np.arange(8), 5)
    x = np.tile(np.arange(5.0), 8)
    y = 2 + 0.5 * x + rng.normal(size=8)[g] + 0.3 * rng.normal(size=8)[g] * x + rng.normal(size=40)
    df = pd.DataFrame({"y": y, "x": x, "g": g})
    with pytest.raises(FormulaError) as e:
        asr.asreml("y ~ x", random="~ str(~ g + g:x, ~ us(2):id(g))", data=df)
    assert "g is numeric" in str(e.value) and "astype(str)" in str(e.value)
    df2 = df.assign(g=df["g"].astype(str))
    m = asr.asreml("y ~ x", random="~ str(~ g + g:x, ~ us(2):id(g))", data=df2)
    assert m.varcomp.shape[0] == 4
    assert df["g"].dtype.kind == "i"  # the user's frame is not mutated
