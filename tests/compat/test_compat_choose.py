"""asr.plus.chooseModel: asremlPlus's walk over a marginality matrix, on hand-made p-value
tables whose decisions are worked out by hand in each test, and on an asrtests object
against testranfix of the same terms."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError

TERMS = ["A", "B", "C", "A:B", "A:C", "B:C", "A:B:C"]


def _marginality(terms: list[str]) -> pd.DataFrame:
    """M[i, j] = 1 when term i is marginal to term j (its factors are a subset)."""
    f = {t: set(t.split(":")) for t in terms}
    return pd.DataFrame([[int(f[i] <= f[j]) for j in terms] for i in terms],
                        index=terms, columns=terms)


def _table(p: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"Df": 1.0, "denDF": 20.0, "Pr": [p[t] for t in TERMS]}, index=TERMS)


def test_three_factor_hierarchy_by_hand() -> None:
    # A:B:C ns -> B:C ns -> A:C significant: A, C (marginal to A:C) need no test; left: B, A:B
    # -> A:B ns -> B significant.
    p = {"A:B:C": 0.4, "B:C": 0.3, "A:C": 0.01, "A:B": 0.2, "C": 0.9, "B": 0.03, "A": 0.5}
    out = asr.plus.chooseModel(_table(p), _marginality(TERMS))
    assert out["sig.terms"] == ["A:C", "B"]
    s = out["choose.summary"]
    assert list(s["terms"]) == ["A:B:C", "B:C", "A:C", "A:B", "B"]
    assert list(s["action"]) == ["Nonsignificant", "Nonsignificant", "Significant",
                                 "Nonsignificant", "Significant"]
    np.testing.assert_allclose(s["p"], [0.4, 0.3, 0.01, 0.2, 0.03])


def test_top_term_significant_ends_the_walk_and_order_does_not_matter() -> None:
    p = {"A:B:C": 0.001, "B:C": 0.3, "A:C": 0.01, "A:B": 0.2, "C": 0.9, "B": 0.03, "A": 0.5}
    rev = TERMS[::-1]
    out = asr.plus.chooseModel(_table(p), _marginality(rev))   # permuted to upper form
    assert out["sig.terms"] == ["A:B:C"]
    assert len(out["choose.summary"]) == 1
    # nothing significant: every term visited once
    none = asr.plus.chooseModel(_table(dict.fromkeys(TERMS, 0.5)), _marginality(TERMS))
    assert none["sig.terms"] == [] and len(none["choose.summary"]) == 7
    # alpha moves the decisions
    lax = asr.plus.chooseModel(_table(p | {"A:B:C": 0.07}), _marginality(TERMS), alpha=0.1)
    assert lax["sig.terms"] == ["A:B:C"]


def test_missing_p_values_are_passed_over() -> None:
    p = {"A:B:C": np.nan, "B:C": 0.3, "A:C": 0.5, "A:B": 0.01, "C": 0.04, "B": 0.9, "A": 0.9}
    out = asr.plus.chooseModel(_table(p), _marginality(TERMS), omit_DF=True)
    assert out["sig.terms"] == ["A:B", "C"]
    assert list(out["choose.summary"].columns) == ["terms", "p", "action"]


def test_asrtests_object_tests_terms_with_testranfix() -> None:
    with resources.as_file(resources.files("asr_py.data").joinpath("DT_example.csv")) as p:
        d = pd.read_csv(p, dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})
    m = asr.asreml("Yield ~ Env", random="~ Name + Env:Name", data=d)
    t = asr.plus.as_asrtests(m)
    M = _marginality(["Name", "Env:Name"])
    out = asr.plus.chooseModel(t, M)
    direct = asr.plus.testranfix(t, "Env:Name")
    assert out["sig.terms"] == ["Env:Name"]          # REMLRT p 3e-7: Name then needs no test
    got = out["asrtests.obj"]["test.summary"]
    assert list(got["terms"]) == ["Env:Name"]
    assert got["p"].iloc[0] == pytest.approx(direct["test.summary"]["p"].iloc[0])


def test_bad_marginality() -> None:
    tab = _table(dict.fromkeys(TERMS, 0.5))
    with pytest.raises(AsrError, match="square"):
        asr.plus.chooseModel(tab, _marginality(TERMS).iloc[:3])
    with pytest.raises(AsrError, match="no row for term"):
        asr.plus.chooseModel(tab.iloc[:3], _marginality(TERMS))
    with pytest.raises(AsrError, match="DataFrame"):
        asr.plus.chooseModel(tab, np.eye(7))
    full = pd.DataFrame(1, index=TERMS, columns=TERMS)
    with pytest.raises(AsrError, match="too few zeros"), pytest.warns(Warning):
        asr.plus.chooseModel(tab, full)


def test_pstructure_marginality_and_asreml_column_names() -> None:
    """dae's marginality of ~ A*B*C is the factor-subset relation worked out by hand; the
    Wald table's 'Pr(F)' stands for asreml's 'Pr' and 'B:A' matches the matrix's 'A:B'."""
    pstr = asr.dae.pstructure("~ A*B*C")
    M = asr.dae.marginality(pstr)
    assert list(M.index) == TERMS
    pd.testing.assert_frame_equal(M, _marginality(TERMS), check_dtype=False)
    p = {"A:B:C": 0.4, "B:C": 0.3, "A:C": 0.01, "A:B": 0.2, "C": 0.9, "B": 0.03, "A": 0.5}
    tab = _table(p).rename(columns={"Pr": "Pr(F)"}).rename(index={"A:C": "C:A"})
    out = asr.plus.chooseModel(tab, M, denDF=59)
    assert out["sig.terms"] == ["C:A", "B"]
    assert set(out["choose.summary"]["denDF"]) == {59.0}
    with pytest.raises(AsrError, match="pstructure"):
        asr.dae.marginality(M)
