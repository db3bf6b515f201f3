"""Translation of asremlPlus/dae idioms met in the sixth pass (c14plus): the R snippets run
as translated and give R's values (R 4.2 for the base-R parts; dae's documented
semantics for fac.*)."""

from __future__ import annotations

import pandas as pd
from _translate_fixtures import run_r


def _run(code: str, **ns: object) -> dict:
    return run_r(code, **ns)


def test_names_of_a_one_value_series_is_one_name() -> None:
    # R: x <- d[["m"]]; names(x) <- "overall"; names(x) is "overall" (one name)
    env = _run('x <- d[["m"]]\nnames(x) <- "overall"\nv <- x[["overall"]]\n',
               d=pd.DataFrame({"m": [18.5]}))
    assert list(env["x"].index) == ["overall"] and env["v"] == 18.5


def test_fac_recast_then_multinested_in_a_cbind() -> None:
    code = ('d$V <- fac.recast(d$V, newlevels = c("Vic", "Gold"), '
            'levels.order = c("Vic", "Gold"))\n'
            'd <- cbind(d, with(d, fac.multinested(nesting.fac = V, nested.fac = N, '
            'fac.prefix = "N")))\n')
    d = pd.DataFrame({"V": ["Golden", "Golden", "Victory", "Victory"],
                      "N": ["0", "0.2", "0", "0.2"]})
    env = _run(code, d=d)
    out = env["d"]
    assert list(out.columns) == ["V", "N", "NVic", "NGold"]
    # levels of V were Golden, Victory (sorted): newlevels map them to Vic, Gold
    assert out["V"].astype(str).tolist() == ["Vic", "Vic", "Gold", "Gold"]
    assert out["NVic"].astype(str).tolist() == ["0", "0.2", "rest", "rest"]
    assert out["NGold"].astype(str).tolist() == ["rest", "rest", "0", "0.2"]


def test_as_alldiffs_attributes_as_asremlplus() -> None:
    """asremlPlus's makeAlldiffs sets attributes to the arguments, and R drops NULL ones:
    as.alldiffs(predictions, sed =, tdf =) has names, tdf, alpha and class (4 attributes;
    test41Sortalldiffs.r line 174 records 4). The classify is still known from the
    prediction columns, so sorting works."""
    import numpy as np

    p = pd.DataFrame({"A": ["a1", "a2", "a3"], "predicted.value": [3.0, 1.0, 2.0],
                      "std.error": [0.5, 0.5, 0.5], "status": "Estimable"})
    s = np.full((3, 3), 0.7)
    env = _run("d <- as.alldiffs(predictions = p, sed = s, tdf = 10)\n"
               "n <- length(attributes(d))\nk <- names(attributes(d))\n"
               "ds <- sort(d, sortFactor = 'A')\n", p=p, s=s)
    assert env["n"] == 4
    assert sorted(env["k"]) == ["alpha", "class", "names", "tdf"]
    assert env["ds"]["predictions"]["A"].astype(str).tolist() == ["a2", "a3", "a1"]


def test_data_frame_splices_a_data_frame_argument() -> None:
    # R 4.2: d <- data.frame(A = c("x","y"), B = 1:2); a <- c(5, 6)
    # names(data.frame(T = factor(1:2), d, a)) is "T" "A" "B" "a"
    env = _run('e <- data.frame(T = factor(1:2), d, a)\nf <- data.frame(a, b = a)\n',
               d=pd.DataFrame({"A": ["x", "y"], "B": [1, 2]}), a=[5.0, 6.0])
    e = env["e"]
    assert list(e.columns) == ["T", "A", "B", "a"]
    assert e["A"].tolist() == ["x", "y"] and e["a"].tolist() == [5.0, 6.0]
    assert list(env["f"].columns) == ["a", "b"]
