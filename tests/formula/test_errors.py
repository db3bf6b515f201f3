"""Errors: each kind with its formula, line and column; hints; the fuzz test."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asr_py.errors import FormulaError, FormulaSyntaxError
from asr_py.formula import ModelFormula, expand, parse_formula
from asr_py.formula.functions import (
    FUNCTIONS,
    is_transform,
    is_variance_structure,
    lookup,
    variance_base,
)
from asr_py.formula.model import parse_model

from .test_parser import REALISTIC


def _err(exc_type, **kwargs):
    with pytest.raises(exc_type) as ei:
        parse_model(**kwargs)
    return ei.value


# --- syntax errors ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text,line,column,message,hint",
    [
        ("y ~ a +", 1, 7, "dangling '+'", "remove the trailing '+'"),
        ("y ~ a +\n  # nothing follows\n", 1, 7, "dangling '+'", "add a term"),
        ("y ~ (a + ) : b", 1, 8, "dangling '+'", None),
        ("y ~ us(trait", 1, 13, "parenthesis", "opened at line 1, column 7"),
        ("y ~ a +\n  fa(Site, 2:vm(G, K)", 2, 22, "parenthesis", "line 2, column 5"),
        ("y ~ a + b)", 1, 10, "unmatched ')'", None),
        ("y ~ at(Site, \u201cA\u201d)", 1, 14, "typographic quote", "ASCII '\"'"),
        ("y ~ a \uff0b b", 1, 7, "full-width plus", "ASCII '+'"),
        ("y \uff5e a", 1, 3, "full-width tilde", "ASCII '~'"),
        ("y ~ a \u2212 1", 1, 7, "minus sign", None),
        ("y ~ a + b\u00a7", 1, 10, "unexpected character", None),
        ("y ~ at(Site, 'A)", 1, 14, "string is never closed", None),
        ("y ~ a b", 1, 7, "operator is missing", None),
        ("a + b", 1, 1, "no '~'", None),
        ("", 1, 1, "empty formula", None),
        ("y ~ a ~ b", 1, 7, "unexpected '~'", None),
        ("y ~ data$x", 1, 9, "unexpected character '$'", "data$y"),
        ("cbind(y1, ) ~ x", 1, 11, "empty argument 2 in cbind", None),
        ("y ~ spl(x, k = )", 1, 14, "empty argument", None),
    ],
)
def test_syntax_errors(text: str, line: int, column: int, message: str, hint: str | None):
    e = _err(FormulaSyntaxError, fixed=text)
    assert isinstance(e, ValueError) and isinstance(e, FormulaError)
    assert (e.line, e.column) == (line, column), str(e)
    assert e.formula == "fixed"
    assert message in e.message
    assert e.text == text
    assert ("^" in str(e)) is bool(text)
    if hint is not None:
        assert e.hint is not None and hint in e.hint


def test_caret_sits_under_the_column() -> None:
    e = _err(FormulaSyntaxError, fixed="y ~ a", random="~ Rep +\n  us(trait")
    assert e.formula == "random" and (e.line, e.column) == (2, 11)
    picture = str(e).split("\n")
    src, caret = picture[1], picture[2]
    assert src.strip() == "us(trait"
    assert caret.index("^") == len(src)  # just after the last character


# --- validation errors ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs,kind,line,column,message,hint",
    [
        ({"random": "~ uss(trait):id(x)"}, "random", 1, 3, "unknown", "did you mean us?"),
        ({"random": "~ Rep +\n  uss(trait):id(x)"}, "random", 2, 3, "uss", "us?"),
        ({"random": "~ str(~ a + b, ~ uss(2):id(f))"}, "random", 1, 18, "variance structure",
         "us?"),
        ({"residual": "~ ar1(Row):ar2x(Col)"}, "residual", 1, 12, "unknown", "ar2?"),
        ({"rcov": "~ ar1(Row):ar2x(Col)"}, "rcov", 1, 12, "unknown", "ar2?"),
        ({"random": "y ~ Rep"}, "random", 1, 1, "has no response", "~ Rep"),
        ({"residual": "e ~ units"}, "residual", 1, 1, "has no response", None),
        ({"random": "~ a + (1 | g)"}, "random", 1, 8, "'|' is only allowed inside dsum",
         "for lme4's (1 | g) write g"),
        ({"random": "~ a + (1 + x | g)"}, "random", 1, 8, "'|' is only allowed inside dsum",
         "str(~ g + g:x, ~ us(2):id(g))"),
        ({"random": "~ at():Rep"}, "random", 1, 3, "at() needs the factor", "at(Site)"),
        ({"random": "~ str(~ a + b)"}, "random", 1, 3, "str() needs two arguments", None),
        ({"random": "~ str(a, ~ us(2):id(f))"}, "random", 1, 7, "must be a formula", None),
        ({"random": "~ us(trait, Site):id(x)"}, "random", 1, 3, "us() takes 1 positional", None),
        ({"random": "~ vm(id)"}, "random", 1, 3, "vm() takes 2 to 3 positional", None),
        ({"random": "~ fa(Site, 2, 3):id(G)"}, "random", 1, 3, "takes 1 to 2", None),
        ({"random": "~ vm(id, K, singg = 'PSD')"}, "random", 1, 13, "no argument 'singg'",
         "did you mean singG?"),
        ({"random": "~ spl(x, k = 6, k = 7)"}, "random", 1, 17, "given twice", None),
        ({"random": "~ log(x)"}, "random", 1, 3, "R function log()", None),
        ({"residual": "~ dsum(~ units)"}, "residual", 1, 8, "conditioning factor", None),
        ({"residual": "~ dsum(~ units | at(Site))"}, "residual", 1, 18, "single factor",
         None),
        ({"fixed": "y ~ lgo(x)"}, "fixed", 1, 5, "unknown function lgo()", "did you mean log?"),
        ({"fixed": "y ~ ar1(row)"}, "fixed", 1, 5, "variance structure", None),
        ({"fixed": "y ~ x + str(~ a, ~ id(a))"}, "fixed", 1, 9, "belongs in the random", None),
        ({"fixed": "~ x"}, "fixed", 1, 1, "needs a response", None),
        ({"fixed": "lgo(y) ~ x"}, "fixed", 1, 1, "unknown function lgo()", "log?"),
        ({"fixed": "y ~ x > 2"}, "fixed", 1, 5, "cannot join model terms", "I(x > 2)"),
        ({"fixed": "y ~ x + 2"}, "fixed", 1, 9, "number 2", None),
        ({"fixed": "y ~ x + 'a'"}, "fixed", 1, 9, "cannot be a model term", None),
        ({"fixed": "y ~ . + x"}, "fixed", 1, 5, "update formulas", None),
        ({"fixed": "y ~ x", "random": "~ a + ~ b"}, "random", None, None, None, None),
        ({"fixed": "y ~ x + ~ b"}, "fixed", 1, 9, "nested formula", None),
        ({"fixed": "y ~ at(Site, ~ a)"}, "fixed", 1, 14, "does not take a formula", None),
        ({"fixed": "y ~ x %foo% z"}, "fixed", 1, 5, "unknown operator %foo%", None),
    ],
)
def test_validation_errors(kwargs, kind, line, column, message, hint) -> None:
    kwargs = {"fixed": "y ~ 1", **kwargs}
    if kind is not None and message is None:  # a valid case in the middle of the list
        assert isinstance(parse_model(**kwargs), ModelFormula)
        return
    e = _err(FormulaError, **kwargs)
    assert not isinstance(e, FormulaSyntaxError)
    assert e.formula == kind
    assert (e.line, e.column) == (line, column), str(e)
    assert message in e.message, str(e)
    if hint is not None:
        assert e.hint is not None and hint in e.hint, str(e)


def test_residual_and_rcov_together() -> None:
    e = _err(FormulaError, fixed="y ~ 1", residual="~ units", rcov="~ units")
    assert "rcov" in e.message and "residual" in e.message


def test_non_text_input() -> None:
    with pytest.raises(FormulaError):
        parse_model(fixed=42)  # type: ignore[arg-type]
    with pytest.raises(FormulaSyntaxError):
        parse_formula(None)  # type: ignore[arg-type]


# --- accepted models --------------------------------------------------------------------------

def test_r_transforms_accepted_in_fixed() -> None:
    m = parse_model(
        "log(y) ~ sqrt(x) + exp(z) + I(x^2) + factor(a) + as.numeric(b) + poly(x, 2) + "
        "scale(x) + log10(w) + as.factor(k)"
    )
    assert m.fixed.lhs.func == "log"


def test_parse_model_full_call() -> None:
    m = parse_model(
        fixed="cbind(BWT, TARSUS) ~ trait + trait:SEX",
        random="~ us(trait, init = c(1, 0.1, 1)):vm(ANIMAL, ainv) + us(trait):MOTHER",
        rcov="~ units:us(trait)",
        sparse="~ trait:YEAR",
    )
    assert m.residual is not None and str(m.residual) == "~ units:us(trait)"
    assert set(m.texts) == {"fixed", "random", "residual", "sparse"}
    assert [str(t) for t in expand(m.random, "random").terms] == [
        "us(trait, init = c(1, 0.1, 1)):vm(ANIMAL, ainv)",
        "us(trait):MOTHER",
    ]
    # a parsed Formula is accepted too
    m2 = parse_model(parse_formula("y ~ x"), random=parse_formula("~ ar1(Row):id(Col)"))
    assert m2.fixed == parse_formula("y ~ x")


@pytest.mark.parametrize("text", [t for t in REALISTIC if t not in ("~ . - units", ". ~ . + x")])
def test_realistic_formulas_validate(text: str) -> None:
    if text.lstrip().startswith("~"):
        parse_model("y ~ 1", random=text)
    else:
        parse_model(text)


# --- the function table -----------------------------------------------------------------------

def test_function_table() -> None:
    for fam in ["id", "cor", "corb", "corg", "ar1", "ar2", "ar3", "sar", "sar2", "ma1", "ma2",
                "arma", "exp", "gau", "iexp", "igau", "ieuc", "lvr", "sph", "cir", "aexp",
                "agau"]:
        for suffix in ("", "v", "h"):
            assert is_variance_structure(fam + suffix), fam + suffix
            assert variance_base(fam + suffix) == (fam, suffix)
    for name in ["diag", "us", "ante", "chol", "own", "fa", "facv", "rr", "xfa"]:
        assert is_variance_structure(name)
    for name in ["vm", "ide", "ped", "giv", "at", "dev", "pol", "leg", "spl", "lin", "fac",
                 "grp", "mbf", "and", "str", "dsum"]:
        assert lookup(name) is not None and not is_variance_structure(name)
    for name in ["log", "log10", "log2", "sqrt", "exp", "abs", "I", "factor", "as.factor",
                 "as.numeric", "poly", "scale", "cbind", "c", "list"]:
        assert is_transform(name), name
    assert variance_base("diag") == ("id", "h")
    assert lookup("vm").named >= {"singG"} and lookup("spl").named >= {"k"}
    assert lookup("giv").named >= {"var"} and lookup("dsum").named >= {"levels"}
    assert not is_variance_structure("uss") and lookup("uss") is None
    assert all(s.min_args <= s.max_args for s in FUNCTIONS.values())


# --- fuzz -------------------------------------------------------------------------------------

ALPHABET = st.sampled_from(list("abxyzKT FS0123456789.~+-*/:^|%()[],='\"`#\n\t\r_$!<>&{}") +
                           ["%in%", "us(", "at(", "str(", "dsum(", "~ ", "\u201c", "\uff0b"])


def _check_only_formula_errors(fixed: str, random: str | None = None) -> None:
    try:
        m = parse_model(fixed, random=random)
    except FormulaError:
        return
    expand(m.fixed)
    if m.random is not None:
        expand(m.random, "random")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=40).map("".join), st.lists(ALPHABET, max_size=30).map("".join))
def test_fuzz_random_text(fixed: str, random: str) -> None:
    _check_only_formula_errors(fixed, random)
    _check_only_formula_errors("y ~ " + fixed, "~ " + random)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(REALISTIC), st.data())
def test_fuzz_mutated_formulas(text: str, data: st.DataObject) -> None:
    s = text
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(s)))
        op = data.draw(st.sampled_from(["del", "ins", "rep", "dup"]))
        if op == "del" and i < len(s):
            s = s[:i] + s[i + 1 :]
        elif op == "ins":
            s = s[:i] + data.draw(ALPHABET) + s[i:]
        elif op == "rep" and i < len(s):
            s = s[:i] + data.draw(ALPHABET) + s[i + 1 :]
        else:
            j = data.draw(st.integers(i, len(s)))
            s = s[:i] + s[i:j] + s[i:]
    if s.lstrip().startswith("~"):
        _check_only_formula_errors("y ~ 1", s)
    else:
        _check_only_formula_errors(s)
