"""Full AI steps that do not contract at the optimum (I − AI⁻¹H with an eigenvalue below −1):
they overshoot, ℓ falls by ~1e-9 per step (inside the line search's slack) and the fit used
to end at maxit with a ConvergenceWarning although the estimates were right. They now switch
to Newton steps with a differenced Hessian (reml/slow_ai.py).

* asremlPlus test41REMLRTIC.r Wheat m1 (``units`` + ``ar1(Row):ar1(Column)`` residual;
  fetched asremlplus_wheat.csv): before 22 iterations, the last AI steps changing ℓ by
  2-4e-7; after 13. Checked against an independent dense-V REML maximised by scipy.
* the dsum model of test_dsum_sections.py: before 30 iterations (maxit) and a warning, after 17.
* a truly unconverged fit (maxit too small) still warns.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _wheat import WHEAT, wheat, wheat_dense_optimum

import asr_py as asr
from asr_py.reml.slow_ai import SLOW_RATIO, SLOW_STEPS, is_slow


def test_growing_full_ai_steps_count_as_slow() -> None:
    k = SLOW_STEPS + 1
    assert is_slow(["AI"] * k, [1.0] * k, [1.15 ** i for i in range(k)])  # overshooting
    assert is_slow(["AI"] * k, [1.0] * k, [1e-4] * k)  # not shrinking
    assert not is_slow(["AI"] * k, [1.0] * k, [(0.9 * SLOW_RATIO) ** i for i in range(k)])
    assert not is_slow(["AI"] * k, [1.0] * (k - 1) + [0.5], [1.15 ** i for i in range(k)])


def _fit(**kw: object) -> tuple[asr.AsremlFit, list[str]]:  # type: ignore[name-defined]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = asr.asreml(**kw)  # type: ignore[arg-type]
    return m, [str(x.message) for x in w if issubclass(x.category, asr.ConvergenceWarning)]


def test_wheat_m1_converges_and_matches_dense_reml() -> None:
    d = wheat()
    m, conv = _fit(data=d, **WHEAT)
    assert m.converged and not conv
    assert m.result.n_iter <= 20
    x, best = wheat_dense_optimum()
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
