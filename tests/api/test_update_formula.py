"""m.update(...) with R's update.formula '.': each updated fit equals the fit of the written-out
formulas (a direct asreml() call, which does not go through update's text rewriting)."""

from __future__ import annotations

import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import FormulaError
from asr_py.formula import expand, parse_formula, update_formula
from asr_py.formula.update import update_text


@pytest.fixture(scope="module")
def full(dt_example: pd.DataFrame):
    return asr.asreml("Yield ~ Env", random="~ Name + Env:Name", data=dt_example)


def test_update_random_dot_minus_term(full, dt_example: pd.DataFrame) -> None:
    m2 = full.update(random="~ . - Env:Name")
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=dt_example)
    assert m2.call["random"] == "~ Name"
    assert m2.loglik == pytest.approx(direct.loglik, abs=1e-6)
    assert list(m2.varcomp.index) == list(direct.varcomp.index)


def test_update_fixed_dot_plus_term(full, dt_example: pd.DataFrame) -> None:
    m2 = full.update(fixed=". ~ . + Block")
    direct = asr.asreml("Yield ~ Env + Block", random="~ Name + Env:Name", data=dt_example)
    assert m2.loglik == pytest.approx(direct.loglik, abs=1e-6)
    assert list(m2.coef_fixed.index) == list(direct.coef_fixed.index)


def test_update_removing_every_random_term_leaves_none(full, dt_example) -> None:
    m2 = full.update(random="~ . - Name - Env:Name")
    direct = asr.asreml("Yield ~ Env", data=dt_example)
    assert m2.call["random"] is None
    assert m2.loglik == pytest.approx(direct.loglik, abs=1e-6)


def test_translated_update_call_runs(dt_example: pd.DataFrame) -> None:
    code = asr.translate("m <- asreml(Yield ~ Env, random = ~ Name + Env:Name, data = df)\n"
                         "m2 <- update(m, random = ~ . - Env:Name)\n")
    assert "m.update(random='~ . - Env:Name')" in code
    scope: dict = {"df": dt_example}
    exec(code, scope)
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=dt_example)
    assert scope["m2"].loglik == pytest.approx(direct.loglik, abs=1e-6)


def test_update_formula_accepts_strings() -> None:
    f = update_formula("y ~ a + b", "~ . - b")
    assert [str(t) for t in expand(f).terms] == ["a"]
    assert str(expand(update_formula(parse_formula("y ~ a"), ". ~ . + c:a"))) == "y ~ 1 + a + c:a"
    with pytest.raises(TypeError, match="must be a Formula or its text"):
        update_formula(3, "~ .")  # type: ignore[arg-type]


def test_update_text_cases() -> None:
    assert update_text("~ us(Env):Name + Env:Name", "~ . - Env:Name", "random") == \
        "~ us(Env):Name"
    assert update_text("y ~ Env", ". ~ . - 1", "fixed") == "y ~ Env - 1"
    assert update_text("y ~ Env", "~ . - Env", "fixed") == "y ~ 1"
    assert update_text("~ a", "~ b", "random") == "~ b"  # no '.': unchanged
    with pytest.raises(FormulaError, match="previous random formula, but the fit has none"):
        update_text(None, "~ . + x", "random")


def test_update_goes_through_the_fits_refit_callable(full) -> None:
    """results/ does not import the API: update() calls the refit the API gave the fit, with
    the merged arguments (start values first, then the fit); without one it says so."""
    from asr_py.errors import ModelError
    from asr_py.results.fit import AsremlFit

    calls: list[dict] = []

    def spy(**kw):
        calls.append(kw)
        return asr.asreml(**kw)

    m = AsremlFit(full.model, full.result, dict(full.call), refit=spy)
    m2 = m.update(random="~ Name")
    assert [c.get("start_values", False) for c in calls] == [True, False]
    assert calls[-1]["random"] == "~ Name" and "params" in calls[-1]
    assert m2.loglik == pytest.approx(full.update(random="~ Name").loglik, abs=1e-8)
    bare = AsremlFit(full.model, full.result, dict(full.call))
    with pytest.raises(ModelError, match="no refit function"):
        bare.update(random="~ Name")
