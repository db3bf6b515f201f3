"""Round trip ``parse_formula(str(f)) == f`` on formulas generated from the grammar's pieces."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asr_py.formula import parse_formula

NAMES = st.sampled_from(
    [
        "a", "Site", "Genotype.ID", ".x", "x_1", "trait", "units", "T", "F", "NA", "Rep2",
        "`Plot ID`", "`a\\`b`", "`T`", "`1st`", "`.`", "`x\\\\y`", "`in`", "Größe",
    ]
)
NUMBERS = st.sampled_from(["1", "0", "2", "1e-3", ".7", "3.", "10L", "2.5E+2", "Inf"])
STRINGS = st.sampled_from(["'A'", '"B"', "'it\\'s'", '"a\\"b"', "'x\\ny'", "'#'", '""'])
KEYWORDS = st.sampled_from(["TRUE", "FALSE", "NULL"])
FUNCS = st.sampled_from(
    ["us", "vm", "at", "c", "list", "str", "dsum", "fa", "ar1", "log", "I", "as.factor", "f"]
)
ARGNAMES = st.sampled_from(["init", "k", "singG", "var", "levels", "b"])
# whitespace and comments allowed between any two tokens
GAPS = st.sampled_from([" ", " ", "", "  ", "\n", "\t", " # note\n", "\r\n", "\n+"])
BINOPS = st.sampled_from(["+", "-", ":", "*", "/", "%in%", "^", "|", "&", "**"])
CMPOPS = st.sampled_from(["==", "!=", "<", ">=", "<=", ">"])


def _expr(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binop = st.tuples(children, BINOPS, children).map(lambda t: f"{t[0]} {t[1]} {t[2]}")
    cmp = st.tuples(children, CMPOPS, children).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    unary = st.tuples(st.sampled_from(["-", "+", "- ", "+ +"]), children).map("".join)
    paren = children.map(lambda s: f"({s})")
    arg = st.one_of(
        children,
        st.tuples(ARGNAMES, children).map(lambda t: f"{t[0]} = {t[1]}"),
        children.map(lambda s: f"~ {s}"),
        st.tuples(children, children).map(lambda t: f"{t[0]} ~ {t[1]}"),
        st.sampled_from(["-1", "-2.5", "1:5", "-1:3", "c(1, -0.5)"]),
    )
    call = st.tuples(FUNCS, st.lists(arg, max_size=3)).map(
        lambda t: f"{t[0]}({', '.join(t[1])})"
    )
    tail = st.tuples(children, st.sampled_from(["+", "-"]), children).map(
        lambda t: f"{t[0]} {t[1]} ~ {t[2]}"
    )
    return st.one_of(binop, cmp, unary, paren, call, tail)


ATOMS = st.one_of(NAMES, NUMBERS, STRINGS, KEYWORDS, st.just("."))
EXPRS = st.recursive(ATOMS, _expr, max_leaves=12)
FORMULAS = st.tuples(st.one_of(st.just(""), EXPRS), EXPRS).map(
    lambda t: f"{t[0]} ~ {t[1]}" if t[0] else f"~ {t[1]}"
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FORMULAS)
def test_round_trip(text: str) -> None:
    f = parse_formula(text)
    printed = str(f)
    g = parse_formula(printed)
    assert g == f
    assert str(g) == printed
    assert hash(g) == hash(f)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FORMULAS, st.data())
def test_whitespace_and_comments_do_not_matter(text: str, data: st.DataObject) -> None:
    f = parse_formula(text)
    # re-space the canonical text: every single space becomes a random gap
    canon = str(f)
    pieces = []
    in_string = None
    for ch in canon:
        if in_string:
            pieces.append(ch)
            if ch == in_string and (len(pieces) < 2 or pieces[-2] != "\\"):
                in_string = None
            continue
        if ch in "\"'`":
            in_string = ch
            pieces.append(ch)
        elif ch == " ":
            gap = data.draw(GAPS)
            pieces.append(gap if gap != "\n+" else "\n")
        else:
            pieces.append(ch)
    respaced = "".join(pieces)
    assert parse_formula(respaced) == f
