"""docs/asremlplus.md's example runs as written and prints what the page shows (numbers to a
relative 1e-4); its claim about Env:Block is checked on the fit."""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from pathlib import Path

import numpy as np

PAGE = Path(__file__).resolve().parents[2] / "docs" / "asremlplus.md"


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?|(?<![\w.])-?\d+(?![\w.])",
                                         text)]


def test_asremlplus_page_example_prints_what_it_shows() -> None:
    text = PAGE.read_text(encoding="utf-8")
    code, shown = re.search(r"```python\n(.*?)```\n\n```text\n(.*?)```", text, re.S).groups()
    buf = io.StringIO()
    ns: dict = {"__name__": "__docs__"}
    with contextlib.redirect_stdout(buf), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, str(PAGE), "exec"), ns)  # noqa: S102
    got = buf.getvalue()
    np.testing.assert_allclose(_numbers(got), _numbers(shown), rtol=1e-4)
    assert [ln.split()[-1] for ln in got.splitlines()[1:6]] == [
        ln.split()[-1] for ln in shown.splitlines()[1:6]]
    assert ns["m"].varcomp.loc["Env:Block", "bound"] == "B"


def test_predictplus_example_prints_what_it_shows() -> None:
    """The page's second example (predictPlus, estimateV) prints its numbers; the numbers
    themselves are checked against numpy/scipy in test_compat_alldiffs/estimatev."""
    text = PAGE.read_text(encoding="utf-8")
    pairs = re.findall(r"```python\n(.*?)```\n\n```text\n(.*?)```", text, re.S)
    code, shown = pairs[1]
    assert "predictPlus" in code
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, str(PAGE), "exec"), {"__name__": "__docs__"})  # noqa: S102
    got, want = _numbers(buf.getvalue()), _numbers(shown)
    np.testing.assert_allclose(got, want, rtol=1e-4)
