"""``factor(x, levels =, labels =, exclude =)`` and ``ordered()`` (translate/rfactorlevels.py)
against R's ``?factor`` (R 4) and its examples' printed results:

* ``ff <- factor(substring("statistics", 1:10, 1:10), levels = letters)``: 26 levels,
  ``as.integer(ff)`` is each letter's place in the alphabet (19 20 1 20 9 19 20 9 3 19),
  and ``factor(ff)`` "drops the levels that do not occur" (a c i s t);
* ``z <- factor(LETTERS[3:1], ordered = TRUE)``: ``factor(z, exclude = "C")`` prints
  ``<NA> B A`` with ``Levels: A < B``;
* ``factor(c(1:2, NA), exclude = "")`` "keeps <NA>" as a level (as exclude = NULL);
* ``factor(x, levels = c("Male", "Man", "Lady", "Female"), labels = c("Male", "Male",
  "Female", "Female"))`` of ``c("Man", "Male", "Man", "Lady", "Female")`` "maps from 4
  different values to only two levels": ``Male Male Male Female Female``, ``Levels: Male
  Female``;
* the stated rules: values outside ``levels`` become NA; a single label ``L`` gives
  ``L1, L2, ...``; other label lengths and duplicated levels are errors.
"""

import string

import numpy as np
import pandas as pd
import pytest

from asr_py.errors import AsrError
from asr_py.translate import translate
from asr_py.translate.runtime import NA_LEVEL, r_factor, r_factor_codes, r_ordered


def _show(f: pd.Series) -> tuple[list, list]:
    return ([None if pd.isna(v) else v for v in f], list(f.cat.categories))


def test_statistics_example_levels_letters_and_dropping() -> None:
    x = [c for c in "statistics"]
    ff = r_factor(x, levels=list(string.ascii_lowercase))
    assert list(ff.cat.categories) == list(string.ascii_lowercase)
    assert list(ff.cat.codes + 1) == [19, 20, 1, 20, 9, 19, 20, 9, 3, 19]
    assert list(r_factor_codes(ff)) == [19, 20, 1, 20, 9, 19, 20, 9, 3, 19]
    assert _show(r_factor(ff, exclude=np.nan))[1] == ["a", "c", "i", "s", "t"]


def test_exclude_on_an_ordered_factor() -> None:
    z = r_factor(["C", "B", "A"], ordered=True)
    assert z.cat.ordered and list(z.cat.categories) == ["A", "B", "C"]
    out = r_factor(z, exclude="C")
    assert _show(out) == ([None, "B", "A"], ["A", "B"]) and out.cat.ordered
    assert _show(r_factor(z, exclude="B")) == (["C", None, "A"], ["A", "C"])


def test_exclude_keeps_na_unless_excluded() -> None:
    assert _show(r_factor([1, 2, np.nan], exclude="")) == (["1", "2", NA_LEVEL],
                                                          ["1", "2", NA_LEVEL])
    assert _show(r_factor([1, 2, np.nan], exclude=None))[1] == ["1", "2", NA_LEVEL]
    assert _show(r_factor([1, 2, np.nan])) == (["1", "2", None], ["1", "2"])


def test_duplicated_labels_merge_levels() -> None:
    x = ["Man", "Male", "Man", "Lady", "Female"]
    xf = r_factor(x, levels=["Male", "Man", "Lady", "Female"],
                  labels=["Male", "Male", "Female", "Female"])
    assert _show(xf) == (["Male", "Male", "Male", "Female", "Female"], ["Male", "Female"])


def test_levels_order_values_outside_and_numbers_as_text() -> None:
    s = pd.Series([3.0, 1.0, 2.0, 10.0, np.nan], index=[5, 6, 7, 8, 9], name="rep")
    f = r_factor(s, levels=[10, 3, 2])
    assert _show(f) == (["3", None, "2", "10", None], ["10", "3", "2"])
    assert list(f.index) == [5, 6, 7, 8, 9] and f.name == "rep"
    # the default levels of numbers: numeric order, not text order ("10" after "2")
    assert list(r_factor(s, labels=["a", "b", "c", "d"]).cat.categories) == \
        ["a", "b", "c", "d"]
    assert _show(r_factor(s, labels=["a", "b", "c", "d"]))[0] == ["c", "a", "b", "d", None]
    assert s.tolist()[:4] == [3.0, 1.0, 2.0, 10.0]          # the input is not changed


def test_single_label_is_a_prefix_and_bad_lengths_fail() -> None:
    assert _show(r_factor(["b", "a", "b"], labels="L")) == (["L2", "L1", "L2"], ["L1", "L2"])
    with pytest.raises(AsrError, match="invalid 'labels'; length 2 should be 1 or 3"):
        r_factor(["a", "b", "c"], labels=["x", "y"])
    with pytest.raises(AsrError, match=r"factor level \[3\] is duplicated"):
        r_factor(["a"], levels=["a", "b", "a"])


def test_ordered_is_factor_with_ordered_true() -> None:
    o = r_ordered(["lo", "hi", "mid"], levels=["lo", "mid", "hi"])
    assert o.cat.ordered and list(o.cat.categories) == ["lo", "mid", "hi"]
    assert list(o > "mid") == [False, True, False]           # hi > mid in the level order


def test_translation_runs_with_r_argument_matching() -> None:
    code = ('d <- data.frame(g = c("b", "a", "c", "a"), y = c(0, 1, 1, 0))\n'
            'd$g <- factor(d$g, c("c", "b", "a"))\n'
            'd$y <- factor(d$y, labels = c("No", "Yes"))\n'
            'd$o <- ordered(d$g, levels = c("a", "b", "c"))\n'
            'n <- as.numeric(d$g)\n')
    py = translate(code)
    assert "# TODO(asr_py)" not in py and "untranslated(" not in py
    env: dict = {}
    exec(compile(py, "<factor>", "exec"), env)
    d = env["d"]
    assert list(d["g"].cat.categories) == ["c", "b", "a"]
    assert [str(v) for v in d["y"]] == ["No", "Yes", "Yes", "No"]
    assert d["o"].cat.ordered
    assert list(env["n"]) == [2.0, 3.0, 1.0, 3.0]           # codes in the given order


def test_level_order_reaches_the_fit() -> None:
    """asr.asreml codes a fixed factor in its levels' order: with ``levels = c("c", "b",
    "a")`` the first level, c, is the baseline (R's treatment contrasts), so the effects are
    b and a, each its group mean minus c's (one-way least squares, closed form)."""
    import asr_py as asr

    rng = np.random.default_rng(1)
    d = pd.DataFrame({"g": np.repeat(["a", "b", "c"], 4), "y": rng.normal(size=12)})
    d["g"] = r_factor(d["g"], levels=["c", "b", "a"])
    fit = asr.asreml(fixed="y ~ g", data=d)
    names = [n for n in fit.coef_fixed.index if n.startswith("g")]
    assert names == ["g_b", "g_a"]
    m = d.groupby("g", observed=True)["y"].mean()
    sol = fit.coef_fixed["solution"]
    assert np.allclose([sol["g_b"], sol["g_a"]], [m["b"] - m["c"], m["a"] - m["c"]])
