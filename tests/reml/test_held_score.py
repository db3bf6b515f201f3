"""The score of a variance held at its boundary, read from ℓ (asr_py/reml/held_score.py).

Closed form: for V = θ_g ZZ' + θ_e I the REML score is ∂ℓ/∂θ_g = ½(y'PZZ'Py − tr(PZZ'));
at θ_g = 0, P = (I − X(X'X)⁻¹X')/θ_e. The one-sided difference of the dense ℓ
(tests/_dense_reml.py) from the held value must give it, with either sign, in any units.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from _dense_reml import indicator, reml_loglik

import asr_py as asr
from asr_py.reml import ai as ai_mod
from asr_py.reml import held_score
from asr_py.reml.held_score import HS_TRIES, HeldOut, boundary_scores


class _Valid:
    """What boundary_scores asks of the iteration context: θ valid (variances >= 0)."""

    def valid(self, theta: np.ndarray) -> bool:
        return bool(np.all(theta >= 0))


def _data(seed: int, sd_g: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(12), 4)
    y = 10.0 + rng.normal(0.0, sd_g, 12)[g] + rng.normal(0.0, 1.0, g.size)
    return y, np.ones((g.size, 1)), indicator(g)


def _closed_form(y: np.ndarray, X: np.ndarray, Z: np.ndarray, te: float
                 ) -> tuple[float, float]:
    """(score, expected information ½ tr(PZZ'PZZ')) of θ_g at θ_g = 0."""
    P = (np.eye(len(y)) - X @ np.linalg.solve(X.T @ X, X.T)) / te
    zz = Z @ Z.T
    py = P @ y
    return 0.5 * (py @ zz @ py - np.trace(P @ zz)), 0.5 * np.trace(P @ zz @ P @ zz)


@pytest.mark.parametrize("seed,sd_g", [(0, 0.0), (1, 0.0), (2, 0.6), (3, 1.0)])
@pytest.mark.parametrize("f", [1.0, 3.0])  # θ_e = f x var(y): without signal, score < 0 at 3
@pytest.mark.parametrize("c", [1.0, 1e3, 1e-3])
def test_one_sided_difference_is_the_closed_form_score(seed: int, sd_g: float, c: float,
                                                       f: float) -> None:
    y, X, Z = _data(seed, sd_g)
    y = y * c
    te = f * float(np.var(y))
    want, info = _closed_form(y, X, Z, te)
    held_at = 1e-12 * te

    def loglik_of(th: np.ndarray) -> float:
        return reml_loglik(y, X, th[0] * Z @ Z.T + th[1] * np.eye(len(y)))

    theta = np.array([held_at, te])
    ai = np.diag([info, 1.0])
    got = boundary_scores(loglik_of, _Valid(), loglik_of(theta), theta, np.array([9.9, 0.0]),
                          ai, np.array([True, False]))  # type: ignore[arg-type]
    # in standard-error units (z = s / sqrt(AI)): the difference's truncation ~ HS_Z²
    assert abs(got[0] - want) / np.sqrt(info) <= 1e-5, (got[0], want)
    if sd_g == 0.0:  # both signs are covered
        assert np.sign(want) == (1.0 if f == 1.0 else -1.0)
    assert got[1] == 0.0  # a parameter not held keeps its (analytic) score


# ------------------------------------------- corrections used up: not converged (s24floor)
def _two_null_terms() -> pd.DataFrame:
    """60 records, two crossed factors without signal: both variances end held at 0."""
    rng = np.random.default_rng(3)
    return pd.DataFrame({"a": pd.Categorical(np.repeat(np.arange(12), 5)),
                         "b": pd.Categorical(np.tile(np.arange(10), 6)),
                         "y": 5.0 + rng.normal(0.0, 1.0, 60)})


def _fit(d: pd.DataFrame) -> asr.AsremlModel:
    return asr.asreml(fixed="y ~ 1", random="~ a + b", data=d)


def test_held_variances_without_signal_converge_at_zero() -> None:
    """The unpatched fit: both held ('B'), converged, and the dense REML score of each at
    the fitted point is negative (ℓ falls off the bound: the KKT condition holds)."""
    d = _two_null_terms()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = _fit(d)
    assert m.converged
    assert list(m.varcomp.loc[["a", "b"], "bound"]) == ["B", "B"]
    y, X = d["y"].to_numpy(float), np.ones((len(d), 1))
    te = float(m.varcomp.loc["units!R", "component"])
    for col in ("a", "b"):
        want, _ = _closed_form(y, X, indicator(d[col]), te)
        assert want < 0


def test_used_up_corrections_report_not_converged_and_name_only_the_released(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """HS_TRIES corrections, then a stop that is no convergence: 'a' is given a positive
    score from ℓ (its release is what the corrected score asks for) and its release step
    never moves (so never gains); 'b', also held, keeps its true negative score. The fit
    must say it did not converge (ConvergenceWarning, diagnostic), after exactly
    HS_TRIES + 1 stops that wanted out, naming 'a' and not 'b'."""
    real_scores, real_wants = held_score.boundary_scores, ai_mod.wants_out

    def scores(loglik_of, ctx, loglik, theta, score, ai, held):  # type: ignore[no-untyped-def]
        s = real_scores(loglik_of, ctx, loglik, theta, score, ai, held)
        assert held[1] and s[1] < 0  # 'b': its score read from ℓ says it stays
        s[0] = 1e-2 * np.sqrt(ai[0, 0])  # 'a': ℓ would rise by ~5e-5 off its bound
        return s

    wanted: list[HeldOut] = []

    def stuck(*args, **kwargs):  # type: ignore[no-untyped-def]
        out = real_wants(*args, **kwargs)
        if out is None:
            return None
        wanted.append(out)
        return replace(out, step=replace(out.step, delta=np.zeros_like(out.step.delta)))

    monkeypatch.setattr(held_score, "boundary_scores", scores)
    monkeypatch.setattr(ai_mod, "wants_out", stuck)
    with pytest.warns(asr.ConvergenceWarning, match=r"did not converge at iteration \d+: .*'a'"):
        m = _fit(_two_null_terms())
    names = list(m.result.names)
    assert names[:2] == ["a", "b"]
    assert not m.converged
    assert len(wanted) == HS_TRIES + 1
    assert all(list(np.flatnonzero(w.released)) == [0] for w in wanted)
    note = next(x for x in m.diagnostics if "rises off the bound" in x)
    assert note.startswith("did not converge") and "'a'" in note and "'b'" not in note
