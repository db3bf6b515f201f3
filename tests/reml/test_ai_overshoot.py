"""Full AI steps that do not contract at the optimum (I − AI⁻¹H with an eigenvalue below −1):
they overshoot, ℓ falls by ~1e-9 per step (inside the line search's slack) and the fit used
to end at maxit with a ConvergenceWarning although the estimates were right. They now switch
to Newton steps with a differenced Hessian (reml/slow_ai.py).

* asremlPlus test41REMLRTIC.r Wheat m1 (``units`` + ``ar1(Row):ar1(Column)`` residual;
  tests/data/asremlplus_wheat.csv): before 22 iterations, the last AI steps changing ℓ by
  2-4e-7; after 13. Checked against an independent dense-V REML maximised by scipy.
* the dsum model of test_dsum_sections.py: before 30 iterations (maxit) and a warning, after 17.
* a truly unconverged fit (maxit too small) still warns.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.linalg as sla
from _dense_reml_chol import lbfgsb_max, reml_loglik

import asr_py as asr
from asr_py.reml.slow_ai import SLOW_RATIO, SLOW_STEPS, is_slow

DATA = Path(__file__).resolve().parents[1] / "data"


def test_growing_full_ai_steps_count_as_slow() -> None:
    k = SLOW_STEPS + 1
    assert is_slow(["AI"] * k, [1.0] * k, [1.15 ** i for i in range(k)])  # overshooting
    assert is_slow(["AI"] * k, [1.0] * k, [1e-4] * k)  # not shrinking
    assert not is_slow(["AI"] * k, [1.0] * k, [(0.9 * SLOW_RATIO) ** i for i in range(k)])
    assert not is_slow(["AI"] * k, [1.0] * (k - 1) + [0.5], [1.15 ** i for i in range(k)])


def _wheat() -> pd.DataFrame:
    d = pd.read_csv(DATA / "asremlplus_wheat.csv")
    for c in ("Rep", "Row", "Column", "WithinColPairs", "Variety"):
        d[c] = pd.Categorical(d[c].astype(str),
                              categories=[str(v) for v in sorted(d[c].unique())])
    return d


WHEAT = dict(fixed="yield ~ Rep + WithinColPairs + Variety", random="~ Row + Column + units",
             residual="~ ar1(Row):ar1(Column)")


def _fit(**kw: object) -> tuple[asr.AsremlFit, list[str]]:  # type: ignore[name-defined]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = asr.asreml(**kw)  # type: ignore[arg-type]
    return m, [str(x.message) for x in w if issubclass(x.category, asr.ConvergenceWarning)]


def test_wheat_m1_converges_and_matches_dense_reml() -> None:
    d = _wheat()
    m, conv = _fit(data=d, **WHEAT)
    assert m.converged and not conv
    assert m.result.n_iter <= 20
    y = d["yield"].to_numpy(float)
    X = pd.get_dummies(d[["Rep", "WithinColPairs", "Variety"]], drop_first=True).to_numpy(float)
    X = np.column_stack([np.ones(len(y)), X])
    _, rf, piv = sla.qr(X, mode="economic", pivoting=True)  # drop aliased columns
    X = X[:, np.sort(piv[np.abs(np.diag(rf)) > 1e-9 * abs(rf[0, 0])])]
    zr = pd.get_dummies(d["Row"]).to_numpy(float)
    zc = pd.get_dummies(d["Column"]).to_numpy(float)
    r = d["Row"].astype(int).to_numpy()
    c = d["Column"].astype(int).to_numpy()
    dr, dc = np.abs(r[:, None] - r[None, :]), np.abs(c[:, None] - c[None, :])
    rr, cc = zr @ zr.T, zc @ zc.T

    def ll(x: np.ndarray) -> float:
        sr, sc, su, s2, pr, pc = x
        if min(sr, sc, su) < 0 or s2 <= 0 or max(abs(pr), abs(pc)) >= 1:
            return -np.inf
        V = sr * rr + sc * cc + (su * np.eye(len(y))) + s2 * pr ** dr * pc ** dc
        return reml_loglik(y, X, V)

    x, best = lbfgsb_max(ll, np.array([2000.0, 100.0, 4000.0, 40000.0, 0.5, 0.5]),
                         [1e3, 1e3, 1e3, 1e4, 1.0, 1.0],
                         [(0, None), (0, None), (0, None), (1.0, None), (-0.99, 0.99),
                          (-0.99, 0.99)])
    assert m.loglik == pytest.approx(best, abs=1e-5)
    est = m.varcomp["component"].to_numpy()
    np.testing.assert_allclose(est[[0, 2, 3, 4, 5]], x[[0, 2, 3, 4, 5]], rtol=2e-2)
    assert est[1] < 1e-6 and x[1] < 1.0  # Column variance on its boundary in both


def _sites() -> pd.DataFrame:
    import test_dsum_sections as t  # the dsum data of that module (seeded)

    return t.sites.__wrapped__() if hasattr(t.sites, "__wrapped__") else \
        t.sites._fixture_function()  # type: ignore[attr-defined]


def test_dsum_converges_but_a_short_fit_still_warns() -> None:
    import test_dsum_sections as t

    d = _sites()
    m, conv = _fit(fixed=t.FIXED, random=t.RANDOM, residual=t.ONE, data=d)
    assert m.converged and not conv
    assert m.result.n_iter < 30
    assert "NR" in list(m.iterations["method"])  # the switch to Newton steps was taken
    short, conv = _fit(fixed=t.FIXED, random=t.RANDOM, residual=t.ONE, data=d, maxit=5)
    assert not short.converged and len(conv) == 1 and "did not converge" in conv[0]
    assert short.loglik < m.loglik
