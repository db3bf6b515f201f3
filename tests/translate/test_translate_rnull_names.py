"""translate(): ``names(NULL)`` flows on as R's NULL read as a vector (session 25). R's
values for the same code, quoted per line (?names: NULL for NULL; ?Control: ``for`` over
NULL runs no iteration; ?length, ?seq_along, ?unique, ?paste, ?rev, ?lapply, ?grep,
?setdiff, ?is.null). Before, ``names(NULL)`` was None and ``for (n in names(x$b))`` raised
a TypeError; earlier still it was ``character(0)`` and ``is.null(names(x$b))`` was FALSE."""

from __future__ import annotations

from _translate_fixtures import run_r


def test_names_of_null_reads_as_an_empty_vector_and_as_null() -> None:
    ns = run_r('x <- list(a = 1)\nz <- x$b\nseen <- 0\n'
               'for (n in names(z)) seen <- seen + 1\n'      # R: no iteration
               'k <- length(names(z))\n'                     # 0
               's <- length(seq_along(names(z)))\n'          # 0
               'u <- length(unique(names(z)))\n'             # 0
               'p <- paste(names(z), collapse = ",")\n'      # ""
               'i <- "a" %in% names(z)\n'                    # FALSE
               'nn <- is.null(names(z))\n'                   # TRUE
               'r <- length(rev(names(z)))\n'                # 0
               'l <- length(lapply(names(z), function(v) v))\n'  # 0
               'g <- length(grep("a", names(z)))\n'          # 0
               'sd <- length(setdiff(names(z), "a"))\n')     # 0
    assert ns["seen"] == 0
    assert [ns[k] for k in ("k", "s", "u", "r", "l", "g", "sd")] == [0] * 7
    assert ns["p"] == ""
    assert bool(ns["i"]) is False
    assert ns["nn"] is True


def test_names_of_a_list_is_unchanged() -> None:
    ns = run_r('x <- list(a = 1, b = 2)\nk <- length(names(x))\nnn <- is.null(names(x))\n'
               'f <- names(x)[2]\n')
    assert ns["k"] == 2 and ns["nn"] is False and ns["f"] == "b"
