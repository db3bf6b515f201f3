"""R's string functions (asr_py.translate.rstring): each R snippet is translated, run, and
its value compared with what base R 4.2 gives, recorded by ``data/rstring_cases.R`` into
``data/rstring_cases.json`` (Rscript; the tests never call R)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from _translate_fixtures import run_py

from asr_py import translate
from asr_py.translate.rstring import r_strsplit

REF = json.loads((Path(__file__).parent / "data" / "rstring_cases.json").read_text())

X = 'x <- c("Col:Row!Row!cor", "grp(neighbour)_12", NA, "New_3:ar1(Row)", "a_b_", "_lead")\n'

CASES = {
    "grep_fixed": 'grep("Row", x, fixed = TRUE)',
    "grep_regex": 'grep("^(New|grp)", x)',
    "grep_value": 'grep("_", x, value = TRUE)',
    "grep_invert": 'grep("_", x, invert = TRUE)',
    "grep_ic": 'grep("col", x, ignore.case = TRUE)',
    "grepl_posix": 'grepl("[[:digit:]]+$", x)',
    "sub": 'sub("_([0-9]+)", "<\\\\1>", x)',
    "gsub": 'gsub("[[:punct:]]", ".", x)',
    "gsub_fixed": 'gsub("(", "[", x, fixed = TRUE)',
    "gsub_whole": 'gsub("o", "\\\\0\\\\0", "colour row")',
    "substr": 'substr(c("Genotype", "Rep", NA), 2, 4)',
    "substring": 'substring("abcdef", 1:3, 3:5)',
    "substring_default": 'substring("abcdef", 3)',
    "nchar": 'nchar(c("Genotype", "", "Rep"))',
    "toupper": 'toupper(c("ab", "Cd"))',
    "tolower": 'tolower("AbC")',
    "trimws": 'trimws(c("  a b ", "\\tc\\n"))',
    "trimws_left": 'trimws("  a  ", which = "left")',
    "sprintf_vec": 'sprintf("%s-%02d: %5.2f", c("a", "b"), 3:4, pi)',
    "sprintf_s_num": 'sprintf("%s and %d%%", 2.5, 3)',
    "sprintf_e": 'sprintf("%.3e", 12345.678)',
    "formatC_w": 'formatC(c(1, 10, 100), width = 5, flag = "0")',
    "formatC_f": 'formatC(3.14159, digits = 3, format = "f")',
    "formatC_big": 'formatC(1234567, big.mark = ",", format = "d")',
    "starts": 'startsWith(c("Col!cor", "Row"), "Col")',
    "ends": 'endsWith(c("Col!cor", "Row"), "cor")',
    "regmatches": 'regmatches(c("a12", "bb", "c3"), regexpr("[0-9]+", c("a12", "bb", "c3")))',
}


def _plain(v: object) -> list:
    """A value as the JSON list R recorded (NA -> None)."""
    vals = list(np.atleast_1d(np.asarray(v, dtype=object)))
    out = []
    for e in vals:
        if e is None or (isinstance(e, float) and np.isnan(e)):
            out.append(None)
        elif isinstance(e, (bool, np.bool_)):
            out.append(bool(e))
        elif isinstance(e, (int, np.integer)):
            out.append(int(e))
        else:
            out.append(e)
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_string_function_as_r(case: str) -> None:
    py = translate(X + f"v <- {CASES[case]}\n")
    assert "TODO(asr_py):" not in py, py
    assert _plain(run_py(py)["v"]) == REF[case]


@pytest.mark.parametrize("case,code", [
    ("strsplit_colon", 'strsplit(c("A_1:B_2", "C", "a_b_", "_a", "a__b"), split = "_")'),
    ("strsplit_empty", 'strsplit("abc", "")'),
    ("strsplit_regex", 'strsplit("a1b22c", "[0-9]+")')])
def test_strsplit_as_r(case: str, code: str) -> None:
    py = translate(f"v <- {code}\n")
    assert "TODO(asr_py):" not in py, py
    assert [list(p) for p in run_py(py)["v"]] == REF[case]


def test_grep_positions_select_design_columns_and_lapply_strsplit() -> None:
    """The corpus idioms: c(grep(...), grep(...)) as 1-based column positions, and
    lapply(x, strsplit, split = "_") passing the function by name."""
    r = ('nm <- c("Col_1", "New_1", "grp(nb)_2", "New_2")\n'
         'cols <- c(grep("New", nm, fixed = TRUE), grep("grp", nm, fixed = TRUE))\n'
         'parts <- strsplit(nm, split = ":")\n'
         'parts <- lapply(parts, strsplit, split = "_")\n')
    ns = run_py(translate(r))
    assert list(ns["cols"]) == [2, 4, 3]        # R: 2 4 3
    assert [list(p[0]) for p in ns["parts"]] == [["Col", "1"], ["New", "1"],
                                                    ["grp(nb)", "2"], ["New", "2"]]


def test_a_script_function_of_the_same_name_wins() -> None:
    r = 'nchar <- function(s) 99\nv <- nchar("abc")\n'
    assert run_py(translate(r))["v"] == 99


def test_unknown_argument_keeps_the_placeholder() -> None:
    py = translate('v <- grep("a", c("a", "b"), nonsense = TRUE)\n')
    assert "TODO(asr_py):" in py and "r_grep(" not in py


def test_strsplit_does_not_mutate_and_keeps_na() -> None:
    x = ["a_b", None]
    out = r_strsplit(x, "_")
    assert x == ["a_b", None] and list(out[0]) == ["a", "b"] and np.isnan(out[1][0])


def test_columns_by_a_variable_holding_positions_names_or_a_mask() -> None:
    """x[, v] with v computed earlier (grep() positions, names, a logical mask), as R."""
    r = ('d <- data.frame(New_1 = 1:2, Col = 3:4, New_2 = 5:6)\n'
         'p <- grep("New", colnames(d), fixed = TRUE)\na <- d[, p]\n'
         'nm <- c("Col", "New_2")\nb <- d[, nm]\n'
         'msk <- grepl("Col", colnames(d))\nm <- d[, msk]\n')
    ns = run_py(translate(r))
    assert list(ns["a"].columns) == ["New_1", "New_2"]      # R: New_1 New_2
    assert list(ns["b"].columns) == ["Col", "New_2"]
    assert list(ns["m"]) == [3, 4]                          # one column: a vector (drop)
