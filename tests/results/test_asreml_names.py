"""Names of at() terms in fit tables as asreml-R 4.2 prints them (asr_py.model.at_label).

Sources: the WAM gryphon tutorial rendered with ASReml 4.2 prints the varcomp rows
``at(sex, '1'):vm(animal, ainv)``, ``at(sex, '2'):...`` for ``at(sex):vm(animal, ainv)``
(JulienGAMartin/wam_tuto docs/02_01-univ_asreml.html:676-677); asremlPlus's
tests/testthat/test42Selection.r reads the Wald row ``Genotype:at(AMF, 'AMF_plus'):per.col``
of a term written ``(Genotype*NP):at(AMF, 2):per.col`` (:186), ``at(Lane, '8')`` of
``at(Lane, 4)`` (:230), the vparameters ``at(Smarthouse, 'NE'):Zone`` of
``at(Smarthouse):Zone`` (:333), and 23 Wald rows for a model whose multi-level fixed at()
terms count one row per level (:449).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.translate.runtime import r_varcomp, r_vparameters


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 90
    d = pd.DataFrame({"AMF": np.repeat(["minus", "plus", "zero"], n // 3),
                      "G": [f"g{i % 6}" for i in range(n)], "x": rng.normal(size=n),
                      "L": [str(5 + i % 3) for i in range(n)]})   # levels '5', '6', '7'
    u = rng.normal(size=6)[np.arange(n) % 6]
    d["y"] = 1 + (d["AMF"] == "plus") * (0.5 + 1.5 * d["x"]) + u + rng.normal(size=n)
    return d


@pytest.mark.parametrize("written", ["'plus'", '"plus"', "2", "c(2)"])
def test_wald_row_of_an_at_term_quotes_the_level_by_name(written: str) -> None:
    """``at(AMF, 'plus')``, ``at(AMF, "plus")``, ``at(AMF, 2)`` (plus is the 2nd level):
    one Wald row ``at(AMF, 'plus'):x``, the same test as the coefficient's squared z."""
    m = asr.asreml(f"y ~ AMF + at(AMF, {written}):x", random="~ G", data=_data())
    rows = list(m.wald().index)
    assert rows == ["(Intercept)", "AMF", "at(AMF, 'plus'):x"]
    assert "at(AMF, 'plus'):x" in m.coef_fixed.index
    z = m.coef_fixed.loc["at(AMF, 'plus'):x", "z.ratio"]
    assert m.wald().loc["at(AMF, 'plus'):x", "Wald statistic"] == pytest.approx(z ** 2,
                                                                             rel=1e-8)


def test_numeric_level_position_is_named_by_its_level() -> None:
    """``at(L, 2)`` with L's levels '5', '6', '7': asreml's row ``at(L, '6')``."""
    m = asr.asreml("y ~ at(L, 2) + x", data=_data())
    assert "at(L, '6')" in list(m.wald().index)


def test_multi_level_fixed_at_term_is_one_wald_row_per_level() -> None:
    """``at(AMF, c(1, 3)):x`` and ``at(AMF):G``: a row per level; each row's incremental
    Wald statistic is that of its own columns (z_k² summed over them), so the rows of one
    level sum to the single-term statistic of both (the columns are the same)."""
    d = _data()
    m = asr.asreml("y ~ AMF + at(AMF, c(1, 3)):x", data=d)
    w = m.wald()
    assert list(w.index) == ["(Intercept)", "AMF", "at(AMF, 'minus'):x", "at(AMF, 'zero'):x"]
    assert list(w["Df"]) == [1, 2, 1, 1]
    # the two slopes are the last columns: their incremental Wald statistics add to the
    # joint statistic of both, b'V⁻¹b over the two columns (V their block of Var(β̂))
    cols = [list(m.coef_fixed.index).index(c) for c in ("at(AMF, 'minus'):x",
                                                        "at(AMF, 'zero'):x")]
    b = m.result.beta[cols]
    V = m.result.vcov_beta[np.ix_(cols, cols)]
    joint = float(b @ np.linalg.solve(V, b))
    assert w["Wald statistic"].iloc[2:].sum() == pytest.approx(joint, rel=1e-8)
    m2 = asr.asreml("y ~ AMF + at(AMF):x", data=d)
    assert [r for r in m2.wald().index if r.startswith("at(")] == [
        "at(AMF, 'minus'):x", "at(AMF, 'plus'):x", "at(AMF, 'zero'):x"]


def test_random_at_terms_name_the_level_in_quotes() -> None:
    d = _data()
    m = asr.asreml("y ~ AMF", random="~ at(AMF, c('minus', 'plus')):G", data=d)
    want = ["at(AMF, 'minus'):G", "at(AMF, 'plus'):G"]
    assert list(r_varcomp(m).index)[:2] == want
    assert list(r_vparameters(m).index)[:2] == want
    m1 = asr.asreml("y ~ AMF", random="~ at(AMF, 1):G", data=d)
    assert list(r_varcomp(m1).index)[0] == "at(AMF, 'minus'):G"
