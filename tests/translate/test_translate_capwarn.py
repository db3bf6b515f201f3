"""testthat's ``capture_warnings(code)`` (asr_py.translate.rcapwarn), as biometryassist's
test-pairwise_comparisons.R reads the warnings of ``pairwise_comparisons()`` through it.

R's ``warning(...)`` is a warning (``?warning``: "the arguments ... are pasted together
with no separator"), so a translated script's own warnings are captured too.
testthat 3 ``?capture_warnings``: "capture_warnings() captures all warnings ... returns a
character vector of messages"; ``code`` is evaluated in the caller's frame, so
``w <- capture_warnings(out <- f())`` binds ``out`` too (a translation that dropped the
call left ``out`` at an earlier test's value: 2 of the corpus' differing expectations).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _translate_fixtures import run_r

from asr_py import translate


def test_capture_warnings_binds_the_inner_assignment_and_returns_messages() -> None:
    r = ('f <- function(x) { warning("x was ", x); x + 1 }\n'
         'out <- 0\n'
         'w <- capture_warnings(out <- f(2))\n'
         'none <- capture_warnings(y <- 3)\n'
         'n <- length(capture_warnings(sqrt(4)))\n')
    py = translate(r)
    assert "with r_capture_warnings() as w:" in py
    ns = run_r(r, quiet=True)
    assert ns["out"] == 3                 # the assignment inside ran where the call stands
    assert list(ns["w"]) == ["x was 2"]   # R's warning(): its arguments pasted
    assert list(ns["none"]) == [] and ns["y"] == 3
    assert ns["n"] == 0


def test_capture_warnings_collects_python_warnings_in_order() -> None:
    import warnings

    from asr_py.translate.rcapwarn import r_capture_warnings

    def twice() -> int:
        warnings.warn("first", UserWarning, stacklevel=1)
        warnings.warn("second", RuntimeWarning, stacklevel=1)
        return 1

    assert r_capture_warnings(twice) == ["first", "second"]
    with r_capture_warnings() as got:
        twice()
        twice()                      # R repeats a repeated warning: no dedup by location
    assert got == ["first", "second", "first", "second"]


def test_capture_warnings_of_a_fit_and_a_value_read_after() -> None:
    """A translated block whose function warns twice and assigns a table: the table is the
    caller's, the two messages are the value, in order (own data; the mean by hand)."""
    d = pd.DataFrame({"g": list("aabb"), "y": [1.0, 3.0, 2.0, 6.0]})
    r = ('f <- function(d) {\n'
         '  warning("first ", nrow(d))\n'
         '  warning("second")\n'
         '  aggregate(y ~ g, data = d, FUN = mean)\n'
         '}\n'
         'w <- capture_warnings({\n'
         '  tab <- f(d)\n'
         '  k <- 1\n'
         '})\n'
         'hit <- any(grepl("second", w))\n')
    ns = run_r(r, quiet=True, d=d)
    assert list(ns["w"]) == ["first 4", "second"] and bool(ns["hit"]) and ns["k"] == 1
    np.testing.assert_allclose(ns["tab"]["y"], [2.0, 4.0])
