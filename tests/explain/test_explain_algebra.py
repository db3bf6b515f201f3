"""explain() reads a formula's terms with the model stage's term algebra
(:func:`asr_py.formula.expand.expand`), not an interpreter of its own: R's rules (``a/b`` =
a + a:b, ``a %in% b`` = a:b, ``(a + b)^2`` = a + b + a:b, ``-`` removes a term; textbook
``terms.formula``) and the compiled model's random terms agree with it."""

from __future__ import annotations

from importlib import resources

import pandas as pd
import pytest

import asr_py as asr
from asr_py.explain import explain


@pytest.fixture(scope="module")
def dt() -> pd.DataFrame:
    ref = resources.files("asr_py.data").joinpath("DT_example.csv")
    with resources.as_file(ref) as p:
        return pd.read_csv(p, dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})


@pytest.mark.parametrize("formula,terms", [
    ("~ Env/Name", {"Env", "Env:Name"}),
    ("~ Name %in% Env", {"Name:Env"}),
    ("~ (Env + Name)^2", {"Env", "Name", "Env:Name"}),
    ("~ Env*Name - Env:Name", {"Env", "Name"}),
    ("~ Env*Name - Env", {"Name", "Env:Name"}),
])
def test_term_algebra_follows_r(formula: str, terms: set[str], dt: pd.DataFrame) -> None:
    ex = explain(formula)
    assert {t.text for t in ex.terms} == terms
    with_data = explain(formula, dt, fixed="Yield ~ 1")
    model = asr.compile_model("Yield ~ 1", formula, data=dt)
    assert {t.text for t in with_data.terms} == terms == {r.label for r in model.random}
