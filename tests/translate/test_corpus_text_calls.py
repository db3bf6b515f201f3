"""benchmarks/translate_corpus.py's count of asreml() calls built as text: in a script that
runs text as R code (eval(parse(text = ))), each ``asreml(`` inside a string literal is a
call (count_r_text_calls); it is routed when the Python runs that text through the run-time
translation (r_eval_text), one per r_eval_text() call (count_py_text_calls)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import translate_corpus as tc  # noqa: E402

BUILT = """
trait <- "yield"
str.mod <- paste0("m <- asreml::asreml(fixed = ", trait, " ~ Variety, data = d)")
eval(parse(text = str.mod))  # the model of the string
tpl <- 'asreml(fixed = traits ~ FIX, random = ~RANDOM, data = d)'
fit <- try(eval(parse(text = sub("FIX", "Env", tpl))), silent = TRUE)
"""


def test_calls_built_as_text_are_counted_apart() -> None:
    assert tc.count_r_calls(BUILT, "a.R") == 0            # strings are not code
    assert tc.count_r_text_calls(BUILT, "a.R") == 2
    res, py = tc.measure("a.R", BUILT)
    assert (res.r_text_calls, res.py_text_calls) == (2, 2), py
    s = tc.summary([res])
    assert (s["asreml_text_calls"], s["asr_text_calls"]) == (2, 2)
    # no text run as code: a string naming asreml() (a message) is no call
    said = 'message("asreml(fixed = y ~ x) failed")\nfit <- lm(y ~ x, data = d)\n'
    assert tc.count_r_text_calls(said, "b.R") == 0
    # text run as code that the translation cannot route (a commented-out eval): not routed
    assert tc.count_py_text_calls("# r_eval_text(s)\nx = 1\n", 2) == 0
