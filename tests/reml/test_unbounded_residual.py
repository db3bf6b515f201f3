"""An unbounded REML likelihood along a singular multi-trait residual is no estimate (s32unb).

``cbind(y1, y2) ~ trait``, ``~ us(trait):vm(id, K)``, ``~ units:us(trait)``, one record per
id, traits in kg/ha and g, 15 % missing (tests/reml/_unbounded_data.py, simulated here).
Two ids with identical marker rows (K singular along e_a − e_b), or one id with a second
record, leave one record contrast per trait that no fixed or random effect reaches; with
two traits the residual can turn singular along the trait combination v with
v'(y_a − y_b) = 0, and ℓ rises as ½ ln λ⁻¹ without bound (λ: the smallest eigenvalue of the
residual's correlation matrix). Main reported the engine's floor (λ = 1e-8: FINAL_RIDGE, or
1e-6: PD_EPS) as a converged optimum, or a local maximum with the genetic matrix singular.

Checks against an independent source: the dense-V REML profile of ℓ over λ (numpy/scipy,
every other parameter maximised): unbounded cases gain ln 10 / 2 per decade, the bounded
boundary case (no clones) converges, and asr_py's ℓ there is the profile's limit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _unbounded_data import data, profile

import asr_py as asr
from asr_py.reml.unbounded import UNB_HEAD, probe

HALF_LN10 = 0.5 * np.log(10.0)


def _fit(d: pd.DataFrame, K: pd.DataFrame) -> tuple[asr.AsremlFit, list]:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        m = asr.asreml("cbind(y1, y2) ~ trait", "~ us(trait):vm(id, K)", "~ units:us(trait)",
                       data=d, K=K)
    return m, rec


def _residual(m: asr.AsremlFit) -> np.ndarray:
    vc = m.varcomp
    r = vc.loc[[i for i in vc.index if str(i).startswith("units")], "component"].to_numpy()
    return np.array([[r[0], r[1]], [r[1], r[2]]])


def _flagged(m: asr.AsremlFit, rec: list) -> str:
    notes = [x for x in m.diagnostics if x.startswith(UNB_HEAD)]
    assert len(notes) == 1, m.diagnostics
    assert any(issubclass(w.category, asr.ConvergenceWarning) and UNB_HEAD in str(w.message)
               for w in rec)
    assert not m.converged
    vc = m.varcomp
    assert list(vc.loc[[i for i in vc.index if str(i).startswith("units")], "bound"]) == [
        "S"] * 3
    assert m.n_estimated == 3  # the genetic matrix only
    return notes[0]


@pytest.mark.parametrize("seed", [2, 0])
def test_clone_pair_unbounded_at_the_floor(seed: int) -> None:
    """Seed 2 ends on the residual's face (λ = 1e-8), seed 0 held at PD_EPS after an
    oscillation stop; both were 'converged'."""
    d, K = data(seed)
    prof = profile(d, K, [1e-4, 1e-6, 1e-8])
    # the independent profile: ½ ln 10 per decade of λ, i.e. ln 10 per two decades
    assert np.diff(prof) == pytest.approx([2 * HALF_LN10] * 2, abs=0.02)
    m, rec = _fit(d, K)
    text = _flagged(m, rec)
    assert "1/2·ln 10 per decade" in text and "units:trait" in text
    # the reported point is the floor: ℓ is the profile's value at the engine's λ, not more
    assert m.loglik <= prof[-1] + 1e-3
    # the singular combination is the one the clones' records make 0: on the correlation
    # scale of the reported R, w'D^-½(y_a − y_b) = 0 (D = diag R)
    R = _residual(m)
    sd = np.sqrt(np.diag(R))
    mu, W = np.linalg.eigh(R / np.outer(sd, sd))
    assert mu[0] < 1e-5
    diff = (d.loc[d["id"] == "L000", ["y1", "y2"]].to_numpy(float)
            - d.loc[d["id"] == "L001", ["y1", "y2"]].to_numpy(float))[0] / sd
    assert abs(W[:, 0] @ diff) <= 1e-3 * np.linalg.norm(diff)


def test_local_maximum_with_an_unbounded_residual() -> None:
    """Seed 5: the fit stops with the genetic matrix singular and the residual interior
    (main: converged); along the residual's singular combination ℓ is higher already at
    λ = 1e-4 and rises without bound."""
    d, K = data(5)
    prof = profile(d, K, [1e-4, 1e-6, 1e-8])
    assert np.diff(prof) == pytest.approx([2 * HALF_LN10] * 2, abs=0.02)
    m, rec = _fit(d, K)
    assert m.loglik < prof[0] - 1.0  # the reported value is beaten at λ = 1e-4
    text = _flagged(m, rec)
    assert "local maximum" in text


def test_repeated_record_unbounded() -> None:
    """The same cause without a relationship matrix's null space: id L005 with a second
    complete record (K of full rank)."""
    d, K = data(3, clones=(), reps=(5,))
    assert d.loc[d["id"] == "L005", ["y1", "y2"]].notna().all().all()
    prof = profile(d, K, [1e-4, 1e-6])
    assert prof[1] - prof[0] == pytest.approx(2 * HALF_LN10, abs=0.02)
    m, rec = _fit(d, K)
    _flagged(m, rec)


def test_bounded_boundary_stays_an_estimate() -> None:
    """No clones, no repeats: the residual singular at the optimum (on its face) with ℓ
    finite there: the profile converges to asr_py's ℓ, reported converged, codes P/U."""
    d, K = data(0, clones=())
    prof = profile(d, K, [1e-4, 1e-6, 1e-8])
    assert abs(prof[2] - prof[1]) < 1e-4 and prof[1] >= prof[0] - 1e-6
    m, rec = _fit(d, K)
    assert m.converged
    assert not any(x.startswith(UNB_HEAD) for x in m.diagnostics)
    assert not any(issubclass(w.category, asr.ConvergenceWarning) for w in rec)
    assert "S" not in set(m.varcomp["bound"])
    assert m.loglik == pytest.approx(prof[2], abs=1e-4)
    assert np.linalg.eigvalsh(_residual(m) / np.outer(*[np.sqrt(np.diag(_residual(m)))] * 2)
                              )[0] < 1e-5


def test_unbounded_in_other_units_and_row_order() -> None:
    """Invariances: y1 in t/ha (/1000), y2 in mg (x1000), rows reversed: still unbounded,
    the same gain per decade."""
    d, K = data(2)
    d2 = d.iloc[::-1].reset_index(drop=True).copy()
    d2["y1"] = d2["y1"] / 1000.0
    d2["y2"] = d2["y2"] * 1000.0
    m, rec = _fit(d2, K)
    assert "1/2·ln 10 per decade" in _flagged(m, rec)


class _Block:
    """A 2 x 2 covariance block M = [[θ0, θ1], [θ1, θ2]] (the PDBlock interface)."""

    name, corr = "toy", False
    idx = np.arange(3)
    E = np.array([[[1.0, 0], [0, 0]], [[0, 1.0], [1.0, 0]], [[0, 0], [0, 1.0]]])
    basis = E.reshape(3, -1).T

    def matrix(self, theta: np.ndarray) -> np.ndarray:
        return np.tensordot(theta[self.idx], self.E, axes=1)

    def scaled_eig(self, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        d = np.diag(m)
        mu, w = np.linalg.eigh(m / np.sqrt(np.outer(d, d)))
        return mu, w, d

    def params_of(self, m: np.ndarray) -> np.ndarray:
        return np.linalg.lstsq(self.basis, m.ravel(), rcond=None)[0]


def _lam(theta: np.ndarray) -> float:
    b = _Block()
    return float(b.scaled_eig(b.matrix(theta))[0][0])


def test_probe_closed_forms() -> None:
    """ℓ = −(d/2) ln λ: unbounded with d read back; ℓ = c − a·λ (a bounded boundary, any
    a): not; a matrix away from the boundary: not probed."""
    b = _Block()
    theta = np.array([4.0, -2.0 * (1 - 1e-8), 1.0])  # correlation −(1 − 1e-8): λ = 1e-8
    for d in (1, 2, 4):
        u = probe(b, theta, lambda th, d=d: -0.5 * d * np.log(_lam(th)))
        assert u is not None and u.d == d
        assert u.gains == pytest.approx((d * HALF_LN10, d * HALF_LN10), rel=1e-4)
        assert u.combo.shape == (2, 1)  # (s33unb: the null combinations as columns)
        assert abs(u.combo[:, 0] @ np.array([1.0, 1.0])) == pytest.approx(np.sqrt(2.0))
    for a in (1.0, 1e4):
        assert probe(b, theta, lambda th, a=a: 3.0 - a * _lam(th)) is None
    assert probe(b, np.array([4.0, 1.0, 1.0]), lambda th: -np.log(_lam(th))) is None
