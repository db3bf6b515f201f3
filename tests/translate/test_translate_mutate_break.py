"""dplyr's sequential mutate() and R's break/next outside a loop, translated to Python that
compiles (ast.parse accepts f(a=1, a=2) and a stray break; compile() does not) and runs as R.

Expected values are R's semantics written out by hand: mutate(d, a = x / 1000, a = a + 1)
gives a = x / 1000 + 1 (dplyr evaluates arguments in order, each seeing the columns made
before it); a break reached outside any loop is R's error "no loop for break/next".
"""

from __future__ import annotations

import pandas as pd
import pytest
from _translate_fixtures import run_r


def _run(code: str, **env: object) -> dict:
    return run_r(code, complete=False, **env)

def test_mutate_remakes_a_column_in_order() -> None:
    d = pd.DataFrame({"x": [1000.0, 2000.0, 3000.0], "y": [1.0, None, 3.0]})
    ns = _run("d2 <- mutate(d, a = x / 1000, b = y, a = ifelse(is.na(b), NA, a + 1))\n", d=d)
    a = ns["d2"]["a"].astype(float)
    assert a[0] == 2.0 and pd.isna(a[1]) and a[2] == 4.0
    assert list(d.columns) == ["x", "y"]            # the user's frame is not mutated


def test_mutate_reads_columns_made_before() -> None:
    d = pd.DataFrame({"g": ["gen1", "gentrait2"]})
    ns = _run('d2 <- mutate(d, g = gsub("^gen", "", g), g = gsub("trait", "", g), '
              'h = paste0(g, "x"))\n', d=d)
    assert list(ns["d2"]["g"]) == ["1", "2"]
    assert list(ns["d2"]["h"]) == ["1x", "2x"]


def test_transform_is_not_sequential() -> None:
    # base R's transform() evaluates every argument in the original data (unlike mutate)
    d = pd.DataFrame({"x": [1.0, 2.0], "a": [10.0, 20.0]})
    ns = _run("d2 <- transform(d, a = x * 2, b = a)\n", d=d)
    assert list(ns["d2"]["b"]) == [10.0, 20.0]


def test_break_outside_a_loop_is_r_error_when_reached() -> None:
    code = ("f <- function(n) {\n  if (n < 0) {cat('neg'); break}\n  n\n}\n"
            "v <- f(2)\n")
    ns = _run(code)
    assert ns["v"] == 2
    with pytest.raises(RuntimeError, match="no loop for break/next"):
        ns["f"](-1)


def test_break_and_next_inside_loops_stay_loop_statements() -> None:
    code = ("s <- 0\nfor (i in 1:10) {\n  if (i == 3) next\n  if (i == 6) break\n  s <- s + i\n}\n"
            "k <- 0\nrepeat {\n  k <- k + 1\n  if (k >= 4) break\n}\n")
    ns = _run(code)
    assert ns["s"] == 1 + 2 + 4 + 5
    assert ns["k"] == 4
