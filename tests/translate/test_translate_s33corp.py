"""Session 33 translate leftovers: R semantics the corpus scripts rely on (numbers recorded
with Rscript, R 4.2, on the snippets here)."""

from __future__ import annotations

import numpy as np
from _translate_fixtures import run_r

# ----- seq(x): seq_along for a vector, 1:x for one number ---------------------------------------


def test_seq_of_one_argument_is_seq_along_or_one_to_n() -> None:
    # R: seq(c(5, 7, 9)) is 1 2 3; seq(3) 1 2 3; seq(0) 1 0; seq(2.5) 1 2; seq(-2) 1 0 -1 -2;
    # seq(along.with = c(3, 4)) 1 2; the loop sums d$a[1:3] = 21
    ns = run_r("d <- data.frame(a = c(5, 7, 9), b = c(1, 2, 3))\n"
               "s1 <- seq(d$a)\ns2 <- seq(3)\ns3 <- seq(along.with = d$b[1:2])\n"
               "s4 <- seq(0)\ns5 <- seq(2.5)\ns6 <- seq(-2)\n"
               "tot <- 0\nfor (i in seq(d$a)) tot <- tot + d$a[i]\n"
               "s7 <- seq(1, 10, by = 3)\n", complete=True)
    assert list(ns["s1"]) == [1, 2, 3]
    assert list(ns["s2"]) == [1, 2, 3]
    assert list(ns["s3"]) == [1, 2]
    assert list(ns["s4"]) == [1, 0]
    assert list(ns["s5"]) == [1, 2]
    assert list(ns["s6"]) == [1, 0, -1, -2]
    assert list(np.atleast_1d(np.asarray(ns["tot"], dtype=float))) == [21.0]
    assert list(ns["s7"]) == [1, 4, 7, 10]
