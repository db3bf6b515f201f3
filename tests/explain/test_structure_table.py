"""One table per structure (asr_py.vcov.base.StructureSyntax): the formula function table,
the compiler and explain read a structure's syntax and options from it, so they agree.

The counts are checked against the compiler (compile_model, which builds the templates) and
against the closed-form number of parameters of each structure."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import asr_py as asr
from asr_py.formula.functions import UNAVAILABLE, is_available, lookup
from asr_py.vcov import registered_names
from asr_py.vcov.base import structure_syntax

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def dt() -> pd.DataFrame:
    return pd.read_csv(DATA / "DT_example.csv",
                       dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})


# n = 3 levels of Env: corb order 2 -> 2 correlations (+ the term scale); chol order 2 on 3
# levels: 3 d + 3 l (all sub-diagonal bands of a 3 x 3); fa order 2: 3 ψ + 3·2 − 1 loadings
CASES = [("~ corb(Env, 2):Name", 2, True), ("~ corb(Env, b = 2):Name", 2, True),
         ("~ corb(Env):Name", 1, True), ("~ chol(Env, 2):Name", 6, False),
         ("~ chol(Env, 1):Name", 5, False), ("~ fa(Env, 2):Name", 9, False),
         ("~ corbh(Env, 2):Name", 5, False)]


@pytest.mark.parametrize("formula,n_part,scale", CASES)
def test_explain_and_compiler_read_the_same_options(dt, formula: str, n_part: int,
                                                    scale: bool) -> None:
    e = asr.explain(formula, dt)
    (t,) = e.terms
    part = t.parts[0]
    assert part.n_params == n_part
    m = asr.compile_model("Yield ~ Env", formula, data=dt)
    assert t.n_params == m.n_params - 1 == n_part + int(scale)  # (- the residual variance)
    assert t.scale == scale
    # without data (toy sizes: 3 levels, as Env has) the same
    e0 = asr.explain(formula)
    assert e0.terms[0].parts[0].n_params == n_part
    assert e0.terms[0].n_params == n_part + int(scale)


def test_function_table_is_derived_from_the_registry() -> None:
    for name in registered_names():
        s = structure_syntax(name)
        spec = lookup(name)
        assert s is not None and spec is not None, name
        if name in ("vm", "giv"):  # model functions, not variance structures
            assert spec.kind == "model"
            continue
        assert spec.kind == "variance" and is_available(name)
        assert spec.max_args == s.max_args and spec.named == frozenset(s.named)
        assert spec.doc == s.doc and s.words  # explain has a description
    for name in UNAVAILABLE:  # ASReml names asr_py does not implement: known, not available
        assert lookup(name).kind == "variance" and not is_available(name)
        assert structure_syntax(name) is None


def test_an_unavailable_structure_fails_at_compile_with_its_name(dt) -> None:
    from asr_py.formula.model import parse_model

    parse_model(fixed="Yield ~ Env", random="~ usv(Env):Name")  # a known ASReml name
    assert "does not implement" in str(asr.explain("~ usv(Env):Name"))
    with pytest.raises(asr.FormulaError, match="'usv' is not available"):
        asr.compile_model("Yield ~ Env", "~ usv(Env):Name", data=dt)


def test_docs_structure_table_is_the_registry_s() -> None:
    from asr_py.vcov.base import structure_table

    text = (Path(__file__).resolve().parents[2] / "docs" / "vcov.md").read_text("utf-8")
    begin, end = "<!-- structure-table:begin -->\n", "<!-- structure-table:end -->"
    assert begin in text and end in text
    got = text.split(begin, 1)[1].split(end, 1)[0]
    assert got == structure_table(), "regenerate docs/vcov.md's table (see the page)"
    for name in registered_names():
        if name not in ("vm", "giv"):
            assert f"| `{name}` |" in got


def test_docs_coverage_table_is_the_registry_s() -> None:
    from asr_py.formula.functions import UNAVAILABLE
    from asr_py.vcov.base import coverage_table

    text = (Path(__file__).resolve().parents[2] / "docs" / "coverage.md").read_text("utf-8")
    begin, end = "<!-- coverage-table:begin -->\n", "<!-- coverage-table:end -->"
    got = text.split(begin, 1)[1].split(end, 1)[0]
    assert got == coverage_table(), "regenerate docs/coverage.md's table (see the page)"
    for name in registered_names():
        if name not in ("vm", "giv"):
            assert f"`{name}`" in got and "fits" in got
    for name in UNAVAILABLE:
        row = [ln for ln in got.splitlines() if f"`{name}`" in ln]
        assert len(row) == 1 and "refused: not available" in row[0], name
