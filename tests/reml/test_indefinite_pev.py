"""PEVs of a diag() term with ONE negative 'U' variance (reml/indefinite.py, finish.py): only
the levels with the negative variance lose their PEV (before: NaN for every level of the
term). The others keep C_uu's diagonal, checked against the dense formula
PEV = σ² − σ⁴ z'Pz, P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹, at the fit's estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from test_unconstrained_variance import _two_sites

import asr_py as asr


def _fit(df: pd.DataFrame, constraint: str = "U") -> asr.AsremlFit:  # type: ignore[name-defined]
    sv = asr.asreml("y ~ site", random="~ diag(site):block", data=df, start_values=True)
    sv.loc[sv.Component == "site:block!site_A", "Constraint"] = constraint
    return asr.asreml("y ~ site", random="~ diag(site):block", data=df, params=sv)


def test_only_levels_with_a_negative_variance_lose_their_pev() -> None:
    df = _two_sites()
    fit = _fit(df)
    sa, sb, s2 = fit.varcomp["component"].to_numpy()
    assert sa < 0 < sb
    term = fit.model.random[0]
    levels = list(term.levels)
    pev = fit.result.pev[0]
    neg = np.array([lv.startswith("A:") for lv in levels])
    assert np.all(np.isnan(pev[neg])) and np.all(np.isfinite(pev[~neg]))
    # dense P at the estimates
    y = df["y"].to_numpy(float)
    X = np.column_stack([np.ones(len(y)), (df["site"] == "B").to_numpy(float)])
    key = (df["site"].astype(str) + ":" + df["block"].astype(str)).to_numpy()
    Z = (key[:, None] == np.array(levels)[None, :]).astype(float)
    g = np.where(neg, sa, sb)
    V = (Z * g) @ Z.T + s2 * np.eye(len(y))
    vi = np.linalg.inv(V)
    P = vi - vi @ X @ np.linalg.solve(X.T @ vi @ X, X.T @ vi)
    dense = g - g ** 2 * np.einsum("ij,ik,kj->j", Z, P, Z)
    np.testing.assert_allclose(pev[~neg], dense[~neg], rtol=1e-6)
    empty = ~neg & (Z.sum(axis=0) == 0)  # site B x site A blocks: no records, PEV = σ²_B
    assert empty.any() and np.allclose(pev[empty], sb, rtol=1e-8)
    note = [d for d in fit.diagnostics if "site:block" in d and "prediction error" in d]
    assert len(note) == 1 and "32 levels with a negative variance" in note[0]


def test_positive_variances_keep_every_pev() -> None:
    """The same data with site A's variance 'P' (held near zero): no NaN at all."""
    fit = _fit(_two_sites(), "P")
    assert np.all(np.isfinite(fit.result.pev[0]))
    assert not any("prediction error" in d for d in fit.diagnostics)
