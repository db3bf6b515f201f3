"""Held-out pass K (s17newK): R's ``tryCatch()`` (rtrycatch.py).

Expected values: R's documented semantics written out by hand (R 4 ``?tryCatch``: "the value
of expr if no condition is signalled, or the value of the handler"; ``finally`` "evaluated
before returning or exiting"; a handler is a function, so its assignments are local and its
``return()`` returns from the handler; ``?conditions``: ``conditionMessage(c)`` is the
message).
"""

from __future__ import annotations

import pytest
from _translate_fixtures import run_r

from asr_py import translate
from asr_py.translate.checks import Untranslated, UntranslatedValueError
from asr_py.translate.rtrycatch import r_condition, r_condition_message


# ----- tryCatch() ---------------------------------------------------------------------------
def test_trycatch_value_is_the_last_expression_when_nothing_fails() -> None:
    # R: x <- tryCatch({a <- 2; a * 3}, error = function(e) -1) gives x = 6, and a = 2
    env = run_r("x <- tryCatch({\n  a <- 2\n  a * 3\n}, error = function(e) -1)\n",
                complete=True)
    assert env["x"] == 6 and env["a"] == 2


def test_trycatch_error_gives_the_handlers_value_and_message() -> None:
    # R: tryCatch(stop("boom"), error = function(e) conditionMessage(e)) is "boom"
    env = run_r('y <- tryCatch(stop("boom"), error = function(e) conditionMessage(e))\n'
                'z <- tryCatch(stop("bang"), error = function(e) e$message)\n', complete=True)
    assert env["y"] == "boom" and env["z"] == "bang"


def test_trycatch_handler_assignments_stay_in_the_handler() -> None:
    # R: the handler is a function; its z <- 99 does not touch the caller's z
    env = run_r("z <- 1\n"
                "w <- tryCatch(stop('x'), error = function(e) {\n  z <- 99\n  z + 1\n})\n",
                complete=True)
    assert env["w"] == 100 and env["z"] == 1


def test_trycatch_handler_return_ends_only_the_handler() -> None:
    # R: return(NULL) in the handler gives tryCatch's value; f goes on to its if/else
    env = run_r("f <- function() {\n"
                "  v <- tryCatch(stop('x'), error = function(e) return(NULL))\n"
                "  if (is.null(v)) 'handled' else 'not'\n}\nr <- f()\n", complete=True)
    assert env["r"] == "handled"


def test_trycatch_as_a_functions_last_expression_is_returned() -> None:
    # R: g(4) is sqrt(4) = 2; g(-1) hits stop() and the handler gives -1
    env = run_r("g <- function(x) tryCatch({\n  if (x < 0) stop('negative')\n  sqrt(x)\n},"
                " error = function(e) -1)\na <- g(4)\nb <- g(-1)\n", complete=True)
    assert env["a"] == 2 and env["b"] == -1


def test_trycatch_finally_runs_with_and_without_an_error() -> None:
    # R: finally is evaluated on exit either way; the statement's assignments are the caller's
    env = run_r("n <- 0\ntryCatch({\n  m <- 5\n}, error = function(e) NULL, finally = {\n"
                "  n <- n + 1\n})\n"
                "tryCatch(stop('x'), error = function(e) NULL, finally = {\n  n <- n + 10\n})\n",
                complete=True)
    assert env["m"] == 5 and env["n"] == 11


def test_trycatch_without_handlers_is_its_expression() -> None:
    env = run_r("k <- tryCatch(2 + 3)\n", complete=True)
    assert env["k"] == 5


def test_trycatch_warning_handler_is_left_as_a_todo() -> None:
    # R aborts expr at the first warning: not translated, so never a different value
    py = translate("v <- tryCatch(log(-1), warning = function(w) 0)\n")
    assert "TODO(asr_py)" in py and "warning = " in py and "v = untranslated(" in py


def test_condition_of_an_untranslated_value_is_not_handled() -> None:
    # needing the value of untranslated R code is never an R error a handler may swallow
    exc = None
    try:
        bool(Untranslated("f()", "x"))
    except UntranslatedValueError as e:
        exc = e
    assert exc is not None
    with pytest.raises(UntranslatedValueError):
        r_condition(exc)
    cond = r_condition(ValueError("bad value"))
    assert cond["message"] == "bad value" and r_condition_message(cond) == "bad value"
