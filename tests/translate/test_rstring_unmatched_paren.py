"""R's regular expressions (TRE) read a ``)`` that closes no group as a literal:
asremlPlus's test42Selection.r:187 expects ``grepl("at\\\\(AMF, 2):per.col", x)`` TRUE of a
formula text holding ``at(AMF, 2):per.col`` (the script passed under asreml/R)."""

from __future__ import annotations

import pytest

from asr_py.translate.rstring import r_grepl, r_gsub


def test_unmatched_close_is_literal() -> None:
    assert r_grepl("at\\(AMF, 2):per.col", "TSP ~ Genotype:at(AMF, 2):per.col")
    assert not r_grepl("at\\(AMF, 2):per.col", "TSP ~ Genotype:at(AMF, 2:per.col")
    assert r_gsub("b)", "X", "ab)c") == "aXc"


@pytest.mark.parametrize("pattern, text, hit", [
    ("(a)b", "ab", True),             # a group still groups
    ("[)]x", ")x", True),              # ) inside a class is literal already
    ("\\)", ")", True),
])
def test_groups_and_classes_unchanged(pattern: str, text: str, hit: bool) -> None:
    assert bool(r_grepl(pattern, text)) is hit
