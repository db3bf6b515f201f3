"""One MME path, a per-term choice of how G⁻¹ is produced (issue 12).

``~ ar1v(Row) + Blk:Row``: at 40 rows both terms have closed forms (index maps); at 41 the
ar1v part is larger than :data:`asr_py.reml.mme.PRODUCT_FULL_PART_MAX`, so that term alone
uses the general default (``template.inverse``/``derivatives``/``inv_deriv_inv``) and
``Blk:Row`` keeps its closed form. Checked against every term on the general default, the
dense-V REML log-likelihood (numpy) and central differences of ℓ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _reml_problems import dense_loglik

import asr_py as asr
from asr_py.reml.ginverse import PRODUCT_FULL_PART_MAX, GeneralInverse, ProductInverse
from asr_py.reml.mme import MME


def _data(rows: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_blk = 3
    d = pd.DataFrame({"Row": np.tile(np.arange(rows), n_blk).astype(str),
                      "Blk": np.repeat(np.arange(n_blk), rows).astype(str)})
    d["Row"] = pd.Categorical(d["Row"], categories=[str(i) for i in range(rows)])
    u = np.zeros(rows)
    for i in range(1, rows):
        u[i] = 0.6 * u[i - 1] + rng.normal()
    d["y"] = 10 + u[d["Row"].cat.codes] + rng.normal(size=len(d)) * 0.7 \
        + rng.normal(size=n_blk * rows) * 0.5
    return d


def _problem(rows: int):
    m = asr.compile_model("y ~ 1", random="~ ar1v(Row) + Blk:Row", data=_data(rows))
    return m.problem()


@pytest.mark.parametrize("rows,kinds", [
    (PRODUCT_FULL_PART_MAX, (ProductInverse, ProductInverse)),
    (PRODUCT_FULL_PART_MAX + 1, (GeneralInverse, ProductInverse)),
])
def test_each_term_chooses_its_own_values(rows, kinds) -> None:
    prob = _problem(rows)
    m = MME(prob)
    assert tuple(type(t) for t in m.terms) == kinds
    assert m.fast == (rows <= PRODUCT_FULL_PART_MAX)
    gen = MME(_problem(rows), fast=False)
    assert all(type(t) is GeneralInverse for t in gen.terms) and not gen.fast
    th = np.array([0.9, 0.55, 0.3, 0.5])
    assert th.size == prob.n_theta
    st, sg = m.evaluate(th), gen.evaluate(th)
    assert st.loglik == pytest.approx(sg.loglik, rel=1e-12)
    assert st.loglik == pytest.approx(dense_loglik(_problem(rows), th), rel=1e-10)
    s, ai = m.score_ai(st)
    s_g, ai_g = gen.score_ai(sg)
    np.testing.assert_allclose(s, s_g, rtol=1e-9, atol=1e-10 * np.abs(s_g).max())
    np.testing.assert_allclose(ai, ai_g, rtol=1e-9, atol=1e-10 * np.abs(ai_g).max())
    h = 1e-6 * np.maximum(np.abs(th), 0.1)
    fd = np.array([(m.evaluate(th + hk * e).loglik - m.evaluate(th - hk * e).loglik) / (2 * hk)
                   for hk, e in zip(h, np.eye(th.size))])
    np.testing.assert_allclose(s, fd, rtol=1e-5, atol=1e-6 * np.abs(fd).max())


def test_c_pattern_is_built_once_and_reused() -> None:
    """The pattern of C does not change from θ to θ (no rebuild after the first)."""
    m = MME(_problem(PRODUCT_FULL_PART_MAX + 1))
    first = m.evaluate(np.array([0.9, 0.55, 0.3, 0.5])).pattern
    for th in ([0.2, 1.2, 0.6, 0.4], [-0.3, 0.5, 1.1, 0.9]):
        assert m.evaluate(np.array(th)).pattern is first
