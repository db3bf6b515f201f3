"""testthat 3 expectations written as the base-R test each one makes, so the translated
script records them with :mod:`asr_py.translate.checks` (agree / differ / unchecked) instead
of leaving them as TODOs (testthat's help pages, ``?expect_length`` etc.):

* ``expect_length(object, n)``: ``expect_equal(length(object), n)``;
* ``expect_null(object)``: ``expect_true(is.null(object))``;
* ``expect_match(object, regexp, perl, fixed, ignore.case, all = TRUE)``: every element
  matches (``all = FALSE``: one does), and ``object`` is not empty:
  ``expect_true(length(object) > 0 && all(grepl(regexp, object, ...)))``;
* ``expect_no_match(...)``: no element matches: ``expect_false(any(grepl(...)))``;
* ``expect_setequal(object, expected)``: ``expect_true(setequal(object, expected))``;
* ``expect_contains(object, expected)``: ``expect_true(all(expected %in% object))``;
* ``expect_in(object, expected)``: ``expect_true(all(object %in% expected))``;
* ``expect_named(object)``: ``expect_false(is.null(names(object)))``; with ``expected``
  (no ``ignore.order``/``ignore.case``): ``expect_equal(names(object), expected)``.

Base R's ``setequal(x, y)`` is :func:`r_setequal` (R's vectors: one text is one element,
not its characters). ``info =`` and ``label =`` only label testthat's message; other
arguments leave the call as it is (not rewritten: a TODO).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R
from asr_py.translate.rnull import is_null

__all__ = ["FUNCTIONS", "r_setequal", "rewrite"]

_FORMALS: dict[str, tuple[str, ...]] = {
    "expect_length": ("object", "n"),
    "expect_null": ("object",),
    "expect_match": ("object", "regexp", "perl", "fixed", "ignore.case", "all"),
    "expect_no_match": ("object", "regexp", "perl", "fixed", "ignore.case", "all"),
    "expect_setequal": ("object", "expected"),
    "expect_contains": ("object", "expected"),
    "expect_in": ("object", "expected"),
    "expect_named": ("object", "expected"),
}
FUNCTIONS = frozenset(_FORMALS) | frozenset(f"testthat::{f}" for f in _FORMALS)
_LABELS = ("info", "label", "expected.label")


def _args(name: str, e: R) -> dict[str, R] | None:
    """The arguments matched to ``name``'s formals (positional in order, then by name)."""
    free = list(_FORMALS[name])
    got: dict[str, R] = {}
    for n, a in e.args:
        if n in _LABELS:
            continue
        if n is None:
            if not free:
                return None
            got[free.pop(0)] = a
        elif n in _FORMALS[name] and n not in got:
            got[n] = a
            if n in free:
                free.remove(n)
        else:
            return None
    return got if "object" in got else None


class _Make:
    """New nodes, each with the source span of the testthat call they stand for."""

    def __init__(self, at: R) -> None:
        self.at = {"start": at.start, "end": at.end}

    def call(self, f: str, *args: R, named: tuple[tuple[str, R], ...] = ()) -> R:
        return R("call", f, [(None, a) for a in args] + list(named),
                 left=R("name", f, **self.at), **self.at)

    def bin(self, op: str, a: R, b: R) -> R:
        return R("bin", op, left=a, right=b, **self.at)


def _true(a: R) -> bool:
    return a.kind == "name" and a.value in ("TRUE", "T")


def rewrite(e: R) -> R | None:
    """The base-R expectation ``e`` (a testthat call above) makes; None when ``e`` is not
    one of them or has arguments not translated."""
    if e.kind != "call" or e.value not in FUNCTIONS:
        return None
    name = e.value.removeprefix("testthat::")
    got = _args(name, e)
    if got is None:
        return None
    obj = got["object"]
    mk = _Make(e)
    _call, _bin = mk.call, mk.bin
    if name == "expect_length" and "n" in got:
        out = _call("expect_equal", _call("length", obj), got["n"])
    elif name == "expect_null":
        out = _call("expect_true", _call("is.null", obj))
    elif name in ("expect_match", "expect_no_match") and "regexp" in got:
        flags = tuple((k, got[k]) for k in ("perl", "fixed", "ignore.case") if k in got)
        hit = _call("grepl", got["regexp"], obj, named=flags)
        every = got.get("all")
        if every is not None and not (every.kind == "name" and every.value in
                                      ("TRUE", "T", "FALSE", "F")):
            return None
        if name == "expect_no_match":
            out = _call("expect_false", _call("any", hit))
        else:
            test = _call("all" if every is None or _true(every) else "any", hit)
            out = _call("expect_true", _bin("&&", _bin(">", _call("length", obj),
                                                       R("num", "0", **mk.at)), test))
    elif name == "expect_setequal" and "expected" in got:
        out = _call("expect_true", _call("setequal", obj, got["expected"]))
    elif name == "expect_contains" and "expected" in got:
        out = _call("expect_true", _call("all", _bin("%in%", got["expected"], obj)))
    elif name == "expect_in" and "expected" in got:
        out = _call("expect_true", _call("all", _bin("%in%", obj, got["expected"])))
    elif name == "expect_named":
        nm = _call("names", obj)
        out = (_call("expect_equal", nm, got["expected"]) if "expected" in got else
               _call("expect_false", _call("is.null", nm)))
    else:
        return None
    return out



def r_setequal(x: Any, y: Any) -> Any:
    """R's ``setequal(x, y)``: every element of each is in the other (``match()``: NA
    matches NA, a number matches its text, ``1`` and ``"1"``); one text is one element."""
    a, b = _elements(x), _elements(y)
    if isinstance(a, Untranslated):
        return a
    if isinstance(b, Untranslated):
        return b
    return {_key(v) for v in a} == {_key(v) for v in b}


def _elements(x: Any) -> Any:
    if isinstance(x, Untranslated):
        return x._use()
    if is_null(x):
        return []
    if isinstance(x, (str, bytes, int, float, bool, np.generic)):
        return [x]
    if isinstance(x, dict):
        return list(x.values())
    return list(np.asarray(x, dtype=object).ravel())


def _key(v: Any) -> str | None:
    from asr_py.translate.runtime import _r_label

    try:
        if v is None or pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return _r_label(v)
