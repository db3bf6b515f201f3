"""An unbounded REML likelihood along a null of any dimension (s33unb).

Three traits (kg/ha, g, cm), ``cbind(y1, y2, y3) ~ trait``, ``~ us(trait):vm(id, K)``,
``~ units:us(trait)``, 40 ids with one record each, 15 % missing (tests/reml/
_unbounded_data_mt.py, simulated here). c complete pure-error contrasts δ (a pair of ids
with identical marker rows, an id with a second record) leave ℓ unbounded when c < 3: the
residual can turn singular along the 3 − c trait combinations orthogonal to them (rank-1
residual: a 2-dimensional null), or along fewer. Main reported a fit stopped at a rank-1
residual as an unconverged fit told to "centre the covariate", missed a fit stopped short of
the floor, and called a repeated record's interior local maximum 'converged'.

Decided by the independent dense-V profile (numpy/scipy): ℓ maximised with R (SD scale)
= F F' + λ I, F: 3 x (3 − k) (k eigenvalues held at λ), G free: unbounded designs gain
(d/2)·ln 10 per decade of λ (d: record contrasts V turns singular along), bounded ones
converge.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _unbounded_data_mt import contrasts, data, profile

import asr_py as asr
from asr_py.reml.unbounded import UNB_HEAD, combination, probe
from asr_py.results.unbounded_cause import replicate_rows

LN10 = np.log(10.0)


def _fit(d: pd.DataFrame, K: pd.DataFrame) -> tuple[asr.AsremlFit, list]:
    ys = ", ".join(c for c in d.columns if c.startswith("y"))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        m = asr.asreml(f"cbind({ys}) ~ trait", "~ us(trait):vm(id, K)", "~ units:us(trait)",
                       data=d, K=K)
    return m, rec


def _flagged(m: asr.AsremlFit, rec: list) -> str:
    notes = [x for x in m.diagnostics if x.startswith(UNB_HEAD)]
    assert len(notes) == 1, m.diagnostics
    assert any(issubclass(w.category, asr.ConvergenceWarning) and str(w.message) == notes[0]
               for w in rec)
    assert not m.converged
    assert "S" in set(m.varcomp["bound"])
    return notes[0]


def _residual(m: asr.AsremlFit, T: int = 3) -> np.ndarray:
    vc = m.varcomp
    r = vc.loc[[i for i in vc.index if str(i).startswith("units")], "component"].to_numpy()
    M = np.zeros((T, T))
    M[np.tril_indices(T)] = r
    return M + np.tril(M, -1).T


def _null_start(d: pd.DataFrame, K: pd.DataFrame, k: int) -> np.ndarray:
    """The k least singular directions of the pure-error contrasts (SD scale; orthogonal to
    them when they span fewer than 3 − k): the profile's start on the unbounded branch."""
    U = np.linalg.svd(contrasts(d, K), full_matrices=True)[0]
    return U[:, -k:]


def test_two_dim_null_rank_one_residual() -> None:
    """One clone pair: the fit stops with the residual of rank 1 (two eigenvalues at the
    floor); ℓ rises by ln 10 per decade (V singular along (e_a − e_b) ⊗ v for the two v
    orthogonal to δ). Main: unconverged, not flagged ('centre the covariate')."""
    d, K = data(0)
    prof, eig = profile(d, K, [1e-4, 1e-6], k=2, null=_null_start(d, K, 2))
    assert prof[1] - prof[0] == pytest.approx(2 * LN10, abs=0.05)  # d = 2
    assert np.sum(eig[-1] < 1e-5) == 2
    m, rec = _fit(d, K)
    text = _flagged(m, rec)
    assert "2/2·ln 10 per decade" in text and "2 combinations" in text
    assert "id L000 and id L001" in text  # the cause in the user's terms
    # the reported residual's null: both directions orthogonal to δ (correlation scale)
    R = _residual(m)
    sd = np.sqrt(np.diag(R))
    mu, W = np.linalg.eigh(R / np.outer(sd, sd))
    assert mu[1] < 1e-5
    ys = ["y1", "y2", "y3"]
    delta = (d.loc[d["id"] == "L000", ys].to_numpy(float)
             - d.loc[d["id"] == "L001", ys].to_numpy(float))[0] / sd
    assert np.abs(W[:, :2].T @ delta).max() <= 1e-3 * np.linalg.norm(delta)


def test_one_dim_null_two_contrasts() -> None:
    """Two clone pairs: R's null is one combination (orthogonal to both δ), V's two record
    contrasts: ln 10 per decade with one eigenvalue held, while holding two makes ℓ fall
    (a rank-1 R cannot hold both δ). Main: unconverged, not flagged."""
    d, K = data(3, clones=((0, 1), (2, 3)))
    up, _ = profile(d, K, [1e-4, 1e-6], k=1, null=_null_start(d, K, 1))
    assert up[1] - up[0] == pytest.approx(2 * LN10, abs=0.05)  # d = 2, k = 1
    down, _ = profile(d, K, [1e-4, 1e-6], k=2)
    assert down[1] < down[0] - 10.0
    m, rec = _fit(d, K)
    text = _flagged(m, rec)
    assert "2/2·ln 10 per decade" in text and "The combination" in text
    assert "2 pair(s) of levels" in text and "id L002 and id L003" in text


def test_repeated_record_local_maximum_is_not_converged() -> None:
    """An id with a second complete record: main stopped at an interior local maximum
    (ℓ −377.4476, 'converged'); the profile along a singular residual is higher already
    at λ = 1e-2 and rises by ½ ln 10 per decade."""
    d, K = data(2, clones=(), reps=(5,))
    prof, _ = profile(d, K, [1e-2, 1e-4], k=1, null=_null_start(d, K, 1))
    assert prof[1] - prof[0] == pytest.approx(LN10, abs=0.05)  # d = 1
    m, rec = _fit(d, K)
    assert m.loglik < prof[0] - 0.5  # the reported value is beaten
    text = _flagged(m, rec)
    assert "local maximum" in text and "id L005 (data index 5 and 40)" in text


def test_three_contrasts_bounded_stays_converged() -> None:
    """Three clone pairs in three traits: the pure-error contrasts span the traits, ℓ is
    bounded; the profile with a singular R falls as λ → 0, below asr_py's converged
    optimum."""
    d, K = data(4, clones=((0, 1), (2, 3), (4, 7)))
    # (start: R's null along the contrasts' least singular direction, the cheapest one)
    prof, _ = profile(d, K, [1e-4, 1e-6], k=1, null=_null_start(d, K, 1))
    assert prof[1] < prof[0]  # a singular R only loses: the optimum is inside
    m, rec = _fit(d, K)
    assert m.converged and "S" not in set(m.varcomp["bound"])
    assert not any(x.startswith(UNB_HEAD) for x in m.diagnostics)
    assert not any(issubclass(w.category, asr.ConvergenceWarning) for w in rec)
    assert prof[1] <= m.loglik + 1e-4
    assert len(replicate_rows(m.model)) == 3  # found, but no cause of an unbounded ℓ


def test_probe_null_of_any_dimension() -> None:
    """Closed forms on a 3 x 3 block: ℓ = −½ Σ_{i<k} ln μ_i is unbounded with d = k and k
    combinations; a bounded direction among the small ones (ℓ falling as 5 ln μ_1) is left
    out: the smallest alone is unbounded (d = 1)."""
    b = _Block3()
    theta = b.params_of(_corr_with([1e-8, 1e-7, 3.0 - 1.1e-7]))

    def mu(th: np.ndarray) -> np.ndarray:
        return b.scaled_eig(b.matrix(th))[0]

    for k in (1, 2):
        u = probe(b, theta, lambda th, k=k: -0.5 * float(np.log(mu(th)[:k]).sum()))
        assert u is not None and u.d == k and u.combo.shape == (3, k)
    text = combination(probe(b, theta, lambda th: -0.5 * float(np.log(mu(th)[:2]).sum())
                             ).combo, ["a", "b", "c"])
    assert text.startswith("2 combinations") and text.endswith("have")
    u = probe(b, theta, lambda th: -0.5 * np.log(mu(th)[0]) + 5.0 * np.log(mu(th)[1]))
    assert u is not None and u.d == 1 and u.combo.shape == (3, 1)
    assert probe(b, theta, lambda th: 5.0 * np.log(mu(th)[1]) + np.log(mu(th)[0])) is None


def _corr_with(mu: list[float]) -> np.ndarray:
    Q = np.linalg.qr(np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [1.5, 0.2, -0.7]]))[0]
    C = (Q * np.asarray(mu)) @ Q.T
    s = 1.0 / np.sqrt(np.diag(C))
    return np.diag([4.0, 1.0, 9.0]) ** 0.5 @ (C * np.outer(s, s)) @ np.diag([4.0, 1.0, 9.0]) ** 0.5


class _Block3:
    """A 3 x 3 covariance block with its 6 lower-triangle entries as θ (PDBlock interface)."""

    name, corr = "toy", False
    idx = np.arange(6)
    tril = np.tril_indices(3)

    def matrix(self, theta: np.ndarray) -> np.ndarray:
        M = np.zeros((3, 3))
        M[self.tril] = theta[self.idx]
        return M + np.tril(M, -1).T

    def scaled_eig(self, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        d = np.diag(m)
        mu, w = np.linalg.eigh(m / np.sqrt(np.outer(d, d)))
        return mu, w, d

    def params_of(self, m: np.ndarray) -> np.ndarray:
        return np.asarray(m)[self.tril]


def test_cause_named_in_other_units_and_row_order() -> None:
    """Invariances: y1 in t/ha, y2 in mg, rows reversed: still unbounded, and the note
    names the same two ids (their data index labels follow the rows)."""
    d, K = data(0)
    d2 = d.iloc[::-1].copy()
    d2["y1"] = d2["y1"] / 1000.0
    d2["y2"] = d2["y2"] * 1000.0
    m, rec = _fit(d2, K)
    text = _flagged(m, rec)
    assert "id L001 and id L000" in text or "id L000 and id L001" in text


def test_unbounded_found_by_the_refit_from_univariate_fits() -> None:
    """Two clone pairs, seed 0: the first fit stops unconverged with the genetic matrix
    singular and nothing found; the refit from univariate fits finds ℓ unbounded along the
    residual (lower ℓ than the first fit: neither is an optimum). Main kept the first fit,
    unconverged and not flagged."""
    d, K = data(0, clones=((0, 1), (2, 3)))
    up, _ = profile(d, K, [1e-4, 1e-6], k=1, null=_null_start(d, K, 1))
    assert up[1] - up[0] == pytest.approx(2 * LN10, abs=0.05)
    m, rec = _fit(d, K)
    _flagged(m, rec)
    assert any("refitted from univariate fits" in x for x in m.diagnostics)
