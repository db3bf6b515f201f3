"""testthat's expect_length / expect_null / expect_match / expect_no_match / expect_setequal /
expect_named / expect_contains / expect_in, recorded as the base-R test each makes
(asr_py.translate.rexpectmore), and base R's ``setequal`` of one text.

Which expectations of roracle/expect_more.R pass was recorded under R 4.2.2 with testthat
3.1.6 by ``Rscript tests/translate/roracle/record_expect_outcomes.R
tests/translate/roracle/expect_more.R`` (output below). testthat 3.1.6 has no
expect_contains/expect_in (3.1.9+): their cases follow the help page ("expect_contains()
tests that object contains all values in expected; expect_in() tests that every value of
object is in expected"), the outcomes written by hand.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from _translate_fixtures import run_r

from asr_py import translate
from asr_py.translate import checks

SNIPPET = Path(__file__).with_name("roracle") / "expect_more.R"
#: line -> R's outcome (record_expect_outcomes.R)
R_OUTCOMES = {4: "pass", 5: "fail", 6: "pass", 7: "fail", 8: "pass", 9: "pass", 10: "fail",
              11: "fail", 12: "pass", 13: "pass", 14: "fail", 15: "pass", 16: "fail",
              17: "pass", 18: "pass", 19: "pass", 20: "fail", 21: "fail", 22: "pass",
              23: "pass"}


def _outcomes(r: str) -> tuple[set[int], str]:
    before = dict(checks.OUTCOMES)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        run_r(r, quiet=True)
    out = buf.getvalue()
    counts = {k: checks.OUTCOMES[k] - before.get(k, 0) for k in ("agree", "differ",
                                                                 "unchecked")}
    out += f"\ncounts {counts}"
    return {int(n) for n in re.findall(r"expectation differs: R line (\d+):", out)}, out


def test_outcomes_as_r_testthat_gives_them() -> None:
    r = SNIPPET.read_text()
    assert "TODO(asr_py): not" not in translate(r)
    failed, out = _outcomes(r)
    assert failed == {n for n, v in R_OUTCOMES.items() if v == "fail"}, out
    assert "counts {'agree': 12, 'differ': 8, 'unchecked': 0}" in out, out


def test_expect_contains_and_expect_in() -> None:
    r = ('x <- c("a", "b", "c")\n'
         'expect_contains(x, c("a", "c"))\n'      # 2: pass
         'expect_contains(x, c("a", "z"))\n'      # 3: fail
         'expect_in(c("b", "a"), x)\n'            # 4: pass
         'expect_in("z", x)\n')                   # 5: fail
    failed, out = _outcomes(r)
    assert failed == {3, 5}, out


def test_setequal_of_one_text_is_one_element() -> None:
    """``setequal("ab", "ba")`` is FALSE in R (Python's set("ab") == set("ba") was True);
    ``setequal(c(1, 2), c("1", "2"))`` is TRUE (match() compares as text)."""
    r = ('a <- setequal("ab", "ba")\nb <- setequal(c(1, 2), c("1", "2"))\n'
         'd <- setequal(c(1, NA), c(NA, 1, 1))\n')
    ns = run_r(r)
    assert (ns["a"], ns["b"], ns["d"]) == (False, True, True)
