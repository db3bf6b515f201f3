"""update() of a fit with a variance on its boundary (reml/iter_context.py update_scales).

asremlPlus's test3/test41/test42Selection.r (briencj/asremlPlus, 'changeModelOnIC example')
fit the Wheat data (fetched asremlplus_wheat.csv) with ``random = ~ Row + Column + units``
and ``ar1(Row):ar1(Column)``, then ``update(current.asr)``. The Column variance is on its
boundary (held at 4e-9 beside variances of 5e4). Carried in as a start value, the engine took
4e-9 as that variance's scale (its information on log θ, AI_kk·θ², is ~1e-25 there and was
read as round-off), held it at 1e-12 x 4e-9 and measured its changes against 1e-4 x 4e-9:
the fit cycled between the boundary and ~1e-5 for 30 iterations and came back unconverged
with Column coded 'P', so asremlPlus's rmboundary kept it (R records 5 variance parameters
after rmboundary, test3Selection.r line 520-521: denDF[1] == 5). Now the update converges
at once to the optimum of the first fit, which an independent dense-V REML confirms.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _wheat import WHEAT, wheat, wheat_dense_optimum

import asr_py as asr


def test_update_from_a_boundary_variance_converges_there() -> None:
    d = wheat()
    m = asr.asreml(data=d, **WHEAT)
    assert m.converged
    assert m.varcomp.loc["Column", "bound"] == "B"
    with warnings.catch_warnings():
        warnings.simplefilter("error", asr.ConvergenceWarning)  # was: 30 iterations, warned
        m2 = m.update()
    assert m2.converged
    assert m2.result.n_iter <= 5
    vc = m2.varcomp
    assert vc.loc["Column", "bound"] == "B"  # so asremlPlus's rmboundary removes it
    assert (vc["bound"] == "B").sum() == 1
    x, best = wheat_dense_optimum()
    assert x[1] < 1.0  # the dense optimum has the Column variance at zero too
    assert m2.loglik == pytest.approx(best, abs=1e-5)
    est = vc["component"].to_numpy()
    np.testing.assert_allclose(est[[0, 2, 3, 4, 5]], x[[0, 2, 3, 4, 5]], rtol=2e-2)


def test_rmboundary_after_update_drops_the_boundary_term() -> None:
    """asremlPlus's rmboundary on the updated fit: Column removed, 5 variance parameters
    (the count R records, test3Selection.r line 521), ℓ unchanged."""
    d = wheat()
    m = asr.asreml(data=d, **WHEAT).update()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = asr.plus.rmboundary(asr.plus.as_asrtests(m, None, None, label="Maximal model",
                                                     IClikelihood="REML"))
    fit = t["asreml.obj"]
    assert fit.converged
    assert list(fit.varcomp.index) == ["Row", "units", "Row:Column!R", "Row:Column!Row!cor",
                                       "Row:Column!Column!cor"]
    assert fit.loglik == pytest.approx(m.loglik, abs=1e-6)
    assert list(t["test.summary"]["action"]) == ["Starting model", "Boundary"]
