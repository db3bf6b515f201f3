"""``v[i] %in% w`` with one index (a loop's) is one logical in R (``if`` takes it); with a
vector of indices one logical per element, a factor compared by its labels (R's match()
compares as text)."""

from __future__ import annotations

import pandas as pd
from _translate_fixtures import run_r


def test_element_in_table_inside_a_loop() -> None:
    ns = run_r("traits <- c('Biomass', 'SPAD', 'Height')\ntwo <- c('SPAD')\nhit <- c()\n"
               "for (i in 1:3) {\n  if (traits[i] %in% two) hit <- c(hit, i)\n}\n",
               complete=True)
    assert list(ns["hit"]) == [2]


def test_subset_in_table_stays_elementwise() -> None:
    d = pd.DataFrame({"g": pd.Categorical(["1", "2", "3", "2"]), "y": [1.0, 2, 3, 4]})
    ns = run_r("k <- d$g[2:4] %in% c(2, 3)\nn <- sum(d$g[d$y > 1] %in% c(2))\n",
               complete=True, d=d)
    assert list(ns["k"]) == [True, True, True]
    assert ns["n"] == 2


def test_rows_dropped_by_a_variable_of_positions() -> None:
    # R: d[-pos, ] drops the rows at positions pos; with pos = integer(0) it keeps NO row
    # (-integer(0) is integer(0): an empty selection, R's well-known gotcha)
    d = pd.DataFrame({"id": ["a", "b", "c", "d"], "y": [1.0, 2, 3, 4]})
    ns = run_r("pos <- which(d$id %in% c('b', 'd'))\nkeep <- d[-pos, ]\n"
               "none <- which(d$id %in% 'z')\nempty <- d[-none, ]\n", complete=True, d=d)
    assert list(ns["keep"]["id"]) == ["a", "c"]
    assert len(ns["empty"]) == 0


def test_data_frame_keeps_the_row_names_of_a_frame_argument() -> None:
    # R's data.frame(): the row names are those of the first component that has them
    d = pd.DataFrame({"g": ["a", "b", "c"], "y": [1.0, 2, 3]}, index=["s1", "s2", "s3"])
    ns = run_r("sub <- d[c(1, 3), ]\nout <- data.frame(sub, Trait = rep('y', 2))\n"
               "rn <- rownames(out)\n", complete=True, d=d)
    assert list(ns["rn"]) == ["s1", "s3"]
    assert list(ns["out"].columns) == ["g", "y", "Trait"]
