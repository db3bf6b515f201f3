"""gtools' ``mixedorder()``/``mixedsort()`` (translate/rgtools.py) against gtools'
documentation: its ``?mixedsort`` example (Treatment, below, printed sorted as
"Acetomycin 100mg/day" "Acetomycin 1000mg/day" "Asprin 10mg/day" "Asprin 50mg/day"
"Asprin 100mg/day" "Control") and its stated rules: numbers inside strings compare as numbers,
text case-insensitively, "numeric values are sorted before character values" at a position,
NAs last (na.last = TRUE), blanks first (blank.last = FALSE), decreasing reverses.
UIUC "stage 2 analysis of advanced 2020.R" orders its entry list by
mixedorder(gsub("-", "A", ids))."""

import numpy as np

from asr_py.translate import translate
from asr_py.translate.runtime import r_mixedorder, r_mixedsort

TREATMENT = ["Control", "Asprin 10mg/day", "Asprin 50mg/day", "Asprin 100mg/day",
             "Acetomycin 100mg/day", "Acetomycin 1000mg/day"]


def test_documented_example() -> None:
    assert list(r_mixedsort(TREATMENT)) == [
        "Acetomycin 100mg/day", "Acetomycin 1000mg/day", "Asprin 10mg/day",
        "Asprin 50mg/day", "Asprin 100mg/day", "Control"]
    assert list(r_mixedorder(TREATMENT)) == [5, 6, 2, 3, 4, 1]       # 1-based positions


def test_numbers_text_case_missing_and_blank() -> None:
    x = ["a10", "a2", "B1", "b0.5", "", None, "7", "a2"]
    # at the first chunk the number 7 comes before any text; "A"/"B" compare without case;
    # ties keep the input order; the blank first, the NA last
    assert list(r_mixedsort(x)) == ["", "7", "a2", "a2", "a10", "b0.5", "B1", None]
    assert list(r_mixedsort(x, blank_last=True))[-2:] == ["", None]
    assert list(r_mixedsort(x, na_last=False))[0] is None
    assert None not in list(r_mixedsort(x, na_last=np.nan))
    assert list(r_mixedsort(["a2", "a10", "a1"], decreasing=True)) == ["a10", "a2", "a1"]


def test_translated_call_orders_the_entry_list() -> None:
    py = translate('library(gtools)\nids <- c("17-2920", "07-4415", "9-1")\n'
                   'o <- ids[mixedorder(gsub("-", "A", ids))]\n')
    assert "untranslated" not in py and "# TODO" not in py
    ns: dict = {}
    exec(compile(py, "t", "exec"), ns)  # noqa: S102 - the translation under test
    assert list(ns["o"]) == ["07-4415", "9-1", "17-2920"]     # 7 < 9 < 17 as numbers
