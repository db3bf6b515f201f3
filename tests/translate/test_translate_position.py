"""R's ``x[k]`` of a vector is its k-th element by position, whatever pandas labels the
Series carries (a subset of a data frame keeps its row labels). Values as R 4.2 prints them."""

from __future__ import annotations

from _translate_fixtures import run_py

from asr_py import translate


def test_element_by_position_of_a_labelled_subset() -> None:
    # R: v <- d[d$g == "q", "a"] is c(20, 40); v[1] is 20, v[2] is 40
    ns = run_py(translate('d <- data.frame(a = c(10, 20, 30, 40), g = c("p", "q", "p", "q"))\n'
                          'v <- d[d$g == "q", "a"]\nw <- v[1]\nu <- v[2]\n'))
    assert ns["w"] == 20 and ns["u"] == 40


def test_element_of_a_list_a_value_and_an_array() -> None:
    # R: l <- list(a = 3, b = 5); l[2] holds 5; s <- "x"; s[1] is "x"; c(7, 8, 9)[3] is 9
    ns = run_py(translate('l <- list(a = 3, b = 5)\nk <- l[2]\ns <- "x"\nt <- s[1]\n'
                          'v <- c(7, 8, 9)\nz <- v[3]\n'))
    assert ns["t"] == "x" and ns["z"] == 9
    assert ns["k"] == 5          # the element (our list of one is its value)
