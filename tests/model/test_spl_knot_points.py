"""``spl(x)`` with asreml's ``knot.points`` (``knot_points={"x": [...]}``).

Checked against Green & Silverman's closed form: for records at the knots, N = I and
Z_s = Q(Q'Q)⁻¹ with Q's three nonzero bands 1/h_{j-1}, -1/h_{j-1} - 1/h_j, 1/h_j (built here
from the knot gaps); the penalty G_s = σ²_s R with R's bands (h_{j-1} + h_j)/3 and h_j/6. Knot
points equal to the covariate's unique values give asreml's default knots, hence the same fit
(asremlPlus's test41Orange.r passes the seven ages of the orange data as knot.points)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import gs_q_r

import asr_py as asr
from asr_py import translate
from asr_py.vcov.base import to_dense

AGES = [118, 484, 664, 1004, 1231, 1372, 1582]


@pytest.fixture(scope="module")
def trees() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    d = pd.DataFrame([(t, x) for t in "ABCDE" for x in AGES], columns=["Tree", "x"])
    d["circ"] = 20 + 0.1 * d.x + 15 * np.sin(d.x / 300) + rng.normal(0, 4, len(d))
    return d



def test_knot_points_at_the_records_give_g_and_s_design(trees: pd.DataFrame) -> None:
    knots = [118, 664, 1231, 1582]                  # a subset of the ages
    d = trees[trees.x.isin(knots)].reset_index(drop=True)
    m = asr.compile_model("circ ~ x", "~ spl(x)", data=d, knot_points={"x": knots})
    Q, R = gs_q_r(np.array(knots, float))
    Z = to_dense(m.random[0].Z)
    pos = np.searchsorted(knots, d.x.to_numpy())
    c = (knots[-1] - knots[0]) / 9  # asreml's standardised scale: Z/c, R/c
    np.testing.assert_allclose(Z, (Q @ np.linalg.inv(Q.T @ Q))[pos] / c, rtol=1e-10,
                               atol=1e-14)
    np.testing.assert_allclose(to_dense(m.random[0].template.matrix(np.array([1.0]))), R / c,
                               rtol=1e-12)


def test_knot_points_equal_to_the_unique_values_are_the_default(trees: pd.DataFrame) -> None:
    a = asr.asreml("circ ~ x", random="~ spl(x) + spl(x):Tree", data=trees)
    b = asr.asreml("circ ~ x", random="~ spl(x) + spl(x):Tree", data=trees,
                   knot_points={"x": list(reversed(AGES))})
    assert b.loglik == pytest.approx(a.loglik, abs=1e-10)
    np.testing.assert_allclose(b.varcomp["component"], a.varcomp["component"], rtol=1e-8)


def test_knot_points_must_cover_the_covariate_and_be_numbers(trees: pd.DataFrame) -> None:
    with pytest.raises(asr.AsrError, match="outside the knot points"):
        asr.compile_model("circ ~ x", "~ spl(x)", data=trees, knot_points={"x": [200, 800, 1600]})
    with pytest.raises(asr.AsrError, match="at least 3"):
        asr.compile_model("circ ~ x", "~ spl(x)", data=trees, knot_points={"x": [118, 1582]})
    with pytest.raises(asr.AsrError, match="must be numbers"):
        asr.compile_model("circ ~ x", "~ spl(x)", data=trees, knot_points={"x": ["a", "b", "c"]})


def test_translate_passes_knot_points(trees: pd.DataFrame) -> None:
    py = translate('m <- asreml(circ ~ x, random = ~ spl(x), '
                   'knot.points = list(x = c(118, 484, 664, 1004, 1231, 1372, 1582)), data = d)\n')
    assert "knot_points={'x': [118, 484, 664, 1004, 1231, 1372, 1582]}" in py
    assert "DIFFERENT model" not in py
    ns: dict = {"d": trees}
    exec(compile(py, "<translated>", "exec"), ns)  # noqa: S102
    assert ns["m"].converged
