"""dplyr's mutate_at(d, cols, f, ...): the extra arguments go to f (dplyr's ``...``), as
``mutate_at(d, cols, ~ f(., ...))``; seen in ufv-molecular-breeding-lab's sweetpotato scripts
(``mutate_at("env", str_replace, "\\\\..*", "")``)."""

from __future__ import annotations

import asr_py as asr

R_CODE = r'''library(dplyr); library(stringr)
d <- data.frame(env = c("E1.a", "E2.b", "E3"), y = c(1.26, 2.5, 3.04))
d2 <- d |> mutate_at("env", str_replace, "\\..*", "")
d3 <- mutate_at(d, vars(y), round, 1)
'''


def test_extra_arguments_reach_the_function():
    ns: dict = {}
    exec(asr.translate(R_CODE), ns)
    # stringr::str_replace(c("E1.a", "E2.b", "E3"), "\\..*", "") in R
    assert list(ns["d2"]["env"]) == ["E1", "E2", "E3"]
    assert list(ns["d2"]["y"]) == [1.26, 2.5, 3.04]
    # round(c(1.26, 2.5, 3.04), 1): 1.3 2.5 3.0
    assert list(ns["d3"]["y"]) == [1.3, 2.5, 3.0]
    assert list(ns["d"]["env"]) == ["E1.a", "E2.b", "E3"]  # the input is not changed
