"""testthat's ``capture_warnings(code)`` (asr_py.translate.rcapwarn) and biometryassist's
``pairwise_comparisons()`` warnings its corpus test reads through it.

R's ``warning(...)`` is a warning (``?warning``: "the arguments ... are pasted together
with no separator"), so a translated script's own warnings are captured too.
testthat 3 ``?capture_warnings``: "capture_warnings() captures all warnings ... returns a
character vector of messages"; ``code`` is evaluated in the caller's frame, so
``w <- capture_warnings(out <- f())`` binds ``out`` too (a translation that dropped the
call left ``out`` at an earlier test's value: 2 of the corpus' differing expectations).
biometryassist 1.5.0 R/pairwise_comparisons.R: in a ``by`` group without one of a pair's
levels the pair is skipped there "with a warning" ("In group 'g', skipped comparison(s)
referencing levels not present there: ...").
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


def test_pairwise_pair_absent_from_a_group_is_skipped_with_a_warning() -> None:
    """Own unbalanced layout: C only at site X; ``pairs = "A-C"`` by site gives the X row
    (estimate = mean(A:X) - mean(C:X), the cell means of a full Trt*Site model) and a
    warning naming site Y; the test reads the warning through capture_warnings()."""
    rows = [(t, s, k) for t in "ABC" for s in "XY" for k in range(3) if (t, s) != ("C", "Y")]
    y = [3.1, 2.8, 3.5, 4.0, 4.4, 3.9, 5.2, 5.0, 4.6, 6.1, 5.7, 6.3, 7.7, 7.1, 7.4]
    d = pd.DataFrame({"Trt": [t for t, _, _ in rows], "Site": [s for _, s, _ in rows],
                      "y": y})
    r = ('d$Trt <- factor(d$Trt)\nd$Site <- factor(d$Site)\n'
         'm <- aov(y ~ Trt * Site, data = d)\n'
         'w <- capture_warnings(out <- pairwise_comparisons(m, classify = "Trt:Site", '
         'by = "Site", pairs = "A-C"))\n'
         'hit <- any(grepl("skipped comparison", w))\n')
    ns = run_r(r, quiet=True, d=d)
    assert bool(ns["hit"])
    assert any("group 'Y'" in x and "A - C" in x for x in ns["w"])
    out = ns["out"]
    assert list(out["comparison"]) == ["A - C"] and list(out["Site"].astype(str)) == ["X"]
    cell = d.groupby(["Trt", "Site"])["y"].mean()
    np.testing.assert_allclose(out["estimate"], [cell["A", "X"] - cell["C", "X"]], rtol=1e-10)
