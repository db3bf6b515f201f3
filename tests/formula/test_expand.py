"""Term expansion against R's terms.formula.

Each expectation is R's ``attr(terms(f), "term.labels")`` and ``attr(terms(f), "intercept")``
(R 4.x; checked by hand against R's documented algebra in ?formula). Two deliberate
differences are tested separately: ``a %in% b`` is labelled ``a:b`` (R keeps "a %in% b" as the
label of the same term), and parts keep their written order inside a term.
"""

from __future__ import annotations

import pytest

from asr_py.errors import FormulaError
from asr_py.formula import Call, Name, Term, parse_formula
from asr_py.formula.expand import expand, update_formula

R_CASES = [
    ("y ~ a", ["a"], 1),
    ("y ~ a*b", ["a", "b", "a:b"], 1),
    ("y ~ a/b", ["a", "a:b"], 1),
    ("y ~ a/(b + c)", ["a", "a:b", "a:c"], 1),
    ("y ~ (a + b)/c", ["a", "b", "a:b:c"], 1),
    ("y ~ a/b/c", ["a", "a:b", "a:b:c"], 1),
    ("y ~ (a + b):c", ["a:c", "b:c"], 1),
    ("y ~ a:(b + c)", ["a:b", "a:c"], 1),
    ("y ~ (a + b + c)^2", ["a", "b", "c", "a:b", "a:c", "b:c"], 1),
    ("y ~ (a + b + c)^3", ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"], 1),
    ("y ~ (a*b)^2", ["a", "b", "a:b"], 1),
    ("y ~ a*b*c - a:b:c", ["a", "b", "c", "a:b", "a:c", "b:c"], 1),
    ("y ~ a*(b + c)", ["a", "b", "c", "a:b", "a:c"], 1),
    ("y ~ a + b:c + d", ["a", "d", "b:c"], 1),
    ("y ~ a:b + b:a", ["a:b"], 1),
    ("y ~ a + a", ["a"], 1),
    ("y ~ a:a", ["a"], 1),
    ("y ~ a - a", [], 1),
    ("y ~ a*b - a", ["b", "a:b"], 1),
    ("y ~ a*b - b:a", ["a", "b"], 1),
    ("y ~ x - 1", ["x"], 0),
    ("y ~ -1 + x", ["x"], 0),
    ("y ~ 0 + x", ["x"], 0),
    ("y ~ x + 0", ["x"], 0),
    ("y ~ x - 1 + 1", ["x"], 1),
    ("y ~ x + 0 + 1", ["x"], 1),
    ("y ~ x - 0", ["x"], 1),
    ("y ~ 1", [], 1),
    ("y ~ -1", [], 0),
    ("y ~ (a)", ["a"], 1),
    ("y ~ ((a + b))", ["a", "b"], 1),
    ("y ~ -(a + b) + c", ["c"], 1),
    ("y ~ a + b - (a + 1)", ["b"], 0),
    ("y ~ log(x) + I(x^2) + poly(x, 2)", ["log(x)", "I(x^2)", "poly(x, 2)"], 1),
    ("y ~ Site + Site:Rep + Variety", ["Site", "Variety", "Site:Rep"], 1),
    ("y ~ A*B*C", ["A", "B", "C", "A:B", "A:C", "B:C", "A:B:C"], 1),
    ("y ~ A/B + C", ["A", "C", "A:B"], 1),
]


@pytest.mark.parametrize("text,labels,intercept", R_CASES)
def test_matches_r_terms(text: str, labels: list[str], intercept: int) -> None:
    tl = expand(parse_formula(text))
    assert [str(t) for t in tl.terms] == labels
    assert tl.intercept is bool(intercept)
    assert tl.response == Name("y")


ASREML_CASES = [
    ("~ us(trait):vm(id, K) + ide(id)", ["ide(id)", "us(trait):vm(id, K)"]),
    (
        "~ (A*B):at(Site, \"x\")",
        ['A:at(Site, "x")', 'B:at(Site, "x")', 'A:B:at(Site, "x")'],
    ),
    ("~ at(Site):Rep + Site/Block", ["Site", "at(Site):Rep", "Site:Block"]),
    ("~ House/(Lane + Pos)", ["House", "House:Lane", "House:Pos"]),
    ("~ str(~ a + b, ~ us(2):id(f)) + ~ units", ["str(~ a + b, ~ us(2):id(f))", "units"]),
    ("~ dsum(~ ar1(Row):ar1(Col) | Site, levels = list(1:2, 3))",
     ["dsum(~ ar1(Row):ar1(Col) | Site, levels = list(1:2, 3))"]),
    ("~ ar1(Row):ar1(Col) + units", ["units", "ar1(Row):ar1(Col)"]),
    ("~ fa(Site, 2):vm(Gen, K) + fa(Site,2):vm(Gen,K)", ["fa(Site, 2):vm(Gen, K)"]),
    ("~ . - units", ["."]),
    ("~ x | g", ["(x | g)"]),
]


@pytest.mark.parametrize("text,labels", ASREML_CASES)
def test_asreml_terms(text: str, labels: list[str]) -> None:
    tl = expand(parse_formula(text), "random")
    assert [str(t) for t in tl.terms] == labels
    assert tl.intercept is False


def test_parts_are_kept_as_atoms_in_written_order() -> None:
    tl = expand(parse_formula("~ us(trait):vm(id, K)"), "random")
    (term,) = tl.terms
    assert isinstance(term, Term)
    assert [p.func for p in term.parts] == ["us", "vm"]
    assert isinstance(term.parts[0], Call)
    # deliberate difference from R: R would label this "a:b" (variable order a, c, b)
    tl = expand(parse_formula("y ~ a + c + b:a"))
    assert [str(t) for t in tl.terms] == ["a", "c", "b:a"]
    assert tl.terms[2].key() == frozenset({"a", "b"})
    # %in%: the same term as R, labelled with ':'
    assert [str(t) for t in expand(parse_formula("y ~ a %in% b")).terms] == ["a:b"]


def test_random_formulas_have_no_intercept() -> None:
    for text in ["~ a", "~ 1 + a", "~ -1 + a", "~ 0 + a"]:
        tl = expand(parse_formula(text), "random")
        assert tl.intercept is False and [str(t) for t in tl.terms] == ["a"]
    assert expand(parse_formula("~ a"), "fixed").intercept is True


def test_keep_order() -> None:
    tl = expand(parse_formula("y ~ a:b + c"), keep_order=True)
    assert [str(t) for t in tl.terms] == ["a:b", "c"]


def test_termlist_printing_round_trips_through_expand() -> None:
    for text in ["y ~ a*b - 1", "y ~ (a + b)^2", "y ~ 1", "y ~ -1"]:
        tl = expand(parse_formula(text))
        again = expand(parse_formula(str(tl)))
        assert again == tl


def test_update_formula() -> None:
    old = parse_formula("y ~ a + b + units")
    new = update_formula(old, parse_formula("~ . - units"))
    assert str(new) == "y ~ (a + b + units) - units"
    assert [str(t) for t in expand(new).terms] == ["a", "b"]
    new = update_formula(old, parse_formula(". ~ . + x"))
    assert [str(t) for t in expand(new).terms] == ["a", "b", "units", "x"]
    new = update_formula(parse_formula("log(y) ~ a"), parse_formula(". ~ b"))
    assert str(new) == "log(y) ~ b"
    with pytest.raises(FormulaError):
        update_formula(parse_formula("~ a"), parse_formula(". ~ b"))


@pytest.mark.parametrize(
    "text,column,what",
    [
        ("y ~ a + 2", 9, "number 2"),
        ("y ~ a^b", 7, "whole number"),
        ("y ~ (a + b)^0.5", 13, "whole number"),
        ("y ~ a:1", 7, "intercept"),
        ("y ~ a + 'x'", 9, "string"),
        ("y ~ a + TRUE", 9, "bool"),
    ],
)
def test_errors_with_position(text: str, column: int, what: str) -> None:
    with pytest.raises(FormulaError) as ei:
        expand(parse_formula(text), text=text)
    assert ei.value.column == column and ei.value.line == 1
    assert what in str(ei.value).lower()
    assert "^" in str(ei.value)


def test_long_formula_expands_without_recursion() -> None:
    text = "y ~ " + " + ".join(f"x{i}" for i in range(3000)) + " - x7"
    tl = expand(parse_formula(text))
    assert len(tl.terms) == 2999 and str(tl.terms[7]) == "x8"
