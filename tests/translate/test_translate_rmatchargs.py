"""translate's R argument matching (rmatchargs.py) against the rules of the R Language
Definition 4.3.2: exact names, then unique prefixes (not after ...), then positions."""

from __future__ import annotations

import pytest

from asr_py.translate.rmatchargs import ArgMatchError, match_args

DCAST = ("data", "formula", "fun.aggregate", "...", "margins", "subset", "fill", "drop",
         "value.var")


def test_exact_then_positional_fills_the_unmatched_formals() -> None:
    # dcast(data = d, a ~ b): data by name, so the unnamed formula takes `formula`
    got = match_args(DCAST, [("data", "d"), (None, "a~b")])
    assert got["data"] == "d" and got["formula"] == "a~b" and got["..."] == []
    # f(x, y, z) with formals (x, y): positional beyond them go to ...
    got = match_args(("x", "y", "..."), [(None, 1), (None, 2), (None, 3)])
    assert (got["x"], got["y"], got["..."]) == (1, 2, [(None, 3)])


def test_partial_matching_only_before_dots() -> None:
    # mean(x, tr = 0.1): trim by prefix; after ..., value.v does not match value.var
    got = match_args(("x", "trim", "na.rm", "..."), [(None, "v"), ("tr", 0.1)])
    assert got["trim"] == 0.1
    got = match_args(DCAST, [(None, "d"), (None, "f"), ("value.v", "y")])
    assert "value.var" not in got and got["..."] == [("value.v", "y")]
    got = match_args(("data", "formula", "fun.aggregate"), [(None, "d"), ("fun", "mean")])
    assert got == {"data": "d", "fun.aggregate": "mean"}


def test_errors_are_r_errors() -> None:
    with pytest.raises(ArgMatchError, match="multiple formal"):
        match_args(("value", "values"), [("val", 1)])
    with pytest.raises(ArgMatchError, match="matched by multiple"):
        match_args(("x", "y"), [("x", 1), ("x", 2)])
    with pytest.raises(ArgMatchError, match="unused argument"):
        match_args(("x",), [(None, 1), (None, 2)])
    with pytest.raises(ArgMatchError, match="unused argument \\(z = "):
        match_args(("x",), [("z", 1)])
