"""R's ``x[["a"]] <- NULL`` / ``d[["u"]] <- NULL`` / ``d[[2]] <- NULL`` remove the element or
the data frame's column (R Language Definition 3.4.1: assigning NULL with [[ deletes); the
translation kept the name with the value None (a list of the old length, a column of None).
Expected lengths printed by R 4.2.2 (Rscript) for the same code: 1 2 1 1."""

from _translate_fixtures import run_r

CODE = """x <- list(a = 1, b = 2, c = 3)
x[["a"]] <- NULL
k <- "b"
x[[k]] <- NULL
y <- list(1, 2, 3)
y[[2]] <- NULL
d <- data.frame(u = 1:2, v = 3:4)
d[["u"]] <- NULL
e <- data.frame(u = 1:2, v = 3:4)
e[[2]] <- NULL
n <- c(length(x), length(y), ncol(d), ncol(e))
"""


def test_null_removes_by_name_and_position() -> None:
    ns = run_r(CODE)
    assert list(ns["n"]) == [1, 2, 1, 1]
    assert list(ns["x"]) == ["c"] and list(ns["y"]) == [1, 3]
    assert list(ns["d"].columns) == ["v"] and list(ns["e"].columns) == ["u"]
