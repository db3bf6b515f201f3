"""``dev()`` takes the spline's numeric covariate: asreml refuses a factor; ``spl()`` of a
factor is accepted (its numeric labels are the covariate), as asreml does.

Recorded asreml behaviour: asremlPlus's test41Orange.r expects an error from
``asreml(circ ~ x, random = ~ str(~Tree/x, ~diag(2):id(5)) + spl(X) + dev(X), ...)`` on asreml's
orange data, where ``X`` is the factor copy of the age covariate ``x`` ("fails because cannot
have a factor in dev"). asr_py used to read the factor's numeric labels as the covariate and
fit a model asreml does not fit. asremlPlus's test3REMLRTIC.r adds ``spl(Col)`` with ``Col``
a factor and records asreml's results for it: spl() of a factor fits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import FormulaError


def _orange_like() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    ages = np.array([118, 484, 664, 1004, 1231, 1372, 1582])
    d = pd.DataFrame({"Tree": np.repeat([str(i) for i in range(1, 6)], 7),
                      "x": np.tile(ages, 5)})
    d["circ"] = 30 + 0.1 * d["x"] + rng.normal(0, 8, len(d))
    d["Tree"] = d["Tree"].astype("category")
    d["X"] = d["x"].astype(str).astype("category")       # R: factor(x)
    return d


@pytest.mark.parametrize("random", ["~ dev(X)", "~ spl(X) + dev(X)", "~ spl(x) + dev(X)"])
def test_dev_of_a_factor_is_refused(random: str) -> None:
    d = _orange_like()
    before = d.copy()
    with pytest.raises(FormulaError, match=r"dev\(\): 'X' is a factor; dev\(\) needs "
                                           r"the spline's numeric covariate"):
        asr.asreml("circ ~ x", random=random, data=d)
    pd.testing.assert_frame_equal(d, before)                # nothing mutated


def test_spl_of_a_factor_uses_its_numeric_labels() -> None:
    d = _orange_like()
    by_factor = asr.asreml("circ ~ x", random="~ spl(X)", data=d)
    by_covariate = asr.asreml("circ ~ x", random="~ spl(x)", data=d)
    assert by_factor.loglik == pytest.approx(by_covariate.loglik, abs=1e-8)


def test_spline_of_the_covariate_still_fits() -> None:
    d = _orange_like()
    m = asr.asreml("circ ~ x", random="~ spl(x) + dev(x)", data=d)
    assert list(m.varcomp.index) == ["spl(x)", "dev(x)", "units!R"]
    # a numeric column read as text (not a factor) is still converted, as before
    d2 = d.assign(x=d["x"].astype(str))
    m2 = asr.asreml("circ ~ 1", random="~ spl(x)", data=d2)
    m1 = asr.asreml("circ ~ 1", random="~ spl(x)", data=d)
    assert m2.loglik == pytest.approx(m1.loglik, abs=1e-8)
